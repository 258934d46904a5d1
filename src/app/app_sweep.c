/* app_sweep: lists the leftovers of a stand (or, with `templates`, the template copies no VM
 * links to) and, when asked to, removes them through the shared sequence and checks they are gone.
 */
#include "app/app_sweep.h"
#include "app/app_lock.h"
#include "app/app_request.h"
#include "app/app_run.h"
#include "plan/plan_sweep_copies.h"
#include "util/i18n.h"

typedef int (*sweep_planner)(const struct plan_request *rq, const struct cluster_view *v,
                             struct plan **out);

/* The same sweep planned again on a fresh view: nothing may be left. */
static int verify_with(struct app_ctx *c, const struct app_opts *o, sweep_planner planner,
                       const char *verified, int rc)
{
    if (app_ctx_refresh(c, INV_CONFIGS_ALL) != 0)
        return rc;
    struct plan_request rq;
    app_request_init(&rq, c, o);
    struct plan *left = NULL;
    planner(&rq, c->view, &left);
    if (left->n_acts) {
        app_note(&c->ev, APP_TEXT,
                 ngettext("Verification: %zu leftover(s) are still there.\n",
                          "Verification: %zu leftover(s) are still there.\n", left->n_acts),
                 left->n_acts);
        rc = APP_FAILED;
    } else {
        app_note(&c->ev, APP_TEXT, verified, left->stand);
    }
    plan_free(left);
    return rc;
}

static int sweep_verify(struct app_ctx *c, const struct app_opts *o, const struct plan *p, int rc)
{
    (void)p;
    return verify_with(c, o, plan_sweep, _("Verified: no leftovers of stand '%s'.\n"), rc);
}

static int copies_verify(struct app_ctx *c, const struct app_opts *o, const struct plan *p, int rc)
{
    (void)p;
    return verify_with(c, o, plan_sweep_copies,
                       _("Verified: no template copy without linked VMs is left (checked for "
                         "stand '%s').\n"),
                       rc);
}

/* What one kind of sweep says and does. */
struct sweep_kind {
    sweep_planner plan;
    int (*verify)(struct app_ctx *c, const struct app_opts *o, const struct plan *p, int rc);
    const char *none, *found; /* "%s": the stand */
};

static int sweep_run(struct app_ctx *c, const struct app_opts *o, int remove,
                     const struct sweep_kind *k)
{
    if (app_ctx_begin_run(c, "sweep") || app_ctx_refresh(c, INV_CONFIGS_ALL))
        return APP_FAILED;
    struct plan_request rq;
    app_request_init(&rq, c, o);
    struct plan *p = NULL;
    k->plan(&rq, c->view, &p);
    struct app_event e = {.kind = APP_EV_PROBLEMS, .stream = APP_TEXT, .plan = p};
    int rc = APP_OK;
    if (p->n_acts == 0) {
        if (remove)
            app_lock_clear_dead(c);
        app_note(&c->ev, APP_TEXT, k->none, p->stand);
        app_emit(&c->ev, &e);
    } else {
        app_note(&c->ev, APP_TEXT, k->found, p->stand);
        if (remove) {
            struct app_apply a = {.plan_json = o->json, .verify = k->verify};
            struct app_events quiet = c->ev;
            c->ev.confirm = NULL; /* --yes was the answer */
            rc = app_apply(c, o, p, &a);
            rc = rc == APP_DECLINED ? APP_FAILED : rc; /* the stand's lock is held elsewhere */
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

int app_sweep(struct app_ctx *c, const struct app_opts *o, int remove)
{
    const struct sweep_kind k = {
        .plan = plan_sweep,
        .verify = sweep_verify,
        .none = _("No leftovers of stand '%s': everything marked for it belongs to a current "
                  "student's deploy.\n"),
        .found = _("Leftovers of stand '%s' (marked for it, but no current student needs "
                   "them):\n")};
    return sweep_run(c, o, remove, &k);
}

int app_sweep_templates(struct app_ctx *c, const struct app_opts *o, int remove)
{
    const struct sweep_kind k = {
        .plan = plan_sweep_copies,
        .verify = copies_verify,
        .none = _("No template copy to remove: every copy on the cluster has linked VMs or is "
                  "left alone for the reason noted (checked for stand '%s').\n"),
        .found = _("Template copies no VM links to (shared by every stand; checked for stand "
                   "'%s'):\n")};
    return sweep_run(c, o, remove, &k);
}
