/* sim_pools: resource pools (/pools, PVE 8.1+ query forms and the deprecated /pools/{poolid}
 * forms): list, members, create, update (vms/storage, delete, allow-move) and delete. */
#include "sim_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *members(struct sim_req *r, const char *poolid, const char *type)
{
    struct sim_model *m = r->model;
    json_t *a = json_array();
    if (!type || strcmp(type, "qemu") == 0) {
        for (size_t i = 0; i < m->n_vms; i++) {
            struct sim_vm *vm = m->vms[i];
            if (strcmp(vm->pool, poolid) != 0)
                continue;
            const char *name = json_string_value(json_object_get(vm->config, "name"));
            char id[32];
            snprintf(id, sizeof id, "qemu/%u", vm->vmid);
            json_t *o = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:I, s:i, s:i}", "id", id, "type",
                                  "qemu", "vmid", (int)vm->vmid, "node", vm->node, "name",
                                  name ? name : "", "status", vm->running ? "running" : "stopped",
                                  "maxmem", (json_int_t)sim_vm_maxmem(vm), "maxcpu",
                                  sim_vm_cpus(vm), "template", sim_vm_is_template(vm));
            json_array_append_new(a, o);
        }
    }
    if (!type || strcmp(type, "storage") == 0) {
        json_t *st = json_object_get(json_object_get(m->pools, poolid), "storage");
        size_t i;
        json_t *s;
        json_array_foreach(st, i, s)
        {
            for (size_t n = 0; n < m->n_nodes; n++) {
                struct sim_storage *ss = sim_model_storage(m, json_string_value(s));
                if (!ss || !sim_storage_on_node(ss, m->nodes[n].name))
                    continue;
                char id[160];
                snprintf(id, sizeof id, "storage/%s/%s", m->nodes[n].name, ss->id);
                json_array_append_new(a,
                                      json_pack("{s:s, s:s, s:s, s:s}", "id", id, "type", "storage",
                                                "storage", ss->id, "node", m->nodes[n].name));
            }
        }
    }
    return a;
}

static int pool_detail(struct sim_req *r, const char *poolid, int with_id)
{
    json_t *p = json_object_get(r->model->pools, poolid);
    if (!p)
        return sim_fail(r, 500, "pool '%s' does not exist", poolid);
    json_t *o = json_pack("{s:o}", "members", members(r, poolid, sim_p_str(r, "type")));
    if (json_object_get(p, "comment"))
        json_object_set(o, "comment", json_object_get(p, "comment"));
    if (with_id) {
        json_object_set_new(o, "poolid", json_string(poolid));
        return sim_ok(r, json_pack("[o]", o));
    }
    return sim_ok(r, o);
}

static int h_list(struct sim_req *r)
{
    const char *poolid = sim_p_str(r, "poolid");
    if (poolid) {
        char path[200];
        snprintf(path, sizeof path, "/pool/%s", poolid);
        if (!sim_req_allowed(r, path, "Pool.Audit"))
            return sim_perm_fail(r, path, "Pool.Audit");
        return pool_detail(r, poolid, 1);
    }
    json_t *a = json_array();
    const char *id;
    json_t *p;
    json_object_foreach(r->model->pools, id, p)
    {
        char path[200];
        snprintf(path, sizeof path, "/pool/%s", id);
        if (!sim_req_allowed(r, path, "Pool.Audit"))
            continue;
        json_t *o = json_pack("{s:s}", "poolid", id);
        if (json_object_get(p, "comment"))
            json_object_set(o, "comment", json_object_get(p, "comment"));
        json_array_append_new(a, o);
    }
    return sim_ok(r, a);
}

static int h_get(struct sim_req *r)
{
    return pool_detail(r, sim_p_str(r, "poolid"), 0);
}

static int h_create(struct sim_req *r)
{
    const char *poolid = sim_p_str(r, "poolid");
    if (json_object_get(r->model->pools, poolid))
        return sim_fail(r, 500, "create pool failed: pool '%s' already exists", poolid);
    const char *slash = strrchr(poolid, '/');
    if (slash) {
        char parent[128];
        snprintf(parent, sizeof parent, "%.*s", (int)(slash - poolid), poolid);
        if (!json_object_get(r->model->pools, parent))
            return sim_fail(r, 500, "create pool failed: parent '%s' of pool '%s' does not exist",
                            parent, poolid);
    }
    json_t *p = json_pack("{s:[]}", "storage");
    if (sim_p_str(r, "comment"))
        json_object_set_new(p, "comment", json_string(sim_p_str(r, "comment")));
    json_object_set_new(r->model->pools, poolid, p);
    return sim_ok(r, NULL);
}

