/* test_strategies: placement strategies end to end against the simulator: balanced counts and
 * exactly one template copy per (template, node), remote, smart within capacity (and its refusal
 * with a capacity table), local on campus, and the per-node concurrency limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e_fixture.h"
#include "plan/marks.h"
#include <stdlib.h>
#include <string.h>

static int start(void **st, const char *scenario)
{
    const char *args[] = {"--scenario", scenario, "--time-scale", "0.005", NULL};
    return e2e_setup(st, args);
}

static int setup_classroom(void **st)
{
    return start(st, "classroom");
}

static int setup_campus(void **st)
{
    return start(st, "campus");
}

static int setup_single(void **st)
{
    return start(st, "single");
}

/* Runs deploy (or plan) with extra options; returns the exit code and the JSON document. */
static int run_cmd(struct e2e *c, const char *cmd, const char *config, const char *const *extra,
                   json_t **doc, char **err_out)
{
    return e2e_cmdv(c, E2E_JSON | E2E_YES, cmd, config, NULL, doc, err_out, extra);
}

static int count_copies(json_t *state, int orig, const char *node)
{
    int n = 0;
    size_t i;
    json_t *vm;
    json_array_foreach(json_object_get(state, "vms"), i, vm)
    {
        json_t *cfg = json_object_get(vm, "config");
        const char *tags = json_string_value(json_object_get(cfg, "tags"));
        int of = 0;
        char digest[64];
        if (tags && strstr(tags, MARK_COPY_TAG) &&
            mark_copy_parse(json_string_value(json_object_get(cfg, "description")), &of, digest,
                            sizeof digest) &&
            of == orig &&
            (!node || strcmp(json_string_value(json_object_get(vm, "node")), node) == 0))
            n++;
    }
    return n;
}

static long clone_requests(const struct simproc *sp)
{
    json_t *st = simproc_stats(sp);
    long n = 0;
    const char *code;
    json_t *cnt;
    json_object_foreach(
        json_object_get(json_object_get(st, "requests"), "POST /nodes/{node}/qemu/{vmid}/clone"),
        code, cnt) n += (long)json_integer_value(cnt);
    json_decref(st);
    return n;
}

static void test_balanced_31_students(void **st)
{
    struct e2e *c = *st;
    ds_write_users(&c->env, 31);
    const char *extra[] = {"--strategy", "balanced", NULL};
    json_t *doc = NULL;
    char *err = NULL;
    int rc = run_cmd(c, "deploy", c->env.config, extra, &doc, &err);
    if (rc != 0)
        fail_msg("deploy exit %d:\n%s", rc, err);
    free(err);
    int per_node[3] = {0};
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(doc, "students"), i, s)
    {
        const char *node = json_string_value(json_object_get(s, "node"));
        assert_non_null(node);
        per_node[node[3] - '1']++;
        size_t k;
        json_t *vm;
        json_array_foreach(json_object_get(s, "vms"), k, vm) /* one node per student */
            assert_string_equal(json_string_value(json_object_get(vm, "node")), node);
    }
    json_decref(doc);
    assert_int_equal(per_node[0], 11);
    assert_int_equal(per_node[1], 10);
    assert_int_equal(per_node[2], 10);

    json_t *state = simproc_state(&c->sp);
    for (int t = 100; t <= 102; t++) {
        assert_int_equal(count_copies(state, t, "pve1"), 0); /* the originals live there */
        assert_int_equal(count_copies(state, t, "pve2"), 1);
        assert_int_equal(count_copies(state, t, "pve3"), 1);
    }
    json_decref(state);
    assert_int_equal(ds_schema_violations(&c->sp), 0);

    /* a second run prepares no copy and clones nothing */
    long clones = clone_requests(&c->sp);
    assert_int_equal(run_cmd(c, "deploy", c->env.config, extra, NULL, NULL), 0);
    assert_int_equal(clone_requests(&c->sp), clones);

    /* the plan for the same class on remote pve3 reuses the copies there */
    const char *remote[] = {"--strategy", "remote", "--node", "pve3", NULL};
    assert_int_equal(run_cmd(c, "plan", c->env.config, remote, &doc, NULL), 0);
    size_t k;
    json_t *a;
    json_array_foreach(json_object_get(doc, "actions"), k, a)
    {
        assert_string_not_equal(json_string_value(json_object_get(a, "kind")), "copy template");
    }
    json_decref(doc);
}

