/* test_resume: deploy killed with SIGKILL at 10 points (chosen by the journal's count of finished
 * actions) converges on the next run with no duplicate and no orphan; the stand lock; status and
 * destroy without the local state; sweep; foreign objects among ours are never touched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ds_clock.h"
#include "e2e_fixture.h"
#include "plan/marks.h"
#include "scratch.h"
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct e2e fx;     /* one simulator per test (or per kill point); the teardown stops it */
static size_t vms_before; /* VMs of the scenario before any deploy */

static size_t vm_count(struct e2e *f)
{
    json_t *st = simproc_state(&f->sp);
    size_t n = json_array_size(json_object_get(st, "vms"));
    json_decref(st);
    return n;
}

static struct e2e *start(const char *scale)
{
    const char *args[] = {"--scenario", "classroom", "--time-scale", scale, NULL};
    assert_int_equal(e2e_start(&fx, args, NULL, NULL), 0);
    vms_before = vm_count(&fx);
    return &fx;
}

static int teardown(void **st)
{
    (void)st;
    e2e_stop(&fx);
    return 0;
}

/* Starts "deploy-stand deploy" in the background (stdin /dev/null, output kept aside). */
static void spawn_deploy(struct e2e *c, struct ds_proc *p)
{
    const char *args[] = {"--connections", c->env.connections, "--yes",      "deploy", "--config",
                          c->env.config,   "--users",          c->env.users, NULL};
    ds_proc_start(p, 0, args);
}

/* One number from the state database (the journal), -1 when it cannot be read yet. */
static long db_count(const char *sql)
{
    char path[512];
    snprintf(path, sizeof path, "%s/deploy-stand/state.db", getenv("XDG_STATE_HOME"));
    if (access(path, R_OK) != 0)
        return -1;
    sqlite3 *db = NULL;
    long n = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
        sqlite3_busy_timeout(db, 2000);
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
            if (sqlite3_step(st) == SQLITE_ROW)
                n = (long)sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
        }
    }
    sqlite3_close(db);
    return n;
}

/* Polls (10 ms, at most `tries` times) until db_count(sql) >= at_least; 1 when it got there. */
static int db_wait(const char *sql, long at_least, int tries)
{
    for (int i = 0; i < tries; i++) {
        if (db_count(sql) >= at_least)
            return 1;
        ds_clock_sleep_ns(10 * DS_NS_PER_MS);
    }
    return 0;
}

static int run_deploy(struct e2e *c, json_t **doc)
{
    return e2e_cmd(c, E2E_JSON | E2E_YES, "deploy", NULL, NULL, doc, NULL, NULL);
}

static int run_simple(struct e2e *c, const char *cmd, int yes, char **out_text)
{
    return e2e_cmd(c, yes ? E2E_YES : 0, cmd, NULL, out_text, NULL, NULL, NULL);
}

/* The class's objects in the simulator: VMs per (student, name), bridges, users, pools. */
struct census {
    int vms, dup_vms, bridges, users, pools, pending;
};

static struct census census(struct e2e *c, int students)
{
    struct census k = {0};
    json_t *st = simproc_state(&c->sp);
    static const char *const names[] = {"web", "client", "router"};
    for (int i = 1; i <= students; i++) {
        char user[64], pool[64];
        snprintf(user, sizeof user, "student%d@pve", i);
        snprintf(pool, sizeof pool, "student%d", i);
        k.users += json_object_get(json_object_get(st, "users"), user) != NULL;
        k.pools += json_object_get(json_object_get(st, "pools"), pool) != NULL;
        for (int m = 0; m < 3; m++) {
            int n = 0;
            size_t j;
            json_t *vm;
            json_array_foreach(json_object_get(st, "vms"), j, vm)
            {
                json_t *cfg = json_object_get(vm, "config");
                const char *nm = json_string_value(json_object_get(cfg, "name"));
                const char *desc = json_string_value(json_object_get(cfg, "description"));
                const char *p = json_string_value(json_object_get(vm, "pool"));
                if (nm && strcmp(nm, names[m]) == 0 &&
                    ((p && strcmp(p, pool) == 0) || mark_is(desc, "demo-lab", user)))
                    n++;
            }
            k.vms += n;
            k.dup_vms += n > 1;
        }
    }
    size_t j;
    json_t *node;
    json_array_foreach(json_object_get(st, "nodes"), j, node)
    {
        const char *iface;
        json_t *f;
        json_object_foreach(json_object_get(node, "network"), iface, f) k.bridges +=
            mark_is(json_string_value(json_object_get(f, "comments")), "demo-lab", NULL);
        json_t *p = json_object_get(node, "network_pending");
        k.pending += p && !json_is_null(p);
    }
    json_decref(st);
    return k;
}

