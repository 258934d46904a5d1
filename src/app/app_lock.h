/* app_lock: the stand's lock on the cluster, a pool "ds-lock-<stand>" marked with its holder, so
 * that two machines (or two state folders) never change the same stand at once. */
#ifndef DS_APP_LOCK_H
#define DS_APP_LOCK_H

#include "app/app_ctx.h"

/* The holder renews the lock every APP_LOCK_BEAT_S seconds; one not renewed for
 * APP_LOCK_STALE_S seconds may be taken over with --break-lock. */
#define APP_LOCK_BEAT_S 30
#define APP_LOCK_STALE_S 150

/* Takes the lock of c's stand for `command` (held in c->cluster_lock until app_lock_release or
 * app_ctx_free). A lock held by a run of this host whose process is gone is taken over; one held
 * elsewhere is refused, naming the holder and what to do, unless break_lock and it is stale.
 * APP_OK, or APP_FAILED (reported). Does nothing when c already holds it. */
int app_lock_take(struct app_ctx *c, const char *command, int break_lock);

/* Stops the renewal and removes the lock when it is still ours; no-op when none is held. */
void app_lock_release(struct app_ctx *c);

/* Removes the stand's lock and the template copies' locks (ds-copy-*) of c's view that a process
 * of this host left when it died: a run with nothing to do takes no lock, so it clears these. */
void app_lock_clear_dead(struct app_ctx *c);

#endif
