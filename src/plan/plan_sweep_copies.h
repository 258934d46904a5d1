/* plan_sweep_copies: which VMs link to a template copy (linked clones whose disks sit on the
 * copy's base volumes), and the plan of `sweep --templates` that removes the copies nothing uses.
 */
#ifndef DS_PLAN_SWEEP_COPIES_H
#define DS_PLAN_SWEEP_COPIES_H

#include "plan/plan.h"

/* How many VMs link to template `tpl`: VMs (tpl aside) with a volume
 * "<storage>:base-<vmid>-disk-N/…" (or a dir storage's "<vmid>/base-<vmid>-disk-N.<fmt>/…") on
 * tpl's node, or on another node when that storage is shared. *unknown is set to 1 when a VM that
 * could link to it has no config in the view (on tpl's node, or anywhere when tpl has a disk on
 * shared storage), else 0. */
int plan_copy_links(const struct cluster_view *v, const struct inv_vm *tpl, int *unknown);

/* The plan (kind PLAN_DESTROY, no students) that removes every marked template copy of the view
 * that is a template, unlocked, and that no VM links to (links known to be 0): one destroy action
 * per copy (its `copy` indexes p->copies, only_marked), the others kept with a note saying why.
 * Copies belong to no stand: every copy of the cluster is considered. Returns 0 and *out. */
int plan_sweep_copies(const struct plan_request *rq, const struct cluster_view *v,
                      struct plan **out);

#endif
