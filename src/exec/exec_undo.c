/* exec_undo: rollback through the executor. After a deploy, plan_undo turns the plan and its
 * result into an undo plan, run here like any plan (retries, events, journal, audit). */
#include "exec/exec_internal.h"
#include "plan/plan_undo.h"
#include "util/i18n.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void exec_undo_message(const struct exec *e, enum exec_event_type t, const struct action *a,
                       const char *msg, char *out, size_t len)
{
    char step[1200];
    const struct run_action *ra = &e->r->acts[a - e->p->acts];
    switch (t) {
    case EXEC_DONE:
        snprintf(step, sizeof step,
                 ra->noop ? _("%s: nothing to undo (already gone, or not ours)") : _("%s: done"),
                 a->summary);
        break;
    case EXEC_FAILED:
        snprintf(step, sizeof step, _("%s: failed: %s"), a->summary, msg ? msg : "?");
        break;
    case EXEC_RETRY:
        snprintf(step, sizeof step, "%s: %s", a->summary, msg ? msg : "?");
        break;
    default:
        snprintf(step, sizeof step, "%s", a->summary);
        break;
    }
    if (a->student >= 0)
        snprintf(out, len, "%s: %s", e->p->students[a->student].userid, step);
    else
        snprintf(out, len, "%s", step);
}

/* What the undo removed of one object, for the student's error ("VM 5003", "pool s2"). */
static void undone_item(const struct plan *u, const struct action *a, char *out, size_t len)
{
    switch (a->kind) {
    case ACT_VM_DESTROY:
        snprintf(out, len, _("VM %d"), u->students[a->student].vms[a->vm].vmid);
        return;
    case ACT_BRIDGE_DELETE:
        snprintf(out, len, "%s %s", _("bridge"), a->target);
        return;
    case ACT_ACL_REVOKE:
        snprintf(out, len, "%s %s", _("role"), a->target);
        return;
    case ACT_POOL_DELETE:
        snprintf(out, len, "%s %s", _("pool"), a->target);
        return;
    case ACT_USER_DELETE:
        snprintf(out, len, "%s %s", _("user"), a->target);
        return;
    default:
        out[0] = '\0';
    }
}

/* Student s's error says what was rolled back; a removed user takes its password along. */
static void summarise(struct exec *e, const struct plan *u, const struct plan_result *ur, int s)
{
    char undone[1024] = "";
    size_t ul = 0;
    struct run_student *rs = &e->r->students[s];
    for (size_t i = 0; i < u->n_acts && ul < sizeof undone; i++) {
        const struct action *a = &u->acts[i];
        if (a->student != s || ur->acts[i].state != RUN_DONE || ur->acts[i].noop)
            continue;
        char item[256];
        undone_item(u, a, item, sizeof item);
        if (!item[0])
            continue;
        ul += (size_t)snprintf(undone + ul, sizeof undone - ul, "%s%s", ul ? ", " : "", item);
        if (a->kind == ACT_USER_DELETE && rs->password) {
            memset(rs->password, 0, strlen(rs->password));
            free(rs->password);
            rs->password = NULL;
        }
    }
    if (!ul)
        return;
    char *err = NULL;
    if (asprintf(&err, _("%s (rolled back: %s)"), rs->error ? rs->error : _("failed"), undone) >=
        0) {
        free(rs->error);
        rs->error = err;
    }
    char msg[1200];
    snprintf(msg, sizeof msg, _("%s: rolled back %s"), u->students[s].userid, undone);
    exec_emit(e, EXEC_ROLLBACK, NULL, msg, 0);
}

void exec_undo(struct exec *e)
{
    struct plan *u = NULL;
    if (plan_undo(e->p, e->r, &u) < 0)
        return;
    if (u->n_acts == 0) {
        plan_free(u);
        return;
    }
    if (e->o->on_plan)
        e->o->on_plan(u, e->o->ud);
    struct plan_result *ur = NULL;
    if (exec_plan_run(u, e->base, e->o, e, &ur) < 0) {
        plan_free(u);
        return;
    }
    e->r->undo = u;
    e->r->undo_result = ur;
    for (size_t s = 0; s < e->p->n_students; s++)
        if (e->r->students[s].failed)
            summarise(e, u, ur, (int)s);
}
