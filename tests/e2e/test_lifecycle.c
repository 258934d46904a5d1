/* test_lifecycle: the class lifecycle against the simulator: a deploy with a baseline, reset to it
 * (one student, the class: only rollbacks), start/stop/shutdown, snapshots, expire of two stands,
 * the refusals without --yes and without a valid snapshot name, and every --output json. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct e2e C;

/* The accounts of the example stand expire at the end of this day: 2100-01-01T00:00:00Z. */
#define LATER_DAY "2099-12-31"
#define LATER_END 4102444800LL

static int setup(void **st)
{
    (void)st;
    const char *args[] = {"--scenario", "classroom", "--time-scale", "0.01", NULL};
    if (e2e_start(&C, args, NULL, NULL) < 0)
        return -1;
    ds_write_users(&C.env, 3);
    return e2e_login_root(&C);
}

static int teardown(void **st)
{
    (void)st;
    e2e_stop(&C);
    return 0;
}

/* "deploy-stand --connections F [--output json] [--yes] WORD... [--config CONFIG --users USERS]"
 * (the words NULL-terminated; config NULL: no --config and --users). The exit code; out, doc
 * (stdout parsed as JSON, NULL when it is none) and err may be NULL. */
static int ds(unsigned flags, const char *config, const char *users, char **out, json_t **doc,
              char **err, ...)
{
    const char *args[40];
    size_t n = 0;
    args[n++] = "--connections";
    args[n++] = C.env.connections;
    if (flags & E2E_JSON) {
        args[n++] = "--output";
        args[n++] = "json";
    }
    if (flags & E2E_YES)
        args[n++] = "--yes";
    va_list ap;
    va_start(ap, err);
    for (const char *w = va_arg(ap, const char *); w && n < 34; w = va_arg(ap, const char *))
        args[n++] = w;
    va_end(ap);
    if (config) {
        args[n++] = "--config";
        args[n++] = config;
        args[n++] = "--users";
        args[n++] = users;
    }
    args[n] = NULL;
    char *o = NULL, *e = NULL;
    int rc = ds_run(&o, &e, args);
    if (rc != 0 && !err)
        fprintf(stderr, "%s exit %d; stderr:\n%s\n", args[flags ? 3 : 2], rc, e);
    if (doc)
        *doc = json_loads(o ? o : "", 0, NULL);
    if (out)
        *out = o;
    else
        free(o);
    if (err)
        *err = e;
    else
        free(e);
    return rc;
}

/* "WORD... --config <example> --users <class of three>" with --output json and --yes (the words
 * NULL-terminated); stdout must be a JSON document, which *doc gets (NULL: dropped). */
static int life(json_t **doc, ...)
{
    const char *w[8] = {0};
    va_list ap;
    va_start(ap, doc);
    for (size_t n = 0; n < 7 && (w[n] = va_arg(ap, const char *)); n++)
        ;
    va_end(ap);
    json_t *d = NULL;
    int rc = ds(E2E_JSON | E2E_YES, C.env.config, C.env.users, NULL, &d, NULL, w[0], w[1], w[2],
                w[3], w[4], w[5], w[6], NULL);
    if (!d)
        fail_msg("`%s %s` --output json printed no JSON document", w[0], w[1] ? w[1] : "");
    if (doc)
        *doc = d;
    else
        json_decref(d);
    return rc;
}

/* How many tasks of `type` the simulator ran (qmclone, qmrollback, ...). */
static long tasks(const char *type)
{
    json_t *st = simproc_stats(&C.sp);
    assert_non_null(st);
    long n = (long)json_integer_value(
        json_object_get(json_object_get(json_object_get(st, "tasks"), "by_type"), type));
    json_decref(st);
    return n;
}

static int vm_of(const char *pool, const char *name, char node[64])
{
    return e2e_vm_of(&C, pool, name, node);
}

/* The config of the VM (GET .../config; a new reference). */
static json_t *config_of(const char *pool, const char *name)
{
    char node[64], path[160];
    int vmid = vm_of(pool, name, node);
    snprintf(path, sizeof path, "/nodes/%s/qemu/%d/config", node, vmid);
    json_t *cfg = NULL;
    assert_int_equal(e2e_api(&C, "GET", path, NULL, &cfg), 200);
    return cfg;
}

