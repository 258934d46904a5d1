/* sim_params: the parameters of one /api2/json request as PVE's server reads them: the query string
 * and a form body as strings, a JSON body's scalars (booleans as 0/1); and URL decoding. */
#include "sim_params.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *sim_url_decode(const char *s, size_t n, int plus_space)
{
    char *out = malloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+' && plus_space)
            out[o++] = ' ';
        else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else
            out[o++] = s[i];
    }
    out[o] = '\0';
    return out;
}

static void parse_form(const char *body, size_t len, json_t *params)
{
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && body[j] != '&')
            j++;
        const char *eq = memchr(body + i, '=', j - i);
        char *k = sim_url_decode(body + i, eq ? (size_t)(eq - body - i) : j - i, 1);
        char *v = eq ? sim_url_decode(eq + 1, (size_t)(body + j - eq - 1), 1) : strdup("");
        if (*k)
            json_object_set_new(params, k, json_string(v));
        free(k);
        free(v);
        i = j + 1;
    }
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    (void)kind;
    json_object_set_new((json_t *)cls, key, json_string(value ? value : ""));
    return MHD_YES;
}

/* Adds a JSON object body's members to params: booleans as 0/1, nulls left out. -1 when the body
 * is not a JSON object. */
static int add_json_body(const char *body, size_t len, json_t *params)
{
    json_error_t jerr;
    json_t *j = json_loadb(body, len, 0, &jerr);
    if (!json_is_object(j)) {
        json_decref(j);
        return -1;
    }
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v)
    {
        if (json_is_boolean(v))
            json_object_set_new(params, k, json_integer(json_is_true(v)));
        else if (!json_is_null(v))
            json_object_set(params, k, v);
    }
    json_decref(j);
    return 0;
}

/* The media type of a Content-Type header as pve-http-server's parse_content_type splits it
 * (up to the first ';' or ',', blanks trimmed), into out. */
static void media_type(const char *ct, char *out, size_t outlen)
{
    while (*ct == ' ' || *ct == '\t')
        ct++;
    size_t n = strcspn(ct, ";,");
    while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
        n--;
    snprintf(out, outlen, "%.*s", (int)n, ct);
}

/* A body as pve-http-server reads it (after authentication): only with PUT or POST, at most
 * 512 KiB, of type form (the default) or JSON; its parameters into p. 0 or the status. */
static int read_body(struct MHD_Connection *c, const char *method, const char *body, size_t len,
                     int too_big, json_t *p, char *msg, size_t msglen)
{
    if (strcmp(method, "PUT") != 0 && strcmp(method, "POST") != 0) {
        snprintf(msg, msglen, "Unexpected content for method '%s'", method);
        return 501;
    }
    if (too_big) {
        snprintf(msg, msglen, "for data too large");
        return 501;
    }
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    char mt[128] = "";
    if (ct && *ct)
        media_type(ct, mt, sizeof mt);
    if (!mt[0] || strcmp(mt, "application/x-www-form-urlencoded") == 0) {
        parse_form(body, len, p);
    } else if (strcmp(mt, "application/json") == 0) {
        if (add_json_body(body, len, p) != 0) {
            snprintf(msg, msglen, "unable to parse JSON body");
            return 400;
        }
    } else {
        snprintf(msg, msglen, "upload 'Content-Type '%s' not implemented", ct);
        return 506;
    }
    return 0;
}

int sim_params_collect(struct MHD_Connection *c, const char *method, const char *body, size_t len,
                       int too_big, json_t **params, char *msg, size_t msglen)
{
    json_t *p = json_object();
    int status = len > 0 || too_big ? read_body(c, method, body, len, too_big, p, msg, msglen) : 0;
    /* the query string's parameters win over the body's (extract_params) */
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_arg, p);
    if (status) {
        json_decref(p);
        p = NULL;
    }
    *params = p;
    return status;
}
