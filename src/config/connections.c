/* connections: validates each named connection (host:port, user, password or token, TLS pinning)
 * with located diagnostics that never echo a secret, decrypts secrets and picks the connection. */
#include "config/connections.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/yaml_doc.h"
#include "pve_format.h"
#include "store/secrets.h"
#include "util/err.h"
#include "util/i18n.h"

#define DEFAULT_PORT 8006u

static const char *const conn_keys[] = {"host",       "user",        "use_token",  "password",
                                        "token_name", "token_value", "verify_ssl", "fingerprint",
                                        "default",    NULL};

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

int connections_fingerprint_normalize(const char *in, char out[96])
{
    static const char digits[] = "0123456789ABCDEF";
    size_t len = strlen(in);
    int colons;
    if (len == 64)
        colons = 0;
    else if (len == 95)
        colons = 1;
    else
        return -1;
    size_t o = 0;
    for (size_t b = 0; b < 32; b++) {
        const char *p = in + b * (colons ? 3 : 2);
        int hi = hexval((unsigned char)p[0]), lo = hexval((unsigned char)p[1]);
        if (hi < 0 || lo < 0)
            return -1;
        if (colons && b < 31 && p[2] != ':')
            return -1;
        if (b)
            out[o++] = ':';
        out[o++] = digits[hi];
        out[o++] = digits[lo];
    }
    out[o] = '\0';
    return 0;
}

static int token_name_valid(const char *s)
{
    if (!isalpha((unsigned char)s[0]) || (unsigned char)s[0] >= 128 || s[1] == '\0')
        return 0;
    for (const char *p = s + 1; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (!(ch < 128 && isalnum(ch)) && ch != '.' && ch != '_' && ch != '-')
            return 0;
    }
    return 1;
}

static int host_chars_valid(const char *s, size_t len, int v6)
{
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 128 && isalnum(ch))
            continue;
        if (ch == '.' || ch == '-' || ch == '_')
            continue;
        if (v6 && (ch == ':' || ch == '%'))
            continue;
        return 0;
    }
    return 1;
}

/* Splits "host", "host:port", "[v6]" or "[v6]:port". */
static int host_parse(const char *s, char **host, unsigned *port, char *msg, size_t msglen,
                      const char **hint)
{
    const char *port_str = NULL;
    size_t host_len;
    *port = DEFAULT_PORT;
    if (strstr(s, "://")) {
        snprintf(msg, msglen, _("'host' must not contain a URL scheme ('%s')"), s);
        *hint = _("write only host or host:port, e.g. 192.168.1.100:8006");
        return -1;
    }
    if (s[0] == '[') {
        const char *end = strchr(s, ']');
        if (!end || !host_chars_valid(s + 1, (size_t)(end - s - 1), 1)) {
            snprintf(msg, msglen, _("'host' has a malformed IPv6 address ('%s')"), s);
            *hint = _("write it as [fd00::1] or [fd00::1]:8006");
            return -1;
        }
        host_len = (size_t)(end - s) + 1;
        if (end[1] == ':')
            port_str = end + 2;
        else if (end[1] != '\0') {
            snprintf(msg, msglen, _("'host' has text after the IPv6 address ('%s')"), s);
            *hint = _("write it as [fd00::1] or [fd00::1]:8006");
            return -1;
        }
    } else {
        const char *colon = strchr(s, ':');
        if (colon && strchr(colon + 1, ':')) {
            snprintf(msg, msglen, _("'host' '%s' has more than one ':'"), s);
            *hint = _("put an IPv6 address in brackets, e.g. [fd00::1]:8006");
            return -1;
        }
        host_len = colon ? (size_t)(colon - s) : strlen(s);
        if (colon)
            port_str = colon + 1;
        if (!host_chars_valid(s, host_len, 0)) {
            snprintf(msg, msglen, _("'host' '%s' is not a valid host name or address"), s);
            *hint = _("write host or host:port, e.g. 192.168.1.100:8006");
            return -1;
        }
    }
    if (port_str) {
        size_t n = strlen(port_str);
        int digits = n > 0 && n <= 5;
        for (size_t i = 0; digits && i < n; i++)
            digits = port_str[i] >= '0' && port_str[i] <= '9';
        long v = digits ? strtol(port_str, NULL, 10) : 0;
        if (v < 1 || v > 65535) {
            snprintf(msg, msglen, _("port '%s' is not in 1..65535"), port_str);
            *hint = _("write host:port with a port number, e.g. pve1:8006");
            return -1;
        }
        *port = (unsigned)v;
    }
    *host = strndup(s, host_len);
    if (!*host)
        abort();
    return 0;
}

