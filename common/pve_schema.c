/* pve_schema: the embedded PVE 8.4 API schema table, request path matching and a strict validator
 * that checks parameters exactly like PVE::JSONSchema::validate (same per-parameter messages). */
#include "pve_schema.h"

#include "embedded.h"
#include "pve_format.h"
#include "pve_propstr.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- table and path trie ----------------------------------------------------------------- */

enum { M_GET, M_POST, M_PUT, M_DELETE, M_COUNT };

struct trie_node {
    char *literal;    /* segment text; NULL for the {param} child */
    char *param_name; /* for the {param} child: "node" */
    struct trie_node **kids;
    size_t nkids;
    struct trie_node *param;
    const pve_endpoint *methods[M_COUNT];
};

struct pve_schema {
    json_t *root;
    pve_endpoint *eps;
    size_t neps;
    struct trie_node trie;
};

static int method_index(const char *m, size_t n)
{
    static const char *const names[M_COUNT] = {"GET", "POST", "PUT", "DELETE"};
    for (int i = 0; i < M_COUNT; i++)
        if (strlen(names[i]) == n && strncmp(names[i], m, n) == 0)
            return i;
    return -1;
}

static void trie_free(struct trie_node *t)
{
    for (size_t i = 0; i < t->nkids; i++) {
        trie_free(t->kids[i]);
        free(t->kids[i]);
    }
    free(t->kids);
    if (t->param) {
        trie_free(t->param);
        free(t->param);
    }
    free(t->literal);
    free(t->param_name);
}

/* Child for one template segment ("qemu" or "{vmid}"), created on demand; NULL on OOM. */
static struct trie_node *trie_child(struct trie_node *t, const char *seg, size_t n)
{
    if (n >= 2 && seg[0] == '{' && seg[n - 1] == '}') {
        if (!t->param) {
            t->param = calloc(1, sizeof(*t->param));
            if (!t->param)
                return NULL;
            t->param->param_name = strndup(seg + 1, n - 2);
            if (!t->param->param_name)
                return NULL;
        }
        return t->param;
    }
    for (size_t i = 0; i < t->nkids; i++)
        if (strlen(t->kids[i]->literal) == n && strncmp(t->kids[i]->literal, seg, n) == 0)
            return t->kids[i];
    struct trie_node **kids = realloc(t->kids, (t->nkids + 1) * sizeof(*kids));
    if (!kids)
        return NULL;
    t->kids = kids;
    struct trie_node *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->literal = strndup(seg, n);
    if (!c->literal) {
        free(c);
        return NULL;
    }
    t->kids[t->nkids++] = c;
    return c;
}

static int schema_add(pve_schema *s, pve_endpoint *ep)
{
    struct trie_node *t = &s->trie;
    const char *p = ep->path_template;
    while (*p) {
        while (*p == '/')
            p++;
        const char *e = p;
        while (*e && *e != '/')
            e++;
        if (e > p) {
            t = trie_child(t, p, (size_t)(e - p));
            if (!t)
                return -1;
        }
        p = e;
    }
    int m = method_index(ep->method, strlen(ep->method));
    if (m < 0)
        return -1;
    t->methods[m] = ep;
    return 0;
}

void pve_schema_free(pve_schema *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->neps; i++) {
        free((char *)s->eps[i].method);
        free((char *)s->eps[i].path_template);
    }
    free(s->eps);
    trie_free(&s->trie);
    json_decref(s->root);
    free(s);
}

