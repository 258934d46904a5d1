/* plan_undo: the undo plan of a failed run (see plan_undo.h) and the run result's constructor and
 * destructor. Pure: it reads the plan and the result and builds a teardown plan. */
#include "plan/plan_undo.h"
#include "plan/plan_internal.h"
#include "util/i18n.h"
#include <stdlib.h>
#include <string.h>

struct plan_result *plan_result_new(const struct plan *p)
{
    struct plan_result *r = xcalloc(1, sizeof *r);
    r->n_acts = p->n_acts;
    r->acts = xcalloc(p->n_acts + 1, sizeof *r->acts);
    r->n_students = p->n_students;
    r->students = xcalloc(p->n_students + 1, sizeof *r->students);
    for (size_t s = 0; s < p->n_students; s++) {
        const struct plan_student *ps = &p->students[s];
        r->students[s].vmids = xcalloc(ps->n_vms + 1, sizeof *r->students[s].vmids);
        for (size_t i = 0; i < ps->n_vms; i++)
            r->students[s].vmids[i] = ps->vms[i].vmid;
    }
    r->n_copies = p->n_copies;
    r->copy_vmids = xcalloc(p->n_copies + 1, sizeof *r->copy_vmids);
    for (size_t i = 0; i < p->n_copies; i++)
        r->copy_vmids[i] = p->copies[i].vmid;
    return r;
}

void plan_result_free(struct plan_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_acts; i++) {
        free(r->acts[i].error);
        free(r->acts[i].moved_to);
    }
    free(r->acts);
    for (size_t s = 0; s < r->n_students; s++) {
        struct run_student *rs = &r->students[s];
        free(rs->error);
        if (rs->password) {
            memset(rs->password, 0, strlen(rs->password));
            free(rs->password);
        }
        free(rs->vmids);
    }
    free(r->students);
    free(r->copy_vmids);
    plan_free(r->undo);
    plan_result_free(r->undo_result);
    free(r);
}

/* p's students (identity, what existed before, the VMs with the ids the run used). */
static void copy_students(struct plan *u, const struct plan *p, const struct plan_result *r)
{
    u->students = xcalloc(p->n_students + 1, sizeof *u->students);
    u->n_students = p->n_students;
    for (size_t s = 0; s < p->n_students; s++) {
        const struct plan_student *ps = &p->students[s];
        struct plan_student *us = &u->students[s];
        us->userid = xstrdup(ps->userid);
        us->pool = xstrdup(ps->pool);
        us->node = xstrdup(ps->node);
        us->user_exists = ps->user_exists;
        us->user_ours = ps->user_ours;
        us->pool_exists = ps->pool_exists;
        us->pool_ours = ps->pool_ours;
        us->acl_exists = ps->acl_exists;
        us->cred = ps->cred;
        us->vms = xcalloc(ps->n_vms + 1, sizeof *us->vms);
        us->n_vms = ps->n_vms;
        for (size_t i = 0; i < ps->n_vms; i++) {
            const struct plan_vm *pv = &ps->vms[i];
            struct plan_vm *uv = &us->vms[i];
            *uv = *pv;
            uv->vmid = r->students[s].vmids[i];
            uv->name = xstrdup(pv->name);
            uv->node = xstrdup(pv->node);
            uv->src_node = xstrdup(pv->src_node);
            uv->status = xstrdup(pv->status);
            uv->locked = 0;
        }
    }
}

static void copy_copies(struct plan *u, const struct plan *p, const struct plan_result *r)
{
    u->copies = xcalloc(p->n_copies + 1, sizeof *u->copies);
    u->n_copies = p->n_copies;
    for (size_t i = 0; i < p->n_copies; i++) {
        u->copies[i] = p->copies[i];
        u->copies[i].vmid = r->copy_vmids[i];
        u->copies[i].orig_node = xstrdup(p->copies[i].orig_node);
        u->copies[i].node = xstrdup(p->copies[i].node);
        u->copies[i].name = xstrdup(p->copies[i].name);
        u->copies[i].description = xstrdup(p->copies[i].description);
        u->copies[i].locked = 0;
    }
}

/* A template copy whose migration did not finish is removed where it is, when it carries the copy
 * mark (on its original's node or already on the target). */
static void undo_copies(struct plan *u, const struct plan *p, const struct plan_result *r)
{
    for (size_t i = 0; i < p->n_acts; i++) {
        const struct action *a = &p->acts[i];
        if (a->kind != ACT_TPL_MIGRATE || r->acts[i].state == RUN_DONE)
            continue;
        const struct plan_copy *pc = &u->copies[a->copy];
        const char *nodes[] = {pc->orig_node, pc->node};
        for (int k = 0; k < 2; k++) {
            if (k == 1 && strcmp(nodes[0], nodes[1]) == 0)
                break;
            struct action *d = pl_act_new(u, ACT_VM_DESTROY, nodes[k], -1, -1);
            d->copy = a->copy;
            d->only_marked = 1;
            d->summary = xasprintf(_("destroy VM %d '%s' on %s"), pc->vmid, pc->name, nodes[k]);
        }
    }
}

/* Per node: its network apply after the bridges removed there. */
struct applies {
    char **node;
    int *act;
    size_t n;
};

