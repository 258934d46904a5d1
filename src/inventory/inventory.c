/* inventory: reads the cluster into a cluster view.
 * All reads go into one JSON bundle first, so the same parser serves live clusters and test
 * fixtures. */
#include "inventory/inventory.h"
#include "util/xalloc.h"
#include "pve/pve_api.h"
#include "pve/pve_client.h"
#include "util/err.h"
#include "util/i18n.h"
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *dup_str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? strdup(s) : NULL;
}

static long long get_int(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (json_is_integer(v))
        return json_integer_value(v);
    if (json_is_real(v))
        return (long long)json_real_value(v);
    if (json_is_string(v))
        return atoll(json_string_value(v));
    if (json_is_true(v))
        return 1;
    return 0;
}

int inv_tags_have(const char *tags, const char *tag)
{
    if (!tags || !tag)
        return 0;
    size_t tl = strlen(tag);
    const char *p = tags;
    while (*p) {
        while (*p == ';' || *p == ',' || *p == ' ')
            p++;
        const char *e = p;
        while (*e && *e != ';' && *e != ',' && *e != ' ')
            e++;
        if ((size_t)(e - p) == tl && strncasecmp(p, tag, tl) == 0)
            return 1;
        p = e;
    }
    return 0;
}

static void load_nodes(struct cluster_view *v, json_t *nodes)
{
    size_t i;
    json_t *n;
    v->nodes = calloc(json_array_size(nodes) + 1, sizeof *v->nodes);
    json_array_foreach(nodes, i, n)
    {
        struct inv_node *in = &v->nodes[v->n_nodes];
        in->name = dup_str(n, "node");
        if (!in->name)
            continue;
        const char *st = json_string_value(json_object_get(n, "status"));
        in->online = st && strcmp(st, "online") == 0;
        in->maxmem = get_int(n, "maxmem");
        in->mem = get_int(n, "mem");
        in->maxcpu = (int)get_int(n, "maxcpu");
        v->n_nodes++;
    }
}

static void load_vms(struct cluster_view *v, json_t *res, json_t *configs)
{
    size_t i;
    json_t *r;
    v->vms = calloc(json_array_size(res) + 1, sizeof *v->vms);
    json_array_foreach(res, i, r)
    {
        const char *type = json_string_value(json_object_get(r, "type"));
        if (!type || strcmp(type, "qemu") != 0)
            continue;
        struct inv_vm *vm = &v->vms[v->n_vms++];
        vm->vmid = (int)get_int(r, "vmid");
        vm->node = dup_str(r, "node");
        vm->name = dup_str(r, "name");
        vm->pool = dup_str(r, "pool");
        vm->tags = dup_str(r, "tags");
        vm->status = dup_str(r, "status");
        vm->lock = dup_str(r, "lock");
        vm->template = (int)get_int(r, "template");
        vm->maxmem = get_int(r, "maxmem");
        vm->maxcpu = (int)get_int(r, "maxcpu");
        char key[32];
        snprintf(key, sizeof key, "%d", vm->vmid);
        json_t *cfg = json_object_get(configs, key);
        vm->config = cfg ? json_incref(cfg) : NULL;
    }
}

/* Is the interface added or changed by the pending edits? The list PVE returns already shows the
 * pending state; `changes` is the diff of interfaces -> interfaces.new, where such an interface
 * has a "+iface NAME ..." line. (The `active` flag only says whether the kernel has it up.) */
