/* test_exec_fake: the executor against an in-process fake Proxmox (tests/support/fake_pve) behind
 * the client's transport seam: dependency order, retries, rollback, shared failures, limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config/stand.h"
#include "config/users.h"
#include "exec/exec.h"
#include "fake_pve.h"
#include "inventory/inventory.h"
#include "plan/marks.h"
#include "plan/plan.h"
#include "pve/pve_error.h"
#include "util/err.h"
#include "util/diag.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* two nodes; templates 100 and 101 on pve1 with local disks (other nodes need copies) */
static const char *VIEW =
    "{\"nodes\":[{\"node\":\"pve1\",\"status\":\"online\"},{\"node\":\"pve2\",\"status\":"
    "\"online\"}],"
    "\"resources\":["
    "{\"type\":\"qemu\",\"vmid\":100,\"node\":\"pve1\",\"name\":\"t100\",\"template\":1},"
    "{\"type\":\"qemu\",\"vmid\":101,\"node\":\"pve1\",\"name\":\"t101\",\"template\":1}],"
    "\"networks\":{\"pve1\":{\"ifaces\":[{\"iface\":\"vmbr0\",\"type\":\"bridge\"}]},"
    "\"pve2\":{\"ifaces\":[{\"iface\":\"vmbr0\",\"type\":\"bridge\"}]}},"
    "\"users\":[{\"userid\":\"root@pam\"}],\"pools\":[],\"acl\":[],"
    "\"storages\":[{\"storage\":\"local-lvm\",\"node\":\"pve1\",\"shared\":0},"
    "{\"storage\":\"local-lvm\",\"node\":\"pve2\",\"shared\":0}],"
    "\"configs\":{\"100\":{\"net0\":\"virtio=BC:24:11:00:00:01,bridge=vmbr0\","
    "\"scsi0\":\"local-lvm:base-100-disk-0,size=8G\",\"digest\":\"d100\"},"
    "\"101\":{\"net0\":\"virtio=BC:24:11:00:00:02,bridge=vmbr0\","
    "\"scsi0\":\"local-lvm:base-101-disk-0,size=8G\",\"digest\":\"d101\"}}}";

static const char *STAND_LAN = "stand: lab\nmachines:\n"
                               "  - {name: web, template_node: pve1, template_vmid: 100,\n"
                               "     networks: [{bridge: lan}]}\n"
                               "  - {name: db, template_node: pve1, template_vmid: 101,\n"
                               "     networks: [{bridge: lan}]}\n";

static const char *STAND_ONE = "stand: lab\nmachines:\n"
                               "  - {name: web, template_node: pve1, template_vmid: 100,\n"
                               "     networks: [{bridge: lan}]}\n";

/* What the executor told: per action of the run's plan, when it started and ended. */
#define MAX_ACTS 256
struct evlog {
    const struct plan *p;
    int seq;
    int start[MAX_ACTS], end[MAX_ACTS], retries[MAX_ACTS];
    int undo_steps;
};

static void on_event(const struct exec_event *ev, void *ud)
{
    struct evlog *l = ud;
    if (ev->type == EXEC_ROLLBACK && ev->action)
        l->undo_steps++;
    if (ev->plan != l->p || !ev->action || ev->action->id >= MAX_ACTS)
        return;
    int id = ev->action->id;
    l->seq++;
    if (ev->type == EXEC_STARTED)
        l->start[id] = l->seq;
    else if (ev->type == EXEC_RETRY)
        l->retries[id]++;
    else if (ev->type == EXEC_DONE || ev->type == EXEC_FAILED || ev->type == EXEC_SKIPPED)
        l->end[id] = l->seq;
}

/* One scenario: the fake loaded with the view, a plan made by the planner, a client. */
struct fx {
    struct fake_pve *f;
    pve_client *c;
    struct plan *p;
    struct plan_result *r;
    struct evlog log;
};

static json_t *view_json(void)
{
    json_error_t je;
    json_t *j = json_loads(VIEW, 0, &je);
    if (!j)
        fail_msg("fixture JSON: %s at %d", je.text, je.line);
    return j;
}

/* Plans a deploy (or, destroy != 0, a teardown) of `users` with `stand` on `view` (stolen), and
 * loads the fake with `fake_view` (stolen; NULL: the same view). */
