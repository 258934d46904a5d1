/* pve_propstr: PVE property strings ("virtio=BC:24:11:00:00:01,bridge=vmbr0,tag=20"), parsed and
 * printed exactly like PVE::JSONSchema::parse_property_string / print_property_string. */
#include "pve_propstr.h"

#include "pve_schema.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* PVE::JSONSchema::parse_boolean; -1 when not a boolean word. */
static int parse_boolean(const char *s)
{
    static const char *const yes[] = {"1", "on", "yes", "true", NULL};
    static const char *const no[] = {"0", "off", "no", "false", NULL};
    for (int i = 0; yes[i]; i++)
        if (strcasecmp(s, yes[i]) == 0)
            return 1;
    for (int i = 0; no[i]; i++)
        if (strcasecmp(s, no[i]) == 0)
            return 0;
    return -1;
}

static void set_err(char *err, size_t errlen, const char *fmt, const char *arg)
{
    if (err && errlen)
        snprintf(err, errlen, fmt, arg);
}

/* The key whose schema carries default_key (e.g. "model"), or NULL. */
static const char *find_default_key(const json_t *format)
{
    const char *k;
    json_t *sub;
    json_object_foreach((json_t *)format, k, sub)
    {
        if (pve_flag_true(json_object_get(sub, "default_key")))
            return k;
    }
    return NULL;
}

/* True when s has nothing but white space (such parts are skipped). */
static bool is_blank(const char *s)
{
    for (const char *p = s; *p; p++)
        if (!isspace((unsigned char)*p))
            return false;
    return true;
}

/* Adds one "key=value" part to res: an alias key stands for its target (and sets the keyAlias
 * key to the alias' name), boolean words become "1"/"0". 0, or -1 with err on a duplicate or
 * unknown key. */
static int split_keyed(const json_t *format, json_t *res, const char *k, const char *v, char *err,
                       size_t errlen)
{
    if (json_object_get(res, k)) {
        set_err(err, errlen, "duplicate key in comma-separated list property: %s", k);
        return -1;
    }
    const json_t *schema = json_object_get(format, k);
    const json_t *alias = json_object_get(schema, "alias");
    if (json_is_string(alias) && json_string_length(alias) > 0) {
        const json_t *key_alias = json_object_get(schema, "keyAlias");
        if (json_is_string(key_alias) && json_string_length(key_alias) > 0) {
            const char *ka = json_string_value(key_alias);
            if (json_object_get(res, ka)) {
                set_err(err, errlen, "key alias '%s' is already defined", ka);
                return -1;
            }
            json_object_set_new(res, ka, json_string(k));
        }
        k = json_string_value(alias);
        schema = json_object_get(format, k);
    }
    if (!schema) {
        set_err(err, errlen, "invalid key in comma-separated list property: %s", k);
        return -1;
    }
    const json_t *type = json_object_get(schema, "type");
    if (json_is_string(type) && strcmp(json_string_value(type), "boolean") == 0) {
        int b = parse_boolean(v);
        if (b >= 0)
            v = b ? "1" : "0";
    }
    json_object_set_new(res, k, json_string(v));
    return 0;
}

/* Adds a part without a key as the value of the format's default key (*default_key is set by the
 * first such part). 0, or -1 with err when there is no default key or it is given twice. */
static int split_unkeyed(const json_t *format, json_t *res, const char **default_key,
                         const char *part, char *err, size_t errlen)
{
    if (*default_key) {
        set_err(err, errlen, "duplicate key in comma-separated list property: %s", *default_key);
        return -1;
    }
    *default_key = find_default_key(format);
    if (!*default_key) {
        set_err(err, errlen, "%s", "value without key, but schema does not define a default key");
        return -1;
    }
    const json_t *cur = json_object_get(res, *default_key);
    const char *cs = json_string_value(cur);
    if (cur && cs && cs[0] && strcmp(cs, "0") != 0) {
        set_err(err, errlen, "duplicate key in comma-separated list property: %s", *default_key);
        return -1;
    }
    json_object_set_new(res, *default_key, json_string(part));
    return 0;
}

