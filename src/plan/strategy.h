/* strategy: the registry of placement strategies (the seed's "deployment modules").
 * A strategy decides, per student and machine, the node the VM lands on; the planner then finds
 * (or plans) a template on that node to clone from. */
#ifndef DS_STRATEGY_H
#define DS_STRATEGY_H

#include "config/stand.h"
#include "config/users.h"
#include "inventory/inventory.h"
#include <stddef.h>

struct placement_input {
    const struct stand *stand;
    const struct users_list *users;
    const struct cluster_view *view;
    const char *target_node; /* strategies that take a node; may be NULL */
    double mem_reserve;      /* smart: share of each node's memory kept free (default 0.10) */
    int overcommit; /* --overcommit: the planner accepts more configured memory than a node has;
                       smart then counts only the memory in use, not the configured memory */
};

/* One slot per (student, machine), row-major: slot[s * n_machines + m]. */
struct placement_slot {
    const char *node; /* points into the view or the stand; not owned */
};

struct placement {
    struct placement_slot *slots; /* owned by the caller of place(), calloc'd by it */
    size_t n_students, n_machines;
    char **why; /* per student, may stay NULL: why it went where it went (malloc'd by the
                   strategy, freed by the caller) */
};

/* One option a strategy takes beyond --strategy NAME (e.g. smart's --mem-reserve PCT). */
struct strategy_option {
    const char *name; /* as written on the command line: "--mem-reserve" */
    const char *arg;  /* its value's placeholder ("PCT"), or NULL for a flag */
    const char *help; /* N_(): one line for --help */
};

/* One row of the table: everything a front-end needs to offer the strategy (the menu's choice,
 * --help, completion) comes from here. Static data; nothing to free. */
struct strategy {
    const char *name;
    const char *label;   /* N_(): a short phrase for the menu ("every VM on ...") */
    const char *summary; /* N_(): one line for --help */
    int needs_node;      /* 1 = takes --node NAME and cannot do without it */
    const struct strategy_option *options; /* {NULL}-terminated; NULL when none */
    /* Fills every slot. Problems (nothing fits, node offline...) are appended as readable lines
     * through add_problem; returns 0 even then, -1 only on internal errors. */
    int (*place)(const struct placement_input *in, struct placement *out,
                 void (*add_problem)(void *ctx, const char *msg), void *ctx);
};

/* NULL-terminated table of every strategy. */
extern const struct strategy *const strategy_table[];

/* The strategy called `name`, or NULL. */
const struct strategy *strategy_find(const char *name);

/* The strategy used when none is named ("local"). */
const struct strategy *strategy_default(void);

#endif
