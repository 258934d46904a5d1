/* test_deploy: end to end against the simulator: deploy the example stand for 3 students on the
 * classroom scenario, check the exact end state, re-run, add a student, destroy, foreign objects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e_fixture.h"
#include "plan/marks.h"
#include "plan/nic.h"
#include <stdlib.h>
#include <string.h>

static const char *const SIM_ARGS[] = {"--scenario", "classroom", "--time-scale", "0.01", NULL};

static int setup(void **st)
{
    return e2e_setup(st, SIM_ARGS);
}

static int deploy(struct e2e *c, json_t **result)
{
    int rc = e2e_cmd(c, E2E_JSON | E2E_YES, "deploy", NULL, NULL, result, NULL, NULL);
    if (result && !*result)
        fprintf(stderr, "deploy printed no JSON\n");
    return rc;
}

static int destroy(struct e2e *c, const char *only)
{
    return e2e_cmd(c, E2E_YES, "destroy", NULL, NULL, NULL, NULL, only ? "--user" : NULL, only,
                   NULL);
}

/* ---- reading /__sim/state ----------------------------------------------------------------- */

static int count_marked_vms(json_t *state)
{
    int n = 0;
    size_t i;
    json_t *vm;
    json_array_foreach(json_object_get(state, "vms"), i, vm)
    {
        const char *tags =
            json_string_value(json_object_get(json_object_get(vm, "config"), "tags"));
        n += tags && strstr(tags, "ds-demo-lab") != NULL;
    }
    return n;
}

/* Bridges on a node whose comment is our mark for this student (NULL = any of ours). */
static int count_marked_bridges(json_t *state, const char *node, const char *student)
{
    int n = 0;
    const char *iface;
    json_t *f;
    json_object_foreach(json_object_get(e2e_node(state, node), "network"), iface, f)
    {
        const char *cm = json_string_value(json_object_get(f, "comments"));
        n += mark_is(cm, "demo-lab", student);
    }
    return n;
}

static void assert_no_pending(json_t *state)
{
    size_t i;
    json_t *n;
    json_array_foreach(json_object_get(state, "nodes"), i, n)
    {
        json_t *p = json_object_get(n, "network_pending");
        if (p && !json_is_null(p))
            fail_msg("node %s has pending network changes",
                     json_string_value(json_object_get(n, "node")));
    }
}

static const char *net_of(json_t *vm, const char *key)
{
    return json_string_value(json_object_get(json_object_get(vm, "config"), key));
}

static void assert_foreign_intact(json_t *state)
{
    assert_non_null(json_object_get(json_object_get(state, "users"), "teacher@pve"));
    assert_non_null(json_object_get(json_object_get(state, "pools"), "teachers"));
    assert_non_null(e2e_vm_named(state, "teachers", "teacher-vm"));
    json_t *foreign =
        json_object_get(json_object_get(e2e_node(state, "pve1"), "network"), "vmbr1000");
    assert_non_null(foreign);
    assert_false(
        mark_is(json_string_value(json_object_get(foreign, "comments")), "demo-lab", NULL));
}

