/* connection_ops: the connections-file operations behind `deploy-stand connection` and the menu:
 * where the file is, add (pinned certificate, encrypted secret), list, test, default, delete. */
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/connection_ops.h"
#include "config/connections.h"
#include "pve/pve_api.h"
#include "pve/pve_certinfo.h"
#include "pve/pve_client.h"
#include "store/secrets.h"
#include "ui/table.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/i18n.h"
#include "util/xdg.h"

#define FILE_MAX (4u << 20)
#define SECRET_MAX 4096
#define DEFAULT_FILE "connections_config.yml"

/* ---- the file: where, read, write atomically ------------------------------------------------ */

/* --connections, else ./connections_config.yml, else the XDG one (its folder made 0700 when
 * for_create). malloc'd. */
char *conn_ops_path(const struct cli_globals *g, int for_create)
{
    if (g->connections_path)
        return strdup(g->connections_path);
    if (access(DEFAULT_FILE, F_OK) == 0)
        return strdup(DEFAULT_FILE);
    char *dir = xdg_config_dir();
    if (!dir)
        return NULL;
    if (for_create)
        fs_mkdir_p(dir, 0700); /* a failure shows when the file is written */
    char *path = NULL;
    if (asprintf(&path, "%s/" DEFAULT_FILE, dir) < 0)
        path = NULL;
    free(dir);
    return path;
}

/* Wipes (the file may hold plaintext secrets) and frees. */
static void text_free(char *t, size_t n)
{
    if (t) {
        sodium_memzero(t, n);
        free(t);
    }
}

/* Reads the whole file. 1 = it does not exist (*out = "" then), 0 ok, -1 error (printed). */
static int file_read_all(const char *path, char **out, size_t *len)
{
    int err = fs_read_file(path, FILE_MAX, out, len);
    if (err == ENOENT) {
        *out = calloc(1, 1);
        return *out ? 1 : -1;
    }
    if (err) {
        cli_error(NULL, _("cannot read %s: %s"), path, strerror(err));
        return -1;
    }
    if (*len > FILE_MAX) {
        cli_error(NULL, _("%s is larger than %u bytes"), path, FILE_MAX);
        text_free(*out, *len);
        *out = NULL;
        return -1;
    }
    return 0;
}

/* The connections file is replaced atomically (util/fsutil.h), private. 0 or -1 (printed). */
static int file_write_atomic(const char *path, const char *text, size_t len)
{
    if (fs_write_atomic(path, text, len, 0600, 0) == 0)
        return 0;
    cli_error(_("check the folder's permissions"), "%s", ds_err_last());
    return -1;
}

/* ---- positions and line-level edits --------------------------------------------------------- */

/* Byte offset of (line, col) (1-based; col counts characters as libyaml does), or (size_t)-1. */
static size_t pos_offset(const char *t, size_t n, int line, int col)
{
    size_t o = 0;
    for (int l = 1; l < line; l++) {
        const char *nl = memchr(t + o, '\n', n - o);
        if (!nl)
            return (size_t)-1;
        o = (size_t)(nl - t) + 1;
    }
    for (int c = 1; c < col; c++) {
        if (o >= n || t[o] == '\n')
            return (size_t)-1;
        o++;
        while (o < n && ((unsigned char)t[o] & 0xC0) == 0x80)
            o++;
    }
    return o;
}

/* Offset of the start of line `line` (n when past the end). */
static size_t line_offset(const char *t, size_t n, int line)
{
    size_t o = pos_offset(t, n, line, 1);
    return o == (size_t)-1 ? n : o;
}

/* The end of the one-line scalar that starts at off: a quoted scalar up to its closing quote, a
 * plain one as long as `plain` (which must be what is written there). *quote gets '"', '\'' or 0.
 * 0, or -1 when the value is not a simple one-line scalar (block, multi-line, tag, anchor). */
static int scalar_span(const char *t, size_t n, size_t off, const char *plain, size_t *end,
                       char *quote)
{
    if (off >= n)
        return -1;
    char q = t[off];
    *quote = 0;
    if (q == '"' || q == '\'') {
        for (size_t i = off + 1; i < n && t[i] != '\n'; i++) {
            if (q == '"' && t[i] == '\\') {
                i++;
                continue;
            }
            if (t[i] == q) {
                if (q == '\'' && i + 1 < n && t[i + 1] == '\'') {
                    i++;
                    continue;
                }
                *end = i + 1;
                *quote = q;
                return 0;
            }
        }
        return -1;
    }
    size_t pl = plain ? strlen(plain) : 0;
    if (!pl || strchr(plain, '\n') || off + pl > n || memcmp(t + off, plain, pl) != 0)
        return -1;
    *end = off + pl;
    return 0;
}

