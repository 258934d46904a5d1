/* test_sim_observe: pve-sim cluster/node/storage endpoints, the /__sim endpoints (state, stats,
 * reset), the embedded scenarios, and scale (2,000 VMs, many requests per second). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim_test_util.h"

#include <unistd.h>

static void test_cluster_endpoints(void **state)
{
    (void)state;
    struct simctx c;
    const char *args[] = {"--time-scale", "0.01", "--scenario", "campus", NULL};
    assert_int_equal(tu_start(&c, args), 0);
    struct rawresp r;
    assert_int_equal(tu_req(&c, "GET", NULL, &r, "/nodes"), 200);
    assert_int_equal(json_array_size(tu_data(&r)), 5);
    size_t i;
    json_t *v;
    json_array_foreach(tu_data(&r), i, v)
    {
        json_int_t gib = json_integer_value(json_object_get(v, "maxmem")) >> 30;
        assert_true(gib >= 64 && gib <= 256);
        assert_string_equal(json_string_value(json_object_get(v, "status")), "online");
    }
    rawresp_clear(&r);
    assert_int_equal(tu_req(&c, "GET", NULL, &r, "/nodes/node2/status"), 200);
    assert_non_null(json_object_get(json_object_get(tu_data(&r), "memory"), "total"));
    assert_true(strncmp(json_string_value(json_object_get(tu_data(&r), "pveversion")),
                        "pve-manager/8.4", 15) == 0);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&c, "GET", NULL, &r, "/cluster/status"), 200);
    assert_string_equal(json_string_value(json_object_get(json_array_get(tu_data(&r), 0), "type")),
                        "cluster");
    rawresp_clear(&r);
    assert_int_equal(tu_req(&c, "GET", NULL, &r, "/storage"), 200);
    int shared = 0;
    json_array_foreach(tu_data(&r), i, v)
    {
        if (json_integer_value(json_object_get(v, "shared")))
            shared++;
    }
    assert_int_equal(shared, 1);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&c, "GET", NULL, &r, "/nodes/node4/storage"), 200);
    assert_int_equal(json_array_size(tu_data(&r)), 3);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&c, "GET", NULL, &r, "/nodes/node4/storage/ceph-pool/status"), 200);
    assert_int_equal(json_integer_value(json_object_get(tu_data(&r), "shared")), 1);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&c, "GET", NULL, &r, "/cluster/resources"), 200);
    int kinds[3] = {0};
    json_array_foreach(tu_data(&r), i, v)
    {
        const char *t = json_string_value(json_object_get(v, "type"));
        kinds[0] += strcmp(t, "qemu") == 0;
        kinds[1] += strcmp(t, "node") == 0;
        kinds[2] += strcmp(t, "storage") == 0;
    }
    assert_int_equal(kinds[0], 5); /* templates 100, 101, 102, 110, 111 */
    assert_int_equal(kinds[1], 5);
    assert_int_equal(kinds[2], 16); /* 3 per node, and the thick LVM of node3 */
    rawresp_clear(&r);
    /* linked clone across nodes works from shared storage */
    char *es =
        tu_run_task(&c, "node1", "POST", "newid=900&target=node5", "/nodes/node1/qemu/100/clone");
    assert_string_equal(es, "OK");
    free(es);
    assert_int_equal(tu_req(&c, "GET", NULL, &r, "/nodes/node5/qemu/900/config"), 200);
    rawresp_clear(&r);
    tu_stop(&c);
}

static void test_sim_endpoints(void **state)
{
    (void)state;
    struct simctx c;
    const char *args[] = {"--time-scale", "0.01", NULL};
    assert_int_equal(tu_start(&c, args), 0);
    struct rawresp r;
    assert_int_equal(tu_req(&c, "POST", "poolid=tmp", &r, "/pools"), 200);
    rawresp_clear(&r);
    json_t *st = simproc_state(&c.sp);
    assert_non_null(st);
    assert_int_equal(json_array_size(json_object_get(st, "nodes")), 3);
    assert_non_null(json_object_get(json_object_get(st, "pools"), "tmp"));
    /* secrets are not dumped */
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(st, "users"), "root@pam"), "password")),
                        "***");
    json_decref(st);
    json_t *stats = simproc_stats(&c.sp);
    assert_int_equal(
        json_integer_value(json_object_get(
            json_object_get(json_object_get(stats, "requests"), "POST /pools"), "200")),
        1);
    json_decref(stats);
    assert_int_equal(simproc_request(&c.sp, "POST", "/__sim/reset", "", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    rawresp_clear(&r);
    st = simproc_state(&c.sp);
    assert_null(json_object_get(json_object_get(st, "pools"), "tmp"));
    json_decref(st);
    stats = simproc_stats(&c.sp);
    assert_int_equal(json_integer_value(json_object_get(stats, "total_requests")), 0);
    json_decref(stats);
    tu_stop(&c);
}

static void test_scale(void **state)
{
    (void)state;
    char path[] = "/tmp/pve-sim-scale-XXXXXX.yml";
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    const char *yml = "cluster: {name: big}\n"
                      "nodes:\n"
                      "  - {name: n1, memory_gib: 256, cores: 64}\n"
                      "  - {name: n2, memory_gib: 256, cores: 64}\n"
                      "storages:\n"
                      "  - {storage: local-lvm, type: lvmthin}\n"
                      "users:\n"
                      "  - {userid: root@pam, password: sim-root-password}\n"
                      "generated_vms:\n"
                      "  - {count: 2000, start_vmid: 10000, nodes: [n1, n2]}\n";
    assert_int_equal(write(fd, yml, strlen(yml)), (ssize_t)strlen(yml));
    close(fd);
    struct simctx c;
    const char *args[] = {"--scenario", path, NULL};
    int rc = tu_start(&c, args);
    unlink(path);
    assert_int_equal(rc, 0);
    struct rawresp r;
    assert_int_equal(tu_req(&c, "GET", NULL, &r, "/cluster/resources?type=vm"), 200);
    assert_int_equal(json_array_size(tu_data(&r)), 2000);
    rawresp_clear(&r);
    int64_t t0 = ds_clock_mono_ns();
    int n = 300;
    for (int i = 0; i < n; i++) {
        assert_int_equal(
            tu_req(&c, "GET", NULL, &r, "/nodes/n%d/qemu/%d/config", 1 + (i % 2), 10000 + i), 200);
        rawresp_clear(&r);
    }
    /* printed for information only: a test never asserts wall-clock speed (bench/run.sh does) */
    int64_t dt = ds_clock_mono_ns() - t0;
    print_message("%.0f requests/s (one connection per request, TLS)\n",
                  dt > 0 ? n * 1e9 / (double)dt : 0.0);
    tu_stop(&c);
}

static void test_bad_scenario(void **state)
{
    (void)state;
    struct simproc sp;
    const char *args[] = {"--scenario", "nosuch", NULL};
    assert_int_equal(simproc_start(&sp, args), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cluster_endpoints),
        cmocka_unit_test(test_sim_endpoints),
        cmocka_unit_test(test_scale),
        cmocka_unit_test(test_bad_scenario),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
