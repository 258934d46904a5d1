/* test_creds: `deploy-stand creds` against the simulator after a deploy: every format (table, CSV,
 * JSON, HTML) holds the deploy's passwords, files are 0600, and unknown passwords are never made
 * up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e_fixture.h"
#include "scratch.h"
#include "ui/handout.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const SIM_ARGS[] = {"--scenario", "classroom", "--time-scale", "0.01", NULL};

struct ctx {
    struct e2e f;     /* first: e2e_teardown frees the whole ctx */
    json_t *deployed; /* the deploy's --output json */
};

static int setup(void **st)
{
    struct ctx *c = calloc(1, sizeof *c);
    if (!c || e2e_start(&c->f, SIM_ARGS, NULL, NULL) < 0) {
        free(c);
        return -1;
    }
    *st = c;
    return 0;
}

static int teardown(void **st)
{
    struct ctx *c = *st;
    json_decref(c->deployed);
    return e2e_teardown(st);
}

static void deploy(struct ctx *c)
{
    assert_int_equal(
        e2e_cmd(&c->f, E2E_JSON | E2E_YES, "deploy", NULL, NULL, &c->deployed, NULL, NULL), 0);
    assert_non_null(c->deployed);
}

/* Runs `creds` with the given extra arguments (NULL-terminated); stdout in *out. */
static int creds(struct ctx *c, char **out, const char *a1, const char *a2, const char *a3,
                 const char *a4)
{
    return e2e_cmd(&c->f, 0, "creds", NULL, out, NULL, NULL, a1, a2, a3, a4, NULL);
}

/* The deploy's password of `user` (the test fails when the deploy did not report the user). */
static const char *deployed_password(struct ctx *c, const char *user)
{
    return json_string_value(json_object_get(e2e_student(c->deployed, user), "password"));
}

static void out_path(struct ctx *c, char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", c->f.env.dir, name);
}

/* ---- a small RFC 4180 reader: rows of fields, quoted fields with doubled quotes ------------- */

struct csv {
    char *cells[16][8];
    int nrows, ncols[16];
};

static void csv_parse(const char *text, struct csv *out)
{
    memset(out, 0, sizeof *out);
    const char *p = text;
    while (*p && out->nrows < 16) {
        int r = out->nrows++;
        for (;;) {
            char buf[2048];
            size_t l = 0;
            if (*p == '"') {
                p++;
                for (;;) {
                    assert_true(*p != '\0'); /* an unterminated quoted field */
                    if (*p == '"' && p[1] == '"') {
                        buf[l++] = '"';
                        p += 2;
                    } else if (*p == '"') {
                        p++;
                        break;
                    } else {
                        buf[l++] = *p++;
                    }
                    assert_true(l < sizeof buf);
                }
            } else {
                while (*p && *p != ',' && *p != '\r' && *p != '\n' && l + 1 < sizeof buf)
                    buf[l++] = *p++;
            }
            buf[l] = '\0';
            assert_true(out->ncols[r] < 8);
            out->cells[r][out->ncols[r]++] = strdup(buf);
            if (*p == ',') {
                p++;
                continue;
            }
            /* every record ends with CRLF */
            assert_true(p[0] == '\r' && p[1] == '\n');
            p += 2;
            break;
        }
    }
}

static void csv_free(struct csv *c)
{
    for (int r = 0; r < c->nrows; r++)
        for (int k = 0; k < c->ncols[r]; k++)
            free(c->cells[r][k]);
}

static int csv_col(const struct csv *c, const char *name)
{
    for (int k = 0; k < c->ncols[0]; k++)
        if (strcmp(c->cells[0][k], name) == 0)
            return k;
    fail_msg("CSV header lacks column %s", name);
    return -1;
}

/* ---- tests --------------------------------------------------------------------------------- */

static const char *const USERS[] = {"student1@pve", "student2@pve", "student3@pve"};

/* Runs `creds --format FORMAT --out <temp folder>/NAME` (which must make a 0600 file, whose path
 * goes to path) and returns the file's text (malloc'd). */