static void fx_plan(struct fx *x, const char *stand, const char *users, const char *strategy,
                    const char *node, json_t *view, json_t *fake_view, int destroy)
{
    struct diag_list d = {0};
    struct stand *st = NULL;
    struct users_list *u = NULL;
    assert_int_equal(stand_load_text("lab.yml", stand, strlen(stand), &st, &d), 0);
    assert_int_equal(users_load_text("users.yml", users, strlen(users), &u, &d), 0);
    diag_list_clear(&d);
    x->f = fake_pve_new();
    fake_pve_load(x->f, fake_view ? fake_view : view);
    json_decref(fake_view);
    struct cluster_view *v = inventory_from_json(view);
    struct plan_request rq = {.stand = st, .users = u, .strategy = strategy, .target_node = node};
    if (destroy)
        assert_int_equal(plan_destroy(&rq, v, &x->p), 0);
    else
        assert_int_equal(plan_deploy(&rq, v, &x->p), 0);
    if (x->p->n_problems)
        fail_msg("plan problem: %s", x->p->problems[0]);
    assert_true(x->p->n_acts <= MAX_ACTS);
    cluster_view_free(v);
    users_free(u);
    stand_free(st);
    x->c = fake_pve_client(x->f);
    assert_non_null(x->c);
    x->log.p = x->p;
}

static int fx_run(struct fx *x, int per_node)
{
    struct exec_opts o = {.per_node = per_node,
                          .retries = 3,
                          .task_timeout_s = 60,
                          .on_event = on_event,
                          .ud = &x->log};
    int rc = exec_run(x->p, x->c, &o, &x->r);
    assert_non_null(x->r);
    return rc;
}

static void fx_free(struct fx *x)
{
    plan_result_free(x->r);
    plan_free(x->p);
    pve_client_free(x->c);
    fake_pve_free(x->f);
}

static const struct action *act_of(const struct plan *p, enum action_kind k, int student, int vm)
{
    for (size_t i = 0; i < p->n_acts; i++)
        if (p->acts[i].kind == k && p->acts[i].student == student &&
            (vm < 0 || p->acts[i].vm == vm))
            return &p->acts[i];
    return NULL;
}

static long req_at(const struct fake_pve *f, const char *method, const char *fmt, int id,
                   const char *form_has)
{
    char glob[128];
    snprintf(glob, sizeof glob, fmt, id);
    return fake_pve_find(f, method, glob, form_has, 0);
}

/* Every action started after each of its dependencies ended (the executor's own events), and
 * the requests show it: a template copy is made, converted and migrated before anything is cloned
 * from it, and each VM is cloned before it is configured. */
static void test_dependency_order(void **st)
{
    (void)st;
    struct fx x = {0};
    fx_plan(&x, STAND_LAN, "users: [s1@pve, s2@pve]\n", "remote", "pve2", view_json(), NULL, 0);
    assert_int_equal(x.p->n_copies, 2);
    fake_pve_task_model(x.f, 2, 0);
    assert_int_equal(fx_run(&x, 4), 0);
    for (size_t i = 0; i < x.p->n_acts; i++) {
        const struct action *a = &x.p->acts[i];
        assert_int_equal(x.r->acts[i].state, RUN_DONE);
        assert_true(x.log.start[i] > 0 && x.log.end[i] > x.log.start[i]);
        for (size_t k = 0; k < a->n_deps; k++)
            if (x.log.end[a->deps[k]] >= x.log.start[i])
                fail_msg("'%s' started before '%s' ended", a->summary,
                         x.p->acts[a->deps[k]].summary);
    }
    for (size_t c = 0; c < x.p->n_copies; c++) {
        int copy = x.r->copy_vmids[c], orig = x.p->copies[c].orig;
        char newid[32];
        snprintf(newid, sizeof newid, "newid=%d", copy);
        long made = req_at(x.f, "POST", "/nodes/pve1/qemu/%d/clone", orig, newid);
        long tpl = req_at(x.f, "POST", "/nodes/pve1/qemu/%d/template", copy, NULL);
        long mig = req_at(x.f, "POST", "/nodes/pve1/qemu/%d/migrate", copy, "target=pve2");
        long used = req_at(x.f, "POST", "/nodes/pve2/qemu/%d/clone", copy, NULL);
        assert_true(made >= 0 && made < tpl && tpl < mig && mig < used);
    }
    for (size_t s = 0; s < x.p->n_students; s++) {
        assert_true(fake_pve_has_user(x.f, x.p->students[s].userid));
        for (size_t m = 0; m < x.p->students[s].n_vms; m++) {
            int id = x.r->students[s].vmids[m];
            char newid[32];
            snprintf(newid, sizeof newid, "newid=%d", id);
            long clone = fake_pve_find(x.f, "POST", "/nodes/pve2/qemu/*/clone", newid, 0);
            long conf = req_at(x.f, "PUT", "/nodes/pve2/qemu/%d/config", id, NULL);
            assert_true(clone >= 0 && clone < conf);
            assert_true(fake_pve_has_vm(x.f, id));
        }
    }
    /* the students' bridges are applied before the VMs are put on them */
    long apply = fake_pve_find(x.f, "PUT", "/nodes/pve2/network", NULL, 0);
    assert_int_equal(fake_pve_count_matching(x.f, "POST", "/nodes/pve2/network"), 2);
    for (long i = 0; (i = fake_pve_find(x.f, "POST", "/nodes/pve2/network", NULL, (size_t)i)) >= 0;
         i++)
        assert_true(i < apply);
    assert_true(apply < fake_pve_find(x.f, "PUT", "/nodes/pve2/qemu/*/config", NULL, 0));
    fx_free(&x);
}

