/* sim_snapshot: the QEMU snapshot endpoints (/nodes/{node}/qemu/{vmid}/snapshot/...): list, create,
 * delete, rollback and a snapshot's config, with PVE's checks, locks and task semantics. */
#include "sim_api.h"
#include "sim_tasks.h"
#include "sim_vm_ops.h"

#include <string.h>

static int h_snap_list(struct sim_req *r)
{
    struct sim_vm *vm = sim_req_vm(r);
    if (!vm)
        return -1;
    json_t *a = json_array();
    size_t i;
    json_t *s;
    json_array_foreach(vm->snapshots, i, s)
    {
        json_t *e = json_pack("{s:O, s:O, s:O, s:i}", "name", json_object_get(s, "name"),
                              "description", json_object_get(s, "description"), "snaptime",
                              json_object_get(s, "snaptime"), "vmstate", 0);
        if (json_object_get(s, "parent"))
            json_object_set(e, "parent", json_object_get(s, "parent"));
        json_array_append_new(a, e);
    }
    char digest[41];
    sim_vm_digest(vm, digest);
    json_t *cur = json_pack("{s:s, s:s, s:s, s:i}", "name", "current", "description",
                            "You are here!", "digest", digest, "running", vm->running);
    if (json_object_get(vm->config, "parent"))
        json_object_set(cur, "parent", json_object_get(vm->config, "parent"));
    json_array_append_new(a, cur);
    return sim_ok(r, a);
}

static void snap_done(struct sim_model *m, struct sim_task *t, int ok)
{
    struct sim_vm *vm = sim_task_vm_unlock(m, t);
    if (!vm || !ok)
        return;
    const char *name = json_string_value(json_object_get(t->ctx, "snapname"));
    if (strcmp(t->type, "qmsnapshot") == 0) {
        json_t *s = json_pack("{s:s, s:s, s:I, s:O}", "name", name, "description",
                              json_string_value(json_object_get(t->ctx, "description")), "snaptime",
                              (json_int_t)sim_model_wall_s(m, t->end), "config", vm->config);
        json_object_set_new(s, "config", json_deep_copy(vm->config));
        if (json_object_get(vm->config, "parent"))
            json_object_set(s, "parent", json_object_get(vm->config, "parent"));
        json_array_append_new(vm->snapshots, s);
        json_object_set_new(vm->config, "parent", json_string(name));
    } else if (strcmp(t->type, "qmdelsnapshot") == 0) {
        size_t idx;
        json_t *s = sim_vm_snapshot_find(vm, name, &idx);
        if (!s)
            return;
        json_t *parent = json_incref(json_object_get(s, "parent"));
        size_t i;
        json_t *o;
        json_array_foreach(vm->snapshots, i, o)
        {
            const char *p = json_string_value(json_object_get(o, "parent"));
            if (p && strcmp(p, name) == 0) {
                if (parent)
                    json_object_set(o, "parent", parent);
                else
                    json_object_del(o, "parent");
            }
        }
        const char *cp = json_string_value(json_object_get(vm->config, "parent"));
        if (cp && strcmp(cp, name) == 0) {
            if (parent)
                json_object_set(vm->config, "parent", parent);
            else
                json_object_del(vm->config, "parent");
        }
        json_decref(parent);
        json_array_remove(vm->snapshots, idx);
    } else if (strcmp(t->type, "qmrollback") == 0) {
        json_t *s = sim_vm_snapshot_find(vm, name, NULL);
        if (!s)
            return;
        json_t *conf = json_deep_copy(json_object_get(s, "config"));
        json_object_set_new(conf, "parent", json_string(name));
        json_object_del(conf, "lock");
        json_decref(vm->config);
        vm->config = conf;
        vm->running = json_is_true(json_object_get(t->ctx, "start"));
    }
}

/* The VM {vmid} and its snapshot {snapname}; fails the request like PVE and returns NULL when
 * either does not exist. */
static json_t *req_snapshot(struct sim_req *r, struct sim_vm **vm)
{
    *vm = sim_req_vm(r);
    if (!*vm)
        return NULL;
    const char *name = sim_p_str(r, "snapname");
    json_t *s = sim_vm_snapshot_find(*vm, name, NULL);
    if (!s)
        sim_fail(r, 500, "snapshot '%s' does not exist", name);
    return s;
}

