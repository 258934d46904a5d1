/* test_plan_capacity: the memory check of every deploy plan on hand-built views: each strategy is
 * refused above a node's memory and allowed with a note under --overcommit; stopped VMs count with
 * their configured memory (config or /cluster/resources), templates do not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config/stand.h"
#include "config/users.h"
#include "exec/exec.h"
#include "inventory/inventory.h"
#include "plan/plan.h"
#include "ui/report.h"
#include "util/diag.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GIB (1024LL * 1024 * 1024)

/* Two machines of 1 GiB each (templates 100 and 101 on pve1): 2 GiB per student. */
static const char *STAND = "stand: lab\nmachines:\n"
                           "  - {name: web, template_node: pve1, template_vmid: 100}\n"
                           "  - {name: db, template_node: pve1, template_vmid: 101}\n";

static const char *const STRATEGIES[] = {"local", "remote", "balanced", "smart"};

/* A view of `n` online nodes pve1.. of 16 GiB with 2 GiB in use, templates 100 and 101 (1 GiB
 * each, configs read) on pve1. */
static json_t *view_of(int n)
{
    json_t *v = json_pack("{s:[], s:[], s:{}, s:[], s:[], s:[], s:[], s:{}}", "nodes", "resources",
                          "networks", "users", "pools", "acl", "storages", "configs");
    for (int i = 1; i <= n; i++) {
        char name[16];
        snprintf(name, sizeof name, "pve%d", i);
        json_array_append_new(json_object_get(v, "nodes"),
                              json_pack("{s:s, s:s, s:I, s:I, s:i}", "node", name, "status",
                                        "online", "maxmem", (json_int_t)(16 * GIB), "mem",
                                        (json_int_t)(2 * GIB), "maxcpu", 16));
        json_object_set_new(
            json_object_get(v, "networks"), name,
            json_pack("{s:[{s:s, s:s}]}", "ifaces", "iface", "vmbr0", "type", "bridge"));
        json_array_append_new(json_object_get(v, "storages"),
                              json_pack("{s:s, s:s, s:s, s:i}", "storage", "local-lvm", "type",
                                        "lvmthin", "node", name, "shared", 0));
    }
    for (int t = 100; t <= 101; t++) {
        json_array_append_new(json_object_get(v, "resources"),
                              json_pack("{s:s, s:i, s:s, s:s, s:i, s:I}", "type", "qemu", "vmid", t,
                                        "node", "pve1", "name", t == 100 ? "t100" : "t101",
                                        "template", 1, "maxmem", (json_int_t)GIB));
        char key[16], disk[64];
        snprintf(key, sizeof key, "%d", t);
        snprintf(disk, sizeof disk, "local-lvm:base-%d-disk-0,size=8G", t);
        json_object_set_new(json_object_get(v, "configs"), key,
                            json_pack("{s:s, s:s, s:s, s:i, s:i}", "scsi0", disk, "digest", key,
                                      "memory", "1024", "cores", 1, "template", 1));
    }
    return v;
}

/* Adds VM vmid on node: /cluster/resources says `status`, `template` and maxmem `res_gib`; with
 * `memory` (may be NULL) its config is read and holds that memory value (JSON, stolen; JSON null:
 * a config without `memory`). */
static void add_vm(json_t *v, int vmid, const char *node, const char *status, int template,
                   long long res_gib, json_t *memory)
{
    char name[32], key[16];
    snprintf(name, sizeof name, "other-%d", vmid);
    snprintf(key, sizeof key, "%d", vmid);
    json_array_append_new(json_object_get(v, "resources"),
                          json_pack("{s:s, s:i, s:s, s:s, s:s, s:i, s:I}", "type", "qemu", "vmid",
                                    vmid, "node", node, "name", name, "status", status, "template",
                                    template, "maxmem", (json_int_t)(res_gib * GIB)));
    if (memory && json_is_null(memory))
        json_object_set_new(json_object_get(v, "configs"), key, json_pack("{s:i}", "cores", 1));
    else if (memory)
        json_object_set_new(json_object_get(v, "configs"), key,
                            json_pack("{s:O, s:i}", "memory", memory, "cores", 1));
    json_decref(memory);
}

/* "users: [s1@pve, ..., sN@pve]" */
static struct users_list *students(int n)
{
    char text[1024] = "users: [";
    size_t l = strlen(text);
    for (int i = 1; i <= n; i++)
        l += (size_t)snprintf(text + l, sizeof text - l, "%ss%d@pve", i > 1 ? ", " : "", i);
    snprintf(text + l, sizeof text - l, "]\n");
    struct diag_list d = {0};
    struct users_list *u = NULL;
    assert_int_equal(users_load_text("users.yml", text, strlen(text), &u, &d), 0);
    diag_list_clear(&d);
    return u;
}

