/* plan_deploy: the deploy plan: preflight checks, placement, each student's user, pool, role,
 * clones and NICs. Everything already deployed is found by its marks, so a re-run plans nothing. */
#include "plan/marks.h"
#include "plan/plan_capacity.h"
#include "plan/plan_checks.h"
#include "plan/plan_internal.h"
#include "plan/strategy.h"
#include "util/err.h"
#include "util/i18n.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void problem_cb(void *ctx, const char *msg)
{
    pl_problem(ctx, "%s", msg);
}

static void check_privs(struct plan *p, const struct plan_request *rq, const struct cluster_view *v)
{
    const json_t *perms = json_object_get(v->raw, "permissions");
    if (!perms || (rq->api_user && strcmp(rq->api_user, "root@pam") == 0))
        return;
    int role = pl_role_missing(rq, v), baseline = rq->stand->baseline != NULL;
    const struct {
        const char *path, *priv, *why;
        int wanted;
    } need[] = {
        {"/access", "User.Modify", N_("create the students' users"), 1},
        {"/access", "Permissions.Modify", N_("grant roles on the students' pools"), 1},
        {"/pool", "Pool.Allocate", N_("create the students' pools"), 1},
        {"/vms", "VM.Allocate", N_("create the students' VMs"), 1},
        {"/vms", "VM.Config.Network", N_("set the VMs' network cards"), 1},
        {"/storage", "Datastore.AllocateSpace", N_("allocate disks for clones"), 1},
        {"/access", "Sys.Modify", N_("create the students' role"), role},
        {"/vms", "VM.Snapshot", N_("take the baseline snapshots"), baseline},
    };
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
        if (need[i].wanted && !pl_perm_has(perms, need[i].path, need[i].priv))
            pl_problem(p, _("the connection's user %s lacks %s on %s (needed to %s)"),
                       rq->api_user ? rq->api_user : "?", need[i].priv, need[i].path,
                       _(need[i].why));
    }
    for (size_t i = 0; i < v->n_nodes; i++) {
        char path[128];
        snprintf(path, sizeof path, "/nodes/%s", v->nodes[i].name);
        if (!pl_perm_has(perms, path, "Sys.Modify"))
            pl_problem(
                p, _("the connection's user %s lacks Sys.Modify on %s (needed to create bridges)"),
                rq->api_user ? rq->api_user : "?", path);
    }
}

/* The student's VM for a machine, with the machine's name: tagged for this stand in the student's
 * pool, or carrying the description mark for this stand and student that the clone request gave
 * it. The mark decides whatever tags the VM wears: a clone of a template copy that a run left
 * unconfigured inherits the copy's tags (deploy-stand;ds-template-copy), and is still this
 * student's VM, not a copy. The first such VM of the view wins. */
static const struct inv_vm *find_student_vm(const struct deploy_ctx *c,
                                            const struct plan_student *ps, const char *name)
{
    char *lname = pl_lower(name);
    char *k1 = sidx_key(ps->pool, lname, NULL), *k2 = sidx_key(ps->userid, lname, NULL);
    const struct sidx_ent *a = sidx_get(&c->vm_pool, k1), *b = sidx_get(&c->vm_mark, k2);
    free(lname);
    free(k1);
    free(k2);
    const struct inv_vm *x = a ? a->ptr : NULL, *y = b ? b->ptr : NULL;
    return !x ? y : !y ? x : x < y ? x : y;
}

/* Indexes the VMs that may be a student's: by (pool, name) and by (mark's student, name). */
static void student_vms_index(struct deploy_ctx *c)
{
    for (size_t i = 0; i < c->v->n_vms; i++) {
        const struct inv_vm *vm = &c->v->vms[i];
        if (vm->template || !vm->name)
            continue;
        char *lname = pl_lower(vm->name);
        if (vm->pool && inv_tags_have(vm->tags, c->tag))
            sidx_add(&c->vm_pool, sidx_key(vm->pool, lname, NULL), vm, NULL);
        struct mark m;
        const char *desc = json_string_value(json_object_get(vm->config, "description"));
        if (mark_parse(desc, &m) && strcmp(m.stand, c->p->stand) == 0 && m.student)
            sidx_add(&c->vm_mark, sidx_key(m.student, lname, NULL), vm, NULL);
        free(lname);
    }
    sidx_sort(&c->vm_pool);
    sidx_sort(&c->vm_mark);
}

