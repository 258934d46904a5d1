/* app_run: the sequence every changing use case shares, written once: plan -> show -> confirm ->
 * run (executor, journal, audit) -> report -> verify; showing and asking are the front-end's. */
#ifndef DS_APP_RUN_H
#define DS_APP_RUN_H

#include <jansson.h>
#include <stdint.h>

#include "app/app_ctx.h"
#include "plan/plan.h"

/* Besides APP_OK/APP_FAILED/APP_USAGE, app_apply may return these (never front-end exit codes:
 * the use cases turn them into APP_OK or APP_FAILED). */
enum { APP_DECLINED = 3, APP_NOTHING = 4 };

/* Plans a deploy or a teardown from the context's view with the one request builder. APP_OK and
 * *p (plan_free, also on failure), APP_USAGE (bad request) or APP_FAILED (preflight problems,
 * reported on the error stream). */
int app_build_plan(struct app_ctx *c, const struct app_opts *o, enum plan_kind kind,
                   struct plan **p);

/* Runs p with the executor: progress events to the front-end, every action to the journal and
 * every finished change to the audit log; ends the journal's run. keep (may be NULL) gets the
 * executor's result (plan_result_free; NULL when the run could not start). APP_OK or APP_FAILED. */
int app_run_plan(struct app_ctx *c, const struct app_opts *o, struct plan *p, int64_t *took_ns,
                 struct plan_result **keep);

/* Starts another run in the journal for the next plan of the same command, under the stand's lock
 * this process holds (a failure is a warning). */
void app_next_run(struct app_ctx *c, const char *command);

struct app_apply {
    const char *strategy;  /* shown with the plan (NULL: none) */
    int plan_json;         /* the plan is shown as JSON */
    enum app_ask_kind ask; /* the question before the change */
    const char *expect;    /* typed confirmation, or NULL */
    int timed;             /* record the execution time in the plan (p->t_exec_ns) */
    /* After the run: read the cluster again and check; returns the code to end with. NULL: none */
    int (*verify)(struct app_ctx *c, const struct app_opts *o, const struct plan *p, int rc);
    struct plan_result **result; /* when not NULL: gets the executor's result (plan_result_free) */
    /* Makes the plan again on a fresh view, once the stand's cluster lock is taken (another
     * machine's run may have ended meanwhile). NULL: the plan stands as it is (lifecycle steps
     * that are safe to repeat). APP_OK, or the code to stop with (reported). */
    int (*rebuild)(struct app_ctx *c, const struct app_opts *o, struct plan **out);
};

/* A verify step's report: `left` is the same operation planned again on a fresh view. When it
 * has actions, they are listed under `heading` (a "%zu" format, ngettext'd by the caller with
 * left->n_acts) and APP_FAILED is returned; otherwise rc. */
int app_verify_left(struct app_ctx *c, const struct plan *left, const char *heading, int rc);

/* The heading "Verification: N VM(s) are not as asked:" for app_verify_left (translated). */
const char *app_not_as_asked(const struct plan *left);

/* show p (and its notes), stop with APP_NOTHING when it has no action, ask (the front-end's
 * confirm, when it has one: APP_DECLINED on no), take the stand's lock on the cluster (APP_DECLINED
 * when another run holds it: reported, nothing ran), make the plan again with a->rebuild (p gets
 * the new plan), run, report the result, verify. */
int app_apply(struct app_ctx *c, const struct app_opts *o, struct plan *p,
              const struct app_apply *a);

/* The outcome of a lifecycle plan (power, reset, snapshots) as data for the front-end (a new
 * reference): {"stand", "operation", "ok", "changed": actions done, "students": [{"user", "ok",
 * "error"?, "vms": [{"name", "vmid", "node", "power": the state before, "action": its kind or null,
 * "result": "done"|"unchanged"|"failed"|"skipped"|"none", "forced": stopped hard after the
 * shutdown timeout, "error"?}]}]}. r may be NULL: nothing ran ("none"). */
json_t *app_lifecycle_json(const struct plan *p, const struct plan_result *r, const char *operation,
                           int ok);

/* A lifecycle plan through app_apply with a's question and verification: a plan with problems
 * stops (shown, APP_FAILED), nothing to do is APP_OK, a no is APP_FAILED. *out gets
 * app_lifecycle_json (the caller json_decrefs it; NULL after problems or a no). p stays the
 * caller's. */
int app_lifecycle_apply(struct app_ctx *c, const struct app_opts *o, struct plan *p,
                        const struct app_apply *a, const char *operation, json_t **out);

#endif
