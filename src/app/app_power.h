/* app_power: the power use cases of the class lifecycle: start (in the stand's start_order), stop,
 * shutdown (clean, then hard after a timeout) and reboot of the students' marked VMs. */
#ifndef DS_APP_POWER_H
#define DS_APP_POWER_H

#include <jansson.h>

#include "app/app_ctx.h"
#include "plan/plan.h"

/* "start", "stop", "shutdown" or "reboot" (static; the command and the JSON name). */
const char *app_power_name(enum power_op op);

/* Takes the stand's lock, reads the cluster, plans `op` for the class (o->only students, the
 * o->only_vm machine of each; o->timeout_s for shutdown and reboot), shows, asks, runs and, but
 * for reboot, checks on a fresh read that every VM is as asked. An APP_* code (APP_USAGE for an
 * unknown --vm machine, nothing sent); *out the outcome (app_lifecycle_json: which VMs were
 * stopped hard is "forced"), NULL when nothing ran; the caller json_decrefs it. */
int app_power(struct app_ctx *c, const struct app_opts *o, enum power_op op, json_t **out);

#endif
