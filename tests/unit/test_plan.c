/* test_plan: the pure planner on a fixture cluster view: actions, VMIDs, bridge allocation,
 * dependencies, idempotence, preflight problems and the ownership rules of teardown. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stand_fx.h"

#include "config/stand.h"
#include "config/users.h"
#include "inventory/inventory.h"
#include "plan/marks.h"
#include "plan/plan.h"
#include "plan/strategy.h"
#include "util/diag.h"
#include <stdlib.h>
#include <string.h>

static const char *STAND = "stand: lab\n"
                           "machines:\n"
                           "  - {name: web, template_node: pve1, template_vmid: 100,\n"
                           "     networks: [{bridge: lan}, {bridge: '**vmbr100**'}]}\n"
                           "  - {name: client, template_node: pve1, template_vmid: 101,\n"
                           "     networks: [{bridge: lan.10}]}\n"
                           "  - {device_type: ecorouter, name: router, template_node: pve1,\n"
                           "     template_vmid: 102, networks: [{bridge: lan}, {bridge: wan}]}\n";

static const char *USERS = "users: [s1@pve, s2@pve, s3@pve]\n";

/* classroom-like: templates on pve1, a foreign VM, a foreign vmbr1000 */
static const char *VIEW =
    "{\"nodes\":[{\"node\":\"pve1\",\"status\":\"online\"},{\"node\":\"pve2\",\"status\":"
    "\"online\"},{\"node\":\"pve3\",\"status\":\"offline\"}],"
    "\"resources\":["
    "{\"type\":\"qemu\",\"vmid\":100,\"node\":\"pve1\",\"name\":\"t100\",\"template\":1},"
    "{\"type\":\"qemu\",\"vmid\":101,\"node\":\"pve1\",\"name\":\"t101\",\"template\":1},"
    "{\"type\":\"qemu\",\"vmid\":102,\"node\":\"pve1\",\"name\":\"t102\",\"template\":1},"
    "{\"type\":\"qemu\",\"vmid\":5001,\"node\":\"pve1\",\"name\":\"teacher\",\"template\":0,"
    "\"pool\":\"teachers\",\"status\":\"running\"}],"
    "\"networks\":{\"pve1\":{\"ifaces\":[{\"iface\":\"vmbr0\",\"type\":\"bridge\",\"active\":1},"
    "{\"iface\":\"vmbr1000\",\"type\":\"bridge\",\"active\":1,\"comments\":\"manual uplink\"}],"
    "\"changes\":null},"
    "\"pve2\":{\"ifaces\":[{\"iface\":\"vmbr0\",\"type\":\"bridge\",\"active\":1}]}},"
    "\"users\":[{\"userid\":\"root@pam\"},{\"userid\":\"teacher@pve\"}],"
    "\"pools\":[{\"poolid\":\"teachers\"}],\"acl\":[],"
    "\"configs\":{\"100\":{\"net0\":\"virtio=BC:24:11:00:00:01,bridge=vmbr0\"},"
    "\"101\":{\"net0\":\"virtio=BC:24:11:00:00:02,bridge=vmbr0\"},"
    "\"102\":{\"net0\":\"vmxnet3=BC:24:11:00:00:03,bridge=vmbr0\","
    "\"net1\":\"vmxnet3=BC:24:11:00:00:04,bridge=vmbr0\"},"
    "\"5001\":{\"net0\":\"virtio=BC:24:11:00:00:05,bridge=vmbr0\"}}}";

struct fx {
    struct stand *stand;
    struct users_list *users;
    struct cluster_view *view;
};

static struct cluster_view *view_from(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (!j)
        fail_msg("fixture JSON: %s at %d", je.text, je.line);
    return inventory_from_json(j);
}

static int setup(void **st)
{
    struct fx *f = calloc(1, sizeof *f);
    stand_fx_load(STAND, USERS, &f->stand, &f->users);
    f->view = view_from(VIEW);
    *st = f;
    return 0;
}

static int teardown(void **st)
{
    struct fx *f = *st;
    stand_fx_free(f->stand, f->users);
    cluster_view_free(f->view);
    free(f);
    return 0;
}

static struct plan *deploy_plan(struct fx *f, const struct cluster_view *v)
{
    struct plan_request rq = {.stand = f->stand, .users = f->users, .strategy = "local"};
    struct plan *p = NULL;
    assert_int_equal(plan_deploy(&rq, v, &p), 0);
    return p;
}

