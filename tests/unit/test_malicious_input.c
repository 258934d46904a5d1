/* test_malicious_input: hostile values in the three config files (path-like user ids, shell text
 * in bridges, alias bombs, huge lines, deep nesting, VMID overflow, NUL bytes) are refused at
 * validation with an exact file:line:col diagnostic, quickly, and without leaking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/connections.h"
#include "ds_clock.h"
#include "config/stand.h"
#include "config/users.h"
#include "config_expect.h"
#include "util/diag.h"

/* Every case must be decided well within this (ASan+UBSan build included). */
#define CASE_TIME_LIMIT_MS 3000

enum loader { LOAD_STAND, LOAD_USERS, LOAD_CONNECTIONS };

/* Runs one loader on text; frees whatever it loaded. Returns the loader's result. */
static int load_text(enum loader which, const char *name, const char *text, size_t len,
                     struct diag_list *diags)
{
    int rc = -1;
    switch (which) {
    case LOAD_STAND: {
        struct stand *s = NULL;
        rc = stand_load_text(name, text, len, &s, diags);
        if (rc < 0)
            assert_null(s);
        stand_free(s);
        break;
    }
    case LOAD_USERS: {
        struct users_list *u = NULL;
        rc = users_load_text(name, text, len, &u, diags);
        if (rc < 0)
            assert_null(u);
        users_free(u);
        break;
    }
    case LOAD_CONNECTIONS: {
        struct connections *c = NULL;
        rc = connections_load_text(name, text, len, &c, diags);
        if (rc < 0)
            assert_null(c);
        connections_free(c);
        break;
    }
    }
    return rc;
}

static int load_file(enum loader which, const char *path, struct diag_list *diags)
{
    int rc = -1;
    switch (which) {
    case LOAD_STAND: {
        struct stand *s = NULL;
        rc = stand_load(path, &s, diags);
        stand_free(s);
        break;
    }
    case LOAD_USERS: {
        struct users_list *u = NULL;
        rc = users_load(path, &u, diags);
        users_free(u);
        break;
    }
    case LOAD_CONNECTIONS: {
        struct connections *c = NULL;
        rc = connections_load(path, &c, diags);
        connections_free(c);
        break;
    }
    }
    return rc;
}

/* Loads text, expects refusal in bounded time with the diagnostic at file:line:col. */
static void expect_refused(enum loader which, const char *name, const char *text, size_t len,
                           int line, int col, const char *fragment)
{
    struct diag_list diags = {0};
    int64_t t0 = ds_clock_mono_ms();
    int rc = load_text(which, name, text, len, &diags);
    long long took = ds_clock_mono_ms() - t0;
    if (rc != -1) {
        diag_print(&diags, stderr);
        fail_msg("%s: the loader accepted the input", name);
    }
    config_diag_expect(&diags, name, line, col, fragment);
    if (took > CASE_TIME_LIMIT_MS)
        fail_msg("%s: refusing took %lld ms (limit %d)", name, took, CASE_TIME_LIMIT_MS);
    diag_list_clear(&diags);
}

static void expect_refused_str(enum loader which, const char *name, const char *text, int line,
                               int col, const char *fragment)
{
    expect_refused(which, name, text, strlen(text), line, col, fragment);
}

/* One line of a document and the diagnostic it must draw at its column `col` (NULL: none). */
struct doc_line {
    const char *text;
    int col;
    const char *fragment;
};

/* Loads the document made of the n lines: it must be refused with exactly the diagnostics its
 * lines name, each at its own line. */
static void expect_refused_lines(enum loader which, const char *name, const struct doc_line *doc,
                                 size_t n)
{
    char text[4096] = "";
    struct config_want want[64];
    size_t len = 0, n_want = 0;
    for (size_t i = 0; i < n; i++) {
        len += (size_t)snprintf(text + len, sizeof text - len, "%s\n", doc[i].text);
        assert_true(len < sizeof text && n_want < 64);
        if (doc[i].fragment)
            want[n_want++] = (struct config_want){(int)i + 1, doc[i].col, doc[i].fragment};
    }
    struct diag_list diags = {0};
    assert_int_equal(load_text(which, name, text, len, &diags), -1);
    config_diags_expect(&diags, name, want, n_want);
    diag_list_clear(&diags);
}

