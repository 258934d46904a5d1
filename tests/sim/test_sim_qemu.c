/* test_sim_qemu: pve-sim QEMU semantics over raw HTTPS: schema violations, clone (linked/full,
 * lock, MACs, pool), cross-node linked clone, taken newid, the nextid race, locked config,
 * template, migrate, destroy, power, snapshots and task logs. */
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

static json_t *vm_config(unsigned vmid, const char *node)
{
    struct rawresp r;
    json_t *c = NULL;
    if (tu_req(&C, "GET", NULL, &r, "/nodes/%s/qemu/%u/config", node, vmid) == 200)
        c = json_incref(tu_data(&r));
    rawresp_clear(&r);
    return c;
}

static void test_schema_violations(void **state)
{
    (void)state;
    struct rawresp r;
    assert_int_equal(
        tu_req(&C, "POST", "newid=abc&foo=1&full=true", &r, "/nodes/pve1/qemu/100/clone"), 400);
    assert_string_equal(tu_msg(&r), "Parameter verification failed.\n");
    assert_string_equal(tu_err(&r, "newid"), "type check ('integer') failed - got 'abc'");
    assert_string_equal(tu_err(&r, "full"), "type check ('boolean') failed - got 'true'");
    assert_string_equal(
        tu_err(&r, "foo"),
        "property is not defined in schema and the schema does not allow additional properties");
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "POST", "name=x", &r, "/nodes/pve1/qemu/100/clone"), 400);
    assert_string_equal(tu_err(&r, "newid"), "property is missing and it is not optional");
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "POST", "newid=99", &r, "/nodes/pve1/qemu/100/clone"), 400);
    assert_string_equal(tu_err(&r, "newid"),
                        "invalid format - value does not look like a valid VM ID\n");
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "PUT", "cores=0", &r, "/nodes/pve1/qemu/200/config"), 400);
    assert_string_equal(tu_err(&r, "cores"), "value must have a minimum value of 1");
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "POST", "newid=4000&format=foo&name=bad_name!", &r,
                            "/nodes/pve1/qemu/100/clone"),
                     400);
    assert_non_null(strstr(tu_err(&r, "format"), "does not have a value in the enumeration"));
    assert_non_null(strstr(tu_err(&r, "name"), "invalid format"));
    rawresp_clear(&r);
    /* the net[n] property string is parsed */
    assert_int_equal(tu_req(&C, "PUT", "net0=foo%3DBC%3A24%3A11%3A00%3A00%3A01", &r,
                            "/nodes/pve1/qemu/200/config"),
                     400);
    assert_true(json_object_size(json_object_get(r.json, "errors")) >= 1);
    assert_non_null(json_object_get(json_object_get(r.json, "errors"), "net0"));
    rawresp_clear(&r);
    /* a path parameter repeated with another value */
    assert_int_equal(tu_req(&C, "PUT", "vmid=201&name=x", &r, "/nodes/pve1/qemu/200/config"), 400);
    assert_string_equal(tu_err(&r, "vmid"),
                        "duplicate parameter (already defined in URI) with conflicting values!");
    rawresp_clear(&r);
    /* JSON bodies may use true/false */
    assert_int_equal(tu_req(&C, "PUT", "{\"onboot\":true}", &r, "/nodes/pve1/qemu/200/config"),
                     200);
    rawresp_clear(&r);
    json_t *st = simproc_stats(&C.sp);
    assert_non_null(st);
    assert_true(json_integer_value(json_object_get(st, "schema_violation_count")) >= 5);
    assert_non_null(json_object_get(json_object_get(st, "schema_violations"),
                                    "POST /nodes/{node}/qemu/{vmid}/clone"));
    json_decref(st);
}

/* Holds the simulator's model time still (1) or lets it run on (0). */
static void sim_clock(int hold)
{
    struct rawresp r;
    assert_int_equal(simproc_request(&C.sp, "POST",
                                     hold ? "/__sim/clock?hold=1" : "/__sim/clock?hold=0", "", NULL,
                                     &r),
                     0);
    assert_int_equal(r.status, 200);
    rawresp_clear(&r);
}

