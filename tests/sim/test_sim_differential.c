/* test_sim_differential: raw requests to pve-sim from tests/sim/differential.tsv, whose answers
 * were written from the PVE 8.4 notes, schema and sources; every mismatch is listed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim_test_util.h"

#include <fnmatch.h>

#define MIN_CASES 80

struct diff_ctx {
    struct simctx c;
    char teacher_cookie[1024], teacher_csrf[256];
    char token[256];
    int requests, failures;
};

/* Replaces the two characters '\' 'n' by a newline and '\' 't' by a tab, in place. */
static void unescape(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (p[0] == '\\' && (p[1] == 'n' || p[1] == 't')) {
            *o++ = p[1] == 'n' ? '\n' : '\t';
            p++;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
}

/* want exactly, or as a glob when it has a '*' ("UPID:pve1:*:qmstart:*"). */
static int text_matches(const char *want, const char *got)
{
    if (strchr(want, '*'))
        return fnmatch(want, got, FNM_NOESCAPE) == 0;
    return strcmp(want, got) == 0;
}

/* want is a subset of got: objects key by key ("errors" with exactly its keys), arrays element
 * by element, strings by text_matches, other values equal. */
static int json_subset(const json_t *want, const json_t *got, const char *key)
{
    if (json_is_string(want) && json_is_string(got))
        return text_matches(json_string_value(want), json_string_value(got));
    if (json_is_string(want) && strcmp(json_string_value(want), "*") == 0)
        return got != NULL;
    if (json_is_array(want)) {
        size_t i;
        json_t *v;
        json_array_foreach(want, i, v)
        {
            if (!json_subset(v, json_array_get(got, i), NULL))
                return 0;
        }
        return json_is_array(got);
    }
    if (!json_is_object(want))
        return json_equal(want, got);
    if (!json_is_object(got) ||
        (key && strcmp(key, "errors") == 0 && json_object_size(want) != json_object_size(got)))
        return 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)want, k, v)
    {
        if (!json_subset(v, json_object_get(got, k), k))
            return 0;
    }
    return 1;
}

/* The request headers of an auth mode plus the extra ones ("A: x | B: y"). */
static void headers_for(struct diff_ctx *d, const char *auth, char *extra, const char **h)
{
    size_t n = 0;
    static char bad[] = "Cookie: PVEAuthCookie=PVE:root@pam:00000000::bm90IGEgdGlja2V0";
    static char tok[400];
    if (strcmp(auth, "root") == 0 || strcmp(auth, "nocsrf") == 0)
        h[n++] = d->c.cookie;
    if (strcmp(auth, "root") == 0)
        h[n++] = d->c.csrf;
    if (strcmp(auth, "teacher") == 0) {
        h[n++] = d->teacher_cookie;
        h[n++] = d->teacher_csrf;
    }
    if (strcmp(auth, "token") == 0) {
        snprintf(tok, sizeof tok, "Authorization: PVEAPIToken=%s", d->token);
        h[n++] = tok;
    }
    if (strcmp(auth, "bad") == 0)
        h[n++] = bad;
    char *save = NULL;
    for (char *p = strtok_r(extra, "|", &save); p && n < 6; p = strtok_r(NULL, "|", &save)) {
        while (*p == ' ')
            p++;
        size_t l = strlen(p);
        while (l && p[l - 1] == ' ')
            p[--l] = '\0';
        if (*p && strcmp(p, "-") != 0)
            h[n++] = p;
    }
    h[n] = NULL;
}

static void fail_case(struct diff_ctx *d, int line, const char *what, const char *body)
{
    fprintf(stderr, "differential.tsv:%d: %s\n    got: %s\n", line, what, body ? body : "");
    d->failures++;
}

/* pveproxy's status line carries the first line of the message (of an error): the row's message,
 * or its expectation's "@reason" (the auth stage's 401s have an empty body). */
static int reason_matches(const char *msg, const char *expect, const char *got)
{
    json_t *want = expect && *expect == '{' ? json_loads(expect, 0, NULL) : NULL;
    const char *r = json_string_value(json_object_get(want, "@reason"));
    char first[512];
    snprintf(first, sizeof first, "%.*s", (int)strcspn(r ? r : msg, "\n"), r ? r : msg);
    int ok =
        (!r && (strcmp(msg, "-") == 0 || strcmp(msg, "<empty>") == 0)) || text_matches(first, got);
    json_decref(want);
    return ok;
}

/* Checks one answer against the row's status, message (also in the status line) and
 * expectation. */
