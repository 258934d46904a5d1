/* stand_ops: the stand operations behind the commands: inventory -> plan -> execute -> report.
 * Preflight problems stop everything before the first change; teardown is verified afterwards. */
#include "cli/stand_ops.h"
#include "ds_clock.h"
#include "exec/exec.h"
#include "plan/marks.h"
#include "plan/plan.h"
#include "store/audit.h"
#include "store/journal.h"
#include "ui/progress.h"
#include "ui/report.h"
#include "ui/table.h"
#include "util/err.h"
#include "util/i18n.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void stand_op_opts_init(struct stand_op_opts *o, const struct cli_globals *g,
                        const struct stand_args *a)
{
    memset(o, 0, sizeof *o);
    o->strategy = a->strategy;
    o->node = a->node;
    o->refresh_templates = a->refresh_templates;
    o->mem_reserve = a->mem_reserve;
    o->per_node = a->per_node;
    o->workers = a->workers;
    o->only = a->only;
    o->n_only = a->n_only;
    o->json = g->json;
    o->out = stdout;
    o->progress = g->json ? stderr : stdout;
}

static void request_init(struct plan_request *rq, struct session *s, const struct stand_op_opts *o)
{
    memset(rq, 0, sizeof *rq);
    rq->stand = s->stand;
    rq->users = s->users;
    rq->strategy = o->strategy ? o->strategy : "local";
    rq->target_node = o->node;
    rq->only = o->only;
    rq->n_only = o->n_only;
    rq->api_user = s->conn ? s->conn->user : NULL;
    rq->refresh_templates = o->refresh_templates;
    rq->mem_reserve = o->mem_reserve;
    if (s->tmap) {
        rq->hints = s->tmap->hints;
        rq->n_hints = s->tmap->n;
    }
}

static int confirm(const char *question, const char *expect)
{
    char line[128];
    fprintf(stderr, "%s ", question);
    fflush(stderr);
    if (!fgets(line, sizeof line, stdin))
        return 0;
    line[strcspn(line, "\r\n")] = '\0';
    if (expect)
        return strcmp(line, expect) == 0;
    /* TRANSLATORS: the answers that mean "yes", separated by '|' (English ones always work too) */
    const char *yes_words = _("y|yes|Y");
    if (strcmp(line, "y") == 0 || strcmp(line, "yes") == 0 || strcmp(line, "Y") == 0)
        return 1;
    size_t n = strlen(line);
    for (const char *w = yes_words; n && *w;) {
        size_t wl = strcspn(w, "|");
        if (wl == n && strncmp(w, line, n) == 0)
            return 1;
        w += wl + (w[wl] == '|');
    }
    return 0;
}

static int build_plan(struct session *s, const struct stand_op_opts *o, enum plan_kind kind,
                      struct plan **p)
{
    struct plan_request rq;
    request_init(&rq, s, o);
    int rc = kind == PLAN_DEPLOY ? plan_deploy(&rq, s->view, p) : plan_destroy(&rq, s->view, p);
    if (rc < 0) {
        cli_error(_("run `deploy-stand --help`"), "%s", ds_err_last());
        return EXIT_USAGE;
    }
    if ((*p)->n_problems) {
        report_problems(*p, stderr);
        fprintf(stderr,
                ngettext("error: the cluster check found %zu problem(s); nothing was changed\n",
                         "error: the cluster check found %zu problem(s); nothing was changed\n",
                         (*p)->n_problems),
                (*p)->n_problems);
        return EXIT_FAILED;
    }
    return 0;
}

int stand_op_plan(struct session *s, const struct stand_op_opts *o)
{
    if (session_inventory(s, INV_CONFIGS_MARKED))
        return EXIT_FAILED;
    struct plan *p = NULL;
    int rc = build_plan(s, o, PLAN_DEPLOY, &p);
    if (rc == 0) {
        report_plan(p, o->strategy, o->out, o->json);
        if (!o->json)
            report_problems(p, o->out);
    }
    plan_free(p);
    return rc;
}

/* Known passwords of users that are ours from an earlier run. */
static void fill_known_passwords(struct session *s, struct plan *p)
{
    for (size_t i = 0; s->state && i < p->n_students; i++) {
        struct plan_student *ps = &p->students[i];
        char *pw = NULL;
        if (ps->cred == CRED_UNKNOWN && state_cred_get(s->state, p->stand, ps->userid, &pw) == 0) {
            ps->password = pw;
            ps->cred = CRED_KNOWN;
        }
    }
}