/* The redeploy after a kill: every password is known or new and logs in; the class is whole. */
static void check_converged(struct e2e *c, int point)
{
    json_t *doc = NULL;
    assert_int_equal(run_deploy(c, &doc), 0);
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(doc, "students"), i, s)
    {
        const char *ps = json_string_value(json_object_get(s, "password_state"));
        /* created before the kill: still known; created now: new */
        if (strcmp(ps, "known") != 0 && strcmp(ps, "new") != 0)
            fail_msg("kill point %d: %s password is %s", point,
                     json_string_value(json_object_get(s, "user")), ps);
        char cookie[4096], csrf[512];
        assert_int_equal(simproc_login(&c->sp, json_string_value(json_object_get(s, "user")),
                                       json_string_value(json_object_get(s, "password")), cookie,
                                       sizeof cookie, csrf, sizeof csrf),
                         0);
    }
    json_decref(doc);
    struct census k = census(c, 3);
    if (k.vms != 9 || k.dup_vms || k.bridges != 7 || k.users != 3 || k.pools != 3 || k.pending)
        fail_msg("kill point %d: vms %d (dups %d), bridges %d, users %d, pools %d, pending %d",
                 point, k.vms, k.dup_vms, k.bridges, k.users, k.pools, k.pending);
    /* no orphan: exactly the scenario's VMs plus the class's nine */
    assert_int_equal(vm_count(c), vms_before + 9);
}

static void test_kill_at_ten_points(void **st)
{
    (void)st;
    for (int point = 1; point <= 10; point++) {
        struct e2e *c = start("0.02");
        struct ds_proc p;
        spawn_deploy(c, &p);
        long target = point * 3; /* 3..30 of the 35 actions */
        int reached = db_wait("SELECT COUNT(*) FROM journal_actions WHERE status = 'done'", target,
                              3000); /* bounded: 30 s */
        ds_proc_kill(&p);
        if (!reached)
            fail_msg("kill point %d: the journal never reached %ld done actions", point, target);
        check_converged(c, point);

        assert_int_equal(run_simple(c, "destroy", 1, NULL), 0);
        struct census k = census(c, 3);
        assert_int_equal(k.vms + k.bridges + k.users + k.pools + k.pending, 0);
        assert_int_equal(vm_count(c), vms_before);
        assert_int_equal(ds_schema_violations(&c->sp), 0);
        e2e_stop(c);
    }
}

static void test_stand_lock(void **st)
{
    (void)st;
    struct e2e *c = start("0.5"); /* slow tasks: the first run holds the lock a while */
    struct ds_proc p;
    spawn_deploy(c, &p);
    /* the lock row is there (stand is the key: at most one); bounded: 20 s */
    assert_true(db_wait("SELECT COUNT(*) FROM stand_locks WHERE stand = 'demo-lab'", 1, 2000));
    char *err = NULL;
    assert_int_equal(e2e_cmd(c, E2E_YES, "deploy", NULL, NULL, NULL, &err, NULL), 1);
    char want[64];
    snprintf(want, sizeof want, "pid %ld", (long)p.pid);
    if (!strstr(err, "is being changed by another run") || !strstr(err, want) ||
        !strstr(err, " since "))
        fail_msg("second run said:\n%s", err);
    free(err);
    /* the holder dies: its lock is stale and the next run takes over and converges */
    ds_proc_kill(&p);
    assert_int_equal(run_deploy(c, NULL), 0);
    struct census k = census(c, 3);
    assert_int_equal(k.vms, 9);
    assert_int_equal(k.dup_vms, 0);
    assert_int_equal(db_count("SELECT COUNT(*) FROM stand_locks"), 0);
    e2e_stop(c);
}

