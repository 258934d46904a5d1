/* test_error_classes: each class of Proxmox failure, driven through the executor against the
 * simulator's fault injection: lock timeouts, transient proxy errors and refused connections are
 * retried and converge, a taken VMID ("already exists") is stepped over, a 401 is answered by
 * logging in again, permission and parameter errors are neither retried nor hidden and the
 * student is rolled back, and a VM gone before its delete counts as destroyed. The checks count
 * on the simulator's own accounting (/__sim/stats, /__sim/fault), never on timings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ds_clock.h"
#include "e2e_fixture.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct e2e F; /* stopped by the teardown, also after a failed assertion */

/* The classroom simulator with `extra` flags (NULL-terminated, may be NULL), two students and a
 * root session. */
static struct e2e *start_with(const char *const *extra, const char *user, const char *password)
{
    const char *args[24] = {"--scenario", "classroom", "--time-scale", "0.005", "--seed", "7"};
    size_t n = 6;
    for (size_t i = 0; extra && extra[i] && n < 23; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    assert_int_equal(e2e_start(&F, args, user, password), 0);
    ds_write_users(&F.env, 2);
    assert_int_equal(e2e_login_root(&F), 0);
    return &F;
}

static struct e2e *start(const char *fail_rate, const char *user, const char *password)
{
    const char *extra[] = {"--fail-rate", fail_rate, NULL};
    return start_with(extra, user, password);
}

static int teardown(void **st)
{
    (void)st;
    e2e_stop(&F);
    return 0;
}

/* ops@pve: Administrator on /, plus `role` on `path` (a more specific ACL wins). */
static void make_operator(struct e2e *c, const char *path, const char *role)
{
    assert_int_equal(
        e2e_api(c, "POST", "/access/users", "userid=ops%40pve&password=ops-password-1", NULL), 200);
    assert_int_equal(
        e2e_api(c, "PUT", "/access/acl", "path=%2F&roles=Administrator&users=ops%40pve", NULL),
        200);
    char body[256];
    snprintf(body, sizeof body, "path=%s&roles=%s&users=ops%%40pve", path, role);
    assert_int_equal(e2e_api(c, "PUT", "/access/acl", body, NULL), 200);
}

static int deploy(struct e2e *c, json_t **doc)
{
    int rc = e2e_cmd(c, E2E_JSON | E2E_YES, "deploy", NULL, NULL, doc, NULL, NULL);
    assert_non_null(*doc);
    return rc;
}

static long answers(struct e2e *c, const char *suffix, const char *status)
{
    return e2e_answers(c, "POST", suffix, status);
}

/* deploy (or another command) with its progress events (stderr, one JSON line each) in *err. */
static int run_cmd(struct e2e *c, const char *cmd, json_t **doc, char **err)
{
    int rc = e2e_cmd(c, E2E_JSON | E2E_YES, cmd, NULL, NULL, doc, err, NULL);
    assert_non_null(*doc);
    if (rc != 0)
        fprintf(stderr, "%s exit %d; stderr:\n%s\n", cmd, rc, *err);
    return rc;
}

/* The executor's "retry" events whose message holds `needle` (NULL: all of them). */
static int retries(const char *err, const char *needle)
{
    int n = 0;
    for (const char *p = err; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        json_t *ev = json_loadb(p, len, 0, NULL);
        const char *type = json_string_value(json_object_get(ev, "event"));
        const char *msg = json_string_value(json_object_get(ev, "message"));
        n += type && strcmp(type, "retry") == 0 && (!needle || (msg && strstr(msg, needle)));
        json_decref(ev);
        p += len + (nl != NULL);
    }
    return n;
}

/* How many times fault rule `i` (in the order given) fired, from GET /__sim/fault. */
static long fired(struct e2e *c, size_t i)
{
    struct rawresp r;
    assert_int_equal(simproc_request(&c->sp, "GET", "/__sim/fault", NULL, NULL, &r), 0);
    json_t *rule = json_array_get(json_object_get(r.json, "rules"), i);
    assert_non_null(rule);
    long n = (long)json_integer_value(json_object_get(rule, "fired"));
    rawresp_clear(&r);
    return n;
}

/* The answers the simulator counted under an endpoint key ("(auth) ..." ones included). */
static long answers_key(struct e2e *c, const char *key, const char *status)
{
    json_t *st = simproc_stats(&c->sp);
    assert_non_null(st);
    long n = (long)json_integer_value(
        json_object_get(json_object_get(json_object_get(st, "requests"), key), status));
    json_decref(st);
    return n;
}

static void assert_students_ok(json_t *doc)
{
    assert_true(json_is_true(json_object_get(e2e_student(doc, "student1@pve"), "ok")));
    assert_true(json_is_true(json_object_get(e2e_student(doc, "student2@pve"), "ok")));
}

/* PVE_ERR_LOCKED: a third of the changes fail with a lock timeout; every one is retried, so one
 * run converges. */
static void test_locked_retried(void **st)
{
    (void)st;
    struct e2e *c = start("0.3", NULL, NULL);
    json_t *doc = NULL;
    int rc = deploy(c, &doc);
    assert_int_equal(rc, 0);
    assert_true(json_is_true(json_object_get(e2e_student(doc, "student1@pve"), "ok")));
    assert_true(json_is_true(json_object_get(e2e_student(doc, "student2@pve"), "ok")));
    json_decref(doc);
    /* the faults did happen (500 lock timeouts) and were overcome */
    long locked = answers(c, "/clone", "500") + answers(c, "/network", "500") +
                  answers(c, "/access/users", "500") + answers(c, "/pools", "500");
    assert_true(locked > 0);
}

/* PVE_ERR_PERMISSION: ops@pve may see template 100 but not clone it (PVEAuditor on /vms/100).
 * The 403 is final: at most one clone request per student, reported with Proxmox's message, and
 * the student is rolled back. */
static void test_permission_final(void **st)
{
    (void)st;
    struct e2e *c = start("0", "ops@pve", "ops-password-1");
    make_operator(c, "%2Fvms%2F100", "PVEAuditor");
    json_t *doc = NULL;
    int rc = deploy(c, &doc);
    assert_int_equal(rc, 1);
    /* Usually both students fail on their own clone. When student 1 fails before its bridge
     * exists, the shared network apply waits on it and student 2 is failed through it instead
     * (the executor's shared steps): so count the students that report the 403. */
    long reported = 0;
    for (int k = 1; k <= 2; k++) {
        char user[32];
        snprintf(user, sizeof user, "student%d@pve", k);
        json_t *s = e2e_student(doc, user);
        assert_false(json_is_true(json_object_get(s, "ok")));
        const char *err = json_string_value(json_object_get(s, "error"));
        assert_non_null(err);
        reported += strstr(err, "Permission check failed (/vms/100, VM.Clone)") != NULL;
    }
    json_decref(doc);
    assert_true(reported >= 1);
    /* never retried: at most one clone request per student (a retry would send up to six) */
    long denied = answers(c, "/clone", "403");
    assert_true(denied >= reported && denied <= 2);
    json_t *state = simproc_state(&c->sp);
    assert_null(json_object_get(json_object_get(state, "users"), "student1@pve"));
    assert_null(json_object_get(json_object_get(state, "pools"), "student1"));
    json_decref(state);
}

/* Waits (bounded by a deadline) until VM vmid exists without a lock in the simulator. */
static void wait_vm_ready(struct e2e *c, int vmid)
{
    int64_t deadline = ds_clock_mono_ns() + 60 * DS_NS_PER_S;
    for (;;) {
        json_t *state = simproc_state(&c->sp);
        json_t *vm = e2e_vm_id(state, vmid);
        int ready = vm && !json_object_get(json_object_get(vm, "config"), "lock") &&
                    !json_string_value(json_object_get(vm, "lock"));
        json_decref(state);
        if (ready)
            return;
        if (ds_clock_mono_ns() > deadline)
            fail_msg("VM %d did not appear", vmid);
        ds_clock_sleep_ns(10 * DS_NS_PER_MS);
    }
}

/* PVE_ERR_EXISTS: VM 5000, the first id of the stand's block, belongs to someone else and is
 * hidden from ops@pve (NoAccess on /vms/5000), so the plan picks it; the executor hears "VM 5000
 * already exists" and steps over to a free id, as before. The foreign VM is left alone. */
static void test_exists_stepped_over(void **st)
{
    (void)st;
    struct e2e *c = start("0", "ops@pve", "ops-password-1");
    json_t *upid = NULL;
    assert_int_equal(
        e2e_api(c, "POST", "/nodes/pve1/qemu/200/clone", "newid=5000&name=foreign&full=1", &upid),
        200);
    json_decref(upid);
    wait_vm_ready(c, 5000);
    make_operator(c, "%2Fvms%2F5000", "NoAccess");
    json_t *doc = NULL;
    int rc = deploy(c, &doc);
    assert_int_equal(rc, 0);
    json_decref(doc);
    json_t *state = simproc_state(&c->sp);
    json_t *vm = e2e_vm_id(state, 5000);
    assert_non_null(vm);
    assert_string_equal(json_string_value(json_object_get(json_object_get(vm, "config"), "name")),
                        "foreign");
    int webs = 0;
    size_t i;
    json_array_foreach(json_object_get(state, "vms"), i, vm)
    {
        const char *name =
            json_string_value(json_object_get(json_object_get(vm, "config"), "name"));
        webs += name && strcmp(name, "web") == 0;
    }
    assert_int_equal(webs, 2);
    json_decref(state);
    assert_true(answers(c, "/clone", "200") >= 6);
    /* "VM 5000 already exists" (400) was heard, and no clone to 5000 was tried */
    assert_true(e2e_answers(c, "GET", "/cluster/nextid", "400") >= 1);
    assert_int_equal(answers(c, "/clone", "500"), 0);
}

/* PVE_ERR_TRANSIENT: the first two clones meet pveproxy's 596 (its forward timed out); each is
 * retried once and the deploy converges. */
static void test_transient_retried(void **st)
{
    (void)st;
    const char *extra[] = {"--fault", "transient:/clone:2", NULL};
    struct e2e *c = start_with(extra, NULL, NULL);
    json_t *doc = NULL;
    char *err = NULL;
    assert_int_equal(run_cmd(c, "deploy", &doc, &err), 0);
    assert_students_ok(doc);
    json_decref(doc);
    assert_int_equal(fired(c, 0), 2);
    assert_int_equal(answers(c, "/clone", "596"), 2);
    assert_int_equal(retries(err, "596 Connection timed out"), 2);
    free(err);
}

/* PVE_ERR_UNREACHABLE: student 1's first clone gets no answer and the simulator refuses
 * connections for 3 s, as while pveproxy restarts: the executor retries through the refused
 * connections and the deploy converges. The first retry comes 0.2-0.3 s after the failure and the
 * retries span more than 6 s (exec/retry.c), so the window is met and outlasted with a wide margin
 * even on a loaded machine. */
static void test_unreachable_retried(void **st)
{
    (void)st;
    const char *extra[] = {"--fault", "unreachable:/clone&student1@pve:1", "--down-ms", "3000",
                           NULL};
    struct e2e *c = start_with(extra, NULL, NULL);
    json_t *doc = NULL;
    char *err = NULL;
    assert_int_equal(run_cmd(c, "deploy", &doc, &err), 0);
    assert_students_ok(doc);
    json_decref(doc);
    assert_int_equal(fired(c, 0), 1);
    assert_int_equal(answers(c, "/clone", "0"), 1); /* the dropped request: no answer */
    /* the clone was tried again while the port was closed (strerror in the C locale) */
    assert_true(retries(err, "Connection refused") >= 1);
    free(err);
}

/* PVE_ERR_AUTH: a 401 in the middle of the run (the ticket is no longer accepted) is answered by
 * the client with a new login and the request sent again: the executor never sees a failure. */
static void test_auth_relogin(void **st)
{
    (void)st;
    const char *extra[] = {"--fault", "auth:/clone&student1@pve:1", NULL};
    struct e2e *c = start_with(extra, NULL, NULL);
    long logins = answers(c, "/access/ticket", "200");
    json_t *doc = NULL;
    char *err = NULL;
    assert_int_equal(run_cmd(c, "deploy", &doc, &err), 0);
    assert_students_ok(doc);
    json_decref(doc);
    assert_int_equal(fired(c, 0), 1);
    assert_int_equal(answers_key(c, "(auth) Authentication failed!", "401"), 1);
    /* the run's own login, and the one after the 401 */
    assert_int_equal(answers(c, "/access/ticket", "200") - logins, 2);
    assert_int_equal(retries(err, NULL), 0);
    free(err);
}

/* PVE_ERR_INPUT: every try of student 1's clone of "web" is refused with a 400 naming a
 * parameter. It is final: the rule, which would answer every try, fired once; the error names the
 * parameter and the student is rolled back. */
static void test_input_final(void **st)
{
    (void)st;
    const char *extra[] = {"--fault", "input:/clone&student1@pve&web", NULL};
    struct e2e *c = start_with(extra, NULL, NULL);
    json_t *doc = NULL;
    char *err = NULL;
    assert_int_equal(run_cmd(c, "deploy", &doc, &err), 1);
    json_t *s1 = e2e_student(doc, "student1@pve");
    assert_false(json_is_true(json_object_get(s1, "ok")));
    const char *msg = json_string_value(json_object_get(s1, "error"));
    assert_non_null(msg);
    assert_non_null(strstr(msg, "400 Parameter verification failed."));
    assert_non_null(strstr(msg, "description"));
    json_decref(doc);
    assert_int_equal(fired(c, 0), 1);
    assert_int_equal(answers(c, "/clone", "400"), 1);
    assert_int_equal(retries(err, "Parameter verification failed"), 0);
    free(err);
    json_t *state = simproc_state(&c->sp);
    assert_null(json_object_get(json_object_get(state, "users"), "student1@pve"));
    assert_null(json_object_get(json_object_get(state, "pools"), "student1"));
    json_decref(state);
    assert_int_equal(e2e_marked_objects(c, "demo-lab", "student1@pve"), 0);
}

/* PVE_ERR_NOT_FOUND in a teardown: a VM of student 1 vanishes right before its DELETE (another
 * client destroyed it between plan and run); the "does not exist" answer means done, so destroy
 * succeeds and removes the rest. */
static void test_notfound_destroy_done(void **st)
{
    (void)st;
    struct e2e *c = start_with(NULL, NULL, NULL);
    json_t *doc = NULL;
    char *err = NULL;
    assert_int_equal(run_cmd(c, "deploy", &doc, &err), 0);
    json_decref(doc);
    free(err);
    json_t *state = simproc_state(&c->sp);
    json_t *vm = e2e_vm_named(state, "student1", "web");
    assert_non_null(vm);
    char rule[256];
    snprintf(rule, sizeof rule, "/__sim/fault?kind=vanish&match=DELETE%%20/nodes/%s/qemu/%lld",
             json_string_value(json_object_get(vm, "node")),
             (long long)json_integer_value(json_object_get(vm, "vmid")));
    json_decref(state);
    struct rawresp r;
    assert_int_equal(simproc_request(&c->sp, "POST", rule, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    rawresp_clear(&r);
    assert_int_equal(run_cmd(c, "destroy", &doc, &err), 0);
    assert_true(json_is_true(json_object_get(doc, "ok")));
    assert_int_equal(json_integer_value(json_object_get(doc, "left")), 0);
    json_decref(doc);
    assert_int_equal(fired(c, 0), 1);
    assert_int_equal(e2e_answers(c, "DELETE", "/qemu/{vmid}", "500"), 1);
    assert_int_equal(retries(err, "does not exist"), 0);
    free(err);
    assert_int_equal(e2e_marked_objects(c, "demo-lab", "student1@pve"), 0);
    assert_int_equal(e2e_marked_objects(c, "demo-lab", "student2@pve"), 0);
    state = simproc_state(&c->sp);
    assert_null(json_object_get(json_object_get(state, "pools"), "student1"));
    json_decref(state);
}

int main(void)
{
    /* the progress messages this test reads hold strerror() texts: keep them in English */
    setenv("LC_ALL", "C", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_locked_retried, teardown),
        cmocka_unit_test_teardown(test_permission_final, teardown),
        cmocka_unit_test_teardown(test_exists_stepped_over, teardown),
        cmocka_unit_test_teardown(test_transient_retried, teardown),
        cmocka_unit_test_teardown(test_unreachable_retried, teardown),
        cmocka_unit_test_teardown(test_auth_relogin, teardown),
        cmocka_unit_test_teardown(test_input_final, teardown),
        cmocka_unit_test_teardown(test_notfound_destroy_done, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