static void set_config(const char *pool, const char *name, const char *body)
{
    char node[64], path[160];
    int vmid = vm_of(pool, name, node);
    snprintf(path, sizeof path, "/nodes/%s/qemu/%d/config", node, vmid);
    assert_int_equal(e2e_api(&C, "PUT", path, body, NULL), 200);
}

/* A config value as text (numbers too) into buf. */
static const char *cfg_str(const json_t *cfg, const char *key, char *buf, size_t len)
{
    const json_t *v = json_object_get(cfg, key);
    if (json_is_integer(v))
        snprintf(buf, len, "%lld", (long long)json_integer_value(v));
    else
        snprintf(buf, len, "%s", json_is_string(v) ? json_string_value(v) : "(none)");
    return buf;
}

/* Fails unless the VM's config has key = want. */
static void expect_cfg(const char *pool, const char *name, const char *key, const char *want)
{
    char buf[256];
    json_t *cfg = config_of(pool, name);
    if (strcmp(cfg_str(cfg, key, buf, sizeof buf), want) != 0)
        fail_msg("VM %s of %s: %s is '%s', not '%s'", name, pool, key, buf, want);
    json_decref(cfg);
}

/* The power state of every VM of the three students: how many are `status`. */
static int count_power(const char *status)
{
    json_t *st = simproc_state(&C.sp);
    const char *pools[] = {"student1", "student2", "student3"},
               *names[] = {"web", "client", "router"};
    int n = 0;
    for (int p = 0; p < 3; p++)
        for (int m = 0; m < 3; m++) {
            json_t *vm = e2e_vm_named(st, pools[p], names[m]);
            assert_non_null(vm);
            n += strcmp(json_string_value(json_object_get(vm, "status")), status) == 0;
        }
    json_decref(st);
    return n;
}

/* Does the VM have snapshot `snap` in the simulator? */
static int has_snapshot(const char *pool, const char *name, const char *snap)
{
    json_t *st = simproc_state(&C.sp);
    json_t *vm = e2e_vm_named(st, pool, name);
    assert_non_null(vm);
    size_t i;
    json_t *s;
    int has = 0;
    json_array_foreach(json_object_get(vm, "snapshots"), i, s)
    {
        has |= strcmp(json_string_value(json_object_get(s, "name")), snap) == 0;
    }
    json_decref(st);
    return has;
}

/* ---- before anything is deployed ------------------------------------------------------------- */

static void test_refuse_without_yes(void **st)
{
    (void)st;
    const char *cmds[][3] = {
        {"reset", NULL, NULL},
        {"start", NULL, NULL},
        {"stop", NULL, NULL},
        {"shutdown", NULL, NULL},
        {"reboot", NULL, NULL},
        {"snapshot", "create", "lab1"},
        {"snapshot", "rollback", "lab1"},
        {"snapshot", "delete", "lab1"},
    };
    long before = ds_total_requests(&C.sp);
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char *err = NULL;
        int rc = ds(0, C.env.config, C.env.users, NULL, NULL, &err, cmds[i][0], cmds[i][1],
                    cmds[i][2], NULL);
        if (rc != 2)
            fail_msg("`%s %s` without --yes and without a terminal: exit %d", cmds[i][0],
                     cmds[i][1] ? cmds[i][1] : "", rc);
        e2e_expect_in(err, "--yes", "the refusal");
        free(err);
    }
    assert_int_equal(ds_total_requests(&C.sp), before);
}

static void test_bad_snapshot_name(void **st)
{
    (void)st;
    const char *bad[] = {"1lab",     "current", "x",
                         "bad name", "lab.2",   "a23456789012345678901234567890123456789012"};
    const char *ops[] = {"create", "rollback", "delete"};
    long before = ds_total_requests(&C.sp);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *err = NULL;
        int rc = ds(E2E_YES, C.env.config, C.env.users, NULL, NULL, &err, "snapshot", ops[i % 3],
                    bad[i], NULL);
        if (rc != 2)
            fail_msg("snapshot %s '%s': exit %d, not 2", ops[i % 3], bad[i], rc);
        e2e_expect_in(err, "not a valid snapshot name", "the error");
        free(err);
    }
    assert_int_equal(ds_total_requests(&C.sp), before);
}

/* ---- deploy, status, reset ------------------------------------------------------------------- */

