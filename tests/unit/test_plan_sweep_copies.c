/* test_plan_sweep_copies: the VMs linked to a template copy (same node, dir qcow2 paths, shared
 * storage across nodes, unread configs), and `sweep --templates`: only unlinked, finished, unlocked
 * copies go; a foreign clone of a copy (it carries the copy's description) is no copy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config/stand.h"
#include "inventory/inventory.h"
#include "plan/marks.h"
#include "plan/plan.h"
#include "plan/plan_sweep_copies.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *BASE =
    "{\"nodes\":[{\"node\":\"pve1\",\"status\":\"online\"},{\"node\":\"pve2\",\"status\":"
    "\"online\"}],\"resources\":[],\"networks\":{},\"users\":[],\"pools\":[],\"acl\":[],"
    "\"storages\":[{\"storage\":\"local-lvm\",\"node\":\"pve1\",\"shared\":0},"
    "{\"storage\":\"local-lvm\",\"node\":\"pve2\",\"shared\":0},"
    "{\"storage\":\"local\",\"node\":\"pve1\",\"shared\":0},"
    "{\"storage\":\"ceph\",\"node\":\"pve1\",\"shared\":1},"
    "{\"storage\":\"ceph\",\"node\":\"pve2\",\"shared\":1}],\"configs\":{}}";

/* A VM; cfg NULL: its config was not read. */
static void add_vm(json_t *v, int vmid, const char *node, const char *name, int tpl, json_t *cfg)
{
    json_array_append_new(json_object_get(v, "resources"),
                          json_pack("{s:s, s:i, s:s, s:s, s:i}", "type", "qemu", "vmid", vmid,
                                    "node", node, "name", name, "template", tpl));
    if (cfg) {
        char id[16];
        snprintf(id, sizeof id, "%d", vmid);
        json_object_set_new(json_object_get(v, "configs"), id, cfg);
    }
}

static json_t *copy_cfg(int orig, const char *node, const char *disk)
{
    char mark[256];
    mark_copy_format(mark, sizeof mark, orig, "d", node);
    return json_pack("{s:s, s:s, s:s, s:i}", "description", mark, "tags",
                     "deploy-stand;" MARK_COPY_TAG, "scsi0", disk, "template", 1);
}

static struct cluster_view *view(json_t *v)
{
    return inventory_from_json(v);
}

static json_t *base(void)
{
    return json_loads(BASE, 0, NULL);
}

static void test_links(void **st)
{
    (void)st;
    json_t *v = base();
    add_vm(v, 7000, "pve1", "tpl-100-pve1", 1, copy_cfg(100, "pve1", "local-lvm:base-7000-disk-0"));
    add_vm(v, 7001, "pve1", "tpl-101-pve1", 1,
           copy_cfg(101, "pve1", "local:7001/base-7001-disk-0.qcow2"));
    add_vm(v, 7002, "pve1", "tpl-102-pve1", 1, copy_cfg(102, "pve1", "ceph:base-7002-disk-0"));
    /* linked: lvmthin on the same node, a dir qcow2 path, an unused disk, rbd from pve2 */
    add_vm(v, 5000, "pve1", "a", 0,
           json_pack("{s:s}", "scsi0", "local-lvm:base-7000-disk-0/vm-5000-disk-0,size=8G"));
    add_vm(v, 5001, "pve1", "b", 0,
           json_pack("{s:s}", "unused0",
                     "local:7001/base-7001-disk-0.qcow2/5001/vm-5001-disk-0.qcow2"));
    add_vm(v, 5002, "pve2", "c", 0,
           json_pack("{s:s}", "virtio0", "ceph:base-7002-disk-0/vm-5002-disk-0"));
    /* not linked: a full clone, a volume named like the base on another node's local storage,
     * a base of 70000 */
    add_vm(v, 5003, "pve1", "d", 0, json_pack("{s:s}", "scsi0", "local-lvm:vm-5003-disk-0"));
    add_vm(v, 5004, "pve2", "e", 0,
           json_pack("{s:s}", "scsi0", "local-lvm:base-7000-disk-0/vm-5004-disk-0"));
    add_vm(v, 5005, "pve1", "f", 0,
           json_pack("{s:s}", "scsi0", "local-lvm:base-70000-disk-0/vm-5005-disk-0"));
    struct cluster_view *cv = view(v);
    int unknown = -1;
    assert_int_equal(plan_copy_links(cv, inv_vm_find(cv, 7000), &unknown), 1);
    assert_int_equal(unknown, 0);
    assert_int_equal(plan_copy_links(cv, inv_vm_find(cv, 7001), &unknown), 1);
    assert_int_equal(plan_copy_links(cv, inv_vm_find(cv, 7002), &unknown), 1);
    cluster_view_free(cv);

    /* an unread config on the copy's node: unknown; on another node: only matters when shared */
    v = base();
    add_vm(v, 7000, "pve1", "tpl-100-pve1", 1, copy_cfg(100, "pve1", "local-lvm:base-7000-disk-0"));
    add_vm(v, 6000, "pve2", "x", 0, NULL);
    cv = view(v);
    assert_int_equal(plan_copy_links(cv, inv_vm_find(cv, 7000), &unknown), 0);
    assert_int_equal(unknown, 0);
    cluster_view_free(cv);
    v = base();
    add_vm(v, 7002, "pve1", "tpl-102-pve1", 1, copy_cfg(102, "pve1", "ceph:base-7002-disk-0"));
    add_vm(v, 6000, "pve2", "x", 0, NULL);
    cv = view(v);
    assert_int_equal(plan_copy_links(cv, inv_vm_find(cv, 7002), &unknown), 0);
    assert_int_equal(unknown, 1);
    cluster_view_free(cv);
}

