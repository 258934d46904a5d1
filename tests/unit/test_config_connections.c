/* test_config_connections: connections_config.yml loading and picking: the seed's format and the
 * extensions parse, enc:v1 secrets are decrypted, bad files are reported at their line:col, and
 * secrets never reach a message. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/connections.h"
#include "config_expect.h"
#include "embedded.h"
#include "secret_home.h"
#include "store/secrets.h"
#include "util/err.h"

/* Every bad connections file uses secrets starting with "secret-". */
static int load_connections(const char *path, struct diag_list *diags)
{
    struct connections *c = NULL;
    int rc = connections_load(path, &c, diags);
    if (rc < 0)
        assert_null(c);
    connections_free(c);
    char text[2048];
    for (size_t i = 0; i < diags->n; i++) {
        config_diag_text(&diags->items[i], text, sizeof text);
        if (strstr(text, "secret-"))
            fail_msg("%s: a diagnostic shows a secret: %s", path, text);
    }
    return rc;
}

static struct connections *load_ok(const char *text)
{
    struct diag_list diags = {0};
    struct connections *c = NULL;
    if (connections_load_text("c.yml", text, strlen(text), &c, &diags) != 0) {
        diag_print(&diags, stderr);
        fail_msg("did not load");
    }
    diag_list_clear(&diags);
    return c;
}

static void test_good_file(void **state)
{
    (void)state;
    char *path = config_src_path("tests/data/config/good/connections_config.yml");
    struct diag_list diags = {0};
    struct connections *cs = NULL;
    config_expect_clean(connections_load(path, &cs, &diags), &diags, path);
    assert_string_equal(cs->path, path);
    assert_int_equal(cs->n, 3);

    const struct connection *c = &cs->items[0];
    assert_string_equal(c->name, "prod-cluster");
    assert_string_equal(c->host, "192.168.1.100");
    assert_int_equal(c->port, 8006);
    assert_string_equal(c->user, "root@pam");
    assert_int_equal(c->use_token, 0);
    assert_string_equal(c->password, "encrypted_password");
    assert_null(c->token_name);
    assert_null(c->token_value);
    assert_int_equal(c->verify_ssl, 1);
    assert_null(c->fingerprint);
    assert_int_equal(c->is_default, 0);
    assert_int_equal(c->line, 1);
    assert_int_equal(c->col, 1);

    c = &cs->items[1];
    assert_string_equal(c->name, "dev-cluster");
    assert_string_equal(c->host, "pve-dev.example.org");
    assert_int_equal(c->port, 8006);
    assert_string_equal(c->user, "admin@pve");
    assert_int_equal(c->use_token, 1);
    assert_null(c->password);
    assert_string_equal(c->token_name, "deploy-script");
    assert_string_equal(c->token_value, "0f9e8d7c-1111-2222-3333-444455556666");
    assert_int_equal(c->verify_ssl, 0);
    assert_int_equal(c->is_default, 1);
    assert_int_equal(c->line, 7);

    c = &cs->items[2];
    assert_string_equal(c->name, "lab6");
    assert_string_equal(c->host, "[fd00::10]");
    assert_int_equal(c->port, 443);
    assert_string_equal(c->password, "12345678"); /* a plain number is taken as written */
    assert_string_equal(c->fingerprint, "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:"
                                        "01:23:45:67:89:AB:CD:EF:01:23:45:67:89");

    /* the default one wins without a name; a name picks exactly */
    assert_ptr_equal(connections_pick(cs, NULL), &cs->items[1]);
    assert_ptr_equal(connections_pick(cs, "lab6"), &cs->items[2]);
    assert_null(connections_pick(cs, "nope"));
    char want[512];
    snprintf(want, sizeof want,
             "connection 'nope' not found in %s; known: prod-cluster, dev-cluster, lab6", path);
    assert_string_equal(ds_err_last(), want);
    connections_free(cs);
    free(path);
}

static void test_example_embedded(void **state)
{
    (void)state;
    size_t len;
    const char *text = embedded_get("examples/connections_config.yml", &len);
    assert_non_null(text);
    struct diag_list diags = {0};
    struct connections *cs = NULL;
    assert_int_equal(
        connections_load_text("examples/connections_config.yml", text, len, &cs, &diags), 0);
    assert_int_equal(cs->n, 1);
    const struct connection *c = connections_pick(cs, NULL);
    assert_non_null(c);
    assert_string_equal(c->name, "demo");
    assert_string_equal(c->host, "127.0.0.1");
    assert_int_equal(c->port, 8006);
    assert_string_equal(c->user, "root@pam");
    assert_non_null(c->password);
    assert_int_equal(c->is_default, 1);
    assert_int_equal(c->verify_ssl, 1);
    connections_free(cs);
}

