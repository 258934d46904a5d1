/* pve_api: typed Proxmox VE API calls (VMs, snapshots, network, users, roles, ACLs, pools, nodes).
 * Builds parameters, checks answer shapes, phrases errors as "<action> failed: <PVE's reason>". */
#include "pve/pve_api.h"

#include "pve/pve_error.h"
#include "pve/pve_task.h"
#include "util/err.h"
#include "util/i18n.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_MAX_LEN 512
#define WHAT_MAX_LEN 320

static void fmt(char *buf, size_t len, const char *f, ...) __attribute__((format(printf, 3, 4)));
static void fmt(char *buf, size_t len, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, len, f, ap);
    va_end(ap);
}

/* Runs one call; on success moves "data" into *data (may be NULL) and the whole body into *body.
 * On failure sets ds_err "<what> failed: <status> <message> (...)" with the answer's class
 * (pve_err_last) and leaves outputs NULL. */
static int api_call(pve_client *c, const char *what, const char *method, const char *path,
                    const json_t *params, json_t **data, json_t **body)
{
    struct pve_response r = {0};
    if (data)
        *data = NULL;
    int rc = pve_call_full(c, method, path, params, &r, body);
    if (rc < 0) {
        if (r.status == 0 && !r.message) {
            ds_err_wrap(_("%s failed"), what); /* refused before sending */
        } else {
            char d[1536];
            ds_err_set(_("%s failed: %s"), what, pve_response_describe(&r, d, sizeof d));
            pve_err_set_class(r.err_class);
        }
        if (body) {
            json_decref(*body);
            *body = NULL;
        }
    } else if (data) {
        *data = r.data;
        r.data = NULL;
    }
    pve_response_clear(&r);
    return rc;
}

/* A call whose answer must be of a JSON type checked by `ok`. */
static int api_get(pve_client *c, const char *what, const char *path, const json_t *params,
                   int (*ok)(const json_t *), const char *shape, json_t **out)
{
    json_t *d = NULL;
    *out = NULL;
    if (api_call(c, what, "GET", path, params, &d, NULL) < 0)
        return -1;
    if (!ok(d)) {
        json_decref(d);
        return ds_err_set(_("%s failed: the answer is not %s"), what, shape);
    }
    *out = d;
    return 0;
}

static int is_array(const json_t *j)
{
    return json_is_array(j);
}

static int is_object(const json_t *j)
{
    return json_is_object(j);
}

/* Starts an async call and returns its UPID (malloc'd) in *upid. */
static int api_async(pve_client *c, const char *what, const char *method, const char *path,
                     const json_t *params, char **upid)
{
    json_t *d = NULL;
    *upid = NULL;
    if (api_call(c, what, method, path, params, &d, NULL) < 0)
        return -1;
    const char *s = json_string_value(d);
    if (!s || pve_upid_parse(s, NULL) < 0) {
        json_decref(d);
        return ds_err_set(_("%s failed: the answer is not a task id (UPID)"), what);
    }
    *upid = strdup(s);
    json_decref(d);
    if (!*upid)
        return ds_err_set(_("out of memory"));
    return 0;
}

static int api_async_wait(pve_client *c, const char *what, const char *method, const char *path,
                          const json_t *params, int timeout_s)
{
    char *upid = NULL;
    if (api_async(c, what, method, path, params, &upid) < 0)
        return -1;
    int rc = pve_task_wait(c, upid, timeout_s, what);
    free(upid);
    return rc;
}

/* api_async_wait with a parameter object it takes over (NULL: out of memory, reported). */
static int api_async_take(pve_client *c, const char *what, const char *method, const char *path,
                          json_t *params, int timeout_s)
{
    if (!params)
        return ds_err_set(_("out of memory"));
    int rc = api_async_wait(c, what, method, path, params, timeout_s);
    json_decref(params);
    return rc;
}

static json_t *obj_or_oom(void)
{
    json_t *o = json_object();
    if (!o)
        ds_err_set(_("out of memory"));
    return o;
}

/* Sets k to string v when v is non-NULL. 0 or -1 (out of memory). */
static int set_str(json_t *o, const char *k, const char *v)
{
    if (!v)
        return 0;
    return json_object_set_new(o, k, json_string(v)) < 0 ? ds_err_set(_("out of memory")) : 0;
}

static int set_int(json_t *o, const char *k, json_int_t v)
{
    return json_object_set_new(o, k, json_integer(v)) < 0 ? ds_err_set(_("out of memory")) : 0;
}

