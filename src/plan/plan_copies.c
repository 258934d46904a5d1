/* plan_copies: where a clone comes from when its template lives on another node: a linked clone
 * across nodes (shared storage), an existing copy, a hinted one, or a copy planned now. */
#include "plan/marks.h"
#include "plan/plan_internal.h"
#include "plan/plan_sweep_copies.h"
#include "util/i18n.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *vm_desc(const struct inv_vm *vm)
{
    return json_string_value(json_object_get(vm->config, "description"));
}

static char *orig_key(int orig, const char *node)
{
    char o[16];
    snprintf(o, sizeof o, "%d", orig);
    return sidx_key(o, node, NULL);
}

/* A VM with the copy mark that is not a template is a copy an interrupted run left half-way only
 * when it has a copy's name "tpl-<orig>-…": a clone someone made of a copy carries the copy's
 * description (PVE copies it) and must never be converted or migrated as one of ours. */
static int half_made_copy(const struct inv_vm *vm, int orig)
{
    char prefix[32];
    snprintf(prefix, sizeof prefix, "tpl-%d-", orig);
    return vm->name && strncmp(vm->name, prefix, strlen(prefix)) == 0;
}

/* Indexes the copies on the cluster: finished ones (a template on its node with the copy mark;
 * the tag may be missing when a run died between conversion and tagging) and half-made ones. */
void copies_init(struct deploy_ctx *c)
{
    for (size_t i = 0; i < c->v->n_vms; i++) {
        const struct inv_vm *vm = &c->v->vms[i];
        int of;
        char digest[64], for_node[64];
        if (!vm->node || !mark_copy_parse(vm_desc(vm), &of, digest, sizeof digest))
            continue;
        int tpl = inv_vm_is_template(vm);
        if (tpl)
            sidx_add(&c->copies, orig_key(of, vm->node), vm, NULL);
        if (mark_copy_node(vm_desc(vm), for_node, sizeof for_node) &&
            (tpl ? strcmp(vm->node, for_node) != 0 : half_made_copy(vm, of)))
            sidx_add(&c->partial, orig_key(of, for_node), vm, NULL);
    }
    sidx_sort(&c->copies);
    sidx_sort(&c->partial);
}

void copies_free(struct deploy_ctx *c)
{
    sidx_free(&c->copies);
    sidx_free(&c->partial);
    free(c->copy_migrate);
}

static const char *config_digest(const struct inv_vm *vm)
{
    const char *d = vm ? json_string_value(json_object_get(vm->config, "digest")) : NULL;
    return d ? d : "";
}

/* An existing copy of template `orig` on `node`, marked by us; *stale when the original changed.
 * Fresh copies win over stale ones, then the highest VMID. */
static const struct inv_vm *find_copy(const struct deploy_ctx *c, int orig, const char *node,
                                      int *stale)
{
    const char *want = config_digest(inv_vm_find(c->v, orig));
    const struct inv_vm *best = NULL;
    char *key = orig_key(orig, node);
    size_t n, first = sidx_range(&c->copies, key, &n);
    free(key);
    for (size_t k = first; k < first + n; k++) {
        const struct inv_vm *vm = c->copies.e[k].ptr;
        int of;
        char digest[64];
        mark_copy_parse(vm_desc(vm), &of, digest, sizeof digest);
        int is_stale = !*want || strcmp(digest, want) != 0;
        if (!best || (*stale && !is_stale) || (is_stale == *stale && vm->vmid > best->vmid)) {
            best = vm;
            *stale = is_stale;
        }
    }
    return best;
}

/* A copy of `orig` for `node` that an interrupted run left unfinished. */
static const struct inv_vm *find_partial_copy(const struct deploy_ctx *c, int orig,
                                              const char *node)
{
    char *key = orig_key(orig, node);
    const struct sidx_ent *e = sidx_get(&c->partial, key);
    free(key);
    return e ? e->ptr : NULL;
}