/* A lock timeout, as an HTTP answer or as a task's exit status, is tried again and succeeds. */
static void test_locked_is_retried(void **st)
{
    (void)st;
    struct fx x = {0};
    fx_plan(&x, STAND_LAN, "users: [s1@pve]\n", "local", NULL, view_json(), NULL, 0);
    fake_pve_fail(x.f, "POST", "/nodes/pve1/qemu/100/clone", 1, 1, 500,
                  "can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout");
    fake_pve_fail_task(x.f, "POST", "/nodes/pve1/qemu/101/clone", 1, 1,
                       "clone failed: can't lock file '/var/lock/qemu-server/lock-101.conf' - "
                       "got timeout");
    assert_int_equal(fx_run(&x, 4), 0);
    for (int m = 0; m < 2; m++) {
        const struct action *a = act_of(x.p, ACT_VM_CLONE, 0, m);
        assert_non_null(a);
        assert_int_equal(x.r->acts[a->id].state, RUN_DONE);
        assert_int_equal(x.r->acts[a->id].attempts, 2);
        assert_int_equal(x.log.retries[a->id], 1);
        assert_true(fake_pve_has_vm(x.f, x.r->students[0].vmids[m]));
    }
    assert_int_equal(fake_pve_count_matching(x.f, "POST", "/nodes/pve1/qemu/10[01]/clone"), 4);
    assert_null(x.r->undo);
    fx_free(&x);
}

/* Requests carried out whose answers were lost (a client timeout): the retries find the pool, the
 * user and the VM this run made and take them as done; nothing is made twice, nothing undone. */
static void test_lost_answers(void **st)
{
    (void)st;
    struct fx x = {0};
    fx_plan(&x, STAND_LAN, "users: [s1@pve]\n", "local", NULL, view_json(), NULL, 0);
    fake_pve_lose(x.f, "POST", "/pools", 1, 1);
    fake_pve_lose(x.f, "POST", "/access/users", 1, 1);
    fake_pve_lose(x.f, "POST", "/nodes/pve1/qemu/100/clone", 1, 1);
    assert_int_equal(fx_run(&x, 4), 0);
    for (size_t i = 0; i < x.p->n_acts; i++)
        assert_int_equal(x.r->acts[i].state, RUN_DONE);
    assert_null(x.r->undo);
    assert_int_equal(fake_pve_count_matching(x.f, "POST", "/nodes/pve1/qemu/100/clone"), 1);
    assert_int_equal(fake_pve_count_matching(x.f, "POST", "/pools"), 2);
    assert_int_equal(fake_pve_count_matching(x.f, "POST", "/access/users"), 2);
    assert_true(fake_pve_has_pool(x.f, "s1"));
    assert_true(fake_pve_has_user(x.f, "s1@pve"));
    assert_true(fake_pve_has_vm(x.f, x.r->students[0].vmids[0]));
    assert_true(fake_pve_has_vm(x.f, x.r->students[0].vmids[1]));
    assert_int_equal(x.r->students[0].vmids[0], x.p->students[0].vms[0].vmid); /* no move */
    assert_non_null(x.r->students[0].password);
    /* the password the user got is the one reported: both requests sent the same */
    long first = fake_pve_find(x.f, "POST", "/access/users", NULL, 0);
    long second = fake_pve_find(x.f, "POST", "/access/users", NULL, (size_t)first + 1);
    assert_true(first >= 0 && second > first);
    assert_string_equal(fake_pve_req(x.f, (size_t)first)->form,
                        fake_pve_req(x.f, (size_t)second)->form);
    fx_free(&x);
}

