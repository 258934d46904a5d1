/* plan_bridges: the deploy plan's bridges: private bridge names unique across the cluster, the
 * reserved bridges, one network apply per node, and the removal of bridges a student left behind.
 */
#include "plan/marks.h"
#include "plan/plan_internal.h"
#include "util/i18n.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The number of a name "vmbrN" (no leading zero) in [0, BRIDGE_LAST], else -1. */
static int bridge_number(const char *name)
{
    if (strncmp(name, "vmbr", 4) != 0 || !name[4] || (name[4] == '0' && name[5]) ||
        strspn(name + 4, "0123456789") != strlen(name + 4) || strlen(name + 4) > 5)
        return -1;
    int n = atoi(name + 4);
    return n <= BRIDGE_LAST ? n : -1;
}

/* Indexes the marked bridges of this stand, and every taken number (any node, anyone's). */
void bridges_init(struct deploy_ctx *c)
{
    struct bridge_names *bn = &c->bn;
    bn->taken = xcalloc(BRIDGE_LAST + 1, 1);
    bn->next = BRIDGE_FIRST;
    for (size_t ni = 0; ni < c->v->n_nets; ni++) {
        const struct inv_net *n = &c->v->nets[ni];
        for (size_t i = 0; i < n->n; i++) {
            const struct inv_iface *f = &n->ifaces[i];
            int num = bridge_number(f->name);
            if (num >= 0)
                bn->taken[num] = 1;
            struct mark m;
            if (!mark_parse(f->comments, &m) || strcmp(m.stand, c->p->stand) != 0 || !m.student ||
                !m.alias)
                continue;
            sidx_add(&c->br_marked, sidx_key(n->node, m.student, m.alias), f, n->node);
            sidx_add(&c->br_student, strdup(m.student), f, n->node);
        }
    }
    for (int i = BRIDGE_FIRST; i <= BRIDGE_LAST; i++)
        bn->n_free += !bn->taken[i];
    sidx_sort(&c->br_marked);
    sidx_sort(&c->br_student);
}

void bridges_free(struct deploy_ctx *c)
{
    free(c->bn.taken);
    sidx_free(&c->br_marked);
    sidx_free(&c->br_student);
    sidx_free(&c->br_used);
    sidx_free(&c->br_unread);
    for (size_t i = 0; i < c->n_apply; i++)
        free(c->apply_node[i]);
    free(c->apply_node);
    free(c->apply_act);
}

/* The lowest number free on every node of the cluster; NULL when none is left. */
static char *bridge_take(struct bridge_names *bn)
{
    while (bn->next <= BRIDGE_LAST && bn->taken[bn->next])
        bn->next++;
    if (bn->next > BRIDGE_LAST)
        return NULL;
    bn->taken[bn->next] = 1;
    bn->n_free--;
    return xasprintf("vmbr%d", bn->next++);
}

int find_apply(const struct deploy_ctx *c, const char *node)
{
    for (size_t i = 0; i < c->n_apply; i++)
        if (strcmp(c->apply_node[i], node) == 0)
            return c->apply_act[i];
    return -1;
}

int net_apply_action(struct deploy_ctx *c, const char *node)
{
    int have = find_apply(c, node);
    if (have >= 0)
        return have;
    struct action *a = pl_act_new(c->p, ACT_NET_APPLY, node, -1, -1);
    a->summary = xasprintf(_("apply the network configuration of %s (one reload)"), node);
    c->apply_node = realloc(c->apply_node, (c->n_apply + 1) * sizeof *c->apply_node);
    c->apply_act = realloc(c->apply_act, (c->n_apply + 1) * sizeof *c->apply_act);
    if (!c->apply_node || !c->apply_act)
        abort();
    c->apply_node[c->n_apply] = strdup(node);
    c->apply_act[c->n_apply] = a->id;
    c->n_apply++;
    return a->id;
}

