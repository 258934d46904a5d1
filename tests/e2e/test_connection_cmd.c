/* test_connection_cmd: `deploy-stand connection` against the simulator: add pins the certificate
 * and stores the password encrypted, encrypt converts a file in place, a changed certificate is
 * refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/connections.h"
#include "e2e_fixture.h"
#include "scratch.h"
#include "store/secrets.h"

#define ROOT_PW "sim-root-password"
#define WRONG_PW "wrong-Secret-42x"
#define PASSPHRASE "e2e-passphrase-Zq9"

static const char *const SIM_ARGS[] = {"--scenario", "classroom", "--time-scale", "0.01", NULL};

/* Everything the binary printed in this test program, checked for secrets at the end. */
static char *all_output;
static size_t all_len;

static void output_keep(const char *s)
{
    size_t n = strlen(s);
    all_output = realloc(all_output, all_len + n + 2);
    memcpy(all_output + all_len, s, n);
    all_len += n;
    all_output[all_len++] = '\n';
    all_output[all_len] = '\0';
}

/* ds_run_in that keeps both outputs for test_no_secret_in_any_output. */
static int run_in(const char *input, char **out, char **err, const char *const *args)
{
    char *o = NULL, *e = NULL;
    int rc = ds_run_in(input, &o, &e, args);
    output_keep(o);
    output_keep(e);
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

static int setup(void **st)
{
    if (e2e_setup(st, SIM_ARGS) < 0)
        return -1;
    unsetenv("DEPLOY_STAND_PASSPHRASE");
    return 0;
}

/* connection add NAME --host 127.0.0.1:PORT --user root@pam --password-stdin [extra] */
static int add_conn(const char *file, const char *name, unsigned port, const char *pw,
                    const char *extra1, const char *extra2, char **out, char **err)
{
    char host[64], input[128];
    snprintf(host, sizeof host, "127.0.0.1:%u", port);
    snprintf(input, sizeof input, "%s\n", pw);
    const char *args[] = {"--connections", file,   "connection", "add",      name,
                          "--host",        host,   "--user",     "root@pam", "--password-stdin",
                          extra1,          extra2, NULL};
    return run_in(input, out, err, args);
}

/* connection add without trust, with another fingerprint, with a wrong password: no file. */
static void add_refusals(struct e2e *c, const char *file)
{
    char *out = NULL, *err = NULL;
    /* no terminal and no --trust: shows the certificate but saves nothing */
    assert_int_equal(add_conn(file, "lab", c->sp.port, ROOT_PW, NULL, NULL, &out, &err), 2);
    e2e_expect_in(out, c->sp.fingerprint, "stdout");
    e2e_expect_in(out, "subject:  CN=127.0.0.1", "stdout");
    e2e_expect_in(err, "no terminal to ask whether to trust", "stderr");
    assert_int_equal(access(file, F_OK), -1);
    free(out);
    free(err);

    /* --fingerprint that is not the server's */
    const char *other = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:"
                        "88:99:AA:BB:CC:DD:EE:FF";
    assert_int_equal(add_conn(file, "lab", c->sp.port, ROOT_PW, "--fingerprint", other, &out, &err),
                     1);
    e2e_expect_in(err, "does not match --fingerprint", "stderr");
    assert_int_equal(access(file, F_OK), -1);
    free(out);
    free(err);

    /* a wrong password: the login through the pin fails, nothing is saved */
    assert_int_equal(add_conn(file, "lab", c->sp.port, WRONG_PW, "--trust", NULL, &out, &err), 1);
    e2e_expect_in(err, "nothing was saved", "stderr");
    assert_int_equal(access(file, F_OK), -1);
    free(out);
    free(err);
}

/* With lab and lab2 in file: --default moves the default, list, test, delete (needs --yes). */
static void default_list_test_delete(const char *file)
{
    char *out = NULL, *err = NULL;
    const char *def[] = {"--connections", file, "connection", "default", "lab2", NULL};
    assert_int_equal(run_in(NULL, &out, &err, def), 0);
    free(out);
    free(err);
    const char *list[] = {"--connections", file, "--output", "json", "connection", "list", NULL};
    assert_int_equal(run_in(NULL, &out, &err, list), 0);
    json_t *j = json_loads(out, 0, NULL);
    assert_non_null(j);
    json_t *arr = json_object_get(j, "connections");
    assert_int_equal(json_array_size(arr), 2);
    json_t *l1 = json_array_get(arr, 0), *l2 = json_array_get(arr, 1);
    assert_string_equal(json_string_value(json_object_get(l1, "name")), "lab");
    assert_string_equal(json_string_value(json_object_get(l1, "secret")), "encrypted");
    assert_string_equal(json_string_value(json_object_get(l1, "tls")), "pinned");
    assert_false(json_is_true(json_object_get(l1, "default")));
    assert_true(json_is_true(json_object_get(l2, "default")));
    json_decref(j);
    free(out);
    free(err);

    /* test logs in through the pin; delete needs --yes */
    const char *test[] = {"--connections", file, "connection", "test", "lab", NULL};
    assert_int_equal(run_in(NULL, &out, &err, test), 0);
    e2e_expect_in(out, "logged in to 127.0.0.1", "stdout");
    e2e_expect_in(out, "Proxmox VE 8.4", "stdout");
    free(out);
    free(err);
    const char *del[] = {"--connections", file, "connection", "delete", "lab2", NULL};
    assert_int_equal(run_in(NULL, &out, &err, del), 2);
    free(out);
    free(err);
    const char *del_yes[] = {"--connections", file, "--yes", "connection", "delete", "lab2", NULL};
    assert_int_equal(run_in(NULL, &out, &err, del_yes), 0);
    free(out);
    free(err);
    char *text = file_text(file);
    assert_null(strstr(text, "lab2"));
    e2e_expect_in(text, "lab:\n", "the file");
    free(text);
}

static void test_add_trust(void **st)
{
    struct e2e *c = *st;
    char *file = e2e_path(c, "added.yml"), *out = NULL, *err = NULL;
    add_refusals(c, file);

    /* --trust: saved, pinned, encrypted, 0600 */
    int rc = add_conn(file, "lab", c->sp.port, ROOT_PW, "--trust", NULL, &out, &err);
    if (rc != 0)
        fail_msg("connection add exit %d:\n%s", rc, err);
    e2e_expect_in(out, "Trusted (--trust)", "stdout");
    e2e_expect_in(out, "Proxmox VE 8.4", "stdout");
    e2e_expect_in(out, "Saved connection 'lab'", "stdout");
    free(out);
    free(err);
    assert_int_equal(file_mode(file), 0600);
    char *text = file_text(file);
    char want[256];
    snprintf(want, sizeof want, "  fingerprint: \"%s\"\n", c->sp.fingerprint);
    e2e_expect_in(text, want, "the file");
    e2e_expect_in(text, "  password: enc:v1:", "the file");
    assert_null(strstr(text, ROOT_PW));
    free(text);

    /* the same fingerprint with --fingerprint is accepted, and --default moves the default */
    rc =
        add_conn(file, "lab2", c->sp.port, ROOT_PW, "--fingerprint", c->sp.fingerprint, &out, &err);
    if (rc != 0)
        fail_msg("connection add lab2 exit %d:\n%s", rc, err);
    free(out);
    free(err);
    default_list_test_delete(file);
    free(file);
}

static const char PLAIN_FILE[] = "# Connections for the lab (this comment stays)\n"
                                 "sim:   # the simulator\n"
                                 "  host: 127.0.0.1:%u\n"
                                 "  user: root@pam\n"
                                 "  password: \"" ROOT_PW "\"   # will be encrypted\n"
                                 "  fingerprint: \"%s\"\n"
                                 "  default: true\n"
                                 "# end of file\n";

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* Every credentials row of the state is enc:v1 and holds none of the given passwords. */
static void state_check_encrypted(struct e2e *c, json_t *result)
{
    char db[400];
    snprintf(db, sizeof db, "%s/state/deploy-stand/state.db", c->env.dir);
    sqlite3 *raw;
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_open_v2(db, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(raw, "SELECT password FROM credentials", -1, &s, NULL),
                     SQLITE_OK);
    int rows = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *col = (const char *)sqlite3_column_text(s, 0);
        assert_true(strncmp(col, "enc:v1:", 7) == 0);
        size_t i;
        json_t *stu;
        json_array_foreach(json_object_get(result, "students"), i, stu)
        {
            const char *pw = json_string_value(json_object_get(stu, "password"));
            assert_non_null(pw);
            assert_null(strstr(col, pw));
        }
        rows++;
    }
    sqlite3_finalize(s);
    sqlite3_close(raw);
    assert_int_equal(rows, (int)json_array_size(json_object_get(result, "students")));
}