static int set_bool(json_t *o, const char *k, int v)
{
    return json_object_set_new(o, k, json_boolean(v)) < 0 ? ds_err_set(_("out of memory")) : 0;
}

/* ---- cluster and nodes ---------------------------------------------------------------- */

int pve_version_get(pve_client *c, json_t **out)
{
    return api_get(c, _("reading the PVE version"), "/version", NULL, is_object, _("an object"),
                   out);
}

int pve_nodes_list(pve_client *c, json_t **out)
{
    return api_get(c, _("listing nodes"), "/nodes", NULL, is_array, _("a list"), out);
}

int pve_cluster_resources(pve_client *c, const char *type, json_t **out)
{
    json_t *p = obj_or_oom();
    if (!p || set_str(p, "type", type) < 0) {
        json_decref(p);
        *out = NULL;
        return -1;
    }
    char what[WHAT_MAX_LEN];
    if (type)
        fmt(what, sizeof what, _("listing cluster resources of type %s"), type);
    else
        fmt(what, sizeof what, "%s", _("listing cluster resources"));
    int rc = api_get(c, what, "/cluster/resources", p, is_array, _("a list"), out);
    json_decref(p);
    return rc;
}

int pve_cluster_nextid(pve_client *c, int *vmid)
{
    const char *what = "getting the next free VM ID";
    json_t *d = NULL;
    *vmid = 0;
    if (api_call(c, what, "GET", "/cluster/nextid", NULL, &d, NULL) < 0)
        return -1;
    /* PVE answers a string ("100"); accept an integer too */
    long long v = -1;
    if (json_is_integer(d)) {
        v = json_integer_value(d);
    } else if (json_is_string(d)) {
        char *end = NULL;
        const char *s = json_string_value(d);
        v = strtoll(s, &end, 10);
        if (end == s || *end)
            v = -1;
    }
    json_decref(d);
    if (v < 100 || v > 999999999)
        return ds_err_set(_("%s failed: the answer is not a VM ID"), what);
    *vmid = (int)v;
    return 0;
}

int pve_cluster_vmid_free(pve_client *c, int vmid)
{
    json_t *params = json_pack("{s:i}", "vmid", vmid);
    int rc = api_call(c, _("checking that the VM ID is free"), "GET", "/cluster/nextid", params,
                      NULL, NULL);
    json_decref(params);
    if (rc == 0)
        return 1;
    enum pve_err_class cls = pve_err_last();
    if (cls == PVE_ERR_EXISTS || cls == PVE_ERR_INPUT) {
        ds_err_clear();
        return 0;
    }
    return -1;
}

int pve_permissions_get(pve_client *c, json_t **out)
{
    return api_get(c, _("reading the permissions"), "/access/permissions", NULL, is_object,
                   _("an object"), out);
}

int pve_node_status(pve_client *c, const char *node, json_t **out)
{
    char path[PATH_MAX_LEN], what[WHAT_MAX_LEN];
    fmt(path, sizeof path, "/nodes/%s/status", node);
    fmt(what, sizeof what, _("reading the status of node %s"), node);
    return api_get(c, what, path, NULL, is_object, _("an object"), out);
}

int pve_storage_list(pve_client *c, const char *node, json_t **out)
{
    char path[PATH_MAX_LEN], what[WHAT_MAX_LEN];
    fmt(path, sizeof path, "/nodes/%s/storage", node);
    fmt(what, sizeof what, _("listing the storages of node %s"), node);
    return api_get(c, what, path, NULL, is_array, _("a list"), out);
}

/* ---- VMs ------------------------------------------------------------------------------ */

int pve_vm_config_get(pve_client *c, const char *node, int vmid, json_t **out)
{
    char path[PATH_MAX_LEN], what[WHAT_MAX_LEN];
    fmt(path, sizeof path, "/nodes/%s/qemu/%d/config", node, vmid);
    fmt(what, sizeof what, _("reading the config of VM %d on %s"), vmid, node);
    return api_get(c, what, path, NULL, is_object, _("an object"), out);
}

int pve_vm_config_set(pve_client *c, const char *node, int vmid, const json_t *params)
{
    char path[PATH_MAX_LEN], what[WHAT_MAX_LEN];
    fmt(path, sizeof path, "/nodes/%s/qemu/%d/config", node, vmid);
    fmt(what, sizeof what, _("changing the config of VM %d on %s"), vmid, node);
    return api_call(c, what, "PUT", path, params, NULL, NULL);
}

