/* pve_schema: the embedded PVE 8.4 API schema table, request path matching and a strict validator
 * that checks parameters exactly like PVE::JSONSchema::validate (same per-parameter messages). */
#ifndef PVE_SCHEMA_H
#define PVE_SCHEMA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct pve_schema pve_schema;

/* Parses the embedded common/pve_schema_table.json (embedded_get("common/pve_schema_table.json")).
 * Returns NULL on failure. Free with pve_schema_free. Thread-safe to use concurrently after load.
 */
pve_schema *pve_schema_load_embedded(void);
/* Same from a JSON text of the table's shape {"METHOD /path": {"parameters": ...}, ...}. */
pve_schema *pve_schema_load_text(const char *json_text, size_t len);
void pve_schema_free(pve_schema *s);

typedef struct pve_endpoint {
    const char *key;           /* "POST /nodes/{node}/qemu/{vmid}/clone" (owned by the schema) */
    const char *method;        /* "POST" */
    const char *path_template; /* "/nodes/{node}/qemu/{vmid}/clone" */
    const json_t *parameters;  /* borrowed: the "parameters" object */
    const json_t *permissions; /* borrowed, may be NULL */
    int allowtoken;            /* 0 when the schema says allowtoken: 0, else 1 */
} pve_endpoint;

enum pve_match { PVE_MATCH_OK = 0, PVE_MATCH_NO_PATH = 1, PVE_MATCH_NO_METHOD = 2 };

/* Matches a concrete API path (without "/api2/json", e.g. "/nodes/pve1/qemu/100/clone"; no query
 * string). Literal segments win over {param} segments (PVE's RESTHandler walks the tree the same
 * greedy way). Empty segments are ignored and %XX escapes in segments are decoded.
 * On PVE_MATCH_OK, *ep points into the schema and *path_params is a NEW object with the captured
 * {param} values as strings (caller json_decref's). Otherwise *ep and *path_params are NULL. */
enum pve_match pve_schema_match(const pve_schema *s, const char *method, const char *path,
                                const pve_endpoint **ep, json_t **path_params);

/* Looks an endpoint up by its exact key ("GET /nodes/{node}/qemu"); NULL when absent. */
const pve_endpoint *pve_schema_endpoint(const pve_schema *s, const char *key);

/* Validates every parameter of a request exactly like PVE::JSONSchema::validate.
 * `params` = path captures + query/body params; values are JSON strings (query string / form body)
 * or JSON scalars (JSON body: true/false allowed for booleans there; null = absent).
 * Checks unknown params, required params, types, minimum/maximum, minLength/maxLength, enum,
 * pattern, named formats, property-string formats, `requires`, and indexed options ("net[n]"
 * accepts net0..net31; ranges: net/ipconfig 0-31, ide 0-3, sata 0-5, scsi 0-30, virtio 0-15,
 * unused 0-255, hostpci 0-15, usb 0-13, serial 0-3, parallel 0-2, numa 0-7, virtiofs 0-9,
 * mp/dev 0-255, link 0-7, acmedomain 0-4, anything else 0-31).
 * Returns NULL when valid and, if `normalized` != NULL, sets *normalized to a NEW object with every
 * param coerced to its schema type (integer -> json integer, number -> real, boolean -> integer
 * 0/1, string -> string, array -> array). Otherwise returns a NEW object {param: message, ...}
 * (caller json_decref's) and leaves *normalized NULL. Several messages for one key are joined with
 * the two characters '\' 'n' (as PVE's add_error does). */
json_t *pve_schema_validate(const pve_endpoint *ep, const json_t *params, json_t **normalized);

/* Number of endpoints in the table (605 for PVE 8.4). */
size_t pve_schema_count(const pve_schema *s);

/* ---- lower-level pieces, shared with pve_propstr ---------------------------------------- */

/* PVE::JSONSchema::check_prop for one value: `value` NULL (or JSON null) = absent; adds messages
 * under `path` into the `errors` object. */
void pve_schema_check_prop(const json_t *value, const json_t *schema, const char *path,
                           json_t *errors);

/* Adds one message under `path` (joins with a literal "\n" when one exists, like add_error). */
void pve_schema_add_error(json_t *errors, const char *path, const char *msg);

/* Returns a NEW value coerced to the schema's type (see pve_schema_validate). `value` must have
 * passed pve_schema_check_prop. */
json_t *pve_schema_coerce(const json_t *value, const json_t *schema);

/* Perl's view of a scalar as text: strings as is, integers "%lld", reals "%.15g", true "1",
 * false "0". Returns a pointer to the string value or into buf; NULL for objects/arrays/null. */
const char *pve_value_str(const json_t *v, char *buf, size_t buflen);

/* Perl truthiness of a schema flag such as optional or default_key (1, "1", true); false for
 * NULL, null, false, "", "0" and 0. Used by the validator and by pve_propstr. */
bool pve_flag_true(const json_t *v);

#endif
