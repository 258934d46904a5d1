/* sim_scenario: loads a cluster scenario (YAML) into a fresh model. Unknown keys are errors so
 * typos in scenario files do not pass silently. */
#include "sim_scenario.h"
#include "embedded.h"
#include "sim_roles.h"
#include "sim_yaml.h"

#include "ds_clock.h"

#include <math.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GIB (1024LL * 1024LL * 1024LL)

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static int check_keys(const json_t *obj, const char *const *allowed, const char *what, char *err,
                      size_t errlen)
{
    if (!json_is_object(obj))
        return fail(err, errlen, "%s: expected a mapping", what);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        int ok = 0;
        for (int i = 0; allowed[i]; i++)
            if (strcmp(allowed[i], k) == 0)
                ok = 1;
        if (!ok)
            return fail(err, errlen, "%s: unknown key '%s'", what, k);
    }
    return 0;
}

static double num(const json_t *o, const char *k, double dflt)
{
    json_t *v = json_object_get(o, k);
    return json_is_number(v) ? json_number_value(v) : dflt;
}

static int flag(const json_t *o, const char *k, int dflt)
{
    json_t *v = json_object_get(o, k);
    if (json_is_boolean(v))
        return json_is_true(v);
    if (json_is_integer(v))
        return json_integer_value(v) != 0;
    return dflt;
}

/* A scalar as a string (numbers printed); NULL for others. Result in buf. */
static const char *scalar(const json_t *v, char *buf, size_t n)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(buf, n, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    if (json_is_real(v)) {
        snprintf(buf, n, "%g", json_real_value(v));
        return buf;
    }
    if (json_is_boolean(v)) {
        snprintf(buf, n, "%d", json_is_true(v) ? 1 : 0);
        return buf;
    }
    return NULL;
}

static json_t *iface_object(const json_t *in, char *err, size_t errlen)
{
    static const char *const keys[] = {
        "iface",       "type",      "bridge_ports",    "cidr",
        "gateway",     "comments",  "autostart",       "bridge_vlan_aware",
        "bridge_vids", "mtu",       "address",         "netmask",
        "slaves",      "bond_mode", "vlan-raw-device", "vlan-id",
        NULL};
    if (check_keys(in, keys, "network interface", err, errlen))
        return NULL;
    const char *iface = json_string_value(json_object_get(in, "iface"));
    const char *type = json_string_value(json_object_get(in, "type"));
    if (!iface || !type) {
        fail(err, errlen, "network interface: 'iface' and 'type' are required");
        return NULL;
    }
    json_t *o = json_object();
    json_object_set_new(o, "iface", json_string(iface));
    json_object_set_new(o, "type", json_string(type));
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)in, k, v)
    {
        if (strcmp(k, "iface") == 0 || strcmp(k, "type") == 0)
            continue;
        if (json_is_boolean(v))
            json_object_set_new(o, k, json_integer(json_is_true(v)));
        else
            json_object_set(o, k, v);
    }
    const char *cidr = json_string_value(json_object_get(o, "cidr"));
    if (cidr && !json_object_get(o, "address")) {
        char addr[64];
        int bits = 24;
        if (sscanf(cidr, "%63[^/]/%d", addr, &bits) == 2 && bits >= 0 && bits <= 32) {
            unsigned mask = bits ? 0xffffffffu << (32 - bits) : 0;
            char nm[32];
            snprintf(nm, sizeof nm, "%u.%u.%u.%u", mask >> 24, (mask >> 16) & 255,
                     (mask >> 8) & 255, mask & 255);
            json_object_set_new(o, "address", json_string(addr));
            json_object_set_new(o, "netmask", json_string(nm));
        }
    }
    json_object_set_new(o, "method",
                        json_string(cidr || json_object_get(o, "address") ? "static" : "manual"));
    json_object_set_new(o, "families", json_pack("[s]", "inet"));
    json_object_set_new(o, "active", json_integer(1));
    if (strcmp(type, "eth") == 0)
        json_object_set_new(o, "exists", json_integer(1));
    if (strcmp(type, "bridge") == 0) {
        if (!json_object_get(o, "bridge_ports"))
            json_object_set_new(o, "bridge_ports", json_string(""));
        json_object_set_new(o, "bridge_stp", json_string("off"));
        json_object_set_new(o, "bridge_fd", json_string("0"));
    }
    if (!json_object_get(o, "autostart"))
        json_object_set_new(o, "autostart", json_integer(1));
    return o;
}