/* What every executor event goes to: the progress view, and for finished changes the audit log. */
struct run_sink {
    struct progress *pg;
    struct audit *audit;
    struct journal *journal;
    long long run_id;
    const struct plan *p;
    const char *connection;
};

/* The VM an action touched, as the journal records it (its id may have moved during the run). */
static int action_vmid(const struct plan *p, const struct action *a)
{
    if (a->copy >= 0)
        return p->copies[a->copy].vmid;
    if (a->student >= 0 && a->vm >= 0)
        return p->students[a->student].vms[a->vm].vmid;
    return 0;
}

static void run_event(const struct exec_event *ev, void *ud)
{
    struct run_sink *rs = ud;
    progress_event(ev, rs->pg);
    if (rs->journal && ev->action) {
        static const char *const status[] = {[EXEC_STARTED] = "sent",
                                             [EXEC_DONE] = "done",
                                             [EXEC_FAILED] = "failed",
                                             [EXEC_SKIPPED] = "skipped"};
        if (ev->type <= EXEC_SKIPPED && status[ev->type] &&
            journal_action(rs->journal, rs->run_id, ev->action->id, status[ev->type],
                           action_vmid(rs->p, ev->action), ev->message) < 0)
            fprintf(stderr, _("warning: %s\n"), ds_err_last());
    }
    if (!rs->audit || !ev->action || (ev->type != EXEC_DONE && ev->type != EXEC_FAILED))
        return;
    char object[256], request[2048];
    exec_action_describe(rs->p, ev->action, object, sizeof object, request, sizeof request);
    struct audit_record r = {
        .connection = rs->connection,
        .stand = rs->p->stand,
        .student = ev->student >= 0 ? rs->p->students[ev->student].userid : NULL,
        .action = action_kind_name(ev->action->kind),
        .object = object,
        .request = request,
        .result = ev->type == EXEC_DONE ? "ok" : ev->message,
    };
    audit_write(rs->audit, &r);
}

static int run_plan(struct session *s, const struct stand_op_opts *o, struct plan *p,
                    const char *command, int64_t *elapsed_ns)
{
    (void)command;
    if (s->journal && journal_plan(s->journal, s->run_id, p) < 0)
        fprintf(stderr, _("warning: %s\n"), ds_err_last());
    struct exec_opts eo = {.per_node = o->per_node > 0 ? o->per_node : 4,
                           .workers = o->workers,
                           .retries = 5,
                           .task_timeout_s = 3600,
                           .state = s->state,
                           .on_event = run_event};
    struct progress *pg = progress_new(p, progress_mode_for(o->progress, o->json), o->progress);
    struct run_sink rs = {.pg = pg,
                          .journal = s->journal,
                          .run_id = s->run_id,
                          .p = p,
                          .connection = s->conn ? s->conn->name : NULL};
    if (s->state && audit_open(NULL, 0, &rs.audit) < 0)
        fprintf(stderr, _("warning: no audit log this run: %s\n"), ds_err_last());
    eo.ud = &rs;
    int64_t t0 = ds_clock_mono_ns();
    int failed = exec_run(p, s->client, &eo);
    *elapsed_ns = ds_clock_mono_ns() - t0;
    progress_finish(pg);
    progress_free(pg);
    audit_close(rs.audit);
    if (s->journal)
        journal_run_end(s->journal, s->run_id, failed == 0 ? "ok" : "failed");
    if (failed < 0) {
        cli_error(NULL, "%s", ds_err_last());
        return EXIT_FAILED;
    }
    return failed ? EXIT_FAILED : EXIT_OK;
}

static int deploy_locked(struct session *s, const struct stand_op_opts *o);

int stand_op_deploy(struct session *s, const struct stand_op_opts *o)
{
    if (session_begin_run(s, "deploy"))
        return EXIT_FAILED;
    return deploy_locked(s, o);
}

