/* sim_cluster: cluster-wide and node endpoints: /cluster/resources|nextid|status, /nodes,
 * node status, storage (config, per-node list and status), tasks (status, log, list) and /version.
 */
#include "sim_api.h"
#include "sim_tasks.h"
#include "sim_version.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long long node_mem(const struct sim_model *m, const struct sim_node *n)
{
    long long mem = n->mem;
    for (size_t i = 0; i < m->n_vms; i++)
        if (m->vms[i]->running && strcmp(m->vms[i]->node, n->name) == 0)
            mem += sim_vm_maxmem(m->vms[i]);
    return mem;
}

static double node_cpu(const struct sim_model *m, const struct sim_node *n)
{
    double cpu = n->cpu + (double)n->running * 0.05;
    for (size_t i = 0; i < m->n_vms; i++)
        if (m->vms[i]->running && strcmp(m->vms[i]->node, n->name) == 0)
            cpu += 0.01;
    return cpu > 1 ? 1 : cpu;
}

static json_t *node_entry(const struct sim_model *m, const struct sim_node *n)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "node", n->name, "status",
                          n->online ? "online" : "offline", "type", "node", "level", "");
    char id[96];
    snprintf(id, sizeof id, "node/%s", n->name);
    json_object_set_new(o, "id", json_string(id));
    if (n->online) {
        json_object_set_new(o, "cpu", json_real(node_cpu(m, n)));
        json_object_set_new(o, "maxcpu", json_integer(n->maxcpu));
        json_object_set_new(o, "mem", json_integer(node_mem(m, n)));
        json_object_set_new(o, "maxmem", json_integer(n->maxmem));
        json_object_set_new(o, "disk", json_integer(8LL << 30));
        json_object_set_new(o, "maxdisk", json_integer(100LL << 30));
        json_object_set_new(o, "uptime", json_integer(86400 * 12));
    }
    return o;
}

static json_t *storage_entry(const struct sim_storage *s, const char *node, int cluster)
{
    json_t *o = json_pack("{s:s, s:s, s:i, s:s}", "storage", s->id, "type", s->type, "shared",
                          s->shared, "content", s->content);
    if (cluster) {
        char id[160];
        snprintf(id, sizeof id, "storage/%s/%s", node, s->id);
        json_object_set_new(o, "id", json_string(id));
        json_object_set_new(o, "node", json_string(node));
        json_object_set_new(o, "status", json_string("available"));
        json_object_set_new(o, "plugintype", json_string(s->type));
        json_object_set_new(o, "disk", json_integer(s->used));
        json_object_set_new(o, "maxdisk", json_integer(s->total));
        json_object_del(o, "type");
        json_object_set_new(o, "type", json_string("storage"));
    } else {
        json_object_set_new(o, "active", json_integer(1));
        json_object_set_new(o, "enabled", json_integer(1));
        json_object_set_new(o, "total", json_integer(s->total));
        json_object_set_new(o, "used", json_integer(s->used));
        json_object_set_new(o, "avail", json_integer(s->total - s->used));
        json_object_set_new(o, "used_fraction",
                            json_real(s->total ? (double)s->used / (double)s->total : 0));
    }
    return o;
}

static int storage_visible(const struct sim_req *r, const char *id)
{
    char path[128];
    snprintf(path, sizeof path, "/storage/%s", id);
    return sim_req_allowed(r, path, "Datastore.Audit") ||
           sim_req_allowed(r, path, "Datastore.AllocateSpace");
}

