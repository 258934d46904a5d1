/* bench: deploys a class against the simulator, runs its lifecycle (case (a)) and destroys it, and
 * prints figures per command: wall time, the lower bound the simulated cluster allows, requests
 * per VM (polls apart), peak RSS, planning time (deploy). */
#include "ds_clock.h"
#include "simproc.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct run_result {
    int rc;
    int64_t wall_ns; /* monotonic */
    long maxrss_kib;
    json_t *doc;
};

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
}

/* Runs deploy-stand with stdout to a file; wall time and the child's peak RSS from wait4. */
static struct run_result run_ds(const char *bin, const char *dir, const char *const *args)
{
    struct run_result r = {0};
    char out[512];
    snprintf(out, sizeof out, "%s/out.json", dir);
    fflush(stdout); /* or the child's copy of the buffer is written out again */
    int64_t t0 = ds_clock_mono_ns();
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen(out, "w", stdout) || !freopen("/dev/null", "w", stderr))
            _exit(127);
        execv(bin, (char *const *)args);
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    r.wall_ns = ds_clock_mono_ns() - t0;
    r.maxrss_kib = ru.ru_maxrss;
    r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    r.doc = json_load_file(out, 0, NULL);
    return r;
}

struct req_counts {
    long total, polls;
    json_t *by_ep; /* endpoint key -> count (all statuses) */
};

static struct req_counts requests(const struct simproc *sp)
{
    struct req_counts c = {.by_ep = json_object()};
    json_t *st = simproc_stats(sp);
    const char *ep;
    json_t *by;
    json_object_foreach(json_object_get(st, "requests"), ep, by)
    {
        const char *code;
        json_t *n;
        long sum = 0;
        json_object_foreach(by, code, n) sum += (long)json_integer_value(n);
        c.total += sum;
        json_object_set_new(c.by_ep, ep, json_integer(sum));
        /* task polls: a task's own status and the nodes' lists of active tasks (the task board) */
        if (strcmp(ep, "GET /nodes/{node}/tasks/{upid}/status") == 0 ||
            strcmp(ep, "GET /nodes/{node}/tasks") == 0)
            c.polls += sum;
    }
    json_decref(st);
    return c;
}

/* With BENCH_DETAIL set: the requests of one command per endpoint (after - before). */
static void print_detail(const struct req_counts *before, const struct req_counts *after)
{
    if (!getenv("BENCH_DETAIL"))
        return;
    const char *ep;
    json_t *n;
    json_object_foreach(after->by_ep, ep, n)
    {
        long d =
            (long)(json_integer_value(n) - json_integer_value(json_object_get(before->by_ep, ep)));
        if (d)
            printf("             %6ld  %s\n", d, ep);
    }
}

/* The lower bound of a run: the busiest node's task work divided by its K, plus the critical
 * path of template preparation (the longest full clone, conversion and migration), and never
 * less than the longest single task (no task runs faster than full speed); scaled. For runs of
 * independent tasks (rollbacks, starts, shutdowns) it is max(work/K, longest task), which
 * processor sharing can reach. */
static double lower_bound(const struct simproc *sp, size_t first_task, double scale,
                          size_t *n_tasks)
{
    json_t *state = simproc_state(sp);
    json_t *tasks = json_object_get(state, "tasks");
    json_t *work = json_object();
    double cp_clone = 0, cp_tpl = 0, cp_mig = 0, longest = 0;
    size_t i;
    json_t *t;
    *n_tasks = 0;
    json_array_foreach(tasks, i, t)
    {
        if (i < first_task)
            continue;
        (*n_tasks)++;
        const char *node = json_string_value(json_object_get(t, "node"));
        const char *type = json_string_value(json_object_get(t, "type"));
        double w = json_real_value(json_object_get(t, "sim_work"));
        json_object_set_new(work, node,
                            json_real(json_real_value(json_object_get(work, node)) + w));
        longest = w > longest ? w : longest;
        if (strcmp(type, "qmclone") == 0 && w > cp_clone)
            cp_clone = w;
        if (strcmp(type, "qmtemplate") == 0 && w > cp_tpl)
            cp_tpl = w;
        if (strcmp(type, "qmigrate") == 0 && w > cp_mig)
            cp_mig = w;
    }
    double worst = 0;
    size_t k;
    json_t *n;
    json_array_foreach(json_object_get(state, "nodes"), k, n)
    {
        const char *name = json_string_value(json_object_get(n, "node"));
        long kk = (long)json_integer_value(json_object_get(n, "k"));
        double per = json_real_value(json_object_get(work, name)) / (double)(kk > 0 ? kk : 1);
        worst = per > worst ? per : worst;
    }
    double cp = cp_mig > 0 ? cp_clone + cp_tpl + cp_mig : 0;
    double lb = worst + cp > longest ? worst + cp : longest;
    json_decref(work);
    json_decref(state);
    return lb * scale;
}

