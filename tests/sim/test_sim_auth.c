/* test_sim_auth: pve-sim transport and authentication over raw HTTPS: ready line, tickets,
 * cookies, CSRF, API tokens, auth-stage 401s with empty bodies, 501s and the auth delay. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim_test_util.h"

static struct simctx C;

static int setup(void **state)
{
    return tu_group_setup(state, &C);
}

static void test_ready_line(void **state)
{
    (void)state;
    assert_true(C.sp.port > 0);
    assert_true(strncmp(C.sp.url, "https://127.0.0.1:", 18) == 0);
    /* 32 bytes as colon-separated uppercase hex */
    assert_int_equal(strlen(C.sp.fingerprint), 32 * 3 - 1);
    for (const char *p = C.sp.fingerprint; *p; p++)
        assert_true((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'F') || *p == ':');
}

static void test_no_ticket_is_401_empty(void **state)
{
    (void)state;
    struct rawresp r;
    assert_int_equal(simproc_request(&C.sp, "GET", "/api2/json/version", NULL, NULL, &r), 0);
    assert_int_equal(r.status, 401);
    assert_string_equal(r.body, "");
    rawresp_clear(&r);
    const char *bad[] = {"Cookie: PVEAuthCookie=PVE:root@pam:66A1B2C3::Zm9vYmFy", NULL};
    assert_int_equal(simproc_request(&C.sp, "GET", "/api2/json/version", NULL, bad, &r), 0);
    assert_int_equal(r.status, 401);
    assert_string_equal(r.body, "");
    rawresp_clear(&r);
    /* unknown paths are also behind authentication */
    assert_int_equal(simproc_request(&C.sp, "GET", "/api2/json/nodes/pve1/nothing", NULL, NULL, &r),
                     0);
    assert_int_equal(r.status, 401);
    rawresp_clear(&r);
}

static void test_login(void **state)
{
    (void)state;
    struct rawresp r;
    assert_int_equal(simproc_request(&C.sp, "POST", "/api2/json/access/ticket",
                                     "username=root%40pam&password=wrong", NULL, &r),
                     0);
    assert_int_equal(r.status, 401);
    assert_string_equal(tu_msg(&r), "authentication failure\n");
    rawresp_clear(&r);
    assert_int_equal(simproc_request(&C.sp, "POST", "/api2/json/access/ticket",
                                     "username=root&realm=pam&password=" ROOT_PW, NULL, &r),
                     0);
    assert_int_equal(r.status, 200);
    json_t *d = tu_data(&r);
    const char *ticket = json_string_value(json_object_get(d, "ticket"));
    assert_non_null(ticket);
    assert_true(strncmp(ticket, "PVE:root@pam:", 13) == 0);
    assert_non_null(strstr(ticket, "::"));
    const char *csrf = json_string_value(json_object_get(d, "CSRFPreventionToken"));
    assert_non_null(csrf);
    assert_int_equal(csrf[8], ':');
    assert_string_equal(json_string_value(json_object_get(d, "username")), "root@pam");
    /* a ticket renews itself when posted as the password */
    char body[1024];
    snprintf(body, sizeof body, "{\"username\":\"root@pam\",\"password\":\"%s\"}", ticket);
    struct rawresp r2;
    assert_int_equal(simproc_request(&C.sp, "POST", "/api2/json/access/ticket", body, NULL, &r2),
                     0);
    assert_int_equal(r2.status, 200);
    rawresp_clear(&r2);
    rawresp_clear(&r);
    /* the cookie authenticates; Authorization: PVEAuthCookie= too */
    assert_int_equal(tu_req(&C, "GET", NULL, &r, "/version"), 200);
    assert_string_equal(json_string_value(json_object_get(tu_data(&r), "release")), "8.4");
    rawresp_clear(&r);
}

static void test_csrf(void **state)
{
    (void)state;
    struct rawresp r;
    const char *only_cookie[] = {C.cookie, NULL};
    assert_int_equal(
        simproc_request(&C.sp, "POST", "/api2/json/pools", "poolid=csrf1", only_cookie, &r), 0);
    assert_int_equal(r.status, 401);
    assert_string_equal(r.body, "");
    rawresp_clear(&r);
    const char *bad[] = {C.cookie, "CSRFPreventionToken: 00000000:AAAA", NULL};
    assert_int_equal(simproc_request(&C.sp, "POST", "/api2/json/pools", "poolid=csrf1", bad, &r),
                     0);
    assert_int_equal(r.status, 401);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "POST", "poolid=csrf1", &r, "/pools"), 200);
    assert_true(json_is_null(tu_data(&r)));
    rawresp_clear(&r);
}

