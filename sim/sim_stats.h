/* sim_stats: request counters by endpoint and status, schema violations with examples, and the
 * /__sim/stats report (which adds task counts and per-node busy time from the model). */
#ifndef SIM_STATS_H
#define SIM_STATS_H

#include "sim_model.h"

#include <jansson.h>

struct sim_stats {
    json_t *requests;   /* "GET /nodes/{node}" -> {"200": n, ...} */
    json_t *violations; /* endpoint -> {count, examples: [{params?, errors}] (at most 5)} */
    long total;
    long lock_waiting; /* requests waiting for a VM's config flock now */
};

void sim_stats_init(struct sim_stats *s);
void sim_stats_clear(struct sim_stats *s);
void sim_stats_free(struct sim_stats *s);
void sim_stats_request(struct sim_stats *s, const char *endpoint, int status);
void sim_stats_violation(struct sim_stats *s, const char *endpoint, const json_t *errors);
/* New object: {requests, total_requests, schema_violations, tasks: {by_type, by_status}, nodes}. */
json_t *sim_stats_report(const struct sim_stats *s, const struct sim_model *m);

#endif
