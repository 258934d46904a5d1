/* test_cli_errors: what the teacher sees when something is wrong: every bad input file gives
 * file:line:col and exit 2 with no request to the cluster; connection and cluster failures give a
 * clear error and exit 1 without a crash, and a failed student is rolled back; the usage errors
 * of the sub-commands and the global options come from the one parser and dispatcher. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ds_run.h"
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct ctx {
    struct simproc sp;
    struct ds_env env;
};

static int start(void **st, const char *const *args)
{
    struct ctx *c = calloc(1, sizeof *c);
    if (simproc_start(&c->sp, args) < 0)
        return -1;
    ds_env_init(&c->env, &c->sp, NULL, NULL);
    *st = c;
    return 0;
}

static int setup(void **st)
{
    static const char *const args[] = {"--scenario", "classroom", "--time-scale", "0.01", NULL};
    return start(st, args);
}

static int setup_task_failures(void **st)
{
    static const char *const args[] = {
        "--scenario", "classroom", "--time-scale", "0.01", "--task-fail-rate", "1", NULL};
    return start(st, args);
}

static int teardown(void **st)
{
    struct ctx *c = *st;
    simproc_stop(&c->sp);
    ds_env_free(&c->env);
    free(c);
    return 0;
}

/* The "# expect: LINE:COL: fragment" line of a bad input file. */
static int read_expect(const char *path, int *line, int *col, char *frag, size_t fl)
{
    FILE *f = fopen(path, "r");
    char buf[512];
    int ok = 0;
    while (f && fgets(buf, sizeof buf, f)) {
        char *e = strstr(buf, "# expect: ");
        if (e && sscanf(e + 10, "%d:%d: %[^\n]", line, col, frag) == 3) {
            frag[fl - 1] = '\0';
            ok = 1;
            break;
        }
    }
    if (f)
        fclose(f);
    return ok;
}

static void test_bad_inputs(void **st)
{
    struct ctx *c = *st;
    const char *src = getenv("DS_SRC");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/tests/data/config/bad", src);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *de;
    int cases = 0;
    while ((de = readdir(d))) {
        if (!strstr(de->d_name, ".yml"))
            continue;
        char path[1024], frag[256];
        int line, col;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (!read_expect(path, &line, &col, frag, sizeof frag))
            continue;
        const char *conn = c->env.connections, *config = c->env.config, *users = c->env.users;
        if (strncmp(de->d_name, "stand_", 6) == 0)
            config = path;
        else if (strncmp(de->d_name, "users_", 6) == 0)
            users = path;
        else if (strncmp(de->d_name, "connections_", 12) == 0)
            conn = path;
        else
            continue;
        const char *args[] = {"--connections", conn,      "--yes", "deploy", "--config",
                              config,          "--users", users,   NULL};
        char *err = NULL;
        int rc = ds_run(NULL, &err, args);
        char where[1100];
        snprintf(where, sizeof where, "%s:%d:%d: ", path, line, col);
        if (rc != 2 || !strstr(err, where) || !strstr(err, frag))
            fail_msg("%s: exit %d (want 2), want \"%s...%s\" in:\n%s", de->d_name, rc, where, frag,
                     err);
        free(err);
        cases++;
    }
    closedir(d);
    assert_true(cases >= 20);
    /* validation happens before connecting: the cluster saw nothing at all */
    assert_int_equal(ds_total_requests(&c->sp), 0);

    /* usage errors */
    const char *noargs[] = {"deploy", "--config", c->env.config, NULL};
    char *err = NULL;
    assert_int_equal(ds_run(NULL, &err, noargs), 2);
    assert_non_null(strstr(err, "--users"));
    free(err);
    const char *unknown[] = {"frobnicate", NULL};
    assert_int_equal(ds_run(NULL, &err, unknown), 2);
    assert_non_null(strstr(err, "unknown command"));
    free(err);
}

static int expect_failure(struct ctx *c, const char *conn, const char *config, const char *frag)
{
    const char *args[] = {"--connections", conn,      "--yes",      "deploy", "--config",
                          config,          "--users", c->env.users, NULL};
    char *err = NULL;
    int rc = ds_run(NULL, &err, args);
    if (rc != 1 || !strstr(err, frag))
        fail_msg("exit %d (want 1), want \"%s\" in:\n%s", rc, frag, err);
    free(err);
    return rc;
}

