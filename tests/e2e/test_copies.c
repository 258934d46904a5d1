/* test_copies: template copies and bridges on the campus scenario (issue 10, points 14 and 15):
 * no copy for a template on shared storage, bridges left on nodes a reset moved students from,
 * the copies in `status`, and `sweep --templates` removing only copies no VM links to. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e_fixture.h"
#include "plan/marks.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int setup_campus(void **st)
{
    const char *args[] = {"--scenario", "campus", "--time-scale", "0.005", NULL};
    return e2e_setup(st, args);
}

/* 100 (node1) and 102 (node3) sit on the shared ceph-pool, 101 (node2) on local-lvm. */
static const char *CAMPUS_STAND = "stand: campus-lab\n"
                                  "machines:\n"
                                  "  - {name: web, template_node: node1, template_vmid: 100,\n"
                                  "     networks: [{bridge: lan}]}\n"
                                  "  - {name: ws, template_node: node2, template_vmid: 101,\n"
                                  "     networks: [{bridge: lan}]}\n"
                                  "  - {device_type: ecorouter, name: gw, template_node: node3,\n"
                                  "     template_vmid: 102, networks: [{bridge: lan}]}\n";

static const char *stand_file(struct e2e *c)
{
    return ds_write_file(&c->env, "campus.yml", CAMPUS_STAND);
}

static int is_copy(json_t *vm, int *orig)
{
    json_t *cfg = json_object_get(vm, "config");
    const char *tags = json_string_value(json_object_get(cfg, "tags"));
    char digest[64];
    json_t *tpl = json_object_get(cfg, "template");
    int is_tpl = json_is_true(tpl) || json_integer_value(tpl) == 1 ||
                 (json_is_string(tpl) && strcmp(json_string_value(tpl), "1") == 0);
    return is_tpl && tags && strstr(tags, MARK_COPY_TAG) &&
           mark_copy_parse(json_string_value(json_object_get(cfg, "description")), orig, digest,
                           sizeof digest);
}

/* Copies of `orig` (0: of any template) on the simulator. */
static int count_copies(struct e2e *c, int orig)
{
    json_t *state = simproc_state(&c->sp);
    int n = 0, of = 0;
    size_t i;
    json_t *vm;
    json_array_foreach(json_object_get(state, "vms"), i, vm) n +=
        is_copy(vm, &of) && (!orig || of == orig);
    json_decref(state);
    return n;
}

static void deploy(struct e2e *c, const char *const *extra)
{
    char *err = NULL;
    int rc = e2e_cmdv(c, E2E_JSON | E2E_YES, "deploy", stand_file(c), NULL, NULL, &err, extra);
    if (rc != 0)
        fail_msg("deploy exit %d:\n%s", rc, err);
    free(err);
}

/* 15c: balanced spreads 5 students over the 5 nodes; only 101 (local-lvm) needs copies (4 nodes
 * besides node2); 100 and 102 are cloned linked across nodes with `target`. */
static void test_shared_storage_needs_no_copy(void **st)
{
    struct e2e *c = *st;
    ds_write_users(&c->env, 5);
    const char *extra[] = {"--strategy", "balanced", NULL};
    deploy(c, extra);
    assert_int_equal(count_copies(c, 100), 0);
    assert_int_equal(count_copies(c, 102), 0);
    assert_int_equal(count_copies(c, 101), 4);
    json_t *state = simproc_state(&c->sp);
    size_t i;
    json_t *vm;
    int linked_remote = 0;
    json_array_foreach(json_object_get(state, "vms"), i, vm)
    {
        json_t *cfg = json_object_get(vm, "config");
        const char *disk = json_string_value(json_object_get(cfg, "scsi0"));
        const char *node = json_string_value(json_object_get(vm, "node"));
        if (disk && strstr(disk, "ceph-pool:base-100-disk-0/") && strcmp(node, "node1") != 0)
            linked_remote++;
    }
    json_decref(state);
    assert_int_equal(linked_remote, 4);
    assert_int_equal(ds_schema_violations(&c->sp), 0);
}

/* Marked bridges of `user` on `node` (in the simulator's network, active or pending). */
static int bridges_of(struct e2e *c, const char *user, const char *node)
{
    json_t *state = simproc_state(&c->sp);
    json_t *n = e2e_node(state, node);
    int k = 0;
    const char *iface;
    json_t *nic;
    json_object_foreach(json_object_get(n, "network"), iface, nic)
    {
        k += mark_is(json_string_value(json_object_get(nic, "comments")), "campus-lab", user);
    }
    json_decref(state);
    return k;
}

/* 14: local puts each student on node1..node3; a reset with remote moves them to node4, and the
 * bridges on the nodes they left go (the reset's deploy removes them). */
