/* app_request: the one builder of the planner's request: every front-end's deploy, plan, reset,
 * destroy, sweep and lifecycle operations get the same hints, limits and selections from here. */
#include "app/app_request.h"
#include "util/i18n.h"
#include <string.h>
#include <strings.h>

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
    rq->overcommit = o->overcommit;
    rq->only_vm = o->only_vm;
    rq->start = o->start;
    rq->shutdown_timeout_s = o->timeout_s > 0 ? o->timeout_s : APP_SHUTDOWN_TIMEOUT;
    if (c->tmap) {
        rq->hints = c->tmap->hints;
        rq->n_hints = c->tmap->n;
    }
}

int app_request_check_vm(const struct app_ctx *c, const struct app_opts *o)
{
    for (size_t m = 0; o->only_vm && m < c->stand->n_machines; m++)
        if (strcasecmp(c->stand->machines[m].name, o->only_vm) == 0)
            return APP_OK;
    if (!o->only_vm)
        return APP_OK;
    app_error(&c->ev, _("the machine names are those of the stand's `machines:`"),
              _("the stand %s has no machine '%s'"), c->stand->name, o->only_vm);
    return APP_USAGE;
}
