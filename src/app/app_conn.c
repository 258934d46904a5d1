/* app_conn: the connection use cases the command line and the menu share: where the file is,
 * add (pinned certificate, encrypted secret), list, test, encrypt, default, delete. */
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app_conn.h"
#include "config/connections.h"
#include "pve/pve_api.h"
#include "pve/pve_certinfo.h"
#include "pve/pve_client.h"
#include "store/secrets.h"
#include "app/app_conn_file.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/i18n.h"
#include "util/xalloc.h"
#include "util/xdg.h"

#define SECRET_MAX 4096
#define DEFAULT_FILE "connections_config.yml"

/* ---- the file: where, read, write atomically ------------------------------------------------ */

/* --connections, else ./connections_config.yml, else the XDG one (its folder made 0700 when
 * for_create). malloc'd. */
char *app_conn_path(const struct app_env *g, int for_create)
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

int app_conn_load(const struct app_env *g, const struct app_events *ev, unsigned flags,
                  struct connections **out)
{
    *out = NULL;
    char *path = app_conn_path(g, 0), *text = NULL;
    size_t len = 0;
    int rc = path ? cf_open(ev, path, flags, &text, &len, out) : APP_FAILED;
    if (!path)
        app_error(ev, NULL, "%s", ds_err_last());
    if (text)
        cf_text_free(text, len);
    free(path);
    return rc;
}

/* The connections file while a use case reads or edits it; close with doc_close. */
struct conn_doc {
    char *path; /* malloc'd */
    char *text; /* the file as read (cf_text_free: it may hold plaintext secrets) */
    size_t len;
    struct connections *cs; /* parsed with the flags given to doc_open */
};

/* Finds, reads and parses the file, which must exist. 0, or an exit code (reported by cf_open)
 * with nothing left to close. */
static int doc_open(const struct app_env *g, const struct app_events *ev, unsigned flags,
                    struct conn_doc *d)
{
    *d = (struct conn_doc){0};
    d->path = app_conn_path(g, 0);
    int rc = d->path ? cf_open(ev, d->path, flags, &d->text, &d->len, &d->cs) : APP_FAILED;
    if (rc) {
        free(d->path);
        d->path = NULL;
    }
    return rc;
}

