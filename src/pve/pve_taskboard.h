/* pve_taskboard: the active tasks of each node, listed once per interval (GET /nodes/{node}/tasks
 * ?source=active) for every thread of the process that waits for a task on that node. */
#ifndef DS_PVE_TASKBOARD_H
#define DS_PVE_TASKBOARD_H

#include "pve/pve_client.h"
#include <stdint.h>

/* Waits until `upid` is missing from a list of the node's active tasks asked for at or after
 * since_ns (monotonic ns), or until deadline_ns. One thread asks per node at a time; the others
 * read its answer. A new list is asked for once the newest is older than what pace(ud) wants now
 * (the waiter's own pause: short around when its task should end), at most 100 ms. 1 gone (read the
 * task's status to know how it ended: a task just started may still be missing from the list), 0
 * the deadline passed, -1 the node refuses to list its tasks (then poll the task itself). Nothing
 * to free. */
int pve_taskboard_wait_gone(pve_client *c, const char *node, const char *upid, int64_t since_ns,
                            int64_t deadline_ns, int64_t (*pace)(void *ud), void *ud);

#endif
