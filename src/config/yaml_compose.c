/* yaml_compose: composes libyaml parser events into the position-keeping ydoc_node tree of
 * yaml_doc.h: anchors and aliases expanded under a node budget, scalar types resolved. */
#include "config/yaml_compose.h"
#include "util/xalloc.h"

#include "util/i18n.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define YDOC_MAX_NODES 20000
#define YDOC_MAX_DEPTH 64
/* scalar text the tree may hold in all: only alias expansion can go past the file size */
#define YDOC_MAX_TEXT (16u * 1024u * 1024u)

#define TAG_PREFIX "tag:yaml.org,2002:"

#define TAG_PREFIX "tag:yaml.org,2002:"

struct anchor {
    char *name;
    struct ydoc_node *node;
    int done; /* 0 while the anchored node is still being composed */
};

struct composer {
    yaml_parser_t parser;
    const char *file;
    const char *text; /* the input, for turning byte offsets into line:col */
    size_t len;       /* input length in bytes */
    struct diag_list *diags;
    struct anchor *anchors;
    size_t n_anchors, cap_anchors;
    size_t n_nodes;
    size_t n_text; /* bytes of scalar text in the tree so far */
    int fatal;     /* a problem that leaves no usable tree */
};

void ydoc_node_free(struct ydoc_node *n)
{
    if (!n)
        return;
    free(n->text);
    for (size_t i = 0; i < n->n_items; i++)
        ydoc_node_free(n->items[i]);
    free(n->items);
    for (size_t i = 0; i < n->n_pairs; i++) {
        ydoc_node_free(n->pairs[i].key);
        ydoc_node_free(n->pairs[i].value);
    }
    free(n->pairs);
    free(n);
}

static char *xstrndup(const char *s, size_t len)
{
    char *p = malloc(len + 1);
    if (!p)
        abort();
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

/* Messages quote the user's values, which may be megabytes long: a message longer than this keeps
 * its beginning and its end (where it says what is wrong) around a "...". */
#define YDOC_MSG_MAX 1000
#define YDOC_MSG_PART 440

void ydoc_diag_vadd(struct diag_list *diags, const char *file, int line, int col, const char *hint,
                    const char *fmt, va_list ap)
{
    char *full = xvasprintf(fmt, ap);
    size_t len = strlen(full);
    if (len <= YDOC_MSG_MAX) {
        diag_add(diags, file, line, col, hint, "%s", full);
        free(full);
        return;
    }
    /* cut at UTF-8 character boundaries */
    size_t head = YDOC_MSG_PART, tail = len - YDOC_MSG_PART;
    while (head > 0 && ((unsigned char)full[head] & 0xC0) == 0x80)
        head--;
    while (tail < len && ((unsigned char)full[tail] & 0xC0) == 0x80)
        tail++;
    diag_add(diags, file, line, col, hint, "%.*s...%s", (int)head, full, full + tail);
    free(full);
}

static void report_at(struct composer *c, yaml_mark_t m, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void report_at(struct composer *c, yaml_mark_t m, const char *hint, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ydoc_diag_vadd(c->diags, c->file, (int)m.line + 1, (int)m.column + 1, hint, fmt, ap);
    va_end(ap);
}

/* 1-based line and column (in characters, as libyaml counts them) of byte `off` of the input. */
static void offset_position(const char *text, size_t len, size_t off, int *line, int *col)
{
    size_t l = 1, cl = 1;
    if (off > len)
        off = len;
    for (size_t i = 0; i < off; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '\n') {
            l++;
            cl = 1;
        } else if ((ch & 0xC0) != 0x80) { /* not a UTF-8 continuation byte */
            cl++;
        }
    }
    *line = l > INT_MAX ? INT_MAX : (int)l;
    *col = cl > INT_MAX ? INT_MAX : (int)cl;
}

/* Whether the error at `m` is a tab: the character there, or one in its line's indentation
 * (libyaml's scanner stops at a tab with an English text the teacher may not read). */
static int tab_at(const struct composer *c, yaml_mark_t m)
{
    if (m.index < c->len && c->text[m.index] == '\t')
        return 1;
    size_t start = m.index < c->len ? m.index : c->len;
    while (start > 0 && c->text[start - 1] != '\n')
        start--;
    for (size_t i = start; i < c->len && (c->text[i] == ' ' || c->text[i] == '\t'); i++)
        if (c->text[i] == '\t')
            return 1;
    return 0;
}

static void report_parser_error(struct composer *c)
{
    const yaml_parser_t *p = &c->parser;
    const char *problem = p->problem ? p->problem : _("unreadable YAML");
    yaml_mark_t m = p->problem_mark;
    if (p->error == YAML_READER_ERROR) {
        /* reader errors (a NUL or another control character, broken UTF-8) carry a byte
         * offset, not a line */
        int line, col;
        offset_position(c->text, c->len, p->problem_offset, &line, &col);
        if (p->problem_offset < c->len && c->text[p->problem_offset] == '\0')
            diag_add(c->diags, c->file, line, col, _("remove the NUL byte"),
                     _("the file contains a NUL character"));
        else
            diag_add(c->diags, c->file, line, col,
                     _("save the file as UTF-8 text without control characters"),
                     _("YAML syntax error: %s"), problem);
        return;
    }
    if (p->error == YAML_SCANNER_ERROR && tab_at(c, m)) {
        diag_add(c->diags, c->file, (int)m.line + 1, (int)m.column + 1,
                 _("replace the tabs at the start of the line with spaces"),
                 _("YAML does not allow tabs for indentation; use spaces (%s)"), problem);
        return;
    }
    if (!p->context) {
        diag_add(c->diags, c->file, (int)m.line + 1, (int)m.column + 1,
                 _("check the indentation, colons and quotes around this spot"),
                 _("YAML syntax error: %s"), problem);
        return;
    }
    yaml_mark_t cm = p->context_mark;
    /* At the end of the input the problem mark says little; point at what was left open. */
    if (m.index >= c->len)
        m = cm;
    diag_add(c->diags, c->file, (int)m.line + 1, (int)m.column + 1,
             _("check the indentation, colons and quotes around this spot"),
             _("YAML syntax error: %s %s that started at line %d, column %d"), problem, p->context,
             (int)cm.line + 1, (int)cm.column + 1);
}

static int next_event(struct composer *c, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&c->parser, ev)) {
        report_parser_error(c);
        c->fatal = 1;
        return -1;
    }
    return 0;
}

