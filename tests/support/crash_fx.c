/* crash_fx: census, reference, kill points and checks of the crash tests (see crash_fx.h). */
#include "crash_fx.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "ds_clock.h"
#include "plan/marks.h"

const char *const CRASH_DEPLOY[] = {"deploy", "--strategy", "balanced", NULL};
const char *const CRASH_DESTROY[] = {"destroy", NULL};
const char *const CRASH_RESET[] = {"reset", NULL};
const char *const CRASH_RECLONE[] = {"reset", "--reclone", "--strategy", "balanced", NULL};
static const char *const SWEEP_TEMPLATES[] = {"sweep", "--templates", NULL};

static const char *const FIELD_NAMES[CF_N] = {
    [CF_VMS] = "student VMs",
    [CF_DUP_VMS] = "duplicate student VMs",
    [CF_UNTAGGED] = "student VMs without the stand tag",
    [CF_ON_VMBR0] = "student NICs on vmbr0 with the link up",
    [CF_NO_BASELINE] = "student VMs without snapshot 'start'",
    [CF_LOCKED] = "locked VMs",
    [CF_BRIDGES] = "bridges",
    [CF_DUP_BRIDGES] = "duplicate bridges",
    [CF_PENDING] = "nodes with pending network changes",
    [CF_USERS] = "users",
    [CF_POOLS] = "pools",
    [CF_COPIES] = "template copies",
    [CF_DUP_COPIES] = "duplicate template copies",
    [CF_BAD_COPIES] = "unfinished or misplaced template copies",
    [CF_DUP_MACS] = "duplicate MAC addresses",
    [CF_LOCK_POOLS] = "lock pools (ds-lock-*, ds-copy-*)",
    [CF_ALL_VMS] = "VMs in the cluster",
};

/* ---- reading /__sim/state ------------------------------------------------------------------ */

static const char *cfg_str(json_t *vm, const char *key)
{
    return json_string_value(json_object_get(json_object_get(vm, "config"), key));
}

static int is_template(json_t *vm)
{
    json_t *t = json_object_get(json_object_get(vm, "config"), "template");
    return json_is_true(t) || json_integer_value(t) == 1 ||
           (json_is_string(t) && strcmp(json_string_value(t), "1") == 0);
}

static int has_tag(const char *tags, const char *tag)
{
    size_t n = strlen(tag);
    for (const char *p = tags; p && *p;) {
        size_t l = strcspn(p, ";, ");
        if (l == n && strncmp(p, tag, n) == 0)
            return 1;
        p += l + (p[l] != '\0');
    }
    return 0;
}

/* A VM marked for a student of the stand (m gets the mark). */
static int student_vm(json_t *vm, struct mark *m)
{
    return mark_parse(cfg_str(vm, "description"), m) && strcmp(m->stand, CRASH_STAND) == 0 &&
           m->student;
}

/* A template copy: its mark's original and node (node[64]). */
static int copy_vm(json_t *vm, int *orig, char node[64])
{
    char digest[64];
    const char *desc = cfg_str(vm, "description");
    node[0] = '\0';
    return mark_copy_parse(desc, orig, digest, sizeof digest) && mark_copy_node(desc, node, 64);
}

/* Adds one to counter[key]; 1 when the key was seen before. */
static int seen_again(json_t *counter, const char *key)
{
    json_int_t n = json_integer_value(json_object_get(counter, key)) + 1;
    json_object_set_new(counter, key, json_integer(n));
    return n == 2;
}

/* The NICs of a student VM: those on vmbr0 with the link up. Every VM's MACs go into macs. */
static void nics(json_t *vm, int student, json_t *macs, struct crash_census *k)
{
    const char *key;
    json_t *v;
    json_object_foreach(json_object_get(vm, "config"), key, v)
    {
        if (strncmp(key, "net", 3) != 0 || !json_is_string(v) || key[3] < '0' || key[3] > '9')
            continue;
        char val[512], mac[32] = "";
        snprintf(val, sizeof val, "%s", json_string_value(v));
        int vmbr0 = 0, down = 0, first = 1;
        for (char *save = NULL, *t = strtok_r(val, ",", &save); t;
             t = strtok_r(NULL, ",", &save), first = 0) {
            char *eq = strchr(t, '=');
            if (!eq)
                continue;
            *eq++ = '\0';
            if (strcmp(t, "macaddr") == 0 || (first && strlen(eq) == 17 && eq[2] == ':'))
                snprintf(mac, sizeof mac, "%s", eq);
            vmbr0 |= strcmp(t, "bridge") == 0 && strcmp(eq, "vmbr0") == 0;
            down |= strcmp(t, "link_down") == 0 && strcmp(eq, "1") == 0;
        }
        for (char *p = mac; *p; p++)
            *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
        if (mac[0])
            k->n[CF_DUP_MACS] += seen_again(macs, mac);
        k->n[CF_ON_VMBR0] += student && vmbr0 && !down;
    }
}