/* Undo steps are retried like any step: a lock timeout on the pool's and the user's deletion
 * during a rollback still removes them (issue 10, point 11). */
static void test_undo_retried_on_locks(void **st)
{
    (void)st;
    struct fx x = {0};
    fx_plan(&x, STAND_LAN, "users: [s1@pve]\n", "local", NULL, view_json(), NULL, 0);
    fake_pve_fail(x.f, "PUT", "/nodes/pve1/qemu/*/config", 1, 1, 403,
                  "Permission check failed (/vms/5000, VM.Config.Network)");
    fake_pve_fail(x.f, "DELETE", "/pools/s1", 1, 1, 500,
                  "delete pool failed: cfs-lock 'file-user_cfg' error: got lock request timeout");
    fake_pve_fail(x.f, "DELETE", "/access/users/s1@pve", 1, 2, 500,
                  "delete user failed: cfs-lock 'file-user_cfg' error: got lock request timeout");
    assert_int_equal(fx_run(&x, 4), 1);
    assert_non_null(x.r->undo);
    assert_int_equal(fake_pve_count_matching(x.f, "DELETE", "/pools/s1"), 2);
    assert_int_equal(fake_pve_count_matching(x.f, "DELETE", "/access/users/s1@pve"), 3);
    assert_false(fake_pve_has_pool(x.f, "s1"));
    assert_false(fake_pve_has_user(x.f, "s1@pve"));
    for (size_t i = 0; i < x.r->undo->n_acts; i++)
        assert_int_equal(x.r->undo_result->acts[i].state, RUN_DONE);
    fx_free(&x);
}

/* A student of a directory realm (LDAP here) gets a user without a password: the realm
 * authenticates it (issue 10, point 17). */
static void test_directory_realm_user(void **st)
{
    (void)st;
    struct fx x = {0};
    json_t *view = view_json();
    json_object_set_new(view, "domains",
                        json_pack("[{s:s, s:s}, {s:s, s:s}]", "realm", "pve", "type", "pve",
                                  "realm", "campus", "type", "ldap"));
    fx_plan(&x, STAND_LAN, "users: [ann@campus, s2@pve]\n", "local", NULL, view, NULL, 0);
    assert_int_equal(fx_run(&x, 4), 0);
    assert_true(fake_pve_has_user(x.f, "ann@campus"));
    long ann = fake_pve_find(x.f, "POST", "/access/users", "userid=ann%40campus", 0);
    long s2 = fake_pve_find(x.f, "POST", "/access/users", "userid=s2%40pve", 0);
    assert_true(ann >= 0 && s2 >= 0);
    assert_null(strstr(fake_pve_req(x.f, (size_t)ann)->form, "password="));
    assert_non_null(strstr(fake_pve_req(x.f, (size_t)s2)->form, "password="));
    assert_null(x.r->students[0].password);
    assert_non_null(x.r->students[1].password);
    fx_free(&x);
}

/* The last index of a request of `method` matching the glob made from fmt and id, or -1. */
static long last_req(const struct fake_pve *f, const char *method, const char *fmt, const char *id)
{
    char glob[128];
    snprintf(glob, sizeof glob, fmt, id);
    long last = -1;
    for (long i = 0; (i = fake_pve_find(f, method, glob, NULL, (size_t)i)) >= 0; i++)
        last = i;
    return last;
}

/* A permission failure is final: the student fails at once and what the run made for it is
 * removed, newest first (VMs, then the bridge and the pool, the user last); the other student's
 * objects are untouched. */
