/* sim_server_int: what the server's modules share (sim_server: the /api2 pipeline and the
 * embedding API; sim_control: the /__sim endpoints): the simulator instance. */
#ifndef SIM_SERVER_INT_H
#define SIM_SERVER_INT_H

#include "pve_schema.h"
#include "pve_sim.h"
#include "sim_auth.h"
#include "sim_cert.h"
#include "sim_listen.h"
#include "sim_model.h"
#include "sim_reqlog.h"
#include "sim_stats.h"
#include "sim_version.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>

struct pve_sim {
    struct pve_sim_options o;
    char *scenario;
    char *fail_match;             /* owned copy of o.fail_match */
    struct sim_fault_rule *rules; /* the --fault rules (owned), set again by every reset */
    size_t n_rules;
    pthread_mutex_t mu;
    struct sim_model *model;
    struct sim_auth auth;
    struct sim_stats stats;
    struct sim_reqlog reqlog;          /* GET /__sim/requests */
    const struct sim_version *version; /* the PVE release answered as (--pve-version) */
    pve_schema *schema;                /* that release's */
    struct sim_cert cert;
    struct sim_listen *listen;
    unsigned port;
    char url[64];
    json_t *passwords;   /* userid -> password from the scenario (for the demo) */
    atomic_int stopping; /* set by pve_sim_stop: requests stop sleeping */
};

/* The fault setup of a new model (seed, rates, match, the --fault rules). */
void sim_control_model_setup(struct pve_sim *s, struct sim_model *m);
/* Answers a /__sim/... request (state, stats, clock, fault, reset). */
enum MHD_Result sim_control_handle(struct pve_sim *s, struct MHD_Connection *c, const char *url,
                                   const char *method);

#endif
