/* test_hostile_server: the Proxmox client against a server that misbehaves (bad or cut JSON, huge,
 * endless or dripping bodies, silence, redirects, HTML): a clear error, in bounded time, no leak.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ds_clock.h"
#include "hostile_server.h"
#include "pve/pve_client.h"
#include "util/err.h"

#define TOKEN_SECRET "5f3c1e4a-hostile-test-secret-0b9d2c7e"
#define CLIENT_TIMEOUT_MS 2000L

struct outcome {
    int rc;
    long status;
    long long took_ms;
    char err[2048];
    unsigned long requests; /* as the client counted them */
};

/* One GET /version against a fresh server in `mode`, with API-token auth (so no login request).
 * The server is returned in *server_out when non-NULL (the caller stops it), else stopped. */
static struct outcome call_version(enum hostile_mode mode, long timeout_ms,
                                   struct hostile_server **server_out, struct pve_response *keep)
{
    struct hostile_server *s = hostile_server_start(mode);
    assert_non_null(s);
    struct pve_conn_opts o = {
        .host = "127.0.0.1",
        .port = hostile_server_port(s),
        .plain_http = 1,
        .user = "root@pam",
        .token_id = "root@pam!hostile",
        .token_secret = TOKEN_SECRET,
        .timeout_ms = timeout_ms,
    };
    pve_client *c = pve_client_new(&o);
    assert_non_null(c);
    struct pve_response r = {0};
    struct outcome out = {0};
    ds_err_set("(no error)");
    int64_t t0 = ds_clock_mono_ms();
    out.rc = pve_call(c, "GET", "/version", NULL, &r);
    out.took_ms = ds_clock_mono_ms() - t0;
    out.status = r.status;
    snprintf(out.err, sizeof out.err, "%s", ds_err_last());
    out.requests = pve_client_request_count(c);
    if (strstr(out.err, TOKEN_SECRET))
        fail_msg("the token secret appears in the error");
    if (keep)
        *keep = r;
    else
        pve_response_clear(&r);
    pve_client_free(c);
    if (server_out)
        *server_out = s;
    else
        hostile_server_stop(s);
    return out;
}

/* Expects a failure whose message holds every fragment, within max_ms. */
static void expect_error(const struct outcome *o, enum hostile_mode mode, long long max_ms,
                         const char *fragment, const char *fragment2)
{
    if (o->rc != -1)
        fail_msg("%s: pve_call succeeded (status %ld)", hostile_mode_name(mode), o->status);
    print_message("%s: %s (%lld ms)\n", hostile_mode_name(mode), o->err, o->took_ms);
    if (!strstr(o->err, fragment) || (fragment2 && !strstr(o->err, fragment2)))
        fail_msg("%s: error \"%s\" does not say \"%s\"%s%s%s", hostile_mode_name(mode), o->err,
                 fragment, fragment2 ? " and \"" : "", fragment2 ? fragment2 : "",
                 fragment2 ? "\"" : "");
    if (o->took_ms > max_ms)
        fail_msg("%s: took %lld ms (limit %lld)", hostile_mode_name(mode), o->took_ms, max_ms);
    if (strncmp(o->err, "GET /version: ", 14) != 0)
        fail_msg("%s: error \"%s\" does not name the request", hostile_mode_name(mode), o->err);
    assert_int_equal(o->requests, 1); /* no retry, no second request */
}

/* The harness itself: a well-behaved answer is accepted (so the other cases can fail). */
static void test_control_ok(void **state)
{
    (void)state;
    struct pve_response r = {0};
    struct outcome o = call_version(HOSTILE_OK, CLIENT_TIMEOUT_MS, NULL, &r);
    if (o.rc != 0)
        fail_msg("a good answer was refused: %s", o.err);
    assert_int_equal(o.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.data, "version")), "8.4.1");
    pve_response_clear(&r);
}

