/* test_plan_sweep: the sweep plan removes the leftovers marked for the stand that no current
 * student needs, and never touches unmarked objects, other stands' or current students' objects. */
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

/* The stand now: two machines on one private network; the class: s1 and s2. */
static const char *STAND = "stand: lab\nmachines:\n"
                           "  - {name: web, template_node: pve1, template_vmid: 100,\n"
                           "     networks: [{bridge: lan}]}\n"
                           "  - {name: db, template_node: pve1, template_vmid: 100,\n"
                           "     networks: [{bridge: lan}]}\n";
static const char *USERS = "users: [s1@pve, s2@pve]\n";

static const char *BASE =
    "{\"nodes\":[{\"node\":\"pve1\",\"status\":\"online\"}],"
    "\"resources\":[{\"type\":\"qemu\",\"vmid\":100,\"node\":\"pve1\",\"name\":\"t100\","
    "\"template\":1}],"
    "\"networks\":{\"pve1\":{\"ifaces\":[{\"iface\":\"vmbr0\",\"type\":\"bridge\"}]}},"
    "\"users\":[{\"userid\":\"root@pam\"}],\"pools\":[],\"acl\":[],"
    "\"configs\":{\"100\":{\"net0\":\"virtio=BC:24:11:00:00:01,bridge=vmbr0\"}}}";

static char *mark(const char *stand, const char *student, const char *alias)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    mark_format(buf[k], sizeof buf[k], stand, student, alias, 0);
    return buf[k];
}

static void add_user(json_t *v, const char *id, const char *comment)
{
    json_t *o = json_pack("{s:s}", "userid", id);
    if (comment)
        json_object_set_new(o, "comment", json_string(comment));
    json_array_append_new(json_object_get(v, "users"), o);
}

static void add_pool(json_t *v, const char *id, const char *comment)
{
    json_t *o = json_pack("{s:s}", "poolid", id);
    if (comment)
        json_object_set_new(o, "comment", json_string(comment));
    json_array_append_new(json_object_get(v, "pools"), o);
}

static void add_bridge(json_t *v, const char *iface, const char *comment)
{
    json_t *ifs =
        json_object_get(json_object_get(json_object_get(v, "networks"), "pve1"), "ifaces");
    json_t *o = json_pack("{s:s, s:s}", "iface", iface, "type", "bridge");
    if (comment)
        json_object_set_new(o, "comments", json_string(comment));
    json_array_append_new(ifs, o);
}

/* A VM on pve1 on `bridge`, with optional pool, tags and description. */
static void add_vm(json_t *v, int vmid, const char *name, const char *pool, const char *tags,
                   const char *desc, const char *bridge)
{
    json_t *r = json_pack("{s:s, s:i, s:s, s:s, s:i, s:s}", "type", "qemu", "vmid", vmid, "node",
                          "pve1", "name", name, "template", 0, "status", "stopped");
    if (pool)
        json_object_set_new(r, "pool", json_string(pool));
    if (tags)
        json_object_set_new(r, "tags", json_string(tags));
    json_array_append_new(json_object_get(v, "resources"), r);
    char net[96], key[16];
    snprintf(net, sizeof net, "virtio=BC:24:11:00:%02X:%02X,bridge=%s", vmid / 256 % 256,
             vmid % 256, bridge);
    json_t *cfg = json_pack("{s:s}", "net0", net);
    if (desc)
        json_object_set_new(cfg, "description", json_string(desc));
    snprintf(key, sizeof key, "%d", vmid);
    json_object_set_new(json_object_get(v, "configs"), key, cfg);
}

#define TAGS "deploy-stand;ds-lab"

/* s1 is deployed as the stand says now (user, pool, web and db on vmbr1000). */
static json_t *current(void)
{
    json_t *v = json_loads(BASE, 0, NULL);
    add_user(v, "s1@pve", mark("lab", "s1@pve", NULL));
    add_pool(v, "s1", mark("lab", "s1@pve", NULL));
    json_array_append_new(json_object_get(v, "acl"),
                          json_pack("{s:s, s:s, s:s, s:s, s:i}", "path", "/pool/s1", "ugid",
                                    "s1@pve", "roleid", "PVEVMAdmin", "type", "user", "propagate",
                                    1));
    add_bridge(v, "vmbr1000", mark("lab", "s1@pve", "lan"));
    add_vm(v, 5000, "web", "s1", TAGS, mark("lab", "s1@pve", NULL), "vmbr1000");
    add_vm(v, 5001, "db", "s1", TAGS, mark("lab", "s1@pve", NULL), "vmbr1000");
    return v;
}

static struct plan *sweep(json_t *view)
{
    struct stand *st = NULL;
    struct users_list *u = NULL;
    stand_fx_load(STAND, USERS, &st, &u);
    struct cluster_view *v = inventory_from_json(view);
    /* `only` is ignored by a sweep: the whole class counts as current */
    const char *only[] = {"s2@pve"};
    struct plan_request rq = {.stand = st, .users = u, .only = only, .n_only = 1};
    struct plan *p = NULL;
    assert_int_equal(plan_sweep(&rq, v, &p), 0);
    cluster_view_free(v);
    stand_fx_free(st, u);
    return p;
}

