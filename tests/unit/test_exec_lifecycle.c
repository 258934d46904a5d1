/* test_exec_lifecycle: the lifecycle actions run by the executor through the typed calls against
 * the in-process simulator: baselines, the managed role, expiry, power, shutdown then hard stop,
 * reset to the baseline, named snapshots. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stand_fx.h"

#include "config/stand.h"
#include "config/users.h"
#include "exec/exec.h"
#include "inventory/inventory.h"
#include "plan/plan.h"
#include "pve/pve_api.h"
#include "pve_sim.h"
#include "util/diag.h"
#include "util/err.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *STAND = "stand: lab\n"
                           "student_role: DeployStandStudent\n"
                           "expires: 2030-01-31\n"
                           "start_order: [router]\n"
                           "machines:\n"
                           "  - {name: web, template_node: pve1, template_vmid: 100}\n"
                           "  - {name: router, template_node: pve1, template_vmid: 102}\n";
static const char *USERS = "users: [s1@pve, s2@pve]\n";

struct fx {
    struct pve_sim *sim;
    pve_client *c;
    struct stand *stand;
    struct users_list *users;
    struct cluster_view *view;
};

static int setup(void **st)
{
    struct fx *f = calloc(1, sizeof *f);
    struct pve_sim_options so;
    pve_sim_options_init(&so);
    so.scenario = "classroom";
    so.http = 1;
    so.quiet = 1;
    so.time_scale = 0.005;
    char err[512];
    if (pve_sim_start(&so, &f->sim, err, sizeof err) != 0)
        fail_msg("simulator: %s", err);
    struct pve_conn_opts co = {.host = "127.0.0.1",
                               .port = pve_sim_port(f->sim),
                               .plain_http = 1,
                               .user = "root@pam",
                               .password = pve_sim_user_password(f->sim, "root@pam")};
    f->c = pve_client_new(&co);
    if (!f->c || pve_client_login(f->c) < 0)
        fail_msg("login: %s", ds_err_last());
    stand_fx_load(STAND, USERS, &f->stand, &f->users);
    *st = f;
    return 0;
}

static int teardown(void **st)
{
    struct fx *f = *st;
    cluster_view_free(f->view);
    stand_fx_free(f->stand, f->users);
    pve_client_free(f->c);
    pve_sim_stop(f->sim);
    free(f);
    return 0;
}

static void reload(struct fx *f)
{
    const int tpl[] = {100, 102};
    const char *const names[] = {"web", "router"};
    cluster_view_free(f->view);
    f->view = NULL;
    if (inventory_load(f->c, tpl, 2, names, 2, INV_CONFIGS_MARKED, NULL, &f->view) < 0)
        fail_msg("inventory: %s", ds_err_last());
}

/* Runs p (freed here); every student must end well. *out (may be NULL) gets the result. */
static void run(struct fx *f, struct plan *p, struct plan_result **out)
{
    if (p->n_problems)
        fail_msg("problem: %s", p->problems[0]);
    struct exec_opts o = {.per_node = 4, .retries = 2, .task_timeout_s = 60};
    struct plan_result *r = NULL;
    int failed = exec_run(p, f->c, &o, &r);
    for (size_t s = 0; failed && s < r->n_students; s++)
        if (r->students[s].failed)
            fail_msg("%s failed: %s", p->students[s].userid, r->students[s].error);
    assert_int_equal(failed, 0);
    if (out)
        *out = r;
    else
        plan_result_free(r);
    plan_free(p);
}

static struct plan_request req(const struct fx *f)
{
    return (struct plan_request){.stand = f->stand, .users = f->users, .strategy = "local"};
}

/* The VMID of the student's machine in the view. */
static int vmid_of(const struct fx *f, const char *pool, const char *name)
{
    for (size_t i = 0; i < f->view->n_vms; i++) {
        const struct inv_vm *vm = &f->view->vms[i];
        if (vm->pool && strcmp(vm->pool, pool) == 0 && vm->name && strcmp(vm->name, name) == 0)
            return vm->vmid;
    }
    fail_msg("no VM %s in pool %s", name, pool);
    return 0;
}

