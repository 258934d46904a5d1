/* exec_copies: one template copy per (template, node) even when two runs prepare it at once: a copy
 * lock on the cluster (a pool, made atomically) held from the clone to the migration. */
#include "ds_clock.h"
#include "exec/cluster_lock.h"
#include "exec/exec_internal.h"
#include "plan/marks.h"
#include "pve/pve_api.h"
#include "pve/pve_client.h"
#include "util/err.h"
#include "util/i18n.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "ds-copy-<orig>-<node>": the pool that says a run is making this copy. */
static void lock_name(const struct plan_copy *pc, char *out, size_t len)
{
    snprintf(out, len, "ds-copy-%d-%s", pc->orig, pc->node);
}

/* A holder that is gone (a process of this host that no longer exists, or a lock older than
 * twice the task timeout: a copy takes a clone, a conversion and a migration) is taken over;
 * another is waited for. */
static enum lock_verdict judge(const struct mark_lock *h, void *ud)
{
    const struct exec *e = ud;
    struct mark_lock me;
    lock_holder_me(&me, "copy", NULL);
    return lock_holder_dead_here(&me, h) ||
                   ds_clock_wall_s() - h->since > 2LL * e->o->task_timeout_s
               ? LOCK_TAKE_OVER
               : LOCK_WAIT;
}

/* A finished copy (a template on the copy's node with its mark and digest) made by another run:
 * 1 found (*vmid), 0 none, -1 no answer. */
static int finished_copy(struct pve_client *c, const struct plan_copy *pc, int *vmid)
{
    int want_of = 0, of = 0, found = 0;
    char want[64], digest[64];
    if (!mark_copy_parse(pc->description, &want_of, want, sizeof want))
        return 0;
    json_t *res = NULL;
    if (pve_cluster_resources(c, "vm", &res) < 0)
        return -1;
    size_t i;
    json_t *r;
    json_array_foreach(res, i, r)
    {
        const char *node = json_string_value(json_object_get(r, "node"));
        const char *name = json_string_value(json_object_get(r, "name"));
        int id = (int)json_integer_value(json_object_get(r, "vmid"));
        if (found || !node || !name || strcmp(node, pc->node) != 0 || strcmp(name, pc->name) != 0 ||
            json_integer_value(json_object_get(r, "template")) != 1)
            continue;
        json_t *cfg = NULL;
        if (pve_vm_config_get(c, node, id, &cfg) < 0) {
            ds_err_clear();
            continue;
        }
        const char *desc = json_string_value(json_object_get(cfg, "description"));
        if (mark_copy_parse(desc, &of, digest, sizeof digest) && of == want_of &&
            strcmp(digest, want) == 0) {
            *vmid = id;
            found = 1;
        }
        json_decref(cfg);
    }
    json_decref(res);
    return found;
}

/* Waits while another run holds the copy lock (at most twice the task timeout); takes it over
 * when its holder is gone. 0 held, -1 with ds_err. */
static int lock_take(struct exec *e, struct pve_client *c, const struct plan_copy *pc,
                     const char *pool)
{
    struct mark_lock me, h;
    lock_holder_me(&me, "copy", NULL);
    struct lock_try t = {&me, judge, e,
                         ds_clock_mono_ns() + 2LL * e->o->task_timeout_s * DS_NS_PER_S};
    int rc = lock_pool_take(c, pool, &t, &h);
    if (rc == 1)
        return ds_err_set(_("the copy of template %d for %s is being made by another run "
                            "(pool %s) for too long; if that run is gone, remove the pool"),
                          pc->orig, pc->node, pool);
    return rc;
}

int exec_copy_begin(struct exec *e, struct pve_client *c, const struct action *a)
{
    const struct plan_copy *pc = &e->p->copies[a->copy];
    char pool[128];
    lock_name(pc, pool, sizeof pool);
    pthread_mutex_lock(&e->mu);
    int held = e->copy_held[a->copy]; /* a retry of the clone: the lock is ours already */
    pthread_mutex_unlock(&e->mu);
    if (held)
        return 0;
    if (lock_take(e, c, pc, pool) < 0)
        return -1;
    pthread_mutex_lock(&e->mu);
    e->copy_held[a->copy] = 1;
    pthread_mutex_unlock(&e->mu);
    int vmid = 0, found = finished_copy(c, pc, &vmid);
    if (found < 0)
        return -1;
    if (!found)
        return 0;
    pthread_mutex_lock(&e->mu);
    e->r->copy_vmids[a->copy] = vmid;
    e->copy_adopted[a->copy] = 1;
    pthread_mutex_unlock(&e->mu);
    exec_copy_end(e, c, a->copy);
    return 1;
}

int exec_copy_adopted(struct exec *e, int copy)
{
    pthread_mutex_lock(&e->mu);
    int adopted = e->copy_adopted[copy];
    pthread_mutex_unlock(&e->mu);
    return adopted;
}

void exec_copy_end(struct exec *e, struct pve_client *c, int copy)
{
    pthread_mutex_lock(&e->mu);
    int held = e->copy_held[copy];
    e->copy_held[copy] = 0;
    pthread_mutex_unlock(&e->mu);
    if (!held)
        return;
    char pool[128];
    lock_name(&e->p->copies[copy], pool, sizeof pool);
    lock_pool_delete(c, pool); /* one left behind is taken over once its holder is gone */
    ds_err_clear();
}