struct edit {
    size_t start, end; /* replaced bytes [start, end) */
    char *repl;        /* owned */
};
struct edits {
    struct edit *v;
    size_t n, cap;
};

static void edits_add(struct edits *e, size_t start, size_t end, char *repl)
{
    if (e->n == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 8;
        e->v = realloc(e->v, e->cap * sizeof *e->v);
        if (!e->v)
            abort();
    }
    e->v[e->n++] = (struct edit){start, end, repl};
}

static void edits_free(struct edits *e)
{
    for (size_t i = 0; i < e->n; i++)
        free(e->v[i].repl);
    free(e->v);
    memset(e, 0, sizeof *e);
}

static int edit_cmp(const void *a, const void *b)
{
    const struct edit *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* The text with every edit applied (edits must not overlap). malloc'd, NUL-terminated. */
static char *edits_apply(const char *t, size_t n, struct edits *e, size_t *out_len)
{
    qsort(e->v, e->n, sizeof *e->v, edit_cmp);
    size_t len = n;
    for (size_t i = 0; i < e->n; i++)
        len += strlen(e->v[i].repl) - (e->v[i].end - e->v[i].start);
    char *out = malloc(len + 1);
    if (!out)
        abort();
    size_t o = 0, from = 0;
    for (size_t i = 0; i < e->n; i++) {
        memcpy(out + o, t + from, e->v[i].start - from);
        o += e->v[i].start - from;
        size_t rl = strlen(e->v[i].repl);
        memcpy(out + o, e->v[i].repl, rl);
        o += rl;
        from = e->v[i].end;
    }
    memcpy(out + o, t + from, n - from);
    o += n - from;
    out[o] = '\0';
    *out_len = o;
    return out;
}

/* A line that is blank or a comment starting in column 1. */
static int line_is_loose(const char *t, size_t n, size_t start)
{
    size_t i = start;
    while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r'))
        i++;
    return i >= n || t[i] == '\n' || (t[start] == '#');
}

/* The byte range of connection i's lines: from its name's line to the line before the next
 * connection's name (or the end), without trailing blank lines and column-1 comments. */
static void conn_extent(const struct connections *cs, size_t i, const char *t, size_t n,
                        size_t *start, size_t *end)
{
    *start = line_offset(t, n, cs->items[i].line);
    size_t stop = i + 1 < cs->n ? line_offset(t, n, cs->items[i + 1].line) : n;
    /* walk the lines, remembering the end of the last "content" line */
    size_t o = *start, last = *start;
    while (o < stop) {
        const char *nl = memchr(t + o, '\n', stop - o);
        size_t next = nl ? (size_t)(nl - t) + 1 : stop;
        if (o == *start || !line_is_loose(t, n, o))
            last = next;
        o = next;
    }
    *end = last;
}

/* 1 when the file holds nothing but blank lines and comments. */
static int text_is_empty(const char *t, size_t n)
{
    size_t o = 0;
    while (o < n) {
        size_t i = o;
        while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r'))
            i++;
        if (i < n && t[i] != '\n' && t[i] != '#')
            return 0;
        const char *nl = memchr(t + o, '\n', n - o);
        o = nl ? (size_t)(nl - t) + 1 : n;
    }
    return 1;
}

/* ---- loading ------------------------------------------------------------------------------- */

/* Parses text as the connections file `path`; prints the problems. 0 or EXIT_USAGE. */
static int conns_parse(const char *path, const char *text, size_t len, unsigned flags,
                       struct connections **out)
{
    struct diag_list d = {0};
    int rc = connections_load_text_ex(path, text, len, flags, out, &d);
    diag_print(&d, stderr);
    diag_list_clear(&d);
    return rc < 0 ? EXIT_USAGE : 0;
}

/* Reads and parses the file (which must exist). 0 or an exit code (printed). */
static int conns_open(const char *path, unsigned flags, char **text, size_t *len,
                      struct connections **out)
{
    *out = NULL;
    int r = file_read_all(path, text, len);
    if (r < 0)
        return EXIT_FAILED;
    if (r == 1) {
        cli_error(_("add one with `deploy-stand connection add NAME --host H --user U`, or pass "
                    "--connections FILE"),
                  _("no connections file %s"), path);
        text_free(*text, *len);
        *text = NULL;
        return EXIT_USAGE;
    }
    int rc = conns_parse(path, *text, *len, flags, out);
    if (rc) {
        text_free(*text, *len);
        *text = NULL;
    }
    return rc;
}

int conn_ops_load(const struct cli_globals *g, unsigned flags, struct connections **out)
{
    *out = NULL;
    char *path = conn_ops_path(g, 0), *text = NULL;
    size_t len = 0;
    int rc = path ? conns_open(path, flags, &text, &len, out) : EXIT_FAILED;
    if (!path)
        cli_error(NULL, "%s", ds_err_last());
    if (text)
        text_free(text, len);
    free(path);
    return rc;
}

static struct connection *conn_find(struct connections *cs, const char *name, size_t *idx)
{
    for (size_t i = 0; cs && i < cs->n; i++)
        if (strcmp(cs->items[i].name, name) == 0) {
            if (idx)
                *idx = i;
            return &cs->items[i];
        }
    return NULL;
}

static void hostport_text(const struct connection *c, char *buf, size_t len)
{
    snprintf(buf, len, "%s:%u", c->host, c->port);
}

/* ---- connect and log in --------------------------------------------------------------------- */

/* What to do when the pinned certificate changed. */
static void pin_hint(const struct connection *c, char *buf, size_t len)
{
    char hp[300];
    hostport_text(c, hp, sizeof hp);
    snprintf(buf, len,
             _("if the node's certificate was renewed on purpose, check the new fingerprint on the "
               "node (Datacenter > node > Certificates) and pin it with `deploy-stand connection "
               "add %s --host %s --user %s %s --fingerprint NEW` (or --trust); otherwise do not "
               "connect: someone may be intercepting the connection"),
             c->name, hp, c->user,
             c->use_token ? "--token-name ... --token-value-stdin" : "--password-stdin");
}

pve_client *conn_client_new(const struct connection *c)
{
    char *token_id = NULL;
    struct pve_conn_opts o = {
        .host = c->host,
        .port = c->port,
        .user = c->user,
        .verify_tls = c->verify_ssl,
        .fingerprint = c->fingerprint,
        .timeout_ms = 30000,
    };
    if (c->use_token) {
        if (asprintf(&token_id, "%s!%s", c->user, c->token_name) < 0)
            return NULL;
        o.token_id = token_id;
        o.token_secret = c->token_value;
    } else {
        o.password = c->password;
    }
    pve_client *pc = pve_client_new(&o); /* copies every string */
    free(token_id);
    return pc;
}

/* Logs in with the connection and reads the version. 0 or EXIT_FAILED (printed). */
static int conn_login(const struct connection *c, json_t **version)
{
    pve_client *pc = conn_client_new(c);
    int rc = !pc || pve_client_login(pc) < 0 || pve_version_get(pc, version) < 0;
    if (rc) {
        char hint[1024];
        int pin = pve_client_pin_mismatch(pc);
        if (pin)
            pin_hint(c, hint, sizeof hint);
        cli_error(pin ? hint : NULL, _("connection '%s': %s"), c->name, ds_err_last());
    }
    pve_client_free(pc);
    return rc ? EXIT_FAILED : 0;
}

static void version_text(json_t *v, char *buf, size_t len)
{
    const char *ver = json_string_value(json_object_get(v, "version"));
    const char *rel = json_string_value(json_object_get(v, "release"));
    const char *rep = json_string_value(json_object_get(v, "repoid"));
    snprintf(buf, len, "Proxmox VE %s%s%s%s%s%s", ver ? ver : "?", rel ? " (release " : "",
             rel ? rel : "", rep ? ", repoid " : "", rep ? rep : "", rel ? ")" : "");
}

/* ---- connection encrypt -----------------------------------------------------------------------
 */

/* An edit that replaces the scalar at (line, col) by enc, in the scalar's quote style. */
static int secret_edit(const char *path, const char *t, size_t n, const struct connection *c,
                       const char *field, int line, int col, const char *plain, struct edits *e)
{
    size_t off = pos_offset(t, n, line, col), end;
    char q;
    if (off == (size_t)-1 || scalar_span(t, n, off, plain, &end, &q) < 0) {
        cli_error(_("write the value on one line (plain or quoted), then run the command again"),
                  _("%s:%d:%d: the %s of connection '%s' is not a one-line value; it cannot be "
                    "replaced in place"),
                  path, line, col, field, c->name);
        return -1;
    }
    char *enc = NULL;
    if (secret_encrypt(plain, &enc) < 0) {
        cli_error(NULL, "%s", ds_err_last());
        return -1;
    }
    char *repl = NULL;
    char qs[2] = {q, '\0'}; /* the original quote, or "" */
    if (asprintf(&repl, "%s%s%s", qs, enc, qs) < 0)
        abort();
    free(enc);
    edits_add(e, off, end, repl);
    return 0;
}

/* The secrets of the re-read file must be the same as before, all encrypted. */
/* 1 when enc decrypts to plain. */
static int secret_matches(const char *enc, const char *plain)
{
    char *back = NULL;
    int ok = enc && secret_decrypt(enc, &back) == 0 && strcmp(back, plain) == 0;
    secret_free(back);
    return ok;
}

/* The re-read file must hold every secret encrypted, and the new values must decrypt to the old
 * plaintext (values encrypted before are not touched, whatever key they need). */
static int encrypt_verify(const char *path, const char *text, size_t len,
                          const struct connections *before)
{
    struct connections *after = NULL;
    if (conns_parse(path, text, len, CONN_LOAD_QUIET | CONN_LOAD_RAW_SECRETS, &after)) {
        cli_error(NULL, _("internal error: the encrypted file would not load; %s was not changed"),
                  path);
        return -1;
    }
    int ok = after->n == before->n && after->n_plaintext == 0;
    for (size_t i = 0; ok && i < after->n; i++) {
        const struct connection *a = &after->items[i], *b = &before->items[i];
        if (b->password && !b->password_enc)
            ok = secret_matches(a->password, b->password);
        if (ok && b->token_value && !b->token_value_enc)
            ok = secret_matches(a->token_value, b->token_value);
    }
    connections_free(after);
    if (!ok)
        cli_error(NULL,
                  _("internal error: the encrypted values do not read back; %s was not changed"),
                  path);
    return ok ? 0 : -1;
}

static void key_source_text(char *buf, size_t len)
{
    const char *pass = getenv(SECRET_PASSPHRASE_ENV);
    if (pass && *pass) {
        snprintf(buf, len, _("a key derived from %s"), SECRET_PASSPHRASE_ENV);
        return;
    }
    char *kp = secret_key_path();
    snprintf(buf, len, _("the key file %s"), kp ? kp : "?");
    free(kp);
}

int conn_ops_encrypt(const struct cli_globals *g)
{
    char *path = conn_ops_path(g, 0), *text = NULL;
    size_t len = 0;
    struct connections *cs = NULL;
    int rc = path ? conns_open(path, CONN_LOAD_QUIET | CONN_LOAD_RAW_SECRETS, &text, &len, &cs)
                  : EXIT_FAILED;
    if (rc) {
        free(path);
        return rc;
    }
    struct edits e = {0};
    for (size_t i = 0; !rc && i < cs->n; i++) {
        const struct connection *c = &cs->items[i];
        if (c->password && !c->password_enc)
            rc = secret_edit(path, text, len, c, "password", c->password_line, c->password_col,
                             c->password, &e);
        if (!rc && c->token_value && !c->token_value_enc)
            rc = secret_edit(path, text, len, c, "token_value", c->token_value_line,
                             c->token_value_col, c->token_value, &e);
    }
    char key[600];
    key_source_text(key, sizeof key);
    if (!rc && e.n == 0) {
        printf(_("%s: every secret is already encrypted; nothing to do\n"), path);
    } else if (!rc) {
        size_t nlen = 0;
        char *ntext = edits_apply(text, len, &e, &nlen);
        rc = encrypt_verify(path, ntext, nlen, cs) < 0 || file_write_atomic(path, ntext, nlen) < 0;
        text_free(ntext, nlen);
        if (!rc)
            printf(ngettext("%s: encrypted %zu secret with %s (file mode 0600)\n",
                            "%s: encrypted %zu secrets with %s (file mode 0600)\n", e.n),
                   path, e.n, key);
    } else {
        rc = 1;
    }
    edits_free(&e);
    connections_free(cs);
    text_free(text, len);
    free(path);
    return rc ? EXIT_FAILED : EXIT_OK;
}

/* ---- connection list / test -------------------------------------------------------------------
 */

static const char *secret_state(const struct connection *c)
{
    const char *v = c->use_token ? c->token_value : c->password;
    int enc = c->use_token ? c->token_value_enc : c->password_enc;
    if (!v)
        return N_("missing");
    if (!enc)
        return N_("plaintext");
    return secret_is_passphrase_form(v) ? N_("encrypted (passphrase)") : N_("encrypted");
}

const char *conn_ops_tls_state(const struct connection *c)
{
    return c->fingerprint ? N_("pinned") : c->verify_ssl ? N_("CA-verified") : N_("NOT verified");
}

int conn_ops_list(const struct cli_globals *g)
{
    char *path = conn_ops_path(g, 0), *text = NULL;
    size_t len = 0;
    struct connections *cs = NULL;
    int rc = path ? conns_open(path, CONN_LOAD_QUIET | CONN_LOAD_RAW_SECRETS, &text, &len, &cs)
                  : EXIT_FAILED;
    if (rc) {
        free(path);
        return rc;
    }
    const struct connection *def = connections_pick(cs, NULL);
    if (g->json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < cs->n; i++) {
            const struct connection *c = &cs->items[i];
            json_t *o = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:b}", "name", c->name,
                                  "host", c->host, "port", (int)c->port, "user", c->user, "auth",
                                  c->use_token ? "token" : "password", "secret", secret_state(c),
                                  "tls", conn_ops_tls_state(c), "default", c == def);
            if (c->fingerprint)
                json_object_set_new(o, "fingerprint", json_string(c->fingerprint));
            json_array_append_new(arr, o);
        }
        json_t *doc = json_pack("{s:s, s:o}", "file", path, "connections", arr);
        json_dumpf(doc, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(doc);
    } else {
        const char *const hdr[] = {_("NAME"),   _("HOST"), _("USER"),   _("AUTH"),
                                   _("SECRET"), _("TLS"),  _("DEFAULT")};
        struct table *t = table_new(7, hdr);
        for (size_t i = 0; i < cs->n; i++) {
            const struct connection *c = &cs->items[i];
            char hp[300], auth[300];
            hostport_text(c, hp, sizeof hp);
            if (c->use_token)
                snprintf(auth, sizeof auth, _("token %s"), c->token_name);
            else
                snprintf(auth, sizeof auth, "%s", _("password"));
            const char *cells[] = {c->name,
                                   hp,
                                   c->user,
                                   auth,
                                   _(secret_state(c)),
                                   _(conn_ops_tls_state(c)),
                                   c == def ? _("yes") : ""};
            table_add(t, cells);
        }
        printf("%s:\n", path);
        table_print(t, stdout);
        table_free(t);
        if (cs->n_plaintext)
            printf(ngettext("\n%zu secret is in plaintext: run `deploy-stand connection encrypt "
                            "--connections %s`\n",
                            "\n%zu secrets are in plaintext: run `deploy-stand connection encrypt "
                            "--connections %s`\n",
                            cs->n_plaintext),
                   cs->n_plaintext, path);
    }
    connections_free(cs);
    text_free(text, len);
    free(path);
    return EXIT_OK;
}

