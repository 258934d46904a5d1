/* pve_response: the envelope of a Proxmox VE answer: the message from the status line or the body
 * (PVE >= 8.3), "data", the 400 "errors" object, and the failure's class (pve_error.c). */
#include "pve/pve_response.h"

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
