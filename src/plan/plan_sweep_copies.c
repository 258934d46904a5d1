/* plan_sweep_copies: which VMs link to a template copy (linked clones whose disks sit on the
 * copy's base volumes), and the plan of `sweep --templates` that removes the copies nothing uses.
 */
#include "plan/plan_sweep_copies.h"
#include "plan/marks.h"
#include "plan/plan_internal.h"
#include "util/i18n.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A volume config key: ideN, sataN, scsiN, virtioN, efidisk0, tpmstate0 and unusedN (a detached
 * linked disk still sits on the base volume). */
static int volume_key(const char *k)
{
    static const char *const prefix[] = {"ide",     "sata",     "scsi",  "virtio",
                                         "efidisk", "tpmstate", "unused"};
    for (size_t i = 0; i < sizeof prefix / sizeof prefix[0]; i++) {
        size_t l = strlen(prefix[i]);
        if (strncmp(k, prefix[i], l) == 0 && k[l] >= '0' && k[l] <= '9' &&
            strspn(k + l, "0123456789") == strlen(k + l))
            return 1;
    }
    return 0;
}

/* Is storage `id` (the first len bytes) shared as `node` sees it? */
static int storage_shared(const struct cluster_view *v, const char *id, size_t len,
                          const char *node)
{
    for (size_t i = 0; i < v->n_storages; i++) {
        const struct inv_storage *s = &v->storages[i];
        if (strlen(s->id) == len && strncmp(s->id, id, len) == 0 &&
            (!s->node || !node || strcmp(s->node, node) == 0))
            return s->shared;
    }
    return 0;
}

/* Does the volume (a config value, options after the first comma) sit on base-<vmid>-disk-N?
 * *shared gets whether its storage is shared on the VM's node. */
static int links_base(const struct cluster_view *v, const char *val, const char *node,
                      const char *base, int *shared)
{
    size_t end = strcspn(val, ","), bl = strlen(base);
    if (strncmp(val, "file=", 5) == 0)
        val += 5, end -= 5;
    const char *colon = memchr(val, ':', end);
    if (!colon)
        return 0;
    for (const char *p = colon + 1; p + bl <= val + end; p++) {
        if ((p[-1] != ':' && p[-1] != '/') || strncmp(p, base, bl) != 0 ||
            !memchr(p + bl, '/', (size_t)(val + end - p - bl)))
            continue;
        *shared = storage_shared(v, val, (size_t)(colon - val), node);
        return 1;
    }
    return 0;
}

/* 1 when a disk of tpl is on shared storage (linked clones may then live on other nodes). */
static int has_shared_disk(const struct cluster_view *v, const struct inv_vm *tpl)
{
    const char *k;
    json_t *val;
    json_object_foreach(tpl->config, k, val)
    {
        const char *s = json_string_value(val);
        const char *colon = s && volume_key(k) ? strchr(s, ':') : NULL;
        if (colon && storage_shared(v, s, (size_t)(colon - s), tpl->node))
            return 1;
    }
    return 0;
}

static int vm_links(const struct cluster_view *v, const struct inv_vm *vm, const char *tpl_node,
                    const char *base)
{
    const char *k;
    json_t *val;
    json_object_foreach(vm->config, k, val)
    {
        int shared = 0;
        const char *s = json_string_value(val);
        if (s && volume_key(k) && links_base(v, s, vm->node, base, &shared) &&
            (shared || strcmp(vm->node, tpl_node) == 0))
            return 1;
    }
    return 0;
}

int plan_copy_links(const struct cluster_view *v, const struct inv_vm *tpl, int *unknown)
{
    char base[48];
    snprintf(base, sizeof base, "base-%d-disk-", tpl->vmid);
    int anywhere = !tpl->config || has_shared_disk(v, tpl), n = 0;
    *unknown = 0;
    for (size_t i = 0; i < v->n_vms; i++) {
        const struct inv_vm *vm = &v->vms[i];
        if (vm == tpl || vm->vmid == tpl->vmid || !vm->node)
            continue;
        if (!anywhere && strcmp(vm->node, tpl->node) != 0)
            continue;
        if (!vm->config)
            *unknown = 1;
        else
            n += vm_links(v, vm, tpl->node, base);
    }
    return n;
}

/* Why a copy stays, or NULL when it goes. */
static const char *copy_kept(const struct copy_info *ci, const struct inv_vm *vm)
{
    if (!ci->is_template)
        return N_("template copy %d of %d on %s is unfinished (an interrupted run left it; the "
                  "next deploy finishes it): left alone");
    if (vm->lock)
        return N_("template copy %d of %d on %s is locked: left alone");
    if (ci->links_unknown)
        return N_("template copy %d of %d on %s is possibly used (VM configs unread): left alone");
    if (ci->links)
        return N_("template copy %d of %d on %s is used by linked clones: left alone");
    return NULL;
}

/* One copy to remove: a plan copy (for the executor's ids and mark check) and its destroy. */
static void plan_copy_remove(struct plan *p, const struct copy_info *ci, const struct inv_vm *vm)
{
    p->copies = xreallocarray(p->copies, p->n_copies + 1, sizeof *p->copies);
    struct plan_copy *pc = &p->copies[p->n_copies];
    memset(pc, 0, sizeof *pc);
    pc->orig = ci->orig;
    pc->orig_node = xstrdup(vm->node);
    pc->node = xstrdup(vm->node);
    pc->vmid = vm->vmid;
    pc->name = xstrdup(vm->name ? vm->name : "");
    const char *desc = json_string_value(json_object_get(vm->config, "description"));
    pc->description = xstrdup(desc ? desc : "");
    struct action *a = pl_act_new(p, ACT_VM_DESTROY, vm->node, -1, -1);
    a->copy = (int)p->n_copies++;
    a->only_marked = 1;
    a->summary = xasprintf(_("remove template copy %d of %d on %s (no VM links to it)"), vm->vmid,
                           ci->orig, vm->node);
}

int plan_sweep_copies(const struct plan_request *rq, const struct cluster_view *v,
                      struct plan **out)
{
    struct plan *p = xcalloc(1, sizeof *p);
    pl_init(p, rq, PLAN_DESTROY);
    struct copy_info *list = NULL;
    size_t n = plan_list_copies(v, &list);
    for (size_t i = 0; i < n; i++) {
        const struct copy_info *ci = &list[i];
        const struct inv_vm *vm = inv_vm_find(v, ci->vmid);
        const char *why = vm ? copy_kept(ci, vm) : NULL;
        if (why)
            pl_note(p, _(why), ci->vmid, ci->orig, ci->node);
        else if (vm)
            plan_copy_remove(p, ci, vm);
    }
    copy_info_free(list, n);
    *out = p;
    return 0;
}
