/* test_plan_lifecycle: the class lifecycle in the pure planner (baseline snapshots in a deploy, the
 * managed role, expiry, power, reset to the baseline, named snapshots) on fixture views. */
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
#include "util/err.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* web on lvmthin, client on a raw file of a dir storage, router on a qcow2 file of it */
#define MACHINES                                                                                   \
    "machines:\n"                                                                                  \
    "  - {name: web, template_node: pve1, template_vmid: 100, networks: [{bridge: lan}]}\n"        \
    "  - {name: client, template_node: pve1, template_vmid: 101, networks: [{bridge: lan}]}\n"     \
    "  - {name: router, template_node: pve1, template_vmid: 102, networks: [{bridge: lan}]}\n"

static const char *STAND = "stand: lab\nstart_order: [router, web]\n" MACHINES;
static const char *USERS = "users: [s1@pve, s2@pve]\n";

#define DISK_LVM "local-lvm:vm-%d-disk-0,size=8G"
#define DISK_RAW "local:%d/vm-%d-disk-0.raw,size=8G"
#define DISK_QCOW "local:%d/vm-%d-disk-0.qcow2,size=8G"

/* A cluster with templates 100 (lvmthin), 101 (dir, raw) and 102 (dir, qcow2) on pve1; the
 * storages' plugin types only when `typed`. */
static json_t *base_view(int typed)
{
    json_t *v = json_pack(
        "{s:[{s:s, s:s}], s:[], s:{s:{s:[{s:s, s:s}]}}, s:[{s:s}], s:[], s:[], s:{}, s:[]}",
        "nodes", "node", "pve1", "status", "online", "resources", "networks", "pve1", "ifaces",
        "iface", "vmbr0", "type", "bridge", "users", "userid", "root@pam", "pools", "acl",
        "configs", "storages");
    json_t *st = json_object_get(v, "storages");
    json_array_append_new(
        st, json_pack("{s:s, s:s, s:i}", "storage", "local-lvm", "node", "pve1", "shared", 0));
    json_array_append_new(
        st, json_pack("{s:s, s:s, s:i}", "storage", "local", "node", "pve1", "shared", 0));
    if (typed) {
        json_object_set_new(json_array_get(st, 0), "plugintype", json_string("lvmthin"));
        json_object_set_new(json_array_get(st, 1), "plugintype", json_string("dir"));
    }
    const char *keys[] = {"scsi0", "scsi0", "sata0"}, *disks[] = {DISK_LVM, DISK_RAW, DISK_QCOW};
    for (int i = 0; i < 3; i++) {
        int id = 100 + i;
        json_array_append_new(json_object_get(v, "resources"),
                              json_pack("{s:s, s:i, s:s, s:s, s:i, s:s}", "type", "qemu", "vmid",
                                        id, "node", "pve1", "name", "tpl", "template", 1, "status",
                                        "stopped"));
        char key[16], net[128], disk[128];
        snprintf(disk, sizeof disk, disks[i], id, id);
        snprintf(key, sizeof key, "%d", id);
        snprintf(net, sizeof net, "virtio=BC:24:11:00:00:%02d,bridge=vmbr0", i);
        json_object_set_new(json_object_get(v, "configs"), key,
                            json_pack("{s:s, s:s}", "net0", net, keys[i], disk));
    }
    return v;
}

struct fvm {
    int vmid;
    const char *name, *student, *status, *parent; /* parent NULL: no snapshot */
    const char *disk;                             /* DISK_* */
    const char *tags;                             /* NULL: "deploy-stand;ds-lab" */
    const char *mark_stand;                       /* NULL: lab; "" no description mark */
    int no_pool;
};

/* Adds a student's VM (in the student's pool, with its marks) to the view. */
static void add_vm(json_t *v, const struct fvm *f)
{
    char pool[64], mark[256], disk[128], key[16];
    snprintf(pool, sizeof pool, "%.*s", (int)strcspn(f->student, "@"), f->student);
    json_t *r = json_pack("{s:s, s:i, s:s, s:s, s:i, s:s, s:s}", "type", "qemu", "vmid", f->vmid,
                          "node", "pve1", "name", f->name, "template", 0, "status", f->status,
                          "tags", f->tags ? f->tags : "deploy-stand;ds-lab");
    if (!f->no_pool)
        json_object_set_new(r, "pool", json_string(pool));
    json_array_append_new(json_object_get(v, "resources"), r);
    json_t *cfg = json_object();
    if (!f->mark_stand || f->mark_stand[0]) {
        mark_format(mark, sizeof mark, f->mark_stand ? f->mark_stand : "lab", f->student, NULL, 0);
        json_object_set_new(cfg, "description", json_string(mark));
    }
    snprintf(disk, sizeof disk, f->disk ? f->disk : DISK_LVM, f->vmid, f->vmid);
    json_object_set_new(cfg, "scsi0", json_string(disk));
    if (f->parent)
        json_object_set_new(cfg, "parent", json_string(f->parent));
    snprintf(key, sizeof key, "%d", f->vmid);
    json_object_set_new(json_object_get(v, "configs"), key, cfg);
}