static int has_snapshot(json_t *vm, const char *name)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(vm, "snapshots"), i, s)
    {
        if (strcmp(json_string_value(json_object_get(s, "name")), name) == 0)
            return 1;
    }
    return 0;
}

static void count_vms(json_t *state, struct crash_census *k)
{
    json_t *pairs = json_object(), *macs = json_object(), *copies = json_object();
    size_t i;
    json_t *vm;
    json_array_foreach(json_object_get(state, "vms"), i, vm)
    {
        struct mark m;
        int orig = 0, student = student_vm(vm, &m);
        char node[64], key[192];
        k->n[CF_ALL_VMS]++;
        k->n[CF_LOCKED] += cfg_str(vm, "lock") != NULL;
        nics(vm, student, macs, k);
        if (student) {
            const char *name = cfg_str(vm, "name");
            snprintf(key, sizeof key, "%s/%s", m.student, name ? name : "");
            k->n[CF_VMS]++;
            k->n[CF_DUP_VMS] += seen_again(pairs, key);
            k->n[CF_UNTAGGED] += !has_tag(cfg_str(vm, "tags"), "ds-" CRASH_STAND);
            k->n[CF_NO_BASELINE] += !has_snapshot(vm, "start");
        } else if (copy_vm(vm, &orig, node)) {
            snprintf(key, sizeof key, "%d@%s", orig, node);
            k->n[CF_COPIES]++;
            k->n[CF_DUP_COPIES] += seen_again(copies, key);
            k->n[CF_BAD_COPIES] +=
                !is_template(vm) || !has_tag(cfg_str(vm, "tags"), MARK_COPY_TAG) ||
                strcmp(json_string_value(json_object_get(vm, "node")), node) != 0;
        }
    }
    json_decref(pairs);
    json_decref(macs);
    json_decref(copies);
}

static void count_nodes(json_t *state, struct crash_census *k)
{
    json_t *marks = json_object();
    size_t i;
    json_t *node;
    json_array_foreach(json_object_get(state, "nodes"), i, node)
    {
        const char *iface;
        json_t *f;
        json_object_foreach(json_object_get(node, "network"), iface, f)
        {
            struct mark m;
            const char *text = json_string_value(json_object_get(f, "comments"));
            if (!mark_parse(text, &m) || strcmp(m.stand, CRASH_STAND) != 0)
                continue;
            char key[640];
            /* a student's alias is one bridge in the cluster; the reserved one is per node */
            snprintf(key, sizeof key, "%s|%s",
                     m.student ? "" : json_string_value(json_object_get(node, "node")), text);
            k->n[CF_BRIDGES]++;
            k->n[CF_DUP_BRIDGES] += seen_again(marks, key);
        }
        json_t *p = json_object_get(node, "network_pending");
        k->n[CF_PENDING] += p && !json_is_null(p);
    }
    json_decref(marks);
}

/* Pools of the cluster-wide locks: the stand's and the template copies'. */
static int lock_pools(json_t *pools, char *names, size_t len)
{
    int n = 0;
    size_t l = 0;
    const char *id;
    json_t *e;
    json_object_foreach(pools, id, e)
    {
        if (strncmp(id, "ds-lock-", 8) != 0 && strncmp(id, "ds-copy-", 8) != 0)
            continue;
        if (l < len)
            l += (size_t)snprintf(names + l, len - l, "%s%s", n ? ", " : "", id);
        n++;
    }
    return n;
}

/* Users and pools whose comment is a mark of the stand. */
static int marked_entries(json_t *dict)
{
    int n = 0;
    const char *id;
    json_t *e;
    json_object_foreach(dict, id, e)
    {
        n += mark_is(json_string_value(json_object_get(e, "comment")), CRASH_STAND, NULL);
    }
    return n;
}