static struct ydoc_node *node_new(struct composer *c, enum ydoc_kind kind, yaml_mark_t m)
{
    if (c->n_nodes >= YDOC_MAX_NODES) {
        report_at(c, m, _("split the file or avoid expanding large aliases"),
                  _("document has more than %d nodes"), YDOC_MAX_NODES);
        c->fatal = 1;
        return NULL;
    }
    c->n_nodes++;
    struct ydoc_node *n = xcalloc(1, sizeof *n);
    n->kind = kind;
    n->line = (int)m.line + 1;
    n->col = (int)m.column + 1;
    return n;
}

/* Accounts for `len` more bytes of scalar text; reports at m when the tree would hold too much. */
static int text_charge(struct composer *c, size_t len, yaml_mark_t m)
{
    if (len > YDOC_MAX_TEXT - c->n_text) {
        report_at(c, m, _("avoid expanding large aliases many times"),
                  _("document expands to more than %u bytes of text"), YDOC_MAX_TEXT);
        c->fatal = 1;
        return -1;
    }
    c->n_text += len;
    return 0;
}

int ydoc_text_is(const char *s, const char *const *set)
{
    for (size_t i = 0; set[i]; i++)
        if (strcmp(s, set[i]) == 0)
            return 1;
    return 0;
}

int ydoc_text_is_int(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    if (*s == '0')
        return s[1] == '\0';
    if (*s < '1' || *s > '9')
        return 0;
    while (*s >= '0' && *s <= '9')
        s++;
    return *s == '\0';
}

