/* app_run: plan, show, confirm, run, report and verify, once for every use case; the executor's
 * events go to the front-end (progress), the journal (every action) and the audit log (changes). */
#include "app/app_run.h"
#include "app/app_lock.h"
#include "app/app_request.h"
#include "ds_clock.h"
#include "exec/exec.h"
#include "store/audit.h"
#include "store/journal.h"
#include "util/err.h"
#include "util/i18n.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A plan whose preflight found problems: they are shown and nothing runs. APP_USAGE when some
 * of them are mistakes of the input files (file:line: ...), else APP_FAILED. */
static int refuse_problems(struct app_ctx *c, const struct plan *p)
{
    struct app_event e = {.kind = APP_EV_PROBLEMS, .stream = APP_ERR, .plan = p};
    app_emit(&c->ev, &e);
    if (p->n_input_problems) {
        app_error(&c->ev, NULL,
                  ngettext("the cluster check found %zu problem, %zu of them in the input files; "
                           "nothing was changed",
                           "the cluster check found %zu problems, %zu of them in the input files; "
                           "nothing was changed",
                           p->n_problems),
                  p->n_problems, p->n_input_problems);
        return APP_USAGE;
    }
    app_error(&c->ev, NULL,
              ngettext("the cluster check found %zu problem; nothing was changed",
                       "the cluster check found %zu problems; nothing was changed", p->n_problems),
              p->n_problems);
    return APP_FAILED;
}

int app_build_plan(struct app_ctx *c, const struct app_opts *o, enum plan_kind kind,
                   struct plan **p)
{
    struct plan_request rq;
    app_request_init(&rq, c, o);
    int rc = kind == PLAN_DEPLOY ? plan_deploy(&rq, c->view, p) : plan_destroy(&rq, c->view, p);
    if (rc < 0) {
        app_error(&c->ev, _("run `deploy-stand --help`"), "%s", ds_err_last());
        return APP_USAGE;
    }
    if ((*p)->n_problems) {
        return refuse_problems(c, *p);
    }
    return APP_OK;
}

/* What every executor event goes to: the front-end, the journal and, for finished changes, the
 * audit log. */
struct run_sink {
    struct app_ctx *c;
    struct audit *audit;
    const struct plan *p;
};

/* The journal's status of an executor event (undo steps: of the step), or NULL for none. */
static const char *journal_status(const struct exec_event *ev)
{
    static const char *const status[] = {[EXEC_STARTED] = "sent",
                                         [EXEC_DONE] = "done",
                                         [EXEC_FAILED] = "failed",
                                         [EXEC_SKIPPED] = "skipped"};
    enum exec_event_type t = ev->type == EXEC_ROLLBACK ? ev->step : ev->type;
    return ev->action && t <= EXEC_SKIPPED ? status[t] : NULL;
}

static void run_event(const struct exec_event *ev, void *ud)
{
    struct run_sink *rs = ud;
    struct app_ctx *c = rs->c;
    struct app_event e = {.kind = APP_EV_EXEC, .plan = rs->p, .exec = ev};
    int undo_step = ev->type == EXEC_ROLLBACK && ev->action;
    if (!(undo_step && ev->step == EXEC_STARTED)) /* an undo step shows when it ends */
        app_emit(&c->ev, &e);
    const char *status = journal_status(ev);
    if (c->journal && status &&
        journal_action(c->journal, c->run_id, ev->plan->id_base + ev->action->id, status, ev->vmid,
                       ev->message) < 0)
        app_say(&c->ev, APP_ERR, APP_LV_WARNING, NULL, "%s", ds_err_last());
    enum exec_event_type t = undo_step ? ev->step : ev->type;
    if (!rs->audit || !ev->action || (t != EXEC_DONE && t != EXEC_FAILED) ||
        (ev->type == EXEC_ROLLBACK && !undo_step))
        return;
    char object[256], request[2048];
    exec_action_describe(ev->plan, ev->action, ev->vmid, object, sizeof object, request,
                         sizeof request);
    struct audit_record r = {
        .connection = c->conn ? c->conn->name : NULL,
        .stand = ev->plan->stand,
        .student = ev->student >= 0 ? ev->plan->students[ev->student].userid : NULL,
        .action = action_kind_name(ev->action->kind),
        .object = object,
        .request = request,
        .result = t == EXEC_DONE ? "ok" : ev->message,
    };
    audit_write(rs->audit, &r);
}

/* Records every action of p as "planned" in the run's journal, under the ids p->id_base + id (an
 * undo plan continues the ids of the run it undoes). A failure is a warning, not an error. */
