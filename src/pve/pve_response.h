/* pve_response: the answer of one Proxmox VE API call (status, message, data, errors and the
 * failure's class): parsing the envelope, describing it for people, freeing it. */
#ifndef DS_PVE_RESPONSE_H
#define DS_PVE_RESPONSE_H

#include "pve/pve_error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct pve_response {
    long status;    /* HTTP status, 0 when no response (connection error) */
    char *message;  /* status-line text, or the body "message" (first line) when present; owned */
    json_t *data;   /* the "data" member (new ref) or NULL */
    json_t *errors; /* the "errors" object (new ref) or NULL */
    enum pve_err_class err_class; /* PVE_OK for 2xx, else what kind of failure (pve_error.h) */
};
/* Frees the members and zeroes the struct (safe on a zeroed struct). */
void pve_response_clear(struct pve_response *r);

/* true for PVE's transient failures (pve_err_classify of status, message and errors is
 * PVE_ERR_LOCKED or PVE_ERR_TRANSIENT): lock timeouts ("got timeout", "got lock request timeout"),
 * "VM is locked", 5xx other than 500 and 501 (500 is PVE's generic error and only counts with
 * the lock messages), 595-599 (proxy failures), and status 0 (connection refused/reset/timeout). */
bool pve_response_is_transient(const struct pve_response *r);

/* Writes "<status> <message>[ (<param>: <msg>; ...)]" for an HTTP error (params sorted), or the
 * message alone for status 0, into buf. Returns buf. */
const char *pve_response_describe(const struct pve_response *r, char *buf, size_t len);

/* Parses a response body (may be NULL/empty) into r's message/data/errors/err_class for HTTP
 * `status` with status-line text `status_text` (may be NULL). The body "message" (first line)
 * wins over the status text. Returns 0, or -1 when a non-empty body is not a JSON object (r still
 * filled). */
int pve_response_parse(struct pve_response *r, long status, const char *status_text,
                       const char *body, size_t len, json_t **full);

/* Keys of an object, sorted; malloc'd array of borrowed strings (NULL when empty or no memory);
 * *n gets the number of keys (0 when NULL is returned). The caller frees the array only. */
const char **pve_json_sorted_keys(const json_t *o, size_t *n);

#endif