/* Peak resident size of this process in KiB. */
static long peak_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* Growable text buffer for generated documents. */
struct gen {
    char *p;
    size_t n, cap;
};

static void gen_add(struct gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void gen_add(struct gen *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert_true(need >= 0);
    if (g->n + (size_t)need + 1 > g->cap) {
        g->cap = (g->n + (size_t)need + 1) * 2;
        g->p = realloc(g->p, g->cap);
        assert_non_null(g->p);
    }
    va_start(ap, fmt);
    vsnprintf(g->p + g->n, g->cap - g->n, fmt, ap);
    va_end(ap);
    g->n += (size_t)need;
}

static void gen_repeat(struct gen *g, const char *s, size_t times)
{
    for (size_t i = 0; i < times; i++)
        gen_add(g, "%s", s);
}

/* ---- user ids ------------------------------------------------------------------------------ */

static void test_userid_slash_colon(void **state)
{
    (void)state;
    static const struct doc_line doc[] = {
        {"users:", 0, NULL},
        {"  - student1@pve", 0, NULL}, /* fine */
        {"  - \"stu/dent@pve\"", 5, "'stu/dent@pve' is not a valid Proxmox user id"},
        {"  - stu:dent@pve", 5, "'stu:dent@pve' is not a valid Proxmox user id"},
        {"  - student2@pve/../../access", 5, "is not a valid Proxmox user id"},
        {"  - student3@pve:8006", 5, "'student3@pve:8006' is not a valid Proxmox user id"},
        {"  - ../../etc@pve", 5, "'../../etc@pve' is not a valid Proxmox user id"},
    };
    expect_refused_lines(LOAD_USERS, "users.yml", doc, sizeof doc / sizeof doc[0]);

    /* the connection's user is held to the same format */
    expect_refused_str(LOAD_CONNECTIONS, "conn.yml",
                       "lab:\n  host: 127.0.0.1\n  user: \"root/x@pam\"\n  password: pw\n", 3, 9,
                       "name@realm");
    expect_refused_str(LOAD_CONNECTIONS, "conn.yml",
                       "lab:\n  host: 127.0.0.1\n  user: \"ro:ot@pam\"\n  password: pw\n", 3, 9,
                       "name@realm");
}

/* ---- shell text in bridges and names ------------------------------------------------------- */

static void test_bridge_shell_characters(void **state)
{
    (void)state;
    static const struct doc_line doc[] = {
        {"machines:", 0, NULL},
        {"  - template_node: pve1", 0, NULL},
        {"    template_vmid: 100", 0, NULL},
        {"    networks:", 0, NULL},
        {"      - bridge: \"lan;rm -rf /\"", 17, "bridge alias 'lan;rm -rf /' is not valid"},
        {"      - bridge: \"$(x)\"", 17, "bridge alias '$(x)' is not valid"},
        {"      - bridge: \"`id`\"", 17, "bridge alias '`id`' is not valid"},
        {"      - bridge: \"lan.$(x)\"", 17, "VLAN id '$(x)' in bridge 'lan.$(x)' is not a number"},
        {"      - bridge: \"**vmbr1|sh**\"", 17,
         "reserved bridge 'vmbr1|sh' is not a valid interface"},
        {"      - bridge: \"vmbr0 && reboot\"", 17, "is not valid"},
        {"      - bridge: \"lan\\nvmbr0\"", 17, "is not valid"},
        {"      - bridge: lan", 0, NULL}, /* the plain `lan` is fine */
    };
    expect_refused_lines(LOAD_STAND, "stand.yml", doc, sizeof doc / sizeof doc[0]);

    expect_refused_str(LOAD_STAND, "stand.yml",
                       "machines:\n  - name: \"web;reboot\"\n    template_node: pve1\n"
                       "    template_vmid: 100\n",
                       2, 11, "name");
    expect_refused_str(LOAD_STAND, "stand.yml",
                       "machines:\n  - template_node: \"pve1$(id)\"\n    template_vmid: 100\n", 2,
                       20, "'pve1$(id)' is not a valid node name");
    expect_refused_str(LOAD_STAND, "stand.yml",
                       "stand: \"x;id\"\nmachines:\n  - template_node: pve1\n"
                       "    template_vmid: 100\n",
                       1, 8, "stand name 'x;id' is not valid");
    expect_refused_str(LOAD_CONNECTIONS, "conn.yml",
                       "lab:\n  host: \"pve1;id\"\n  user: root@pam\n  password: pw\n", 2, 9,
                       "host");
}

/* ---- alias bombs --------------------------------------------------------------------------- */

/* The classic: ten levels of ten aliases each would be 10^10 nodes. */
static void test_billion_laughs(void **state)
{
    (void)state;
    struct gen g = {0};
    gen_add(&g, "a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", "
                "\"lol\", \"lol\"]\n");
    for (char k = 'b'; k <= 'j'; k++) {
        gen_add(&g, "%c: &%c [", k, k);
        for (int i = 0; i < 10; i++)
            gen_add(&g, "%s*%c", i ? ", " : "", k - 1);
        gen_add(&g, "]\n");
    }
    gen_add(&g, "machines: *j\n");
    /* Nodes: root 1; a: key + 11; b: key + 111; c: key + 1111; d: key + 11111 -> 12349. Line 5
     * (e) adds its key and sequence (12351), and its first *d (11111 more) crosses 20000. */
    long rss0 = peak_rss_kib();
    expect_refused(LOAD_STAND, "laughs.yml", g.p, g.n, 5, 8, "more than 20000 nodes");
    expect_refused(LOAD_USERS, "laughs.yml", g.p, g.n, 5, 8, "more than 20000 nodes");
    expect_refused(LOAD_CONNECTIONS, "laughs.yml", g.p, g.n, 5, 8, "more than 20000 nodes");
    long grew = peak_rss_kib() - rss0;
    if (grew > 256 * 1024)
        fail_msg("refusing the alias bomb raised the peak RSS by %ld KiB", grew);
    free(g.p);
}

/* Few nodes but a big scalar copied many times: bounded by the text budget, not the node one. */
static void test_alias_text_bomb(void **state)
{
    (void)state;
    struct gen g = {0};
    gen_add(&g, "big: &b \"");
    gen_repeat(&g, "0123456789abcdef", 65536); /* 1 MiB */
    gen_add(&g, "\"\nmachines:\n  - [");
    for (int i = 0; i < 100; i++)
        gen_add(&g, "%s*b", i ? ", " : "");
    gen_add(&g, "]\n");
    /* 1 MiB for the anchor, the keys' 11 bytes, then 1 MiB per alias: the 15th alias would pass
     * 16 MiB */
    long rss0 = peak_rss_kib();
    int col = 6 + 14 * 4; /* "  - [" then "*b, " fourteen times */
    expect_refused(LOAD_STAND, "textbomb.yml", g.p, g.n, 3, col, "more than 16777216 bytes");
    long grew = peak_rss_kib() - rss0;
    if (grew > 256 * 1024)
        fail_msg("refusing the text bomb raised the peak RSS by %ld KiB", grew);
    free(g.p);
}

static void test_recursive_and_undefined_alias(void **state)
{
    (void)state;
    expect_refused_str(LOAD_STAND, "rec.yml", "machines: &m\n  - *m\n", 2, 5, "recursive alias");
    expect_refused_str(LOAD_USERS, "undef.yml", "users:\n  - *nobody\n", 2, 5,
                       "undefined alias '*nobody'");

    /* found by fuzz_users_load: an anchor inside the value of a dropped (non-scalar) key was
     * used after the value was freed */
    static const char dropped[] = "? [a]\n: &s student1@pve\nusers:\n  - *s\n";
    struct diag_list diags = {0};
    assert_int_equal(load_text(LOAD_USERS, "dropped.yml", dropped, sizeof dropped - 1, &diags), -1);
    config_diag_expect(&diags, "dropped.yml", 1, 3, "a key must be a name, not a list");
    config_diag_expect(&diags, "dropped.yml", 4, 5, "undefined alias '*s'");
    diag_list_clear(&diags);
}

/* ---- huge lines ---------------------------------------------------------------------------- */

static void test_ten_megabyte_line(void **state)
{
    (void)state;
    size_t n = 10u * 1024u * 1024u;
    char *text = malloc(n + 1);
    assert_non_null(text);
    memcpy(text, "stand: ", 7);
    memset(text + 7, 'x', n - 8);
    text[n - 1] = '\n';
    text[n] = '\0';
    /* refused where the 4 MiB limit is crossed, before any parsing */
    expect_refused(LOAD_STAND, "long.yml", text, n, 1, 4 * 1024 * 1024 + 1, "larger than");
    expect_refused(LOAD_USERS, "long.yml", text, n, 1, 4 * 1024 * 1024 + 1, "larger than");
    expect_refused(LOAD_CONNECTIONS, "long.yml", text, n, 1, 4 * 1024 * 1024 + 1, "larger than");

    /* the same through a file */
    char path[] = "/tmp/ds-malicious-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
    struct diag_list diags = {0};
    int64_t t0 = ds_clock_mono_ms();
    assert_int_equal(load_file(LOAD_STAND, path, &diags), -1);
    assert_true(ds_clock_mono_ms() - t0 < CASE_TIME_LIMIT_MS);
    config_diag_expect(&diags, path, 1, 4 * 1024 * 1024 + 1, "larger than 4194304 bytes");
    assert_int_equal(diags.n, 1);
    diag_list_clear(&diags);
    unlink(path);

    /* under the limit, a 3 MB value is refused at its own position, and not echoed whole */
    size_t m = 3u * 1000u * 1000u;
    memcpy(text, "users:\n  - ", 11);
    memset(text + 11, 'u', m);
    memcpy(text + 11 + m, "@pve\n", 5);
    struct diag_list d2 = {0};
    assert_int_equal(load_text(LOAD_USERS, "long.yml", text, 11 + m + 5, &d2), -1);
    /* the middle of the value is left out, the end of the message is kept */
    config_diag_expect(&d2, "long.yml", 2, 5, "uuu...uuu");
    config_diag_expect(&d2, "long.yml", 2, 5, "uuu@pve' is not a valid Proxmox user id");
    assert_int_equal(d2.n, 1);
    assert_true(strlen(d2.items[0].what) <= 1000);
    diag_list_clear(&d2);
    free(text);
}

/* ---- deep nesting -------------------------------------------------------------------------- */

static void test_deep_nesting(void **state)
{
    (void)state;
    size_t depth = 100000;
    struct gen g = {0};
    gen_repeat(&g, "[", depth);
    /* the root sequence is level 0; the 66th '[' is level 65 */
    expect_refused(LOAD_STAND, "deep.yml", g.p, g.n, 1, 66, "nesting deeper than 64 levels");
    expect_refused(LOAD_USERS, "deep.yml", g.p, g.n, 1, 66, "nesting deeper than 64 levels");
    expect_refused(LOAD_CONNECTIONS, "deep.yml", g.p, g.n, 1, 66, "nesting deeper than 64 levels");
    free(g.p);

    struct gen m = {0};
    gen_add(&m, "machines: ");
    gen_repeat(&m, "{a: ", depth);
    /* root mapping level 0, the n-th '{' level n: the key 'a' of the 64th is level 65 */
    expect_refused(LOAD_STAND, "deep.yml", m.p, m.n, 1, 11 + 63 * 4 + 1,
                   "nesting deeper than 64 levels");
    free(m.p);

    struct gen b = {0};
    gen_add(&b, "users:\n  ");
    gen_repeat(&b, "- ", depth);
    gen_add(&b, "x@pve\n");
    /* block sequences: the n-th '-' is level n, the 65th is at column 3 + 64 * 2 */
    expect_refused(LOAD_USERS, "deep.yml", b.p, b.n, 2, 3 + 64 * 2,
                   "nesting deeper than 64 levels");
    free(b.p);
}

/* ---- numbers ------------------------------------------------------------------------------- */

static void test_vmid_overflow(void **state)
{
    (void)state;
    static const char *const values[] = {"99999999999999999999", "-99999999999999999999",
                                         "9223372036854775808",  "18446744073709551617",
                                         "1000000000",           "-1"};
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        char text[256];
        snprintf(text, sizeof text, "machines:\n  - template_node: pve1\n    template_vmid: %s\n",
                 values[i]);
        char want[128];
        snprintf(want, sizeof want, "'template_vmid' must be between 100 and 999999999, got %s",
                 values[i]);
        expect_refused_str(LOAD_STAND, "vmid.yml", text, 3, 20, want);
    }
    expect_refused_str(LOAD_STAND, "vmid.yml",
                       "machines:\n  - template_node: pve1\n    template_vmid: 1e400\n", 3, 20,
                       "must be an integer");
    expect_refused_str(LOAD_STAND, "vmid.yml",
                       "machines:\n  - template_node: pve1\n    template_vmid: 0x7fffffff\n", 3, 20,
                       "must be an integer");
    expect_refused_str(LOAD_STAND, "len.yml",
                       "password_policy: {style: digits, length: 99999999999999999999}\n"
                       "machines:\n  - template_node: pve1\n    template_vmid: 100\n",
                       1, 42, "'length' must be between 8 and 64");
    expect_refused_str(LOAD_STAND, "vid.yml",
                       "machines:\n  - template_node: pve1\n    template_vmid: 100\n"
                       "    networks:\n      - bridge: lan.99999999999999999999\n",
                       5, 17, "VLAN id 99999999999999999999 is outside 1..4094");
    expect_refused_str(LOAD_CONNECTIONS, "port.yml",
                       "lab:\n  host: pve1:99999999999999999999\n  user: root@pam\n"
                       "  password: pw\n",
                       2, 9, "port '99999999999999999999' is not in 1..65535");
}

