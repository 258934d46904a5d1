/* test_strategies_unit: each placement strategy (local, remote, balanced, smart) on hand-built
 * cluster views, through the planner: where the VMs land and where their clones come from. */
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
#include "util/diag.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GIB (1024LL * 1024 * 1024)

/* Two machines from two templates, both on pve1 with local disks (other nodes need copies). */
static const char *STAND = "stand: lab\nmachines:\n"
                           "  - {name: web, template_node: pve1, template_vmid: 100}\n"
                           "  - {name: db, template_node: pve1, template_vmid: 101}\n";

/* One node of a view: its name, online or not, memory in use (GiB) of 16 GiB. */
struct node_def {
    const char *name;
    int online;
    long long mem_gib;
};

/* A view of `nodes` with templates 100 (1 GiB) and 101 (1 GiB) on pve1 when it is listed. */
static json_t *view_of(const struct node_def *nodes, size_t n)
{
    json_t *v = json_pack("{s:[], s:[], s:{}, s:[], s:[], s:[], s:[], s:{}}", "nodes", "resources",
                          "networks", "users", "pools", "acl", "storages", "configs");
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(json_object_get(v, "nodes"),
                              json_pack("{s:s, s:s, s:I, s:I, s:i}", "node", nodes[i].name,
                                        "status", nodes[i].online ? "online" : "offline", "maxmem",
                                        (json_int_t)(16 * GIB), "mem",
                                        (json_int_t)(nodes[i].mem_gib * GIB), "maxcpu", 16));
        json_object_set_new(
            json_object_get(v, "networks"), nodes[i].name,
            json_pack("{s:[{s:s, s:s}]}", "ifaces", "iface", "vmbr0", "type", "bridge"));
        json_array_append_new(json_object_get(v, "storages"),
                              json_pack("{s:s, s:s, s:i}", "storage", "local-lvm", "node",
                                        nodes[i].name, "shared", 0));
    }
    for (int t = 100; t <= 101; t++) {
        json_array_append_new(json_object_get(v, "resources"),
                              json_pack("{s:s, s:i, s:s, s:s, s:i}", "type", "qemu", "vmid", t,
                                        "node", "pve1", "name", t == 100 ? "t100" : "t101",
                                        "template", 1));
        char key[16], disk[64];
        snprintf(key, sizeof key, "%d", t);
        snprintf(disk, sizeof disk, "local-lvm:base-%d-disk-0,size=8G", t);
        json_object_set_new(json_object_get(v, "configs"), key,
                            json_pack("{s:s, s:s, s:i, s:i}", "scsi0", disk, "digest", key,
                                      "memory", 1024, "cores", 1));
    }
    return v;
}

static const struct node_def THREE[] = {{"pve1", 1, 2}, {"pve2", 1, 2}, {"pve3", 1, 2}};

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

struct req {
    const char *stand;
    int n_students;
    const char *strategy, *node;
    double mem_reserve;
};

/* The deploy plan of the request on `view` (stolen). */
static struct plan *plan_of(const struct req *q, json_t *view)
{
    struct diag_list d = {0};
    struct stand *st = NULL;
    const char *text = q->stand ? q->stand : STAND;
    assert_int_equal(stand_load_text("lab.yml", text, strlen(text), &st, &d), 0);
    diag_list_clear(&d);
    struct users_list *u = students(q->n_students);
    struct cluster_view *v = inventory_from_json(view);
    struct plan_request rq = {.stand = st,
                              .users = u,
                              .strategy = q->strategy,
                              .target_node = q->node,
                              .mem_reserve = q->mem_reserve};
    struct plan *p = NULL;
    assert_int_equal(plan_deploy(&rq, v, &p), 0);
    cluster_view_free(v);
    users_free(u);
    stand_free(st);
    return p;
}