static void test_deploy_with_baseline(void **st)
{
    (void)st;
    assert_int_equal(ds(E2E_YES, C.env.config, C.env.users, NULL, NULL, NULL, "deploy", "--expires",
                        LATER_DAY, NULL),
                     0);
    const char *names[] = {"web", "client", "router"};
    for (int s = 1; s <= 3; s++) {
        char pool[32], user[32];
        snprintf(pool, sizeof pool, "student%d", s);
        snprintf(user, sizeof user, "student%d@pve", s);
        for (int m = 0; m < 3; m++)
            if (!has_snapshot(pool, names[m], "start"))
                fail_msg("VM %s of %s has no baseline snapshot 'start'", names[m], pool);
        json_t *sim = simproc_state(&C.sp);
        json_t *u = json_object_get(json_object_get(sim, "users"), user);
        assert_int_equal(json_integer_value(json_object_get(u, "expire")), LATER_END);
        json_decref(sim);
    }
    json_t *doc = NULL;
    assert_int_equal(ds(E2E_JSON, C.env.config, C.env.users, NULL, &doc, NULL, "status", NULL), 0);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "cluster_expires")), LATER_DAY);
    assert_int_equal(json_integer_value(json_object_get(doc, "cluster_expires_at")), LATER_END);
    assert_true(json_is_null(json_object_get(doc, "expires"))); /* the file sets none */
    assert_int_equal(json_integer_value(json_object_get(doc, "vm_count")), 9);
    assert_true(json_is_integer(json_object_get(doc, "running")));
    json_t *s1 = e2e_student(doc, "student1@pve");
    assert_int_equal(json_integer_value(json_object_get(s1, "vm_count")), 3);
    assert_true(json_is_integer(json_object_get(s1, "running")));
    json_t *vm0 = json_array_get(json_object_get(s1, "vms"), 0);
    assert_true(json_is_integer(json_object_get(vm0, "uptime")));
    assert_string_equal(json_string_value(json_object_get(vm0, "power")), "stopped");
    json_decref(doc);
}

static void test_reset_user_restores_config(void **st)
{
    (void)st;
    json_t *orig = config_of("student1", "web");
    char memory[32], net0[256];
    cfg_str(orig, "memory", memory, sizeof memory);
    cfg_str(orig, "net0", net0, sizeof net0);
    json_decref(orig);
    assert_string_not_equal(memory, "4096");
    set_config("student1", "web", "memory=4096&net0=virtio%2Cbridge%3Dvmbr0");
    set_config("student2", "web", "memory=3072");
    expect_cfg("student1", "web", "memory", "4096");
    long clones = tasks("qmclone");
    json_t *doc = NULL;
    assert_int_equal(life(&doc, "reset", "--user", "student1@pve", NULL), 0);
    assert_string_equal(json_string_value(json_object_get(doc, "operation")), "reset");
    assert_true(json_is_true(json_object_get(doc, "ok")));
    assert_int_equal(json_array_size(json_object_get(doc, "recloned")), 0);
    json_decref(doc);
    expect_cfg("student1", "web", "memory", memory);
    expect_cfg("student1", "web", "net0", net0);
    expect_cfg("student2", "web", "memory", "3072"); /* another student: left alone */
    assert_int_equal(tasks("qmclone"), clones);
    assert_int_equal(count_power("stopped"), 9); /* stopped before, stopped after */
}

static void test_reset_class_only_rollbacks(void **st)
{
    (void)st;
    assert_int_equal(ds(E2E_YES, C.env.config, C.env.users, NULL, NULL, NULL, "start", "--user",
                        "student1@pve", "--vm", "web", NULL),
                     0);
    assert_int_equal(count_power("running"), 1);
    long clones = tasks("qmclone"), destroys = tasks("qmdestroy"), rollbacks = tasks("qmrollback");
    long stops = tasks("qmstop"), mutating = ds_mutating_requests(&C.sp);
    long posts = e2e_answers(&C, "POST", "/rollback", "200");
    assert_int_equal(life(NULL, "reset", NULL), 0);
    assert_int_equal(tasks("qmclone"), clones);
    assert_int_equal(tasks("qmdestroy"), destroys);
    assert_int_equal(tasks("qmstop"), stops);
    assert_int_equal(tasks("qmrollback"), rollbacks + 9);
    /* nothing but the nine rollbacks was sent, and the stand's lock (its pool made and removed) */
    assert_int_equal(ds_mutating_requests(&C.sp), mutating + 9 + 2);
    assert_int_equal(e2e_answers(&C, "POST", "/rollback", "200"), posts + 9);
    char memory[32];
    json_t *ref = config_of("student3", "web");
    expect_cfg("student2", "web", "memory", cfg_str(ref, "memory", memory, sizeof memory));
    json_decref(ref);
    /* the one VM that ran runs again */
    json_t *sim = simproc_state(&C.sp);
    assert_string_equal(
        json_string_value(json_object_get(e2e_vm_named(sim, "student1", "web"), "status")),
        "running");
    json_decref(sim);
    assert_int_equal(count_power("running"), 1);
}