static int h_update(struct sim_req *r)
{
    struct sim_model *m = r->model;
    const char *poolid = sim_p_str(r, "poolid");
    json_t *p = json_object_get(m->pools, poolid);
    if (!p)
        return sim_fail(r, 500, "update pools failed: pool '%s' does not exist", poolid);
    int del = (int)sim_p_int(r, "delete", 0);
    int allow_move = (int)sim_p_int(r, "allow-move", 0);
    const char *vms = sim_p_str(r, "vms");
    const char *storage = sim_p_str(r, "storage");
    /* check first, then apply */
    for (int pass = 0; pass < 2; pass++) {
        if (vms) {
            char *vl = strdup(vms), *save = NULL;
            for (char *v = strtok_r(vl, ",; ", &save); v; v = strtok_r(NULL, ",; ", &save)) {
                unsigned vmid = (unsigned)strtoul(v, NULL, 10);
                struct sim_vm *vm = sim_model_vm(m, vmid);
                int rc = 0;
                if (!vm)
                    rc = sim_fail(r, 500, "update pools failed: VM %u does not exist", vmid);
                else if (del && strcmp(vm->pool, poolid) != 0)
                    rc = sim_fail(r, 500, "update pools failed: VM %u is not a pool member", vmid);
                else if (!del && strcmp(vm->pool, poolid) == 0)
                    rc = sim_fail(r, 500, "update pools failed: VM %u is already a pool member",
                                  vmid);
                else if (!del && vm->pool[0] && !allow_move)
                    rc = sim_fail(r, 500,
                                  "update pools failed: VM %u belongs already to pool '%s' and "
                                  "'allow-move' is not set",
                                  vmid, vm->pool);
                if (rc) {
                    free(vl);
                    return -1;
                }
                if (pass == 1)
                    snprintf(vm->pool, sizeof vm->pool, "%s", del ? "" : poolid);
            }
            free(vl);
        }
        if (storage) {
            json_t *sl = json_object_get(p, "storage");
            char *st = strdup(storage), *save = NULL;
            for (char *s = strtok_r(st, ",; ", &save); s; s = strtok_r(NULL, ",; ", &save)) {
                size_t idx = (size_t)-1, i;
                json_t *e;
                json_array_foreach(sl, i, e)
                {
                    if (strcmp(json_string_value(e), s) == 0)
                        idx = i;
                }
                int rc = 0;
                if (!sim_model_storage(m, s))
                    rc = sim_fail(r, 500, "update pools failed: storage '%s' does not exist", s);
                else if (del && idx == (size_t)-1)
                    rc = sim_fail(r, 500, "update pools failed: storage '%s' is not a pool member",
                                  s);
                else if (!del && idx != (size_t)-1)
                    rc = sim_fail(r, 500,
                                  "update pools failed: storage '%s' is already a pool member", s);
                if (rc) {
                    free(st);
                    return -1;
                }
                if (pass == 1) {
                    if (del)
                        json_array_remove(sl, idx);
                    else
                        json_array_append_new(sl, json_string(s));
                }
            }
            free(st);
        }
    }
    if (sim_p_str(r, "comment"))
        json_object_set_new(p, "comment", json_string(sim_p_str(r, "comment")));
    return sim_ok(r, NULL);
}

static int h_delete(struct sim_req *r)
{
    struct sim_model *m = r->model;
    const char *poolid = sim_p_str(r, "poolid");
    json_t *p = json_object_get(m->pools, poolid);
    if (!p)
        return sim_fail(r, 500, "delete pool failed: pool '%s' does not exist", poolid);
    for (size_t i = 0; i < m->n_vms; i++)
        if (strcmp(m->vms[i]->pool, poolid) == 0)
            return sim_fail(r, 500, "delete pool failed: pool '%s' is not empty (contains VM %u)",
                            poolid, m->vms[i]->vmid);
    json_t *st = json_object_get(p, "storage");
    if (json_array_size(st))
        return sim_fail(r, 500,
                        "delete pool failed: pool '%s' is not empty (contains storage '%s')",
                        poolid, json_string_value(json_array_get(st, 0)));
    size_t plen = strlen(poolid);
    const char *id;
    json_t *o;
    json_object_foreach(m->pools, id, o)
    {
        if (strncmp(id, poolid, plen) == 0 && id[plen] == '/')
            return sim_fail(r, 500,
                            "delete pool failed: pool '%s' is not empty (contains pool '%s')",
                            poolid, id);
    }
    json_object_del(m->pools, poolid);
    char path[200];
    snprintf(path, sizeof path, "/pool/%s", poolid);
    for (size_t i = json_array_size(m->acls); i-- > 0;) {
        const char *ap = json_string_value(json_object_get(json_array_get(m->acls, i), "path"));
        if (ap && strcmp(ap, path) == 0)
            json_array_remove(m->acls, i);
    }
    return sim_ok(r, NULL);
}

const struct sim_route sim_pools_routes[] = {{"GET /pools", h_list},
                                             {"POST /pools", h_create},
                                             {"PUT /pools", h_update},
                                             {"DELETE /pools", h_delete},
                                             {"GET /pools/{poolid}", h_get},
                                             {"PUT /pools/{poolid}", h_update},
                                             {"DELETE /pools/{poolid}", h_delete},
                                             {NULL, NULL}};