static void test_malformed_json(void **state)
{
    (void)state;
    struct outcome o = call_version(HOSTILE_MALFORMED_JSON, CLIENT_TIMEOUT_MS, NULL, NULL);
    expect_error(&o, HOSTILE_MALFORMED_JSON, 1500, "GET /version: 200",
                 "the answer is not a JSON object");
    o = call_version(HOSTILE_NOT_OBJECT, CLIENT_TIMEOUT_MS, NULL, NULL);
    expect_error(&o, HOSTILE_NOT_OBJECT, 1500, "GET /version: 200",
                 "the answer is not a JSON object");
}

static void test_truncated_body(void **state)
{
    (void)state;
    struct outcome o = call_version(HOSTILE_TRUNCATED_BODY, CLIENT_TIMEOUT_MS, NULL, NULL);
    expect_error(&o, HOSTILE_TRUNCATED_BODY, 1500, "was cut short",
                 "connection closed before the end of the body");
    assert_int_equal(o.status, 0); /* no usable answer: a transport failure */
}

/* 10 MB is big but legal (the cap is 64 MiB): it is read whole and parsed. */
static void test_huge_json_accepted(void **state)
{
    (void)state;
    struct pve_response r = {0};
    struct outcome o = call_version(HOSTILE_HUGE_JSON, 15000, NULL, &r);
    if (o.rc != 0)
        fail_msg("a 10 MB JSON answer was refused: %s", o.err);
    const char *pad = json_string_value(json_object_get(r.data, "pad"));
    assert_non_null(pad);
    assert_true(strlen(pad) > 10u * 1000u * 1000u);
    assert_true(o.took_ms < 15000);
    pve_response_clear(&r);
}

static void test_huge_junk(void **state)
{
    (void)state;
    struct outcome o = call_version(HOSTILE_HUGE_JUNK, 15000, NULL, NULL);
    expect_error(&o, HOSTILE_HUGE_JUNK, 15000, "GET /version: 200",
                 "the answer is not a JSON object");
}

/* A body that never ends is cut at 64 MiB, not read until memory runs out. */
static void test_endless_body(void **state)
{
    (void)state;
    struct outcome o = call_version(HOSTILE_ENDLESS, 30000, NULL, NULL);
    expect_error(&o, HOSTILE_ENDLESS, 30000, "is larger than 64 MiB; refusing it", NULL);
    /* a Content-Length over the cap is refused as soon as the headers arrive */
    o = call_version(HOSTILE_OVERSIZED_LENGTH, CLIENT_TIMEOUT_MS, NULL, NULL);
    expect_error(&o, HOSTILE_OVERSIZED_LENGTH, 1500, "is larger than 64 MiB; refusing it", NULL);
}

static void test_slow_drip(void **state)
{
    (void)state;
    struct hostile_server *s = NULL;
    struct outcome o = call_version(HOSTILE_SLOW_DRIP, CLIENT_TIMEOUT_MS, &s, NULL);
    char want[128];
    snprintf(want, sizeof want, "no complete answer from http://127.0.0.1:%u/ within 2000 ms",
             hostile_server_port(s));
    hostile_server_stop(s);
    expect_error(&o, HOSTILE_SLOW_DRIP, CLIENT_TIMEOUT_MS + 1500, want, NULL);
    if (o.took_ms < CLIENT_TIMEOUT_MS - 100)
        fail_msg("gave up after %lld ms, before its %ld ms timeout", o.took_ms, CLIENT_TIMEOUT_MS);
    assert_int_equal(o.status, 0);

    o = call_version(HOSTILE_SLOW_HEADERS, CLIENT_TIMEOUT_MS, NULL, NULL);
    expect_error(&o, HOSTILE_SLOW_HEADERS, CLIENT_TIMEOUT_MS + 1500, "no answer from", "2000 ms");
}

static void test_redirect_not_followed(void **state)
{
    (void)state;
    struct outcome o = call_version(HOSTILE_REDIRECT_FOREIGN, CLIENT_TIMEOUT_MS, NULL, NULL);
    expect_error(&o, HOSTILE_REDIRECT_FOREIGN, 1500, "GET /version: 302",
                 "redirects to http://127.0.0.2:1/api2/json/version; redirects are not followed");
    assert_int_equal(o.status, 302); /* following it would have ended in a connection error */

    struct hostile_server *s = NULL;
    o = call_version(HOSTILE_REDIRECT_LOCAL, CLIENT_TIMEOUT_MS, &s, NULL);
    unsigned long followed = hostile_server_followed(s);
    unsigned long requests = hostile_server_requests(s);
    hostile_server_stop(s);
    expect_error(&o, HOSTILE_REDIRECT_LOCAL, 1500, "GET /version: 302",
                 "redirects are not followed");
    assert_int_equal(followed, 0);
    assert_int_equal(requests, 1);
}

