/* pve_client: one authenticated connection to the Proxmox VE HTTP API (libcurl + jansson).
 * Requests are checked against the embedded PVE schema before sending; secrets never leave it. */
#include "pve/pve_client.h"

#include "ds_clock.h"
#include "pve/pve_tls.h"
#include "pve_schema.h"
#include "util/err.h"
#include "util/i18n.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_PORT 8006
#define DEFAULT_TIMEOUT_MS 30000L
#define MAX_BODY (64u * 1024u * 1024u)

struct buf {
    char *p;
    size_t n, cap;
};

struct pve_client {
    /* options (owned copies) */
    char *host;
    unsigned port;
    int plain_http;
    char *user;
    char *password;
    char *token_id;
    char *token_secret;
    int verify_tls;
    char *fingerprint; /* as given */
    int fp_bad;        /* the given fingerprint is malformed */
    long timeout_ms;

    char *base_url; /* "https://host:port" */
    char *hostport; /* "host:port" for messages */
    CURL *curl;     /* reused: keep-alive */
    char errbuf[CURL_ERROR_SIZE];
    struct pve_tls_check tls;

    char *ticket; /* secret */
    char *csrf;   /* secret */
    /* wall-clock Unix seconds of the login, from now() */
    int64_t ticket_time;
    int64_t (*now)(void *);
    void *now_ctx;

    unsigned long nrequests;

    /* per-transfer capture */
    struct buf body;
    long status;
    char status_text[512];
    char content_type[128]; /* of the last answer, "" when none */
    char location[512];     /* Location header of the last answer (a redirect), "" when none */
    int bad_body;           /* the last answer's body was not a JSON object */
    int too_large;          /* the last answer was cut off at MAX_BODY */
};

/* ---- process-wide state ---------------------------------------------------------------- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* The schema is shared by every client; loaded with the first client, freed with the last. */
static pthread_mutex_t schema_mu = PTHREAD_MUTEX_INITIALIZER;
static pve_schema *schema;
static unsigned schema_users;

static void schema_ref(void)
{
    pthread_mutex_lock(&schema_mu);
    schema_users++;
    if (!schema)
        schema = pve_schema_load_embedded();
    pthread_mutex_unlock(&schema_mu);
}

static void schema_unref(void)
{
    pthread_mutex_lock(&schema_mu);
    if (schema_users > 0 && --schema_users == 0) {
        pve_schema_free(schema);
        schema = NULL;
    }
    pthread_mutex_unlock(&schema_mu);
}

static const pve_schema *schema_get(void)
{
    pthread_mutex_lock(&schema_mu);
    const pve_schema *s = schema;
    pthread_mutex_unlock(&schema_mu);
    return s;
}

/* ---- small helpers -------------------------------------------------------------------- */

static char *dup_or_null(const char *s, int *fail)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *fail = 1;
    return d;
}

static void free_secret(char **s)
{
    if (*s) {
        size_t n = strlen(*s);
        volatile char *v = *s;
        for (size_t i = 0; i < n; i++)
            v[i] = 0;
        free(*s);
        *s = NULL;
    }
}

static int64_t default_now(void *ctx)
{
    (void)ctx;
    return ds_clock_wall_s();
}

static int buf_add(struct buf *b, const char *p, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np)
            return -1;
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = '\0';
    return 0;
}

/* ---- public helpers ------------------------------------------------------------------- */

char *pve_url_encode(const char *s, bool path_mode)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *out = malloc(n * 3 + 1);
    if (!out)
        return NULL;
    char *o = out;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned ch = *p;
        int keep = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                   (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' || ch == '~';
        if (path_mode && (ch == '@' || ch == ':' || ch == '!'))
            keep = 1;
        if (keep) {
            *o++ = (char)ch;
        } else {
            *o++ = '%';
            *o++ = hex[ch >> 4];
            *o++ = hex[ch & 15];
        }
    }
    *o = '\0';
    return out;
}