static void test_encrypt_in_place(void **st)
{
    struct e2e *c = *st;
    char text[1024];
    snprintf(text, sizeof text, PLAIN_FILE, c->sp.port, c->sp.fingerprint);
    char *file = e2e_path(c, "plain.yml"), *out = NULL, *err = NULL;
    ds_write_file(&c->env, "plain.yml", text);

    /* plaintext is read, with one warning naming the file and the fix */
    const char *test[] = {"--connections", file, "connection", "test", NULL};
    assert_int_equal(run_in(NULL, &out, &err, test), 0);
    const char *w = strstr(err, "warning: ");
    assert_non_null(w);
    assert_null(strstr(w + 1, "warning: "));
    e2e_expect_in(err, file, "stderr");
    e2e_expect_in(err, "deploy-stand connection encrypt --connections", "stderr");
    free(out);
    free(err);

    const char *enc[] = {"--connections", file, "connection", "encrypt", NULL};
    assert_int_equal(run_in(NULL, &out, &err, enc), 0);
    e2e_expect_in(out, "encrypted 1 secret", "stdout");
    free(out);
    free(err);
    char *after = file_text(file);
    assert_null(strstr(after, ROOT_PW));
    assert_int_equal(count_lines(after), count_lines(text));
    /* every line but the password's is unchanged, in the same order */
    char *a = after, *b = text;
    for (int i = 0; i < count_lines(text); i++) {
        char *na = strchr(a, '\n'), *nb = strchr(b, '\n');
        if (i == 4) {
            assert_true(strncmp(a, "  password: \"enc:v1:", 20) == 0);
            assert_true(na - a > 30);
            assert_true(strncmp(na - 23, "\"   # will be encrypted", 23) == 0);
        } else {
            assert_int_equal(na - a, nb - b);
            assert_memory_equal(a, b, (size_t)(na - a));
        }
        a = na + 1;
        b = nb + 1;
    }
    assert_int_equal(file_mode(file), 0600);

    /* idempotent: a second run changes nothing */
    assert_int_equal(run_in(NULL, &out, &err, enc), 0);
    e2e_expect_in(out, "nothing to do", "stdout");
    free(out);
    free(err);
    char *again = file_text(file);
    assert_string_equal(again, after);
    free(again);
    free(after);

    /* no warning any more, and a deploy works with it; the state holds encrypted passwords */
    assert_int_equal(run_in(NULL, &out, &err, test), 0);
    assert_null(strstr(err, "warning: "));
    free(out);
    free(err);
    ds_write_users(&c->env, 2);
    const char *deploy[] = {"--connections", file,         "--output", "json",
                            "--yes",         "deploy",     "--config", c->env.config,
                            "--users",       c->env.users, NULL};
    int rc = run_in(NULL, &out, &err, deploy);
    if (rc != 0)
        fail_msg("deploy exit %d:\n%s", rc, err);
    json_t *res = json_loads(out, 0, NULL);
    assert_non_null(res);
    free(out);
    free(err);
    state_check_encrypted(c, res);
    json_decref(res);
    free(file);
}

