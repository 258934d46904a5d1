/* test_sim_lifecycle: pve-sim's class lifecycle semantics over raw HTTPS: snapshots (tasks, locks,
 * names, rollback of config and power state), storages that cannot snapshot, power tasks and
 * uptime in model time, expired users, custom roles and a student role's privileges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim_test_util.h"

#include <unistd.h>

static struct simctx C;

/* One node, one storage of each kind, VMs on them; 306 ignores ACPI shutdown requests. */
static const char *const SCENARIO =
    "cluster: {name: life}\n"
    "durations: {snapshot: 2, qmstart: 3, qmstop: 2, qmshutdown: 5, qmclone_full: 4}\n"
    "nodes:\n"
    "  - {name: pve1, memory_gib: 64, cores: 16}\n"
    "storages:\n"
    "  - {storage: local, type: dir, content: \"images,iso\", format: qcow2}\n"
    "  - {storage: local-lvm, type: lvmthin}\n"
    "  - {storage: thick, type: lvm}\n"
    "  - {storage: tank, type: zfspool}\n"
    "  - {storage: ceph, type: rbd, shared: true}\n"
    "users:\n"
    "  - {userid: root@pam, password: sim-root-password}\n"
    "vms:\n"
    "  - vmid: 300\n"
    "    node: pve1\n"
    "    status: running\n"
    "    config: {name: web, memory: \"2048\", cores: 2, net0: "
    "\"virtio=BC:24:11:00:03:00,bridge=vmbr0\",\n"
    "             scsi0: \"local-lvm:vm-300-disk-0,size=8G\", ide2: \"none,media=cdrom\"}\n"
    "  - {vmid: 301, node: pve1, config: {name: thick-vm, scsi0: "
    "\"thick:vm-301-disk-0,size=8G\"}}\n"
    "  - {vmid: 302, node: pve1, config: {name: raw-vm, scsi0: "
    "\"local:302/vm-302-disk-0.raw,size=8G\"}}\n"
    "  - {vmid: 303, node: pve1, config: {name: qcow-vm, scsi0: "
    "\"local:303/vm-303-disk-0.qcow2\"}}\n"
    "  - {vmid: 304, node: pve1, config: {name: zfs-vm, scsi0: \"tank:vm-304-disk-0,size=8G\"}}\n"
    "  - {vmid: 305, node: pve1, config: {name: rbd-vm, scsi0: \"ceph:vm-305-disk-0,size=8G\"}}\n"
    "  - {vmid: 306, node: pve1, status: running, ignores_shutdown: true,\n"
    "     config: {name: hung, scsi0: \"local-lvm:vm-306-disk-0,size=8G\"}}\n"
    "  - {vmid: 307, node: pve1, config: {name: thick-tpl, template: 1,\n"
    "     scsi0: \"thick:vm-307-disk-0,size=8G\"}}\n"
    "  - {vmid: 309, node: pve1, config: {name: cli, scsi0: \"local-lvm:vm-309-disk-0,size=8G\"}}\n"
    "  - {vmid: 310, node: pve1, config: {name: stud, memory: \"1024\",\n"
    "     net0: \"virtio=BC:24:11:00:03:10,bridge=vmbr0\", scsi0: \"local-lvm:vm-310-disk-0\"}}\n";

static int setup(void **state)
{
    (void)state;
    char path[] = "/tmp/pve-sim-life-XXXXXX.yml";
    int fd = mkstemps(path, 4);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, SCENARIO, strlen(SCENARIO));
    close(fd);
    const char *args[] = {"--time-scale", "0.01", "--scenario", path, NULL};
    int rc = n == (ssize_t)strlen(SCENARIO) ? tu_start(&C, args) : -1;
    unlink(path);
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    tu_stop(&C);
    return 0;
}

/* ---- helpers -------------------------------------------------------------------------------- */

