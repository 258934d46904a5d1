/* sim_scenario: loads a cluster scenario (YAML: nodes, storages, bridges, VMs, users, tokens,
 * groups, pools, ACLs, task durations) into a fresh model. Format documented in sim/README.md. */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H

#include "sim_model.h"

#include <stddef.h>

/* name: a YAML file path, or "single" / "classroom" / "campus" (embedded
 * examples/clusters/<name>.yml). Returns a new model (caller frees with sim_model_free) or NULL
 * with a message in err. */
struct sim_model *sim_scenario_load(const char *name, double time_scale, unsigned long seed,
                                    char *err, size_t errlen);

#endif
