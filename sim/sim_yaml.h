/* sim_yaml: converts a YAML document (libyaml) into a jansson value, keeping mapping order.
 * Plain scalars become integers, reals, booleans or null when they look like one. */
#ifndef SIM_YAML_H
#define SIM_YAML_H

#include <jansson.h>
#include <stddef.h>

/* Parses text; returns a new reference or NULL with a message in err. */
json_t *sim_yaml_parse(const char *text, size_t len, char *err, size_t errlen);

#endif
