/* plan_destroy: the teardown and sweep plans: only objects with our marks for this stand and
 * these students, VMs first, then pools, users and the bridges no remaining VM uses. */
#include "plan/marks.h"
#include "plan/plan_internal.h"
#include "util/i18n.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct destroy_ctx {
    struct plan *p;
    const struct plan_request *rq;
    const struct cluster_view *v;
    char tag[64];
    struct sidx by_user, by_pool; /* student index (in ptr) by userid / pool */
    struct sidx vm_by_pool;       /* every VM in a pool, by pool */
    size_t **vms_of, *n_vms_of;   /* per student: indexes of its VMs in the view */
    int **acts_of;                /* per student: its VM destroy actions (n = ps->n_vms) */
    int *dying, *destroy_act;     /* per VM of the view */
};

static int ent_student(const struct sidx_ent *e)
{
    return e ? (int)(intptr_t)e->ptr : -1;
}

static void list_add(size_t **list, size_t *n, size_t v)
{
    size_t *l = realloc(*list, (*n + 1) * sizeof *l);
    if (!l)
        abort();
    l[(*n)++] = v;
    *list = l;
}

/* Which student each VM belongs to: tagged for the stand in the student's pool, or carrying the
 * student's description mark (a clone that died before it joined the pool). */
static void assign_vms(struct destroy_ctx *d)
{
    struct plan *p = d->p;
    for (size_t s = 0; s < p->n_students; s++) {
        sidx_add(&d->by_user, strdup(p->students[s].userid), (void *)(intptr_t)s, NULL);
        sidx_add(&d->by_pool, strdup(p->students[s].pool), (void *)(intptr_t)s, NULL);
    }
    sidx_sort(&d->by_user);
    sidx_sort(&d->by_pool);
    d->vms_of = xcalloc(p->n_students, sizeof *d->vms_of);
    d->n_vms_of = xcalloc(p->n_students, sizeof *d->n_vms_of);
    d->acts_of = xcalloc(p->n_students, sizeof *d->acts_of);
    for (size_t i = 0; i < d->v->n_vms; i++) {
        const struct inv_vm *vm = &d->v->vms[i];
        if (vm->pool)
            sidx_add(&d->vm_by_pool, strdup(vm->pool), vm, (void *)(intptr_t)i);
        if (vm->template)
            continue;
        int a = -1, b = -1;
        if (vm->pool && inv_tags_have(vm->tags, d->tag) && inv_tags_have(vm->tags, MARK_TAG))
            a = ent_student(sidx_get(&d->by_pool, vm->pool));
        struct mark m;
        if (mark_parse(json_string_value(json_object_get(vm->config, "description")), &m) &&
            strcmp(m.stand, p->stand) == 0 && m.student)
            b = ent_student(sidx_get(&d->by_user, m.student));
        if (a >= 0)
            list_add(&d->vms_of[a], &d->n_vms_of[a], i);
        if (b >= 0 && b != a)
            list_add(&d->vms_of[b], &d->n_vms_of[b], i);
    }
    sidx_sort(&d->vm_by_pool);
}

static int machine_in_stand(const struct stand *st, const char *name)
{
    for (size_t m = 0; name && m < st->n_machines; m++)
        if (strcasecmp(st->machines[m].name, name) == 0)
            return 1;
    return 0;
}

static int alias_in_stand(const struct stand *st, const char *alias)
{
    for (size_t m = 0; alias && m < st->n_machines; m++)
        for (size_t i = 0; i < st->machines[m].n_nets; i++)
            if (st->machines[m].nets[i].kind == STAND_NET_ALIAS &&
                strcmp(st->machines[m].nets[i].name, alias) == 0)
                return 1;
    return 0;
}

/* Stop (when running) and destroy one VM of student s. */
static void plan_vm_teardown(struct destroy_ctx *d, int s, size_t i)
{
    struct plan *p = d->p;
    struct plan_student *ps = &p->students[s];
    const struct inv_vm *vm = &d->v->vms[i];
    ps->vms = xreallocarray(ps->vms, ps->n_vms + 1, sizeof *ps->vms);
    d->acts_of[s] = xreallocarray(d->acts_of[s], ps->n_vms + 1, sizeof *d->acts_of[s]);
    struct plan_vm *pv = &ps->vms[ps->n_vms];
    memset(pv, 0, sizeof *pv);
    pv->name = xstrdup(vm->name ? vm->name : "");
    pv->vmid = vm->vmid;
    pv->node = xstrdup(vm->node);
    pv->exists = 1;
    pv->status = xstrdup(vm->status);
    pv->locked = vm->lock != NULL;
    if (!ps->node)
        ps->node = xstrdup(vm->node);
    int running = vm->status && strcmp(vm->status, "stopped") != 0;
    int destroy = pl_vm_teardown(p, s, (int)ps->n_vms, vm->vmid, pv->name, vm->node, running, 0);
    d->dying[i] = 1;
    d->destroy_act[i] = destroy;
    d->acts_of[s][ps->n_vms++] = destroy;
}

