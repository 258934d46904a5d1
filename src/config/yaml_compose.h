/* yaml_compose: composes libyaml parser events into the position-keeping ydoc_node tree of
 * yaml_doc.h: anchors and aliases expanded under a node budget, scalar types resolved. */
#ifndef DS_YAML_COMPOSE_H
#define DS_YAML_COMPOSE_H

#include "config/yaml_doc.h"
#include "util/diag.h"

#include <stdarg.h>
#include <stddef.h>

/* The largest input composed (a configuration file is far smaller). */
#define YDOC_MAX_FILE (4u * 1024u * 1024u)

/* Composes the one YAML document in text[0..len) (`file` names it in diagnostics). 0 with *root
 * the tree (NULL for an empty stream; the caller frees it with ydoc_node_free), or -1 with *root
 * NULL and the problems added to diags. */
int ydoc_compose(const char *file, const char *text, size_t len, struct diag_list *diags,
                 struct ydoc_node **root);

/* Frees a node and everything below it (safe on NULL). */
void ydoc_node_free(struct ydoc_node *n);

/* 1 when s is one of the NULL-terminated set, else 0. */
int ydoc_text_is(const char *s, const char *const *set);

/* 1 when s is a plain YAML integer: [-+]?(0|[1-9][0-9]*). */
int ydoc_text_is_int(const char *s);

/* The type of a plain (unquoted, untagged) scalar, by the rules in yaml_doc.h. */
enum ydoc_type ydoc_resolve_plain(const char *s);

/* diag_add with a formatted message that, when longer than 1000 bytes, keeps its beginning and
 * its end around a "..." (messages quote the user's values, which may be megabytes long). */
void ydoc_diag_vadd(struct diag_list *diags, const char *file, int line, int col, const char *hint,
                    const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));

#endif
