/* test_faults: a 30-student deploy against a simulator that injects lock timeouts (5% of the
 * mutating requests) and failing tasks (2%): every student ends complete or rolled back and
 * reported, re-runs complete the rest, destroy leaves nothing, and nothing is ever duplicated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e_fixture.h"
#include "plan/marks.h"
#include <stdlib.h>
#include <string.h>

static int setup(void **st)
{
    const char *args[] = {"--scenario", "classroom", "--time-scale", "0.005", "--fail-rate", "0.05",
                          "--seed",     "11",        NULL,           NULL,    NULL};
    args[8] = "--task-fail-rate";
    args[9] = "0.02";
    if (e2e_setup(st, args) < 0)
        return -1;
    ds_write_users(&((struct e2e *)*st)->env, 30);
    return 0;
}

/* The whole class goes on pve1 (local), more memory than the node has: --overcommit, as this
 * test is about faults, not capacity. */
static int run(struct e2e *c, const char *cmd, json_t **doc)
{
    const char *over = strcmp(cmd, "deploy") == 0 ? "--overcommit" : NULL;
    return e2e_cmd(c, E2E_JSON | E2E_YES, cmd, NULL, NULL, doc, NULL, over, NULL);
}

/* Per student: how many of our VMs named `name` and bridges for `alias` exist. */
static void count_student(json_t *state, const char *user, const char *pool, int *vms, int *dup_vm,
                          int *bridges, int *dup_bridge)
{
    *vms = *dup_vm = *bridges = *dup_bridge = 0;
    static const char *const names[] = {"web", "client", "router"};
    for (int k = 0; k < 3; k++) {
        int n = 0;
        size_t i;
        json_t *vm;
        json_array_foreach(json_object_get(state, "vms"), i, vm)
        {
            json_t *cfg = json_object_get(vm, "config");
            const char *tags = json_string_value(json_object_get(cfg, "tags"));
            const char *p = json_string_value(json_object_get(vm, "pool"));
            const char *nm = json_string_value(json_object_get(cfg, "name"));
            const char *desc = json_string_value(json_object_get(cfg, "description"));
            int ours = (tags && strstr(tags, "ds-demo-lab") && p && strcmp(p, pool) == 0) ||
                       mark_is(desc, "demo-lab", user);
            if (ours && nm && strcmp(nm, names[k]) == 0)
                n++;
        }
        *vms += n;
        *dup_vm += n > 1;
    }
    static const char *const aliases[] = {"lan", "wan"};
    for (int k = 0; k < 2; k++) {
        int n = 0;
        size_t i;
        json_t *node;
        json_array_foreach(json_object_get(state, "nodes"), i, node)
        {
            const char *iface;
            json_t *f;
            json_object_foreach(json_object_get(node, "network"), iface, f)
            {
                struct mark m;
                if (mark_parse(json_string_value(json_object_get(f, "comments")), &m) &&
                    strcmp(m.stand, "demo-lab") == 0 && m.student && strcmp(m.student, user) == 0 &&
                    m.alias && strcmp(m.alias, aliases[k]) == 0)
                    n++;
            }
        }
        *bridges += n;
        *dup_bridge += n > 1;
    }
}

static void check_no_duplicates(json_t *state)
{
    for (int i = 1; i <= 30; i++) {
        char user[64], pool[64];
        snprintf(user, sizeof user, "student%d@pve", i);
        snprintf(pool, sizeof pool, "student%d", i);
        int vms, dv, br, db;
        count_student(state, user, pool, &vms, &dv, &br, &db);
        if (dv || db)
            fail_msg("%s has duplicates (%d VM names, %d aliases)", user, dv, db);
    }
}

static void test_faulty_cluster(void **st)
{
    struct e2e *c = *st;
    json_t *doc = NULL;
    int rc = run(c, "deploy", &doc);
    assert_true(rc == 0 || rc == 1);
    assert_non_null(doc);
    json_t *state = simproc_state(&c->sp);
    size_t i;
    json_t *s;
    int failed = 0;
    json_array_foreach(json_object_get(doc, "students"), i, s)
    {
        const char *user = json_string_value(json_object_get(s, "user"));
        const char *pool = json_string_value(json_object_get(s, "pool"));
        int vms, dv, br, db;
        count_student(state, user, pool, &vms, &dv, &br, &db);
        if (json_is_true(json_object_get(s, "ok"))) {
            assert_int_equal(vms, 3);
            assert_int_equal(br, 2);
        } else {
            failed++;
            /* reported with Proxmox's message, and rolled back */
            assert_non_null(json_string_value(json_object_get(s, "error")));
            assert_int_equal(vms, 0);
            assert_int_equal(br, 0);
            assert_null(json_object_get(json_object_get(state, "users"), user));
            assert_null(json_object_get(json_object_get(state, "pools"), pool));
        }
    }
    assert_int_equal(rc, failed ? 1 : 0);
    check_no_duplicates(state);
    json_decref(state);
    json_decref(doc);

    /* re-running completes the rest (the faults go on, so allow a few rounds) */
    for (int round = 0; round < 5 && rc != 0; round++)
        rc = run(c, "deploy", NULL);
    assert_int_equal(rc, 0);
    state = simproc_state(&c->sp);
    for (int k = 1; k <= 30; k++) {
        char user[64], pool[64];
        snprintf(user, sizeof user, "student%d@pve", k);
        snprintf(pool, sizeof pool, "student%d", k);
        int vms, dv, br, db;
        count_student(state, user, pool, &vms, &dv, &br, &db);
        assert_int_equal(vms, 3);
        assert_int_equal(br, 2);
    }
    check_no_duplicates(state);
    json_decref(state);

    /* destroy leaves nothing of the class */
    for (int round = 0; round < 5; round++)
        if ((rc = run(c, "destroy", NULL)) == 0)
            break;
    assert_int_equal(rc, 0);
    state = simproc_state(&c->sp);
    for (int k = 1; k <= 30; k++) {
        char user[64], pool[64];
        snprintf(user, sizeof user, "student%d@pve", k);
        snprintf(pool, sizeof pool, "student%d", k);
        int vms, dv, br, db;
        count_student(state, user, pool, &vms, &dv, &br, &db);
        assert_int_equal(vms + br, 0);
        assert_null(json_object_get(json_object_get(state, "users"), user));
        assert_null(json_object_get(json_object_get(state, "pools"), pool));
    }
    json_array_foreach(json_object_get(state, "nodes"), i, s)
    {
        json_t *p = json_object_get(s, "network_pending");
        assert_true(!p || json_is_null(p));
    }
    json_decref(state);
    assert_int_equal(ds_schema_violations(&c->sp), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_faulty_cluster, setup, e2e_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
