/* cluster_lock: what the locks on the cluster share (a pool made atomically whose comment names
 * its holder, plan/marks.h mark_lock): this process as a holder, a dead holder, the requests. */
#ifndef DS_EXEC_CLUSTER_LOCK_H
#define DS_EXEC_CLUSTER_LOCK_H

#include "plan/marks.h"
#include "pve/pve_client.h"
#include <stdint.h>

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

/* The holder named by the pool's comment into *h: 1 read, 0 no such pool, -1 no answer or a pool
 * of that name that is no lock (ds_err says what to do). */
int lock_pool_holder(pve_client *c, const char *pool, struct mark_lock *h);

/* What to do about a holder that is not this process. */
enum lock_verdict { LOCK_TAKE_OVER, LOCK_WAIT, LOCK_GIVE_UP };
struct lock_try {
    const struct mark_lock *me;                                      /* this process */
    enum lock_verdict (*judge)(const struct mark_lock *h, void *ud); /* the holder's fate */
    void *ud;
    int64_t deadline_ns; /* LOCK_WAIT polls (every 500 ms) until here (monotonic ns) */
};
/* Takes the lock `pool`: creates it with t->me's comment; when it is there, our own request whose
 * answer was lost holds it, a holder judged LOCK_TAKE_OVER loses it (the pool is deleted and made
 * again), LOCK_WAIT waits for it to go. 0 held, 1 held by *holder (given up, or still held at the
 * deadline), -1 with ds_err. */
int lock_pool_take(pve_client *c, const char *pool, const struct lock_try *t,
                   struct mark_lock *holder);

#endif
