/* app_request: the one builder of the planner's request: every front-end's deploy, plan, reset,
 * destroy and sweep get the same template hints, refresh flag and memory reserve from here. */
#include "app/app_request.h"
#include <string.h>

void app_request_init(struct plan_request *rq, const struct app_ctx *c, const struct app_opts *o)
{
    memset(rq, 0, sizeof *rq);
    rq->stand = c->stand;
    rq->users = c->users;
    rq->strategy = o->strategy ? o->strategy : "local";
    rq->target_node = o->node;
    rq->only = o->only;
    rq->n_only = o->n_only;
    rq->api_user = c->conn ? c->conn->user : NULL;
    rq->refresh_templates = o->refresh_templates;
    rq->mem_reserve = o->mem_reserve;
    if (c->tmap) {
        rq->hints = c->tmap->hints;
        rq->n_hints = c->tmap->n;
    }
}
