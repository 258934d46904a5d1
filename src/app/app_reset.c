/* app_reset: the baseline rollback through the shared sequence, then, for what cannot be rolled
 * back, a VM-only teardown and the deploy again (each a run of its own in the journal under the
 * same lock), and last the start of the fresh clones that ran before. */
#include "app/app_reset.h"
#include "app/app_deploy.h"
#include "app/app_request.h"
#include "app/app_run.h"
#include "util/err.h"
#include "util/i18n.h"
#include "util/xalloc.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What the reset clones fresh: the students, the VMs destroyed first, and the (student,
 * machine) pairs started afterwards. The strings point into the plan they were collected from. */
struct reclone {
    const char **users;
    size_t n_users;
    int *vmids;
    size_t n_vmids;
    const char **start_user, **start_name;
    size_t n_starts;
};

static void reclone_free(struct reclone *rs)
{
    DS_FREE_ALL(rs->users, rs->vmids, rs->start_user, rs->start_name);
    memset(rs, 0, sizeof *rs);
}

static void add_start(struct reclone *rs, const char *user, const char *name)
{
    rs->start_user = xreallocarray(rs->start_user, rs->n_starts + 1, sizeof *rs->start_user);
    rs->start_name = xreallocarray(rs->start_name, rs->n_starts + 1, sizeof *rs->start_name);
    rs->start_user[rs->n_starts] = user;
    rs->start_name[rs->n_starts++] = name;
}

static int vm_stopped(const struct plan_vm *pv)
{
    return pv->status && strcmp(pv->status, "stopped") == 0;
}

/* Student ps is cloned fresh: its VMs that `all` or lack the baseline are destroyed and started
 * again when they ran (or with --start), and with --start the stand's machines it has no VM for
 * are started once cloned. */
static void collect_student(const struct app_ctx *c, const struct app_opts *o,
                            const struct plan_student *ps, int all, struct reclone *rs)
{
    rs->users = xreallocarray(rs->users, rs->n_users + 1, sizeof *rs->users);
    rs->users[rs->n_users++] = ps->userid;
    for (size_t i = 0; i < ps->n_vms; i++) {
        const struct plan_vm *pv = &ps->vms[i];
        if (!all && pv->baseline == 1)
            continue;
        rs->vmids = xreallocarray(rs->vmids, rs->n_vmids + 1, sizeof *rs->vmids);
        rs->vmids[rs->n_vmids++] = pv->vmid;
        if (o->start || !vm_stopped(pv))
            add_start(rs, ps->userid, pv->name);
    }
    for (size_t m = 0; o->start && m < c->stand->n_machines; m++) {
        const char *name = c->stand->machines[m].name;
        int have = o->only_vm && strcasecmp(name, o->only_vm) != 0;
        for (size_t i = 0; !have && i < ps->n_vms; i++)
            have = strcasecmp(ps->vms[i].name, name) == 0;
        if (!have)
            add_start(rs, ps->userid, name);
    }
}

/* ---- views that show only some of the VMs ------------------------------------------------- */

struct keep {
    const struct app_ctx *c;
    const struct app_opts *o;
    const struct reclone *rs;
};

/* The VM (a /cluster/resources entry) is one the reset destroys. */
static int keep_doomed(const json_t *r, const struct keep *k)
{
    int vmid = (int)json_integer_value(json_object_get(r, "vmid"));
    for (size_t i = 0; i < k->rs->n_vmids; i++)
        if (k->rs->vmids[i] == vmid)
            return 1;
    return 0;
}

/* The VM is of the --vm machine (every VM without --vm). */
static int keep_machine(const json_t *r, const struct keep *k)
{
    const char *name = json_string_value(json_object_get(r, "name"));
    return !k->o->only_vm || (name && strcasecmp(name, k->o->only_vm) == 0);
}

/* The VM is a fresh clone the reset starts: a (student, machine) pair in the student's pool. */
static int keep_start(const json_t *r, const struct keep *k)
{
    const char *name = json_string_value(json_object_get(r, "name"));
    const char *pool = json_string_value(json_object_get(r, "pool"));
    for (size_t i = 0; name && pool && i < k->rs->n_starts; i++) {
        const char *user = k->rs->start_user[i];
        size_t pl = strcspn(user, "@");
        if (strlen(pool) == pl && strncmp(pool, user, pl) == 0 &&
            strcasecmp(name, k->rs->start_name[i]) == 0)
            return 1;
    }
    return 0;
}

/* The view v with only the VMs `keep` accepts (everything else as it is); NULL when out of
 * memory. Free with cluster_view_free. */
static struct cluster_view *view_only(const struct cluster_view *v,
                                      int (*keep)(const json_t *r, const struct keep *k),
                                      const struct keep *k)
{
    json_t *bundle = json_deep_copy(v->raw);
    json_t *kept = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(bundle, "resources"), i, r)
    {
        const char *type = json_string_value(json_object_get(r, "type"));
        if (!type || strcmp(type, "qemu") != 0 || keep(r, k))
            json_array_append(kept, r);
    }
    json_object_set_new(bundle, "resources", kept);
    return inventory_from_json(bundle);
}