static void test_bad_files(void **state)
{
    (void)state;
    size_t n = config_expect_all("connections_", load_connections);
    assert_true(n >= 10);
}

static void test_pick(void **state)
{
    (void)state;
    struct connections *cs = load_ok("only:\n  host: h\n  user: a@pve\n  password: p\n");
    assert_ptr_equal(connections_pick(cs, NULL), &cs->items[0]);
    connections_free(cs);

    cs = load_ok("a:\n  host: h\n  user: a@pve\n  password: p\n"
                 "b:\n  host: h\n  user: a@pve\n  password: p\n");
    assert_null(connections_pick(cs, NULL));
    assert_non_null(strstr(ds_err_last(), "none is marked 'default: true'"));
    assert_non_null(strstr(ds_err_last(), "known: a, b"));
    assert_ptr_equal(connections_pick(cs, "b"), &cs->items[1]);
    connections_free(cs);
}

static void test_host_forms(void **state)
{
    (void)state;
    static const struct {
        const char *host;
        const char *want_host; /* NULL = rejected */
        unsigned port;
    } cases[] = {
        {"pve1", "pve1", 8006},
        {"pve1:1", "pve1", 1},
        {"10.0.0.1:65535", "10.0.0.1", 65535},
        {"\"[::1]\"", "[::1]", 8006},
        {"\"[fe80::1%eth0]:8443\"", "[fe80::1%eth0]", 8443},
        {"pve1:0", NULL, 0},
        {"pve1:65536", NULL, 0},
        {"\"pve1:\"", NULL, 0},
        {"pve1:80a", NULL, 0},
        {"\"fd00::1\"", NULL, 0},
        {"\"[fd00::1\"", NULL, 0},
        {"\"[fd00::1]x\"", NULL, 0},
        {"pve/1", NULL, 0},
        {"\"user@pve1\"", NULL, 0},
        {"\"\"", NULL, 0},
        {"\":8006\"", NULL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, "x:\n  host: %s\n  user: root@pam\n  password: pw\n",
                 cases[i].host);
        struct diag_list diags = {0};
        struct connections *cs = NULL;
        int rc = connections_load_text("h.yml", text, strlen(text), &cs, &diags);
        if (cases[i].want_host) {
            if (rc != 0) {
                diag_print(&diags, stderr);
                fail_msg("host %s rejected", cases[i].host);
            }
            assert_string_equal(cs->items[0].host, cases[i].want_host);
            assert_int_equal(cs->items[0].port, cases[i].port);
        } else {
            if (rc != -1)
                fail_msg("host %s accepted", cases[i].host);
            if (diags.n != 1 || diags.items[0].line != 2 || diags.items[0].col != 9) {
                diag_print(&diags, stderr);
                fail_msg("host %s: expected one diagnostic at 2:9", cases[i].host);
            }
        }
        connections_free(cs);
        diag_list_clear(&diags);
    }
}

static void test_fingerprint_normalize(void **state)
{
    (void)state;
    char out[96];
    const char *want = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                       "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";
    assert_int_equal(connections_fingerprint_normalize(
                         "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF", out),
                     0);
    assert_string_equal(out, want);
    assert_int_equal(connections_fingerprint_normalize(want, out), 0);
    assert_string_equal(out, want);
    /* wrong length, separators in the wrong places, non-hex, SHA-1 length */
    assert_int_equal(connections_fingerprint_normalize("0011", out), -1);
    assert_int_equal(connections_fingerprint_normalize(
                         "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFG", out),
                     -1);
    assert_int_equal(
        connections_fingerprint_normalize("00-11-22-33-44-55-66-77-88-99-AA-BB-CC-DD-EE-FF-"
                                          "00-11-22-33-44-55-66-77-88-99-AA-BB-CC-DD-EE-FF",
                                          out),
        -1);
    assert_int_equal(connections_fingerprint_normalize(
                         "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33", out),
                     -1);
}