/* The deploy itself, once the run holds the stand's lock. */
static int deploy_locked(struct session *s, const struct stand_op_opts *o)
{
    int64_t t0 = ds_clock_mono_ns();
    if (session_inventory(s, INV_CONFIGS_MARKED))
        return EXIT_FAILED;
    int64_t t1 = ds_clock_mono_ns();
    struct plan *p = NULL;
    int rc = build_plan(s, o, PLAN_DEPLOY, &p);
    if (rc) {
        plan_free(p);
        return rc;
    }
    p->t_inventory_ns = t1 - t0;
    p->t_plan_ns = ds_clock_mono_ns() - t1;
    fill_known_passwords(s, p);
    FILE *txt = o->json ? stderr : o->out;
    report_plan(p, o->strategy, txt, 0);
    report_problems(p, txt);
    if (p->n_acts == 0) {
        fprintf(txt, _("\nThe stand is up to date: nothing was changed.\n\n"));
        report_credentials(p, o->out, o->json);
        plan_free(p);
        return EXIT_OK;
    }
    if (o->confirm && !confirm(_("\nApply these changes? [y/N]"), NULL)) {
        fprintf(stderr, _("Nothing was changed.\n"));
        plan_free(p);
        return EXIT_FAILED;
    }
    fputc('\n', txt);
    int64_t took;
    rc = run_plan(s, o, p, "deploy", &took);
    p->t_exec_ns = took;
    report_result(p, took, txt);
    fputc('\n', txt);
    report_credentials(p, o->out, o->json);
    plan_free(p);
    return rc;
}

/* ---- status ------------------------------------------------------------------------------ */

static int vm_of_student(const struct inv_vm *vm, const char *tag, const struct user_entry *u)
{
    return !vm->template && inv_tags_have(vm->tags, tag) && vm->pool &&
           strcmp(vm->pool, u->pool) == 0;
}

int stand_op_status(struct session *s, const struct stand_op_opts *o)
{
    if (session_inventory(s, INV_CONFIGS_MARKED))
        return EXIT_FAILED;
    const struct cluster_view *v = s->view;
    const char *stand = s->stand->name;
    char tag[64];
    mark_stand_tag(tag, sizeof tag, stand);
    json_t *students = json_array();
    size_t deployed = 0;
    for (size_t i = 0; i < s->users->n; i++) {
        const struct user_entry *u = &s->users->users[i];
        const struct inv_user *iu = inv_user_find(v, u->userid);
        const struct inv_pool *ip = inv_pool_find(v, u->pool);
        json_t *vms = json_array();
        const char *node = NULL;
        for (size_t k = 0; k < v->n_vms; k++) {
            const struct inv_vm *vm = &v->vms[k];
            if (!vm_of_student(vm, tag, u))
                continue;
            if (!node)
                node = vm->node;
            json_array_append_new(
                vms, json_pack("{s:s, s:i, s:s, s:s}", "name", vm->name ? vm->name : "", "vmid",
                               vm->vmid, "node", vm->node, "status",
                               vm->lock ? vm->lock : (vm->status ? vm->status : "?")));
        }
        json_t *bridges = json_array();
        for (size_t n = 0; n < v->n_nets; n++)
            for (size_t f = 0; f < v->nets[n].n; f++) {
                struct mark m;
                const struct inv_iface *fi = &v->nets[n].ifaces[f];
                if (mark_parse(fi->comments, &m) && strcmp(m.stand, stand) == 0 && m.student &&
                    strcmp(m.student, u->userid) == 0)
                    json_array_append_new(bridges,
                                          json_pack("{s:s, s:s, s:s, s:b}", "node", v->nets[n].node,
                                                    "bridge", fi->name, "alias",
                                                    m.alias ? m.alias : "", "active", fi->active));
            }
        const char *ustate = !iu                                      ? "missing"
                             : mark_is(iu->comment, stand, u->userid) ? "ok"
                                                                      : "exists (not ours)";
        const char *pstate = !ip                                      ? "missing"
                             : mark_is(ip->comment, stand, u->userid) ? "ok"
                                                                      : "exists (not ours)";
        size_t nvms = json_array_size(vms);
        const char *state = nvms == s->stand->n_machines && iu && ip ? N_("deployed")
                            : nvms || iu || ip                       ? N_("partial")
                                                                     : N_("absent");
        deployed += strcmp(state, "deployed") == 0;
        json_array_append_new(students, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:o, s:o}",
                                                  "user", u->userid, "state", state, "user_state",
                                                  ustate, "pool", u->pool, "pool_state", pstate,
                                                  "node", node, "vms", vms, "bridges", bridges));
    }
    if (o->json) {
        json_t *root = json_pack("{s:s, s:o}", "stand", stand, "students", students);
        json_dumpf(root, o->out, JSON_INDENT(2));
        fputc('\n', o->out);
        json_decref(root);
        return EXIT_OK;
    }
    fprintf(o->out,
            ngettext("Stand '%s': %zu of %zu student(s) deployed\n\n",
                     "Stand '%s': %zu of %zu student(s) deployed\n\n", s->users->n),
            stand, deployed, s->users->n);
    const char *const hdr[] = {_("user"), _("state"), _("pool"), _("node"), _("VMs"), _("bridges")};
    struct table *t = table_new(6, hdr);
    size_t i;
    json_t *st;
    json_array_foreach(students, i, st)
    {
        char vms[1024] = "", brs[512] = "", pool[128];
        size_t vl = 0, bl = 0, k;
        json_t *x;
        json_array_foreach(json_object_get(st, "vms"), k, x)
        {
            if (vl < sizeof vms)
                vl += (size_t)snprintf(vms + vl, sizeof vms - vl, "%s%s %lld %s", k ? ", " : "",
                                       json_string_value(json_object_get(x, "name")),
                                       json_integer_value(json_object_get(x, "vmid")),
                                       json_string_value(json_object_get(x, "status")));
        }
        json_array_foreach(json_object_get(st, "bridges"), k, x)
        {
            if (bl < sizeof brs)
                bl += (size_t)snprintf(
                    brs + bl, sizeof brs - bl, "%s%s=%s%s", k ? ", " : "",
                    json_string_value(json_object_get(x, "alias")),
                    json_string_value(json_object_get(x, "bridge")),
                    json_is_true(json_object_get(x, "active")) ? "" : _(" (pending)"));
        }
        snprintf(pool, sizeof pool, "%s%s", json_string_value(json_object_get(st, "pool")),
                 strcmp(json_string_value(json_object_get(st, "pool_state")), "ok") == 0
                     ? ""
                     : _(" (missing)"));
        const char *node = json_string_value(json_object_get(st, "node"));
        const char *row[] = {json_string_value(json_object_get(st, "user")),
                             _(json_string_value(json_object_get(st, "state"))),
                             pool,
                             node ? node : "-",
                             vl ? vms : "-",
                             bl ? brs : "-"};
        table_add(t, row);
    }
    table_print(t, o->out);
    table_free(t);
    json_decref(students);
    return EXIT_OK;
}