static int text_is_float(const char *s)
{
    static const char *const special[] = {".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN", NULL};
    if (*s == '-' || *s == '+')
        s++;
    if (ydoc_text_is(s, special))
        return 1;
    size_t int_digits = 0, frac_digits = 0;
    int dot = 0, exp = 0;
    while (*s >= '0' && *s <= '9') {
        s++;
        int_digits++;
    }
    if (*s == '.') {
        dot = 1;
        s++;
        while (*s >= '0' && *s <= '9') {
            s++;
            frac_digits++;
        }
    }
    if (int_digits + frac_digits == 0)
        return 0;
    if (*s == 'e' || *s == 'E') {
        exp = 1;
        s++;
        if (*s == '-' || *s == '+')
            s++;
        if (!(*s >= '0' && *s <= '9'))
            return 0;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    return *s == '\0' && (dot || exp);
}

enum ydoc_type ydoc_resolve_plain(const char *s)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const bools[] = {"true", "True", "TRUE", "false", "False", "FALSE", NULL};
    if (ydoc_text_is(s, nulls))
        return YDOC_T_NULL;
    if (ydoc_text_is(s, bools))
        return YDOC_T_BOOL;
    if (ydoc_text_is_int(s))
        return YDOC_T_INT;
    if (text_is_float(s))
        return YDOC_T_FLOAT;
    return YDOC_T_STR;
}

static enum ydoc_type resolve_tagged(struct composer *c, const yaml_event_t *ev, const char *tag,
                                     const char *text)
{
    if (strcmp(tag, "!") == 0 || strcmp(tag, TAG_PREFIX "str") == 0)
        return YDOC_T_STR;
    enum ydoc_type want;
    if (strcmp(tag, TAG_PREFIX "int") == 0)
        want = YDOC_T_INT;
    else if (strcmp(tag, TAG_PREFIX "bool") == 0)
        want = YDOC_T_BOOL;
    else if (strcmp(tag, TAG_PREFIX "null") == 0)
        want = YDOC_T_NULL;
    else if (strcmp(tag, TAG_PREFIX "float") == 0)
        want = YDOC_T_FLOAT;
    else {
        report_at(c, ev->start_mark, _("remove the tag"), _("unsupported YAML tag '%s'"), tag);
        return YDOC_T_STR;
    }
    enum ydoc_type got = ydoc_resolve_plain(text);
    if (got == want || (want == YDOC_T_FLOAT && got == YDOC_T_INT))
        return want;
    report_at(c, ev->start_mark, _("remove the tag or fix the value"),
              _("value is tagged '%s' but does not look like one"), tag);
    return YDOC_T_STR;
}

static struct ydoc_node *node_copy(struct composer *c, const struct ydoc_node *src, yaml_mark_t m)
{
    struct ydoc_node *n = node_new(c, src->kind, m);
    if (!n)
        return NULL;
    n->line = src->line;
    n->col = src->col;
    if (src->text && text_charge(c, src->len, m) < 0) {
        ydoc_node_free(n);
        return NULL;
    }
    if (src->text) {
        n->text = xstrndup(src->text, src->len);
        n->len = src->len;
    }
    n->type = src->type;
    if (src->n_items) {
        n->items = xcalloc(src->n_items, sizeof *n->items);
        for (size_t i = 0; i < src->n_items; i++) {
            n->items[i] = node_copy(c, src->items[i], m);
            if (!n->items[i]) {
                n->n_items = i;
                ydoc_node_free(n);
                return NULL;
            }
        }
        n->n_items = src->n_items;
    }
    if (src->n_pairs) {
        n->pairs = xcalloc(src->n_pairs, sizeof *n->pairs);
        for (size_t i = 0; i < src->n_pairs; i++) {
            n->pairs[i].key = node_copy(c, src->pairs[i].key, m);
            n->pairs[i].value = n->pairs[i].key ? node_copy(c, src->pairs[i].value, m) : NULL;
            if (!n->pairs[i].value) {
                ydoc_node_free(n->pairs[i].key);
                n->n_pairs = i;
                ydoc_node_free(n);
                return NULL;
            }
        }
        n->n_pairs = src->n_pairs;
    }
    return n;
}

static void anchor_add(struct composer *c, const char *name, struct ydoc_node *node)
{
    if (c->n_anchors == c->cap_anchors) {
        c->cap_anchors = c->cap_anchors ? c->cap_anchors * 2 : 8;
        c->anchors = xreallocarray(c->anchors, c->cap_anchors, sizeof *c->anchors);
    }
    c->anchors[c->n_anchors].name = xstrdup(name);
    c->anchors[c->n_anchors].node = node;
    c->anchors[c->n_anchors].done = 0;
    c->n_anchors++;
}

