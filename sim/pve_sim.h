/* pve_sim: public API of the simulated Proxmox VE 8.4 cluster (library pvesim).
 * deploy-stand embeds it for `deploy-stand demo` / `deploy-stand sim`; pve-sim is its CLI. */
#ifndef PVE_SIM_H
#define PVE_SIM_H

#include <stddef.h>

struct pve_sim;
struct pve_sim_options {
    const char *scenario;  /* a YAML file path, or an embedded name: "single", "classroom", "campus"
                              (= embedded "examples/clusters/<name>.yml"); default "classroom" */
    unsigned port;         /* 0 = pick a free port */
    int http;              /* 1 = plain HTTP instead of HTTPS */
    double time_scale;     /* task durations are multiplied by this; default 1.0 */
    unsigned long seed;    /* fault-injection RNG seed; default 1 */
    double fail_rate;      /* mutating requests fail with a real lock-timeout 500 */
    double task_fail_rate; /* tasks end with a real error exitstatus */
    const char *fail_match; /* mutating requests whose path or a parameter contains it always fail
                               with a lock-timeout 500 (NULL = off) */
    const char *const *faults; /* --fault rules "KIND[:MATCH[:COUNT]]", NULL-terminated (NULL =
                                  none); borrowed, parsed by pve_sim_start (sim/README.md) */
    int down_ms;               /* how long an "unreachable" fault refuses connections; default
                                  1000 */
    int latency_ms;            /* added to every /api2 response */
    int auth_delay; /* 1 = delay auth-stage failures by 3 s * time_scale, as pveproxy does */
    const char *cert_file, *key_file; /* PEM; NULL = generate a self-signed cert at start */
    int quiet;                        /* 1 = no request log on stderr */
    const char *pve_version; /* the PVE release answered as: "8.4" (NULL, the default) or "7.4"
                                (its schema, /version, error bodies without "message") */
};
void pve_sim_options_init(struct pve_sim_options *o); /* fills the defaults */
/* Loads the scenario and starts serving on 127.0.0.1 (MHD internal threads). 0, PVE_SIM_ESCENARIO
 * when the scenario is the problem (unknown name, unreadable or invalid file), or -1 for anything
 * else, with a message in err. On success *out is owned by the caller, released with
 * pve_sim_stop(). */
#define PVE_SIM_ESCENARIO (-2)
int pve_sim_start(const struct pve_sim_options *o, struct pve_sim **out, char *err, size_t errlen);
unsigned pve_sim_port(const struct pve_sim *s);
const char *pve_sim_url(const struct pve_sim *s); /* "https://127.0.0.1:PORT" (owned by sim) */
const char *pve_sim_fingerprint(const struct pve_sim *s); /* "AB:CD:..." SHA-256 of the cert DER,
                                                             uppercase; "" with --http */
/* The password a scenario gives a user (e.g. "root@pam"), or NULL. Owned by the sim. */
const char *pve_sim_user_password(const struct pve_sim *s, const char *userid);
void pve_sim_stop(struct pve_sim *s); /* stops and frees everything */
/* The command-line entry (pve-sim and `deploy-stand sim`): parses flags, starts, prints the ready
 * JSON line {"port":N,"url":"...","fingerprint":"..","pid":P} to stdout, serves until
 * SIGINT/SIGTERM. Returns the process exit code. */
int pve_sim_main(int argc, char **argv);

#endif
