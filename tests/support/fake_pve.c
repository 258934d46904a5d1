/* fake_pve: an in-process fake Proxmox VE behind the PVE client's transport seam: a small model
 * (VMs, users, pools, ACLs, bridges, tasks), scripted failures per request, a record of requests.
 */
#include "fake_pve.h"

#include <fnmatch.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fvm {
    int vmid, template;
    char node[64];
    char *name, *desc, *tags, *pool, *status;
};

struct fobj { /* a user, pool, ACL ("path|ugid|role") or bridge ("node|iface") */
    char *id, *comment;
};

struct ftask {
    char upid[192], node[64];
    char *exitstatus; /* NULL: OK */
    int polls, stopped;
};

struct frule {
    char method[8];
    char *glob, *message, *exitstatus; /* exitstatus set: a task failure */
    int nth, times, seen;
    long status;
    int lose; /* carried out, the answer lost */
};

struct fload {
    char node[64];
    int cur, max;
};

#define ARR(T, name)                                                                               \
    T *name;                                                                                       \
    size_t n_##name, cap_##name

struct fake_pve {
    pthread_mutex_t mu;
    ARR(struct fvm, vms);
    ARR(struct fobj, users);
    ARR(struct fobj, pools);
    ARR(struct fobj, acls);
    ARR(struct fobj, bridges);
    ARR(struct ftask, tasks);
    ARR(struct frule, rules);
    ARR(struct fake_req, reqs);
    ARR(struct fload, loads);
    int polls, overlap;
    unsigned next_pid;
};

/* Room for one more element of a dynamic array; returns its slot (zeroed). */
static void *grow(void **arr, size_t *n, size_t *cap, size_t sz)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        void *p = realloc(*arr, *cap * sz);
        if (!p)
            abort();
        *arr = p;
    }
    char *slot = (char *)*arr + (*n)++ * sz;
    memset(slot, 0, sz);
    return slot;
}
#define PUSH(f, name) grow((void **)&(f)->name, &(f)->n_##name, &(f)->cap_##name, sizeof *(f)->name)

static char *xstrdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d)
        abort();
    return d;
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/* ---- lifecycle and setup ---------------------------------------------------------------- */

struct fake_pve *fake_pve_new(void)
{
    struct fake_pve *f = calloc(1, sizeof *f);
    if (!f)
        abort();
    pthread_mutex_init(&f->mu, NULL);
    f->polls = 1;
    f->next_pid = 0x1000;
    return f;
}

static void objs_free(struct fobj *o, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(o[i].id);
        free(o[i].comment);
    }
    free(o);
}

static void vm_free(struct fvm *v)
{
    free(v->name);
    free(v->desc);
    free(v->tags);
    free(v->pool);
    free(v->status);
}

void fake_pve_free(struct fake_pve *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n_vms; i++)
        vm_free(&f->vms[i]);
    free(f->vms);
    objs_free(f->users, f->n_users);
    objs_free(f->pools, f->n_pools);
    objs_free(f->acls, f->n_acls);
    objs_free(f->bridges, f->n_bridges);
    for (size_t i = 0; i < f->n_tasks; i++)
        free(f->tasks[i].exitstatus);
    free(f->tasks);
    for (size_t i = 0; i < f->n_rules; i++) {
        free(f->rules[i].glob);
        free(f->rules[i].message);
        free(f->rules[i].exitstatus);
    }
    free(f->rules);
    for (size_t i = 0; i < f->n_reqs; i++) {
        free(f->reqs[i].method);
        free(f->reqs[i].path);
        free(f->reqs[i].form);
    }
    free(f->reqs);
    free(f->loads);
    pthread_mutex_destroy(&f->mu);
    free(f);
}

