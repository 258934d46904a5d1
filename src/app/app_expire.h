/* app_expire: the stands whose expiry date has passed, found on the cluster itself (the `expire`
 * of the users marked for each stand), listed and, when asked, destroyed as `destroy` does. */
#ifndef DS_APP_EXPIRE_H
#define DS_APP_EXPIRE_H

#include <jansson.h>
#include <stddef.h>

#include "app/app_ctx.h"

/* The expiry the cluster records for `stand`: the latest `expire` (Unix seconds; deploy sets it
 * to the midnight, UTC, that ends the stand's last day) of the users marked for the stand, 0
 * when none is marked or one of them never expires. *n_users (may be NULL) gets how many users
 * are marked for it. Reads v's users only. */
long long app_expire_of(const struct cluster_view *v, const char *stand, size_t *n_users);

/* The last day of an expiry as "YYYY-MM-DD" (the UTC day before the midnight `expire`). */
void app_expire_day(long long expire, char out[11]);

/* Reads the whole cluster (c opened with app_ctx_open_cluster) and lists every stand whose
 * marked users carry an expiry, as *out = {"now", "stands": [{"stand", "expires" (the last day),
 * "expires_at", "expired", "students": [userids], "destroyed" (bool, or null when not tried),
 * "left" (objects left after the destroy, or null)}], "expired": N, "destroyed": N} (the caller
 * json_decrefs it). With `remove` each stand whose date has passed is destroyed as `destroy`
 * does it (its lock, the plan, the run, the verification), without a question: the stand and
 * its students come from the marks, so no stand file is needed; c's stand and class are
 * replaced. APP_OK, or APP_FAILED when the cluster could not be read or a destroy failed. */
int app_expire(struct app_ctx *c, const struct app_opts *o, int remove, json_t **out);

/* app_expire with remove for `stand` alone, asked: the cluster is read again, and when the stand's
 * date has passed its teardown plan is shown and the front-end's confirm asked (APP_ASK_DESTROY,
 * the typed DELETE_<stand>) before it is destroyed. *out as app_expire's, listing that stand only
 * (no entry when it has no expiry any more; "destroyed" false after a no). APP_OK, or APP_FAILED
 * (the cluster could not be read, a no, or the destroy failed). */
int app_expire_stand(struct app_ctx *c, const struct app_opts *o, const char *stand, json_t **out);

#endif
