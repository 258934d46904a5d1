/* app_snapshot: the named snapshots of the students' marked VMs: list them, and create, roll back
 * (keeping each VM's power state) or delete one by name for the class or some students. */
#ifndef DS_APP_SNAPSHOT_H
#define DS_APP_SNAPSHOT_H

#include <jansson.h>

#include "app/app_ctx.h"
#include "plan/plan.h"

/* "create", "rollback" or "delete" (static). */
const char *app_snapshot_op_name(enum snapshot_op op);

/* Takes the stand's lock, reads the cluster, plans `op` of snapshot `name` for the class
 * (o->only, o->only_vm), shows, asks, runs and, for create and delete, checks on a fresh read.
 * A name Proxmox would refuse (stand_snapshot_name_valid) or an unknown --vm machine is APP_USAGE
 * before anything is read or sent. *out: the outcome (app_lifecycle_json), NULL when nothing
 * ran; the caller json_decrefs it. */
int app_snapshot(struct app_ctx *c, const struct app_opts *o, enum snapshot_op op, const char *name,
                 json_t **out);

/* Reads each selected student's marked VMs and their snapshots; changes nothing. APP_OK and
 * *out = {"stand", "students": [{"user", "vms": [{"name", "vmid", "node", "snapshots": [{"name",
 * "description", "snaptime" (Unix seconds or null), "parent" (or null), "vmstate" (bool),
 * "current" (the VM's present state comes from it)}], "error"?}]}]} (the caller json_decrefs it);
 * APP_USAGE for a --user or --vm the stand does not have; APP_FAILED when the cluster or a VM's
 * snapshots could not be read (reported; *out still lists what was read). */
int app_snapshot_list(struct app_ctx *c, const struct app_opts *o, json_t **out);

#endif
