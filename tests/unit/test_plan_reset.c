/* test_plan_reset: the plans of `reset` (app_reset): a VM-only teardown of the named students
 * (plan_destroy with vms_only), then their deploy again, which re-clones only their VMs and keeps
 * their users, passwords, pools, roles and bridges. */
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
#include "util/diag.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *STAND = "stand: lab\nmachines:\n"
                           "  - {name: web, template_node: pve1, template_vmid: 100,\n"
                           "     networks: [{bridge: lan}, {bridge: '**vmbr100**'}]}\n"
                           "  - {name: db, template_node: pve1, template_vmid: 100,\n"
                           "     networks: [{bridge: lan}, {bridge: wan}]}\n";
static const char *USERS = "users: [s1@pve, s2@pve, s3@pve]\n";

static const char *BASE =
    "{\"nodes\":[{\"node\":\"pve1\",\"status\":\"online\"}],"
    "\"resources\":[{\"type\":\"qemu\",\"vmid\":100,\"node\":\"pve1\",\"name\":\"t100\","
    "\"template\":1}],"
    "\"networks\":{\"pve1\":{\"ifaces\":[{\"iface\":\"vmbr0\",\"type\":\"bridge\"}]}},"
    "\"users\":[{\"userid\":\"root@pam\"}],\"pools\":[],\"acl\":[],"
    "\"configs\":{\"100\":{\"net0\":\"virtio=BC:24:11:00:00:01,bridge=vmbr0\"}}}";

struct fx {
    struct stand *stand;
    struct users_list *users;
};

static int setup(void **st)
{
    struct fx *f = calloc(1, sizeof *f);
    stand_fx_load(STAND, USERS, &f->stand, &f->users);
    *st = f;
    return 0;
}

static int teardown(void **st)
{
    struct fx *f = *st;
    stand_fx_free(f->stand, f->users);
    free(f);
    return 0;
}

static struct plan *plan_with(struct fx *f, json_t *view, const char *only, int destroy)
{
    struct cluster_view *v = inventory_from_json(view);
    const char *names[] = {only};
    struct plan_request rq = {.stand = f->stand,
                              .users = f->users,
                              .only = only ? names : NULL,
                              .n_only = only ? 1 : 0,
                              .vms_only = destroy}; /* as app_reset asks */
    struct plan *p = NULL;
    if (destroy)
        assert_int_equal(plan_destroy(&rq, v, &p), 0);
    else
        assert_int_equal(plan_deploy(&rq, v, &p), 0);
    assert_int_equal(p->n_problems, 0);
    cluster_view_free(v);
    return p;
}

static void add_access(json_t *v, const struct plan_student *ps)
{
    char m[256];
    mark_format(m, sizeof m, "lab", ps->userid, NULL, 0);
    json_array_append_new(json_object_get(v, "users"),
                          json_pack("{s:s, s:s}", "userid", ps->userid, "comment", m));
    json_array_append_new(json_object_get(v, "pools"),
                          json_pack("{s:s, s:s}", "poolid", ps->pool, "comment", m));
    char path[128];
    snprintf(path, sizeof path, "/pool/%s", ps->pool);
    json_array_append_new(json_object_get(v, "acl"),
                          json_pack("{s:s, s:s, s:s, s:s, s:i}", "path", path, "ugid", ps->userid,
                                    "roleid", "PVEVMAdmin", "type", "user", "propagate", 1));
}

static void add_bridge(json_t *v, const char *iface, const char *comment, int vlan)
{
    json_t *ifs =
        json_object_get(json_object_get(json_object_get(v, "networks"), "pve1"), "ifaces");
    json_array_append_new(ifs,
                          json_pack("{s:s, s:s, s:i, s:s, s:i}", "iface", iface, "type", "bridge",
                                    "active", 1, "comments", comment, "bridge_vlan_aware", vlan));
}

/* The cluster after plan p ran, but without the VMs of `without` (NULL: none left out). */
static json_t *deployed(const struct plan *p, const char *without)
{
    json_t *v = json_loads(BASE, 0, NULL);
    char m[256];
    mark_format(m, sizeof m, "lab", NULL, NULL, 1);
    add_bridge(v, "vmbr100", m, 0);
    for (size_t s = 0; s < p->n_students; s++) {
        const struct plan_student *ps = &p->students[s];
        add_access(v, ps);
        for (size_t b = 0; b < ps->n_bridges; b++) {
            mark_format(m, sizeof m, "lab", ps->userid, ps->bridges[b].alias, 0);
            add_bridge(v, ps->bridges[b].iface, m, ps->bridges[b].vlan_aware);
        }
    }
    for (size_t i = 0; i < p->n_acts; i++) {
        const struct action *a = &p->acts[i];
        const struct plan_student *ps = a->student >= 0 ? &p->students[a->student] : NULL;
        if (a->kind != ACT_VM_CONFIGURE || (without && strcmp(ps->userid, without) == 0))
            continue;
        const struct plan_vm *vm = &ps->vms[a->vm];
        json_array_append_new(
            json_object_get(v, "resources"),
            json_pack("{s:s, s:i, s:s, s:s, s:i, s:s, s:s, s:s}", "type", "qemu", "vmid", vm->vmid,
                      "node", vm->node, "name", vm->name, "template", 0, "pool", ps->pool, "tags",
                      json_string_value(json_object_get(a->params, "tags")), "status", "running"));
        json_t *cfg = json_deep_copy(a->params);
        json_object_del(cfg, "tags");
        json_object_del(cfg, "delete");
        mark_format(m, sizeof m, "lab", ps->userid, NULL, 0);
        json_object_set_new(cfg, "description", json_string(m));
        char key[16];
        snprintf(key, sizeof key, "%d", vm->vmid);
        json_object_set_new(json_object_get(v, "configs"), key, cfg);
    }
    return v;
}