/* A copy named in mapper_template.yml that is a template on that node. */
static const struct inv_vm *hinted_copy(struct deploy_ctx *c, int orig, const char *node)
{
    for (size_t i = 0; i < c->rq->n_hints; i++) {
        const struct template_hint *h = &c->rq->hints[i];
        const struct inv_vm *vm = inv_vm_find(c->v, h->vmid);
        if (h->orig != orig || strcasecmp(h->node, node) != 0 || !vm || !vm->template ||
            strcmp(vm->node, node) != 0)
            continue;
        /* the marks win: a VM marked as a copy of another template is not this one's */
        int of;
        char digest[64];
        if (mark_copy_parse(vm_desc(vm), &of, digest, sizeof digest) && of != orig)
            continue;
        return vm;
    }
    return NULL;
}

/* The actions of a new copy (or of the rest of a half-made one); returns its migrate action. */
static int plan_copy_actions(struct deploy_ctx *c, int idx, const struct inv_vm *part)
{
    struct plan *p = c->p;
    const struct plan_copy *pc = &p->copies[idx];
    int last = -1;
    struct action *a;
    if (!part) {
        a = pl_act_new(p, ACT_TPL_COPY, pc->orig_node, -1, -1);
        a->copy = idx;
        a->summary = xasprintf(_("copy template %d to VM %d '%s' on %s (full clone)"), pc->orig,
                               pc->vmid, pc->name, pc->orig_node);
        last = a->id;
    }
    /* converting a template again fails ("you can't convert a template to a template"): a copy
     * that already is one only needs the migration */
    if (!part || !inv_vm_is_template(part)) {
        a = pl_act_new(p, ACT_TPL_CONVERT, pc->orig_node, -1, -1);
        a->copy = idx;
        a->summary =
            part ? xasprintf(_("mark VM %d as a copy of %d and convert it to a template (left "
                               "half-way by an earlier run)"),
                             pc->vmid, pc->orig)
                 : xasprintf(_("mark VM %d as a copy of %d and convert it to a template"), pc->vmid,
                             pc->orig);
        pl_act_dep(p, a->id, last);
        last = a->id;
    }
    a = pl_act_new(p, ACT_TPL_MIGRATE, pc->orig_node, -1, -1);
    a->copy = idx;
    a->summary = xasprintf(_("migrate template copy %d from %s to %s (offline)"), pc->vmid,
                           pc->orig_node, pc->node);
    pl_act_dep(p, a->id, last);
    return a->id;
}

/* Plans a new copy of mc's template for `node` (or finishes a half-made one). */
static int plan_new_copy(struct deploy_ctx *c, const struct stand_machine *mc, const char *node,
                         int *copy)
{
    struct plan *p = c->p;
    const struct inv_vm *part = find_partial_copy(c, mc->template_vmid, node);
    p->copies = realloc(p->copies, (p->n_copies + 1) * sizeof *p->copies);
    c->copy_migrate = realloc(c->copy_migrate, (p->n_copies + 1) * sizeof *c->copy_migrate);
    if (!p->copies || !c->copy_migrate)
        abort();
    struct plan_copy *pc = &p->copies[p->n_copies];
    memset(pc, 0, sizeof *pc);
    pc->orig = mc->template_vmid;
    pc->orig_node = strdup(part ? part->node : mc->template_node);
    pc->node = strdup(node);
    pc->vmid = part ? part->vmid : pl_vmid_take(&c->va);
    pc->locked = part && part->lock;
    pc->name = xasprintf("tpl-%d-%s", pc->orig, node);
    char mark[256];
    mark_copy_format(mark, sizeof mark, pc->orig, config_digest(inv_vm_find(c->v, pc->orig)), node);
    pc->description = strdup(mark);
    int idx = (int)p->n_copies++;
    c->copy_migrate[idx] = plan_copy_actions(c, idx, part);
    *copy = idx;
    return c->copy_migrate[idx];
}

