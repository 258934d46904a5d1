/* app_destroy: the teardown use case: everything of the stand (or of some students) that carries
 * its marks is removed, then the cluster is read again to verify that nothing is left. */
#ifndef DS_APP_DESTROY_H
#define DS_APP_DESTROY_H

#include "app/app_ctx.h"

/* Takes the lock, plans, shows, asks (typed DELETE_<stand>), runs, verifies and emits
 * APP_EV_DESTROYED. An APP_* code; a "no" is APP_FAILED. */
int app_destroy(struct app_ctx *c, const struct app_opts *o);

#endif
