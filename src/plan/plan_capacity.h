/* plan_capacity: the memory check of every deploy plan, whatever the strategy: per node, the
 * configured memory of its VMs (running or not, templates aside) plus the plan's new VMs. */
#ifndef DS_PLAN_CAPACITY_H
#define DS_PLAN_CAPACITY_H

#include "inventory/inventory.h"
#include "plan/plan.h"

/* The configured memory of a VM, in bytes: its config's `memory` (MiB, a number or PVE's
 * "[current=]N") when the inventory read the config (PVE's default 512 MiB when the config has
 * none), else /cluster/resources' maxmem. */
long long pl_vm_memory(const struct inv_vm *vm);

/* The configured memory of every VM on `node`, templates aside, in bytes. */
long long pl_node_configured(const struct cluster_view *v, const char *node);

/* A new deploy plan (pl_init done) with p->node_mem holding every node of v (names copied; the
 * array ends with a NULL node; n_node_mem still 0 until pl_capacity_check); plan_free frees it. */
struct plan *pl_deploy_plan_new(const struct plan_request *rq, const struct cluster_view *v);

/* Fills p->node_mem from the planned students (every plan VM has its node). A node the plan adds
 * memory to that ends up with more configured than it has is a problem with the per-node table,
 * or a note when rq->overcommit (p->overcommit is then set). */
void pl_capacity_check(struct plan *p, const struct plan_request *rq, const struct cluster_view *v);

#endif
