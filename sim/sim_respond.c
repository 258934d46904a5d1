/* sim_respond: pveproxy's answer writing (pve-http-server AnyEvent.pm response(), the
 * Formatter/Standard.pm json and extjs formatters), over libmicrohttpd. */
#include "sim_respond.h"
#include "sim_gzip.h"
#include "sim_reason.h"

#include <stdlib.h>
#include <string.h>

json_t *sim_error_body(const char *message, json_t *errors)
{
    json_t *o = json_pack("{s:n}", "data");
    if (errors)
        json_object_set(o, "errors", errors);
    if (message) {
        size_t n = strlen(message);
        char *m = malloc(n + 2);
        memcpy(m, message, n);
        m[n] = '\n';
        m[n + 1] = '\0';
        json_object_set_new(o, "message", json_string(m));
        free(m);
    }
    return o;
}

/* prepare_response_data for extjs: always HTTP 200; success 0 with the error's status and
 * message, or when there are parameter errors; total and changes only on success. */
static json_t *extjs_body(const json_t *body, int *status)
{
    json_t *o = json_deep_copy(body);
    json_t *errors = json_object_get(o, "errors");
    int success = !(errors && json_object_size(errors) > 0);
    if (*status >= 400) {
        success = 0;
        json_object_set_new(o, "status", json_integer(*status));
        *status = 200;
    }
    if (!success) {
        json_object_del(o, "total");
        json_object_del(o, "changes");
    }
    json_object_set_new(o, "success", json_integer(success));
    return o;
}

/* gzip when the client's Accept-Encoding names gzip, else deflate (zlib) when it names deflate,
 * for bodies over 1 KiB (pveproxy's rule). The body is replaced; NULL = not compressed. */
static const char *compress_body(struct MHD_Connection *c, char **text, size_t *len)
{
    const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Encoding");
    int gz = ae && strstr(ae, "gzip"), dfl = ae && strstr(ae, "deflate");
    if (*len <= 1024 || (!gz && !dfl))
        return NULL;
    size_t n;
    unsigned char *z = sim_gzip((const unsigned char *)*text, *len, !gz, &n);
    if (!z)
        return NULL;
    free(*text);
    *text = (char *)z;
    *len = n;
    return gz ? "gzip" : "deflate";
}

enum MHD_Result sim_respond(struct MHD_Connection *c, int status, const json_t *body,
                            const char *text, enum sim_format fmt, const char *reason)
{
    const char *msg = json_string_value(json_object_get(body, "message"));
    if (msg)
        reason = msg;
    else if (!body && text && *text)
        reason = text;
    char *out;
    if (body) {
        json_t *b = fmt == SIM_FMT_EXTJS ? extjs_body(body, &status) : json_incref((json_t *)body);
        if (fmt == SIM_FMT_JSON_NOMSG && json_object_get(b, "message")) {
            json_t *copy = json_copy(b);
            json_object_del(copy, "message");
            json_decref(b);
            b = copy;
        }
        out = json_dumps(b, JSON_COMPACT);
        json_decref(b);
    } else {
        out = strdup(text ? text : "");
    }
    size_t len = strlen(out);
    const char *enc = compress_body(c, &out, &len);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, out, MHD_RESPMEM_MUST_FREE);
    if (body)
        MHD_add_response_header(resp, "Content-Type", "application/json;charset=UTF-8");
    if (enc)
        MHD_add_response_header(resp, "Content-Encoding", enc);
    MHD_add_response_header(resp, "Cache-Control", "max-age=0");
    MHD_add_response_header(resp, "Pragma", "no-cache");
    MHD_add_response_header(resp, "Server", "pve-api-daemon/3.0 (pve-sim)");
    /* the message in the status line for errors (extjs answers them with 200 OK) */
    sim_reason_set((unsigned)status, status >= 400 ? reason : NULL);
    enum MHD_Result r = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return r;
}