/* Sends an async request as c; returns its UPID (malloc'd) or NULL (the status is printed). */
static char *task_send(struct simctx *c, const char *method, const char *body, const char *path)
{
    struct rawresp r;
    long st = tu_req(c, method, body, &r, "%s", path);
    const char *upid = json_string_value(tu_data(&r));
    char *u = st == 200 && upid ? strdup(upid) : NULL;
    if (!u)
        fprintf(stderr, "%s %s: %ld %s\n", method, path, st, r.body ? r.body : "");
    rawresp_clear(&r);
    return u;
}

/* Runs an async request as c and waits for its task, which must be of `type`; returns the
 * exitstatus (malloc'd). */
static char *run_as(struct simctx *c, const char *type, const char *method, const char *body,
                    const char *path)
{
    char *upid = task_send(c, method, body, path);
    assert_non_null(upid);
    char want[64];
    snprintf(want, sizeof want, ":%s:", type);
    assert_non_null(strstr(upid, want));
    char *es = tu_wait_task(&C, "pve1", upid);
    free(upid);
    assert_non_null(es);
    return es;
}

static void expect_task(struct simctx *c, const char *type, const char *method, const char *body,
                        const char *path, const char *exitstatus)
{
    char *es = run_as(c, type, method, body, path);
    assert_string_equal(es, exitstatus);
    free(es);
}

