/* app_reset: a VM-only teardown through the shared sequence, then the deploy again (a new run in
 * the journal; the stand's lock is still ours). */
#include "app/app_reset.h"
#include "app/app_deploy.h"
#include "app/app_request.h"
#include "app/app_run.h"
#include "util/err.h"
#include "util/i18n.h"

int app_reset(struct app_ctx *c, const struct app_opts *o)
{
    if (app_ctx_begin_run(c, "reset") || app_ctx_refresh(c, INV_CONFIGS_ALL))
        return APP_FAILED;
    struct plan_request rq;
    app_request_init(&rq, c, o);
    rq.vms_only = 1;
    struct plan *p = NULL;
    if (plan_destroy(&rq, c->view, &p) < 0 || p->n_problems) {
        if (p) {
            struct app_event e = {.kind = APP_EV_PROBLEMS, .stream = APP_ERR, .plan = p};
            app_emit(&c->ev, &e);
        }
        plan_free(p);
        return APP_FAILED;
    }
    app_note(&c->ev, APP_TEXT,
             _("Reset of stand '%s': the VMs below are destroyed and cloned again; users, "
               "passwords, pools and bridges stay.\n"),
             p->stand);
    struct app_apply a = {.ask = APP_ASK_RESET};
    int rc = app_apply(c, o, p, &a);
    plan_free(p);
    if (rc == APP_DECLINED)
        return APP_FAILED;
    if (rc != APP_OK && rc != APP_NOTHING)
        return rc;
    if (c->journal && journal_run_begin(c->journal, "reset", c->stand->name, &c->run_id) < 0)
        app_note(&c->ev, APP_ERR, _("warning: %s\n"), ds_err_last());
    app_note(&c->ev, APP_TEXT, "\n");
    return app_deploy_locked(c, o);
}
