/* e2e_fixture: simulator + temporary XDG folders + runs of the binary, shared by tests/e2e.
 * One copy of the start/stop, root API calls, task waits and report lookups the tests use. */
#include "e2e_fixture.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ds_clock.h"
#include "plan/marks.h"

int e2e_start(struct e2e *f, const char *const *sim_args, const char *user, const char *password)
{
    memset(f, 0, sizeof *f);
    if (simproc_start(&f->sp, sim_args) < 0)
        return -1;
    ds_env_init(&f->env, &f->sp, user, password);
    f->running = 1;
    return 0;
}

int e2e_start_local(struct e2e *f)
{
    memset(f, 0, sizeof *f);
    f->sp.pid = -1; /* nothing for simproc_stop to stop */
    ds_env_init_local(&f->env);
    f->running = 1;
    return 0;
}

int e2e_login_root(struct e2e *f)
{
    return simproc_login(&f->sp, "root@pam", "sim-root-password", f->cookie, sizeof f->cookie,
                         f->csrf, sizeof f->csrf);
}

void e2e_stop(struct e2e *f)
{
    if (!f || !f->running)
        return;
    simproc_stop(&f->sp);
    ds_env_free(&f->env);
    f->running = 0;
}

int e2e_setup(void **st, const char *const *sim_args)
{
    struct e2e *f = calloc(1, sizeof *f);
    if (!f || e2e_start(f, sim_args, NULL, NULL) < 0) {
        free(f);
        return -1;
    }
    *st = f;
    return 0;
}

int e2e_setup_local(void **st)
{
    struct e2e *f = calloc(1, sizeof *f);
    if (!f || e2e_start_local(f) < 0) {
        free(f);
        return -1;
    }
    *st = f;
    return 0;
}

char *e2e_path(struct e2e *f, const char *rel)
{
    char *p;
    if (asprintf(&p, "%s/%s", f->env.dir, rel) < 0)
        abort();
    return p;
}

int e2e_menu(struct e2e *f, const char *input, char **out)
{
    const char *args[] = {"--connections", f->env.connections, "menu", NULL};
    return ds_proc_feed(input, args, 120, out);
}

int e2e_teardown(void **st)
{
    e2e_stop(*st);
    free(*st);
    *st = NULL;
    return 0;
}

long e2e_api(struct e2e *f, const char *method, const char *path, const char *body, json_t **data)
{
    const char *headers[] = {f->cookie, f->csrf, NULL};
    char full[512];
    snprintf(full, sizeof full, "/api2/json%s", path);
    struct rawresp r = {0};
    assert_int_equal(simproc_request(&f->sp, method, full, body, headers, &r), 0);
    if (data)
        *data = json_incref(json_object_get(r.json, "data"));
    long status = r.status;
    rawresp_clear(&r);
    return status;
}

char *e2e_wait_task(struct e2e *f, const char *node, const char *upid)
{
    char path[512];
    snprintf(path, sizeof path, "/nodes/%s/tasks/%s/status", node, upid);
    int64_t deadline = ds_clock_mono_ns() + 60 * DS_NS_PER_S;
    while (ds_clock_mono_ns() < deadline) {
        json_t *d = NULL;
        assert_int_equal(e2e_api(f, "GET", path, NULL, &d), 200);
        const char *status = json_string_value(json_object_get(d, "status"));
        if (status && strcmp(status, "stopped") == 0) {
            char *es = strdup(json_string_value(json_object_get(d, "exitstatus")));
            json_decref(d);
            return es;
        }
        json_decref(d);
        ds_clock_sleep_ns(20 * DS_NS_PER_MS);
    }
    fail_msg("task %s did not end within 60 s", upid);
    return NULL;
}

void e2e_run_task(struct e2e *f, const char *method, const char *node, const char *path,
                  const char *body)
{
    json_t *d = NULL;
    assert_int_equal(e2e_api(f, method, path, body, &d), 200);
    char *es = e2e_wait_task(f, node, json_string_value(d));
    assert_string_equal(es, "OK");
    free(es);
    json_decref(d);
}