static void test_remote_node(void **st)
{
    struct e2e *c = *st;
    const char *extra[] = {"--strategy", "remote", "--node", "pve2", NULL};
    json_t *doc = NULL;
    char *err = NULL;
    int rc = run_cmd(c, "deploy", c->env.config, extra, &doc, &err);
    if (rc != 0)
        fail_msg("deploy exit %d:\n%s", rc, err);
    free(err);
    size_t i, k;
    json_t *s, *vm;
    json_array_foreach(json_object_get(doc, "students"), i, s)
    {
        json_array_foreach(json_object_get(s, "vms"), k, vm)
            assert_string_equal(json_string_value(json_object_get(vm, "node")), "pve2");
    }
    json_decref(doc);
    json_t *state = simproc_state(&c->sp);
    for (int t = 100; t <= 102; t++) {
        assert_int_equal(count_copies(state, t, "pve2"), 1);
        assert_int_equal(count_copies(state, t, NULL), 1);
    }
    json_decref(state);
    assert_int_equal(ds_schema_violations(&c->sp), 0);

    /* remote without --node is a usage error */
    const char *bad[] = {"--strategy", "remote", NULL};
    char *e2 = NULL;
    assert_int_equal(run_cmd(c, "plan", c->env.config, bad, NULL, &e2), 2);
    assert_non_null(strstr(e2, "--node"));
    free(e2);
}

static const char *CAMPUS_STAND = "stand: campus-lab\n"
                                  "machines:\n"
                                  "  - {name: web, template_node: node1, template_vmid: 100,\n"
                                  "     networks: [{bridge: lan}]}\n"
                                  "  - {name: ws, template_node: node2, template_vmid: 101,\n"
                                  "     networks: [{bridge: lan}]}\n"
                                  "  - {device_type: ecorouter, name: gw, template_node: node3,\n"
                                  "     template_vmid: 102, networks: [{bridge: lan}]}\n";

static void test_local_on_campus(void **st)
{
    struct e2e *c = *st;
    char cfg[400];
    snprintf(cfg, sizeof cfg, "%s", ds_write_file(&c->env, "campus.yml", CAMPUS_STAND));
    json_t *doc = NULL;
    char *err = NULL;
    int rc = run_cmd(c, "deploy", cfg, NULL, &doc, &err);
    if (rc != 0)
        fail_msg("deploy exit %d:\n%s", rc, err);
    free(err);
    static const char *const want[] = {"node1", "node2", "node3"};
    size_t i, k;
    json_t *s, *vm;
    json_array_foreach(json_object_get(doc, "students"), i, s)
    {
        json_array_foreach(json_object_get(s, "vms"), k, vm)
            assert_string_equal(json_string_value(json_object_get(vm, "node")), want[k]);
    }
    json_decref(doc);
    assert_int_equal(ds_schema_violations(&c->sp), 0);
}

static void test_smart_on_campus(void **st)
{
    struct e2e *c = *st;
    char cfg[400];
    snprintf(cfg, sizeof cfg, "%s", ds_write_file(&c->env, "campus.yml", CAMPUS_STAND));
    ds_write_users(&c->env, 20);
    const char *extra[] = {"--strategy", "smart", NULL};
    json_t *doc = NULL;
    char *err = NULL;
    int rc = run_cmd(c, "deploy", cfg, extra, &doc, &err);
    if (rc != 0)
        fail_msg("deploy exit %d:\n%s", rc, err);
    free(err);
    json_decref(doc);
    /* no node goes over its memory minus the 10% reserve */
    json_t *state = simproc_state(&c->sp);
    size_t i, k;
    json_t *n, *vm;
    int used_nodes = 0;
    json_array_foreach(json_object_get(state, "nodes"), i, n)
    {
        const char *name = json_string_value(json_object_get(n, "node"));
        double cap = (double)json_integer_value(json_object_get(n, "maxmem")) * 0.9;
        double mem = (double)json_integer_value(json_object_get(n, "mem"));
        int ours = 0;
        json_array_foreach(json_object_get(state, "vms"), k, vm)
        {
            json_t *cfgj = json_object_get(vm, "config");
            const char *tags = json_string_value(json_object_get(cfgj, "tags"));
            if (!tags || !strstr(tags, "ds-campus-lab") ||
                strcmp(json_string_value(json_object_get(vm, "node")), name) != 0)
                continue;
            mem += atof(json_string_value(json_object_get(cfgj, "memory")) ?: "0") * 1048576.0;
            ours++;
        }
        used_nodes += ours > 0;
        if (mem > cap)
            fail_msg("node %s: %.1f GiB placed over its %.1f GiB", name, mem / 1073741824.0,
                     cap / 1073741824.0);
    }
    assert_true(used_nodes >= 2); /* the class is spread, not piled on one node */
    json_decref(state);
    assert_int_equal(ds_schema_violations(&c->sp), 0);
}