/* s1: web running (baseline), client stopped (baseline, raw disk), router stopped (none);
 * s2: web stopped (baseline), client running (a later snapshot: baseline unknown), router running
 * (baseline); and three VMs named web in s1's pool that are not this stand's. */
static json_t *class_view(void)
{
    json_t *v = base_view(1);
    const struct fvm vms[] = {
        {5000, "web", "s1@pve", "running", "start", NULL, NULL, NULL, 0},
        {5001, "client", "s1@pve", "stopped", "start", DISK_RAW, NULL, NULL, 0},
        {5002, "router", "s1@pve", "stopped", NULL, NULL, NULL, NULL, 0},
        {5010, "web", "s2@pve", "stopped", "start", NULL, NULL, NULL, 0},
        {5011, "client", "s2@pve", "running", "exam", NULL, NULL, NULL, 0},
        {5012, "router", "s2@pve", "running", "start", NULL, NULL, NULL, 1}, /* mark only */
        {6000, "web", "s1@pve", "stopped", "start", NULL, "", "", 0},        /* no marks */
        {6001, "web", "s1@pve", "stopped", "start", NULL, "deploy-stand;ds-other", "other", 0},
        {6002, "web", "s1@pve", "running", "start", NULL, "", "other", 1},
    };
    for (size_t i = 0; i < sizeof vms / sizeof vms[0]; i++)
        add_vm(v, &vms[i]);
    return v;
}

struct fx {
    struct stand *stand;
    struct users_list *users;
    struct cluster_view *view;
};

static struct fx *fx_new(const char *stand, json_t *view)
{
    struct fx *f = calloc(1, sizeof *f);
    struct diag_list d = {0};
    if (stand_load_text("lab.yml", stand, strlen(stand), &f->stand, &d) != 0) {
        diag_print(&d, stderr);
        fail_msg("stand fixture");
    }
    assert_int_equal(users_load_text("users.yml", USERS, strlen(USERS), &f->users, &d), 0);
    diag_list_clear(&d);
    f->view = inventory_from_json(view);
    return f;
}

static void fx_free(struct fx *f)
{
    stand_free(f->stand);
    users_free(f->users);
    cluster_view_free(f->view);
    free(f);
}

static struct plan_request req(const struct fx *f)
{
    return (struct plan_request){.stand = f->stand, .users = f->users, .strategy = "local"};
}

static const struct action *act_of(const struct plan *p, enum action_kind k, int vmid)
{
    for (size_t i = 0; i < p->n_acts; i++) {
        const struct action *a = &p->acts[i];
        if (a->kind == k && a->student >= 0 && a->vm >= 0 &&
            p->students[a->student].vms[a->vm].vmid == vmid)
            return a;
    }
    return NULL;
}

static int depends_on(const struct action *a, const struct action *dep)
{
    for (size_t i = 0; a && dep && i < a->n_deps; i++)
        if (a->deps[i] == dep->id)
            return 1;
    return 0;
}

static int has_note(const struct plan *p, const char *frag)
{
    for (size_t i = 0; i < p->n_notes; i++)
        if (strstr(p->notes[i], frag))
            return 1;
    return 0;
}

/* No action of the plan touches a VM outside [5000, 5999] (the foreign ones are 6000+). */
static void assert_only_ours(const struct plan *p)
{
    for (size_t i = 0; i < p->n_acts; i++) {
        const struct action *a = &p->acts[i];
        if (a->student >= 0 && a->vm >= 0)
            assert_true(p->students[a->student].vms[a->vm].vmid < 6000);
    }
}

/* ---- deploy ---------------------------------------------------------------------------- */