static char *creds_file(struct ctx *c, const char *format, const char *name, char *path, size_t len)
{
    out_path(c, path, len, name);
    assert_int_equal(creds(c, NULL, "--format", format, "--out", path), 0);
    assert_int_equal(file_mode(path), 0600);
    return file_text(path);
}

/* Whether the VM `v` of the credentials is in the deploy's list `dvms` (same id, name, node). */
static int vm_deployed(json_t *v, json_t *dvms)
{
    for (size_t m = 0; m < json_array_size(dvms); m++) {
        json_t *dv = json_array_get(dvms, m);
        if (json_integer_value(json_object_get(v, "vmid")) ==
                json_integer_value(json_object_get(dv, "vmid")) &&
            strcmp(json_string_value(json_object_get(v, "name")),
                   json_string_value(json_object_get(dv, "name"))) == 0 &&
            strcmp(json_string_value(json_object_get(v, "node")),
                   json_string_value(json_object_get(dv, "node"))) == 0)
            return 1;
    }
    return 0;
}

/* JSON: the deploy's shape, passwords and VMs equal. */
static void check_json(struct ctx *c, const char *url)
{
    char path[400];
    free(creds_file(c, "json", "creds.json", path, sizeof path));
    json_t *j = json_load_file(path, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "stand")), "demo-lab");
    assert_string_equal(json_string_value(json_object_get(j, "console_url")), url);
    json_t *students = json_object_get(j, "students");
    assert_int_equal(json_array_size(students), 3);
    for (size_t i = 0; i < 3; i++) {
        json_t *s = json_array_get(students, i);
        json_t *d = json_array_get(json_object_get(c->deployed, "students"), i);
        assert_string_equal(json_string_value(json_object_get(s, "user")), USERS[i]);
        assert_string_equal(json_string_value(json_object_get(s, "password_state")), "known");
        assert_true(json_is_true(json_object_get(s, "ok")));
        const char *pw = json_string_value(json_object_get(s, "password"));
        assert_true(pw && strcmp(pw, deployed_password(c, USERS[i])) == 0);
        assert_string_equal(json_string_value(json_object_get(s, "pool")),
                            json_string_value(json_object_get(d, "pool")));
        json_t *vms = json_object_get(s, "vms"), *dvms = json_object_get(d, "vms");
        assert_int_equal(json_array_size(vms), json_array_size(dvms));
        assert_int_equal(json_array_size(vms), 3);
        for (size_t k = 0; k < json_array_size(vms); k++)
            assert_true(vm_deployed(json_array_get(vms, k), dvms));
    }
    json_decref(j);
}

/* CSV: RFC 4180, a header and one row per student. */
static void check_csv(struct ctx *c, const char *url)
{
    char path[400];
    char *text = creds_file(c, "csv", "creds.csv", path, sizeof path);
    struct csv csv;
    csv_parse(text, &csv);
    free(text);
    assert_int_equal(csv.nrows, 4);
    int cu = csv_col(&csv, "user"), cp = csv_col(&csv, "password"), cv = csv_col(&csv, "vms"),
        cs = csv_col(&csv, "password_state"), cc = csv_col(&csv, "console_url");
    for (int r = 1; r < 4; r++) {
        assert_int_equal(csv.ncols[r], csv.ncols[0]);
        assert_string_equal(csv.cells[r][cu], USERS[r - 1]);
        assert_true(strcmp(csv.cells[r][cp], deployed_password(c, USERS[r - 1])) == 0);
        assert_string_equal(csv.cells[r][cs], "known");
        assert_string_equal(csv.cells[r][cc], url);
        /* the VM list holds commas, so it must have been quoted to come back whole */
        assert_non_null(strstr(csv.cells[r][cv], "web ("));
        assert_non_null(strstr(csv.cells[r][cv], "router ("));
    }
    csv_free(&csv);
}