/* ---- the fresh clones ----------------------------------------------------------------------- */

/* The VM-only teardown of the reclone set on view v (a view of the doomed VMs). APP_OK and *pd,
 * or APP_FAILED (reported). */
static int plan_doomed(struct app_ctx *c, const struct app_opts *o, const struct cluster_view *v,
                       const char *const *only, size_t n_only, struct plan **pd)
{
    struct plan_request rq;
    app_request_init(&rq, c, o);
    rq.vms_only = 1;
    rq.only = only;
    rq.n_only = n_only;
    if (!v || plan_destroy(&rq, v, pd) < 0)
        return app_error(&c->ev, NULL, "%s", v ? ds_err_last() : _("out of memory"));
    if ((*pd)->n_problems) {
        struct app_event e = {.kind = APP_EV_PROBLEMS, .stream = APP_ERR, .plan = *pd};
        app_emit(&c->ev, &e);
        return APP_FAILED;
    }
    return APP_OK;
}

/* Starts the fresh clones that ran before the reset (or all of them with --start). */
static int restart(struct app_ctx *c, const struct app_opts *o, const struct reclone *rs)
{
    if (!rs->n_starts)
        return APP_OK;
    app_next_run(c, "reset");
    if (app_ctx_refresh(c, INV_CONFIGS_MARKED))
        return APP_FAILED;
    struct keep k = {.c = c, .o = o, .rs = rs};
    struct cluster_view *v = view_only(c->view, keep_start, &k);
    struct plan_request rq;
    app_request_init(&rq, c, o);
    rq.only = rs->users;
    rq.n_only = rs->n_users;
    struct plan *p = NULL;
    int rc = v && plan_power(&rq, v, POWER_START, &p) == 0 ? APP_OK : APP_FAILED;
    if (rc)
        app_error(&c->ev, NULL, "%s", v ? ds_err_last() : _("out of memory"));
    json_t *res = NULL;
    if (!rc) {
        app_note(&c->ev, APP_TEXT,
                 o->start ? _("\nThe fresh clones are started:\n")
                          : _("\nThe fresh clones of VMs that ran are started:\n"));
        struct app_apply a = {.ask = APP_ASK_CHANGE};
        rc = app_lifecycle_apply(c, o, p, &a, "start", &res);
    }
    json_decref(res);
    plan_free(p);
    cluster_view_free(v);
    return rc;
}

/* {"user", "name", "vmid", "node", "ok"} for every VM the deploy cloned. */
static json_t *recloned_json(const struct plan *dp)
{
    json_t *list = json_array();
    for (size_t s = 0; dp && s < dp->n_students; s++) {
        const struct plan_student *ps = &dp->students[s];
        for (size_t i = 0; i < ps->n_vms; i++)
            if (!ps->vms[i].exists)
                json_array_append_new(list,
                                      json_pack("{s:s, s:s, s:i, s:s?, s:b}", "user", ps->userid,
                                                "name", ps->vms[i].name, "vmid", ps->vms[i].vmid,
                                                "node", ps->vms[i].node, "ok", !ps->failed));
    }
    return list;
}

/* Destroys the doomed VMs (plan pd), deploys the students again and starts what ran. `asked`:
 * the teacher said yes already, so nothing more is asked. *recloned gets recloned_json. */
static int reclone_run(struct app_ctx *c, const struct app_opts *o, const struct reclone *rs,
                       struct plan *pd, int asked, json_t **recloned)
{
    struct app_events saved = c->ev;
    if (asked)
        c->ev.confirm = NULL;
    if (pd->n_acts)
        app_note(&c->ev, APP_TEXT,
                 _("\nThese VMs are destroyed and cloned again from their templates:\n"));
    struct app_apply a = {.ask = APP_ASK_RESET};
    int rc = app_apply(c, o, pd, &a);
    if (rc == APP_DECLINED) {
        c->ev = saved;
        return APP_FAILED;
    }
    if (pd->n_acts)
        c->ev.confirm = NULL;
    rc = rc == APP_NOTHING ? APP_OK : rc;
    struct app_opts od = *o;
    od.only = rs->users;
    od.n_only = rs->n_users;
    app_next_run(c, "reset");
    struct plan *dp = NULL;
    int drc = app_deploy_run(c, &od, &dp);
    *recloned = recloned_json(dp);
    int src = dp ? restart(c, o, rs) : APP_OK;
    plan_free(dp);
    c->ev = saved;
    return rc ? rc : drc ? drc : src;
}

/* The outcome gets the fresh clones: "recloned", and a student whose clone failed is not ok. */
static void add_recloned(json_t *out, json_t *recloned)
{
    size_t i, k;
    json_t *r, *s;
    json_array_foreach(recloned, i, r)
    {
        if (json_is_true(json_object_get(r, "ok")))
            continue;
        json_object_set_new(out, "ok", json_false());
        json_array_foreach(json_object_get(out, "students"), k, s)
        {
            if (strcmp(json_string_value(json_object_get(s, "user")),
                       json_string_value(json_object_get(r, "user"))) == 0)
                json_object_set_new(s, "ok", json_false());
        }
    }
    json_int_t changed = json_integer_value(json_object_get(out, "changed"));
    json_object_set_new(out, "changed",
                        json_integer(changed + (json_int_t)json_array_size(recloned)));
    json_object_set_new(out, "recloned", recloned);
}