static int h_resources(struct sim_req *r)
{
    struct sim_model *m = r->model;
    const char *type = sim_p_str(r, "type");
    json_t *a = json_array();
    if (!type || strcmp(type, "vm") == 0) {
        for (size_t i = 0; i < m->n_vms; i++) {
            struct sim_vm *vm = m->vms[i];
            if (!sim_req_vm_allowed(r, vm, "VM.Audit"))
                continue;
            char id[32];
            snprintf(id, sizeof id, "qemu/%u", vm->vmid);
            const char *name = json_string_value(json_object_get(vm->config, "name"));
            json_t *o = json_pack(
                "{s:s, s:s, s:i, s:s, s:s, s:s, s:i, s:I, s:I, s:I, s:I, s:f, s:i, s:I}", "id", id,
                "type", "qemu", "vmid", (int)vm->vmid, "node", vm->node, "name", name ? name : "",
                "status", vm->running ? "running" : "stopped", "template", sim_vm_is_template(vm),
                "maxmem", (json_int_t)sim_vm_maxmem(vm), "mem",
                (json_int_t)(vm->running ? sim_vm_maxmem(vm) / 2 : 0), "maxdisk",
                (json_int_t)sim_vm_maxdisk(vm), "disk", (json_int_t)0, "cpu",
                vm->running ? 0.01 : 0.0, "maxcpu", sim_vm_cpus(vm), "uptime",
                (json_int_t)sim_vm_uptime(m, vm));
            if (vm->pool[0])
                json_object_set_new(o, "pool", json_string(vm->pool));
            if (sim_vm_lock(vm))
                json_object_set_new(o, "lock", json_string(sim_vm_lock(vm)));
            json_t *tags = json_object_get(vm->config, "tags");
            if (tags)
                json_object_set(o, "tags", tags);
            json_array_append_new(a, o);
        }
    }
    if (!type || strcmp(type, "node") == 0) {
        for (size_t i = 0; i < m->n_nodes; i++) {
            char path[96];
            snprintf(path, sizeof path, "/nodes/%s", m->nodes[i].name);
            if (sim_req_allowed(r, path, "Sys.Audit"))
                json_array_append_new(a, node_entry(m, &m->nodes[i]));
        }
    }
    if (!type || strcmp(type, "storage") == 0) {
        for (size_t i = 0; i < m->n_storages; i++) {
            if (!storage_visible(r, m->storages[i].id))
                continue;
            for (size_t n = 0; n < m->n_nodes; n++)
                if (sim_storage_on_node(&m->storages[i], m->nodes[n].name))
                    json_array_append_new(a, storage_entry(&m->storages[i], m->nodes[n].name, 1));
        }
    }
    if (!type) {
        const char *id;
        json_t *p;
        json_object_foreach(m->pools, id, p)
        {
            char path[200];
            snprintf(path, sizeof path, "/pool/%s", id);
            if (sim_req_allowed(r, path, "Pool.Audit"))
                json_array_append_new(
                    a, json_pack("{s:s, s:s, s:s}", "id", path, "type", "pool", "pool", id));
        }
    }
    return sim_ok(r, a);
}

static int h_nextid(struct sim_req *r)
{
    char buf[32];
    if (sim_p_has(r, "vmid")) {
        unsigned vmid = (unsigned)sim_p_int(r, "vmid", 0);
        if (sim_model_vm(r->model, vmid))
            return sim_param_fail(r, "vmid", "VM %u already exists", vmid);
        snprintf(buf, sizeof buf, "%u", vmid);
        return sim_ok(r, json_string(buf));
    }
    for (unsigned id = 100; id < 1000000; id++) {
        if (!sim_model_vm(r->model, id)) {
            snprintf(buf, sizeof buf, "%u", id);
            return sim_ok(r, json_string(buf));
        }
    }
    return sim_fail(r, 500, "unable to get any free VMID in range [100, 1000000]");
}

static int h_cluster_status(struct sim_req *r)
{
    struct sim_model *m = r->model;
    json_t *a = json_array();
    int online = 0;
    for (size_t i = 0; i < m->n_nodes; i++)
        online += m->nodes[i].online;
    json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:i, s:i, s:i}", "type", "cluster", "id",
                                       "cluster", "name", m->clustername, "nodes", (int)m->n_nodes,
                                       "quorate", online * 2 > (int)m->n_nodes ? 1 : 0, "version",
                                       (int)m->n_nodes + 1));
    for (size_t i = 0; i < m->n_nodes; i++) {
        char id[96], ip[32];
        snprintf(id, sizeof id, "node/%s", m->nodes[i].name);
        snprintf(ip, sizeof ip, "10.0.0.%zu", 11 + i);
        json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:i, s:i, s:i, s:s, s:s}", "type",
                                           "node", "id", id, "name", m->nodes[i].name, "online",
                                           m->nodes[i].online, "local", i == 0, "nodeid",
                                           (int)i + 1, "ip", ip, "level", ""));
    }
    return sim_ok(r, a);
}

