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
    char *path = app_conn_path(g, 0), *text = NULL;
    size_t len = 0;
    struct connections *cs = NULL;
    int rc = path ? cf_open(ev, path, CONN_LOAD_QUIET | CONN_LOAD_RAW_SECRETS, &text, &len, &cs)
                  : APP_FAILED;
    if (rc) {
        free(path);
        return rc;
    }
    struct cf_edits e = {0};
    for (size_t i = 0; !rc && i < cs->n; i++) {
        const struct connection *c = &cs->items[i];
        if (c->password && !c->password_enc)
            rc = secret_edit(ev, path, text, len, c, "password", c->password_line, c->password_col,
                             c->password, &e);
        if (!rc && c->token_value && !c->token_value_enc)
            rc = secret_edit(ev, path, text, len, c, "token_value", c->token_value_line,
                             c->token_value_col, c->token_value, &e);
    }
    char key[600];
    key_source_text(key, sizeof key);
    if (!rc && e.n == 0) {
        app_note(ev, APP_DATA, _("%s: every secret is already encrypted; nothing to do\n"), path);
    } else if (!rc) {
        size_t nlen = 0;
        char *ntext = cf_edits_apply(text, len, &e, &nlen);
        rc = encrypt_verify(ev, path, ntext, nlen, cs) < 0 ||
             cf_write_atomic(ev, path, ntext, nlen) < 0;
        cf_text_free(ntext, nlen);
        if (!rc)
            app_note(ev, APP_DATA,
                     ngettext("%s: encrypted %zu secret with %s (file mode 0600)\n",
                              "%s: encrypted %zu secrets with %s (file mode 0600)\n", e.n),
                     path, e.n, key);
    } else {
        rc = 1;
    }
    cf_edits_free(&e);
    connections_free(cs);
    cf_text_free(text, len);
    free(path);
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
    char *path = app_conn_path(g, 0), *text = NULL;
    size_t len = 0;
    struct connections *cs = NULL;
    int rc = path ? cf_open(ev, path, 0, &text, &len, &cs) : APP_FAILED;
    if (rc) {
        free(path);
        return rc;
    }
    const struct connection *c = connections_pick(cs, name ? name : g->connection);
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
    connections_free(cs);
    cf_text_free(text, len);
    free(path);
    return rc;
}

/* ---- connection default / delete ----------------------------------------------------------- */

/* The plain word (true/false) at off: its end. */
int app_conn_default(const struct app_env *g, const struct app_events *ev, const char *name)
{
    char *path = app_conn_path(g, 0), *text = NULL;
    size_t len = 0;
    struct connections *cs = NULL;
    int rc = path ? cf_open(ev, path, CONN_LOAD_QUIET | CONN_LOAD_RAW_SECRETS, &text, &len, &cs)
                  : APP_FAILED;
    if (rc) {
        free(path);
        return rc;
    }
    struct cf_edits e = {0};
    if (!conn_find(cs, name, NULL)) {
        connections_pick(cs, name);
        app_error(ev, NULL, "%s", ds_err_last());
        rc = APP_USAGE;
    } else if (cf_default_edits(ev, path, text, len, cs, name, NULL, &e) < 0) {
        rc = APP_FAILED;
    } else if (e.n == 0) {
        app_note(ev, APP_DATA, _("'%s' is already the default connection in %s\n"), name, path);
    } else {
        size_t nlen;
        char *ntext = cf_edits_apply(text, len, &e, &nlen);
        struct connections *check = NULL;
        const struct connection *d = NULL;
        if (cf_parse(ev, path, ntext, nlen, CONN_LOAD_QUIET | CONN_LOAD_RAW_SECRETS, &check) ||
            !(d = connections_pick(check, NULL)) || strcmp(d->name, name) != 0) {
            app_error(ev, NULL,
                      _("internal error: the edited file would not say so; %s was not changed"),
                      path);
            rc = APP_FAILED;
        } else if (cf_write_atomic(ev, path, ntext, nlen) < 0) {
            rc = APP_FAILED;
        } else {
            app_note(ev, APP_DATA, _("'%s' is now the default connection in %s\n"), name, path);
        }
        connections_free(check);
        cf_text_free(ntext, nlen);
    }
    cf_edits_free(&e);
    connections_free(cs);
    cf_text_free(text, len);
    free(path);
    return rc;
}