/* A VM someone else put into the student's pool: the pool stays, and so does the VM. */
static const struct inv_vm *foreign_in_pool(const struct destroy_ctx *d, const char *pool)
{
    size_t n, first = sidx_range(&d->vm_by_pool, pool, &n);
    for (size_t k = first; k < first + n; k++)
        if (!d->dying[(intptr_t)d->vm_by_pool.e[k].aux])
            return d->vm_by_pool.e[k].ptr;
    return NULL;
}

/* The student roles deploy-stand grants (student_role), revoked from a user that is not ours:
 * PVE removes a deleted user's ACLs itself, but this user stays. *acts gets the actions. */
static size_t revoke_foreign_acl(struct destroy_ctx *d, int s, const struct inv_user *u, int *acts)
{
    struct plan *p = d->p;
    struct plan_student *ps = &p->students[s];
    char path[128];
    snprintf(path, sizeof path, "/pool/%s", ps->pool);
    size_t n = 0;
    for (int r = STUDENT_ROLE_VMADMIN;
         u && !ps->user_ours && ps->pool_ours && r <= STUDENT_ROLE_MANAGED; r++) {
        const char *role = student_role_name((enum student_role)r);
        if (!inv_acl_has(d->v, path, ps->userid, role))
            continue;
        struct action *a = pl_act_new(p, ACT_ACL_REVOKE, NULL, s, -1);
        a->target = strdup(path);
        a->role = strdup(role);
        a->summary =
            xasprintf(_("revoke %s on %s from %s (the user is not ours)"), role, path, ps->userid);
        acts[n++] = a->id;
    }
    return n;
}

/* The student's pool and user, when ours, after its VMs. */
static void plan_access_teardown(struct destroy_ctx *d, int s)
{
    struct plan *p = d->p;
    struct plan_student *ps = &p->students[s];
    const struct inv_pool *pool = inv_pool_find(d->v, ps->pool);
    const struct inv_user *u = inv_user_find(d->v, ps->userid);
    ps->user_exists = u != NULL;
    ps->user_ours = u && mark_is(u->comment, p->stand, ps->userid);
    ps->pool_exists = pool != NULL;
    ps->pool_ours = pool && mark_is(pool->comment, p->stand, ps->userid);
    int revokes[STUDENT_ROLE_MANAGED + 1];
    size_t n_revokes = revoke_foreign_acl(d, s, u, revokes);
    const struct inv_vm *foreign = ps->pool_ours ? foreign_in_pool(d, ps->pool) : NULL;
    if (foreign) {
        pl_note(p,
                _("pool %s also holds VM %d, which deploy-stand did not create: the VM and the "
                  "pool are left alone"),
                ps->pool, foreign->vmid);
    } else if (ps->pool_ours) {
        struct action *a = pl_act_new(p, ACT_POOL_DELETE, NULL, s, -1);
        a->target = strdup(ps->pool);
        a->summary = xasprintf(_("delete pool %s"), ps->pool);
        for (size_t k = 0; k < ps->n_vms; k++)
            pl_act_dep(p, a->id, d->acts_of[s][k]);
        for (size_t k = 0; k < n_revokes; k++)
            pl_act_dep(p, a->id, revokes[k]);
    } else if (pool) {
        pl_note(p, _("pool %s is not marked as this stand's: left alone"), ps->pool);
    }
    if (ps->user_ours) {
        struct action *a = pl_act_new(p, ACT_USER_DELETE, NULL, s, -1);
        a->target = strdup(ps->userid);
        a->summary = xasprintf(_("delete user %s"), ps->userid);
        for (size_t k = 0; k < ps->n_vms; k++)
            pl_act_dep(p, a->id, d->acts_of[s][k]);
    } else if (u) {
        struct mark m;
        if (mark_parse(u->comment, &m) && strcmp(m.stand, p->stand) != 0)
            pl_note(p, _("user %s belongs to stand '%s': left alone"), ps->userid, m.stand);
        else
            pl_note(p, _("user %s was not created by deploy-stand: left alone"), ps->userid);
    }
}

/* Does student s keep a VM on `node` (one of its VMs that is not going away)? */
static int keeps_vm_on(const struct destroy_ctx *d, int s, const char *node)
{
    for (size_t k = 0; k < d->n_vms_of[s]; k++) {
        size_t i = d->vms_of[s][k];
        if (!d->dying[i] && strcmp(d->v->vms[i].node, node) == 0)
            return 1;
    }
    return 0;
}