static void test_secrets_never_echoed(void **state)
{
    (void)state;
    /* wrong types and other mistakes around secrets: the messages must not contain them */
    const char *text = "a:\n"
                       "  host: h\n"
                       "  user: bad\n"
                       "  password: [secret-pw]\n"
                       "b:\n"
                       "  host: h\n"
                       "  user: a@pve\n"
                       "  use_token: true\n"
                       "  token_name: '9bad'\n"
                       "  token_value: {v: secret-tok}\n"
                       "c:\n"
                       "  host: h\n"
                       "  user: a@pve\n"
                       "  password: ''\n";
    struct diag_list diags = {0};
    struct connections *cs = NULL;
    assert_int_equal(connections_load_text("s.yml", text, strlen(text), &cs, &diags), -1);
    assert_true(config_diag_has(&diags, "s.yml", 3, 9, "'bad' is not a valid Proxmox user id"));
    assert_true(config_diag_has(&diags, "s.yml", 4, 13, "'password' must be a string, got a list"));
    assert_true(config_diag_has(&diags, "s.yml", 9, 15, "token name '9bad' is not valid"));
    assert_true(
        config_diag_has(&diags, "s.yml", 10, 16, "'token_value' must be a string, got a mapping"));
    assert_true(config_diag_has(&diags, "s.yml", 14, 13, "'password' is empty"));
    char line[2048];
    for (size_t i = 0; i < diags.n; i++) {
        config_diag_text(&diags.items[i], line, sizeof line);
        assert_null(strstr(line, "secret-"));
    }
    diag_list_clear(&diags);
}

CONFIG_TEXT_LOADER(conn_text, struct connections, connections_load_text, connections_free)

static void test_shapes(void **state)
{
    (void)state;
    static const struct config_case cases[] = {
        {"{}\n", 1, 1, "expected a mapping of connection names, got an empty mapping"},
        {"- a\n", 1, 1, "expected a mapping of connection names, got a list"},
        {"a:\n  host: h\n  user: a@pve\n  use_token: 1\n  password: p\n", 4, 14,
         "'use_token' must be true or false, got an integer"},
        {"a:\n  host: h\n  user: a@pve\n  default: \"true\"\n  password: p\n", 4, 12,
         "'default' must be true or false, got a string \"true\"; remove the quotes"},
        {"a:\n  host: h\n  user: a@pve\n  use_token: true\n", 1, 1,
         "connection 'a' uses a token but has no 'token_name'"},
        {"a:\n  host: h\n  password: p\n", 1, 1, "connection 'a' has no 'user'"},
        {"a:\n  host: h\n  user: a@pve\n  password: p\na:\n  host: h\n", 5, 1,
         "duplicate key 'a' (first at line 1)"},
    };
    config_expect_cases("s.yml", cases, sizeof cases / sizeof cases[0], conn_text);
}

/* ---- encrypted secrets ------------------------------------------------------------------ */

static char tmp_dir[64];

/* Every test runs with its own key folder (never the user's). */
static int group_setup(void **state)
{
    (void)state;
    return secret_home_start(tmp_dir, sizeof tmp_dir, "test-conns");
}

static int group_teardown(void **state)
{
    (void)state;
    secret_home_stop(tmp_dir);
    return 0;
}

static char *enc_of(const char *plain)
{
    char *enc = NULL;
    if (secret_encrypt(plain, &enc) != 0)
        fail_msg("secret_encrypt: %s", ds_err_last());
    return enc;
}

/* Runs connections_load_text_ex with stderr captured into *err (malloc'd). */
static int load_capture(const char *name, const char *text, unsigned flags,
                        struct connections **out, struct diag_list *diags, char **err)
{
    char path[128];
    snprintf(path, sizeof path, "%s/stderr-XXXXXX", tmp_dir);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    int rc = connections_load_text_ex(name, text, strlen(text), flags, out, diags);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    off_t n = lseek(fd, 0, SEEK_END);
    *err = calloc(1, (size_t)n + 1);
    assert_int_equal(pread(fd, *err, (size_t)n, 0), n);
    close(fd);
    unlink(path);
    return rc;
}