/* A refused plan: problems, not one action, and the executor will not run it. */
static void assert_refused(const struct plan *p)
{
    assert_true(p->n_problems > 0);
    assert_int_equal(p->n_acts, 0);
    struct exec_opts o = {.task_timeout_s = 1};
    struct plan_result *r = NULL;
    assert_int_equal(exec_run(p, NULL, &o, &r), -1);
    assert_null(r);
}

static const struct action *clone_of(const struct plan *p, size_t s, size_t m)
{
    for (size_t i = 0; i < p->n_acts; i++)
        if (p->acts[i].kind == ACT_VM_CLONE && p->acts[i].student == (int)s &&
            p->acts[i].vm == (int)m)
            return &p->acts[i];
    return NULL;
}

static int depends_on(const struct plan *p, const struct action *a, enum action_kind k, int copy)
{
    for (size_t i = 0; i < a->n_deps; i++)
        if (p->acts[a->deps[i]].kind == k && p->acts[a->deps[i]].copy == copy)
            return 1;
    return 0;
}

/* Students per node name in `names` (VMs of one student all on one node, checked here). */
static void count_per_node(const struct plan *p, const char *const *names, size_t n, int *count)
{
    memset(count, 0, n * sizeof *count);
    for (size_t s = 0; s < p->n_students; s++) {
        const struct plan_student *ps = &p->students[s];
        for (size_t m = 1; m < ps->n_vms; m++)
            assert_string_equal(ps->vms[m].node, ps->vms[0].node);
        size_t k = 0;
        while (k < n && strcmp(names[k], ps->vms[0].node) != 0)
            k++;
        assert_true(k < n);
        count[k]++;
    }
}

/* ---- local ------------------------------------------------------------------------------ */

static void test_local(void **st)
{
    (void)st;
    struct req q = {.n_students = 3, .strategy = "local"};
    struct plan *p = plan_of(&q, view_of(THREE, 3));
    assert_int_equal(p->n_problems, 0);
    assert_int_equal(p->n_copies, 0);
    for (size_t s = 0; s < p->n_students; s++)
        for (size_t m = 0; m < 2; m++) {
            const struct plan_vm *vm = &p->students[s].vms[m];
            assert_string_equal(vm->node, "pve1");
            assert_string_equal(vm->src_node, "pve1");
            assert_int_equal(vm->src_vmid, m == 0 ? 100 : 101);
            assert_string_equal(clone_of(p, s, m)->node, "pve1");
        }
    plan_free(p);

    /* the template's node offline: refused */
    const struct node_def off[] = {{"pve1", 0, 2}, {"pve2", 1, 2}};
    assert_refused(p = plan_of(&q, view_of(off, 2)));
    plan_free(p);
}

/* ---- remote ----------------------------------------------------------------------------- */

static void test_remote(void **st)
{
    (void)st;
    struct req q = {.n_students = 3, .strategy = "remote", .node = "pve3"};
    struct plan *p = plan_of(&q, view_of(THREE, 3));
    assert_int_equal(p->n_problems, 0);
    /* one copy per template, made on pve1 and moved to pve3, shared by every student */
    assert_int_equal(p->n_copies, 2);
    for (size_t c = 0; c < p->n_copies; c++) {
        assert_string_equal(p->copies[c].orig_node, "pve1");
        assert_string_equal(p->copies[c].node, "pve3");
    }
    assert_int_not_equal(p->copies[0].orig, p->copies[1].orig);
    assert_int_equal(plan_count(p, ACT_TPL_COPY), 2);
    assert_int_equal(plan_count(p, ACT_TPL_MIGRATE), 2);
    for (size_t s = 0; s < p->n_students; s++)
        for (size_t m = 0; m < 2; m++) {
            const struct plan_vm *vm = &p->students[s].vms[m];
            assert_string_equal(vm->node, "pve3");
            assert_string_equal(vm->src_node, "pve3"); /* cloned there, from the copy */
            assert_true(vm->copy >= 0);
            assert_int_equal(p->copies[vm->copy].orig, m == 0 ? 100 : 101);
            assert_true(depends_on(p, clone_of(p, s, m), ACT_TPL_MIGRATE, vm->copy));
        }
    plan_free(p);

    /* no --node, an unknown node, an offline node: refused */
    const char *bad[] = {NULL, "pve9", "pve3"};
    const struct node_def off[] = {{"pve1", 1, 2}, {"pve2", 1, 2}, {"pve3", 0, 2}};
    for (size_t i = 0; i < 3; i++) {
        q.node = bad[i];
        assert_refused(p = plan_of(&q, view_of(i == 2 ? off : THREE, 3)));
        plan_free(p);
    }
    /* the one node, which holds the templates: nothing to copy */
    q.node = "pve1";
    p = plan_of(&q, view_of(THREE, 1));
    assert_int_equal(p->n_problems, 0);
    assert_int_equal(p->n_copies, 0);
    assert_string_equal(p->students[2].vms[1].node, "pve1");
    plan_free(p);
}