static void test_connection_failures(void **st)
{
    struct ctx *c = *st;
    char text[1024];
    /* wrong password */
    snprintf(text, sizeof text,
             "sim:\n  host: 127.0.0.1:%u\n  user: root@pam\n  password: wrong-password\n"
             "  fingerprint: \"%s\"\n",
             c->sp.port, c->sp.fingerprint);
    char conn[400];
    snprintf(conn, sizeof conn, "%s", ds_write_file(&c->env, "wrongpw.yml", text));
    expect_failure(c, conn, c->env.config, "authentication failed");

    /* a port on 127.0.0.1 where nothing listens */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
    close(s);
    snprintf(text, sizeof text,
             "sim:\n  host: 127.0.0.1:%u\n  user: root@pam\n  password: x-password\n",
             ntohs(a.sin_port));
    snprintf(conn, sizeof conn, "%s", ds_write_file(&c->env, "closed.yml", text));
    expect_failure(c, conn, c->env.config, "cannot connect");

    /* a pinned fingerprint that is not the server's: no request reaches it */
    long before = ds_total_requests(&c->sp);
    snprintf(text, sizeof text,
             "sim:\n  host: 127.0.0.1:%u\n  user: root@pam\n  password: sim-root-password\n"
             "  fingerprint: \"%s\"\n",
             c->sp.port,
             "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:"
             "BB:CC:DD:EE:FF");
    snprintf(conn, sizeof conn, "%s", ds_write_file(&c->env, "badpin.yml", text));
    expect_failure(c, conn, c->env.config, "fingerprint");
    assert_int_equal(ds_total_requests(&c->sp), before);

    /* a template that does not exist: refused before any change */
    const char *stand = "stand: demo-lab\nmachines:\n"
                        "  - {name: web, template_node: pve1, template_vmid: 999}\n";
    char cfg[400];
    snprintf(cfg, sizeof cfg, "%s", ds_write_file(&c->env, "missing.yml", stand));
    /* a template the cluster lacks is an input error pointing at the stand file's line */
    const char *args[] = {"--connections", c->env.connections, "--yes", "deploy", "--config", cfg,
                          "--users",       c->env.users,       NULL};
    char *err = NULL, where[480];
    snprintf(where, sizeof where, "%s:3:53: machine 'web': template 999 does not exist", cfg);
    int rc = ds_run(NULL, &err, args);
    if (rc != 2 || !strstr(err, where))
        fail_msg("exit %d (want 2), want \"%s\" in:\n%s", rc, where, err);
    free(err);
    assert_int_equal(ds_mutating_requests(&c->sp), 0);
    assert_int_equal(ds_schema_violations(&c->sp), 0);
}

static void test_task_failure_rolls_back(void **st)
{
    struct ctx *c = *st;
    const char *args[] = {"--connections", c->env.connections, "--output", "json",
                          "--yes",         "deploy",           "--config", c->env.config,
                          "--users",       c->env.users,       NULL};
    char *out = NULL, *err = NULL;
    int rc = ds_run(&out, &err, args);
    if (rc != 1)
        fail_msg("exit %d (want 1):\n%s", rc, err);
    json_t *res = json_loads(out, 0, NULL);
    assert_non_null(res);
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(res, "students"), i, s)
    {
        assert_false(json_is_true(json_object_get(s, "ok")));
        const char *e = json_string_value(json_object_get(s, "error"));
        assert_non_null(e);
    }
    json_decref(res);
    free(out);
    free(err);
    /* nothing of the students is left half-created */
    json_t *state = simproc_state(&c->sp);
    for (int k = 1; k <= 3; k++) {
        char user[64], pool[64];
        snprintf(user, sizeof user, "student%d@pve", k);
        snprintf(pool, sizeof pool, "student%d", k);
        assert_null(json_object_get(json_object_get(state, "users"), user));
        assert_null(json_object_get(json_object_get(state, "pools"), pool));
    }
    json_array_foreach(json_object_get(state, "vms"), i, s)
    {
        const char *tags = json_string_value(json_object_get(json_object_get(s, "config"), "tags"));
        assert_true(!tags || !strstr(tags, "ds-demo-lab"));
    }
    json_decref(state);
}

/* Runs deploy-stand with the test's connections file; the exit code, stdout and stderr. */
static int run(struct ctx *c, char **out, char **err, const char *const *words)
{
    const char *args[16] = {"--connections", c->env.connections};
    size_t n = 2;
    for (size_t i = 0; words[i] && n < 15; i++)
        args[n++] = words[i];
    args[n] = NULL;
    return ds_run(out, err, args);
}

