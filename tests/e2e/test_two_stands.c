/* test_two_stands: two different stands on shared nodes (issue 10, point 4): a bridge name another
 * run took between the plan and the creation is chosen again, as a taken VMID is, the shared
 * reserved bridge made by the other stand is used as it is, and two stands deployed at once both
 * complete with every VM on its own student's bridges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ds_clock.h"
#include "e2e_fixture.h"
#include "plan/marks.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int setup(void **st)
{
    const char *args[] = {"--scenario", "classroom", "--time-scale", "0.01", NULL};
    return e2e_setup(st, args);
}

/* Stand "lab-b": the example stand under another name, for student4..6. */
static void write_stand_b(struct e2e *c, char *config, size_t clen, char *users, size_t ulen)
{
    char *text = ds_slurp(c->env.config);
    assert_non_null(text);
    char *at = strstr(text, "stand: demo-lab");
    assert_non_null(at);
    size_t len = strlen(text) + 16;
    char *b = malloc(len);
    assert_non_null(b);
    snprintf(b, len, "%.*sstand: lab-b%s", (int)(at - text), text, at + strlen("stand: demo-lab"));
    snprintf(config, clen, "%s", ds_write_file(&c->env, "lab-b.yml", b));
    snprintf(users, ulen, "%s",
             ds_write_file(&c->env, "users-b.yml",
                           "users:\n  - student4@pve\n  - student5@pve\n  - student6@pve\n"));
    free(b);
    free(text);
}

/* Every NIC of every VM of `stand` is on vmbr0 (link down), on a reserved bridge, or on a bridge
 * of its node marked for the VM's own student and stand. How many NICs were checked. */
static int nics_on_own_bridges(struct e2e *c, const char *stand)
{
    json_t *st = simproc_state(&c->sp);
    int checked = 0;
    size_t i;
    json_t *vm;
    json_array_foreach(json_object_get(st, "vms"), i, vm)
    {
        json_t *cfg = json_object_get(vm, "config");
        struct mark m;
        if (!mark_parse(json_string_value(json_object_get(cfg, "description")), &m) ||
            strcmp(m.stand, stand) != 0 || !m.student)
            continue;
        for (int k = 0; k < 8; k++) {
            char key[8], bridge[32] = "";
            snprintf(key, sizeof key, "net%d", k);
            const char *v = json_string_value(json_object_get(cfg, key));
            const char *b = v ? strstr(v, "bridge=") : NULL;
            if (!b)
                continue;
            snprintf(bridge, sizeof bridge, "%.*s", (int)strcspn(b + 7, ","), b + 7);
            checked++;
            if (strcmp(bridge, "vmbr0") == 0 || strcmp(bridge, "vmbr100") == 0)
                continue;
            json_t *node = e2e_node(st, json_string_value(json_object_get(vm, "node")));
            json_t *f = json_object_get(json_object_get(node, "network"), bridge);
            const char *comments = json_string_value(json_object_get(f, "comments"));
            if (!mark_is(comments, stand, m.student))
                fail_msg("VM %lld (%s, %s) has %s on %s, marked \"%s\"",
                         json_integer_value(json_object_get(vm, "vmid")), stand, m.student, key,
                         bridge, comments ? comments : "(none)");
        }
    }
    json_decref(st);
    return checked;
}

/* The fault rules of the simulator: how often the first fired. */
static long fault_fired(struct e2e *c)
{
    json_t *d = NULL;
    struct rawresp r = {0};
    assert_int_equal(simproc_request(&c->sp, "GET", "/__sim/fault", NULL, NULL, &r), 0);
    d = json_object_get(json_array_get(json_object_get(r.json, "rules"), 0), "fired");
    long n = (long)json_integer_value(d);
    rawresp_clear(&r);
    return n;
}