static void obj_add(struct fobj **arr, size_t *n, size_t *cap, const char *id, const char *comment)
{
    struct fobj *o = grow((void **)arr, n, cap, sizeof **arr);
    o->id = xstrdup(id);
    o->comment = dup_or_null(comment);
}
#define OBJ_ADD(f, name, id, comment)                                                              \
    obj_add(&(f)->name, &(f)->n_##name, &(f)->cap_##name, id, comment)

static struct fobj *obj_find(struct fobj *arr, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(arr[i].id, id) == 0)
            return &arr[i];
    return NULL;
}

static void obj_del(struct fobj *arr, size_t *n, struct fobj *o)
{
    free(o->id);
    free(o->comment);
    size_t i = (size_t)(o - arr);
    memmove(&arr[i], &arr[i + 1], (*n - i - 1) * sizeof *arr);
    (*n)--;
}

static void bridge_key(char *out, size_t len, const char *node, const char *iface)
{
    snprintf(out, len, "%s|%s", node, iface);
}

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* A form field, "" when missing. */
static const char *fstr(const json_t *form, const char *k)
{
    const char *s = jstr(form, k);
    return s ? s : "";
}

static void load_vms(struct fake_pve *f, const json_t *bundle)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(bundle, "resources"), i, r)
    {
        const char *type = jstr(r, "type");
        if (!type || strcmp(type, "qemu") != 0)
            continue;
        struct fvm *v = PUSH(f, vms);
        v->vmid = (int)json_integer_value(json_object_get(r, "vmid"));
        v->template = (int)json_integer_value(json_object_get(r, "template"));
        snprintf(v->node, sizeof v->node, "%s", jstr(r, "node") ? jstr(r, "node") : "");
        v->name = dup_or_null(jstr(r, "name"));
        v->tags = dup_or_null(jstr(r, "tags"));
        v->pool = dup_or_null(jstr(r, "pool"));
        v->status = xstrdup(jstr(r, "status") ? jstr(r, "status") : "stopped");
        char key[16];
        snprintf(key, sizeof key, "%d", v->vmid);
        v->desc = dup_or_null(
            jstr(json_object_get(json_object_get(bundle, "configs"), key), "description"));
    }
}

void fake_pve_load(struct fake_pve *f, const json_t *bundle)
{
    pthread_mutex_lock(&f->mu);
    load_vms(f, bundle);
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(bundle, "users"), i, o)
        OBJ_ADD(f, users, jstr(o, "userid"), jstr(o, "comment"));
    json_array_foreach(json_object_get(bundle, "pools"), i, o)
        OBJ_ADD(f, pools, jstr(o, "poolid"), jstr(o, "comment"));
    const char *node;
    json_t *nn;
    json_object_foreach(json_object_get(bundle, "networks"), node, nn)
    {
        json_array_foreach(json_object_get(nn, "ifaces"), i, o)
        {
            char key[160];
            bridge_key(key, sizeof key, node, jstr(o, "iface"));
            OBJ_ADD(f, bridges, key, jstr(o, "comments"));
        }
    }
    pthread_mutex_unlock(&f->mu);
}

void fake_pve_task_model(struct fake_pve *f, int polls, int overlap)
{
    pthread_mutex_lock(&f->mu);
    f->polls = polls > 0 ? polls : 1;
    f->overlap = overlap;
    pthread_mutex_unlock(&f->mu);
}

static void rule_add(struct fake_pve *f, const char *method, const char *glob, int nth, int times,
                     long status, const char *message, const char *exitstatus)
{
    pthread_mutex_lock(&f->mu);
    struct frule *r = PUSH(f, rules);
    snprintf(r->method, sizeof r->method, "%s", method);
    r->glob = xstrdup(glob);
    r->nth = nth > 0 ? nth : 1;
    r->times = times > 0 ? times : 1;
    r->status = status;
    r->message = dup_or_null(message);
    r->exitstatus = dup_or_null(exitstatus);
    pthread_mutex_unlock(&f->mu);
}

void fake_pve_fail(struct fake_pve *f, const char *method, const char *glob, int nth, int times,
                   long status, const char *message)
{
    rule_add(f, method, glob, nth, times, status, message, NULL);
}

