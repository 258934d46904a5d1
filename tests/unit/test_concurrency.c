/* test_concurrency: the per-node concurrency controller against a fake node whose tasks slow down
 * beyond its capacity, on a fake clock: it finds the capacity from below and from above, and
 * backs off on lock errors (issue 12). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "exec/concurrency.h"

#define TASK_NS 2000000000LL /* a 2 s linked clone at full speed */

/* A node that runs `capacity` tasks at full speed: `limit` tasks started together each take
 * TASK_NS x max(1, limit / capacity). Runs `rounds` rounds from *now; returns the mean limit of
 * the last 30 rounds, rounded (the controller keeps probing one above and one below). */
static int run_rounds(struct cc *cc, int capacity, int rounds, int64_t *now)
{
    int sum = 0, n_sum = 0;
    for (int r = 0; r < rounds; r++) {
        int n = cc->limit;
        int64_t took = n > capacity ? TASK_NS * n / capacity : TASK_NS;
        *now += took;
        for (int i = 0; i < n; i++)
            cc_task_done(cc, 3, took, *now);
        if (r >= rounds - 30) {
            sum += n;
            n_sum++;
        }
    }
    return (2 * sum + n_sum) / (2 * n_sum);
}

static void test_climbs_to_capacity(void **st)
{
    (void)st;
    struct cc cc;
    cc_init(&cc, 2, 16);
    int64_t now = 1;
    int limit = run_rounds(&cc, 8, 60, &now);
    if (limit != 8)
        fail_msg("from below: limit %d, capacity 8", limit);
}

static void test_comes_down_to_capacity(void **st)
{
    (void)st;
    struct cc cc;
    cc_init(&cc, 12, 16);
    int64_t now = 1;
    int limit = run_rounds(&cc, 4, 60, &now);
    if (limit != 4)
        fail_msg("from above: limit %d, capacity 4", limit);
}

static void test_never_above_the_maximum(void **st)
{
    (void)st;
    struct cc cc;
    cc_init(&cc, 4, 6);
    int64_t now = 1;
    assert_int_equal(run_rounds(&cc, 20, 60, &now), 6);
    cc_init(&cc, 9, 3); /* a start above the maximum is the maximum */
    assert_int_equal(cc.limit, 3);
}

static void test_backs_off_on_locks(void **st)
{
    (void)st;
    struct cc cc;
    cc_init(&cc, 2, 16);
    int64_t now = 1;
    run_rounds(&cc, 8, 60, &now);
    int limit = cc.limit;
    cc_lock_error(&cc, now);
    assert_int_equal(cc.limit, limit / 2);
    cc_lock_error(&cc, now);
    cc_lock_error(&cc, now);
    cc_lock_error(&cc, now);
    assert_int_equal(cc.limit, 1);
    /* and climbs back once the locks are gone */
    limit = run_rounds(&cc, 8, 60, &now);
    if (limit != 8)
        fail_msg("after the locks: limit %d, capacity 8", limit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_climbs_to_capacity),
        cmocka_unit_test(test_comes_down_to_capacity),
        cmocka_unit_test(test_never_above_the_maximum),
        cmocka_unit_test(test_backs_off_on_locks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
