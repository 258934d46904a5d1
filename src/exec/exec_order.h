/* exec_order: the executor's order of ready actions (the critical path first) and which actions
 * are synchronous calls that take no task slot of their node. Pure: no I/O. */
#ifndef DS_EXEC_ORDER_H
#define DS_EXEC_ORDER_H

#include "plan/plan.h"

/* 1 for actions that are one synchronous request (bridges, VM config, users, pools, ACLs): they
 * start no Proxmox task and so do not hold one of the node's task slots. */
int exec_is_sync(enum action_kind k);

/* Per action: its expected work plus the longest chain of work that waits for it (malloc'd, the
 * caller frees). A ready action with a higher value goes first. */
long *exec_order_priorities(const struct plan *p);

#endif