/* A required or optional string field; secrets are never echoed (ydoc_want_str does not). */
static const char *field_str(const struct ydoc *d, const struct ydoc_node *map, const char *key,
                             struct diag_list *diags)
{
    const struct ydoc_node *v = ydoc_get(map, key, NULL);
    const char *s;
    if (!v || ydoc_want_str(d, v, key, &s, diags) < 0)
        return NULL;
    if (!*s) {
        ydoc_report(d, v, diags, _("write a value between the quotes"), _("'%s' is empty"), key);
        return NULL;
    }
    return s;
}

/* A secret field: its position, and its value decrypted (or kept as written with
 * CONN_LOAD_RAW_SECRETS). A value that cannot be decrypted is reported at its position. */
static void secret_take(const struct ydoc *d, const struct ydoc_node *map, const char *key,
                        unsigned flags, char **value, int *enc, int *line, int *col,
                        struct diag_list *diags)
{
    const struct ydoc_node *v = ydoc_get(map, key, NULL);
    const char *s;
    if (!v)
        return;
    *line = v->line;
    *col = v->col;
    if (!(s = field_str(d, map, key, diags)))
        return;
    *enc = secret_is_encrypted(s);
    if (!*enc || (flags & CONN_LOAD_RAW_SECRETS)) {
        *value = xstrdup(s);
        return;
    }
    if (secret_decrypt(s, value) < 0) {
        char *kp = secret_key_path();
        char hint[600];
        snprintf(hint, sizeof hint,
                 _("check the key file %s / %s (the value must have been encrypted with the same "
                   "key on this account)"),
                 kp ? kp : "$XDG_CONFIG_HOME/deploy-stand/secret.key", SECRET_PASSPHRASE_ENV);
        free(kp);
        ydoc_report(d, v, diags, hint, _("cannot decrypt '%s': %s"), key, ds_err_last());
        *value = NULL;
    }
}

/* host (with an optional port) and user. */
static void connection_parse_login(const struct ydoc *d, const struct ydoc_node *key,
                                   const struct ydoc_node *n, struct connection *c,
                                   struct diag_list *diags)
{
    const struct ydoc_node *v;
    const char *s;
    char msg[256];
    const char *hint;

    v = ydoc_get(n, "host", NULL);
    if (!v)
        ydoc_report(d, key, diags, _("add `host: ADDRESS[:PORT]`"),
                    _("connection '%s' has no 'host'"), c->name);
    else if ((s = field_str(d, n, "host", diags)) &&
             host_parse(s, &c->host, &c->port, msg, sizeof msg, &hint) < 0)
        ydoc_report(d, v, diags, hint, "%s", msg);

    v = ydoc_get(n, "user", NULL);
    if (!v)
        ydoc_report(d, key, diags, _("add `user: root@pam` (or another name@realm)"),
                    _("connection '%s' has no 'user'"), c->name);
    else if ((s = field_str(d, n, "user", diags))) {
        if (pve_is_userid(s))
            c->user = xstrdup(s);
        else
            ydoc_report(d, v, diags, _("write it as name@realm, e.g. root@pam"),
                        _("'%s' is not a valid Proxmox user id"), s);
    }
}

/* use_token, verify_ssl and default. */
static void connection_parse_switches(const struct ydoc *d, const struct ydoc_node *n,
                                      struct connection *c, struct diag_list *diags)
{
    const struct ydoc_node *v = ydoc_get(n, "use_token", NULL);
    if (v)
        ydoc_want_bool(d, v, "use_token", &c->use_token, diags);
    v = ydoc_get(n, "verify_ssl", NULL);
    if (v)
        ydoc_want_bool(d, v, "verify_ssl", &c->verify_ssl, diags);
    v = ydoc_get(n, "default", NULL);
    if (v) {
        c->default_line = v->line;
        c->default_col = v->col;
        ydoc_want_bool(d, v, "default", &c->is_default, diags);
    }
}