static void check_student(json_t *state, int i)
{
    char user[64], pool[64], mark[256];
    snprintf(user, sizeof user, "student%d@pve", i);
    snprintf(pool, sizeof pool, "student%d", i);
    mark_format(mark, sizeof mark, "demo-lab", user, NULL, 0);
    json_t *u = json_object_get(json_object_get(state, "users"), user);
    assert_non_null(u);
    /* the stand's mark, with the credential id this cluster's user got (cred=...) */
    const char *comment = json_string_value(json_object_get(u, "comment"));
    struct mark um;
    assert_true(mark_is(comment, "demo-lab", user) && mark_parse(comment, &um) && um.cred);
    assert_int_equal(strncmp(comment, mark, strlen(mark)), 0);
    json_t *p = json_object_get(json_object_get(state, "pools"), pool);
    assert_non_null(p);
    int acl = 0;
    size_t k;
    json_t *a;
    char path[80];
    snprintf(path, sizeof path, "/pool/%s", pool);
    json_array_foreach(json_object_get(state, "acls"), k, a)
    {
        acl |= strcmp(json_string_value(json_object_get(a, "path")), path) == 0 &&
               strcmp(json_string_value(json_object_get(a, "ugid")), user) == 0 &&
               strcmp(json_string_value(json_object_get(a, "roleid")), "PVEVMAdmin") == 0;
    }
    assert_true(acl);

    json_t *web = e2e_vm_named(state, pool, "web"), *client = e2e_vm_named(state, pool, "client"),
           *router = e2e_vm_named(state, pool, "router");
    assert_non_null(web);
    assert_non_null(client);
    assert_non_null(router);
    json_t *vms[] = {web, client, router};
    for (int v = 0; v < 3; v++) {
        assert_string_equal(json_string_value(json_object_get(vms[v], "node")), "pve1");
        const char *tags = net_of(vms[v], "tags");
        assert_non_null(tags);
        assert_non_null(strstr(tags, "deploy-stand"));
        assert_non_null(strstr(tags, "ds-demo-lab"));
        assert_null(json_object_get(json_object_get(vms[v], "config"), "lock"));
    }
    struct nic_value w0, w1, c0, r0, r2, r3;
    assert_int_equal(nic_parse(net_of(web, "net0"), &w0), 0);
    assert_int_equal(nic_parse(net_of(web, "net1"), &w1), 0);
    assert_int_equal(nic_parse(net_of(client, "net0"), &c0), 0);
    assert_int_equal(nic_parse(net_of(router, "net0"), &r0), 0);
    assert_int_equal(nic_parse(net_of(router, "net2"), &r2), 0);
    assert_int_equal(nic_parse(net_of(router, "net3"), &r3), 0);
    /* linux: virtio + firewall from net0, lan is the student's private bridge */
    assert_string_equal(w0.model, "virtio");
    assert_int_equal(w0.firewall, 1);
    assert_string_equal(w1.bridge, "vmbr100");
    assert_null(net_of(client, "net1")); /* template NICs beyond the stand's are removed */
    assert_string_equal(c0.bridge, w0.bridge);
    assert_int_equal(c0.tag, 10);
    assert_int_equal(w0.tag, 0);
    /* ecorouter: net0 management on vmbr0, link down; data from net2, MACs in range */
    assert_string_equal(r0.model, "vmxnet3");
    assert_string_equal(r0.bridge, "vmbr0");
    assert_int_equal(r0.link_down, 1);
    assert_string_equal(r2.bridge, w0.bridge);
    assert_string_not_equal(r3.bridge, w0.bridge);
    struct nic_value *eco[] = {&r0, &r2, &r3};
    for (int n = 0; n < 3; n++) {
        uint64_t mac;
        assert_int_equal(mac_parse(eco[n]->macaddr, &mac), 0);
        assert_true(mac_in_eco_range(mac));
        assert_string_equal(eco[n]->model, "vmxnet3");
    }
    /* the lan bridge is private, ours and VLAN-aware */
    json_t *lan = json_object_get(json_object_get(e2e_node(state, "pve1"), "network"), w0.bridge);
    assert_non_null(lan);
    char bm[256];
    mark_format(bm, sizeof bm, "demo-lab", user, "lan", 0);
    assert_string_equal(json_string_value(json_object_get(lan, "comments")), bm);
    assert_true(json_integer_value(json_object_get(lan, "bridge_vlan_aware")) == 1 ||
                json_is_true(json_object_get(lan, "bridge_vlan_aware")));
    assert_int_equal(count_marked_bridges(state, "pve1", user), 2);
}