pve_schema *pve_schema_load_text(const char *json_text, size_t len)
{
    if (!json_text)
        return NULL;
    json_error_t jerr;
    pve_schema *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->root = json_loadb(json_text, len, 0, &jerr);
    if (!json_is_object(s->root)) {
        pve_schema_free(s);
        return NULL;
    }
    s->eps = calloc(json_object_size(s->root) + 1, sizeof(*s->eps));
    if (!s->eps) {
        pve_schema_free(s);
        return NULL;
    }
    const char *key;
    json_t *val;
    json_object_foreach(s->root, key, val)
    {
        const char *sp = strchr(key, ' ');
        if (!sp || sp[1] != '/' || !json_is_object(val) ||
            method_index(key, (size_t)(sp - key)) < 0) {
            pve_schema_free(s);
            return NULL;
        }
        pve_endpoint *ep = &s->eps[s->neps++];
        ep->key = key;
        ep->method = strndup(key, (size_t)(sp - key));
        ep->path_template = strdup(sp + 1);
        ep->parameters = json_object_get(val, "parameters");
        ep->permissions = json_object_get(val, "permissions");
        const json_t *at = json_object_get(val, "allowtoken");
        ep->allowtoken =
            !(at && ((json_is_integer(at) && json_integer_value(at) == 0) || json_is_false(at) ||
                     (json_is_string(at) && strcmp(json_string_value(at), "0") == 0)));
        if (!ep->method || !ep->path_template || schema_add(s, ep) != 0) {
            pve_schema_free(s);
            return NULL;
        }
    }
    return s;
}

pve_schema *pve_schema_load_embedded(void)
{
    size_t len = 0;
    const char *text = embedded_get("common/pve_schema_table.json", &len);
    return text ? pve_schema_load_text(text, len) : NULL;
}

size_t pve_schema_count(const pve_schema *s)
{
    return s ? s->neps : 0;
}

const pve_endpoint *pve_schema_endpoint(const pve_schema *s, const char *key)
{
    if (!s || !key)
        return NULL;
    for (size_t i = 0; i < s->neps; i++)
        if (strcmp(s->eps[i].key, key) == 0)
            return &s->eps[i];
    return NULL;
}

static int hexval(int c)
{
    return isdigit(c) ? c - '0' : (tolower(c) - 'a' + 10);
}

/* Percent-decodes src[0..n) into dst (capacity n + 1). */
static void seg_decode(const char *src, size_t n, char *dst)
{
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (src[i] == '%' && i + 2 < n && isxdigit((unsigned char)src[i + 1]) &&
            isxdigit((unsigned char)src[i + 2])) {
            dst[j++] =
                (char)(hexval((unsigned char)src[i + 1]) * 16 + hexval((unsigned char)src[i + 2]));
            i += 2;
        } else {
            dst[j++] = src[i];
        }
    }
    dst[j] = '\0';
}

enum pve_match pve_schema_match(const pve_schema *s, const char *method, const char *path,
                                const pve_endpoint **ep, json_t **path_params)
{
    if (ep)
        *ep = NULL;
    if (path_params)
        *path_params = NULL;
    if (!s || !method || !path)
        return PVE_MATCH_NO_PATH;
    const struct trie_node *t = &s->trie;
    json_t *caps = json_object();
    char *seg = malloc(strlen(path) + 1);
    if (!caps || !seg) {
        json_decref(caps);
        free(seg);
        return PVE_MATCH_NO_PATH;
    }
    const char *p = path;
    while (*p && t) {
        while (*p == '/')
            p++;
        const char *e = p;
        while (*e && *e != '/')
            e++;
        if (e == p)
            break;
        seg_decode(p, (size_t)(e - p), seg);
        const struct trie_node *next = NULL;
        for (size_t i = 0; i < t->nkids && !next; i++)
            if (strcmp(t->kids[i]->literal, seg) == 0)
                next = t->kids[i];
        if (!next && t->param) {
            next = t->param;
            json_object_set_new(caps, next->param_name, json_stringn_nocheck(seg, strlen(seg)));
        }
        t = next;
        p = e;
    }
    free(seg);
    bool any = false;
    for (int i = 0; t && i < M_COUNT; i++)
        any = any || t->methods[i];
    if (!t || !any) {
        json_decref(caps);
        return PVE_MATCH_NO_PATH;
    }
    int m = method_index(method, strlen(method));
    if (m < 0 || !t->methods[m]) {
        json_decref(caps);
        return PVE_MATCH_NO_METHOD;
    }
    if (ep)
        *ep = t->methods[m];
    if (path_params)
        *path_params = caps;
    else
        json_decref(caps);
    return PVE_MATCH_OK;
}

/* ---- validation --------------------------------------------------------------------------- */