static void test_encrypt_passphrase(void **st)
{
    struct e2e *c = *st;
    char text[1024];
    snprintf(text, sizeof text, PLAIN_FILE, c->sp.port, c->sp.fingerprint);
    char *file = e2e_path(c, "pass.yml"), *out = NULL, *err = NULL;
    ds_write_file(&c->env, "pass.yml", text);
    setenv("DEPLOY_STAND_PASSPHRASE", PASSPHRASE, 1);
    const char *enc[] = {"--connections", file, "connection", "encrypt", NULL};
    assert_int_equal(run_in(NULL, &out, &err, enc), 0);
    e2e_expect_in(out, "DEPLOY_STAND_PASSPHRASE", "stdout");
    free(out);
    free(err);
    char *after = file_text(file);
    e2e_expect_in(after, "password: \"enc:v1:p:", "the file");
    free(after);
    const char *test[] = {"--connections", file, "connection", "test", NULL};
    assert_int_equal(run_in(NULL, &out, &err, test), 0);
    free(out);
    free(err);
    /* without the passphrase (and no terminal): a located error saying what to check */
    unsetenv("DEPLOY_STAND_PASSPHRASE");
    assert_int_equal(run_in(NULL, &out, &err, test), 2);
    e2e_expect_in(err, ":5:13: cannot decrypt 'password'", "stderr");
    e2e_expect_in(err, "DEPLOY_STAND_PASSPHRASE", "stderr");
    free(out);
    free(err);
    free(file);
}