static void plan_student_access(struct deploy_ctx *c, int s, int *user_act, int *pool_act)
{
    struct plan *p = c->p;
    struct plan_student *ps = &p->students[s];
    char mark[256];
    mark_format(mark, sizeof mark, p->stand, ps->userid, NULL, 0);
    *user_act = *pool_act = -1;

    const struct inv_user *u = inv_user_find(c->v, ps->userid);
    ps->user_exists = u != NULL;
    ps->user_ours = u && mark_is(u->comment, p->stand, ps->userid);
    int external = plan_realm_external(c->v, ps->userid);
    if (!u) {
        struct action *a = pl_act_new(p, ACT_USER_CREATE, NULL, s, -1);
        a->target = strdup(ps->userid);
        a->comment = strdup(mark);
        a->external = external;
        a->summary = external ? xasprintf(_("create user %s of the directory realm %s (no "
                                            "password: the student logs in with that account)"),
                                          ps->userid, strrchr(ps->userid, '@') + 1)
                     : c->rq->stand->expires
                         ? xasprintf(_("create user %s with a new password, expiring at the end "
                                       "of %s (UTC)"),
                                     ps->userid, c->rq->stand->expires_date)
                         : xasprintf(_("create user %s with a new password"), ps->userid);
        *user_act = a->id;
        ps->cred = external ? CRED_EXTERNAL : CRED_NEW;
    } else {
        ps->cred = external ? CRED_EXTERNAL : ps->user_ours ? CRED_UNKNOWN : CRED_UNCHANGED;
    }

    const struct inv_pool *pool = inv_pool_find(c->v, ps->pool);
    ps->pool_exists = pool != NULL;
    ps->pool_ours = pool && mark_is(pool->comment, p->stand, ps->userid);
    if (pool && !ps->pool_ours) {
        struct mark m;
        if (mark_parse(pool->comment, &m))
            pl_problem(p,
                       _("pool '%s' for %s belongs to stand '%s': a student's pool and user are "
                         "named after the student, whatever the stand, so a student is in one "
                         "stand at a time; remove %s from stand '%s' first (`deploy-stand destroy "
                         "--user %s` with that stand's config), or leave %s out of the list"),
                       ps->pool, ps->userid, m.stand, ps->userid, m.stand, ps->userid, ps->userid);
        else
            pl_problem(p,
                       _("pool '%s' for %s exists and was not created by deploy-stand; rename or "
                         "remove it, or leave %s out of the list"),
                       ps->pool, ps->userid, ps->userid);
    }
    if (!pool) {
        struct action *a = pl_act_new(p, ACT_POOL_CREATE, NULL, s, -1);
        a->target = strdup(ps->pool);
        a->comment = strdup(mark);
        a->summary = xasprintf(_("create pool %s"), ps->pool);
        *pool_act = a->id;
    }

    pl_student_role(c, s, *user_act, *pool_act);
    pl_user_expiry(c, s, *user_act);
}

/* "net0 on vmbr1001, net1 on vmbr100 (tag 10), remove net2, tags deploy-stand;ds-lab" for the
 * plan listing. */
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
        else if (strcmp(k, "tags") == 0 && sv)
            n = snprintf(out + l, len - l, _("%stags %s"), l ? ", " : "", sv);
        else
            n = snprintf(out + l, len - l, "%s%s", l ? ", " : "", k);
        if (n < 0 || (size_t)n >= len - l)
            break;
        l += (size_t)n;
    }
}

/* "template 100" / "the copy 7000 of template 100" / "template 100 on pve1" (shared storage). */
static void clone_source_text(const struct deploy_ctx *c, const struct stand_machine *mc,
                              const struct plan_vm *pv, char *from, size_t len)
{
    if (pv->copy >= 0)
        snprintf(from, len, _("the copy %d of template %d"), c->p->copies[pv->copy].vmid,
                 mc->template_vmid);
    else if (pv->src_vmid != mc->template_vmid)
        snprintf(from, len, _("the copy %d of template %d"), pv->src_vmid, mc->template_vmid);
    else if (strcmp(pv->src_node, pv->node) != 0)
        snprintf(from, len, _("template %d on %s (shared storage)"), pv->src_vmid, pv->src_node);
    else
        snprintf(from, len, _("template %d"), pv->src_vmid);
}