static int iface_in_diff(const char *changes, const char *name)
{
    size_t nl = strlen(name);
    for (const char *p = changes; p && *p;) {
        if (strncmp(p, "+iface ", 7) == 0 && strncmp(p + 7, name, nl) == 0 &&
            (p[7 + nl] == ' ' || p[7 + nl] == '\n' || p[7 + nl] == '\0'))
            return 1;
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return 0;
}

static void load_nets(struct cluster_view *v, json_t *nets)
{
    const char *node;
    json_t *nn;
    v->nets = calloc(json_object_size(nets) + 1, sizeof *v->nets);
    json_object_foreach(nets, node, nn)
    {
        struct inv_net *in = &v->nets[v->n_nets++];
        in->node = strdup(node);
        json_t *ifs = json_object_get(nn, "ifaces");
        const char *changes = json_string_value(json_object_get(nn, "changes"));
        in->pending = changes && *changes;
        in->changes = in->pending ? strdup(changes) : NULL;
        in->ifaces = calloc(json_array_size(ifs) + 1, sizeof *in->ifaces);
        size_t i;
        json_t *f;
        json_array_foreach(ifs, i, f)
        {
            struct inv_iface *fi = &in->ifaces[in->n];
            fi->name = dup_str(f, "iface");
            if (!fi->name)
                continue;
            fi->type = dup_str(f, "type");
            fi->comments = dup_str(f, "comments");
            if (fi->comments) { /* PVE keeps a trailing newline on comments */
                size_t l = strlen(fi->comments);
                while (l && (fi->comments[l - 1] == '\n' || fi->comments[l - 1] == ' '))
                    fi->comments[--l] = '\0';
            }
            fi->vlan_aware = (int)get_int(f, "bridge_vlan_aware");
            fi->active = !iface_in_diff(changes, fi->name);
            in->n++;
        }
    }
}

/* A user's "groups": PVE's "a,b" string, or a list of names (some versions, fixtures); NULL for
 * none. */
static char *groups_text(json_t *g)
{
    if (json_is_string(g))
        return *json_string_value(g) ? strdup(json_string_value(g)) : NULL;
    if (!json_is_array(g) || json_array_size(g) == 0)
        return NULL;
    size_t len = 1, i;
    json_t *x;
    json_array_foreach(g, i, x) len += json_is_string(x) ? strlen(json_string_value(x)) + 1 : 0;
    char *out = xcalloc(len, 1);
    json_array_foreach(g, i, x)
    {
        if (!json_is_string(x))
            continue;
        if (*out)
            strcat(out, ",");
        strcat(out, json_string_value(x));
    }
    return out;
}

static void load_realms(struct cluster_view *v, json_t *domains)
{
    size_t i;
    json_t *o;
    v->realms_read = json_is_array(domains);
    v->realms = xcalloc(json_array_size(domains) + 1, sizeof *v->realms);
    json_array_foreach(domains, i, o)
    {
        struct inv_realm *r = &v->realms[v->n_realms];
        r->realm = dup_str(o, "realm");
        if (!r->realm)
            continue;
        r->type = dup_str(o, "type");
        v->n_realms++;
    }
}

static void load_access(struct cluster_view *v, json_t *users, json_t *pools, json_t *acl)
{
    size_t i;
    json_t *o;
    v->users = calloc(json_array_size(users) + 1, sizeof *v->users);
    json_array_foreach(users, i, o)
    {
        struct inv_user *u = &v->users[v->n_users];
        u->userid = dup_str(o, "userid");
        if (!u->userid)
            continue;
        u->comment = dup_str(o, "comment");
        u->groups = groups_text(json_object_get(o, "groups"));
        v->n_users++;
    }
    v->pools = calloc(json_array_size(pools) + 1, sizeof *v->pools);
    json_array_foreach(pools, i, o)
    {
        struct inv_pool *p = &v->pools[v->n_pools];
        p->poolid = dup_str(o, "poolid");
        if (!p->poolid)
            continue;
        p->comment = dup_str(o, "comment");
        v->n_pools++;
    }
    v->acls = calloc(json_array_size(acl) + 1, sizeof *v->acls);
    json_array_foreach(acl, i, o)
    {
        struct inv_acl *a = &v->acls[v->n_acls++];
        a->path = dup_str(o, "path");
        a->ugid = dup_str(o, "ugid");
        a->roleid = dup_str(o, "roleid");
        a->type = dup_str(o, "type");
        a->propagate = (int)get_int(o, "propagate");
    }
}

static void load_storages(struct cluster_view *v, json_t *sts)
{
    size_t i;
    json_t *o;
    v->storages = calloc(json_array_size(sts) + 1, sizeof *v->storages);
    json_array_foreach(sts, i, o)
    {
        struct inv_storage *s = &v->storages[v->n_storages];
        s->id = dup_str(o, "storage");
        if (!s->id)
            continue;
        s->node = dup_str(o, "node");
        s->shared = get_int(o, "shared") != 0;
        v->n_storages++;
    }
}

static int cmp_vm(const void *a, const void *b)
{
    const struct inv_vm *x = *(const struct inv_vm *const *)a,
                        *y = *(const struct inv_vm *const *)b;
    return x->vmid < y->vmid ? -1 : x->vmid > y->vmid ? 1 : x < y ? -1 : x > y;
}

static int cmp_iface(const void *a, const void *b)
{
    const struct inv_iface *x = *(const struct inv_iface *const *)a;
    const struct inv_iface *y = *(const struct inv_iface *const *)b;
    int c = strcmp(x->name, y->name);
    return c ? c : x < y ? -1 : x > y;
}

static int cmp_user(const void *a, const void *b)
{
    const struct inv_user *x = *(const struct inv_user *const *)a;
    const struct inv_user *y = *(const struct inv_user *const *)b;
    int c = strcmp(x->userid, y->userid);
    return c ? c : x < y ? -1 : x > y;
}

static int cmp_pool(const void *a, const void *b)
{
    const struct inv_pool *x = *(const struct inv_pool *const *)a;
    const struct inv_pool *y = *(const struct inv_pool *const *)b;
    int c = strcmp(x->poolid, y->poolid);
    return c ? c : x < y ? -1 : x > y;
}

static int acl_key_cmp(const struct inv_acl *x, const char *path, const char *ugid,
                       const char *roleid)
{
    int c = strcmp(x->path ? x->path : "", path);
    if (!c)
        c = strcmp(x->ugid ? x->ugid : "", ugid);
    if (!c)
        c = strcmp(x->roleid ? x->roleid : "", roleid);
    return c;
}

static int cmp_acl(const void *a, const void *b)
{
    const struct inv_acl *x = *(const struct inv_acl *const *)a;
    const struct inv_acl *y = *(const struct inv_acl *const *)b;
    return acl_key_cmp(x, y->path ? y->path : "", y->ugid ? y->ugid : "",
                       y->roleid ? y->roleid : "");
}

/* Sorted pointer arrays over the view's lists (ties keep the list order: first match wins). */
static void build_indexes(struct cluster_view *v)
{
    v->vm_by_id = calloc(v->n_vms + 1, sizeof *v->vm_by_id);
    v->user_by_id = calloc(v->n_users + 1, sizeof *v->user_by_id);
    v->pool_by_id = calloc(v->n_pools + 1, sizeof *v->pool_by_id);
    v->acl_by_key = calloc(v->n_acls + 1, sizeof *v->acl_by_key);
    if (!v->vm_by_id || !v->user_by_id || !v->pool_by_id || !v->acl_by_key)
        abort();
    for (size_t i = 0; i < v->n_vms; i++)
        v->vm_by_id[i] = &v->vms[i];
    for (size_t i = 0; i < v->n_users; i++)
        v->user_by_id[i] = &v->users[i];
    for (size_t i = 0; i < v->n_pools; i++)
        v->pool_by_id[i] = &v->pools[i];
    for (size_t i = 0; i < v->n_acls; i++)
        v->acl_by_key[i] = &v->acls[i];
    qsort(v->vm_by_id, v->n_vms, sizeof *v->vm_by_id, cmp_vm);
    qsort(v->user_by_id, v->n_users, sizeof *v->user_by_id, cmp_user);
    qsort(v->pool_by_id, v->n_pools, sizeof *v->pool_by_id, cmp_pool);
    qsort(v->acl_by_key, v->n_acls, sizeof *v->acl_by_key, cmp_acl);
    for (size_t n = 0; n < v->n_nets; n++) {
        struct inv_net *in = &v->nets[n];
        in->by_name = xcalloc(in->n + 1, sizeof *in->by_name);
        for (size_t i = 0; i < in->n; i++)
            in->by_name[i] = &in->ifaces[i];
        qsort(in->by_name, in->n, sizeof *in->by_name, cmp_iface);
    }
}

struct cluster_view *inventory_from_json(json_t *bundle)
{
    struct cluster_view *v = calloc(1, sizeof *v);
    if (!v) {
        json_decref(bundle);
        return NULL;
    }
    v->raw = bundle;
    load_nodes(v, json_object_get(bundle, "nodes"));
    load_vms(v, json_object_get(bundle, "resources"), json_object_get(bundle, "configs"));
    load_nets(v, json_object_get(bundle, "networks"));
    load_access(v, json_object_get(bundle, "users"), json_object_get(bundle, "pools"),
                json_object_get(bundle, "acl"));
    load_storages(v, json_object_get(bundle, "storages"));
    load_realms(v, json_object_get(bundle, "domains"));
    build_indexes(v);
    return v;
}

static int has_vmid(const int *ids, size_t n, int vmid)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == vmid)
            return 1;
    return 0;
}