static void test_permission_rolls_back(void **st)
{
    (void)st;
    struct fx x = {0};
    fx_plan(&x, STAND_LAN, "users: [s1@pve, s2@pve]\n", "local", NULL, view_json(), NULL, 0);
    fake_pve_fail(x.f, "PUT", "/nodes/pve1/qemu/*/config", 1, 1, 403,
                  "Permission check failed (/vms/5000, VM.Config.Network)");
    assert_int_equal(fx_run(&x, 4), 1);
    int bad = x.r->students[0].failed ? 0 : 1, good = 1 - bad;
    assert_true(x.r->students[bad].failed && !x.r->students[good].failed);
    size_t failed = 0;
    for (size_t i = 0; i < x.p->n_acts; i++)
        if (x.r->acts[i].state == RUN_FAILED) {
            failed++;
            assert_int_equal(x.p->acts[i].kind, ACT_VM_CONFIGURE);
            assert_int_equal(x.r->acts[i].cls, PVE_ERR_PERMISSION);
            assert_int_equal(x.r->acts[i].attempts, 1); /* final: not retried */
        }
    assert_int_equal(failed, 1);
    assert_non_null(x.r->undo);
    assert_true(x.log.undo_steps > 0);

    const struct plan_student *b = &x.p->students[bad], *g = &x.p->students[good];
    long vm_last = -1;
    for (size_t m = 0; m < b->n_vms; m++) {
        char id[16], newid[32];
        snprintf(id, sizeof id, "%d", x.r->students[bad].vmids[m]);
        snprintf(newid, sizeof newid, "newid=%s", id);
        if (fake_pve_find(x.f, "POST", "/nodes/pve1/qemu/10[01]/clone", newid, 0) < 0)
            continue; /* never cloned */
        long del = last_req(x.f, "DELETE", "/nodes/pve1/qemu/%s", id);
        assert_true(del >= 0);
        vm_last = del > vm_last ? del : vm_last;
        assert_false(fake_pve_has_vm(x.f, x.r->students[bad].vmids[m]));
    }
    assert_true(vm_last >= 0);
    long br = last_req(x.f, "DELETE", "/nodes/pve1/network/%s", b->bridges[0].iface);
    long pool = last_req(x.f, "DELETE", "/pools/%s", b->pool);
    long user = last_req(x.f, "DELETE", "/access/users/%s", b->userid);
    assert_true(vm_last < br && vm_last < pool && pool < user);
    assert_false(fake_pve_has_user(x.f, b->userid) || fake_pve_has_pool(x.f, b->pool) ||
                 fake_pve_has_bridge(x.f, "pve1", b->bridges[0].iface));
    /* the other student keeps everything */
    assert_true(fake_pve_has_user(x.f, g->userid) && fake_pve_has_pool(x.f, g->pool) &&
                fake_pve_has_bridge(x.f, "pve1", g->bridges[0].iface));
    for (size_t m = 0; m < g->n_vms; m++)
        assert_true(fake_pve_has_vm(x.f, x.r->students[good].vmids[m]));
    assert_int_equal(last_req(x.f, "DELETE", "/access/users/%s", g->userid), -1);
    assert_int_equal(last_req(x.f, "DELETE", "/pools/%s", g->pool), -1);
    fx_free(&x);
}

/* The template copy every student needs fails (a final error of its task): every student fails,
 * nothing is cloned from it, and what was made for the students is rolled back. */
static void test_shared_copy_failure(void **st)
{
    (void)st;
    struct fx x = {0};
    fx_plan(&x, STAND_ONE, "users: [s1@pve, s2@pve]\n", "remote", "pve2", view_json(), NULL, 0);
    assert_int_equal(x.p->n_copies, 1);
    fake_pve_fail_task(x.f, "POST", "/nodes/pve1/qemu/100/clone", 1, 1,
                       "clone failed: no space left on device");
    assert_int_equal(fx_run(&x, 4), 2);
    for (size_t i = 0; i < x.p->n_acts; i++) {
        const struct action *a = &x.p->acts[i];
        enum run_state s = x.r->acts[i].state;
        if (a->kind == ACT_TPL_COPY)
            assert_int_equal(s, RUN_FAILED);
        if (a->kind == ACT_TPL_CONVERT || a->kind == ACT_TPL_MIGRATE || a->kind == ACT_VM_CLONE ||
            a->kind == ACT_VM_CONFIGURE)
            assert_int_equal(s, RUN_SKIPPED);
    }
    assert_int_equal(fake_pve_count_matching(x.f, "POST", "/nodes/pve1/qemu/100/clone"), 1);
    assert_int_equal(fake_pve_count_matching(x.f, "POST", "/nodes/pve2/qemu/*/clone"), 0);
    for (size_t s = 0; s < x.p->n_students; s++) {
        assert_true(x.r->students[s].failed);
        assert_false(fake_pve_has_user(x.f, x.p->students[s].userid));
        assert_false(fake_pve_has_pool(x.f, x.p->students[s].pool));
    }
    fx_free(&x);
}

