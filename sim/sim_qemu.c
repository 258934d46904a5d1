/* sim_qemu: the QEMU endpoints (/nodes/{node}/qemu/...): list, config, clone, template, migrate,
 * destroy, power and status, with PVE's synchronous checks and task semantics. */
#include "pve_propstr.h"
#include "pve_schema.h"
#include "sim_api.h"
#include "sim_tasks.h"
#include "sim_vm_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static json_t *vm_list_entry(const struct sim_model *m, const struct sim_vm *vm)
{
    (void)m;
    json_t *o = json_pack(
        "{s:i, s:s, s:I, s:I, s:i, s:I, s:i}", "vmid", (int)vm->vmid, "status",
        vm->running ? "running" : "stopped", "maxmem", (json_int_t)sim_vm_maxmem(vm), "maxdisk",
        (json_int_t)sim_vm_maxdisk(vm), "cpus", sim_vm_cpus(vm), "mem",
        (json_int_t)(vm->running ? sim_vm_maxmem(vm) / 2 : 0), "uptime", vm->running ? 60 : 0);
    const char *name = json_string_value(json_object_get(vm->config, "name"));
    json_object_set_new(o, "name", json_string(name ? name : ""));
    if (sim_vm_is_template(vm))
        json_object_set_new(o, "template", json_integer(1));
    json_t *tags = json_object_get(vm->config, "tags");
    if (tags)
        json_object_set(o, "tags", tags);
    if (sim_vm_lock(vm))
        json_object_set_new(o, "lock", json_string(sim_vm_lock(vm)));
    json_object_set_new(o, "cpu", json_real(vm->running ? 0.01 : 0));
    if (vm->running)
        json_object_set_new(o, "pid", json_integer(10000 + vm->vmid));
    return o;
}

static int h_list(struct sim_req *r)
{
    struct sim_node *n = sim_req_node(r);
    if (!n)
        return -1;
    json_t *a = json_array();
    for (size_t i = 0; i < r->model->n_vms; i++) {
        struct sim_vm *vm = r->model->vms[i];
        if (strcmp(vm->node, n->name) == 0 && sim_req_vm_allowed(r, vm, "VM.Audit"))
            json_array_append_new(a, vm_list_entry(r->model, vm));
    }
    return sim_ok(r, a);
}

static int h_vm_index(struct sim_req *r)
{
    if (!sim_req_vm(r))
        return -1;
    static const char *const subs[] = {"config",  "pending",  "status",   "snapshot", "clone",
                                       "migrate", "template", "firewall", "rrd",      NULL};
    json_t *a = json_array();
    for (int i = 0; subs[i]; i++)
        json_array_append_new(a, json_pack("{s:s}", "subdir", subs[i]));
    return sim_ok(r, a);
}

static json_t *config_view(const struct sim_vm *vm)
{
    json_t *c = json_deep_copy(vm->config);
    char digest[41];
    sim_vm_digest(vm, digest);
    json_object_set_new(c, "digest", json_string(digest));
    return c;
}

static int h_config_get(struct sim_req *r)
{
    struct sim_vm *vm = sim_req_vm(r);
    if (!vm)
        return -1;
    const char *snap = sim_p_str(r, "snapshot");
    if (snap) {
        json_t *s = sim_vm_snapshot_find(vm, snap, NULL);
        if (!s)
            return sim_fail(r, 500, "snapshot '%s' does not exist", snap);
        return sim_ok(r, json_deep_copy(json_object_get(s, "config")));
    }
    return sim_ok(r, config_view(vm));
}

static const json_t *net_format(const struct sim_req *r)
{
    json_t *props = json_object_get(r->ep->parameters, "properties");
    return json_object_get(json_object_get(props, "net[n]"), "format");
}

