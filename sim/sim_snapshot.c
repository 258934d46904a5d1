/* sim_snapshot: the QEMU snapshot endpoints (/nodes/{node}/qemu/{vmid}/snapshot/...): list, create,
 * delete, rollback and a snapshot's config, with PVE's checks, locks and task semantics. */
#include "sim_api.h"
#include "sim_tasks.h"
#include "sim_vm_ops.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* A snapshot in vm->snapshots: {name, description, snaptime, vmstate: 0|1, parent?,
 * snapstate?: "prepare"|"delete", config}. As in PVE::AbstractConfig, checks that fail before a
 * worker has changed anything fail its task (200 with a UPID, then the task's exitstatus); only
 * the reserved names are refused by the API call itself. */

/* __snapshot_copy_config: the config without the keys that belong to the current state. */
static json_t *config_for_snapshot(const json_t *conf)
{
    static const char *const skip[] = {"snapstate", "snaptime",    "vmstate", "lock",
                                       "digest",    "description", NULL};
    json_t *out = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)conf, k, v)
    {
        int keep = strncmp(k, "unused", 6) != 0;
        for (int i = 0; keep && skip[i]; i++)
            keep = strcmp(k, skip[i]) != 0;
        if (keep)
            json_object_set(out, k, v);
    }
    return out;
}

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
        json_t *e =
            json_pack("{s:O, s:O, s:O, s:O}", "name", json_object_get(s, "name"), "description",
                      json_object_get(s, "description"), "snaptime", json_object_get(s, "snaptime"),
                      "vmstate", json_object_get(s, "vmstate"));
        static const char *const opt[] = {"parent", "snapstate", NULL};
        for (int k = 0; opt[k]; k++)
            if (json_object_get(s, opt[k]))
                json_object_set(e, opt[k], json_object_get(s, opt[k]));
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

/* ---- create ------------------------------------------------------------------------------- */

/* __snapshot_commit, or the cleanup of a failed snapshot: the VM is unlocked either way. */
static void snap_created(struct sim_model *m, struct sim_task *t, int ok)
{
    struct sim_vm *vm = sim_task_vm_unlock(m, t);
    const char *name = json_string_value(json_object_get(t->ctx, "snapname"));
    size_t idx;
    json_t *s = vm ? sim_vm_snapshot_find(vm, name, &idx) : NULL;
    if (!s)
        return;
    if (!ok) {
        json_array_remove(vm->snapshots, idx);
        return;
    }
    json_object_del(s, "snapstate");
    json_object_set_new(vm->config, "parent", json_string(name));
    sim_task_log(t, "snapshot '%s' of VM %u created", name, vm->vmid);
}

static int h_snap_create(struct sim_req *r)
{
    struct sim_vm *vm = sim_req_vm(r);
    if (!vm)
        return -1;
    const char *name = sim_p_str(r, "snapname");
    if (strcmp(name, "current") == 0)
        return sim_fail(r, 500, "unable to use snapshot name 'current' (reserved name)");
    if (strcasecmp(name, "pending") == 0)
        return sim_fail(r, 500, "unable to use snapshot name 'pending' (reserved name)");
    /* __snapshot_prepare, in the worker */
    if (sim_vm_is_template(vm))
        return sim_vm_task_refused(r, vm, "qmsnapshot",
                                   "you can't take a snapshot if it's a template");
    if (sim_vm_lock(vm))
        return sim_vm_task_refused(r, vm, "qmsnapshot", "VM is locked (%s)", sim_vm_lock(vm));
    if (sim_vm_snapshot_find(vm, name, NULL))
        return sim_vm_task_refused(r, vm, "qmsnapshot", "snapshot name '%s' already used", name);
    if (!sim_config_has_feature(r->model, vm->config, "snapshot", 0))
        return sim_vm_task_refused(r, vm, "qmsnapshot", "snapshot feature is not available");
    struct sim_task *t = sim_vm_task(r, vm, "qmsnapshot", "snapshot", NULL,
                                     json_pack("{s:s}", "snapname", name), snap_created);
    if (!t)
        return -1;
    const char *desc = sim_p_str(r, "description");
    /* the RAM is saved only when the VM runs */
    int vmstate = sim_p_int(r, "vmstate", 0) && vm->running;
    json_t *s =
        json_pack("{s:s, s:s, s:I, s:i, s:s, s:o}", "name", name, "description", desc ? desc : "",
                  "snaptime", (json_int_t)sim_model_wall_s(r->model, t->start), "vmstate", vmstate,
                  "snapstate", "prepare", "config", config_for_snapshot(vm->config));
    if (json_object_get(vm->config, "parent"))
        json_object_set(s, "parent", json_object_get(vm->config, "parent"));
    json_array_append_new(vm->snapshots, s);
    json_object_set_new(vm->config, "lock", json_string("snapshot"));
    sim_task_log(t, "snapshot VM %u: %s%s", vm->vmid, name, vmstate ? " (with RAM)" : "");
    return 0;
}

