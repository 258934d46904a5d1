/* pve_transport: the libcurl side of the PVE client: one kept-alive connection to one host, TLS
 * checks and pinning, sending a request and capturing the answer, clear text for failed transfers.
 */
#include "pve/pve_transport.h"

#include "pve/pve_buf.h"
#include "pve/pve_request.h"
#include "pve/pve_tls.h"
#include "util/i18n.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_BODY (64u * 1024u * 1024u)

struct pve_transport {
    /* options (owned copies) */
    char *host;
    unsigned port;
    int plain_http;
    int verify_tls;
    int fp_bad; /* the given fingerprint is malformed */
    long timeout_ms;

    char *base_url; /* "https://host:port" */
    char *hostport; /* "host:port" for messages */
    CURL *curl;     /* reused: keep-alive */
    char errbuf[CURL_ERROR_SIZE];
    struct pve_tls_check tls;

    unsigned long nrequests;

    /* per-transfer capture */
    struct pve_buf body;
    long status;
    char status_text[512];
    char content_type[128]; /* of the last answer, "" when none */
    char location[512];     /* Location header of the last answer (a redirect), "" when none */
    int bad_body;           /* the last answer's body was not a JSON object */
    int too_large;          /* the last answer was cut off at MAX_BODY */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- lifecycle ------------------------------------------------------------------------ */

static int transport_init_urls(pve_transport *t)
{
    const char *scheme = t->plain_http ? "http" : "https";
    int v6 = strchr(t->host, ':') != NULL;
    size_t n = strlen(t->host) + 32;
    t->base_url = malloc(n);
    t->hostport = malloc(n);
    if (!t->base_url || !t->hostport)
        return -1;
    snprintf(t->hostport, n, "%s%s%s:%u", v6 ? "[" : "", t->host, v6 ? "]" : "", t->port);
    snprintf(t->base_url, n, "%s://%s", scheme, t->hostport);
    return 0;
}

pve_transport *pve_transport_new(const struct pve_transport_opts *o)
{
    pthread_once(&curl_once, curl_init_once);
    pve_transport *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->host = strdup(o->host);
    t->port = o->port;
    t->plain_http = o->plain_http;
    t->verify_tls = o->verify_tls;
    t->timeout_ms = o->timeout_ms;
    if (o->fingerprint) {
        if (pve_fp_parse(o->fingerprint, t->tls.want) == 0)
            t->tls.pinned = 1;
        else
            t->fp_bad = 1;
    }
    t->curl = curl_easy_init();
    if (!t->host || !t->curl || transport_init_urls(t) < 0) {
        pve_transport_free(t);
        return NULL;
    }
    return t;
}

void pve_transport_free(pve_transport *t)
{
    if (!t)
        return;
    if (t->curl)
        curl_easy_cleanup(t->curl);
    free(t->host);
    free(t->base_url);
    free(t->hostport);
    free(t->body.p);
    free(t);
}

const char *pve_transport_base_url(const pve_transport *t)
{
    return t->base_url;
}

unsigned long pve_transport_request_count(const pve_transport *t)
{
    return t->nrequests;
}

bool pve_transport_pin_mismatch(const pve_transport *t)
{
    return t->tls.mismatch;
}

/* ---- capturing the answer ------------------------------------------------------------- */

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
    pve_transport *t = ud;
    size_t n = size * nmemb;
    if (t->body.n + n > MAX_BODY) {
        t->too_large = 1;
        return 0; /* aborts the transfer */
    }
    if (pve_buf_add(&t->body, p, n) < 0)
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
    pve_transport *t = ud;
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
        if (tl >= sizeof t->status_text)
            tl = sizeof t->status_text - 1;
        memcpy(t->status_text, p + i, tl);
        t->status_text[tl] = '\0';
        t->status = code;
        t->content_type[0] = '\0';
        t->location[0] = '\0';
        t->body.n = 0;
        if (t->body.p)
            t->body.p[0] = '\0';
    } else {
        header_capture(p, n, "content-type:", t->content_type, sizeof t->content_type);
        header_capture(p, n, "location:", t->location, sizeof t->location);
    }
    return n;
}

static bool host_is_loopback(const char *h)
{
    return strcmp(h, "127.0.0.1") == 0 || strcmp(h, "localhost") == 0 || strcmp(h, "::1") == 0;
}