static void test_wrong_content_type(void **state)
{
    (void)state;
    struct hostile_server *s = NULL;
    struct outcome o = call_version(HOSTILE_WRONG_CONTENT_TYPE, CLIENT_TIMEOUT_MS, &s, NULL);
    unsigned port = hostile_server_port(s);
    hostile_server_stop(s);
    char want[128];
    snprintf(want, sizeof want, "the answer is text/html, not JSON (is 127.0.0.1:%u a Proxmox",
             port);
    expect_error(&o, HOSTILE_WRONG_CONTENT_TYPE, 1500, "GET /version: 200", want);
    /* even when the HTML-typed body would parse as JSON */
    o = call_version(HOSTILE_HTML_JSON, CLIENT_TIMEOUT_MS, NULL, NULL);
    expect_error(&o, HOSTILE_HTML_JSON, 1500, "the answer is text/html, not JSON", NULL);
}

/* The login paths check the same things: a token check and a ticket login against HTML. */
static void test_login_against_html(void **state)
{
    (void)state;
    struct hostile_server *s = hostile_server_start(HOSTILE_WRONG_CONTENT_TYPE);
    assert_non_null(s);
    struct pve_conn_opts token = {.host = "127.0.0.1",
                                  .port = hostile_server_port(s),
                                  .plain_http = 1,
                                  .token_id = "root@pam!hostile",
                                  .token_secret = TOKEN_SECRET,
                                  .timeout_ms = CLIENT_TIMEOUT_MS};
    pve_client *c = pve_client_new(&token);
    assert_non_null(c);
    assert_int_equal(pve_client_login(c), -1);
    if (!strstr(ds_err_last(), "checking API token root@pam!hostile") ||
        !strstr(ds_err_last(), "the answer is text/html, not JSON"))
        fail_msg("token check: %s", ds_err_last());
    assert_null(strstr(ds_err_last(), TOKEN_SECRET));
    pve_client_free(c);

    struct pve_conn_opts pw = token;
    pw.token_id = NULL;
    pw.token_secret = NULL;
    pw.user = "root@pam";
    pw.password = TOKEN_SECRET;
    c = pve_client_new(&pw);
    assert_non_null(c);
    assert_int_equal(pve_client_login(c), -1);
    if (!strstr(ds_err_last(), "login as root@pam at") ||
        !strstr(ds_err_last(), "the answer is text/html, not JSON"))
        fail_msg("ticket login: %s", ds_err_last());
    assert_null(strstr(ds_err_last(), TOKEN_SECRET));
    assert_false(pve_client_has_ticket(c));
    pve_client_free(c);
    hostile_server_stop(s);

    /* a login redirected elsewhere is not followed either */
    s = hostile_server_start(HOSTILE_REDIRECT_LOCAL);
    assert_non_null(s);
    pw.port = hostile_server_port(s);
    c = pve_client_new(&pw);
    assert_non_null(c);
    assert_int_equal(pve_client_login(c), -1);
    if (!strstr(ds_err_last(), "302") || !strstr(ds_err_last(), "redirects are not followed"))
        fail_msg("ticket login redirect: %s", ds_err_last());
    assert_int_equal(hostile_server_followed(s), 0);
    pve_client_free(c);
    hostile_server_stop(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_control_ok),         cmocka_unit_test(test_malformed_json),
        cmocka_unit_test(test_truncated_body),     cmocka_unit_test(test_huge_json_accepted),
        cmocka_unit_test(test_huge_junk),          cmocka_unit_test(test_endless_body),
        cmocka_unit_test(test_slow_drip),          cmocka_unit_test(test_redirect_not_followed),
        cmocka_unit_test(test_wrong_content_type), cmocka_unit_test(test_login_against_html),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