static void test_smart_refuses_when_full(void **st)
{
    struct e2e *c = *st;
    const char *stand = "stand: big\nmachines:\n"
                        "  - {name: vm, template_node: pve, template_vmid: 100}\n";
    char cfg[400];
    snprintf(cfg, sizeof cfg, "%s", ds_write_file(&c->env, "big.yml", stand));
    ds_write_users(&c->env, 30); /* 30 x 2 GiB on a 64 GiB node with 6 GiB used */
    const char *extra[] = {"--strategy", "smart", NULL};
    char *err = NULL;
    assert_int_equal(run_cmd(c, "deploy", cfg, extra, NULL, &err), 1);
    assert_non_null(strstr(err, "does not fit"));
    assert_non_null(strstr(err, "short by"));
    assert_non_null(strstr(err, "nothing was changed"));
    free(err);
    assert_int_equal(ds_mutating_requests(&c->sp), 0);
}

static void test_parallel_limit_holds(void **st)
{
    struct e2e *c = *st;
    ds_write_users(&c->env, 12);
    const char *extra[] = {"--parallel-per-node", "2", NULL};
    char *err = NULL;
    int rc = run_cmd(c, "deploy", c->env.config, extra, NULL, &err);
    if (rc != 0)
        fail_msg("deploy exit %d:\n%s", rc, err);
    free(err);
    json_t *stats = simproc_stats(&c->sp);
    const char *node;
    json_t *ns;
    json_object_foreach(json_object_get(stats, "nodes"), node, ns)
    {
        long max = (long)json_integer_value(json_object_get(ns, "max_running"));
        if (max > 2)
            fail_msg("node %s ran %ld tasks at once with --parallel-per-node 2", node, max);
    }
    json_decref(stats);
}

/* Every strategy on both scenarios: deploys cleanly, keeps each student on one node (but local,
 * which follows the templates), and destroy leaves nothing of the class. */
static void test_strategy_matrix(void **st)
{
    (void)st;
    static const char *const scenarios[] = {"classroom", "campus"};
    static const char *const strategies[] = {"local", "remote", "balanced", "smart"};
    for (int sc = 0; sc < 2; sc++) {
        for (int k = 0; k < 4; k++) {
            struct e2e *c = NULL;
            assert_int_equal(start((void **)&c, scenarios[sc]), 0);
            char cfg[400];
            snprintf(cfg, sizeof cfg, "%s",
                     sc == 0 ? c->env.config : ds_write_file(&c->env, "campus.yml", CAMPUS_STAND));
            ds_write_users(&c->env, 4);
            const char *target = sc == 0 ? "pve3" : "node5";
            const char *extra[] = {"--strategy", strategies[k], k == 1 ? "--node" : NULL, target,
                                   NULL};
            json_t *doc = NULL;
            char *err = NULL;
            int rc = run_cmd(c, "deploy", cfg, extra, &doc, &err);
            if (rc != 0)
                fail_msg("%s/%s: deploy exit %d:\n%s", scenarios[sc], strategies[k], rc, err);
            free(err);
            size_t i, m;
            json_t *s, *vm;
            json_array_foreach(json_object_get(doc, "students"), i, s)
            {
                const char *node0 = NULL;
                json_array_foreach(json_object_get(s, "vms"), m, vm)
                {
                    const char *node = json_string_value(json_object_get(vm, "node"));
                    if (!node0)
                        node0 = node;
                    if (k > 0 && strcmp(node, node0) != 0)
                        fail_msg("%s/%s: a student spans nodes", scenarios[sc], strategies[k]);
                    if (k == 1 && strcmp(node, target) != 0)
                        fail_msg("%s/remote: VM on %s, not %s", scenarios[sc], node, target);
                }
            }
            json_decref(doc);
            assert_int_equal(ds_schema_violations(&c->sp), 0);
            err = NULL;
            rc = e2e_cmd(c, E2E_YES, "destroy", cfg, NULL, NULL, &err, NULL);
            if (rc != 0)
                fail_msg("%s/%s: destroy exit %d:\n%s", scenarios[sc], strategies[k], rc, err);
            free(err);
            json_t *state = simproc_state(&c->sp);
            json_array_foreach(json_object_get(state, "vms"), i, vm)
            {
                const char *tags =
                    json_string_value(json_object_get(json_object_get(vm, "config"), "tags"));
                if (tags && strstr(tags, "ds-") && !strstr(tags, MARK_COPY_TAG))
                    fail_msg("%s/%s: VM %lld left after destroy", scenarios[sc], strategies[k],
                             (long long)json_integer_value(json_object_get(vm, "vmid")));
            }
            json_decref(state);
            void *cv = c;
            e2e_teardown(&cv);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_balanced_31_students, setup_classroom, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_remote_node, setup_classroom, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_local_on_campus, setup_campus, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_smart_on_campus, setup_campus, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_smart_refuses_when_full, setup_single, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_parallel_limit_holds, setup_classroom, e2e_teardown),
        cmocka_unit_test(test_strategy_matrix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
