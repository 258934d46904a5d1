/* sim_server: the HTTP(S) front of the simulator (libmicrohttpd with GnuTLS) and the pve_sim
 * embedding API. One model mutex serialises all requests; tasks advance lazily at each request. */
#include "sim_server.h"
#include "sim_server_int.h"
#include "pve_schema.h"
#include "sim_api.h"
#include "sim_cert.h"
#include "sim_listen.h"
#include "sim_params.h"
#include "sim_respond.h"
#include "sim_scenario.h"
#include "sim_stats.h"
#include "sim_tasks.h"
#include "sim_vm_ops.h"

#include "ds_clock.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdatomic.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define MAX_BODY (512 * 1024) /* pve-http-server $limit_max_post */

struct conn {
    char *body;
    size_t len, cap;
    int too_big;
};

static const struct sim_route *const route_tables[] = {
    sim_qemu_routes,   sim_clone_routes, sim_snapshot_routes, sim_network_routes,
    sim_access_routes, sim_pools_routes, sim_cluster_routes};

static sim_handler_fn route_find(const char *key)
{
    for (size_t t = 0; t < sizeof route_tables / sizeof route_tables[0]; t++)
        for (const struct sim_route *r = route_tables[t]; r->key; r++)
            if (strcmp(r->key, key) == 0)
                return r->fn;
    return NULL;
}

void pve_sim_options_init(struct pve_sim_options *o)
{
    memset(o, 0, sizeof *o);
    o->scenario = "classroom";
    o->time_scale = 1.0;
    o->seed = 1;
    o->down_ms = 1000;
}

/* Sleeps ns (injected latency, pveproxy's auth delay) in short slices, so that pve_sim_stop never
 * waits for a long sleep: once the server is stopping the sleep ends. */
static void sleep_unless_stopping(struct pve_sim *s, int64_t ns)
{
    const int64_t slice = 20 * DS_NS_PER_MS;
    int64_t end = ds_clock_mono_ns() + ns;
    for (int64_t left = ns; left > 0 && !atomic_load(&s->stopping); left = end - ds_clock_mono_ns())
        ds_clock_sleep_ns(left < slice ? left : slice);
}

/* ---- the /api2/json pipeline ------------------------------------------------------------- */

struct outcome {
    int status;
    json_t *body;   /* NULL = empty body, or the plain text */
    char text[600]; /* plain-text body of an HTTP-layer error (no such uri, 506, ...) */
    int auth_stage; /* 1: delay like pveproxy */
    int no_answer;  /* 1: close the connection without an answer (status 0) */
    int pause;      /* 1: and refuse connections for --down-ms (an "unreachable" fault) */
    char endpoint[160];
};

static int authenticate(struct pve_sim *s, struct MHD_Connection *c, const char *method,
                        struct sim_identity *who, const char **msg)
{
    long now = (long)ds_clock_wall_s();
    const char *authz = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    memset(who, 0, sizeof *who);
    if (authz && strncmp(authz, "PVEAPIToken", 11) == 0 && (authz[11] == '=' || authz[11] == ' ')) {
        if (sim_token_verify(s->model, authz + 12, now, who) != 0) {
            *msg = "Authentication failed!";
            return -1;
        }
        return 0;
    }
    const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "PVEAuthCookie");
    if (!cookie && authz && strncmp(authz, "PVEAuthCookie=", 14) == 0)
        cookie = authz + 14;
    if (!cookie) {
        *msg = "No ticket";
        return -1;
    }
    char *ticket = sim_url_decode(cookie, strlen(cookie), 0);
    char userid[128];
    int bad = sim_ticket_verify(&s->auth, ticket, now, userid, sizeof userid) != 0 ||
              sim_user_usable(s->model, userid, now) != 0;
    free(ticket);
    if (bad) {
        *msg = "Authentication failed!";
        return -1;
    }
    snprintf(who->userid, sizeof who->userid, "%s", userid);
    who->is_root = strcmp(userid, "root@pam") == 0;
    if (strcmp(method, "GET") != 0) {
        const char *csrf = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "CSRFPreventionToken");
        if (sim_csrf_verify(&s->auth, csrf, userid, now) != 0) {
            *msg = "Permission denied - invalid csrf token";
            return -1;
        }
    }
    return 0;
}

