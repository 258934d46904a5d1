/* test_connection_cmd: `deploy-stand connection` against the simulator: add pins the certificate
 * and stores the password encrypted, encrypt converts a file in place, a changed certificate is
 * refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/connections.h"
#include "ds_run.h"
#include "store/secrets.h"

#define ROOT_PW "sim-root-password"
#define WRONG_PW "wrong-Secret-42x"
#define PASSPHRASE "e2e-passphrase-Zq9"

static const char *const SIM_ARGS[] = {"--scenario", "classroom", "--time-scale", "0.01", NULL};

struct ctx {
    struct simproc sp;
    struct ds_env env;
};

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

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = '\0';
    fclose(f);
    return buf;
}

/* Runs deploy-stand ARGS with `input` on stdin (NULL: /dev/null); captures both outputs. */
static int run_in(const char *input, char **out, char **err, const char *const *args)
{
    char bin[512], ipath[] = "/tmp/ds-in-XXXXXX", opath[] = "/tmp/ds-out-XXXXXX",
                   epath[] = "/tmp/ds-err-XXXXXX";
    const char *dir = getenv("DS_BIN");
    snprintf(bin, sizeof bin, "%s/deploy-stand", dir ? dir : ".");
    int ifd = mkstemp(ipath), ofd = mkstemp(opath), efd = mkstemp(epath);
    assert_true(ifd >= 0 && ofd >= 0 && efd >= 0);
    if (input)
        assert_int_equal(write(ifd, input, strlen(input)), (ssize_t)strlen(input));
    lseek(ifd, 0, SEEK_SET);
    size_t n = 0;
    while (args[n])
        n++;
    char **argv = calloc(n + 2, sizeof *argv);
    argv[0] = bin;
    for (size_t i = 0; i < n; i++)
        argv[i + 1] = (char *)args[i];
    pid_t pid = fork();
    if (pid == 0) {
        dup2(ifd, 0);
        dup2(ofd, 1);
        dup2(efd, 2);
        execv(bin, argv);
        _exit(127);
    }
    free(argv);
    int status = 0;
    waitpid(pid, &status, 0);
    close(ifd);
    close(ofd);
    close(efd);
    char *o = slurp(opath), *e = slurp(epath);
    unlink(ipath);
    unlink(opath);
    unlink(epath);
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
    if (WIFSIGNALED(status))
        fail_msg("deploy-stand died with signal %d", WTERMSIG(status));
    return WEXITSTATUS(status);
}

static void expect_has(const char *text, const char *what, const char *fragment)
{
    if (!strstr(text, fragment))
        fail_msg("%s lacks \"%s\":\n%s", what, fragment, text);
}

static int setup(void **st)
{
    struct ctx *c = calloc(1, sizeof *c);
    if (simproc_start(&c->sp, SIM_ARGS) < 0)
        return -1;
    ds_env_init(&c->env, &c->sp, NULL, NULL);
    unsetenv("DEPLOY_STAND_PASSPHRASE");
    *st = c;
    return 0;
}

static int teardown(void **st)
{
    struct ctx *c = *st;
    simproc_stop(&c->sp);
    ds_env_free(&c->env);
    free(c);
    return 0;
}

static char *file_in(struct ctx *c, const char *name)
{
    char *p;
    if (asprintf(&p, "%s/%s", c->env.dir, name) < 0)
        abort();
    return p;
}

