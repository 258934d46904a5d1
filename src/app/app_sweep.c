/* app_sweep: lists the leftovers of a stand and, when asked to, removes them through the shared
 * sequence and reads the cluster again to check that none are left. */
#include "app/app_sweep.h"
#include "app/app_request.h"
#include "app/app_run.h"
#include "util/i18n.h"

static int sweep_verify(struct app_ctx *c, const struct app_opts *o, const struct plan *p, int rc)
{
    (void)p;
    if (app_ctx_refresh(c, INV_CONFIGS_ALL) != 0)
        return rc;
    struct plan_request rq;
    app_request_init(&rq, c, o);
    struct plan *left = NULL;
    plan_sweep(&rq, c->view, &left);
    if (left->n_acts) {
        app_note(&c->ev, APP_TEXT,
                 ngettext("Verification: %zu leftover(s) are still there.\n",
                          "Verification: %zu leftover(s) are still there.\n", left->n_acts),
                 left->n_acts);
        rc = APP_FAILED;
    } else {
        app_note(&c->ev, APP_TEXT, _("Verified: no leftovers of stand '%s'.\n"), left->stand);
    }
    plan_free(left);
    return rc;
}

int app_sweep(struct app_ctx *c, const struct app_opts *o, int remove)
{
    if (app_ctx_begin_run(c, "sweep") || app_ctx_refresh(c, INV_CONFIGS_ALL))
        return APP_FAILED;
    struct plan_request rq;
    app_request_init(&rq, c, o);
    struct plan *p = NULL;
    plan_sweep(&rq, c->view, &p);
    struct app_event e = {.kind = APP_EV_PROBLEMS, .stream = APP_TEXT, .plan = p};
    int rc = APP_OK;
    if (p->n_acts == 0) {
        app_note(&c->ev, APP_TEXT,
                 _("No leftovers of stand '%s': everything marked for it belongs to a current "
                   "student's deploy.\n"),
                 p->stand);
        app_emit(&c->ev, &e);
    } else {
        app_note(&c->ev, APP_TEXT,
                 _("Leftovers of stand '%s' (marked for it, but no current student needs "
                   "them):\n"),
                 p->stand);
        if (remove) {
            struct app_apply a = {.plan_json = o->json, .verify = sweep_verify};
            struct app_events quiet = c->ev;
            c->ev.confirm = NULL; /* --yes was the answer */
            rc = app_apply(c, o, p, &a);
            c->ev = quiet;
        } else {
            struct app_event pe = {
                .kind = APP_EV_PLAN, .stream = APP_TEXT, .plan = p, .json = o->json};
            app_emit(&c->ev, &pe);
            app_emit(&c->ev, &e);
            app_note(&c->ev, APP_TEXT,
                     _("\nNothing was removed: run again with --yes to remove the above.\n"));
        }
    }
    plan_free(p);
    return rc;
}
