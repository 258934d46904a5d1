/* test_crash_destroy: `destroy` of the balanced example stand killed with SIGKILL at 20 points
 * (by the journal's count of its 27 actions, with VM destroys in flight, with the bridges gone but
 * the network not applied, with the VMs gone but the users not): one re-run leaves nothing of the
 * stand but the template copies, and sweep --templates removes those (issue 10). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "crash_fx.h"
#include <stdio.h>

static const struct crash_point SPECIAL[] = {
    CRASH_AT_DESTROYS,
    CRASH_AT_PENDING,
    {.name = "the VMs gone, the users not (their removal dropped)",
     .reached = crash_at_users_without_vms,
     .fault = "drop",
     .match = "DELETE&/access/users"},
};
static const long AT_DONE[] = {1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26};

/* A clean deploy, the kill, the one re-run, then sweep --templates back to the scenario. */
static void step(struct e2e *c, const struct crash_ref *ref, const struct crash_point *p, int no)
{
    char label[256];
    snprintf(label, sizeof label, "deploy before kill point %d", no);
    crash_run(c, CRASH_DEPLOY, label);
    crash_expect_deployed(c, ref, label);
    crash_kill_at(c, CRASH_DESTROY, p, no, label, sizeof label);
    crash_run(c, CRASH_DESTROY, label);
    crash_expect_destroyed(c, ref, label);
    crash_sweep_templates(c, ref, label);
}

static void test_kill_destroy_at_twenty_points(void **st)
{
    struct crash_ref ref;
    crash_reference(*st, &ref);
    crash_each(*st, &ref, SPECIAL, CRASH_N(SPECIAL), AT_DONE, CRASH_N(AT_DONE), 1, step);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_kill_destroy_at_twenty_points, crash_setup,
                                        e2e_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