/* ---- balanced --------------------------------------------------------------------------- */

static void test_balanced(void **st)
{
    (void)st;
    static const char *const names[] = {"pve1", "pve2", "pve3"};
    struct req q = {.n_students = 7, .strategy = "balanced"};
    struct plan *p = plan_of(&q, view_of(THREE, 3));
    assert_int_equal(p->n_problems, 0);
    int count[3];
    count_per_node(p, names, 3, count);
    int lo = count[0], hi = count[0];
    for (int i = 1; i < 3; i++) {
        lo = count[i] < lo ? count[i] : lo;
        hi = count[i] > hi ? count[i] : hi;
    }
    assert_true(hi - lo <= 1);
    assert_int_equal(count[0] + count[1] + count[2], 7);
    /* one copy per (template, other node), never one per student */
    assert_int_equal(p->n_copies, 4);

    /* deterministic: the same placement again, and with the nodes listed in another order */
    const struct node_def rev[] = {{"pve3", 1, 2}, {"pve2", 1, 2}, {"pve1", 1, 2}};
    struct plan *p2 = plan_of(&q, view_of(rev, 3));
    for (size_t s = 0; s < p->n_students; s++)
        assert_string_equal(p->students[s].vms[0].node, p2->students[s].vms[0].node);
    plan_free(p2);
    plan_free(p);

    /* an offline node gets nobody; the others still differ by at most one */
    const struct node_def off[] = {{"pve1", 1, 2}, {"pve2", 0, 2}, {"pve3", 1, 2}};
    p = plan_of(&q, view_of(off, 3));
    assert_int_equal(p->n_problems, 0);
    count_per_node(p, names, 3, count);
    assert_int_equal(count[1], 0);
    assert_true(abs(count[0] - count[2]) <= 1);
    plan_free(p);

    /* one node only: everybody there, nothing copied */
    p = plan_of(&q, view_of(THREE, 1));
    assert_int_equal(p->n_problems, 0);
    count_per_node(p, names, 1, count);
    assert_int_equal(count[0], 7);
    assert_int_equal(p->n_copies, 0);
    plan_free(p);
}

/* ---- smart ------------------------------------------------------------------------------ */

/* Memory the plan puts on `node`: 2 GiB per student there (two 1 GiB templates). */
static long long planned_gib(const struct plan *p, const char *node)
{
    long long n = 0;
    for (size_t s = 0; s < p->n_students; s++)
        n += strcmp(p->students[s].vms[0].node, node) == 0 ? 2 : 0;
    return n;
}

