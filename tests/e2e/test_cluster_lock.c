/* test_cluster_lock: the stand's lock lives on the cluster (issue 10, point 3): two deploys of one
 * stand from two state folders never both run (no duplicate), a lock of another machine is
 * refused with its holder, taken over with --break-lock only once stale, a dead run of this host
 * is taken over by itself, and a pool of that name that is no lock is named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ds_clock.h"
#include "e2e_fixture.h"
#include "app/app_lock.h"
#include "plan/marks.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOCK_POOL "ds-lock-demo-lab"

static int setup_slow(void **st)
{
    const char *args[] = {"--scenario", "classroom", "--time-scale", "0.2", NULL};
    return e2e_setup(st, args);
}

static int setup_fast(void **st)
{
    const char *args[] = {"--scenario", "classroom", "--time-scale", "0.005", NULL};
    return e2e_setup(st, args);
}

static int has_lock_pool(struct e2e *c)
{
    json_t *st = simproc_state(&c->sp);
    int has = json_object_get(json_object_get(st, "pools"), LOCK_POOL) != NULL;
    json_decref(st);
    return has;
}

/* Our VMs per (pool, name): 9 in all and none twice. */
static void expect_class_once(struct e2e *c)
{
    json_t *st = simproc_state(&c->sp);
    static const char *const names[] = {"web", "client", "router"};
    for (int s = 1; s <= 3; s++)
        for (int m = 0; m < 3; m++) {
            char pool[32];
            snprintf(pool, sizeof pool, "student%d", s);
            int n = 0;
            size_t i;
            json_t *vm;
            json_array_foreach(json_object_get(st, "vms"), i, vm)
            {
                const char *p = json_string_value(json_object_get(vm, "pool"));
                const char *nm =
                    json_string_value(json_object_get(json_object_get(vm, "config"), "name"));
                n += p && nm && strcmp(p, pool) == 0 && strcmp(nm, names[m]) == 0;
            }
            if (n != 1)
                fail_msg("%s has %d VM(s) named %s", pool, n, names[m]);
        }
    json_decref(st);
}

/* Two state folders, one stand: the second deploy is refused while the first runs. */
static void test_two_state_folders(void **st)
{
    struct e2e *c = *st;
    const char *args[] = {"--connections", c->env.connections, "--yes",      "deploy", "--config",
                          c->env.config,   "--users",          c->env.users, NULL};
    struct ds_proc first;
    ds_proc_start(&first, 0, args);
    int held = 0;
    for (int i = 0; i < 1500 && !held; i++) { /* bounded: 30 s */
        held = has_lock_pool(c);
        if (!held)
            ds_clock_sleep_ns(20 * DS_NS_PER_MS);
    }
    assert_true(held);
    char *other = e2e_path(c, "state-2"), *saved = strdup(getenv("XDG_STATE_HOME"));
    setenv("XDG_STATE_HOME", other, 1);
    char *err = NULL;
    int rc = e2e_cmd(c, E2E_YES, "deploy", NULL, NULL, NULL, &err, NULL);
    char pid[32];
    snprintf(pid, sizeof pid, "pid %d", first.pid);
    if (rc != 1 || !strstr(err, "is being changed from elsewhere") || !strstr(err, pid))
        fail_msg("the second deploy (exit %d) said:\n%s", rc, err);
    free(err);
    assert_int_equal(ds_proc_wait(&first, 120, NULL), 0);
    assert_false(has_lock_pool(c)); /* released at the end */
    expect_class_once(c);
    /* the second folder's run again: nothing left to do, still no duplicate */
    char *out = NULL;
    assert_int_equal(e2e_cmd(c, E2E_YES, "deploy", NULL, &out, NULL, NULL, NULL), 0);
    e2e_expect_in(out, "nothing was changed", "the second folder's deploy");
    free(out);
    setenv("XDG_STATE_HOME", saved, 1);
    free(saved);
    free(other);
    expect_class_once(c);
}

