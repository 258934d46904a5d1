/* app_deploy: the deploy and plan-preview use cases: read the cluster, plan with the one request,
 * show it, ask, run, report and hand out the credentials. */
#ifndef DS_APP_DEPLOY_H
#define DS_APP_DEPLOY_H

#include "app/app_ctx.h"

/* Shows the deploy plan (DATA, JSON with o->json) without changing anything. An APP_* code. */
int app_plan(struct app_ctx *c, const struct app_opts *o);
/* Takes the stand's lock and deploys. An APP_* code; a "no" to the question is APP_FAILED. */
int app_deploy(struct app_ctx *c, const struct app_opts *o);
/* The deploy itself, when the run already holds the stand's lock (reset's second half). */
int app_deploy_locked(struct app_ctx *c, const struct app_opts *o);
/* The same without handing out the credentials: *done gets the plan as it ran (plan_free), NULL
 * when it did not run (a failed check or a no). An APP_* code. */
int app_deploy_run(struct app_ctx *c, const struct app_opts *o, struct plan **done);

#endif