json_t *pve_params_to_strings(const json_t *params)
{
    json_t *out = json_object();
    if (!out) {
        ds_err_set(_("out of memory"));
        return NULL;
    }
    if (!params)
        return out;
    if (!json_is_object(params)) {
        json_decref(out);
        ds_err_set(_("request parameters must be a JSON object"));
        return NULL;
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)params, k, v)
    {
        char tmp[64];
        const char *s;
        if (json_is_string(v)) {
            s = json_string_value(v);
        } else if (json_is_integer(v)) {
            snprintf(tmp, sizeof tmp, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
            s = tmp;
        } else if (json_is_boolean(v)) {
            s = json_is_true(v) ? "1" : "0";
        } else if (json_is_real(v)) {
            snprintf(tmp, sizeof tmp, "%.15g", json_real_value(v));
            s = tmp;
        } else {
            json_decref(out);
            ds_err_set(_("request parameter '%s' must be a string, number or boolean"), k);
            return NULL;
        }
        if (json_object_set_new(out, k, json_string(s)) < 0) {
            json_decref(out);
            ds_err_set(_("out of memory"));
            return NULL;
        }
    }
    return out;
}

char *pve_params_encode(const json_t *strings)
{
    struct buf b = {0};
    if (buf_add(&b, "", 0) < 0)
        return NULL;
    size_t n;
    const char **keys = pve_json_sorted_keys(strings, &n);
    if (n && !keys) {
        free(b.p);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const char *val = json_string_value(json_object_get(strings, keys[i]));
        char *ek = pve_url_encode(keys[i], false);
        char *ev = pve_url_encode(val ? val : "", false);
        int bad = !ek || !ev || (i && buf_add(&b, "&", 1) < 0) || buf_add(&b, ek, strlen(ek)) < 0 ||
                  buf_add(&b, "=", 1) < 0 || buf_add(&b, ev, strlen(ev)) < 0;
        free(ek);
        if (ev) {
            /* the value may be a password */
            memset(ev, 0, strlen(ev));
            free(ev);
        }
        if (bad) {
            free(keys);
            free(b.p);
            return NULL;
        }
    }
    free(keys);
    return b.p;
}

/* ---- describing answers ------------------------------------------------------------- */

static size_t append_errors(const json_t *errors, char *buf, size_t len, size_t off)
{
    size_t n;
    const char **keys = pve_json_sorted_keys(errors, &n);
    if (!keys)
        return off;
    for (size_t i = 0; i < n && off < len; i++) {
        const json_t *v = json_object_get(errors, keys[i]);
        char msg[512];
        if (json_is_string(v)) {
            snprintf(msg, sizeof msg, "%s", json_string_value(v));
        } else {
            char *d = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
            snprintf(msg, sizeof msg, "%s", d ? d : "?");
            free(d);
        }
        /* PVE messages end with "\n" at times */
        size_t ml = strlen(msg);
        while (ml && (msg[ml - 1] == '\n' || msg[ml - 1] == '\r'))
            msg[--ml] = '\0';
        int w = snprintf(buf + off, len - off, "%s%s: %s", i ? "; " : "", keys[i], msg);
        if (w < 0)
            break;
        off += (size_t)w;
    }
    free(keys);
    return off < len ? off : len - 1;
}

const char *pve_response_describe(const struct pve_response *r, char *buf, size_t len)
{
    if (!len)
        return buf;
    buf[0] = '\0';
    if (r->status == 0) {
        snprintf(buf, len, "%s", r->message ? r->message : _("no response"));
        return buf;
    }
    int w = snprintf(buf, len, "%ld %s", r->status, r->message ? r->message : "");
    if (w < 0)
        return buf;
    size_t off = (size_t)w < len ? (size_t)w : len - 1;
    while (off > 0 && buf[off - 1] == ' ')
        buf[--off] = '\0';
    if (json_is_object(r->errors) && json_object_size(r->errors) > 0 && off + 3 < len) {
        buf[off++] = ' ';
        buf[off++] = '(';
        buf[off] = '\0';
        off = append_errors(r->errors, buf, len, off);
        if (off + 1 < len) {
            buf[off++] = ')';
            buf[off] = '\0';
        }
    }
    return buf;
}

/* ---- client lifecycle ----------------------------------------------------------------- */

static int client_init_urls(pve_client *c)
{
    const char *scheme = c->plain_http ? "http" : "https";
    int v6 = strchr(c->host, ':') != NULL;
    size_t n = strlen(c->host) + 32;
    c->base_url = malloc(n);
    c->hostport = malloc(n);
    if (!c->base_url || !c->hostport)
        return -1;
    snprintf(c->hostport, n, "%s%s%s:%u", v6 ? "[" : "", c->host, v6 ? "]" : "", c->port);
    snprintf(c->base_url, n, "%s://%s", scheme, c->hostport);
    return 0;
}