static void check(struct diff_ctx *d, int line, const struct rawresp *r, long status,
                  const char *msg, const char *expect)
{
    char what[600];
    if (r->status != status) {
        snprintf(what, sizeof what, "status %ld, expected %ld", r->status, status);
        fail_case(d, line, what, r->body);
        return;
    }
    const char *jm = json_string_value(json_object_get(r->json, "message"));
    const char *got = jm ? jm : r->body;
    if (strcmp(msg, "-") != 0 && !text_matches(strcmp(msg, "<empty>") == 0 ? "" : msg, got)) {
        snprintf(what, sizeof what, "message, expected '%s'", msg);
        fail_case(d, line, what, r->body);
        return;
    }
    if (status >= 400 && !reason_matches(msg, expect, r->reason ? r->reason : "")) {
        fail_case(d, line, "status line reason", r->reason);
        return;
    }
    if (expect && *expect && strcmp(expect, "-") != 0) {
        json_error_t e;
        json_t *want = json_loads(expect, 0, &e);
        json_object_del(want, "@reason");
        if (!want) {
            snprintf(what, sizeof what, "bad expectation JSON: %s", e.text);
            fail_case(d, line, what, NULL);
        } else if (json_object_size(want) > 0 && !json_subset(want, r->json, NULL)) {
            snprintf(what, sizeof what, "body does not match %s", expect);
            fail_case(d, line, what, r->body);
        }
        json_decref(want);
    }
}

static void sim_post(struct diff_ctx *d, const char *path)
{
    struct rawresp r;
    assert_int_equal(simproc_request(&d->c.sp, "POST", path, "", NULL, &r), 0);
    rawresp_clear(&r);
}

/* Waits (bounded) until no task runs. */
static void wait_idle(struct diff_ctx *d)
{
    int64_t deadline = tu_now_ms() + 30000;
    for (;;) {
        json_t *st = simproc_state(&d->c.sp);
        int running = 0;
        size_t i;
        json_t *t;
        json_array_foreach(json_object_get(st, "tasks"), i, t)
        {
            running |= strcmp(json_string_value(json_object_get(t, "status")), "running") == 0;
        }
        json_decref(st);
        if (!running)
            return;
        assert_true(tu_now_ms() < deadline);
        tu_sleep_ms(5);
    }
}

/* @hold, @release (the model clock), @idle (no task runs). */
static void directive(struct diff_ctx *d, const char *line)
{
    if (strncmp(line, "@hold", 5) == 0)
        sim_post(d, "/__sim/clock?hold=1");
    else if (strncmp(line, "@release", 8) == 0)
        sim_post(d, "/__sim/clock?hold=0");
    else if (strncmp(line, "@idle", 5) == 0)
        wait_idle(d);
    else
        fail_msg("unknown directive %s", line);
}

/* One row: auth, method, path, body, status, message[, expectation JSON[, headers]]. */
static void run_row(struct diff_ctx *d, int line, char *row)
{
    char *col[8] = {0};
    int n = 0;
    for (char *p = row; p && n < 8; n++) {
        col[n] = p;
        p = strchr(p, '\t');
        if (p)
            *p++ = '\0';
    }
    if (n < 6) {
        fail_case(d, line, "fewer than 6 columns", NULL);
        return;
    }
    for (int i = 0; i < n; i++)
        if (i != 6) /* the expectation is JSON, with its own escapes */
            unescape(col[i]);
    char extra[512] = "";
    snprintf(extra, sizeof extra, "%s", n > 7 ? col[7] : "");
    const char *h[8];
    headers_for(d, col[0], extra, h);
    struct rawresp r;
    const char *body = strcmp(col[3], "-") == 0 ? NULL : col[3];
    assert_int_equal(simproc_request(&d->c.sp, col[1], col[2], body, h, &r), 0);
    d->requests++;
    check(d, line, &r, strtol(col[4], NULL, 10), col[5], n > 6 ? col[6] : NULL);
    rawresp_clear(&r);
}

static void make_token(struct diff_ctx *d)
{
    struct rawresp r;
    assert_int_equal(
        tu_req(&d->c, "POST", "privsep=0", &r, "/access/users/root@pam/token/difftest"), 200);
    snprintf(d->token, sizeof d->token, "root@pam!difftest=%s",
             json_string_value(json_object_get(tu_data(&r), "value")));
    rawresp_clear(&r);
}

static void test_differential(void **state)
{
    (void)state;
    static struct diff_ctx d;
    static const char *const args[] = {"--time-scale", "0.01", NULL};
    assert_int_equal(tu_start(&d.c, args), 0);
    assert_int_equal(simproc_login(&d.c.sp, "teacher@pve", "teacher-password", d.teacher_cookie,
                                   sizeof d.teacher_cookie, d.teacher_csrf, sizeof d.teacher_csrf),
                     0);
    make_token(&d);
    const char *src = getenv("DS_SRC");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/sim/differential.tsv", src ? src : ".");
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char buf[4096];
    for (int line = 1; fgets(buf, sizeof buf, f); line++) {
        buf[strcspn(buf, "\n")] = '\0';
        if (buf[0] == '#' || buf[0] == '\0')
            continue;
        if (buf[0] == '@')
            directive(&d, buf);
        else
            run_row(&d, line, buf);
    }
    fclose(f);
    tu_stop(&d.c);
    fprintf(stderr, "differential: %d requests, %d mismatches\n", d.requests, d.failures);
    assert_true(d.requests >= MIN_CASES);
    assert_int_equal(d.failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_differential)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
