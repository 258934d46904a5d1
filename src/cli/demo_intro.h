/* demo_intro: the text `deploy-stand demo` starts with: where the simulated cluster runs, its
 * nodes and templates as read from it, and the template each machine of the stand is cloned from.
 */
#ifndef DS_DEMO_INTRO_H
#define DS_DEMO_INTRO_H

#include "config/stand.h"
#include "inventory/inventory.h"
#include <stddef.h>
#include <stdio.h>

struct demo_intro {
    const char *scenario;    /* as given to --scenario: a name or a file path */
    const char *url;         /* the simulator's address */
    const char *fingerprint; /* its certificate's SHA-256 fingerprint */
    double time_scale;
    size_t n_students;
};

/* Number of templates of `v` the demo can clone (demo_tpl_usable). */
size_t demo_intro_templates(const struct cluster_view *v);

/* 1 when the stand's machines are cloned from templates on more than one node (the demo then
 * deploys with the balanced strategy, so that each student's machines share one node). */
int demo_templates_spread(const struct stand *st);

/* Prints the introduction to `out`. `st` has already been fitted to `v` (demo_stand_fit); both are
 * only read, and every string stays owned by its caller. */
void demo_intro_print(FILE *out, const struct demo_intro *in, const struct cluster_view *v,
                      const struct stand *st);

#endif
