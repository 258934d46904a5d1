/* plan: the pure planner. It turns (stand, students, strategy, cluster view) into a DAG of actions.
 * Everything already deployed is found by its marks and skipped, so a re-run plans nothing. */
#include "plan/plan.h"
#include "plan/marks.h"
#include "plan/nic.h"
#include "plan/strategy.h"
#include "util/err.h"
#include "util/i18n.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BRIDGE_FIRST 1000
#define BRIDGE_LAST 9999

/* ---- small helpers ---------------------------------------------------------------------- */

static char *xstrdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void *xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz);
    if (!p)
        abort();
    return p;
}

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        abort();
    va_end(ap);
    return s;
}

static void strlist_add(char ***list, size_t *n, char *s)
{
    char **l = realloc(*list, (*n + 1) * sizeof *l);
    if (!l)
        abort();
    l[(*n)++] = s;
    *list = l;
}

/* Appends a formatted line to a list unless the same line is there already. */
static void strlist_vaddf_unique(char ***list, size_t *n, const char *fmt, va_list ap)
{
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        abort();
    for (size_t i = 0; i < *n; i++) {
        if (strcmp((*list)[i], s) == 0) {
            free(s);
            return;
        }
    }
    strlist_add(list, n, s);
}

/* A preflight failure: nothing of the plan may run. */
static void problem(struct plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct plan *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strlist_vaddf_unique(&p->problems, &p->n_problems, fmt, ap);
    va_end(ap);
}

/* A warning worth reading before anything changes. */
static void note(struct plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct plan *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strlist_vaddf_unique(&p->notes, &p->n_notes, fmt, ap);
    va_end(ap);
}

static void problem_cb(void *ctx, const char *msg)
{
    problem(ctx, "%s", msg);
}

static struct action *act_new(struct plan *p, enum action_kind kind, const char *node, int student,
                              int vm)
{
    struct action *a = realloc(p->acts, (p->n_acts + 1) * sizeof *a);
    if (!a)
        abort();
    p->acts = a;
    a = &p->acts[p->n_acts];
    memset(a, 0, sizeof *a);
    a->id = (int)p->n_acts++;
    a->kind = kind;
    a->node = xstrdup(node);
    a->student = student;
    a->vm = vm;
    a->copy = -1;
    return a;
}

static void act_dep(struct plan *p, int act, int dep)
{
    if (dep < 0 || act == dep)
        return;
    struct action *a = &p->acts[act];
    for (size_t i = 0; i < a->n_deps; i++)
        if (a->deps[i] == dep)
            return;
    int *d = realloc(a->deps, (a->n_deps + 1) * sizeof *d);
    if (!d)
        abort();
    d[a->n_deps++] = dep;
    a->deps = d;
}

const char *action_kind_name(enum action_kind k)
{
    switch (k) {
    case ACT_USER_CREATE:
        return N_("create user");
    case ACT_POOL_CREATE:
        return N_("create pool");
    case ACT_ACL_GRANT:
        return N_("grant role");
    case ACT_BRIDGE_CREATE:
        return N_("create bridge");
    case ACT_NET_APPLY:
        return N_("apply network");
    case ACT_VM_CLONE:
        return N_("clone");
    case ACT_VM_CONFIGURE:
        return N_("configure VM");
    case ACT_VM_STOP:
        return N_("stop VM");
    case ACT_VM_DESTROY:
        return N_("destroy VM");
    case ACT_ACL_REVOKE:
        return N_("revoke role");
    case ACT_POOL_DELETE:
        return N_("delete pool");
    case ACT_USER_DELETE:
        return N_("delete user");
    case ACT_BRIDGE_DELETE:
        return N_("delete bridge");
    case ACT_TPL_COPY:
        return N_("copy template");
    case ACT_TPL_CONVERT:
        return N_("convert copy");
    case ACT_TPL_MIGRATE:
        return N_("migrate copy");
    }
    return "?";
}

size_t plan_count(const struct plan *p, enum action_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n_acts; i++)
        n += p->acts[i].kind == kind;
    return n;
}

/* ---- privileges ------------------------------------------------------------------------ */

/* Effective privilege on `path` from GET /access/permissions: the nearest listed ancestor. */
static int perm_has(const json_t *perms, const char *path, const char *priv)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (;;) {
        json_t *set = json_object_get(perms, buf[0] ? buf : "/");
        if (set)
            return json_integer_value(json_object_get(set, priv)) != 0 ||
                   json_is_true(json_object_get(set, priv));
        if (!buf[0] || strcmp(buf, "/") == 0)
            return 0;
        char *slash = strrchr(buf, '/');
        if (!slash)
            return 0;
        *slash = '\0';
    }
}

static void check_privs(struct plan *p, const struct plan_request *rq, const struct cluster_view *v)
{
    const json_t *perms = json_object_get(v->raw, "permissions");
    if (!perms || (rq->api_user && strcmp(rq->api_user, "root@pam") == 0))
        return;
    static const struct {
        const char *path, *priv, *why;
    } need[] = {
        {"/access", "User.Modify", N_("create the students' users")},
        {"/access", "Permissions.Modify", N_("grant roles on the students' pools")},
        {"/pool", "Pool.Allocate", N_("create the students' pools")},
        {"/vms", "VM.Allocate", N_("create the students' VMs")},
        {"/vms", "VM.Config.Network", N_("set the VMs' network cards")},
        {"/storage", "Datastore.AllocateSpace", N_("allocate disks for clones")},
    };
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
        if (!perm_has(perms, need[i].path, need[i].priv))
            problem(p, _("the connection's user %s lacks %s on %s (needed to %s)"),
                    rq->api_user ? rq->api_user : "?", need[i].priv, need[i].path, _(need[i].why));
    }
    for (size_t i = 0; i < v->n_nodes; i++) {
        char path[128];
        snprintf(path, sizeof path, "/nodes/%s", v->nodes[i].name);
        if (!perm_has(perms, path, "Sys.Modify"))
            problem(p,
                    _("the connection's user %s lacks Sys.Modify on %s (needed to create bridges)"),
                    rq->api_user ? rq->api_user : "?", path);
    }
}