int e2e_cmdv(struct e2e *f, unsigned flags, const char *cmd, const char *config, char **out,
             json_t **doc, char **err, const char *const *extra)
{
    const char *args[48];
    size_t n = 0;
    args[n++] = "--connections";
    args[n++] = f->env.connections;
    if (flags & E2E_JSON) {
        args[n++] = "--output";
        args[n++] = "json";
    }
    if (flags & E2E_YES)
        args[n++] = "--yes";
    args[n++] = cmd;
    args[n++] = "--config";
    args[n++] = config ? config : f->env.config;
    args[n++] = "--users";
    args[n++] = f->env.users;
    for (size_t i = 0; extra && extra[i] && n < 47; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    char *o = NULL, *e = NULL;
    int rc = ds_run(&o, &e, args);
    if (rc != 0 && !err)
        fprintf(stderr, "%s exit %d; stderr:\n%s\n", cmd, rc, e);
    if (doc)
        *doc = json_loads(o, 0, NULL);
    if (out)
        *out = o;
    else
        free(o);
    if (err)
        *err = e;
    else
        free(e);
    return rc;
}

int e2e_cmd(struct e2e *f, unsigned flags, const char *cmd, const char *config, char **out,
            json_t **doc, char **err, ...)
{
    const char *extra[32];
    size_t n = 0;
    va_list ap;
    va_start(ap, err);
    for (const char *a = va_arg(ap, const char *); a && n < 31; a = va_arg(ap, const char *))
        extra[n++] = a;
    va_end(ap);
    extra[n] = NULL;
    return e2e_cmdv(f, flags, cmd, config, out, doc, err, extra);
}

size_t e2e_count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

void e2e_expect_in(const char *text, const char *fragment, const char *what)
{
    if (!strstr(text, fragment))
        fail_msg("%s lacks \"%s\"; it was:\n%s", what, fragment, text);
}

void e2e_expect_not_in(const char *text, const char *fragment, const char *what)
{
    if (strstr(text, fragment))
        fail_msg("%s has \"%s\"; it was:\n%s", what, fragment, text);
}

json_t *e2e_student(json_t *doc, const char *user)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(doc, "students"), i, s)
    {
        if (strcmp(json_string_value(json_object_get(s, "user")), user) == 0)
            return s;
    }
    fail_msg("no student %s in the report", user);
    return NULL;
}

int e2e_vm_of(struct e2e *f, const char *pool, const char *name, char node[64])
{
    json_t *st = simproc_state(&f->sp);
    json_t *vm = e2e_vm_named(st, pool, name);
    if (!vm)
        fail_msg("no VM '%s' in pool %s", name, pool);
    int vmid = (int)json_integer_value(json_object_get(vm, "vmid"));
    snprintf(node, 64, "%s", json_string_value(json_object_get(vm, "node")));
    json_decref(st);
    return vmid;
}

json_t *e2e_vm_named(json_t *state, const char *pool, const char *name)
{
    size_t i;
    json_t *vm;
    json_array_foreach(json_object_get(state, "vms"), i, vm)
    {
        const char *p = json_string_value(json_object_get(vm, "pool"));
        const char *n = json_string_value(json_object_get(json_object_get(vm, "config"), "name"));
        if (p && n && strcmp(p, pool) == 0 && strcmp(n, name) == 0)
            return vm;
    }
    return NULL;
}

json_t *e2e_vm_id(json_t *state, int vmid)
{
    size_t i;
    json_t *vm;
    json_array_foreach(json_object_get(state, "vms"), i, vm)
    {
        if (json_integer_value(json_object_get(vm, "vmid")) == vmid)
            return vm;
    }
    return NULL;
}

json_t *e2e_node(json_t *state, const char *name)
{
    size_t i;
    json_t *n;
    json_array_foreach(json_object_get(state, "nodes"), i, n)
    {
        if (strcmp(json_string_value(json_object_get(n, "node")), name) == 0)
            return n;
    }
    return NULL;
}

int e2e_marked_objects(struct e2e *f, const char *stand, const char *user)
{
    json_t *st = simproc_state(&f->sp);
    int n = 0;
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(st, "vms"), i, x)
    {
        n +=
            mark_is(json_string_value(json_object_get(json_object_get(x, "config"), "description")),
                    stand, user);
    }
    json_array_foreach(json_object_get(st, "nodes"), i, x)
    {
        const char *iface;
        json_t *nic;
        json_object_foreach(json_object_get(x, "network"), iface, nic)
        {
            n += mark_is(json_string_value(json_object_get(nic, "comments")), stand, user);
        }
    }
    json_t *u = json_object_get(json_object_get(st, "users"), user);
    n += u && mark_is(json_string_value(json_object_get(u, "comment")), stand, user);
    json_decref(st);
    return n;
}

long e2e_answers(struct e2e *f, const char *method, const char *suffix, const char *status)
{
    json_t *stats = simproc_stats(&f->sp);
    assert_non_null(stats);
    long n = 0;
    const char *ep;
    json_t *codes;
    size_t sl = strlen(suffix), ml = strlen(method);
    json_object_foreach(json_object_get(stats, "requests"), ep, codes)
    {
        size_t el = strlen(ep);
        if (strncmp(ep, method, ml) == 0 && ep[ml] == ' ' && el >= sl &&
            strcmp(ep + el - sl, suffix) == 0)
            n += (long)json_integer_value(json_object_get(codes, status));
    }
    json_decref(stats);
    return n;
}
