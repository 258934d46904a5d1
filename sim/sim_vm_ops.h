/* sim_vm_ops: what the QEMU endpoint modules (sim_qemu, sim_clone, sim_snapshot) share: a VM's
 * worker task (start it as the caller, find its VM when it ends), snapshot lookup, net keys. */
#ifndef SIM_VM_OPS_H
#define SIM_VM_OPS_H

#include "sim_api.h"
#include "sim_tasks.h"

#include <jansson.h>
#include <stddef.h>

/* Starts a task of `type` for vm on its node as the caller, with the scenario duration of durkey
 * (NULL: type), task id `id` (NULL: the vmid) and ctx (stolen; NULL: a new object; "vmid" is set
 * to vm's). Answers the request with the UPID and returns the task; on failure fills a 500 and
 * returns NULL. */
struct sim_task *sim_vm_task(struct sim_req *r, struct sim_vm *vm, const char *type,
                             const char *durkey, const char *id, json_t *ctx, sim_task_done_fn fn);
/* The VM that a task's ctx "vmid" names, or NULL when it is gone. */
struct sim_vm *sim_task_vm(struct sim_model *m, const struct sim_task *t);
/* The same VM with its lock lifted (the task that held it has ended), or NULL when it is gone. */
struct sim_vm *sim_task_vm_unlock(struct sim_model *m, const struct sim_task *t);
/* The snapshot `name` of vm (borrowed) and its index into *idx (idx may be NULL), or NULL. */
json_t *sim_vm_snapshot_find(const struct sim_vm *vm, const char *name, size_t *idx);
/* 1 when key is a network option key (net0, net1, ...). */
int sim_config_is_net(const char *key);

#endif
