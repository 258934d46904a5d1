/* plan_lifecycle: the class lifecycle plans over the VMs that carry the stand's marks: power
 * (start in start_order, stop, shutdown, reboot), the reset to the baseline snapshot, snapshots. */
#include "plan/marks.h"
#include "plan/plan_internal.h"
#include "util/err.h"
#include "util/i18n.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SHUTDOWN_TIMEOUT_DEFAULT 120

/* The selected VMs of the view, attached to their students (p->students[s].vms). */
struct life {
    struct plan *p;
    const struct plan_request *rq;
    const struct cluster_view *v;
    const struct inv_vm ***inv; /* per student, per plan VM: the VM in the view */
};

static int ent_student(const struct sidx_ent *e)
{
    return e ? (int)(intptr_t)e->ptr : -1;
}

/* Whose VM is it: tagged for the stand in a student's pool, or the stand's description mark for a
 * student (a clone that died before it joined the pool); -1 for every other VM. */
static int vm_owner(const struct life *l, const struct inv_vm *vm, const char *tag,
                    const struct sidx *by_user, const struct sidx *by_pool)
{
    if (vm->template || !vm->name)
        return -1;
    if (vm->pool && inv_tags_have(vm->tags, MARK_TAG) && inv_tags_have(vm->tags, tag)) {
        int s = ent_student(sidx_get(by_pool, vm->pool));
        if (s >= 0)
            return s;
    }
    struct mark m;
    if (mark_parse(json_string_value(json_object_get(vm->config, "description")), &m) &&
        strcmp(m.stand, l->p->stand) == 0 && m.student)
        return ent_student(sidx_get(by_user, m.student));
    return -1;
}

static void add_vm(struct life *l, int s, const struct inv_vm *vm)
{
    struct plan_student *ps = &l->p->students[s];
    ps->vms = xreallocarray(ps->vms, ps->n_vms + 1, sizeof *ps->vms);
    l->inv[s] = xreallocarray(l->inv[s], ps->n_vms + 1, sizeof *l->inv[s]);
    struct plan_vm *pv = &ps->vms[ps->n_vms];
    memset(pv, 0, sizeof *pv);
    pv->name = xstrdup(vm->name);
    pv->vmid = vm->vmid;
    pv->node = xstrdup(vm->node);
    pv->src_vmid = -1;
    pv->copy = -1;
    pv->exists = 1;
    pv->status = xstrdup(vm->status);
    pv->locked = vm->lock != NULL;
    pv->baseline = -1;
    if (!ps->node)
        ps->node = xstrdup(vm->node);
    l->inv[s][ps->n_vms++] = vm;
}

static void select_vms(struct life *l)
{
    struct sidx by_user = {0}, by_pool = {0};
    for (size_t s = 0; s < l->p->n_students; s++) {
        sidx_add(&by_user, xstrdup(l->p->students[s].userid), (void *)(intptr_t)s, NULL);
        sidx_add(&by_pool, xstrdup(l->p->students[s].pool), (void *)(intptr_t)s, NULL);
    }
    sidx_sort(&by_user);
    sidx_sort(&by_pool);
    char tag[64];
    mark_stand_tag(tag, sizeof tag, l->p->stand);
    for (size_t i = 0; i < l->v->n_vms; i++) {
        const struct inv_vm *vm = &l->v->vms[i];
        int s = vm_owner(l, vm, tag, &by_user, &by_pool);
        if (s >= 0 && (!l->rq->only_vm || strcasecmp(vm->name, l->rq->only_vm) == 0))
            add_vm(l, s, vm);
    }
    sidx_free(&by_user);
    sidx_free(&by_pool);
}