/* POST /__sim/clock with the query q ("hold=1", "skip_ms=5000", ...). */
static void sim_clock(const char *q)
{
    char path[128];
    snprintf(path, sizeof path, "/__sim/clock?%s", q);
    struct rawresp r;
    assert_int_equal(simproc_request(&C.sp, "POST", path, "", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    rawresp_clear(&r);
}

static json_t *get_data(struct simctx *c, const char *path)
{
    struct rawresp r;
    assert_int_equal(tu_req(c, "GET", NULL, &r, "%s", path), 200);
    json_t *d = json_incref(tu_data(&r));
    rawresp_clear(&r);
    return d;
}

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static json_t *vm_status(unsigned vmid)
{
    char path[96];
    snprintf(path, sizeof path, "/nodes/pve1/qemu/%u/status/current", vmid);
    return get_data(&C, path);
}

static void expect_power(unsigned vmid, const char *status)
{
    json_t *s = vm_status(vmid);
    assert_string_equal(str(s, "status"), status);
    assert_string_equal(str(s, "qmpstatus"), status);
    json_decref(s);
}

/* A request whose status is returned (the response is dropped). */
static long req_status(struct simctx *c, const char *method, const char *body, const char *path)
{
    struct rawresp r;
    long st = tu_req(c, method, body, &r, "%s", path);
    rawresp_clear(&r);
    return st;
}

/* A request that must fail with status and the message msg (with PVE's trailing newline). */
static void expect_fail(struct simctx *c, const char *method, const char *body, const char *path,
                        long status, const char *msg)
{
    struct rawresp r;
    assert_int_equal(tu_req(c, method, body, &r, "%s", path), status);
    char want[512];
    snprintf(want, sizeof want, "%s\n", msg);
    assert_string_equal(tu_msg(&r), want);
    rawresp_clear(&r);
}

/* ---- 1. snapshots --------------------------------------------------------------------------- */

static void test_snapshot_tasks_and_locks(void **state)
{
    (void)state;
    const char *snap = "/nodes/pve1/qemu/300/snapshot";
    /* a running VM without vmstate; the task holds the VM lock while it runs */
    sim_clock("hold=1");
    char *upid = task_send(&C, "POST", "snapname=clean&description=fresh", snap);
    assert_non_null(upid);
    assert_non_null(strstr(upid, ":qmsnapshot:300:root@pam:"));
    json_t *conf = get_data(&C, "/nodes/pve1/qemu/300/config");
    assert_string_equal(str(conf, "lock"), "snapshot");
    json_decref(conf);
    json_t *list = get_data(&C, snap);
    assert_string_equal(str(json_array_get(list, 0), "snapstate"), "prepare");
    json_decref(list);
    expect_fail(&C, "PUT", "memory=4096", "/nodes/pve1/qemu/300/config", 500,
                "VM is locked (snapshot)");
    char *second = task_send(&C, "POST", "snapname=other", snap);
    char *start = task_send(&C, "POST", NULL, "/nodes/pve1/qemu/300/status/start");
    char *rb = task_send(&C, "POST", NULL, "/nodes/pve1/qemu/300/snapshot/clean/rollback");
    sim_clock("hold=0");
    char *es = tu_wait_task(&C, "pve1", second);
    assert_string_equal(es, "VM is locked (snapshot)");
    free(es);
    es = tu_wait_task(&C, "pve1", start);
    assert_string_equal(es, "VM is locked (snapshot)");
    free(es);
    es = tu_wait_task(&C, "pve1", rb);
    assert_string_equal(es, "unable to rollback to incomplete snapshot (snapstate = prepare)");
    free(es);
    es = tu_wait_task(&C, "pve1", upid);
    assert_string_equal(es, "OK");
    free(es);
    free(second);
    free(start);
    free(rb);
    free(upid);
    list = get_data(&C, snap);
    assert_int_equal(json_array_size(list), 2);
    json_t *s0 = json_array_get(list, 0), *cur = json_array_get(list, 1);
    assert_string_equal(str(s0, "name"), "clean");
    assert_string_equal(str(s0, "description"), "fresh");
    assert_int_equal(json_integer_value(json_object_get(s0, "vmstate")), 0);
    assert_null(json_object_get(s0, "snapstate"));
    assert_true(json_integer_value(json_object_get(s0, "snaptime")) > 0);
    assert_string_equal(str(cur, "name"), "current");
    assert_string_equal(str(cur, "parent"), "clean");
    assert_int_equal(json_integer_value(json_object_get(cur, "running")), 1);
    json_decref(list);
    conf = get_data(&C, "/nodes/pve1/qemu/300/config");
    assert_null(json_object_get(conf, "lock"));
    json_decref(conf);
    /* a taken name fails in the task, as PVE's snapshot_prepare does */
    expect_task(&C, "qmsnapshot", "POST", "snapname=clean", snap,
                "snapshot name 'clean' already used");
}

static void test_snapshot_names(void **state)
{
    (void)state;
    const char *snap = "/nodes/pve1/qemu/300/snapshot";
    expect_fail(&C, "POST", "snapname=current", snap, 500,
                "unable to use snapshot name 'current' (reserved name)");
    expect_fail(&C, "POST", "snapname=Pending", snap, 500,
                "unable to use snapshot name 'pending' (reserved name)");
    static const char *const bad[] = {"1st", "a", "bad.name", "with%20space", NULL};
    for (int i = 0; bad[i]; i++) {
        struct rawresp r;
        char body[128];
        snprintf(body, sizeof body, "snapname=%s", bad[i]);
        assert_int_equal(tu_req(&C, "POST", body, &r, "%s", snap), 400);
        assert_string_equal(tu_msg(&r), "Parameter verification failed.\n");
        assert_non_null(
            strstr(tu_err(&r, "snapname"), "invalid format - invalid configuration ID"));
        rawresp_clear(&r);
    }
    char body[128] = "snapname=s";
    memset(body + 10, 'x', 40); /* 41 characters */
    body[50] = '\0';
    struct rawresp r;
    assert_int_equal(tu_req(&C, "POST", body, &r, "%s", snap), 400);
    assert_string_equal(tu_err(&r, "snapname"), "value may only be 40 characters long");
    rawresp_clear(&r);
    body[49] = '\0'; /* 40 characters are fine */
    expect_task(&C, "qmsnapshot", "POST", body, snap, "OK");
    expect_task(&C, "qmdelsnapshot", "DELETE", NULL,
                "/nodes/pve1/qemu/300/snapshot/s" /* 39 x */
                "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                "OK");
    expect_task(&C, "qmdelsnapshot", "DELETE", NULL, "/nodes/pve1/qemu/300/snapshot/nosuch",
                "snapshot 'nosuch' does not exist");
    expect_task(&C, "qmrollback", "POST", NULL, "/nodes/pve1/qemu/300/snapshot/nosuch/rollback",
                "snapshot 'nosuch' does not exist");
}

static void test_rollback_restores(void **state)
{
    (void)state;
    json_t *before = get_data(&C, "/nodes/pve1/qemu/300/config");
    assert_int_equal(req_status(&C, "PUT",
                                "memory=4096&description=changed&net0=e1000%2Cbridge%3Dvmbr7",
                                "/nodes/pve1/qemu/300/config"),
                     200);
    expect_power(300, "running");
    /* without start=1 the rollback leaves the VM stopped */
    expect_task(&C, "qmrollback", "POST", NULL, "/nodes/pve1/qemu/300/snapshot/clean/rollback",
                "OK");
    expect_power(300, "stopped");
    json_t *after = get_data(&C, "/nodes/pve1/qemu/300/config");
    assert_string_equal(str(after, "memory"), str(before, "memory"));
    assert_string_equal(str(after, "net0"), str(before, "net0"));
    assert_string_equal(str(after, "parent"), "clean");
    assert_string_equal(str(after, "description"), "changed"); /* PVE keeps the description */
    assert_null(json_object_get(after, "lock"));
    json_decref(after);
    json_decref(before);
    /* with start=1 it runs afterwards */
    expect_task(&C, "qmrollback", "POST", "start=1", "/nodes/pve1/qemu/300/snapshot/clean/rollback",
                "OK");
    expect_power(300, "running");
    /* a snapshot with RAM starts the VM again by itself */
    expect_task(&C, "qmsnapshot", "POST", "snapname=withram&vmstate=1",
                "/nodes/pve1/qemu/300/snapshot", "OK");
    json_t *sc = get_data(&C, "/nodes/pve1/qemu/300/snapshot/withram/config");
    assert_string_equal(str(sc, "vmstate"), "local-lvm:vm-300-state-withram");
    json_decref(sc);
    expect_task(&C, "qmstop", "POST", NULL, "/nodes/pve1/qemu/300/status/stop", "OK");
    expect_task(&C, "qmrollback", "POST", NULL, "/nodes/pve1/qemu/300/snapshot/withram/rollback",
                "OK");
    expect_power(300, "running");
    expect_task(&C, "qmdelsnapshot", "DELETE", NULL, "/nodes/pve1/qemu/300/snapshot/withram", "OK");
    json_t *list = get_data(&C, "/nodes/pve1/qemu/300/snapshot");
    assert_int_equal(json_array_size(list), 2); /* clean and current */
    assert_string_equal(str(json_array_get(list, 1), "parent"), "clean");
    json_decref(list);
}

/* ---- 2. storages that cannot snapshot ------------------------------------------------------- */

static void test_storage_snapshot_features(void **state)
{
    (void)state;
    static const struct {
        unsigned vmid;
        const char *result;
    } cases[] = {
        {301, "snapshot feature is not available"}, /* thick LVM */
        {302, "snapshot feature is not available"}, /* raw file on dir */
        {303, "OK"},                                /* qcow2 file on dir */
        {304, "OK"},                                /* ZFS */
        {305, "OK"},                                /* RBD */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[96];
        snprintf(path, sizeof path, "/nodes/pve1/qemu/%u/snapshot", cases[i].vmid);
        expect_task(&C, "qmsnapshot", "POST", "snapname=s1", path, cases[i].result);
    }
    /* ZFS rolls back to its most recent snapshot only */
    expect_task(&C, "qmsnapshot", "POST", "snapname=s2", "/nodes/pve1/qemu/304/snapshot", "OK");
    expect_task(&C, "qmrollback", "POST", NULL, "/nodes/pve1/qemu/304/snapshot/s1/rollback",
                "can't rollback, 's1' is not most recent snapshot on 'tank:vm-304-disk-0'");
    expect_task(&C, "qmrollback", "POST", NULL, "/nodes/pve1/qemu/304/snapshot/s2/rollback", "OK");
    /* a template on thick LVM: no linked clone; a full clone there cannot snapshot either */
    expect_fail(&C, "POST", "newid=7307", "/nodes/pve1/qemu/307/clone", 500,
                "Linked clone feature is not supported for 'thick:vm-307-disk-0' (scsi0)");
    expect_task(&C, "qmclone", "POST", "newid=7307&full=1", "/nodes/pve1/qemu/307/clone", "OK");
    expect_task(&C, "qmsnapshot", "POST", "snapname=s1", "/nodes/pve1/qemu/7307/snapshot",
                "snapshot feature is not available");
    /* the storage's default format is part of its config */
    json_t *st = get_data(&C, "/storage/local");
    assert_string_equal(str(st, "format"), "qcow2");
    json_decref(st);
}

/* ---- 3. power ------------------------------------------------------------------------------- */

static json_int_t uptime(unsigned vmid)
{
    json_t *s = vm_status(vmid);
    json_int_t u = json_integer_value(json_object_get(s, "uptime"));
    json_decref(s);
    return u;
}

static void test_power_and_uptime(void **state)
{
    (void)state;
    const char *base = "/nodes/pve1/qemu/309/status";
    char path[96];
    expect_power(309, "stopped");
    assert_int_equal(uptime(309), 0);
    snprintf(path, sizeof path, "%s/start", base);
    expect_task(&C, "qmstart", "POST", NULL, path, "OK");
    expect_power(309, "running");
    sim_clock("hold=1"); /* model time moves only by the skips now */
    json_int_t u0 = uptime(309);
    sim_clock("skip_ms=5000");
    assert_int_equal(uptime(309), u0 + 5);
    sim_clock("hold=0");
    expect_task(&C, "qmstart", "POST", NULL, path, "VM 309 already running");
    snprintf(path, sizeof path, "%s/stop", base);
    expect_task(&C, "qmstop", "POST", NULL, path, "OK");
    expect_power(309, "stopped");
    assert_int_equal(uptime(309), 0);
    expect_task(&C, "qmstop", "POST", NULL, path, "OK"); /* stopping a stopped VM */
    snprintf(path, sizeof path, "%s/shutdown", base);
    expect_task(&C, "qmshutdown", "POST", NULL, path, "OK");
    snprintf(path, sizeof path, "%s/reboot", base);
    expect_fail(&C, "POST", NULL, path, 500, "VM 309 not running");
    snprintf(path, sizeof path, "%s/start", base);
    expect_task(&C, "qmstart", "POST", NULL, path, "OK");
    sim_clock("skip_ms=60000");
    json_int_t up = uptime(309);
    assert_true(up >= 60);
    snprintf(path, sizeof path, "%s/reboot", base);
    expect_task(&C, "qmreboot", "POST", NULL, path, "OK");
    expect_power(309, "running");
    assert_true(uptime(309) < up); /* restarted */
    /* a guest needs durations.qmshutdown (5 s) to power off: a 1 s timeout is too short */
    snprintf(path, sizeof path, "%s/shutdown", base);
    expect_task(&C, "qmshutdown", "POST", "timeout=1", path,
                "VM quit/powerdown failed - got timeout");
    expect_power(309, "running");
    expect_task(&C, "qmshutdown", "POST", "timeout=30", path, "OK");
    expect_power(309, "stopped");
}

static void test_shutdown_ignored(void **state)
{
    (void)state;
    const char *sd = "/nodes/pve1/qemu/306/status/shutdown";
    expect_task(&C, "qmshutdown", "POST", "timeout=3", sd,
                "VM quit/powerdown failed - got timeout");
    expect_power(306, "running");
    expect_task(&C, "qmreboot", "POST", "timeout=3", "/nodes/pve1/qemu/306/status/reboot",
                "VM quit/powerdown failed - got timeout");
    char *upid = task_send(&C, "POST", "timeout=3&forceStop=1", sd);
    assert_non_null(upid);
    char *es = tu_wait_task(&C, "pve1", upid);
    assert_string_equal(es, "OK");
    free(es);
    char path[512];
    snprintf(path, sizeof path, "/nodes/pve1/tasks/%s/log", upid);
    json_t *log = get_data(&C, path);
    int found = 0;
    size_t i;
    json_t *line;
    json_array_foreach(log, i, line)
    {
        found |= strcmp(str(line, "t"), "VM still running - terminating now with SIGTERM") == 0;
    }
    assert_true(found);
    json_decref(log);
    free(upid);
    expect_power(306, "stopped");
    /* a stop with overrule-shutdown ends the shutdown that waits for the guest */
    expect_task(&C, "qmstart", "POST", NULL, "/nodes/pve1/qemu/306/status/start", "OK");
    sim_clock("hold=1");
    char *sdu = task_send(&C, "POST", NULL, sd);
    char *stop = task_send(&C, "POST", "overrule-shutdown=1", "/nodes/pve1/qemu/306/status/stop");
    sim_clock("hold=0");
    es = tu_wait_task(&C, "pve1", sdu);
    assert_string_equal(es, "received interrupt");
    free(es);
    es = tu_wait_task(&C, "pve1", stop);
    assert_string_equal(es, "OK");
    free(es);
    free(sdu);
    free(stop);
    expect_power(306, "stopped");
}

/* ---- 4. expired users ----------------------------------------------------------------------- */

static int login(struct simctx *c, const char *user, const char *pw)
{
    c->sp = C.sp;
    return simproc_login(&c->sp, user, pw, c->cookie, sizeof c->cookie, c->csrf, sizeof c->csrf);
}

static void test_expired_login(void **state)
{
    (void)state;
    long long now = (long long)ds_clock_wall_s();
    char body[256];
    snprintf(body, sizeof body, "userid=gone%%40pve&password=gone-pass-1&expire=%lld", now - 60);
    assert_int_equal(req_status(&C, "POST", body, "/access/users"), 200);
    snprintf(body, sizeof body, "userid=soon%%40pve&password=soon-pass-1&expire=%lld", now + 3600);
    assert_int_equal(req_status(&C, "POST", body, "/access/users"), 200);
    struct rawresp r;
    assert_int_equal(simproc_request(&C.sp, "POST", "/api2/json/access/ticket",
                                     "username=gone%40pve&password=gone-pass-1", NULL, &r),
                     0);
    assert_int_equal(r.status, 401);
    assert_string_equal(tu_msg(&r), "authentication failure\n");
    rawresp_clear(&r);
    struct simctx u;
    assert_int_equal(login(&u, "soon@pve", "soon-pass-1"), 0);
    assert_int_equal(tu_req(&u, "GET", NULL, &r, "/version"), 200);
    rawresp_clear(&r);
    /* once the account has expired its ticket is refused too (auth stage: empty body) */
    snprintf(body, sizeof body, "expire=%lld", now - 1);
    assert_int_equal(tu_req(&C, "PUT", body, &r, "/access/users/soon@pve"), 200);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&u, "GET", NULL, &r, "/version"), 401);
    assert_string_equal(r.body, "");
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "PUT", "expire=0", &r, "/access/users/soon@pve"), 200);
    rawresp_clear(&r);
    assert_int_equal(login(&u, "soon@pve", "soon-pass-1"), 0); /* 0 = never */
}

