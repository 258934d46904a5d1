/* exec_order: which ready action goes first: the longest chain of expected work behind it (the
 * critical path: template copies and full clones start first), and which actions are tasks. */
#include "exec/exec_order.h"

#include "util/xalloc.h"
#include <stdlib.h>

int exec_is_sync(enum action_kind k)
{
    /* synchronous calls: answered at once, no worker task on the node */
    return k == ACT_BRIDGE_CREATE || k == ACT_BRIDGE_DELETE || k == ACT_VM_CONFIGURE ||
           k == ACT_USER_CREATE || k == ACT_POOL_CREATE || k == ACT_ACL_GRANT ||
           k == ACT_ACL_REVOKE || k == ACT_POOL_DELETE || k == ACT_USER_DELETE ||
           k == ACT_ROLE_ENSURE || k == ACT_USER_EXPIRE;
}

/* The expected work of an action, in tenths of a second of a node's task time (Proxmox's usual
 * times on local storage; only their order matters). */
static long action_weight(const struct plan *p, const struct action *a)
{
    switch (a->kind) {
    case ACT_TPL_COPY:
        return 200;
    case ACT_VM_CLONE:
        return a->student >= 0 && a->vm >= 0 && p->students[a->student].vms[a->vm].full ? 200 : 20;
    case ACT_TPL_MIGRATE:
        return 100;
    case ACT_VM_SHUTDOWN:
        return 50;
    case ACT_TPL_CONVERT:
    case ACT_VM_START:
        return 30;
    case ACT_NET_APPLY:
    case ACT_VM_DESTROY:
    case ACT_VM_STOP:
    case ACT_VM_SNAPSHOT:
    case ACT_VM_ROLLBACK:
    case ACT_SNAP_DELETE:
    case ACT_VM_REBOOT:
        return 20;
    default:
        return 1;
    }
}

/* The dependents of every action (reverse edges), as index lists into one array. */
struct rev {
    size_t *first, *n, *list;
};

static void rev_build(const struct plan *p, struct rev *r)
{
    r->first = xcalloc(p->n_acts + 1, sizeof *r->first);
    r->n = xcalloc(p->n_acts + 1, sizeof *r->n);
    size_t edges = 0;
    for (size_t i = 0; i < p->n_acts; i++)
        for (size_t d = 0; d < p->acts[i].n_deps; d++) {
            r->n[p->acts[i].deps[d]]++;
            edges++;
        }
    r->list = xcalloc(edges + 1, sizeof *r->list);
    for (size_t i = 0, at = 0; i < p->n_acts; i++) {
        r->first[i] = at;
        at += r->n[i];
        r->n[i] = 0;
    }
    for (size_t i = 0; i < p->n_acts; i++)
        for (size_t d = 0; d < p->acts[i].n_deps; d++) {
            size_t dep = (size_t)p->acts[i].deps[d];
            r->list[r->first[dep] + r->n[dep]++] = i;
        }
}

/* prio[i] = weight + the largest prio of its dependents: passes in reverse order until nothing
 * changes (a DAG settles within its depth + 1 passes; bounded by the number of actions). */
long *exec_order_priorities(const struct plan *p)
{
    long *prio = xcalloc(p->n_acts + 1, sizeof *prio);
    struct rev r;
    rev_build(p, &r);
    for (size_t i = 0; i < p->n_acts; i++)
        prio[i] = action_weight(p, &p->acts[i]);
    for (int changed = 1, pass = 0; changed && pass <= (int)p->n_acts; pass++) {
        changed = 0;
        for (size_t k = p->n_acts; k-- > 0;) {
            long best = 0;
            for (size_t j = 0; j < r.n[k]; j++) {
                long v = prio[r.list[r.first[k] + j]];
                best = v > best ? v : best;
            }
            long want = action_weight(p, &p->acts[k]) + best;
            if (want != prio[k]) {
                prio[k] = want;
                changed = 1;
            }
        }
    }
    free(r.first);
    free(r.n);
    free(r.list);
    return prio;
}