/* The plan, its students and their selected VMs; -1 with ds_err for an unknown --vm machine. */
static int life_init(struct life *l, const struct plan_request *rq, const struct cluster_view *v)
{
    const struct stand *st = rq->stand;
    int known = !rq->only_vm;
    for (size_t m = 0; !known && m < st->n_machines; m++)
        known = strcasecmp(st->machines[m].name, rq->only_vm) == 0;
    if (!known)
        return ds_err_set(_("the stand %s has no machine '%s'"), st->name, rq->only_vm);
    struct plan *p = xcalloc(1, sizeof *p);
    pl_init(p, rq, PLAN_LIFECYCLE);
    pl_students_init(p, rq);
    *l = (struct life){.p = p, .rq = rq, .v = v};
    l->inv = xcalloc(p->n_students + 1, sizeof *l->inv);
    select_vms(l);
    return 0;
}

static void life_done(struct life *l, struct plan **out)
{
    for (size_t s = 0; s < l->p->n_students; s++)
        free(l->inv[s]);
    free(l->inv);
    *out = l->p;
}

/* The connection's user must hold `priv` on /vms (from the bundle's permissions, when read). */
static void check_priv(struct life *l, const char *priv, const char *alt, const char *why)
{
    const json_t *perms = json_object_get(l->v->raw, "permissions");
    const char *user = l->rq->api_user;
    if (!perms || (user && strcmp(user, "root@pam") == 0) || pl_perm_has(perms, "/vms", priv) ||
        (alt && pl_perm_has(perms, "/vms", alt)))
        return;
    pl_problem(l->p, _("the connection's user %s lacks %s on %s (needed to %s)"), user ? user : "?",
               priv, "/vms", why);
}

static int vm_stopped(const struct plan_vm *pv)
{
    return pv->status && strcmp(pv->status, "stopped") == 0;
}

static int vm_running(const struct plan_vm *pv)
{
    return pv->status && strcmp(pv->status, "running") == 0;
}

/* Orders the start of student s's VMs: acts[i] is the action that starts VM i (-1: none). The
 * stand's start_order machines start one after the other, then the rest after all of them. */
static void order_starts(struct plan *p, const struct stand *st, int s, const int *acts)
{
    const struct plan_student *ps = &p->students[s];
    int prev = -1;
    int *first = xcalloc(ps->n_vms + 1, sizeof *first);
    for (size_t k = 0; k < st->n_start_order; k++)
        for (size_t i = 0; i < ps->n_vms; i++) {
            if (strcasecmp(ps->vms[i].name, st->start_order[k]) != 0)
                continue;
            first[i] = 1;
            if (acts[i] < 0)
                continue;
            pl_act_dep(p, acts[i], prev);
            prev = acts[i];
        }
    for (size_t i = 0; i < ps->n_vms; i++)
        for (size_t j = 0; !first[i] && acts[i] >= 0 && j < ps->n_vms; j++)
            if (first[j])
                pl_act_dep(p, acts[i], acts[j]);
    free(first);
}

/* The power action for one VM, or -1 when it is in the wanted state already. */
static int power_action(struct life *l, int s, int i, enum power_op op)
{
    struct plan *p = l->p;
    const struct plan_vm *pv = &p->students[s].vms[i];
    static const enum action_kind kinds[] = {
        [POWER_START] = ACT_VM_START,
        [POWER_STOP] = ACT_VM_STOP,
        [POWER_SHUTDOWN] = ACT_VM_SHUTDOWN,
        [POWER_REBOOT] = ACT_VM_REBOOT,
    };
    if ((op == POWER_START && vm_running(pv)) || (op == POWER_STOP && vm_stopped(pv)) ||
        (op == POWER_SHUTDOWN && vm_stopped(pv)))
        return -1;
    if (op == POWER_REBOOT && !vm_running(pv)) {
        pl_note(p, _("VM %d '%s' of %s is not running: not rebooted (start it instead)"), pv->vmid,
                pv->name, p->students[s].userid);
        return -1;
    }
    struct action *a = pl_act_new(p, kinds[op], pv->node, s, i);
    a->timeout_s =
        l->rq->shutdown_timeout_s > 0 ? l->rq->shutdown_timeout_s : SHUTDOWN_TIMEOUT_DEFAULT;
    if (op == POWER_START)
        a->summary = xasprintf(_("start VM %d '%s' on %s"), pv->vmid, pv->name, pv->node);
    else if (op == POWER_STOP)
        a->summary = xasprintf(_("stop VM %d '%s' on %s"), pv->vmid, pv->name, pv->node);
    else if (op == POWER_SHUTDOWN)
        a->summary = xasprintf(_("shut down VM %d '%s' on %s (stopped hard after %d s)"), pv->vmid,
                               pv->name, pv->node, a->timeout_s);
    else
        a->summary = xasprintf(_("reboot VM %d '%s' on %s"), pv->vmid, pv->name, pv->node);
    return a->id;
}

