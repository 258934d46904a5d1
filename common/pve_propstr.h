/* pve_propstr: PVE property strings ("virtio=BC:24:11:00:00:01,bridge=vmbr0,tag=20"), parsed and
 * printed exactly like PVE::JSONSchema::parse_property_string / print_property_string. */
#ifndef PVE_PROPSTR_H
#define PVE_PROPSTR_H

#include <jansson.h>
#include <stddef.h>

/* Parses a PVE property string ("virtio=BC:24:11:00:00:01,bridge=vmbr0,firewall=1,tag=20") against
 * a property-string format definition (the inline "format" object of a schema property, e.g.
 * net[n]). Handles the default key (`default_key`, e.g. model), `alias` keys ("<model>=<mac>" sets
 * model and macaddr), key types (string/integer/number/boolean with parse_boolean 1|on|yes|true /
 * 0|off|no|false), enums, min/max, patterns, named formats and duplicate keys.
 * Returns a new object (caller frees with json_decref) with typed values (booleans as 0/1
 * integers), or NULL with a message in err: either a parse error ("duplicate key in
 * comma-separated list property: macaddr") or "format error\n<key>: <message>" lines (sorted). */
json_t *pve_propstr_parse(const json_t *format, const char *value, char *err, size_t errlen);

/* Same, but error keys are prefixed with `path` ("net0.bridge: ..."), as the validator reports. */
json_t *pve_propstr_parse_at(const json_t *format, const char *value, const char *path, char *err,
                             size_t errlen);

/* Prints the canonical form PVE writes back: default key first combined with its alias when the
 * alias key is set (e.g. "virtio=BC:24:11:2E:5A:01"), then remaining keys sorted, booleans as 1/0.
 * Returns malloc'd string, caller frees (NULL only when out of memory). */
char *pve_propstr_print(const json_t *format, const json_t *obj);

#endif