static const struct action *destroy_of(const struct plan *p, int vmid)
{
    for (size_t i = 0; i < p->n_acts; i++)
        if (p->acts[i].kind == ACT_VM_DESTROY && p->acts[i].copy >= 0 &&
            p->copies[p->acts[i].copy].vmid == vmid)
            return &p->acts[i];
    return NULL;
}

static void test_sweep_copies(void **st)
{
    (void)st;
    json_t *v = base();
    add_vm(v, 7000, "pve1", "tpl-100-pve1", 1, copy_cfg(100, "pve1", "local-lvm:base-7000-disk-0"));
    add_vm(v, 7001, "pve1", "tpl-101-pve1", 1, copy_cfg(101, "pve1", "local-lvm:base-7001-disk-0"));
    /* half-made (not a template yet) and a foreign linked clone that inherited the copy mark */
    json_t *half = copy_cfg(102, "pve2", "local-lvm:vm-7002-disk-0");
    json_object_set_new(half, "template", json_integer(0));
    add_vm(v, 7002, "pve1", "tpl-102-pve2", 0, half);
    json_t *foreign = copy_cfg(101, "pve1", "local-lvm:base-7001-disk-0/vm-9000-disk-0");
    json_object_set_new(foreign, "template", json_integer(0));
    add_vm(v, 9000, "pve1", "foreign", 0, foreign);
    struct cluster_view *cv = view(v);
    struct copy_info *ci = NULL;
    size_t n = plan_list_copies(cv, &ci);
    assert_int_equal(n, 3); /* 7000, 7001, 7002; the foreign clone is no copy */
    assert_int_equal(ci[1].vmid, 7001);
    assert_int_equal(ci[1].links, 1);
    copy_info_free(ci, n);
    struct stand sd = {.name = "lab"};
    struct plan_request rq = {.stand = &sd};
    struct plan *p = NULL;
    assert_int_equal(plan_sweep_copies(&rq, cv, &p), 0);
    assert_int_equal(p->n_acts, 1);
    const struct action *a = destroy_of(p, 7000);
    assert_non_null(a);
    assert_string_equal(a->node, "pve1");
    assert_int_equal(a->only_marked, 1);
    assert_int_equal(p->copies[a->copy].orig, 100);
    assert_null(destroy_of(p, 7001));
    assert_null(destroy_of(p, 7002));
    assert_int_equal(p->n_notes, 2);
    plan_free(p);
    cluster_view_free(cv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_links),
        cmocka_unit_test(test_sweep_copies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
