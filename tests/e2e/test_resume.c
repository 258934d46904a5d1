/* test_resume: deploy killed with SIGKILL at 10 points (chosen by the journal's count of finished
 * actions) converges on the next run with no duplicate and no orphan; the stand lock; status and
 * destroy without the local state; sweep; foreign objects among ours are never touched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ds_clock.h"
#include "ds_run.h"
#include "plan/marks.h"
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct ctx {
    struct simproc sp;
    struct ds_env env;
    size_t vms_before; /* VMs of the scenario before any deploy */
};

static size_t vm_count(const struct simproc *sp)
{
    json_t *st = simproc_state(sp);
    size_t n = json_array_size(json_object_get(st, "vms"));
    json_decref(st);
    return n;
}

static struct ctx *running; /* stopped by the teardown when an assertion left early */

static int start(struct ctx *c, const char *scale)
{
    const char *args[] = {"--scenario", "classroom", "--time-scale", scale, NULL};
    memset(c, 0, sizeof *c);
    if (simproc_start(&c->sp, args) < 0)
        return -1;
    ds_env_init(&c->env, &c->sp, NULL, NULL);
    c->vms_before = vm_count(&c->sp);
    running = c;
    return 0;
}

static void stop(struct ctx *c)
{
    simproc_stop(&c->sp);
    ds_env_free(&c->env);
    running = NULL;
}

static int teardown(void **st)
{
    (void)st;
    if (running)
        stop(running);
    return 0;
}

static void sleep_ms(long ms)
{
    ds_clock_sleep_ns(ms * DS_NS_PER_MS);
}

/* Starts "deploy-stand ARGS" in the background with output to /dev/null. */
static pid_t spawn_ds(const char *const *args)
{
    char bin[512];
    snprintf(bin, sizeof bin, "%s/deploy-stand", getenv("DS_BIN"));
    size_t n = 0;
    while (args[n])
        n++;
    char **argv = calloc(n + 2, sizeof *argv);
    argv[0] = bin;
    for (size_t i = 0; i < n; i++)
        argv[i + 1] = (char *)args[i];
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open("/dev/null", O_RDWR);
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        execv(bin, argv);
        _exit(127);
    }
    free(argv);
    return pid;
}

/* One number from the state database (the journal), -1 when it cannot be read yet. */
static long db_count(struct ctx *c, const char *sql)
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
    (void)c;
    return n;
}

static int run_deploy(struct ctx *c, json_t **doc)
{
    const char *args[] = {"--connections", c->env.connections, "--output", "json",       "deploy",
                          "--config",      c->env.config,      "--users",  c->env.users, NULL};
    char *out = NULL, *err = NULL;
    int rc = ds_run(&out, &err, args);
    if (rc != 0)
        fprintf(stderr, "deploy exit %d:\n%s\n", rc, err);
    if (doc)
        *doc = json_loads(out, 0, NULL);
    free(out);
    free(err);
    return rc;
}

static int run_simple(struct ctx *c, const char *cmd, int yes, char **out_text)
{
    const char *args[] = {"--connections", c->env.connections,   cmd,
                          "--config",      c->env.config,        "--users",
                          c->env.users,    yes ? "--yes" : NULL, NULL};
    char *out = NULL, *err = NULL;
    int rc = ds_run(&out, &err, args);
    if (rc != 0)
        fprintf(stderr, "%s exit %d:\n%s\n", cmd, rc, err);
    if (out_text)
        *out_text = out;
    else
        free(out);
    free(err);
    return rc;
}

/* The class's objects in the simulator: VMs per (student, name), bridges, users, pools. */
struct census {
    int vms, dup_vms, bridges, users, pools, pending;
};

static struct census census(struct ctx *c, int students)
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