void fake_pve_fail_task(struct fake_pve *f, const char *method, const char *glob, int nth,
                        int times, const char *exitstatus)
{
    rule_add(f, method, glob, nth, times, 200, NULL, exitstatus);
}

void fake_pve_lose(struct fake_pve *f, const char *method, const char *glob, int nth, int times)
{
    rule_add(f, method, glob, nth, times, 0, NULL, NULL);
    pthread_mutex_lock(&f->mu);
    f->rules[f->n_rules - 1].lose = 1;
    pthread_mutex_unlock(&f->mu);
}

/* ---- answers ------------------------------------------------------------------------------ */

/* What a handler answers: the status, and either data (stolen) or a message (+ errors). */
struct answer {
    long status;
    json_t *data;
    char message[512];
    json_t *errors;
};

static long ok(struct answer *a, json_t *data)
{
    a->status = 200;
    a->data = data;
    return 200;
}

static long fail(struct answer *a, long status, const char *fmt, const char *x)
{
    a->status = status;
    snprintf(a->message, sizeof a->message, fmt, x);
    return status;
}

static struct fload *load_of(struct fake_pve *f, const char *node)
{
    for (size_t i = 0; i < f->n_loads; i++)
        if (strcmp(f->loads[i].node, node) == 0)
            return &f->loads[i];
    struct fload *l = PUSH(f, loads);
    snprintf(l->node, sizeof l->node, "%s", node);
    return l;
}

/* Starts a task on node; answers its UPID. exitstatus NULL: it ends OK. */
static long task_start(struct fake_pve *f, struct answer *a, const char *node, const char *type,
                       int id, const char *exitstatus)
{
    struct ftask *t = PUSH(f, tasks);
    snprintf(t->node, sizeof t->node, "%s", node);
    snprintf(t->upid, sizeof t->upid, "UPID:%s:%08X:%08X:%08X:%s:%d:root@pam:", node, f->next_pid++,
             0x1234u, 0x66A1B2C3u, type, id);
    t->exitstatus = dup_or_null(exitstatus);
    struct fload *l = load_of(f, node);
    if (++l->cur > l->max)
        l->max = l->cur;
    return ok(a, json_string(t->upid));
}

static long task_status(struct fake_pve *f, struct answer *a, const char *node, const char *upid)
{
    struct ftask *t = NULL;
    for (size_t i = 0; i < f->n_tasks && !t; i++)
        if (strcmp(f->tasks[i].upid, upid) == 0)
            t = &f->tasks[i];
    if (!t)
        return fail(a, 500, "no such task '%s'", upid);
    struct fload *l = load_of(f, node);
    t->polls++;
    int done = t->stopped || (t->polls >= f->polls && (f->overlap <= 0 || l->max >= f->overlap ||
                                                       t->polls >= FAKE_PVE_MAX_POLLS));
    if (!done)
        return ok(a, json_pack("{s:s, s:s}", "status", "running", "upid", t->upid));
    if (!t->stopped) {
        t->stopped = 1;
        l->cur--;
    }
    return ok(a, json_pack("{s:s, s:s, s:s}", "status", "stopped", "upid", t->upid, "exitstatus",
                           t->exitstatus ? t->exitstatus : "OK"));
}

static struct fvm *vm_find(struct fake_pve *f, int vmid)
{
    for (size_t i = 0; i < f->n_vms; i++)
        if (f->vms[i].vmid == vmid)
            return &f->vms[i];
    return NULL;
}