/* A VM without the baseline (here: deleted by hand) is cloned fresh instead, and runs again when it
 * ran before; the student's other VMs are rolled back. */
static void test_reset_reclones_without_baseline(void **st)
{
    (void)st;
    char node[64], path[200];
    int old = vm_of("student2", "client", node);
    snprintf(path, sizeof path, "/nodes/%s/qemu/%d/snapshot/start", node, old);
    e2e_run_task(&C, "DELETE", node, path, NULL);
    assert_false(has_snapshot("student2", "client", "start"));
    assert_int_equal(ds(E2E_YES, C.env.config, C.env.users, NULL, NULL, NULL, "start", "--user",
                        "student2@pve", "--vm", "client", NULL),
                     0);
    long clones = tasks("qmclone"), destroys = tasks("qmdestroy"), rollbacks = tasks("qmrollback");
    json_t *doc = NULL;
    assert_int_equal(life(&doc, "reset", "--user", "student2@pve", NULL), 0);
    assert_int_equal(tasks("qmclone"), clones + 1);
    assert_int_equal(tasks("qmdestroy"), destroys + 1);
    assert_int_equal(tasks("qmrollback"), rollbacks + 2);
    json_t *re = json_object_get(doc, "recloned");
    assert_int_equal(json_array_size(re), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(re, 0), "name")),
                        "client");
    assert_true(json_is_true(json_object_get(doc, "ok")));
    json_decref(doc);
    /* the fresh clone has its baseline again and runs, as the VM did before the reset */
    assert_true(has_snapshot("student2", "client", "start"));
    json_t *sim = simproc_state(&C.sp);
    json_t *vm = e2e_vm_named(sim, "student2", "client");
    assert_string_equal(json_string_value(json_object_get(vm, "status")), "running");
    json_decref(sim);
    assert_int_equal(count_power("running"), 2); /* and student1's web */
}

/* ---- power ------------------------------------------------------------------------------------
 */

/* The VMs of a lifecycle outcome stopped hard: how many, and the last one's name and user. */
static int forced_in(const json_t *doc, char *who, size_t len)
{
    int n = 0;
    size_t i, k;
    const json_t *s, *vm;
    json_array_foreach(json_object_get(doc, "students"), i, s)
    {
        json_array_foreach(json_object_get(s, "vms"), k, vm)
        {
            if (!json_is_boolean(json_object_get(vm, "forced")))
                fail_msg("a VM of the outcome has no boolean \"forced\"");
            if (!json_is_true(json_object_get(vm, "forced")))
                continue;
            n++;
            snprintf(who, len, "%s %s", json_string_value(json_object_get(vm, "name")),
                     json_string_value(json_object_get(s, "user")));
        }
    }
    return n;
}

static void test_power_class(void **st)
{
    (void)st;
    json_t *doc = NULL;
    assert_int_equal(life(NULL, "stop", NULL), 0);
    assert_int_equal(count_power("stopped"), 9);
    long mutating = ds_mutating_requests(&C.sp);
    assert_int_equal(life(NULL, "stop", NULL), 0); /* every VM is stopped: nothing is sent */
    assert_int_equal(life(NULL, "shutdown", NULL), 0);
    assert_int_equal(life(NULL, "reboot", NULL), 0); /* a stopped VM is not rebooted */
    assert_int_equal(ds_mutating_requests(&C.sp), mutating);
    assert_int_equal(life(&doc, "start", NULL), 0);
    assert_int_equal(count_power("running"), 9);
    assert_string_equal(json_string_value(json_object_get(doc, "operation")), "start");
    assert_int_equal(json_integer_value(json_object_get(doc, "changed")), 9);
    json_decref(doc);
    mutating = ds_mutating_requests(&C.sp);
    assert_int_equal(life(NULL, "start", NULL), 0);
    assert_int_equal(ds_mutating_requests(&C.sp), mutating);
    assert_int_equal(life(&doc, "reboot", "--user", "student1@pve", NULL), 0);
    assert_int_equal(json_integer_value(json_object_get(doc, "changed")), 3);
    json_decref(doc);
    assert_int_equal(count_power("running"), 9);
    /* a guest without an ACPI button ignores the shutdown: it is stopped hard, and said so */
    set_config("student2", "client", "acpi=0");
    assert_int_equal(life(&doc, "shutdown", "--timeout", "30", NULL), 0);
    assert_int_equal(count_power("stopped"), 9);
    char who[128] = "";
    assert_int_equal(forced_in(doc, who, sizeof who), 1);
    assert_string_equal(who, "client student2@pve");
    json_decref(doc);
    set_config("student2", "client", "delete=acpi");
}