static void test_deploy_end_state_and_rerun(void **st)
{
    struct e2e *c = *st;
    json_t *res = NULL;
    assert_int_equal(deploy(c, &res), 0);
    assert_non_null(res);
    assert_int_equal(json_array_size(json_object_get(res, "students")), 3);
    json_t *s1 = json_array_get(json_object_get(res, "students"), 0);
    assert_string_equal(json_string_value(json_object_get(s1, "password_state")), "new");
    const char *pw = json_string_value(json_object_get(s1, "password"));
    assert_non_null(pw);
    assert_int_equal(strlen(pw), 10);
    assert_int_equal(json_array_size(json_object_get(s1, "vms")), 3);
    /* the password really is the student's: they can log in and see only their pool */
    char cookie[4096], csrf[512];
    assert_int_equal(
        simproc_login(&c->sp, "student1@pve", pw, cookie, sizeof cookie, csrf, sizeof csrf), 0);

    /* every change is in the audit log, without the passwords */
    char apath[512];
    snprintf(apath, sizeof apath, "%s/deploy-stand/audit.jsonl", getenv("XDG_STATE_HOME"));
    FILE *af = fopen(apath, "r");
    assert_non_null(af);
    char line[8192];
    int n_clone = 0, n_user = 0;
    while (fgets(line, sizeof line, af)) {
        assert_null(strstr(line, pw));
        json_t *rec = json_loads(line, 0, NULL);
        assert_non_null(rec);
        const char *action = json_string_value(json_object_get(rec, "action"));
        n_clone += strcmp(action, "clone") == 0;
        n_user += strcmp(action, "create user") == 0;
        assert_string_equal(json_string_value(json_object_get(rec, "result")), "ok");
        assert_string_equal(json_string_value(json_object_get(rec, "connection")), "sim");
        json_decref(rec);
    }
    fclose(af);
    assert_int_equal(n_clone, 9);
    assert_int_equal(n_user, 3);

    json_t *state = simproc_state(&c->sp);
    for (int i = 1; i <= 3; i++)
        check_student(state, i);
    assert_int_equal(count_marked_vms(state), 9);
    /* one private bridge per (student, alias) plus the reserved bridge */
    assert_int_equal(count_marked_bridges(state, "pve1", NULL), 7);
    assert_non_null(
        json_object_get(json_object_get(e2e_node(state, "pve1"), "network"), "vmbr100"));
    assert_no_pending(state);
    assert_foreign_intact(state);
    /* ecorouter MACs are unique */
    json_decref(state);
    assert_int_equal(ds_schema_violations(&c->sp), 0);

    /* a second deploy changes nothing and says so; the passwords are still known */
    long before = ds_mutating_requests(&c->sp);
    json_t *res2 = NULL;
    assert_int_equal(deploy(c, &res2), 0);
    assert_int_equal(ds_mutating_requests(&c->sp), before);
    json_t *s1b = json_array_get(json_object_get(res2, "students"), 0);
    assert_string_equal(json_string_value(json_object_get(s1b, "password_state")), "known");
    assert_string_equal(json_string_value(json_object_get(s1b, "password")), pw);
    json_decref(res2);

    /* one more student: only that student's objects are created */
    ds_write_users(&c->env, 4);
    json_t *res3 = NULL;
    assert_int_equal(deploy(c, &res3), 0);
    state = simproc_state(&c->sp);
    check_student(state, 4);
    assert_int_equal(count_marked_vms(state), 12);
    assert_int_equal(count_marked_bridges(state, "pve1", NULL), 9);
    assert_no_pending(state);
    json_decref(state);
    json_t *stats = simproc_stats(&c->sp);
    json_t *clones =
        json_object_get(json_object_get(stats, "requests"), "POST /nodes/{node}/qemu/{vmid}/clone");
    long nclone = 0;
    const char *code;
    json_t *cnt;
    json_object_foreach(clones, code, cnt) nclone += (long)json_integer_value(cnt);
    assert_int_equal(nclone, 12);
    json_t *users = json_object_get(json_object_get(stats, "requests"), "POST /access/users");
    long nusers = 0;
    json_object_foreach(users, code, cnt) nusers += (long)json_integer_value(cnt);
    assert_int_equal(nusers, 4);
    json_decref(stats);
    assert_int_equal(ds_schema_violations(&c->sp), 0);
    json_decref(res3);
    json_decref(res);
}

static void test_destroy_one_then_all(void **st)
{
    struct e2e *c = *st;
    assert_int_equal(deploy(c, NULL), 0);
    assert_int_equal(destroy(c, "student2@pve"), 0);
    json_t *state = simproc_state(&c->sp);
    assert_null(json_object_get(json_object_get(state, "users"), "student2@pve"));
    assert_null(json_object_get(json_object_get(state, "pools"), "student2"));
    assert_int_equal(count_marked_bridges(state, "pve1", "student2@pve"), 0);
    assert_int_equal(count_marked_vms(state), 6);
    check_student(state, 1);
    check_student(state, 3);
    /* still used by the others */
    assert_non_null(
        json_object_get(json_object_get(e2e_node(state, "pve1"), "network"), "vmbr100"));
    assert_no_pending(state);
    json_decref(state);

    assert_int_equal(destroy(c, NULL), 0);
    state = simproc_state(&c->sp);
    assert_int_equal(count_marked_vms(state), 0);
    assert_int_equal(count_marked_bridges(state, "pve1", NULL), 0);
    assert_null(json_object_get(json_object_get(e2e_node(state, "pve1"), "network"), "vmbr100"));
    for (int i = 1; i <= 3; i++) {
        char user[64], pool[64];
        snprintf(user, sizeof user, "student%d@pve", i);
        snprintf(pool, sizeof pool, "student%d", i);
        assert_null(json_object_get(json_object_get(state, "users"), user));
        assert_null(json_object_get(json_object_get(state, "pools"), pool));
    }
    assert_no_pending(state);
    assert_foreign_intact(state);
    json_decref(state);
    assert_int_equal(ds_schema_violations(&c->sp), 0);
}