/* ---- VMIDs ---------------------------------------------------------------------------- */

struct vmid_alloc {
    const struct cluster_view *v;
    int next, max; /* the block ids come from */
    int exhausted;
    int *taken;
    size_t n;
};

static int vmid_used(const struct vmid_alloc *va, int id)
{
    if (inv_vm_find(va->v, id))
        return 1;
    for (size_t i = 0; i < va->n; i++)
        if (va->taken[i] == id)
            return 1;
    return 0;
}

/* The next free id of the block; when the block is used up, the id after it (and a problem). */
static int vmid_take(struct vmid_alloc *va)
{
    while (vmid_used(va, va->next))
        va->next++;
    if (va->next > va->max)
        va->exhausted = 1;
    int *t = realloc(va->taken, (va->n + 1) * sizeof *t);
    if (!t)
        abort();
    va->taken = t;
    va->taken[va->n++] = va->next;
    return va->next++;
}

/* ---- bridges --------------------------------------------------------------------------- */

struct bridge_alloc {
    const struct cluster_view *v;
    char **node, **iface; /* names handed out in this plan */
    size_t n;
};

static int bridge_name_used(const struct bridge_alloc *ba, const char *node, const char *iface)
{
    if (inv_iface_find(ba->v, node, iface))
        return 1;
    for (size_t i = 0; i < ba->n; i++)
        if (strcmp(ba->node[i], node) == 0 && strcmp(ba->iface[i], iface) == 0)
            return 1;
    return 0;
}

static char *bridge_take(struct bridge_alloc *ba, const char *node)
{
    char name[32];
    for (int n = BRIDGE_FIRST; n <= BRIDGE_LAST; n++) {
        snprintf(name, sizeof name, "vmbr%d", n);
        if (!bridge_name_used(ba, node, name)) {
            ba->node = realloc(ba->node, (ba->n + 1) * sizeof *ba->node);
            ba->iface = realloc(ba->iface, (ba->n + 1) * sizeof *ba->iface);
            if (!ba->node || !ba->iface)
                abort();
            ba->node[ba->n] = strdup(node);
            ba->iface[ba->n] = strdup(name);
            ba->n++;
            return strdup(name);
        }
    }
    return NULL;
}

static void bridge_alloc_free(struct bridge_alloc *ba)
{
    for (size_t i = 0; i < ba->n; i++) {
        free(ba->node[i]);
        free(ba->iface[i]);
    }
    free(ba->node);
    free(ba->iface);
}

/* The marked bridge of (stand, student, alias) on a node, or NULL. */
static const struct inv_iface *find_marked_bridge(const struct cluster_view *v, const char *node,
                                                  const char *stand, const char *student,
                                                  const char *alias)
{
    const struct inv_net *n = inv_net_find(v, node);
    for (size_t i = 0; n && i < n->n; i++) {
        struct mark m;
        if (mark_parse(n->ifaces[i].comments, &m) && strcmp(m.stand, stand) == 0 && m.student &&
            strcmp(m.student, student) == 0 && m.alias && strcmp(m.alias, alias) == 0)
            return &n->ifaces[i];
    }
    return NULL;
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

/* ---- the deploy plan ------------------------------------------------------------------- */

struct deploy_ctx {
    struct plan *p;
    const struct plan_request *rq;
    const struct cluster_view *v;
    struct vmid_alloc va;
    struct bridge_alloc ba;
    struct mac_pool macs;
    char tag[64];
    /* per node: index of its NET_APPLY action, -1 when none yet */
    char **apply_node;
    int *apply_act;
    size_t n_apply;
};

static int net_apply_action(struct deploy_ctx *c, const char *node)
{
    for (size_t i = 0; i < c->n_apply; i++)
        if (strcmp(c->apply_node[i], node) == 0)
            return c->apply_act[i];
    struct action *a = act_new(c->p, ACT_NET_APPLY, node, -1, -1);
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

static int find_apply(const struct deploy_ctx *c, const char *node)
{
    for (size_t i = 0; i < c->n_apply; i++)
        if (strcmp(c->apply_node[i], node) == 0)
            return c->apply_act[i];
    return -1;
}

/* Resolves a reserved bridge on a node, planning its creation once. */
static const char *reserved_bridge(struct deploy_ctx *c, const char *node, const char *name)
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
        struct action *a = act_new(p, ACT_BRIDGE_CREATE, node, -1, -1);
        a->target = strdup(name);
        a->comment = strdup(mark);
        a->summary =
            xasprintf(_("create reserved bridge %s on %s (shared by all students)"), name, node);
        int created = a->id; /* net_apply_action may move p->acts */
        act_dep(p, net_apply_action(c, node), created);
    } else if (!have->active) {
        net_apply_action(c, node);
    }
    return b->iface;
}

/* Resolves a student's alias bridge on a node, planning its creation once. */
static const char *alias_bridge(struct deploy_ctx *c, int s, const char *node, const char *alias)
{
    struct plan *p = c->p;
    struct plan_student *ps = &p->students[s];
    for (size_t i = 0; i < ps->n_bridges; i++)
        if (strcmp(ps->bridges[i].node, node) == 0 && strcmp(ps->bridges[i].alias, alias) == 0)
            return ps->bridges[i].iface;
    ps->bridges = realloc(ps->bridges, (ps->n_bridges + 1) * sizeof *ps->bridges);
    if (!ps->bridges)
        abort();
    struct plan_bridge *b = &ps->bridges[ps->n_bridges++];
    memset(b, 0, sizeof *b);
    b->node = strdup(node);
    b->alias = strdup(alias);
    b->vlan_aware = alias_vlan_aware(c->rq->stand, alias);
    const struct inv_iface *have = find_marked_bridge(c->v, node, p->stand, ps->userid, alias);
    if (have) {
        b->iface = strdup(have->name);
        b->exists = 1;
        if (!have->active)
            net_apply_action(c, node);
        if (b->vlan_aware && !have->vlan_aware)
            problem(
                p,
                _("bridge %s on %s (student %s, alias '%s') is not VLAN-aware but the stand now "
                  "tags that alias; destroy the student's stand and deploy again"),
                have->name, node, ps->userid, alias);
        return b->iface;
    }
    b->iface = bridge_take(&c->ba, node);
    if (!b->iface) {
        problem(p, _("no free bridge name vmbr%d-vmbr%d left on %s"), BRIDGE_FIRST, BRIDGE_LAST,
                node);
        b->iface = strdup("vmbr0");
        return b->iface;
    }
    char mark[256];
    mark_format(mark, sizeof mark, p->stand, ps->userid, alias, 0);
    struct action *a = act_new(p, ACT_BRIDGE_CREATE, node, s, -1);
    a->target = strdup(b->iface);
    a->comment = strdup(mark);
    a->vlan_aware = b->vlan_aware;
    a->summary = b->vlan_aware ? xasprintf(_("create bridge %s on %s for %s's '%s' (VLAN-aware)"),
                                           b->iface, node, ps->userid, alias)
                               : xasprintf(_("create bridge %s on %s for %s's '%s'"), b->iface,
                                           node, ps->userid, alias);
    int created = a->id; /* net_apply_action may move p->acts */
    act_dep(p, net_apply_action(c, node), created);
    return b->iface;
}

