/* sim_vm_ops: what the QEMU endpoint modules (sim_qemu, sim_clone, sim_snapshot) share: a VM's
 * worker task (start it as the caller, find its VM when it ends), snapshot lookup, net keys. */
#ifndef SIM_VM_OPS_H
#define SIM_VM_OPS_H

#include "sim_api.h"
#include "sim_tasks.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Starts a task of `type` for vm on its node as the caller, with the scenario duration of durkey
 * (NULL: type), task id `id` (NULL: the vmid) and ctx (stolen; NULL: a new object; "vmid" is set
 * to vm's). Answers the request with the UPID and returns the task (owned by the model); on
 * failure fills a 500 and returns NULL. */
struct sim_task *sim_vm_task(struct sim_req *r, struct sim_vm *vm, const char *type,
                             const char *durkey, const char *id, json_t *ctx, sim_task_done_fn fn);
/* The same with the task's full-speed work given in ns (unscaled) and the VM's id as task id. */
struct sim_task *sim_vm_task_ns(struct sim_req *r, struct sim_vm *vm, const char *type,
                                int64_t work_ns, json_t *ctx, sim_task_done_fn fn);
/* A task of `type` that fails at once with the message (printf), as a PVE worker does when its
 * first check dies; the request is answered with its UPID. Returns 0, or -1 (500 filled). */
int sim_vm_task_refused(struct sim_req *r, struct sim_vm *vm, const char *type, const char *fmt,
                        ...) __attribute__((format(printf, 4, 5)));
/* Parameters only root@pam may give (PVE's raise_param_exc "Only root may use this option."):
 * 0 when none of names (NULL-terminated) is given with a true value or the caller is root@pam
 * (not a token); else a 400 for the first one is filled and -1 returned. */
int sim_req_root_params(struct sim_req *r, const char *const *names);
/* The VM that a task's ctx "vmid" names, or NULL when it is gone. */
struct sim_vm *sim_task_vm(struct sim_model *m, const struct sim_task *t);
/* The same VM with its lock lifted (the task that held it has ended), or NULL when it is gone. */
struct sim_vm *sim_task_vm_unlock(struct sim_model *m, const struct sim_task *t);
/* The snapshot `name` of vm (borrowed) and its index into *idx (idx may be NULL), or NULL. */
json_t *sim_vm_snapshot_find(const struct sim_vm *vm, const char *name, size_t *idx);
/* 1 while a running task holds the VM's config flock (clone: source and new VM; template;
 * destroy): a config change waits for it, as qemu-server's lock_config does. */
int sim_vm_flock_held(const struct sim_model *m, unsigned vmid);
/* qemu-server's lock_config in the API process: 0 when no task holds the VM's flock; else
 * r->flock_wait = vmid and -1: the server waits for the lock (the model mutex released) and
 * runs the handler again once it is free, or answers lock_file's timeout after 10 s (scaled).
 * A handler calls it before it changes anything. */
int sim_req_flock(struct sim_req *r, unsigned vmid);
/* 1 when key is a network option key (net0, net1, ...). */
int sim_config_is_net(const char *key);

#endif