static void test_linked_clone(void **state)
{
    (void)state;
    struct rawresp r;
    /* model time stands still until the lock checks are done, however busy the machine is */
    sim_clock(1);
    assert_int_equal(tu_req(&C, "POST", "newid=5000&name=stud-1&pool=teachers", &r,
                            "/nodes/pve1/qemu/100/clone"),
                     200);
    char *upid = strdup(json_string_value(tu_data(&r)));
    rawresp_clear(&r);
    assert_true(strncmp(upid, "UPID:pve1:", 10) == 0);
    assert_non_null(strstr(upid, ":qmclone:100:root@pam:"));
    assert_int_equal(upid[strlen(upid) - 1], ':');
    /* the VM exists at once, locked */
    json_t *c = vm_config(5000, "pve1");
    assert_non_null(c);
    assert_string_equal(json_string_value(json_object_get(c, "lock")), "clone");
    json_decref(c);
    /* config changes wait for the clone's flock (10 s x 0.01 here) and then fail */
    assert_int_equal(tu_req(&C, "PUT", "description=x", &r, "/nodes/pve1/qemu/5000/config"), 500);
    assert_string_equal(tu_msg(&r),
                        "can't lock file '/var/lock/qemu-server/lock-5000.conf' - got timeout\n");
    rawresp_clear(&r);
    /* the same newid again: config file exists */
    assert_int_equal(tu_req(&C, "POST", "newid=5000", &r, "/nodes/pve1/qemu/101/clone"), 500);
    assert_string_equal(tu_msg(&r), "unable to create VM 5000: config file already exists\n");
    rawresp_clear(&r);
    sim_clock(0);
    char *es = tu_wait_task(&C, "pve1", upid);
    assert_non_null(es);
    assert_string_equal(es, "OK");
    free(es);
    c = vm_config(5000, "pve1");
    assert_null(json_object_get(c, "lock"));
    assert_null(json_object_get(c, "template"));
    assert_string_equal(json_string_value(json_object_get(c, "name")), "stud-1");
    const char *net0 = json_string_value(json_object_get(c, "net0"));
    assert_true(strncmp(net0, "virtio=BC:24:11:", 16) == 0);
    assert_string_not_equal(net0, "virtio=BC:24:11:10:00:01,bridge=vmbr0");
    assert_non_null(
        strstr(json_string_value(json_object_get(c, "scsi0")), "base-100-disk-0/vm-5000-disk-0"));
    json_decref(c);
    /* pool membership at the end */
    assert_int_equal(tu_req(&C, "GET", NULL, &r, "/pools/teachers"), 200);
    int found = 0;
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(tu_data(&r), "members"), i, m)
    {
        if (json_integer_value(json_object_get(m, "vmid")) == 5000)
            found = 1;
    }
    assert_true(found);
    rawresp_clear(&r);
    /* task log ends with TASK OK */
    char path[512];
    snprintf(path, sizeof path, "/nodes/pve1/tasks/%s/log", upid);
    assert_int_equal(tu_req(&C, "GET", NULL, &r, "%s", path), 200);
    json_t *log = tu_data(&r);
    assert_true(json_array_size(log) >= 2);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(log, json_array_size(log) - 1), "t")),
        "TASK OK");
    rawresp_clear(&r);
    free(upid);
    /* unknown task */
    assert_int_equal(
        tu_req(&C, "GET", NULL, &r,
               "/nodes/pve1/tasks/UPID:pve1:0000AAAA:0000BBBB:6B000000:qmclone:1:root@pam:/status"),
        400);
    assert_string_equal(tu_err(&r, "upid"), "no such task");
    rawresp_clear(&r);
}

