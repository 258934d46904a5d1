/* test_plan_bridges: the planner's cluster-wide rules (issue 10): private bridge names unique
 * across nodes (18), bridges a student's VMs left behind (14), template copies: linked clones
 * across nodes on shared storage, no second conversion, the copy listing (15), and the refusal of
 * classes that cannot fit (20). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config/stand.h"
#include "config/users.h"
#include "inventory/inventory.h"
#include "plan/marks.h"
#include "plan/plan.h"
#include "util/diag.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* two online nodes; templates 100 (local disk) and 200 (shared disk) on pve1 */
static const char *BASE =
    "{\"nodes\":[{\"node\":\"pve1\",\"status\":\"online\"},{\"node\":\"pve2\",\"status\":"
    "\"online\"}],"
    "\"resources\":["
    "{\"type\":\"qemu\",\"vmid\":100,\"node\":\"pve1\",\"name\":\"t100\",\"template\":1},"
    "{\"type\":\"qemu\",\"vmid\":200,\"node\":\"pve1\",\"name\":\"t200\",\"template\":1}],"
    "\"networks\":{\"pve1\":{\"ifaces\":[{\"iface\":\"vmbr0\",\"type\":\"bridge\"}]},"
    "\"pve2\":{\"ifaces\":[{\"iface\":\"vmbr0\",\"type\":\"bridge\"}]}},"
    "\"users\":[],\"pools\":[],\"acl\":[],"
    "\"storages\":[{\"storage\":\"local-lvm\",\"node\":\"pve1\",\"shared\":0},"
    "{\"storage\":\"local-lvm\",\"node\":\"pve2\",\"shared\":0},"
    "{\"storage\":\"ceph\",\"node\":\"pve1\",\"shared\":1},"
    "{\"storage\":\"ceph\",\"node\":\"pve2\",\"shared\":1}],"
    "\"configs\":{\"100\":{\"net0\":\"virtio=BC:24:11:00:00:01,bridge=vmbr0\","
    "\"scsi0\":\"local-lvm:base-100-disk-0,size=8G\",\"digest\":\"d100\"},"
    "\"200\":{\"net0\":\"virtio=BC:24:11:00:00:02,bridge=vmbr0\","
    "\"scsi0\":\"ceph:base-200-disk-0,size=8G\",\"ide2\":\"none,media=cdrom\","
    "\"digest\":\"d200\"}}}";

static const char *STAND_T100 = "stand: lab\nmachines:\n"
                                "  - {name: web, template_node: pve1, template_vmid: 100,\n"
                                "     networks: [{bridge: lan}, {bridge: wan}]}\n";

static json_t *base(void)
{
    json_error_t je;
    json_t *j = json_loads(BASE, 0, &je);
    if (!j)
        fail_msg("fixture JSON: %s at %d", je.text, je.line);
    return j;
}

static void add_iface(json_t *v, const char *node, const char *iface, const char *comment)
{
    json_t *ifs = json_object_get(json_object_get(json_object_get(v, "networks"), node), "ifaces");
    json_t *o = json_pack("{s:s, s:s}", "iface", iface, "type", "bridge");
    if (comment)
        json_object_set_new(o, "comments", json_string(comment));
    json_array_append_new(ifs, o);
}

static void add_vm(json_t *v, int vmid, const char *node, const char *name, int tpl, json_t *cfg)
{
    json_array_append_new(json_object_get(v, "resources"),
                          json_pack("{s:s, s:i, s:s, s:s, s:i, s:s}", "type", "qemu", "vmid", vmid,
                                    "node", node, "name", name, "template", tpl, "status",
                                    "stopped"));
    char key[16];
    snprintf(key, sizeof key, "%d", vmid);
    json_object_set_new(json_object_get(v, "configs"), key, cfg);
}

static struct stand *stand_of(const char *text)
{
    struct diag_list d = {0};
    struct stand *s = NULL;
    assert_int_equal(stand_load_text("lab.yml", text, strlen(text), &s, &d), 0);
    diag_list_clear(&d);
    return s;
}

static struct users_list *users_of(const char *text)
{
    struct diag_list d = {0};
    struct users_list *u = NULL;
    assert_int_equal(users_load_text("users.yml", text, strlen(text), &u, &d), 0);
    diag_list_clear(&d);
    return u;
}

