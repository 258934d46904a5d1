/* app_request: the one builder of the planner's request, used by every front-end through the use
 * cases: the loaded stand and users, the template map's hints, placement, refresh and reserve. */
#ifndef DS_APP_REQUEST_H
#define DS_APP_REQUEST_H

#include "app/app_ctx.h"
#include "plan/plan.h"

/* Fills rq from the context (stand, users, template map, the connection's API user) and the
 * options (strategy, default "local"; node; students; refresh_templates; mem_reserve; the --vm
 * machine, --start, the shutdown timeout, default APP_SHUTDOWN_TIMEOUT). rq points
 * into c and o: it lives as long as both. Nothing to free. */
void app_request_init(struct plan_request *rq, const struct app_ctx *c, const struct app_opts *o);

/* A --vm machine (o->only_vm) the stand has no machine of: reported, APP_USAGE; else APP_OK. */
int app_request_check_vm(const struct app_ctx *c, const struct app_opts *o);

#endif