pve_client *pve_client_new(const struct pve_conn_opts *o)
{
    pthread_once(&curl_once, curl_init_once);
    pve_client *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    int fail = 0;
    c->host = dup_or_null(o->host ? o->host : "localhost", &fail);
    c->port = o->port ? o->port : DEFAULT_PORT;
    c->plain_http = o->plain_http;
    c->user = dup_or_null(o->user, &fail);
    c->password = dup_or_null(o->password, &fail);
    c->token_id = dup_or_null(o->token_id, &fail);
    c->token_secret = dup_or_null(o->token_secret, &fail);
    c->verify_tls = o->verify_tls;
    c->fingerprint =
        dup_or_null(o->fingerprint && o->fingerprint[0] ? o->fingerprint : NULL, &fail);
    c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
    c->now = default_now;
    if (c->fingerprint) {
        if (pve_fp_parse(c->fingerprint, c->tls.want) == 0)
            c->tls.pinned = 1;
        else
            c->fp_bad = 1;
    }
    c->curl = curl_easy_init();
    if (fail || !c->host || !c->curl || client_init_urls(c) < 0) {
        pve_client_free(c);
        return NULL;
    }
    schema_ref();
    return c;
}

void pve_client_free(pve_client *c)
{
    if (!c)
        return;
    if (c->curl) {
        curl_easy_cleanup(c->curl);
        /* only counted clients (fully constructed) hold a schema reference */
        if (c->base_url && c->hostport)
            schema_unref();
    }
    free(c->host);
    free(c->user);
    free_secret(&c->password);
    free(c->token_id);
    free_secret(&c->token_secret);
    free(c->fingerprint);
    free(c->base_url);
    free(c->hostport);
    free_secret(&c->ticket);
    free_secret(&c->csrf);
    free(c->body.p);
    free(c);
}

pve_client *pve_client_dup(pve_client *c)
{
    struct pve_conn_opts o = {
        .host = c->host,
        .port = c->port,
        .plain_http = c->plain_http,
        .user = c->user,
        .password = c->password,
        .token_id = c->token_id,
        .token_secret = c->token_secret,
        .verify_tls = c->verify_tls,
        .fingerprint = c->fingerprint,
        .timeout_ms = c->timeout_ms,
    };
    pve_client *d = pve_client_new(&o);
    if (!d)
        return NULL;
    d->now = c->now;
    d->now_ctx = c->now_ctx;
    if (c->ticket) {
        d->ticket = strdup(c->ticket);
        d->csrf = c->csrf ? strdup(c->csrf) : NULL;
        if (!d->ticket || (c->csrf && !d->csrf)) {
            pve_client_free(d);
            return NULL;
        }
        d->ticket_time = c->ticket_time;
    }
    return d;
}

unsigned long pve_client_request_count(const pve_client *c)
{
    return c->nrequests;
}

const char *pve_client_base_url(const pve_client *c)
{
    return c->base_url;
}

void pve_client_set_clock(pve_client *c, int64_t (*now)(void *ctx), void *ctx)
{
    c->now = now ? now : default_now;
    c->now_ctx = now ? ctx : NULL;
}

bool pve_client_has_ticket(const pve_client *c)
{
    return c->ticket != NULL;
}

bool pve_client_pin_mismatch(const pve_client *c)
{
    return c && c->tls.mismatch;
}

/* ---- transport ------------------------------------------------------------------------ */

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
    pve_client *c = ud;
    size_t n = size * nmemb;
    if (c->body.n + n > MAX_BODY) {
        c->too_large = 1;
        return 0; /* aborts the transfer */
    }
    if (buf_add(&c->body, p, n) < 0)
        return 0;
    return n;
}

/* When the header line p[0..n) is `name` (lower-case, with its colon), copies its trimmed value
 * into out (truncated, with control characters made '?'). */