/* ---- 5. roles ------------------------------------------------------------------------------- */

static void test_role_crud(void **state)
{
    (void)state;
    const char *privs = "VM.Audit%2CVM.Console%2CVM.PowerMgmt%2CVM.Snapshot.Rollback";
    char body[256];
    snprintf(body, sizeof body, "roleid=DeployStandStudent&privs=%s", privs);
    struct rawresp r;
    assert_int_equal(tu_req(&C, "POST", body, &r, "/access/roles"), 200);
    rawresp_clear(&r);
    expect_fail(&C, "POST", body, "/access/roles", 500,
                "create role failed: role 'DeployStandStudent' already exists");
    assert_int_equal(tu_req(&C, "POST", "roleid=PVEStudent", &r, "/access/roles"), 400);
    assert_string_equal(tu_err(&r, "roleid"),
                        "cannot use role ID starting with the (case-insensitive) 'PVE' namespace");
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "POST", "roleid=Bad&privs=VM.Fly", &r, "/access/roles"), 400);
    assert_non_null(strstr(tu_err(&r, "privs"), "VM.Fly"));
    rawresp_clear(&r);
    json_t *role = get_data(&C, "/access/roles/DeployStandStudent");
    assert_int_equal(json_object_size(role), 4);
    assert_non_null(json_object_get(role, "VM.Snapshot.Rollback"));
    json_decref(role);
    /* append adds, without append the list replaces */
    assert_int_equal(
        tu_req(&C, "PUT", "privs=Pool.Audit&append=1", &r, "/access/roles/DeployStandStudent"),
        200);
    rawresp_clear(&r);
    role = get_data(&C, "/access/roles/DeployStandStudent");
    assert_int_equal(json_object_size(role), 5);
    json_decref(role);
    snprintf(body, sizeof body, "privs=%s", privs);
    assert_int_equal(tu_req(&C, "PUT", body, &r, "/access/roles/DeployStandStudent"), 200);
    rawresp_clear(&r);
    json_t *roles = get_data(&C, "/access/roles");
    int seen = 0;
    size_t i;
    json_t *v;
    json_array_foreach(roles, i, v)
    {
        if (strcmp(str(v, "roleid"), "DeployStandStudent") == 0) {
            seen = 1;
            assert_string_equal(str(v, "privs"),
                                "VM.Audit,VM.Console,VM.PowerMgmt,VM.Snapshot.Rollback");
            assert_int_equal(json_integer_value(json_object_get(v, "special")), 0);
        }
    }
    assert_true(seen);
    json_decref(roles);
    expect_fail(&C, "PUT", "privs=VM.Audit", "/access/roles/PVEVMUser", 500,
                "auto-generated role 'PVEVMUser' cannot be modified");
    expect_fail(&C, "PUT", "privs=VM.Audit", "/access/roles/NoSuchRole", 500,
                "update role failed: role 'NoSuchRole' does not exist");
}