static void test_clone_errors(void **state)
{
    (void)state;
    struct rawresp r;
    /* linked clone to another node with local storage */
    assert_int_equal(tu_req(&C, "POST", "newid=5100&target=pve2", &r, "/nodes/pve1/qemu/100/clone"),
                     500);
    assert_string_equal(tu_msg(&r), "can't clone VM to node 'pve2' (VM uses local storage)\n");
    rawresp_clear(&r);
    /* linked clone of a normal VM */
    assert_int_equal(tu_req(&C, "POST", "newid=5101&full=0", &r, "/nodes/pve1/qemu/200/clone"),
                     500);
    assert_string_equal(
        tu_msg(&r),
        "Linked clone feature is not supported for 'local-lvm:vm-200-disk-0' (scsi0)\n");
    rawresp_clear(&r);
    assert_int_equal(
        tu_req(&C, "POST", "newid=5102&storage=local-lvm", &r, "/nodes/pve1/qemu/100/clone"), 500);
    assert_string_equal(tu_msg(&r), "parameter 'storage' not allowed for linked clones\n");
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "POST", "newid=5103&pool=nope", &r, "/nodes/pve1/qemu/100/clone"),
                     500);
    assert_string_equal(tu_msg(&r), "pool 'nope' does not exist\n");
    rawresp_clear(&r);
    /* newid taken by a VM on this node */
    assert_int_equal(tu_req(&C, "POST", "newid=200", &r, "/nodes/pve1/qemu/100/clone"), 500);
    assert_string_equal(tu_msg(&r), "unable to create VM 200: config file already exists\n");
    rawresp_clear(&r);
    /* VM on another node / missing */
    assert_int_equal(tu_req(&C, "GET", NULL, &r, "/nodes/pve2/qemu/100/config"), 500);
    assert_string_equal(tu_msg(&r),
                        "Configuration file 'nodes/pve2/qemu-server/100.conf' does not exist\n");
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "GET", NULL, &r, "/nodes/nosuch/qemu"), 500);
    assert_non_null(strstr(tu_msg(&r), "hostname lookup 'nosuch' failed"));
    rawresp_clear(&r);
}

static void test_nextid_race(void **state)
{
    (void)state;
    struct rawresp r1, r2;
    assert_int_equal(tu_req(&C, "GET", NULL, &r1, "/cluster/nextid"), 200);
    assert_int_equal(tu_req(&C, "GET", NULL, &r2, "/cluster/nextid"), 200);
    /* a string, and nothing reserved */
    assert_true(json_is_string(tu_data(&r1)));
    assert_string_equal(json_string_value(tu_data(&r1)), json_string_value(tu_data(&r2)));
    char id[32];
    snprintf(id, sizeof id, "%s", json_string_value(tu_data(&r1)));
    rawresp_clear(&r1);
    rawresp_clear(&r2);
    char body[64];
    snprintf(body, sizeof body, "newid=%s", id);
    assert_int_equal(tu_req(&C, "POST", body, &r1, "/nodes/pve1/qemu/101/clone"), 200);
    assert_int_equal(tu_req(&C, "POST", body, &r2, "/nodes/pve1/qemu/100/clone"), 500);
    char expect[128];
    snprintf(expect, sizeof expect, "unable to create VM %s: config file already exists\n", id);
    assert_string_equal(tu_msg(&r2), expect);
    rawresp_clear(&r1);
    rawresp_clear(&r2);
    assert_int_equal(tu_req(&C, "GET", NULL, &r1, "/cluster/nextid?vmid=%s", id), 400);
    snprintf(expect, sizeof expect, "VM %s already exists", id);
    assert_string_equal(tu_err(&r1, "vmid"), expect);
    rawresp_clear(&r1);
    assert_int_equal(tu_req(&C, "GET", NULL, &r1, "/cluster/nextid?vmid=777"), 200);
    assert_string_equal(json_string_value(tu_data(&r1)), "777");
    rawresp_clear(&r1);
}