static int load_nodes(struct sim_model *m, const json_t *nodes, char *err, size_t errlen)
{
    static const char *const keys[] = {
        "name", "status", "memory_gib", "mem_used_gib", "cores", "cpu", "k", "network", NULL};
    if (!json_is_array(nodes) || json_array_size(nodes) == 0)
        return fail(err, errlen, "scenario: 'nodes' must be a non-empty list");
    m->n_nodes = json_array_size(nodes);
    m->nodes = calloc(m->n_nodes, sizeof *m->nodes);
    if (!m->nodes)
        return fail(err, errlen, "out of memory");
    size_t i;
    json_t *n;
    json_array_foreach(nodes, i, n)
    {
        if (check_keys(n, keys, "node", err, errlen))
            return -1;
        struct sim_node *sn = &m->nodes[i];
        const char *name = json_string_value(json_object_get(n, "name"));
        if (!name)
            return fail(err, errlen, "node %zu: 'name' is required", i);
        snprintf(sn->name, sizeof sn->name, "%s", name);
        const char *st = json_string_value(json_object_get(n, "status"));
        sn->online = !st || strcmp(st, "online") == 0;
        sn->maxmem = (long long)(num(n, "memory_gib", 64) * GIB);
        sn->mem = (long long)(num(n, "mem_used_gib", 4) * GIB);
        sn->maxcpu = (int)num(n, "cores", 16);
        sn->cpu = num(n, "cpu", 0.02);
        sn->k = (int)num(n, "k", m->k_default);
        sn->net = json_object();
        size_t j;
        json_t *ifc;
        json_array_foreach(json_object_get(n, "network"), j, ifc)
        {
            json_t *o = iface_object(ifc, err, errlen);
            if (!o)
                return -1;
            json_object_set_new(sn->net, json_string_value(json_object_get(o, "iface")), o);
        }
    }
    return 0;
}

/* The storage's default image format ("format:"): raw, qcow2 or vmdk, on file-based storages
 * only, as storage.cfg allows it. 0 or -1. */
static int storage_format(struct sim_storage *ss, const json_t *v, char *err, size_t errlen)
{
    if (!v)
        return 0;
    static const char *const file_types[] = {"dir", "nfs", "cifs", "glusterfs", "btrfs", NULL};
    int file = 0;
    for (int i = 0; file_types[i]; i++)
        file |= strcmp(file_types[i], ss->type) == 0;
    const char *f = json_string_value(v);
    if (!file)
        return fail(err, errlen, "storage %s: 'format' is only for file-based storages", ss->id);
    if (!f || (strcmp(f, "raw") && strcmp(f, "qcow2") && strcmp(f, "vmdk")))
        return fail(err, errlen, "storage %s: 'format' must be raw, qcow2 or vmdk", ss->id);
    snprintf(ss->format, sizeof ss->format, "%s", f);
    return 0;
}

