/* test_sim_timing: the pve-sim time model: with K=4, eight full clones on one node keep it busy
 * about twice as long as four (model time from /__sim/stats and task status, not wall clock). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim_test_util.h"

static struct simctx C;

static int setup(void **state)
{
    (void)state;
    const char *args[] = {"--time-scale", "0.005", "--scenario", "single", NULL};
    return tu_start(&C, args);
}

static int teardown(void **state)
{
    (void)state;
    tu_stop(&C);
    return 0;
}

/* Starts n full clones of template 100 at once, waits for all, returns the node's busy time in
 * model seconds and the most tasks that ran at once. */
static double run_batch(int n, unsigned first, int *max_running, double *longest)
{
    char *upids[16];
    for (int i = 0; i < n; i++) {
        struct rawresp r;
        char body[64];
        snprintf(body, sizeof body, "newid=%u&full=1", first + (unsigned)i);
        assert_int_equal(tu_req(&C, "POST", body, &r, "/nodes/pve/qemu/100/clone"), 200);
        upids[i] = strdup(json_string_value(tu_data(&r)));
        rawresp_clear(&r);
    }
    *longest = 0;
    for (int i = 0; i < n; i++) {
        char *es = tu_wait_task(&C, "pve", upids[i]);
        assert_non_null(es);
        assert_string_equal(es, "OK");
        free(es);
        struct rawresp r;
        assert_int_equal(tu_req(&C, "GET", NULL, &r, "/nodes/pve/tasks/%s/status", upids[i]), 200);
        double el = json_real_value(json_object_get(tu_data(&r), "sim_elapsed"));
        if (el > *longest)
            *longest = el;
        rawresp_clear(&r);
        free(upids[i]);
    }
    json_t *st = simproc_stats(&C.sp);
    json_t *node = json_object_get(json_object_get(st, "nodes"), "pve");
    double busy = json_real_value(json_object_get(node, "busy_s"));
    *max_running = (int)json_integer_value(json_object_get(node, "max_running"));
    json_decref(st);
    return busy;
}

static void reset(void)
{
    struct rawresp r;
    assert_int_equal(simproc_request(&C.sp, "POST", "/__sim/reset", "", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    rawresp_clear(&r);
    /* a reset keeps the login valid (same signing key) */
}

static void test_k_sharing(void **state)
{
    (void)state;
    int max4, max8;
    double long4, long8;
    double busy4 = run_batch(4, 7000, &max4, &long4);
    reset();
    double busy8 = run_batch(8, 7000, &max8, &long8);
    print_message("busy 4: %.2f s (longest %.2f), busy 8: %.2f s (longest %.2f)\n", busy4, long4,
                  busy8, long8);
    assert_int_equal(max4, 4);
    assert_int_equal(max8, 8);
    /* the scenario says 20 s per full clone */
    assert_true(busy4 >= 19.9 && busy4 < 26);
    double ratio = busy8 / busy4;
    assert_true(ratio >= 1.7 && ratio <= 2.3);
    double lratio = long8 / long4;
    assert_true(lratio >= 1.7 && lratio <= 2.3);
}

static void test_linked_is_faster(void **state)
{
    (void)state;
    reset();
    int maxr;
    double longest;
    struct rawresp r;
    assert_int_equal(tu_req(&C, "POST", "newid=7100", &r, "/nodes/pve/qemu/100/clone"), 200);
    char *upid = strdup(json_string_value(tu_data(&r)));
    rawresp_clear(&r);
    char *es = tu_wait_task(&C, "pve", upid);
    assert_string_equal(es, "OK");
    free(es);
    assert_int_equal(tu_req(&C, "GET", NULL, &r, "/nodes/pve/tasks/%s/status", upid), 200);
    double el = json_real_value(json_object_get(tu_data(&r), "sim_elapsed"));
    assert_true(el >= 1.99 && el < 6);
    assert_true(json_integer_value(json_object_get(tu_data(&r), "endtime")) >=
                json_integer_value(json_object_get(tu_data(&r), "starttime")));
    rawresp_clear(&r);
    free(upid);
    double busy = run_batch(1, 7200, &maxr, &longest);
    assert_true(busy >= 21.9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_k_sharing),
        cmocka_unit_test(test_linked_is_faster),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