static void test_kill_at_ten_points(void **st)
{
    (void)st;
    for (int point = 1; point <= 10; point++) {
        struct ctx c;
        assert_int_equal(start(&c, "0.02"), 0);
        const char *args[] = {"--connections", c.env.connections, "deploy",    "--config",
                              c.env.config,    "--users",         c.env.users, NULL};
        pid_t pid = spawn_ds(args);
        long target = point * 3; /* 3..30 of the 35 actions */
        int reached = 0;
        for (int i = 0; i < 3000 && !reached; i++) { /* bounded: 30 s */
            long done = db_count(&c, "SELECT COUNT(*) FROM journal_actions WHERE status = 'done'");
            reached = done >= target;
            if (!reached)
                sleep_ms(10);
        }
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        if (!reached)
            fail_msg("kill point %d: the journal never reached %ld done actions", point, target);

        json_t *doc = NULL;
        assert_int_equal(run_deploy(&c, &doc), 0);
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
            assert_int_equal(simproc_login(&c.sp, json_string_value(json_object_get(s, "user")),
                                           json_string_value(json_object_get(s, "password")),
                                           cookie, sizeof cookie, csrf, sizeof csrf),
                             0);
        }
        json_decref(doc);
        struct census k = census(&c, 3);
        if (k.vms != 9 || k.dup_vms || k.bridges != 7 || k.users != 3 || k.pools != 3 || k.pending)
            fail_msg("kill point %d: vms %d (dups %d), bridges %d, users %d, pools %d, pending %d",
                     point, k.vms, k.dup_vms, k.bridges, k.users, k.pools, k.pending);
        /* no orphan: exactly the scenario's VMs plus the class's nine */
        assert_int_equal(vm_count(&c.sp), c.vms_before + 9);

        assert_int_equal(run_simple(&c, "destroy", 1, NULL), 0);
        k = census(&c, 3);
        assert_int_equal(k.vms + k.bridges + k.users + k.pools + k.pending, 0);
        assert_int_equal(vm_count(&c.sp), c.vms_before);
        assert_int_equal(ds_schema_violations(&c.sp), 0);
        stop(&c);
    }
}

static void test_stand_lock(void **st)
{
    (void)st;
    struct ctx c;
    assert_int_equal(start(&c, "0.5"), 0); /* slow tasks: the first run holds the lock a while */
    const char *args[] = {"--connections", c.env.connections, "deploy",    "--config",
                          c.env.config,    "--users",         c.env.users, NULL};
    pid_t pid = spawn_ds(args);
    int locked = 0;
    for (int i = 0; i < 2000 && !locked; i++) { /* bounded: 20 s */
        locked = db_count(&c, "SELECT COUNT(*) FROM stand_locks WHERE stand = 'demo-lab'") == 1;
        if (!locked)
            sleep_ms(10);
    }
    assert_true(locked);
    const char *second[] = {"--connections", c.env.connections, "deploy",    "--config",
                            c.env.config,    "--users",         c.env.users, NULL};
    char *err = NULL;
    assert_int_equal(ds_run(NULL, &err, second), 1);
    char want[64];
    snprintf(want, sizeof want, "pid %ld", (long)pid);
    if (!strstr(err, "is being changed by another run") || !strstr(err, want) ||
        !strstr(err, " since "))
        fail_msg("second run said:\n%s", err);
    free(err);
    /* the holder dies: its lock is stale and the next run takes over and converges */
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    assert_int_equal(run_deploy(&c, NULL), 0);
    struct census k = census(&c, 3);
    assert_int_equal(k.vms, 9);
    assert_int_equal(k.dup_vms, 0);
    assert_int_equal(db_count(&c, "SELECT COUNT(*) FROM stand_locks"), 0);
    stop(&c);
}