/* A deployed student s1 (user, pool, two VMs, one running) in the view. */
static json_t *deployed_view(void)
{
    json_t *v = view_json();
    char mark[256];
    mark_format(mark, sizeof mark, "lab", "s1@pve", NULL, 0);
    json_array_append_new(json_object_get(v, "users"),
                          json_pack("{s:s, s:s}", "userid", "s1@pve", "comment", mark));
    json_array_append_new(json_object_get(v, "pools"),
                          json_pack("{s:s, s:s}", "poolid", "s1", "comment", mark));
    const char *names[] = {"web", "db"}, *status[] = {"stopped", "running"};
    for (int i = 0; i < 2; i++) {
        json_array_append_new(json_object_get(v, "resources"),
                              json_pack("{s:s, s:i, s:s, s:s, s:i, s:s, s:s, s:s}", "type", "qemu",
                                        "vmid", 5000 + i, "node", "pve1", "name", names[i],
                                        "template", 0, "pool", "s1", "tags", "deploy-stand;ds-lab",
                                        "status", status[i]));
        char key[16];
        snprintf(key, sizeof key, "%d", 5000 + i);
        json_object_set_new(json_object_get(v, "configs"), key,
                            json_pack("{s:s}", "description", mark));
    }
    return v;
}

/* Teardown steps whose object is already gone ("does not exist", scripted or from the model)
 * count as done, without a change; the rest is removed. */
static void test_teardown_not_found_is_done(void **st)
{
    (void)st;
    struct fx x = {0};
    json_t *fake = deployed_view();
    json_array_clear(json_object_get(fake, "users")); /* s1@pve was removed by hand */
    fx_plan(&x, STAND_LAN, "users: [s1@pve]\n", "local", NULL, deployed_view(), fake, 1);
    fake_pve_fail(x.f, "DELETE", "/nodes/pve1/qemu/5000", 1, 1, 500,
                  "Configuration file 'nodes/pve1/qemu-server/5000.conf' does not exist");
    assert_int_equal(fx_run(&x, 4), 0);
    int seen_destroy = 0;
    for (size_t i = 0; i < x.p->n_acts; i++) {
        const struct action *a = &x.p->acts[i];
        assert_int_equal(x.r->acts[i].state, RUN_DONE);
        int vmid = a->vm >= 0 ? x.p->students[a->student].vms[a->vm].vmid : 0;
        if (a->kind == ACT_VM_DESTROY) {
            seen_destroy++;
            assert_int_equal(x.r->acts[i].noop, vmid == 5000);
        }
        if (a->kind == ACT_USER_DELETE || a->kind == ACT_VM_STOP)
            assert_int_equal(x.r->acts[i].noop, a->kind == ACT_USER_DELETE);
    }
    assert_int_equal(seen_destroy, 2);
    assert_non_null(act_of(x.p, ACT_USER_DELETE, 0, -1));
    assert_non_null(act_of(x.p, ACT_VM_STOP, 0, -1));
    assert_false(fake_pve_has_vm(x.f, 5001));
    assert_false(fake_pve_has_pool(x.f, "s1"));
    fx_free(&x);
}

/* With tasks that stay running until two overlap on their node, eight clones on one node never
 * run more than the per-node limit at once, and do reach it. */
static void test_per_node_limit(void **st)
{
    (void)st;
    const int limit = 2;
    struct fx x = {0};
    fx_plan(&x, "stand: lab\nmachines:\n  - {name: web, template_node: pve1, template_vmid: 100}\n",
            "users: [s1@pve, s2@pve, s3@pve, s4@pve, s5@pve, s6@pve, s7@pve, s8@pve]\n", "local",
            NULL, view_json(), NULL, 0);
    fake_pve_task_model(x.f, 3, limit);
    assert_int_equal(fx_run(&x, limit), 0);
    assert_int_equal(fake_pve_count_matching(x.f, "POST", "/nodes/pve1/qemu/100/clone"), 8);
    int most = fake_pve_max_inflight(x.f, "pve1");
    if (most > limit)
        fail_msg("%d tasks ran at once on pve1 (limit %d)", most, limit);
    assert_int_equal(most, limit);
    fx_free(&x);
}