/* The student's VM for a machine, with the machine's name: tagged for this stand in the student's
 * pool, or carrying the description mark for this stand and student that the clone request gave
 * it. The mark decides whatever tags the VM wears: a clone of a template copy that a run left
 * unconfigured inherits the copy's tags (deploy-stand;ds-template-copy), and is still this
 * student's VM, not a copy. */
static const struct inv_vm *find_student_vm(const struct deploy_ctx *c,
                                            const struct plan_student *ps, const char *name)
{
    for (size_t i = 0; i < c->v->n_vms; i++) {
        const struct inv_vm *vm = &c->v->vms[i];
        if (vm->template || !vm->name || strcasecmp(vm->name, name) != 0)
            continue;
        if (vm->pool && strcmp(vm->pool, ps->pool) == 0 && inv_tags_have(vm->tags, c->tag))
            return vm;
        const char *desc = json_string_value(json_object_get(vm->config, "description"));
        if (mark_is(desc, c->p->stand, ps->userid))
            return vm;
    }
    return NULL;
}

static void check_templates(struct deploy_ctx *c)
{
    const struct stand *st = c->rq->stand;
    for (size_t m = 0; m < st->n_machines; m++) {
        const struct stand_machine *mc = &st->machines[m];
        const struct inv_vm *t = inv_vm_find(c->v, mc->template_vmid);
        if (!t)
            problem(c->p, _("machine '%s': template %d does not exist in the cluster"), mc->name,
                    mc->template_vmid);
        else if (!t->template)
            problem(c->p, _("machine '%s': VM %d on %s is not a template (convert it first)"),
                    mc->name, mc->template_vmid, t->node);
        else if (strcmp(t->node, mc->template_node) != 0)
            problem(c->p, _("machine '%s': template %d is on node %s, not on %s as the stand says"),
                    mc->name, mc->template_vmid, t->node, mc->template_node);
    }
}

static const char *config_digest(const struct inv_vm *vm)
{
    const char *d = vm ? json_string_value(json_object_get(vm->config, "digest")) : NULL;
    return d ? d : "";
}

/* An existing copy of template `orig` on `node`, marked by us; *stale when the original changed. */
static const struct inv_vm *find_copy(const struct deploy_ctx *c, int orig, const char *node,
                                      int *stale)
{
    const char *want = config_digest(inv_vm_find(c->v, orig));
    const struct inv_vm *best = NULL;
    for (size_t i = 0; i < c->v->n_vms; i++) {
        const struct inv_vm *vm = &c->v->vms[i];
        int of;
        char digest[64];
        if (!vm->template || strcmp(vm->node, node) != 0 ||
            !inv_tags_have(vm->tags, MARK_COPY_TAG) ||
            !mark_copy_parse(json_string_value(json_object_get(vm->config, "description")), &of,
                             digest, sizeof digest) ||
            of != orig)
            continue;
        int is_stale = !*want || strcmp(digest, want) != 0;
        if (!best || (*stale && !is_stale) || (is_stale == *stale && vm->vmid > best->vmid)) {
            best = vm;
            *stale = is_stale;
        }
    }
    return best;
}

/* A copy of `orig` for `node` that an interrupted run left unfinished: marked for that node but
 * not yet a template there (still a VM, or a template on another node). */
static const struct inv_vm *find_partial_copy(const struct deploy_ctx *c, int orig,
                                              const char *node)
{
    for (size_t i = 0; i < c->v->n_vms; i++) {
        const struct inv_vm *vm = &c->v->vms[i];
        const char *desc = json_string_value(json_object_get(vm->config, "description"));
        int of;
        char digest[64], for_node[64];
        if (!mark_copy_parse(desc, &of, digest, sizeof digest) || of != orig ||
            !mark_copy_node(desc, for_node, sizeof for_node) || strcmp(for_node, node) != 0)
            continue;
        if (!vm->template || strcmp(vm->node, node) != 0)
            return vm;
    }
    return NULL;
}

/* The template a VM on `node` is cloned from: the original when it lives there, else a copy
 * (found by its marks, named by a hint, or planned now, once per (template, node)). Sets
 * *src_vmid, or *copy to the index of a planned copy; returns the action to wait for or -1. */