void crash_census(struct e2e *c, struct crash_census *k)
{
    memset(k, 0, sizeof *k);
    json_t *state = simproc_state(&c->sp);
    if (!state)
        fail_msg("no /__sim/state");
    count_vms(state, k);
    count_nodes(state, k);
    k->n[CF_USERS] = marked_entries(json_object_get(state, "users"));
    k->n[CF_POOLS] = marked_entries(json_object_get(state, "pools"));
    k->n[CF_LOCK_POOLS] = lock_pools(json_object_get(state, "pools"), k->locks, sizeof k->locks);
    json_decref(state);
}

/* Fails naming `label` and `when` with every field that differs from want. */
static void expect_census(struct e2e *c, const struct crash_census *want, const char *label,
                          const char *when)
{
    struct crash_census k;
    crash_census(c, &k);
    char msg[2048] = "";
    size_t l = 0;
    for (int f = 0; f < CF_N; f++) {
        if (k.n[f] != want->n[f] && l < sizeof msg)
            l += (size_t)snprintf(
                msg + l, sizeof msg - l, "\n  %s: %d, expected %d%s%s", FIELD_NAMES[f], k.n[f],
                want->n[f], f == CF_LOCK_POOLS ? ": " : "", f == CF_LOCK_POOLS ? k.locks : "");
    }
    if (l)
        fail_msg("%s, %s:%s", label, when, msg);
}

/* ---- commands -------------------------------------------------------------------------------- */

void crash_tail(char *out, size_t len, const char *text)
{
    size_t n = text ? strlen(text) : 0;
    snprintf(out, len, "%s%s", n >= len ? "..." : "",
             n >= len ? text + n - (len - 4)
             : text   ? text
                      : "");
}

void crash_run(struct e2e *c, const char *const *cmd, const char *label)
{
    char *err = NULL;
    int rc = e2e_cmdv(c, E2E_YES, cmd[0], NULL, NULL, NULL, &err, cmd + 1);
    char msg[640];
    crash_tail(msg, sizeof msg, err);
    free(err); /* before fail_msg, which does not return */
    if (rc != 0)
        fail_msg("%s: `%s` exited %d:\n%s", label, cmd[0], rc, msg);
}

void crash_expect_deployed(struct e2e *c, const struct crash_ref *ref, const char *label)
{
    expect_census(c, &ref->deployed, label, "after the re-run");
}

void crash_expect_destroyed(struct e2e *c, const struct crash_ref *ref, const char *label)
{
    struct crash_census want = {{0}, ""};
    want.n[CF_COPIES] = ref->deployed.n[CF_COPIES];
    want.n[CF_ALL_VMS] = ref->vms_before + ref->deployed.n[CF_COPIES];
    expect_census(c, &want, label, "after destroy (only the template copies may stay)");
}

void crash_sweep_templates(struct e2e *c, const struct crash_ref *ref, const char *label)
{
    crash_run(c, SWEEP_TEMPLATES, label);
    struct crash_census want = {{0}, ""};
    want.n[CF_ALL_VMS] = ref->vms_before;
    expect_census(c, &want, label, "after sweep --templates");
    if (ds_schema_violations(&c->sp) != 0)
        fail_msg("%s: requests the simulator's schema rejects", label);
}

void crash_destroy_and_sweep(struct e2e *c, const struct crash_ref *ref, const char *label)
{
    crash_run(c, CRASH_DESTROY, label);
    crash_expect_destroyed(c, ref, label);
    crash_sweep_templates(c, ref, label);
}

int crash_setup(void **st)
{
    const char *args[] = {"--scenario", "classroom", "--time-scale", "0.003", NULL};
    return e2e_setup(st, args);
}