static void normalize_tags(json_t *config)
{
    const char *t = json_string_value(json_object_get(config, "tags"));
    if (!t)
        return;
    char *out = malloc(strlen(t) + 1);
    if (!out)
        return;
    size_t o = 0;
    int sep = 0;
    for (const char *p = t; *p; p++) {
        if (*p == ',' || *p == ';' || *p == ' ' || *p == '\t') {
            sep = o > 0;
            continue;
        }
        if (sep)
            out[o++] = ';';
        sep = 0;
        out[o++] = *p;
    }
    out[o] = '\0';
    json_object_set_new(config, "tags", json_string(out));
    free(out);
}

/* The privilege PVE's check_vm_modify_config_perm wants for one config option. */
static const char *config_priv(const char *key)
{
    static const char *const cpu[] = {"cores",    "sockets",  "cpu",  "vcpus", "cpulimit",
                                      "cpuunits", "affinity", "numa", NULL};
    static const char *const mem[] = {"memory", "balloon", "shares", "hugepages", NULL};
    static const char *const ci[] = {"ciuser",       "cipassword", "nameserver",
                                     "searchdomain", "sshkeys",    "cicustom",
                                     "citype",       "ciupgrade",  NULL};
    static const char *const opts[] = {"name",   "description", "tags",     "onboot",    "boot",
                                       "ostype", "protection",  "startup",  "agent",     "template",
                                       "lock",   "hookscript",  "keyboard", "localtime", "tablet",
                                       "freeze", "startdate",   "reboot",   NULL};
    const char *const *lists[] = {cpu, mem, ci, opts};
    const char *privs[] = {"VM.Config.CPU", "VM.Config.Memory", "VM.Config.Cloudinit",
                           "VM.Config.Options"};
    for (int l = 0; l < 4; l++)
        for (int i = 0; lists[l][i]; i++)
            if (strcmp(lists[l][i], key) == 0)
                return privs[l];
    if (sim_config_is_net(key))
        return "VM.Config.Network";
    if (strncmp(key, "ipconfig", 8) == 0)
        return "VM.Config.Cloudinit";
    if (sim_config_is_disk(key))
        return "VM.Config.Disk";
    return "VM.Config.HWType";
}

/* 0 when the caller may change every option in params (and delete); else fills a 403. */
static int config_perm_check(struct sim_req *r, const struct sim_vm *vm)
{
    char path[64];
    snprintf(path, sizeof path, "/vms/%u", vm->vmid);
    static const char *const skip[] = {"node",     "vmid",  "delete",           "revert", "digest",
                                       "skiplock", "force", "background_delay", NULL};
    const char *k;
    json_t *v;
    json_object_foreach(r->params, k, v)
    {
        int s = 0;
        for (int i = 0; skip[i]; i++)
            if (strcmp(skip[i], k) == 0)
                s = 1;
        const char *priv = config_priv(k);
        if (!s && !sim_req_allowed(r, path, priv))
            return sim_perm_fail(r, path, priv);
    }
    const char *del = sim_p_str(r, "delete");
    if (del) {
        char *dl = strdup(del), *save = NULL;
        for (char *d = strtok_r(dl, ",; ", &save); d; d = strtok_r(NULL, ",; ", &save)) {
            const char *priv = config_priv(d);
            if (!sim_req_allowed(r, path, priv)) {
                sim_perm_fail(r, path, priv);
                free(dl);
                return -1;
            }
        }
        free(dl);
    }
    return 0;
}