/* Is this marked bridge ours to remove? *student gets its student (-1: reserved). A sweep keeps a
 * current student's bridge while the alias is in the stand and a VM of the student remains on
 * that node; one on a node the student's VMs left is a leftover. */
static int bridge_goes(const struct destroy_ctx *d, const struct inv_iface *f, const char *node,
                       int *student)
{
    struct mark m;
    *student = -1;
    if (!mark_parse(f->comments, &m) || strcmp(m.stand, d->p->stand) != 0)
        return 0;
    if (m.reserved)
        return 1;
    *student = m.student ? ent_student(sidx_get(&d->by_user, m.student)) : -1;
    if (*student < 0)
        return 0;
    return !d->p->students[*student].keep || !alias_in_stand(d->rq->stand, m.alias) ||
           !keeps_vm_on(d, *student, node);
}

/* The destroy actions of dying VMs by the bridges they use ("node\x1fbridge"; "node\x1f" for a
 * VM whose config is unknown): a bridge goes after the VMs on it. */
static void dying_users_index(const struct destroy_ctx *d, struct sidx *x)
{
    for (size_t i = 0; i < d->v->n_vms; i++) {
        const struct inv_vm *vm = &d->v->vms[i];
        if (!d->dying[i])
            continue;
        if (!vm->config)
            sidx_add(x, sidx_key(vm->node, "", NULL), (void *)(intptr_t)d->destroy_act[i], NULL);
        for (int k = 0; vm->config && k < 32; k++) {
            char key[16];
            snprintf(key, sizeof key, "net%d", k);
            const char *s = json_string_value(json_object_get(vm->config, key));
            struct nic_value nv;
            if (s && nic_parse(s, &nv) == 0)
                sidx_add(x, sidx_key(vm->node, nv.bridge, NULL),
                         (void *)(intptr_t)d->destroy_act[i], NULL);
        }
    }
    sidx_sort(x);
}

static void dep_on_range(struct plan *p, int act, const struct sidx *x, const char *key)
{
    size_t n, first = sidx_range(x, key, &n);
    for (size_t k = first; k < first + n; k++)
        pl_act_dep(p, act, (int)(intptr_t)x->e[k].ptr);
}

struct bridge_scan {
    struct sidx used, unread, dying_use;
};

/* One marked bridge of a node: deleted when nothing left uses it, else noted. */
static void plan_bridge_teardown(struct destroy_ctx *d, const struct bridge_scan *bs,
                                 const struct inv_iface *f, const char *node, int student,
                                 int *apply)
{
    struct plan *p = d->p;
    char *key = sidx_key(node, f->name, NULL);
    int used = sidx_get(&bs->used, key) != NULL;
    if (used || sidx_get(&bs->unread, node)) {
        pl_note(p,
                used ? _("bridge %s on %s is still used by a VM: left alone")
                     : _("bridge %s on %s is still possibly used (VM configs unread): left alone"),
                f->name, node);
        free(key);
        return;
    }
    struct action *a = pl_act_new(p, ACT_BRIDGE_DELETE, node, student, -1);
    a->target = strdup(f->name);
    a->summary = xasprintf(_("delete bridge %s on %s"), f->name, node);
    int del_id = a->id; /* pl_act_new below may move p->acts */
    dep_on_range(p, del_id, &bs->dying_use, key);
    char *unknown = sidx_key(node, "", NULL);
    dep_on_range(p, del_id, &bs->dying_use, unknown);
    free(unknown);
    free(key);
    if (*apply < 0) {
        struct action *ap = pl_act_new(p, ACT_NET_APPLY, node, -1, -1);
        ap->summary = xasprintf(_("apply the network configuration of %s"), node);
        *apply = ap->id;
    }
    pl_act_dep(p, *apply, del_id);
}

/* Bridges: ours for these students (or our reserved ones), and unused once the VMs are gone;
 * a reset keeps them for the new clones. */
static void plan_bridges_teardown(struct destroy_ctx *d)
{
    struct bridge_scan bs = {0};
    bridge_users_index(d->v, d->dying, &bs.used, &bs.unread);
    dying_users_index(d, &bs.dying_use);
    for (size_t ni = 0; ni < d->v->n_nets; ni++) {
        const struct inv_net *n = &d->v->nets[ni];
        int apply = -1;
        for (size_t i = 0; i < n->n; i++) {
            int student;
            if (bridge_goes(d, &n->ifaces[i], n->node, &student))
                plan_bridge_teardown(d, &bs, &n->ifaces[i], n->node, student, &apply);
        }
        /* an apply that failed before: the bridges are gone from the file, not from the host */
        char names[512];
        if (apply < 0 && mark_diff_bridges(n->changes, d->p->stand, names, sizeof names)) {
            struct action *ap = pl_act_new(d->p, ACT_NET_APPLY, n->node, -1, -1);
            ap->summary =
                xasprintf(_("apply the pending network changes of %s (%s)"), n->node, names);
        }
    }
    sidx_free(&bs.used);
    sidx_free(&bs.unread);
    sidx_free(&bs.dying_use);
}