static void anchor_done(struct composer *c, const struct ydoc_node *node)
{
    for (size_t i = c->n_anchors; i-- > 0;)
        if (c->anchors[i].node == node)
            c->anchors[i].done = 1;
}

/* Drops the anchors that point into subtree n before it is freed. */
static void anchors_forget(struct composer *c, const struct ydoc_node *n)
{
    for (size_t i = 0; i < c->n_anchors; i++)
        if (c->anchors[i].node == n)
            c->anchors[i].node = NULL;
    for (size_t i = 0; i < n->n_items; i++)
        anchors_forget(c, n->items[i]);
    for (size_t i = 0; i < n->n_pairs; i++) {
        anchors_forget(c, n->pairs[i].key);
        anchors_forget(c, n->pairs[i].value);
    }
}

static struct anchor *anchor_find(struct composer *c, const char *name)
{
    for (size_t i = c->n_anchors; i-- > 0;) /* a later definition overrides */
        if (strcmp(c->anchors[i].name, name) == 0)
            return &c->anchors[i];
    return NULL;
}

static void check_collection_tag(struct composer *c, const yaml_event_t *ev, const char *tag,
                                 const char *want)
{
    if (!tag || strcmp(tag, "!") == 0 || strcmp(tag, want) == 0)
        return;
    report_at(c, ev->start_mark, _("remove the tag"), _("unsupported YAML tag '%s'"), tag);
}

static void check_duplicate_key(struct composer *c, struct ydoc_node *map)
{
    const struct ydoc_node *k = map->pairs[map->n_pairs - 1].key;
    for (size_t i = 0; i + 1 < map->n_pairs; i++) {
        const struct ydoc_node *o = map->pairs[i].key;
        if (o->len == k->len && memcmp(o->text, k->text, k->len) == 0) {
            yaml_mark_t m = {.line = (size_t)k->line - 1, .column = (size_t)k->col - 1};
            report_at(c, m, _("remove one of them"), _("duplicate key '%s' (first at line %d)"),
                      k->text, o->line);
            return;
        }
    }
}
/* An alias: a copy of the anchored node, placed where the alias stands. NULL (fatal) when the
 * anchor is unknown, still open (recursion) or the copy is over budget. */
static struct ydoc_node *compose_alias(struct composer *c, const yaml_event_t *ev)
{
    struct ydoc_node *n = NULL;
    const char *name = (const char *)ev->data.alias.anchor;
    struct anchor *a = anchor_find(c, name);
    if (!a || !a->node)
        report_at(c, ev->start_mark, _("define the anchor (&name) before using it"),
                  _("undefined alias '*%s'"), name);
    else if (!a->done)
        report_at(c, ev->start_mark, _("an anchored node cannot contain itself"),
                  _("recursive alias '*%s'"), name);
    else {
        n = node_copy(c, a->node, ev->start_mark);
        if (n) {
            n->line = (int)ev->start_mark.line + 1;
            n->col = (int)ev->start_mark.column + 1;
        }
    }
    if (!n)
        c->fatal = 1;
    return n;
}

/* A scalar with its resolved type (tag, or plain-scalar rules; quoted ones are strings). */
static struct ydoc_node *compose_scalar(struct composer *c, const yaml_event_t *ev)
{
    const char *text = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    if (strlen(text) != len) {
        report_at(c, ev->start_mark, _("remove the NUL byte"), _("value contains a NUL character"));
        c->fatal = 1;
        return NULL;
    }
    if (text_charge(c, len, ev->start_mark) < 0)
        return NULL;
    struct ydoc_node *n = node_new(c, YDOC_SCALAR, ev->start_mark);
    if (!n)
        return NULL;
    n->text = xstrndup(text, len);
    n->len = len;
    const char *tag = (const char *)ev->data.scalar.tag;
    if (tag)
        n->type = resolve_tagged(c, ev, tag, n->text);
    else if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ||
             ev->data.scalar.style == YAML_ANY_SCALAR_STYLE)
        n->type = ydoc_resolve_plain(n->text);
    else
        n->type = YDOC_T_STR;
    if (ev->data.scalar.anchor) {
        anchor_add(c, (const char *)ev->data.scalar.anchor, n);
        anchor_done(c, n);
    }
    return n;
}

