/* test_faults_balanced: a class of 12 deployed with --strategy balanced (template copies for pve2
 * and pve3 included) against a simulator that fails 5%, then 20%, of the mutating requests (lock
 * timeouts) and of the tasks: every student ends complete or rolled back and is named in the
 * report, re-runs complete the class with nothing duplicated, destroy leaves only the template
 * copies and sweep --templates removes those (issue 10). The rates cannot change at run time, so
 * the re-runs meet the faults too: as in test_faults, a few rounds are allowed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "crash_fx.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLASS 12
#define ROUNDS 3 /* re-runs allowed while the faults go on */

/* The rates with a fixed seed, and one clone of student5 refused for good (a final error, not
 * retried), so that at least one student is rolled back and a re-run is needed. */
static int setup_rate(void **st, const char *rate, const char *seed)
{
    const char *args[] = {
        "--scenario",  "classroom", "--time-scale",     "0.005",
        "--fail-rate", rate,        "--task-fail-rate", rate,
        "--seed",      seed,        "--fault",          "input:/clone&student5@pve:1",
        NULL};
    if (e2e_setup(st, args) < 0)
        return -1;
    ds_write_users(&((struct e2e *)*st)->env, CLASS);
    return 0;
}

static int setup_5(void **st)
{
    return setup_rate(st, "0.05", "11");
}

static int setup_20(void **st)
{
    return setup_rate(st, "0.2", "7");
}

/* Nothing twice, no VM left locked or on vmbr0, no copy half made, no pending network. */
static void expect_clean(struct e2e *c, const char *when)
{
    struct crash_census k;
    crash_census(c, &k);
    static const int zero[] = {CF_DUP_VMS,     CF_ON_VMBR0, CF_LOCKED,
                               CF_DUP_BRIDGES, CF_PENDING,  CF_DUP_COPIES,
                               CF_BAD_COPIES,  CF_UNTAGGED, CF_NO_BASELINE};
    static const char *const names[] = {"duplicate VMs",
                                        "NICs on vmbr0 with the link up",
                                        "locked VMs",
                                        "duplicate bridges",
                                        "nodes with pending network changes",
                                        "duplicate copies",
                                        "unfinished or misplaced copies",
                                        "VMs without the stand tag",
                                        "VMs without the baseline"};
    for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i++)
        if (k.n[zero[i]])
            fail_msg("%s: %d %s", when, k.n[zero[i]], names[i]);
}

/* One deploy: every student of the class is in the report once, complete (3 VMs, 2 bridges) or
 * rolled back (an error, and nothing of theirs left). Returns the exit code. */
static int deploy_round(struct e2e *c, int round)
{
    json_t *doc = NULL;
    const char *extra[] = {"--strategy", "balanced", NULL};
    char *err = NULL;
    int rc = e2e_cmdv(c, E2E_JSON | E2E_YES, "deploy", NULL, NULL, &doc, &err, extra);
    char msg[640];
    crash_tail(msg, sizeof msg, err);
    free(err);
    if ((rc != 0 && rc != 1) || !doc)
        fail_msg("deploy round %d: exit %d, report %s%s:\n%s", round, rc, doc ? "ok" : "missing",
                 strstr(msg, "locking the stand on the cluster")
                     ? " (KNOWN BUG, see test_stand_lock_meets_a_lock_timeout)"
                     : "",
                 msg);
    json_t *state = simproc_state(&c->sp);
    int failed = 0;
    for (int i = 1; i <= CLASS; i++) {
        char user[64];
        snprintf(user, sizeof user, "student%d@pve", i);
        json_t *s = e2e_student(doc, user);
        int vms, bridges;
        crash_student(state, user, &vms, &bridges);
        int ok = json_is_true(json_object_get(s, "ok"));
        const char *pool = json_string_value(json_object_get(s, "pool"));
        if (ok && (vms != 3 || bridges != 2))
            fail_msg("deploy round %d: %s is reported complete with %d VMs, %d bridges", round,
                     user, vms, bridges);
        if (!ok && (!json_string_value(json_object_get(s, "error")) || vms || bridges ||
                    json_object_get(json_object_get(state, "users"), user) ||
                    json_object_get(json_object_get(state, "pools"), pool)))
            fail_msg("deploy round %d: %s failed but is not rolled back (%d VMs, %d bridges)",
                     round, user, vms, bridges);
        failed += !ok;
    }
    if (json_array_size(json_object_get(doc, "students")) != CLASS || rc != (failed ? 1 : 0))
        fail_msg("deploy round %d: %zu students reported, %d failed, exit %d", round,
                 json_array_size(json_object_get(doc, "students")), failed, rc);
    json_decref(state);
    json_decref(doc);
    char when[64];
    snprintf(when, sizeof when, "after deploy round %d", round);
    expect_clean(c, when);
    return rc;
}