/* Plans the clone of machine m for student s on `node`; returns the clone action. */
static int plan_vm_clone(struct deploy_ctx *c, int s, size_t m, const char *node, int pool_act)
{
    struct plan *p = c->p;
    struct plan_student *ps = &p->students[s];
    const struct stand_machine *mc = &c->rq->stand->machines[m];
    struct plan_vm *pv = &ps->vms[m];
    pv->node = strdup(node);
    int wait = resolve_source(c, mc, pv->node, &pv->src_vmid, &pv->copy, &pv->src_node);
    pv->vmid = pl_vmid_take(&c->va);
    char mark[256], from[192];
    mark_format(mark, sizeof mark, p->stand, ps->userid, NULL, 0);
    clone_source_text(c, mc, pv, from, sizeof from);
    struct action *a = pl_act_new(p, ACT_VM_CLONE, pv->node, s, (int)m);
    a->comment = strdup(mark);
    a->summary = mc->full_clone ? xasprintf(_("full clone of %s -> VM %d '%s' in pool %s"), from,
                                            pv->vmid, mc->name, ps->pool)
                                : xasprintf(_("linked clone of %s -> VM %d '%s' in pool %s"), from,
                                            pv->vmid, mc->name, ps->pool);
    int clone_act = a->id;
    pl_act_dep(p, clone_act, pool_act);
    pl_act_dep(p, clone_act, wait);
    return clone_act;
}

/* Every stand network of the machine resolved to a real bridge on the VM's node (malloc'd). */
static const char **machine_bridges(struct deploy_ctx *c, int s, const struct stand_machine *mc,
                                    const char *node)
{
    const char **bridges = xcalloc(mc->n_nets, sizeof *bridges);
    for (size_t i = 0; i < mc->n_nets; i++) {
        const struct stand_net *n = &mc->nets[i];
        if (n->kind == STAND_NET_ALIAS) {
            bridges[i] = alias_bridge(c, s, node, n->name);
        } else if (n->kind == STAND_NET_RESERVED) {
            bridges[i] = reserved_bridge(c, node, n->name);
        } else {
            bridges[i] = n->name;
            if (!inv_iface_find(c->v, node, n->name))
                pl_problem(c->p,
                           _("machine '%s': bridge %s does not exist on %s (literal bridges are "
                             "used as they are; create it or use \"**%s**\" to have it created)"),
                           mc->name, n->name, node, n->name);
        }
    }
    return bridges;
}

/* The configure step of a VM: its NICs and tags, when anything differs. Its action, or -1. */
static int plan_vm_configure(struct deploy_ctx *c, int s, size_t m, const struct inv_vm *have,
                             int clone_act)
{
    struct plan *p = c->p;
    const struct stand_machine *mc = &c->rq->stand->machines[m];
    const struct plan_vm *pv = &p->students[s].vms[m];
    /* a new clone's NICs are computed from the original: a copy has the same config */
    const struct inv_vm *t = have ? have : inv_vm_find(c->v, mc->template_vmid);
    const json_t *current = t ? t->config : NULL;
    const char **bridges = machine_bridges(c, s, mc, pv->node);
    json_t *params = json_object();
    const struct device_profile *dp =
        mc->profile ? mc->profile : device_profile_builtin(mc->device_type);
    if (nic_plan(dp, mc->nets, bridges, mc->n_nets, current, !have, pv->vmid, &c->macs, params) < 0)
        pl_problem(p, "%s", ds_err_last());
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
        return -1;
    }
    struct action *a = pl_act_new(p, ACT_VM_CONFIGURE, pv->node, s, (int)m);
    a->params = params;
    char what[512];
    describe_config(params, what, sizeof what);
    a->summary = xasprintf(_("configure VM %d '%s': %s"), pv->vmid, mc->name, what);
    int id = a->id;
    pl_act_dep(p, id, clone_act);
    pl_act_dep(p, id, find_apply(c, pv->node));
    return id;
}