static int has_name(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(names[i], name) == 0)
            return 1;
    return 0;
}

/* The snapshots of a VM whose config names a `parent` (a VM without one has none, so most cost
 * nothing) go to the bundle's "snapshots" under its VMID. Optional: when they cannot be read the
 * planner treats them as unknown. */
static void snapshots_read(struct pve_client *c, json_t *bundle, const char *node, int vmid,
                           const json_t *cfg, const char *baseline)
{
    const char *parent = json_string_value(json_object_get(cfg, "parent"));
    if (!parent || get_int((json_t *)cfg, "template") == 1 ||
        (baseline && strcmp(parent, baseline) == 0))
        return;
    json_t *list = NULL;
    if (pve_vm_snapshot_list(c, node, vmid, &list) < 0) {
        ds_err_clear();
        return;
    }
    json_t *all = json_object_get(bundle, "snapshots");
    if (!all) {
        all = json_object();
        json_object_set_new(bundle, "snapshots", all);
    }
    char key[32];
    snprintf(key, sizeof key, "%d", vmid);
    json_object_set_new(all, key, list);
}

/* GET `path` (params may be NULL), whose answer must be a list: 0 and *out, or -1 with ds_err
 * "<what> failed: ..." and the answer's class. */
static int get_list(struct pve_client *c, const char *what, const char *path, const json_t *params,
                    json_t **out)
{
    struct pve_response r = {0};
    *out = NULL;
    if (pve_call(c, "GET", path, params, &r) < 0) {
        char d[1536];
        if (r.status == 0 && !r.message)
            ds_err_wrap(_("%s failed"), what); /* refused before sending */
        else
            ds_err_set(_("%s failed: %s"), what, pve_response_describe(&r, d, sizeof d));
        pve_err_set_class(r.err_class);
        pve_response_clear(&r);
        return -1;
    }
    int ok = json_is_array(r.data);
    if (ok) {
        *out = r.data;
        r.data = NULL;
    } else {
        ds_err_set(_("%s failed: the answer is not %s"), what, _("a list"));
    }
    pve_response_clear(&r);
    return ok ? 0 : -1;
}