static int h_cluster_index(struct sim_req *r)
{
    return sim_ok(r, json_pack("[{s:s}, {s:s}, {s:s}]", "name", "resources", "name", "nextid",
                               "name", "status"));
}

static int h_nodes(struct sim_req *r)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->model->n_nodes; i++) {
        json_t *o = node_entry(r->model, &r->model->nodes[i]);
        json_object_del(o, "id");
        json_object_del(o, "type");
        json_object_del(o, "disk");
        json_object_del(o, "maxdisk");
        json_object_set_new(o, "ssl_fingerprint", json_string(""));
        json_array_append_new(a, o);
    }
    return sim_ok(r, a);
}

static int h_node_index(struct sim_req *r)
{
    if (!sim_req_node(r))
        return -1;
    static const char *const subs[] = {"qemu", "network", "storage", "tasks", "status", NULL};
    json_t *a = json_array();
    for (int i = 0; subs[i]; i++)
        json_array_append_new(a, json_pack("{s:s}", "name", subs[i]));
    return sim_ok(r, a);
}

static int h_node_status(struct sim_req *r)
{
    struct sim_node *n = sim_req_node(r);
    if (!n)
        return -1;
    long long used = node_mem(r->model, n);
    double cpu = node_cpu(r->model, n);
    char load[3][16];
    for (int i = 0; i < 3; i++)
        snprintf(load[i], sizeof load[i], "%.2f", cpu * n->maxcpu * (1.0 - 0.1 * i));
    const struct sim_version *v = r->model->version;
    char pvever[96], kver[160];
    snprintf(pvever, sizeof pvever, "pve-manager/%s/%s", v->version, v->repoid);
    snprintf(kver, sizeof kver, "Linux %s %s", v->kernel, v->kbuild);
    json_t *o = json_pack(
        "{s:f, s:{s:s, s:i, s:i, s:i, s:s, s:s}, s:{s:I, s:I, s:I}, s:{s:I, s:I, s:I, s:I}, "
        "s:[s,s,s], s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:{s:s, s:i}, s:i, s:f, s:f}",
        "cpu", cpu, "cpuinfo", "model", "QEMU Virtual CPU (simulated)", "cpus", n->maxcpu,
        "sockets", 1, "cores", n->maxcpu, "mhz", "2400.000", "flags", "", "memory", "total",
        (json_int_t)n->maxmem, "used", (json_int_t)used, "free", (json_int_t)(n->maxmem - used),
        "rootfs", "total", (json_int_t)(100LL << 30), "used", (json_int_t)(8LL << 30), "free",
        (json_int_t)(92LL << 30), "avail", (json_int_t)(87LL << 30), "loadavg", load[0], load[1],
        load[2], "pveversion", pvever, "kversion", kver, "current-kernel", "sysname", "Linux",
        "release", v->kernel, "version", v->kbuild, "machine", "x86_64", "boot-info", "mode", "efi",
        "secureboot", 0, "uptime", 86400 * 12, "idle", 0.0, "wait", 0.0);
    if (!v->node_boot_info) { /* PVE 7 reports the kernel in kversion only */
        json_object_del(o, "current-kernel");
        json_object_del(o, "boot-info");
    }
    return sim_ok(r, o);
}

static int h_version(struct sim_req *r)
{
    const struct sim_version *v = r->model->version;
    return sim_ok(r, json_pack("{s:s, s:s, s:s}", "version", v->version, "release", v->release,
                               "repoid", v->repoid));
}