static const struct action *find_act(const struct plan *p, enum action_kind k, int student,
                                     const char *target)
{
    for (size_t i = 0; i < p->n_acts; i++) {
        const struct action *a = &p->acts[i];
        if (a->kind == k && (student < 0 || a->student == student) &&
            (!target || (a->target && strcmp(a->target, target) == 0)))
            return a;
    }
    return NULL;
}

static int depends_on(const struct action *a, const struct action *dep)
{
    for (size_t i = 0; i < a->n_deps; i++)
        if (a->deps[i] == dep->id)
            return 1;
    return 0;
}

/* Whether one of the plan's problems contains `fragment`. */
static int has_problem(const struct plan *p, const char *fragment)
{
    for (size_t i = 0; i < p->n_problems; i++)
        if (strstr(p->problems[i], fragment))
            return 1;
    return 0;
}

static void test_full_class(void **st)
{
    struct fx *f = *st;
    struct plan *p = deploy_plan(f, f->view);
    assert_int_equal(p->n_problems, 0);
    assert_int_equal(plan_count(p, ACT_USER_CREATE), 3);
    assert_int_equal(plan_count(p, ACT_POOL_CREATE), 3);
    assert_int_equal(plan_count(p, ACT_ACL_GRANT), 3);
    assert_int_equal(plan_count(p, ACT_VM_CLONE), 9);
    assert_int_equal(plan_count(p, ACT_VM_CONFIGURE), 9);
    /* lan + wan per student, plus the reserved bridge once */
    assert_int_equal(plan_count(p, ACT_BRIDGE_CREATE), 7);
    assert_int_equal(plan_count(p, ACT_NET_APPLY), 1);

    /* VMIDs: distinct, from 5000 up, skipping the foreign 5001 */
    int seen[16] = {0};
    size_t n = 0;
    for (size_t s = 0; s < p->n_students; s++)
        for (size_t m = 0; m < p->students[s].n_vms; m++) {
            int id = p->students[s].vms[m].vmid;
            assert_true(id >= 5000 && id != 5001);
            for (size_t k = 0; k < n; k++)
                assert_int_not_equal(seen[k], id);
            seen[n++] = id;
            assert_string_equal(p->students[s].vms[m].node, "pve1");
        }
    assert_int_equal(n, 9);

    /* bridges: the foreign vmbr1000 is skipped; lan is VLAN-aware because of lan.10 */
    const struct plan_student *s1 = &p->students[0];
    assert_int_equal(s1->n_bridges, 2);
    assert_string_equal(s1->bridges[0].alias, "lan");
    assert_string_equal(s1->bridges[0].iface, "vmbr1001");
    assert_int_equal(s1->bridges[0].vlan_aware, 1);
    assert_string_equal(s1->bridges[1].alias, "wan");
    assert_int_equal(s1->bridges[1].vlan_aware, 0);
    assert_string_equal(p->students[1].bridges[0].iface, "vmbr1003");
    const struct action *res = find_act(p, ACT_BRIDGE_CREATE, -1, "vmbr100");
    assert_non_null(res);
    assert_int_equal(res->student, -1);
    assert_true(mark_is(res->comment, "lab", NULL));

    /* ordering: ACL after user and pool; clone after pool; configure after clone and apply */
    const struct action *user = find_act(p, ACT_USER_CREATE, 0, NULL);
    const struct action *pool = find_act(p, ACT_POOL_CREATE, 0, NULL);
    const struct action *acl = find_act(p, ACT_ACL_GRANT, 0, NULL);
    const struct action *clone = find_act(p, ACT_VM_CLONE, 0, NULL);
    const struct action *conf = find_act(p, ACT_VM_CONFIGURE, 0, NULL);
    const struct action *apply = find_act(p, ACT_NET_APPLY, -1, NULL);
    assert_true(depends_on(acl, user) && depends_on(acl, pool));
    assert_true(depends_on(clone, pool));
    assert_true(depends_on(conf, clone) && depends_on(conf, apply));
    for (size_t i = 0; i < p->n_acts; i++)
        if (p->acts[i].kind == ACT_BRIDGE_CREATE)
            assert_true(depends_on(apply, &p->acts[i]));
    assert_string_equal(acl->target, "/pool/s1");
    assert_string_equal(acl->role, "PVEVMAdmin");
    assert_true(mark_is(user->comment, "lab", "s1@pve"));
    assert_true(mark_is(clone->comment, "lab", "s1@pve"));
    /* the configure step tags the VM and sets the NICs */
    assert_string_equal(json_string_value(json_object_get(conf->params, "tags")),
                        "deploy-stand;ds-lab");
    assert_string_equal(json_string_value(json_object_get(conf->params, "net0")),
                        "model=virtio,bridge=vmbr1001,firewall=1");
    assert_string_equal(json_string_value(json_object_get(conf->params, "net1")),
                        "model=virtio,bridge=vmbr100,firewall=1");
    plan_free(p);
}