/* The deploy plan of n students with `strategy` (remote: on pve1) on `view` (stolen). */
static struct plan *plan_of(const char *strategy, int n, int overcommit, json_t *view)
{
    struct diag_list d = {0};
    struct stand *st = NULL;
    assert_int_equal(stand_load_text("lab.yml", STAND, strlen(STAND), &st, &d), 0);
    diag_list_clear(&d);
    struct users_list *u = students(n);
    struct cluster_view *v = inventory_from_json(view);
    struct plan_request rq = {.stand = st,
                              .users = u,
                              .strategy = strategy,
                              .target_node = "pve1",
                              .overcommit = overcommit};
    struct plan *p = NULL;
    assert_int_equal(plan_deploy(&rq, v, &p), 0);
    cluster_view_free(v);
    users_free(u);
    stand_free(st);
    return p;
}

static const struct plan_node_mem *node_mem(const struct plan *p, const char *node)
{
    for (size_t i = 0; i < p->n_node_mem; i++)
        if (strcmp(p->node_mem[i].node, node) == 0)
            return &p->node_mem[i];
    fail_msg("node %s has no memory entry", node);
    return NULL;
}

/* The problem or note that holds `needle`, or NULL. */
static const char *find_text(char *const *list, size_t n, const char *needle)
{
    for (size_t i = 0; i < n; i++)
        if (strstr(list[i], needle))
            return list[i];
    return NULL;
}

/* Refused: problems, and the executor will not run it. */
static void assert_refused(const struct plan *p)
{
    assert_true(p->n_problems > 0);
    struct exec_opts o = {.task_timeout_s = 1};
    struct plan_result *r = NULL;
    assert_int_equal(exec_run(p, NULL, &o, &r), -1);
    assert_null(r);
}

/* pve1 holds a stopped VM of 10 GiB (config read): 3 students (6 GiB) make 16 of 16 GiB, 4 make
 * 18. local, remote and balanced put 4 on the one node and are refused with the per-node table;
 * smart refuses by its own rule (10% reserve) since the stopped VM counts. */
static void test_each_strategy_refused(void **st)
{
    (void)st;
    for (size_t k = 0; k < 4; k++) {
        json_t *v = view_of(1);
        add_vm(v, 300, "pve1", "stopped", 0, 10, json_string("10240"));
        struct plan *p = plan_of(STRATEGIES[k], 4, 0, v);
        assert_refused(p);
        if (k < 3) {
            const char *msg = find_text(p->problems, p->n_problems, "pve1");
            if (!msg || !strstr(msg, "more memory configured") || !strstr(msg, "--overcommit") ||
                !strstr(msg, "       2.0") || !strstr(msg, "in GiB"))
                fail_msg("%s: no memory problem with the table naming pve1 (over by 2.0): %s",
                         STRATEGIES[k], p->n_problems ? p->problems[0] : "(none)");
            const struct plan_node_mem *nm = node_mem(p, "pve1");
            assert_int_equal(nm->configured, 10 * GIB);
            assert_int_equal(nm->added, 8 * GIB);
            assert_int_equal(nm->total, 16 * GIB);
            assert_int_equal(nm->students, 4);
            assert_int_equal(nm->vms, 8);
            assert_true(nm->over);
        } else {
            assert_non_null(find_text(p->problems, p->n_problems, "does not fit"));
        }
        plan_free(p);

        /* exactly the node's memory is not over: 3 students (smart keeps its reserve: 1 fits) */
        v = view_of(1);
        add_vm(v, 300, "pve1", "stopped", 0, 10, json_string("10240"));
        p = plan_of(STRATEGIES[k], k < 3 ? 3 : 1, 0, v);
        if (p->n_problems)
            fail_msg("%s: refused: %s", STRATEGIES[k], p->problems[0]);
        assert_null(find_text(p->notes, p->n_notes, "memory"));
        assert_false(node_mem(p, "pve1")->over);
        plan_free(p);
    }
}