static void fail_out(struct outcome *out, int status, const char *msg, json_t *errors)
{
    out->status = status;
    out->body = sim_error_body(msg, errors);
}

/* An error of pveproxy's HTTP layer ($self->error): the message is the plain-text body. */
static void fail_plain(struct outcome *out, int status, const char *msg)
{
    out->status = status;
    snprintf(out->text, sizeof out->text, "%s", msg);
}

/* One /api2/json request on its way through the stages below (under the model mutex). */
struct api_call {
    struct pve_sim *s;
    struct MHD_Connection *c;
    const char *method;
    const char *format; /* "json", "extjs", ... (/api2/<format>/...) */
    const char *path;
    const pve_endpoint *ep; /* NULL when the schema has no such path */
    json_t *params;         /* collected; the path parameters are added */
    const json_t *pathp;    /* the path parameters alone */
    json_t *norm;           /* validated and normalized (owned), NULL before */
    struct sim_identity who;
    int need_auth; /* 0 for endpoints open to the world (the ticket call) */
    int lose;      /* a "lost" fault: the handler runs, the answer is dropped */
};

/* Authentication: a 401 with an empty body (the reason goes to the statistics). 0 or -1. */
static int api_authenticate(struct api_call *a, struct outcome *out)
{
    const char *world = a->ep && a->ep->permissions
                            ? json_string_value(json_object_get(a->ep->permissions, "user"))
                            : NULL;
    a->need_auth = !(world && strcmp(world, "world") == 0);
    const char *amsg = NULL;
    if (a->need_auth && authenticate(a->s, a->c, a->method, &a->who, &amsg) != 0) {
        out->status = 401;
        out->body = NULL;
        out->auth_stage = 1;
        snprintf(out->endpoint, sizeof out->endpoint, "(auth) %s", amsg);
        return -1;
    }
    if (!a->need_auth)
        memset(&a->who, 0, sizeof a->who);
    return 0;
}

/* The endpoint: known to the schema (else 501) and open to API tokens when one is used. 0 or -1. */
static int api_endpoint_check(struct api_call *a, enum pve_match mr, struct outcome *out)
{
    char msg[600];
    if (mr != PVE_MATCH_OK) {
        snprintf(msg, sizeof msg, "Method '%s %s' not implemented", a->method, a->path);
        fail_out(out, 501, msg, NULL);
        return -1;
    }
    if (a->need_auth && a->who.tokenid[0] && !a->ep->allowtoken) {
        snprintf(
            msg, sizeof msg,
            "Permission check failed (URI '%s' not available with API token, need proper ticket.",
            a->path);
        fail_out(out, 403, msg, NULL);
        return -1;
    }
    return 0;
}

/* Adds the path parameters; one repeated in the query or body with another value is a 400
 * (counted as a schema violation). 0 or -1. */
static int api_path_params(struct api_call *a, const json_t *pathp, struct outcome *out)
{
    const char *k;
    json_t *v;
    json_t *dup = NULL;
    json_object_foreach((json_t *)pathp, k, v)
    {
        json_t *pv = json_object_get(a->params, k);
        char buf[64];
        const char *ps = pv ? pve_value_str(pv, buf, sizeof buf) : NULL;
        if (pv && (!ps || strcmp(ps, json_string_value(v)) != 0)) {
            if (!dup)
                dup = json_object();
            json_object_set_new(
                dup, k,
                json_string(
                    "duplicate parameter (already defined in URI) with conflicting values!"));
        }
        json_object_set(a->params, k, v);
    }
    if (!dup)
        return 0;
    fail_out(out, 400, "Parameter verification failed.", dup);
    sim_stats_violation(&a->s->stats, a->ep->key, dup);
    json_decref(dup);
    return -1;
}

/* check_format's messages keep the validator's die text with its newline ("invalid format -
 * value does not look like a valid VM ID\n"); the shared validator leaves it out. */
static void format_newlines(json_t *errors)
{
    const char *k;
    json_t *v;
    json_object_foreach(errors, k, v)
    {
        const char *m = json_string_value(v);
        size_t n = m ? strlen(m) : 0;
        if (n && strncmp(m, "invalid format - ", 17) == 0 && m[n - 1] != '\n') {
            char *t = malloc(n + 2);
            memcpy(t, m, n);
            memcpy(t + n, "\n", 2);
            json_object_set_new(errors, k, json_string(t));
            free(t);
        }
    }
}