static void header_capture(const char *p, size_t n, const char *name, char *out, size_t len)
{
    size_t nl = strlen(name);
    if (n < nl || strncasecmp(p, name, nl) != 0)
        return;
    size_t i = nl, end = n;
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
        i++;
    while (end > i && (p[end - 1] == '\r' || p[end - 1] == '\n' || p[end - 1] == ' '))
        end--;
    size_t vl = end - i < len - 1 ? end - i : len - 1;
    for (size_t k = 0; k < vl; k++) {
        unsigned char ch = (unsigned char)p[i + k];
        out[k] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
    }
    out[vl] = '\0';
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
    pve_client *c = ud;
    size_t n = size * nmemb;
    if (n > 5 && memcmp(p, "HTTP/", 5) == 0) {
        /* "HTTP/1.1 500 text\r\n": a new status line (e.g. after 100 Continue) replaces the old */
        size_t i = 5;
        while (i < n && p[i] != ' ')
            i++;
        while (i < n && p[i] == ' ')
            i++;
        long code = 0;
        while (i < n && p[i] >= '0' && p[i] <= '9')
            code = code * 10 + (p[i++] - '0');
        if (i < n && p[i] == ' ')
            i++;
        size_t end = n;
        while (end > i && (p[end - 1] == '\r' || p[end - 1] == '\n'))
            end--;
        size_t tl = end - i;
        if (tl >= sizeof c->status_text)
            tl = sizeof c->status_text - 1;
        memcpy(c->status_text, p + i, tl);
        c->status_text[tl] = '\0';
        c->status = code;
        c->content_type[0] = '\0';
        c->location[0] = '\0';
        c->body.n = 0;
        if (c->body.p)
            c->body.p[0] = '\0';
    } else {
        header_capture(p, n, "content-type:", c->content_type, sizeof c->content_type);
        header_capture(p, n, "location:", c->location, sizeof c->location);
    }
    return n;
}

static bool host_is_loopback(const char *h)
{
    return strcmp(h, "127.0.0.1") == 0 || strcmp(h, "localhost") == 0 || strcmp(h, "::1") == 0;
}

/* Turns a failed transfer into clear text (never containing secrets). */
static void describe_curl_failure(pve_client *c, CURLcode rc, char *out, size_t len)
{
    char fp[PVE_FP_TEXT_LEN];
    if (c->tls.mismatch) {
        char want[PVE_FP_TEXT_LEN];
        pve_fp_format(c->tls.got, fp);
        pve_fp_format(c->tls.want, want);
        snprintf(
            out, len,
            _("TLS certificate of %s does not match the pinned fingerprint (got %s, expected %s)"),
            c->hostport, fp, want);
        return;
    }
    const char *detail = c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc);
    if (rc == CURLE_PEER_FAILED_VERIFICATION ||
        (rc == CURLE_SSL_CONNECT_ERROR && strstr(detail, "certificate verify failed"))) {
        char seen[PVE_FP_TEXT_LEN + 40] = "";
        if (c->tls.seen) {
            pve_fp_format(c->tls.got, fp);
            snprintf(seen, sizeof seen, _(" (its SHA-256 fingerprint is %s)"), fp);
        }
        snprintf(
            out, len,
            _("TLS certificate of %s cannot be verified: %s%s; set `fingerprint:` to pin it or "
              "`verify_ssl: false`"),
            c->hostport, detail, seen);
        return;
    }
    long oserr = 0;
    curl_easy_getinfo(c->curl, CURLINFO_OS_ERRNO, &oserr);
    if (rc == CURLE_COULDNT_CONNECT && oserr) {
        snprintf(out, len, _("cannot connect to %s/: %s"), c->base_url, strerror((int)oserr));
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
        snprintf(out, len,
                 c->status ? _("no complete answer from %s/ within %ld ms")
                           : _("no answer from %s/ within %ld ms"),
                 c->base_url, c->timeout_ms);
    } else if (c->too_large || rc == CURLE_FILESIZE_EXCEEDED) {
        snprintf(out, len, _("answer from %s/ is larger than %u MiB; refusing it"), c->base_url,
                 MAX_BODY / (1024u * 1024u));
    } else if (rc == CURLE_PARTIAL_FILE) {
        snprintf(out, len,
                 _("answer from %s/ was cut short: the connection closed before the end "
                   "of the body"),
                 c->base_url);
    } else if (rc == CURLE_GOT_NOTHING || ((rc == CURLE_RECV_ERROR) && c->status)) {
        snprintf(out, len, _("connection to %s/ closed without a complete answer"), c->base_url);
    } else if (rc == CURLE_COULDNT_RESOLVE_HOST) {
        snprintf(out, len, _("cannot connect to %s/: cannot resolve host name '%s'"), c->base_url,
                 c->host);
    } else if (rc == CURLE_WRITE_ERROR) {
        snprintf(out, len, _("answer from %s/ is too large or memory ran out"), c->base_url);
    } else {
        size_t dl = strlen(detail);
        while (dl && (detail[dl - 1] == '\n'))
            dl--;
        snprintf(out, len, _("cannot connect to %s/: %.*s"), c->base_url, (int)dl, detail);
    }
}

