/* bench: deploys and destroys a class against the simulator and prints figures: wall time, the
 * lower bound the simulated cluster allows, requests per VM (polls apart), peak RSS, planning time.
 */
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
};

static struct req_counts requests(const struct simproc *sp)
{
    struct req_counts c = {0};
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
        if (strcmp(ep, "GET /nodes/{node}/tasks/{upid}/status") == 0)
            c.polls += sum;
    }
    json_decref(st);
    return c;
}

/* The lower bound of a run: the busiest node's task work divided by its K, plus the critical
 * path of template preparation (the longest full clone, conversion and migration), scaled. */
static double lower_bound(const struct simproc *sp, size_t first_task, double scale,
                          size_t *n_tasks)
{
    json_t *state = simproc_state(sp);
    json_t *tasks = json_object_get(state, "tasks");
    json_t *work = json_object();
    double cp_clone = 0, cp_tpl = 0, cp_mig = 0;
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
    json_decref(work);
    json_decref(state);
    return (worst + cp) * scale;
}

static size_t task_count(const struct simproc *sp)
{
    json_t *state = simproc_state(sp);
    size_t n = json_array_size(json_object_get(state, "tasks"));
    json_decref(state);
    return n;
}

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

static int bench_case(const char *label, const char *scenario, int students, int machines,
                      const char *strategy, const int *templates, const char *const *tnodes,
                      int n_templates, const char *scale)
{
    char scale_arg[32];
    snprintf(scale_arg, sizeof scale_arg, "%s", scale);
    const char *args[] = {"--scenario", scenario, "--time-scale", scale_arg, NULL};
    struct simproc sp;
    if (simproc_start(&sp, args) < 0)
        return 1;
    char dir[] = "/tmp/ds-bench-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char path[600], conn[600], stand[600], users[600], bin[600];
    snprintf(conn, sizeof conn, "%s/conn.yml", dir);
    snprintf(stand, sizeof stand, "%s/stand.yml", dir);
    snprintf(users, sizeof users, "%s/users.yml", dir);
    snprintf(path, sizeof path, "%s/state", dir);
    setenv("XDG_STATE_HOME", path, 1);
    setenv("XDG_CONFIG_HOME", path, 1);
    const char *dsbin = getenv("DS_BIN");
    snprintf(bin, sizeof bin, "%s/deploy-stand", dsbin ? dsbin : "build/bin");

    char text[65536];
    snprintf(text, sizeof text,
             "sim:\n  host: 127.0.0.1:%u\n  user: root@pam\n  password: sim-root-password\n"
             "  fingerprint: \"%s\"\n",
             sp.port, sp.fingerprint);
    write_file(conn, text);
    size_t l = (size_t)snprintf(text, sizeof text, "stand: bench\nmachines:\n");
    for (int m = 0; m < machines; m++)
        l += (size_t)snprintf(text + l, sizeof text - l,
                              "  - {name: vm%d, template_node: %s, template_vmid: %d,\n"
                              "     networks: [{bridge: lan}, {bridge: net%d}]}\n",
                              m, tnodes[m % n_templates], templates[m % n_templates], m % 3);
    write_file(stand, text);
    l = (size_t)snprintf(text, sizeof text, "users:\n");
    for (int s = 1; s <= students; s++)
        l += (size_t)snprintf(text + l, sizeof text - l, "  - s%d@pve\n", s);
    write_file(users, text);

    const char *dargs[] = {bin,          "--connections", conn,  "--output", "json",
                           "deploy",     "--config",      stand, "--users",  users,
                           "--strategy", strategy,        NULL};
    size_t t0 = task_count(&sp);
    struct req_counts r0 = requests(&sp);
    struct run_result dep = run_ds(bin, dir, dargs);
    struct req_counts r1 = requests(&sp);
    size_t ntasks;
    double lb = lower_bound(&sp, t0, atof(scale), &ntasks);
    double plan_s = json_real_value(json_object_get(json_object_get(dep.doc, "timing"), "plan_s"));
    int vms = students * machines;

    const char *xargs[] = {bin,       "--connections", conn,  "--output", "json", "--yes",
                           "destroy", "--config",      stand, "--users",  users,  NULL};
    size_t t1 = task_count(&sp);
    struct run_result des = run_ds(bin, dir, xargs);
    struct req_counts r2 = requests(&sp);
    size_t ntasks2;
    double lb2 = lower_bound(&sp, t1, atof(scale), &ntasks2);

    printf("\n%s: %s, %d students x %d machines = %d VMs, strategy %s, time scale %s\n", label,
           scenario, students, machines, vms, strategy, scale);
    print_run("deploy", &dep, lb, ntasks);
    printf("           requests %ld: %ld task polls + %ld others = %.2f non-poll requests per VM\n",
           r1.total - r0.total, r1.polls - r0.polls, (r1.total - r0.total) - (r1.polls - r0.polls),
           (double)((r1.total - r0.total) - (r1.polls - r0.polls)) / vms);
    printf("           planning %.1f ms, peak RSS %.1f MiB\n", plan_s * 1000,
           dep.maxrss_kib / 1024.0);
    print_run("destroy", &des, lb2, ntasks2);
    printf("           requests %ld: %ld task polls + %ld others = %.2f non-poll requests per VM\n",
           r2.total - r1.total, r2.polls - r1.polls, (r2.total - r1.total) - (r2.polls - r1.polls),
           (double)((r2.total - r1.total) - (r2.polls - r1.polls)) / vms);
    printf("           peak RSS %.1f MiB\n", des.maxrss_kib / 1024.0);
    fflush(stdout);
    json_decref(dep.doc);
    json_decref(des.doc);
    simproc_stop(&sp);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return dep.rc || des.rc;
}

int main(int argc, char **argv)
{
    const char *which = argc > 1 ? argv[1] : "all";
    int rc = 0;
    if (!strcmp(which, "a") || !strcmp(which, "all")) {
        static const int t[] = {100, 101, 102};
        static const char *const n[] = {"pve1", "pve1", "pve1"};
        rc |= bench_case("(a)", "classroom", 30, 5, "balanced", t, n, 3,
                         getenv("BENCH_SCALE_A") ? getenv("BENCH_SCALE_A") : "0.1");
    }
    if (!strcmp(which, "b") || !strcmp(which, "all")) {
        static const int t[] = {110, 111};
        static const char *const n[] = {"node4", "node5"};
        rc |= bench_case("(b)", "campus", 200, 10, "smart", t, n, 2,
                         getenv("BENCH_SCALE_B") ? getenv("BENCH_SCALE_B") : "0.1");
    }
    return rc;
}