int conn_ops_test(const struct cli_globals *g, const char *name)
{
    char *path = conn_ops_path(g, 0), *text = NULL;
    size_t len = 0;
    struct connections *cs = NULL;
    int rc = path ? conns_open(path, 0, &text, &len, &cs) : EXIT_FAILED;
    if (rc) {
        free(path);
        return rc;
    }
    const struct connection *c = connections_pick(cs, name ? name : g->connection);
    json_t *v = NULL;
    if (!c) {
        cli_error(NULL, "%s", ds_err_last());
        rc = EXIT_USAGE;
    } else if (!(rc = conn_login(c, &v))) {
        char hp[300], ver[300];
        hostport_text(c, hp, sizeof hp);
        version_text(v, ver, sizeof ver);
        if (c->use_token)
            printf(_("connection '%s': logged in to %s as %s with token %s (TLS %s); %s\n"),
                   c->name, hp, c->user, c->token_name, _(conn_ops_tls_state(c)), ver);
        else
            printf(_("connection '%s': logged in to %s as %s (TLS %s); %s\n"), c->name, hp, c->user,
                   _(conn_ops_tls_state(c)), ver);
        json_decref(v);
    }
    connections_free(cs);
    text_free(text, len);
    free(path);
    return rc;
}

/* ---- connection default / delete ----------------------------------------------------------- */