/* The class of a failed transfer: no connection at all, or one that broke or timed out. */
static enum pve_err_class curl_failure_class(const pve_client *c, CURLcode rc)
{
    if (c->tls.mismatch || c->too_large || rc == CURLE_FILESIZE_EXCEEDED || rc == CURLE_WRITE_ERROR)
        return PVE_ERR_OTHER;
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
        return PVE_ERR_UNREACHABLE;
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        return PVE_ERR_TRANSIENT;
    default:
        return PVE_ERR_OTHER; /* TLS verification and the like */
    }
}

enum auth_mode { AUTH_NONE, AUTH_SESSION };

/* Appends one formatted header; the temporary text is wiped (it may hold a secret). */
static int hdr_add(struct curl_slist **l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int hdr_add(struct curl_slist **l, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    struct curl_slist *nl = NULL;
    if (n >= 0 && (size_t)n < sizeof line)
        nl = curl_slist_append(*l, line);
    memset(line, 0, sizeof line);
    if (!nl)
        return -1;
    *l = nl;
    return 0;
}

/* Headers of one request and, for ticket auth, the cookie text (malloc'd secret). */
static int request_headers(pve_client *c, const char *method, enum auth_mode auth, bool has_body,
                           struct curl_slist **hdrs, char **cookie)
{
    if (hdr_add(hdrs, "Accept: application/json") < 0 || hdr_add(hdrs, "Expect:") < 0)
        return -1;
    if (has_body && hdr_add(hdrs, "Content-Type: application/x-www-form-urlencoded") < 0)
        return -1;
    if (auth != AUTH_SESSION)
        return 0;
    if (c->token_id)
        return hdr_add(hdrs, "Authorization: PVEAPIToken=%s=%s", c->token_id,
                       c->token_secret ? c->token_secret : "");
    if (!c->ticket)
        return 0;
    size_t n = strlen(c->ticket) + 16;
    *cookie = malloc(n);
    if (!*cookie)
        return -1;
    snprintf(*cookie, n, "PVEAuthCookie=%s", c->ticket);
    if (strcmp(method, "GET") != 0 && c->csrf)
        return hdr_add(hdrs, "CSRFPreventionToken: %s", c->csrf);
    return 0;
}

/* Sends one request and fills resp (cleared first). Returns 0 when a response arrived (any
 * status), -1 on transport failure (resp->status 0, resp->message the clear text). */
static int transport_send(pve_client *c, const char *method, const char *path, const char *form,
                          enum auth_mode auth, struct pve_response *resp, json_t **full)
{
    pve_response_clear(resp);
    if (full)
        *full = NULL;
    if (c->fp_bad) {
        char msg[512];
        snprintf(msg, sizeof msg,
                 _("the fingerprint given for %s is not a SHA-256 fingerprint (64 hex digits, "
                   "optionally separated by ':')"),
                 c->hostport);
        resp->message = strdup(msg);
        resp->err_class = PVE_ERR_OTHER;
        return -1;
    }

    /* URL: base + /api2/json + encoded segments (+ query) */
    struct buf url = {0};
    int bad =
        buf_add(&url, c->base_url, strlen(c->base_url)) < 0 || buf_add(&url, "/api2/json", 10) < 0;
    const char *p = path;
    while (!bad && *p) {
        if (*p == '/') {
            bad = buf_add(&url, "/", 1) < 0;
            p++;
            continue;
        }
        size_t sl = strcspn(p, "/");
        char *seg = strndup(p, sl);
        char *enc = seg ? pve_url_encode(seg, true) : NULL;
        bad = !enc || buf_add(&url, enc, strlen(enc)) < 0;
        free(seg);
        free(enc);
        p += sl;
    }
    bool has_body = strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0;
    if (!bad && !has_body && form && form[0])
        bad = buf_add(&url, "?", 1) < 0 || buf_add(&url, form, strlen(form)) < 0;

    struct curl_slist *hdrs = NULL;
    char *cookie = NULL;
    if (!bad)
        bad = request_headers(c, method, auth, has_body, &hdrs, &cookie) < 0;
    if (bad) {
        free(url.p);
        curl_slist_free_all(hdrs);
        free_secret(&cookie);
        resp->message = strdup("out of memory while building the request");
        resp->err_class = PVE_ERR_OTHER;
        return -1;
    }

    CURL *h = c->curl;
    curl_easy_reset(h); /* keeps the connection cache: keep-alive */
    c->errbuf[0] = '\0';
    c->status = 0;
    c->status_text[0] = '\0';
    c->content_type[0] = '\0';
    c->location[0] = '\0';
    c->body.n = 0;
    c->bad_body = 0;
    c->too_large = 0;
    pve_tls_check_reset(&c->tls);
    curl_easy_setopt(h, CURLOPT_URL, url.p);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "deploy-stand");
    /* only ever talk to the configured host: no redirects, no other protocols, bounded answers */
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, c->plain_http ? "http" : "https");
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)MAX_BODY);
    if (host_is_loopback(c->host))
        curl_easy_setopt(h, CURLOPT_PROXY, "");
    if (cookie)
        curl_easy_setopt(h, CURLOPT_COOKIE, cookie);
    if (!c->plain_http) {
        if (c->tls.pinned) {
            /* the pin replaces CA and host name checks */
            curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
            curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
            /* a resumed session would skip the certificate check */
            curl_easy_setopt(h, CURLOPT_SSL_SESSIONID_CACHE, 0L);
        } else {
            curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, c->verify_tls ? 1L : 0L);
            curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, c->verify_tls ? 2L : 0L);
        }
        curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, pve_tls_ctx_setup);
        curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, &c->tls);
    }
    if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (has_body) {
        const char *fb = form ? form : "";
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(fb));
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, fb);
        if (strcmp(method, "PUT") == 0)
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    }

    CURLcode rc = curl_easy_perform(h);
    c->nrequests++;
    free(url.p);
    curl_slist_free_all(hdrs);
    free_secret(&cookie);
    /* drop references to freed memory held by the handle */
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(h, CURLOPT_COOKIE, NULL);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);

    if (rc != CURLE_OK) {
        char msg[1024];
        describe_curl_failure(c, rc, msg, sizeof msg);
        resp->status = 0;
        resp->message = strdup(msg);
        resp->err_class = curl_failure_class(c, rc);
        if (c->body.p)
            memset(c->body.p, 0, c->body.n);
        return -1;
    }
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    if (code == 0)
        code = c->status;
    c->bad_body = pve_response_parse(resp, code, c->status_text, c->body.p, c->body.n, full) < 0;
    /* the body may hold a ticket: wipe it */
    if (c->body.p)
        memset(c->body.p, 0, c->body.n);
    return 0;
}