static void test_api_token(void **state)
{
    (void)state;
    struct rawresp r;
    assert_int_equal(tu_req(&C, "POST", "privsep=0", &r, "/access/users/root@pam/token/ci"), 200);
    const char *value = json_string_value(json_object_get(tu_data(&r), "value"));
    assert_non_null(value);
    assert_string_equal(json_string_value(json_object_get(tu_data(&r), "full-tokenid")),
                        "root@pam!ci");
    char hdr[256];
    snprintf(hdr, sizeof hdr, "Authorization: PVEAPIToken=root@pam!ci=%s", value);
    rawresp_clear(&r);
    const char *h[] = {hdr, NULL};
    /* no CSRF needed with a token */
    assert_int_equal(simproc_request(&C.sp, "POST", "/api2/json/pools", "poolid=viatoken", h, &r),
                     0);
    assert_int_equal(r.status, 200);
    rawresp_clear(&r);
    /* tasks started by a token carry user!token */
    assert_int_equal(
        simproc_request(&C.sp, "POST", "/api2/json/nodes/pve1/qemu/100/clone", "newid=4100", h, &r),
        0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(json_string_value(tu_data(&r)), ":root@pam!ci:"));
    rawresp_clear(&r);
    /* allowtoken: 0 endpoints refuse tokens */
    assert_int_equal(simproc_request(&C.sp, "PUT", "/api2/json/access/password",
                                     "userid=root%40pam&password=whatever1", h, &r),
                     0);
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(tu_msg(&r), "not available with API token"));
    rawresp_clear(&r);
    /* wrong secret */
    const char *bad[] = {
        "Authorization: PVEAPIToken=root@pam!ci=00000000-0000-4000-8000-000000000000", NULL};
    assert_int_equal(simproc_request(&C.sp, "GET", "/api2/json/version", NULL, bad, &r), 0);
    assert_int_equal(r.status, 401);
    assert_string_equal(r.body, "");
    rawresp_clear(&r);
}

static void test_not_implemented(void **state)
{
    (void)state;
    struct rawresp r;
    assert_int_equal(tu_req(&C, "GET", NULL, &r, "/nodes/pve1/nothing"), 501);
    assert_string_equal(tu_msg(&r), "Method 'GET /nodes/pve1/nothing' not implemented\n");
    rawresp_clear(&r);
    /* known to PVE 8.4 but not simulated */
    assert_int_equal(tu_req(&C, "GET", NULL, &r, "/cluster/ha/groups"), 501);
    assert_string_equal(tu_msg(&r), "Method 'GET /cluster/ha/groups' not implemented\n");
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "GET", "x=1", &r, "/version"), 501);
    assert_string_equal(r.body, "Unexpected content for method 'GET'"); /* pveproxy's plain text */
    rawresp_clear(&r);
}

static void test_auth_delay(void **state)
{
    (void)state;
    struct simproc sp;
    const char *args[] = {"--auth-delay", "--time-scale", "0.1", NULL};
    assert_int_equal(simproc_start(&sp, args), 0);
    struct rawresp r;
    int64_t t0 = ds_clock_mono_ns();
    assert_int_equal(simproc_request(&sp, "GET", "/api2/json/version", NULL, NULL, &r), 0);
    int64_t dt = ds_clock_mono_ns() - t0;
    assert_int_equal(r.status, 401);
    /* a lower bound only: the sim sleeps at least 3 s * 0.1 before it answers */
    assert_true(dt >= 300 * DS_NS_PER_MS);
    rawresp_clear(&r);
    simproc_stop(&sp);
}

static void test_plain_http(void **state)
{
    (void)state;
    struct simproc sp;
    const char *args[] = {"--http", "--scenario", "single", NULL};
    assert_int_equal(simproc_start(&sp, args), 0);
    assert_true(strncmp(sp.url, "http://127.0.0.1:", 17) == 0);
    assert_string_equal(sp.fingerprint, "");
    char cookie[1024], csrf[256];
    assert_int_equal(
        simproc_login(&sp, "root@pam", ROOT_PW, cookie, sizeof cookie, csrf, sizeof csrf), 0);
    simproc_stop(&sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ready_line), cmocka_unit_test(test_no_ticket_is_401_empty),
        cmocka_unit_test(test_login),      cmocka_unit_test(test_csrf),
        cmocka_unit_test(test_api_token),  cmocka_unit_test(test_not_implemented),
        cmocka_unit_test(test_auth_delay), cmocka_unit_test(test_plain_http),
    };
    return cmocka_run_group_tests(tests, setup, tu_group_teardown);
}