/* The users with their groups (GET /access/users?full=1): a student who is in a privileged group
 * is found by the preflight. */
static int users_read(struct pve_client *c, json_t **out)
{
    json_t *params = json_pack("{s:b}", "full", 1);
    int rc = get_list(c, _("listing users"), "/access/users", params, out);
    json_decref(params);
    return rc;
}

/* The cluster's roles (GET /access/roles, which every user may read) go to the bundle's "roles",
 * so the planner sees whether the managed role exists, and its realms (GET /access/domains, which
 * anyone may read) to "domains". Both optional, as snapshots_read. */
static void roles_read(struct pve_client *c, json_t *bundle)
{
    json_t *roles = NULL, *domains = NULL;
    if (pve_roles_list(c, &roles) < 0)
        ds_err_clear();
    else
        json_object_set_new(bundle, "roles", roles);
    if (get_list(c, _("listing realms"), "/access/domains", NULL, &domains) < 0)
        ds_err_clear();
    else
        json_object_set_new(bundle, "domains", domains);
}

/* The cluster-wide lists into the bundle: nodes, VM and storage resources, users, pools, ACLs.
 * 0, or -1 with ds_err (what was read stays in the bundle, freed with it). */
static int lists_read(struct pve_client *c, json_t *bundle)
{
    static const char *const keys[] = {"nodes", "resources", "users", "pools", "acl", "storages"};
    json_t *got[6] = {NULL};
    int rc = pve_nodes_list(c, &got[0]) < 0 || pve_cluster_resources(c, "vm", &got[1]) < 0 ||
                     users_read(c, &got[2]) < 0 || pve_pools_list(c, &got[3]) < 0 ||
                     pve_acl_list(c, &got[4]) < 0 ||
                     pve_cluster_resources(c, "storage", &got[5]) < 0
                 ? -1
                 : 0;
    for (size_t i = 0; i < 6; i++)
        if (got[i])
            json_object_set_new(bundle, keys[i], got[i]);
    return rc;
}