/* Schema validation (a 400, counted as a schema violation) into a->norm, then the schema's
 * permission check (a 403). 0 or -1. */
static int api_validate_permit(struct api_call *a, struct outcome *out)
{
    json_t *errors = pve_schema_validate(a->ep, a->params, &a->norm);
    if (errors) {
        format_newlines(errors);
        fail_out(out, 400, "Parameter verification failed.", errors);
        sim_stats_violation(&a->s->stats, a->ep->key, errors);
        json_decref(errors);
        return -1;
    }
    char detail[512];
    if (a->need_auth && !sim_check_permissions(a->s->model, &a->who, a->ep->permissions, a->norm,
                                               detail, sizeof detail)) {
        char msg[600];
        if (detail[0])
            snprintf(msg, sizeof msg, "Permission check failed (%s)", detail);
        else
            snprintf(msg, sizeof msg, "Permission check failed");
        fail_out(out, 403, msg, NULL);
        return -1;
    }
    return 0;
}

/* The fault rules and the fail rate on a mutating call (not GET, not the ticket call): 1 when
 * an injected answer took the request's place in out, 0 when the handler runs. */
static int api_fault(struct api_call *a, struct outcome *out)
{
    if (strcmp(a->method, "GET") == 0 || strcmp(a->ep->key, "POST /access/ticket") == 0)
        return 0;
    struct sim_fault_req q = {.method = a->method,
                              .path = a->path,
                              .params = a->norm,
                              .path_params = a->pathp,
                              .permissions = a->ep->permissions};
    struct sim_fault_answer f;
    if (!sim_faults_request(&a->s->model->faults, a->s->model, &q, &f)) {
        a->lose = f.lost;
        return 0;
    }
    if (f.status == 0) { /* drop, unreachable: no answer at all */
        out->status = 0;
        out->no_answer = 1;
        out->pause = f.kind == SIM_FAULT_UNREACHABLE;
    } else if (f.status == 401) { /* an auth-stage failure: empty body, the reason in the stats */
        out->status = 401;
        out->auth_stage = 1;
        snprintf(out->endpoint, sizeof out->endpoint, "(auth) %s", "Authentication failed!");
    } else {
        fail_out(out, f.status, f.message, f.errors);
    }
    json_decref(f.errors);
    return 1;
}

/* Waits, the model mutex released, until no task holds the VM's config flock or the deadline
 * (wall time) passes. 0 when the lock came free, -1 at the deadline. */
static int api_flock_wait(struct api_call *a, unsigned vmid, int64_t deadline)
{
    struct pve_sim *s = a->s;
    s->stats.lock_waiting++;
    int held;
    while ((held = sim_vm_flock_held(s->model, vmid)) && ds_clock_mono_ns() < deadline &&
           !atomic_load(&s->stopping)) {
        int64_t left = deadline - ds_clock_mono_ns();
        pthread_mutex_unlock(&s->mu);
        ds_clock_sleep_ns(left < 2 * DS_NS_PER_MS ? left : 2 * DS_NS_PER_MS);
        pthread_mutex_lock(&s->mu);
        sim_tasks_advance(s->model, sim_model_now(s->model));
    }
    s->stats.lock_waiting--;
    return held ? -1 : 0;
}

/* Runs the handler on a fresh request record; again after a wait for a config flock
 * (sim_req_flock), as long as the lock comes free within 10 s x --time-scale. */
static void api_run(struct api_call *a, sim_handler_fn fn, struct sim_req *r)
{
    int64_t deadline = ds_clock_mono_ns() + llround(10.0 * a->s->o.time_scale * DS_NS_PER_S);
    for (;;) {
        struct sim_model *m = a->s->model; /* a reset during a wait may have replaced it */
        *r = (struct sim_req){.model = m,
                              .auth = &a->s->auth,
                              .who = a->who,
                              .method = a->method,
                              .path = a->path,
                              .ep = a->ep,
                              .params = a->norm,
                              .rng = &m->rng,
                              .status = 200};
        fn(r);
        unsigned vmid = r->flock_wait;
        if (!vmid)
            return;
        if (api_flock_wait(a, vmid, deadline) != 0) {
            sim_fail(r, 500, "can't lock file '/var/lock/qemu-server/lock-%u.conf' - got timeout",
                     vmid);
            return;
        }
        free(r->message);
        json_decref(r->data);
        json_decref(r->errors);
        json_decref(r->extra);
    }
}

