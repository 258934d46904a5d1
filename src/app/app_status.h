/* app_status: the status use case: what of the stand is on the cluster, student by student, read
 * from the marks (no local state needed): VMs with their power state and uptime, and the expiry. */
#ifndef DS_APP_STATUS_H
#define DS_APP_STATUS_H

#include <jansson.h>

#include "app/app_ctx.h"

/* Reads the cluster and returns APP_OK with *out (the caller json_decrefs it) = {"stand": NAME,
 * "deployed": N students complete, "vm_count": M VMs of the class, "running": R of them,
 * "expires": the stand file's last day "YYYY-MM-DD" or null, "expires_at": its end (Unix seconds)
 * or null, "cluster_expires", "cluster_expires_at": the same as the cluster records it on the
 * stand's users (app_expire_of) or null, "expired": the cluster's date has passed, "students":
 * [{user, state ("deployed"/"partial"/"absent"), user_state and pool_state ("ok": marked for this
 * student, "missing", "exists_foreign": there but not made by this stand), pool, node?, vm_count,
 * running, expires_at (the user's expiry or null), vms: [{name, vmid, node, status
 * (the lock while one is held, else the power state), power, uptime (seconds, 0 when stopped),
 * lock (or null)}], bridges: [{node, bridge, alias, active}]}], "template_copies": the marked
 * copies of the stand's templates [{vmid, node, original, for_node (or null), template (0: left
 * half-way), stale, linked_vms, linked_vms_exact (0: some VM configs were not read, linked_vms is
 * a lower bound)}]}, or APP_FAILED (reported). */
int app_status(struct app_ctx *c, json_t **out);

/* Whether a status document shows changes pending: a student of the class list that is not
 * completely deployed (user, pool, every machine) or whose pool is not ours. 1 or 0. */
int app_status_pending(const json_t *st);

#endif
