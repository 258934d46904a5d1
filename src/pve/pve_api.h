/* pve_api: typed Proxmox VE API calls (VMs, snapshots, network, users, roles, ACLs, pools, nodes).
 * Each call names its action and object in ds_err ("clone of template 100 on pve1 to VM 5003").*/
#ifndef DS_PVE_API_H
#define DS_PVE_API_H

#include "pve/pve_client.h"

/* Every function returns 0 or -1 and sets ds_err naming the call and the object, e.g.
 * "clone of template 100 on pve1 to VM 5003 failed: 500 unable to create VM 5003: config file
 * already exists", and the failure's class (pve_err_last(): PVE_ERR_EXISTS here). Out-params that
 * are json_t** get a NEW reference (caller json_decref's); char** are malloc'd (caller frees); both
 * are NULL after a failure. Async calls return the UPID in *upid; the *_wait variants also wait for
 * the task (timeout in seconds, see pve_task_wait). */
int pve_version_get(pve_client *c, json_t **out);
int pve_nodes_list(pve_client *c, json_t **out);                          /* GET /nodes */
int pve_cluster_resources(pve_client *c, const char *type, json_t **out); /* type may be NULL */
int pve_cluster_nextid(pve_client *c, int *vmid);
/* GET /cluster/nextid?vmid=N: 1 when N is free, 0 when it is taken (PVE answers 400 "VM N already
 * exists"), -1 on any other failure (ds_err and pve_err_last() tell which). */
int pve_cluster_vmid_free(pve_client *c, int vmid);
int pve_permissions_get(pve_client *c, json_t **out); /* GET /access/permissions */
int pve_vm_config_get(pve_client *c, const char *node, int vmid, json_t **out);
/* PUT (synchronous) config change: params e.g. {"net0": "...", "tags": "a;b", "delete": "net1"} */
int pve_vm_config_set(pve_client *c, const char *node, int vmid, const json_t *params);

struct pve_clone_opts {
    const char *name;
    const char *pool;
    const char *description;
    int full; /* 0 linked, 1 full */
    const char *target;
    const char *storage;
};
/* o may be NULL (PVE defaults). */
int pve_vm_clone(pve_client *c, const char *node, int vmid, int newid,
                 const struct pve_clone_opts *o, char **upid);
int pve_vm_clone_wait(pve_client *c, const char *node, int vmid, int newid,
                      const struct pve_clone_opts *o, int timeout_s);
int pve_vm_template_wait(pve_client *c, const char *node, int vmid, int timeout_s);
int pve_vm_migrate_wait(pve_client *c, const char *node, int vmid, const char *target,
                        int timeout_s);
int pve_vm_status(pve_client *c, const char *node, int vmid, json_t **out); /* status/current */
int pve_vm_start_wait(pve_client *c, const char *node, int vmid, int timeout_s);
int pve_vm_stop_wait(pve_client *c, const char *node, int vmid, int timeout_s);
int pve_vm_shutdown_wait(pve_client *c, const char *node, int vmid, int timeout_s);
/* Shutdown with PVE's `timeout` (seconds the guest gets; <= 0: PVE's default) and `forceStop`
 * (stop hard when the guest has not stopped by then). *task_ran (may be NULL) is 1 once the task
 * started: a failure then is the task's (without forceStop: "VM quit/powerdown failed - got
 * timeout" when the guest did not stop in time), while 0 means the request itself was refused. */
int pve_vm_shutdown_opts_wait(pve_client *c, const char *node, int vmid, int guest_timeout_s,
                              int force_stop, int timeout_s, int *task_ran);
/* POST .../status/reboot (a clean shutdown, then a start; the VM must be running) with PVE's
 * `timeout` for the shutdown (<= 0: PVE's default). */
int pve_vm_reboot_wait(pve_client *c, const char *node, int vmid, int guest_timeout_s,
                       int timeout_s);
int pve_vm_destroy_wait(pve_client *c, const char *node, int vmid, int purge, int timeout_s);

/* GET .../snapshot: [{name, description, snaptime?, vmstate?, parent?}, ...] plus PVE's entry
 * {"name": "current", ...} for the VM's present state (not a snapshot). */
