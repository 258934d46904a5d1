/* test_crash_reset: `reset` (the rollback to snapshot 'start') and `reset --reclone --strategy
 * balanced` of the balanced example stand, each killed with SIGKILL at 10 points (by the journal's
 * count of its actions, with rollbacks or destroys in flight, and right after the fresh clones
 * before they were configured): the same reset run once more gives exactly the planned stand, every
 * student VM with its baseline snapshot; destroy and sweep --templates then leave the scenario as
 * it was (issue 10). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "crash_fx.h"

/* The plain reset: 9 rollbacks. */
static const struct crash_point ROLLBACK[] = {
    {.name = "one rollback in flight (model time held)",
     .task = "qmrollback",
     .tasks = 1,
     .hold = 1},
    {.name = "three rollbacks in flight (model time held)",
     .task = "qmrollback",
     .tasks = 3,
     .hold = 1},
};
static const long ROLLBACK_DONE[] = {1, 2, 3, 4, 5, 6, 7, 8};

/* The reclone: 9 VM destroys (a run of their own), then 9 clones, configures and snapshots. */
static const struct crash_point RECLONE[] = {
    CRASH_AT_DESTROYS,
    CRASH_AT_UNCONFIGURED,
};
static const long RECLONE_DONE[] = {2, 6, 10, 14, 19, 24, 29, 34};

/* Kill the reset, run the same reset once more, check (no VM without snapshot 'start'). */
static void reset_step(struct e2e *c, const struct crash_ref *ref, const struct crash_point *p,
                       int no, const char *const *cmd)
{
    char label[256];
    crash_kill_at(c, cmd, p, no, label, sizeof label);
    crash_run(c, cmd, label);
    crash_expect_deployed(c, ref, label);
}

static void rollback_step(struct e2e *c, const struct crash_ref *ref, const struct crash_point *p,
                          int no)
{
    reset_step(c, ref, p, no, CRASH_RESET);
}

static void reclone_step(struct e2e *c, const struct crash_ref *ref, const struct crash_point *p,
                         int no)
{
    reset_step(c, ref, p, no, CRASH_RECLONE);
}

static void test_kill_reset_at_twenty_points(void **st)
{
    struct e2e *c = *st;
    struct crash_ref ref;
    crash_reference(c, &ref);
    crash_run(c, CRASH_DEPLOY, "deploy before the resets");
    crash_each(c, &ref, ROLLBACK, CRASH_N(ROLLBACK), ROLLBACK_DONE, CRASH_N(ROLLBACK_DONE), 1,
               rollback_step);
    crash_each(c, &ref, RECLONE, CRASH_N(RECLONE), RECLONE_DONE, CRASH_N(RECLONE_DONE), 11,
               reclone_step);
    crash_destroy_and_sweep(c, &ref, "after the resets");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_kill_reset_at_twenty_points, crash_setup,
                                        e2e_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
