/* app_status: the status use case: what of the stand is on the cluster, student by student,
 * read from the marks (no local state needed). */
#ifndef DS_APP_STATUS_H
#define DS_APP_STATUS_H

#include <jansson.h>

#include "app/app_ctx.h"

/* Reads the cluster and returns APP_OK with *out = {"stand": NAME, "deployed": N, "students":
 * [{user, state ("deployed"/"partial"/"absent"), user_state, pool, pool_state, node?, vms:
 * [{name, vmid, node, status}], bridges: [{node, bridge, alias, active}]}]} (the caller
 * json_decrefs it), or APP_FAILED (reported). */
int app_status(struct app_ctx *c, json_t **out);

#endif