/* The actions of kind k, as "target" (or the VM id for VM actions), sorted, comma-separated. */
static void targets(const struct plan *p, enum action_kind k, char *out, size_t len)
{
    char *items[64];
    size_t n = 0;
    for (size_t i = 0; i < p->n_acts && n < 64; i++) {
        const struct action *a = &p->acts[i];
        if (a->kind != k)
            continue;
        char buf[64];
        if (a->vm >= 0)
            snprintf(buf, sizeof buf, "%d", p->students[a->student].vms[a->vm].vmid);
        else
            snprintf(buf, sizeof buf, "%s", a->target ? a->target : a->node);
        items[n++] = strdup(buf);
    }
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(items[j - 1], items[j]) > 0; j--) {
            char *t = items[j];
            items[j] = items[j - 1];
            items[j - 1] = t;
        }
    size_t l = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        l += (size_t)snprintf(out + l, len - l, "%s%s", i ? "," : "", items[i]);
        free(items[i]);
    }
}

static void expect(const struct plan *p, enum action_kind k, const char *want)
{
    char got[512];
    targets(p, k, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("%s: got '%s', want '%s'", action_kind_name(k), got, want);
}

/* Everything marked for the stand belongs to a current student's deploy: nothing to do. */
static void test_current_students_untouched(void **st)
{
    (void)st;
    struct plan *p = sweep(current());
    assert_int_equal(p->n_problems, 0);
    assert_int_equal(p->n_acts, 0);
    plan_free(p);
}

/* Leftovers go: a student no longer in the list (s3: user, pool, VM, bridge), a machine the stand
 * no longer has (s1's 'old'), an alias it no longer has (s1's 'wan'). */
static void test_leftovers_removed(void **st)
{
    (void)st;
    json_t *v = current();
    add_vm(v, 5002, "old", "s1", TAGS, mark("lab", "s1@pve", NULL), "vmbr1000");
    add_bridge(v, "vmbr1001", mark("lab", "s1@pve", "wan"));
    add_user(v, "s3@pve", mark("lab", "s3@pve", NULL));
    add_pool(v, "s3", mark("lab", "s3@pve", NULL));
    add_vm(v, 5003, "web", "s3", TAGS, mark("lab", "s3@pve", NULL), "vmbr1002");
    add_bridge(v, "vmbr1002", mark("lab", "s3@pve", "lan"));
    /* a clone of s4 that died before it joined a pool: known by its description mark only */
    add_vm(v, 5004, "web", NULL, NULL, mark("lab", "s4@pve", NULL), "vmbr0");
    struct plan *p = sweep(v);
    assert_int_equal(p->n_problems, 0);
    expect(p, ACT_VM_DESTROY, "5002,5003,5004");
    expect(p, ACT_POOL_DELETE, "s3");
    expect(p, ACT_USER_DELETE, "s3@pve");
    expect(p, ACT_BRIDGE_DELETE, "vmbr1001,vmbr1002");
    expect(p, ACT_NET_APPLY, "pve1");
    expect(p, ACT_ACL_REVOKE, "");
    /* the current students are in the plan, kept; s3 and s4 joined from their marks */
    assert_int_equal(p->n_students, 4);
    assert_true(p->students[0].keep && p->students[1].keep);
    assert_false(p->students[2].keep || p->students[3].keep);
    plan_free(p);
}

/* Objects without the stand's marks are never touched, whatever their names, pools or tags. */
static void test_unmarked_untouched(void **st)
{
    (void)st;
    json_t *v = current();
    add_user(v, "s3@pve", NULL);                          /* no mark */
    add_user(v, "s5@pve", mark("other", "s5@pve", NULL)); /* another stand's */
    add_pool(v, "s3", "made by hand");
    add_pool(v, "s5", mark("other", "s5@pve", NULL));
    add_vm(v, 6000, "old", "s1", NULL, NULL, "vmbr0"); /* put into s1's pool by hand */
    add_vm(v, 6001, "web", "s5", "deploy-stand;ds-other", mark("other", "s5@pve", NULL), "vmbr0");
    add_vm(v, 6002, "web", "s3", "ds-lab", NULL, "vmbr0"); /* our tag, no mark, foreign pool */
    add_bridge(v, "vmbr1005", mark("other", "s5@pve", "lan"));
    add_bridge(v, "vmbr1006", "lan of s3, by hand");
    /* a template copy: shared infrastructure, no stand's */
    char copy[256];
    mark_copy_format(copy, sizeof copy, 100, "d100", "pve1");
    add_vm(v, 7000, "tpl-100-pve1", NULL, "deploy-stand;ds-template-copy", copy, "vmbr0");
    struct plan *p = sweep(v);
    assert_int_equal(p->n_problems, 0);
    if (p->n_acts)
        fail_msg("sweep plans '%s'", p->acts[0].summary);
    plan_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_current_students_untouched),
        cmocka_unit_test(test_leftovers_removed),
        cmocka_unit_test(test_unmarked_untouched),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
