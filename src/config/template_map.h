/* template_map: reads the seed's mapper_template.yml (template_mapping: {orig: {node: copy}}).
 * The entries are only hints for finding template copies; the marks on the cluster win. */
#ifndef DS_TEMPLATE_MAP_H
#define DS_TEMPLATE_MAP_H

#include "util/diag.h"
#include <stddef.h>

/* A known template copy, e.g. from the seed's mapper_template.yml: a hint only (the planner takes
 * them in struct plan_request). */
struct template_hint {
    int orig;
    const char *node;
    int vmid;
};

struct template_map {
    struct template_hint *hints; /* owned; hint.node points into `nodes` */
    char **nodes;                /* owned node names */
    size_t n;
};

/* 0 and *out (free with template_map_free), or -1 after reporting to diags. */
int template_map_load(const char *path, struct template_map **out, struct diag_list *diags);
void template_map_free(struct template_map *m);

#endif