/* --overcommit: every strategy plans the 4 students, and a note carries the table. */
static void test_overcommit_allowed_with_note(void **st)
{
    (void)st;
    for (size_t k = 0; k < 4; k++) {
        json_t *v = view_of(1);
        add_vm(v, 300, "pve1", "stopped", 0, 10, json_string("10240"));
        struct plan *p = plan_of(STRATEGIES[k], 4, 1, v);
        if (p->n_problems)
            fail_msg("%s --overcommit: refused: %s", STRATEGIES[k], p->problems[0]);
        assert_int_equal(plan_count(p, ACT_VM_CLONE), 8);
        assert_true(p->overcommit);
        const char *note = find_text(p->notes, p->n_notes, "--overcommit");
        assert_non_null(note);
        assert_non_null(strstr(note, "pve1"));
        assert_non_null(strstr(note, "       2.0"));
        assert_true(node_mem(p, "pve1")->over);

        /* the plan summary says the node is over */
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        report_plan(p, STRATEGIES[k], f, 0);
        fclose(f);
        if (!strstr(text, "memory 10.0 of 16.0 GiB configured, +8.0 GiB for the new VMs: over by "
                          "2.0 GiB"))
            fail_msg("%s: the summary does not say pve1 is over:\n%s", STRATEGIES[k], text);
        free(text);
        plan_free(p);
    }
}

/* Stopped VMs count: with the config read (a number, a string, PVE 8's "current=N", none: 512
 * MiB), else with /cluster/resources' maxmem; running or stopped alike. */
static void test_stopped_vms_counted(void **st)
{
    (void)st;
    json_t *v = view_of(2);
    add_vm(v, 300, "pve1", "stopped", 0, 99, json_integer(2048));          /* 2 GiB: the config */
    add_vm(v, 301, "pve1", "stopped", 0, 99, json_string("current=3072")); /* 3 GiB */
    add_vm(v, 302, "pve1", "running", 0, 4, NULL);                         /* 4 GiB: resources */
    add_vm(v, 303, "pve2", "stopped", 0, 5, NULL);                         /* 5 GiB: resources */
    add_vm(v, 304, "pve2", "stopped", 0, 99, json_null()); /* config without memory: 512 MiB */
    struct plan *p = plan_of("local", 1, 0, v);
    assert_int_equal(p->n_problems, 0);
    assert_int_equal(node_mem(p, "pve1")->configured, 9 * GIB);
    assert_int_equal(node_mem(p, "pve1")->added, 2 * GIB);
    assert_int_equal(node_mem(p, "pve2")->configured, 5 * GIB + GIB / 2);
    assert_int_equal(node_mem(p, "pve2")->added, 0);
    plan_free(p);

    /* 14 GiB of stopped VMs on pve2 make the balanced class of 6 (3 students there) too big
     * there, not on pve1: only pve2 is named */
    v = view_of(2);
    add_vm(v, 310, "pve2", "stopped", 0, 14, NULL);
    p = plan_of("balanced", 6, 0, v);
    assert_refused(p);
    const char *msg = find_text(p->problems, p->n_problems, "more memory configured");
    assert_non_null(msg);
    assert_non_null(strstr(msg, "node pve2 would"));
    assert_true(node_mem(p, "pve2")->over);
    assert_false(node_mem(p, "pve1")->over);
    plan_free(p);

    /* smart counts them too: the whole class goes to pve1 (2 + 12 of 14.4 GiB usable), none over
     * pve2's reserve, though only 2 GiB are in use there */
    v = view_of(2);
    add_vm(v, 310, "pve2", "stopped", 0, 14, NULL);
    p = plan_of("smart", 6, 0, v);
    assert_int_equal(p->n_problems, 0);
    assert_int_equal(node_mem(p, "pve2")->students, 0);
    assert_int_equal(node_mem(p, "pve1")->students, 6);
    plan_free(p);
}

/* Templates do not count (nor does a node already over where the plan adds nothing): a 64 GiB
 * template on pve1, by /cluster/resources or only by its config, and foreign 20 GiB on pve2. */
static void test_templates_not_counted(void **st)
{
    (void)st;
    json_t *v = view_of(2);
    add_vm(v, 400, "pve1", "stopped", 1, 64, json_string("65536"));
    add_vm(v, 401, "pve1", "stopped", 0, 64, NULL);
    json_object_set_new(json_object_get(v, "configs"), "401",
                        json_pack("{s:s, s:i}", "memory", "65536", "template", 1));
    add_vm(v, 402, "pve2", "running", 0, 20, NULL);
    struct plan *p = plan_of("local", 7, 0, v);
    if (p->n_problems)
        fail_msg("refused: %s", p->problems[0]);
    assert_int_equal(node_mem(p, "pve1")->configured, 0);
    assert_int_equal(node_mem(p, "pve1")->added, 14 * GIB);
    assert_true(node_mem(p, "pve2")->over); /* shown as over, but the plan adds nothing there */
    assert_null(find_text(p->notes, p->n_notes, "memory"));
    plan_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_strategy_refused),
        cmocka_unit_test(test_overcommit_allowed_with_note),
        cmocka_unit_test(test_stopped_vms_counted),
        cmocka_unit_test(test_templates_not_counted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