static size_t task_count(const struct simproc *sp)
{
    json_t *state = simproc_state(sp);
    size_t n = json_array_size(json_object_get(state, "tasks"));
    json_decref(state);
    return n;
}

/* One benchmark case: the simulator, a scratch folder and the files deploy-stand reads. */
struct bench {
    struct simproc sp;
    char dir[32];
    char bin[600], conn[600], stand[600], users[600];
    double scale;
    int vms;
};

/* "  deploy   exit 0  wall    1.23 s  lower bound    1.00 s  ratio 1.23  (150 tasks)"; the lower
 * bound is in (simulated) seconds. */
static void print_run(const char *what, const struct run_result *r, double lower_bound_s,
                      size_t n_tasks)
{
    const double ns_per_s = (double)DS_NS_PER_S;
    printf("  %-8s exit %d  wall %7.2f s  lower bound %7.2f s  ratio %.2f  (%zu tasks)\n", what,
           r->rc, (double)r->wall_ns / ns_per_s, lower_bound_s,
           lower_bound_s > 0 ? (double)r->wall_ns / (lower_bound_s * ns_per_s) : 0, n_tasks);
}

/* Runs `deploy-stand --connections C --output json [--yes] CMD --config S --users U [extra]`
 * and prints its figures. Returns its exit code. */
static int bench_step(struct bench *b, const char *what, const char *cmd, int yes,
                      const char *const *extra)
{
    const char *args[24];
    size_t n = 0;
    const char *head[] = {b->bin, "--connections", b->conn, "--output", "json"};
    for (size_t i = 0; i < sizeof head / sizeof *head; i++)
        args[n++] = head[i];
    if (yes)
        args[n++] = "--yes";
    const char *tail[] = {cmd, "--config", b->stand, "--users", b->users};
    for (size_t i = 0; i < sizeof tail / sizeof *tail; i++)
        args[n++] = tail[i];
    for (size_t i = 0; extra && extra[i] && n < sizeof args / sizeof *args - 1; i++)
        args[n++] = extra[i];
    args[n] = NULL;

    size_t t0 = task_count(&b->sp);
    struct req_counts r0 = requests(&b->sp);
    struct run_result res = run_ds(b->bin, b->dir, args);
    struct req_counts r1 = requests(&b->sp);
    size_t ntasks;
    double lb = lower_bound(&b->sp, t0, b->scale, &ntasks);
    long all = r1.total - r0.total, polls = r1.polls - r0.polls;
    print_run(what, &res, lb, ntasks);
    printf("           requests %ld: %ld task polls + %ld others = %.2f non-poll requests per VM\n",
           all, polls, all - polls, (double)(all - polls) / b->vms);
    print_detail(&r0, &r1);
    json_t *timing = json_object_get(res.doc, "timing");
    if (strcmp(cmd, "deploy") == 0)
        printf("           planning %.1f ms, peak RSS %.1f MiB\n",
               json_real_value(json_object_get(timing, "plan_s")) * 1000, res.maxrss_kib / 1024.0);
    else
        printf("           peak RSS %.1f MiB\n", res.maxrss_kib / 1024.0);
    fflush(stdout);
    json_decref(r0.by_ep);
    json_decref(r1.by_ep);
    json_decref(res.doc);
    return res.rc;
}