/* A user that existed before is used as it is and reported "unchanged"; destroy keeps it. */
static void test_existing_user_password_unchanged(void **st)
{
    struct e2e *c = *st;
    char cookie[4096], csrf[512];
    assert_int_equal(e2e_login_root(c), 0);
    assert_int_equal(
        e2e_api(c, "POST", "/access/users", "userid=student1%40pve&password=teacher-set-pw", NULL),
        200);
    json_t *res = NULL;
    assert_int_equal(deploy(c, &res), 0);
    json_t *s1 = json_array_get(json_object_get(res, "students"), 0);
    assert_string_equal(json_string_value(json_object_get(s1, "password_state")), "unchanged");
    assert_true(json_is_null(json_object_get(s1, "password")));
    json_decref(res);
    /* the teacher's password still works */
    assert_int_equal(simproc_login(&c->sp, "student1@pve", "teacher-set-pw", cookie, sizeof cookie,
                                   csrf, sizeof csrf),
                     0);
    assert_int_equal(destroy(c, NULL), 0);
    json_t *state = simproc_state(&c->sp);
    assert_non_null(json_object_get(json_object_get(state, "users"), "student1@pve"));
    assert_null(json_object_get(json_object_get(state, "pools"), "student1"));
    /* its ACL on the removed pool is gone too */
    size_t k;
    json_t *a;
    json_array_foreach(json_object_get(state, "acls"), k, a)
    {
        assert_string_not_equal(json_string_value(json_object_get(a, "path")), "/pool/student1");
    }
    json_decref(state);
}

static int vm_cores(json_t *state, const char *pool, const char *name)
{
    json_t *vm = e2e_vm_named(state, pool, name);
    const char *c =
        vm ? json_string_value(json_object_get(json_object_get(vm, "config"), "cores")) : NULL;
    json_t *ci = vm ? json_object_get(json_object_get(vm, "config"), "cores") : NULL;
    return c ? atoi(c) : (int)json_integer_value(ci);
}

/* reset: the chosen students get fresh clones; users, passwords and bridges stay */
static void test_reset(void **st)
{
    struct e2e *c = *st;
    json_t *res = NULL;
    assert_int_equal(deploy(c, &res), 0);
    const char *pw2 = json_string_value(
        json_object_get(json_array_get(json_object_get(res, "students"), 1), "password"));
    char pw[64];
    snprintf(pw, sizeof pw, "%s", pw2);
    json_decref(res);
    /* the students change their VMs */
    char cookie[4096], csrf[512];
    assert_int_equal(e2e_login_root(c), 0);
    json_t *state = simproc_state(&c->sp);
    for (int s = 1; s <= 2; s++) {
        char pool[32], path[128];
        snprintf(pool, sizeof pool, "student%d", s);
        json_t *web = e2e_vm_named(state, pool, "web");
        snprintf(path, sizeof path, "/nodes/pve1/qemu/%lld/config",
                 (long long)json_integer_value(json_object_get(web, "vmid")));
        assert_int_equal(e2e_api(c, "PUT", path, "cores=7", NULL), 200);
    }
    json_decref(state);
    char *err = NULL;
    int rc = e2e_cmd(c, E2E_YES, "reset", NULL, NULL, NULL, &err, "--user", "student2@pve", NULL);
    if (rc != 0)
        fail_msg("reset exit %d:\n%s", rc, err);
    free(err);
    state = simproc_state(&c->sp);
    assert_int_equal(vm_cores(state, "student1", "web"), 7);     /* not reset */
    assert_int_not_equal(vm_cores(state, "student2", "web"), 7); /* fresh from the template */
    check_student(state, 2);
    check_student(state, 1);
    assert_int_equal(count_marked_vms(state), 9);
    assert_no_pending(state);
    json_decref(state);
    /* the password stayed */
    assert_int_equal(
        simproc_login(&c->sp, "student2@pve", pw, cookie, sizeof cookie, csrf, sizeof csrf), 0);
    assert_int_equal(ds_schema_violations(&c->sp), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_deploy_end_state_and_rerun, setup, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_destroy_one_then_all, setup, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_existing_user_password_unchanged, setup, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_reset, setup, e2e_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