static void clone_what(char *what, size_t len, const char *node, int vmid, int newid)
{
    fmt(what, len, _("clone of template %d on %s to VM %d"), vmid, node, newid);
}

static int clone_start(pve_client *c, const char *what, const char *node, int vmid, int newid,
                       const struct pve_clone_opts *o, char **upid)
{
    char path[PATH_MAX_LEN];
    fmt(path, sizeof path, "/nodes/%s/qemu/%d/clone", node, vmid);
    json_t *p = obj_or_oom();
    int bad = !p || set_int(p, "newid", newid) < 0;
    if (!bad && o) {
        bad = set_str(p, "name", o->name) < 0 || set_str(p, "pool", o->pool) < 0 ||
              set_str(p, "description", o->description) < 0 || set_bool(p, "full", o->full) < 0 ||
              set_str(p, "target", o->target) < 0 || set_str(p, "storage", o->storage) < 0;
    }
    if (bad) {
        json_decref(p);
        *upid = NULL;
        return -1;
    }
    int rc = api_async(c, what, "POST", path, p, upid);
    json_decref(p);
    return rc;
}

int pve_vm_clone(pve_client *c, const char *node, int vmid, int newid,
                 const struct pve_clone_opts *o, char **upid)
{
    char what[WHAT_MAX_LEN];
    clone_what(what, sizeof what, node, vmid, newid);
    return clone_start(c, what, node, vmid, newid, o, upid);
}

int pve_vm_clone_wait(pve_client *c, const char *node, int vmid, int newid,
                      const struct pve_clone_opts *o, int timeout_s)
{
    char what[WHAT_MAX_LEN];
    clone_what(what, sizeof what, node, vmid, newid);
    char *upid = NULL;
    if (clone_start(c, what, node, vmid, newid, o, &upid) < 0)
        return -1;
    int rc = pve_task_wait(c, upid, timeout_s, what);
    free(upid);
    return rc;
}

int pve_vm_template_wait(pve_client *c, const char *node, int vmid, int timeout_s)
{
    char path[PATH_MAX_LEN], what[WHAT_MAX_LEN];
    fmt(path, sizeof path, "/nodes/%s/qemu/%d/template", node, vmid);
    fmt(what, sizeof what, _("conversion of VM %d on %s to a template"), vmid, node);
    return api_async_wait(c, what, "POST", path, NULL, timeout_s);
}

int pve_vm_migrate_wait(pve_client *c, const char *node, int vmid, const char *target,
                        int timeout_s)
{
    char path[PATH_MAX_LEN], what[WHAT_MAX_LEN];
    fmt(path, sizeof path, "/nodes/%s/qemu/%d/migrate", node, vmid);
    fmt(what, sizeof what, _("migration of VM %d from %s to %s"), vmid, node, target);
    return api_async_take(c, what, "POST", path, json_pack("{s:s}", "target", target), timeout_s);
}

int pve_vm_status(pve_client *c, const char *node, int vmid, json_t **out)
{
    char path[PATH_MAX_LEN], what[WHAT_MAX_LEN];
    fmt(path, sizeof path, "/nodes/%s/qemu/%d/status/current", node, vmid);
    fmt(what, sizeof what, _("reading the status of VM %d on %s"), vmid, node);
    return api_get(c, what, path, NULL, is_object, _("an object"), out);
}

/* what_fmt: the action's name, "<noun> of VM %d on %s" (vmid, node), translated. params may be
 * NULL. Starts the task; *upid gets its UPID. */
static int vm_power_start(pve_client *c, const char *node, int vmid, const char *action,
                          const char *what_fmt, const json_t *params, char *what, char **upid)
{
    char path[PATH_MAX_LEN];
    fmt(path, sizeof path, "/nodes/%s/qemu/%d/status/%s", node, vmid, action);
    fmt(what, WHAT_MAX_LEN, what_fmt, vmid, node);
    return api_async(c, what, "POST", path, params, upid);
}

static int vm_power(pve_client *c, const char *node, int vmid, const char *action,
                    const char *what_fmt, const json_t *params, int timeout_s)
{
    char what[WHAT_MAX_LEN], *upid = NULL;
    if (vm_power_start(c, node, vmid, action, what_fmt, params, what, &upid) < 0)
        return -1;
    int rc = pve_task_wait(c, upid, timeout_s, what);
    free(upid);
    return rc;
}