static struct plan *deploy(struct fx *f)
{
    struct plan_request rq = req(f);
    struct plan *p = NULL;
    assert_int_equal(plan_deploy(&rq, f->view, &p), 0);
    if (p->n_problems)
        fail_msg("problem: %s", p->problems[0]);
    return p;
}

/* A new class: a baseline per VM whose storage takes snapshots, after its configure step. */
static void test_deploy_baseline(void **st)
{
    (void)st;
    struct fx *f = fx_new(STAND, base_view(1));
    struct plan *p = deploy(f);
    assert_int_equal(plan_count(p, ACT_VM_SNAPSHOT), 4); /* web and router of both */
    for (size_t s = 0; s < p->n_students; s++)
        for (size_t m = 0; m < p->students[s].n_vms; m++) {
            const struct plan_vm *pv = &p->students[s].vms[m];
            const struct action *snap = act_of(p, ACT_VM_SNAPSHOT, pv->vmid);
            if (strcmp(pv->name, "client") == 0) {
                assert_null(snap);
                assert_int_equal(pv->baseline, 0);
                continue;
            }
            assert_non_null(snap);
            assert_string_equal(snap->target, "start");
            assert_int_equal(snap->if_missing, 0); /* a new clone has no snapshot */
            assert_true(mark_is(snap->comment, "lab", p->students[s].userid));
            assert_true(depends_on(snap, act_of(p, ACT_VM_CONFIGURE, pv->vmid)));
            assert_int_equal(pv->baseline, 1);
        }
    assert_true(has_note(p, "machine 'client': local (dir) cannot take snapshots"));
    plan_free(p);
    fx_free(f);

    f = fx_new("stand: lab\nbaseline: false\n" MACHINES, base_view(1));
    p = deploy(f);
    assert_int_equal(plan_count(p, ACT_VM_SNAPSHOT), 0);
    assert_false(has_note(p, "snapshot"));
    plan_free(p);
    fx_free(f);

    /* storages of unknown type: no baseline, and a note that says why */
    f = fx_new(STAND, base_view(0));
    p = deploy(f);
    assert_int_equal(plan_count(p, ACT_VM_SNAPSHOT), 0);
    assert_true(has_note(p, "the type of storage local-lvm is unknown"));
    plan_free(p);
    fx_free(f);
}

/* A re-run: an existing baseline is left alone, a missing one is made. */
static void test_deploy_keeps_existing_baseline(void **st)
{
    (void)st;
    struct fx *f = fx_new(STAND, class_view());
    struct plan *p = deploy(f);
    assert_int_equal(plan_count(p, ACT_VM_CLONE), 0);
    assert_null(act_of(p, ACT_VM_SNAPSHOT, 5000)); /* parent: start */
    assert_null(act_of(p, ACT_VM_SNAPSHOT, 5010));
    assert_null(act_of(p, ACT_VM_SNAPSHOT, 5001)); /* raw disk */
    const struct action *a = act_of(p, ACT_VM_SNAPSHOT, 5002);
    assert_non_null(a); /* no snapshot at all */
    assert_int_equal(a->if_missing, 0);
    a = act_of(p, ACT_VM_SNAPSHOT, 5011); /* only a later snapshot is known: look first */
    assert_non_null(a);
    assert_int_equal(a->if_missing, 1);
    assert_int_equal(plan_count(p, ACT_VM_SNAPSHOT), 2);
    plan_free(p);
    fx_free(f);

    /* the snapshot lists, when read, decide */
    json_t *v = class_view();
    json_object_set_new(v, "snapshots",
                        json_pack("{s:[{s:s},{s:s},{s:s}], s:[{s:s}]}", "5011", "name", "start",
                                  "name", "exam", "name", "current", "5000", "name", "current"));
    f = fx_new(STAND, v);
    p = deploy(f);
    assert_null(act_of(p, ACT_VM_SNAPSHOT, 5011));
    a = act_of(p, ACT_VM_SNAPSHOT, 5000); /* its list says it has none, whatever the config says */
    assert_non_null(a);
    assert_int_equal(a->if_missing, 0);
    plan_free(p);
    fx_free(f);
}

static int count_grants(const struct plan *p, const char *role)
{
    int n = 0;
    for (size_t i = 0; i < p->n_acts; i++)
        n += p->acts[i].kind == ACT_ACL_GRANT && strcmp(p->acts[i].role, role) == 0;
    return n;
}