static int resolve_source(struct deploy_ctx *c, const struct stand_machine *mc, const char *node,
                          int *src_vmid, int *copy)
{
    struct plan *p = c->p;
    *copy = -1;
    *src_vmid = mc->template_vmid;
    if (strcmp(node, mc->template_node) == 0)
        return -1;
    for (size_t i = 0; i < p->n_copies; i++)
        if (p->copies[i].orig == mc->template_vmid && strcmp(p->copies[i].node, node) == 0) {
            *copy = (int)i;
            for (size_t k = 0; k < p->n_acts; k++)
                if (p->acts[k].kind == ACT_TPL_MIGRATE && p->acts[k].copy == (int)i)
                    return p->acts[k].id;
            return -1;
        }
    int stale = 0;
    const struct inv_vm *have = find_copy(c, mc->template_vmid, node, &stale);
    if (have && (!stale || !c->rq->refresh_templates)) {
        if (stale)
            note(p,
                 _("template copy %d of %d on %s is stale: template %d changed since it was "
                   "copied; deploy with --refresh-templates to rebuild it"),
                 have->vmid, mc->template_vmid, node, mc->template_vmid);
        *src_vmid = have->vmid;
        return -1;
    }
    for (size_t i = 0; !have && i < c->rq->n_hints; i++) {
        const struct template_hint *h = &c->rq->hints[i];
        const struct inv_vm *vm = inv_vm_find(c->v, h->vmid);
        if (h->orig == mc->template_vmid && strcasecmp(h->node, node) == 0 && vm && vm->template &&
            strcmp(vm->node, node) == 0) {
            note(p,
                 _("using template %d on %s for %d, as mapper_template.yml says (it carries no "
                   "deploy-stand mark, so its freshness is unknown)"),
                 vm->vmid, node, mc->template_vmid);
            *src_vmid = vm->vmid;
            return -1;
        }
    }
    /* plan a new copy (full clone on the original's node, template, offline migration), or
     * the rest of one an interrupted run left half-way (its mark names this node) */
    const struct inv_vm *part = find_partial_copy(c, mc->template_vmid, node);
    p->copies = realloc(p->copies, (p->n_copies + 1) * sizeof *p->copies);
    if (!p->copies)
        abort();
    struct plan_copy *pc = &p->copies[p->n_copies];
    memset(pc, 0, sizeof *pc);
    pc->orig = mc->template_vmid;
    pc->orig_node = strdup(part ? part->node : mc->template_node);
    pc->node = strdup(node);
    pc->vmid = part ? part->vmid : vmid_take(&c->va);
    pc->locked = part && part->lock;
    pc->name = xasprintf("tpl-%d-%s", pc->orig, node);
    char mark[256];
    mark_copy_format(mark, sizeof mark, pc->orig, config_digest(inv_vm_find(c->v, pc->orig)), node);
    pc->description = strdup(mark);
    int idx = (int)p->n_copies++;
    int last = -1;
    struct action *a;
    if (!part) {
        a = act_new(p, ACT_TPL_COPY, pc->orig_node, -1, -1);
        a->copy = idx;
        a->summary = xasprintf(_("copy template %d to VM %d '%s' on %s (full clone)"), pc->orig,
                               pc->vmid, pc->name, pc->orig_node);
        last = a->id;
    }
    if (!part || !part->template) {
        a = act_new(p, ACT_TPL_CONVERT, pc->orig_node, -1, -1);
        a->copy = idx;
        a->summary =
            part ? xasprintf(_("mark VM %d as a copy of %d and convert it to a template (left "
                               "half-way by an earlier run)"),
                             pc->vmid, pc->orig)
                 : xasprintf(_("mark VM %d as a copy of %d and convert it to a template"), pc->vmid,
                             pc->orig);
        act_dep(p, a->id, last);
        last = a->id;
    }
    a = act_new(p, ACT_TPL_MIGRATE, pc->orig_node, -1, -1);
    a->copy = idx;
    a->summary = xasprintf(_("migrate template copy %d from %s to %s (offline)"), pc->vmid,
                           pc->orig_node, node);
    act_dep(p, a->id, last);
    *copy = idx;
    return a->id;
}

static void plan_student_access(struct deploy_ctx *c, int s, int *user_act, int *pool_act,
                                int *acl_act)
{
    struct plan *p = c->p;
    struct plan_student *ps = &p->students[s];
    char mark[256];
    mark_format(mark, sizeof mark, p->stand, ps->userid, NULL, 0);
    *user_act = *pool_act = *acl_act = -1;

    const struct inv_user *u = inv_user_find(c->v, ps->userid);
    ps->user_exists = u != NULL;
    ps->user_ours = u && mark_is(u->comment, p->stand, ps->userid);
    if (!u) {
        struct action *a = act_new(p, ACT_USER_CREATE, NULL, s, -1);
        a->target = strdup(ps->userid);
        a->comment = strdup(mark);
        a->summary = xasprintf(_("create user %s with a new password"), ps->userid);
        *user_act = a->id;
        ps->cred = CRED_NEW;
    } else {
        ps->cred = ps->user_ours ? CRED_UNKNOWN : CRED_UNCHANGED;
    }

    const struct inv_pool *pool = inv_pool_find(c->v, ps->pool);
    ps->pool_exists = pool != NULL;
    ps->pool_ours = pool && mark_is(pool->comment, p->stand, ps->userid);
    if (pool && !ps->pool_ours) {
        struct mark m;
        if (mark_parse(pool->comment, &m))
            problem(p,
                    _("pool '%s' for %s belongs to stand '%s'; choose another stand name or "
                      "remove that stand first"),
                    ps->pool, ps->userid, m.stand);
        else
            problem(p,
                    _("pool '%s' for %s exists and was not created by deploy-stand; rename or "
                      "remove it, or leave %s out of the list"),
                    ps->pool, ps->userid, ps->userid);
    }
    if (!pool) {
        struct action *a = act_new(p, ACT_POOL_CREATE, NULL, s, -1);
        a->target = strdup(ps->pool);
        a->comment = strdup(mark);
        a->summary = xasprintf(_("create pool %s"), ps->pool);
        *pool_act = a->id;
    }

    char path[128];
    snprintf(path, sizeof path, "/pool/%s", ps->pool);
    ps->acl_exists = inv_acl_has(c->v, path, ps->userid, "PVEVMAdmin");
    if (!ps->acl_exists) {
        struct action *a = act_new(p, ACT_ACL_GRANT, NULL, s, -1);
        a->target = strdup(path);
        a->role = strdup("PVEVMAdmin");
        a->summary = xasprintf(_("grant PVEVMAdmin on %s to %s"), path, ps->userid);
        *acl_act = a->id;
        act_dep(p, a->id, *user_act);
        act_dep(p, a->id, *pool_act);
    }
}