static int has_snap(struct fx *f, int vmid, const char *name)
{
    json_t *list = NULL;
    assert_int_equal(pve_vm_snapshot_list(f->c, "pve1", vmid, &list), 0);
    int found = 0;
    size_t i;
    json_t *it;
    json_array_foreach(list, i, it) found |=
        strcmp(json_string_value(json_object_get(it, "name")), name) == 0;
    json_decref(list);
    return found;
}

static const char *status_of(struct fx *f, int vmid)
{
    static char buf[32];
    json_t *st = NULL;
    assert_int_equal(pve_vm_status(f->c, "pve1", vmid, &st), 0);
    snprintf(buf, sizeof buf, "%s", json_string_value(json_object_get(st, "status")));
    json_decref(st);
    return buf;
}

static void deploy(struct fx *f)
{
    reload(f);
    struct plan_request rq = req(f);
    struct plan *p = NULL;
    assert_int_equal(plan_deploy(&rq, f->view, &p), 0);
    run(f, p, NULL);
    reload(f);
}

static void test_deploy_lifecycle(void **st)
{
    struct fx *f = *st;
    deploy(f);
    for (int s = 1; s <= 2; s++) {
        char pool[8];
        snprintf(pool, sizeof pool, "s%d", s);
        assert_true(has_snap(f, vmid_of(f, pool, "web"), "start"));
        assert_true(has_snap(f, vmid_of(f, pool, "router"), "start"));
    }
    json_t *role = NULL;
    assert_int_equal(pve_role_get(f->c, "DeployStandStudent", &role), 0);
    assert_non_null(json_object_get(role, "VM.Snapshot.Rollback"));
    assert_null(json_object_get(role, "VM.Snapshot"));
    json_decref(role);
    json_t *u = NULL;
    assert_int_equal(pve_user_get(f->c, "s1@pve", &u), 0);
    assert_int_equal(json_integer_value(json_object_get(u, "expire")), 1896134400);
    json_decref(u);

    /* a second deploy makes no snapshot, sets no expiry again, and sees the role is there */
    struct plan_request rq = req(f);
    struct plan *p = NULL;
    assert_int_equal(plan_deploy(&rq, f->view, &p), 0);
    assert_int_equal(plan_count(p, ACT_VM_SNAPSHOT), 0);
    assert_int_equal(plan_count(p, ACT_USER_EXPIRE), 0);
    assert_int_equal(plan_count(p, ACT_ROLE_ENSURE), 0);
    plan_free(p);
}

static void test_power_and_shutdown(void **st)
{
    struct fx *f = *st;
    deploy(f);
    struct plan_request rq = req(f);
    struct plan *p = NULL;
    assert_int_equal(plan_power(&rq, f->view, POWER_START, &p), 0);
    assert_int_equal(plan_count(p, ACT_VM_START), 4);
    run(f, p, NULL);
    int web1 = vmid_of(f, "s1", "web"), router1 = vmid_of(f, "s1", "router");
    assert_string_equal(status_of(f, web1), "running");
    assert_string_equal(status_of(f, router1), "running");

    /* s1's web ignores the power button: the shutdown stops it hard, and says so */
    json_t *acpi = json_pack("{s:i}", "acpi", 0);
    assert_int_equal(pve_vm_config_set(f->c, "pve1", web1, acpi), 0);
    json_decref(acpi);
    reload(f);
    rq.only = (const char *const[]){"s1@pve"};
    rq.n_only = 1;
    rq.shutdown_timeout_s = 20;
    assert_int_equal(plan_power(&rq, f->view, POWER_SHUTDOWN, &p), 0);
    assert_int_equal(p->n_acts, 2);
    int web_act = -1;
    for (size_t i = 0; i < p->n_acts; i++)
        if (p->students[0].vms[p->acts[i].vm].vmid == web1)
            web_act = (int)i;
    struct plan_result *r = NULL;
    assert_true(web_act >= 0);
    run(f, p, &r);
    assert_int_equal(r->acts[web_act].forced, 1);
    assert_int_equal(r->acts[1 - web_act].forced, 0);
    plan_result_free(r);
    assert_string_equal(status_of(f, web1), "stopped");
    assert_string_equal(status_of(f, router1), "stopped");

    /* reboot the running ones (s2's), and a start/stop that have nothing to do */
    reload(f);
    rq.only = NULL;
    rq.n_only = 0;
    assert_int_equal(plan_power(&rq, f->view, POWER_REBOOT, &p), 0);
    assert_int_equal(plan_count(p, ACT_VM_REBOOT), 2);
    run(f, p, NULL);
    assert_string_equal(status_of(f, vmid_of(f, "s2", "web")), "running");
    assert_int_equal(plan_power(&rq, f->view, POWER_STOP, &p), 0);
    assert_int_equal(plan_count(p, ACT_VM_STOP), 2);
    run(f, p, NULL);
    assert_string_equal(status_of(f, vmid_of(f, "s2", "router")), "stopped");
}