static int apply_for(struct plan *u, struct applies *ap, const char *node)
{
    for (size_t i = 0; i < ap->n; i++)
        if (strcmp(ap->node[i], node) == 0)
            return ap->act[i];
    struct action *a = pl_act_new(u, ACT_NET_APPLY, node, -1, -1);
    a->summary = xasprintf(_("apply the network configuration of %s"), node);
    int id = a->id;
    ap->node = realloc(ap->node, (ap->n + 1) * sizeof *ap->node);
    ap->act = realloc(ap->act, (ap->n + 1) * sizeof *ap->act);
    if (!ap->node || !ap->act)
        abort();
    ap->node[ap->n] = xstrdup(node);
    ap->act[ap->n++] = id;
    return id;
}

/* Stop and destroy the VMs whose clone was sent; *vm_acts gets the destroy actions. */
static size_t undo_vms(struct plan *u, const struct plan *p, const struct plan_result *r, int s,
                       int *vm_acts)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n_acts; i++) {
        const struct action *a = &p->acts[i];
        enum run_state st = r->acts[i].state;
        if (a->student != s || a->kind != ACT_VM_CLONE || st == RUN_PENDING || st == RUN_SKIPPED)
            continue;
        const struct plan_vm *vm = &u->students[s].vms[a->vm];
        vm_acts[n++] = pl_vm_teardown(u, s, a->vm, vm->vmid, vm->name, vm->node, 1, 1);
    }
    return n;
}

static void dep_all(struct plan *u, int act, const int *deps, size_t n)
{
    for (size_t k = 0; k < n; k++)
        pl_act_dep(u, act, deps[k]);
}

/* Student s's objects from this run, in destroy's order. */
static void undo_student(struct plan *u, const struct plan *p, const struct plan_result *r, int s,
                         struct applies *ap)
{
    const struct plan_student *ps = &p->students[s];
    int *vm_acts = xcalloc(p->n_acts + 1, sizeof *vm_acts);
    size_t n_vm = undo_vms(u, p, r, s, vm_acts);
    int *revokes = xcalloc(p->n_acts + 1, sizeof *revokes);
    size_t n_rev = 0;
    for (size_t i = 0; i < p->n_acts; i++) {
        const struct action *a = &p->acts[i];
        if (a->student != s || r->acts[i].state != RUN_DONE)
            continue;
        if (a->kind == ACT_BRIDGE_CREATE) {
            const char *name = r->acts[i].moved_to ? r->acts[i].moved_to : a->target;
            struct action *d = pl_act_new(u, ACT_BRIDGE_DELETE, a->node, s, -1);
            d->target = xstrdup(name);
            d->summary = xasprintf(_("delete bridge %s on %s"), name, a->node);
            int del = d->id;
            dep_all(u, del, vm_acts, n_vm);
            pl_act_dep(u, apply_for(u, ap, a->node), del);
        } else if (a->kind == ACT_ACL_GRANT && ps->user_exists) {
            /* a user this run created takes its ACLs with it */
            struct action *d = pl_act_new(u, ACT_ACL_REVOKE, NULL, s, -1);
            d->target = xstrdup(a->target);
            d->role = xstrdup(a->role);
            d->summary = xasprintf(_("revoke %s on %s from %s"), a->role, a->target, ps->userid);
            dep_all(u, d->id, vm_acts, n_vm);
            revokes[n_rev++] = d->id;
        }
    }
    int pool_del = -1;
    for (int pass = 0; pass < 2; pass++) /* pool, then user: the pool must be empty first */
        for (size_t i = 0; i < p->n_acts; i++) {
            const struct action *a = &p->acts[i];
            enum action_kind want = pass == 0 ? ACT_POOL_CREATE : ACT_USER_CREATE;
            if (a->student != s || a->kind != want || r->acts[i].state != RUN_DONE)
                continue;
            struct action *d =
                pl_act_new(u, pass == 0 ? ACT_POOL_DELETE : ACT_USER_DELETE, NULL, s, -1);
            d->target = xstrdup(a->target);
            d->summary = pass == 0 ? xasprintf(_("delete pool %s"), a->target)
                                   : xasprintf(_("delete user %s"), a->target);
            int id = d->id;
            dep_all(u, id, vm_acts, n_vm);
            dep_all(u, id, revokes, n_rev);
            pl_act_dep(u, id, pass == 1 ? pool_del : -1);
            if (pass == 0)
                pool_del = id;
        }
    free(vm_acts);
    free(revokes);
}

int plan_undo(const struct plan *p, const struct plan_result *r, struct plan **out)
{
    *out = NULL;
    if (p->kind != PLAN_DEPLOY || r->n_acts != p->n_acts || r->n_students != p->n_students ||
        r->n_copies != p->n_copies)
        return -1;
    struct plan *u = xcalloc(1, sizeof *u);
    u->kind = PLAN_DESTROY;
    u->undo = 1;
    u->id_base = p->id_base + (int)p->n_acts;
    u->stand = xstrdup(p->stand);
    u->password_policy = p->password_policy;
    u->vmid_max = p->vmid_max;
    copy_students(u, p, r);
    copy_copies(u, p, r);
    undo_copies(u, p, r);
    struct applies ap = {0};
    for (size_t s = 0; s < p->n_students; s++)
        if (r->students[s].failed)
            undo_student(u, p, r, (int)s, &ap);
    for (size_t i = 0; i < ap.n; i++)
        free(ap.node[i]);
    free(ap.node);
    free(ap.act);
    *out = u;
    return 0;
}
