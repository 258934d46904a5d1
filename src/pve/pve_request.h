/* pve_request: what the PVE client puts on the wire before sending: percent-encoded URLs, form
 * bodies and query strings, and the check of each request against the embedded PVE schema. */
#ifndef DS_PVE_REQUEST_H
#define DS_PVE_REQUEST_H

#include <jansson.h>
#include <stdbool.h>

/* Percent-encodes s (RFC 3986 unreserved chars kept; in path mode also '@' ':' and '!' kept).
 * Returns malloc'd string (caller frees) or NULL on allocation failure. */
char *pve_url_encode(const char *s, bool path_mode);

/* Converts params to the strings PVE receives: strings as-is, integers in decimal, booleans 1/0,
 * reals in %.15g. Returns a NEW object of strings, or NULL (ds_err set) for other value types. */
json_t *pve_params_to_strings(const json_t *params);

/* "k=v&k2=v2" with keys sorted, both sides percent-encoded (a form body or a query string).
 * `strings` is an object of strings (pve_params_to_strings). Returns malloc'd text ("" when empty).
 */
char *pve_params_encode(const json_t *strings);

/* base_url + "/api2/json" + path with each segment percent-encoded, + "?query" when query is
 * non-empty (may be NULL). Returns malloc'd text (caller frees), NULL when memory ran out. */
char *pve_request_url(const char *base_url, const char *path, const char *query);

/* The embedded PVE schema is shared by every client: each client takes a reference when made
 * and drops it when freed; the schema is loaded with the first and freed with the last. */
void pve_request_schema_ref(void);
void pve_request_schema_unref(void);

/* Validates method + path + params (an object of strings, borrowed) against the schema. 0 ok;
 * -1 with ds_err "internal error: refusing to send METHOD PATH: <why>" (secret values not shown).
 */
int pve_request_check(const char *method, const char *path, const json_t *strings);

#endif