/* HTML: one card per student, with login, password, console URL and VMs. */
static void check_html(struct ctx *c, const char *url)
{
    char path[400];
    char *text = creds_file(c, "html", "handout.html", path, sizeof path);
    assert_int_equal((int)e2e_count(text, "<section class=\"card\">"), 3);
    assert_int_equal((int)e2e_count(text, "class=\"card\""), 3);
    assert_non_null(strstr(text, "<!DOCTYPE html>"));
    assert_non_null(strstr(text, "page-break-inside: avoid"));
    assert_null(strstr(text, "http://")); /* nothing external */
    assert_null(strstr(text, "<link"));   /* no stylesheet from elsewhere */
    assert_null(strstr(text, "<script")); /* no scripts */
    assert_int_equal((int)e2e_count(text, url), 3);
    for (size_t i = 0; i < 3; i++) {
        assert_non_null(strstr(text, USERS[i]));
        assert_true(strstr(text, deployed_password(c, USERS[i])) != NULL);
    }
    free(text);
}

static void test_every_format(void **st)
{
    struct ctx *c = *st;
    deploy(c);
    for (size_t i = 0; i < 3; i++)
        assert_non_null(deployed_password(c, USERS[i]));

    /* table on stdout */
    char *out = NULL;
    assert_int_equal(creds(c, &out, NULL, NULL, NULL, NULL), 0);
    for (size_t i = 0; i < 3; i++) {
        assert_non_null(strstr(out, USERS[i]));
        assert_true(strstr(out, deployed_password(c, USERS[i])) != NULL);
    }
    assert_non_null(strstr(out, "Credentials for stand 'demo-lab'"));
    free(out);

    char url[128];
    snprintf(url, sizeof url, "https://127.0.0.1:%u/", c->f.sp.port);
    check_json(c, url);
    check_csv(c, url);
    check_html(c, url);
}

/* A file that was there (world-readable) is replaced by a 0600 one; nothing is left behind when
 * writing fails; bad options are usage errors. */
static void test_files_and_usage(void **st)
{
    struct ctx *c = *st;
    deploy(c);
    char path[400];
    out_path(c, path, sizeof path, "old.csv");
    file_put(path, "stale\n");
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(creds(c, NULL, "--format", "csv", "--out", path), 0);
    assert_int_equal(file_mode(path), 0600);
    char *text = file_text(path);
    assert_null(strstr(text, "stale"));
    assert_non_null(strstr(text, "student3@pve"));
    free(text);

    out_path(c, path, sizeof path, "no-such-dir/creds.csv");
    assert_int_equal(creds(c, NULL, "--format", "csv", "--out", path), 1);
    assert_int_not_equal(access(path, F_OK), 0);

    assert_int_equal(creds(c, NULL, "--format", "pdf", NULL, NULL), 2);
    assert_int_equal(creds(c, NULL, "--out", NULL, NULL, NULL), 2);
    assert_int_equal(creds(c, NULL, "--bogus", NULL, NULL, NULL), 2);

    /* leftovers of the atomic write: none */
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls %s | grep -q tmp-", c->f.env.dir);
    assert_int_not_equal(system(cmd), 0);
}

/* Passwords the tool does not know are never made up: a student not deployed yet, a user that
 * existed before (unchanged), and a deployed student whose password is not in the state. */
static void test_unknown_passwords(void **st)
{
    struct ctx *c = *st;
    assert_int_equal(e2e_login_root(&c->f), 0);
    assert_int_equal(e2e_api(&c->f, "POST", "/access/users",
                             "userid=student2%40pve&password=teacher-set-pw", NULL),
                     200);
    deploy(c);
    ds_write_users(&c->f.env, 4); /* student4 is not deployed */

    char path[400];
    out_path(c, path, sizeof path, "c.json");
    assert_int_equal(creds(c, NULL, "--format", "json", "--out", path), 0);
    json_t *j = json_load_file(path, 0, NULL);
    assert_non_null(j);
    json_t *s = json_object_get(j, "students");
    assert_int_equal(json_array_size(s), 4);
    static const char *const want[] = {"known", "unchanged", "known", "not-deployed"};
    for (size_t i = 0; i < 4; i++) {
        json_t *x = json_array_get(s, i);
        assert_string_equal(json_string_value(json_object_get(x, "password_state")), want[i]);
        assert_int_equal(json_is_string(json_object_get(x, "password")), i == 0 || i == 2);
    }
    assert_int_equal(json_array_size(json_object_get(json_array_get(s, 3), "vms")), 0);
    assert_true(json_is_false(json_object_get(json_array_get(s, 3), "ok")));
    json_decref(j);

    char *out = NULL;
    assert_int_equal(creds(c, &out, NULL, NULL, NULL, NULL), 0);
    assert_non_null(strstr(out, "(unchanged)"));
    assert_non_null(strstr(out, "(not deployed)"));
    assert_null(strstr(out, "teacher-set-pw"));
    free(out);

    /* without the state file the passwords of our users are unknown */
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s/state", c->f.env.dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(creds(c, &out, "--format", "json", NULL, NULL), 0);
    j = json_loads(out, 0, NULL);
    free(out);
    assert_non_null(j);
    json_t *x = json_array_get(json_object_get(j, "students"), 0);
    assert_string_equal(json_string_value(json_object_get(x, "password_state")), "unknown");
    assert_true(json_is_null(json_object_get(x, "password")));
    json_decref(j);
}