static void test_smart(void **st)
{
    (void)st;
    static const char *const names[] = {"pve1", "pve2", "pve3"};
    /* pve1 is nearly full: 13 of 16 GiB; with the 10% reserve (14.4 GiB usable) no student fits
     * there, though 3 GiB are free; pve3 has room for three students, pve2 for six */
    const struct node_def nodes[] = {{"pve1", 1, 13}, {"pve2", 1, 2}, {"pve3", 1, 8}};
    struct req q = {.n_students = 8, .strategy = "smart"};
    struct plan *p = plan_of(&q, view_of(nodes, 3));
    assert_int_equal(p->n_problems, 0);
    int count[3];
    count_per_node(p, names, 3, count);
    assert_int_equal(count[0], 0);
    for (size_t i = 1; i < 3; i++)
        assert_true(nodes[i].mem_gib + planned_gib(p, names[i]) <= 14); /* 14.4 usable */
    assert_int_equal(count[1] + count[2], 8);
    assert_true(count[1] >= count[2]); /* the emptier node takes at least as many */
    plan_free(p);

    /* an offline node is never chosen, however empty */
    const struct node_def off[] = {{"pve1", 1, 2}, {"pve2", 0, 0}, {"pve3", 1, 2}};
    p = plan_of(&q, view_of(off, 3));
    assert_int_equal(p->n_problems, 0);
    count_per_node(p, names, 3, count);
    assert_int_equal(count[1], 0);
    plan_free(p);
}

/* The reserve decides: 6 students (12 GiB) on one node with 3 of 16 GiB in use fit under a 5%
 * reserve (15.2 GiB usable) but not under the default 10% (14.4 GiB): refused, no plan. */
static void test_smart_reserve_and_refusal(void **st)
{
    (void)st;
    const struct node_def one[] = {{"pve1", 1, 3}};
    struct req q = {.n_students = 6, .strategy = "smart", .mem_reserve = 0.05};
    struct plan *p = plan_of(&q, view_of(one, 1));
    assert_int_equal(p->n_problems, 0);
    assert_int_equal(plan_count(p, ACT_VM_CLONE), 12);
    plan_free(p);
    q.mem_reserve = 0; /* the default, 10% */
    assert_refused(p = plan_of(&q, view_of(one, 1)));
    plan_free(p);
    /* one student fewer fits under the default too */
    q.n_students = 5;
    p = plan_of(&q, view_of(one, 1));
    assert_int_equal(p->n_problems, 0);
    plan_free(p);
    /* every node offline */
    const struct node_def none[] = {{"pve1", 0, 0}, {"pve2", 0, 0}};
    assert_refused(p = plan_of(&q, view_of(none, 2)));
    plan_free(p);
}

/* ---- every strategy --------------------------------------------------------------------- */

/* A template that is on no node: every strategy refuses the class. */
static void test_template_missing_everywhere(void **st)
{
    (void)st;
    const char *stand = "stand: lab\nmachines:\n"
                        "  - {name: web, template_node: pve1, template_vmid: 109}\n";
    const char *strategies[] = {"local", "remote", "balanced", "smart"};
    for (size_t i = 0; i < 4; i++) {
        struct req q = {.stand = stand, .n_students = 2, .strategy = strategies[i], .node = "pve2"};
        struct plan *p = plan_of(&q, view_of(THREE, 3));
        assert_refused(p);
        plan_free(p);
    }
}

/* One node: every strategy puts everybody there and clones the templates in place. */
static void test_one_node(void **st)
{
    (void)st;
    const char *strategies[] = {"local", "remote", "balanced", "smart"};
    for (size_t i = 0; i < 4; i++) {
        struct req q = {.n_students = 3, .strategy = strategies[i], .node = "pve1"};
        struct plan *p = plan_of(&q, view_of(THREE, 1));
        assert_int_equal(p->n_problems, 0);
        assert_int_equal(p->n_copies, 0);
        for (size_t s = 0; s < p->n_students; s++)
            for (size_t m = 0; m < 2; m++) {
                assert_string_equal(p->students[s].vms[m].node, "pve1");
                assert_int_equal(p->students[s].vms[m].src_vmid, m == 0 ? 100 : 101);
            }
        plan_free(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_local),
        cmocka_unit_test(test_remote),
        cmocka_unit_test(test_balanced),
        cmocka_unit_test(test_smart),
        cmocka_unit_test(test_smart_reserve_and_refusal),
        cmocka_unit_test(test_template_missing_everywhere),
        cmocka_unit_test(test_one_node),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