/* Turns a failed transfer into clear text (never containing secrets). */
static void describe_curl_failure(pve_transport *t, CURLcode rc, char *out, size_t len)
{
    char fp[PVE_FP_TEXT_LEN];
    if (t->tls.mismatch) {
        char want[PVE_FP_TEXT_LEN];
        pve_fp_format(t->tls.got, fp);
        pve_fp_format(t->tls.want, want);
        snprintf(
            out, len,
            _("TLS certificate of %s does not match the pinned fingerprint (got %s, expected %s)"),
            t->hostport, fp, want);
        return;
    }
    const char *detail = t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc);
    if (rc == CURLE_PEER_FAILED_VERIFICATION ||
        (rc == CURLE_SSL_CONNECT_ERROR && strstr(detail, "certificate verify failed"))) {
        char seen[PVE_FP_TEXT_LEN + 40] = "";
        if (t->tls.seen) {
            pve_fp_format(t->tls.got, fp);
            snprintf(seen, sizeof seen, _(" (its SHA-256 fingerprint is %s)"), fp);
        }
        snprintf(
            out, len,
            _("TLS certificate of %s cannot be verified: %s%s; set `fingerprint:` to pin it or "
              "`verify_ssl: false`"),
            t->hostport, detail, seen);
        return;
    }
    long oserr = 0;
    curl_easy_getinfo(t->curl, CURLINFO_OS_ERRNO, &oserr);
    if (rc == CURLE_COULDNT_CONNECT && oserr) {
        snprintf(out, len, _("cannot connect to %s/: %s"), t->base_url, strerror((int)oserr));
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
        snprintf(out, len,
                 t->status ? _("no complete answer from %s/ within %ld ms")
                           : _("no answer from %s/ within %ld ms"),
                 t->base_url, t->timeout_ms);
    } else if (t->too_large || rc == CURLE_FILESIZE_EXCEEDED) {
        snprintf(out, len, _("answer from %s/ is larger than %u MiB; refusing it"), t->base_url,
                 MAX_BODY / (1024u * 1024u));
    } else if (rc == CURLE_PARTIAL_FILE) {
        snprintf(out, len,
                 _("answer from %s/ was cut short: the connection closed before the end "
                   "of the body"),
                 t->base_url);
    } else if (rc == CURLE_GOT_NOTHING || ((rc == CURLE_RECV_ERROR) && t->status)) {
        snprintf(out, len, _("connection to %s/ closed without a complete answer"), t->base_url);
    } else if (rc == CURLE_COULDNT_RESOLVE_HOST) {
        snprintf(out, len, _("cannot connect to %s/: cannot resolve host name '%s'"), t->base_url,
                 t->host);
    } else if (rc == CURLE_WRITE_ERROR) {
        snprintf(out, len, _("answer from %s/ is too large or memory ran out"), t->base_url);
    } else {
        size_t dl = strlen(detail);
        while (dl && (detail[dl - 1] == '\n'))
            dl--;
        snprintf(out, len, _("cannot connect to %s/: %.*s"), t->base_url, (int)dl, detail);
    }
}

/* The class of a failed transfer: no connection at all, or one that broke or timed out. */
static enum pve_err_class curl_failure_class(const pve_transport *t, CURLcode rc)
{
    if (t->tls.mismatch || t->too_large || rc == CURLE_FILESIZE_EXCEEDED || rc == CURLE_WRITE_ERROR)
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
static int request_headers(const char *method, const struct pve_auth *auth, bool has_body,
                           struct curl_slist **hdrs, char **cookie)
{
    if (hdr_add(hdrs, "Accept: application/json") < 0 || hdr_add(hdrs, "Expect:") < 0)
        return -1;
    if (has_body && hdr_add(hdrs, "Content-Type: application/x-www-form-urlencoded") < 0)
        return -1;
    if (!auth)
        return 0;
    if (auth->token_id)
        return hdr_add(hdrs, "Authorization: PVEAPIToken=%s=%s", auth->token_id,
                       auth->token_secret ? auth->token_secret : "");
    if (!auth->ticket)
        return 0;
    size_t n = strlen(auth->ticket) + 16;
    *cookie = malloc(n);
    if (!*cookie)
        return -1;
    snprintf(*cookie, n, "PVEAuthCookie=%s", auth->ticket);
    if (strcmp(method, "GET") != 0 && auth->csrf)
        return hdr_add(hdrs, "CSRFPreventionToken: %s", auth->csrf);
    return 0;
}

/* ---- sending -------------------------------------------------------------------------- */

/* Forgets the last answer and sets the options every request shares on the reset handle. */
static void transfer_prepare(pve_transport *t, const char *url, struct curl_slist *hdrs,
                             const char *cookie)
{
    CURL *h = t->curl;
    curl_easy_reset(h); /* keeps the connection cache: keep-alive */
    t->errbuf[0] = '\0';
    t->status = 0;
    t->status_text[0] = '\0';
    t->content_type[0] = '\0';
    t->location[0] = '\0';
    t->body.n = 0;
    t->bad_body = 0;
    t->too_large = 0;
    pve_tls_check_reset(&t->tls);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, t->errbuf);
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, t->timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, t->timeout_ms);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, t);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "deploy-stand");
    /* only ever talk to the configured host: no redirects, no other protocols, bounded answers */
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, t->plain_http ? "http" : "https");
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)MAX_BODY);
    if (host_is_loopback(t->host))
        curl_easy_setopt(h, CURLOPT_PROXY, "");
    if (cookie)
        curl_easy_setopt(h, CURLOPT_COOKIE, cookie);
}