const char *pve_value_str(const json_t *v, char *buf, size_t buflen)
{
    if (!v)
        return NULL;
    switch (json_typeof(v)) {
    case JSON_STRING:
        return json_string_value(v);
    case JSON_INTEGER:
        snprintf(buf, buflen, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return buf;
    case JSON_REAL:
        snprintf(buf, buflen, "%.15g", json_real_value(v));
        return buf;
    case JSON_TRUE:
        return "1";
    case JSON_FALSE:
        return "0";
    default:
        return NULL;
    }
}

void pve_schema_add_error(json_t *errors, const char *path, const char *msg)
{
    if (!path || !path[0])
        path = "_root";
    const char *old = json_string_value(json_object_get(errors, path));
    if (old) {
        size_t n = strlen(old) + strlen(msg) + 3;
        char *joined = malloc(n);
        if (!joined)
            return;
        snprintf(joined, n, "%s\\n%s", old, msg); /* Perl join('\n', ...): backslash + n */
        json_object_set_new(errors, path, json_string(joined));
        free(joined);
    } else {
        json_object_set_new(errors, path, json_string(msg));
    }
}

/* Adds "<prefix><text>" with trailing newlines removed (Perl die messages end in "\n"). */
static void add_error2(json_t *errors, const char *path, const char *prefix, const char *text)
{
    size_t n = strlen(prefix) + strlen(text) + 1;
    char *m = malloc(n);
    if (!m)
        return;
    snprintf(m, n, "%s%s", prefix, text);
    size_t l = strlen(m);
    while (l > 0 && m[l - 1] == '\n')
        m[--l] = '\0';
    pve_schema_add_error(errors, path, m);
    free(m);
}

/* ^[+-]?(\d+\.\d+|\d+\.|\.\d+|\d+)([eE][+-]?\d+)?$ */
static bool is_number(const char *s)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    size_t a = 0, b = 0;
    while (isdigit((unsigned char)*p))
        p++, a++;
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p))
            p++, b++;
    }
    if (a == 0 && b == 0)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!isdigit((unsigned char)*p))
            return false;
        while (isdigit((unsigned char)*p))
            p++;
    }
    return *p == '\0';
}

/* ^[+-]?\d+$ */
static bool is_integer(const char *s)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    if (!isdigit((unsigned char)*p))
        return false;
    while (isdigit((unsigned char)*p))
        p++;
    return *p == '\0';
}

/* Perl length() of a decoded string: UTF-8 code points. */
static size_t char_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

static const char *perl_ref_name(const json_t *v)
{
    if (json_is_object(v))
        return "HASH";
    if (json_is_array(v))
        return "ARRAY";
    return "JSON::PP::Boolean";
}

/* check_type for the schema types PVE uses; returns false after adding the error. */
static bool check_type(const char *path, const char *type, const json_t *value, json_t *errors)
{
    char msg[160], buf[64];
    if (!type || strcmp(type, "any") == 0)
        return true;
    if (strcmp(type, "null") == 0) {
        pve_schema_add_error(errors, path, "type check ('null') failed - value is not null");
        return false;
    }
    if (strcmp(type, "array") == 0 || strcmp(type, "object") == 0) {
        bool ok = strcmp(type, "array") == 0 ? json_is_array(value) : json_is_object(value);
        if (!ok) {
            snprintf(msg, sizeof(msg), "type check ('%s') failed", type);
            pve_schema_add_error(errors, path, msg);
        }
        return ok;
    }
    bool is_ref = json_is_object(value) || json_is_array(value) || json_is_boolean(value);
    if (is_ref) {
        if (strcmp(type, "boolean") == 0 && json_is_boolean(value))
            return true;
        snprintf(msg, sizeof(msg), "type check ('%s') failed - got %s", type, perl_ref_name(value));
        pve_schema_add_error(errors, path, msg);
        return false;
    }
    const char *s = pve_value_str(value, buf, sizeof(buf));
    bool ok = true;
    if (strcmp(type, "boolean") == 0)
        ok = strcmp(s, "1") == 0 || strcmp(s, "0") == 0;
    else if (strcmp(type, "integer") == 0)
        ok = is_integer(s);
    else if (strcmp(type, "number") == 0)
        ok = is_number(s);
    if (!ok) {
        size_t n = strlen(s) + strlen(type) + 40;
        char *m = malloc(n);
        if (m) {
            snprintf(m, n, "type check ('%s') failed - got '%s'", type, s);
            pve_schema_add_error(errors, path, m);
            free(m);
        }
    }
    return ok;
}