int pve_vm_start_wait(pve_client *c, const char *node, int vmid, int timeout_s)
{
    return vm_power(c, node, vmid, "start", _("start of VM %d on %s"), NULL, timeout_s);
}

int pve_vm_stop_wait(pve_client *c, const char *node, int vmid, int timeout_s)
{
    return vm_power(c, node, vmid, "stop", _("stop of VM %d on %s"), NULL, timeout_s);
}

int pve_vm_shutdown_wait(pve_client *c, const char *node, int vmid, int timeout_s)
{
    return vm_power(c, node, vmid, "shutdown", _("shutdown of VM %d on %s"), NULL, timeout_s);
}

/* {"timeout": guest_timeout_s} when > 0, plus {"forceStop": 1} when force_stop; NULL on OOM. */
static json_t *guest_timeout_params(int guest_timeout_s, int force_stop)
{
    json_t *p = obj_or_oom();
    if (p && ((guest_timeout_s > 0 && set_int(p, "timeout", guest_timeout_s) < 0) ||
              (force_stop && set_bool(p, "forceStop", 1) < 0))) {
        json_decref(p);
        return NULL;
    }
    return p;
}

int pve_vm_shutdown_opts_wait(pve_client *c, const char *node, int vmid, int guest_timeout_s,
                              int force_stop, int timeout_s, int *task_ran)
{
    char what[WHAT_MAX_LEN], *upid = NULL;
    if (task_ran)
        *task_ran = 0;
    json_t *p = guest_timeout_params(guest_timeout_s, force_stop);
    if (!p)
        return -1;
    int rc =
        vm_power_start(c, node, vmid, "shutdown", _("shutdown of VM %d on %s"), p, what, &upid);
    json_decref(p);
    if (rc < 0)
        return -1;
    if (task_ran)
        *task_ran = 1;
    rc = pve_task_wait(c, upid, timeout_s, what);
    free(upid);
    return rc;
}

int pve_vm_reboot_wait(pve_client *c, const char *node, int vmid, int guest_timeout_s,
                       int timeout_s)
{
    json_t *p = guest_timeout_params(guest_timeout_s, 0);
    if (!p)
        return -1;
    int rc = vm_power(c, node, vmid, "reboot", _("reboot of VM %d on %s"), p, timeout_s);
    json_decref(p);
    return rc;
}

int pve_vm_destroy_wait(pve_client *c, const char *node, int vmid, int purge, int timeout_s)
{
    char path[PATH_MAX_LEN], what[WHAT_MAX_LEN];
    fmt(path, sizeof path, "/nodes/%s/qemu/%d", node, vmid);
    fmt(what, sizeof what, _("destruction of VM %d on %s"), vmid, node);
    json_t *p = purge ? json_pack("{s:b}", "purge", 1) : json_object();
    return api_async_take(c, what, "DELETE", path, p, timeout_s);
}

/* ---- snapshots ------------------------------------------------------------------------ */

int pve_vm_snapshot_list(pve_client *c, const char *node, int vmid, json_t **out)
{
    char path[PATH_MAX_LEN], what[WHAT_MAX_LEN];
    fmt(path, sizeof path, "/nodes/%s/qemu/%d/snapshot", node, vmid);
    fmt(what, sizeof what, _("listing the snapshots of VM %d on %s"), vmid, node);
    return api_get(c, what, path, NULL, is_array, _("a list"), out);
}

/* A snapshot task: method on .../snapshot[/{name}[/suffix]] with params (may be NULL). */
static int snap_task(pve_client *c, const char *what, const char *method, const char *node,
                     int vmid, const char *name, const char *suffix, const json_t *params,
                     int timeout_s)
{
    char path[PATH_MAX_LEN];
    if (name)
        fmt(path, sizeof path, "/nodes/%s/qemu/%d/snapshot/%s%s", node, vmid, name, suffix);
    else
        fmt(path, sizeof path, "/nodes/%s/qemu/%d/snapshot", node, vmid);
    return api_async_wait(c, what, method, path, params, timeout_s);
}