static int load_storages(struct sim_model *m, const json_t *sts, char *err, size_t errlen)
{
    static const char *const keys[] = {"storage",  "type",  "shared", "content", "size_gib",
                                       "used_gib", "nodes", "format", NULL};
    m->n_storages = json_array_size(sts);
    m->storages = calloc(m->n_storages ? m->n_storages : 1, sizeof *m->storages);
    if (!m->storages)
        return fail(err, errlen, "out of memory");
    size_t i;
    json_t *s;
    json_array_foreach(sts, i, s)
    {
        if (check_keys(s, keys, "storage", err, errlen))
            return -1;
        struct sim_storage *ss = &m->storages[i];
        const char *id = json_string_value(json_object_get(s, "storage"));
        const char *type = json_string_value(json_object_get(s, "type"));
        if (!id || !type)
            return fail(err, errlen, "storage %zu: 'storage' and 'type' are required", i);
        if (!sim_storage_type_known(type))
            return fail(err, errlen, "storage %s: unknown type '%s'", id, type);
        snprintf(ss->id, sizeof ss->id, "%s", id);
        snprintf(ss->type, sizeof ss->type, "%s", type);
        if (storage_format(ss, json_object_get(s, "format"), err, errlen) != 0)
            return -1;
        ss->shared = flag(s, "shared", 0);
        const char *content = json_string_value(json_object_get(s, "content"));
        snprintf(ss->content, sizeof ss->content, "%s", content ? content : "images,rootdir");
        ss->total = (long long)(num(s, "size_gib", 500) * GIB);
        ss->used = (long long)(num(s, "used_gib", 20) * GIB);
        json_t *nodes = json_object_get(s, "nodes");
        if (json_is_array(nodes))
            ss->nodes = json_incref(nodes);
    }
    return 0;
}

static struct sim_vm *add_vm(struct sim_model *m, unsigned vmid, const char *node, json_t *config,
                             const char *status, const char *pool, char *err, size_t errlen)
{
    if (!sim_model_node(m, node)) {
        json_decref(config);
        fail(err, errlen, "vm %u: unknown node '%s'", vmid, node);
        return NULL;
    }
    struct sim_vm *vm = sim_vm_new(vmid, node, config);
    if (!vm) {
        fail(err, errlen, "out of memory");
        return NULL;
    }
    vm->running = status && strcmp(status, "running") == 0;
    vm->started = 0; /* running since the model began */
    if (pool) {
        if (!json_object_get(m->pools, pool)) {
            sim_vm_free(vm);
            fail(err, errlen, "vm %u: unknown pool '%s'", vmid, pool);
            return NULL;
        }
        snprintf(vm->pool, sizeof vm->pool, "%s", pool);
    }
    if (sim_model_vm_add(m, vm) != 0) {
        sim_vm_free(vm);
        fail(err, errlen, "vm %u defined twice", vmid);
        return NULL;
    }
    return vm;
}

static int load_vms(struct sim_model *m, const json_t *vms, char *err, size_t errlen)
{
    static const char *const keys[] = {
        "vmid", "node", "status", "pool", "config", "ignores_shutdown", NULL};
    size_t i;
    json_t *v;
    json_array_foreach(vms, i, v)
    {
        if (check_keys(v, keys, "vm", err, errlen))
            return -1;
        json_int_t vmid = json_integer_value(json_object_get(v, "vmid"));
        const char *node = json_string_value(json_object_get(v, "node"));
        if (vmid < 100 || !node)
            return fail(err, errlen, "vm %zu: 'vmid' (>= 100) and 'node' are required", i);
        json_t *config = json_object();
        const char *k;
        json_t *cv;
        json_object_foreach(json_object_get(v, "config"), k, cv)
        {
            char buf[64];
            if (json_is_integer(cv) || json_is_string(cv))
                json_object_set(config, k, cv);
            else if (scalar(cv, buf, sizeof buf))
                json_object_set_new(config, k, json_string(scalar(cv, buf, sizeof buf)));
        }
        struct sim_vm *vm =
            add_vm(m, (unsigned)vmid, node, config, json_string_value(json_object_get(v, "status")),
                   json_string_value(json_object_get(v, "pool")), err, errlen);
        if (!vm)
            return -1;
        vm->ignores_shutdown = flag(v, "ignores_shutdown", 0);
    }
    return 0;
}