static struct ydoc_node *compose(struct composer *c, yaml_event_t *ev, int depth);

/* Composition stops (so anchors into the freed subtree are never looked up): frees n. */
static struct ydoc_node *compose_fail(struct composer *c, struct ydoc_node *n)
{
    c->fatal = 1;
    ydoc_node_free(n);
    return NULL;
}

/* The node of a sequence or mapping that starts with ev: its tag checked against `want`, its
 * anchor (may be NULL) recorded. NULL on a fatal problem. */
static struct ydoc_node *collection_new(struct composer *c, const yaml_event_t *ev,
                                        enum ydoc_kind kind, const yaml_char_t *tag,
                                        const char *want, const yaml_char_t *anchor)
{
    check_collection_tag(c, ev, (const char *)tag, want);
    struct ydoc_node *n = node_new(c, kind, ev->start_mark);
    if (n && anchor)
        anchor_add(c, (const char *)anchor, n);
    return n;
}

/* A sequence: its items up to SEQUENCE-END. NULL on a fatal problem. */
static struct ydoc_node *compose_sequence(struct composer *c, const yaml_event_t *ev, int depth)
{
    struct ydoc_node *n = collection_new(c, ev, YDOC_SEQUENCE, ev->data.sequence_start.tag,
                                         TAG_PREFIX "seq", ev->data.sequence_start.anchor);
    if (!n)
        return NULL;
    size_t cap = 0;
    for (;;) {
        yaml_event_t child;
        if (next_event(c, &child) < 0)
            return compose_fail(c, n);
        if (child.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&child);
            break;
        }
        struct ydoc_node *item = compose(c, &child, depth + 1);
        if (!item)
            return compose_fail(c, n);
        if (n->n_items == cap) {
            cap = cap ? cap * 2 : 4;
            n->items = xreallocarray(n->items, cap, sizeof *n->items);
        }
        n->items[n->n_items++] = item;
    }
    anchor_done(c, n);
    return n;
}

/* Composes the next key and value of `map` into *key and *val. 1 when the mapping ended, 0 with
 * both set, -1 on a fatal problem (nothing left to free). */
static int compose_pair(struct composer *c, int depth, struct ydoc_node **key,
                        struct ydoc_node **val)
{
    yaml_event_t kev, vev;
    if (next_event(c, &kev) < 0)
        return -1;
    if (kev.type == YAML_MAPPING_END_EVENT) {
        yaml_event_delete(&kev);
        return 1;
    }
    *key = compose(c, &kev, depth + 1);
    if (!*key)
        return -1;
    if (next_event(c, &vev) < 0) {
        ydoc_node_free(*key);
        return -1;
    }
    *val = compose(c, &vev, depth + 1);
    if (!*val) {
        ydoc_node_free(*key);
        return -1;
    }
    return 0;
}

/* A mapping: its pairs up to MAPPING-END; a key that is not a scalar is reported and dropped,
 * a duplicate key is reported. NULL on a fatal problem. */
static struct ydoc_node *compose_mapping(struct composer *c, const yaml_event_t *ev, int depth)
{
    struct ydoc_node *n = collection_new(c, ev, YDOC_MAPPING, ev->data.mapping_start.tag,
                                         TAG_PREFIX "map", ev->data.mapping_start.anchor);
    if (!n)
        return NULL;
    size_t cap = 0;
    for (;;) {
        struct ydoc_node *key = NULL, *val = NULL;
        int end = compose_pair(c, depth, &key, &val);
        if (end < 0)
            return compose_fail(c, n);
        if (end > 0)
            break;
        if (key->kind != YDOC_SCALAR) {
            diag_add(c->diags, c->file, key->line, key->col, _("write the key as a plain name"),
                     _("a key must be a name, not %s"), ydoc_describe(key));
            anchors_forget(c, key);
            anchors_forget(c, val); /* an anchor in the dropped value must not dangle */
            ydoc_node_free(key);
            ydoc_node_free(val);
            continue;
        }
        if (n->n_pairs == cap) {
            cap = cap ? cap * 2 : 4;
            n->pairs = xreallocarray(n->pairs, cap, sizeof *n->pairs);
        }
        n->pairs[n->n_pairs].key = key;
        n->pairs[n->n_pairs].value = val;
        n->n_pairs++;
        check_duplicate_key(c, n);
    }
    anchor_done(c, n);
    return n;
}