static void plan_student_vms(struct deploy_ctx *c, int s, const struct placement *pl, int pool_act)
{
    const struct stand *st = c->rq->stand;
    struct plan_student *ps = &c->p->students[s];
    ps->n_vms = st->n_machines;
    ps->vms = xcalloc(st->n_machines, sizeof *ps->vms);
    for (size_t m = 0; m < st->n_machines; m++) {
        const struct stand_machine *mc = &st->machines[m];
        struct plan_vm *pv = &ps->vms[m];
        pv->name = strdup(mc->name);
        pv->device_type = mc->device_type;
        pv->full = mc->full_clone;
        pv->copy = -1;
        const struct inv_vm *have = find_student_vm(c, ps, mc->name);
        int clone_act = -1;
        if (have) {
            pv->exists = 1;
            pv->vmid = have->vmid;
            pv->node = strdup(have->node);
            pv->status = xstrdup(have->status);
            pv->locked = have->lock != NULL;
        } else {
            const char *node = pl->slots[(size_t)s * pl->n_machines + m].node;
            clone_act = plan_vm_clone(c, s, m, node, pool_act);
        }
        if (!ps->node)
            ps->node = strdup(pv->node);
        int cfg_act = plan_vm_configure(c, s, m, have, clone_act);
        pl_vm_baseline(c, s, m, have, cfg_act >= 0 ? cfg_act : clone_act);
    }
}

/* Distinct private aliases of the stand. */
static size_t stand_aliases(const struct stand *st)
{
    size_t n = 0;
    for (size_t m = 0; m < st->n_machines; m++)
        for (size_t i = 0; i < st->machines[m].n_nets; i++) {
            const struct stand_net *a = &st->machines[m].nets[i];
            int seen = a->kind != STAND_NET_ALIAS;
            for (size_t k = 0; k <= m && !seen; k++)
                for (size_t j = 0; j < st->machines[k].n_nets && !seen; j++) {
                    const struct stand_net *b = &st->machines[k].nets[j];
                    if (k == m && j == i)
                        break;
                    seen = b->kind == STAND_NET_ALIAS && strcmp(a->name, b->name) == 0;
                }
            n += !seen;
        }
    return n;
}

/* Classes that cannot fit whatever the cluster holds are refused before anything is planned. */
static int check_size(struct plan *p, const struct plan_request *rq, const struct vmid_alloc *va)
{
    size_t n_vms = p->n_students * rq->stand->n_machines;
    size_t n_br = p->n_students * stand_aliases(rq->stand);
    size_t ids = va->max >= va->next ? (size_t)(va->max - va->next) + 1 : 0;
    size_t names = BRIDGE_LAST - BRIDGE_FIRST + 1;
    if (n_vms > ids)
        pl_problem(p,
                   _("%zu students with %zu machines each need %zu VMIDs, but the VMID range %d-%d "
                     "holds only %zu; split the class or widen `vmid_range` in %s"),
                   p->n_students, rq->stand->n_machines, n_vms, va->next, va->max, ids,
                   rq->stand->path);
    if (n_br > names)
        pl_problem(p,
                   _("%zu students with %zu private networks each need %zu bridges, but the "
                     "names vmbr%d-vmbr%d (unique across the cluster) are only %zu; split the "
                     "class into smaller stands"),
                   p->n_students, stand_aliases(rq->stand), n_br, BRIDGE_FIRST, BRIDGE_LAST, names);
    return n_vms > ids || n_br > names;
}

static int unknown_strategy(const char *name)
{
    char known[256] = "";
    size_t kl = 0;
    for (size_t i = 0; strategy_table[i]; i++)
        kl += (size_t)snprintf(known + kl, sizeof known - kl, "%s%s", i ? ", " : "",
                               strategy_table[i]->name);
    return ds_err_set(_("unknown strategy '%s' (known: %s)"), name, known);
}