/* "k=v&..." percent-encoded into an object of strings (new reference). */
static json_t *form_decode(const char *form)
{
    json_t *o = json_object();
    char *copy = xstrdup(form), *save = NULL;
    for (char *kv = strtok_r(copy, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        if (eq)
            *eq++ = '\0';
        char *val = xstrdup(eq ? eq : ""), *w = val;
        for (const char *p = val; *p; p++) {
            unsigned ch;
            if (*p == '%' && sscanf(p + 1, "%2x", &ch) == 1) {
                *w++ = (char)ch;
                p += 2;
            } else {
                *w++ = *p;
            }
        }
        *w = '\0';
        json_object_set_new(o, kv, json_string(val));
        free(val);
    }
    free(copy);
    return o;
}

/* ---- cluster-wide calls -------------------------------------------------------------------- */

static long nextid(struct fake_pve *f, struct answer *a, const json_t *form)
{
    const char *want = jstr(form, "vmid");
    if (!want) {
        int id = 100;
        while (vm_find(f, id))
            id++;
        char s[16];
        snprintf(s, sizeof s, "%d", id);
        return ok(a, json_string(s));
    }
    if (vm_find(f, atoi(want))) {
        a->errors = json_object();
        char msg[64];
        snprintf(msg, sizeof msg, "VM %s already exists", want);
        json_object_set_new(a->errors, "vmid", json_string(msg));
        return fail(a, 400, "%s", "Parameter verification failed.");
    }
    return ok(a, json_string(want));
}

static long access_call(struct fake_pve *f, struct answer *a, const char *m, const char *path,
                        const json_t *form)
{
    char id[256];
    if (strcmp(path, "/access/users") == 0 && strcmp(m, "POST") == 0) {
        if (obj_find(f->users, f->n_users, fstr(form, "userid")))
            return fail(a, 500, "create user failed: user '%s' already exists",
                        fstr(form, "userid"));
        OBJ_ADD(f, users, fstr(form, "userid"), fstr(form, "comment"));
        return ok(a, json_null());
    }
    if (sscanf(path, "/access/users/%255s", id) == 1 && strcmp(m, "DELETE") == 0) {
        struct fobj *o = obj_find(f->users, f->n_users, id);
        if (!o)
            return fail(a, 500, "delete user failed: user '%s' does not exist", id);
        obj_del(f->users, &f->n_users, o);
        return ok(a, json_null());
    }
    if (strcmp(path, "/access/acl") == 0 && strcmp(m, "PUT") == 0) {
        char key[512];
        snprintf(key, sizeof key, "%s|%s|%s", fstr(form, "path"), fstr(form, "users"),
                 fstr(form, "roles"));
        struct fobj *o = obj_find(f->acls, f->n_acls, key);
        if (strcmp(fstr(form, "delete"), "1") == 0) {
            if (o)
                obj_del(f->acls, &f->n_acls, o);
        } else if (!o) {
            OBJ_ADD(f, acls, key, NULL);
        }
        return ok(a, json_null());
    }
    if (strcmp(path, "/pools") == 0 && strcmp(m, "POST") == 0) {
        if (obj_find(f->pools, f->n_pools, fstr(form, "poolid")))
            return fail(a, 500, "pool '%s' already exists", fstr(form, "poolid"));
        OBJ_ADD(f, pools, fstr(form, "poolid"), fstr(form, "comment"));
        return ok(a, json_null());
    }
    if ((sscanf(path, "/pools/%255s", id) == 1 || sscanf(path, "/access/users/%255s", id) == 1) &&
        strcmp(m, "GET") == 0) { /* one pool or user: its comment */
        int pool = strncmp(path, "/pools/", 7) == 0;
        struct fobj *o =
            pool ? obj_find(f->pools, f->n_pools, id) : obj_find(f->users, f->n_users, id);
        if (!o)
            return fail(a, 500, pool ? "pool '%s' does not exist" : "no such user ('%s')", id);
        return ok(a, json_pack("{s:s?}", "comment", o->comment));
    }
    if (sscanf(path, "/pools/%255s", id) == 1 && strcmp(m, "DELETE") == 0) {
        struct fobj *o = obj_find(f->pools, f->n_pools, id);
        if (!o)
            return fail(a, 500, "pool '%s' does not exist", id);
        obj_del(f->pools, &f->n_pools, o);
        return ok(a, json_null());
    }
    return fail(a, 501, "Method '%s' not implemented", path);
}

/* ---- node calls ---------------------------------------------------------------------------- */

static long network_call(struct fake_pve *f, struct answer *a, const char *m, const char *node,
                         const char *rest, const json_t *form)
{
    char key[160];
    if (strcmp(rest, "network") == 0 && strcmp(m, "POST") == 0) {
        bridge_key(key, sizeof key, node, fstr(form, "iface"));
        if (obj_find(f->bridges, f->n_bridges, key)) {
            a->errors = json_pack("{s:s}", "iface", "interface already exists");
            return fail(a, 400, "%s", "Parameter verification failed.");
        }
        OBJ_ADD(f, bridges, key, fstr(form, "comments"));
        return ok(a, json_null());
    }
    if (strcmp(rest, "network") == 0 && strcmp(m, "PUT") == 0)
        return task_start(f, a, node, "srvreload", 0, NULL);
    if (strncmp(rest, "network/", 8) == 0 && strcmp(m, "DELETE") == 0) {
        bridge_key(key, sizeof key, node, rest + 8);
        struct fobj *o = obj_find(f->bridges, f->n_bridges, key);
        if (!o)
            return fail(a, 500, "interface '%s' does not exist", rest + 8);
        obj_del(f->bridges, &f->n_bridges, o);
        return ok(a, json_null());
    }
    return fail(a, 501, "Method '%s' not implemented", rest);
}

static long vm_clone(struct fake_pve *f, struct answer *a, const char *node, struct fvm *src,
                     const json_t *form)
{
    int newid = atoi(fstr(form, "newid"));
    if (vm_find(f, newid)) {
        char id[16];
        snprintf(id, sizeof id, "%d", newid);
        return fail(a, 500, "unable to create VM %s: config file already exists", id);
    }
    int srcid = src->vmid;
    struct fvm *v = PUSH(f, vms); /* may move src */
    v->vmid = newid;
    snprintf(v->node, sizeof v->node, "%s", jstr(form, "target") ? jstr(form, "target") : node);
    v->name = dup_or_null(jstr(form, "name"));
    v->desc = dup_or_null(jstr(form, "description"));
    v->pool = dup_or_null(jstr(form, "pool"));
    v->status = xstrdup("stopped");
    return task_start(f, a, node, "qmclone", srcid, NULL);
}

static json_t *vm_config(const struct fvm *v)
{
    json_t *c = json_pack("{s:s, s:s}", "digest", "0123abcd", "name", v->name ? v->name : "");
    if (v->desc)
        json_object_set_new(c, "description", json_string(v->desc));
    if (v->tags)
        json_object_set_new(c, "tags", json_string(v->tags));
    if (v->template)
        json_object_set_new(c, "template", json_integer(1));
    return c;
}

static long vm_call(struct fake_pve *f, struct answer *a, const char *m, const char *node, int vmid,
                    const char *tail, const json_t *form)
{
    struct fvm *v = vm_find(f, vmid);
    char conf[160];
    snprintf(conf, sizeof conf, "nodes/%s/qemu-server/%d.conf", node, vmid);
    if (!v || strcmp(v->node, node) != 0)
        return fail(a, 500, "Configuration file '%s' does not exist", conf);
    if (strcmp(tail, "/clone") == 0 && strcmp(m, "POST") == 0)
        return vm_clone(f, a, node, v, form);
    if (strcmp(tail, "/config") == 0 && strcmp(m, "GET") == 0)
        return ok(a, vm_config(v));
    if (strcmp(tail, "/config") == 0 && strcmp(m, "PUT") == 0) {
        if (jstr(form, "tags")) {
            free(v->tags);
            v->tags = xstrdup(fstr(form, "tags"));
        }
        return ok(a, json_null());
    }
    if (strcmp(tail, "/status/current") == 0 && strcmp(m, "GET") == 0)
        return ok(a, json_pack("{s:s, s:i}", "status", v->status, "vmid", vmid));
    if (strcmp(tail, "/status/stop") == 0 && strcmp(m, "POST") == 0) {
        free(v->status);
        v->status = xstrdup("stopped");
        return task_start(f, a, node, "qmstop", vmid, NULL);
    }
    if (strcmp(tail, "/template") == 0 && strcmp(m, "POST") == 0) {
        const char *ex = v->template ? "you can't convert a template to a template" : NULL;
        v->template = 1;
        return task_start(f, a, node, "qmtemplate", vmid, ex);
    }
    if (strcmp(tail, "/migrate") == 0 && strcmp(m, "POST") == 0) {
        snprintf(v->node, sizeof v->node, "%s", fstr(form, "target"));
        return task_start(f, a, node, "qmigrate", vmid, NULL);
    }
    if (tail[0] == '\0' && strcmp(m, "DELETE") == 0) {
        vm_free(v);
        size_t i = (size_t)(v - f->vms);
        memmove(&f->vms[i], &f->vms[i + 1], (f->n_vms - i - 1) * sizeof *f->vms);
        f->n_vms--;
        return task_start(f, a, node, "qmdestroy", vmid, NULL);
    }
    return fail(a, 501, "Method '%s' not implemented", tail);
}

/* GET /cluster/resources: the VMs (vmid, node, name, template, pool, tags). */
static json_t *resources(const struct fake_pve *f)
{
    json_t *list = json_array();
    for (size_t i = 0; i < f->n_vms; i++) {
        const struct fvm *v = &f->vms[i];
        json_array_append_new(list,
                              json_pack("{s:s, s:i, s:s, s:s?, s:i, s:s?, s:s?}", "type", "qemu",
                                        "vmid", v->vmid, "node", v->node, "name", v->name,
                                        "template", v->template, "pool", v->pool, "tags", v->tags));
    }
    return list;
}

static long node_call(struct fake_pve *f, struct answer *a, const char *m, const char *node,
                      const char *rest, const json_t *form)
{
    char upid[192];
    int vmid, n = 0;
    if (sscanf(rest, "tasks/%191[^/]/status", upid) == 1 && strcmp(m, "GET") == 0)
        return task_status(f, a, node, upid);
    if (sscanf(rest, "qemu/%d%n", &vmid, &n) == 1)
        return vm_call(f, a, m, node, vmid, rest + n, form);
    return network_call(f, a, m, node, rest, form);
}

static long route(struct fake_pve *f, struct answer *a, const char *m, const char *path,
                  const char *node, const json_t *form)
{
    if (strcmp(path, "/version") == 0)
        return ok(a, json_pack("{s:s, s:s}", "version", "8.4.1", "release", "8.4"));
    if (strcmp(path, "/access/ticket") == 0)
        return ok(a, json_pack("{s:s, s:s, s:s}", "ticket", "PVE:fake", "CSRFPreventionToken",
                               "fake", "username", fstr(form, "username")));
    if (strcmp(path, "/cluster/nextid") == 0)
        return nextid(f, a, form);
    if (strcmp(path, "/cluster/resources") == 0 && strcmp(m, "GET") == 0)
        return ok(a, resources(f));
    if (node[0])
        return node_call(f, a, m, node, path + strlen("/nodes/") + strlen(node) + 1, form);
    return access_call(f, a, m, path, form);
}

/* The rule that fires for this request, counting it for every rule it matches. */
static const struct frule *rule_fires(struct fake_pve *f, const char *m, const char *path)
{
    const struct frule *hit = NULL;
    for (size_t i = 0; i < f->n_rules; i++) {
        struct frule *r = &f->rules[i];
        if (strcmp(r->method, m) != 0 || fnmatch(r->glob, path, 0) != 0)
            continue;
        r->seen++;
        if (!hit && r->seen >= r->nth && r->seen < r->nth + r->times)
            hit = r;
    }
    return hit;
}

static char *answer_body(struct answer *a)
{
    json_t *body = json_object();
    json_object_set_new(body, "data", a->data ? a->data : json_null());
    if (a->message[0])
        json_object_set_new(body, "message", json_string(a->message));
    if (a->errors)
        json_object_set_new(body, "errors", a->errors);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    return text;
}

static long fake_send(void *ud, const char *method, const char *path, const char *form, char **body)
{
    struct fake_pve *f = ud;
    char node[64] = "";
    if (strncmp(path, "/nodes/", 7) == 0)
        sscanf(path + 7, "%63[^/]", node);
    json_t *params = form_decode(form);
    struct answer a = {0};
    pthread_mutex_lock(&f->mu);
    const struct frule *r = rule_fires(f, method, path);
    int lost = r && r->lose;
    if (r && r->exitstatus) {
        task_start(f, &a, node[0] ? node : "pve1", "failing", 0, r->exitstatus);
    } else if (lost) {
        route(f, &a, method, path, node, params);
        json_decref(a.data);
        json_decref(a.errors);
        a = (struct answer){0};
    } else if (r)
        fail(&a, r->status, "%s", r->message ? r->message : "scripted failure");
    else
        route(f, &a, method, path, node, params);
    struct fake_req *q = PUSH(f, reqs);
    q->method = xstrdup(method);
    q->path = xstrdup(path);
    q->form = xstrdup(form);
    q->status = a.status;
    snprintf(q->node, sizeof q->node, "%s", node);
    pthread_mutex_unlock(&f->mu);
    json_decref(params);
    *body = lost ? xstrdup("Operation timed out after 30000 milliseconds with 0 bytes received")
                 : answer_body(&a);
    return a.status;
}

pve_client *fake_pve_client(struct fake_pve *f)
{
    struct pve_conn_opts o = {.host = "fake-pve.invalid",
                              .token_id = "root@pam!fake",
                              .token_secret = "00000000-0000-0000-0000-000000000000"};
    pve_client *c = pve_client_new(&o);
    if (c)
        pve_client_set_transport(c, fake_send, f);
    return c;
}

/* ---- the record and the model ------------------------------------------------------------ */

size_t fake_pve_count(const struct fake_pve *f)
{
    return f->n_reqs;
}

const struct fake_req *fake_pve_req(const struct fake_pve *f, size_t i)
{
    return i < f->n_reqs ? &f->reqs[i] : NULL;
}

long fake_pve_find(const struct fake_pve *f, const char *method, const char *glob,
                   const char *form_has, size_t from)
{
    for (size_t i = from; i < f->n_reqs; i++) {
        const struct fake_req *q = &f->reqs[i];
        if (strcmp(q->method, method) == 0 && fnmatch(glob, q->path, 0) == 0 &&
            (!form_has || strstr(q->form, form_has)))
            return (long)i;
    }
    return -1;
}

size_t fake_pve_count_matching(const struct fake_pve *f, const char *method, const char *glob)
{
    size_t n = 0;
    for (long i = 0; (i = fake_pve_find(f, method, glob, NULL, (size_t)i)) >= 0; i++)
        n++;
    return n;
}

int fake_pve_max_inflight(const struct fake_pve *f, const char *node)
{
    for (size_t i = 0; i < f->n_loads; i++)
        if (strcmp(f->loads[i].node, node) == 0)
            return f->loads[i].max;
    return 0;
}

int fake_pve_has_vm(const struct fake_pve *f, int vmid)
{
    return vm_find((struct fake_pve *)f, vmid) != NULL;
}

int fake_pve_has_user(const struct fake_pve *f, const char *userid)
{
    return obj_find(f->users, f->n_users, userid) != NULL;
}

int fake_pve_has_pool(const struct fake_pve *f, const char *poolid)
{
    return obj_find(f->pools, f->n_pools, poolid) != NULL;
}

int fake_pve_has_bridge(const struct fake_pve *f, const char *node, const char *iface)
{
    char key[160];
    bridge_key(key, sizeof key, node, iface);
    return obj_find(f->bridges, f->n_bridges, key) != NULL;
}