/* password or token (name and value), and that the one use_token asks for is there. */
static void connection_parse_secrets(const struct ydoc *d, const struct ydoc_node *key,
                                     const struct ydoc_node *n, unsigned flags,
                                     struct connection *c, struct diag_list *diags)
{
    const char *s;
    secret_take(d, n, "password", flags, &c->password, &c->password_enc, &c->password_line,
                &c->password_col, diags);
    const struct ydoc_node *v = ydoc_get(n, "token_name", NULL);
    if (v && (s = field_str(d, n, "token_name", diags))) {
        if (token_name_valid(s))
            c->token_name = xstrdup(s);
        else
            ydoc_report(d, v, diags,
                        strchr(s, '!') ? _("write only the part after '!'")
                                       : _("use a letter then letters, digits, '.', '_' or '-'"),
                        _("token name '%s' is not valid"), s);
    }
    secret_take(d, n, "token_value", flags, &c->token_value, &c->token_value_enc,
                &c->token_value_line, &c->token_value_col, diags);

    if (c->use_token) {
        if (!ydoc_get(n, "token_name", NULL))
            ydoc_report(d, key, diags, _("add `token_name:` (the part after '!')"),
                        _("connection '%s' uses a token but has no 'token_name'"), c->name);
        if (!ydoc_get(n, "token_value", NULL))
            ydoc_report(d, key, diags, _("add `token_value:` (the token's secret)"),
                        _("connection '%s' uses a token but has no 'token_value'"), c->name);
    } else if (!ydoc_get(n, "password", NULL)) {
        ydoc_report(d, key, diags, _("add `password:`, or `use_token: true` with a token"),
                    _("connection '%s' has no 'password'"), c->name);
    }
}

static void connection_parse(const struct ydoc *d, const struct ydoc_node *key,
                             const struct ydoc_node *n, unsigned flags, struct connection *c,
                             struct diag_list *diags)
{
    c->name = xstrdup(key->text);
    c->line = key->line;
    c->col = key->col;
    c->value_line = n->line;
    c->value_col = n->col;
    c->verify_ssl = 1;
    c->port = DEFAULT_PORT;
    if (n->kind != YDOC_MAPPING) {
        ydoc_report(d, n, diags, _("give host, user and password (or token) under the name"),
                    _("connection '%s' must be a mapping, got %s"), c->name, ydoc_describe(n));
        return;
    }
    if (key->len == 0)
        ydoc_report(d, key, diags, _("give the connection a name"), _("connection name is empty"));
    char where[160];
    snprintf(where, sizeof where, _("connection '%.100s'"), c->name);
    ydoc_check_keys(d, n, conn_keys, NULL, where, diags);

    connection_parse_login(d, key, n, c, diags);
    connection_parse_switches(d, n, c, diags);
    connection_parse_secrets(d, key, n, flags, c, diags);

    const char *s;
    const struct ydoc_node *v = ydoc_get(n, "fingerprint", NULL);
    if (v && (s = field_str(d, n, "fingerprint", diags))) {
        char fp[96];
        if (connections_fingerprint_normalize(s, fp) == 0)
            c->fingerprint = xstrdup(fp);
        else
            ydoc_report(d, v, diags,
                        _("give the SHA-256 fingerprint: 32 bytes in hex, e.g. AB:CD:... "
                          "(see the node's certificate page)"),
                        _("fingerprint is not a SHA-256 fingerprint"));
    }
}

static void connections_build(const struct ydoc *d, unsigned flags, struct connections *cs,
                              struct diag_list *diags)
{
    const struct ydoc_node *root = d->root;
    if (ydoc_is_null(root)) {
        ydoc_report(d, root, diags,
                    _("add a connection: `NAME: {host: ..., user: ..., password: ...}`"),
                    _("the file is empty"));
        return;
    }
    if (root->kind != YDOC_MAPPING || root->n_pairs == 0) {
        ydoc_report(d, root, diags, _("write `NAME:` followed by host, user and password"),
                    _("expected a mapping of connection names, got %s"),
                    root->kind == YDOC_MAPPING ? _("an empty mapping") : ydoc_describe(root));
        return;
    }
    cs->items = xcalloc(root->n_pairs, sizeof *cs->items);
    const struct connection *first_default = NULL;
    for (size_t i = 0; i < root->n_pairs; i++) {
        const struct ydoc_node *key = root->pairs[i].key;
        int dup = 0;
        for (size_t j = 0; j < i; j++)
            dup |= strcmp(root->pairs[j].key->text, key->text) == 0;
        if (dup) /* already reported by the loader */
            continue;
        struct connection *c = &cs->items[cs->n++];
        connection_parse(d, key, root->pairs[i].value, flags, c, diags);
        cs->n_plaintext +=
            (c->password && !c->password_enc) + (c->token_value && !c->token_value_enc);
        if (c->is_default) {
            if (first_default)
                ydoc_report(d, ydoc_get(root->pairs[i].value, "default", NULL), diags,
                            _("keep `default: true` on one connection only"),
                            _("connections '%s' (line %d) and '%s' are both marked default"),
                            first_default->name, first_default->line, c->name);
            else
                first_default = c;
        }
    }
}