/* generated_vms: [{count, start_vmid, name_prefix, nodes: [..], memory, cores, pool, status}] */
static int load_generated(struct sim_model *m, const json_t *gens, char *err, size_t errlen)
{
    static const char *const keys[] = {"count", "start_vmid", "name_prefix", "nodes", "memory",
                                       "cores", "pool",       "status",      NULL};
    size_t i;
    json_t *g;
    json_array_foreach(gens, i, g)
    {
        if (check_keys(g, keys, "generated_vms", err, errlen))
            return -1;
        long count = (long)num(g, "count", 0);
        unsigned start = (unsigned)num(g, "start_vmid", 10000);
        const char *prefix = json_string_value(json_object_get(g, "name_prefix"));
        json_t *nodes = json_object_get(g, "nodes");
        for (long j = 0; j < count; j++) {
            const char *node =
                json_array_size(nodes)
                    ? json_string_value(json_array_get(nodes, (size_t)j % json_array_size(nodes)))
                    : m->nodes[(size_t)j % m->n_nodes].name;
            char name[96], mac[18], net[96], disk[96];
            unsigned vmid = start + (unsigned)j;
            snprintf(name, sizeof name, "%s%u", prefix ? prefix : "vm-", vmid);
            sim_mac_random(&m->rng, mac);
            snprintf(net, sizeof net, "virtio=%s,bridge=vmbr0", mac);
            snprintf(disk, sizeof disk, "local-lvm:vm-%u-disk-0,size=8G", vmid);
            json_t *config = json_pack("{s:s, s:s, s:I, s:i, s:s, s:s, s:s}", "name", name,
                                       "memory", "1024", "cores", (json_int_t)num(g, "cores", 1),
                                       "sockets", 1, "net0", net, "scsi0", disk, "ostype", "l26");
            char mem[32];
            snprintf(mem, sizeof mem, "%lld", (long long)num(g, "memory", 1024));
            json_object_set_new(config, "memory", json_string(mem));
            if (!add_vm(m, vmid, node, config, json_string_value(json_object_get(g, "status")),
                        json_string_value(json_object_get(g, "pool")), err, errlen))
                return -1;
        }
    }
    return 0;
}

static int load_users(struct sim_model *m, const json_t *users, char *err, size_t errlen)
{
    static const char *const keys[] = {"userid", "password", "comment",   "enable",
                                       "expire", "email",    "firstname", "lastname",
                                       "groups", "tokens",   NULL};
    static const char *const tkeys[] = {"id", "secret", "privsep", "comment", "expire", NULL};
    size_t i;
    json_t *u;
    json_array_foreach(users, i, u)
    {
        if (check_keys(u, keys, "user", err, errlen))
            return -1;
        const char *userid = json_string_value(json_object_get(u, "userid"));
        if (!userid || !strchr(userid, '@'))
            return fail(err, errlen, "user %zu: 'userid' (user@realm) is required", i);
        json_t *o = json_pack("{s:i, s:i, s:[], s:{}}", "enable", flag(u, "enable", 1), "expire",
                              (int)num(u, "expire", 0), "groups", "tokens");
        static const char *const strs[] = {"password",  "comment",  "email",
                                           "firstname", "lastname", NULL};
        for (int k = 0; strs[k]; k++) {
            const char *s = json_string_value(json_object_get(u, strs[k]));
            if (s)
                json_object_set_new(o, strs[k], json_string(s));
        }
        size_t j;
        json_t *g;
        json_array_foreach(json_object_get(u, "groups"), j, g)
        {
            json_array_append(json_object_get(o, "groups"), g);
            if (!json_object_get(m->groups, json_string_value(g)))
                json_object_set_new(m->groups, json_string_value(g), json_object());
        }
        json_t *t;
        json_array_foreach(json_object_get(u, "tokens"), j, t)
        {
            if (check_keys(t, tkeys, "token", err, errlen)) {
                json_decref(o);
                return -1;
            }
            const char *id = json_string_value(json_object_get(t, "id"));
            const char *secret = json_string_value(json_object_get(t, "secret"));
            if (!id || !secret) {
                json_decref(o);
                return fail(err, errlen, "token of %s: 'id' and 'secret' are required", userid);
            }
            json_t *to = json_pack("{s:s, s:i, s:i}", "secret", secret, "privsep",
                                   flag(t, "privsep", 1), "expire", (int)num(t, "expire", 0));
            const char *c = json_string_value(json_object_get(t, "comment"));
            if (c)
                json_object_set_new(to, "comment", json_string(c));
            json_object_set_new(json_object_get(o, "tokens"), id, to);
        }
        json_object_set_new(m->users, userid, o);
    }
    return 0;
}