void crash_reference(struct e2e *c, struct crash_ref *ref)
{
    struct crash_census k;
    crash_census(c, &k);
    memset(ref, 0, sizeof *ref);
    ref->vms_before = k.n[CF_ALL_VMS];
    crash_run(c, CRASH_DEPLOY, "reference deploy");
    crash_census(c, &ref->deployed);
    /* what the clean deploy must have made; the kill points are held to it */
    struct crash_census want = ref->deployed;
    want.n[CF_VMS] = CRASH_VMS;
    want.n[CF_USERS] = want.n[CF_POOLS] = CRASH_STUDENTS;
    want.n[CF_COPIES] = 6; /* 3 templates for pve2 and for pve3 */
    want.n[CF_ALL_VMS] = ref->vms_before + CRASH_VMS + 6;
    static const int zero[] = {CF_DUP_VMS,    CF_UNTAGGED,    CF_ON_VMBR0,  CF_NO_BASELINE,
                               CF_LOCKED,     CF_DUP_BRIDGES, CF_PENDING,   CF_DUP_COPIES,
                               CF_BAD_COPIES, CF_DUP_MACS,    CF_LOCK_POOLS};
    for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i++)
        want.n[zero[i]] = 0;
    expect_census(c, &want, "reference deploy", "after it");
    crash_destroy_and_sweep(c, ref, "reference deploy");
}

/* ---- kill points ------------------------------------------------------------------------------
 */

void crash_each(struct e2e *c, const struct crash_ref *ref, const struct crash_point *special,
                size_t n_special, const long *done, size_t n_done, int first, crash_step *step)
{
    for (size_t i = 0; i < n_special + n_done; i++) {
        struct crash_point p = {.done = i < n_special ? 0 : done[i - n_special]};
        step(c, ref, i < n_special ? &special[i] : &p, first + (int)i);
    }
}

/* One number the SQL gives from the state database, or `dflt` while it cannot be read. */
static long journal_number(const char *sql, long dflt)
{
    char path[512];
    const char *dir = getenv("XDG_STATE_HOME");
    snprintf(path, sizeof path, "%s/deploy-stand/state.db", dir ? dir : ".");
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long n = dflt;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
        sqlite3_busy_timeout(db, 2000) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static long done_since(long run)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM journal_actions WHERE status = 'done' AND run_id > %ld", run);
    return journal_number(sql, 0);
}

static void sim_post(struct e2e *c, const char *method, const char *path)
{
    struct rawresp r = {0};
    if (simproc_request(&c->sp, method, path, NULL, NULL, &r) != 0 || r.status != 200)
        fail_msg("%s %s: status %ld %s", method, path, r.status, r.body ? r.body : "");
    rawresp_clear(&r);
}

static void add_fault(struct e2e *c, const char *kind, const char *match)
{
    char path[512];
    size_t l = (size_t)snprintf(path, sizeof path, "/__sim/fault?kind=%s&match=", kind);
    for (const char *m = match; *m && l + 4 < sizeof path; m++)
        l += (size_t)snprintf(path + l, sizeof path - l, *m == '&' ? "%%26" : "%c", *m);
    sim_post(c, "POST", path);
}

static int tasks_running(json_t *state, const char *type)
{
    int n = 0;
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(state, "tasks"), i, t)
    {
        n += strcmp(json_string_value(json_object_get(t, "type")), type) == 0 &&
             strcmp(json_string_value(json_object_get(t, "status")), "running") == 0;
    }
    return n;
}

static int point_reached(struct e2e *c, const struct crash_point *p, long run)
{
    if (!p->reached && !p->task)
        return done_since(run) >= p->done;
    json_t *state = simproc_state(&c->sp);
    int yes = p->reached ? p->reached(state) : tasks_running(state, p->task) >= p->tasks;
    json_decref(state);
    return yes;
}

/* 1 once the child has ended (it stays to be reaped by ds_proc_kill). */
static int ended(const struct ds_proc *pr)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    return waitid(P_PID, (id_t)pr->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid != 0;
}