static void test_without_state_sweep_and_foreign(void **st)
{
    (void)st;
    struct ctx c;
    assert_int_equal(start(&c, "0.01"), 0);
    assert_int_equal(run_deploy(&c, NULL), 0);

    /* the state file is lost: status and destroy work from the marks alone */
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s/deploy-stand'", getenv("XDG_STATE_HOME"));
    assert_int_equal(system(cmd), 0);
    char *out = NULL;
    assert_int_equal(run_simple(&c, "status", 0, &out), 0);
    assert_non_null(strstr(out, "3 of 3 student(s) deployed"));
    free(out);
    json_t *doc = NULL;
    assert_int_equal(run_deploy(&c, &doc), 0); /* nothing to do; passwords are unknown now */
    json_t *s1 = json_array_get(json_object_get(doc, "students"), 0);
    assert_string_equal(json_string_value(json_object_get(s1, "password_state")), "unknown");
    assert_true(json_is_null(json_object_get(s1, "password")));
    json_decref(doc);

    /* foreign objects among ours: a VM in student1's pool, an unmarked vmbr1500 */
    char cookie[4096], csrf[512];
    assert_int_equal(simproc_login(&c.sp, "root@pam", "sim-root-password", cookie, sizeof cookie,
                                   csrf, sizeof csrf),
                     0);
    const char *hdrs[] = {cookie, csrf, NULL};
    struct rawresp r = {0};
    assert_int_equal(simproc_request(&c.sp, "POST", "/api2/json/nodes/pve1/qemu/100/clone",
                                     "newid=7777&name=web&pool=student1&full=1", hdrs, &r),
                     0);
    assert_int_equal(r.status, 200);
    rawresp_clear(&r);
    assert_int_equal(simproc_request(&c.sp, "POST", "/api2/json/nodes/pve1/network",
                                     "iface=vmbr1500&type=bridge", hdrs, &r),
                     0);
    assert_int_equal(r.status, 200);
    rawresp_clear(&r);
    for (int i = 0; i < 500; i++) { /* the foreign clone finishes (bounded) */
        json_t *stt = simproc_state(&c.sp);
        int busy = 0;
        size_t k;
        json_t *vm;
        json_array_foreach(json_object_get(stt, "vms"), k, vm)
        {
            if (json_integer_value(json_object_get(vm, "vmid")) == 7777)
                busy = json_object_get(json_object_get(vm, "config"), "lock") != NULL;
        }
        json_decref(stt);
        if (!busy)
            break;
        sleep_ms(10);
    }

    /* student3 leaves the class: sweep lists, then removes only student3's objects */
    ds_write_users(&c.env, 2);
    assert_int_equal(run_simple(&c, "sweep", 0, &out), 0);
    assert_non_null(strstr(out, "student3@pve"));
    assert_null(strstr(out, "student1@pve (pool"));
    free(out);
    struct census k = census(&c, 3);
    assert_int_equal(k.vms, 10); /* nothing removed yet (9 + the foreign "web" in student1) */
    assert_int_equal(run_simple(&c, "sweep", 1, NULL), 0);
    k = census(&c, 3);
    assert_int_equal(k.users, 2);
    assert_int_equal(k.pools, 2);
    ds_write_users(&c.env, 3);
    assert_int_equal(census(&c, 2).vms, 7);

    /* destroy: everything of ours goes; the foreign VM, its pool and vmbr1500 stay */
    ds_write_users(&c.env, 2);
    assert_int_equal(run_simple(&c, "destroy", 1, NULL), 0);
    json_t *stt = simproc_state(&c.sp);
    int foreign_vm = 0;
    size_t i;
    json_t *vm;
    json_array_foreach(json_object_get(stt, "vms"), i, vm)
    {
        foreign_vm |= json_integer_value(json_object_get(vm, "vmid")) == 7777;
    }
    assert_true(foreign_vm);
    assert_non_null(json_object_get(json_object_get(stt, "pools"), "student1"));
    json_t *node = NULL;
    json_array_foreach(json_object_get(stt, "nodes"), i, vm)
    {
        if (strcmp(json_string_value(json_object_get(vm, "node")), "pve1") == 0)
            node = vm;
    }
    assert_non_null(json_object_get(json_object_get(node, "network"), "vmbr1500"));
    json_decref(stt);
    k = census(&c, 3);
    assert_int_equal(k.vms, 1); /* only the foreign one */
    assert_int_equal(k.bridges + k.users, 0);
    stop(&c);
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
