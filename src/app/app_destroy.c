/* app_destroy: teardown through the shared sequence; the verification re-plans the teardown on a
 * fresh view of the cluster, which must come out empty, and checks that no node still has the
 * stand's bridges in its pending (unapplied) network changes. */
#include "app/app_destroy.h"
#include "app/app_run.h"
#include "plan/marks.h"
#include "util/i18n.h"
#include <stdio.h>
#include <string.h>

/* Reports every node whose pending network changes still hold the stand's bridges (a delete or
 * create not applied: the bridges are live although the configuration no longer lists them).
 * Returns how many nodes. */
static int pending_networks(struct app_ctx *c, const char *stand)
{
    json_t *nets = c->view ? json_object_get(c->view->raw, "networks") : NULL;
    const char *node;
    json_t *nn;
    int n = 0;
    json_object_foreach(nets, node, nn)
    {
        char names[512];
        if (!mark_diff_bridges(json_string_value(json_object_get(nn, "changes")), stand, names,
                               sizeof names))
            continue;
        if (!n++)
            app_note(&c->ev, APP_TEXT, "\n");
        app_note(&c->ev, APP_TEXT,
                 _("Verification: the network of node %s has pending changes to bridges of stand "
                   "'%s' (%s) that were not applied; run destroy again.\n"),
                 node, stand, names);
    }
    return n;
}

static int destroy_verify(struct app_ctx *c, const struct app_opts *o, const struct plan *p, int rc)
{
    struct plan *left = NULL;
    int pending = 0;
    if (app_ctx_refresh(c, INV_CONFIGS_ALL) == 0 &&
        app_build_plan(c, o, PLAN_DESTROY, &left) == 0) {
        rc = app_verify_left(c, left,
                             ngettext("\nVerification: %zu object(s) are still there:\n",
                                      "\nVerification: %zu object(s) are still there:\n",
                                      left->n_acts),
                             rc);
        pending = pending_networks(c, p->stand);
        if (pending)
            rc = APP_FAILED;
        else if (!left->n_acts)
            app_note(&c->ev, APP_TEXT,
                     o->n_only ? _("Verified: nothing of stand '%s' is left for these students.\n")
                               : _("Verified: nothing of stand '%s' is left for this class.\n"),
                     p->stand);
    }
    struct app_event e = {.kind = APP_EV_DESTROYED,
                          .stream = APP_DATA,
                          .stand = p->stand,
                          .ok = rc == APP_OK,
                          .left = left ? (int)left->n_acts + pending : -1};
    app_emit(&c->ev, &e);
    plan_free(left);
    return rc;
}

/* A shared step (the network apply of a node, say) fails no student, yet the run did not do it. */
static int any_failed(const struct plan_result *r)
{
    for (size_t i = 0; r && i < r->n_acts; i++)
        if (r->acts[i].state == RUN_FAILED)
            return 1;
    return 0;
}

/* The destroy plan again on a fresh view, once the stand's cluster lock is held. */
static int destroy_rebuild(struct app_ctx *c, const struct app_opts *o, struct plan **out)
{
    if (app_ctx_refresh(c, INV_CONFIGS_ALL))
        return APP_FAILED;
    return app_build_plan(c, o, PLAN_DESTROY, out);
}

int app_destroy(struct app_ctx *c, const struct app_opts *o)
{
    if (app_ctx_begin_run(c, "destroy") || app_ctx_refresh(c, INV_CONFIGS_ALL))
        return APP_FAILED;
    struct plan *p = NULL;
    int rc = app_build_plan(c, o, PLAN_DESTROY, &p);
    if (rc) {
        plan_free(p);
        return rc;
    }
    char expect[160];
    snprintf(expect, sizeof expect, "DELETE_%s", p->stand);
    struct plan_result *res = NULL;
    struct app_apply a = {.ask = APP_ASK_DESTROY,
                          .expect = expect,
                          .verify = destroy_verify,
                          .result = &res,
                          .rebuild = destroy_rebuild};
    rc = app_apply(c, o, p, &a);
    if (rc == APP_OK && any_failed(res))
        rc = APP_FAILED;
    /* nothing planned, yet an earlier run may have left the stand's bridges pending */
    if (rc == APP_NOTHING && pending_networks(c, p->stand))
        rc = APP_FAILED;
    plan_result_free(res);
    plan_free(p);
    return rc == APP_NOTHING ? APP_OK : rc == APP_DECLINED ? APP_FAILED : rc;
}