static int h_storage_config(struct sim_req *r)
{
    struct sim_model *m = r->model;
    const char *type = sim_p_str(r, "type");
    json_t *a = json_array();
    for (size_t i = 0; i < m->n_storages; i++) {
        struct sim_storage *s = &m->storages[i];
        if ((type && strcmp(type, s->type) != 0) || !storage_visible(r, s->id))
            continue;
        json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:s}", "storage", s->id, "type", s->type,
                              "content", s->content, "shared", s->shared, "digest",
                              "2f7d6a1c9e3b4d5a6f7e8d9c0b1a2f3e4d5c6b7a");
        if (s->nodes) {
            char buf[512] = "";
            size_t j;
            json_t *n;
            json_array_foreach(s->nodes, j, n)
            {
                if (j)
                    strncat(buf, ",", sizeof buf - strlen(buf) - 1);
                strncat(buf, json_string_value(n), sizeof buf - strlen(buf) - 1);
            }
            json_object_set_new(o, "nodes", json_string(buf));
        }
        if (s->format[0])
            json_object_set_new(o, "format", json_string(s->format));
        json_array_append_new(a, o);
    }
    return sim_ok(r, a);
}

static int h_storage_get(struct sim_req *r)
{
    struct sim_storage *s = sim_model_storage(r->model, sim_p_str(r, "storage"));
    if (!s)
        return sim_fail(r, 500, "storage '%s' does not exist", sim_p_str(r, "storage"));
    json_t *o = json_pack("{s:s, s:s, s:s, s:i}", "storage", s->id, "type", s->type, "content",
                          s->content, "shared", s->shared);
    if (s->format[0])
        json_object_set_new(o, "format", json_string(s->format));
    return sim_ok(r, o);
}

static int h_node_storage(struct sim_req *r)
{
    struct sim_node *n = sim_req_node(r);
    if (!n)
        return -1;
    struct sim_model *m = r->model;
    const char *only = sim_p_str(r, "storage");
    const char *content = sim_p_str(r, "content");
    json_t *a = json_array();
    for (size_t i = 0; i < m->n_storages; i++) {
        struct sim_storage *s = &m->storages[i];
        if (!sim_storage_on_node(s, n->name) || !storage_visible(r, s->id))
            continue;
        if (only && strcmp(only, s->id) != 0)
            continue;
        if (content && !strstr(s->content, content))
            continue;
        json_array_append_new(a, storage_entry(s, n->name, 0));
    }
    return sim_ok(r, a);
}

static int h_storage_status(struct sim_req *r)
{
    struct sim_node *n = sim_req_node(r);
    if (!n)
        return -1;
    struct sim_storage *s = sim_model_storage(r->model, sim_p_str(r, "storage"));
    if (!s || !sim_storage_on_node(s, n->name))
        return sim_fail(r, 500, "storage '%s' does not exist", sim_p_str(r, "storage"));
    return sim_ok(r, storage_entry(s, n->name, 0));
}

/* ---- tasks -------------------------------------------------------------------------------- */

/* PVE::Tools::upid_decode's pattern (pve-common). */
static int upid_parses(const char *upid)
{
    static const char re[] =
        "^UPID:[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?:[0-9A-Fa-f]{8}:[0-9A-Fa-f]{8,9}:"
        "[0-9A-Fa-f]{8}:[^:[:space:]/]+:[^:[:space:]/]*:[^:[:space:]/]+:$";
    regex_t rx;
    if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0)
        return 0;
    int ok = regexec(&rx, upid, 0, NULL, 0) == 0;
    regfree(&rx);
    return ok;
}

static struct sim_task *req_task(struct sim_req *r)
{
    struct sim_task *t = sim_task_find(r->model, sim_p_str(r, "upid"));
    if (!t) {
        if (!upid_parses(sim_p_str(r, "upid")))
            sim_param_fail(r, "upid", "unable to parse worker upid");
        else
            sim_param_fail(r, "upid", "no such task");
        return NULL;
    }
    char user[200];
    snprintf(user, sizeof user, "%s", sim_req_task_user(r));
    char path[96];
    snprintf(path, sizeof path, "/nodes/%s", t->node);
    if (strcmp(t->user, user) != 0 && strncmp(t->user, r->who.userid, strlen(r->who.userid)) != 0 &&
        !sim_req_allowed(r, path, "Sys.Audit")) {
        sim_perm_fail(r, path, "Sys.Audit");
        return NULL;
    }
    return t;
}

static int h_task_status(struct sim_req *r)
{
    if (!sim_req_node(r))
        return -1;
    struct sim_task *t = req_task(r);
    if (!t)
        return -1;
    return sim_ok(r, sim_task_json(r->model, t));
}