/* Why a 2xx/3xx answer cannot be used, or NULL: a redirect (never followed), a body that is not
 * JSON (e.g. an HTML page from a proxy), or one that is not a JSON object. */
static const char *answer_problem(const pve_client *c, long status, char *buf, size_t len)
{
    if (status >= 300 && status < 400) {
        snprintf(buf, len, _("the server redirects to %s; redirects are not followed"),
                 c->location[0] ? c->location : _("another place"));
        return buf;
    }
    if (status != 200)
        return NULL;
    size_t tl = strcspn(c->content_type, "; ");
    if (c->content_type[0] && !(tl == strlen("application/json") &&
                                strncasecmp(c->content_type, "application/json", tl) == 0)) {
        snprintf(buf, len, _("the answer is %.*s, not JSON (is %s a Proxmox VE API?)"), (int)tl,
                 c->content_type, c->hostport);
        return buf;
    }
    if (c->bad_body) {
        snprintf(buf, len, "the answer is not a JSON object");
        return buf;
    }
    return NULL;
}

/* ---- schema check --------------------------------------------------------------------- */

static bool param_is_secret(const char *k)
{
    return strcmp(k, "password") == 0 || strstr(k, "secret") || strstr(k, "ticket") ||
           strcmp(k, "value") == 0;
}