static struct plan *deploy(const char *stand, const char *users, const char *strategy,
                           const char *node, json_t *view)
{
    struct stand *st = stand_of(stand);
    struct users_list *u = users_of(users);
    struct cluster_view *v = inventory_from_json(view);
    struct plan_request rq = {.stand = st, .users = u, .strategy = strategy, .target_node = node};
    struct plan *p = NULL;
    assert_int_equal(plan_deploy(&rq, v, &p), 0);
    cluster_view_free(v);
    users_free(u);
    /* the plan keeps no pointer into the stand */
    stand_free(st);
    return p;
}

static int has_text(char *const *list, size_t n, const char *needle)
{
    for (size_t i = 0; i < n; i++)
        if (strstr(list[i], needle))
            return 1;
    return 0;
}

static const struct action *find_act(const struct plan *p, enum action_kind k, const char *node,
                                     const char *target)
{
    for (size_t i = 0; i < p->n_acts; i++) {
        const struct action *a = &p->acts[i];
        if (a->kind == k && (!node || (a->node && strcmp(a->node, node) == 0)) &&
            (!target || (a->target && strcmp(a->target, target) == 0)))
            return a;
    }
    return NULL;
}

/* 18: a number taken on any node (foreign or another stand's) is not handed out on another */
static void test_bridge_names_unique_across_nodes(void **st)
{
    (void)st;
    json_t *v = base();
    add_iface(v, "pve2", "vmbr1000", "someone else's");
    add_iface(v, "pve1", "vmbr1001", "deploy-stand stand=other student=x@pve alias=lan");
    struct plan *p = deploy(STAND_T100, "users: [s1@pve, s2@pve]\n", "remote", "pve2", v);
    assert_int_equal(p->n_problems, 0);
    const char *seen[4];
    size_t n = 0;
    for (size_t s = 0; s < p->n_students; s++)
        for (size_t b = 0; b < p->students[s].n_bridges; b++) {
            const char *name = p->students[s].bridges[b].iface;
            assert_string_not_equal(name, "vmbr1000");
            assert_string_not_equal(name, "vmbr1001"); /* taken on pve1 only: still not reused */
            for (size_t k = 0; k < n; k++)
                assert_string_not_equal(seen[k], name);
            seen[n++] = name;
        }
    assert_int_equal(n, 4);
    plan_free(p);
}

/* 18: two students on two nodes (balanced) never share a name; and a student's alias that has
 * a bridge on one node keeps that name on another node (same student, same network) */
static void test_bridge_names_balanced_and_same_alias(void **st)
{
    (void)st;
    const char *stand = "stand: lab\nmachines:\n"
                        "  - {name: web, template_node: pve1, template_vmid: 200,\n"
                        "     networks: [{bridge: lan}]}\n";
    struct plan *p = deploy(stand, "users: [s1@pve, s2@pve]\n", "balanced", NULL, base());
    assert_int_equal(p->n_problems, 0);
    assert_string_not_equal(p->students[0].vms[0].node, p->students[1].vms[0].node);
    assert_string_not_equal(p->students[0].bridges[0].iface, p->students[1].bridges[0].iface);
    plan_free(p);

    json_t *v = base();
    add_iface(v, "pve1", "vmbr1005", "deploy-stand stand=lab student=s1@pve alias=lan");
    p = deploy(stand, "users: [s1@pve]\n", "remote", "pve2", v);
    assert_int_equal(p->n_problems, 0);
    assert_string_equal(p->students[0].bridges[0].node, "pve2");
    assert_string_equal(p->students[0].bridges[0].iface, "vmbr1005");
    plan_free(p);
}

static json_t *with_s1_on_pve1(void)
{
    json_t *v = base();
    add_iface(v, "pve1", "vmbr1000", "deploy-stand stand=lab student=s1@pve alias=lan");
    add_iface(v, "pve1", "vmbr1001", "deploy-stand stand=lab student=s1@pve alias=wan");
    json_array_append_new(json_object_get(v, "users"),
                          json_pack("{s:s, s:s}", "userid", "s1@pve", "comment",
                                    "deploy-stand stand=lab student=s1@pve"));
    json_array_append_new(json_object_get(v, "pools"),
                          json_pack("{s:s, s:s}", "poolid", "s1", "comment",
                                    "deploy-stand stand=lab student=s1@pve"));
    return v;
}

