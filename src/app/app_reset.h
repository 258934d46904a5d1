/* app_reset: the reset use case: the students' VMs go back to the stand's baseline snapshot (in
 * parallel), or are cloned fresh where they cannot; users, passwords, pools and bridges stay. */
#ifndef DS_APP_RESET_H
#define DS_APP_RESET_H

#include <jansson.h>

#include "app/app_ctx.h"

/* Takes the stand's lock and reads the cluster. Each selected VM (o->only students, the
 * o->only_vm machine of each) that has the stand's baseline snapshot is rolled back to it; the
 * VMs the plan marks for a fresh clone (no baseline, or not known to have it) are destroyed and
 * cloned again, and the stand's machines a student has no VM for are cloned. With o->reclone, or
 * when the stand has `baseline: false`, every selected VM is destroyed and cloned again. One
 * question covers it all; every VM ends in the power state it had (running with o->start).
 * *out: the outcome (app_lifecycle_json, operation "reset", plus "recloned": [{"user", "name",
 * "vmid", "node", "ok"}]; the caller json_decrefs it), NULL when nothing ran. An APP_* code
 * (APP_USAGE for an unknown --vm machine); a "no" is APP_FAILED. */
int app_reset(struct app_ctx *c, const struct app_opts *o, json_t **out);

#endif