static int load_acls(struct sim_model *m, const json_t *acls, char *err, size_t errlen)
{
    static const char *const keys[] = {"path",  "users",     "groups", "tokens",
                                       "roles", "propagate", NULL};
    static const char *const kinds[][2] = {
        {"users", "user"}, {"groups", "group"}, {"tokens", "token"}};
    size_t i;
    json_t *a;
    json_array_foreach(acls, i, a)
    {
        if (check_keys(a, keys, "acl", err, errlen))
            return -1;
        const char *path = json_string_value(json_object_get(a, "path"));
        const char *roles = json_string_value(json_object_get(a, "roles"));
        if (!path || !roles)
            return fail(err, errlen, "acl %zu: 'path' and 'roles' are required", i);
        for (int k = 0; k < 3; k++) {
            const char *who = json_string_value(json_object_get(a, kinds[k][0]));
            if (!who)
                continue;
            char *wl = strdup(who), *save1 = NULL;
            for (char *w = strtok_r(wl, ",; ", &save1); w; w = strtok_r(NULL, ",; ", &save1)) {
                char *rl = strdup(roles), *save2 = NULL;
                for (char *r = strtok_r(rl, ",; ", &save2); r; r = strtok_r(NULL, ",; ", &save2)) {
                    if (!json_object_get(m->roles, r)) {
                        free(rl);
                        free(wl);
                        return fail(err, errlen, "acl %zu: unknown role '%s'", i, r);
                    }
                    json_array_append_new(m->acls,
                                          json_pack("{s:s, s:s, s:s, s:s, s:i}", "path", path,
                                                    "type", kinds[k][1], "ugid", w, "roleid", r,
                                                    "propagate", flag(a, "propagate", 1)));
                }
                free(rl);
            }
            free(wl);
        }
    }
    return 0;
}

/* The built-in roles, then the scenario's own (privileges must be known ones). 0 or -1. */
static int load_roles(struct sim_model *m, const json_t *roles, char *err, size_t errlen)
{
    sim_roles_builtin(m->roles);
    size_t i;
    json_t *v;
    json_array_foreach(roles, i, v)
    {
        const char *id = json_string_value(json_object_get(v, "roleid"));
        const char *privs = json_string_value(json_object_get(v, "privs"));
        if (!id)
            return fail(err, errlen, "role %zu: 'roleid' is required", i);
        json_t *a = json_array();
        char *pl = strdup(privs ? privs : ""), *save = NULL;
        int bad = 0;
        for (char *p = strtok_r(pl, ",; ", &save); p && !bad; p = strtok_r(NULL, ",; ", &save)) {
            bad = !sim_priv_known(p);
            if (bad)
                fail(err, errlen, "role %s: unknown privilege '%s'", id, p);
            else
                json_array_append_new(a, json_string(p));
        }
        free(pl);
        json_object_set_new(m->roles, id, json_pack("{s:o, s:i}", "privs", a, "special", 0));
        if (bad)
            return -1;
    }
    return 0;
}