/* The plain word (true/false) at off: its end. */
static size_t word_end(const char *t, size_t n, size_t off)
{
    size_t e = off;
    while (e < n && ((t[e] >= 'a' && t[e] <= 'z') || (t[e] >= 'A' && t[e] <= 'Z')))
        e++;
    return e;
}

/* Edits that make `name` the only default (name NULL: none). The connection named `skip` is left
 * alone (it is being replaced). */
static int default_edits(const char *path, const char *t, size_t n, const struct connections *cs,
                         const char *name, const char *skip, struct edits *e)
{
    for (size_t i = 0; i < cs->n; i++) {
        const struct connection *c = &cs->items[i];
        int want = name && strcmp(c->name, name) == 0;
        if (skip && strcmp(c->name, skip) == 0)
            continue;
        if (c->default_line) {
            if (c->is_default == want)
                continue;
            size_t off = pos_offset(t, n, c->default_line, c->default_col);
            size_t end = off == (size_t)-1 ? off : word_end(t, n, off);
            if (off == (size_t)-1 || end == off) {
                cli_error(_("write `default: true` or `default: false` on one line"),
                          _("%s:%d:%d: cannot change the default of connection '%s' in place"),
                          path, c->default_line, c->default_col, c->name);
                return -1;
            }
            edits_add(e, off, end, strdup(want ? "true" : "false"));
        } else if (want) {
            size_t voff = pos_offset(t, n, c->value_line, c->value_col);
            if (voff == (size_t)-1 || c->value_line == c->line || t[voff] == '{') {
                cli_error(_("write the connection as a block mapping (one key per line)"),
                          _("%s:%d:%d: cannot add `default: true` to connection '%s' in place"),
                          path, c->line, c->col, c->name);
                return -1;
            }
            size_t start, end;
            conn_extent(cs, i, t, n, &start, &end);
            char *line = NULL;
            if (asprintf(&line, "%s%*sdefault: true\n", end > 0 && t[end - 1] != '\n' ? "\n" : "",
                         c->value_col - 1, "") < 0)
                abort();
            edits_add(e, end, end, line);
        }
    }
    return 0;
}