static void journal_the_plan(struct app_ctx *c, const struct plan *p)
{
    if (!c->journal)
        return;
    struct journal_entry *e = p->n_acts ? calloc(p->n_acts, sizeof *e) : NULL;
    if (p->n_acts && !e) {
        app_say(&c->ev, APP_ERR, APP_LV_WARNING, NULL, "%s", strerror(ENOMEM));
        return;
    }
    for (size_t i = 0; i < p->n_acts; i++) {
        const struct action *a = &p->acts[i];
        const struct plan_student *ps = a->student >= 0 ? &p->students[a->student] : NULL;
        e[i] = (struct journal_entry){.action_id = p->id_base + a->id,
                                      .kind = action_kind_name(a->kind),
                                      .summary = a->summary,
                                      .student = ps ? ps->userid : NULL,
                                      .node = a->node,
                                      .vmid = ps && a->vm >= 0 ? ps->vms[a->vm].vmid : 0};
        if (a->copy >= 0)
            e[i].vmid = p->copies[a->copy].vmid;
    }
    if (journal_plan(c->journal, c->run_id, e, p->n_acts) < 0)
        app_say(&c->ev, APP_ERR, APP_LV_WARNING, NULL, "%s", ds_err_last());
    free(e);
}

/* The executor's own plans (the undo of failed students) join the run's journal. */
static void run_plan_made(const struct plan *p, void *ud)
{
    struct run_sink *rs = ud;
    journal_the_plan(rs->c, p);
}

int app_verify_left(struct app_ctx *c, const struct plan *left, const char *heading, int rc)
{
    if (!left->n_acts)
        return rc;
    app_note(&c->ev, APP_TEXT, heading, left->n_acts);
    for (size_t i = 0; i < left->n_acts; i++)
        app_note(&c->ev, APP_TEXT, "  - %s\n", left->acts[i].summary);
    return APP_FAILED;
}

const char *app_not_as_asked(const struct plan *left)
{
    return ngettext("\nVerification: %zu VM(s) are not as asked:\n",
                    "\nVerification: %zu VM(s) are not as asked:\n", left->n_acts);
}

int app_run_plan(struct app_ctx *c, const struct app_opts *o, struct plan *p, int64_t *took_ns,
                 struct plan_result **keep)
{
    journal_the_plan(c, p);
    struct exec_opts eo = {.per_node = o->per_node > 0 ? o->per_node : 4,
                           .workers = o->workers,
                           .retries = 5,
                           .task_timeout_s = 3600,
                           .state = c->state,
                           .on_event = run_event,
                           .on_plan = run_plan_made};
    struct run_sink rs = {.c = c, .p = p};
    if (c->state && audit_open(NULL, 0, &rs.audit) < 0)
        app_say(&c->ev, APP_ERR, APP_LV_WARNING, NULL, _("no audit log this run: %s"),
                ds_err_last());
    eo.ud = &rs;
    struct app_event e = {.kind = APP_EV_RUN_START, .plan = p};
    app_emit(&c->ev, &e);
    int64_t t0 = ds_clock_mono_ns();
    struct plan_result *res = NULL;
    int failed = exec_run(p, c->client, &eo, &res);
    *took_ns = ds_clock_mono_ns() - t0;
    if (res)
        exec_result_to_plan(p, res);
    if (keep)
        *keep = res;
    else
        plan_result_free(res);
    e.kind = APP_EV_RUN_END;
    app_emit(&c->ev, &e);
    audit_close(rs.audit);
    if (c->journal)
        journal_run_end(c->journal, c->run_id, failed == 0 ? "ok" : "failed");
    if (failed < 0)
        return app_error(&c->ev, NULL, "%s", ds_err_last());
    return failed ? APP_FAILED : APP_OK;
}

/* Takes the stand's cluster lock before the first change. The view the plan came from may be
 * older than the lock (another machine's run may have ended in between), so a freshly taken lock
 * makes the plan again (a->rebuild); p gets the new plan. APP_OK, APP_NOTHING, APP_DECLINED when
 * the lock is held elsewhere or cannot be taken, or the code to stop with (all reported). */
static int lock_and_replan(struct app_ctx *c, const struct app_opts *o, struct plan *p,
                           const struct app_apply *a)
{
    if (c->cluster_lock || !c->stand)
        return APP_OK;
    if (app_lock_take(c, c->command, o->break_lock))
        return APP_DECLINED; /* nothing ran: the callers show no outcome */
    if (!a->rebuild) {
        app_lock_clear_dead(c);
        return APP_OK;
    }
    struct plan *q = NULL;
    int rc = a->rebuild(c, o, &q);
    if (rc != APP_OK) {
        plan_free(q);
        return rc;
    }
    if (q->n_acts != p->n_acts)
        app_say(&c->ev, APP_TEXT, APP_LV_NOTE, NULL,
                ngettext("the cluster changed since the plan was made; %zu change now",
                         "the cluster changed since the plan was made; %zu changes now", q->n_acts),
                q->n_acts);
    q->t_inventory_ns = p->t_inventory_ns;
    q->t_plan_ns = p->t_plan_ns;
    struct plan tmp = *p;
    *p = *q;
    *q = tmp;
    plan_free(q);
    app_lock_clear_dead(c); /* copy locks a dead run of this host left (the view is fresh) */
    return p->n_acts ? APP_OK : APP_NOTHING;
}