/* The template a VM on `node` is cloned from: the original when it lives there or when its disks
 * are on shared storage there (a linked clone with `target`: *src_node is the original's node),
 * else a copy (found by its marks, named by a hint, or planned now, once per (template, node)).
 * Sets *src_vmid, or *copy to the index of a planned copy; returns the action to wait for or -1. */
int resolve_source(struct deploy_ctx *c, const struct stand_machine *mc, const char *node,
                   int *src_vmid, int *copy, char **src_node)
{
    struct plan *p = c->p;
    *copy = -1;
    *src_vmid = mc->template_vmid;
    *src_node = strdup(node);
    if (strcmp(node, mc->template_node) == 0)
        return -1;
    if (inv_vm_storage_shared_on(c->v, inv_vm_find(c->v, mc->template_vmid), node)) {
        free(*src_node);
        *src_node = strdup(mc->template_node);
        return -1;
    }
    for (size_t i = 0; i < p->n_copies; i++)
        if (p->copies[i].orig == mc->template_vmid && strcmp(p->copies[i].node, node) == 0) {
            *copy = (int)i;
            return c->copy_migrate[i];
        }
    int stale = 0;
    const struct inv_vm *have = find_copy(c, mc->template_vmid, node, &stale);
    if (have && (!stale || !c->rq->refresh_templates)) {
        if (stale)
            pl_note(p,
                    _("template copy %d of %d on %s is stale: template %d changed since it was "
                      "copied; deploy with --refresh-templates to rebuild it"),
                    have->vmid, mc->template_vmid, node, mc->template_vmid);
        *src_vmid = have->vmid;
        return -1;
    }
    const struct inv_vm *hint = have ? NULL : hinted_copy(c, mc->template_vmid, node);
    if (hint) {
        pl_note(p,
                _("using template %d on %s for %d, as mapper_template.yml says (it carries no "
                  "deploy-stand mark, so its freshness is unknown)"),
                hint->vmid, node, mc->template_vmid);
        *src_vmid = hint->vmid;
        return -1;
    }
    return plan_new_copy(c, mc, node, copy);
}

/* ---- the copies on the cluster, for status ---------------------------------------------- */

static int cmp_copy(const void *a, const void *b)
{
    const struct copy_info *x = a, *y = b;
    if (x->orig != y->orig)
        return x->orig < y->orig ? -1 : 1;
    int c = strcmp(x->node, y->node);
    if (c)
        return c;
    return x->vmid < y->vmid ? -1 : x->vmid > y->vmid;
}

size_t plan_list_copies(const struct cluster_view *v, struct copy_info **out)
{
    struct copy_info *list = xcalloc(v->n_vms, sizeof *list);
    size_t n = 0;
    for (size_t i = 0; i < v->n_vms; i++) {
        const struct inv_vm *vm = &v->vms[i];
        int of;
        char digest[64], for_node[64] = "";
        if (!vm->node || !mark_copy_parse(vm_desc(vm), &of, digest, sizeof digest))
            continue;
        int tpl = inv_vm_is_template(vm);
        struct mark m; /* a VM with a student's mark is a student's clone, not a copy */
        if (!tpl && (mark_parse(vm_desc(vm), &m) || !half_made_copy(vm, of)))
            continue;
        mark_copy_node(vm_desc(vm), for_node, sizeof for_node);
        const char *want = config_digest(inv_vm_find(v, of));
        int unknown = 0, links = plan_copy_links(v, vm, &unknown);
        list[n++] = (struct copy_info){.orig = of,
                                       .links = links,
                                       .links_unknown = unknown,
                                       .vmid = vm->vmid,
                                       .node = vm->node,
                                       .for_node = strdup(for_node),
                                       .is_template = tpl,
                                       .stale = !*want || strcmp(digest, want) != 0};
    }
    qsort(list, n, sizeof *list, cmp_copy);
    *out = list;
    return n;
}

void copy_info_free(struct copy_info *list, size_t n)
{
    for (size_t i = 0; list && i < n; i++)
        free((char *)list[i].for_node);
    free(list);
}