int conn_ops_default(const struct cli_globals *g, const char *name)
{
    char *path = conn_ops_path(g, 0), *text = NULL;
    size_t len = 0;
    struct connections *cs = NULL;
    int rc = path ? conns_open(path, CONN_LOAD_QUIET | CONN_LOAD_RAW_SECRETS, &text, &len, &cs)
                  : EXIT_FAILED;
    if (rc) {
        free(path);
        return rc;
    }
    struct edits e = {0};
    if (!conn_find(cs, name, NULL)) {
        connections_pick(cs, name);
        cli_error(NULL, "%s", ds_err_last());
        rc = EXIT_USAGE;
    } else if (default_edits(path, text, len, cs, name, NULL, &e) < 0) {
        rc = EXIT_FAILED;
    } else if (e.n == 0) {
        printf(_("'%s' is already the default connection in %s\n"), name, path);
    } else {
        size_t nlen;
        char *ntext = edits_apply(text, len, &e, &nlen);
        struct connections *check = NULL;
        const struct connection *d = NULL;
        if (conns_parse(path, ntext, nlen, CONN_LOAD_QUIET | CONN_LOAD_RAW_SECRETS, &check) ||
            !(d = connections_pick(check, NULL)) || strcmp(d->name, name) != 0) {
            cli_error(NULL,
                      _("internal error: the edited file would not say so; %s was not changed"),
                      path);
            rc = EXIT_FAILED;
        } else if (file_write_atomic(path, ntext, nlen) < 0) {
            rc = EXIT_FAILED;
        } else {
            printf(_("'%s' is now the default connection in %s\n"), name, path);
        }
        connections_free(check);
        text_free(ntext, nlen);
    }
    edits_free(&e);
    connections_free(cs);
    text_free(text, len);
    free(path);
    return rc;
}

