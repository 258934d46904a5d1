/* stand_ops: the stand operations behind the commands (plan, deploy, status, destroy), written once
 * so `deploy-stand demo` runs exactly what the real commands run. */
#ifndef DS_STAND_OPS_H
#define DS_STAND_OPS_H

#include "cli/session.h"
#include <stdio.h>

struct stand_op_opts {
    const char *strategy;    /* default "local" */
    const char *node;        /* strategies that take a node */
    int refresh_templates;   /* rebuild stale template copies */
    double mem_reserve;      /* smart: memory share kept free (0 = default) */
    int per_node, workers;   /* executor limits (0 = defaults) */
    const char *const *only; /* destroy: these students only */
    size_t n_only;
    int json;       /* JSON on `out`, progress on stderr */
    int confirm;    /* ask before changing anything (a TTY and no --yes) */
    FILE *out;      /* plan, results, credentials */
    FILE *progress; /* progress lines */
};

/* Fills the options every stand command shares from its parsed arguments and the global
 * options: placement, limits, students, output (stdout; progress on stderr with --output json).
 * `confirm` starts at 0: each command decides when to ask. */
void stand_op_opts_init(struct stand_op_opts *o, const struct cli_globals *g,
                        const struct stand_args *a);

/* Each expects a connected session with its inputs loaded, and returns an exit code. */
int stand_op_plan(struct session *s, const struct stand_op_opts *o);
int stand_op_deploy(struct session *s, const struct stand_op_opts *o);
int stand_op_status(struct session *s, const struct stand_op_opts *o);
int stand_op_destroy(struct session *s, const struct stand_op_opts *o);
/* Reset: the students' VMs are destroyed and cloned again from the templates; users (and their
 * passwords), pools, roles and bridges stay. */
int stand_op_reset(struct session *s, const struct stand_op_opts *o);
/* Lists the stand's leftovers; with `remove`, removes them and checks that none are left. */
int stand_op_sweep(struct session *s, const struct stand_op_opts *o, int remove);

#endif