/* ---- the seam itself ------------------------------------------------------------------------ */

struct seam_log {
    char calls[8][160];
    int n;
    long status;
    const char *body;
};

static long seam_fn(void *ud, const char *method, const char *path, const char *form, char **body)
{
    struct seam_log *l = ud;
    if (l->n < 8)
        snprintf(l->calls[l->n], sizeof l->calls[0], "%s %s %s", method, path, form);
    l->n++;
    *body = l->body ? strdup(l->body) : NULL;
    return l->status;
}

/* Requests go to the seam with their method, path and encoded form; its answers are read as
 * PVE's (status 0: no answer, transient; a 200 that is no JSON object: refused); a dup'd client
 * keeps the seam; a request the schema refuses never reaches it; logins go through it too. */
static void test_transport_seam(void **st)
{
    (void)st;
    struct seam_log l = {.status = 200, .body = "{\"data\":{\"version\":\"8.4.1\"}}"};
    struct pve_conn_opts o = {.host = "seam.invalid", .user = "root@pam", .password = "pw"};
    pve_client *c = pve_client_new(&o);
    pve_client_set_transport(c, seam_fn, &l);
    l.body = "{\"data\":{\"ticket\":\"PVE:t\",\"CSRFPreventionToken\":\"c\"}}";
    struct pve_response r = {0};
    json_t *params = json_pack("{s:s, s:i}", "description", "a b", "newid", 5000);
    assert_int_equal(pve_call(c, "POST", "/nodes/pve1/qemu/100/clone", params, &r), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.calls[0], "POST /access/ticket password=pw&username=root%40pam");
    assert_string_equal(l.calls[1], "POST /nodes/pve1/qemu/100/clone description=a%20b&newid=5000");
    assert_true(pve_client_has_ticket(c));
    assert_int_equal(pve_client_request_count(c), 2);
    pve_response_clear(&r);

    l.status = 0;
    l.body = "connection reset by peer";
    assert_int_equal(pve_call(c, "GET", "/version", NULL, &r), -1);
    assert_int_equal(pve_err_last(), PVE_ERR_TRANSIENT);
    assert_non_null(strstr(ds_err_last(), "connection reset by peer"));
    pve_response_clear(&r);

    l.status = 200;
    l.body = "[1]";
    assert_int_equal(pve_call(c, "GET", "/version", NULL, &r), -1);
    assert_non_null(strstr(ds_err_last(), "not a JSON object"));
    pve_response_clear(&r);

    l.body = "{\"data\":null,\"message\":\"VM is locked (clone)\"}";
    l.status = 500;
    pve_client *d = pve_client_dup(c);
    int before = l.n;
    json_t *tags = json_pack("{s:s}", "tags", "deploy-stand");
    assert_int_equal(pve_call(d, "PUT", "/nodes/pve1/qemu/5000/config", tags, &r), -1);
    json_decref(tags);
    assert_int_equal(l.n, before + 1); /* the copy's ticket was copied: no second login */
    assert_int_equal(r.status, 500);
    assert_int_equal(pve_err_last(), PVE_ERR_LOCKED);
    pve_response_clear(&r);
    pve_client_free(d);

    before = l.n;
    assert_int_equal(pve_call(c, "GET", "/no/such/path", NULL, &r), -1);
    assert_int_equal(l.n, before);
    pve_response_clear(&r);
    json_decref(params);
    pve_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dependency_order),
        cmocka_unit_test(test_locked_is_retried),
        cmocka_unit_test(test_lost_answers),
        cmocka_unit_test(test_directory_realm_user),
        cmocka_unit_test(test_undo_retried_on_locks),
        cmocka_unit_test(test_permission_rolls_back),
        cmocka_unit_test(test_shared_copy_failure),
        cmocka_unit_test(test_teardown_not_found_is_done),
        cmocka_unit_test(test_per_node_limit),
        cmocka_unit_test(test_transport_seam),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