static void doc_close(struct conn_doc *d)
{
    connections_free(d->cs);
    if (d->text)
        cf_text_free(d->text, d->len);
    free(d->path);
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

void app_conn_hostport(const struct connection *c, char *buf, size_t len)
{
    snprintf(buf, len, "%s:%u", c->host, c->port);
}

/* ---- connect and log in --------------------------------------------------------------------- */

/* What to do when the pinned certificate changed. */
static void pin_hint(const struct connection *c, char *buf, size_t len)
{
    char hp[300];
    app_conn_hostport(c, hp, sizeof hp);
    snprintf(buf, len,
             _("if the node's certificate was renewed on purpose, check the new fingerprint on the "
               "node (Datacenter > node > Certificates) and pin it with `deploy-stand connection "
               "add %s --host %s --user %s %s --fingerprint NEW` (or --trust); otherwise do not "
               "connect: someone may be intercepting the connection"),
             c->name, hp, c->user,
             c->use_token ? "--token-name ... --token-value-stdin" : "--password-stdin");
}

pve_client *app_conn_client_new(const struct connection *c)
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

/* Logs in with the connection and reads the version. 0 or APP_FAILED (printed). */
static int conn_login(const struct app_events *ev, const struct connection *c, json_t **version)
{
    pve_client *pc = app_conn_client_new(c);
    int rc = !pc || pve_client_login(pc) < 0 || pve_version_get(pc, version) < 0;
    if (rc) {
        char hint[1024];
        int pin = pve_client_pin_mismatch(pc);
        if (pin)
            pin_hint(c, hint, sizeof hint);
        app_error(ev, pin ? hint : NULL, _("connection '%s': %s"), c->name, ds_err_last());
    }
    pve_client_free(pc);
    return rc ? APP_FAILED : 0;
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
static int secret_edit(const struct app_events *ev, const char *path, const char *t, size_t n,
                       const struct connection *c, const char *field, int line, int col,
                       const char *plain, struct cf_edits *e)
{
    size_t off = cf_pos_offset(t, n, line, col), end;
    char q;
    if (off == (size_t)-1 || cf_scalar_span(t, n, off, plain, &end, &q) < 0) {
        app_error(ev,
                  _("write the value on one line (plain or quoted), then run the command again"),
                  _("%s:%d:%d: the %s of connection '%s' is not a one-line value; it cannot be "
                    "replaced in place"),
                  path, line, col, field, c->name);
        return -1;
    }
    char *enc = NULL;
    if (secret_encrypt(plain, &enc) < 0) {
        app_error(ev, NULL, "%s", ds_err_last());
        return -1;
    }
    char *repl = NULL;
    char qs[2] = {q, '\0'}; /* the original quote, or "" */
    if (asprintf(&repl, "%s%s%s", qs, enc, qs) < 0)
        abort();
    free(enc);
    cf_edits_add(e, off, end, repl);
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
static int encrypt_verify(const struct app_events *ev, const char *path, const char *text,
                          size_t len, const struct connections *before)
{
    struct connections *after = NULL;
    if (cf_parse(ev, path, text, len, CONN_LOAD_QUIET | CONN_LOAD_RAW_SECRETS, &after)) {
        app_error(ev, NULL,
                  _("internal error: the encrypted file would not load; %s was not changed"), path);
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
        app_error(ev, NULL,
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

int app_conn_encrypt(const struct app_env *g, const struct app_events *ev)
{
    struct conn_doc d;
    int rc = doc_open(g, ev, CONN_LOAD_QUIET | CONN_LOAD_RAW_SECRETS, &d);
    if (rc)
        return rc;
    struct cf_edits e = {0};
    for (size_t i = 0; !rc && i < d.cs->n; i++) {
        const struct connection *c = &d.cs->items[i];
        if (c->password && !c->password_enc)
            rc = secret_edit(ev, d.path, d.text, d.len, c, "password", c->password_line,
                             c->password_col, c->password, &e);
        if (!rc && c->token_value && !c->token_value_enc)
            rc = secret_edit(ev, d.path, d.text, d.len, c, "token_value", c->token_value_line,
                             c->token_value_col, c->token_value, &e);
    }
    char key[600];
    key_source_text(key, sizeof key);
    if (!rc && e.n == 0) {
        app_note(ev, APP_DATA, _("%s: every secret is already encrypted; nothing to do\n"), d.path);
    } else if (!rc) {
        size_t nlen = 0;
        char *ntext = cf_edits_apply(d.text, d.len, &e, &nlen);
        rc = encrypt_verify(ev, d.path, ntext, nlen, d.cs) < 0 ||
             cf_write_atomic(ev, d.path, ntext, nlen) < 0;
        cf_text_free(ntext, nlen);
        if (!rc)
            app_note(ev, APP_DATA,
                     ngettext("%s: encrypted %zu secret with %s (file mode 0600)\n",
                              "%s: encrypted %zu secrets with %s (file mode 0600)\n", e.n),
                     d.path, e.n, key);
    } else {
        rc = 1;
    }
    cf_edits_free(&e);
    doc_close(&d);
    return rc ? APP_FAILED : APP_OK;
}

/* ---- connection list / test -------------------------------------------------------------------
 */

const char *app_conn_secret_state(const struct connection *c)
{
    const char *v = c->use_token ? c->token_value : c->password;
    int enc = c->use_token ? c->token_value_enc : c->password_enc;
    if (!v)
        return N_("missing");
    if (!enc)
        return N_("plaintext");
    return secret_is_passphrase_form(v) ? N_("encrypted (passphrase)") : N_("encrypted");
}

const char *app_conn_tls_state(const struct connection *c)
{
    return c->fingerprint ? N_("pinned") : c->verify_ssl ? N_("CA-verified") : N_("NOT verified");
}

int app_conn_list(const struct app_env *g, const struct app_events *ev, char **path,
                  struct connections **out)
{
    *out = NULL;
    *path = app_conn_path(g, 0);
    char *text = NULL;
    size_t len = 0;
    int rc = *path ? cf_open(ev, *path, CONN_LOAD_QUIET | CONN_LOAD_RAW_SECRETS, &text, &len, out)
                   : APP_FAILED;
    if (text)
        cf_text_free(text, len);
    if (rc) {
        free(*path);
        *path = NULL;
    }
    return rc;
}

int app_conn_test(const struct app_env *g, const struct app_events *ev, const char *name)
{
    struct conn_doc d;
    int rc = doc_open(g, ev, 0, &d);
    if (rc)
        return rc;
    const struct connection *c = connections_pick(d.cs, name ? name : g->connection);
    json_t *v = NULL;
    if (!c) {
        app_error(ev, NULL, "%s", ds_err_last());
        rc = APP_USAGE;
    } else if (!(rc = conn_login(ev, c, &v))) {
        char hp[300], ver[300];
        app_conn_hostport(c, hp, sizeof hp);
        version_text(v, ver, sizeof ver);
        if (c->use_token)
            app_note(ev, APP_DATA,
                     _("connection '%s': logged in to %s as %s with token %s (TLS %s); %s\n"),
                     c->name, hp, c->user, c->token_name, _(app_conn_tls_state(c)), ver);
        else
            app_note(ev, APP_DATA, _("connection '%s': logged in to %s as %s (TLS %s); %s\n"),
                     c->name, hp, c->user, _(app_conn_tls_state(c)), ver);
        json_decref(v);
    }
    doc_close(&d);
    return rc;
}

/* ---- connection default / delete ----------------------------------------------------------- */

int app_conn_default(const struct app_env *g, const struct app_events *ev, const char *name)
{
    struct conn_doc d;
    int rc = doc_open(g, ev, CONN_LOAD_QUIET | CONN_LOAD_RAW_SECRETS, &d);
    if (rc)
        return rc;
    struct cf_edits e = {0};
    if (!conn_find(d.cs, name, NULL)) {
        connections_pick(d.cs, name);
        app_error(ev, NULL, "%s", ds_err_last());
        rc = APP_USAGE;
    } else if (cf_default_edits(ev, d.path, d.text, d.len, d.cs, name, NULL, &e) < 0) {
        rc = APP_FAILED;
    } else if (e.n == 0) {
        app_note(ev, APP_DATA, _("'%s' is already the default connection in %s\n"), name, d.path);
    } else {
        size_t nlen;
        char *ntext = cf_edits_apply(d.text, d.len, &e, &nlen);
        struct connections *check = NULL;
        const struct connection *dflt = NULL;
        if (cf_parse(ev, d.path, ntext, nlen, CONN_LOAD_QUIET | CONN_LOAD_RAW_SECRETS, &check) ||
            !(dflt = connections_pick(check, NULL)) || strcmp(dflt->name, name) != 0) {
            app_error(ev, NULL,
                      _("internal error: the edited file would not say so; %s was not changed"),
                      d.path);
            rc = APP_FAILED;
        } else if (cf_write_atomic(ev, d.path, ntext, nlen) < 0) {
            rc = APP_FAILED;
        } else {
            app_note(ev, APP_DATA, _("'%s' is now the default connection in %s\n"), name, d.path);
        }
        connections_free(check);
        cf_text_free(ntext, nlen);
    }
    cf_edits_free(&e);
    doc_close(&d);
    return rc;
}

int app_conn_delete(const struct app_env *g, const struct app_events *ev, const char *name)
{
    struct conn_doc d;
    int rc = doc_open(g, ev, CONN_LOAD_QUIET | CONN_LOAD_RAW_SECRETS, &d);
    if (rc)
        return rc;
    size_t idx;
    struct connection *c = conn_find(d.cs, name, &idx);
    if (!c) {
        connections_pick(d.cs, name);
        app_error(ev, NULL, "%s", ds_err_last());
        rc = APP_USAGE;
    } else {
        if (c->value_line == c->line && d.cs->n > 1 && idx + 1 < d.cs->n &&
            d.cs->items[idx + 1].line == c->line) {
            app_error(ev, _("write one connection per line range (block style)"),
                      _("%s:%d:%d: cannot delete connection '%s' in place"), d.path, c->line,
                      c->col, name);
            rc = APP_FAILED;
        }
        size_t start, end, nlen;
        cf_conn_extent(d.cs, idx, d.text, d.len, &start, &end);
        struct cf_edits e = {0};
        char *ntext = NULL;
        if (!rc) {
            cf_edits_add(&e, start, end, strdup(""));
            ntext = cf_edits_apply(d.text, d.len, &e, &nlen);
        }
        struct connections *check = NULL;
        if (!rc &&
            !(d.cs->n == 1 ? cf_text_is_empty(ntext, nlen)
                           : cf_parse(ev, d.path, ntext, nlen,
                                      CONN_LOAD_QUIET | CONN_LOAD_RAW_SECRETS, &check) == 0 &&
                                 check->n == d.cs->n - 1 && !conn_find(check, name, NULL))) {
            app_error(ev, NULL,
                      _("internal error: the edited file would be wrong; %s was not changed"),
                      d.path);
            rc = APP_FAILED;
        }
        if (!rc && cf_write_atomic(ev, d.path, ntext, nlen) < 0)
            rc = APP_FAILED;
        if (!rc)
            app_note(ev, APP_DATA, _("deleted connection '%s' from %s\n"), name, d.path);
        connections_free(check);
        if (ntext)
            cf_text_free(ntext, nlen);
        cf_edits_free(&e);
    }
    doc_close(&d);
    return rc;
}

/* ---- connection add ---------------------------------------------------------------------- */

/* The name, host and user must be writable into the file as they are. 0 or APP_USAGE. */
static int add_req_check(const struct app_events *ev, const struct conn_add_req *a)
{
    const char *bad = !a->name || !*a->name   ? _("give the connection a NAME")
                      : !a->host || !*a->host ? _("--host H[:PORT] is required")
                      : !a->user || !*a->user ? _("--user U is required (e.g. root@pam)")
                                              : NULL;
    if (bad) {
        app_error(ev, NULL, _("connection add: %s"), bad);
        return APP_USAGE;
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
        app_error(ev, _("use letters, digits, '-', '_' and '.' (at most 64)"),
                  _("connection add: '%s' is not a valid connection name"), a->name);
        return APP_USAGE;
    }
    for (const char *s = a->host; *s; s++)
        ok &= *s > ' ' && *s != '"' && *s != '\\' && *s != 0x7f;
    for (const char *s = a->user; *s; s++)
        ok &= *s > ' ' && *s != '"' && *s != '\\' && *s != 0x7f;
    if (!ok) {
        app_error(ev, _("e.g. --host 192.168.1.100:8006 --user root@pam"),
                  _("connection add: --host or --user holds characters a host or a user id "
                    "cannot"));
        return APP_USAGE;
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

/* One `connection add` on its way: the request, the new entry, the file and its edited text. */
struct add_run {
    struct conn_add_req a;   /* the request; make_default may turn on (a replaced default) */
    struct connections *one; /* the new entry alone (items[0]), then with its pin and secret */
    char *path, *text;       /* the file (text: cf_text_free) */
    size_t len;
    struct connections *cs; /* the file as it is; NULL when empty or missing */
    struct connection *old; /* the entry of the same name being replaced, or NULL */
    struct pve_certinfo ci; /* the server's certificate */
    char *ntext;            /* the file as it will be (cf_text_free) */
    size_t nlen;
    struct cf_edits e;
};

/* The new entry alone, validated by the loader (host, port, user, token name). 0 or an exit code.
 */
static int add_probe(const struct app_events *ev, struct add_run *x)
{
    const struct conn_add_req *a = &x->a;
    char *probe = NULL;
    if (asprintf(&probe, "%s:\n  host: \"%s\"\n  user: \"%s\"\n  password: x\n%s%s%s", a->name,
                 a->host, a->user, a->token_name ? "  token_name: \"" : "",
                 a->token_name ? a->token_name : "", a->token_name ? "\"\n" : "") < 0)
        abort();
    struct diag_list d = {0};
    int rc = connections_load_text_ex("connection add", probe, strlen(probe), CONN_LOAD_QUIET,
                                      &x->one, &d) < 0
                 ? APP_USAGE
                 : 0;
    free(probe);
    /* the probe's lines are no place the teacher wrote: name the option each problem came from */
    static const char *const opts[] = {NULL, "NAME", "--host", "--user", NULL, "--token-name"};
    for (size_t i = 0; i < d.n; i++) {
        struct diag *di = &d.items[i];
        const char *opt = di->line > 0 && di->line <= 5 ? opts[di->line] : NULL;
        if (opt) {
            free(di->file);
            di->file = xasprintf("connection add %s", opt);
        }
        di->line = di->col = 0;
    }
    app_diags(ev, &d);
    diag_list_clear(&d);
    return rc;
}

/* Where the file is; the existing file must be sound before it is edited. 0 or an exit code. */
static int add_open(const struct app_env *g, const struct app_events *ev, struct add_run *x)
{
    x->path = app_conn_path(g, 1);
    if (!x->path) {
        app_error(ev, NULL, "%s", ds_err_last());
        return APP_FAILED;
    }
    if (cf_read_all(ev, x->path, &x->text, &x->len) < 0)
        return APP_FAILED;
    if (!cf_text_is_empty(x->text, x->len))
        return cf_parse(ev, x->path, x->text, x->len, CONN_LOAD_QUIET | CONN_LOAD_RAW_SECRETS,
                        &x->cs);
    return 0;
}

/* Shows the server's certificate and asks whether to trust it. 0 or an exit code. */
static int add_trust(const struct app_events *ev, const struct conn_add_io *io, struct add_run *x)
{
    const struct connection *c = &x->one->items[0];
    if (pve_certinfo_fetch(c->host, c->port, 10000, &x->ci) < 0) {
        app_error(ev, _("check --host (and the port: Proxmox VE listens on 8006)"), "%s",
                  ds_err_last());
        return APP_FAILED;
    }
    char hp[300];
    app_conn_hostport(c, hp, sizeof hp);
    app_note(ev, APP_DATA,
             _("%s presents this certificate:\n  subject:  %s\n  issuer:   %s\n  expires:  %s\n"
               "  SHA-256:  %s\n"),
             hp, x->ci.subject, x->ci.issuer, x->ci.not_after, x->ci.fingerprint);
    return io->trust(io->ud, hp, &x->ci);
}

/* Asks for the secret and logs in through the pin before anything is saved. 0 or an exit code. */
static int add_login(const struct app_events *ev, const struct conn_add_io *io, struct add_run *x)
{
    const char *token = x->a.token_name;
    char *secret = NULL;
    int rc = io->secret(io->ud, token ? _("API token value") : _("password"), &secret);
    if (rc) {
        secret_free(secret);
        return rc;
    }
    if (!secret || !*secret) {
        app_error(ev, NULL, "%s",
                  token ? _("the API token value is empty; nothing was saved")
                        : _("the password is empty; nothing was saved"));
        secret_free(secret);
        return APP_USAGE;
    }
    struct connection *c = &x->one->items[0];
    c->fingerprint = strdup(x->ci.fingerprint);
    c->verify_ssl = 1;
    secret_free(c->password); /* the probe's placeholder */
    c->password = NULL;
    if (token) {
        c->use_token = 1;
        c->token_value = secret;
    } else {
        c->password = secret;
    }
    json_t *ver = NULL;
    if ((rc = conn_login(ev, c, &ver))) {
        app_note(ev, APP_ERR, "%s", _("nothing was saved\n"));
    } else {
        char vt[300];
        version_text(ver, vt, sizeof vt);
        app_note(ev, APP_DATA, _("Logged in as %s: %s.\n"), c->user, vt);
    }
    json_decref(ver);
    return rc;
}

/* The new file text: the entry (its secret encrypted) replaces one of the same name or is
 * appended; a default moves to it when asked. 0 or an exit code. */
static int add_edit(const struct app_events *ev, struct add_run *x)
{
    const struct connection *c = &x->one->items[0];
    char *enc = NULL;
    if (secret_encrypt(x->a.token_name ? c->token_value : c->password, &enc) < 0) {
        app_error(ev, NULL, "%s", ds_err_last());
        return APP_FAILED;
    }
    size_t idx;
    x->old = x->cs ? conn_find(x->cs, x->a.name, &idx) : NULL;
    if (x->old) {
        size_t start, end;
        cf_conn_extent(x->cs, idx, x->text, x->len, &start, &end);
        cf_edits_add(&x->e, start, end, strdup(""));
        x->a.make_default |= x->old->is_default; /* a replaced default stays the default */
    }
    if (x->cs && x->a.make_default &&
        cf_default_edits(ev, x->path, x->text, x->len, x->cs, NULL, x->a.name, &x->e) < 0) {
        free(enc);
        return APP_FAILED;
    }
    char *entry = add_entry_text(&x->a, enc, x->ci.fingerprint);
    free(enc);
    char *tail = NULL;
    if (asprintf(&tail, "%s%s", x->len > 0 && x->text[x->len - 1] != '\n' ? "\n" : "", entry) < 0)
        abort();
    free(entry);
    cf_edits_add(&x->e, x->len, x->len, tail);
    x->ntext = cf_edits_apply(x->text, x->len, &x->e, &x->nlen);
    return 0;
}

/* The new file must load, decrypt, and hold the connection as intended; then it is written.
 * 0 or an exit code. */
static int add_save(const struct app_events *ev, struct add_run *x)
{
    const struct connection *c = &x->one->items[0], *nc = NULL;
    const char *tok = x->a.token_name;
    struct connections *check = NULL;
    int rc = 0;
    if (cf_parse(ev, x->path, x->ntext, x->nlen, CONN_LOAD_QUIET | CONN_LOAD_RAW_SECRETS, &check) ||
        !(nc = conn_find(check, x->a.name, NULL)) || !nc->fingerprint ||
        strcmp(nc->fingerprint, x->ci.fingerprint) != 0 ||
        !secret_matches(tok ? nc->token_value : nc->password, tok ? c->token_value : c->password) ||
        (x->a.make_default && connections_pick(check, NULL) != nc)) {
        app_error(ev, NULL, _("internal error: the edited file would be wrong; %s was not changed"),
                  x->path);
        rc = APP_FAILED;
    } else if (cf_write_atomic(ev, x->path, x->ntext, x->nlen) < 0) {
        rc = APP_FAILED;
    } else {
        char key[600];
        key_source_text(key, sizeof key);
        app_note(ev, APP_DATA,
                 x->old ? _("Replaced connection '%s' in %s: certificate pinned, %s encrypted "
                            "with %s%s.\n")
                        : _("Saved connection '%s' in %s: certificate pinned, %s encrypted with "
                            "%s%s.\n"),
                 x->a.name, x->path, tok ? _("token value") : _("password"), key,
                 x->a.make_default ? _("; it is the default") : "");
    }
    connections_free(check);
    return rc;
}

int app_conn_add(const struct app_env *g, const struct app_events *ev, const struct conn_add_req *r,
                 const struct conn_add_io *io)
{
    struct add_run x = {.a = *r};
    int rc = add_req_check(ev, &x.a);
    if (!rc)
        rc = add_probe(ev, &x);
    if (!rc)
        rc = add_open(g, ev, &x);
    if (!rc)
        rc = add_trust(ev, io, &x);
    if (!rc)
        rc = add_login(ev, io, &x);
    if (!rc)
        rc = add_edit(ev, &x);
    if (!rc)
        rc = add_save(ev, &x);
    if (x.ntext)
        cf_text_free(x.ntext, x.nlen);
    cf_edits_free(&x.e);
    connections_free(x.cs);
    if (x.text)
        cf_text_free(x.text, x.len);
    free(x.path);
    connections_free(x.one);
    return rc;
}