void crash_kill_at(struct e2e *c, const char *const *cmd, const struct crash_point *p, int no,
                   char *label, size_t len)
{
    char name[96];
    if (p->name)
        snprintf(name, sizeof name, "%s", p->name);
    else
        snprintf(name, sizeof name, "after %ld done actions", p->done);
    long run = journal_number("SELECT COALESCE(MAX(id), 0) FROM journal_runs", 0);
    if (p->fault)
        add_fault(c, p->fault, p->match);
    if (p->hold || p->step)
        sim_post(c, "POST", "/__sim/clock?hold=1");
    const char *args[24] = {"--connections", c->env.connections, "--yes",   cmd[0],
                            "--config",      c->env.config,      "--users", c->env.users};
    for (size_t i = 1, n = 8; cmd[i] && n < 23; i++)
        args[n++] = cmd[i];
    struct ds_proc pr;
    ds_proc_start(&pr, 0, args);
    int64_t end = ds_clock_mono_ns() + 60 * DS_NS_PER_S;
    int reached = 0, gone = 0;
    while (!(reached = point_reached(c, p, run)) && !(gone = ended(&pr)) &&
           ds_clock_mono_ns() < end) {
        if (p->step) /* model time moves only between two looks: no moment is missed */
            sim_post(c, "POST", "/__sim/clock?skip_ms=2");
        ds_clock_sleep_ns(2 * DS_NS_PER_MS);
    }
    ds_proc_kill(&pr);
    if (p->hold || p->step)
        sim_post(c, "POST", "/__sim/clock?hold=0");
    if (p->fault)
        sim_post(c, "DELETE", "/__sim/fault");
    long done = done_since(run);
    snprintf(label, len, "kill point %d (%s; %ld actions done)", no, name, done);
    if (getenv("CRASH_VERBOSE")) /* which moment each point met, for tuning the points */
        fprintf(stderr, "%s\n", label);
    if (!reached)
        fail_msg("%s: `%s` %s before the point was reached", label, cmd[0],
                 gone ? "ended" : "ran 60 s");
}

/* ---- state conditions ------------------------------------------------------------------------ */

/* How many VMs of the state `pick` accepts. */
static int vms_where(json_t *state, int (*pick)(json_t *vm))
{
    int n = 0;
    size_t i;
    json_t *vm;
    json_array_foreach(json_object_get(state, "vms"), i, vm) n += pick(vm);
    return n;
}

static int pick_copy_cloning(json_t *vm)
{
    const char *lock = cfg_str(vm, "lock"), *name = cfg_str(vm, "name");
    return lock && strcmp(lock, "clone") == 0 && name && strncmp(name, "tpl-", 4) == 0;
}

static int pick_copy_unconverted(json_t *vm)
{
    int orig;
    char node[64];
    return copy_vm(vm, &orig, node) && !is_template(vm);
}

static int pick_copy_unmigrated(json_t *vm)
{
    int orig;
    char node[64];
    return copy_vm(vm, &orig, node) && is_template(vm) &&
           strcmp(json_string_value(json_object_get(vm, "node")), node) != 0;
}

static int pick_copy_migrating(json_t *vm)
{
    int orig;
    char node[64];
    const char *lock = cfg_str(vm, "lock");
    return copy_vm(vm, &orig, node) && lock && strcmp(lock, "migrate") == 0;
}

static int pick_unconfigured(json_t *vm)
{
    struct mark m;
    return student_vm(vm, &m) && !has_tag(cfg_str(vm, "tags"), "ds-" CRASH_STAND);
}

static int pick_student(json_t *vm)
{
    struct mark m;
    return student_vm(vm, &m);
}

int crash_at_copy_cloning(json_t *state)
{
    return vms_where(state, pick_copy_cloning) > 0;
}

int crash_at_copy_unconverted(json_t *state)
{
    return vms_where(state, pick_copy_unconverted) > 0;
}

int crash_at_copy_unmigrated(json_t *state)
{
    return vms_where(state, pick_copy_unmigrated) > 0;
}

int crash_at_copy_migrating(json_t *state)
{
    return vms_where(state, pick_copy_migrating) > 0;
}

int crash_at_clones_unconfigured(json_t *state)
{
    return vms_where(state, pick_unconfigured) >= CRASH_VMS;
}

int crash_at_pending(json_t *state)
{
    struct crash_census k = {{0}, ""};
    count_nodes(state, &k);
    return k.n[CF_PENDING] > 0;
}

int crash_at_users_without_vms(json_t *state)
{
    return vms_where(state, pick_student) == 0 &&
           marked_entries(json_object_get(state, "users")) > 0;
}

void crash_student(json_t *state, const char *user, int *vms, int *bridges)
{
    *vms = *bridges = 0;
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(state, "vms"), i, x)
    {
        *vms += mark_is(cfg_str(x, "description"), CRASH_STAND, user);
    }
    json_array_foreach(json_object_get(state, "nodes"), i, x)
    {
        const char *iface;
        json_t *f;
        json_object_foreach(json_object_get(x, "network"), iface, f)
        {
            *bridges +=
                mark_is(json_string_value(json_object_get(f, "comments")), CRASH_STAND, user);
        }
    }
}
