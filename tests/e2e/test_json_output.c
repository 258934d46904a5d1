/* test_json_output: with --output json a script reads one JSON document on stdout and only JSON
 * lines on stderr, for plan, deploy, status, creds, runs, destroy and a refused plan; values are
 * stable words; status --detailed-exitcode says 0 (as planned) or 2 (changes pending); a deploy
 * without a terminal and without --yes is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e_fixture.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int setup(void **st)
{
    static const char *const args[] = {"--scenario", "classroom", "--time-scale", "0.01", NULL};
    return e2e_setup(st, args);
}

/* Every line of err is a JSON object; returns how many there are. */
static size_t json_lines_only(const char *err, const char *what)
{
    size_t n = 0;
    char *copy = strdup(err ? err : ""), *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        json_error_t je;
        json_t *j = json_loads(line, 0, &je);
        if (!json_is_object(j))
            fail_msg("%s: a stderr line is not a JSON object: %s", what, line);
        json_decref(j);
        n++;
    }
    free(copy);
    return n;
}

/* stdout is exactly one JSON document (json_loads refuses anything after it). New reference. */
static json_t *one_document(const char *out, const char *what)
{
    json_error_t je;
    json_t *doc = json_loads(out ? out : "", 0, &je);
    if (!doc)
        fail_msg("%s: stdout is not one JSON document (%s):\n%s", what, je.text, out);
    return doc;
}

/* Runs cmd with --output json (and --yes when yes); checks both streams; returns the exit code
 * and, in *doc (may be NULL), the document. */
static int run_json(struct e2e *f, int yes, const char *cmd, const char *config, json_t **doc,
                    const char *extra)
{
    char *out = NULL, *err = NULL;
    int rc = e2e_cmd(f, E2E_JSON | (yes ? E2E_YES : 0), cmd, config, &out, NULL, &err, extra, NULL);
    json_lines_only(err, cmd);
    json_t *d = one_document(out, cmd);
    if (doc)
        *doc = d;
    else
        json_decref(d);
    free(out);
    free(err);
    return rc;
}

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static void test_deploy_needs_yes_without_terminal(void **st)
{
    struct e2e *f = *st;
    char *out = NULL, *err = NULL;
    assert_int_equal(e2e_cmd(f, E2E_JSON, "deploy", NULL, &out, NULL, &err, NULL), 2);
    assert_int_equal(json_lines_only(err, "deploy without --yes"), 1);
    e2e_expect_in(err, "\"level\":\"error\"", "deploy without --yes");
    e2e_expect_in(err, "needs --yes", "deploy without --yes");
    assert_string_equal(out, "");
    free(out);
    free(err);
    err = NULL;
    /* in text too, and nothing was sent */
    assert_int_equal(e2e_cmd(f, 0, "deploy", NULL, NULL, NULL, &err, NULL), 2);
    e2e_expect_in(err, "error: deploy creates users, pools and VMs; it needs --yes here", "text");
    free(err);
    assert_int_equal(ds_mutating_requests(&f->sp), 0);
}