/* Each online node's interfaces and pending changes into the bundle's "networks". 0 or -1. */
static int nets_read(struct pve_client *c, json_t *bundle)
{
    json_t *nets = json_object();
    json_object_set_new(bundle, "networks", nets);
    size_t i;
    json_t *n;
    json_array_foreach(json_object_get(bundle, "nodes"), i, n)
    {
        const char *name = json_string_value(json_object_get(n, "node"));
        const char *st = json_string_value(json_object_get(n, "status"));
        if (!name || !st || strcmp(st, "online") != 0)
            continue;
        json_t *ifaces = NULL;
        char *changes = NULL;
        if (pve_net_list(c, name, &ifaces, &changes) < 0)
            return -1;
        json_t *entry = json_object();
        json_object_set_new(entry, "ifaces", ifaces);
        json_object_set_new(entry, "changes", changes ? json_string(changes) : json_null());
        free(changes);
        json_object_set_new(nets, name, entry);
    }
    return 0;
}

/* Which VM configs inventory_load reads (see enum inv_config_scope). */
struct config_want {
    const int *template_vmids;
    size_t n_templates;
    const char *const *names;
    size_t n_names;
    enum inv_config_scope scope;
};

static int config_wanted(const struct config_want *w, const json_t *r, int vmid)
{
    const char *tags = json_string_value(json_object_get(r, "tags"));
    /* an untagged VM may be ours from a run that died before tagging it: a clone carries the
     * stand's machine name (and a description mark), a template copy a "tpl-" name */
    const char *name = json_string_value(json_object_get(r, "name"));
    return has_vmid(w->template_vmids, w->n_templates, vmid) || w->scope == INV_CONFIGS_ALL ||
           (w->scope != INV_CONFIGS_NONE && inv_tags_have(tags, "deploy-stand")) ||
           (!tags && name &&
            (strncmp(name, "tpl-", 4) == 0 || has_name(w->names, w->n_names, name)));
}

/* The wanted VMs' configs into the bundle's "configs" (and their snapshots, snapshots_read). */
static int configs_read(struct pve_client *c, json_t *bundle, const struct config_want *w,
                        const char *baseline)
{
    json_t *configs = json_object();
    json_object_set_new(bundle, "configs", configs);
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(bundle, "resources"), i, r)
    {
        const char *type = json_string_value(json_object_get(r, "type"));
        const char *node = json_string_value(json_object_get(r, "node"));
        int vmid = (int)get_int(r, "vmid");
        if (!type || strcmp(type, "qemu") != 0 || !node || !config_wanted(w, r, vmid))
            continue;
        json_t *cfg = NULL;
        if (pve_vm_config_get(c, node, vmid, &cfg) < 0)
            return -1;
        char key[32];
        snprintf(key, sizeof key, "%d", vmid);
        json_object_set_new(configs, key, cfg);
        snapshots_read(c, bundle, node, vmid, cfg, baseline);
    }
    return 0;
}

