/* pve_response: the envelope of a Proxmox VE answer: the message from the status line or the body
 * (PVE >= 8.3), "data", the 400 "errors" object, the failure's class, and its text for people. */
#include "pve/pve_response.h"

#include "util/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **pve_json_sorted_keys(const json_t *o, size_t *n)
{
    *n = json_object_size(o);
    if (*n == 0)
        return NULL;
    const char **keys = malloc(*n * sizeof *keys);
    if (!keys) {
        *n = 0;
        return NULL;
    }
    size_t i = 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v)
    {
        (void)v;
        keys[i++] = k;
    }
    qsort(keys, *n, sizeof *keys, cmp_str);
    return keys;
}

void pve_response_clear(struct pve_response *r)
{
    if (!r)
        return;
    free(r->message);
    json_decref(r->data);
    json_decref(r->errors);
    memset(r, 0, sizeof *r);
}

static char *first_line(const char *s)
{
    size_t n = strcspn(s, "\r\n");
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

int pve_response_parse(struct pve_response *r, long status, const char *status_text,
                       const char *body, size_t len, json_t **full)
{
    int rc = 0;
    r->status = status;
    if (full)
        *full = NULL;
    json_t *root = NULL;
    if (body && len > 0) {
        json_error_t jerr;
        root = json_loadb(body, len, 0, &jerr);
        if (!json_is_object(root)) {
            json_decref(root);
            root = NULL;
            rc = -1;
        }
    }
    const char *bodymsg = root ? json_string_value(json_object_get(root, "message")) : NULL;
    if (bodymsg && bodymsg[0])
        r->message = first_line(bodymsg);
    else if (status_text)
        r->message = first_line(status_text);
    if (root) {
        json_t *d = json_object_get(root, "data");
        if (d && !json_is_null(d))
            r->data = json_incref(d);
        json_t *e = json_object_get(root, "errors");
        if (json_is_object(e))
            r->errors = json_incref(e);
        if (full)
            *full = root;
        else
            json_decref(root);
    }
    r->err_class = pve_err_classify(status, r->message, r->errors);
    return rc;
}

bool pve_response_is_transient(const struct pve_response *r)
{
    if (!r)
        return false;
    return pve_err_is_transient(pve_err_classify(r->status, r->message, r->errors));
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