/* Schema bound as text for messages: strings as is, integers plain, reals %.15g. */
static const char *bound_str(const json_t *b, char *buf, size_t len)
{
    return pve_value_str(b, buf, len);
}

bool pve_flag_true(const json_t *v)
{
    if (!v || json_is_null(v) || json_is_false(v))
        return false;
    if (json_is_string(v))
        return json_string_length(v) > 0 && strcmp(json_string_value(v), "0") != 0;
    if (json_is_integer(v))
        return json_integer_value(v) != 0;
    if (json_is_real(v))
        return json_real_value(v) != 0.0;
    return true;
}

static double bound_num(const json_t *b)
{
    if (json_is_string(b))
        return strtod(json_string_value(b), NULL);
    return json_number_value(b);
}

/* A missing (null) value: an error unless the schema makes it optional. */
static void check_missing(const json_t *schema, const char *type, const char *path, json_t *errors)
{
    if (type && strcmp(type, "null") == 0)
        return;
    if (!pve_flag_true(json_object_get(schema, "optional")) &&
        !pve_flag_true(json_object_get(schema, "alias")) &&
        !pve_flag_true(json_object_get(schema, "group")))
        pve_schema_add_error(errors, path, "property is missing and it is not optional");
}

/* The named format or property-string format of s; false (error added) when it does not fit. */
static bool check_format(const char *s, const json_t *schema, const char *path, json_t *errors)
{
    const json_t *format = json_object_get(schema, "format");
    if (json_is_string(format)) {
        char fmsg[512];
        if (!pve_format_check(json_string_value(format), s, fmsg, sizeof(fmsg))) {
            add_error2(errors, path, "invalid format - ", fmsg);
            return false;
        }
    } else if (json_is_object(format)) {
        char *perr = malloc(4096);
        if (!perr)
            return false;
        json_t *parsed = pve_propstr_parse_at(format, s, path, perr, 4096);
        if (!parsed) {
            add_error2(errors, path, "invalid format - ", perr);
            free(perr);
            return false;
        }
        json_decref(parsed);
        free(perr);
    }
    return true;
}

/* pattern, maxLength and minLength of s; false (error added) at the first one broken. */
static bool check_text(const char *s, const json_t *schema, const char *path, json_t *errors)
{
    char msg[512], bb[64];
    const char *pattern = json_string_value(json_object_get(schema, "pattern"));
    if (pattern && pattern[0] && pve_pattern_match(pattern, s) == 0) {
        pve_schema_add_error(errors, path, "value does not match the regex pattern");
        return false;
    }
    const json_t *maxl = json_object_get(schema, "maxLength");
    if (maxl && !json_is_null(maxl) && (double)char_length(s) > bound_num(maxl)) {
        snprintf(msg, sizeof(msg), "value may only be %s characters long",
                 bound_str(maxl, bb, sizeof(bb)));
        pve_schema_add_error(errors, path, msg);
        return false;
    }
    const json_t *minl = json_object_get(schema, "minLength");
    if (minl && !json_is_null(minl) && (double)char_length(s) < bound_num(minl)) {
        snprintf(msg, sizeof(msg), "value must be at least %s characters long",
                 bound_str(minl, bb, sizeof(bb)));
        pve_schema_add_error(errors, path, msg);
        return false;
    }
    return true;
}

/* maximum and minimum of a number s; false (error added) when one is broken. */
static bool check_range(const char *s, const json_t *schema, const char *path, json_t *errors)
{
    char msg[512], bb[64];
    if (!is_number(s))
        return true;
    double d = strtod(s, NULL);
    const json_t *max = json_object_get(schema, "maximum");
    if (max && !json_is_null(max) && d > bound_num(max)) {
        snprintf(msg, sizeof(msg), "value must have a maximum value of %s",
                 bound_str(max, bb, sizeof(bb)));
        pve_schema_add_error(errors, path, msg);
        return false;
    }
    const json_t *min = json_object_get(schema, "minimum");
    if (min && !json_is_null(min) && d < bound_num(min)) {
        snprintf(msg, sizeof(msg), "value must have a minimum value of %s",
                 bound_str(min, bb, sizeof(bb)));
        pve_schema_add_error(errors, path, msg);
        return false;
    }
    return true;
}

