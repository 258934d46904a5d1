/* pve_transport: the libcurl side of the PVE client: one kept-alive connection to one host, TLS
 * checks and pinning, sending a request and capturing the answer, clear text for failed transfers.
 */
#ifndef DS_PVE_TRANSPORT_H
#define DS_PVE_TRANSPORT_H

#include "pve/pve_response.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct pve_transport_opts {
    const char *host;        /* hostname or IP, no port; not NULL */
    unsigned port;           /* not 0 */
    int plain_http;          /* 1 = http:// */
    int verify_tls;          /* 1 = verify against system CAs */
    const char *fingerprint; /* SHA-256 pin or NULL; a malformed one fails every send */
    long timeout_ms;         /* per request, > 0 */
};

/* The credentials one request carries (borrowed; NULL members are left out): an API token
 * (token_id set) or a ticket cookie with, for other methods than GET, its CSRF token. */
struct pve_auth {
    const char *token_id;
    const char *token_secret;
    const char *ticket;
    const char *csrf;
};

typedef struct pve_transport pve_transport;

/* Copies the strings; NULL on allocation failure. Free with pve_transport_free. */
pve_transport *pve_transport_new(const struct pve_transport_opts *o);
void pve_transport_free(pve_transport *t);

/* Sends one request and fills resp (cleared first). `path` is relative to /api2/json, unescaped;
 * `form` (may be NULL) is the body of POST/PUT, the query string of other methods. `auth` NULL
 * sends no credentials. *full (when full != NULL) gets the decoded body (new ref) or NULL.
 * Returns 0 when a response arrived (any status), -1 on transport failure (resp->status 0,
 * resp->message the clear text, never a secret). */
int pve_transport_send(pve_transport *t, const char *method, const char *path, const char *form,
                       const struct pve_auth *auth, struct pve_response *resp, json_t **full);

/* Why the last answer, of HTTP `status`, cannot be used although it is 2xx/3xx, written into
 * buf, or NULL: a redirect (never followed), a body that is not JSON (e.g. an HTML page from a
 * proxy), or one that is not a JSON object. */
const char *pve_transport_answer_problem(const pve_transport *t, long status, char *buf,
                                         size_t len);

/* "https://host:port" (owned by the transport). */
const char *pve_transport_base_url(const pve_transport *t);

/* Requests attempted (a request that failed to connect counts too). */
unsigned long pve_transport_request_count(const pve_transport *t);

/* true when the last request failed because the certificate did not match the pin. */
bool pve_transport_pin_mismatch(const pve_transport *t);

#endif