/* Runs the endpoint's handler (501 when the sim serves none; an injected fault first for
 * mutating calls) and turns its answer into the outcome. */
static void api_dispatch(struct api_call *a, struct outcome *out)
{
    sim_handler_fn fn = route_find(a->ep->key);
    if (!fn) {
        char msg[600];
        snprintf(msg, sizeof msg, "Method '%s %s' not implemented", a->method, a->path);
        fail_out(out, 501, msg, NULL);
        return;
    }
    if (api_fault(a, out))
        return;
    struct sim_req r;
    api_run(a, fn, &r);
    if (a->lose) { /* carried out; the client hears nothing (a timeout, a reset) */
        out->status = 0;
        out->no_answer = 1;
    } else if (r.status == 200) {
        out->status = 200;
        out->body = json_pack("{s:o}", "data", r.data ? r.data : json_null());
        r.data = NULL;
        if (r.extra)
            json_object_update(out->body, r.extra);
    } else {
        /* a handler's own 400 (raise_param_exc: "interface already exists", "VM N already
         * exists" from nextid?vmid=) is an answer about the cluster, not a request the schema
         * rejects: it is not counted as a schema violation */
        fail_out(out, r.status, r.message ? r.message : "internal error", r.errors);
    }
    free(r.message);
    json_decref(r.data);
    json_decref(r.errors);
    json_decref(r.extra);
}

/* What pveproxy checks after authentication and before the handler: the body (sim_params
 * collected it: body_status, msg) and the formatter. Both answer plain text. 0 or -1. */
static int api_http_checks(struct api_call *a, int body_status, const char *msg,
                           struct outcome *out)
{
    if (body_status) {
        fail_plain(out, body_status, msg);
        return -1;
    }
    if (strcmp(a->format, "json") != 0 && strcmp(a->format, "extjs") != 0) {
        char m[600];
        snprintf(m, sizeof m, "no formatter for uri %s, %s", a->path, a->format);
        fail_plain(out, 501, m);
        return -1;
    }
    return 0;
}

static void api_request(struct pve_sim *s, struct MHD_Connection *c, const char *method,
                        const char *format, const char *path, struct conn *cc, struct outcome *out)
{
    json_t *params;
    char msg[400];
    int bst =
        sim_params_collect(c, method, cc->body, cc->len, cc->too_big, &params, msg, sizeof msg);
    pthread_mutex_lock(&s->mu);
    struct sim_model *m = s->model;
    sim_tasks_advance(m, sim_model_now(m));
    json_t *logged = sim_reqlog_add(&s->reqlog, method, path, params);
    struct api_call a = {
        .s = s, .c = c, .method = method, .format = format, .path = path, .params = params};
    json_t *pathp = NULL;
    enum pve_match mr = pve_schema_match(s->schema, method, path, &a.ep, &pathp);
    a.pathp = pathp;
    snprintf(out->endpoint, sizeof out->endpoint, "%s", a.ep ? a.ep->key : "(unknown)");
    if (api_authenticate(&a, out) == 0 && api_http_checks(&a, bst, msg, out) == 0 &&
        api_endpoint_check(&a, mr, out) == 0 && api_path_params(&a, pathp, out) == 0 &&
        api_validate_permit(&a, out) == 0)
        api_dispatch(&a, out);
    json_decref(a.norm);
    sim_stats_request(&s->stats, out->endpoint, out->status);
    sim_reqlog_status(logged, out->status);
    pthread_mutex_unlock(&s->mu);
    json_decref(pathp);
    json_decref(params);
}