/* The enumeration of the schema, when it has one: s must be one of its values. */
static void check_enum(const char *s, const json_t *schema, const char *path, json_t *errors)
{
    char bb[64];
    const json_t *en = json_object_get(schema, "enum");
    if (!json_is_array(en))
        return;
    size_t i;
    json_t *ev;
    size_t total = strlen(s) + 80;
    json_array_foreach(en, i, ev)
    {
        const char *es = pve_value_str(ev, bb, sizeof(bb));
        if (es && strcmp(es, s) == 0)
            return;
        total += (es ? strlen(es) : 0) + 2;
    }
    char *m = malloc(total);
    if (!m)
        return;
    size_t used =
        (size_t)snprintf(m, total, "value '%s' does not have a value in the enumeration '", s);
    json_array_foreach(en, i, ev)
    {
        const char *es = pve_value_str(ev, bb, sizeof(bb));
        used += (size_t)snprintf(m + used, total - used, "%s%s", i ? ", " : "", es ? es : "");
    }
    snprintf(m + used, total - used, "'");
    pve_schema_add_error(errors, path, m);
    free(m);
}

void pve_schema_check_prop(const json_t *value, const json_t *schema, const char *path,
                           json_t *errors)
{
    char buf[64];
    if (!json_is_object(schema)) {
        pve_schema_add_error(errors, path, "Invalid schema definition.");
        return;
    }
    const char *type = json_string_value(json_object_get(schema, "type"));
    if (!value || json_is_null(value)) {
        check_missing(schema, type, path, errors);
        return;
    }
    if (type && strcmp(type, "array") == 0 && json_is_string(value)) {
        /* A form/query value for an array parameter is a one-element list. */
        json_t *one = json_pack("[O]", value);
        if (one)
            pve_schema_check_prop(one, schema, path, errors);
        json_decref(one);
        return;
    }
    if (!check_type(path, type, value, errors))
        return;

    if (json_is_array(value)) {
        const json_t *items = json_object_get(schema, "items");
        if (json_is_object(items)) {
            size_t i;
            json_t *el;
            json_array_foreach(value, i, el)
            {
                char ip[256];
                snprintf(ip, sizeof(ip), "%s[%zu]", path, i);
                pve_schema_check_prop(el, items, ip, errors);
            }
        }
        return;
    }
    if (json_is_object(value)) {
        /* Only the (rare) object-typed parameters get here; nested schemas are not used by the
         * PVE 8.4 request parameters, so presence and type are all that is checked. */
        return;
    }

    const char *s = pve_value_str(value, buf, sizeof(buf));
    if (check_format(s, schema, path, errors) && check_text(s, schema, path, errors) &&
        check_range(s, schema, path, errors))
        check_enum(s, schema, path, errors);
}

json_t *pve_schema_coerce(const json_t *value, const json_t *schema)
{
    char buf[64];
    const char *type = json_string_value(json_object_get(schema, "type"));
    if (!value)
        return json_null();
    if (!type)
        return json_deep_copy(value);
    if (strcmp(type, "array") == 0) {
        const json_t *items = json_object_get(schema, "items");
        json_t *arr = json_array();
        if (json_is_array(value)) {
            size_t i;
            json_t *el;
            json_array_foreach(value, i, el)
            {
                json_array_append_new(arr, pve_schema_coerce(el, items));
            }
        } else {
            json_array_append_new(arr, pve_schema_coerce(value, items));
        }
        return arr;
    }
    if (json_is_object(value) || json_is_array(value))
        return json_deep_copy(value);
    const char *s = pve_value_str(value, buf, sizeof(buf));
    if (strcmp(type, "integer") == 0) {
        if (json_is_real(value))
            return json_integer((json_int_t)json_real_value(value));
        return json_integer(strtoll(s, NULL, 10));
    }
    if (strcmp(type, "number") == 0)
        return json_real(strtod(s, NULL));
    if (strcmp(type, "boolean") == 0)
        return json_integer(strcmp(s, "0") != 0 && s[0] != '\0');
    json_t *r = json_string(s);
    return r ? r : json_stringn_nocheck(s, strlen(s));
}

