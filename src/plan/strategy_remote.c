/* strategy_remote: every student on one chosen node (`--node N`); templates that live elsewhere
 * are copied there once (full clone, convert to template, offline migration) by the planner. */
#include "plan/strategy.h"
#include "util/i18n.h"
#include <stdio.h>

static int remote_place(const struct placement_input *in, struct placement *out,
                        void (*add_problem)(void *ctx, const char *msg), void *ctx)
{
    char msg[256];
    if (!in->target_node) {
        add_problem(ctx, _("strategy remote needs the target node: add --node NAME"));
        return 0;
    }
    const struct inv_node *n = inv_node_find(in->view, in->target_node);
    if (!n) {
        snprintf(msg, sizeof msg, _("node '%s' is not in the cluster"), in->target_node);
        add_problem(ctx, msg);
        return 0;
    }
    if (!n->online) {
        snprintf(msg, sizeof msg, _("node '%s' is offline"), in->target_node);
        add_problem(ctx, msg);
        return 0;
    }
    for (size_t i = 0; i < out->n_students * out->n_machines; i++)
        out->slots[i].node = n->name;
    return 0;
}

const struct strategy strategy_remote = {
    .name = "remote",
    .label = N_("every student on one node you choose"),
    .needs_node = 1,
    .summary = N_("every student on the node given with --node; templates are copied there once"),
    .place = remote_place,
};
