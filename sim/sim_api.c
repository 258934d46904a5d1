/* sim_api: helpers that fill PVE-shaped answers (data, errors, messages) into a request record,
 * parameter accessors, permission helpers, and the {node}/{vmid} lookups shared by handlers. */
#include "sim_api.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *sim_p_str(const struct sim_req *r, const char *key)
{
    return json_string_value(json_object_get(r->params, key));
}

long long sim_p_int(const struct sim_req *r, const char *key, long long dflt)
{
    json_t *v = json_object_get(r->params, key);
    if (json_is_integer(v))
        return json_integer_value(v);
    if (json_is_real(v))
        return (long long)json_real_value(v);
    if (json_is_string(v))
        return strtoll(json_string_value(v), NULL, 10);
    if (json_is_boolean(v))
        return json_is_true(v);
    return dflt;
}

int sim_p_has(const struct sim_req *r, const char *key)
{
    json_t *v = json_object_get(r->params, key);
    return v && !json_is_null(v);
}

int sim_ok(struct sim_req *r, json_t *data)
{
    r->status = 200;
    json_decref(r->data);
    r->data = data;
    return 0;
}

static int vfail(struct sim_req *r, int status, const char *fmt, va_list ap)
{
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    free(r->message);
    r->message = msg;
    r->status = status;
    json_decref(r->data);
    r->data = NULL;
    return -1;
}

int sim_fail(struct sim_req *r, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(r, status, fmt, ap);
    va_end(ap);
    return -1;
}

int sim_param_fail(struct sim_req *r, const char *param, const char *fmt, ...)
{
    char *msg = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    if (!r->errors)
        r->errors = json_object();
    json_object_set_new(r->errors, param, json_string(msg ? msg : "?"));
    free(msg);
    return sim_fail(r, 400, "Parameter verification failed.");
}

int sim_perm_fail(struct sim_req *r, const char *path, const char *privs)
{
    if (path && privs)
        return sim_fail(r, 403, "Permission check failed (%s, %s)", path, privs);
    return sim_fail(r, 403, "Permission check failed");
}

int sim_req_allowed(const struct sim_req *r, const char *path, const char *priv)
{
    return sim_has_priv(r->model, &r->who, path, priv);
}

int sim_req_vm_allowed(const struct sim_req *r, const struct sim_vm *vm, const char *privs_any)
{
    char path[64];
    snprintf(path, sizeof path, "/vms/%u", vm->vmid);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", privs_any);
    char *save = NULL;
    for (char *p = strtok_r(buf, "|", &save); p; p = strtok_r(NULL, "|", &save))
        if (sim_has_priv(r->model, &r->who, path, p))
            return 1;
    return 0;
}

const char *sim_req_task_user(const struct sim_req *r)
{
    static __thread char buf[200];
    if (r->who.tokenid[0]) {
        snprintf(buf, sizeof buf, "%s!%s", r->who.userid, r->who.tokenid);
        return buf;
    }
    return r->who.userid;
}

struct sim_node *sim_req_node(struct sim_req *r)
{
    const char *name = sim_p_str(r, "node");
    struct sim_node *n = name ? sim_model_node(r->model, name) : NULL;
    if (!n) {
        sim_fail(r, 500,
                 "hostname lookup '%s' failed - failed to get address info for: %s: Name or "
                 "service not known",
                 name ? name : "", name ? name : "");
        return NULL;
    }
    if (!n->online) {
        sim_fail(r, 595, "No route to host");
        return NULL;
    }
    return n;
}

struct sim_vm *sim_req_vm(struct sim_req *r)
{
    struct sim_node *n = sim_req_node(r);
    if (!n)
        return NULL;
    unsigned vmid = (unsigned)sim_p_int(r, "vmid", 0);
    struct sim_vm *vm = sim_model_vm(r->model, vmid);
    if (!vm || strcmp(vm->node, n->name) != 0) {
        sim_fail(r, 500, "Configuration file 'nodes/%s/qemu-server/%u.conf' does not exist",
                 n->name, vmid);
        return NULL;
    }
    return vm;
}