/* The teardown actions for p->students (in a sweep, `keep` students lose only what the stand
 * no longer has, or what sits on nodes their VMs left). */
static void destroy_build(const struct plan_request *rq, const struct cluster_view *v,
                          struct plan *p)
{
    struct destroy_ctx d = {.p = p, .rq = rq, .v = v};
    mark_stand_tag(d.tag, sizeof d.tag, p->stand);
    d.dying = xcalloc(v->n_vms, sizeof *d.dying);
    d.destroy_act = xcalloc(v->n_vms, sizeof *d.destroy_act);
    assign_vms(&d);
    for (size_t s = 0; s < p->n_students; s++)
        for (size_t k = 0; k < d.n_vms_of[s]; k++) {
            const struct inv_vm *vm = &v->vms[d.vms_of[s][k]];
            if (!(p->students[s].keep && machine_in_stand(rq->stand, vm->name)))
                plan_vm_teardown(&d, (int)s, d.vms_of[s][k]);
        }
    for (size_t s = 0; s < p->n_students; s++)
        if (!p->students[s].keep && !rq->vms_only) /* a reset keeps users, pools and bridges */
            plan_access_teardown(&d, (int)s);
    if (!rq->vms_only)
        plan_bridges_teardown(&d);
    for (size_t s = 0; s < p->n_students; s++) {
        free(d.vms_of[s]);
        free(d.acts_of[s]);
    }
    free(d.vms_of);
    free(d.n_vms_of);
    free(d.acts_of);
    sidx_free(&d.by_user);
    sidx_free(&d.by_pool);
    sidx_free(&d.vm_by_pool);
    free(d.dying);
    free(d.destroy_act);
}

int plan_destroy(const struct plan_request *rq, const struct cluster_view *v, struct plan **out)
{
    struct plan *p = xcalloc(1, sizeof *p);
    pl_init(p, rq, PLAN_DESTROY);
    pl_students_init(p, rq);
    destroy_build(rq, v, p);
    *out = p;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void collect_mark(char ***ids, size_t *n, const char *text, const char *stand)
{
    struct mark m;
    if (mark_parse(text, &m) && strcmp(m.stand, stand) == 0 && m.student && *m.student)
        pl_strlist_add(ids, n, strdup(m.student));
}

/* Students known only from marks (userids no longer in the list) join a sweep plan. */
static void add_orphans(struct plan *p, const struct cluster_view *v)
{
    char **ids = NULL;
    size_t n = 0;
    for (size_t i = 0; i < v->n_users; i++)
        collect_mark(&ids, &n, v->users[i].comment, p->stand);
    for (size_t i = 0; i < v->n_pools; i++)
        collect_mark(&ids, &n, v->pools[i].comment, p->stand);
    for (size_t i = 0; i < v->n_vms; i++)
        collect_mark(&ids, &n, json_string_value(json_object_get(v->vms[i].config, "description")),
                     p->stand);
    for (size_t k = 0; k < v->n_nets; k++)
        for (size_t i = 0; i < v->nets[k].n; i++)
            collect_mark(&ids, &n, v->nets[k].ifaces[i].comments, p->stand);
    qsort(ids, n, sizeof *ids, cmp_str);
    char **known = xcalloc(p->n_students, sizeof *known);
    for (size_t s = 0; s < p->n_students; s++)
        known[s] = p->students[s].userid;
    size_t n_known = p->n_students;
    qsort(known, n_known, sizeof *known, cmp_str);
    p->students = realloc(p->students, (p->n_students + n + 1) * sizeof *p->students);
    if (!p->students)
        abort();
    for (size_t i = 0; i < n; i++) {
        if ((i && strcmp(ids[i], ids[i - 1]) == 0) ||
            (n_known && bsearch(&ids[i], known, n_known, sizeof *known, cmp_str)))
            continue;
        struct plan_student *ps = &p->students[p->n_students++];
        memset(ps, 0, sizeof *ps);
        ps->userid = strdup(ids[i]);
        ps->pool = strndup(ids[i], strcspn(ids[i], "@"));
    }
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
    free(known);
}

int plan_sweep(const struct plan_request *rq, const struct cluster_view *v, struct plan **out)
{
    struct plan *p = xcalloc(1, sizeof *p);
    pl_init(p, rq, PLAN_DESTROY);
    struct plan_request all = *rq;
    all.only = NULL;
    all.n_only = 0;
    pl_students_init(p, &all);
    for (size_t s = 0; s < p->n_students; s++)
        p->students[s].keep = 1;
    add_orphans(p, v);
    destroy_build(rq, v, p);
    *out = p;
    return 0;
}
