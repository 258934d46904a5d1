/* test_sim_network: pve-sim host network over raw HTTPS: pending changes with a diff, apply as a
 * srvreload task, revert, update/delete of interfaces, and the PVE conflict errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim_test_util.h"

static struct simctx C;

static int setup(void **state)
{
    return tu_group_setup(state, &C);
}

static json_t *iface(const char *node, const char *name, long *status)
{
    struct rawresp r;
    *status = tu_req(&C, "GET", NULL, &r, "/nodes/%s/network/%s", node, name);
    json_t *d = *status == 200 ? json_incref(tu_data(&r)) : NULL;
    rawresp_clear(&r);
    return d;
}

static void test_pending_apply(void **state)
{
    (void)state;
    struct rawresp r;
    assert_int_equal(tu_req(&C, "POST",
                            "iface=vmbr2001&type=bridge&autostart=1&comments=ds%3Astand-1", &r,
                            "/nodes/pve2/network"),
                     200);
    assert_true(json_is_null(tu_data(&r)));
    rawresp_clear(&r);
    /* duplicate */
    assert_int_equal(tu_req(&C, "POST", "iface=vmbr2001&type=bridge", &r, "/nodes/pve2/network"),
                     400);
    assert_string_equal(tu_err(&r, "iface"), "interface already exists");
    rawresp_clear(&r);
    /* listed with pending changes and a diff */
    assert_int_equal(tu_req(&C, "GET", NULL, &r, "/nodes/pve2/network?type=bridge"), 200);
    const char *changes = json_string_value(json_object_get(r.json, "changes"));
    assert_non_null(changes);
    assert_non_null(strstr(changes, "+iface vmbr2001 inet manual"));
    assert_non_null(strstr(changes, "+\tbridge-ports none"));
    int found = 0;
    size_t i;
    json_t *v;
    json_array_foreach(tu_data(&r), i, v)
    {
        assert_string_equal(json_string_value(json_object_get(v, "type")), "bridge");
        if (strcmp(json_string_value(json_object_get(v, "iface")), "vmbr2001") == 0) {
            found = 1;
            assert_null(json_object_get(v, "active"));
        }
    }
    assert_true(found);
    rawresp_clear(&r);
    /* apply */
    char *es = tu_run_task(&C, "pve2", "PUT", NULL, "/nodes/pve2/network");
    assert_non_null(es);
    assert_string_equal(es, "OK");
    free(es);
    assert_int_equal(tu_req(&C, "GET", NULL, &r, "/nodes/pve2/network"), 200);
    assert_null(json_object_get(r.json, "changes"));
    rawresp_clear(&r);
    long st;
    json_t *o = iface("pve2", "vmbr2001", &st);
    assert_int_equal(st, 200);
    assert_int_equal(json_integer_value(json_object_get(o, "active")), 1);
    assert_string_equal(json_string_value(json_object_get(o, "comments")), "ds:stand-1\n");
    json_decref(o);
    /* the srvreload UPID */
    assert_int_equal(tu_req(&C, "PUT", NULL, &r, "/nodes/pve2/network"), 200);
    assert_non_null(strstr(json_string_value(tu_data(&r)), ":srvreload:networking:root@pam:"));
    rawresp_clear(&r);
}

static void test_revert_update_delete(void **state)
{
    (void)state;
    struct rawresp r;
    assert_int_equal(tu_req(&C, "POST", "iface=vmbr2002&type=bridge", &r, "/nodes/pve3/network"),
                     200);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "DELETE", NULL, &r, "/nodes/pve3/network"), 200);
    rawresp_clear(&r);
    long st;
    json_t *o = iface("pve3", "vmbr2002", &st);
    assert_null(o);
    assert_int_equal(st, 400);
    assert_int_equal(tu_req(&C, "GET", NULL, &r, "/nodes/pve3/network/vmbr2002"), 400);
    assert_string_equal(tu_err(&r, "iface"), "interface does not exist");
    rawresp_clear(&r);
    /* update needs type; then applies */
    assert_int_equal(tu_req(&C, "PUT", "comments=x", &r, "/nodes/pve3/network/vmbr0"), 400);
    assert_string_equal(tu_err(&r, "type"), "property is missing and it is not optional");
    rawresp_clear(&r);
    assert_int_equal(
        tu_req(&C, "PUT", "type=bridge&comments=edited&mtu=9000", &r, "/nodes/pve3/network/vmbr0"),
        200);
    rawresp_clear(&r);
    o = iface("pve3", "vmbr0", &st);
    assert_string_equal(json_string_value(json_object_get(o, "comments")), "edited\n");
    assert_int_equal(json_integer_value(json_object_get(o, "mtu")), 9000);
    assert_string_equal(json_string_value(json_object_get(o, "bridge_ports")), "eno1");
    json_decref(o);
    /* port already used, second default gateway */
    assert_int_equal(
        tu_req(&C, "POST", "iface=vmbr9&type=bridge&bridge_ports=eno1", &r, "/nodes/pve3/network"),
        400);
    assert_string_equal(tu_err(&r, "bridge_ports"), "eno1 is already used on interface 'vmbr0'.");
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "POST",
                            "iface=vmbr9&type=bridge&cidr=10.9.0.1%2F24&gateway=10.9.0.254", &r,
                            "/nodes/pve3/network"),
                     400);
    assert_string_equal(tu_err(&r, "gateway"),
                        "Default gateway already exists on interface 'vmbr0'.");
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "POST", "iface=bad%20name&type=bridge", &r, "/nodes/pve3/network"),
                     400);
    assert_non_null(json_object_get(json_object_get(r.json, "errors"), "iface"));
    rawresp_clear(&r);
    /* delete is pending until applied */
    assert_int_equal(tu_req(&C, "DELETE", NULL, &r, "/nodes/pve1/network/vmbr1000"), 200);
    rawresp_clear(&r);
    json_t *st_json = simproc_state(&C.sp);
    json_t *nodes = json_object_get(st_json, "nodes");
    json_t *pve1 = json_array_get(nodes, 0);
    assert_non_null(json_object_get(json_object_get(pve1, "network"), "vmbr1000"));
    assert_null(json_object_get(json_object_get(pve1, "network_pending"), "vmbr1000"));
    json_decref(st_json);
    assert_int_equal(tu_req(&C, "DELETE", NULL, &r, "/nodes/pve1/network"), 200);
    rawresp_clear(&r);
    o = iface("pve1", "vmbr1000", &st);
    assert_string_equal(json_string_value(json_object_get(o, "comments")), "manual uplink\n");
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pending_apply),
        cmocka_unit_test(test_revert_update_delete),
    };
    return cmocka_run_group_tests(tests, setup, tu_group_teardown);
}