/* Exit `want` and `frag` in stderr (stdout when want is 0). */
static void expect_run(struct ctx *c, int want, const char *frag, const char *const *words)
{
    char *out = NULL, *err = NULL;
    int rc = run(c, &out, &err, words);
    const char *text = want ? err : out;
    if (rc != want || !strstr(text, frag))
        fail_msg("%s %s: exit %d (want %d), want \"%s\" in:\n%s", words[0],
                 words[1] ? words[1] : "", rc, want, frag, text);
    free(out);
    free(err);
}

#define EXPECT(c, want, frag, ...)                                                                 \
    expect_run(c, want, frag, (const char *const[]){__VA_ARGS__, NULL})

/* The commands with sub-commands share one dispatcher: an unknown or missing sub-command, a
 * missing or extra argument and an unknown option are usage errors (exit 2) with a hint, and
 * nothing reaches the cluster. */
static void test_subcommand_errors(void **st)
{
    struct ctx *c = *st;
    static const char *const cmds[] = {"config", "users", "connection"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char *out = NULL, *err = NULL;
        const char *words[] = {cmds[i], "frobnicate", NULL};
        assert_int_equal(run(c, &out, &err, words), 2);
        char want[128];
        snprintf(want, sizeof want, "error: %s: unknown action 'frobnicate'", cmds[i]);
        if (!strstr(err, want) || !strstr(err, "hint: the actions of ") || !strstr(err, " list") ||
            !strstr(err, " delete"))
            fail_msg("%s frobnicate: want the error and a hint naming the actions in:\n%s", cmds[i],
                     err);
        free(out);
        free(err);
    }
    EXPECT(c, 2, "connection: which action?", "connection");
    /* a missing argument */
    EXPECT(c, 2, "usage: deploy-stand config show NAME", "config", "show");
    EXPECT(c, 2, "config validate: which config?", "config", "validate", "--live");
    EXPECT(c, 2, "usage: deploy-stand users add NAME ID...", "users", "add", "grp");
    EXPECT(c, 2, "connection default: which connection?", "connection", "default");
    EXPECT(c, 2, "hint: see `deploy-stand config copy --help`", "config", "copy", "lab");
    /* one too many */
    EXPECT(c, 2, "users show: unexpected argument 'b'", "users", "show", "a", "b");
    EXPECT(c, 2, "connection list: unexpected argument 'x'", "connection", "list", "x");
    /* an unknown option of a sub-command, and a value missing after one of its options */
    EXPECT(c, 2, "config validate: unknown option '--bogus'", "config", "validate", "lab",
           "--bogus");
    EXPECT(c, 2, "connection add: unknown option '--bogus'", "connection", "add", "x", "--bogus");
    EXPECT(c, 2, "option --strategy needs an argument", "config", "validate", "lab", "--strategy");
    /* without --yes and without a terminal a deletion is refused before anything is read */
    EXPECT(c, 2, "config delete: not deleting lab without --yes", "config", "delete", "lab");
    /* a sub-command's own --help, from its table */
    EXPECT(c, 0, "usage: deploy-stand config validate NAME [--live]", "config", "validate",
           "--help");
    EXPECT(c, 0, "--token-value-stdin", "connection", "add", "--help");
    assert_int_equal(ds_total_requests(&c->sp), 0);
}

/* --output is a global option like the others, before or after the command, also as
 * --output=json; a value that is neither text nor json is a usage error. */
static void test_output_option(void **st)
{
    struct ctx *c = *st;
    const char *before[] = {"--output=json", "users", "list", NULL};
    const char *after[] = {"users", "list", "--output=json", NULL};
    const char *const *runs[] = {before, after};
    for (size_t i = 0; i < 2; i++) {
        char *out = NULL, *err = NULL;
        assert_int_equal(run(c, &out, &err, runs[i]), 0);
        json_t *doc = json_loads(out, 0, NULL);
        if (!json_is_array(doc))
            fail_msg("users list with --output=json printed no JSON array:\n%s", out);
        json_decref(doc);
        free(out);
        free(err);
    }
    EXPECT(c, 2, "bad --output value 'xml'", "--output=xml", "users", "list");
    EXPECT(c, 2, "bad --output value 'xml'", "users", "list", "--output", "xml");
    EXPECT(c, 2, "unknown option '--yes=1'", "users", "list", "--yes=1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bad_inputs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connection_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_task_failure_rolls_back, setup_task_failures,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_subcommand_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_option, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