static void test_reset_moves_bridges(void **st)
{
    struct e2e *c = *st;
    ds_write_users(&c->env, 2);
    deploy(c, NULL);
    assert_int_equal(bridges_of(c, "student1@pve", "node1"), 1);
    char *err = NULL;
    const char *extra[] = {"--reclone", "--strategy", "remote", "--node", "node4", NULL};
    int rc = e2e_cmdv(c, E2E_JSON | E2E_YES, "reset", stand_file(c), NULL, NULL, &err, extra);
    if (rc != 0)
        fail_msg("reset exit %d:\n%s", rc, err);
    free(err);
    static const char *const left[] = {"node1", "node2", "node3"};
    for (int s = 1; s <= 2; s++) {
        char user[32];
        snprintf(user, sizeof user, "student%d@pve", s);
        for (size_t i = 0; i < 3; i++)
            if (bridges_of(c, user, left[i]))
                fail_msg("%s keeps a bridge on %s after the reset", user, left[i]);
        assert_int_equal(bridges_of(c, user, "node4"), 1);
    }
    char *out = NULL;
    assert_int_equal(e2e_cmd(c, 0, "sweep", stand_file(c), &out, NULL, NULL, NULL), 0);
    e2e_expect_in(out, "No leftovers", "sweep after the reset");
    free(out);
}

/* The VMID of the copy of `orig` on `node`, 0 when none. */
static int copy_on(struct e2e *c, int orig, const char *node)
{
    json_t *state = simproc_state(&c->sp);
    int id = 0, of = 0;
    size_t i;
    json_t *vm;
    json_array_foreach(json_object_get(state, "vms"), i, vm)
    {
        if (is_copy(vm, &of) && of == orig &&
            strcmp(json_string_value(json_object_get(vm, "node")), node) == 0)
            id = (int)json_integer_value(json_object_get(vm, "vmid"));
    }
    json_decref(state);
    return id;
}

/* 15b and 15a: status lists the copies with their linked VMs; sweep --templates keeps copies with
 * linked clones (ours while deployed, and a foreign one after the destroy) and removes the rest. */
static void test_status_and_sweep_templates(void **st)
{
    struct e2e *c = *st;
    ds_write_users(&c->env, 5);
    const char *extra[] = {"--strategy", "balanced", NULL};
    deploy(c, extra);
    json_t *doc = NULL;
    assert_int_equal(e2e_cmd(c, E2E_JSON, "status", stand_file(c), NULL, &doc, NULL, NULL), 0);
    json_t *copies = json_object_get(doc, "template_copies");
    assert_int_equal(json_array_size(copies), 4);
    size_t i;
    json_t *x;
    json_array_foreach(copies, i, x)
    {
        assert_int_equal(json_integer_value(json_object_get(x, "original")), 101);
        assert_true(json_integer_value(json_object_get(x, "linked_vms")) >= 1);
        assert_false(json_is_true(json_object_get(x, "stale")));
    }
    json_decref(doc);
    char *out = NULL;
    assert_int_equal(e2e_cmd(c, 0, "status", stand_file(c), &out, NULL, NULL, NULL), 0);
    e2e_expect_in(out, "Template copies", "status");
    free(out);
    const char *tpl[] = {"--templates", NULL};
    assert_int_equal(e2e_cmdv(c, 0, "sweep", stand_file(c), &out, NULL, NULL, tpl), 0);
    e2e_expect_in(out, "No template copy to remove", "sweep --templates while deployed");
    free(out);
    /* someone else's linked clone of the copy on node3 */
    int keep = copy_on(c, 101, "node3");
    assert_true(keep > 0);
    assert_int_equal(e2e_login_root(c), 0);
    char path[96];
    snprintf(path, sizeof path, "/nodes/node3/qemu/%d/clone", keep);
    e2e_run_task(c, "POST", "node3", path, "{\"newid\": 9000, \"name\": \"foreign\"}");
    char *err = NULL;
    if (e2e_cmd(c, E2E_YES, "destroy", stand_file(c), NULL, NULL, &err, NULL) != 0)
        fail_msg("destroy failed:\n%s", err);
    free(err);
    assert_int_equal(count_copies(c, 101), 4);
    assert_int_equal(e2e_cmdv(c, 0, "sweep", stand_file(c), &out, NULL, NULL, tpl), 0);
    assert_int_equal(e2e_count(out, "remove template copy"), 3);
    e2e_expect_in(out, "used by linked clones", "sweep --templates");
    free(out);
    assert_int_equal(count_copies(c, 101), 4); /* listing removes nothing */
    assert_int_equal(e2e_cmdv(c, E2E_YES, "sweep", stand_file(c), &out, NULL, NULL, tpl), 0);
    e2e_expect_in(out, "Verified", "sweep --templates --yes");
    free(out);
    assert_int_equal(count_copies(c, 101), 1);
    assert_int_equal(copy_on(c, 101, "node3"), keep);
    assert_int_equal(ds_schema_violations(&c->sp), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_shared_storage_needs_no_copy, setup_campus,
                                        e2e_teardown),
        cmocka_unit_test_setup_teardown(test_reset_moves_bridges, setup_campus, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_status_and_sweep_templates, setup_campus,
                                        e2e_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
