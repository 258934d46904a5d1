/* pve_request: what the PVE client puts on the wire before sending: percent-encoded URLs, form
 * bodies and query strings, and the check of each request against the embedded PVE schema. */
#include "pve/pve_request.h"

#include "pve/pve_buf.h"
#include "pve/pve_response.h"
#include "pve_schema.h"
#include "util/err.h"
#include "util/i18n.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The schema is shared by every client; loaded with the first client, freed with the last. */
static pthread_mutex_t schema_mu = PTHREAD_MUTEX_INITIALIZER;
static pve_schema *schema;
static unsigned schema_users;

void pve_request_schema_ref(void)
{
    pthread_mutex_lock(&schema_mu);
    schema_users++;
    if (!schema)
        schema = pve_schema_load_embedded();
    pthread_mutex_unlock(&schema_mu);
}

void pve_request_schema_unref(void)
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
    struct pve_buf b = {0};
    if (pve_buf_add(&b, "", 0) < 0)
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
        int bad = !ek || !ev || (i && pve_buf_add(&b, "&", 1) < 0) ||
                  pve_buf_add(&b, ek, strlen(ek)) < 0 || pve_buf_add(&b, "=", 1) < 0 ||
                  pve_buf_add(&b, ev, strlen(ev)) < 0;
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

char *pve_request_url(const char *base_url, const char *path, const char *query)
{
    struct pve_buf url = {0};
    int bad = pve_buf_add(&url, base_url, strlen(base_url)) < 0 ||
              pve_buf_add(&url, "/api2/json", 10) < 0;
    const char *p = path;
    while (!bad && *p) {
        if (*p == '/') {
            bad = pve_buf_add(&url, "/", 1) < 0;
            p++;
            continue;
        }
        size_t sl = strcspn(p, "/");
        char *seg = strndup(p, sl);
        char *enc = seg ? pve_url_encode(seg, true) : NULL;
        bad = !enc || pve_buf_add(&url, enc, strlen(enc)) < 0;
        free(seg);
        free(enc);
        p += sl;
    }
    if (!bad && query && query[0])
        bad = pve_buf_add(&url, "?", 1) < 0 || pve_buf_add(&url, query, strlen(query)) < 0;
    if (bad) {
        free(url.p);
        return NULL;
    }
    return url.p;
}

/* ---- schema check --------------------------------------------------------------------- */

static bool param_is_secret(const char *k)
{
    return strcmp(k, "password") == 0 || strstr(k, "secret") || strstr(k, "ticket") ||
           strcmp(k, "value") == 0;
}

/* Validates method+path+params against the schema. 0 ok; -1 with ds_err set. */
int pve_request_check(const char *method, const char *path, const json_t *strings)
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