/* Index ranges of collapsed "name[n]" options (qemu-server, pve-container, pve-manager). */
static int indexed_max(const char *base, size_t n)
{
    static const struct {
        const char *name;
        int max;
    } ranges[] = {{"net", 31},     {"ipconfig", 31}, {"ide", 3},      {"sata", 5}, {"scsi", 30},
                  {"virtio", 15},  {"unused", 255},  {"hostpci", 15}, {"usb", 13}, {"serial", 3},
                  {"parallel", 2}, {"numa", 7},      {"virtiofs", 9}, {"mp", 255}, {"dev", 255},
                  {"link", 7},     {"acmedomain", 4}};
    for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
        if (strlen(ranges[i].name) == n && strncmp(ranges[i].name, base, n) == 0)
            return ranges[i].max;
    return 31;
}

/* Finds the schema for a parameter name, resolving "net7" to the "net[n]" entry. */
static const json_t *prop_schema(const json_t *props, const char *name)
{
    const json_t *sch = json_object_get(props, name);
    if (sch)
        return sch;
    size_t n = strlen(name), d = n;
    while (d > 0 && isdigit((unsigned char)name[d - 1]))
        d--;
    if (d == n || d == 0 || n - d > 3 || (name[d] == '0' && n - d > 1))
        return NULL;
    char key[128];
    if (d + 4 > sizeof(key))
        return NULL;
    memcpy(key, name, d);
    memcpy(key + d, "[n]", 4);
    sch = json_object_get(props, key);
    if (!sch)
        return NULL;
    if (atoi(name + d) > indexed_max(name, d))
        return NULL;
    return sch;
}

static bool is_indexed_key(const char *k)
{
    size_t n = strlen(k);
    return n > 3 && strcmp(k + n - 3, "[n]") == 0;
}

json_t *pve_schema_validate(const pve_endpoint *ep, const json_t *params, json_t **normalized)
{
    if (normalized)
        *normalized = NULL;
    json_t *errors = json_object();
    if (!ep) {
        pve_schema_add_error(errors, NULL, "no endpoint");
        return errors;
    }
    const json_t *parameters = ep->parameters;
    const json_t *props = json_object_get(parameters, "properties");
    bool addl = pve_flag_true(json_object_get(parameters, "additionalProperties"));
    if (params && !json_is_object(params)) {
        pve_schema_add_error(errors, NULL, "an object is required");
        return errors;
    }

    const char *k;
    json_t *sch, *v;
    /* Schema side: every property (indexed ones are optional, checked per instance below). */
    json_object_foreach((json_t *)props, k, sch)
    {
        if (is_indexed_key(k))
            continue;
        pve_schema_check_prop(json_object_get(params, k), sch, k, errors);
    }
    /* Value side: indexed instances, `requires`, unknown parameters. */
    json_object_foreach((json_t *)params, k, v)
    {
        const json_t *direct = json_object_get(props, k);
        const json_t *schema = prop_schema(props, k);
        if (!schema) {
            if (!addl)
                pve_schema_add_error(errors, k,
                                     "property is not defined in schema and the schema does not "
                                     "allow additional properties");
            continue;
        }
        if (!direct)
            pve_schema_check_prop(v, schema, k, errors);
        if (json_is_null(v))
            continue;
        const json_t *req = json_object_get(schema, "requires");
        if (json_is_string(req)) {
            const json_t *rv = json_object_get(params, json_string_value(req));
            if (!rv || json_is_null(rv)) {
                char msg[256];
                snprintf(msg, sizeof(msg), "missing property - '%s' requires this property", k);
                pve_schema_add_error(errors, json_string_value(req), msg);
            }
        }
    }
    if (json_object_size(errors) > 0)
        return errors;
    json_decref(errors);

    if (normalized) {
        json_t *out = json_object();
        json_object_foreach((json_t *)params, k, v)
        {
            if (json_is_null(v))
                continue;
            const json_t *schema = prop_schema(props, k);
            json_object_set_new(out, k, schema ? pve_schema_coerce(v, schema) : json_deep_copy(v));
        }
        *normalized = out;
    }
    return NULL;
}