/* A view in which student s1 is fully deployed, built from the plan's own choices. */
static struct cluster_view *deployed_view(const struct plan *p)
{
    json_t *v = json_loads(VIEW, 0, NULL);
    json_t *res = json_object_get(v, "resources");
    json_t *cfgs = json_object_get(v, "configs");
    json_t *ifs =
        json_object_get(json_object_get(json_object_get(v, "networks"), "pve1"), "ifaces");
    const struct plan_student *s1 = &p->students[0];
    char mark[256];
    mark_format(mark, sizeof mark, "lab", "s1@pve", NULL, 0);
    json_array_append_new(json_object_get(v, "users"),
                          json_pack("{s:s, s:s}", "userid", "s1@pve", "comment", mark));
    json_array_append_new(json_object_get(v, "pools"),
                          json_pack("{s:s, s:s}", "poolid", "s1", "comment", mark));
    json_array_append_new(json_object_get(v, "acl"),
                          json_pack("{s:s, s:s, s:s, s:s, s:i}", "path", "/pool/s1", "ugid",
                                    "s1@pve", "roleid", "PVEVMAdmin", "type", "user", "propagate",
                                    1));
    for (size_t b = 0; b < s1->n_bridges; b++) {
        char bm[256];
        mark_format(bm, sizeof bm, "lab", "s1@pve", s1->bridges[b].alias, 0);
        json_array_append_new(ifs,
                              json_pack("{s:s, s:s, s:i, s:s, s:i}", "iface", s1->bridges[b].iface,
                                        "type", "bridge", "active", 1, "comments", bm,
                                        "bridge_vlan_aware", s1->bridges[b].vlan_aware));
    }
    char rm[256];
    mark_format(rm, sizeof rm, "lab", NULL, NULL, 1);
    json_array_append_new(ifs, json_pack("{s:s, s:s, s:i, s:s}", "iface", "vmbr100", "type",
                                         "bridge", "active", 1, "comments", rm));
    for (size_t i = 0; i < p->n_acts; i++) {
        const struct action *a = &p->acts[i];
        if (a->kind != ACT_VM_CONFIGURE || a->student != 0)
            continue;
        const struct plan_vm *vm = &s1->vms[a->vm];
        json_array_append_new(res, json_pack("{s:s, s:i, s:s, s:s, s:i, s:s, s:s, s:s}", "type",
                                             "qemu", "vmid", vm->vmid, "node", vm->node, "name",
                                             vm->name, "template", 0, "pool", "s1", "tags",
                                             "deploy-stand;ds-lab", "status", "stopped"));
        json_t *cfg = json_deep_copy(a->params);
        json_object_del(cfg, "tags");
        json_object_del(cfg, "delete");
        json_object_set_new(cfg, "description", json_string(mark));
        char key[16];
        snprintf(key, sizeof key, "%d", vm->vmid);
        /* the router keeps its template net1, which the deploy set link down (without the
         * template's MAC: the clone has its own) */
        if (vm->device_type == DEVICE_ECOROUTER) {
            assert_string_equal(json_string_value(json_object_get(cfg, "net1")),
                                "vmxnet3,bridge=vmbr0,link_down=1");
            json_object_set_new(cfg, "net1",
                                json_string("vmxnet3=BC:24:11:00:00:09,bridge=vmbr0,link_down=1"));
        }
        json_object_set_new(cfgs, key, cfg);
    }
    return inventory_from_json(v);
}