int plan_power(const struct plan_request *rq, const struct cluster_view *v, enum power_op op,
               struct plan **out)
{
    struct life l;
    *out = NULL;
    if ((unsigned)op > POWER_REBOOT)
        return ds_err_set(_("unknown power operation"));
    if (life_init(&l, rq, v) < 0)
        return -1;
    check_priv(&l, "VM.PowerMgmt", NULL, _("start, stop and reboot the VMs"));
    for (size_t s = 0; s < l.p->n_students && !l.p->n_problems; s++) {
        struct plan_student *ps = &l.p->students[s];
        int *acts = xcalloc(ps->n_vms + 1, sizeof *acts);
        for (size_t i = 0; i < ps->n_vms; i++)
            acts[i] = power_action(&l, (int)s, (int)i, op);
        if (op == POWER_START)
            order_starts(l.p, rq->stand, (int)s, acts);
        free(acts);
    }
    life_done(&l, out);
    return 0;
}

/* The rollback of student s's VM i to snapshot `name`, started afterwards when it runs now (or
 * when the request says so). Its action id when it starts the VM (for order_starts), else -1. */
static int rollback_action(struct life *l, int s, int i, const char *name)
{
    const struct plan_vm *pv = &l->p->students[s].vms[i];
    struct action *a = pl_act_new(l->p, ACT_VM_ROLLBACK, pv->node, s, i);
    a->target = xstrdup(name);
    a->start = l->rq->start || !vm_stopped(pv);
    a->summary = a->start ? xasprintf(_("roll VM %d '%s' on %s back to snapshot '%s' and start it"),
                                      pv->vmid, pv->name, pv->node, name)
                          : xasprintf(_("roll VM %d '%s' on %s back to snapshot '%s'"), pv->vmid,
                                      pv->name, pv->node, name);
    return a->start ? a->id : -1;
}

/* The stand's machines (or the --vm one) that student s has no VM for: noted; 1 when any. */
static int note_missing_machines(struct life *l, int s)
{
    const struct stand *st = l->rq->stand;
    const struct plan_student *ps = &l->p->students[s];
    int missing = 0;
    for (size_t m = 0; m < st->n_machines; m++) {
        const char *name = st->machines[m].name;
        int have = l->rq->only_vm && strcasecmp(name, l->rq->only_vm) != 0;
        for (size_t i = 0; !have && i < ps->n_vms; i++)
            have = strcasecmp(ps->vms[i].name, name) == 0;
        if (!have)
            pl_note(l->p, _("%s has no VM '%s' of this stand: it needs a fresh clone"), ps->userid,
                    name);
        missing |= !have;
    }
    return missing;
}

int plan_reset_baseline(const struct plan_request *rq, const struct cluster_view *v,
                        struct plan **out)
{
    struct life l;
    const char *name = rq->stand->baseline;
    *out = NULL;
    if (!name)
        return ds_err_set(_("the stand %s has no baseline snapshot (`baseline: false`)"),
                          rq->stand->name);
    if (life_init(&l, rq, v) < 0)
        return -1;
    check_priv(&l, "VM.Snapshot", "VM.Snapshot.Rollback", _("roll the VMs back to a snapshot"));
    for (size_t s = 0; s < l.p->n_students && !l.p->n_problems; s++) {
        struct plan_student *ps = &l.p->students[s];
        int *acts = xcalloc(ps->n_vms + 1, sizeof *acts);
        ps->reclone = note_missing_machines(&l, (int)s);
        for (size_t i = 0; i < ps->n_vms; i++) {
            struct plan_vm *pv = &ps->vms[i];
            pv->baseline = pl_vm_has_snapshot(v, l.inv[s][i], name);
            ps->reclone |= pv->baseline != 1;
            acts[i] = -1;
            if (pv->baseline == 1)
                acts[i] = rollback_action(&l, (int)s, (int)i, name);
            else if (pv->baseline == 0)
                pl_note(l.p,
                        _("VM %d '%s' of %s has no baseline snapshot '%s': it needs a fresh "
                          "clone"),
                        pv->vmid, pv->name, ps->userid, name);
            else
                pl_note(l.p,
                        _("it is not known whether VM %d '%s' of %s has the baseline "
                          "snapshot '%s' (its snapshots were not read): it needs a fresh "
                          "clone"),
                        pv->vmid, pv->name, ps->userid, name);
        }
        order_starts(l.p, rq->stand, (int)s, acts);
        free(acts);
    }
    life_done(&l, out);
    return 0;
}