int app_conn_delete(const struct app_env *g, const struct app_events *ev, const char *name)
{
    char *path = app_conn_path(g, 0), *text = NULL;
    size_t len = 0;
    struct connections *cs = NULL;
    int rc = path ? cf_open(ev, path, CONN_LOAD_QUIET | CONN_LOAD_RAW_SECRETS, &text, &len, &cs)
                  : APP_FAILED;
    if (rc) {
        free(path);
        return rc;
    }
    size_t idx;
    struct connection *c = conn_find(cs, name, &idx);
    if (!c) {
        connections_pick(cs, name);
        app_error(ev, NULL, "%s", ds_err_last());
        rc = APP_USAGE;
    } else {
        if (c->value_line == c->line && cs->n > 1 && idx + 1 < cs->n &&
            cs->items[idx + 1].line == c->line) {
            app_error(ev, _("write one connection per line range (block style)"),
                      _("%s:%d:%d: cannot delete connection '%s' in place"), path, c->line, c->col,
                      name);
            rc = APP_FAILED;
        }
        size_t start, end, nlen;
        cf_conn_extent(cs, idx, text, len, &start, &end);
        struct cf_edits e = {0};
        char *ntext = NULL;
        if (!rc) {
            cf_edits_add(&e, start, end, strdup(""));
            ntext = cf_edits_apply(text, len, &e, &nlen);
        }
        struct connections *check = NULL;
        if (!rc && !(cs->n == 1 ? cf_text_is_empty(ntext, nlen)
                                : cf_parse(ev, path, ntext, nlen,
                                           CONN_LOAD_QUIET | CONN_LOAD_RAW_SECRETS, &check) == 0 &&
                                      check->n == cs->n - 1 && !conn_find(check, name, NULL))) {
            app_error(ev, NULL,
                      _("internal error: the edited file would be wrong; %s was not changed"),
                      path);
            rc = APP_FAILED;
        }
        if (!rc && cf_write_atomic(ev, path, ntext, nlen) < 0)
            rc = APP_FAILED;
        if (!rc)
            app_note(ev, APP_DATA, _("deleted connection '%s' from %s\n"), name, path);
        connections_free(check);
        if (ntext)
            cf_text_free(ntext, nlen);
        cf_edits_free(&e);
    }
    connections_free(cs);
    cf_text_free(text, len);
    free(path);
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

int app_conn_add(const struct app_env *g, const struct app_events *ev, const struct conn_add_req *r,
                 const struct conn_add_io *io)
{
    struct conn_add_req a = *r;
    int rc = add_req_check(ev, &a);
    if (rc)
        return rc;
    /* the new entry alone, validated by the loader (host, port, user, token name) */
    struct connections *one = NULL;
    char *probe = NULL;
    if (asprintf(&probe, "%s:\n  host: \"%s\"\n  user: \"%s\"\n  password: x\n%s%s%s", a.name,
                 a.host, a.user, a.token_name ? "  token_name: \"" : "",
                 a.token_name ? a.token_name : "", a.token_name ? "\"\n" : "") < 0)
        abort();
    rc = cf_parse(ev, "connection add", probe, strlen(probe), CONN_LOAD_QUIET, &one);
    free(probe);
    if (rc)
        return rc;
    struct connection *c = &one->items[0];

    char *path = app_conn_path(g, 1), *text = NULL, *secret = NULL, *enc = NULL, *ntext = NULL;
    size_t len = 0, nlen = 0;
    struct connections *cs = NULL, *check = NULL;
    struct cf_edits e = {0};
    json_t *ver = NULL;
    struct pve_certinfo ci;
    if (!path) {
        app_error(ev, NULL, "%s", ds_err_last());
        rc = APP_FAILED;
        goto out;
    }
    /* the existing file must be sound before it is edited */
    int missing = cf_read_all(ev, path, &text, &len);
    if (missing < 0) {
        rc = APP_FAILED;
        goto out;
    }
    if (!cf_text_is_empty(text, len) &&
        (rc = cf_parse(ev, path, text, len, CONN_LOAD_QUIET | CONN_LOAD_RAW_SECRETS, &cs)))
        goto out;

    if (pve_certinfo_fetch(c->host, c->port, 10000, &ci) < 0) {
        app_error(ev, _("check --host (and the port: Proxmox VE listens on 8006)"), "%s",
                  ds_err_last());
        rc = APP_FAILED;
        goto out;
    }
    char hp[300];
    app_conn_hostport(c, hp, sizeof hp);
    app_note(ev, APP_DATA,
             _("%s presents this certificate:\n  subject:  %s\n  issuer:   %s\n  expires:  %s\n"
               "  SHA-256:  %s\n"),
             hp, ci.subject, ci.issuer, ci.not_after, ci.fingerprint);
    if ((rc = io->trust(io->ud, hp, &ci)))
        goto out;
    if ((rc = io->secret(io->ud, a.token_name ? _("API token value") : _("password"), &secret)))
        goto out;
    if (!secret || !*secret) {
        app_error(ev, NULL, "%s",
                  a.token_name ? _("the API token value is empty; nothing was saved")
                               : _("the password is empty; nothing was saved"));
        rc = APP_USAGE;
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
    if ((rc = conn_login(ev, c, &ver))) {
        app_note(ev, APP_ERR, "%s", _("nothing was saved\n"));
        goto out;
    }
    char vt[300];
    version_text(ver, vt, sizeof vt);
    app_note(ev, APP_DATA, _("Logged in as %s: %s.\n"), c->user, vt);

    if (secret_encrypt(a.token_name ? c->token_value : c->password, &enc) < 0) {
        app_error(ev, NULL, "%s", ds_err_last());
        rc = APP_FAILED;
        goto out;
    }
    size_t idx;
    struct connection *old = cs ? conn_find(cs, a.name, &idx) : NULL;
    if (old) {
        size_t start, end;
        cf_conn_extent(cs, idx, text, len, &start, &end);
        cf_edits_add(&e, start, end, strdup(""));
        a.make_default |= old->is_default; /* a replaced default stays the default */
    }
    if (cs && a.make_default && cf_default_edits(ev, path, text, len, cs, NULL, a.name, &e) < 0) {
        rc = APP_FAILED;
        goto out;
    }
    char *entry = add_entry_text(&a, enc, ci.fingerprint);
    char *tail = NULL;
    if (asprintf(&tail, "%s%s", len > 0 && text[len - 1] != '\n' ? "\n" : "", entry) < 0)
        abort();
    free(entry);
    cf_edits_add(&e, len, len, tail);
    ntext = cf_edits_apply(text, len, &e, &nlen);

    /* the new file must load, decrypt, and hold the connection as intended */
    const struct connection *nc = NULL;
    if (cf_parse(ev, path, ntext, nlen, CONN_LOAD_QUIET | CONN_LOAD_RAW_SECRETS, &check) ||
        !(nc = conn_find(check, a.name, NULL)) || !nc->fingerprint ||
        strcmp(nc->fingerprint, ci.fingerprint) != 0 ||
        !secret_matches(a.token_name ? nc->token_value : nc->password,
                        a.token_name ? c->token_value : c->password) ||
        (a.make_default && connections_pick(check, NULL) != nc)) {
        app_error(ev, NULL, _("internal error: the edited file would be wrong; %s was not changed"),
                  path);
        rc = APP_FAILED;
        goto out;
    }
    if (cf_write_atomic(ev, path, ntext, nlen) < 0) {
        rc = APP_FAILED;
        goto out;
    }
    char key[600];
    key_source_text(key, sizeof key);
    app_note(
        ev, APP_DATA,
        old ? _("Replaced connection '%s' in %s: certificate pinned, %s encrypted with %s%s.\n")
            : _("Saved connection '%s' in %s: certificate pinned, %s encrypted with %s%s.\n"),
        a.name, path, a.token_name ? _("token value") : _("password"), key,
        a.make_default ? _("; it is the default") : "");
out:
    json_decref(ver);
    connections_free(check);
    if (ntext)
        cf_text_free(ntext, nlen);
    cf_edits_free(&e);
    free(enc);
    secret_free(secret);
    connections_free(cs);
    if (text)
        cf_text_free(text, len);
    free(path);
    connections_free(one);
    return rc;
}