static void sim_control(struct e2e *c, const char *method, const char *path)
{
    struct rawresp r = {0};
    assert_int_equal(simproc_request(&c->sp, method, path, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    rawresp_clear(&r);
}

/* Stand B plans vmbr1001... and is held at its first bridge; meanwhile "another run" takes those
 * names and makes the shared vmbr100: B moves its bridges to free names and completes. */
static void test_taken_bridge_names(void **st)
{
    struct e2e *c = *st;
    char config[512], users[512];
    write_stand_b(c, config, sizeof config, users, sizeof users);
    sim_control(c, "POST", "/__sim/fault?kind=drop&match=POST%26/network%26lab-b");
    const char *args[] = {"--connections", c->env.connections, "--yes", "deploy", "--config",
                          config,          "--users",          users,   NULL};
    struct ds_proc b;
    ds_proc_start(&b, 0, args);
    int held = 0;
    for (int i = 0; i < 1500 && !held; i++) { /* bounded: 30 s */
        held = fault_fired(c) > 0;
        if (!held)
            ds_clock_sleep_ns(20 * DS_NS_PER_MS);
    }
    assert_true(held);
    assert_int_equal(e2e_login_root(c), 0);
    char body[512], mark[256];
    mark_format(mark, sizeof mark, "demo-lab", NULL, NULL, 1);
    for (char *p = mark; *p; p++)
        *p = *p == ' ' ? '+' : *p;
    snprintf(body, sizeof body, "iface=vmbr100&type=bridge&autostart=1&comments=%s", mark);
    assert_int_equal(e2e_api(c, "POST", "/nodes/pve1/network", body, NULL), 200);
    for (int n = 1001; n <= 1010; n++) {
        snprintf(body, sizeof body, "iface=vmbr%d&type=bridge", n);
        assert_int_equal(e2e_api(c, "POST", "/nodes/pve1/network", body, NULL), 200);
    }
    sim_control(c, "DELETE", "/__sim/fault");
    char *out = NULL;
    int rc = ds_proc_wait(&b, 120, &out);
    if (rc != 0)
        fail_msg("stand B's deploy (exit %d):\n%s", rc, out ? out : "");
    free(out);
    assert_true(nics_on_own_bridges(c, "lab-b") >= 9);
    /* B's destroy leaves the other run's bridges and the shared vmbr100 it did not make */
    const char *destroy[] = {"--connections", c->env.connections, "--yes", "destroy", "--config",
                             config,          "--users",          users,   NULL};
    assert_int_equal(ds_run(NULL, NULL, destroy), 0);
    json_t *stt = simproc_state(&c->sp);
    json_t *net = json_object_get(e2e_node(stt, "pve1"), "network");
    assert_non_null(json_object_get(net, "vmbr100"));
    assert_non_null(json_object_get(net, "vmbr1005"));
    json_decref(stt);
    assert_int_equal(e2e_marked_objects(c, "lab-b", "student4@pve"), 0);
}

/* Template copies per (original, node): each at most once. How many copies in all. */
static int copies_once(struct e2e *c)
{
    json_t *st = simproc_state(&c->sp);
    char seen[64][80];
    int n = 0;
    size_t i;
    json_t *vm;
    json_array_foreach(json_object_get(st, "vms"), i, vm)
    {
        const char *desc =
            json_string_value(json_object_get(json_object_get(vm, "config"), "description"));
        int orig = 0;
        char digest[64], node[64], key[80];
        if (!mark_copy_parse(desc, &orig, digest, sizeof digest) ||
            !mark_copy_node(desc, node, sizeof node))
            continue;
        snprintf(key, sizeof key, "%d@%s", orig, node);
        for (int k = 0; k < n; k++)
            if (strcmp(seen[k], key) == 0)
                fail_msg("two copies of template %d for %s", orig, node);
        if (n < 64)
            snprintf(seen[n++], sizeof seen[0], "%s", key);
    }
    json_decref(st);
    return n;
}

/* Both stands at once, each on all three nodes (balanced): both complete on their own bridges. */
static void test_two_stands_at_once(void **st)
{
    struct e2e *c = *st;
    char config[512], users[512];
    write_stand_b(c, config, sizeof config, users, sizeof users);
    const char *a_args[] = {"--connections", c->env.connections, "--yes",   "deploy",
                            "--config",      c->env.config,      "--users", c->env.users,
                            "--strategy",    "balanced",         NULL};
    const char *b_args[] = {
        "--connections", c->env.connections, "--yes",    "deploy", "--config", config, "--users",
        users,           "--strategy",       "balanced", NULL};
    struct ds_proc a, b;
    ds_proc_start(&a, 0, a_args);
    ds_proc_start(&b, 0, b_args);
    char *out_a = NULL, *out_b = NULL;
    int rc_a = ds_proc_wait(&a, 180, &out_a), rc_b = ds_proc_wait(&b, 180, &out_b);
    if (rc_a != 0 || rc_b != 0)
        fail_msg("demo-lab exit %d:\n%s\nlab-b exit %d:\n%s", rc_a, out_a ? out_a : "", rc_b,
                 out_b ? out_b : "");
    free(out_a);
    free(out_b);
    assert_true(nics_on_own_bridges(c, "demo-lab") >= 9);
    assert_true(nics_on_own_bridges(c, "lab-b") >= 9);
    assert_int_equal(copies_once(c), 6); /* templates 100, 101, 102 for pve2 and pve3 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_taken_bridge_names, setup, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_two_stands_at_once, setup, e2e_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
