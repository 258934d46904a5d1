/* sim_reqlog: the request log of /__sim/requests (at most SIM_REQLOG_MAX entries, secrets
 * masked). Called under the model mutex. */
#include "sim_reqlog.h"

#include <stdlib.h>
#include <string.h>

void sim_reqlog_init(struct sim_reqlog *l)
{
    l->entries = json_array();
    l->dropped = 0;
}

void sim_reqlog_clear(struct sim_reqlog *l)
{
    json_array_clear(l->entries);
    l->dropped = 0;
}

void sim_reqlog_free(struct sim_reqlog *l)
{
    json_decref(l->entries);
    l->entries = NULL;
}

/* A copy of the parameters with every password's characters replaced by '*' (the length stays,
 * so that a length check of the schema judges the copy as it judged the original). */
static json_t *masked(const json_t *params)
{
    json_t *out = json_is_object(params) ? json_deep_copy(params) : json_object();
    const char *k;
    json_t *v;
    json_object_foreach(out, k, v)
    {
        if (!strstr(k, "password") || !json_is_string(v))
            continue;
        size_t n = json_string_length(v);
        char *stars = malloc(n + 1);
        if (!stars)
            continue;
        memset(stars, '*', n);
        stars[n] = '\0';
        json_string_set(v, stars);
        free(stars);
    }
    return out;
}

json_t *sim_reqlog_add(struct sim_reqlog *l, const char *method, const char *path,
                       const json_t *params)
{
    if (!l->entries)
        return NULL;
    if (json_array_size(l->entries) >= SIM_REQLOG_MAX) {
        l->dropped++;
        return NULL;
    }
    json_t *e = json_pack("{s:s, s:s, s:o, s:i}", "method", method, "path", path, "params",
                          masked(params), "status", 0);
    if (json_array_append(l->entries, e) != 0) {
        json_decref(e);
        return NULL;
    }
    return e;
}

void sim_reqlog_status(json_t *entry, int status)
{
    if (entry)
        json_object_set_new(entry, "status", json_integer(status));
    json_decref(entry);
}

json_t *sim_reqlog_report(const struct sim_reqlog *l)
{
    /* a copy: the answer is written after the model mutex is released */
    return json_pack("{s:o, s:I, s:i}", "requests", json_deep_copy(l->entries), "dropped",
                     (json_int_t)l->dropped, "limit", SIM_REQLOG_MAX);
}