/* Applies PUT/POST config parameters. 0 or -1 (response filled). */
static int config_apply(struct sim_req *r, struct sim_vm *vm)
{
    if (config_perm_check(r, vm) != 0)
        return -1;
    const char *lock = sim_vm_lock(vm);
    int skiplock = (int)sim_p_int(r, "skiplock", 0);
    if (skiplock && !r->who.is_root && strcmp(r->who.userid, "root@pam") != 0)
        return sim_fail(r, 500, "Only root may use this option.");
    if (lock && !skiplock)
        return sim_fail(r, 500, "VM is locked (%s)", lock);
    const char *digest = sim_p_str(r, "digest");
    if (digest) {
        char cur[41];
        sim_vm_digest(vm, cur);
        if (strcmp(cur, digest) != 0)
            return sim_fail(
                r, 500, "detected modified configuration - file changed by other user? Try again.");
    }
    json_t *newconf = json_deep_copy(vm->config);
    static const char *const skip[] = {"node",     "vmid",  "delete",           "revert", "digest",
                                       "skiplock", "force", "background_delay", NULL};
    const char *k;
    json_t *v;
    json_object_foreach(r->params, k, v)
    {
        int s = 0;
        for (int i = 0; skip[i]; i++)
            if (strcmp(skip[i], k) == 0)
                s = 1;
        if (s)
            continue;
        if (sim_config_is_net(k) && json_is_string(v)) {
            char err[256];
            json_t *net = pve_propstr_parse(net_format(r), json_string_value(v), err, sizeof err);
            if (!net) {
                json_decref(newconf);
                return sim_param_fail(r, k, "%s", err);
            }
            if (!json_object_get(net, "macaddr")) {
                char mac[18];
                sim_mac_random(r->rng, mac);
                json_object_set_new(net, "macaddr", json_string(mac));
            }
            char *canon = pve_propstr_print(net_format(r), net);
            json_decref(net);
            json_object_set_new(newconf, k, json_string(canon ? canon : json_string_value(v)));
            free(canon);
            continue;
        }
        if (strcmp(k, "template") == 0 && json_integer_value(v) == 0) {
            json_object_del(newconf, "template");
            continue;
        }
        json_object_set(newconf, k, v);
    }
    const char *del = sim_p_str(r, "delete");
    if (del) {
        char *dl = strdup(del), *save = NULL;
        for (char *d = strtok_r(dl, ",; ", &save); d; d = strtok_r(NULL, ",; ", &save)) {
            if (json_object_get(r->params, d)) {
                json_decref(newconf);
                sim_param_fail(r, d, "unable to delete parameter that is set");
                free(dl);
                return -1;
            }
            json_object_del(newconf, d);
        }
        free(dl);
    }
    normalize_tags(newconf);
    json_decref(vm->config);
    vm->config = newconf;
    return 0;
}

static int h_config_put(struct sim_req *r)
{
    struct sim_vm *vm = sim_req_vm(r);
    if (!vm || config_apply(r, vm) != 0)
        return -1;
    return sim_ok(r, NULL);
}

static void done_noop(struct sim_model *m, struct sim_task *t, int ok)
{
    (void)m;
    (void)t;
    (void)ok;
}

static int h_config_post(struct sim_req *r)
{
    struct sim_vm *vm = sim_req_vm(r);
    if (!vm || config_apply(r, vm) != 0)
        return -1;
    struct sim_task *t = sim_vm_task(r, vm, "qmconfig", NULL, NULL, NULL, done_noop);
    if (t) {
        const char *k;
        json_t *v;
        json_object_foreach(r->params, k, v)
        {
            if (strcmp(k, "node") && strcmp(k, "vmid") && json_is_string(v))
                sim_task_log(t, "update VM %u: -%s %s", vm->vmid, k, json_string_value(v));
        }
    }
    return t ? 0 : -1;
}

/* ---- clone -------------------------------------------------------------------------------- */

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