/* Runs cmd (with --yes) until it exits 0, at most `runs` times (each run meets the faults). */
static void until_ok(struct e2e *c, const char *const *cmd, int runs)
{
    int rc = 1;
    char msg[640] = "";
    for (int round = 0; round < runs && rc != 0; round++) {
        char *err = NULL;
        rc = e2e_cmdv(c, E2E_YES, cmd[0], NULL, NULL, NULL, &err, cmd + 1);
        crash_tail(msg, sizeof msg, err);
        free(err);
    }
    if (rc != 0)
        fail_msg("`%s` did not succeed in %d runs; the last said:\n%s", cmd[0], runs, msg);
}

static void faulty_balanced(void **st)
{
    struct e2e *c = *st;
    struct crash_census k;
    crash_census(c, &k);
    int before = k.n[CF_ALL_VMS];
    int runs = 1, rc = deploy_round(c, 1);
    while (rc != 0 && runs <= ROUNDS)
        rc = deploy_round(c, ++runs);
    if (rc != 0)
        fail_msg("the class is not complete after %d re-runs", ROUNDS);
    if (runs < 2)
        fail_msg("student5's refused clone did not fail the first deploy");
    print_message("the class is complete after %d deploy run(s)\n", runs);
    crash_census(c, &k);
    if (k.n[CF_VMS] != 3 * CLASS || k.n[CF_USERS] != CLASS || k.n[CF_POOLS] != CLASS ||
        k.n[CF_BRIDGES] != 2 * CLASS + 3 || k.n[CF_COPIES] != 6)
        fail_msg("the complete class has %d VMs, %d users, %d pools, %d bridges, %d copies",
                 k.n[CF_VMS], k.n[CF_USERS], k.n[CF_POOLS], k.n[CF_BRIDGES], k.n[CF_COPIES]);

    /* destroy leaves the copies alone; sweep --templates removes them */
    const char *const destroy[] = {"destroy", NULL};
    until_ok(c, destroy, 6);
    crash_census(c, &k);
    if (k.n[CF_VMS] + k.n[CF_USERS] + k.n[CF_POOLS] + k.n[CF_BRIDGES] + k.n[CF_PENDING] ||
        k.n[CF_ALL_VMS] != before + 6 || k.n[CF_COPIES] != 6)
        fail_msg("after destroy: %d VMs, %d users, %d pools, %d bridges, %d pending, %d copies, "
                 "%d VMs in all (%d before)",
                 k.n[CF_VMS], k.n[CF_USERS], k.n[CF_POOLS], k.n[CF_BRIDGES], k.n[CF_PENDING],
                 k.n[CF_COPIES], k.n[CF_ALL_VMS], before);
    const char *const sweep[] = {"sweep", "--templates", NULL};
    until_ok(c, sweep, 6);
    crash_census(c, &k);
    if (k.n[CF_ALL_VMS] != before)
        fail_msg("after sweep --templates: %d VMs, %d before the deploy", k.n[CF_ALL_VMS], before);
    assert_int_equal(ds_schema_violations(&c->sp), 0);
    /* KNOWN BUG (fails at 20% until fixed): a lock pool whose removal met a fault stays for good
     * (src/exec/exec_copies.c exec_copy_end, src/app/app_lock.c app_lock_release: one attempt) */
    if (k.n[CF_LOCK_POOLS])
        fail_msg("after destroy and sweep --templates: lock pool(s) left: %s", k.locks);
}

/* One lock timeout on the creation of the stand's lock pool: the run retries it as it retries
 * every lock timeout and deploys the class. KNOWN BUG (fails until fixed): the lock is taken with
 * one attempt, so the run ends at once with "locking the stand on the cluster: creation of pool
 * ds-lock-demo-lab failed: 500 ... got lock request timeout" and no report (src/app/app_lock.c
 * create_lock). At the rates above the same happens by chance to any run. */
static int setup_lock_fault(void **st)
{
    const char *args[] = {"--scenario", "classroom", "--time-scale",
                          "0.005",      "--fault",   "lock:POST /pools&ds-lock-:1",
                          NULL};
    return e2e_setup(st, args);
}

static void test_stand_lock_meets_a_lock_timeout(void **st)
{
    struct e2e *c = *st;
    const char *extra[] = {"--strategy", "balanced", NULL};
    char *err = NULL, msg[640];
    json_t *doc = NULL;
    int rc = e2e_cmdv(c, E2E_JSON | E2E_YES, "deploy", NULL, NULL, &doc, &err, extra);
    crash_tail(msg, sizeof msg, err);
    free(err);
    int reported = json_array_size(json_object_get(doc, "students")) == 3;
    json_decref(doc);
    if (rc != 0 || !reported)
        fail_msg("deploy after one lock timeout on the lock pool: exit %d, %s report:\n%s", rc,
                 reported ? "a" : "no", msg);
}

static void test_faults_5_percent(void **st)
{
    faulty_balanced(st);
}

static void test_faults_20_percent(void **st)
{
    faulty_balanced(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_faults_5_percent, setup_5, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_faults_20_percent, setup_20, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_stand_lock_meets_a_lock_timeout, setup_lock_fault,
                                        e2e_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
