/* test_capacity: the memory check of every plan against the simulator (classroom: 128 GiB nodes,
 * the teacher's 4 GiB VM on pve1): a class above a node's memory is refused with the per-node
 * table and nothing sent, --overcommit plans it with a note, and stopped VMs count. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e_fixture.h"
#include <stdlib.h>
#include <string.h>

#define GIB (1024LL * 1024 * 1024)

static int setup(void **st)
{
    const char *args[] = {"--scenario", "classroom", "--time-scale", "0.005", NULL};
    return e2e_setup(st, args);
}

/* The entry of `node` in a plan document's "nodes" (borrowed); fails the test when missing. */
static json_t *plan_node(json_t *doc, const char *node)
{
    size_t i;
    json_t *n;
    json_array_foreach(json_object_get(doc, "nodes"), i, n)
    {
        if (strcmp(json_string_value(json_object_get(n, "node")), node) == 0)
            return n;
    }
    fail_msg("the plan has no memory entry for %s", node);
    return NULL;
}

static long long num(json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

/* The example stand takes 8 GiB per student, all on pve1 (local): 16 students and the teacher's
 * VM make 132 of 128 GiB. */
static void test_over_a_node_is_refused(void **st)
{
    struct e2e *c = *st;
    ds_write_users(&c->env, 16);
    char *err = NULL;
    assert_int_equal(e2e_cmd(c, 0, "plan", NULL, NULL, NULL, &err, NULL), 1);
    e2e_expect_in(err, "node pve1 would get more memory configured than it has", "stderr");
    e2e_expect_in(err, "over by", "stderr");                 /* the table's header */
    e2e_expect_in(err, "memory per node in GiB:", "stderr"); /* one unit, said once */
    e2e_expect_in(err, "       4.0", "stderr"); /* pve1's row: the teacher's VM, over by */
    e2e_expect_in(err, "     132.0", "stderr"); /* together */
    e2e_expect_in(err, "--overcommit", "stderr");
    e2e_expect_in(err, "nothing was changed", "stderr");
    free(err);
    /* deploy stops at the same check */
    err = NULL;
    assert_int_equal(e2e_cmd(c, E2E_YES, "deploy", NULL, NULL, NULL, &err, NULL), 1);
    e2e_expect_in(err, "more memory configured", "stderr");
    free(err);
    assert_int_equal(ds_mutating_requests(&c->sp), 0);

    /* --overcommit: the plan, a note with the table, the summary says pve1 is over */
    char *out = NULL;
    assert_int_equal(e2e_cmd(c, 0, "plan", NULL, &out, NULL, NULL, "--overcommit", NULL), 0);
    e2e_expect_in(out, "note: --overcommit: node pve1 gets more memory configured", "plan");
    e2e_expect_in(out,
                  "16 students, 48 VMs; memory 4.0 of 128.0 GiB configured, +128.0 GiB for "
                  "the new VMs: over by 4.0 GiB",
                  "plan");
    free(out);
    json_t *doc = NULL;
    assert_int_equal(e2e_cmd(c, E2E_JSON, "plan", NULL, NULL, &doc, NULL, "--overcommit", NULL), 0);
    json_t *pve1 = plan_node(doc, "pve1");
    assert_int_equal(num(pve1, "configured"), 4 * GIB);
    assert_int_equal(num(pve1, "new"), 128 * GIB);
    assert_int_equal(num(pve1, "memory"), 128 * GIB);
    assert_true(json_is_true(json_object_get(pve1, "over")));
    assert_false(json_is_true(json_object_get(plan_node(doc, "pve2"), "over")));
    json_decref(doc);
    assert_int_equal(ds_mutating_requests(&c->sp), 0);

    /* one student fewer fits (exactly 128 GiB): no problem, no note */
    ds_write_users(&c->env, 15);
    out = NULL;
    assert_int_equal(e2e_cmd(c, 0, "plan", NULL, &out, NULL, NULL, NULL), 0);
    e2e_expect_in(out, "memory 4.0 of 128.0 GiB configured, +120.0 GiB for the new VMs\n", "plan");
    e2e_expect_not_in(out, "over by", "plan");
    free(out);
}

/* VMs that do not run count with their configured memory: after 10 students of the example stand
 * (80 GiB, stopped), another stand of 12 x 4 GiB on pve1 is refused, though little is in use. */
static void test_stopped_vms_count(void **st)
{
    struct e2e *c = *st;
    ds_write_users(&c->env, 10);
    char *err = NULL;
    int rc = e2e_cmd(c, E2E_YES, "deploy", NULL, NULL, NULL, &err, NULL);
    if (rc != 0)
        fail_msg("deploy exit %d:\n%s", rc, err);
    free(err);
    const char *stand = "stand: lab2\nmachines:\n"
                        "  - {name: big, template_node: pve1, template_vmid: 102}\n";
    char cfg[400];
    snprintf(cfg, sizeof cfg, "%s", ds_write_file(&c->env, "lab2.yml", stand));
    char users[1024] = "users:\n";
    size_t l = strlen(users);
    for (int i = 1; i <= 12; i++)
        l += (size_t)snprintf(users + l, sizeof users - l, "  - other%d@pve\n", i);
    ds_write_file(&c->env, "users.yml", users);
    long before = ds_mutating_requests(&c->sp);
    err = NULL;
    assert_int_equal(e2e_cmd(c, 0, "plan", cfg, NULL, NULL, &err, NULL), 1);
    e2e_expect_in(err, "node pve1 would get more memory configured", "stderr");
    e2e_expect_in(err, "      84.0", "stderr"); /* the teacher's VM and the 30 stopped ones */
    free(err);
    assert_int_equal(ds_mutating_requests(&c->sp), before);

    /* 11 of them make exactly 128 GiB */
    users[strlen(users) - strlen("  - other12@pve\n")] = '\0';
    ds_write_file(&c->env, "users.yml", users);
    json_t *doc = NULL;
    assert_int_equal(e2e_cmd(c, E2E_JSON, "plan", cfg, NULL, &doc, NULL, NULL), 0);
    json_t *pve1 = plan_node(doc, "pve1");
    assert_int_equal(num(pve1, "configured"), 84 * GIB);
    assert_int_equal(num(pve1, "new"), 44 * GIB);
    assert_false(json_is_true(json_object_get(pve1, "over")));
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_over_a_node_is_refused, setup, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_stopped_vms_count, setup, e2e_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