/* ---- destroy ----------------------------------------------------------------------------- */

int stand_op_destroy(struct session *s, const struct stand_op_opts *o)
{
    if (session_begin_run(s, "destroy"))
        return EXIT_FAILED;
    if (session_inventory(s, INV_CONFIGS_ALL))
        return EXIT_FAILED;
    struct plan *p = NULL;
    int rc = build_plan(s, o, PLAN_DESTROY, &p);
    if (rc) {
        plan_free(p);
        return rc;
    }
    FILE *txt = o->json ? stderr : o->out;
    report_plan(p, NULL, txt, 0);
    report_problems(p, txt);
    if (p->n_acts == 0) {
        plan_free(p);
        return EXIT_OK;
    }
    if (o->confirm) {
        char expect[160];
        snprintf(expect, sizeof expect, "DELETE_%s", p->stand);
        char q[512];
        snprintf(q, sizeof q, _("\nThis removes everything listed above. Type %s to go on:"),
                 expect);
        if (!confirm(q, expect)) {
            fprintf(stderr, _("Nothing was removed.\n"));
            plan_free(p);
            return EXIT_FAILED;
        }
    }
    fputc('\n', txt);
    int64_t took;
    rc = run_plan(s, o, p, "destroy", &took);
    report_result(p, took, txt);

    /* verify: read the cluster again; a teardown plan must now be empty */
    cluster_view_free(s->view);
    s->view = NULL;
    struct plan *left = NULL;
    if (session_inventory(s, INV_CONFIGS_ALL) == 0 && build_plan(s, o, PLAN_DESTROY, &left) == 0) {
        if (left->n_acts) {
            fprintf(txt,
                    ngettext("\nVerification: %zu object(s) are still there:\n",
                             "\nVerification: %zu object(s) are still there:\n", left->n_acts),
                    left->n_acts);
            for (size_t i = 0; i < left->n_acts; i++)
                fprintf(txt, "  - %s\n", left->acts[i].summary);
            rc = EXIT_FAILED;
        } else {
            fprintf(txt,
                    o->n_only ? _("Verified: nothing of stand '%s' is left for these students.\n")
                              : _("Verified: nothing of stand '%s' is left for this class.\n"),
                    p->stand);
        }
    }
    if (o->json) {
        json_t *root = json_pack("{s:s, s:b, s:i}", "stand", p->stand, "ok", rc == EXIT_OK, "left",
                                 left ? (int)left->n_acts : -1);
        json_dumpf(root, o->out, JSON_INDENT(2));
        fputc('\n', o->out);
        json_decref(root);
    }
    plan_free(left);
    plan_free(p);
    return rc;
}

