/* pve_client: one authenticated connection to the Proxmox VE HTTP API (libcurl + jansson).
 * Requests are checked against the embedded PVE schema before sending; secrets never leave it. */
#include "pve/pve_client.h"

#include "ds_clock.h"
#include "pve/pve_buf.h"
#include "pve/pve_request.h"
#include "pve/pve_transport.h"
#include "util/err.h"
#include "util/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_PORT 8006
#define DEFAULT_TIMEOUT_MS 30000L

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
    long timeout_ms;

    pve_transport *transport; /* the connection; holds the schema reference once set */
    pve_transport_fn send_fn; /* the seam (tests): replaces `transport` when set */
    void *send_ud;
    int send_bad_body;           /* the seam's last 2xx body was not a JSON object */
    unsigned long send_requests; /* requests sent through the seam */

    char *ticket; /* secret */
    char *csrf;   /* secret */
    /* wall-clock Unix seconds of the login, from now() */
    int64_t ticket_time;
    int64_t (*now)(void *);
    void *now_ctx;
};

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

static int64_t default_now(void *ctx)
{
    (void)ctx;
    return ds_clock_wall_s();
}

/* ---- client lifecycle ----------------------------------------------------------------- */

pve_client *pve_client_new(const struct pve_conn_opts *o)
{
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
    if (fail || !c->host) {
        pve_client_free(c);
        return NULL;
    }
    struct pve_transport_opts to = {
        .host = c->host,
        .port = c->port,
        .plain_http = c->plain_http,
        .verify_tls = c->verify_tls,
        .fingerprint = c->fingerprint,
        .timeout_ms = c->timeout_ms,
    };
    c->transport = pve_transport_new(&to);
    if (!c->transport) {
        pve_client_free(c);
        return NULL;
    }
    pve_request_schema_ref();
    return c;
}

void pve_client_free(pve_client *c)
{
    if (!c)
        return;
    if (c->transport) {
        pve_transport_free(c->transport);
        /* only fully constructed clients hold a schema reference */
        pve_request_schema_unref();
    }
    free(c->host);
    free(c->user);
    pve_secret_free(&c->password);
    free(c->token_id);
    pve_secret_free(&c->token_secret);
    free(c->fingerprint);
    pve_secret_free(&c->ticket);
    pve_secret_free(&c->csrf);
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
    d->send_fn = c->send_fn;
    d->send_ud = c->send_ud;
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
    return pve_transport_request_count(c->transport) + c->send_requests;
}

const char *pve_client_base_url(const pve_client *c)
{
    return pve_transport_base_url(c->transport);
}

void pve_client_set_clock(pve_client *c, int64_t (*now)(void *ctx), void *ctx)
{
    c->now = now ? now : default_now;
    c->now_ctx = now ? ctx : NULL;
}

void pve_client_set_transport(pve_client *c, pve_transport_fn fn, void *ud)
{
    c->send_fn = fn;
    c->send_ud = fn ? ud : NULL;
    c->send_bad_body = 0;
}

bool pve_client_has_ticket(const pve_client *c)
{
    return c->ticket != NULL;
}

bool pve_client_pin_mismatch(const pve_client *c)
{
    return c && pve_transport_pin_mismatch(c->transport);
}

/* ---- sending: libcurl, or the seam ---------------------------------------------------- */

/* pve_transport_send, or the seam when one is set (same contract). */
static int client_send(pve_client *c, const char *method, const char *path, const char *form,
                       const struct pve_auth *auth, struct pve_response *resp, json_t **full)
{
    if (!c->send_fn)
        return pve_transport_send(c->transport, method, path, form, auth, resp, full);
    pve_response_clear(resp);
    if (full)
        *full = NULL;
    char *body = NULL;
    long status = c->send_fn(c->send_ud, method, path, form ? form : "", &body);
    c->send_requests++;
    if (status <= 0) {
        resp->status = 0;
        resp->message = strdup(body && body[0] ? body : _("no response"));
        resp->err_class = PVE_ERR_TRANSIENT;
        free(body);
        return -1;
    }
    c->send_bad_body =
        pve_response_parse(resp, status, NULL, body, body ? strlen(body) : 0, full) < 0;
    free(body);
    return 0;
}

/* pve_transport_answer_problem, or the seam's equivalent (a 200 body that is no JSON object). */
static const char *client_answer_problem(const pve_client *c, long status, char *buf, size_t len)
{
    if (!c->send_fn)
        return pve_transport_answer_problem(c->transport, status, buf, len);
    if (status != 200 || !c->send_bad_body)
        return NULL;
    snprintf(buf, len, "the answer is not a JSON object");
    return buf;
}