static const struct plan_student *student(const struct plan *p, const char *userid)
{
    for (size_t s = 0; s < p->n_students; s++)
        if (strcmp(p->students[s].userid, userid) == 0)
            return &p->students[s];
    fail_msg("no student %s", userid);
    return NULL;
}

/* Step 1: the reset of s2 stops and destroys s2's VMs, and nothing else. */
static void test_reset_teardown_vms_only(void **st)
{
    struct fx *f = *st;
    struct plan *d0 = plan_with(f, json_loads(BASE, 0, NULL), NULL, 0);
    struct plan *p = plan_with(f, deployed(d0, NULL), "s2@pve", 1);
    assert_int_equal(p->n_students, 1);
    assert_int_equal(plan_count(p, ACT_VM_STOP), 2);
    assert_int_equal(plan_count(p, ACT_VM_DESTROY), 2);
    assert_int_equal(p->n_acts, 4);
    const struct plan_student *s2 = student(d0, "s2@pve");
    for (size_t i = 0; i < p->n_acts; i++) {
        const struct action *a = &p->acts[i];
        int vmid = p->students[a->student].vms[a->vm].vmid;
        assert_true(vmid == s2->vms[0].vmid || vmid == s2->vms[1].vmid);
    }
    plan_free(p);
    plan_free(d0);
}

/* Step 2: the deploy that follows clones s2's two VMs again onto its kept bridges, and creates no
 * user (no new password), pool, role or bridge. */
static void test_reset_redeploys_vms_only(void **st)
{
    struct fx *f = *st;
    struct plan *d0 = plan_with(f, json_loads(BASE, 0, NULL), NULL, 0);
    struct plan *p = plan_with(f, deployed(d0, "s2@pve"), "s2@pve", 0);
    assert_int_equal(p->n_students, 1);
    const struct plan_student *now = &p->students[0], *before = student(d0, "s2@pve");
    assert_string_equal(now->userid, "s2@pve");
    assert_int_equal(plan_count(p, ACT_VM_CLONE), 2);
    assert_int_equal(plan_count(p, ACT_VM_CONFIGURE), 2);
    const enum action_kind kept[] = {ACT_USER_CREATE,   ACT_POOL_CREATE, ACT_ACL_GRANT,
                                     ACT_BRIDGE_CREATE, ACT_NET_APPLY,   ACT_BRIDGE_DELETE,
                                     ACT_USER_DELETE,   ACT_POOL_DELETE};
    for (size_t k = 0; k < sizeof kept / sizeof kept[0]; k++)
        if (plan_count(p, kept[k]))
            fail_msg("the reset's deploy plans '%s'", action_kind_name(kept[k]));
    assert_true(now->user_exists && now->user_ours && now->pool_exists && now->acl_exists);
    assert_int_equal(now->cred, CRED_UNKNOWN); /* the password in the state file stays */
    /* the same private bridges as before */
    assert_int_equal(now->n_bridges, before->n_bridges);
    assert_string_equal(before->bridges[0].alias, "lan");
    for (size_t b = 0; b < now->n_bridges; b++) {
        assert_string_equal(now->bridges[b].iface, before->bridges[b].iface);
        assert_int_equal(now->bridges[b].exists, 1);
    }
    for (size_t i = 0; i < p->n_acts; i++) {
        const struct action *a = &p->acts[i];
        if (a->kind != ACT_VM_CONFIGURE)
            continue;
        const char *net0 = json_string_value(json_object_get(a->params, "net0"));
        assert_non_null(strstr(net0, before->bridges[0].iface)); /* lan: the first alias */
    }
    plan_free(p);
    plan_free(d0);
}

/* The whole class after the reset of s2: s1 and s3 are left as they are. */
static void test_reset_others_untouched(void **st)
{
    struct fx *f = *st;
    struct plan *d0 = plan_with(f, json_loads(BASE, 0, NULL), NULL, 0);
    struct plan *p = plan_with(f, deployed(d0, "s2@pve"), NULL, 0);
    for (size_t i = 0; i < p->n_acts; i++)
        if (p->acts[i].student >= 0)
            assert_string_equal(p->students[p->acts[i].student].userid, "s2@pve");
        else
            fail_msg("a shared action: '%s'", p->acts[i].summary);
    plan_free(p);
    plan_free(d0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reset_teardown_vms_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_redeploys_vms_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_others_untouched, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