static int h_task_log(struct sim_req *r)
{
    if (!sim_req_node(r))
        return -1;
    struct sim_task *t = req_task(r);
    if (!t)
        return -1;
    long total = 0;
    json_t *a = sim_task_log_json(t, (long)sim_p_int(r, "start", 0),
                                  (long)sim_p_int(r, "limit", 50), &total);
    r->extra = json_pack("{s:I}", "total", (json_int_t)total);
    return sim_ok(r, a);
}

static int h_task_index(struct sim_req *r)
{
    if (!sim_req_node(r))
        return -1;
    if (!req_task(r))
        return -1;
    return sim_ok(r, json_pack("[{s:s}, {s:s}]", "name", "log", "name", "status"));
}

static int h_task_stop(struct sim_req *r)
{
    if (!sim_req_node(r))
        return -1;
    struct sim_task *t = req_task(r);
    if (!t)
        return -1;
    if (!t->done)
        sim_task_set_error(t, "unexpected status");
    /* finish at once: no more work */
    sim_task_stop(r->model, t, sim_model_now(r->model));
    return sim_ok(r, NULL);
}

static int h_tasks(struct sim_req *r)
{
    struct sim_node *n = sim_req_node(r);
    if (!n)
        return -1;
    struct sim_model *m = r->model;
    long limit = (long)sim_p_int(r, "limit", 50), start = (long)sim_p_int(r, "start", 0);
    const char *typefilter = sim_p_str(r, "typefilter");
    const char *vmid = sim_p_str(r, "vmid");
    char vmidbuf[32];
    if (!vmid && sim_p_has(r, "vmid")) {
        snprintf(vmidbuf, sizeof vmidbuf, "%lld", sim_p_int(r, "vmid", 0));
        vmid = vmidbuf;
    }
    int only_errors = (int)sim_p_int(r, "errors", 0);
    const char *source = sim_p_str(r, "source");
    json_t *a = json_array();
    long seen = 0, total = 0;
    for (size_t i = m->n_tasks; i-- > 0;) {
        struct sim_task *t = m->tasks[i];
        if (strcmp(t->node, n->name) != 0)
            continue;
        if (typefilter && strcmp(t->type, typefilter) != 0)
            continue;
        if (vmid && strcmp(t->id, vmid) != 0)
            continue;
        if (only_errors && (!t->done || t->ok))
            continue;
        if (source && strcmp(source, "active") == 0 && t->done)
            continue;
        if (source && strcmp(source, "archive") == 0 && !t->done)
            continue;
        total++;
        if (seen++ < start || (long)json_array_size(a) >= limit)
            continue;
        json_t *o = sim_task_json(m, t);
        json_object_del(o, "exitstatus");
        if (t->done)
            json_object_set_new(o, "endtime",
                                json_integer((json_int_t)sim_model_wall_s(m, t->end)));
        json_object_set_new(o, "status",
                            json_string(!t->done ? "RUNNING"
                                        : t->ok  ? "OK"
                                                 : t->error));
        json_array_append_new(a, o);
    }
    r->extra = json_pack("{s:I}", "total", (json_int_t)total);
    return sim_ok(r, a);
}

const struct sim_route sim_cluster_routes[] = {
    {"GET /cluster", h_cluster_index},
    {"GET /cluster/resources", h_resources},
    {"GET /cluster/nextid", h_nextid},
    {"GET /cluster/status", h_cluster_status},
    {"GET /nodes", h_nodes},
    {"GET /nodes/{node}", h_node_index},
    {"GET /nodes/{node}/status", h_node_status},
    {"GET /version", h_version},
    {"GET /storage", h_storage_config},
    {"GET /storage/{storage}", h_storage_get},
    {"GET /nodes/{node}/storage", h_node_storage},
    {"GET /nodes/{node}/storage/{storage}/status", h_storage_status},
    {"GET /nodes/{node}/tasks", h_tasks},
    {"GET /nodes/{node}/tasks/{upid}", h_task_index},
    {"DELETE /nodes/{node}/tasks/{upid}", h_task_stop},
    {"GET /nodes/{node}/tasks/{upid}/status", h_task_status},
    {"GET /nodes/{node}/tasks/{upid}/log", h_task_log},
    {NULL, NULL}};