/* student_role: DeployStandStudent: the role is ensured before the grants that use it. */
static void test_deploy_managed_role(void **st)
{
    (void)st;
    const char *stand = "stand: lab\nstudent_role: DeployStandStudent\n" MACHINES;
    struct fx *f = fx_new(stand, base_view(1));
    struct plan *p = deploy(f);
    assert_int_equal(plan_count(p, ACT_ROLE_ENSURE), 1);
    const struct action *role = NULL;
    for (size_t i = 0; i < p->n_acts; i++)
        if (p->acts[i].kind == ACT_ROLE_ENSURE)
            role = &p->acts[i];
    assert_string_equal(role->role, "DeployStandStudent");
    assert_string_equal(role->target, PLAN_MANAGED_ROLE_PRIVS);
    assert_null(strstr(role->target, "VM.Config"));
    assert_null(strstr(role->target, "VM.Snapshot,")); /* rollback only */
    assert_int_equal(count_grants(p, "DeployStandStudent"), 2);
    for (size_t i = 0; i < p->n_acts; i++)
        if (p->acts[i].kind == ACT_ACL_GRANT)
            assert_true(depends_on(&p->acts[i], role));
    plan_free(p);
    fx_free(f);

    /* the role is there with every privilege: nothing to do; one missing: ensure it */
    const char *privs[] = {PLAN_MANAGED_ROLE_PRIVS, "VM.Audit,VM.Console,VM.PowerMgmt"};
    for (int k = 0; k < 2; k++) {
        json_t *v = base_view(1);
        json_object_set_new(v, "roles",
                            json_pack("[{s:s, s:s}, {s:s, s:s}]", "roleid", "PVEVMAdmin", "privs",
                                      "VM.Audit", "roleid", "DeployStandStudent", "privs",
                                      privs[k]));
        f = fx_new(stand, v);
        p = deploy(f);
        assert_int_equal(plan_count(p, ACT_ROLE_ENSURE), (size_t)k);
        plan_free(p);
        fx_free(f);
    }

    /* a class deployed with PVEVMAdmin moves to the managed role: granted, the old one revoked */
    json_t *v = class_view();
    json_array_append_new(json_object_get(v, "pools"),
                          json_pack("{s:s, s:s}", "poolid", "s1", "comment",
                                    "deploy-stand stand=lab student=s1@pve"));
    json_array_append_new(json_object_get(v, "acl"),
                          json_pack("{s:s, s:s, s:s, s:s, s:i}", "path", "/pool/s1", "ugid",
                                    "s1@pve", "roleid", "PVEVMAdmin", "type", "user", "propagate",
                                    1));
    f = fx_new(stand, v);
    p = deploy(f);
    assert_int_equal(plan_count(p, ACT_ACL_REVOKE), 1);
    for (size_t i = 0; i < p->n_acts; i++)
        if (p->acts[i].kind == ACT_ACL_REVOKE) {
            assert_string_equal(p->acts[i].role, "PVEVMAdmin");
            assert_string_equal(p->acts[i].target, "/pool/s1");
        }
    plan_free(p);
    fx_free(f);
}

static void test_deploy_expiry(void **st)
{
    (void)st;
    const char *stand = "stand: lab\nexpires: 2025-06-30\n" MACHINES;
    json_t *v = base_view(1);
    json_array_append_new(json_object_get(v, "users"),
                          json_pack("{s:s, s:s, s:i}", "userid", "s2@pve", "comment",
                                    "deploy-stand stand=lab student=s2@pve", "expire", 0));
    struct fx *f = fx_new(stand, v);
    struct plan *p = deploy(f);
    assert_int_equal(plan_count(p, ACT_USER_CREATE), 1);
    for (size_t i = 0; i < p->n_acts; i++) {
        const struct action *a = &p->acts[i];
        if (a->kind == ACT_USER_CREATE || a->kind == ACT_USER_EXPIRE)
            assert_int_equal(a->expire, 1751328000);
        if (a->kind == ACT_USER_EXPIRE)
            assert_string_equal(a->target, "s2@pve");
    }
    assert_int_equal(plan_count(p, ACT_USER_EXPIRE), 1);
    plan_free(p);
    fx_free(f);

    /* the expiry is right already: nothing; a user that is not ours: left alone, with a note */
    const char *comment[] = {"deploy-stand stand=lab student=s2@pve", "the teacher's"};
    for (int k = 0; k < 2; k++) {
        v = base_view(1);
        json_array_append_new(json_object_get(v, "users"),
                              json_pack("{s:s, s:s, s:I}", "userid", "s2@pve", "comment",
                                        comment[k], "expire", (json_int_t)1751328000 - k));
        f = fx_new(stand, v);
        p = deploy(f);
        assert_int_equal(plan_count(p, ACT_USER_EXPIRE), 0);
        assert_int_equal(has_note(p, "its expiry is left alone"), k);
        plan_free(p);
        fx_free(f);
    }
}