int pve_vm_snapshot_list(pve_client *c, const char *node, int vmid, json_t **out);
/* POST .../snapshot {snapname, description?} (disks and config, no RAM state), then the task.
 * name: pve-configid, at most 40 characters, not "current"/"pending" (stand_snapshot_name_valid).
 * An existing name fails ("snapshot name 'x' already used"). description may be NULL. */
int pve_vm_snapshot_create_wait(pve_client *c, const char *node, int vmid, const char *name,
                                const char *description, int timeout_s);
/* POST .../snapshot/{name}/rollback [start=1]: PVE stops a running VM first; with start the VM is
 * started after the rollback, otherwise it stays stopped. */
int pve_vm_snapshot_rollback_wait(pve_client *c, const char *node, int vmid, const char *name,
                                  int start, int timeout_s);
/* DELETE .../snapshot/{name}; a missing snapshot fails with PVE_ERR_NOT_FOUND. */
int pve_vm_snapshot_delete_wait(pve_client *c, const char *node, int vmid, const char *name,
                                int timeout_s);

/* GET /nodes/{node}/network; *changes = the pending diff (malloc'd) or NULL when none. */
int pve_net_list(pve_client *c, const char *node, json_t **ifaces, char **changes);
struct pve_bridge_opts {
    int vlan_aware;
    const char *comments;
    int autostart;
};
/* An isolated bridge (no ports); o may be NULL. */
int pve_net_bridge_create(pve_client *c, const char *node, const char *iface,
                          const struct pve_bridge_opts *o);
int pve_net_iface_delete(pve_client *c, const char *node, const char *iface);
int pve_net_apply_wait(pve_client *c, const char *node, int timeout_s); /* PUT network + wait */
int pve_net_revert(pve_client *c, const char *node);

int pve_users_list(pve_client *c, json_t **out);
int pve_user_get(pve_client *c, const char *userid, json_t **out);
/* password and comment may be NULL */
int pve_user_create(pve_client *c, const char *userid, const char *password, const char *comment);
/* The same with `expire` (Unix seconds at which the account stops working; 0 = never). */
int pve_user_create_expiring(pve_client *c, const char *userid, const char *password,
                             const char *comment, long long expire);
/* PUT /access/users/{userid}: comment (NULL: unchanged) and expire (< 0: unchanged, 0: never).
 * Passwords are not changed here (PVE has PUT /access/password for that). */
int pve_user_update(pve_client *c, const char *userid, const char *comment, long long expire);
int pve_user_delete(pve_client *c, const char *userid);
/* GET /access/roles: [{roleid, privs: "A,B,...", special: 0|1}, ...]. */
int pve_roles_list(pve_client *c, json_t **out);
/* GET /access/roles/{roleid}: {"VM.Audit": 1, ...}; a missing role fails with PVE_ERR_NOT_FOUND. */
int pve_role_get(pve_client *c, const char *roleid, json_t **out);
/* POST /access/roles {roleid, privs} (privs: "A,B,C"). PVE roles take no comment, so a role
 * cannot carry a mark. */
int pve_role_create(pve_client *c, const char *roleid, const char *privs);
/* PUT /access/roles/{roleid} {privs, append}: append=1 adds privs to the role's, 0 replaces them.
 */
int pve_role_update(pve_client *c, const char *roleid, const char *privs, int append);
int pve_acl_list(pve_client *c, json_t **out);
/* PUT /access/acl for one user (or API token, "user@realm!id") and one role; del=1 removes it. */
int pve_acl_set(pve_client *c, const char *path, const char *role, const char *userid,
                int propagate, int del);
int pve_pools_list(pve_client *c, json_t **out);
/* The pool object ({"poolid"?, "comment"?, "members": [...]}); nested ids "a/b" supported. */
int pve_pool_get(pve_client *c, const char *poolid, json_t **out);
int pve_pool_create(pve_client *c, const char *poolid,
                    const char *comment); /* comment may be NULL */
int pve_pool_delete(pve_client *c, const char *poolid);
/* PUT /pools/{poolid} comment=... (the same form on PVE 7.4, 8.x and 9.x). */
int pve_pool_set_comment(pve_client *c, const char *poolid, const char *comment);
int pve_storage_list(pve_client *c, const char *node, json_t **out); /* GET /nodes/{node}/storage */
int pve_node_status(pve_client *c, const char *node, json_t **out);

#endif