int inventory_load(struct pve_client *c, const int *template_vmids, size_t n_templates,
                   const char *const *names, size_t n_names, enum inv_config_scope scope,
                   const char *baseline, struct cluster_view **out)
{
    *out = NULL;
    json_t *bundle = json_object();
    const struct config_want w = {template_vmids, n_templates, names, n_names, scope};
    if (lists_read(c, bundle) < 0 || nets_read(c, bundle) < 0 ||
        configs_read(c, bundle, &w, baseline) < 0) {
        json_decref(bundle);
        return ds_err_wrap("reading the cluster");
    }
    roles_read(c, bundle);
    *out = inventory_from_json(bundle);
    return *out ? 0 : ds_err_set("out of memory");
}

void cluster_view_free(struct cluster_view *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n_nodes; i++)
        free(v->nodes[i].name);
    free(v->nodes);
    for (size_t i = 0; i < v->n_vms; i++) {
        struct inv_vm *vm = &v->vms[i];
        DS_FREE_ALL(vm->node, vm->name, vm->pool, vm->tags, vm->status, vm->lock);
        json_decref(vm->config);
    }
    free(v->vms);
    for (size_t i = 0; i < v->n_nets; i++) {
        for (size_t j = 0; j < v->nets[i].n; j++) {
            struct inv_iface *f = &v->nets[i].ifaces[j];
            DS_FREE_ALL(f->name, f->type, f->comments);
        }
        free(v->nets[i].ifaces);
        free(v->nets[i].node);
        free(v->nets[i].changes);
        free(v->nets[i].by_name);
    }
    free(v->nets);
    for (size_t i = 0; i < v->n_users; i++)
        DS_FREE_ALL(v->users[i].userid, v->users[i].comment, v->users[i].groups);
    for (size_t i = 0; i < v->n_realms; i++)
        DS_FREE_ALL(v->realms[i].realm, v->realms[i].type);
    free(v->realms);
    free(v->users);
    for (size_t i = 0; i < v->n_pools; i++) {
        free(v->pools[i].poolid);
        free(v->pools[i].comment);
    }
    free(v->pools);
    for (size_t i = 0; i < v->n_acls; i++) {
        free(v->acls[i].path);
        free(v->acls[i].ugid);
        free(v->acls[i].roleid);
        free(v->acls[i].type);
    }
    free(v->acls);
    for (size_t i = 0; i < v->n_storages; i++) {
        free(v->storages[i].id);
        free(v->storages[i].node);
    }
    free(v->storages);
    free(v->vm_by_id);
    free(v->user_by_id);
    free(v->pool_by_id);
    free(v->acl_by_key);
    json_decref(v->raw);
    free(v);
}

const struct inv_node *inv_node_find(const struct cluster_view *v, const char *name)
{
    for (size_t i = 0; i < v->n_nodes; i++)
        if (strcmp(v->nodes[i].name, name) == 0)
            return &v->nodes[i];
    return NULL;
}

const struct inv_vm *inv_vm_find(const struct cluster_view *v, int vmid)
{
    size_t lo = 0, hi = v->n_vms;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->vm_by_id[mid]->vmid < vmid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < v->n_vms && v->vm_by_id[lo]->vmid == vmid ? v->vm_by_id[lo] : NULL;
}

const struct inv_net *inv_net_find(const struct cluster_view *v, const char *node)
{
    for (size_t i = 0; i < v->n_nets; i++)
        if (strcmp(v->nets[i].node, node) == 0)
            return &v->nets[i];
    return NULL;
}

/* Binary search in a sorted pointer array whose elements have a string key at byte offset `off`
 * (a char * member); the first element with that key, or NULL. */