static void ctx_init(struct deploy_ctx *c, struct plan *p, const struct plan_request *rq,
                     const struct cluster_view *v)
{
    *c = (struct deploy_ctx){.p = p, .rq = rq, .v = v, .role_act = -1};
    c->va.v = v;
    c->va.next = rq->stand->vmid_min ? rq->stand->vmid_min
                 : rq->vmid_base > 0 ? rq->vmid_base
                                     : 5000;
    c->va.max = rq->stand->vmid_max ? rq->stand->vmid_max : 999999999;
    p->vmid_max = c->va.max;
    mark_stand_tag(c->tag, sizeof c->tag, p->stand);
    mac_pool_init(&c->macs);
    for (size_t i = 0; i < v->n_vms; i++)
        if (v->vms[i].config)
            mac_pool_add_config(&c->macs, v->vms[i].config);
    bridges_init(c);
    copies_init(c);
    student_vms_index(c);
}

/* Notes and problems known only once every student is planned; frees the context. */
static void ctx_finish(struct deploy_ctx *c)
{
    struct plan *p = c->p;
    for (size_t i = 0; i < c->n_apply; i++) {
        const struct inv_net *n = inv_net_find(c->v, c->apply_node[i]);
        if (n && n->pending)
            pl_note(p,
                    _("node %s already had pending network changes; the network apply on %s "
                      "applies them too"),
                    c->apply_node[i], c->apply_node[i]);
    }
    if (c->bn.next > BRIDGE_UI_LAST + 1)
        pl_note(p,
                _("this class uses bridge names above vmbr%d (names are unique across the "
                  "cluster); the web UI offers only vmbr0-vmbr%d for bridges made by hand, the "
                  "API takes them all"),
                BRIDGE_UI_LAST, BRIDGE_UI_LAST);
    if (c->va.exhausted)
        pl_problem(p,
                   _("the VMID range %d-%d of the stand has too few free ids for this class; "
                     "widen `vmid_range` in %s"),
                   c->rq->stand->vmid_min, c->rq->stand->vmid_max, c->rq->stand->path);
    bridges_free(c);
    copies_free(c);
    sidx_free(&c->vm_pool);
    sidx_free(&c->vm_mark);
    mac_pool_free(&c->macs);
}

/* Runs the strategy: pl->slots filled, the students' placement reasons set. */
static void place_students(struct plan *p, const struct strategy *strat,
                           const struct plan_request *rq, const struct cluster_view *v,
                           struct placement *pl)
{
    pl->n_students = p->n_students;
    pl->n_machines = rq->stand->n_machines;
    pl->slots = xcalloc(pl->n_students * pl->n_machines + 1, sizeof *pl->slots);
    pl->why = xcalloc(pl->n_students + 1, sizeof *pl->why);
    struct placement_input in = {.stand = rq->stand,
                                 .users = rq->users,
                                 .view = v,
                                 .target_node = rq->target_node,
                                 .mem_reserve = rq->mem_reserve > 0 ? rq->mem_reserve : 0.10,
                                 .overcommit = rq->overcommit};
    if (strat->place(&in, pl, problem_cb, p) < 0)
        pl_problem(p, _("placement failed: %s"), ds_err_last());
    for (size_t s = 0; s < pl->n_students; s++)
        p->students[s].why = pl->why[s];
    free(pl->why);
    pl->why = NULL;
}

int plan_deploy(const struct plan_request *rq, const struct cluster_view *v, struct plan **out)
{
    *out = NULL;
    const struct strategy *strat = strategy_find(rq->strategy ? rq->strategy : "local");
    if (!strat)
        return unknown_strategy(rq->strategy);
    struct plan *p = pl_deploy_plan_new(rq, v);
    pl_students_init(p, rq);
    struct deploy_ctx c;
    ctx_init(&c, p, rq, v);
    check_privs(p, rq, v);
    int unplaceable = plan_check_inputs(p, rq, v); /* the input files against the cluster */
    struct placement pl = {0};
    if (!check_size(p, rq, &c.va) && !unplaceable)
        place_students(p, strat, rq, v, &pl);
    if (p->n_problems == 0) {
        c.role_act = pl_role_ensure(p, rq, v);
        for (size_t s = 0; s < p->n_students; s++) {
            int user_act, pool_act;
            plan_student_access(&c, (int)s, &user_act, &pool_act);
            plan_student_vms(&c, (int)s, &pl, pool_act);
            plan_stale_bridges(&c, (int)s);
        }
        pl_capacity_check(p, rq, v); /* every strategy: configured memory per node */
    }
    free(pl.slots);
    ctx_finish(&c);
    *out = p;
    return 0;
}