/* Splits `value` like parse_property_string into raw string values; NULL + err on a parse error. */
static json_t *propstr_split(const json_t *format, const char *value, char *err, size_t errlen)
{
    json_t *res = json_object();
    char *copy = strdup(value);
    if (!res || !copy) {
        json_decref(res);
        free(copy);
        set_err(err, errlen, "%s", "out of memory");
        return NULL;
    }
    const char *default_key = NULL;
    char *save = NULL;
    int rc = 0;
    /* strtok_r would merge empty fields; they are skipped anyway (blank parts are ignored). */
    for (char *part = strtok_r(copy, ",", &save); part && rc == 0;
         part = strtok_r(NULL, ",", &save)) {
        if (is_blank(part))
            continue;
        char *eq = strchr(part, '=');
        if (eq && eq > part && eq[1] != '\0') {
            *eq = '\0';
            rc = split_keyed(format, res, part, eq + 1, err, errlen);
        } else if (!eq) {
            rc = split_unkeyed(format, res, &default_key, part, err, errlen);
        } else {
            set_err(err, errlen, "%s", "missing key in comma-separated list property");
            rc = -1;
        }
    }
    free(copy);
    if (rc != 0) {
        json_decref(res);
        return NULL;
    }
    return res;
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Writes "format error\n<k>: <msg>\n..." (sorted keys, no trailing newline) into err. */
static void errors_format(const json_t *errors, char *err, size_t errlen)
{
    if (!err || !errlen)
        return;
    size_t n = json_object_size(errors), i = 0;
    const char **keys = calloc(n ? n : 1, sizeof(*keys));
    const char *k;
    json_t *v;
    if (!keys) {
        snprintf(err, errlen, "format error");
        return;
    }
    json_object_foreach((json_t *)errors, k, v)
    {
        (void)v;
        keys[i++] = k;
    }
    qsort(keys, n, sizeof(*keys), key_cmp);
    size_t used = (size_t)snprintf(err, errlen, "format error");
    for (i = 0; i < n && used < errlen; i++)
        used += (size_t)snprintf(err + used, errlen - used, "\n%s: %s", keys[i],
                                 json_string_value(json_object_get(errors, keys[i])));
    free(keys);
}

json_t *pve_propstr_parse_at(const json_t *format, const char *value, const char *path, char *err,
                             size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (!json_is_object(format) || !value) {
        set_err(err, errlen, "%s", "unexpected format value");
        return NULL;
    }
    json_t *res = propstr_split(format, value, err, errlen);
    if (!res)
        return NULL;

    /* check_object($path, $format, $res, 0, $errors) */
    json_t *errors = json_object();
    const char *k;
    json_t *sub;
    char kp[256];
    json_object_foreach((json_t *)format, k, sub)
    {
        snprintf(kp, sizeof(kp), "%s%s%s", path && path[0] ? path : "", path && path[0] ? "." : "",
                 k);
        pve_schema_check_prop(json_object_get(res, k), sub, kp, errors);
    }
    json_t *v;
    json_object_foreach(res, k, v)
    {
        (void)v;
        snprintf(kp, sizeof(kp), "%s%s%s", path && path[0] ? path : "", path && path[0] ? "." : "",
                 k);
        const json_t *schema = json_object_get(format, k);
        if (!schema) {
            pve_schema_add_error(errors, kp,
                                 "property is not defined in schema and the schema does not "
                                 "allow additional properties");
            continue;
        }
        const json_t *req = json_object_get(schema, "requires");
        if (json_is_string(req) && !json_object_get(res, json_string_value(req))) {
            char rp[256], msg[300];
            snprintf(rp, sizeof(rp), "%s%s%s", path && path[0] ? path : "",
                     path && path[0] ? "." : "", json_string_value(req));
            snprintf(msg, sizeof(msg), "missing property - '%s' requires this property", kp);
            pve_schema_add_error(errors, rp, msg);
        }
    }
    if (json_object_size(errors) > 0) {
        errors_format(errors, err, errlen);
        json_decref(errors);
        json_decref(res);
        return NULL;
    }
    json_decref(errors);

    json_t *typed = json_object();
    json_object_foreach(res, k, v)
    {
        json_object_set_new(typed, k, pve_schema_coerce(v, json_object_get(format, k)));
    }
    json_decref(res);
    return typed;
}

json_t *pve_propstr_parse(const json_t *format, const char *value, char *err, size_t errlen)
{
    return pve_propstr_parse_at(format, value, NULL, err, errlen);
}

/* Growable output string. */
struct out {
    char *p;
    size_t len, cap;
    bool oom;
};

static void out_add(struct out *o, const char *s)
{
    size_t n = strlen(s);
    if (o->oom)
        return;
    if (o->len + n + 1 > o->cap) {
        size_t cap = (o->cap ? o->cap : 64);
        while (cap < o->len + n + 1)
            cap *= 2;
        char *p = realloc(o->p, cap);
        if (!p) {
            o->oom = true;
            return;
        }
        o->p = p;
        o->cap = cap;
    }
    memcpy(o->p + o->len, s, n + 1);
    o->len += n;
}

struct print_ctx {
    const json_t *format;
    const json_t *obj;
    json_t *done;         /* set of keys already printed */
    json_t *key_alias_of; /* keyAlias -> alias, e.g. model -> macaddr */
    struct out out;
};

static void cond_add_key(struct print_ctx *c, const char *key, bool isdefault)
{
    char b1[64], b2[64];
    if (json_object_get(c->done, key))
        return;
    json_object_set_new(c->done, key, json_true());
    const json_t *value = json_object_get(c->obj, key);
    const char *vs = pve_value_str(value, b1, sizeof(b1));
    if (!vs)
        return;
    const char *combine = json_string_value(json_object_get(c->key_alias_of, key));
    if (combine) {
        const char *cs = pve_value_str(json_object_get(c->obj, combine), b2, sizeof(b2));
        if (cs) {
            if (c->out.len)
                out_add(&c->out, ",");
            out_add(&c->out, vs);
            out_add(&c->out, "=");
            out_add(&c->out, cs);
            json_object_set_new(c->done, combine, json_true());
            return;
        }
    }
    if (c->out.len)
        out_add(&c->out, ",");
    if (!isdefault) {
        out_add(&c->out, key);
        out_add(&c->out, "=");
    }
    out_add(&c->out, vs);
}

char *pve_propstr_print(const json_t *format, const json_t *obj)
{
    struct print_ctx c = {format, obj, json_object(), json_object(), {NULL, 0, 0, false}};
    const char *k;
    json_t *sub;
    json_object_foreach((json_t *)format, k, sub)
    {
        const json_t *alias = json_object_get(sub, "alias");
        const json_t *ka = json_object_get(sub, "keyAlias");
        if (json_is_string(alias) && json_is_string(ka))
            json_object_set_new(c.key_alias_of, json_string_value(ka), json_copy((json_t *)alias));
    }
    const char *dk = json_is_object(format) ? find_default_key(format) : NULL;
    out_add(&c.out, "");
    if (dk)
        cond_add_key(&c, dk, true);

    size_t n = json_object_size(obj), i = 0;
    const char **keys = calloc(n ? n : 1, sizeof(*keys));
    json_t *v;
    if (keys) {
        json_object_foreach((json_t *)obj, k, v)
        {
            (void)v;
            keys[i++] = k;
        }
        qsort(keys, n, sizeof(*keys), key_cmp);
        for (i = 0; i < n; i++)
            cond_add_key(&c, keys[i], false);
        free(keys);
    } else {
        c.out.oom = true;
    }
    json_decref(c.done);
    json_decref(c.key_alias_of);
    if (c.out.oom) {
        free(c.out.p);
        return NULL;
    }
    return c.out.p;
}