int conn_ops_delete(const struct cli_globals *g, const char *name)
{
    char *path = conn_ops_path(g, 0), *text = NULL;
    size_t len = 0;
    struct connections *cs = NULL;
    int rc = path ? conns_open(path, CONN_LOAD_QUIET | CONN_LOAD_RAW_SECRETS, &text, &len, &cs)
                  : EXIT_FAILED;
    if (rc) {
        free(path);
        return rc;
    }
    size_t idx;
    struct connection *c = conn_find(cs, name, &idx);
    if (!c) {
        connections_pick(cs, name);
        cli_error(NULL, "%s", ds_err_last());
        rc = EXIT_USAGE;
    } else {
        if (c->value_line == c->line && cs->n > 1 && idx + 1 < cs->n &&
            cs->items[idx + 1].line == c->line) {
            cli_error(_("write one connection per line range (block style)"),
                      _("%s:%d:%d: cannot delete connection '%s' in place"), path, c->line, c->col,
                      name);
            rc = EXIT_FAILED;
        }
        size_t start, end, nlen;
        conn_extent(cs, idx, text, len, &start, &end);
        struct edits e = {0};
        char *ntext = NULL;
        if (!rc) {
            edits_add(&e, start, end, strdup(""));
            ntext = edits_apply(text, len, &e, &nlen);
        }
        struct connections *check = NULL;
        if (!rc &&
            !(cs->n == 1 ? text_is_empty(ntext, nlen)
                         : conns_parse(path, ntext, nlen, CONN_LOAD_QUIET | CONN_LOAD_RAW_SECRETS,
                                       &check) == 0 &&
                               check->n == cs->n - 1 && !conn_find(check, name, NULL))) {
            cli_error(NULL, _("internal error: the edited file would be wrong; %s was not changed"),
                      path);
            rc = EXIT_FAILED;
        }
        if (!rc && file_write_atomic(path, ntext, nlen) < 0)
            rc = EXIT_FAILED;
        if (!rc)
            printf(_("deleted connection '%s' from %s\n"), name, path);
        connections_free(check);
        if (ntext)
            text_free(ntext, nlen);
        edits_free(&e);
    }
    connections_free(cs);
    text_free(text, len);
    free(path);
    return rc;
}
/* ---- connection add ---------------------------------------------------------------------- */