static void test_encrypted_values(void **state)
{
    (void)state;
    char *pw = enc_of("secret-pw-1"), *tok = enc_of("secret-tok-2");
    char text[2048];
    snprintf(text, sizeof text,
             "# pinned lab\n"
             "lab:\n"
             "  host: pve1\n"
             "  user: root@pam\n"
             "  password: %s   # encrypted\n"
             "api:\n"
             "  host: pve1\n"
             "  user: deploy@pve\n"
             "  use_token: true\n"
             "  token_name: ds\n"
             "  token_value: \"%s\"\n"
             "  default: true\n",
             pw, tok);
    struct diag_list diags = {0};
    struct connections *cs = NULL;
    char *err = NULL;
    assert_int_equal(load_capture("e.yml", text, 0, &cs, &diags, &err), 0);
    assert_int_equal(diags.n, 0);
    assert_string_equal(err, ""); /* nothing in plaintext: no warning */
    assert_int_equal(cs->n_plaintext, 0);
    assert_string_equal(cs->items[0].password, "secret-pw-1");
    assert_int_equal(cs->items[0].password_enc, 1);
    assert_int_equal(cs->items[0].password_line, 5);
    assert_int_equal(cs->items[0].password_col, 13);
    assert_int_equal(cs->items[0].value_line, 3);
    assert_int_equal(cs->items[0].default_line, 0);
    assert_string_equal(cs->items[1].token_value, "secret-tok-2");
    assert_int_equal(cs->items[1].token_value_enc, 1);
    assert_int_equal(cs->items[1].token_value_line, 11);
    assert_int_equal(cs->items[1].token_value_col, 16);
    assert_int_equal(cs->items[1].default_line, 12);
    assert_int_equal(cs->items[1].default_col, 12);
    connections_free(cs);
    free(err);

    /* raw: kept as written, no key needed */
    assert_int_equal(load_capture("e.yml", text, CONN_LOAD_RAW_SECRETS, &cs, &diags, &err), 0);
    assert_string_equal(cs->items[0].password, pw);
    assert_string_equal(cs->items[1].token_value, tok);
    connections_free(cs);
    free(err);

    /* another key: reported at the value, with what to check, and no secret */
    secret_forget_keys();
    char *kp = secret_key_path();
    char moved[300];
    snprintf(moved, sizeof moved, "%s.saved", kp);
    assert_int_equal(rename(kp, moved), 0);
    char *other = enc_of("x"); /* makes a new key file */
    free(other);
    assert_int_equal(load_capture("e.yml", text, 0, &cs, &diags, &err), -1);
    assert_null(cs);
    assert_true(config_diag_has(&diags, "e.yml", 5, 13, "cannot decrypt 'password': the key file"));
    assert_true(config_diag_has(&diags, "e.yml", 11, 16, "cannot decrypt 'token_value'"));
    assert_true(config_diag_has(&diags, "e.yml", 5, 13, "DEPLOY_STAND_PASSPHRASE"));
    char line[2048];
    for (size_t i = 0; i < diags.n; i++) {
        config_diag_text(&diags.items[i], line, sizeof line);
        assert_null(strstr(line, "secret-"));
        assert_null(strstr(line, pw + 7));
    }
    diag_list_clear(&diags);
    free(err);
    /* the right key back: loads again */
    assert_int_equal(rename(moved, kp), 0);
    secret_forget_keys();
    assert_int_equal(load_capture("e.yml", text, 0, &cs, &diags, &err), 0);
    connections_free(cs);
    free(err);
    free(kp);
    secret_free(pw);
    secret_free(tok);
}

static void test_plaintext_warning(void **state)
{
    (void)state;
    char *pw = enc_of("secret-enc");
    char text[1024];
    snprintf(text, sizeof text,
             "a:\n  host: h\n  user: a@pve\n  password: secret-plain-a\n"
             "b:\n  host: h\n  user: a@pve\n  use_token: true\n  token_name: tok\n"
             "  token_value: secret-plain-b\n"
             "c:\n  host: h\n  user: a@pve\n  password: %s\n",
             pw);
    struct diag_list diags = {0};
    struct connections *cs = NULL;
    char *err = NULL;
    assert_int_equal(load_capture("/etc/x/conn.yml", text, 0, &cs, &diags, &err), 0);
    assert_int_equal(cs->n_plaintext, 2);
    assert_int_equal(cs->items[0].password_enc, 0);
    assert_int_equal(cs->items[2].password_enc, 1);
    assert_string_equal(cs->items[0].password, "secret-plain-a"); /* still read */
    connections_free(cs);
    /* one warning for the file, naming it and the command; never a secret */
    const char *w = strstr(err, "warning: /etc/x/conn.yml holds 2 secrets in plaintext");
    assert_non_null(w);
    assert_null(strstr(w + 1, "warning:"));
    assert_non_null(strstr(err, "`deploy-stand connection encrypt --connections /etc/x/conn.yml`"));
    assert_null(strstr(err, "secret-"));
    free(err);

    assert_int_equal(load_capture("q.yml", text, CONN_LOAD_QUIET, &cs, &diags, &err), 0);
    assert_string_equal(err, "");
    connections_free(cs);
    free(err);
    secret_free(pw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_file),
        cmocka_unit_test(test_example_embedded),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_pick),
        cmocka_unit_test(test_host_forms),
        cmocka_unit_test(test_fingerprint_normalize),
        cmocka_unit_test(test_secrets_never_echoed),
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_encrypted_values),
        cmocka_unit_test(test_plaintext_warning),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
