/* test_sim_timing: the pve-sim time model over HTTP: with K=4, eight full clones on one node keep
 * it busy twice as long as four (model time from /__sim/stats and /__sim/state, not wall clock). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim_test_util.h"

#include <math.h>

static struct simctx C;

static int setup(void **state)
{
    (void)state;
    const char *args[] = {"--time-scale", "0.05", "--scenario", "single", NULL};
    return tu_start(&C, args);
}

static int teardown(void **state)
{
    (void)state;
    tu_stop(&C);
    return 0;
}

/* The task's entry in /__sim/state (its simulator fields sim_elapsed, sim_start, sim_work; the
 * task status carries only Proxmox's fields), new ref, or NULL. */
static json_t *sim_task(const char *upid)
{
    json_t *state = simproc_state(&C.sp), *found = NULL;
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(state, "tasks"), i, t)
    {
        if (strcmp(json_string_value(json_object_get(t, "upid")), upid) == 0)
            found = json_incref(t);
    }
    json_decref(state);
    return found;
}

/* Starts n full clones of template 100 at once, waits for all, returns the node's busy time in
 * model seconds, the most tasks that ran at once, the longest task and the spread of the starts
 * (model seconds between the first and the last start: the requests take real time). */
static double run_batch(int n, unsigned first, int *max_running, double *longest, double *spread)
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
    double first_start = 0, last_start = 0;
    for (int i = 0; i < n; i++) {
        char *es = tu_wait_task(&C, "pve", upids[i]);
        assert_non_null(es);
        assert_string_equal(es, "OK");
        free(es);
        json_t *t = sim_task(upids[i]);
        assert_non_null(t);
        double el = json_real_value(json_object_get(t, "sim_elapsed"));
        if (el > *longest)
            *longest = el;
        double st = json_real_value(json_object_get(t, "sim_start"));
        if (i == 0 || st < first_start)
            first_start = st;
        if (i == 0 || st > last_start)
            last_start = st;
        /* the scenario says 20 s per full clone */
        assert_true(fabs(json_real_value(json_object_get(t, "sim_work")) - 20) < 1e-6);
        json_decref(t);
        free(upids[i]);
    }
    json_t *st = simproc_stats(&C.sp);
    json_t *node = json_object_get(json_object_get(st, "nodes"), "pve");
    double busy = json_real_value(json_object_get(node, "busy_s"));
    *max_running = (int)json_integer_value(json_object_get(node, "max_running"));
    *spread = last_start - first_start;
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

/* Equal tasks started within `spread` on K slots keep the node busy at least their work / K and at
 * most that plus the spread. */
static void assert_busy(double busy, double work, double spread)
{
    assert_true(busy >= work - 1e-6);
    assert_true(busy <= work + spread + 1e-6);
}

static void test_k_sharing(void **state)
{
    (void)state;
    int max4, max8;
    double long4, long8, spread4, spread8;
    double busy4 = run_batch(4, 7000, &max4, &long4, &spread4);
    reset();
    double busy8 = run_batch(8, 7000, &max8, &long8, &spread8);
    print_message("busy 4: %.3f s (longest %.3f, spread %.3f), busy 8: %.3f s (longest %.3f, "
                  "spread %.3f)\n",
                  busy4, long4, spread4, busy8, long8, spread8);
    assert_int_equal(max4, 4);
    assert_int_equal(max8, 8);
    /* four clones fit the four slots: 20 s; eight share them: 8 * 20 / 4 = 40 s */
    assert_busy(busy4, 20, spread4);
    assert_busy(busy8, 40, spread8);
    assert_true(long4 >= 20 - 1e-6);
    assert_true(long8 >= 40 - spread8 - 1e-6);
}

static void test_linked_is_faster(void **state)
{
    (void)state;
    reset();
    int maxr;
    double longest, spread;
    struct rawresp r;
    assert_int_equal(tu_req(&C, "POST", "newid=7100", &r, "/nodes/pve/qemu/100/clone"), 200);
    char *upid = strdup(json_string_value(tu_data(&r)));
    rawresp_clear(&r);
    char *es = tu_wait_task(&C, "pve", upid);
    assert_string_equal(es, "OK");
    free(es);
    json_t *t = sim_task(upid);
    double el = json_real_value(json_object_get(t, "sim_elapsed"));
    /* a linked clone is 2 s of work; alone on the node it takes exactly that */
    assert_true(fabs(el - 2) < 1e-6);
    assert_true(json_integer_value(json_object_get(t, "endtime")) >=
                json_integer_value(json_object_get(t, "starttime")));
    json_decref(t);
    /* the task status itself has Proxmox's fields only */
    assert_int_equal(tu_req(&C, "GET", NULL, &r, "/nodes/pve/tasks/%s/status", upid), 200);
    static const char *const pve_fields[] = {"upid", "node", "pid",  "pstart", "starttime",
                                             "type", "id",   "user", "status", "exitstatus"};
    assert_int_equal(json_object_size(tu_data(&r)), 10);
    for (size_t i = 0; i < 10; i++)
        assert_non_null(json_object_get(tu_data(&r), pve_fields[i]));
    rawresp_clear(&r);
    free(upid);
    double busy = run_batch(1, 7200, &maxr, &longest, &spread);
    assert_true(busy >= 22 - 1e-6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_k_sharing),
        cmocka_unit_test(test_linked_is_faster),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
