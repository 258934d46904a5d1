/* strategy_balanced: students spread over all online nodes so the counts differ by at most one;
 * all of one student's VMs stay on one node, so the student's private bridges are local. */
#include "plan/strategy.h"
#include "util/i18n.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Online nodes, sorted by name so the placement does not depend on the API's order. */
static size_t online_nodes(const struct cluster_view *v, const struct inv_node **out)
{
    size_t n = 0;
    for (size_t i = 0; i < v->n_nodes; i++)
        if (v->nodes[i].online)
            out[n++] = &v->nodes[i];
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(out[j - 1]->name, out[j]->name) > 0; j--) {
            const struct inv_node *t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    return n;
}

static int balanced_place(const struct placement_input *in, struct placement *out,
                          void (*add_problem)(void *ctx, const char *msg), void *ctx)
{
    const struct inv_node **nodes = calloc(in->view->n_nodes + 1, sizeof *nodes);
    if (!nodes)
        abort();
    size_t nn = online_nodes(in->view, nodes);
    if (nn == 0) {
        add_problem(ctx, _("no node of the cluster is online"));
        free(nodes);
        return 0;
    }
    for (size_t s = 0; s < out->n_students; s++) {
        const struct inv_node *n = nodes[s % nn];
        for (size_t m = 0; m < out->n_machines; m++)
            out->slots[s * out->n_machines + m].node = n->name;
        if (out->why && asprintf(&out->why[s],
                                 _("student %zu of %zu goes to %s (round-robin over "
                                   "%zu online nodes)"),
                                 s + 1, out->n_students, n->name, nn) < 0)
            out->why[s] = NULL;
    }
    free(nodes);
    return 0;
}

const struct strategy strategy_balanced = {
    .name = "balanced",
    .label = N_("students spread evenly over the online nodes"),
    .summary = N_("students spread evenly over the online nodes (counts differ by at most one)"),
    .place = balanced_place,
};
