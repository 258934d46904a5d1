/* sim_clone: the QEMU endpoints that make, turn or remove whole VMs
 * (/nodes/{node}/qemu/{vmid}/...): clone, template, migrate and destroy, with PVE's synchronous
 * checks, locks and task semantics. */
#include "sim_api.h"
#include "sim_tasks.h"
#include "sim_vm_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- clone -------------------------------------------------------------------------------- */

static const char *const nic_models[] = {
    "e1000",  "e1000-82540em", "e1000-82544gc", "e1000-82545em", "e1000e",
    "i82551", "i82557b",       "i82559er",      "ne2k_isa",      "ne2k_pci",
    "pcnet",  "rtl8139",       "virtio",        "vmxnet3",       NULL};

static int is_nic_model(const char *s, size_t n)
{
    for (int i = 0; nic_models[i]; i++)
        if (strlen(nic_models[i]) == n && strncmp(nic_models[i], s, n) == 0)
            return 1;
    return 0;
}

/* Replaces the MAC of a canonical net value ("virtio=MAC,..." or "macaddr=MAC") with a new one;
 * adds one when there is none. Returns a malloc'd string. */
static char *net_new_mac(uint64_t *rng, const char *value)
{
    char mac[18];
    sim_mac_random(rng, mac);
    size_t len = strlen(value);
    char *out = malloc(len + 40);
    if (!out)
        return NULL;
    out[0] = '\0';
    int replaced = 0;
    const char *p = value;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        if (out[0])
            strcat(out, ",");
        if (eq && (is_nic_model(p, (size_t)(eq - p)) ||
                   ((size_t)(eq - p) == 7 && strncmp(p, "macaddr", 7) == 0))) {
            strncat(out, p, (size_t)(eq - p) + 1);
            strcat(out, mac);
            replaced = 1;
        } else if (!eq && is_nic_model(p, n)) {
            strncat(out, p, n);
            strcat(out, "=");
            strcat(out, mac);
            replaced = 1;
        } else {
            strncat(out, p, n);
        }
        p = e ? e + 1 : p + n;
    }
    if (!replaced) {
        strcat(out, ",macaddr=");
        strcat(out, mac);
    }
    return out;
}

static void clone_done(struct sim_model *m, struct sim_task *t, int ok)
{
    unsigned newid = (unsigned)json_integer_value(json_object_get(t->ctx, "newid"));
    int created = json_is_true(json_object_get(t->ctx, "created"));
    struct sim_vm *vm = created ? sim_model_vm(m, newid) : NULL;
    if (!ok) {
        if (vm)
            sim_model_vm_remove(m, newid);
        if (t->error && strncmp(t->error, "clone failed: ", 14) != 0) {
            char *e = t->error;
            t->error = NULL;
            sim_task_set_error(t, "clone failed: %s", e);
            free(e);
        }
        return;
    }
    if (!vm)
        return;
    json_object_del(vm->config, "lock");
    const char *pool = json_string_value(json_object_get(t->ctx, "pool"));
    if (pool && json_object_get(m->pools, pool))
        snprintf(vm->pool, sizeof vm->pool, "%s", pool);
    sim_task_log(t, "clone of VM %s finished", t->id);
}

/* What a clone request asks for, gathered while it is checked. */
struct clone_plan {
    struct sim_vm *src;
    const json_t *srcconf; /* the source's config, or its snapshot's with snapname */
    unsigned newid;
    const char *storage; /* the target storage (full clones), or NULL */
    const char *pool;    /* NULL = none */
    const char *tnode;   /* the target node: the source's own when no target is given */
    int is_tpl, full;
    struct sim_vm *existing; /* a VM that already has newid (on another node), or NULL */
    char first_storage[64];  /* the storage of the source's first disk */
};

/* The source: not locked, the linked-clone parameter rules, the snapshot to clone from. */
static int clone_source(struct sim_req *r, struct clone_plan *c)
{
    const char *snapname = sim_p_str(r, "snapname");
    const char *lock = sim_vm_lock(c->src);
    if (lock)
        return sim_fail(r, 500, "VM is locked (%s)", lock);
    c->is_tpl = sim_vm_is_template(c->src);
    c->full = sim_p_has(r, "full") ? (int)sim_p_int(r, "full", 0) : !c->is_tpl;
    if (!c->full && c->storage)
        return sim_fail(r, 500, "parameter 'storage' not allowed for linked clones");
    if (!c->full && sim_p_has(r, "format"))
        return sim_fail(r, 500, "parameter 'format' not allowed for linked clones");
    c->srcconf = c->src->config;
    if (snapname) {
        json_t *s = sim_vm_snapshot_find(c->src, snapname, NULL);
        c->srcconf = s ? json_object_get(s, "config") : NULL;
        if (!c->srcconf)
            return sim_fail(r, 500, "snapshot '%s' does not exist", snapname);
    }
    return 0;
}

