/* test_pve74: deploy-stand against the simulator answering as Proxmox VE 7.4 (pve-sim
 * --pve-version 7.4: the 7.4 schema, /version 7.4, error messages only in the status line): the
 * example stand deploys and is destroyed with no request refused, and a failure's report still
 * names Proxmox's own message, which on 7.4 is nowhere but in the status line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e_fixture.h"
#include "pve/pve_api.h"
#include "pve/pve_client.h"
#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct e2e F; /* stopped by the teardown, also after a failed assertion */

/* The classroom simulator as PVE 7.4 with `extra` flags (NULL-terminated, may be NULL) and a
 * root session. */
static struct e2e *start74(const char *const *extra)
{
    const char *args[16] = {"--scenario", "classroom",     "--time-scale",
                            "0.01",       "--pve-version", "7.4"};
    size_t n = 6;
    for (size_t i = 0; extra && extra[i] && n < 15; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    assert_int_equal(e2e_start(&F, args, NULL, NULL), 0);
    assert_int_equal(e2e_login_root(&F), 0);
    return &F;
}

static int teardown(void **st)
{
    (void)st;
    e2e_stop(&F);
    return 0;
}

/* Fails the test naming every request the simulator refused as 7.4 would: schema violations
 * (400) and endpoints 7.4 does not have (501). */
static void expect_nothing_refused(struct e2e *c)
{
    json_t *stats = simproc_stats(&c->sp);
    assert_non_null(stats);
    json_t *v = json_object_get(stats, "schema_violations");
    if (json_object_size(v) > 0) {
        char *s = json_dumps(v, JSON_INDENT(1));
        fprintf(stderr, "requests PVE 7.4 refuses:\n%s\n", s);
        free(s);
    }
    assert_int_equal(json_integer_value(json_object_get(stats, "schema_violation_count")), 0);
    const char *ep;
    json_t *codes;
    json_object_foreach(json_object_get(stats, "requests"), ep, codes)
    {
        if (json_object_get(codes, "501"))
            fail_msg("PVE 7.4 has no %s (501)", ep);
    }
    json_decref(stats);
}

/* The simulator reports itself as 7.4, and its json error bodies carry no message. */
static void test_answers_as_74(void **st)
{
    (void)st;
    struct e2e *c = start74(NULL);
    json_t *v = NULL;
    assert_int_equal(e2e_api(c, "GET", "/version", NULL, &v), 200);
    assert_string_equal(json_string_value(json_object_get(v, "release")), "7.4");
    assert_string_equal(json_string_value(json_object_get(v, "version")), "7.4-17");
    json_decref(v);
    const char *hdrs[] = {c->cookie, c->csrf, NULL};
    struct rawresp r = {0};
    assert_int_equal(simproc_request(&c->sp, "POST", "/api2/json/access/users",
                                     "userid=teacher%40pve", hdrs, &r),
                     0);
    assert_int_equal(r.status, 500);
    assert_string_equal(r.reason, "create user failed: user 'teacher@pve' already exists");
    assert_string_equal(r.body, "{\"data\":null}");
    rawresp_clear(&r);
}

/* deploy, then destroy the example stand: both succeed, and PVE 7.4 refused nothing. */
static void test_deploy_destroy(void **st)
{
    (void)st;
    struct e2e *c = start74(NULL);
    json_t *doc = NULL;
    char *err = NULL;
    int rc = e2e_cmd(c, E2E_JSON | E2E_YES, "deploy", NULL, NULL, &doc, &err, NULL);
    if (rc != 0)
        fprintf(stderr, "deploy exit %d; stderr:\n%s\n", rc, err ? err : "");
    assert_int_equal(rc, 0);
    assert_non_null(doc);
    json_decref(doc);
    free(err);
    for (int i = 1; i <= 3; i++) {
        char user[32];
        snprintf(user, sizeof user, "student%d@pve", i);
        assert_true(e2e_marked_objects(c, "demo-lab", user) > 0);
    }
    expect_nothing_refused(c);
    assert_int_equal(e2e_cmd(c, E2E_YES, "destroy", NULL, NULL, NULL, NULL, NULL), 0);
    for (int i = 1; i <= 3; i++) {
        char user[32];
        snprintf(user, sizeof user, "student%d@pve", i);
        assert_int_equal(e2e_marked_objects(c, "demo-lab", user), 0);
    }
    expect_nothing_refused(c);
}

/* The client's own error for a 7.4 failure names Proxmox's message from the status line. */
static void test_client_error_names_message(void **st)
{
    (void)st;
    struct e2e *c = start74(NULL);
    struct pve_conn_opts o = {.host = "127.0.0.1",
                              .port = c->sp.port,
                              .user = "root@pam",
                              .password = "sim-root-password",
                              .verify_tls = 1,
                              .fingerprint = c->sp.fingerprint,
                              .timeout_ms = 20000};
    pve_client *pc = pve_client_new(&o);
    assert_non_null(pc);
    assert_int_equal(pve_client_login(pc), 0);
    assert_true(pve_user_create(pc, "teacher@pve", "a-password-1", NULL) < 0);
    e2e_expect_in(ds_err_last(), "create user failed: user 'teacher@pve' already exists",
                  "the client's error");
    assert_true(pve_pool_create(pc, "teachers", NULL) < 0);
    e2e_expect_in(ds_err_last(), "create pool failed: pool 'teachers' already exists",
                  "the client's error");
    pve_client_free(pc);
}

/* A deploy whose user creation fails (the fault: Proxmox's "already exists", only in 7.4's status
 * line; the client reads the user back, finds none, and the first answer stands) reports
 * Proxmox's message for that student; the others are deployed. */
static void test_deploy_failure_names_message(void **st)
{
    (void)st;
    const char *extra[] = {"--fault", "exists:/access/users&student2", NULL};
    struct e2e *c = start74(extra);
    json_t *doc = NULL;
    char *err = NULL;
    int rc = e2e_cmd(c, E2E_JSON | E2E_YES, "deploy", NULL, NULL, &doc, &err, NULL);
    assert_int_not_equal(rc, 0);
    assert_non_null(doc);
    assert_int_equal(e2e_answers(c, "POST", "/access/users", "500"), 1);
    const char *why = json_string_value(json_object_get(e2e_student(doc, "student2@pve"), "error"));
    assert_non_null(why);
    e2e_expect_in(why, "create user failed: user 'student2@pve' already exists",
                  "student2's error");
    e2e_expect_in(err, "already exists", "deploy's events");
    free(err);
    json_decref(doc);
    assert_true(e2e_marked_objects(c, "demo-lab", "student1@pve") > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_answers_as_74, teardown),
        cmocka_unit_test_teardown(test_deploy_destroy, teardown),
        cmocka_unit_test_teardown(test_client_error_names_message, teardown),
        cmocka_unit_test_teardown(test_deploy_failure_names_message, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
