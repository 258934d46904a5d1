/* test_error_classes: each class of Proxmox failure, driven through the executor against the
 * simulator: lock timeouts are retried and converge, a taken VMID ("already exists") is stepped
 * over, a permission error (403) is neither retried nor hidden, and the student is rolled back. */
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

static struct e2e *start(const char *fail_rate, const char *user, const char *password)
{
    const char *args[] = {"--scenario", "classroom",   "--time-scale", "0.005", "--seed",
                          "7",          "--fail-rate", fail_rate,      NULL};
    assert_int_equal(e2e_start(&F, args, user, password), 0);
    ds_write_users(&F.env, 2);
    assert_int_equal(e2e_login_root(&F), 0);
    return &F;
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
        e2e_api(c, "POST", "/access/users", "userid=ops%40pve&password=ops-password-1", NULL),
        200);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_locked_retried, teardown),
        cmocka_unit_test_teardown(test_permission_final, teardown),
        cmocka_unit_test_teardown(test_exists_stepped_over, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