/* The target: the pool, the node (online), newid free on the source's node, the storage. */
static int clone_target(struct sim_req *r, struct clone_plan *c)
{
    struct sim_model *m = r->model;
    const char *target = sim_p_str(r, "target");
    if (c->pool && !json_object_get(m->pools, c->pool))
        return sim_fail(r, 500, "pool '%s' does not exist", c->pool);
    c->tnode = c->src->node;
    if (target) {
        struct sim_node *tn = sim_model_node(m, target);
        if (!tn)
            return sim_fail(r, 500, "no such cluster node '%s'", target);
        if (!tn->online)
            return sim_fail(r, 500, "target node '%s' is not online", target);
        c->tnode = tn->name;
    }
    c->existing = sim_model_vm(m, c->newid);
    if (c->existing && strcmp(c->existing->node, c->src->node) == 0)
        return sim_fail(r, 500, "unable to create VM %u: config file already exists", c->newid);
    if (c->storage) {
        struct sim_storage *st = sim_model_storage(m, c->storage);
        if (!st)
            return sim_fail(r, 500, "storage '%s' does not exist", c->storage);
        if (!sim_storage_on_node(st, c->tnode))
            return sim_fail(r, 500, "storage '%s' is not available on node '%s'", c->storage,
                            c->tnode);
    }
    return 0;
}

/* The disks: local storage only on the source's node, linked clones only from base volumes. */
static int clone_disks_check(struct sim_req *r, struct clone_plan *c)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)c->srcconf, k, v)
    {
        if (!sim_config_is_disk(k) || strncmp(k, "unused", 6) == 0 || !json_is_string(v))
            continue;
        char sid[64];
        sim_disk_storage(json_string_value(v), sid, sizeof sid);
        if (!sid[0] || strstr(json_string_value(v), "media=cdrom"))
            continue;
        if (!c->first_storage[0])
            snprintf(c->first_storage, sizeof c->first_storage, "%s", sid);
        struct sim_storage *st = sim_model_storage(r->model, sid);
        if (strcmp(c->tnode, c->src->node) != 0 && (!st || !st->shared))
            return sim_fail(r, 500, "can't clone VM to node '%s' (VM uses local storage)",
                            c->tnode);
        if (!c->full) {
            const char *vol = json_string_value(v);
            const char *colon = strchr(vol, ':');
            if (!c->is_tpl || !colon || strncmp(colon + 1, "base-", 5) != 0) {
                size_t n = strcspn(vol, ",");
                return sim_fail(r, 500, "Linked clone feature is not supported for '%.*s' (%s)",
                                (int)n, vol, k);
            }
        }
    }
    return 0;
}

/* The clone's value of a disk on a storage: a new volume of newid (full: on the target storage;
 * linked: on top of the base volume), with the source's options kept. */
static json_t *clone_disk_value(const struct clone_plan *c, const char *val, const char *sid,
                                int disk_no)
{
    const char *colon = strchr(val, ':');
    size_t vlen = strcspn(colon + 1, ",");
    const char *opts = colon + 1 + vlen;
    char nv[512];
    if (c->full) {
        snprintf(nv, sizeof nv, "%s:vm-%u-disk-%d%s", c->storage ? c->storage : sid, c->newid,
                 disk_no, opts);
    } else {
        size_t baselen = strcspn(colon + 1, ",/");
        snprintf(nv, sizeof nv, "%s:%.*s/vm-%u-disk-%d%s", sid, (int)baselen, colon + 1, c->newid,
                 disk_no, opts);
    }
    return json_string(nv);
}