/* ---- snapshots --------------------------------------------------------------------------------
 */

/* In a snapshot listing: does student `user`'s VM `name` list snapshot `snap` (current: the VM's
 * present state comes from it)? */
static int listed(const json_t *doc, const char *user, const char *name, const char *snap,
                  int *current)
{
    size_t i, k;
    const json_t *vm, *sn;
    json_array_foreach(json_object_get(e2e_student((json_t *)doc, user), "vms"), i, vm)
    {
        if (strcmp(json_string_value(json_object_get(vm, "name")), name) != 0)
            continue;
        json_array_foreach(json_object_get(vm, "snapshots"), k, sn)
        {
            if (strcmp(json_string_value(json_object_get(sn, "name")), snap) != 0)
                continue;
            *current = json_is_true(json_object_get(sn, "current"));
            assert_true(json_is_integer(json_object_get(sn, "snaptime")));
            return 1;
        }
    }
    return 0;
}

static void test_snapshots(void **st)
{
    (void)st;
    json_t *doc = NULL;
    assert_int_equal(life(&doc, "snapshot", "create", "lab2", NULL), 0);
    assert_string_equal(json_string_value(json_object_get(doc, "operation")), "snapshot create");
    json_decref(doc);
    const char *users[] = {"student1@pve", "student2@pve", "student3@pve"};
    const char *pools[] = {"student1", "student2", "student3"},
               *names[] = {"web", "client", "router"};
    assert_int_equal(life(&doc, "snapshot", "list", NULL), 0);
    for (int s = 0; s < 3; s++)
        for (int m = 0; m < 3; m++) {
            int cur = 0;
            assert_true(has_snapshot(pools[s], names[m], "lab2"));
            assert_true(listed(doc, users[s], names[m], "start", &cur));
            assert_false(cur);
            assert_true(listed(doc, users[s], names[m], "lab2", &cur));
            assert_true(cur);
        }
    json_decref(doc);
    char *out = NULL;
    assert_int_equal(ds(0, C.env.config, C.env.users, &out, NULL, NULL, "snapshot", "list",
                        "--user", "student3@pve", NULL),
                     0);
    e2e_expect_in(out, "lab2", "the listing");
    e2e_expect_not_in(out, "student1@pve", "the listing of student3");
    free(out);
    /* a change after the snapshot is undone by the rollback, for that student only */
    char memory[32];
    json_t *cfg = config_of("student3", "web");
    cfg_str(cfg, "memory", memory, sizeof memory);
    json_decref(cfg);
    set_config("student3", "web", "memory=1024");
    set_config("student1", "web", "memory=1024");
    expect_cfg("student3", "web", "memory", "1024");
    assert_int_equal(life(NULL, "snapshot", "rollback", "lab2", "--user", "student3@pve", NULL), 0);
    expect_cfg("student3", "web", "memory", memory);
    expect_cfg("student1", "web", "memory", "1024");
    assert_int_equal(life(NULL, "snapshot", "delete", "lab2", NULL), 0);
    for (int s = 0; s < 3; s++)
        for (int m = 0; m < 3; m++) {
            assert_false(has_snapshot(pools[s], names[m], "lab2"));
            assert_true(has_snapshot(pools[s], names[m], "start"));
        }
    long mutating = ds_mutating_requests(&C.sp);
    assert_int_equal(life(NULL, "snapshot", "delete", "lab2", NULL), 0); /* none has it */
    assert_int_equal(ds_mutating_requests(&C.sp), mutating);
}

/* ---- expire -----------------------------------------------------------------------------------
 */

/* The entry of `stand` in expire's result. */
static json_t *expire_entry(json_t *doc, const char *stand)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(doc, "stands"), i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "stand")), stand) == 0)
            return e;
    }
    fail_msg("expire does not list stand %s", stand);
    return NULL;
}