static void test_reset_and_snapshots(void **st)
{
    struct fx *f = *st;
    deploy(f);
    int web1 = vmid_of(f, "s1", "web");
    /* the student changes the VM, then the class is reset to the baseline */
    json_t *cores = json_pack("{s:i}", "cores", 7);
    assert_int_equal(pve_vm_config_set(f->c, "pve1", web1, cores), 0);
    json_decref(cores);
    assert_int_equal(pve_vm_start_wait(f->c, "pve1", web1, 60), 0);
    reload(f);
    struct plan_request rq = req(f);
    struct plan *p = NULL;
    assert_int_equal(plan_reset_baseline(&rq, f->view, &p), 0);
    assert_int_equal(plan_count(p, ACT_VM_ROLLBACK), 4);
    assert_int_equal(p->students[0].reclone, 0);
    run(f, p, NULL);
    json_t *cfg = NULL;
    assert_int_equal(pve_vm_config_get(f->c, "pve1", web1, &cfg), 0);
    assert_int_not_equal(json_integer_value(json_object_get(cfg, "cores")), 7);
    json_decref(cfg);
    assert_string_equal(status_of(f, web1), "running"); /* it was running: started again */
    assert_string_equal(status_of(f, vmid_of(f, "s1", "router")), "stopped");

    /* a named snapshot: created once, deleted, a second delete has nothing to do */
    reload(f);
    assert_int_equal(plan_snapshot(&rq, f->view, SNAPSHOT_CREATE, "exam", &p), 0);
    assert_int_equal(plan_count(p, ACT_VM_SNAPSHOT), 4);
    run(f, p, NULL);
    assert_true(has_snap(f, web1, "exam"));
    reload(f);
    assert_int_equal(plan_snapshot(&rq, f->view, SNAPSHOT_CREATE, "exam", &p), 0);
    assert_int_equal(plan_count(p, ACT_VM_SNAPSHOT), 0); /* the config's parent says so */
    plan_free(p);
    /* the parent is "exam" now: the inventory lists the snapshots, so a deploy sees the baseline
     * is still there and takes none */
    assert_int_equal(plan_deploy(&rq, f->view, &p), 0);
    assert_int_equal(plan_count(p, ACT_VM_SNAPSHOT), 0);
    plan_free(p);
    assert_int_equal(plan_snapshot(&rq, f->view, SNAPSHOT_DELETE, "exam", &p), 0);
    assert_int_equal(plan_count(p, ACT_SNAP_DELETE), 4);
    run(f, p, NULL);
    assert_false(has_snap(f, web1, "exam"));
    assert_true(has_snap(f, web1, "start"));
    assert_int_equal(plan_snapshot(&rq, f->view, SNAPSHOT_DELETE, "exam", &p), 0); /* stale view */
    struct plan_result *r = NULL;
    run(f, p, &r);
    for (size_t i = 0; i < r->n_acts; i++)
        assert_int_equal(r->acts[i].noop, 1);
    plan_result_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_deploy_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_power_and_shutdown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_and_snapshots, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