static void test_rerun_skips_deployed_student(void **st)
{
    struct fx *f = *st;
    struct plan *p = deploy_plan(f, f->view);
    struct cluster_view *v2 = deployed_view(p);
    struct plan *p2 = deploy_plan(f, v2);
    assert_int_equal(p2->n_problems, 0);
    for (size_t i = 0; i < p2->n_acts; i++)
        assert_int_not_equal(p2->acts[i].student, 0); /* nothing for s1 */
    assert_int_equal(plan_count(p2, ACT_VM_CLONE), 6);
    assert_int_equal(plan_count(p2, ACT_USER_CREATE), 2);
    assert_int_equal(p2->students[0].cred, CRED_UNKNOWN); /* ours, password from the state */
    assert_int_equal(p2->students[0].vms[0].exists, 1);
    assert_int_equal(p2->students[0].vms[0].vmid, p->students[0].vms[0].vmid);
    /* the reserved bridge exists now: not created again */
    assert_null(find_act(p2, ACT_BRIDGE_CREATE, -1, "vmbr100"));
    /* s2 reuses no name of s1 */
    assert_string_not_equal(p2->students[1].bridges[0].iface, p->students[0].bridges[0].iface);
    plan_free(p2);

    /* teardown of s1 only: its VMs, pool, user, bridges; the reserved bridge is unused then */
    const char *only[] = {"s1@pve"};
    struct plan_request rq = {.stand = f->stand, .users = f->users, .only = only, .n_only = 1};
    struct plan *d = NULL;
    assert_int_equal(plan_destroy(&rq, v2, &d), 0);
    assert_int_equal(d->n_problems, 0);
    assert_int_equal(plan_count(d, ACT_VM_DESTROY), 3);
    assert_int_equal(plan_count(d, ACT_VM_STOP), 0);
    assert_int_equal(plan_count(d, ACT_POOL_DELETE), 1);
    assert_int_equal(plan_count(d, ACT_USER_DELETE), 1);
    assert_int_equal(plan_count(d, ACT_BRIDGE_DELETE), 3);
    assert_int_equal(plan_count(d, ACT_NET_APPLY), 1);
    assert_null(find_act(d, ACT_BRIDGE_DELETE, -1, "vmbr1000")); /* foreign: untouched */
    const struct action *pd = find_act(d, ACT_POOL_DELETE, -1, NULL);
    const struct action *vd = find_act(d, ACT_VM_DESTROY, -1, NULL);
    assert_true(depends_on(pd, vd));
    for (size_t i = 0; i < d->n_acts; i++)
        if (d->acts[i].kind == ACT_VM_DESTROY)
            assert_int_not_equal(d->acts[i].vm, -1);
    plan_free(d);
    cluster_view_free(v2);
    plan_free(p);
}

static void test_destroy_touches_nothing_unmarked(void **st)
{
    struct fx *f = *st;
    /* a pool and a user named like a student, and a VM with the stand's tag in another pool */
    json_t *v = json_loads(VIEW, 0, NULL);
    json_array_append_new(json_object_get(v, "users"), json_pack("{s:s}", "userid", "s2@pve"));
    json_array_append_new(json_object_get(v, "pools"), json_pack("{s:s}", "poolid", "s2"));
    json_array_append_new(json_object_get(v, "resources"),
                          json_pack("{s:s, s:i, s:s, s:s, s:i, s:s, s:s}", "type", "qemu", "vmid",
                                    7000, "node", "pve1", "name", "web", "template", 0, "pool",
                                    "s2", "tags", "other"));
    struct cluster_view *view = inventory_from_json(v);
    struct plan_request rq = {.stand = f->stand, .users = f->users};
    struct plan *d = NULL;
    assert_int_equal(plan_destroy(&rq, view, &d), 0);
    assert_int_equal(d->n_acts, 0);
    assert_true(d->n_notes >= 2);
    plan_free(d);

    /* and deploy refuses to adopt the foreign pool */
    struct plan *p = deploy_plan(f, view);
    assert_true(p->n_problems >= 1);
    assert_true(has_problem(p, "pool 's2'"));
    plan_free(p);
    cluster_view_free(view);
}

/* plan_deploy ("local", f's users and view) of the stand in `text`, which must load; *s gets the
 * stand, to be freed after the plan. */
static struct plan *plan_text(struct fx *f, const char *name, const char *text, struct stand **s)
{
    struct diag_list dl = {0};
    assert_int_equal(stand_load_text(name, text, strlen(text), s, &dl), 0);
    diag_list_clear(&dl);
    struct plan_request rq = {.stand = *s, .users = f->users, .strategy = "local"};
    struct plan *p = NULL;
    assert_int_equal(plan_deploy(&rq, f->view, &p), 0);
    return p;
}

/* The stand in `text` plans with exactly one problem, and it contains `fragment`. */
static void expect_one_problem(struct fx *f, const char *name, const char *text,
                               const char *fragment)
{
    struct stand *s = NULL;
    struct plan *p = plan_text(f, name, text, &s);
    assert_int_equal(p->n_problems, 1);
    if (!strstr(p->problems[0], fragment))
        fail_msg("the problem is \"%s\", not \"%s\"", p->problems[0], fragment);
    plan_free(p);
    stand_free(s);
}