static int is_loopback(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return 0;
    if (ci->client_addr->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ci->client_addr;
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    return 0;
}

/* pve-http-server's split_abs_uri: "/api2" "/"+ format ([a-z][a-z0-9]+) and the rest ("/"
 * when none). The rest, with the format into fmt, or NULL ("no such uri"). */
static const char *api_split_uri(const char *url, char *fmt, size_t fmtlen)
{
    if (strncmp(url, "/api2/", 6) != 0)
        return NULL;
    const char *f = url + 6;
    while (*f == '/')
        f++;
    size_t n = 0;
    while ((f[n] >= 'a' && f[n] <= 'z') || (n > 0 && f[n] >= '0' && f[n] <= '9'))
        n++;
    if (n < 2 || n >= fmtlen || (f[n] != '/' && f[n] != '\0'))
        return NULL;
    snprintf(fmt, fmtlen, "%.*s", (int)n, f);
    return f[n] ? f + n : "/";
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct pve_sim *s = cls;
    struct conn *cc = *con_cls;
    if (!cc) {
        cc = calloc(1, sizeof *cc);
        if (!cc)
            return MHD_NO;
        *con_cls = cc;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (cc->len + *upload_data_size > MAX_BODY) {
            cc->too_big = 1;
        } else {
            if (cc->len + *upload_data_size + 1 > cc->cap) {
                size_t cap = (cc->len + *upload_data_size + 1) * 2;
                char *nb = realloc(cc->body, cap);
                if (!nb)
                    return MHD_NO;
                cc->body = nb;
                cc->cap = cap;
            }
            memcpy(cc->body + cc->len, upload_data, *upload_data_size);
            cc->len += *upload_data_size;
            cc->body[cc->len] = '\0';
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (!is_loopback(c)) {
        json_t *b = sim_error_body("forbidden", NULL);
        enum MHD_Result r = sim_respond(c, 403, b, NULL, SIM_FMT_JSON, NULL);
        json_decref(b);
        return r;
    }
    if (strncmp(url, "/__sim/", 7) == 0)
        return sim_control_handle(s, c, url, method);
    char format[32];
    const char *path = api_split_uri(url, format, sizeof format);
    if (!path)
        return sim_respond(c, 501, NULL, "no such uri", SIM_FMT_JSON, NULL);
    if (s->o.latency_ms > 0)
        sleep_unless_stopping(s, (int64_t)s->o.latency_ms * DS_NS_PER_MS);
    struct outcome out = {0};
    api_request(s, c, method, format, path, cc, &out);
    if (out.auth_stage && s->o.auth_delay)
        sleep_unless_stopping(s, llround(3.0 * s->o.time_scale * (double)DS_NS_PER_S));
    if (!s->o.quiet)
        fprintf(stderr, "pve-sim: %s %s -> %d\n", method, path, out.status);
    if (out.no_answer) {
        /* refuse new connections before this one closes, so a client that reconnects at once
         * finds the port closed */
        if (out.pause)
            sim_listen_pause(s->listen, (int64_t)s->o.down_ms * DS_NS_PER_MS);
        return MHD_NO;
    }
    enum sim_format fmt = strcmp(format, "extjs") == 0  ? SIM_FMT_EXTJS
                          : s->version->message_in_body ? SIM_FMT_JSON
                                                        : SIM_FMT_JSON_NOMSG;
    enum MHD_Result r = sim_respond(c, out.status, out.body, out.body ? NULL : out.text, fmt,
                                    out.auth_stage ? out.endpoint + 7 /* after "(auth) " */ : NULL);
    json_decref(out.body);
    return r;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    struct conn *cc = *con_cls;
    if (cc) {
        free(cc->body);
        free(cc);
        *con_cls = NULL;
    }
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    struct pve_sim *s = cls;
    if (!s->o.quiet) {
        fprintf(stderr, "pve-sim: ");
        vfprintf(stderr, fmt, ap);
    }
}

/* The --fault rules of the options into s->rules. 0, or -1 with the bad rule in err. */
static int parse_rules(struct pve_sim *s, const struct pve_sim_options *o, char *err, size_t errlen)
{
    size_t n = 0;
    while (o->faults && o->faults[n])
        n++;
    if (n > SIM_FAULT_MAX_RULES) {
        snprintf(err, errlen, "at most %d --fault rules", SIM_FAULT_MAX_RULES);
        return -1;
    }
    s->rules = n ? calloc(n, sizeof *s->rules) : NULL;
    if (n && !s->rules) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (; s->n_rules < n; s->n_rules++) {
        char why[300];
        if (sim_fault_rule_parse(o->faults[s->n_rules], &s->rules[s->n_rules], why, sizeof why)) {
            snprintf(err, errlen, "--fault %s: %s", o->faults[s->n_rules], why);
            return -1;
        }
    }
    return 0;
}

/* The certificate (unless --http) and the listening daemon. 0 or -1 with err. */
static int serve(struct pve_sim *s, const struct pve_sim_options *o, char *err, size_t errlen)
{
    if (!o->http) {
        int rc = o->cert_file && o->key_file
                     ? sim_cert_load(&s->cert, o->cert_file, o->key_file, err, errlen)
                     : sim_cert_generate(&s->cert, err, errlen);
        if (rc != 0)
            return -1;
    }
    struct sim_listen_cfg lc = {.http = o->http,
                                .key_pem = s->cert.key_pem,
                                .cert_pem = s->cert.cert_pem,
                                .handler = on_request,
                                .completed = on_completed,
                                .logger = mhd_log,
                                .cls = s};
    s->listen = sim_listen_start(&lc, o->port, err, errlen);
    if (!s->listen)
        return -1;
    s->port = sim_listen_port(s->listen);
    snprintf(s->url, sizeof s->url, "%s://127.0.0.1:%u", o->http ? "http" : "https", s->port);
    return 0;
}

int pve_sim_start(const struct pve_sim_options *o, struct pve_sim **out, char *err, size_t errlen)
{
    *out = NULL;
    struct pve_sim *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    s->o = *o;
    if (s->o.time_scale <= 0)
        s->o.time_scale = 1.0;
    s->scenario = strdup(o->scenario && *o->scenario ? o->scenario : "classroom");
    s->fail_match = o->fail_match ? strdup(o->fail_match) : NULL;
    s->o.fail_match = s->fail_match;
    s->o.scenario = s->scenario;
    s->o.cert_file = s->o.key_file = NULL;
    s->o.faults = NULL; /* parsed into s->rules */
    pthread_mutex_init(&s->mu, NULL);
    sim_stats_init(&s->stats);
    sim_reqlog_init(&s->reqlog);
    sim_auth_init(&s->auth);
    s->passwords = json_object();
    s->version = sim_version_find(o->pve_version);
    if (!s->version) {
        snprintf(err, errlen, "unknown PVE version '%s' (known: %s)", o->pve_version,
                 sim_version_list());
        pve_sim_stop(s);
        return -1;
    }
    s->o.pve_version = s->version->release;
    s->schema = sim_version_schema(s->version);
    if (!s->schema) {
        snprintf(err, errlen, "cannot load the embedded PVE %s API schema", s->version->release);
        pve_sim_stop(s);
        return -1;
    }
    if (parse_rules(s, o, err, errlen) != 0) {
        pve_sim_stop(s);
        return -1;
    }
    s->model = sim_scenario_load(s->scenario, s->o.time_scale, s->o.seed, err, errlen);
    if (!s->model) {
        pve_sim_stop(s);
        return PVE_SIM_ESCENARIO;
    }
    sim_control_model_setup(s, s->model);
    const char *uid;
    json_t *u;
    json_object_foreach(s->model->users, uid, u)
    {
        json_t *pw = json_object_get(u, "password");
        if (json_is_string(pw))
            json_object_set(s->passwords, uid, pw);
    }
    if (serve(s, o, err, errlen) != 0) {
        pve_sim_stop(s);
        return -1;
    }
    *out = s;
    return 0;
}

unsigned pve_sim_port(const struct pve_sim *s)
{
    return s->port;
}

const char *pve_sim_url(const struct pve_sim *s)
{
    return s->url;
}

const char *pve_sim_fingerprint(const struct pve_sim *s)
{
    return s->cert.fingerprint;
}

const char *pve_sim_user_password(const struct pve_sim *s, const char *userid)
{
    return json_string_value(json_object_get(s->passwords, userid));
}

void pve_sim_stop(struct pve_sim *s)
{
    if (!s)
        return;
    atomic_store(&s->stopping, 1);
    sim_listen_stop(s->listen);
    sim_model_free(s->model);
    sim_stats_free(&s->stats);
    sim_reqlog_free(&s->reqlog);
    pve_schema_free(s->schema);
    sim_cert_free(&s->cert);
    json_decref(s->passwords);
    pthread_mutex_destroy(&s->mu);
    free(s->scenario);
    free(s->fail_match);
    free(s->rules);
    free(s);
}
