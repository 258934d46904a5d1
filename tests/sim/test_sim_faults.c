/* test_sim_faults: pve-sim fault injection: lock-timeout 500s (--fail-rate), failing tasks
 * (--task-fail-rate), determinism with --seed, and --latency-ms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim_test_util.h"

static void test_fail_rate_one(void **state)
{
    (void)state;
    struct simctx c;
    const char *args[] = {"--time-scale", "0.01", "--fail-rate", "1", NULL};
    assert_int_equal(tu_start(&c, args), 0);
    struct rawresp r;
    assert_int_equal(tu_req(&c, "PUT", "description=x", &r, "/nodes/pve1/qemu/200/config"), 500);
    assert_string_equal(tu_msg(&r),
                        "can't lock file '/var/lock/qemu-server/lock-200.conf' - got timeout\n");
    rawresp_clear(&r);
    assert_int_equal(tu_req(&c, "POST", "poolid=x1", &r, "/pools"), 500);
    assert_string_equal(
        tu_msg(&r),
        "create pool failed: cfs-lock 'file-user_cfg' error: got lock request timeout\n");
    rawresp_clear(&r);
    assert_int_equal(tu_req(&c, "POST", "iface=vmbr5&type=bridge", &r, "/nodes/pve1/network"), 500);
    assert_string_equal(tu_msg(&r),
                        "can't lock file '/etc/network/.pve-interfaces.lock' - got timeout\n");
    rawresp_clear(&r);
    /* reads are not affected */
    assert_int_equal(tu_req(&c, "GET", NULL, &r, "/nodes/pve1/qemu/200/config"), 200);
    rawresp_clear(&r);
    tu_stop(&c);
}

static void test_task_fail_rate_one(void **state)
{
    (void)state;
    struct simctx c;
    const char *args[] = {"--time-scale", "0.01", "--task-fail-rate", "1", NULL};
    assert_int_equal(tu_start(&c, args), 0);
    char *es = tu_run_task(&c, "pve1", "POST", "newid=8000", "/nodes/pve1/qemu/100/clone");
    assert_non_null(es);
    assert_string_equal(es, "clone failed: can't lock file "
                            "'/var/lock/pve-manager/pve-storage-local-lvm' - got timeout");
    free(es);
    /* a failed clone leaves no VM behind */
    struct rawresp r;
    assert_int_equal(tu_req(&c, "GET", NULL, &r, "/nodes/pve1/qemu/8000/config"), 500);
    rawresp_clear(&r);
    es = tu_run_task(&c, "pve1", "POST", NULL, "/nodes/pve1/qemu/200/status/stop");
    assert_string_equal(es, "can't lock file '/var/lock/qemu-server/lock-200.conf' - got timeout");
    free(es);
    tu_stop(&c);
}

/* The statuses of 30 config updates with --fail-rate 0.5 and a seed, as a string of 0/1. */
static void run_sequence(const char *seed, char *out)
{
    struct simctx c;
    const char *args[] = {"--fail-rate", "0.5", "--seed", seed, NULL};
    assert_int_equal(tu_start(&c, args), 0);
    for (int i = 0; i < 30; i++) {
        struct rawresp r;
        long st = tu_req(&c, "PUT", "description=x", &r, "/nodes/pve1/qemu/200/config");
        assert_true(st == 200 || st == 500);
        out[i] = st == 200 ? '1' : '0';
        rawresp_clear(&r);
    }
    out[30] = '\0';
    tu_stop(&c);
}

static void test_deterministic(void **state)
{
    (void)state;
    char a[31], b[31], d[31];
    run_sequence("7", a);
    run_sequence("7", b);
    run_sequence("8", d);
    assert_string_equal(a, b);
    assert_string_not_equal(a, d);
    assert_non_null(strchr(a, '0'));
    assert_non_null(strchr(a, '1'));
}

static void test_latency(void **state)
{
    (void)state;
    struct simctx c;
    const char *args[] = {"--latency-ms", "150", NULL};
    assert_int_equal(tu_start(&c, args), 0);
    struct rawresp r;
    int64_t t0 = ds_clock_mono_ns();
    assert_int_equal(tu_req(&c, "GET", NULL, &r, "/version"), 200);
    /* a lower bound only: the answer comes no sooner than the injected latency */
    assert_true(ds_clock_mono_ns() - t0 >= 150 * DS_NS_PER_MS);
    rawresp_clear(&r);
    tu_stop(&c);
}

/* --fail-match: every mutating request naming the text fails; the others and reads do not. */
static void test_fail_match(void **state)
{
    (void)state;
    struct simctx c;
    const char *args[] = {"--fail-match", "student2@pve", NULL};
    assert_int_equal(tu_start(&c, args), 0);
    struct rawresp r;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(
            tu_req(&c, "POST", "userid=student2%40pve&password=x-password-2", &r, "/access/users"),
            500);
        assert_string_equal(
            tu_msg(&r),
            "create user failed: cfs-lock 'file-user_cfg' error: got lock request timeout\n");
        rawresp_clear(&r);
    }
    assert_int_equal(
        tu_req(&c, "POST", "userid=student1%40pve&password=x-password-1", &r, "/access/users"),
        200);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&c, "GET", NULL, &r, "/access/users/student2%%40pve"), 500);
    rawresp_clear(&r);
    tu_stop(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fail_rate_one), cmocka_unit_test(test_task_fail_rate_one),
        cmocka_unit_test(test_deterministic), cmocka_unit_test(test_latency),
        cmocka_unit_test(test_fail_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
