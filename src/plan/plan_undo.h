/* plan_undo: rollback as a plan. From a deploy plan and its execution result it computes the
 * teardown of exactly what the run created for each failed student; pure (no I/O). */
#ifndef DS_PLAN_UNDO_H
#define DS_PLAN_UNDO_H

#include "plan/plan.h"

/* The undo plan of p after the run r (r->students[s].failed says who failed):
 *  - VMs whose clone was attempted (done, or failed: the clone may have gone through), stopped
 *    and destroyed only when they carry the student's mark at run time (action->only_marked);
 *  - ACLs granted to a user that existed before the run (a user the run created takes its ACLs
 *    with it), bridges it created and the network apply of their nodes, the pool, the user;
 *  - template copies whose migration did not finish (only when they carry the copy mark).
 * Order as destroy's: VMs first (stop, then destroy), then bridges and roles, the pool, the user;
 * a node's network apply after its bridges. The plan has p's students (same indexes) and copies
 * with the VMIDs actually used; undo is set and id_base continues p's ids. 0 and *out (free with
 * plan_free; it may have no actions), or -1 when p is not a deploy plan or r does not fit it. */
int plan_undo(const struct plan *p, const struct plan_result *r, struct plan **out);

#endif
