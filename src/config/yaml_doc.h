/* yaml_doc: loads one YAML document (libyaml) into a small tree whose nodes keep their line:col,
 * plus typed getters that report wrong types as located diagnostics for the config validators. */
#ifndef DS_YAML_DOC_H
#define DS_YAML_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "util/diag.h"

enum ydoc_kind { YDOC_SCALAR, YDOC_SEQUENCE, YDOC_MAPPING };

/* Resolved type of a scalar. Quoted scalars are always strings. Plain scalars follow a strict
 * subset of YAML 1.1: "", ~, null/Null/NULL -> null; true/True/TRUE/false/False/FALSE -> bool
 * (yes/no/on/off stay strings, so a bool field given "yes" is reported, not guessed);
 * [-+]?(0|[1-9][0-9]*) -> int; decimal numbers with a dot or exponent, .inf, .nan -> float;
 * anything else -> string. Explicit tags !!str, !!int, !!bool, !!null, !!float, !!map, !!seq are
 * honoured; others are errors. */
enum ydoc_type { YDOC_T_NULL, YDOC_T_BOOL, YDOC_T_INT, YDOC_T_FLOAT, YDOC_T_STR };

struct ydoc_pair;

struct ydoc_node {
    enum ydoc_kind kind;
    int line, col; /* 1-based position where the node starts */
    /* YDOC_SCALAR */
    char *text; /* NUL-terminated (a scalar holding NUL bytes is rejected at load) */
    size_t len;
    enum ydoc_type type;
    /* YDOC_SEQUENCE */
    struct ydoc_node **items;
    size_t n_items;
    /* YDOC_MAPPING: pairs in file order; keys are scalars, duplicates were reported at load */
    struct ydoc_pair *pairs;
    size_t n_pairs;
};

struct ydoc_pair {
    struct ydoc_node *key;
    struct ydoc_node *value;
};

struct ydoc {
    char *file;             /* display name used in diagnostics (owned copy) */
    struct ydoc_node *root; /* NULL when the file holds no document or only comments */
};

/* Parses `text` (len bytes, need not be NUL-terminated). Returns 0 and *out (free with ydoc_free)
 * when the YAML is well-formed; duplicate keys, non-scalar keys and unsupported tags are appended
 * to diags but still return 0 (the first occurrence of a duplicate key wins in ydoc_get). Returns
 * -1 and *out = NULL after appending libyaml's problem at its mark (syntax error, more than one
 * document, recursive alias, a NUL or control character, text over 4 MiB, nesting over 64
 * levels, more than 20000 nodes or 16 MiB of text after alias expansion). */
int ydoc_load_text(const char *display_name, const char *text, size_t len, struct ydoc **out,
                   struct diag_list *diags);

/* Reads the file and parses it (a file over 4 MiB is reported where it crosses the limit). A read
 * error is one diagnostic with line 0. */
int ydoc_load_file(const char *path, struct ydoc **out, struct diag_list *diags);

void ydoc_free(struct ydoc *d);

/* One kind of typed document (a stand, a class list, a connections file): ydoc_load_typed
 * callocs `size` bytes and `build` fills them from the parsed document (`path` is the file or
 * display name, arg is the caller's), adding a diagnostic for each problem. `free` releases a
 * built object, also one whose build reported problems. */
struct ydoc_doctype {
    size_t size;
    void (*build)(const struct ydoc *d, const char *path, void *obj, const void *arg,
                  struct diag_list *diags);
    void (*free)(void *obj);
};

/* Parses the file `path` (text == NULL) or `text` (len bytes, path as its display name) and
 * builds an object of type t. 0 and *out (the caller frees it with t->free), or -1 with *out NULL
 * when the YAML or the build added a diagnostic. */
int ydoc_load_typed(const struct ydoc_doctype *t, const char *path, const char *text, size_t len,
                    const void *arg, void **out, struct diag_list *diags);