/* A new random UUID for smbios1 ("uuid=...") or vmgenid. */
static json_t *clone_new_uuid(uint64_t *rng, const char *key)
{
    uint64_t a = sim_rng_next(rng), b = sim_rng_next(rng);
    char uuid[64];
    snprintf(uuid, sizeof uuid, "%08x-%04x-4%03x-a%03x-%012llx", (unsigned)(a >> 32),
             (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff, (unsigned)(b >> 52) & 0xfff,
             (unsigned long long)(b & 0xffffffffffffULL));
    char val[96];
    snprintf(val, sizeof val, strcmp(key, "smbios1") == 0 ? "uuid=%s" : "%s", uuid);
    return json_string(val);
}

/* The clone's config, written at once as PVE does (with lock: clone, before the copy): the
 * source's without template, snapshot and lock keys, with new MACs, volumes and UUIDs. */
static json_t *clone_config(struct sim_req *r, const struct clone_plan *c)
{
    json_t *conf = json_object();
    int disk_no = 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)c->srcconf, k, v)
    {
        if (strcmp(k, "template") == 0 || strcmp(k, "parent") == 0 ||
            strncmp(k, "unused", 6) == 0 || strcmp(k, "lock") == 0 || strcmp(k, "snaptime") == 0 ||
            strcmp(k, "vmstate") == 0)
            continue;
        if (sim_config_is_net(k) && json_is_string(v)) {
            char *nv = net_new_mac(r->rng, json_string_value(v));
            json_object_set_new(conf, k, json_string(nv ? nv : json_string_value(v)));
            free(nv);
        } else if (sim_config_is_disk(k) && json_is_string(v)) {
            char sid[64];
            sim_disk_storage(json_string_value(v), sid, sizeof sid);
            if (!sid[0] || strstr(json_string_value(v), "media=cdrom"))
                json_object_set(conf, k, v);
            else
                json_object_set_new(conf, k,
                                    clone_disk_value(c, json_string_value(v), sid, disk_no++));
        } else if (strcmp(k, "smbios1") == 0 || strcmp(k, "vmgenid") == 0) {
            json_object_set_new(conf, k, clone_new_uuid(r->rng, k));
        } else {
            json_object_set(conf, k, v);
        }
    }
    const char *name = sim_p_str(r, "name");
    char defname[128];
    if (!name) {
        const char *sn = json_string_value(json_object_get(c->srcconf, "name"));
        snprintf(defname, sizeof defname, "Copy-of-VM-%s", sn ? sn : "");
        name = defname;
    }
    json_object_set_new(conf, "name", json_string(name));
    if (sim_p_str(r, "description"))
        json_object_set_new(conf, "description", json_string(sim_p_str(r, "description")));
    json_object_set_new(conf, "lock", json_string("clone"));
    return conf;
}

/* Starts the qmclone task and adds the new VM with conf (stolen); a newid taken on another node
 * makes the task fail at its end, as PVE's atomic config write does. */
static int clone_start(struct sim_req *r, const struct clone_plan *c, json_t *conf)
{
    json_t *ctx =
        json_pack("{s:I, s:s, s:b}", "newid", (json_int_t)c->newid, "storage",
                  c->storage ? c->storage : c->first_storage, "created", c->existing == NULL);
    if (c->pool)
        json_object_set_new(ctx, "pool", json_string(c->pool));
    char srcid[32];
    snprintf(srcid, sizeof srcid, "%u", c->src->vmid);
    struct sim_task *t = sim_vm_task(
        r, c->src, "qmclone", c->full ? "qmclone_full" : "qmclone_linked", srcid, ctx, clone_done);
    if (!t) {
        json_decref(conf);
        return -1;
    }
    /* the task ctx "vmid" is the source; keep the new VM reachable too */
    json_object_set_new(t->ctx, "vmid", json_integer(c->newid));
    if (c->existing) {
        sim_task_set_error(t,
                           "clone failed: close (rename) atomic file "
                           "'/etc/pve/nodes/%s/qemu-server/%u.conf' failed: File exists",
                           c->src->node, c->newid);
        json_decref(conf);
        return 0;
    }
    sim_task_log(t, "create %s clone of drive(s)", c->full ? "full" : "linked");
    struct sim_vm *vm = sim_vm_new(c->newid, c->tnode, conf);
    if (!vm || sim_model_vm_add(r->model, vm) != 0) {
        sim_vm_free(vm);
        return sim_fail(r, 500, "out of memory");
    }
    return 0;
}

static int h_clone(struct sim_req *r)
{
    struct clone_plan c = {0};
    c.src = sim_req_vm(r);
    if (!c.src)
        return -1;
    c.newid = (unsigned)sim_p_int(r, "newid", 0);
    c.storage = sim_p_str(r, "storage");
    c.pool = sim_p_str(r, "pool");
    if (clone_source(r, &c) != 0 || clone_target(r, &c) != 0 || clone_disks_check(r, &c) != 0)
        return -1;
    return clone_start(r, &c, clone_config(r, &c));
}

/* ---- template, migrate, destroy ------------------------------------------------------------ */

static void template_done(struct sim_model *m, struct sim_task *t, int ok)
{
    struct sim_vm *vm = sim_task_vm(m, t);
    if (!vm || !ok)
        return;
    const char *k;
    json_t *v;
    json_object_foreach(vm->config, k, v)
    {
        if (!sim_config_is_disk(k) || !json_is_string(v))
            continue;
        const char *val = json_string_value(v);
        const char *p = strstr(val, ":vm-");
        if (!p)
            continue;
        char nv[512];
        snprintf(nv, sizeof nv, "%.*s:base-%s", (int)(p - val), val, p + 4);
        json_object_set_new(vm->config, k, json_string(nv));
    }
    json_object_set_new(vm->config, "template", json_integer(1));
}