static void test_full_clone_template_power_destroy(void **state)
{
    (void)state;
    char *es = tu_run_task(&C, "pve1", "POST", "newid=5200&full=1&storage=local-lvm&name=full-one",
                           "/nodes/pve1/qemu/101/clone");
    assert_non_null(es);
    assert_string_equal(es, "OK");
    free(es);
    json_t *c = vm_config(5200, "pve1");
    assert_string_equal(json_string_value(json_object_get(c, "scsi0")),
                        "local-lvm:vm-5200-disk-0,size=24G");
    json_decref(c);
    /* start, destroy refused while running, status, stop */
    es = tu_run_task(&C, "pve1", "POST", NULL, "/nodes/pve1/qemu/5200/status/start");
    assert_string_equal(es, "OK");
    free(es);
    struct rawresp r;
    assert_int_equal(tu_req(&C, "GET", NULL, &r, "/nodes/pve1/qemu/5200/status/current"), 200);
    assert_string_equal(json_string_value(json_object_get(tu_data(&r), "status")), "running");
    rawresp_clear(&r);
    es = tu_run_task(&C, "pve1", "POST", NULL, "/nodes/pve1/qemu/5200/status/start");
    assert_string_equal(es, "VM 5200 already running");
    free(es);
    assert_int_equal(tu_req(&C, "DELETE", NULL, &r, "/nodes/pve1/qemu/5200"), 500);
    assert_string_equal(tu_msg(&r), "VM 5200 is running - destroy failed\n");
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "POST", NULL, &r, "/nodes/pve1/qemu/5200/template"), 500);
    assert_string_equal(tu_msg(&r), "you can't convert a VM to template if VM is running\n");
    rawresp_clear(&r);
    es = tu_run_task(&C, "pve1", "POST", "timeout=10", "/nodes/pve1/qemu/5200/status/shutdown");
    assert_string_equal(es, "OK");
    free(es);
    es = tu_run_task(&C, "pve1", "POST", NULL, "/nodes/pve1/qemu/5200/status/stop");
    assert_string_equal(es, "OK"); /* stopping a stopped VM is fine */
    free(es);
    /* template */
    es = tu_run_task(&C, "pve1", "POST", NULL, "/nodes/pve1/qemu/5200/template");
    assert_string_equal(es, "OK");
    free(es);
    c = vm_config(5200, "pve1");
    assert_int_equal(json_integer_value(json_object_get(c, "template")), 1);
    assert_string_equal(json_string_value(json_object_get(c, "scsi0")),
                        "local-lvm:base-5200-disk-0,size=24G");
    json_decref(c);
    assert_int_equal(tu_req(&C, "POST", NULL, &r, "/nodes/pve1/qemu/5200/template"), 500);
    assert_string_equal(tu_msg(&r), "you can't convert a template to a template\n");
    rawresp_clear(&r);
    es = tu_run_task(&C, "pve1", "POST", NULL, "/nodes/pve1/qemu/5200/status/start");
    assert_string_equal(es, "you can't start a vm if it's a template");
    free(es);
    /* destroy with purge */
    es = tu_run_task(&C, "pve1", "DELETE", NULL, "/nodes/pve1/qemu/5200?purge=1");
    assert_string_equal(es, "OK");
    free(es);
    assert_int_equal(tu_req(&C, "GET", NULL, &r, "/nodes/pve1/qemu/5200/config"), 500);
    rawresp_clear(&r);
}

static void test_migrate_and_config(void **state)
{
    (void)state;
    char *es = tu_run_task(&C, "pve1", "POST", "newid=5300&full=1", "/nodes/pve1/qemu/100/clone");
    assert_string_equal(es, "OK");
    free(es);
    struct rawresp r;
    assert_int_equal(tu_req(&C, "POST", "target=pve1", &r, "/nodes/pve1/qemu/5300/migrate"), 400);
    assert_string_equal(tu_err(&r, "target"), "target is local node.");
    rawresp_clear(&r);
    es = tu_run_task(&C, "pve1", "POST", "target=pve2", "/nodes/pve1/qemu/5300/migrate");
    assert_string_equal(es, "OK");
    free(es);
    json_t *c = vm_config(5300, "pve2");
    assert_non_null(c);
    assert_null(json_object_get(c, "lock"));
    /* PUT config: net without MAC gets one; digest mismatch refused; delete */
    char body[256];
    snprintf(body, sizeof body, "net1=virtio%%2Cbridge%%3Dvmbr0%%2Ctag%%3D20&tags=a%%2Cb&digest=%s",
             json_string_value(json_object_get(c, "digest")));
    json_decref(c);
    assert_int_equal(tu_req(&C, "PUT", body, &r, "/nodes/pve2/qemu/5300/config"), 200);
    rawresp_clear(&r);
    c = vm_config(5300, "pve2");
    const char *net1 = json_string_value(json_object_get(c, "net1"));
    assert_true(strncmp(net1, "virtio=BC:24:11:", 16) == 0);
    assert_non_null(strstr(net1, ",bridge=vmbr0,tag=20"));
    assert_string_equal(json_string_value(json_object_get(c, "tags")), "a;b");
    json_decref(c);
    assert_int_equal(tu_req(&C, "PUT", body, &r, "/nodes/pve2/qemu/5300/config"), 500);
    assert_string_equal(tu_msg(&r), "checksum mismatch (file change by other user?)\n");
    rawresp_clear(&r);
    es = tu_run_task(&C, "pve2", "POST", "delete=net1&cores=4", "/nodes/pve2/qemu/5300/config");
    assert_string_equal(es, "OK");
    free(es);
    c = vm_config(5300, "pve2");
    assert_null(json_object_get(c, "net1"));
    assert_int_equal(json_integer_value(json_object_get(c, "cores")), 4);
    json_decref(c);
}

