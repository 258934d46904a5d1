/* exec: the executor. Runs a plan's action DAG on worker threads within per-node limits, retries
 * transient failures (by error class: exec/retry.h), and rolls back a failed student's objects. */
#ifndef DS_EXEC_H
#define DS_EXEC_H

#include "plan/plan.h"
#include <stddef.h>
#include <stdint.h>

struct pve_client;
struct state;

enum exec_event_type {
    EXEC_STARTED,
    EXEC_DONE,
    EXEC_FAILED,
    EXEC_SKIPPED,
    EXEC_RETRY,
    EXEC_ROLLBACK,       /* an undo step for a failed student; action is NULL, message says what */
    EXEC_STUDENT_OK,     /* every action of `student` is done */
    EXEC_STUDENT_FAILED, /* `student` failed (message: the first error); undo follows */
};

struct exec_event {
    enum exec_event_type type;
    const struct action *action; /* NULL for EXEC_ROLLBACK and the student events */
    int student;                 /* index into plan->students, or -1 */
    const char *message;         /* error text, retry reason or rollback step; may be NULL */
    size_t done, total;          /* progress: finished actions (any outcome) of all */
    int64_t elapsed_ns;          /* DONE/FAILED: how long the action took (monotonic ns) */
};

struct exec_opts {
    int per_node;       /* concurrent actions per node; default 4 */
    int workers;        /* worker threads (global limit); default: per_node x nodes + 2, <= 64 */
    int retries;        /* attempts after a transient failure; default 5 */
    int task_timeout_s; /* per Proxmox task; default 3600 */
    struct state
        *state; /* where new passwords are kept (before the user is created); may be NULL */
    /* Called from worker threads, serialised by the executor (never concurrently). */
    void (*on_event)(const struct exec_event *ev, void *ud);
    void *ud;
};

/* Runs the plan. Student failures are recorded in plan->students[i].failed/error and their partial
 * objects from this run are removed again. Returns the number of failed students, or -1 with ds_err
 * when the run could not start. Shared actions that fail fail every student that depends on them.
 */
int exec_run(struct plan *p, struct pve_client *c, const struct exec_opts *o);

/* The Proxmox object and request of an action, for the audit log (never any secret):
 * object "VM 5003 on pve1", request "POST /nodes/pve1/qemu/100/clone newid=5003 ...". */
void exec_action_describe(const struct plan *p, const struct action *a, char *object, size_t olen,
                          char *request, size_t rlen);

#endif
