/* plan_internal: what the planner's modules share (helpers, the action list, sorted indexes and
 * the deploy context). Not for use outside src/plan. */
#ifndef DS_PLAN_INTERNAL_H
#define DS_PLAN_INTERNAL_H

#include "plan/nic.h"
#include "plan/plan.h"
#include "util/xalloc.h"
#include <stdarg.h>

/* Private bridge names (plan.h): vmbr1000-vmbr9999 first (the web UI's vmbrN format), then up to
 * vmbr99999 for classes that need more (names stay far below Linux's 15 characters). Every
 * number is unique across the cluster: a number taken on any node is not reused elsewhere. */
#define BRIDGE_FIRST PLAN_BRIDGE_FIRST
#define BRIDGE_UI_LAST 9999
#define BRIDGE_LAST PLAN_BRIDGE_LAST

void pl_strlist_add(char ***list, size_t *n, char *s);
/* A preflight failure (nothing of the plan may run) / a warning; duplicates are dropped. */
void pl_problem(struct plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pl_note(struct plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
struct action *pl_act_new(struct plan *p, enum action_kind kind, const char *node, int student,
                          int vm);
void pl_act_dep(struct plan *p, int act, int dep);
/* The teardown of one VM, as destroy and undo both do it: "stop" (when `stop`) and then "destroy"
 * VM vmid 'name' on node, for student s's VM number vm; only_marked goes on both actions.
 * Returns the destroy action's id. */
int pl_vm_teardown(struct plan *p, int s, int vm, int vmid, const char *name, const char *node,
                   int stop, int only_marked);
void pl_init(struct plan *p, const struct plan_request *rq, enum plan_kind kind);
/* Effective privilege on `path` from GET /access/permissions (the bundle's "permissions"): the
 * nearest listed ancestor. */
int pl_perm_has(const json_t *perms, const char *path, const char *priv);
void pl_students_init(struct plan *p, const struct plan_request *rq);

/* A sorted index of string keys: add everything, sort once, look up in O(log n). Equal keys keep
 * the order they were added in, so "the first match" of a linear scan stays the first. */
struct sidx_ent {
    char *key; /* owned */
    size_t order;
    const void *ptr, *aux;
};
struct sidx {
    struct sidx_ent *e;
    size_t n, cap;
};
void sidx_add(struct sidx *x, char *key, const void *ptr, const void *aux);
void sidx_sort(struct sidx *x);
/* The entries with `key`: index of the first and their count (0 when none). */
size_t sidx_range(const struct sidx *x, const char *key, size_t *count);
const struct sidx_ent *sidx_get(const struct sidx *x, const char *key);
void sidx_free(struct sidx *x);
/* "a\x1fb[\x1fc]" (c may be NULL), malloc'd; the VM-name parts are lower-cased by the callers. */
char *sidx_key(const char *a, const char *b, const char *c);
char *pl_lower(const char *s);

struct vmid_alloc {
    const struct cluster_view *v;
    int next, max; /* the block ids come from */
    int exhausted;
};
int pl_vmid_take(struct vmid_alloc *va);

/* Bridge numbers taken anywhere in the cluster (by anyone) or handed out in this plan. */
struct bridge_names {
    unsigned char *taken; /* BRIDGE_LAST + 1 flags */
    int next;             /* every number below is taken */
    size_t n_free;
};

struct deploy_ctx {
    struct plan *p;
    const struct plan_request *rq;
    const struct cluster_view *v;
    struct vmid_alloc va;
    struct bridge_names bn;
    struct mac_pool macs;
    char tag[64];
    char **apply_node; /* per node: its NET_APPLY action, -1 when none yet */
    int *apply_act;
    size_t n_apply;
    struct sidx vm_pool;    /* "pool\x1fname": VMs tagged for the stand */
    struct sidx vm_mark;    /* "student\x1fname": VMs with this stand's description mark */
    struct sidx br_marked;  /* "node\x1fstudent\x1falias" -> inv_iface (aux: node name) */
    struct sidx br_student; /* "student" -> inv_iface (aux: node name) */
    struct sidx copies;     /* "orig\x1fnode": templates with a copy mark on that node */
    struct sidx partial;    /* "orig\x1ffor-node": copies an interrupted run left half-way */
    int *copy_migrate;      /* per plan copy: its migrate action */
    struct sidx br_used, br_unread; /* bridge_users_index, built when first needed */
    int br_users_built;
    int role_act; /* the managed role's ensure action, -1 when none */
};

/* plan_bridges.c */
void bridges_init(struct deploy_ctx *c);
void bridges_free(struct deploy_ctx *c);
int net_apply_action(struct deploy_ctx *c, const char *node);
int find_apply(const struct deploy_ctx *c, const char *node);
const char *reserved_bridge(struct deploy_ctx *c, const char *node, const char *name);
const char *alias_bridge(struct deploy_ctx *c, int s, const char *node, const char *alias);
/* Removal of a student's marked bridges on nodes where none of its VMs remain. */
void plan_stale_bridges(struct deploy_ctx *c, int s);
/* Index of the bridges that the read VM configs use ("node\x1fbridge"); *unread gets the nodes
 * (as "node" keys) that hold VMs whose config is unknown. `skip` (may be NULL) flags VMs to leave
 * out (v->vms order). */
void bridge_users_index(const struct cluster_view *v, const int *skip, struct sidx *used,
                        struct sidx *unread);

/* plan_copies.c */
void copies_init(struct deploy_ctx *c);
void copies_free(struct deploy_ctx *c);
int resolve_source(struct deploy_ctx *c, const struct stand_machine *mc, const char *node,
                   int *src_vmid, int *copy, char **src_node);

/* plan_baseline.c: the lifecycle parts of a deploy (baseline snapshots, the student role, the
 * accounts' expiry) and the facts the lifecycle planners share. */
/* Does the VM have snapshot `name`? 1 yes, 0 no, -1 unknown: from the bundle's "snapshots"
 * ({"<vmid>": [...]}) when there, else from the config's `parent` (see plan.h). */
int pl_vm_has_snapshot(const struct cluster_view *v, const struct inv_vm *vm, const char *name);
/* Can every disk of `config` (a VM's, or the template a clone comes from) take snapshots on
 * `node`? 1 yes; 0 no and *why says which storage ("local (dir, raw)"); -1 unknown (config unread,
 * no disks, a storage without a type in the view) and *why says that. Types: lvmthin, zfspool,
 * zfs, rbd and btrfs can; dir, nfs, cifs, glusterfs and cephfs only for qcow2 volumes; lvm, iscsi
 * and the others cannot. */
int pl_vm_can_snapshot(const struct cluster_view *v, const json_t *config, const char *node,
                       char *why, size_t len);
/* 1 when the stand uses the managed role and the view does not show it complete (no "roles" in
 * the bundle, no such role, or a privilege missing). */
int pl_role_missing(const struct plan_request *rq, const struct cluster_view *v);
/* The managed role's ensure action when the stand uses it and it is missing or lacks a privilege
 * (always when the view holds no "roles"); its id, or -1. */
int pl_role_ensure(struct plan *p, const struct plan_request *rq, const struct cluster_view *v);
/* Student s's role on the pool (granted after user_act, pool_act and c->role_act) and the
 * revocation of the other student roles deploy-stand grants (a changed student_role). */
void pl_student_role(struct deploy_ctx *c, int s, int user_act, int pool_act);
/* The expiry of student s's account: on the user this run creates (user_act), or an update of an
 * existing one of ours whose expiry differs. */
void pl_user_expiry(struct deploy_ctx *c, int s, int user_act);
/* The baseline snapshot of student s's VM m (existing: have), after action `after`. */
void pl_vm_baseline(struct deploy_ctx *c, int s, size_t m, const struct inv_vm *have, int after);

#endif