static int load(struct sim_model *m, const json_t *doc, char *err, size_t errlen)
{
    static const char *const keys[] = {"cluster",       "durations", "nodes",  "storages", "vms",
                                       "generated_vms", "users",     "groups", "pools",    "acls",
                                       "roles",         "realms",    NULL};
    if (check_keys(doc, keys, "scenario", err, errlen))
        return -1;
    json_t *cluster = json_object_get(doc, "cluster");
    const char *cname = json_string_value(json_object_get(cluster, "name"));
    if (cname)
        snprintf(m->clustername, sizeof m->clustername, "%s", cname);
    m->k_default = (int)num(cluster, "k", 4);
    if (m->k_default < 1)
        return fail(err, errlen, "cluster.k must be >= 1");
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(doc, "durations"), k, v)
    {
        /* kept as integer ns: the time model never holds time in floating point */
        double s = json_number_value(v);
        if (!json_is_number(v) || !(s >= 0) || s > 65536)
            return fail(err, errlen, "durations.%s: expected a number of seconds from 0 to 65536",
                        k);
        json_object_set_new(m->durations, k, json_integer(llround(s * (double)DS_NS_PER_S)));
    }
    if (load_roles(m, json_object_get(doc, "roles"), err, errlen) != 0)
        return -1;
    size_t i;
    if (load_nodes(m, json_object_get(doc, "nodes"), err, errlen) ||
        load_storages(m, json_object_get(doc, "storages"), err, errlen))
        return -1;
    json_array_foreach(json_object_get(doc, "realms"), i, v)
    { /* directory realms (ldap, ad, openid) besides pam and pve */
        const char *id = json_string_value(json_object_get(v, "realm"));
        const char *type = json_string_value(json_object_get(v, "type"));
        if (!id || !type || (strcmp(type, "ldap") && strcmp(type, "ad") && strcmp(type, "openid")))
            return fail(err, errlen,
                        "realm %zu: 'realm' and 'type' (ldap, ad, openid) are required", i);
        json_array_append(m->realms, v);
    }
    json_array_foreach(json_object_get(doc, "groups"), i, v)
    {
        const char *id = json_string_value(json_object_get(v, "groupid"));
        if (!id)
            return fail(err, errlen, "group %zu: 'groupid' is required", i);
        const char *c = json_string_value(json_object_get(v, "comment"));
        json_object_set_new(m->groups, id, c ? json_pack("{s:s}", "comment", c) : json_object());
    }
    json_array_foreach(json_object_get(doc, "pools"), i, v)
    {
        const char *id = json_string_value(json_object_get(v, "poolid"));
        if (!id)
            return fail(err, errlen, "pool %zu: 'poolid' is required", i);
        const char *c = json_string_value(json_object_get(v, "comment"));
        json_t *p = json_pack("{s:[]}", "storage");
        if (c)
            json_object_set_new(p, "comment", json_string(c));
        json_object_set_new(m->pools, id, p);
    }
    if (load_users(m, json_object_get(doc, "users"), err, errlen) ||
        load_vms(m, json_object_get(doc, "vms"), err, errlen) ||
        load_generated(m, json_object_get(doc, "generated_vms"), err, errlen) ||
        load_acls(m, json_object_get(doc, "acls"), err, errlen))
        return -1;
    if (!json_object_get(m->users, "root@pam"))
        return fail(err, errlen, "scenario: user root@pam is required");
    return 0;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 16384;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t r = fread(buf + n, 1, 4096, f);
        n += r;
        if (r < 4096)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

struct sim_model *sim_scenario_load(const char *name, double time_scale, unsigned long seed,
                                    char *err, size_t errlen)
{
    if (!name || !*name)
        name = "classroom";
    size_t len = 0;
    char *owned = NULL;
    const char *text = NULL;
    if (!strchr(name, '/') && !strchr(name, '.')) {
        char ename[128];
        snprintf(ename, sizeof ename, "examples/clusters/%s.yml", name);
        text = embedded_get(ename, &len);
        if (!text) {
            fail(err, errlen, "unknown scenario '%s' (embedded: single, classroom, campus)", name);
            return NULL;
        }
    } else {
        owned = read_file(name, &len);
        if (!owned) {
            fail(err, errlen, "cannot read scenario file '%s'", name);
            return NULL;
        }
        text = owned;
    }
    char yerr[256];
    json_t *doc = sim_yaml_parse(text, len, yerr, sizeof yerr);
    free(owned);
    if (!doc) {
        fail(err, errlen, "scenario '%s': %s", name, yerr);
        return NULL;
    }
    struct sim_model *m = sim_model_new(time_scale);
    if (!m) {
        json_decref(doc);
        fail(err, errlen, "out of memory");
        return NULL;
    }
    m->rng ^= (uint64_t)seed * 0x100000001B3ULL;
    char lerr[256] = "";
    if (load(m, doc, lerr, sizeof lerr) != 0) {
        fail(err, errlen, "scenario '%s': %s", name, lerr);
        json_decref(doc);
        sim_model_free(m);
        return NULL;
    }
    json_decref(doc);
    return m;
}
