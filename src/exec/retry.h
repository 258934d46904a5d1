/* retry: the executor's error policy: which failures get another attempt (decided on the PVE
 * client's error class, never on message text), how long to wait, and per-node AIMD concurrency. */
#ifndef DS_EXEC_RETRY_H
#define DS_EXEC_RETRY_H

#include "pve/pve_error.h"

#include <stdbool.h>
#include <stdint.h>

/* Concurrency of one node, adapted AIMD-style: lock errors halve the limit, and it grows back
 * by one after `limit` successes in a row, up to the configured maximum. The executor owns the
 * slots (node is malloc'd, freed by it) and calls these under its mutex. */
struct node_slot {
    char *node; /* NULL = cluster-wide calls */
    int running, limit, max, ok_streak;
    int max_seen; /* the most actions that ran at once here */
};

/* true when a failure of this class may go away by itself and the step is tried again: locks
 * and lock timeouts (PVE_ERR_LOCKED), PVE_ERR_TRANSIENT (5xx proxies, resets, timeouts) and
 * PVE_ERR_UNREACHABLE (a refused connection mid-run: pveproxy restarting; the login before the
 * run has shown the address is right). "already exists", "does not exist", permission, input
 * and auth failures are final (a 401 has already been answered by logging in again, in the
 * client, when the session uses a password). */
bool retry_worth(enum pve_err_class cls);

/* The same for a step that only re-runs one idempotent task, the network apply (PUT
 * /nodes/{node}/network: the srvreload task moves interfaces.new in place and runs ifreload -a):
 * besides retry_worth's classes, a failed task (PVE_ERR_OTHER: "ifreload -a failed: exit code
 * N", or no end in time) is worth another attempt, since running it again applies the same
 * pending file and a reload that raced another one or met a busy device passes the next time.
 * Permission, input, auth, not-found and exists stay final. */
bool retry_worth_rerun(enum pve_err_class cls);

/* A step ran: one more success in a row; the limit grows by one after `limit` of them. */
void retry_slot_success(struct node_slot *sl);

/* A step failed with `cls` and will be retried: a lock halves the node's limit (at least 1). */
void retry_slot_failure(struct node_slot *sl, enum pve_err_class cls);

/* The pause before attempt `attempt` + 2, in ms: 200 ms doubling up to 5 s, plus up to half of it
 * again drawn from *rng (a linear congruential state the caller keeps, under its lock). */
int64_t retry_backoff_ms(int attempt, unsigned *rng);

/* Calls fn(ud) up to `tries` times while it fails (< 0) with a class worth a retry (retry_worth),
 * pausing retry_backoff_ms between the calls: for the single requests outside a plan's actions
 * (the cluster locks). fn's last result, with its ds_err. */
int retry_call(int (*fn)(void *ud), void *ud, int tries);

#endif