/* The name, host and user must be writable into the file as they are. 0 or EXIT_USAGE. */
static int add_req_check(const struct conn_add_req *a)
{
    const char *bad = !a->name || !*a->name   ? _("give the connection a NAME")
                      : !a->host || !*a->host ? _("--host H[:PORT] is required")
                      : !a->user || !*a->user ? _("--user U is required (e.g. root@pam)")
                                              : NULL;
    if (bad) {
        cli_error(NULL, _("connection add: %s"), bad);
        return EXIT_USAGE;
    }
    size_t nl = strlen(a->name);
    int ok = nl > 0 && nl <= 64;
    for (size_t i = 0; ok && i < nl; i++) {
        unsigned char ch = (unsigned char)a->name[i];
        ok = (ch < 128 && (ch == '-' || ch == '_' || ch == '.' || (ch >= '0' && ch <= '9') ||
                           (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))) &&
             !(i == 0 && (ch == '-' || ch == '.'));
    }
    if (!ok) {
        cli_error(_("use letters, digits, '-', '_' and '.' (at most 64)"),
                  _("connection add: '%s' is not a valid connection name"), a->name);
        return EXIT_USAGE;
    }
    for (const char *s = a->host; *s; s++)
        ok &= *s > ' ' && *s != '"' && *s != '\\' && *s != 0x7f;
    for (const char *s = a->user; *s; s++)
        ok &= *s > ' ' && *s != '"' && *s != '\\' && *s != 0x7f;
    if (!ok) {
        cli_error(_("e.g. --host 192.168.1.100:8006 --user root@pam"),
                  _("connection add: --host or --user holds characters a host or a user id "
                    "cannot"));
        return EXIT_USAGE;
    }
    return 0;
}

static char *add_entry_text(const struct conn_add_req *a, const char *enc, const char *fp)
{
    char *s = NULL;
    int n;
    if (a->token_name)
        n = asprintf(
            &s,
            "%s:\n  host: \"%s\"\n  user: \"%s\"\n  use_token: true\n  token_name: \"%s\"\n"
            "  token_value: %s\n  fingerprint: \"%s\"\n%s",
            a->name, a->host, a->user, a->token_name, enc, fp,
            a->make_default ? "  default: true\n" : "");
    else
        n = asprintf(&s,
                     "%s:\n  host: \"%s\"\n  user: \"%s\"\n  password: %s\n  fingerprint: "
                     "\"%s\"\n%s",
                     a->name, a->host, a->user, enc, fp,
                     a->make_default ? "  default: true\n" : "");
    if (n < 0)
        abort();
    return s;
}

