/* template_map: reads the seed's mapper_template.yml into template hints.
 * Node names keep their case as written; the planner compares them case-insensitively. */
#include "config/template_map.h"
#include "util/xalloc.h"
#include "config/yaml_doc.h"
#include "util/i18n.h"
#include <stdlib.h>
#include <string.h>

void template_map_free(struct template_map *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        free(m->nodes[i]);
    free(m->nodes);
    free(m->hints);
    free(m);
}

int template_map_load(const char *path, struct template_map **out, struct diag_list *diags)
{
    struct ydoc *d = NULL;
    *out = NULL;
    if (ydoc_load_file(path, &d, diags) < 0)
        return -1;
    static const char *const known[] = {"template_mapping", NULL};
    static const char *const ignored[] = {"metadata", NULL};
    const struct ydoc_node *root = d->root;
    int bad = 0;
    if (!root || root->kind != YDOC_MAPPING) {
        ydoc_report(d, root, diags, _("write `template_mapping: {100: {pve2: 9100}}`"),
                    _("expected a mapping with `template_mapping:`"));
        ydoc_free(d);
        return -1;
    }
    bad |= ydoc_check_keys(d, root, known, ignored, _("the file"), diags) > 0;
    const struct ydoc_node *map = ydoc_get(root, "template_mapping", NULL);
    struct template_map *m = xcalloc(1, sizeof *m);
    if (map && map->kind == YDOC_MAPPING) {
        for (size_t i = 0; i < map->n_pairs; i++) {
            long long orig;
            if (ydoc_want_int(d, map->pairs[i].key, _("template VMID"), 100, 999999999, &orig,
                              diags) < 0) {
                bad = 1;
                continue;
            }
            const struct ydoc_node *nodes = map->pairs[i].value;
            if (!nodes || nodes->kind != YDOC_MAPPING) {
                ydoc_report(d, nodes ? nodes : map->pairs[i].key, diags,
                            _("write `node: copy-vmid` pairs under the template"),
                            _("expected a mapping"));
                bad = 1;
                continue;
            }
            for (size_t k = 0; k < nodes->n_pairs; k++) {
                const char *node;
                long long vmid;
                if (ydoc_want_str(d, nodes->pairs[k].key, "node", &node, diags) < 0 ||
                    ydoc_want_int(d, nodes->pairs[k].value, _("copy VMID"), 100, 999999999, &vmid,
                                  diags) < 0) {
                    bad = 1;
                    continue;
                }
                m->hints = realloc(m->hints, (m->n + 1) * sizeof *m->hints);
                m->nodes = realloc(m->nodes, (m->n + 1) * sizeof *m->nodes);
                if (!m->hints || !m->nodes)
                    abort();
                m->nodes[m->n] = strdup(node);
                m->hints[m->n].orig = (int)orig;
                m->hints[m->n].vmid = (int)vmid;
                m->n++;
            }
        }
    } else if (map && !ydoc_is_null(map)) {
        ydoc_report(d, map, diags, NULL, _("`template_mapping` must be a mapping, not %s"),
                    ydoc_describe(map));
        bad = 1;
    }
    for (size_t i = 0; i < m->n; i++) /* the arrays moved while growing: point at the names now */
        m->hints[i].node = m->nodes[i];
    ydoc_free(d);
    if (bad) {
        template_map_free(m);
        return -1;
    }
    *out = m;
    return 0;
}
