/* test_sim_locks: pve-sim's VM config flock as qemu-server takes it: a config change waits for a
 * running clone's lock (other requests go on meanwhile), then fails with lock_file's timeout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>

#include "sim_test_util.h"

static struct simctx C;

static void sim_post(const char *path)
{
    struct rawresp r;
    assert_int_equal(simproc_request(&C.sp, "POST", path, "", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    rawresp_clear(&r);
}

static long lock_waiting(void)
{
    json_t *st = simproc_stats(&C.sp);
    long n = st ? (long)json_integer_value(json_object_get(st, "lock_waiting")) : -1;
    json_decref(st);
    return n;
}

/* Clones template 100 to newid with model time held; returns the UPID (malloc'd). */
static char *held_clone(unsigned newid)
{
    sim_post("/__sim/clock?hold=1");
    char body[64];
    snprintf(body, sizeof body, "newid=%u", newid);
    struct rawresp r;
    assert_int_equal(tu_req(&C, "POST", body, &r, "/nodes/pve1/qemu/100/clone"), 200);
    char *upid = strdup(json_string_value(tu_data(&r)));
    rawresp_clear(&r);
    return upid;
}

/* --time-scale 0.01: the wait is 100 ms of wall time; the clone never ends while time is held. */
static void test_lock_timeout(void **state)
{
    (void)state;
    static const char *const args[] = {"--time-scale", "0.01", NULL};
    assert_int_equal(tu_start(&C, args), 0);
    char *upid = held_clone(5100);
    tu_expect(&C, "PUT", "description=x", "/nodes/pve1/qemu/5100/config", 500,
              "can't lock file '/var/lock/qemu-server/lock-5100.conf' - got timeout\n");
    tu_expect(&C, "POST", "description=x", "/nodes/pve1/qemu/5100/config", 500,
              "can't lock file '/var/lock/qemu-server/lock-5100.conf' - got timeout\n");
    /* the template is locked shared for the whole clone: its config waits too */
    tu_expect(&C, "PUT", "description=x", "/nodes/pve1/qemu/100/config", 500,
              "can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout\n");
    /* reads and other VMs do not wait */
    tu_expect(&C, "GET", NULL, "/nodes/pve1/qemu/5100/config", 200, NULL);
    tu_expect(&C, "PUT", "description=x", "/nodes/pve1/qemu/101/config", 200, NULL);
    sim_post("/__sim/clock?hold=0");
    char *es = tu_wait_task(&C, "pve1", upid);
    assert_non_null(es);
    assert_string_equal(es, "OK");
    free(es);
    free(upid);
    tu_expect(&C, "PUT", "description=after", "/nodes/pve1/qemu/5100/config", 200, NULL);
    tu_stop(&C);
}

static void *put_config(void *arg)
{
    struct rawresp r;
    long *status = arg;
    *status = tu_req(&C, "PUT", "description=waited", &r, "/nodes/pve1/qemu/5200/config");
    rawresp_clear(&r);
    return NULL;
}

/* --time-scale 1: the change waits (up to 10 s) while other requests are served, and succeeds
 * once the clone ends and frees the lock. */
static void test_lock_wait_succeeds(void **state)
{
    (void)state;
    static const char *const args[] = {"--time-scale", "1", NULL};
    assert_int_equal(tu_start(&C, args), 0);
    char *upid = held_clone(5200);
    long status = 0;
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, put_config, &status), 0);
    int64_t deadline = tu_now_ms() + 8000;
    while (lock_waiting() != 1 && tu_now_ms() < deadline)
        tu_sleep_ms(2);
    assert_int_equal(lock_waiting(), 1); /* served while the PUT waits */
    sim_post("/__sim/clock?skip_ms=60000");
    pthread_join(th, NULL);
    assert_int_equal(status, 200);
    assert_int_equal(lock_waiting(), 0);
    char *es = tu_wait_task(&C, "pve1", upid);
    assert_string_equal(es, "OK");
    free(es);
    free(upid);
    struct rawresp r;
    assert_int_equal(tu_req(&C, "GET", NULL, &r, "/nodes/pve1/qemu/5200/config"), 200);
    assert_string_equal(json_string_value(json_object_get(tu_data(&r), "description")), "waited");
    rawresp_clear(&r);
    tu_stop(&C);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lock_timeout),
        cmocka_unit_test(test_lock_wait_succeeds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
