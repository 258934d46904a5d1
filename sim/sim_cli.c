/* sim_cli: the command line of pve-sim and `deploy-stand sim`: flag parsing, start, the ready
 * JSON line on stdout, and serving until SIGINT/SIGTERM. */
#include "pve_sim.h"
#include "sim_faults.h"
#include "sim_version.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: pve-sim [options]\n"
        "Simulated Proxmox VE 8.4 (or 7.4) cluster on 127.0.0.1 (HTTPS by default).\n"
        "  --scenario NAME|FILE   single, classroom (default), campus, or a YAML file\n"
        "  --port N               TCP port (0 = pick a free one; default 0)\n"
        "  --http                 plain HTTP instead of HTTPS\n"
        "  --time-scale F         multiply task durations by F (default 1.0)\n"
        "  --seed N               fault-injection RNG seed (default 1)\n"
        "  --fail-rate R          mutating requests fail with a lock-timeout 500 (0..1)\n"
        "  --task-fail-rate R     tasks end with an error exit status (0..1)\n"
        "  --fail-match TEXT      mutating requests naming TEXT (path or a parameter) always\n"
        "                         fail with a lock-timeout 500\n"
        "  --fault KIND[:MATCH[:COUNT]]\n"
        "                         mutating requests naming MATCH (\"METHOD /path\" or a\n"
        "                         parameter; texts joined by & must all appear; empty = any)\n"
        "                         fail like Proxmox, COUNT times (default: always); repeatable.\n"
        "                         KIND: lock, transient (596), refused (595), noworker,\n"
        "                         drop (no answer), unreachable (no answer, then connections\n"
        "                         are refused for --down-ms), notfound, vanish (the VM is\n"
        "                         removed first), exists, input (400), permission (403),\n"
        "                         auth (401)\n"
        "  --down-ms N            how long \"unreachable\" refuses connections (default 1000)\n"
        "  --latency-ms N         added to every /api2 response\n"
        "  --auth-delay           delay auth failures by 3 s * time-scale, like pveproxy\n"
        "  --pve-version V        answer as Proxmox VE V: 8.4 (default) or 7.4 (its API\n"
        "                         schema and /version; error messages only in the status line)\n"
        "  --cert FILE --key FILE PEM certificate and key (default: self-signed, generated)\n"
        "  --quiet                no request log on stderr\n"
        "  --help                 this text\n"
        "When ready it prints one JSON line: "
        "{\"port\":N,\"url\":...,\"fingerprint\":...,\"pid\":P}\n");
}

static int parse_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || end == s || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int parse_ulong(const char *s, unsigned long hi, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || end == s || s[0] == '-' || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* The --fault values so far (NULL-terminated), pointed to by o->faults. */
struct fault_args {
    const char *v[SIM_FAULT_MAX_RULES + 1];
    size_t n;
};

/* --fault RULE: 0 taken, 2 bad (said on stderr). */
static int take_fault(struct pve_sim_options *o, struct fault_args *fa, const char *val)
{
    struct sim_fault_rule r;
    char err[300];
    if (sim_fault_rule_parse(val, &r, err, sizeof err) != 0) {
        fprintf(stderr, "pve-sim: --fault %s: %s\n", val, err);
        return 2;
    }
    if (fa->n >= SIM_FAULT_MAX_RULES) {
        fprintf(stderr, "pve-sim: at most %d --fault rules\n", SIM_FAULT_MAX_RULES);
        return 2;
    }
    fa->v[fa->n++] = val;
    fa->v[fa->n] = NULL;
    o->faults = fa->v;
    return 0;
}

/* One option with a value: 0 taken, 1 unknown option, 2 bad value, 3 bad value (said already). */
static int take_value(struct pve_sim_options *o, struct fault_args *fa, const char *a,
                      const char *val)
{
    unsigned long ul;
    double d;
    int bad = 0;
    if (strcmp(a, "--fault") == 0)
        return take_fault(o, fa, val) ? 3 : 0;
    if (strcmp(a, "--scenario") == 0)
        o->scenario = val;
    else if (strcmp(a, "--port") == 0)
        bad = parse_ulong(val, 65535, &ul) || ((o->port = (unsigned)ul), 0);
    else if (strcmp(a, "--time-scale") == 0)
        bad = parse_double(val, 1e-6, 1e6, &o->time_scale);
    else if (strcmp(a, "--seed") == 0)
        bad = parse_ulong(val, (unsigned long)-1, &o->seed);
    else if (strcmp(a, "--fail-rate") == 0)
        bad = parse_double(val, 0, 1, &o->fail_rate);
    else if (strcmp(a, "--fail-match") == 0)
        o->fail_match = val;
    else if (strcmp(a, "--task-fail-rate") == 0)
        bad = parse_double(val, 0, 1, &o->task_fail_rate);
    else if (strcmp(a, "--down-ms") == 0)
        bad = parse_ulong(val, 3600000, &ul) || ((o->down_ms = (int)ul), 0);
    else if (strcmp(a, "--latency-ms") == 0)
        bad = parse_double(val, 0, 600000, &d) || ((o->latency_ms = (int)d), 0);
    else if (strcmp(a, "--pve-version") == 0)
        bad = !*val || !sim_version_find(val) || ((o->pve_version = val), 0);
    else if (strcmp(a, "--cert") == 0)
        o->cert_file = val;
    else if (strcmp(a, "--key") == 0)
        o->key_file = val;
    else
        return 1;
    return bad ? 2 : 0;
}

/* Fills o from argv (o->faults points into fa). Returns -1 to go on, or the exit code (0 after
 * --help). */
static int parse_args(struct pve_sim_options *o, struct fault_args *fa, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--http") == 0) {
            o->http = 1;
        } else if (strcmp(a, "--quiet") == 0) {
            o->quiet = 1;
        } else if (strcmp(a, "--auth-delay") == 0) {
            o->auth_delay = 1;
        } else {
            int rc = val ? take_value(o, fa, a, val) : 1;
            if (rc == 1) {
                fprintf(stderr, "pve-sim: unknown option or missing value: %s\n", a);
                usage(stderr);
                return 2;
            }
            if (rc == 2)
                fprintf(stderr, "pve-sim: invalid value for %s: %s\n", a, val);
            if (rc >= 2)
                return 2;
            i++;
        }
    }
    if ((o->cert_file != NULL) != (o->key_file != NULL)) {
        fprintf(stderr, "pve-sim: --cert and --key go together\n");
        return 2;
    }
    return -1;
}

int pve_sim_main(int argc, char **argv)
{
    struct pve_sim_options o;
    pve_sim_options_init(&o);
    struct fault_args fa = {.n = 0};
    int rc = parse_args(&o, &fa, argc, argv);
    if (rc >= 0)
        return rc;
    /* Block the stop signals before MHD starts its threads; the main thread waits for them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct pve_sim *s = NULL;
    char err[512];
    if (pve_sim_start(&o, &s, err, sizeof err) != 0) {
        fprintf(stderr, "pve-sim: %s\n", err);
        return 1;
    }
    printf("{\"port\":%u,\"url\":\"%s\",\"fingerprint\":\"%s\",\"pid\":%ld}\n", pve_sim_port(s),
           pve_sim_url(s), pve_sim_fingerprint(s), (long)getpid());
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    pve_sim_stop(s);
    return 0;
}