/* Resolves a reserved bridge on a node, planning its creation once. */
const char *reserved_bridge(struct deploy_ctx *c, const char *node, const char *name)
{
    struct plan *p = c->p;
    for (size_t i = 0; i < p->n_shared_bridges; i++)
        if (strcmp(p->shared_bridges[i].node, node) == 0 &&
            strcmp(p->shared_bridges[i].iface, name) == 0)
            return p->shared_bridges[i].iface;
    p->shared_bridges =
        realloc(p->shared_bridges, (p->n_shared_bridges + 1) * sizeof *p->shared_bridges);
    if (!p->shared_bridges)
        abort();
    struct plan_bridge *b = &p->shared_bridges[p->n_shared_bridges++];
    memset(b, 0, sizeof *b);
    b->node = strdup(node);
    b->iface = strdup(name);
    const struct inv_iface *have = inv_iface_find(c->v, node, name);
    b->exists = have != NULL;
    if (!have) {
        char mark[256];
        mark_format(mark, sizeof mark, p->stand, NULL, NULL, 1);
        struct action *a = pl_act_new(p, ACT_BRIDGE_CREATE, node, -1, -1);
        a->target = strdup(name);
        a->comment = strdup(mark);
        a->summary =
            xasprintf(_("create reserved bridge %s on %s (shared by all students)"), name, node);
        int created = a->id; /* net_apply_action may move p->acts */
        pl_act_dep(p, net_apply_action(c, node), created);
    } else if (!have->active) {
        net_apply_action(c, node);
    }
    return b->iface;
}

static int alias_vlan_aware(const struct stand *st, const char *alias)
{
    for (size_t m = 0; m < st->n_machines; m++)
        for (size_t i = 0; i < st->machines[m].n_nets; i++) {
            const struct stand_net *n = &st->machines[m].nets[i];
            if (n->kind == STAND_NET_ALIAS && n->vid && strcmp(n->name, alias) == 0)
                return 1;
        }
    return 0;
}

/* The name the student's alias already has on another node (this plan's or the cluster's), when
 * that name is free on `node`: the same student's same network keeps one name everywhere. */
static const char *alias_name_elsewhere(const struct deploy_ctx *c, const struct plan_student *ps,
                                        const char *node, const char *alias)
{
    for (size_t i = 0; i < ps->n_bridges; i++)
        if (ps->bridges[i].alias && strcmp(ps->bridges[i].alias, alias) == 0 &&
            strcmp(ps->bridges[i].node, node) != 0 &&
            !inv_iface_find(c->v, node, ps->bridges[i].iface))
            return ps->bridges[i].iface;
    size_t n, first = sidx_range(&c->br_student, ps->userid, &n);
    for (size_t k = first; k < first + n; k++) {
        const struct inv_iface *f = c->br_student.e[k].ptr;
        struct mark m;
        if (mark_parse(f->comments, &m) && m.alias && strcmp(m.alias, alias) == 0 &&
            !inv_iface_find(c->v, node, f->name))
            return f->name;
    }
    return NULL;
}

static void plan_bridge_create(struct deploy_ctx *c, int s, const struct plan_bridge *b)
{
    struct plan *p = c->p;
    const char *who = p->students[s].userid;
    char mark[256];
    mark_format(mark, sizeof mark, p->stand, who, b->alias, 0);
    struct action *a = pl_act_new(p, ACT_BRIDGE_CREATE, b->node, s, -1);
    a->target = strdup(b->iface);
    a->comment = strdup(mark);
    a->vlan_aware = b->vlan_aware;
    a->summary = b->vlan_aware ? xasprintf(_("create bridge %s on %s for %s's '%s' (VLAN-aware)"),
                                           b->iface, b->node, who, b->alias)
                               : xasprintf(_("create bridge %s on %s for %s's '%s'"), b->iface,
                                           b->node, who, b->alias);
    int created = a->id; /* net_apply_action may move p->acts */
    pl_act_dep(p, net_apply_action(c, b->node), created);
}

/* An existing marked bridge of the student's alias on the node. */
static void adopt_bridge(struct deploy_ctx *c, struct plan_bridge *b, const char *userid,
                         const struct inv_iface *have)
{
    b->iface = strdup(have->name);
    b->exists = 1;
    if (!have->active)
        net_apply_action(c, b->node);
    if (b->vlan_aware && !have->vlan_aware)
        pl_problem(c->p,
                   _("bridge %s on %s (student %s, alias '%s') is not VLAN-aware but the stand "
                     "now tags that alias; destroy the student's stand and deploy again"),
                   have->name, b->node, userid, b->alias);
}