/* "net0 on vmbr1001, net1 on vmbr100 (tag 10), remove net2, tags" for the plan listing. */
static void describe_config(const json_t *params, char *out, size_t len)
{
    const char *k;
    json_t *val;
    size_t l = 0;
    out[0] = '\0';
    json_object_foreach((json_t *)params, k, val)
    {
        const char *sv = json_string_value(val);
        struct nic_value nv;
        int n;
        if (strncmp(k, "net", 3) == 0 && sv && nic_parse(sv, &nv) == 0 && nv.link_down)
            n = snprintf(out + l, len - l, _("%s%s %s on %s, link down"), l ? ", " : "", k,
                         nv.model, nv.bridge);
        else if (strncmp(k, "net", 3) == 0 && sv && nic_parse(sv, &nv) == 0)
            n = nv.tag ? snprintf(out + l, len - l, _("%s%s %s on %s (tag %d)"), l ? ", " : "", k,
                                  nv.model, nv.bridge, nv.tag)
                       : snprintf(out + l, len - l, _("%s%s %s on %s"), l ? ", " : "", k, nv.model,
                                  nv.bridge);
        else if (strcmp(k, "delete") == 0)
            n = snprintf(out + l, len - l, _("%sremove %s"), l ? ", " : "", sv);
        else
            n = snprintf(out + l, len - l, "%s%s", l ? ", " : "", k);
        if (n < 0 || (size_t)n >= len - l)
            break;
        l += (size_t)n;
    }
}

static void plan_student_vms(struct deploy_ctx *c, int s, const struct placement *pl, int pool_act)
{
    struct plan *p = c->p;
    const struct stand *st = c->rq->stand;
    struct plan_student *ps = &p->students[s];
    ps->n_vms = st->n_machines;
    ps->vms = xcalloc(st->n_machines, sizeof *ps->vms);
    for (size_t m = 0; m < st->n_machines; m++) {
        const struct stand_machine *mc = &st->machines[m];
        const struct placement_slot *slot = &pl->slots[(size_t)s * pl->n_machines + m];
        struct plan_vm *pv = &ps->vms[m];
        pv->name = strdup(mc->name);
        pv->device_type = mc->device_type;
        pv->full = mc->full_clone;
        pv->copy = -1;
        const struct inv_vm *have = find_student_vm(c, ps, mc->name);
        const json_t *current;
        int clone_act = -1;
        if (have) {
            pv->exists = 1;
            pv->vmid = have->vmid;
            pv->node = strdup(have->node);
            pv->status = xstrdup(have->status);
            pv->locked = have->lock != NULL;
            current = have->config;
        } else {
            pv->node = strdup(slot->node);
            pv->src_node = strdup(slot->node);
            int wait = resolve_source(c, mc, pv->node, &pv->src_vmid, &pv->copy);
            pv->vmid = vmid_take(&c->va);
            /* the NICs are computed from the original: a copy has the same config */
            const struct inv_vm *t = inv_vm_find(c->v, mc->template_vmid);
            current = t ? t->config : NULL;
            char mark[256], from[160];
            mark_format(mark, sizeof mark, p->stand, ps->userid, NULL, 0);
            if (pv->copy >= 0)
                snprintf(from, sizeof from, _("the copy %d of template %d"),
                         p->copies[pv->copy].vmid, mc->template_vmid);
            else if (pv->src_vmid != mc->template_vmid)
                snprintf(from, sizeof from, _("the copy %d of template %d"), pv->src_vmid,
                         mc->template_vmid);
            else
                snprintf(from, sizeof from, _("template %d"), pv->src_vmid);
            struct action *a = act_new(p, ACT_VM_CLONE, pv->node, s, (int)m);
            a->comment = strdup(mark);
            a->summary = mc->full_clone
                             ? xasprintf(_("full clone of %s -> VM %d '%s' in pool %s"), from,
                                         pv->vmid, mc->name, ps->pool)
                             : xasprintf(_("linked clone of %s -> VM %d '%s' in pool %s"), from,
                                         pv->vmid, mc->name, ps->pool);
            clone_act = a->id;
            act_dep(p, clone_act, pool_act);
            act_dep(p, clone_act, wait);
        }
        if (!ps->node)
            ps->node = strdup(pv->node);

        /* NICs: resolve every stand network to a real bridge on the VM's node */
        const char **bridges = xcalloc(mc->n_nets, sizeof *bridges);
        for (size_t i = 0; i < mc->n_nets; i++) {
            const struct stand_net *n = &mc->nets[i];
            if (n->kind == STAND_NET_ALIAS) {
                bridges[i] = alias_bridge(c, s, pv->node, n->name);
            } else if (n->kind == STAND_NET_RESERVED) {
                bridges[i] = reserved_bridge(c, pv->node, n->name);
            } else {
                bridges[i] = n->name;
                if (!inv_iface_find(c->v, pv->node, n->name))
                    problem(p,
                            _("machine '%s': bridge %s does not exist on %s (literal bridges are "
                              "used as they are; create it or use \"**%s**\" to have it created)"),
                            mc->name, n->name, pv->node, n->name);
            }
        }
        json_t *params = json_object();
        const struct device_profile *dp =
            mc->profile ? mc->profile : device_profile_builtin(mc->device_type);
        if (nic_plan(dp, mc->nets, bridges, mc->n_nets, current, !have, pv->vmid, &c->macs,
                     params) < 0)
            problem(p, "%s", ds_err_last());
        free(bridges);

        const char *cur_tags = have ? have->tags : NULL;
        if (!inv_tags_have(cur_tags, MARK_TAG) || !inv_tags_have(cur_tags, c->tag) ||
            inv_tags_have(cur_tags, MARK_COPY_TAG)) {
            char tags[256];
            snprintf(tags, sizeof tags, "%s;%s", MARK_TAG, c->tag);
            json_object_set_new(params, "tags", json_string(tags));
        }
        if (json_object_size(params) == 0) {
            json_decref(params);
            continue;
        }
        struct action *a = act_new(p, ACT_VM_CONFIGURE, pv->node, s, (int)m);
        a->params = params;
        char what[512];
        describe_config(params, what, sizeof what);
        a->summary = xasprintf(_("configure VM %d '%s': %s"), pv->vmid, mc->name, what);
        act_dep(p, a->id, clone_act);
        int apply = find_apply(c, pv->node);
        act_dep(p, a->id, apply);
    }
}