/* 14: after a reset to another node, deploy removes the student's bridges where no VM of it
 * remains, and sweep reports them as leftovers */
static void test_stale_bridges_removed(void **st)
{
    (void)st;
    struct plan *p = deploy(STAND_T100, "users: [s1@pve]\n", "remote", "pve2", with_s1_on_pve1());
    assert_int_equal(p->n_problems, 0);
    const struct action *d0 = find_act(p, ACT_BRIDGE_DELETE, "pve1", "vmbr1000");
    const struct action *d1 = find_act(p, ACT_BRIDGE_DELETE, "pve1", "vmbr1001");
    assert_non_null(d0);
    assert_non_null(d1);
    assert_int_equal(d0->student, 0);
    const struct action *ap = find_act(p, ACT_NET_APPLY, "pve1", NULL);
    assert_non_null(ap);
    /* the new bridges on pve2 keep the student's names: same student, same network */
    assert_non_null(find_act(p, ACT_BRIDGE_CREATE, "pve2", "vmbr1000"));
    plan_free(p);

    /* a VM on pve1 still on the bridge: left alone, with a note */
    json_t *v = with_s1_on_pve1();
    add_vm(v, 9000, "pve1", "other", 0,
           json_pack("{s:s}", "net0", "virtio=BC:24:11:00:00:09,bridge=vmbr1000"));
    p = deploy(STAND_T100, "users: [s1@pve]\n", "remote", "pve2", v);
    assert_null(find_act(p, ACT_BRIDGE_DELETE, "pve1", "vmbr1000"));
    assert_non_null(find_act(p, ACT_BRIDGE_DELETE, "pve1", "vmbr1001"));
    assert_true(has_text(p->notes, p->n_notes, "vmbr1000 on pve1 of s1@pve"));
    plan_free(p);

    /* sweep: a current student whose VMs are all on pve2 */
    v = with_s1_on_pve1();
    add_vm(v, 5000, "pve2", "web", 0,
           json_pack("{s:s, s:s}", "description", "deploy-stand stand=lab student=s1@pve", "net0",
                     "virtio=BC:24:11:00:00:07,bridge=vmbr1002"));
    struct stand *sd = stand_of(STAND_T100);
    struct users_list *u = users_of("users: [s1@pve]\n");
    struct cluster_view *cv = inventory_from_json(v);
    struct plan_request rq = {.stand = sd, .users = u};
    assert_int_equal(plan_sweep(&rq, cv, &p), 0);
    assert_non_null(find_act(p, ACT_BRIDGE_DELETE, "pve1", "vmbr1000"));
    assert_non_null(find_act(p, ACT_BRIDGE_DELETE, "pve1", "vmbr1001"));
    assert_int_equal(plan_count(p, ACT_VM_DESTROY), 0);
    assert_int_equal(plan_count(p, ACT_USER_DELETE), 0);
    plan_free(p);
    cluster_view_free(cv);
    users_free(u);
    stand_free(sd);
}

/* 15a: a template on shared storage is cloned across nodes (linked, with target), no copy */
static void test_shared_storage_no_copy(void **st)
{
    (void)st;
    const char *stand = "stand: lab\nmachines:\n"
                        "  - {name: web, template_node: pve1, template_vmid: 200}\n"
                        "  - {name: db, template_node: pve1, template_vmid: 100}\n";
    struct plan *p = deploy(stand, "users: [s1@pve]\n", "remote", "pve2", base());
    assert_int_equal(p->n_problems, 0);
    const struct plan_vm *web = &p->students[0].vms[0], *db = &p->students[0].vms[1];
    assert_string_equal(web->node, "pve2");
    assert_string_equal(web->src_node, "pve1");
    assert_int_equal(web->src_vmid, 200);
    assert_int_equal(web->copy, -1);
    /* the local-disk template still needs its copy */
    assert_int_equal(db->copy, 0);
    assert_int_equal(p->n_copies, 1);
    assert_int_equal(p->copies[0].orig, 100);
    assert_int_equal(plan_count(p, ACT_TPL_COPY), 1);
    plan_free(p);
}

/* 15c: a half-made copy that already is a template (its config says so) is not converted again;
 * 15b: the copies are listed per template and node */
