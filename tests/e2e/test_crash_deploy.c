/* test_crash_deploy: `deploy --strategy balanced` (template copies for pve2 and pve3) killed with
 * SIGKILL at 20 points, among them inside the template copying and right after the clones of the
 * copies (before they were configured): one re-run gives exactly the planned stand (the census of
 * a clean deploy: no duplicate VM, MAC, bridge or copy, tags, links, no pending network), destroy
 * leaves only the copies and sweep --templates removes those (issue 10). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "crash_fx.h"

/* The moments the journal's count cannot pick... */
static const struct crash_point SPECIAL[] = {
    CRASH_AT_PENDING,
    {.name = "inside the full clone of a template copy",
     .reached = crash_at_copy_cloning,
     .step = 1},
    {.name = "a copy marked, not yet a template (the convert dropped)",
     .reached = crash_at_copy_unconverted,
     .fault = "drop",
     .match = "POST&/template"},
    {.name = "a copy made, not yet migrated (the migration dropped)",
     .reached = crash_at_copy_unmigrated,
     .fault = "drop",
     .match = "POST&/migrate"},
    {.name = "a copy being migrated", .reached = crash_at_copy_migrating, .step = 1},
    CRASH_AT_UNCONFIGURED,
};
/* ...and counts of done actions spread over the 66 of the plan. */
static const long AT_DONE[] = {3, 8, 14, 18, 22, 27, 32, 37, 42, 47, 52, 57, 61, 64};

/* Kill, the one re-run, then destroy and sweep --templates back to the scenario. */
static void step(struct e2e *c, const struct crash_ref *ref, const struct crash_point *p, int no)
{
    char label[256];
    crash_kill_at(c, CRASH_DEPLOY, p, no, label, sizeof label);
    crash_run(c, CRASH_DEPLOY, label);
    crash_expect_deployed(c, ref, label);
    crash_destroy_and_sweep(c, ref, label);
}

static void test_kill_deploy_at_twenty_points(void **st)
{
    struct crash_ref ref;
    crash_reference(*st, &ref);
    crash_each(*st, &ref, SPECIAL, CRASH_N(SPECIAL), AT_DONE, CRASH_N(AT_DONE), 1, step);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_kill_deploy_at_twenty_points, crash_setup,
                                        e2e_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