static int h_template(struct sim_req *r)
{
    struct sim_vm *vm = sim_req_vm(r);
    if (!vm)
        return -1;
    if (sim_vm_lock(vm))
        return sim_fail(r, 500, "VM is locked (%s)", sim_vm_lock(vm));
    if (sim_vm_is_template(vm))
        return sim_fail(r, 500, "you can't convert a template to a template");
    if (vm->running)
        return sim_fail(r, 500, "you can't convert a VM to template if VM is running");
    if (json_array_size(vm->snapshots))
        return sim_fail(r, 500, "unable to create template, because VM contains snapshots");
    return sim_vm_task(r, vm, "qmtemplate", NULL, NULL, NULL, template_done) ? 0 : -1;
}

static void migrate_done(struct sim_model *m, struct sim_task *t, int ok)
{
    struct sim_vm *vm = sim_task_vm_unlock(m, t);
    if (!vm || !ok)
        return;
    const char *target = json_string_value(json_object_get(t->ctx, "target"));
    snprintf(vm->node, sizeof vm->node, "%s", target);
    sim_task_log(t, "migration finished successfully");
}

static int h_migrate(struct sim_req *r)
{
    struct sim_vm *vm = sim_req_vm(r);
    if (!vm)
        return -1;
    const char *target = sim_p_str(r, "target");
    if (strcmp(target, vm->node) == 0)
        return sim_param_fail(r, "target", "target is local node.");
    struct sim_node *tn = sim_model_node(r->model, target);
    if (!tn)
        return sim_fail(r, 500, "no such cluster node '%s'", target);
    if (!tn->online)
        return sim_fail(r, 500, "target node '%s' is not online", target);
    if (sim_vm_lock(vm))
        return sim_fail(r, 500, "VM is locked (%s)", sim_vm_lock(vm));
    if (vm->running && !sim_p_int(r, "online", 0))
        return sim_fail(r, 500, "can't migrate running VM without --online");
    struct sim_task *t = sim_vm_task(r, vm, "qmigrate", NULL, NULL,
                                     json_pack("{s:s}", "target", tn->name), migrate_done);
    if (!t)
        return -1;
    json_object_set_new(vm->config, "lock", json_string("migrate"));
    sim_task_log(t, "starting migration of VM %u to node '%s'", vm->vmid, tn->name);
    return 0;
}

static void acls_drop_path(struct sim_model *m, const char *path)
{
    for (size_t i = json_array_size(m->acls); i-- > 0;) {
        const char *p = json_string_value(json_object_get(json_array_get(m->acls, i), "path"));
        if (p && strcmp(p, path) == 0)
            json_array_remove(m->acls, i);
    }
}

static void destroy_done(struct sim_model *m, struct sim_task *t, int ok)
{
    unsigned vmid = (unsigned)json_integer_value(json_object_get(t->ctx, "vmid"));
    struct sim_vm *vm = sim_model_vm(m, vmid);
    if (!vm)
        return;
    if (!ok) {
        json_object_del(vm->config, "lock");
        return;
    }
    sim_model_vm_remove(m, vmid);
    char path[64];
    snprintf(path, sizeof path, "/vms/%u", vmid);
    acls_drop_path(m, path);
}

static int h_destroy(struct sim_req *r)
{
    struct sim_vm *vm = sim_req_vm(r);
    if (!vm)
        return -1;
    int skiplock = (int)sim_p_int(r, "skiplock", 0);
    if (sim_vm_lock(vm) && !skiplock)
        return sim_fail(r, 500, "VM is locked (%s)", sim_vm_lock(vm));
    json_t *prot = json_object_get(vm->config, "protection");
    if (prot && (json_integer_value(prot) ||
                 (json_is_string(prot) && strcmp(json_string_value(prot), "1") == 0)))
        return sim_fail(r, 500, "can't remove VM %u - protection mode enabled", vm->vmid);
    if (vm->running)
        return sim_fail(r, 500, "VM %u is running - destroy failed", vm->vmid);
    struct sim_task *t = sim_vm_task(r, vm, "qmdestroy", NULL, NULL, NULL, destroy_done);
    if (!t)
        return -1;
    json_object_set_new(vm->config, "lock", json_string("destroyed"));
    if (vm->pool[0] && sim_p_int(r, "purge", 0))
        sim_task_log(t, "purging VM %u from related configurations..", vm->vmid);
    return 0;
}

const struct sim_route sim_clone_routes[] = {
    {"DELETE /nodes/{node}/qemu/{vmid}", h_destroy},
    {"POST /nodes/{node}/qemu/{vmid}/clone", h_clone},
    {"POST /nodes/{node}/qemu/{vmid}/template", h_template},
    {"POST /nodes/{node}/qemu/{vmid}/migrate", h_migrate},
    {NULL, NULL}};