/* ---- power ----------------------------------------------------------------------------- */

static struct plan *power(struct fx *f, struct plan_request *rq, enum power_op op)
{
    struct plan *p = NULL;
    assert_int_equal(plan_power(rq, f->view, op, &p), 0);
    assert_int_equal(p->kind, PLAN_LIFECYCLE);
    assert_int_equal(p->n_problems, 0);
    assert_only_ours(p);
    return p;
}

static void test_power_start(void **st)
{
    (void)st;
    struct fx *f = fx_new(STAND, class_view());
    struct plan_request rq = req(f);
    struct plan *p = power(f, &rq, POWER_START);
    /* only the stopped ones of this stand: s1's client and router, s2's web */
    assert_int_equal(p->n_acts, 3);
    assert_int_equal(plan_count(p, ACT_VM_START), 3);
    const struct action *router = act_of(p, ACT_VM_START, 5002);
    const struct action *client = act_of(p, ACT_VM_START, 5001);
    assert_non_null(router);
    assert_non_null(act_of(p, ACT_VM_START, 5010));
    assert_true(depends_on(client, router)); /* start_order: router, web, then the others */
    assert_int_equal(router->n_deps, 0);
    plan_free(p);

    /* start_order chains the named machines: web after router */
    rq.only = (const char *const[]){"s1@pve"};
    rq.n_only = 1;
    json_t *v = class_view();
    json_t *res = json_object_get(v, "resources");
    for (size_t i = 0; i < json_array_size(res); i++)
        json_object_set_new(json_array_get(res, i), "status", json_string("stopped"));
    struct fx *g = fx_new(STAND, v);
    rq.stand = g->stand;
    rq.users = g->users;
    p = power(g, &rq, POWER_START);
    assert_int_equal(p->n_acts, 3);
    const struct action *web = act_of(p, ACT_VM_START, 5000);
    router = act_of(p, ACT_VM_START, 5002);
    client = act_of(p, ACT_VM_START, 5001);
    assert_true(depends_on(web, router));
    assert_true(depends_on(client, router) && depends_on(client, web));
    assert_false(depends_on(router, web));
    plan_free(p);
    fx_free(g);
    fx_free(f);
}

static void test_power_stop_shutdown_reboot(void **st)
{
    (void)st;
    struct fx *f = fx_new(STAND, class_view());
    struct plan_request rq = req(f);
    struct plan *p = power(f, &rq, POWER_STOP);
    assert_int_equal(p->n_acts, 3); /* the running ones: 5000, 5011, 5012 */
    assert_non_null(act_of(p, ACT_VM_STOP, 5000));
    assert_non_null(act_of(p, ACT_VM_STOP, 5011));
    assert_non_null(act_of(p, ACT_VM_STOP, 5012));
    plan_free(p);

    rq.shutdown_timeout_s = 30;
    p = power(f, &rq, POWER_SHUTDOWN);
    assert_int_equal(plan_count(p, ACT_VM_SHUTDOWN), 3);
    assert_int_equal(p->n_acts, 3);
    assert_int_equal(act_of(p, ACT_VM_SHUTDOWN, 5012)->timeout_s, 30);
    plan_free(p);

    p = power(f, &rq, POWER_REBOOT);
    assert_int_equal(plan_count(p, ACT_VM_REBOOT), 3);
    assert_int_equal(p->n_acts, 3);
    assert_true(has_note(p, "VM 5010 'web' of s2@pve is not running: not rebooted"));
    plan_free(p);
    fx_free(f);
}