/* ---- delete ------------------------------------------------------------------------------- */

/* Points what named `name` as its parent at parent (NULL: no parent). */
static void reparent(json_t *o, const char *name, json_t *parent)
{
    const char *p = json_string_value(json_object_get(o, "parent"));
    if (!p || strcmp(p, name) != 0)
        return;
    if (parent)
        json_object_set(o, "parent", parent);
    else
        json_object_del(o, "parent");
}

static void snap_deleted(struct sim_model *m, struct sim_task *t, int ok)
{
    struct sim_vm *vm = sim_task_vm_unlock(m, t);
    const char *name = json_string_value(json_object_get(t->ctx, "snapname"));
    size_t idx;
    json_t *s = vm ? sim_vm_snapshot_find(vm, name, &idx) : NULL;
    if (!s)
        return;
    if (!ok) {
        json_object_del(s, "snapstate");
        return;
    }
    json_t *parent = json_incref(json_object_get(s, "parent"));
    size_t i;
    json_t *o;
    json_array_foreach(vm->snapshots, i, o)
    {
        reparent(o, name, parent);
        reparent(json_object_get(o, "config"), name, parent);
    }
    reparent(vm->config, name, parent);
    json_decref(parent);
    json_array_remove(vm->snapshots, idx);
}

static int h_snap_delete(struct sim_req *r)
{
    struct sim_vm *vm = sim_req_vm(r);
    if (!vm)
        return -1;
    const char *name = sim_p_str(r, "snapname");
    json_t *s = sim_vm_snapshot_find(vm, name, NULL);
    /* snapshot_delete, in the worker; `force` only ignores failing volume deletions */
    if (!s)
        return sim_vm_task_refused(r, vm, "qmdelsnapshot", "snapshot '%s' does not exist", name);
    if (sim_vm_lock(vm))
        return sim_vm_task_refused(r, vm, "qmdelsnapshot", "VM is locked (%s)", sim_vm_lock(vm));
    if (sim_vm_is_template(vm))
        return sim_vm_task_refused(r, vm, "qmdelsnapshot",
                                   "you can't delete a snapshot if vm is a template");
    if (!sim_vm_task(r, vm, "qmdelsnapshot", "snapshot", NULL, json_pack("{s:s}", "snapname", name),
                     snap_deleted))
        return -1;
    json_object_set_new(s, "snapstate", json_string("delete"));
    json_object_set_new(vm->config, "lock", json_string("snapshot-delete"));
    return 0;
}

/* ---- rollback ----------------------------------------------------------------------------- */

/* ZFS rolls a volume back only to its most recent snapshot (volume_rollback_is_possible): the
 * volid of the first ZFS disk of snapshot idx when a later snapshot exists, into out; else 0. */