/* A second stand, lab-old, for old1@pve, whose accounts expired long ago. */
static void deploy_old_stand(char **config, char **users)
{
    char *text = ds_slurp(C.env.config);
    assert_non_null(text);
    char *at = strstr(text, "stand: demo-lab");
    assert_non_null(at);
    memcpy(at, "stand: lab-old ", 15); /* as long as "stand: demo-lab" */
    *config = strdup(ds_write_file(&C.env, "old.yml", text));
    *users = strdup(ds_write_file(&C.env, "old_users.yml", "users:\n  - old1@pve\n"));
    free(text);
    assert_int_equal(
        ds(E2E_YES, *config, *users, NULL, NULL, NULL, "deploy", "--expires", "2000-01-01", NULL),
        0);
    assert_true(e2e_marked_objects(&C, "lab-old", "old1@pve") > 0);
}

static void test_expire_two_stands(void **st)
{
    (void)st;
    char *config, *users;
    deploy_old_stand(&config, &users);
    long mutating = ds_mutating_requests(&C.sp);
    json_t *doc = NULL;
    assert_int_equal(ds(E2E_JSON, NULL, NULL, NULL, &doc, NULL, "expire", NULL), 0);
    assert_non_null(doc);
    assert_true(json_is_true(json_object_get(expire_entry(doc, "lab-old"), "expired")));
    assert_string_equal(json_string_value(json_object_get(expire_entry(doc, "lab-old"), "expires")),
                        "2000-01-01");
    assert_false(json_is_true(json_object_get(expire_entry(doc, "demo-lab"), "expired")));
    assert_true(json_is_null(json_object_get(expire_entry(doc, "lab-old"), "destroyed")));
    json_decref(doc);
    assert_int_equal(ds_mutating_requests(&C.sp), mutating); /* without --yes: a list */
    assert_int_equal(ds(E2E_JSON | E2E_YES, NULL, NULL, NULL, &doc, NULL, "expire", NULL), 0);
    assert_non_null(doc);
    json_t *old = expire_entry(doc, "lab-old");
    assert_true(json_is_true(json_object_get(old, "destroyed")));
    assert_int_equal(json_integer_value(json_object_get(old, "left")), 0);
    assert_true(json_is_null(json_object_get(expire_entry(doc, "demo-lab"), "destroyed")));
    assert_int_equal(json_integer_value(json_object_get(doc, "destroyed")), 1);
    json_decref(doc);
    assert_int_equal(e2e_marked_objects(&C, "lab-old", "old1@pve"), 0);
    json_t *sim = simproc_state(&C.sp);
    assert_null(json_object_get(json_object_get(sim, "users"), "old1@pve"));
    json_decref(sim);
    /* the stand whose date has not passed is all there */
    assert_int_equal(count_power("stopped") + count_power("running"), 9);
    for (int s = 1; s <= 3; s++) {
        char user[32];
        snprintf(user, sizeof user, "student%d@pve", s);
        assert_true(e2e_marked_objects(&C, "demo-lab", user) >= 4); /* 3 VMs and the user */
    }
    free(config);
    free(users);
}

static void test_bad_input(void **st)
{
    (void)st;
    long before = ds_total_requests(&C.sp);
    char *err = NULL;
    assert_int_equal(ds(E2E_YES, C.env.config, C.env.users, NULL, NULL, &err, "deploy", "--expires",
                        "2025-02-30", NULL),
                     2);
    e2e_expect_in(err, "2025-02-30", "the error");
    free(err);
    assert_int_equal(ds_total_requests(&C.sp), before); /* nothing was sent */
    long mutating = ds_mutating_requests(&C.sp);
    assert_int_equal(
        ds(E2E_YES, C.env.config, C.env.users, NULL, NULL, &err, "start", "--vm", "nosuch", NULL),
        2);
    e2e_expect_in(err, "nosuch", "the error");
    free(err);
    assert_int_equal(ds_mutating_requests(&C.sp), mutating);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refuse_without_yes),
        cmocka_unit_test(test_bad_snapshot_name),
        cmocka_unit_test(test_deploy_with_baseline),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_reset_user_restores_config),
        cmocka_unit_test(test_reset_class_only_rollbacks),
        cmocka_unit_test(test_reset_reclones_without_baseline),
        cmocka_unit_test(test_power_class),
        cmocka_unit_test(test_snapshots),
        cmocka_unit_test(test_expire_two_stands),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