static int h_clone(struct sim_req *r)
{
    struct sim_vm *src = sim_req_vm(r);
    if (!src)
        return -1;
    struct sim_model *m = r->model;
    unsigned newid = (unsigned)sim_p_int(r, "newid", 0);
    const char *target = sim_p_str(r, "target");
    const char *storage = sim_p_str(r, "storage");
    const char *pool = sim_p_str(r, "pool");
    const char *snapname = sim_p_str(r, "snapname");
    const char *lock = sim_vm_lock(src);
    if (lock)
        return sim_fail(r, 500, "VM is locked (%s)", lock);
    int is_tpl = sim_vm_is_template(src);
    int full = sim_p_has(r, "full") ? (int)sim_p_int(r, "full", 0) : !is_tpl;
    if (!full && storage)
        return sim_fail(r, 500, "parameter 'storage' not allowed for linked clones");
    if (!full && sim_p_has(r, "format"))
        return sim_fail(r, 500, "parameter 'format' not allowed for linked clones");
    const json_t *srcconf = src->config;
    if (snapname) {
        srcconf = NULL;
        size_t i;
        json_t *s;
        json_array_foreach(src->snapshots, i, s)
        {
            if (strcmp(json_string_value(json_object_get(s, "name")), snapname) == 0)
                srcconf = json_object_get(s, "config");
        }
        if (!srcconf)
            return sim_fail(r, 500, "snapshot '%s' does not exist", snapname);
    }
    if (pool && !json_object_get(m->pools, pool))
        return sim_fail(r, 500, "pool '%s' does not exist", pool);
    const char *tnode = src->node;
    if (target) {
        struct sim_node *tn = sim_model_node(m, target);
        if (!tn)
            return sim_fail(r, 500, "no such cluster node '%s'", target);
        if (!tn->online)
            return sim_fail(r, 500, "target node '%s' is not online", target);
        tnode = tn->name;
    }
    struct sim_vm *existing = sim_model_vm(m, newid);
    if (existing && strcmp(existing->node, src->node) == 0)
        return sim_fail(r, 500, "unable to create VM %u: config file already exists", newid);
    if (storage) {
        struct sim_storage *st = sim_model_storage(m, storage);
        if (!st)
            return sim_fail(r, 500, "storage '%s' does not exist", storage);
        if (!sim_storage_on_node(st, tnode))
            return sim_fail(r, 500, "storage '%s' is not available on node '%s'", storage, tnode);
    }
    /* Disk checks: local storage and linked clone support. */
    const char *k;
    json_t *v;
    char first_storage[64] = "";
    json_object_foreach((json_t *)srcconf, k, v)
    {
        if (!sim_config_is_disk(k) || strncmp(k, "unused", 6) == 0 || !json_is_string(v))
            continue;
        char sid[64];
        sim_disk_storage(json_string_value(v), sid, sizeof sid);
        if (!sid[0] || strstr(json_string_value(v), "media=cdrom"))
            continue;
        if (!first_storage[0])
            snprintf(first_storage, sizeof first_storage, "%s", sid);
        struct sim_storage *st = sim_model_storage(m, sid);
        if (strcmp(tnode, src->node) != 0 && (!st || !st->shared))
            return sim_fail(r, 500, "can't clone VM to node '%s' (VM uses local storage)", tnode);
        if (!full) {
            const char *vol = json_string_value(v);
            const char *colon = strchr(vol, ':');
            if (!is_tpl || !colon || strncmp(colon + 1, "base-", 5) != 0) {
                size_t n = strcspn(vol, ",");
                return sim_fail(r, 500, "Linked clone feature is not supported for '%.*s' (%s)",
                                (int)n, vol, k);
            }
        }
    }
    /* Build the new config at once (PVE writes it with lock: clone before the copy). */
    json_t *conf = json_object();
    int disk_no = 0;
    json_object_foreach((json_t *)srcconf, k, v)
    {
        if (strcmp(k, "template") == 0 || strcmp(k, "parent") == 0 ||
            strncmp(k, "unused", 6) == 0 || strcmp(k, "lock") == 0 || strcmp(k, "snaptime") == 0 ||
            strcmp(k, "vmstate") == 0)
            continue;
        if (sim_config_is_net(k) && json_is_string(v)) {
            char *nv = net_new_mac(r->rng, json_string_value(v));
            json_object_set_new(conf, k, json_string(nv ? nv : json_string_value(v)));
            free(nv);
            continue;
        }
        if (sim_config_is_disk(k) && json_is_string(v)) {
            const char *val = json_string_value(v);
            char sid[64];
            sim_disk_storage(val, sid, sizeof sid);
            if (!sid[0] || strstr(val, "media=cdrom")) {
                json_object_set(conf, k, v);
                continue;
            }
            const char *colon = strchr(val, ':');
            size_t vlen = strcspn(colon + 1, ",");
            const char *opts = colon + 1 + vlen;
            char nv[512];
            if (full) {
                snprintf(nv, sizeof nv, "%s:vm-%u-disk-%d%s", storage ? storage : sid, newid,
                         disk_no++, opts);
            } else {
                size_t baselen = strcspn(colon + 1, ",/");
                snprintf(nv, sizeof nv, "%s:%.*s/vm-%u-disk-%d%s", sid, (int)baselen, colon + 1,
                         newid, disk_no++, opts);
            }
            json_object_set_new(conf, k, json_string(nv));
            continue;
        }
        if (strcmp(k, "smbios1") == 0 || strcmp(k, "vmgenid") == 0) {
            uint64_t a = sim_rng_next(r->rng), b = sim_rng_next(r->rng);
            char uuid[64];
            snprintf(uuid, sizeof uuid, "%08x-%04x-4%03x-a%03x-%012llx", (unsigned)(a >> 32),
                     (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff, (unsigned)(b >> 52) & 0xfff,
                     (unsigned long long)(b & 0xffffffffffffULL));
            char val[96];
            snprintf(val, sizeof val, strcmp(k, "smbios1") == 0 ? "uuid=%s" : "%s", uuid);
            json_object_set_new(conf, k, json_string(val));
            continue;
        }
        json_object_set(conf, k, v);
    }
    const char *name = sim_p_str(r, "name");
    char defname[128];
    if (!name) {
        const char *sn = json_string_value(json_object_get(srcconf, "name"));
        snprintf(defname, sizeof defname, "Copy-of-VM-%s", sn ? sn : "");
        name = defname;
    }
    json_object_set_new(conf, "name", json_string(name));
    if (sim_p_str(r, "description"))
        json_object_set_new(conf, "description", json_string(sim_p_str(r, "description")));
    json_object_set_new(conf, "lock", json_string("clone"));

    json_t *ctx = json_pack("{s:I, s:s, s:b}", "newid", (json_int_t)newid, "storage",
                            storage ? storage : first_storage, "created", existing == NULL);
    if (pool)
        json_object_set_new(ctx, "pool", json_string(pool));
    char srcid[32];
    snprintf(srcid, sizeof srcid, "%u", src->vmid);
    struct sim_task *t = sim_vm_task(r, src, "qmclone", full ? "qmclone_full" : "qmclone_linked",
                                     srcid, ctx, clone_done);
    if (!t) {
        json_decref(conf);
        return -1;
    }
    /* the task ctx "vmid" is the source; keep the new VM reachable too */
    json_object_set_new(t->ctx, "vmid", json_integer(newid));
    if (existing) {
        sim_task_set_error(t,
                           "clone failed: close (rename) atomic file "
                           "'/etc/pve/nodes/%s/qemu-server/%u.conf' failed: File exists",
                           src->node, newid);
        json_decref(conf);
        return 0;
    }
    sim_task_log(t, "create %s clone of drive(s)", full ? "full" : "linked");
    struct sim_vm *vm = sim_vm_new(newid, tnode, conf);
    if (!vm || sim_model_vm_add(m, vm) != 0) {
        sim_vm_free(vm);
        return sim_fail(r, 500, "out of memory");
    }
    return 0;
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

/* ---- power and status ----------------------------------------------------------------------- */

static void power_done(struct sim_model *m, struct sim_task *t, int ok)
{
    struct sim_vm *vm = sim_task_vm(m, t);
    if (!vm || !ok)
        return;
    if (strcmp(t->type, "qmstart") == 0) {
        vm->running = 1;
        vm->started = sim_model_wall_s(m, t->end);
    } else {
        vm->running = 0;
    }
}

static int h_start(struct sim_req *r)
{
    struct sim_vm *vm = sim_req_vm(r);
    if (!vm)
        return -1;
    struct sim_task *t = sim_vm_task(r, vm, "qmstart", NULL, NULL, NULL, power_done);
    if (!t)
        return -1;
    int skiplock = (int)sim_p_int(r, "skiplock", 0);
    if (sim_vm_is_template(vm))
        sim_task_set_error(t, "you can't start a vm if it's a template");
    else if (sim_vm_lock(vm) && !skiplock)
        sim_task_set_error(t, "VM is locked (%s)", sim_vm_lock(vm));
    else if (vm->running)
        sim_task_set_error(t, "VM %u already running", vm->vmid);
    return 0;
}

static int h_stop(struct sim_req *r)
{
    struct sim_vm *vm = sim_req_vm(r);
    if (!vm)
        return -1;
    const char *type = strstr(r->path, "/shutdown") ? "qmshutdown" : "qmstop";
    struct sim_task *t = sim_vm_task(r, vm, type, NULL, NULL, NULL, power_done);
    if (!t)
        return -1;
    if (sim_vm_lock(vm) && !sim_p_int(r, "skiplock", 0))
        sim_task_set_error(t, "VM is locked (%s)", sim_vm_lock(vm));
    return 0;
}

static int h_status_current(struct sim_req *r)
{
    struct sim_vm *vm = sim_req_vm(r);
    if (!vm)
        return -1;
    json_t *o = vm_list_entry(r->model, vm);
    json_object_set_new(o, "qmpstatus", json_string(vm->running ? "running" : "stopped"));
    json_object_set_new(o, "ha", json_pack("{s:i}", "managed", 0));
    if (vm->running)
        json_object_set_new(
            o, "uptime",
            json_integer(
                (json_int_t)(sim_model_wall_s(r->model, sim_model_now(r->model)) - vm->started)));
    return sim_ok(r, o);
}

static int h_status_index(struct sim_req *r)
{
    if (!sim_req_vm(r))
        return -1;
    json_t *a = json_array();
    static const char *const subs[] = {"current",  "start",   "stop",   "reset",
                                       "shutdown", "suspend", "reboot", NULL};
    for (int i = 0; subs[i]; i++)
        json_array_append_new(a, json_pack("{s:s}", "subdir", subs[i]));
    return sim_ok(r, a);
}

const struct sim_route sim_qemu_routes[] = {
    {"GET /nodes/{node}/qemu", h_list},
    {"GET /nodes/{node}/qemu/{vmid}", h_vm_index},
    {"DELETE /nodes/{node}/qemu/{vmid}", h_destroy},
    {"GET /nodes/{node}/qemu/{vmid}/config", h_config_get},
    {"POST /nodes/{node}/qemu/{vmid}/config", h_config_post},
    {"PUT /nodes/{node}/qemu/{vmid}/config", h_config_put},
    {"POST /nodes/{node}/qemu/{vmid}/clone", h_clone},
    {"POST /nodes/{node}/qemu/{vmid}/template", h_template},
    {"POST /nodes/{node}/qemu/{vmid}/migrate", h_migrate},
    {"GET /nodes/{node}/qemu/{vmid}/status", h_status_index},
    {"GET /nodes/{node}/qemu/{vmid}/status/current", h_status_current},
    {"POST /nodes/{node}/qemu/{vmid}/status/start", h_start},
    {"POST /nodes/{node}/qemu/{vmid}/status/stop", h_stop},
    {"POST /nodes/{node}/qemu/{vmid}/status/shutdown", h_stop},
    {NULL, NULL}};