/* A lock pool made by hand with this holder comment. */
static void put_lock(struct e2e *c, const char *host, long pid, long long seen_ago)
{
    struct mark_lock l = {.pid = pid, .since = ds_clock_wall_s() - seen_ago - 60};
    l.seen = ds_clock_wall_s() - seen_ago;
    snprintf(l.command, sizeof l.command, "deploy");
    snprintf(l.user, sizeof l.user, "teacher2");
    snprintf(l.host, sizeof l.host, "%s", host);
    snprintf(l.run, sizeof l.run, "424242");
    char text[512], body[1024];
    mark_lock_format(text, sizeof text, &l);
    size_t n = (size_t)snprintf(body, sizeof body, "poolid=" LOCK_POOL "&comment=");
    for (const char *p = text; *p && n + 4 < sizeof body; p++)
        n += (size_t)(*p == ' ' ? snprintf(body + n, sizeof body - n, "%%20")
                                : snprintf(body + n, sizeof body - n, "%c", *p));
    assert_int_equal(e2e_login_root(c), 0);
    assert_int_equal(e2e_api(c, "POST", "/pools", body, NULL), 200);
}

static int deploy(struct e2e *c, const char *extra, char **err)
{
    return e2e_cmd(c, E2E_YES, "deploy", NULL, NULL, NULL, err, extra, NULL);
}

static void test_other_machine(void **st)
{
    struct e2e *c = *st;
    put_lock(c, "laptop-b", 4242, 10); /* alive: renewed 10 s ago */
    long before = ds_mutating_requests(&c->sp);
    char *err = NULL;
    assert_int_equal(deploy(c, "--break-lock", &err), 1); /* not stale: not even so */
    e2e_expect_in(err, "`deploy` by teacher2 on laptop-b (pid 4242)", "a live lock");
    e2e_expect_in(err, "wait for it to finish", "a live lock");
    free(err);
    /* the refused runs changed nothing but for their attempt at the lock */
    assert_int_equal(ds_mutating_requests(&c->sp) - before, 1);
    assert_int_equal(e2e_api(c, "DELETE", "/pools/" LOCK_POOL, NULL, NULL), 200);

    put_lock(c, "laptop-b", 4242, APP_LOCK_STALE_S + 30);
    assert_int_equal(deploy(c, NULL, &err), 1);
    e2e_expect_in(err, "run again with --break-lock", "a stale lock");
    free(err);
    assert_int_equal(deploy(c, "--break-lock", &err), 0);
    e2e_expect_in(err, "taking over the lock of stand 'demo-lab'", "--break-lock");
    free(err);
    assert_false(has_lock_pool(c));
    expect_class_once(c);
}

static void test_dead_run_here(void **st)
{
    struct e2e *c = *st;
    char host[128] = "";
    gethostname(host, sizeof host - 1);
    struct ds_proc gone; /* a process that has ended: its pid is free */
    const char *args[] = {"--version", NULL};
    ds_proc_start(&gone, 0, args);
    long pid = gone.pid;
    assert_int_equal(ds_proc_wait(&gone, 30, NULL), 0);
    put_lock(c, host, pid, 5);
    char *err = NULL;
    assert_int_equal(deploy(c, NULL, &err), 0);
    e2e_expect_in(err, "taking over the lock", "a dead run of this host");
    free(err);
    assert_false(has_lock_pool(c));
}

static void test_foreign_pool(void **st)
{
    struct e2e *c = *st;
    assert_int_equal(e2e_login_root(c), 0);
    assert_int_equal(e2e_api(c, "POST", "/pools", "poolid=" LOCK_POOL "&comment=mine", NULL), 200);
    char *err = NULL;
    assert_int_equal(deploy(c, NULL, &err), 1);
    e2e_expect_in(err,
                  "the pool " LOCK_POOL " exists on the cluster but is not deploy-stand's lock",
                  "a foreign pool");
    free(err);
    json_t *stt = simproc_state(&c->sp);
    assert_null(json_object_get(json_object_get(stt, "pools"), "student1")); /* nothing done */
    json_decref(stt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_two_state_folders, setup_slow, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_other_machine, setup_fast, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_dead_run_here, setup_fast, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_foreign_pool, setup_fast, e2e_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
