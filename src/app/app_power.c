/* app_power: a power plan through the shared sequence; the check after it plans the same
 * operation on a fresh view of the cluster, which must come out empty. */
#include "app/app_power.h"
#include "app/app_request.h"
#include "app/app_run.h"
#include "util/err.h"
#include "util/i18n.h"

const char *app_power_name(enum power_op op)
{
    static const char *const names[] = {
        [POWER_START] = "start",
        [POWER_STOP] = "stop",
        [POWER_SHUTDOWN] = "shutdown",
        [POWER_REBOOT] = "reboot",
    };
    return (unsigned)op <= POWER_REBOOT ? names[op] : "?";
}

/* The operation the plan was made for (its first action's kind; verify gets only the plan). */
static int plan_op(const struct plan *p, enum power_op *op)
{
    for (size_t i = 0; i < p->n_acts; i++) {
        switch (p->acts[i].kind) {
        case ACT_VM_START:
            *op = POWER_START;
            return 1;
        case ACT_VM_STOP:
            *op = POWER_STOP;
            return 1;
        case ACT_VM_SHUTDOWN:
            *op = POWER_SHUTDOWN;
            return 1;
        default:
            break;
        }
    }
    return 0;
}

/* Every VM is as asked when the same operation, planned again, has nothing left to do. */
static int power_verify(struct app_ctx *c, const struct app_opts *o, const struct plan *p, int rc)
{
    enum power_op op;
    if (!plan_op(p, &op) || app_ctx_refresh(c, INV_CONFIGS_NONE) != 0)
        return rc;
    struct plan_request rq;
    app_request_init(&rq, c, o);
    struct plan *left = NULL;
    if (plan_power(&rq, c->view, op, &left) == 0 && !left->n_problems) {
        rc = app_verify_left(c, left, app_not_as_asked(left), rc);
        if (!left->n_acts)
            app_note(&c->ev, APP_TEXT,
                     op == POWER_START ? _("Verified: every selected VM is running.\n")
                                       : _("Verified: every selected VM is stopped.\n"));
    }
    plan_free(left);
    return rc;
}

int app_power(struct app_ctx *c, const struct app_opts *o, enum power_op op, json_t **out)
{
    *out = NULL;
    if (app_ctx_begin_run(c, app_power_name(op)) || app_ctx_refresh(c, INV_CONFIGS_NONE))
        return APP_FAILED;
    struct plan_request rq;
    app_request_init(&rq, c, o);
    struct plan *p = NULL;
    if (plan_power(&rq, c->view, op, &p) < 0) {
        app_error(&c->ev, _("the machine names are those of the stand's `machines:`"), "%s",
                  ds_err_last());
        return APP_USAGE;
    }
    struct app_apply a = {.ask = APP_ASK_CHANGE,
                          .verify = op == POWER_REBOOT ? NULL : power_verify};
    int rc = app_lifecycle_apply(c, o, p, &a, app_power_name(op), out);
    plan_free(p);
    return rc;
}
