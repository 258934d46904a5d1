/* sim_yaml: converts a YAML document (libyaml) into a jansson value, keeping mapping order.
 * Used only for scenario files. */
#include "sim_yaml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static json_t *scalar_value(const yaml_event_t *ev)
{
    const char *s = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return json_stringn(s, len);
    if (len == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0)
        return json_null();
    if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0)
        return json_true();
    if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0)
        return json_false();
    char *end;
    errno = 0;
    long long i = strtoll(s, &end, 10);
    if (*end == '\0' && errno == 0 && (s[0] != '0' || len == 1))
        return json_integer(i);
    double d = strtod(s, &end);
    if (*end == '\0' && errno == 0 && strchr("0123456789-+.", s[0]))
        return json_real(d);
    return json_stringn(s, len);
}

static json_t *parse_node(yaml_parser_t *p, yaml_event_t *ev, char *err, size_t errlen, int depth);

static json_t *parse_next(yaml_parser_t *p, char *err, size_t errlen, int depth, int *end_kind)
{
    yaml_event_t ev;
    if (!yaml_parser_parse(p, &ev)) {
        snprintf(err, errlen, "YAML error at line %zu: %s", p->problem_mark.line + 1,
                 p->problem ? p->problem : "?");
        return NULL;
    }
    if (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_SEQUENCE_END_EVENT) {
        *end_kind = 1;
        yaml_event_delete(&ev);
        return NULL;
    }
    json_t *v = parse_node(p, &ev, err, errlen, depth);
    yaml_event_delete(&ev);
    return v;
}

static json_t *parse_node(yaml_parser_t *p, yaml_event_t *ev, char *err, size_t errlen, int depth)
{
    if (depth > 64) {
        snprintf(err, errlen, "YAML nested too deeply");
        return NULL;
    }
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        return scalar_value(ev);
    case YAML_ALIAS_EVENT:
        snprintf(err, errlen, "YAML aliases are not supported (line %zu)", ev->start_mark.line + 1);
        return NULL;
    case YAML_SEQUENCE_START_EVENT: {
        json_t *a = json_array();
        for (;;) {
            int end = 0;
            json_t *v = parse_next(p, err, errlen, depth + 1, &end);
            if (end)
                return a;
            if (!v) {
                json_decref(a);
                return NULL;
            }
            json_array_append_new(a, v);
        }
    }
    case YAML_MAPPING_START_EVENT: {
        json_t *o = json_object();
        for (;;) {
            int end = 0;
            json_t *k = parse_next(p, err, errlen, depth + 1, &end);
            if (end)
                return o;
            if (!k) {
                json_decref(o);
                return NULL;
            }
            char keybuf[64];
            const char *key = json_string_value(k);
            if (!key) {
                if (json_is_integer(k))
                    snprintf(keybuf, sizeof keybuf, "%lld", (long long)json_integer_value(k));
                else
                    snprintf(keybuf, sizeof keybuf, "%s", json_is_true(k) ? "true" : "false");
                key = keybuf;
            }
            json_t *v = parse_next(p, err, errlen, depth + 1, &end);
            if (!v || end) {
                if (!err[0])
                    snprintf(err, errlen, "YAML mapping without value for '%s'", key);
                json_decref(k);
                json_decref(o);
                json_decref(v);
                return NULL;
            }
            json_object_set_new(o, key, v);
            json_decref(k);
        }
    }
    default:
        snprintf(err, errlen, "unexpected YAML event");
        return NULL;
    }
}

json_t *sim_yaml_parse(const char *text, size_t len, char *err, size_t errlen)
{
    yaml_parser_t p;
    err[0] = '\0';
    if (!yaml_parser_initialize(&p)) {
        snprintf(err, errlen, "cannot initialise YAML parser");
        return NULL;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    json_t *doc = NULL;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            snprintf(err, errlen, "YAML error at line %zu: %s", p.problem_mark.line + 1,
                     p.problem ? p.problem : "?");
            break;
        }
        yaml_event_type_t type = ev.type;
        if (type == YAML_STREAM_END_EVENT || type == YAML_DOCUMENT_END_EVENT) {
            yaml_event_delete(&ev);
            if (!doc)
                doc = json_null();
            break;
        }
        if (type == YAML_STREAM_START_EVENT || type == YAML_DOCUMENT_START_EVENT) {
            yaml_event_delete(&ev);
            continue;
        }
        doc = parse_node(&p, &ev, err, errlen, 0);
        yaml_event_delete(&ev);
        if (!doc)
            break;
    }
    yaml_parser_delete(&p);
    if (err[0]) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}
