/* cluster_lock: what the locks on the cluster share (a pool made atomically whose comment names
 * its holder, plan/marks.h mark_lock): this process as a holder, a dead holder, the requests. */
#ifndef DS_EXEC_CLUSTER_LOCK_H
#define DS_EXEC_CLUSTER_LOCK_H

#include "plan/marks.h"
#include "pve/pve_client.h"

/* This process as a holder of `command` (NULL: "change"): user, host (spaces and '=' made '_'),
 * pid, since and seen now; `run` its run id (NULL: the pid). */
void lock_holder_me(struct mark_lock *me, const char *command, const char *run);

/* 1 when h is a process of this host (me's) that no longer exists. */
int lock_holder_dead_here(const struct mark_lock *me, const struct mark_lock *h);

/* The locks' pool requests, each retried on lock timeouts and lost connections (retry_call):
 * POST /pools, GET /pools/{id} (*out: new reference) and DELETE /pools/{id}. */
int lock_pool_create(pve_client *c, const char *pool, const char *comment);
int lock_pool_get(pve_client *c, const char *pool, json_t **out);
int lock_pool_delete(pve_client *c, const char *pool);

#endif