static void plan_init(struct plan *p, const struct plan_request *rq, enum plan_kind kind)
{
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->stand = strdup(rq->stand->name);
    p->password_policy = rq->stand->password_policy;
}

static int student_selected(const struct plan_request *rq, const char *userid)
{
    if (!rq->only || rq->n_only == 0)
        return 1;
    for (size_t i = 0; i < rq->n_only; i++)
        if (strcmp(rq->only[i], userid) == 0)
            return 1;
    return 0;
}

static void plan_students_init(struct plan *p, const struct plan_request *rq)
{
    p->students = xcalloc(rq->users->n, sizeof *p->students);
    for (size_t i = 0; i < rq->users->n; i++) {
        if (!student_selected(rq, rq->users->users[i].userid))
            continue;
        struct plan_student *ps = &p->students[p->n_students++];
        ps->userid = strdup(rq->users->users[i].userid);
        ps->pool = strdup(rq->users->users[i].pool);
    }
    for (size_t i = 0; i < rq->n_only; i++) {
        int found = 0;
        for (size_t s = 0; s < p->n_students; s++)
            found |= strcmp(p->students[s].userid, rq->only[i]) == 0;
        if (!found)
            problem(p, _("user %s is not in %s"), rq->only[i], rq->users->path);
    }
}

int plan_deploy(const struct plan_request *rq, const struct cluster_view *v, struct plan **out)
{
    *out = NULL;
    const struct strategy *strat = strategy_find(rq->strategy ? rq->strategy : "local");
    if (!strat) {
        char known[256] = "";
        size_t kl = 0;
        for (size_t i = 0; strategy_table[i]; i++)
            kl += (size_t)snprintf(known + kl, sizeof known - kl, "%s%s", i ? ", " : "",
                                   strategy_table[i]->name);
        return ds_err_set(_("unknown strategy '%s' (known: %s)"), rq->strategy, known);
    }
    struct plan *p = xcalloc(1, sizeof *p);
    plan_init(p, rq, PLAN_DEPLOY);
    plan_students_init(p, rq);

    struct deploy_ctx c = {.p = p, .rq = rq, .v = v};
    c.va.v = v;
    c.va.next = rq->stand->vmid_min ? rq->stand->vmid_min
                : rq->vmid_base > 0 ? rq->vmid_base
                                    : 5000;
    c.va.max = rq->stand->vmid_max ? rq->stand->vmid_max : 999999999;
    p->vmid_max = c.va.max;
    c.ba.v = v;
    mac_pool_init(&c.macs);
    for (size_t i = 0; i < v->n_vms; i++)
        if (v->vms[i].config)
            mac_pool_add_config(&c.macs, v->vms[i].config);
    mark_stand_tag(c.tag, sizeof c.tag, p->stand);

    struct placement pl = {.n_students = p->n_students, .n_machines = rq->stand->n_machines};
    pl.slots = xcalloc(pl.n_students * pl.n_machines + 1, sizeof *pl.slots);
    pl.why = xcalloc(pl.n_students + 1, sizeof *pl.why);
    struct placement_input in = {.stand = rq->stand,
                                 .users = rq->users,
                                 .view = v,
                                 .target_node = rq->target_node,
                                 .mem_reserve = rq->mem_reserve > 0 ? rq->mem_reserve : 0.10};
    check_privs(p, rq, v);
    check_templates(&c);
    if (strat->place(&in, &pl, problem_cb, p) < 0)
        problem(p, _("placement failed: %s"), ds_err_last());
    for (size_t s = 0; s < pl.n_students; s++)
        p->students[s].why = pl.why[s];
    free(pl.why);
    if (p->n_problems == 0) {
        for (size_t s = 0; s < p->n_students; s++) {
            int user_act, pool_act, acl_act;
            plan_student_access(&c, (int)s, &user_act, &pool_act, &acl_act);
            plan_student_vms(&c, (int)s, &pl, pool_act);
        }
    }
    for (size_t i = 0; i < c.n_apply; i++) {
        const struct inv_net *n = inv_net_find(v, c.apply_node[i]);
        if (n && n->pending)
            strlist_add(&p->notes, &p->n_notes,
                        xasprintf(_("node %s already had pending network changes; the network "
                                    "apply on %s applies them too"),
                                  c.apply_node[i], c.apply_node[i]));
        free(c.apply_node[i]);
    }
    free(c.apply_node);
    free(c.apply_act);
    free(pl.slots);
    if (c.va.exhausted)
        problem(p,
                _("the VMID range %d-%d of the stand has too few free ids for this class; widen "
                  "`vmid_range` in %s"),
                rq->stand->vmid_min, rq->stand->vmid_max, rq->stand->path);
    free(c.va.taken);
    bridge_alloc_free(&c.ba);
    mac_pool_free(&c.macs);
    *out = p;
    return 0;
}

/* ---- the teardown plan ----------------------------------------------------------------- */

/* Is `bridge` referenced by a netN of this config? Exact token match, not substring. */
static int config_uses_bridge(const json_t *config, const char *bridge)
{
    for (int i = 0; i < 32; i++) {
        char key[16];
        snprintf(key, sizeof key, "net%d", i);
        const char *s = json_string_value(json_object_get(config, key));
        struct nic_value nv;
        if (s && nic_parse(s, &nv) == 0 && strcmp(nv.bridge, bridge) == 0)
            return 1;
    }
    return 0;
}

