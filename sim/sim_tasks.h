/* sim_tasks: PVE worker tasks (UPIDs, logs, exit status) and the time model: a node runs at most K
 * tasks at full speed, beyond K they share K units of speed (processor sharing), in integer ns. */
#ifndef SIM_TASKS_H
#define SIM_TASKS_H

#include "sim_model.h"

#include <jansson.h>

struct sim_task;
/* Called once when a task ends (ok = 1 on success). It may edit the model but not create tasks.
 * It may replace the failure message with sim_task_set_error(). */
typedef void (*sim_task_done_fn)(struct sim_model *m, struct sim_task *t, int ok);

struct sim_task {
    char upid[192];
    char node[64];
    char type[32];
    char id[64];
    char user[160];
    unsigned pid, pstart;
    int64_t start, end;  /* model times (ns); end valid when done */
    int64_t work;        /* full-speed work (ns, time scale applied) */
    int64_t end_service; /* the task ends when its node's `served` reaches this */
    int done;
    int ok;
    char *error; /* failure text (owned); when set at creation the task fails at its end */
    json_t *log; /* array of strings (owned) */
    json_t *ctx; /* handler data (owned), e.g. {"vmid":100} */
    sim_task_done_fn on_done;
};

/* Creates a running task on node (node must exist) of `work_ns` full-speed nanoseconds (unscaled;
 * the model time scale is applied here) at model time now, and registers it with the model, which
 * owns it. ctx is stolen. Returns the task or NULL. */
struct sim_task *sim_task_start(struct sim_model *m, const char *node, const char *type,
                                const char *id, const char *user, int64_t work_ns, json_t *ctx,
                                sim_task_done_fn on_done);
/* The scenario duration (ns, unscaled) of a task type; key may be "qmclone_full" etc. */
int64_t sim_task_duration(const struct sim_model *m, const char *key);
/* Ends a running task at model time now (its remaining work is dropped). */
void sim_task_stop(struct sim_model *m, struct sim_task *t, int64_t now);
/* Makes the task fail at its end with this text (exitstatus). */
void sim_task_set_error(struct sim_task *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sim_task_log(struct sim_task *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Advances every node's tasks to model time now (ns), finishing those that are due, each at the
 * exact time its work is done. Returns the number of steps taken: at most one per node plus one
 * per task that ended, whatever the clock reads. A now before a node's clock changes nothing. */
size_t sim_tasks_advance(struct sim_model *m, int64_t now);
/* The model time at which the node's next task ends if no task starts or stops before, or -1 when
 * the node runs none. */
int64_t sim_tasks_next_end(const struct sim_model *m, const struct sim_node *n);
struct sim_task *sim_task_find(struct sim_model *m, const char *upid);
/* Status object as GET /nodes/{node}/tasks/{upid}/status returns it (new ref): upid, node, pid,
 * pstart, starttime, type, id, user (and tokenid for a token's task), status, exitstatus. */
json_t *sim_task_json(const struct sim_model *m, const struct sim_task *t);
/* The same for /__sim/state: user as in the UPID, endtime, and the simulator's sim_elapsed,
 * sim_start and sim_work (model seconds, unscaled) (new ref). */
json_t *sim_task_json_sim(const struct sim_model *m, const struct sim_task *t);
/* Log lines as GET .../log returns them (new ref). */
json_t *sim_task_log_json(const struct sim_task *t, long start, long limit, long *total);
void sim_task_free(struct sim_task *t);

#endif
