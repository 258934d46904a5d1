/* exec_internal: what the executor's modules share: the run's state (struct exec), the scheduler's
 * entry points and the actions. Not for use outside src/exec. */
#ifndef DS_EXEC_INTERNAL_H
#define DS_EXEC_INTERNAL_H

#include "exec/exec.h"
#include "exec/retry.h"
#include <pthread.h>

/* One run of one plan. The plan is only read; everything learnt goes into r (owned by the caller
 * of exec_plan_run). Fields marked (mu) are read and written under mu. */
struct exec {
    const struct plan *p;
    const struct exec_opts *o;
    struct pve_client *base;
    struct plan_result
        *r; /* states, errors, students (mu); VMIDs (written by the cloning worker) */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct node_slot *slots; /* (mu) */
    size_t n_slots;
    size_t finished; /* (mu) */
    int next_vmid;   /* (mu) ids handed out when a planned one turns out to be taken */
    int next_bridge; /* (mu) bridge numbers from here on may be handed out (exec_bridges.c) */
    long *prio;   /* per action: its critical path (exec_order.c); the highest ready goes first */
    size_t *left; /* (mu) per student: actions not finished yet */
    unsigned rng; /* (mu) */
    size_t *vm_base;                     /* per student: its first VM's index in waited */
    unsigned char *waited, *copy_waited; /* a locked VM / copy was seen unlocked (by its worker) */
    unsigned char *copy_held;    /* (mu) per copy: this run holds its copy lock (exec_copies.c) */
    unsigned char *copy_adopted; /* (mu) per copy: another run made it; its id is in r */
    char **user_pw;              /* (mu) per student: the new user's password, kept for retries */
    char (*user_cred)[16];       /* (mu) per student: its credential id (MARK_CRED_LEN + 1) */
    size_t shown_done, shown_total; /* undo: the progress numbers of the run it undoes */
};

/* Runs p to the end into *r (made here; free with plan_result_free). `parent`: the run an undo
 * plan undoes (its progress numbers are repeated), NULL otherwise. 0, or -1 with ds_err when the
 * plan has problems. */
int exec_plan_run(const struct plan *p, struct pve_client *c, const struct exec_opts *o,
                  const struct exec *parent, struct plan_result **r);

/* exec_actions.c: one action with its retries (0 done, 1 done without a change, -1 failed with
 * ds_err); called without mu. */
int exec_action_run(struct exec *e, struct pve_client *c, const struct action *a,
                    struct node_slot *sl);
/* exec_copies.c: before each step of a template copy: takes the copy lock of (template, node)
 * unless this run holds it, waiting while another run holds it; when that run left a finished
 * copy, uses it (1: the id is in r->copy_vmids, the copy's other steps do nothing). 0 go on,
 * -1 with ds_err. */
int exec_copy_begin(struct exec *e, struct pve_client *c, const struct action *a);
/* 1 when the copy is another run's (exec_copy_begin adopted it). */
int exec_copy_adopted(struct exec *e, int copy);
/* Releases the copy lock when this run holds it (after the migration, or at the end of the run). */
void exec_copy_end(struct exec *e, struct pve_client *c, int copy);
/* exec_bridges.c: creates the action's bridge; when another run took its name meanwhile, the next
 * free name of the cluster instead (kept in the result's moved_to). A bridge that carries this
 * action's own mark already, or the shared reserved bridge, is done (1). 0, 1 or -1 with ds_err. */
int exec_bridge_create(struct exec *e, struct pve_client *c, const struct action *a);
/* A configure action's params (new reference) with the bridges of its student on `node` that
 * moved to another name renamed. */
json_t *exec_params_renamed(struct exec *e, const struct action *a, const char *node);
/* The VM or copy id an action touches (0: none); callers hold mu or run the action. */
int exec_action_vmid(const struct exec *e, const struct action *a);

/* exec_undo.c: after a deploy run, plans and runs the undo of its failed students. */
void exec_undo(struct exec *e);
/* The message of an undo step for people ("destroy VM 5003 'web' on pve1: done"). */
void exec_undo_message(const struct exec *e, enum exec_event_type t, const struct action *a,
                       const char *msg, char *out, size_t len);

/* Emits an event (callers hold mu). */
void exec_emit(struct exec *e, enum exec_event_type t, const struct action *a, const char *msg,
               int64_t elapsed_ns);

#endif