/* The schema's check of a config change: any VM.Config.* privilege on the VM. */
#define ANY_CONFIG_DENIED                                                                          \
    "Permission check failed (/vms/310, VM.Config.Disk|VM.Config.CDROM|VM.Config.CPU|"             \
    "VM.Config.Memory|VM.Config.Network|VM.Config.HWType|VM.Config.Options|VM.Config.Cloudinit)"

/* The student: rollback and power, but no snapshot of its own and no config change. */
static void test_student_role(void **state)
{
    (void)state;
    struct rawresp r;
    assert_int_equal(
        tu_req(&C, "POST", "userid=stud%40pve&password=stud-pass-1", &r, "/access/users"), 200);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "PUT",
                            "path=%2Fvms%2F310&roles=DeployStandStudent&users=stud%40pve", &r,
                            "/access/acl"),
                     200);
    rawresp_clear(&r);
    expect_task(&C, "qmsnapshot", "POST", "snapname=clean", "/nodes/pve1/qemu/310/snapshot", "OK");
    struct simctx s;
    assert_int_equal(login(&s, "stud@pve", "stud-pass-1"), 0);
    json_t *st = get_data(&s, "/nodes/pve1/qemu/310/status/current");
    json_decref(st);
    const char *vm = "/nodes/pve1/qemu/310";
    char path[128];
    snprintf(path, sizeof path, "%s/status/start", vm);
    expect_task(&s, "qmstart", "POST", NULL, path, "OK");
    snprintf(path, sizeof path, "%s/status/reboot", vm);
    expect_task(&s, "qmreboot", "POST", NULL, path, "OK");
    snprintf(path, sizeof path, "%s/status/shutdown", vm);
    expect_task(&s, "qmshutdown", "POST", NULL, path, "OK");
    snprintf(path, sizeof path, "%s/snapshot/clean/rollback", vm);
    expect_task(&s, "qmrollback", "POST", "start=1", path, "OK");
    expect_power(310, "running");
    snprintf(path, sizeof path, "%s/status/stop", vm);
    expect_task(&s, "qmstop", "POST", NULL, path, "OK");
    snprintf(path, sizeof path, "%s/status/start", vm);
    expect_fail(&s, "POST", "skiplock=1", path, 400, "Parameter verification failed.");
    snprintf(path, sizeof path, "%s/config", vm);
    expect_fail(&s, "PUT", "net0=virtio%2Cbridge%3Dvmbr9", path, 403, ANY_CONFIG_DENIED);
    snprintf(path, sizeof path, "%s/snapshot", vm);
    expect_fail(&s, "POST", "snapname=mine", path, 403,
                "Permission check failed (/vms/310, VM.Snapshot)");
    snprintf(path, sizeof path, "%s/snapshot/clean", vm);
    expect_fail(&s, "DELETE", NULL, path, 403, "Permission check failed (/vms/310, VM.Snapshot)");
    expect_fail(&s, "GET", NULL, "/nodes/pve1/qemu/300/status/current", 403,
                "Permission check failed (/vms/300, VM.Audit)");
    expect_fail(&s, "POST", NULL, "/nodes/pve1/qemu/300/status/start", 403,
                "Permission check failed (/vms/300, VM.PowerMgmt)");
}