/* Quoted, single-quoted (with an escaped quote), flow-style and already-encrypted values. */
static void test_encrypt_shapes(void **st)
{
    struct e2e *c = *st;
    char *pre = NULL;
    assert_int_equal(secret_encrypt("secret-pre", &pre), 0);
    char text[2048];
    snprintf(text, sizeof text,
             "a:\n  host: pve1\n  user: root@pam\n  password: \"secret-dq\"\n"
             "b:\n  host: pve1\n  user: ds@pve\n  use_token: true\n  token_name: tok\n"
             "  token_value: 'secret-''sq'\n"
             "# flow style\n"
             "c: {host: pve1, user: root@pam, password: secret-flow}\n"
             "d:\n  host: pve1\n  user: root@pam\n  password: %s\n",
             pre);
    char *file = e2e_path(c, "shapes.yml"), *out = NULL, *err = NULL;
    ds_write_file(&c->env, "shapes.yml", text);
    const char *enc[] = {"--connections", file, "connection", "encrypt", NULL};
    assert_int_equal(run_in(NULL, &out, &err, enc), 0);
    e2e_expect_in(out, "encrypted 3 secrets", "stdout");
    free(out);
    free(err);
    char *after = file_text(file);
    assert_null(strstr(after, "secret-"));
    e2e_expect_in(after,
                  "# flow style\nc: {host: pve1, user: root@pam, password: enc:v1:", "the file");
    e2e_expect_in(after, "  token_value: 'enc:v1:", "the file");
    e2e_expect_in(after, pre, "the file"); /* untouched */
    free(after);
    /* the loader reads the same secrets back */
    struct diag_list d = {0};
    struct connections *cs = NULL;
    assert_int_equal(connections_load_ex(file, CONN_LOAD_QUIET, &cs, &d), 0);
    assert_int_equal(cs->n_plaintext, 0);
    assert_string_equal(cs->items[0].password, "secret-dq");
    assert_string_equal(cs->items[1].token_value, "secret-'sq");
    assert_string_equal(cs->items[2].password, "secret-flow");
    assert_string_equal(cs->items[3].password, "secret-pre");
    connections_free(cs);
    secret_free(pre);
    free(file);
}

static void test_changed_certificate(void **st)
{
    struct e2e *c = *st;
    struct simproc b;
    assert_int_equal(simproc_start(&b, SIM_ARGS), 0);
    assert_string_not_equal(b.fingerprint, c->sp.fingerprint);
    char *file = e2e_path(c, "changed.yml"), *out = NULL, *err = NULL;
    assert_int_equal(add_conn(file, "lab", c->sp.port, ROOT_PW, "--trust", NULL, &out, &err), 0);
    free(out);
    free(err);

    /* the same name now answers with another certificate (the node's port moved to B) */
    char *text = file_text(file), from[64], to[64];
    snprintf(from, sizeof from, "127.0.0.1:%u\"", c->sp.port);
    snprintf(to, sizeof to, "127.0.0.1:%u\"", b.port);
    char *at = strstr(text, from);
    assert_non_null(at);
    char moved[2048];
    snprintf(moved, sizeof moved, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    ds_write_file(&c->env, "changed.yml", moved);
    free(text);

    char want[400];
    snprintf(want, sizeof want, "does not match the pinned fingerprint (got %s, expected %s)",
             b.fingerprint, c->sp.fingerprint);
    const char *test[] = {"--connections", file, "connection", "test", NULL};
    assert_int_equal(run_in(NULL, &out, &err, test), 1);
    e2e_expect_in(err, want, "stderr");
    e2e_expect_in(err, "deploy-stand connection add lab", "stderr");
    free(out);
    free(err);
    const char *deploy[] = {"--connections", file,      "--yes",      "deploy", "--config",
                            c->env.config,   "--users", c->env.users, NULL};
    assert_int_equal(run_in(NULL, &out, &err, deploy), 1);
    e2e_expect_in(err, want, "stderr");
    e2e_expect_in(err, "hint: ", "stderr");
    e2e_expect_in(err, "connection add lab", "stderr");
    free(out);
    free(err);
    assert_int_equal(ds_total_requests(&b), 0); /* refused during the handshake */

    /* after checking, pinning the new certificate again replaces the entry */
    assert_int_equal(
        add_conn(file, "lab", b.port, ROOT_PW, "--fingerprint", b.fingerprint, &out, &err), 0);
    e2e_expect_in(out, "Replaced connection 'lab'", "stdout");
    free(out);
    free(err);
    text = file_text(file);
    e2e_expect_in(text, b.fingerprint, "the file");
    assert_null(strstr(text, c->sp.fingerprint));
    free(text);
    assert_int_equal(run_in(NULL, &out, &err, test), 0);
    free(out);
    free(err);
    simproc_stop(&b);
    free(file);
}

static void test_no_secret_in_any_output(void **st)
{
    (void)st;
    assert_non_null(all_output);
    assert_true(all_len > 1000);
    static const char *const secrets[] = {ROOT_PW,      WRONG_PW,      PASSPHRASE,    "secret-dq",
                                          "secret-'sq", "secret-''sq", "secret-flow", "secret-pre"};
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
        if (strstr(all_output, secrets[i]))
            fail_msg("the output of deploy-stand shows the test secret #%zu", i);
    free(all_output);
    all_output = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_trust),           cmocka_unit_test(test_encrypt_in_place),
        cmocka_unit_test(test_encrypt_passphrase),  cmocka_unit_test(test_encrypt_shapes),
        cmocka_unit_test(test_changed_certificate), cmocka_unit_test(test_no_secret_in_any_output),
    };
    return cmocka_run_group_tests(tests, setup, e2e_teardown);
}