int stand_op_sweep(struct session *s, const struct stand_op_opts *o, int remove)
{
    if (session_begin_run(s, "sweep"))
        return EXIT_FAILED;
    if (session_inventory(s, INV_CONFIGS_ALL))
        return EXIT_FAILED;
    struct plan_request rq;
    request_init(&rq, s, o);
    struct plan *p = NULL;
    plan_sweep(&rq, s->view, &p);
    FILE *txt = o->json ? stderr : o->out;
    if (p->n_acts == 0) {
        fprintf(txt,
                _("No leftovers of stand '%s': everything marked for it belongs to a current "
                  "student's deploy.\n"),
                p->stand);
        report_problems(p, txt);
        plan_free(p);
        return EXIT_OK;
    }
    fprintf(txt, _("Leftovers of stand '%s' (marked for it, but no current student needs them):\n"),
            p->stand);
    report_plan(p, NULL, txt, o->json);
    report_problems(p, txt);
    if (!remove) {
        fprintf(txt, _("\nNothing was removed: run again with --yes to remove the above.\n"));
        plan_free(p);
        return EXIT_OK;
    }
    fputc('\n', txt);
    int64_t took;
    int rc = run_plan(s, o, p, "sweep", &took);
    report_result(p, took, txt);
    plan_free(p);
    cluster_view_free(s->view);
    s->view = NULL;
    if (session_inventory(s, INV_CONFIGS_ALL) == 0) {
        struct plan *left = NULL;
        plan_sweep(&rq, s->view, &left);
        if (left->n_acts) {
            fprintf(txt,
                    ngettext("Verification: %zu leftover(s) are still there.\n",
                             "Verification: %zu leftover(s) are still there.\n", left->n_acts),
                    left->n_acts);
            rc = EXIT_FAILED;
        } else {
            fprintf(txt, _("Verified: no leftovers of stand '%s'.\n"), left->stand);
        }
        plan_free(left);
    }
    return rc;
}

int stand_op_reset(struct session *s, const struct stand_op_opts *o)
{
    if (session_begin_run(s, "reset"))
        return EXIT_FAILED;
    if (session_inventory(s, INV_CONFIGS_ALL))
        return EXIT_FAILED;
    struct plan_request rq;
    request_init(&rq, s, o);
    rq.vms_only = 1;
    struct plan *p = NULL;
    if (plan_destroy(&rq, s->view, &p) < 0 || p->n_problems) {
        if (p)
            report_problems(p, stderr);
        plan_free(p);
        return EXIT_FAILED;
    }
    FILE *txt = o->json ? stderr : o->out;
    fprintf(txt,
            _("Reset of stand '%s': the VMs below are destroyed and cloned again; users, "
              "passwords, pools and bridges stay.\n"),
            p->stand);
    report_plan(p, NULL, txt, 0);
    report_problems(p, txt);
    if (o->confirm && !confirm(_("\nReset these VMs? Their disks are lost. [y/N]"), NULL)) {
        fprintf(stderr, _("Nothing was changed.\n"));
        plan_free(p);
        return EXIT_FAILED;
    }
    int rc = EXIT_OK;
    if (p->n_acts) {
        int64_t took;
        fputc('\n', txt);
        rc = run_plan(s, o, p, "reset", &took);
        report_result(p, took, txt);
    }
    plan_free(p);
    if (rc != EXIT_OK)
        return rc;
    /* the deploy part, as a run of its own in the journal; the lock is still ours */
    cluster_view_free(s->view);
    s->view = NULL;
    if (s->journal && journal_run_begin(s->journal, "reset", s->stand->name, &s->run_id) < 0)
        fprintf(stderr, _("warning: %s\n"), ds_err_last());
    fputc('\n', txt);
    return deploy_locked(s, o);
}