/* VM.Config.Network guards netN: a role with other config privileges may not change it. */
static void test_network_privilege(void **state)
{
    (void)state;
    struct rawresp r;
    assert_int_equal(tu_req(&C, "POST", "roleid=CfgOpts&privs=VM.Audit%2CVM.Config.Options", &r,
                            "/access/roles"),
                     200);
    rawresp_clear(&r);
    assert_int_equal(
        tu_req(&C, "POST", "userid=opts%40pve&password=opts-pass-1", &r, "/access/users"), 200);
    rawresp_clear(&r);
    assert_int_equal(
        tu_req(&C, "PUT", "path=%2Fvms%2F310&roles=CfgOpts&users=opts%40pve", &r, "/access/acl"),
        200);
    rawresp_clear(&r);
    struct simctx o;
    assert_int_equal(login(&o, "opts@pve", "opts-pass-1"), 0);
    assert_int_equal(tu_req(&o, "PUT", "description=mine", &r, "/nodes/pve1/qemu/310/config"), 200);
    rawresp_clear(&r);
    expect_fail(&o, "PUT", "net0=virtio%2Cbridge%3Dvmbr9", "/nodes/pve1/qemu/310/config", 403,
                "Permission check failed (/vms/310, VM.Config.Network)");
    expect_fail(&o, "PUT", "delete=net0", "/nodes/pve1/qemu/310/config", 403,
                "Permission check failed (/vms/310, VM.Config.Network)");
    /* a deleted role takes its ACL entries with it */
    assert_int_equal(tu_req(&C, "DELETE", NULL, &r, "/access/roles/CfgOpts"), 200);
    rawresp_clear(&r);
    json_t *acl = get_data(&C, "/access/acl");
    size_t i;
    json_t *v;
    json_array_foreach(acl, i, v)
    {
        assert_string_not_equal(str(v, "roleid"), "CfgOpts");
    }
    json_decref(acl);
    expect_fail(&o, "PUT", "description=again", "/nodes/pve1/qemu/310/config", 403,
                ANY_CONFIG_DENIED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snapshot_tasks_and_locks),
        cmocka_unit_test(test_snapshot_names),
        cmocka_unit_test(test_rollback_restores),
        cmocka_unit_test(test_storage_snapshot_features),
        cmocka_unit_test(test_power_and_uptime),
        cmocka_unit_test(test_shutdown_ignored),
        cmocka_unit_test(test_expired_login),
        cmocka_unit_test(test_role_crud),
        cmocka_unit_test(test_student_role),
        cmocka_unit_test(test_network_privilege),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