/* Validates method+path+params against the schema. 0 ok; -1 with ds_err set. */
static int request_check(const char *method, const char *path, const json_t *strings)
{
    const pve_schema *s = schema_get();
    if (!s)
        return ds_err_set(_("internal error: refusing to send %s %s: the embedded PVE schema "
                            "could not be loaded"),
                          method, path);
    const pve_endpoint *ep = NULL;
    json_t *pp = NULL;
    enum pve_match m = pve_schema_match(s, method, path, &ep, &pp);
    if (m == PVE_MATCH_NO_PATH)
        return ds_err_set(_("internal error: refusing to send %s %s: no such path in the PVE API"),
                          method, path);
    if (m == PVE_MATCH_NO_METHOD)
        return ds_err_set(_("internal error: refusing to send %s %s: the PVE API has no %s for "
                            "this path"),
                          method, path, method);
    json_t *all = json_deep_copy(strings);
    if (!all) {
        json_decref(pp);
        return ds_err_set(_("out of memory"));
    }
    const char *k;
    json_t *v;
    json_object_foreach(pp, k, v)
    {
        json_t *mine = json_object_get(all, k);
        if (mine && !json_equal(mine, v)) {
            json_decref(pp);
            json_decref(all);
            return ds_err_set(_("internal error: refusing to send %s %s: %s: duplicate parameter "
                                "(already defined in URI) with conflicting values!"),
                              method, path, k);
        }
        json_object_set(all, k, v);
    }
    json_decref(pp);
    json_t *errs = pve_schema_validate(ep, all, NULL);
    if (!errs) {
        json_decref(all);
        return 0;
    }
    char detail[1024] = "";
    size_t off = 0, n;
    const char **keys = pve_json_sorted_keys(errs, &n);
    for (size_t i = 0; keys && i < n && off < sizeof detail; i++) {
        const char *msg = json_string_value(json_object_get(errs, keys[i]));
        const char *val = json_string_value(json_object_get(all, keys[i]));
        /* a message quoting a secret value is not shown */
        if (msg && param_is_secret(keys[i]) && val && val[0] && strstr(msg, val))
            msg = "invalid value (not shown)";
        int w = snprintf(detail + off, sizeof detail - off, "%s%s: %s", i ? "; " : "", keys[i],
                         msg ? msg : "invalid");
        if (w < 0)
            break;
        off += (size_t)w;
    }
    free(keys);
    json_decref(errs);
    json_decref(all);
    return ds_err_set(_("internal error: refusing to send %s %s: %s"), method, path, detail);
}

/* ---- login and calls ------------------------------------------------------------------ */

/* POST /access/ticket with the password. *status (may be NULL) gets the HTTP status, 0 when no
 * answer came. */
static int ticket_login(pve_client *c, long *status)
{
    if (status)
        *status = 0;
    if (!c->user)
        return ds_err_set(_("no user given for %s"), c->base_url);
    json_t *params = json_pack("{s:s, s:s}", "username", c->user, "password", c->password);
    if (!params)
        return ds_err_set(_("out of memory"));
    if (request_check("POST", "/access/ticket", params) < 0) {
        json_decref(params);
        return -1;
    }
    char *form = pve_params_encode(params);
    json_decref(params);
    if (!form)
        return ds_err_set(_("out of memory"));
    struct pve_response r = {0};
    json_t *full = NULL;
    int trc = transport_send(c, "POST", "/access/ticket", form, AUTH_NONE, &r, &full);
    free_secret(&form);
    if (trc < 0) {
        ds_err_set("%s", r.message ? r.message : _("no response"));
        pve_err_set_class(r.err_class);
        pve_response_clear(&r);
        return -1;
    }
    int rc = 0;
    if (status)
        *status = r.status;
    enum pve_err_class cls = r.err_class != PVE_OK ? r.err_class : PVE_ERR_OTHER;
    char why[700];
    if (r.status == 401) {
        rc = ds_err_set(_("authentication failed for %s at %s: wrong user or password"), c->user,
                        c->base_url);
    } else if (answer_problem(c, r.status, why, sizeof why)) {
        rc = ds_err_set(_("login as %s at %s failed: %ld %s: %s"), c->user, c->base_url, r.status,
                        r.message ? r.message : "", why);
    } else if (r.status != 200) {
        char d[1024];
        rc = ds_err_set(_("login as %s at %s failed: %s"), c->user, c->base_url,
                        pve_response_describe(&r, d, sizeof d));
    } else {
        const char *t = json_string_value(json_object_get(r.data, "ticket"));
        const char *csrf = json_string_value(json_object_get(r.data, "CSRFPreventionToken"));
        if (!t || !csrf) {
            rc = ds_err_set(_("login as %s at %s: the answer holds no ticket"), c->user,
                            c->base_url);
        } else {
            free_secret(&c->ticket);
            free_secret(&c->csrf);
            c->ticket = strdup(t);
            c->csrf = strdup(csrf);
            if (!c->ticket || !c->csrf) {
                free_secret(&c->ticket);
                free_secret(&c->csrf);
                rc = ds_err_set(_("out of memory"));
            } else {
                c->ticket_time = c->now(c->now_ctx);
            }
        }
    }
    if (rc < 0)
        pve_err_set_class(cls);
    /* the answer holds the ticket: scrub it */
    json_t *d = json_object_get(full, "data");
    if (json_is_object(d)) {
        json_object_del(d, "ticket");
        json_object_del(d, "CSRFPreventionToken");
    }
    json_decref(full);
    pve_response_clear(&r);
    return rc;
}