int pve_vm_snapshot_create_wait(pve_client *c, const char *node, int vmid, const char *name,
                                const char *description, int timeout_s)
{
    char what[WHAT_MAX_LEN];
    fmt(what, sizeof what, _("snapshot '%s' of VM %d on %s"), name, vmid, node);
    json_t *p = obj_or_oom();
    if (!p || set_str(p, "snapname", name) < 0 || set_str(p, "description", description) < 0) {
        json_decref(p);
        return -1;
    }
    int rc = snap_task(c, what, "POST", node, vmid, NULL, "", p, timeout_s);
    json_decref(p);
    return rc;
}

int pve_vm_snapshot_rollback_wait(pve_client *c, const char *node, int vmid, const char *name,
                                  int start, int timeout_s)
{
    char what[WHAT_MAX_LEN];
    fmt(what, sizeof what, _("rollback of VM %d on %s to snapshot '%s'"), vmid, node, name);
    json_t *p = obj_or_oom();
    if (!p || (start && set_bool(p, "start", 1) < 0)) {
        json_decref(p);
        return -1;
    }
    int rc = snap_task(c, what, "POST", node, vmid, name, "/rollback", p, timeout_s);
    json_decref(p);
    return rc;
}

int pve_vm_snapshot_delete_wait(pve_client *c, const char *node, int vmid, const char *name,
                                int timeout_s)
{
    char what[WHAT_MAX_LEN];
    fmt(what, sizeof what, _("deletion of snapshot '%s' of VM %d on %s"), name, vmid, node);
    return snap_task(c, what, "DELETE", node, vmid, name, "", NULL, timeout_s);
}

/* ---- host network --------------------------------------------------------------------- */

int pve_net_list(pve_client *c, const char *node, json_t **ifaces, char **changes)
{
    char path[PATH_MAX_LEN], what[WHAT_MAX_LEN];
    fmt(path, sizeof path, "/nodes/%s/network", node);
    fmt(what, sizeof what, _("listing the network interfaces of %s"), node);
    json_t *d = NULL, *body = NULL;
    *ifaces = NULL;
    if (changes)
        *changes = NULL;
    if (api_call(c, what, "GET", path, NULL, &d, &body) < 0)
        return -1;
    if (!json_is_array(d)) {
        json_decref(d);
        json_decref(body);
        return ds_err_set(_("%s failed: the answer is not a list"), what);
    }
    const char *ch = json_string_value(json_object_get(body, "changes"));
    if (changes && ch && ch[0]) {
        *changes = strdup(ch);
        if (!*changes) {
            json_decref(d);
            json_decref(body);
            return ds_err_set(_("out of memory"));
        }
    }
    json_decref(body);
    *ifaces = d;
    return 0;
}

int pve_net_bridge_create(pve_client *c, const char *node, const char *iface,
                          const struct pve_bridge_opts *o)
{
    char path[PATH_MAX_LEN], what[WHAT_MAX_LEN];
    fmt(path, sizeof path, "/nodes/%s/network", node);
    fmt(what, sizeof what, _("creation of bridge %s on %s"), iface, node);
    json_t *p = obj_or_oom();
    int bad = !p || set_str(p, "iface", iface) < 0 || set_str(p, "type", "bridge") < 0;
    if (!bad && o) {
        bad = (o->vlan_aware && set_bool(p, "bridge_vlan_aware", 1) < 0) ||
              set_str(p, "comments", o->comments) < 0 || set_bool(p, "autostart", o->autostart) < 0;
    }
    if (bad) {
        json_decref(p);
        return -1;
    }
    int rc = api_call(c, what, "POST", path, p, NULL, NULL);
    json_decref(p);
    return rc;
}

int pve_net_iface_delete(pve_client *c, const char *node, const char *iface)
{
    char path[PATH_MAX_LEN], what[WHAT_MAX_LEN];
    fmt(path, sizeof path, "/nodes/%s/network/%s", node, iface);
    fmt(what, sizeof what, _("deletion of interface %s on %s"), iface, node);
    return api_call(c, what, "DELETE", path, NULL, NULL, NULL);
}

int pve_net_apply_wait(pve_client *c, const char *node, int timeout_s)
{
    char path[PATH_MAX_LEN], what[WHAT_MAX_LEN];
    fmt(path, sizeof path, "/nodes/%s/network", node);
    fmt(what, sizeof what, _("applying the network configuration of %s"), node);
    return api_async_wait(c, what, "PUT", path, NULL, timeout_s);
}

int pve_net_revert(pve_client *c, const char *node)
{
    char path[PATH_MAX_LEN], what[WHAT_MAX_LEN];
    fmt(path, sizeof path, "/nodes/%s/network", node);
    fmt(what, sizeof what, _("reverting the pending network changes of %s"), node);
    return api_call(c, what, "DELETE", path, NULL, NULL, NULL);
}