static int file_mode(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (int)(sb.st_mode & 07777) : -1;
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

static void test_add_trust(void **st)
{
    struct ctx *c = *st;
    char *file = file_in(c, "added.yml"), *out = NULL, *err = NULL;

    /* no terminal and no --trust: shows the certificate but saves nothing */
    assert_int_equal(add_conn(file, "lab", c->sp.port, ROOT_PW, NULL, NULL, &out, &err), 2);
    expect_has(out, "stdout", c->sp.fingerprint);
    expect_has(out, "stdout", "subject:  CN=127.0.0.1");
    expect_has(err, "stderr", "no terminal to ask whether to trust");
    assert_int_equal(access(file, F_OK), -1);
    free(out);
    free(err);

    /* --fingerprint that is not the server's */
    const char *other = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:"
                        "88:99:AA:BB:CC:DD:EE:FF";
    assert_int_equal(add_conn(file, "lab", c->sp.port, ROOT_PW, "--fingerprint", other, &out, &err),
                     1);
    expect_has(err, "stderr", "does not match --fingerprint");
    assert_int_equal(access(file, F_OK), -1);
    free(out);
    free(err);

    /* a wrong password: the login through the pin fails, nothing is saved */
    assert_int_equal(add_conn(file, "lab", c->sp.port, WRONG_PW, "--trust", NULL, &out, &err), 1);
    expect_has(err, "stderr", "nothing was saved");
    assert_int_equal(access(file, F_OK), -1);
    free(out);
    free(err);

    /* --trust: saved, pinned, encrypted, 0600 */
    int rc = add_conn(file, "lab", c->sp.port, ROOT_PW, "--trust", NULL, &out, &err);
    if (rc != 0)
        fail_msg("connection add exit %d:\n%s", rc, err);
    expect_has(out, "stdout", "Trusted (--trust)");
    expect_has(out, "stdout", "Proxmox VE 8.4");
    expect_has(out, "stdout", "Saved connection 'lab'");
    free(out);
    free(err);
    assert_int_equal(file_mode(file), 0600);
    char *text = slurp(file);
    char want[256];
    snprintf(want, sizeof want, "  fingerprint: \"%s\"\n", c->sp.fingerprint);
    expect_has(text, "the file", want);
    expect_has(text, "the file", "  password: enc:v1:");
    assert_null(strstr(text, ROOT_PW));
    free(text);

    /* the same fingerprint with --fingerprint is accepted, and --default moves the default */
    rc =
        add_conn(file, "lab2", c->sp.port, ROOT_PW, "--fingerprint", c->sp.fingerprint, &out, &err);
    if (rc != 0)
        fail_msg("connection add lab2 exit %d:\n%s", rc, err);
    free(out);
    free(err);
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
    expect_has(out, "stdout", "logged in to 127.0.0.1");
    expect_has(out, "stdout", "Proxmox VE 8.4");
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
    text = slurp(file);
    assert_null(strstr(text, "lab2"));
    expect_has(text, "the file", "lab:\n");
    free(text);
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
static void state_check_encrypted(struct ctx *c, json_t *result)
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
    struct ctx *c = *st;
    char text[1024];
    snprintf(text, sizeof text, PLAIN_FILE, c->sp.port, c->sp.fingerprint);
    char *file = file_in(c, "plain.yml"), *out = NULL, *err = NULL;
    ds_write_file(&c->env, "plain.yml", text);

    /* plaintext is read, with one warning naming the file and the fix */
    const char *test[] = {"--connections", file, "connection", "test", NULL};
    assert_int_equal(run_in(NULL, &out, &err, test), 0);
    const char *w = strstr(err, "warning: ");
    assert_non_null(w);
    assert_null(strstr(w + 1, "warning: "));
    expect_has(err, "stderr", file);
    expect_has(err, "stderr", "deploy-stand connection encrypt --connections");
    free(out);
    free(err);

    const char *enc[] = {"--connections", file, "connection", "encrypt", NULL};
    assert_int_equal(run_in(NULL, &out, &err, enc), 0);
    expect_has(out, "stdout", "encrypted 1 secret");
    free(out);
    free(err);
    char *after = slurp(file);
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
    expect_has(out, "stdout", "nothing to do");
    free(out);
    free(err);
    char *again = slurp(file);
    assert_string_equal(again, after);
    free(again);
    free(after);

    /* no warning any more, and a deploy works with it; the state holds encrypted passwords */
    assert_int_equal(run_in(NULL, &out, &err, test), 0);
    assert_null(strstr(err, "warning: "));
    free(out);
    free(err);
    ds_write_users(&c->env, 2);
    const char *deploy[] = {"--connections", file,          "--output", "json",       "deploy",
                            "--config",      c->env.config, "--users",  c->env.users, NULL};
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
    struct ctx *c = *st;
    char text[1024];
    snprintf(text, sizeof text, PLAIN_FILE, c->sp.port, c->sp.fingerprint);
    char *file = file_in(c, "pass.yml"), *out = NULL, *err = NULL;
    ds_write_file(&c->env, "pass.yml", text);
    setenv("DEPLOY_STAND_PASSPHRASE", PASSPHRASE, 1);
    const char *enc[] = {"--connections", file, "connection", "encrypt", NULL};
    assert_int_equal(run_in(NULL, &out, &err, enc), 0);
    expect_has(out, "stdout", "DEPLOY_STAND_PASSPHRASE");
    free(out);
    free(err);
    char *after = slurp(file);
    expect_has(after, "the file", "password: \"enc:v1:p:");
    free(after);
    const char *test[] = {"--connections", file, "connection", "test", NULL};
    assert_int_equal(run_in(NULL, &out, &err, test), 0);
    free(out);
    free(err);
    /* without the passphrase (and no terminal): a located error saying what to check */
    unsetenv("DEPLOY_STAND_PASSPHRASE");
    assert_int_equal(run_in(NULL, &out, &err, test), 2);
    expect_has(err, "stderr", ":5:13: cannot decrypt 'password'");
    expect_has(err, "stderr", "DEPLOY_STAND_PASSPHRASE");
    free(out);
    free(err);
    free(file);
}

/* Quoted, single-quoted (with an escaped quote), flow-style and already-encrypted values. */
static void test_encrypt_shapes(void **st)
{
    struct ctx *c = *st;
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
    char *file = file_in(c, "shapes.yml"), *out = NULL, *err = NULL;
    ds_write_file(&c->env, "shapes.yml", text);
    const char *enc[] = {"--connections", file, "connection", "encrypt", NULL};
    assert_int_equal(run_in(NULL, &out, &err, enc), 0);
    expect_has(out, "stdout", "encrypted 3 secrets");
    free(out);
    free(err);
    char *after = slurp(file);
    assert_null(strstr(after, "secret-"));
    expect_has(after, "the file",
               "# flow style\nc: {host: pve1, user: root@pam, password: enc:v1:");
    expect_has(after, "the file", "  token_value: 'enc:v1:");
    expect_has(after, "the file", pre); /* untouched */
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
    struct ctx *c = *st;
    struct simproc b;
    assert_int_equal(simproc_start(&b, SIM_ARGS), 0);
    assert_string_not_equal(b.fingerprint, c->sp.fingerprint);
    char *file = file_in(c, "changed.yml"), *out = NULL, *err = NULL;
    assert_int_equal(add_conn(file, "lab", c->sp.port, ROOT_PW, "--trust", NULL, &out, &err), 0);
    free(out);
    free(err);

    /* the same name now answers with another certificate (the node's port moved to B) */
    char *text = slurp(file), from[64], to[64];
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
    expect_has(err, "stderr", want);
    expect_has(err, "stderr", "deploy-stand connection add lab");
    free(out);
    free(err);
    const char *deploy[] = {"--connections", file,      "deploy",     "--config",
                            c->env.config,   "--users", c->env.users, NULL};
    assert_int_equal(run_in(NULL, &out, &err, deploy), 1);
    expect_has(err, "stderr", want);
    expect_has(err, "stderr", "hint: ");
    expect_has(err, "stderr", "connection add lab");
    free(out);
    free(err);
    assert_int_equal(ds_total_requests(&b), 0); /* refused during the handshake */

    /* after checking, pinning the new certificate again replaces the entry */
    assert_int_equal(
        add_conn(file, "lab", b.port, ROOT_PW, "--fingerprint", b.fingerprint, &out, &err), 0);
    expect_has(out, "stdout", "Replaced connection 'lab'");
    free(out);
    free(err);
    text = slurp(file);
    expect_has(text, "the file", b.fingerprint);
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
    return cmocka_run_group_tests(tests, setup, teardown);
}