/* Resolves a student's alias bridge on a node, planning its creation once. */
const char *alias_bridge(struct deploy_ctx *c, int s, const char *node, const char *alias)
{
    struct plan *p = c->p;
    struct plan_student *ps = &p->students[s];
    for (size_t i = 0; i < ps->n_bridges; i++)
        if (strcmp(ps->bridges[i].node, node) == 0 && strcmp(ps->bridges[i].alias, alias) == 0)
            return ps->bridges[i].iface;
    char *key = sidx_key(node, ps->userid, alias);
    const struct sidx_ent *have = sidx_get(&c->br_marked, key);
    free(key);
    const char *same = have ? NULL : alias_name_elsewhere(c, ps, node, alias);
    char *name = same ? strdup(same) : have ? NULL : bridge_take(&c->bn);
    ps->bridges = realloc(ps->bridges, (ps->n_bridges + 1) * sizeof *ps->bridges);
    if (!ps->bridges)
        abort();
    struct plan_bridge *b = &ps->bridges[ps->n_bridges++];
    memset(b, 0, sizeof *b);
    b->node = strdup(node);
    b->alias = strdup(alias);
    b->vlan_aware = alias_vlan_aware(c->rq->stand, alias);
    if (have) {
        adopt_bridge(c, b, ps->userid, have->ptr);
        return b->iface;
    }
    if (!name) {
        pl_problem(p,
                   _("no free bridge name left in vmbr%d-vmbr%d: bridge names are unique across "
                     "the cluster and this class needs more; deploy fewer students per stand or "
                     "remove leftovers (sweep)"),
                   BRIDGE_FIRST, BRIDGE_LAST);
        b->iface = strdup("vmbr0"); /* never runs: the plan has a problem */
        return b->iface;
    }
    b->iface = name;
    plan_bridge_create(c, s, b);
    return b->iface;
}

/* ---- bridges a student left behind ------------------------------------------------------ */

static void add_nic_bridges(struct sidx *used, const struct inv_vm *vm)
{
    for (int i = 0; i < 32; i++) {
        char key[16];
        snprintf(key, sizeof key, "net%d", i);
        const char *s = json_string_value(json_object_get(vm->config, key));
        struct nic_value nv;
        if (s && nic_parse(s, &nv) == 0)
            sidx_add(used, sidx_key(vm->node, nv.bridge, NULL), vm, NULL);
    }
}

void bridge_users_index(const struct cluster_view *v, const int *skip, struct sidx *used,
                        struct sidx *unread)
{
    for (size_t i = 0; i < v->n_vms; i++) {
        const struct inv_vm *vm = &v->vms[i];
        if ((skip && skip[i]) || !vm->node)
            continue;
        if (!vm->config)
            sidx_add(unread, strdup(vm->node), vm, NULL);
        else
            add_nic_bridges(used, vm);
    }
    sidx_sort(used);
    sidx_sort(unread);
}

static int student_on_node(const struct plan_student *ps, const char *node)
{
    for (size_t i = 0; i < ps->n_vms; i++)
        if (ps->vms[i].node && strcmp(ps->vms[i].node, node) == 0)
            return 1;
    return 0;
}

static void stale_bridge(struct deploy_ctx *c, int s, const struct inv_iface *f, const char *node,
                         const struct sidx *used, const struct sidx *unread)
{
    struct plan *p = c->p;
    char *key = sidx_key(node, f->name, NULL);
    int in_use = sidx_get(used, key) != NULL;
    free(key);
    if (in_use || sidx_get(unread, node)) {
        pl_note(p,
                in_use ? _("bridge %s on %s of %s is no longer needed there (the student's VMs "
                           "are on other nodes) but a VM still uses it: left alone")
                       : _("bridge %s on %s of %s is no longer needed there (the student's VMs "
                           "are on other nodes); the node's VM configs were not read, so it is "
                           "left alone: `sweep` removes it"),
                f->name, node, p->students[s].userid);
        return;
    }
    struct action *a = pl_act_new(p, ACT_BRIDGE_DELETE, node, s, -1);
    a->target = strdup(f->name);
    a->summary = xasprintf(_("delete bridge %s on %s: %s's VMs are no longer on that node"),
                           f->name, node, p->students[s].userid);
    int del = a->id;
    pl_act_dep(p, net_apply_action(c, node), del);
}

/* A student's marked bridges on nodes where none of its VMs are now (a reset or re-deploy moved
 * them): removed, unless a VM still uses one or the node's VM configs are unknown. */
void plan_stale_bridges(struct deploy_ctx *c, int s)
{
    const struct plan_student *ps = &c->p->students[s];
    size_t n, first = sidx_range(&c->br_student, ps->userid, &n);
    if (!n)
        return;
    int any = 0;
    for (size_t k = first; k < first + n && !any; k++)
        any = !student_on_node(ps, c->br_student.e[k].aux);
    if (!any)
        return;
    if (!c->br_users_built) {
        bridge_users_index(c->v, NULL, &c->br_used, &c->br_unread);
        c->br_users_built = 1;
    }
    for (size_t k = first; k < first + n; k++) {
        const char *node = c->br_student.e[k].aux;
        if (!student_on_node(ps, node))
            stale_bridge(c, s, c->br_student.e[k].ptr, node, &c->br_used, &c->br_unread);
    }
}
