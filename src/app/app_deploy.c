/* app_deploy: deploy and its preview: inventory -> plan -> show -> confirm -> run -> report;
 * preflight problems stop everything before the first change. */
#include "app/app_deploy.h"
#include "app/app_run.h"
#include "ds_clock.h"
#include "plan/marks.h"
#include "util/err.h"
#include "util/i18n.h"

/* The configs a deploy reads: our VMs' and the templates'; every VM's when the stand hands out
 * EcoRouter MACs, which must be unique against every VM of the cluster (/cluster/resources
 * carries no MACs, so a foreign VM's can only be known from its config). */
static enum inv_config_scope deploy_scope(const struct app_ctx *c)
{
    for (size_t m = 0; c->stand && m < c->stand->n_machines; m++)
        if (c->stand->machines[m].profile && c->stand->machines[m].profile->eco_macs)
            return INV_CONFIGS_ALL;
    return INV_CONFIGS_MARKED;
}

int app_plan(struct app_ctx *c, const struct app_opts *o)
{
    if (app_ctx_refresh(c, deploy_scope(c)))
        return APP_FAILED;
    struct plan *p = NULL;
    int rc = app_build_plan(c, o, PLAN_DEPLOY, &p);
    if (rc == APP_OK) {
        struct app_event e = {.kind = APP_EV_PLAN,
                              .stream = APP_DATA,
                              .plan = p,
                              .strategy = o->strategy,
                              .json = o->json};
        app_emit(&c->ev, &e);
        if (!o->json) {
            e = (struct app_event){.kind = APP_EV_PROBLEMS, .stream = APP_DATA, .plan = p};
            app_emit(&c->ev, &e);
        }
    }
    plan_free(p);
    return rc;
}

/* Known passwords of users that are ours from an earlier run. Stored passwords that cannot be
 * read (key file deleted or replaced, wrong passphrase) are said once, with what to do, instead
 * of turning silently into "(unknown)". */
static void fill_known_passwords(struct app_ctx *c, struct plan *p)
{
    size_t unreadable = 0;
    char why[512] = "";
    for (size_t i = 0; c->state && i < p->n_students; i++) {
        struct plan_student *ps = &p->students[i];
        char *pw = NULL;
        if (ps->cred != CRED_UNKNOWN)
            continue;
        /* kept under the id the user's mark on this cluster names ("" for older users) */
        const struct inv_user *iu = inv_user_find(c->view, ps->userid);
        struct mark m;
        if (!iu || !mark_parse(iu->comment, &m))
            continue;
        int rc = state_cred_get(c->state, p->stand, ps->userid, m.cred, &pw);
        if (rc == 0) {
            ps->password = pw;
            ps->cred = CRED_KNOWN;
        } else if (rc < 0 && !unreadable++) {
            snprintf(why, sizeof why, "%s", ds_err_last());
        }
    }
    app_ctx_warn_unreadable(c, unreadable, why);
}

/* The deploy plan again on a fresh view, once the stand's cluster lock is held. */
static int deploy_rebuild(struct app_ctx *c, const struct app_opts *o, struct plan **out)
{
    if (app_ctx_refresh(c, deploy_scope(c)))
        return APP_FAILED;
    int rc = app_build_plan(c, o, PLAN_DEPLOY, out);
    if (rc == APP_OK)
        fill_known_passwords(c, *out);
    return rc;
}

static void credentials(struct app_ctx *c, const struct app_opts *o, const struct plan *p)
{
    struct app_event e = {
        .kind = APP_EV_CREDENTIALS, .stream = APP_DATA, .plan = p, .json = o->json};
    app_emit(&c->ev, &e);
}

int app_deploy_run(struct app_ctx *c, const struct app_opts *o, struct plan **done)
{
    *done = NULL;
    int64_t t0 = ds_clock_mono_ns();
    if (app_ctx_refresh(c, deploy_scope(c)))
        return APP_FAILED;
    int64_t t1 = ds_clock_mono_ns();
    struct plan *p = NULL;
    int rc = app_build_plan(c, o, PLAN_DEPLOY, &p);
    if (rc) {
        plan_free(p);
        return rc;
    }
    p->t_inventory_ns = t1 - t0;
    p->t_plan_ns = ds_clock_mono_ns() - t1;
    fill_known_passwords(c, p);
    struct app_apply a = {
        .strategy = o->strategy, .ask = APP_ASK_DEPLOY, .timed = 1, .rebuild = deploy_rebuild};
    rc = app_apply(c, o, p, &a);
    if (rc == APP_NOTHING) {
        app_note(&c->ev, APP_TEXT, _("\nThe stand is up to date: nothing was changed.\n\n"));
        rc = APP_OK;
    } else if (rc == APP_DECLINED) {
        plan_free(p);
        return APP_FAILED;
    } else {
        app_note(&c->ev, APP_TEXT, "\n");
    }
    *done = p;
    return rc;
}

int app_deploy_locked(struct app_ctx *c, const struct app_opts *o)
{
    struct plan *p = NULL;
    int rc = app_deploy_run(c, o, &p);
    if (p)
        credentials(c, o, p);
    plan_free(p);
    return rc;
}

int app_deploy(struct app_ctx *c, const struct app_opts *o)
{
    if (app_ctx_begin_run(c, "deploy"))
        return APP_FAILED;
    return app_deploy_locked(c, o);
}