/* Certificate checks: the pin, or CA and host name verification as configured. */
static void transfer_set_tls(pve_transport *t)
{
    CURL *h = t->curl;
    if (t->plain_http)
        return;
    if (t->tls.pinned) {
        /* the pin replaces CA and host name checks */
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
        /* a resumed session would skip the certificate check */
        curl_easy_setopt(h, CURLOPT_SSL_SESSIONID_CACHE, 0L);
    } else {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, t->verify_tls ? 1L : 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, t->verify_tls ? 2L : 0L);
    }
    curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, pve_tls_ctx_setup);
    curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, &t->tls);
}

/* The HTTP method and, for POST and PUT, the form body (borrowed until the transfer ends). */
static void transfer_set_method(CURL *h, const char *method, bool has_body, const char *form)
{
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
}

/* Fills resp from the finished transfer and wipes the captured body (it may hold a ticket). */
static int transfer_finish(pve_transport *t, CURLcode rc, struct pve_response *resp, json_t **full)
{
    if (rc != CURLE_OK) {
        char msg[1024];
        describe_curl_failure(t, rc, msg, sizeof msg);
        resp->status = 0;
        resp->message = strdup(msg);
        resp->err_class = curl_failure_class(t, rc);
        if (t->body.p)
            memset(t->body.p, 0, t->body.n);
        return -1;
    }
    long code = 0;
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &code);
    if (code == 0)
        code = t->status;
    t->bad_body = pve_response_parse(resp, code, t->status_text, t->body.p, t->body.n, full) < 0;
    /* the body may hold a ticket: wipe it */
    if (t->body.p)
        memset(t->body.p, 0, t->body.n);
    return 0;
}

static int fail_request(struct pve_response *resp, const char *msg)
{
    resp->message = strdup(msg);
    resp->err_class = PVE_ERR_OTHER;
    return -1;
}

int pve_transport_send(pve_transport *t, const char *method, const char *path, const char *form,
                       const struct pve_auth *auth, struct pve_response *resp, json_t **full)
{
    pve_response_clear(resp);
    if (full)
        *full = NULL;
    if (t->fp_bad) {
        char msg[512];
        snprintf(msg, sizeof msg,
                 _("the fingerprint given for %s is not a SHA-256 fingerprint (64 hex digits, "
                   "optionally separated by ':')"),
                 t->hostport);
        return fail_request(resp, msg);
    }
    bool has_body = strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0;
    char *url = pve_request_url(t->base_url, path, has_body ? NULL : form);
    struct curl_slist *hdrs = NULL;
    char *cookie = NULL;
    if (!url || request_headers(method, auth, has_body, &hdrs, &cookie) < 0) {
        free(url);
        curl_slist_free_all(hdrs);
        pve_secret_free(&cookie);
        return fail_request(resp, "out of memory while building the request");
    }
    transfer_prepare(t, url, hdrs, cookie);
    transfer_set_tls(t);
    transfer_set_method(t->curl, method, has_body, form);
    CURLcode rc = curl_easy_perform(t->curl);
    t->nrequests++;
    free(url);
    curl_slist_free_all(hdrs);
    pve_secret_free(&cookie);
    /* drop references to freed memory held by the handle */
    curl_easy_setopt(t->curl, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(t->curl, CURLOPT_COOKIE, NULL);
    curl_easy_setopt(t->curl, CURLOPT_POSTFIELDS, NULL);
    return transfer_finish(t, rc, resp, full);
}

const char *pve_transport_answer_problem(const pve_transport *t, long status, char *buf, size_t len)
{
    if (status >= 300 && status < 400) {
        snprintf(buf, len, _("the server redirects to %s; redirects are not followed"),
                 t->location[0] ? t->location : _("another place"));
        return buf;
    }
    if (status != 200)
        return NULL;
    size_t tl = strcspn(t->content_type, "; ");
    if (t->content_type[0] && !(tl == strlen("application/json") &&
                                strncasecmp(t->content_type, "application/json", tl) == 0)) {
        snprintf(buf, len, _("the answer is %.*s, not JSON (is %s a Proxmox VE API?)"), (int)tl,
                 t->content_type, t->hostport);
        return buf;
    }
    if (t->bad_body) {
        snprintf(buf, len, "the answer is not a JSON object");
        return buf;
    }
    return NULL;
}