/* ---- users and ACLs ------------------------------------------------------------------- */

int pve_users_list(pve_client *c, json_t **out)
{
    return api_get(c, _("listing users"), "/access/users", NULL, is_array, _("a list"), out);
}

int pve_user_get(pve_client *c, const char *userid, json_t **out)
{
    char path[PATH_MAX_LEN], what[WHAT_MAX_LEN];
    fmt(path, sizeof path, "/access/users/%s", userid);
    fmt(what, sizeof what, _("reading user %s"), userid);
    return api_get(c, what, path, NULL, is_object, _("an object"), out);
}

/* POST /access/users (create) or PUT /access/users/{userid} (update): the fields given. */
static int user_write(pve_client *c, const char *userid, const char *password, const char *comment,
                      long long expire, int create)
{
    char path[PATH_MAX_LEN], what[WHAT_MAX_LEN];
    fmt(what, sizeof what, create ? _("creation of user %s") : _("update of user %s"), userid);
    fmt(path, sizeof path, "/access/users/%s", userid);
    json_t *p = obj_or_oom();
    if (!p || (create && set_str(p, "userid", userid) < 0) ||
        set_str(p, "password", password) < 0 || set_str(p, "comment", comment) < 0 ||
        (expire >= 0 && set_int(p, "expire", expire) < 0)) {
        json_decref(p);
        return -1;
    }
    int rc =
        api_call(c, what, create ? "POST" : "PUT", create ? "/access/users" : path, p, NULL, NULL);
    json_decref(p);
    return rc;
}

int pve_user_create(pve_client *c, const char *userid, const char *password, const char *comment)
{
    return user_write(c, userid, password, comment, -1, 1);
}

int pve_user_create_expiring(pve_client *c, const char *userid, const char *password,
                             const char *comment, long long expire)
{
    return user_write(c, userid, password, comment, expire, 1);
}

int pve_user_update(pve_client *c, const char *userid, const char *comment, long long expire)
{
    return user_write(c, userid, NULL, comment, expire, 0);
}

int pve_user_delete(pve_client *c, const char *userid)
{
    char path[PATH_MAX_LEN], what[WHAT_MAX_LEN];
    fmt(path, sizeof path, "/access/users/%s", userid);
    fmt(what, sizeof what, _("deletion of user %s"), userid);
    return api_call(c, what, "DELETE", path, NULL, NULL, NULL);
}

int pve_acl_list(pve_client *c, json_t **out)
{
    return api_get(c, _("listing ACLs"), "/access/acl", NULL, is_array, _("a list"), out);
}

int pve_acl_set(pve_client *c, const char *path, const char *role, const char *userid,
                int propagate, int del)
{
    char what[WHAT_MAX_LEN];
    if (del)
        fmt(what, sizeof what, _("removal of role %s for %s on %s"), role, userid, path);
    else
        fmt(what, sizeof what, _("granting role %s to %s on %s"), role, userid, path);
    json_t *p = obj_or_oom();
    const char *who = strchr(userid, '!') ? "tokens" : "users";
    if (!p || set_str(p, "path", path) < 0 || set_str(p, "roles", role) < 0 ||
        set_str(p, who, userid) < 0 || set_bool(p, "propagate", propagate) < 0 ||
        (del && set_bool(p, "delete", 1) < 0)) {
        json_decref(p);
        return -1;
    }
    int rc = api_call(c, what, "PUT", "/access/acl", p, NULL, NULL);
    json_decref(p);
    return rc;
}

/* ---- roles ---------------------------------------------------------------------------- */

int pve_roles_list(pve_client *c, json_t **out)
{
    return api_get(c, _("listing roles"), "/access/roles", NULL, is_array, _("a list"), out);
}

int pve_role_get(pve_client *c, const char *roleid, json_t **out)
{
    char path[PATH_MAX_LEN], what[WHAT_MAX_LEN];
    fmt(path, sizeof path, "/access/roles/%s", roleid);
    fmt(what, sizeof what, _("reading role %s"), roleid);
    return api_get(c, what, path, NULL, is_object, _("an object"), out);
}

