/* app_reset: the reset use case: the students' VMs are destroyed and cloned again from the
 * templates; users (and their passwords), pools, roles and bridges stay. */
#ifndef DS_APP_RESET_H
#define DS_APP_RESET_H

#include "app/app_ctx.h"

/* Takes the lock, removes the VMs (after asking), then deploys again as a run of its own in the
 * journal under the same lock. An APP_* code; a "no" is APP_FAILED. */
int app_reset(struct app_ctx *c, const struct app_opts *o);

#endif