/* One VM of plan_snapshot: the action `op` needs there, if any. */
static void snapshot_vm(struct life *l, int s, int i, enum snapshot_op op, const char *name)
{
    struct plan *p = l->p;
    const struct plan_student *ps = &p->students[s];
    const struct plan_vm *pv = &ps->vms[i];
    const struct inv_vm *vm = l->inv[s][i];
    int has = pl_vm_has_snapshot(l->v, vm, name);
    char why[320];
    if (op == SNAPSHOT_CREATE && has != 1) {
        if (pl_vm_can_snapshot(l->v, vm->config, pv->node, why, sizeof why) == 0) {
            pl_note(p, _("VM %d '%s' of %s: %s cannot take snapshots of its disks"), pv->vmid,
                    pv->name, ps->userid, why);
            return;
        }
        char mark[256];
        mark_format(mark, sizeof mark, p->stand, ps->userid, NULL, 0);
        struct action *a = pl_act_new(p, ACT_VM_SNAPSHOT, pv->node, s, i);
        a->target = xstrdup(name);
        a->comment = xstrdup(mark);
        a->if_missing = has < 0;
        a->summary =
            xasprintf(_("snapshot '%s' of VM %d '%s' on %s"), name, pv->vmid, pv->name, pv->node);
    } else if (op == SNAPSHOT_ROLLBACK && has != 0) {
        rollback_action(l, s, i, name);
    } else if (op == SNAPSHOT_ROLLBACK) {
        pl_note(p, _("VM %d '%s' of %s has no snapshot '%s': left as it is"), pv->vmid, pv->name,
                ps->userid, name);
    } else if (op == SNAPSHOT_DELETE && has != 0) {
        struct action *a = pl_act_new(p, ACT_SNAP_DELETE, pv->node, s, i);
        a->target = xstrdup(name);
        a->summary = xasprintf(_("delete snapshot '%s' of VM %d '%s' on %s"), name, pv->vmid,
                               pv->name, pv->node);
    }
}

int plan_snapshot(const struct plan_request *rq, const struct cluster_view *v, enum snapshot_op op,
                  const char *name, struct plan **out)
{
    struct life l;
    *out = NULL;
    if (!name || !stand_snapshot_name_valid(name))
        return ds_err_set(_("'%s' is not a valid snapshot name: use 2..40 letters, digits, '-' or "
                            "'_', starting with a letter (not 'current')"),
                          name ? name : "");
    if ((unsigned)op > SNAPSHOT_DELETE)
        return ds_err_set(_("unknown snapshot operation"));
    if (life_init(&l, rq, v) < 0)
        return -1;
    if (op == SNAPSHOT_ROLLBACK)
        check_priv(&l, "VM.Snapshot", "VM.Snapshot.Rollback", _("roll the VMs back to a snapshot"));
    else
        check_priv(&l, "VM.Snapshot", NULL, _("take and delete snapshots"));
    for (size_t s = 0; s < l.p->n_students && !l.p->n_problems; s++)
        for (size_t i = 0; i < l.p->students[s].n_vms; i++)
            snapshot_vm(&l, (int)s, (int)i, op, name);
    life_done(&l, out);
    return 0;
}
