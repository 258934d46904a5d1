/* exec: the executor. Runs a plan's action DAG on worker threads within per-node limits, retries
 * transient failures (by error class: exec/retry.h), and runs the undo plan of failed students. */
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
    EXEC_ROLLBACK,       /* an undo step (action set, `step` says which) or a summary line */
    EXEC_STUDENT_OK,     /* every action of `student` is done */
    EXEC_STUDENT_FAILED, /* `student` failed (message: the first error); undo follows */
};

struct exec_event {
    enum exec_event_type type;
    const struct plan *plan;     /* the plan of `action` (the undo plan for undo steps) */
    const struct action *action; /* NULL for the student events and rollback summary lines */
    int student;                 /* index into plan->students (same in the undo plan), or -1 */
    const char *message;         /* error text, retry reason or undo line; never NULL for undo */
    size_t done, total;          /* progress: finished actions (any outcome) of all; undo steps
                                    repeat the numbers the run ended with */
    int64_t elapsed_ns;          /* DONE/FAILED: how long the action took (monotonic ns) */
    int vmid;                    /* the VM / template copy the action touched (it may have moved
                                    during the run), 0 when none */
    enum exec_event_type step;   /* EXEC_ROLLBACK with an action: STARTED, DONE, FAILED, RETRY */
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
    /* Called before the executor runs a plan it made itself (the undo plan of failed students;
     * its action ids continue the run's: plan->id_base), e.g. to journal its actions. May be NULL.
     */
    void (*on_plan)(const struct plan *p, void *ud);
    void *ud;
};

/* Runs the plan (never changing it). *out gets the result (free with plan_result_free): per action
 * its state, error and class, time; per student ok/failed and the first error, a new user's
 * password and the VMIDs used. After a deploy, the objects this run made for failed students (and
 * unfinished template copies) are removed by the undo plan (plan_undo), run by the same executor
 * (retries, events); r->undo and r->undo_result hold it, and a rolled-back student's error says
 * what was undone. Returns the number of failed students, or -1 with ds_err (and *out NULL) when
 * the run could not start. A failed shared action fails every student that depends on it. */
int exec_run(const struct plan *p, struct pve_client *c, const struct exec_opts *o,
             struct plan_result **out);

/* Copies a result into the plan's student fields (failed, error, password, VM and copy ids) for
 * the renderers that read the plan (report, hand-outs). */
void exec_result_to_plan(struct plan *p, const struct plan_result *r);

/* The Proxmox object and request of an action, for the audit log (never any secret):
 * object "VM 5003 on pve1", request "POST /nodes/pve1/qemu/100/clone newid=5003 ...".
 * vmid: the VM / copy id used (exec_event.vmid), 0 for the planned one. */
void exec_action_describe(const struct plan *p, const struct action *a, int vmid, char *object,
                          size_t olen, char *request, size_t rlen);

#endif