static void test_scripted_run(void **st)
{
    struct e2e *f = *st;
    json_t *doc = NULL;
    assert_int_equal(run_json(f, 0, "plan", NULL, &doc, NULL), 0);
    assert_string_equal(str(doc, "kind"), "deploy");
    assert_true(json_array_size(json_object_get(doc, "actions")) > 0);
    json_decref(doc);

    /* nothing deployed yet: changes are pending */
    assert_int_equal(run_json(f, 0, "status", NULL, NULL, "--detailed-exitcode"), 2);

    assert_int_equal(run_json(f, 1, "deploy", NULL, &doc, NULL), 0);
    assert_int_equal(json_array_size(json_object_get(doc, "students")), 3);
    assert_string_equal(str(json_array_get(json_object_get(doc, "students"), 0), "password_state"),
                        "new");
    json_decref(doc);

    assert_int_equal(run_json(f, 0, "status", NULL, &doc, "--detailed-exitcode"), 0);
    json_t *s0 = json_array_get(json_object_get(doc, "students"), 0);
    assert_string_equal(str(s0, "state"), "deployed");
    assert_string_equal(str(s0, "user_state"), "ok");
    assert_string_equal(str(s0, "pool_state"), "ok");
    json_decref(doc);

    assert_int_equal(run_json(f, 0, "creds", NULL, &doc, NULL), 0);
    assert_string_equal(str(json_array_get(json_object_get(doc, "students"), 2), "password_state"),
                        "known");
    json_decref(doc);

    /* the journal: one document each, "runs" and one run's "actions" */
    const char *runs[] = {"--output", "json", "runs", NULL};
    char *out = NULL, *err = NULL;
    assert_int_equal(ds_run(&out, &err, runs), 0);
    json_lines_only(err, "runs");
    doc = one_document(out, "runs");
    json_t *last = json_array_get(json_object_get(doc, "runs"), 0);
    assert_string_equal(str(last, "command"), "deploy");
    assert_string_equal(str(last, "result"), "ok");
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(last, "id")));
    json_decref(doc);
    free(out);
    free(err);
    const char *show[] = {"--output", "json", "runs", "show", id, NULL};
    assert_int_equal(ds_run(&out, &err, show), 0);
    json_lines_only(err, "runs show");
    doc = one_document(out, "runs show");
    assert_true(json_array_size(json_object_get(doc, "actions")) > 0);
    assert_string_equal(str(json_array_get(json_object_get(doc, "actions"), 0), "status"), "done");
    json_decref(doc);
    free(out);
    free(err);

    assert_int_equal(run_json(f, 1, "destroy", NULL, &doc, NULL), 0);
    assert_true(json_is_true(json_object_get(doc, "ok")));
    json_decref(doc);
}

/* A pool named like a student that this stand did not make: "exists_foreign" in JSON, "(not
 * ours)" in the table, and changes pending. */
static void test_foreign_pool(void **st)
{
    struct e2e *f = *st;
    assert_int_equal(e2e_login_root(f), 0);
    assert_int_equal(e2e_api(f, "POST", "/pools", "poolid=student2&comment=theirs", NULL), 200);
    json_t *doc = NULL;
    assert_int_equal(run_json(f, 0, "status", NULL, &doc, "--detailed-exitcode"), 2);
    json_t *s1 = json_array_get(json_object_get(doc, "students"), 1);
    assert_string_equal(str(s1, "pool_state"), "exists_foreign");
    assert_string_equal(str(s1, "user_state"), "missing");
    json_decref(doc);
    char *out = NULL;
    assert_int_equal(e2e_cmd(f, 0, "status", NULL, &out, NULL, NULL, NULL), 0);
    e2e_expect_in(out, "student2 (not ours)", "status table");
    e2e_expect_not_in(out, "student2 (missing)", "status table");
    e2e_expect_in(out, "student3 (missing)", "status table");
    free(out);
    assert_int_equal(e2e_api(f, "DELETE", "/pools/student2", NULL, NULL), 200);
}

/* A plan the cluster check refuses: exit 2, still one document with the problems. */
static void test_refused_plan(void **st)
{
    struct e2e *f = *st;
    const char *stand = "stand: demo-lab\nmachines:\n"
                        "  - {name: web, template_node: pve1, template_vmid: 999}\n";
    char cfg[400];
    snprintf(cfg, sizeof cfg, "%s", ds_write_file(&f->env, "missing.yml", stand));
    for (int yes = 0; yes <= 1; yes++) {
        json_t *doc = NULL;
        assert_int_equal(run_json(f, yes, yes ? "deploy" : "plan", cfg, &doc, NULL), 2);
        json_t *probs = json_object_get(doc, "problems");
        assert_int_equal(json_array_size(probs), 1);
        e2e_expect_in(json_string_value(json_array_get(probs, 0)), "template 999", "problems");
        json_decref(doc);
    }
    /* an input file with mistakes: the same, before the cluster is asked */
    snprintf(cfg, sizeof cfg, "%s",
             ds_write_file(&f->env, "bad.yml", "stand: x\nmachines:\n  - name: web\n"));
    json_t *doc = NULL;
    assert_int_equal(run_json(f, 0, "plan", cfg, &doc, NULL), 2);
    assert_false(json_is_true(json_object_get(doc, "ok")));
    assert_int_equal(json_array_size(json_object_get(doc, "problems")), 2);
    json_decref(doc);
    assert_int_equal(ds_mutating_requests(&f->sp), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_deploy_needs_yes_without_terminal, setup,
                                        e2e_teardown),
        cmocka_unit_test_setup_teardown(test_refused_plan, setup, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_scripted_run, setup, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_foreign_pool, setup, e2e_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