/* The connection, stand and class files of a case in b->dir. */
static void write_inputs(struct bench *b, int students, int machines, const int *templates,
                         const char *const *tnodes, int n_templates)
{
    char text[65536];
    snprintf(text, sizeof text,
             "sim:\n  host: 127.0.0.1:%u\n  user: root@pam\n  password: sim-root-password\n"
             "  fingerprint: \"%s\"\n",
             b->sp.port, b->sp.fingerprint);
    write_file(b->conn, text);
    size_t l = (size_t)snprintf(text, sizeof text, "stand: bench\nmachines:\n");
    for (int m = 0; m < machines; m++)
        l += (size_t)snprintf(text + l, sizeof text - l,
                              "  - {name: vm%d, template_node: %s, template_vmid: %d,\n"
                              "     networks: [{bridge: lan}, {bridge: net%d}]}\n",
                              m, tnodes[m % n_templates], templates[m % n_templates], m % 3);
    write_file(b->stand, text);
    l = (size_t)snprintf(text, sizeof text, "users:\n");
    for (int s = 1; s <= students; s++)
        l += (size_t)snprintf(text + l, sizeof text - l, "  - s%d@pve\n", s);
    write_file(b->users, text);
}

struct bench_def {
    const char *label, *scenario, *strategy, *scale;
    int students, machines;
    const int *templates;
    const char *const *tnodes;
    int n_templates;
    int lifecycle; /* reset, start and shutdown between deploy and destroy */
};

static int bench_case(const struct bench_def *d)
{
    struct bench b = {.scale = atof(d->scale), .vms = d->students * d->machines};
    const char *args[] = {"--scenario", d->scenario, "--time-scale", d->scale, NULL};
    if (simproc_start(&b.sp, args) < 0)
        return 1;
    snprintf(b.dir, sizeof b.dir, "/tmp/ds-bench-XXXXXX");
    if (!mkdtemp(b.dir))
        return 1;
    char path[600];
    snprintf(b.conn, sizeof b.conn, "%s/conn.yml", b.dir);
    snprintf(b.stand, sizeof b.stand, "%s/stand.yml", b.dir);
    snprintf(b.users, sizeof b.users, "%s/users.yml", b.dir);
    snprintf(path, sizeof path, "%s/state", b.dir);
    setenv("XDG_STATE_HOME", path, 1);
    setenv("XDG_CONFIG_HOME", path, 1);
    const char *dsbin = getenv("DS_BIN");
    snprintf(b.bin, sizeof b.bin, "%s/deploy-stand", dsbin ? dsbin : "build/bin");
    write_inputs(&b, d->students, d->machines, d->templates, d->tnodes, d->n_templates);

    printf("\n%s: %s, %d students x %d machines = %d VMs, strategy %s, time scale %s\n", d->label,
           d->scenario, d->students, d->machines, b.vms, d->strategy, d->scale);
    const char *strategy[] = {"--strategy", d->strategy, NULL};
    int rc = bench_step(&b, "deploy", "deploy", 1, strategy) != 0;
    if (d->lifecycle) {
        rc |= bench_step(&b, "reset", "reset", 1, NULL) != 0;
        rc |= bench_step(&b, "start", "start", 1, NULL) != 0;
        rc |= bench_step(&b, "shutdown", "shutdown", 1, NULL) != 0;
    }
    rc |= bench_step(&b, "destroy", "destroy", 1, NULL) != 0;
    simproc_stop(&b.sp);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", b.dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", b.dir);
    return rc;
}

int main(int argc, char **argv)
{
    const char *which = argc > 1 ? argv[1] : "all";
    int rc = 0;
    if (!strcmp(which, "a") || !strcmp(which, "all")) {
        static const int t[] = {100, 101, 102};
        static const char *const n[] = {"pve1", "pve1", "pve1"};
        const char *scale = getenv("BENCH_SCALE_A") ? getenv("BENCH_SCALE_A") : "0.1";
        struct bench_def d = {"(a)", "classroom", "balanced", scale, 30, 5, t, n, 3, 1};
        rc |= bench_case(&d);
    }
    if (!strcmp(which, "b") || !strcmp(which, "all")) {
        static const int t[] = {110, 111};
        static const char *const n[] = {"node4", "node5"};
        const char *scale = getenv("BENCH_SCALE_B") ? getenv("BENCH_SCALE_B") : "0.1";
        struct bench_def d = {"(b)", "campus", "smart", scale, 200, 10, t, n, 2, 0};
        rc |= bench_case(&d);
    }
    return rc;
}