static void test_power_vm_filter(void **st)
{
    (void)st;
    struct fx *f = fx_new(STAND, class_view());
    struct plan_request rq = req(f);
    rq.only_vm = "ROUTER";
    struct plan *p = power(f, &rq, POWER_START);
    assert_int_equal(p->n_acts, 1);
    assert_non_null(act_of(p, ACT_VM_START, 5002));
    assert_int_equal(p->students[0].n_vms, 1);
    plan_free(p);

    rq.only_vm = "db"; /* not a machine of the stand: refused, nothing planned */
    p = (struct plan *)1;
    assert_int_equal(plan_power(&rq, f->view, POWER_START, &p), -1);
    assert_null(p);
    assert_non_null(strstr(ds_err_last(), "no machine 'db'"));

    /* the connection's user lacks VM.PowerMgmt: a problem, no action */
    rq.only_vm = NULL;
    rq.api_user = "teacher@pve";
    json_t *v = class_view();
    json_object_set_new(v, "permissions", json_pack("{s:{s:i}}", "/", "VM.Audit", 1));
    struct fx *g = fx_new(STAND, v);
    assert_int_equal(plan_power(&rq, g->view, POWER_STOP, &p), 0);
    assert_int_equal(p->n_problems, 1);
    assert_non_null(strstr(p->problems[0], "lacks VM.PowerMgmt on /vms"));
    assert_int_equal(p->n_acts, 0);
    plan_free(p);
    fx_free(g);
    fx_free(f);
}

/* ---- reset and snapshots ---------------------------------------------------------------- */

static void test_reset_baseline(void **st)
{
    (void)st;
    struct fx *f = fx_new(STAND, class_view());
    struct plan_request rq = req(f);
    struct plan *p = NULL;
    assert_int_equal(plan_reset_baseline(&rq, f->view, &p), 0);
    assert_only_ours(p);
    /* rollbacks only: no clone, stop or destroy */
    assert_int_equal(plan_count(p, ACT_VM_ROLLBACK), 4);
    assert_int_equal(p->n_acts, 4);
    /* the power state is kept */
    assert_int_equal(act_of(p, ACT_VM_ROLLBACK, 5000)->start, 1);
    assert_int_equal(act_of(p, ACT_VM_ROLLBACK, 5001)->start, 0);
    assert_int_equal(act_of(p, ACT_VM_ROLLBACK, 5010)->start, 0);
    assert_int_equal(act_of(p, ACT_VM_ROLLBACK, 5012)->start, 1);
    assert_string_equal(act_of(p, ACT_VM_ROLLBACK, 5012)->target, "start");
    /* without a baseline (or not known to have one): reported, for a re-clone */
    assert_null(act_of(p, ACT_VM_ROLLBACK, 5002));
    assert_null(act_of(p, ACT_VM_ROLLBACK, 5011));
    assert_true(has_note(p, "VM 5002 'router' of s1@pve has no baseline snapshot 'start'"));
    assert_true(has_note(p, "VM 5011 'client' of s2@pve has the baseline"));
    assert_int_equal(p->students[0].reclone, 1);
    assert_int_equal(p->students[1].reclone, 1);
    for (size_t s = 0; s < 2; s++)
        for (size_t i = 0; i < p->students[s].n_vms; i++) {
            const struct plan_vm *pv = &p->students[s].vms[i];
            assert_int_equal(pv->baseline, pv->vmid == 5002 ? 0 : pv->vmid == 5011 ? -1 : 1);
        }
    plan_free(p);

    /* --start: every VM started after its rollback, in start_order */
    rq.start = 1;
    rq.only = (const char *const[]){"s2@pve"};
    rq.n_only = 1;
    assert_int_equal(plan_reset_baseline(&rq, f->view, &p), 0);
    assert_int_equal(p->n_acts, 2);
    assert_int_equal(act_of(p, ACT_VM_ROLLBACK, 5010)->start, 1);
    assert_true(depends_on(act_of(p, ACT_VM_ROLLBACK, 5010), act_of(p, ACT_VM_ROLLBACK, 5012)));
    assert_int_equal(p->students[0].reclone, 1);
    plan_free(p);
    fx_free(f);
}