static void test_preflight_problems(void **st)
{
    struct fx *f = *st;
    /* template 101 missing, 102 not a template, literal bridge missing, node offline */
    const char *stand = "stand: lab\nmachines:\n"
                        "  - {name: a, template_node: pve1, template_vmid: 100,\n"
                        "     networks: [{bridge: vmbr7}]}\n"
                        "  - {name: b, template_node: pve1, template_vmid: 109}\n"
                        "  - {name: c, template_node: pve1, template_vmid: 5001}\n"
                        "  - {name: d, template_node: pve3, template_vmid: 100}\n";
    struct stand *s = NULL;
    struct plan *p = plan_text(f, "bad.yml", stand, &s);
    const char *want[] = {"template 109 does not exist", "VM 5001 on pve1 is not a template",
                          "node 'pve3' is offline", "template 100 is on node pve1, not on pve3"};
    for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
        if (!has_problem(p, want[w]))
            fail_msg("missing problem: %s", want[w]);
    }
    assert_int_equal(p->n_acts, 0); /* nothing planned when the preflight fails */
    plan_free(p);
    stand_free(s);

    /* literal bridge that does not exist */
    expect_one_problem(f, "bad2.yml",
                       "stand: lab\nmachines:\n"
                       "  - {name: a, template_node: pve1, template_vmid: 100,\n"
                       "     networks: [{bridge: vmbr7}]}\n",
                       "bridge vmbr7 does not exist on pve1");

    struct plan_request rq = {.stand = f->stand, .users = f->users, .strategy = "nonsense"};
    assert_int_equal(plan_deploy(&rq, f->view, &p), -1);
}

static void test_privileges_preflight(void **st)
{
    struct fx *f = *st;
    json_t *v = json_loads(VIEW, 0, NULL);
    json_object_set_new(v, "permissions",
                        json_pack("{s:{s:i, s:i}}", "/", "VM.Allocate", 1, "User.Modify", 1));
    struct cluster_view *view = inventory_from_json(v);
    struct plan_request rq = {
        .stand = f->stand, .users = f->users, .strategy = "local", .api_user = "deployer@pve"};
    struct plan *p = NULL;
    assert_int_equal(plan_deploy(&rq, view, &p), 0);
    assert_true(has_problem(p, "lacks Pool.Allocate on /pool"));
    plan_free(p);
    rq.api_user = "root@pam"; /* root has every privilege */
    assert_int_equal(plan_deploy(&rq, view, &p), 0);
    assert_int_equal(p->n_problems, 0);
    plan_free(p);
    cluster_view_free(view);
}

static void test_vmid_range(void **st)
{
    struct fx *f = *st;
    const char *ok = "stand: lab\nvmid_range: 7000-7008\nmachines:\n"
                     "  - {name: a, template_node: pve1, template_vmid: 100}\n"
                     "  - {name: b, template_node: pve1, template_vmid: 101}\n"
                     "  - {name: c, template_node: pve1, template_vmid: 102}\n";
    struct stand *s = NULL;
    struct plan *p = plan_text(f, "r.yml", ok, &s);
    assert_int_equal(p->n_problems, 0);
    for (size_t i = 0; i < p->n_students; i++)
        for (size_t m = 0; m < p->students[i].n_vms; m++)
            assert_in_range(p->students[i].vms[m].vmid, 7000, 7008);
    plan_free(p);
    stand_free(s);
    expect_one_problem(f, "r.yml",
                       "stand: lab\nvmid_range: 7000-7005\nmachines:\n"
                       "  - {name: a, template_node: pve1, template_vmid: 100}\n"
                       "  - {name: b, template_node: pve1, template_vmid: 101}\n"
                       "  - {name: c, template_node: pve1, template_vmid: 102}\n",
                       "VMID range 7000-7005");
}

static void test_strategy_registry(void **st)
{
    (void)st;
    assert_non_null(strategy_find("local"));
    assert_null(strategy_find("nope"));
    assert_non_null(strategy_table[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_full_class, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rerun_skips_deployed_student, setup, teardown),
        cmocka_unit_test_setup_teardown(test_destroy_touches_nothing_unmarked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_preflight_problems, setup, teardown),
        cmocka_unit_test_setup_teardown(test_privileges_preflight, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vmid_range, setup, teardown),
        cmocka_unit_test(test_strategy_registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
