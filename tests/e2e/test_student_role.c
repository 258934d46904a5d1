/* test_student_role: `student_role: DeployStandStudent` gives each student the managed role on
 * their pool: logged in as the student, the test rolls their VM back to the baseline and powers
 * it on, and is refused (403) when it tries to re-wire the VM's network or take a snapshot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e_fixture.h"
#include "scratch.h"

static struct e2e C;

static int setup(void **st)
{
    (void)st;
    const char *args[] = {"--scenario", "classroom", "--time-scale", "0.01", NULL};
    if (e2e_start(&C, args, NULL, NULL) < 0)
        return -1;
    ds_write_users(&C.env, 2);
    /* the example stand, copied into the test's folder, with the managed role */
    char *text = file_text(C.env.config), *copy = e2e_path(&C, "stand.yml");
    file_put(copy, text);
    file_append(copy, "student_role: DeployStandStudent\n");
    snprintf(C.env.config, sizeof C.env.config, "%s", copy);
    free(text);
    free(copy);
    return e2e_login_root(&C);
}

static int teardown(void **st)
{
    (void)st;
    e2e_stop(&C);
    return 0;
}

static int vm_of(const char *pool, const char *name, char node[64])
{
    return e2e_vm_of(&C, pool, name, node);
}

/* The deploy's password of `user` (malloc'd) from `deploy --output json`. */
static char *deploy_password(const char *user)
{
    json_t *doc = NULL;
    assert_int_equal(e2e_cmd(&C, E2E_JSON | E2E_YES, "deploy", NULL, NULL, &doc, NULL, NULL), 0);
    const char *pw = json_string_value(json_object_get(e2e_student(doc, user), "password"));
    if (!pw)
        fail_msg("deploy --output json has no password for %s", user);
    char *copy = strdup(pw);
    json_decref(doc);
    return copy;
}

static void test_student_rolls_back_but_cannot_rewire(void **st)
{
    (void)st;
    char *pw = deploy_password("student1@pve");
    /* as root: the role exists with rollback and power but no config change, granted on the pool */
    json_t *role = NULL;
    assert_int_equal(e2e_api(&C, "GET", "/access/roles/DeployStandStudent", NULL, &role), 200);
    assert_non_null(json_object_get(role, "VM.Snapshot.Rollback"));
    assert_non_null(json_object_get(role, "VM.PowerMgmt"));
    assert_null(json_object_get(role, "VM.Config.Network"));
    assert_null(json_object_get(role, "VM.Snapshot"));
    json_decref(role);
    char node[64], path[200];
    int web = vm_of("student1", "web", node), other = vm_of("student2", "web", node);
    (void)other;

    /* the student's own session from now on */
    assert_int_equal(
        simproc_login(&C.sp, "student1@pve", pw, C.cookie, sizeof C.cookie, C.csrf, sizeof C.csrf),
        0);
    snprintf(path, sizeof path, "/nodes/%s/qemu/%d/snapshot/start/rollback", node, web);
    e2e_run_task(&C, "POST", node, path, "start=1");
    snprintf(path, sizeof path, "/nodes/%s/qemu/%d/status/current", node, web);
    json_t *cur = NULL;
    assert_int_equal(e2e_api(&C, "GET", path, NULL, &cur), 200);
    assert_string_equal(json_string_value(json_object_get(cur, "status")), "running");
    json_decref(cur);
    snprintf(path, sizeof path, "/nodes/%s/qemu/%d/status/stop", node, web);
    e2e_run_task(&C, "POST", node, path, NULL);

    /* no re-wiring and no new snapshots: 403, and the VM's network is as deployed */
    snprintf(path, sizeof path, "/nodes/%s/qemu/%d/config", node, web);
    assert_int_equal(e2e_api(&C, "PUT", path, "net0=virtio,bridge=vmbr0", NULL), 403);
    snprintf(path, sizeof path, "/nodes/%s/qemu/%d/snapshot", node, web);
    assert_int_equal(e2e_api(&C, "POST", path, "snapname=mine", NULL), 403);
    /* and nothing of another student's */
    int theirs = vm_of("student2", "web", node);
    snprintf(path, sizeof path, "/nodes/%s/qemu/%d/snapshot/start/rollback", node, theirs);
    assert_int_equal(e2e_api(&C, "POST", path, NULL, NULL), 403);
    assert_int_equal(e2e_login_root(&C), 0);
    snprintf(path, sizeof path, "/nodes/%s/qemu/%d/config", node, web);
    json_t *cfg = NULL;
    assert_int_equal(e2e_api(&C, "GET", path, NULL, &cfg), 200);
    e2e_expect_not_in(json_string_value(json_object_get(cfg, "net0")), "bridge=vmbr0",
                      "net0 after the refused change");
    json_decref(cfg);
    free(pw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_student_rolls_back_but_cannot_rewire, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