/* Defines, for a document type TYPE built by `void BUILD(const struct ydoc *, const char *path,
 * TYPE *, struct diag_list *)` and freed by `void PREFIX_free(TYPE *)`, the two public loaders
 *   int PREFIX_load(const char *path, TYPE **out, struct diag_list *diags);
 *   int PREFIX_load_text(const char *display_name, const char *text, size_t len, TYPE **out,
 *                        struct diag_list *diags);
 * with ydoc_load_typed's contract. */
#define YDOC_DEFINE_LOADERS(PREFIX, TYPE, BUILD)                                                   \
    static void PREFIX##_build_any(const struct ydoc *d, const char *path, void *obj,              \
                                   const void *arg, struct diag_list *diags)                       \
    {                                                                                              \
        (void)arg;                                                                                 \
        BUILD(d, path, obj, diags);                                                                \
    }                                                                                              \
    static void PREFIX##_free_any(void *obj)                                                       \
    {                                                                                              \
        PREFIX##_free(obj);                                                                        \
    }                                                                                              \
    static const struct ydoc_doctype PREFIX##_doc_type = {sizeof(TYPE), PREFIX##_build_any,        \
                                                          PREFIX##_free_any};                      \
    int PREFIX##_load_text(const char *display_name, const char *text, size_t len, TYPE **out,     \
                           struct diag_list *diags)                                                \
    {                                                                                              \
        void *obj;                                                                                 \
        int rc = ydoc_load_typed(&PREFIX##_doc_type, display_name, text, len, NULL, &obj, diags);  \
        *out = obj;                                                                                \
        return rc;                                                                                 \
    }                                                                                              \
    int PREFIX##_load(const char *path, TYPE **out, struct diag_list *diags)                       \
    {                                                                                              \
        return PREFIX##_load_text(path, NULL, 0, out, diags);                                      \
    }

/* The value stored under `key` in a mapping (first occurrence), or NULL. `key_node` may be NULL. */
const struct ydoc_node *ydoc_get(const struct ydoc_node *map, const char *key,
                                 const struct ydoc_node **key_node);

/* "a mapping", "a list", "a string", "an integer", "a number", "true/false", "nothing (null)". */
const char *ydoc_describe(const struct ydoc_node *n);

/* True for a null scalar (also an absent value such as "key:" with nothing after it). */
bool ydoc_is_null(const struct ydoc_node *n);

/* Reports each key of `map` that is neither in `known` nor in `ignored` (both NULL-terminated;
 * `ignored` may be NULL) as "unknown key 'k' in WHERE; known keys: a, b, c". Returns how many. */
size_t ydoc_check_keys(const struct ydoc *d, const struct ydoc_node *map, const char *const *known,
                       const char *const *ignored, const char *where, struct diag_list *diags);

/* Typed getters. Each returns 0 and stores the value, or -1 after reporting at the node's position
 * "`field` must be <type>, got <what>; <hint>". The value is never echoed by ydoc_want_str, so it
 * is safe for secrets. *out of ydoc_want_str points into the tree (valid until ydoc_free). */
int ydoc_want_str(const struct ydoc *d, const struct ydoc_node *n, const char *field,
                  const char **out, struct diag_list *diags);
int ydoc_want_int(const struct ydoc *d, const struct ydoc_node *n, const char *field, long long min,
                  long long max, long long *out, struct diag_list *diags);
int ydoc_want_bool(const struct ydoc *d, const struct ydoc_node *n, const char *field, int *out,
                   struct diag_list *diags);

/* The non-empty list under `key` of mapping `map`, or NULL after reporting "the file has no
 * 'KEY'" (hint: add_hint) or "'KEY' must be a non-empty list, got ..." (hint: items_hint). */
const struct ydoc_node *ydoc_want_list(const struct ydoc *d, const struct ydoc_node *map,
                                       const char *key, const char *add_hint,
                                       const char *items_hint, struct diag_list *diags);

/* Reports a problem at node n (or at 1:1 of the file when n is NULL). */
void ydoc_report(const struct ydoc *d, const struct ydoc_node *n, struct diag_list *diags,
                 const char *hint, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