/* The key file deleted, then replaced by another key: `creds` and a re-run of `deploy` say once
 * that the stored passwords cannot be read and what to do, instead of a silent "(unknown)". */
static void test_key_file_lost(void **st)
{
    struct ctx *c = *st;
    deploy(c);
    char *key = e2e_path(&c->f, "config/deploy-stand/secret.key");
    assert_int_equal(unlink(key), 0);
    char *out = NULL, *err = NULL;
    assert_int_equal(e2e_cmd(&c->f, 0, "creds", NULL, &out, NULL, &err, NULL), 0);
    e2e_expect_in(err, "3 stored passwords of stand 'demo-lab' cannot be read", "creds");
    e2e_expect_in(err, "does not exist", "creds");
    e2e_expect_in(err, "restore the key file", "creds");
    assert_int_equal(e2e_count(err, "cannot be read"), 1);
    e2e_expect_in(out, "(unknown)", "creds");
    free(out);
    free(err);
    file_put(key, "0123456789abcdef0123456789abcdef"); /* another key of the right size */
    assert_int_equal(chmod(key, 0600), 0);
    assert_int_equal(e2e_cmd(&c->f, E2E_YES, "deploy", NULL, NULL, NULL, &err, NULL), 0);
    e2e_expect_in(err, "3 stored passwords of stand 'demo-lab' cannot be read", "deploy");
    e2e_expect_in(err, "not the key", "deploy");
    free(err);
    free(key);
}

/* The hand-out escapes everything it prints (the renderer, called directly). */
static void test_handout_escapes(void **st)
{
    (void)st;
    struct cred_vm vms[] = {{.name = "<b>web</b>", .vmid = 5000, .node = "pve&1"}};
    struct cred_student s[] = {{.user = "a\"b'c@pve",
                                .password = "p<w>&\"'",
                                .pw_state = CRED_PW_KNOWN,
                                .pool = "a",
                                .node = "pve&1",
                                .vms = vms,
                                .n_vms = 1},
                               {.user = "x@pve", .pw_state = CRED_PW_UNCHANGED, .pool = "x"}};
    struct cred_sheet sh = {
        .stand = "<lab>", .console_url = "https://h:8006/?a=1&b=2", .students = s, .n = 2};
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_int_equal(handout_write_html(&sh, m), 0);
    fclose(m);
    assert_int_equal((int)e2e_count(buf, "class=\"card\""), 2);
    assert_non_null(strstr(buf, "p&lt;w&gt;&amp;&quot;&#39;"));
    assert_non_null(strstr(buf, "a&quot;b&#39;c@pve"));
    assert_non_null(strstr(buf, "&lt;b&gt;web&lt;/b&gt;"));
    assert_non_null(strstr(buf, "&lt;lab&gt;"));
    assert_non_null(strstr(buf, "https://h:8006/?a=1&amp;b=2"));
    assert_non_null(strstr(buf, "(unchanged)"));
    assert_null(strstr(buf, "<lab>"));
    assert_null(strstr(buf, "<b>web"));
    assert_null(strstr(buf, "p<w>"));
    free(buf);
}

int main(void)
{
    /* the texts checked here are the English ones */
    setenv("LC_ALL", "C.UTF-8", 1);
    unsetenv("LANGUAGE");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_files_and_usage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_passwords, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_file_lost, setup, teardown),
        cmocka_unit_test(test_handout_escapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
