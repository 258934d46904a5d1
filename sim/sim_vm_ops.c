/* sim_vm_ops: what the QEMU endpoint modules (sim_qemu, sim_clone, sim_snapshot) share: a VM's
 * worker task (start it as the caller, find its VM when it ends), snapshot lookup, net keys. */
#include "sim_vm_ops.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sim_config_is_net(const char *key)
{
    return strncmp(key, "net", 3) == 0 && key[3] >= '0' && key[3] <= '9';
}

/* Starts the task with id (NULL: the vmid) and answers the request with its UPID. */
static struct sim_task *vm_task(struct sim_req *r, struct sim_vm *vm, const char *type,
                                int64_t work_ns, const char *id, json_t *ctx, sim_task_done_fn fn)
{
    char idbuf[32];
    if (!id) {
        snprintf(idbuf, sizeof idbuf, "%u", vm->vmid);
        id = idbuf;
    }
    if (!ctx)
        ctx = json_object();
    json_object_set_new(ctx, "vmid", json_integer(vm->vmid));
    struct sim_task *t =
        sim_task_start(r->model, vm->node, type, id, sim_req_task_user(r), work_ns, ctx, fn);
    if (!t) {
        sim_fail(r, 500, "got no worker upid - start worker failed");
        return NULL;
    }
    sim_task_log(t, "starting task %s", t->upid);
    sim_ok(r, json_string(t->upid));
    return t;
}

struct sim_task *sim_vm_task(struct sim_req *r, struct sim_vm *vm, const char *type,
                             const char *durkey, const char *id, json_t *ctx, sim_task_done_fn fn)
{
    return vm_task(r, vm, type, sim_task_duration(r->model, durkey ? durkey : type), id, ctx, fn);
}

struct sim_task *sim_vm_task_ns(struct sim_req *r, struct sim_vm *vm, const char *type,
                                int64_t work_ns, json_t *ctx, sim_task_done_fn fn)
{
    return vm_task(r, vm, type, work_ns, NULL, ctx, fn);
}

int sim_vm_task_refused(struct sim_req *r, struct sim_vm *vm, const char *type, const char *fmt,
                        ...)
{
    struct sim_task *t = sim_vm_task_ns(r, vm, type, 0, NULL, NULL);
    if (!t)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    sim_task_set_error(t, "%s", msg ? msg : "internal error");
    free(msg);
    return 0;
}

int sim_req_root_params(struct sim_req *r, const char *const *names)
{
    if (strcmp(r->who.userid, "root@pam") == 0 && !r->who.tokenid[0])
        return 0;
    for (int i = 0; names[i]; i++) {
        json_t *v = json_object_get(r->params, names[i]);
        if (v && !json_is_false(v) && !(json_is_integer(v) && json_integer_value(v) == 0) &&
            !(json_is_string(v) && !*json_string_value(v)))
            return sim_param_fail(r, names[i], "Only root may use this option.");
    }
    return 0;
}

struct sim_vm *sim_task_vm(struct sim_model *m, const struct sim_task *t)
{
    return sim_model_vm(m, (unsigned)json_integer_value(json_object_get(t->ctx, "vmid")));
}

struct sim_vm *sim_task_vm_unlock(struct sim_model *m, const struct sim_task *t)
{
    struct sim_vm *vm = sim_task_vm(m, t);
    if (vm)
        json_object_del(vm->config, "lock");
    return vm;
}

json_t *sim_vm_snapshot_find(const struct sim_vm *vm, const char *name, size_t *idx)
{
    size_t i;
    json_t *s;
    json_array_foreach(vm->snapshots, i, s)
    {
        if (strcmp(json_string_value(json_object_get(s, "name")), name) == 0) {
            if (idx)
                *idx = i;
            return s;
        }
    }
    return NULL;
}

/* A running task holds the VM's flock (/var/lock/qemu-server/lock-N.conf) for its whole run:
 * a clone on its source (shared) and its new VM (exclusive), a template conversion and a
 * destroy on their VM (qemu-server takes lock_config around the whole worker). */
int sim_vm_flock_held(const struct sim_model *m, unsigned vmid)
{
    static const char *const holders[] = {"qmclone", "qmtemplate", "qmdestroy", NULL};
    for (size_t i = 0; i < m->n_tasks; i++) {
        const struct sim_task *t = m->tasks[i];
        if (t->done)
            continue;
        for (int h = 0; holders[h]; h++) {
            if (strcmp(t->type, holders[h]) != 0)
                continue;
            if ((unsigned)json_integer_value(json_object_get(t->ctx, "vmid")) == vmid ||
                (h == 0 && strtoul(t->id, NULL, 10) == vmid))
                return 1;
        }
    }
    return 0;
}

int sim_req_flock(struct sim_req *r, unsigned vmid)
{
    if (!sim_vm_flock_held(r->model, vmid))
        return 0;
    r->flock_wait = vmid;
    r->status = 0;
    return -1;
}
