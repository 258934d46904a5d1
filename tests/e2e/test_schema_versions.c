/* test_schema_versions: every request deploy-stand sends in a class's life (deploy, status, reset,
 * snapshots, power, destroy), as the simulator logged it (/__sim/requests), is valid for the API
 * of Proxmox VE 7.4, 8.4 and 9.1 alike: its endpoint exists and its parameters pass each
 * schema (the committed tables common/pve_schema_table*.json, extracted by pve-schema-extract). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e_fixture.h"
#include "pve_schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const SIM_ARGS[] = {"--scenario", "classroom", "--time-scale", "0.01", NULL};

/* The PVE releases and their committed tables (below $DS_SRC). */
static const struct {
    const char *release, *table;
} VERSIONS[] = {
    {"7.4", "common/pve_schema_table_pve7.4.json"},
    {"8.4", "common/pve_schema_table.json"},
    {"9.1", "common/pve_schema_table_pve9.1.json"},
};
#define N_VERSIONS (sizeof VERSIONS / sizeof VERSIONS[0])

static pve_schema *load_table(const char *rel)
{
    const char *src = getenv("DS_SRC");
    assert_non_null(src);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", src, rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    char *text = NULL;
    size_t len = 0, cap = 0, n;
    char buf[65536];
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        if (len + n > cap) {
            cap = (len + n) * 2;
            text = realloc(text, cap);
            assert_non_null(text);
        }
        memcpy(text + len, buf, n);
        len += n;
    }
    fclose(f);
    pve_schema *s = pve_schema_load_text(text, len);
    free(text);
    if (!s)
        fail_msg("%s is not a schema table", path);
    return s;
}

/* The problem PVE `release` has with one logged request (malloc'd), or NULL when it is valid. */
static char *request_problem(const pve_schema *s, const char *method, const char *path,
                             const json_t *params)
{
    const pve_endpoint *ep = NULL;
    json_t *pathp = NULL;
    enum pve_match mr = pve_schema_match(s, method, path, &ep, &pathp);
    if (mr != PVE_MATCH_OK)
        return strdup(mr == PVE_MATCH_NO_PATH ? "no such path" : "no such method on the path");
    json_t *all = json_deep_copy(params);
    json_object_update(all, pathp);
    json_decref(pathp);
    json_t *errors = pve_schema_validate(ep, all, NULL);
    json_decref(all);
    if (!errors)
        return NULL;
    char *e = json_dumps(errors, JSON_COMPACT | JSON_SORT_KEYS);
    char *out = NULL;
    if (asprintf(&out, "%s: %s", ep->key, e ? e : "?") < 0)
        out = NULL;
    free(e);
    json_decref(errors);
    return out ? out : strdup("invalid");
}

/* Runs "deploy-stand --yes CMD [A1 [A2]] --config .. --users .." that must succeed. */
static void must(struct e2e *c, const char *cmd, const char *a1, const char *a2)
{
    const char *args[12] = {"--connections", c->env.connections, "--yes", cmd};
    size_t n = 4;
    if (a1)
        args[n++] = a1;
    if (a2)
        args[n++] = a2;
    args[n++] = "--config";
    args[n++] = c->env.config;
    args[n++] = "--users";
    args[n++] = c->env.users;
    args[n] = NULL;
    char *out = NULL, *err = NULL;
    int rc = ds_run(&out, &err, args);
    if (rc != 0)
        fail_msg("`%s %s %s` exit %d: %s", cmd, a1 ? a1 : "", a2 ? a2 : "", rc, err ? err : "");
    free(out);
    free(err);
}

static void test_requests_valid_everywhere(void **st)
{
    struct e2e *c = *st;
    must(c, "deploy", NULL, NULL);
    must(c, "status", NULL, NULL);
    must(c, "snapshot", "create", "lab1");
    must(c, "stop", NULL, NULL);
    must(c, "start", NULL, NULL);
    must(c, "snapshot", "rollback", "lab1");
    must(c, "snapshot", "delete", "lab1");
    must(c, "reset", NULL, NULL);
    must(c, "destroy", NULL, NULL);

    struct rawresp r = {0};
    assert_int_equal(simproc_request(&c->sp, "GET", "/__sim/requests", NULL, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(r.json);
    assert_int_equal(json_integer_value(json_object_get(r.json, "dropped")), 0);
    json_t *reqs = json_object_get(r.json, "requests");
    assert_true(json_array_size(reqs) > 50);

    pve_schema *schemas[N_VERSIONS];
    for (size_t v = 0; v < N_VERSIONS; v++)
        schemas[v] = load_table(VERSIONS[v].table);
    /* the check itself tells the versions apart */
    json_t *pm = json_pack("{s:s}", "allow-move", "1");
    char *p74 = request_problem(schemas[0], "PUT", "/pools/p1", pm);
    char *p84 = request_problem(schemas[1], "PUT", "/pools/p1", pm);
    assert_non_null(p74);
    assert_non_null(strstr(p74, "allow-move"));
    assert_null(p84);
    free(p74);
    json_decref(pm);
    json_t *seen = json_object(); /* each problem once */
    size_t i;
    json_t *q;
    json_array_foreach(reqs, i, q)
    {
        const char *method = json_string_value(json_object_get(q, "method"));
        const char *path = json_string_value(json_object_get(q, "path"));
        for (size_t v = 0; v < N_VERSIONS; v++) {
            char *p = request_problem(schemas[v], method, path, json_object_get(q, "params"));
            char *line = NULL;
            if (p &&
                asprintf(&line, "PVE %s refuses %s %s (%s)", VERSIONS[v].release, method, path, p) >
                    0 &&
                !json_object_get(seen, line)) {
                fprintf(stderr, "%s\n", line);
                json_object_set_new(seen, line, json_true());
            }
            free(line);
            free(p);
        }
    }
    size_t problems = json_object_size(seen);
    fprintf(stderr, "checked %zu requests against PVE 7.4, 8.4 and 9.1\n", json_array_size(reqs));
    json_decref(seen);
    for (size_t v = 0; v < N_VERSIONS; v++)
        pve_schema_free(schemas[v]);
    rawresp_clear(&r);
    if (problems)
        fail_msg("%zu requests are invalid for some PVE version (listed above)", problems);
}

static int setup(void **st)
{
    return e2e_setup(st, SIM_ARGS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_requests_valid_everywhere, setup, e2e_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