static void test_copy_not_converted_twice_and_listed(void **st)
{
    (void)st;
    json_t *v = base();
    char mark[256];
    mark_copy_format(mark, sizeof mark, 100, "d100", "pve2");
    json_array_append_new(json_object_get(v, "resources"),
                          json_pack("{s:s, s:i, s:s, s:s, s:i}", "type", "qemu", "vmid", 7000,
                                    "node", "pve1", "name", "tpl-100-pve2", "template", 0));
    json_object_set_new(json_object_get(v, "configs"), "7000",
                        json_pack("{s:s, s:i}", "description", mark, "template", 1));
    mark_copy_format(mark, sizeof mark, 100, "old", "pve3");
    add_vm(v, 7001, "pve1", "tpl-100-pve3", 1, json_pack("{s:s}", "description", mark));
    json_t *keep = json_incref(v);
    struct plan *p = deploy(STAND_T100, "users: [s1@pve]\n", "remote", "pve2", v);
    assert_int_equal(p->n_problems, 0);
    assert_int_equal(plan_count(p, ACT_TPL_COPY), 0);
    assert_int_equal(plan_count(p, ACT_TPL_CONVERT), 0);
    assert_int_equal(plan_count(p, ACT_TPL_MIGRATE), 1);
    assert_int_equal(p->copies[0].vmid, 7000);
    plan_free(p);

    struct cluster_view *cv = inventory_from_json(json_deep_copy(keep));
    json_decref(keep);
    struct copy_info *ci = NULL;
    size_t n = plan_list_copies(cv, &ci);
    assert_int_equal(n, 2);
    assert_int_equal(ci[0].orig, 100);
    assert_string_equal(ci[0].node, "pve1");
    assert_int_equal(ci[0].vmid, 7000);
    assert_string_equal(ci[0].for_node, "pve2");
    assert_int_equal(ci[0].is_template, 1);
    assert_int_equal(ci[0].stale, 0);
    assert_int_equal(ci[1].vmid, 7001);
    assert_string_equal(ci[1].for_node, "pve3");
    assert_int_equal(ci[1].stale, 1);
    copy_info_free(ci, n);
    cluster_view_free(cv);
}

/* 20: a class that cannot fit is refused at once with the numbers */
static void test_absurd_sizes_refused(void **st)
{
    (void)st;
    size_t n = 4000;
    char *users = malloc(n * 16 + 16);
    size_t l = (size_t)sprintf(users, "users: [");
    for (size_t i = 0; i < n; i++)
        l += (size_t)sprintf(users + l, "%ss%zu@pve", i ? ", " : "", i);
    sprintf(users + l, "]\n");
    /* 5 machines x 5 private networks: 4000 x 25 = 100000 bridges, more than vmbr1000-99999 */
    char stand[4096];
    l = (size_t)sprintf(stand, "stand: lab\nmachines:\n");
    for (int m = 0; m < 5; m++)
        l += (size_t)sprintf(stand + l,
                             "  - {name: m%d, template_node: pve1, template_vmid: 100,\n"
                             "     networks: [{bridge: a%d}, {bridge: b%d}, {bridge: c%d}, "
                             "{bridge: d%d}, {bridge: e%d}]}\n",
                             m, m, m, m, m, m);
    struct plan *p = deploy(stand, users, "local", NULL, base());
    assert_true(has_text(p->problems, p->n_problems, "need 100000 bridges"));
    assert_int_equal(p->n_acts, 0);
    plan_free(p);
    const char *small = "stand: lab\nvmid_range: 7000-7099\nmachines:\n"
                        "  - {name: web, template_node: pve1, template_vmid: 100}\n";
    p = deploy(small, users, "local", NULL, base());
    assert_true(has_text(p->problems, p->n_problems, "need 4000 VMIDs"));
    assert_int_equal(p->n_acts, 0);
    plan_free(p);
    free(users);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bridge_names_unique_across_nodes),
        cmocka_unit_test(test_bridge_names_balanced_and_same_alias),
        cmocka_unit_test(test_stale_bridges_removed),
        cmocka_unit_test(test_shared_storage_no_copy),
        cmocka_unit_test(test_copy_not_converted_twice_and_listed),
        cmocka_unit_test(test_absurd_sizes_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