/* Foreign objects among ours: a VM in student1's pool (waited for), an unmarked vmbr1500. */
static void add_foreign_objects(struct e2e *c)
{
    assert_int_equal(e2e_login_root(c), 0);
    e2e_run_task(c, "POST", "pve1", "/nodes/pve1/qemu/100/clone",
                 "newid=7777&name=web&pool=student1&full=1");
    assert_int_equal(e2e_api(c, "POST", "/nodes/pve1/network", "iface=vmbr1500&type=bridge", NULL),
                     200);
}

static void test_without_state_sweep_and_foreign(void **st)
{
    (void)st;
    struct e2e *c = start("0.01");
    assert_int_equal(run_deploy(c, NULL), 0);

    /* the state file is lost: status and destroy work from the marks alone */
    char path[600];
    snprintf(path, sizeof path, "%s/deploy-stand", getenv("XDG_STATE_HOME"));
    scratch_remove(path);
    assert_int_not_equal(access(path, F_OK), 0);
    char *out = NULL;
    assert_int_equal(run_simple(c, "status", 0, &out), 0);
    assert_non_null(strstr(out, "3 of 3 students deployed"));
    free(out);
    json_t *doc = NULL;
    assert_int_equal(run_deploy(c, &doc), 0); /* nothing to do; passwords are unknown now */
    json_t *s1 = json_array_get(json_object_get(doc, "students"), 0);
    assert_string_equal(json_string_value(json_object_get(s1, "password_state")), "unknown");
    assert_true(json_is_null(json_object_get(s1, "password")));
    json_decref(doc);

    add_foreign_objects(c);

    /* student3 leaves the class: sweep lists, then removes only student3's objects */
    ds_write_users(&c->env, 2);
    assert_int_equal(run_simple(c, "sweep", 0, &out), 0);
    assert_non_null(strstr(out, "student3@pve"));
    assert_null(strstr(out, "student1@pve (pool"));
    free(out);
    struct census k = census(c, 3);
    assert_int_equal(k.vms, 10); /* nothing removed yet (9 + the foreign "web" in student1) */
    assert_int_equal(run_simple(c, "sweep", 1, NULL), 0);
    k = census(c, 3);
    assert_int_equal(k.users, 2);
    assert_int_equal(k.pools, 2);
    ds_write_users(&c->env, 3);
    assert_int_equal(census(c, 2).vms, 7);

    /* destroy: everything of ours goes; the foreign VM, its pool and vmbr1500 stay */
    ds_write_users(&c->env, 2);
    assert_int_equal(run_simple(c, "destroy", 1, NULL), 0);
    json_t *stt = simproc_state(&c->sp);
    assert_non_null(e2e_vm_id(stt, 7777));
    assert_non_null(json_object_get(json_object_get(stt, "pools"), "student1"));
    json_t *node = e2e_node(stt, "pve1");
    assert_non_null(json_object_get(json_object_get(node, "network"), "vmbr1500"));
    json_decref(stt);
    k = census(c, 3);
    assert_int_equal(k.vms, 1); /* only the foreign one */
    assert_int_equal(k.bridges + k.users, 0);
    e2e_stop(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_kill_at_ten_points, teardown),
        cmocka_unit_test_teardown(test_stand_lock, teardown),
        cmocka_unit_test_teardown(test_without_state_sweep_and_foreign, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