static void test_reset_edges(void **st)
{
    (void)st;
    /* a stand without a baseline cannot be reset to it */
    struct fx *f = fx_new("stand: lab\nbaseline: false\n" MACHINES, class_view());
    struct plan_request rq = req(f);
    struct plan *p = (struct plan *)1;
    assert_int_equal(plan_reset_baseline(&rq, f->view, &p), -1);
    assert_null(p);
    fx_free(f);

    /* a student with every baseline (read from the lists) and no VM missing needs no re-clone;
     * one whose router is gone does */
    json_t *v = class_view();
    json_object_set_new(
        v, "snapshots",
        json_pack("{s:[{s:s}], s:[{s:s}]}", "5011", "name", "start", "5002", "name", "start"));
    json_t *res = json_object_get(v, "resources");
    for (size_t i = 0; i < json_array_size(res); i++)
        if (json_integer_value(json_object_get(json_array_get(res, i), "vmid")) == 5012)
            json_array_remove(res, i);
    f = fx_new(STAND, v);
    rq = req(f);
    assert_int_equal(plan_reset_baseline(&rq, f->view, &p), 0);
    assert_int_equal(p->students[0].reclone, 0);
    assert_int_equal(p->students[1].reclone, 1);
    assert_non_null(act_of(p, ACT_VM_ROLLBACK, 5011));
    assert_true(has_note(p, "s2@pve has no VM 'router' of this stand"));
    plan_free(p);
    fx_free(f);
}

static void test_snapshot_names(void **st)
{
    (void)st;
    struct fx *f = fx_new(STAND, class_view());
    struct plan_request rq = req(f);
    const char *bad[] = {
        "1abc", "current", "", "a b", "x", "a2345678901234567890123456789012345678901", NULL};
    for (int i = 0; bad[i]; i++) {
        struct plan *p = (struct plan *)1;
        assert_int_equal(plan_snapshot(&rq, f->view, SNAPSHOT_CREATE, bad[i], &p), -1);
        assert_null(p);
        assert_non_null(strstr(ds_err_last(), "is not a valid snapshot name"));
    }
    struct plan *p = NULL;
    assert_int_equal(plan_snapshot(&rq, f->view, SNAPSHOT_CREATE, NULL, &p), -1);
    assert_null(p);
    fx_free(f);
}

static void test_snapshot_ops(void **st)
{
    (void)st;
    struct fx *f = fx_new(STAND, class_view());
    struct plan_request rq = req(f);
    struct plan *p = NULL;
    /* create: everywhere it is missing and the storage can take it (5001 is on a raw file) */
    assert_int_equal(plan_snapshot(&rq, f->view, SNAPSHOT_CREATE, "exam", &p), 0);
    assert_only_ours(p);
    assert_int_equal(plan_count(p, ACT_VM_SNAPSHOT), 4);
    assert_int_equal(p->n_acts, 4);
    assert_null(act_of(p, ACT_VM_SNAPSHOT, 5001));
    assert_null(act_of(p, ACT_VM_SNAPSHOT, 5011)); /* parent: exam */
    assert_int_equal(act_of(p, ACT_VM_SNAPSHOT, 5002)->if_missing, 0);
    assert_int_equal(act_of(p, ACT_VM_SNAPSHOT, 5000)->if_missing, 1);
    assert_true(has_note(p, "VM 5001 'client' of s1@pve: local (dir) cannot take snapshots"));
    plan_free(p);

    /* delete: where it is (or may be), never where it is known to be missing */
    assert_int_equal(plan_snapshot(&rq, f->view, SNAPSHOT_DELETE, "start", &p), 0);
    assert_int_equal(plan_count(p, ACT_SNAP_DELETE), 5);
    assert_int_equal(p->n_acts, 5);
    assert_null(act_of(p, ACT_SNAP_DELETE, 5002));
    assert_string_equal(act_of(p, ACT_SNAP_DELETE, 5011)->target, "start");
    plan_free(p);

    /* rollback: the power state kept, a VM known to lack it left alone */
    rq.only_vm = "router";
    assert_int_equal(plan_snapshot(&rq, f->view, SNAPSHOT_ROLLBACK, "exam", &p), 0);
    assert_int_equal(p->n_acts, 1);
    assert_int_equal(act_of(p, ACT_VM_ROLLBACK, 5012)->start, 1);
    assert_true(has_note(p, "VM 5002 'router' of s1@pve has no snapshot 'exam'"));
    plan_free(p);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deploy_baseline),
        cmocka_unit_test(test_deploy_keeps_existing_baseline),
        cmocka_unit_test(test_deploy_managed_role),
        cmocka_unit_test(test_deploy_expiry),
        cmocka_unit_test(test_power_start),
        cmocka_unit_test(test_power_stop_shutdown_reboot),
        cmocka_unit_test(test_power_vm_filter),
        cmocka_unit_test(test_reset_baseline),
        cmocka_unit_test(test_reset_edges),
        cmocka_unit_test(test_snapshot_names),
        cmocka_unit_test(test_snapshot_ops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