static const void *find_by_str(const void *const *arr, size_t n, size_t off, const char *key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *k = *(const char *const *)((const char *)arr[mid] + off);
        if (strcmp(k, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < n && strcmp(*(const char *const *)((const char *)arr[lo] + off), key) == 0)
        return arr[lo];
    return NULL;
}

const struct inv_iface *inv_iface_find(const struct cluster_view *v, const char *node,
                                       const char *iface)
{
    const struct inv_net *n = inv_net_find(v, node);
    if (!n)
        return NULL;
    return find_by_str((const void *const *)n->by_name, n->n, offsetof(struct inv_iface, name),
                       iface);
}

const struct inv_user *inv_user_find(const struct cluster_view *v, const char *userid)
{
    return find_by_str((const void *const *)v->user_by_id, v->n_users,
                       offsetof(struct inv_user, userid), userid);
}

const struct inv_pool *inv_pool_find(const struct cluster_view *v, const char *poolid)
{
    return find_by_str((const void *const *)v->pool_by_id, v->n_pools,
                       offsetof(struct inv_pool, poolid), poolid);
}

int inv_acl_has(const struct cluster_view *v, const char *path, const char *ugid,
                const char *roleid)
{
    size_t lo = 0, hi = v->n_acls;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (acl_key_cmp(v->acl_by_key[mid], path, ugid, roleid) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo >= v->n_acls)
        return 0;
    const struct inv_acl *a = v->acl_by_key[lo];
    return a->path && a->ugid && a->roleid && acl_key_cmp(a, path, ugid, roleid) == 0;
}

const struct inv_realm *inv_realm_find(const struct cluster_view *v, const char *realm)
{
    for (size_t i = 0; i < v->n_realms; i++)
        if (strcmp(v->realms[i].realm, realm) == 0)
            return &v->realms[i];
    return NULL;
}

int inv_user_in_group(const struct inv_user *u, const char *group)
{
    size_t gl = strlen(group);
    for (const char *p = u->groups; p && *p;) {
        p += strspn(p, ",; ");
        size_t l = strcspn(p, ",; ");
        if (l == gl && strncmp(p, group, gl) == 0)
            return 1;
        p += l;
    }
    return 0;
}

int inv_vm_is_template(const struct inv_vm *vm)
{
    if (vm->template)
        return 1;
    json_t *t = json_object_get(vm->config, "template");
    return json_is_true(t) || (json_is_integer(t) && json_integer_value(t) != 0) ||
           (json_is_string(t) && strcmp(json_string_value(t), "1") == 0);
}

/* Is the config key a drive PVE clones (ideN, sataN, scsiN, virtioN, efidisk0, tpmstate0)? */
static int is_drive_key(const char *k)
{
    static const char *const prefix[] = {"ide", "sata", "scsi", "virtio", "efidisk", "tpmstate"};
    for (size_t i = 0; i < sizeof prefix / sizeof prefix[0]; i++) {
        size_t l = strlen(prefix[i]);
        if (strncmp(k, prefix[i], l) == 0 && k[l] >= '0' && k[l] <= '9' &&
            strspn(k + l, "0123456789") == strlen(k + l))
            return 1;
    }
    return 0;
}

static int storage_shared_on(const struct cluster_view *v, const char *id, const char *node)
{
    for (size_t i = 0; i < v->n_storages; i++)
        if (strcmp(v->storages[i].id, id) == 0 &&
            (!v->storages[i].node || strcmp(v->storages[i].node, node) == 0))
            return v->storages[i].shared;
    return 0;
}

int inv_vm_storage_shared_on(const struct cluster_view *v, const struct inv_vm *vm,
                             const char *node)
{
    if (!vm || !vm->config)
        return 0;
    const char *k;
    json_t *val;
    int volumes = 0;
    json_object_foreach(vm->config, k, val)
    {
        const char *s = json_string_value(val);
        if (!s || !is_drive_key(k))
            continue;
        char vol[256];
        snprintf(vol, sizeof vol, "%.*s", (int)strcspn(s, ","), s);
        if (strncmp(vol, "file=", 5) == 0)
            memmove(vol, vol + 5, strlen(vol + 5) + 1);
        if (strcmp(vol, "none") == 0 || strcmp(vol, "cdrom") == 0)
            continue;
        char *colon = strchr(vol, ':');
        if (!colon || vol[0] == '/')
            return 0; /* a path on the node: local */
        *colon = '\0';
        if (!storage_shared_on(v, vol, node))
            return 0;
        volumes++;
    }
    return volumes > 0;
}
