/* sim_reqlog: the log of every /api2 request the simulator answered (method, path, parameters as
 * sent, status) behind GET /__sim/requests, so that tests can check what a client sends. */
#ifndef SIM_REQLOG_H
#define SIM_REQLOG_H

#include <jansson.h>
#include <stddef.h>

/* Requests kept; later ones are counted as "dropped". */
#define SIM_REQLOG_MAX 20000

struct sim_reqlog {
    json_t *entries; /* array of {method, path, params, status} */
    long dropped;
};

void sim_reqlog_init(struct sim_reqlog *l);
void sim_reqlog_clear(struct sim_reqlog *l);
void sim_reqlog_free(struct sim_reqlog *l);
/* Records one request as it arrives: `path` below /api2/<format> without the query string,
 * `params` the query and body parameters as sent (NULL = none; values of parameters whose name
 * contains "password" are replaced by as many '*'). Returns the entry (NULL when the log is
 * full) for sim_reqlog_status, a new reference, since a handler may release the model
 * mutex (a flock wait) while a reset clears the log. */
json_t *sim_reqlog_add(struct sim_reqlog *l, const char *method, const char *path,
                       const json_t *params);
/* Sets the status of the answer (0: none) in an entry of sim_reqlog_add and releases it (NULL:
 * nothing). */
void sim_reqlog_status(json_t *entry, int status);
/* New object {"requests": [...], "dropped": N, "limit": SIM_REQLOG_MAX}. */
json_t *sim_reqlog_report(const struct sim_reqlog *l);

#endif
