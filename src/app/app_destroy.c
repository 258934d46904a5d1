/* app_destroy: teardown through the shared sequence; the verification re-plans the teardown on a
 * fresh view of the cluster, which must come out empty. */
#include "app/app_destroy.h"
#include "app/app_run.h"
#include "util/i18n.h"
#include <stdio.h>

static int destroy_verify(struct app_ctx *c, const struct app_opts *o, const struct plan *p, int rc)
{
    struct plan *left = NULL;
    if (app_ctx_refresh(c, INV_CONFIGS_ALL) == 0 &&
        app_build_plan(c, o, PLAN_DESTROY, &left) == 0) {
        rc = app_verify_left(c, left,
                             ngettext("\nVerification: %zu object(s) are still there:\n",
                                      "\nVerification: %zu object(s) are still there:\n",
                                      left->n_acts),
                             rc);
        if (!left->n_acts)
            app_note(&c->ev, APP_TEXT,
                     o->n_only ? _("Verified: nothing of stand '%s' is left for these students.\n")
                               : _("Verified: nothing of stand '%s' is left for this class.\n"),
                     p->stand);
    }
    struct app_event e = {.kind = APP_EV_DESTROYED,
                          .stream = APP_DATA,
                          .stand = p->stand,
                          .ok = rc == APP_OK,
                          .left = left ? (int)left->n_acts : -1};
    app_emit(&c->ev, &e);
    plan_free(left);
    return rc;
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
    struct app_apply a = {.ask = APP_ASK_DESTROY, .expect = expect, .verify = destroy_verify};
    rc = app_apply(c, o, p, &a);
    plan_free(p);
    return rc == APP_NOTHING ? APP_OK : rc == APP_DECLINED ? APP_FAILED : rc;
}