/* Starts the snapshot task `type` (ctx stolen) and locks the VM with `lock`. 0 or -1. */
static int snap_task(struct sim_req *r, struct sim_vm *vm, const char *type, json_t *ctx,
                     const char *lock)
{
    if (!sim_vm_task(r, vm, type, "snapshot", NULL, ctx, snap_done))
        return -1;
    json_object_set_new(vm->config, "lock", json_string(lock));
    return 0;
}

static int h_snap_create(struct sim_req *r)
{
    struct sim_vm *vm = sim_req_vm(r);
    if (!vm)
        return -1;
    const char *name = sim_p_str(r, "snapname");
    if (strcmp(name, "current") == 0 || strcmp(name, "pending") == 0)
        return sim_fail(r, 500, "invalid snapshot name '%s'", name);
    if (sim_vm_snapshot_find(vm, name, NULL))
        return sim_fail(r, 500, "snapshot name '%s' already used", name);
    if (sim_vm_lock(vm))
        return sim_fail(r, 500, "VM is locked (%s)", sim_vm_lock(vm));
    const char *desc = sim_p_str(r, "description");
    return snap_task(r, vm, "qmsnapshot",
                     json_pack("{s:s, s:s}", "snapname", name, "description", desc ? desc : ""),
                     "snapshot");
}

static int h_snap_delete(struct sim_req *r)
{
    struct sim_vm *vm;
    if (!req_snapshot(r, &vm))
        return -1;
    if (sim_vm_lock(vm) && !sim_p_int(r, "force", 0))
        return sim_fail(r, 500, "VM is locked (%s)", sim_vm_lock(vm));
    return snap_task(r, vm, "qmdelsnapshot",
                     json_pack("{s:s}", "snapname", sim_p_str(r, "snapname")), "snapshot-delete");
}

static int h_snap_rollback(struct sim_req *r)
{
    struct sim_vm *vm;
    if (!req_snapshot(r, &vm))
        return -1;
    if (sim_vm_lock(vm))
        return sim_fail(r, 500, "VM is locked (%s)", sim_vm_lock(vm));
    return snap_task(r, vm, "qmrollback",
                     json_pack("{s:s, s:b}", "snapname", sim_p_str(r, "snapname"), "start",
                               (int)sim_p_int(r, "start", 0)),
                     "rollback");
}

static int h_snap_index(struct sim_req *r)
{
    struct sim_vm *vm;
    if (!req_snapshot(r, &vm))
        return -1;
    return sim_ok(r, json_pack("[{s:s}, {s:s}]", "rel", "config", "rel", "rollback"));
}

static int h_snap_config(struct sim_req *r)
{
    struct sim_vm *vm;
    json_t *s = req_snapshot(r, &vm);
    if (!s)
        return -1;
    if (strcmp(r->method, "PUT") == 0) {
        if (sim_p_str(r, "description"))
            json_object_set_new(s, "description", json_string(sim_p_str(r, "description")));
        return sim_ok(r, NULL);
    }
    json_t *c = json_deep_copy(json_object_get(s, "config"));
    json_object_set(c, "description", json_object_get(s, "description"));
    json_object_set(c, "snaptime", json_object_get(s, "snaptime"));
    return sim_ok(r, c);
}

const struct sim_route sim_snapshot_routes[] = {
    {"GET /nodes/{node}/qemu/{vmid}/snapshot", h_snap_list},
    {"POST /nodes/{node}/qemu/{vmid}/snapshot", h_snap_create},
    {"GET /nodes/{node}/qemu/{vmid}/snapshot/{snapname}", h_snap_index},
    {"DELETE /nodes/{node}/qemu/{vmid}/snapshot/{snapname}", h_snap_delete},
    {"POST /nodes/{node}/qemu/{vmid}/snapshot/{snapname}/rollback", h_snap_rollback},
    {"GET /nodes/{node}/qemu/{vmid}/snapshot/{snapname}/config", h_snap_config},
    {"PUT /nodes/{node}/qemu/{vmid}/snapshot/{snapname}/config", h_snap_config},
    {NULL, NULL}};
