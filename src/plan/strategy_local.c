/* strategy_local: every VM lands on the node of its template, as a linked clone where asked.
 * One student's VMs may span nodes when the templates do; their alias bridges are then per node. */
#include "plan/strategy.h"
#include "util/i18n.h"
#include <stdio.h>

static int local_place(const struct placement_input *in, struct placement *out,
                       void (*add_problem)(void *ctx, const char *msg), void *ctx)
{
    const struct stand *st = in->stand;
    for (size_t m = 0; m < st->n_machines; m++) {
        const struct stand_machine *mc = &st->machines[m];
        const struct inv_node *n = inv_node_find(in->view, mc->template_node);
        char msg[256];
        if (!n) {
            snprintf(msg, sizeof msg, _("machine '%s': template node '%s' is not in the cluster"),
                     mc->name, mc->template_node);
            add_problem(ctx, msg);
        } else if (!n->online) {
            snprintf(msg, sizeof msg, _("machine '%s': template node '%s' is offline"), mc->name,
                     mc->template_node);
            add_problem(ctx, msg);
        }
        for (size_t s = 0; s < out->n_students; s++) {
            struct placement_slot *slot = &out->slots[s * out->n_machines + m];
            slot->node = mc->template_node;
        }
    }
    return 0;
}

const struct strategy strategy_local = {
    .name = "local",
    .label = N_("every VM on the node of its template"),
    .summary = N_("every VM on the node of its template (linked clones stay cheap)"),
    .place = local_place,
};