static void test_snapshots(void **state)
{
    (void)state;
    char *es = tu_run_task(&C, "pve1", "POST", "snapname=before&description=first",
                           "/nodes/pve1/qemu/200/snapshot");
    assert_string_equal(es, "OK");
    free(es);
    /* a taken name: the call answers with a task, which fails (qemu-server checks in the worker) */
    es = tu_run_task(&C, "pve1", "POST", "snapname=before", "/nodes/pve1/qemu/200/snapshot");
    assert_string_equal(es, "snapshot name 'before' already used");
    free(es);
    struct rawresp r;
    assert_int_equal(tu_req(&C, "PUT", "description=changed", &r, "/nodes/pve1/qemu/200/config"),
                     200);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "GET", NULL, &r, "/nodes/pve1/qemu/200/snapshot"), 200);
    json_t *list = tu_data(&r);
    assert_int_equal(json_array_size(list), 2);
    json_t *cur = json_array_get(list, 1);
    assert_string_equal(json_string_value(json_object_get(cur, "name")), "current");
    assert_string_equal(json_string_value(json_object_get(cur, "description")), "You are here!");
    assert_string_equal(json_string_value(json_object_get(cur, "parent")), "before");
    rawresp_clear(&r);
    es = tu_run_task(&C, "pve1", "POST", NULL, "/nodes/pve1/qemu/200/snapshot/before/rollback");
    assert_string_equal(es, "OK");
    free(es);
    json_t *c = vm_config(200, "pve1"); /* a rollback keeps the current description */
    assert_string_equal(json_string_value(json_object_get(c, "description")), "changed");
    json_decref(c);
    es = tu_run_task(&C, "pve1", "DELETE", NULL, "/nodes/pve1/qemu/200/snapshot/before");
    assert_string_equal(es, "OK");
    free(es);
    es = tu_run_task(&C, "pve1", "DELETE", NULL, "/nodes/pve1/qemu/200/snapshot/before");
    assert_string_equal(es, "snapshot 'before' does not exist");
    free(es);
}

static void test_list(void **state)
{
    (void)state;
    struct rawresp r;
    assert_int_equal(tu_req(&C, "GET", NULL, &r, "/nodes/pve1/qemu"), 200);
    int tpl = 0;
    size_t i;
    json_t *v;
    json_array_foreach(tu_data(&r), i, v)
    {
        if (json_integer_value(json_object_get(v, "vmid")) == 102) {
            tpl = (int)json_integer_value(json_object_get(v, "template"));
            assert_string_equal(json_string_value(json_object_get(v, "name")), "ecorouter-tpl");
        }
    }
    assert_int_equal(tpl, 1);
    rawresp_clear(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_violations),
        cmocka_unit_test(test_linked_clone),
        cmocka_unit_test(test_clone_errors),
        cmocka_unit_test(test_nextid_race),
        cmocka_unit_test(test_full_clone_template_power_destroy),
        cmocka_unit_test(test_migrate_and_config),
        cmocka_unit_test(test_snapshots),
        cmocka_unit_test(test_list),
    };
    return cmocka_run_group_tests(tests, setup, tu_group_teardown);
}
