/* strategy: the registry of placement strategies (the seed's "deployment modules").
 * A strategy decides, per student and machine, the node and the template to clone from. */
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
};

/* One slot per (student, machine), row-major: slot[s * n_machines + m]. */
struct placement_slot {
    const char *node;     /* points into the view or the stand; not owned */
    int src_vmid;         /* template to clone from (on `node` for linked clones) */
    const char *src_node; /* node of that template */
};

struct placement {
    struct placement_slot *slots; /* owned by the caller of place(), calloc'd by it */
    size_t n_students, n_machines;
};

struct strategy {
    const char *name;
    const char *summary;
    /* Fills every slot. Problems (nothing fits, node offline...) are appended as readable lines
     * through add_problem; returns 0 even then, -1 only on internal errors. */
    int (*place)(const struct placement_input *in, struct placement *out,
                 void (*add_problem)(void *ctx, const char *msg), void *ctx);
};

/* NULL-terminated table of every strategy. */
extern const struct strategy *const strategy_table[];

/* The strategy called `name`, or NULL. */
const struct strategy *strategy_find(const char *name);

#endif