/* ---- NUL bytes ----------------------------------------------------------------------------- */

static void test_nul_byte(void **state)
{
    (void)state;
    /* a raw NUL in the middle of a value: line 3, column 20 */
    static const char raw[] = "machines:\n  - template_node: pve1\n    template_vmid: 1\0000\n";
    expect_refused(LOAD_STAND, "nul.yml", raw, sizeof raw - 1, 3, 21, "NUL character");
    static const char users[] = "users:\n  - student1@pve\n  - stu\0dent@pve\n";
    expect_refused(LOAD_USERS, "nul.yml", users, sizeof users - 1, 3, 8, "NUL character");
    /* after a multi-byte character the column still counts characters */
    static const char utf8[] = "lab: {host: \"\xc3\xa9\0b\"}\n";
    expect_refused(LOAD_CONNECTIONS, "nul.yml", utf8, sizeof utf8 - 1, 1, 15, "NUL character");
    /* the escaped form inside a double-quoted scalar */
    expect_refused_str(LOAD_CONNECTIONS, "nul.yml",
                       "lab:\n  host: \"pve1\\0evil\"\n  user: root@pam\n  password: pw\n", 2, 9,
                       "contains a NUL character");
    /* a NUL right at the start, and another control character */
    expect_refused(LOAD_USERS, "nul.yml", "\0users: []\n", 11, 1, 1, "NUL character");
    expect_refused_str(LOAD_USERS, "ctl.yml", "users:\n  - a\x01@pve\n", 2, 6,
                       "control characters are not allowed");
    /* broken UTF-8 is located too */
    expect_refused_str(LOAD_USERS, "utf8.yml", "users:\n  - ab\xff@pve\n", 2, 7,
                       "YAML syntax error");

    /* through a file as well */
    char path[] = "/tmp/ds-malicious-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, raw, sizeof raw - 1), (ssize_t)(sizeof raw - 1));
    close(fd);
    struct diag_list diags = {0};
    assert_int_equal(load_file(LOAD_STAND, path, &diags), -1);
    config_diag_expect(&diags, path, 3, 21, "NUL character");
    diag_list_clear(&diags);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_billion_laughs), /* first: it measures the peak RSS */
        cmocka_unit_test(test_alias_text_bomb),
        cmocka_unit_test(test_userid_slash_colon),
        cmocka_unit_test(test_bridge_shell_characters),
        cmocka_unit_test(test_recursive_and_undefined_alias),
        cmocka_unit_test(test_ten_megabyte_line),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_vmid_overflow),
        cmocka_unit_test(test_nul_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