int conn_ops_add(const struct cli_globals *g, const struct conn_add_req *r,
                 const struct conn_add_io *io)
{
    struct conn_add_req a = *r;
    int rc = add_req_check(&a);
    if (rc)
        return rc;
    /* the new entry alone, validated by the loader (host, port, user, token name) */
    struct connections *one = NULL;
    char *probe = NULL;
    if (asprintf(&probe, "%s:\n  host: \"%s\"\n  user: \"%s\"\n  password: x\n%s%s%s", a.name,
                 a.host, a.user, a.token_name ? "  token_name: \"" : "",
                 a.token_name ? a.token_name : "", a.token_name ? "\"\n" : "") < 0)
        abort();
    rc = conns_parse("connection add", probe, strlen(probe), CONN_LOAD_QUIET, &one);
    free(probe);
    if (rc)
        return rc;
    struct connection *c = &one->items[0];

    char *path = conn_ops_path(g, 1), *text = NULL, *secret = NULL, *enc = NULL, *ntext = NULL;
    size_t len = 0, nlen = 0;
    struct connections *cs = NULL, *check = NULL;
    struct edits e = {0};
    json_t *ver = NULL;
    struct pve_certinfo ci;
    if (!path) {
        cli_error(NULL, "%s", ds_err_last());
        rc = EXIT_FAILED;
        goto out;
    }
    /* the existing file must be sound before it is edited */
    int missing = file_read_all(path, &text, &len);
    if (missing < 0) {
        rc = EXIT_FAILED;
        goto out;
    }
    if (!text_is_empty(text, len) &&
        (rc = conns_parse(path, text, len, CONN_LOAD_QUIET | CONN_LOAD_RAW_SECRETS, &cs)))
        goto out;

    if (pve_certinfo_fetch(c->host, c->port, 10000, &ci) < 0) {
        cli_error(_("check --host (and the port: Proxmox VE listens on 8006)"), "%s",
                  ds_err_last());
        rc = EXIT_FAILED;
        goto out;
    }
    char hp[300];
    hostport_text(c, hp, sizeof hp);
    printf(_("%s presents this certificate:\n  subject:  %s\n  issuer:   %s\n  expires:  %s\n"
             "  SHA-256:  %s\n"),
           hp, ci.subject, ci.issuer, ci.not_after, ci.fingerprint);
    fflush(stdout);
    if ((rc = io->trust(io->ud, hp, &ci)))
        goto out;
    if ((rc = io->secret(io->ud, a.token_name ? _("API token value") : _("password"), &secret)))
        goto out;
    if (!secret || !*secret) {
        cli_error(NULL, "%s",
                  a.token_name ? _("the API token value is empty; nothing was saved")
                               : _("the password is empty; nothing was saved"));
        rc = EXIT_USAGE;
        goto out;
    }

    /* log in through the pin before anything is saved */
    c->fingerprint = strdup(ci.fingerprint);
    c->verify_ssl = 1;
    secret_free(c->password); /* the probe's placeholder */
    c->password = NULL;
    if (a.token_name) {
        c->use_token = 1;
        c->token_value = secret;
    } else {
        c->password = secret;
    }
    secret = NULL; /* owned by one now */
    if ((rc = conn_login(c, &ver))) {
        fputs(_("nothing was saved\n"), stderr);
        goto out;
    }
    char vt[300];
    version_text(ver, vt, sizeof vt);
    printf(_("Logged in as %s: %s.\n"), c->user, vt);

    if (secret_encrypt(a.token_name ? c->token_value : c->password, &enc) < 0) {
        cli_error(NULL, "%s", ds_err_last());
        rc = EXIT_FAILED;
        goto out;
    }
    size_t idx;
    struct connection *old = cs ? conn_find(cs, a.name, &idx) : NULL;
    if (old) {
        size_t start, end;
        conn_extent(cs, idx, text, len, &start, &end);
        edits_add(&e, start, end, strdup(""));
        a.make_default |= old->is_default; /* a replaced default stays the default */
    }
    if (cs && a.make_default && default_edits(path, text, len, cs, NULL, a.name, &e) < 0) {
        rc = EXIT_FAILED;
        goto out;
    }
    char *entry = add_entry_text(&a, enc, ci.fingerprint);
    char *tail = NULL;
    if (asprintf(&tail, "%s%s", len > 0 && text[len - 1] != '\n' ? "\n" : "", entry) < 0)
        abort();
    free(entry);
    edits_add(&e, len, len, tail);
    ntext = edits_apply(text, len, &e, &nlen);

    /* the new file must load, decrypt, and hold the connection as intended */
    const struct connection *nc = NULL;
    if (conns_parse(path, ntext, nlen, CONN_LOAD_QUIET | CONN_LOAD_RAW_SECRETS, &check) ||
        !(nc = conn_find(check, a.name, NULL)) || !nc->fingerprint ||
        strcmp(nc->fingerprint, ci.fingerprint) != 0 ||
        !secret_matches(a.token_name ? nc->token_value : nc->password,
                        a.token_name ? c->token_value : c->password) ||
        (a.make_default && connections_pick(check, NULL) != nc)) {
        cli_error(NULL, _("internal error: the edited file would be wrong; %s was not changed"),
                  path);
        rc = EXIT_FAILED;
        goto out;
    }
    if (file_write_atomic(path, ntext, nlen) < 0) {
        rc = EXIT_FAILED;
        goto out;
    }
    char key[600];
    key_source_text(key, sizeof key);
    printf(old ? _("Replaced connection '%s' in %s: certificate pinned, %s encrypted with %s%s.\n")
               : _("Saved connection '%s' in %s: certificate pinned, %s encrypted with %s%s.\n"),
           a.name, path, a.token_name ? _("token value") : _("password"), key,
           a.make_default ? _("; it is the default") : "");
out:
    json_decref(ver);
    connections_free(check);
    if (ntext)
        text_free(ntext, nlen);
    edits_free(&e);
    free(enc);
    secret_free(secret);
    connections_free(cs);
    if (text)
        text_free(text, len);
    free(path);
    connections_free(one);
    return rc;
}