/* One warning per file; it names the file and the fix, never a value. */
static void plaintext_warn(const struct connections *cs)
{
    fprintf(stderr,
            ngettext("warning: %s holds %zu secret in plaintext (password/token_value)\n"
                     "hint: encrypt it in place with `deploy-stand connection encrypt "
                     "--connections %s`\n",
                     "warning: %s holds %zu secrets in plaintext (password/token_value)\n"
                     "hint: encrypt them in place with `deploy-stand connection encrypt "
                     "--connections %s`\n",
                     cs->n_plaintext),
            cs->path, cs->n_plaintext, cs->path);
}

/* ydoc_doctype build: a connections file from a parsed document; arg: the unsigned load flags. */
static void connections_from_doc(const struct ydoc *d, const char *path, void *obj, const void *arg,
                                 struct diag_list *diags)
{
    struct connections *cs = obj;
    cs->path = xstrdup(path);
    connections_build(d, *(const unsigned *)arg, cs, diags);
}

static void connections_free_any(void *cs)
{
    connections_free(cs);
}

static const struct ydoc_doctype connections_type = {sizeof(struct connections),
                                                     connections_from_doc, connections_free_any};

/* Loads the file (text NULL) or text, then warns once about plaintext secrets. */
static int connections_load_any(const char *path, const char *text, size_t len, unsigned flags,
                                struct connections **out, struct diag_list *diags)
{
    void *obj;
    int rc = ydoc_load_typed(&connections_type, path, text, len, &flags, &obj, diags);
    *out = obj;
    if (rc == 0 && (*out)->n_plaintext && !(flags & CONN_LOAD_QUIET))
        plaintext_warn(*out);
    return rc;
}

int connections_load_text_ex(const char *display_name, const char *text, size_t len, unsigned flags,
                             struct connections **out, struct diag_list *diags)
{
    return connections_load_any(display_name, text, len, flags, out, diags);
}

int connections_load_ex(const char *path, unsigned flags, struct connections **out,
                        struct diag_list *diags)
{
    return connections_load_any(path, NULL, 0, flags, out, diags);
}

int connections_load_text(const char *display_name, const char *text, size_t len,
                          struct connections **out, struct diag_list *diags)
{
    return connections_load_text_ex(display_name, text, len, 0, out, diags);
}

int connections_load(const char *path, struct connections **out, struct diag_list *diags)
{
    return connections_load_ex(path, 0, out, diags);
}

static void names_join(const struct connections *c, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < c->n && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", c->items[i].name);
}

const struct connection *connections_pick(const struct connections *c, const char *name)
{
    char known[1024];
    names_join(c, known, sizeof known);
    if (name) {
        for (size_t i = 0; i < c->n; i++)
            if (strcmp(c->items[i].name, name) == 0)
                return &c->items[i];
        ds_err_set(_("connection '%s' not found in %s; known: %s"), name, c->path, known);
        return NULL;
    }
    for (size_t i = 0; i < c->n; i++)
        if (c->items[i].is_default)
            return &c->items[i];
    if (c->n == 1)
        return &c->items[0];
    ds_err_set(_("%s has %zu connections and none is marked 'default: true'; choose one with "
                 "--connection NAME (known: %s)"),
               c->path, c->n, known);
    return NULL;
}

void connections_free(struct connections *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        struct connection *x = &c->items[i];
        free(x->name);
        free(x->host);
        free(x->user);
        secret_free(x->password);
        free(x->token_name);
        secret_free(x->token_value);
        free(x->fingerprint);
    }
    free(c->items);
    free(c->path);
    free(c);
}