static int zfs_blocked(struct sim_model *m, const struct sim_vm *vm, size_t idx, char *out,
                       size_t outlen)
{
    if (idx + 1 >= json_array_size(vm->snapshots))
        return 0;
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(json_array_get(vm->snapshots, idx), "config"), k, v)
    {
        if (!sim_config_is_disk(k) || strncmp(k, "unused", 6) == 0 || !json_is_string(v) ||
            sim_disk_is_cdrom(json_string_value(v)))
            continue;
        char sid[64];
        sim_disk_storage(json_string_value(v), sid, sizeof sid);
        const struct sim_storage *st = sid[0] ? sim_model_storage(m, sid) : NULL;
        if (st && (strcmp(st->type, "zfspool") == 0 || strcmp(st->type, "zfs") == 0)) {
            snprintf(out, outlen, "%.*s", (int)strcspn(json_string_value(v), ","),
                     json_string_value(v));
            return 1;
        }
    }
    return 0;
}

/* A new random UUID (vmgenid after a rollback: the guest learns it is another generation). */
static json_t *new_uuid(uint64_t *rng)
{
    uint64_t a = sim_rng_next(rng), b = sim_rng_next(rng);
    char uuid[40];
    snprintf(uuid, sizeof uuid, "%08x-%04x-4%03x-a%03x-%012llx", (unsigned)(a >> 32),
             (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff, (unsigned)(b >> 52) & 0xfff,
             (unsigned long long)(b & 0xffffffffffffULL));
    return json_string(uuid);
}

/* The second half of snapshot_rollback: the snapshot's config becomes the VM's (its description
 * and unused disks stay), then the VM starts when the snapshot has RAM or start=1 was asked. */
static void snap_rolled_back(struct sim_model *m, struct sim_task *t, int ok)
{
    struct sim_vm *vm = sim_task_vm_unlock(m, t);
    const char *name = json_string_value(json_object_get(t->ctx, "snapname"));
    json_t *s = vm ? sim_vm_snapshot_find(vm, name, NULL) : NULL;
    if (!s || !ok)
        return;
    json_t *conf = config_for_snapshot(json_object_get(s, "config"));
    const char *k;
    json_t *v;
    json_object_foreach(vm->config, k, v)
    {
        if (strncmp(k, "unused", 6) == 0 || strcmp(k, "description") == 0)
            json_object_set(conf, k, v);
    }
    json_object_set_new(conf, "parent", json_string(name));
    if (json_object_get(conf, "vmgenid"))
        json_object_set_new(conf, "vmgenid", new_uuid(&m->rng));
    json_decref(vm->config);
    vm->config = conf;
    if (json_integer_value(json_object_get(s, "vmstate")) ||
        json_is_true(json_object_get(t->ctx, "start"))) {
        vm->running = 1;
        vm->started = t->end;
        sim_task_log(t, "VM %u started", vm->vmid);
    }
}

/* The checks of snapshot_rollback's prepare step, in PVE's order: 1 and the message in msg
 * when the rollback is refused, else 0 and the snapshot in *snap. */
static int rollback_refused(struct sim_req *r, struct sim_vm *vm, const char *name, json_t **snap,
                            char *msg, size_t msglen)
{
    size_t idx;
    char volid[256];
    const char *state;
    *snap = sim_vm_snapshot_find(vm, name, &idx);
    if (sim_vm_is_template(vm))
        snprintf(msg, msglen, "you can't rollback if vm is a template");
    else if (!*snap)
        snprintf(msg, msglen, "snapshot '%s' does not exist", name);
    else if (zfs_blocked(r->model, vm, idx, volid, sizeof volid))
        snprintf(msg, msglen, "can't rollback, '%s' is not most recent snapshot on '%s'", name,
                 volid);
    else if ((state = json_string_value(json_object_get(*snap, "snapstate"))))
        snprintf(msg, msglen, "unable to rollback to incomplete snapshot (snapstate = %s)", state);
    else if (sim_vm_lock(vm))
        snprintf(msg, msglen, "VM is locked (%s)", sim_vm_lock(vm));
    else
        return 0;
    return 1;
}

static int h_snap_rollback(struct sim_req *r)
{
    struct sim_vm *vm = sim_req_vm(r);
    if (!vm)
        return -1;
    const char *name = sim_p_str(r, "snapname");
    json_t *s;
    char msg[512];
    if (rollback_refused(r, vm, name, &s, msg, sizeof msg))
        return sim_vm_task_refused(r, vm, "qmrollback", "%s", msg);
    int start = (int)sim_p_int(r, "start", 0);
    int64_t work = sim_task_duration(r->model, "snapshot");
    if (start || json_integer_value(json_object_get(s, "vmstate")))
        work += sim_task_duration(r->model, "qmstart");
    struct sim_task *t =
        sim_vm_task_ns(r, vm, "qmrollback", work,
                       json_pack("{s:s, s:b}", "snapname", name, "start", start), snap_rolled_back);
    if (!t)
        return -1;
    if (vm->running) { /* the prepare step stops the VM (hard, 5 s timeout) */
        vm->running = 0;
        sim_task_log(t, "stopping VM %u", vm->vmid);
    }
    json_object_set_new(vm->config, "lock", json_string("rollback"));
    return 0;
}

/* ---- snapshot index and config ------------------------------------------------------------ */

static int h_snap_index(struct sim_req *r)
{
    /* PVE lists the two sub-commands without looking at the VM or the snapshot */
    return sim_ok(r, json_pack("[{s:s}, {s:s}]", "cmd", "rollback", "cmd", "config"));
}

static int h_snap_config_get(struct sim_req *r)
{
    struct sim_vm *vm = sim_req_vm(r);
    if (!vm)
        return -1;
    const char *name = sim_p_str(r, "snapname");
    json_t *s = sim_vm_snapshot_find(vm, name, NULL);
    if (!s)
        return sim_fail(r, 500, "snapshot '%s' does not exist", name);
    json_t *c = json_deep_copy(json_object_get(s, "config"));
    json_object_set(c, "description", json_object_get(s, "description"));
    json_object_set(c, "snaptime", json_object_get(s, "snaptime"));
    if (json_object_get(s, "snapstate"))
        json_object_set(c, "snapstate", json_object_get(s, "snapstate"));
    if (json_integer_value(json_object_get(s, "vmstate"))) {
        /* the RAM went to a volume on the storage of the first disk */
        char sid[64] = "", volid[256];
        const char *k;
        json_t *v;
        json_object_foreach(c, k, v)
        {
            if (!sid[0] && sim_config_is_disk(k) && json_is_string(v) &&
                !sim_disk_is_cdrom(json_string_value(v)))
                sim_disk_storage(json_string_value(v), sid, sizeof sid);
        }
        snprintf(volid, sizeof volid, "%s:vm-%u-state-%s", sid[0] ? sid : "local", vm->vmid, name);
        json_object_set_new(c, "vmstate", json_string(volid));
    }
    return sim_ok(r, c);
}

static int h_snap_config_put(struct sim_req *r)
{
    const char *desc = sim_p_str(r, "description");
    if (!desc) /* PVE returns before it reads the config */
        return sim_ok(r, NULL);
    struct sim_vm *vm = sim_req_vm(r);
    if (!vm)
        return -1;
    if (sim_vm_lock(vm))
        return sim_fail(r, 500, "VM is locked (%s)", sim_vm_lock(vm));
    const char *name = sim_p_str(r, "snapname");
    json_t *s = sim_vm_snapshot_find(vm, name, NULL);
    if (!s)
        return sim_fail(r, 500, "snapshot '%s' does not exist", name);
    json_object_set_new(s, "description", json_string(desc));
    return sim_ok(r, NULL);
}

const struct sim_route sim_snapshot_routes[] = {
    {"GET /nodes/{node}/qemu/{vmid}/snapshot", h_snap_list},
    {"POST /nodes/{node}/qemu/{vmid}/snapshot", h_snap_create},
    {"GET /nodes/{node}/qemu/{vmid}/snapshot/{snapname}", h_snap_index},
    {"DELETE /nodes/{node}/qemu/{vmid}/snapshot/{snapname}", h_snap_delete},
    {"POST /nodes/{node}/qemu/{vmid}/snapshot/{snapname}/rollback", h_snap_rollback},
    {"GET /nodes/{node}/qemu/{vmid}/snapshot/{snapname}/config", h_snap_config_get},
    {"PUT /nodes/{node}/qemu/{vmid}/snapshot/{snapname}/config", h_snap_config_put},
    {NULL, NULL}};