static int call_once(pve_client *c, const char *method, const char *path, const char *form,
                     struct pve_response *resp, json_t **full)
{
    if (transport_send(c, method, path, form, AUTH_SESSION, resp, full) < 0)
        return -1;
    return 0;
}

int pve_call_full(pve_client *c, const char *method, const char *path, const json_t *params,
                  struct pve_response *resp, json_t **body)
{
    struct pve_response local = {0};
    struct pve_response *r = resp ? resp : &local;
    pve_response_clear(r);
    if (body)
        *body = NULL;
    if (!method || !path || path[0] != '/')
        return ds_err_set(_("internal error: bad request %s %s"), method ? method : "?",
                          path ? path : "?");
    json_t *strings = pve_params_to_strings(params);
    if (!strings)
        return ds_err_wrap(_("internal error: refusing to send %s %s"), method, path);
    if (request_check(method, path, strings) < 0) {
        json_decref(strings);
        return -1;
    }
    char *form = pve_params_encode(strings);
    json_decref(strings);
    if (!form)
        return ds_err_set(_("out of memory"));

    bool tickets = !c->token_id && c->password;
    int rc = 0;
    long login_status = 0;
    if (tickets && (!c->ticket || c->now(c->now_ctx) - c->ticket_time >= PVE_TICKET_RENEW_S) &&
        ticket_login(c, &login_status) < 0) {
        /* the login's status (0: no answer) with its clear text as the message */
        r->status = login_status == 200 ? 0 : login_status;
        r->message = strdup(ds_err_last());
        r->err_class = pve_err_last();
        free_secret(&form);
        pve_response_clear(&local);
        return ds_err_wrap("%s %s", method, path);
    }
    json_t *full = NULL;
    int trc = call_once(c, method, path, form, r, body ? &full : NULL);
    if (trc == 0 && r->status == 401 && tickets) {
        /* expired or revoked ticket: log in again once */
        json_decref(full);
        full = NULL;
        if (ticket_login(c, NULL) < 0) {
            free_secret(&form);
            pve_response_clear(&local);
            return ds_err_wrap(_("%s %s: 401 %s; logging in again failed"), method, path,
                               r->message ? r->message : "");
        }
        trc = call_once(c, method, path, form, r, body ? &full : NULL);
    }
    free_secret(&form);
    char why[700];
    char d[1536];
    if (trc < 0) {
        rc = ds_err_set("%s %s: %s", method, path, r->message ? r->message : _("no response"));
    } else if (answer_problem(c, r->status, why, sizeof why)) {
        rc = ds_err_set("%s %s: %s; %s", method, path, pve_response_describe(r, d, sizeof d), why);
        r->err_class = PVE_ERR_OTHER;
    } else if (r->status != 200) {
        rc = ds_err_set("%s %s: %s", method, path, pve_response_describe(r, d, sizeof d));
    }
    if (rc < 0)
        pve_err_set_class(r->err_class);
    if (body)
        *body = full;
    else
        json_decref(full);
    pve_response_clear(&local);
    return rc;
}

int pve_call(pve_client *c, const char *method, const char *path, const json_t *params,
             struct pve_response *resp)
{
    return pve_call_full(c, method, path, params, resp, NULL);
}

int pve_client_login(pve_client *c)
{
    if (c->token_id) {
        struct pve_response r = {0};
        int trc = transport_send(c, "GET", "/version", NULL, AUTH_SESSION, &r, NULL);
        int rc = 0;
        char why[700];
        if (trc < 0) {
            rc = ds_err_set("%s", r.message ? r.message : _("no response"));
        } else if (answer_problem(c, r.status, why, sizeof why)) {
            char d[1024];
            rc = ds_err_set(_("checking API token %s at %s failed: %s; %s"), c->token_id,
                            c->base_url, pve_response_describe(&r, d, sizeof d), why);
        } else if (r.status == 401) {
            rc = ds_err_set(_("authentication failed for API token %s at %s: wrong token id or "
                              "secret"),
                            c->token_id, c->base_url);
        } else if (r.status != 200) {
            char d[1024];
            rc = ds_err_set(_("checking API token %s at %s failed: %s"), c->token_id, c->base_url,
                            pve_response_describe(&r, d, sizeof d));
        }
        if (rc < 0)
            pve_err_set_class(r.err_class != PVE_OK ? r.err_class : PVE_ERR_OTHER);
        pve_response_clear(&r);
        return rc;
    }
    if (!c->password)
        return ds_err_set(_("no password or API token given for %s"), c->base_url);
    return ticket_login(c, NULL);
}