/* ---- login and calls ------------------------------------------------------------------ */

/* POST /access/ticket with the password. *status (may be NULL) gets the HTTP status, 0 when no
 * answer came. */
static int ticket_login(pve_client *c, long *status)
{
    if (status)
        *status = 0;
    if (!c->user)
        return ds_err_set(_("no user given for %s"), pve_client_base_url(c));
    json_t *params = json_pack("{s:s, s:s}", "username", c->user, "password", c->password);
    if (!params)
        return ds_err_set(_("out of memory"));
    if (pve_request_check("POST", "/access/ticket", params) < 0) {
        json_decref(params);
        return -1;
    }
    char *form = pve_params_encode(params);
    json_decref(params);
    if (!form)
        return ds_err_set(_("out of memory"));
    struct pve_response r = {0};
    json_t *full = NULL;
    int trc = client_send(c, "POST", "/access/ticket", form, NULL, &r, &full);
    pve_secret_free(&form);
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
                        pve_client_base_url(c));
    } else if (client_answer_problem(c, r.status, why, sizeof why)) {
        rc = ds_err_set(_("login as %s at %s failed: %ld %s: %s"), c->user, pve_client_base_url(c),
                        r.status, r.message ? r.message : "", why);
    } else if (r.status != 200) {
        char d[1024];
        rc = ds_err_set(_("login as %s at %s failed: %s"), c->user, pve_client_base_url(c),
                        pve_response_describe(&r, d, sizeof d));
    } else {
        const char *t = json_string_value(json_object_get(r.data, "ticket"));
        const char *csrf = json_string_value(json_object_get(r.data, "CSRFPreventionToken"));
        if (!t || !csrf) {
            rc = ds_err_set(_("login as %s at %s: the answer holds no ticket"), c->user,
                            pve_client_base_url(c));
        } else {
            pve_secret_free(&c->ticket);
            pve_secret_free(&c->csrf);
            c->ticket = strdup(t);
            c->csrf = strdup(csrf);
            if (!c->ticket || !c->csrf) {
                pve_secret_free(&c->ticket);
                pve_secret_free(&c->csrf);
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

/* The credentials of the client's session: its API token, or its ticket once logged in. */
static struct pve_auth session_auth(const pve_client *c)
{
    struct pve_auth a = {
        .token_id = c->token_id,
        .token_secret = c->token_secret,
        .ticket = c->ticket,
        .csrf = c->csrf,
    };
    return a;
}

static int call_once(pve_client *c, const char *method, const char *path, const char *form,
                     struct pve_response *resp, json_t **full)
{
    struct pve_auth auth = session_auth(c);
    if (client_send(c, method, path, form, &auth, resp, full) < 0)
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
    if (pve_request_check(method, path, strings) < 0) {
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
        pve_secret_free(&form);
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
            pve_secret_free(&form);
            pve_response_clear(&local);
            return ds_err_wrap(_("%s %s: 401 %s; logging in again failed"), method, path,
                               r->message ? r->message : "");
        }
        trc = call_once(c, method, path, form, r, body ? &full : NULL);
    }
    pve_secret_free(&form);
    char why[700];
    char d[1536];
    if (trc < 0) {
        rc = ds_err_set("%s %s: %s", method, path, r->message ? r->message : _("no response"));
    } else if (client_answer_problem(c, r->status, why, sizeof why)) {
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
        struct pve_auth auth = session_auth(c);
        int trc = client_send(c, "GET", "/version", NULL, &auth, &r, NULL);
        int rc = 0;
        char why[700];
        if (trc < 0) {
            rc = ds_err_set("%s", r.message ? r.message : _("no response"));
        } else if (client_answer_problem(c, r.status, why, sizeof why)) {
            char d[1024];
            rc = ds_err_set(_("checking API token %s at %s failed: %s; %s"), c->token_id,
                            pve_client_base_url(c), pve_response_describe(&r, d, sizeof d), why);
        } else if (r.status == 401) {
            rc = ds_err_set(_("authentication failed for API token %s at %s: wrong token id or "
                              "secret"),
                            c->token_id, pve_client_base_url(c));
        } else if (r.status != 200) {
            char d[1024];
            rc = ds_err_set(_("checking API token %s at %s failed: %s"), c->token_id,
                            pve_client_base_url(c), pve_response_describe(&r, d, sizeof d));
        }
        if (rc < 0)
            pve_err_set_class(r.err_class != PVE_OK ? r.err_class : PVE_ERR_OTHER);
        pve_response_clear(&r);
        return rc;
    }
    if (!c->password)
        return ds_err_set(_("no password or API token given for %s"), pve_client_base_url(c));
    return ticket_login(c, NULL);
}