/* Composes the node that starts with *ev (whose ownership passes here). NULL on a fatal problem. */
static struct ydoc_node *compose(struct composer *c, yaml_event_t *ev, int depth)
{
    struct ydoc_node *n = NULL;
    if (depth > YDOC_MAX_DEPTH) {
        report_at(c, ev->start_mark, _("flatten the structure"), _("nesting deeper than %d levels"),
                  YDOC_MAX_DEPTH);
        c->fatal = 1;
        yaml_event_delete(ev);
        return NULL;
    }
    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        n = compose_alias(c, ev);
        break;
    case YAML_SCALAR_EVENT:
        n = compose_scalar(c, ev);
        break;
    case YAML_SEQUENCE_START_EVENT:
        n = compose_sequence(c, ev, depth);
        break;
    case YAML_MAPPING_START_EVENT:
        n = compose_mapping(c, ev, depth);
        break;
    default:
        report_at(c, ev->start_mark, NULL, _("unexpected YAML event %d"), (int)ev->type);
        c->fatal = 1;
        break;
    }
    yaml_event_delete(ev);
    return n;
}

static int compose_stream(struct composer *c, struct ydoc_node **root)
{
    yaml_event_t ev;
    *root = NULL;
    if (next_event(c, &ev) < 0)
        return -1;
    yaml_event_delete(&ev); /* STREAM-START */
    if (next_event(c, &ev) < 0)
        return -1;
    if (ev.type == YAML_STREAM_END_EVENT) {
        yaml_event_delete(&ev);
        return 0;
    }
    yaml_event_delete(&ev); /* DOCUMENT-START */
    if (next_event(c, &ev) < 0)
        return -1;
    *root = compose(c, &ev, 0);
    if (!*root)
        return -1;
    if (next_event(c, &ev) < 0) /* DOCUMENT-END */
        goto fail;
    yaml_event_delete(&ev);
    if (next_event(c, &ev) < 0)
        goto fail;
    if (ev.type != YAML_STREAM_END_EVENT) {
        report_at(c, ev.start_mark, _("keep a single document (remove the extra '---' part)"),
                  _("more than one YAML document in the file"));
        yaml_event_delete(&ev);
        goto fail;
    }
    yaml_event_delete(&ev);
    return 0;
fail:
    ydoc_node_free(*root);
    *root = NULL;
    return -1;
}
int ydoc_compose(const char *file, const char *text, size_t len, struct diag_list *diags,
                 struct ydoc_node **root)
{
    struct composer c;
    memset(&c, 0, sizeof c);
    *root = NULL;
    c.file = file;
    c.diags = diags;
    c.text = text;
    c.len = len;
    if (len > YDOC_MAX_FILE) {
        int line, col;
        offset_position(text, len, YDOC_MAX_FILE, &line, &col);
        diag_add(diags, c.file, line, col,
                 _("configuration files are small; check that this is the right file"),
                 _("the file is larger than %u bytes (4 MiB)"), (unsigned)YDOC_MAX_FILE);
        return -1;
    }
    if (!yaml_parser_initialize(&c.parser)) {
        diag_add(diags, c.file, 0, 0, NULL, _("cannot initialise the YAML parser"));
        return -1;
    }
    yaml_parser_set_input_string(&c.parser, (const unsigned char *)text, len);
    int rc = compose_stream(&c, root);
    yaml_parser_delete(&c.parser);
    for (size_t i = 0; i < c.n_anchors; i++)
        free(c.anchors[i].name);
    free(c.anchors);
    if (rc < 0 || c.fatal) {
        ydoc_node_free(*root);
        *root = NULL;
        return -1;
    }
    return 0;
}