/* The fresh clones of the students the baseline plan marks: their VMs without the baseline, on
 * a fresh view (after the rollbacks). */
static int reclone_marked(struct app_ctx *c, const struct app_opts *o, const struct reclone *rs,
                          int asked, json_t **recloned)
{
    *recloned = NULL;
    app_next_run(c, "reset");
    if (app_ctx_refresh(c, INV_CONFIGS_ALL))
        return APP_FAILED;
    struct keep k = {.c = c, .o = o, .rs = rs};
    struct cluster_view *v = view_only(c->view, keep_doomed, &k);
    struct plan *pd = NULL;
    int rc = plan_doomed(c, o, v, rs->users, rs->n_users, &pd);
    cluster_view_free(v);
    if (!rc)
        rc = reclone_run(c, o, rs, pd, asked, recloned);
    plan_free(pd);
    return rc;
}

/* Rolls the selected VMs back to the baseline, then clones fresh what the plan marks. */
static int reset_baseline(struct app_ctx *c, const struct app_opts *o, json_t **out)
{
    struct plan_request rq;
    app_request_init(&rq, c, o);
    struct plan *p = NULL;
    if (plan_reset_baseline(&rq, c->view, &p) < 0) {
        app_error(&c->ev, _("the machine names are those of the stand's `machines:`"), "%s",
                  ds_err_last());
        return APP_USAGE;
    }
    struct reclone rs = {0};
    for (size_t s = 0; s < p->n_students; s++)
        if (p->students[s].reclone)
            collect_student(c, o, &p->students[s], 0, &rs);
    app_note(&c->ev, APP_TEXT,
             _("Reset of stand '%s': the VMs below go back to their baseline snapshot '%s'; "
               "users, passwords, pools and bridges stay.\n"),
             p->stand, c->stand->baseline);
    struct app_apply a = {.ask = APP_ASK_RESET};
    int rc = app_lifecycle_apply(c, o, p, &a, "reset", out);
    if (*out && rs.n_users) {
        json_t *recloned = NULL;
        int rrc = reclone_marked(c, o, &rs, p->n_acts > 0, &recloned);
        add_recloned(*out, recloned ? recloned : json_array());
        rc = rc ? rc : rrc;
    } else if (*out) {
        json_object_set_new(*out, "recloned", json_array());
    }
    if (*out && rc != APP_OK)
        json_object_set_new(*out, "ok", json_false());
    reclone_free(&rs);
    plan_free(p);
    return rc;
}

/* Every selected VM destroyed and cloned again (--reclone, or a stand without a baseline). */
static int reset_reclone(struct app_ctx *c, const struct app_opts *o, json_t **out)
{
    struct keep k = {.c = c, .o = o};
    struct cluster_view *v = view_only(c->view, keep_machine, &k);
    struct plan *pd = NULL;
    int rc = plan_doomed(c, o, v, o->only, o->n_only, &pd);
    cluster_view_free(v);
    if (rc) {
        plan_free(pd);
        return rc;
    }
    struct reclone rs = {0};
    for (size_t s = 0; s < pd->n_students; s++)
        collect_student(c, o, &pd->students[s], 1, &rs);
    app_note(&c->ev, APP_TEXT,
             _("Reset of stand '%s': the VMs below are destroyed and cloned again; users, "
               "passwords, pools and bridges stay.\n"),
             pd->stand);
    json_t *recloned = NULL;
    rc = reclone_run(c, o, &rs, pd, 0, &recloned);
    if (recloned) {
        json_t *students = json_array();
        for (size_t s = 0; s < pd->n_students; s++)
            json_array_append_new(students, json_pack("{s:s, s:b, s:[]}", "user",
                                                      pd->students[s].userid, "ok", 1, "vms"));
        *out = json_pack("{s:s, s:s, s:b, s:i, s:o}", "stand", pd->stand, "operation", "reset",
                         "ok", rc == APP_OK, "changed", 0, "students", students);
        add_recloned(*out, recloned);
    }
    reclone_free(&rs);
    plan_free(pd);
    return rc;
}

int app_reset(struct app_ctx *c, const struct app_opts *o, json_t **out)
{
    *out = NULL;
    int rc = app_request_check_vm(c, o);
    if (rc)
        return rc;
    if (app_ctx_begin_run(c, "reset") || app_ctx_refresh(c, INV_CONFIGS_ALL))
        return APP_FAILED;
    if (!o->reclone && !c->stand->baseline)
        app_note(&c->ev, APP_TEXT,
                 _("The stand has no baseline snapshot (`baseline: false`): the VMs are cloned "
                   "fresh.\n"));
    if (o->reclone || !c->stand->baseline)
        return reset_reclone(c, o, out);
    return reset_baseline(c, o, out);
}