static int vm_is_students(const struct cluster_view *v, const struct inv_vm *vm, const char *tag,
                          const char *stand, const struct plan_student *ps)
{
    (void)v;
    if (vm->template)
        return 0;
    if (inv_tags_have(vm->tags, tag) && inv_tags_have(vm->tags, MARK_TAG) && vm->pool &&
        strcmp(vm->pool, ps->pool) == 0)
        return 1;
    /* A clone that died before it joined the pool still carries its description mark. */
    const char *desc = json_string_value(json_object_get(vm->config, "description"));
    return desc && mark_is(desc, stand, ps->userid);
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

/* Adds a student known only from a mark (a userid no longer in the list) to a sweep plan. */
static void add_orphan(struct plan *p, const char *userid)
{
    if (!userid || !*userid)
        return;
    for (size_t s = 0; s < p->n_students; s++)
        if (strcmp(p->students[s].userid, userid) == 0)
            return;
    p->students = realloc(p->students, (p->n_students + 1) * sizeof *p->students);
    if (!p->students)
        abort();
    struct plan_student *ps = &p->students[p->n_students++];
    memset(ps, 0, sizeof *ps);
    ps->userid = strdup(userid);
    ps->pool = strndup(userid, strcspn(userid, "@"));
}

static void destroy_build(const struct plan_request *rq, const struct cluster_view *v,
                          struct plan *p);

int plan_destroy(const struct plan_request *rq, const struct cluster_view *v, struct plan **out)
{
    struct plan *p = xcalloc(1, sizeof *p);
    plan_init(p, rq, PLAN_DESTROY);
    plan_students_init(p, rq);
    destroy_build(rq, v, p);
    *out = p;
    return 0;
}

int plan_sweep(const struct plan_request *rq, const struct cluster_view *v, struct plan **out)
{
    struct plan *p = xcalloc(1, sizeof *p);
    plan_init(p, rq, PLAN_DESTROY);
    struct plan_request all = *rq;
    all.only = NULL;
    all.n_only = 0;
    plan_students_init(p, &all);
    for (size_t s = 0; s < p->n_students; s++)
        p->students[s].keep = 1;
    struct mark m;
    for (size_t i = 0; i < v->n_users; i++)
        if (mark_parse(v->users[i].comment, &m) && strcmp(m.stand, p->stand) == 0)
            add_orphan(p, m.student);
    for (size_t i = 0; i < v->n_pools; i++)
        if (mark_parse(v->pools[i].comment, &m) && strcmp(m.stand, p->stand) == 0)
            add_orphan(p, m.student);
    for (size_t i = 0; i < v->n_vms; i++)
        if (mark_parse(json_string_value(json_object_get(v->vms[i].config, "description")), &m) &&
            strcmp(m.stand, p->stand) == 0)
            add_orphan(p, m.student);
    for (size_t n = 0; n < v->n_nets; n++)
        for (size_t i = 0; i < v->nets[n].n; i++)
            if (mark_parse(v->nets[n].ifaces[i].comments, &m) && strcmp(m.stand, p->stand) == 0)
                add_orphan(p, m.student);
    destroy_build(rq, v, p);
    *out = p;
    return 0;
}

/* The teardown actions for p->students (in a sweep, `keep` students lose only what the stand
 * no longer has). */
static void destroy_build(const struct plan_request *rq, const struct cluster_view *v,
                          struct plan *p)
{
    char tag[64];
    mark_stand_tag(tag, sizeof tag, p->stand);

    /* VMs going away, so bridges they use may go too */
    int *dying = xcalloc(v->n_vms, sizeof *dying);
    int *destroy_act = xcalloc(v->n_vms, sizeof *destroy_act);
    for (size_t s = 0; s < p->n_students; s++) {
        struct plan_student *ps = &p->students[s];
        char mark[256];
        mark_format(mark, sizeof mark, p->stand, ps->userid, NULL, 0);
        int last_destroy[1024];
        size_t n_last = 0;
        for (size_t i = 0; i < v->n_vms; i++) {
            const struct inv_vm *vm = &v->vms[i];
            if (!vm_is_students(v, vm, tag, p->stand, ps) ||
                (ps->keep && machine_in_stand(rq->stand, vm->name)))
                continue;
            dying[i] = 1;
            ps->vms = realloc(ps->vms, (ps->n_vms + 1) * sizeof *ps->vms);
            if (!ps->vms)
                abort();
            struct plan_vm *pv = &ps->vms[ps->n_vms];
            memset(pv, 0, sizeof *pv);
            pv->name = xstrdup(vm->name ? vm->name : "");
            pv->vmid = vm->vmid;
            pv->node = strdup(vm->node);
            pv->exists = 1;
            pv->status = xstrdup(vm->status);
            pv->locked = vm->lock != NULL;
            if (!ps->node)
                ps->node = strdup(vm->node);
            int stop = -1;
            if (vm->status && strcmp(vm->status, "stopped") != 0) {
                struct action *a = act_new(p, ACT_VM_STOP, vm->node, (int)s, (int)ps->n_vms);
                a->summary = xasprintf(_("stop VM %d '%s' on %s"), vm->vmid, pv->name, vm->node);
                stop = a->id;
            }
            struct action *a = act_new(p, ACT_VM_DESTROY, vm->node, (int)s, (int)ps->n_vms);
            a->summary = xasprintf(_("destroy VM %d '%s' on %s"), vm->vmid, pv->name, vm->node);
            act_dep(p, a->id, stop);
            destroy_act[i] = a->id;
            if (n_last < sizeof last_destroy / sizeof last_destroy[0])
                last_destroy[n_last++] = a->id;
            ps->n_vms++;
        }
        if (ps->keep || rq->vms_only)
            continue; /* a current student (sweep) or a reset keeps the user and the pool */
        const struct inv_pool *pool = inv_pool_find(v, ps->pool);
        const struct inv_user *u = inv_user_find(v, ps->userid);
        ps->user_exists = u != NULL;
        ps->user_ours = u && mark_is(u->comment, p->stand, ps->userid);
        ps->pool_exists = pool != NULL;
        ps->pool_ours = pool && mark_is(pool->comment, p->stand, ps->userid);
        char path[128];
        snprintf(path, sizeof path, "/pool/%s", ps->pool);
        int revoke = -1;
        if (u && !ps->user_ours && ps->pool_ours &&
            inv_acl_has(v, path, ps->userid, "PVEVMAdmin")) {
            struct action *a = act_new(p, ACT_ACL_REVOKE, NULL, (int)s, -1);
            a->target = strdup(path);
            a->role = strdup("PVEVMAdmin");
            a->summary = xasprintf(_("revoke PVEVMAdmin on %s from %s (the user is not ours)"),
                                   path, ps->userid);
            revoke = a->id;
        }
        /* a VM someone else put into the student's pool stays, and so does the pool */
        const struct inv_vm *foreign = NULL;
        for (size_t i = 0; ps->pool_ours && i < v->n_vms && !foreign; i++)
            if (!dying[i] && v->vms[i].pool && strcmp(v->vms[i].pool, ps->pool) == 0)
                foreign = &v->vms[i];
        if (foreign) {
            strlist_add(&p->notes, &p->n_notes,
                        xasprintf(_("pool %s also holds VM %d, which deploy-stand did not create: "
                                    "the VM and the pool are left alone"),
                                  ps->pool, foreign->vmid));
        } else if (ps->pool_ours) {
            struct action *a = act_new(p, ACT_POOL_DELETE, NULL, (int)s, -1);
            a->target = strdup(ps->pool);
            a->summary = xasprintf(_("delete pool %s"), ps->pool);
            for (size_t k = 0; k < n_last; k++)
                act_dep(p, a->id, last_destroy[k]);
            act_dep(p, a->id, revoke);
        } else if (pool) {
            strlist_add(
                &p->notes, &p->n_notes,
                xasprintf(_("pool %s is not marked as this stand's: left alone"), ps->pool));
        }
        if (ps->user_ours) {
            struct action *a = act_new(p, ACT_USER_DELETE, NULL, (int)s, -1);
            a->target = strdup(ps->userid);
            a->summary = xasprintf(_("delete user %s"), ps->userid);
            for (size_t k = 0; k < n_last; k++)
                act_dep(p, a->id, last_destroy[k]);
        } else if (u) {
            strlist_add(
                &p->notes, &p->n_notes,
                xasprintf(_("user %s was not created by deploy-stand: left alone"), ps->userid));
        }
    }

    /* Bridges: ours for these students (or our reserved ones), and unused once the VMs are gone;
     * a reset keeps them for the new clones */
    for (size_t ni = 0; ni < v->n_nets && !rq->vms_only; ni++) {
        const struct inv_net *n = &v->nets[ni];
        int apply = -1;
        for (size_t i = 0; i < n->n; i++) {
            const struct inv_iface *f = &n->ifaces[i];
            struct mark m;
            if (!mark_parse(f->comments, &m) || strcmp(m.stand, p->stand) != 0)
                continue;
            int student = -1;
            if (!m.reserved) {
                for (size_t s = 0; s < p->n_students; s++)
                    if (m.student && strcmp(m.student, p->students[s].userid) == 0)
                        student = (int)s;
                if (student < 0 ||
                    (p->students[student].keep && alias_in_stand(rq->stand, m.alias)))
                    continue;
            }
            int used = 0;
            int unknown = 0;
            for (size_t k = 0; k < v->n_vms; k++) {
                const struct inv_vm *vm = &v->vms[k];
                if (dying[k] || strcmp(vm->node, n->node) != 0)
                    continue;
                if (!vm->config)
                    unknown = 1;
                else if (config_uses_bridge(vm->config, f->name))
                    used = 1;
            }
            if (used || unknown) {
                strlist_add(&p->notes, &p->n_notes,
                            used ? xasprintf(_("bridge %s on %s is still used by a VM: left alone"),
                                             f->name, n->node)
                                 : xasprintf(_("bridge %s on %s is still possibly used (VM configs "
                                               "unread): left alone"),
                                             f->name, n->node));
                continue;
            }
            struct action *a = act_new(p, ACT_BRIDGE_DELETE, n->node, student, -1);
            a->target = strdup(f->name);
            a->summary = xasprintf(_("delete bridge %s on %s"), f->name, n->node);
            for (size_t k = 0; k < v->n_vms; k++)
                if (dying[k] && strcmp(v->vms[k].node, n->node) == 0)
                    act_dep(p, a->id, destroy_act[k]);
            int del_id = a->id; /* act_new below may move p->acts */
            if (apply < 0) {
                struct action *ap = act_new(p, ACT_NET_APPLY, n->node, -1, -1);
                ap->summary = xasprintf(_("apply the network configuration of %s"), n->node);
                apply = ap->id;
            }
            act_dep(p, apply, del_id);
        }
    }
    free(dying);
    free(destroy_act);
}

/* ---- freeing --------------------------------------------------------------------------- */

static void plan_bridge_free(struct plan_bridge *b)
{
    free(b->node);
    free(b->iface);
    free(b->alias);
}

void plan_free(struct plan *p)
{
    if (!p)
        return;
    for (size_t s = 0; s < p->n_students; s++) {
        struct plan_student *ps = &p->students[s];
        for (size_t i = 0; i < ps->n_vms; i++) {
            free(ps->vms[i].name);
            free(ps->vms[i].node);
            free(ps->vms[i].src_node);
            free(ps->vms[i].status);
        }
        free(ps->vms);
        for (size_t i = 0; i < ps->n_bridges; i++)
            plan_bridge_free(&ps->bridges[i]);
        free(ps->bridges);
        free(ps->userid);
        free(ps->pool);
        free(ps->node);
        if (ps->password) {
            memset(ps->password, 0, strlen(ps->password));
            free(ps->password);
        }
        free(ps->error);
        free(ps->why);
    }
    free(p->students);
    for (size_t i = 0; i < p->n_copies; i++) {
        free(p->copies[i].orig_node);
        free(p->copies[i].node);
        free(p->copies[i].name);
        free(p->copies[i].description);
    }
    free(p->copies);
    for (size_t i = 0; i < p->n_shared_bridges; i++)
        plan_bridge_free(&p->shared_bridges[i]);
    free(p->shared_bridges);
    for (size_t i = 0; i < p->n_acts; i++) {
        struct action *a = &p->acts[i];
        free(a->node);
        free(a->target);
        free(a->comment);
        free(a->role);
        free(a->summary);
        free(a->deps);
        json_decref(a->params);
    }
    free(p->acts);
    for (size_t i = 0; i < p->n_problems; i++)
        free(p->problems[i]);
    free(p->problems);
    for (size_t i = 0; i < p->n_notes; i++)
        free(p->notes[i]);
    free(p->notes);
    free(p->stand);
    free(p);
}
