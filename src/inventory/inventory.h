/* inventory: reads the cluster into a cluster view (nodes, VMs, bridges, users, groups, realms,
 * pools, ACLs), plain data: the planner works on it without I/O, and tests build it from JSON. */
#ifndef DS_INVENTORY_H
#define DS_INVENTORY_H

#include <jansson.h>
#include <stddef.h>

struct pve_client;

struct inv_node {
    char *name;
    int online;
    long long maxmem, mem; /* bytes */
    int maxcpu;
};

struct inv_vm {
    int vmid;
    char *node, *name, *pool, *tags, *status, *lock; /* may be NULL (not set) */
    int template;
    long long maxmem; /* configured memory, bytes (from /cluster/resources) */
    int maxcpu;       /* configured vCPUs */
    json_t *config;   /* the VM config when it was read (templates, our VMs), else NULL */
};

struct inv_iface {
    char *name, *type, *comments; /* comments may be NULL */
    int vlan_aware;
    int active; /* 1 = in the running configuration, 0 = only pending */
};

struct inv_net {
    char *node;
    struct inv_iface *ifaces;
    size_t n;
    int pending;   /* the node has pending (unapplied) network changes */
    char *changes; /* that pending diff (interfaces -> interfaces.new) as PVE gives it, or NULL */
    const struct inv_iface **by_name; /* ifaces sorted by name (inv_iface_find) */
};

/* A storage as one node sees it (GET /cluster/resources?type=storage: one entry per node). */
struct inv_storage {
    char *id, *node;
    int shared;
};

struct inv_user {
    char *userid, *comment;
    char *groups; /* the groups it is in, "a,b" (GET /access/users?full=1); NULL when none */
};

/* An authentication realm (GET /access/domains). */
struct inv_realm {
    char *realm, *type; /* "pve", "pve"; type may be NULL */
};

struct inv_pool {
    char *poolid, *comment;
};

struct inv_acl {
    char *path, *ugid, *roleid, *type;
    int propagate;
};

/* Everything the planner needs to know about the cluster. Owns all its strings and JSON. */
struct cluster_view {
    struct inv_node *nodes;
    size_t n_nodes;
    struct inv_vm *vms;
    size_t n_vms;
    struct inv_net *nets;
    size_t n_nets;
    struct inv_user *users;
    size_t n_users;
    struct inv_pool *pools;
    size_t n_pools;
    struct inv_acl *acls;
    size_t n_acls;
    struct inv_storage *storages;
    size_t n_storages;
    struct inv_realm *realms;
    size_t n_realms;
    int realms_read; /* 1 when the bundle held "domains" (else nothing is known about realms) */
    json_t *raw;     /* the JSON bundle the view was built from (see inventory_from_json) */
    /* sorted indexes built by inventory_from_json, so every lookup is O(log n) */
    const struct inv_vm **vm_by_id;
    const struct inv_user **user_by_id;
    const struct inv_pool **pool_by_id;
    const struct inv_acl **acl_by_key;
};

/* Which VM configs to read besides the templates named in `template_vmids` and the untagged VMs
 * named like one of `names` (the stand's machines) or "tpl-*" (leftovers of interrupted runs). */
enum inv_config_scope {
    INV_CONFIGS_MARKED, /* VMs tagged deploy-stand */
    INV_CONFIGS_ALL,    /* every VM (needed to prove a bridge is unused) */
    INV_CONFIGS_NONE    /* no tagged VM: power plans find the stand's VMs by their tags, pools
                           and status in /cluster/resources, so a config read per VM is waste */
};

/* Reads the cluster. `baseline` (may be NULL): the stand's baseline snapshot name; a VM whose
 * config names it as `parent` has it, so its snapshots are not listed (a VM with another parent
 * is). 0 and *out (free with cluster_view_free), or -1 with ds_err. */
int inventory_load(struct pve_client *c, const int *template_vmids, size_t n_templates,
                   const char *const *names, size_t n_names, enum inv_config_scope scope,
                   const char *baseline, struct cluster_view **out);

/* Builds a view from a bundle {"nodes":[...GET /nodes], "resources":[...GET /cluster/resources],
 * "networks":{"node":{"ifaces":[...], "changes": "..."|null}}, "users":[...GET /access/users?full=1
 * (each user's "groups" a "a,b" string or a list)], "pools":[...], "acl":[...],
 * "configs":{"<vmid>":{...}}, "storages":[...GET /cluster/resources?type=storage],
 * "domains":[...GET /access/domains] (optional)}. The bundle reference is taken over (stolen). */
struct cluster_view *inventory_from_json(json_t *bundle);

void cluster_view_free(struct cluster_view *v);

/* Lookups; NULL when absent. */
const struct inv_node *inv_node_find(const struct cluster_view *v, const char *name);
const struct inv_vm *inv_vm_find(const struct cluster_view *v, int vmid);
const struct inv_net *inv_net_find(const struct cluster_view *v, const char *node);
const struct inv_iface *inv_iface_find(const struct cluster_view *v, const char *node,
                                       const char *iface);
const struct inv_user *inv_user_find(const struct cluster_view *v, const char *userid);
const struct inv_pool *inv_pool_find(const struct cluster_view *v, const char *poolid);
int inv_acl_has(const struct cluster_view *v, const char *path, const char *ugid,
                const char *roleid);
/* The realm called `realm` (exact spelling); NULL when absent or when realms were not read. */
const struct inv_realm *inv_realm_find(const struct cluster_view *v, const char *realm);
/* 1 when the user is a member of `group`. */
int inv_user_in_group(const struct inv_user *u, const char *group);

/* 1 when the VM is a template: /cluster/resources says so or its config has template: 1 (the
 * two can disagree for a moment after a conversion). */
int inv_vm_is_template(const struct inv_vm *vm);

/* 1 when every volume of the VM's config (disks and CD-ROM images; "none" and "cdrom" aside) is
 * on a storage that is shared and available on `node`, so PVE can clone it there with `target`
 * (a linked clone of a template included). 0 when one is local, unknown, or the config unread. */
int inv_vm_storage_shared_on(const struct cluster_view *v, const struct inv_vm *vm,
                             const char *node);

/* True when a tag list ("a;b,c d") contains `tag`. */
int inv_tags_have(const char *tags, const char *tag);

#endif