/* POST /access/roles (create) or PUT /access/roles/{roleid} (update, append or replace). */
static int role_write(pve_client *c, const char *roleid, const char *privs, int create, int append)
{
    char path[PATH_MAX_LEN], what[WHAT_MAX_LEN];
    fmt(what, sizeof what, create ? _("creation of role %s") : _("update of role %s"), roleid);
    fmt(path, sizeof path, "/access/roles/%s", roleid);
    json_t *p = obj_or_oom();
    if (!p || (create && set_str(p, "roleid", roleid) < 0) || set_str(p, "privs", privs) < 0 ||
        (append && set_bool(p, "append", 1) < 0)) {
        json_decref(p);
        return -1;
    }
    int rc =
        api_call(c, what, create ? "POST" : "PUT", create ? "/access/roles" : path, p, NULL, NULL);
    json_decref(p);
    return rc;
}

int pve_role_create(pve_client *c, const char *roleid, const char *privs)
{
    return role_write(c, roleid, privs, 1, 0);
}

int pve_role_update(pve_client *c, const char *roleid, const char *privs, int append)
{
    return role_write(c, roleid, privs, 0, append);
}

/* ---- pools ---------------------------------------------------------------------------- */

int pve_pools_list(pve_client *c, json_t **out)
{
    return api_get(c, _("listing pools"), "/pools", NULL, is_array, _("a list"), out);
}

int pve_pool_get(pve_client *c, const char *poolid, json_t **out)
{
    char path[PATH_MAX_LEN], what[WHAT_MAX_LEN];
    fmt(what, sizeof what, _("reading pool %s"), poolid);
    *out = NULL;
    if (!strchr(poolid, '/')) {
        fmt(path, sizeof path, "/pools/%s", poolid);
        return api_get(c, what, path, NULL, is_object, _("an object"), out);
    }
    /* nested pools only through the PVE >= 8.1 form: GET /pools?poolid= */
    json_t *p = obj_or_oom();
    if (!p || set_str(p, "poolid", poolid) < 0) {
        json_decref(p);
        return -1;
    }
    json_t *list = NULL;
    int rc = api_get(c, what, "/pools", p, is_array, _("a list"), &list);
    json_decref(p);
    if (rc < 0)
        return -1;
    size_t i;
    json_t *it;
    json_array_foreach(list, i, it)
    {
        const char *id = json_string_value(json_object_get(it, "poolid"));
        if (id && strcmp(id, poolid) == 0 && json_is_object(it)) {
            *out = json_incref(it);
            break;
        }
    }
    json_decref(list);
    if (!*out) {
        ds_err_set(_("%s failed: pool '%s' does not exist"), what, poolid);
        return pve_err_set_class(PVE_ERR_NOT_FOUND);
    }
    return 0;
}

int pve_pool_create(pve_client *c, const char *poolid, const char *comment)
{
    char what[WHAT_MAX_LEN];
    fmt(what, sizeof what, _("creation of pool %s"), poolid);
    json_t *p = obj_or_oom();
    if (!p || set_str(p, "poolid", poolid) < 0 || set_str(p, "comment", comment) < 0) {
        json_decref(p);
        return -1;
    }
    int rc = api_call(c, what, "POST", "/pools", p, NULL, NULL);
    json_decref(p);
    return rc;
}

int pve_pool_set_comment(pve_client *c, const char *poolid, const char *comment)
{
    char path[PATH_MAX_LEN], what[WHAT_MAX_LEN];
    fmt(what, sizeof what, _("update of pool %s"), poolid);
    fmt(path, sizeof path, "/pools/%s", poolid);
    json_t *p = obj_or_oom();
    if (!p || set_str(p, "comment", comment) < 0) {
        json_decref(p);
        return -1;
    }
    int rc = api_call(c, what, "PUT", path, p, NULL, NULL);
    json_decref(p);
    return rc;
}

int pve_pool_delete(pve_client *c, const char *poolid)
{
    char path[PATH_MAX_LEN], what[WHAT_MAX_LEN];
    fmt(what, sizeof what, _("deletion of pool %s"), poolid);
    if (!strchr(poolid, '/')) {
        fmt(path, sizeof path, "/pools/%s", poolid);
        return api_call(c, what, "DELETE", path, NULL, NULL, NULL);
    }
    json_t *p = obj_or_oom();
    if (!p || set_str(p, "poolid", poolid) < 0) {
        json_decref(p);
        return -1;
    }
    int rc = api_call(c, what, "DELETE", "/pools", p, NULL, NULL);
    json_decref(p);
    return rc;
}