int app_apply(struct app_ctx *c, const struct app_opts *o, struct plan *p,
              const struct app_apply *a)
{
    struct app_event e = {.kind = APP_EV_PLAN,
                          .stream = APP_TEXT,
                          .plan = p,
                          .strategy = a->strategy,
                          .json = a->plan_json};
    app_emit(&c->ev, &e);
    e = (struct app_event){.kind = APP_EV_PROBLEMS, .stream = APP_TEXT, .plan = p};
    app_emit(&c->ev, &e);
    if (p->n_acts == 0) {
        app_lock_clear_dead(c);
        return APP_NOTHING;
    }
    if (c->ev.confirm) {
        struct app_ask q = {.kind = a->ask, .plan = p, .view = c->view, .expect = a->expect};
        if (c->ev.confirm(&q, c->ev.ud) != 1)
            return APP_DECLINED;
    }
    app_note(&c->ev, APP_TEXT, "\n");
    int rc = lock_and_replan(c, o, p, a);
    if (rc != APP_OK)
        return rc;
    int64_t took = 0;
    rc = app_run_plan(c, o, p, &took, a->result);
    if (a->timed)
        p->t_exec_ns = took;
    e = (struct app_event){.kind = APP_EV_RESULT, .stream = APP_TEXT, .plan = p, .took_ns = took};
    app_emit(&c->ev, &e);
    return a->verify ? a->verify(c, o, p, rc) : rc;
}

void app_next_run(struct app_ctx *c, const char *command)
{
    if (c->journal && journal_run_begin(c->journal, command, c->stand->name, &c->run_id) < 0)
        app_say(&c->ev, APP_ERR, APP_LV_WARNING, NULL, "%s", ds_err_last());
}

/* What became of action i ("none" without one or without a run). */
static const char *action_result(const struct plan_result *r, int i)
{
    if (i < 0 || !r)
        return "none";
    const struct run_action *ra = &r->acts[i];
    switch (ra->state) {
    case RUN_DONE:
        return ra->noop ? "unchanged" : "done";
    case RUN_FAILED:
        return "failed";
    case RUN_SKIPPED:
        return "skipped";
    default:
        return "none";
    }
}

/* One VM of the outcome: what it was, the action on it and what became of it. */
static json_t *vm_json(const struct plan *p, const struct plan_result *r, int s, int k)
{
    const struct plan_vm *pv = &p->students[s].vms[k];
    int act = -1;
    for (size_t i = 0; i < p->n_acts; i++)
        if (p->acts[i].student == s && p->acts[i].vm == k)
            act = (int)i;
    const struct run_action *ra = r && act >= 0 ? &r->acts[act] : NULL;
    json_t *o = json_pack("{s:s, s:i, s:s?, s:s?, s:s, s:b}", "name", pv->name, "vmid", pv->vmid,
                          "node", pv->node, "power", pv->status, "result", action_result(r, act),
                          "forced", ra && ra->forced);
    json_object_set_new(o, "action",
                        act >= 0 ? json_string(action_kind_name(p->acts[act].kind)) : json_null());
    if (ra && ra->error)
        json_object_set_new(o, "error", json_string(ra->error));
    return o;
}

json_t *app_lifecycle_json(const struct plan *p, const struct plan_result *r, const char *operation,
                           int ok)
{
    json_t *students = json_array();
    size_t changed = 0;
    for (size_t i = 0; r && i < r->n_acts; i++)
        changed += r->acts[i].state == RUN_DONE && !r->acts[i].noop;
    for (size_t s = 0; s < p->n_students; s++) {
        const struct plan_student *ps = &p->students[s];
        json_t *vms = json_array();
        for (size_t k = 0; k < ps->n_vms; k++)
            json_array_append_new(vms, vm_json(p, r, (int)s, (int)k));
        json_t *o = json_pack("{s:s, s:b, s:o}", "user", ps->userid, "ok", !ps->failed, "vms", vms);
        if (ps->error)
            json_object_set_new(o, "error", json_string(ps->error));
        json_array_append_new(students, o);
    }
    return json_pack("{s:s, s:s, s:b, s:I, s:o}", "stand", p->stand, "operation", operation, "ok",
                     ok, "changed", (json_int_t)changed, "students", students);
}

int app_lifecycle_apply(struct app_ctx *c, const struct app_opts *o, struct plan *p,
                        const struct app_apply *a, const char *operation, json_t **out)
{
    *out = NULL;
    if (p->n_problems) {
        return refuse_problems(c, p);
    }
    struct plan_result *res = NULL;
    struct app_apply run = *a;
    run.result = &res;
    int rc = app_apply(c, o, p, &run);
    if (rc == APP_DECLINED) {
        plan_result_free(res);
        return APP_FAILED;
    }
    if (rc == APP_NOTHING)
        rc = APP_OK;
    *out = app_lifecycle_json(p, res, operation, rc == APP_OK);
    plan_result_free(res);
    return rc;
}
