/* pve_client: one authenticated connection to the Proxmox VE HTTP API (libcurl + jansson).
 * Ticket or API-token auth, schema-checked requests, PVE error envelopes made into clear errors. */
#ifndef DS_PVE_CLIENT_H
#define DS_PVE_CLIENT_H

#include "pve/pve_request.h" /* pve_url_encode, pve_params_to_strings, pve_params_encode */
#include "pve/pve_response.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pve_conn_opts {
    const char *host;         /* hostname or IP, no port */
    unsigned port;            /* default 8006 when 0 */
    int plain_http;           /* 1 = http:// (only for the simulator's --http mode) */
    const char *user;         /* "root@pam" (ticket auth) */
    const char *password;     /* ticket auth when non-NULL */
    const char *token_id;     /* "user@realm!name": token auth when non-NULL */
    const char *token_secret; /* the token UUID */
    int verify_tls;           /* 1 = verify against system CAs (default) */
    const char *fingerprint;  /* SHA-256 pin "AA:BB:..." (any case, colons optional); when set, the
                                 server cert must match it exactly (checked during the TLS handshake,
                                 before any request is sent) and CA verification is not required */
    long timeout_ms;          /* per request; default 30000 */
};

typedef struct pve_client pve_client;

/* Copies every string; returns NULL only on allocation failure. A malformed `fingerprint` is
 * reported by pve_client_login / pve_call (never silently ignored). Free with pve_client_free. */
pve_client *pve_client_new(const struct pve_conn_opts *o);
void pve_client_free(pve_client *c);

/* Logs in (ticket) or checks the token (GET /version). 0 ok; -1 with a clear ds_err_last():
 *  "cannot connect to https://127.0.0.1:1/: Connection refused" / "authentication failed for
 *  root@pam at ...: wrong user or password" / "TLS certificate of 127.0.0.1:8006 does not match the
 *  pinned fingerprint (got AB:..., expected CD:...)" / "TLS certificate of ... cannot be verified:
 *  ...; set `fingerprint:` to pin it or `verify_ssl: false`". */
int pve_client_login(pve_client *c);

/* One API call. `path` is relative to /api2/json (e.g. "/nodes/pve1/qemu/100/clone"), unescaped:
 * each segment is percent-encoded on the wire. `params` is an object of strings/integers/booleans
 * (may be NULL; borrowed). Before sending, the request is validated against the embedded PVE
 * schema; a request the schema would reject is NOT sent: returns -1 with ds_err "internal error:
 * refusing to send METHOD PATH: <param>: <msg>". Returns 0 for HTTP 200. Otherwise -1 with `resp`
 * filled (if non-NULL) and ds_err_last() = "<METHOD> <path>: <status> <message>[ (<param>: <msg>;
 * ...)]". Connection failures: status 0, message = the clear text. Re-logs in once and retries on
 * 401 when using tickets. `resp` must be zeroed or cleared; it is cleared first, filled on success
 * too, and the caller clears it. A pve_client is used by one thread at a time. */
int pve_call(pve_client *c, const char *method, const char *path, const json_t *params,
             struct pve_response *resp);

/* pve_call that also returns the whole decoded body (new ref, or NULL when there was none) in
 * *body when body != NULL; e.g. for the top-level "changes" of GET /nodes/{node}/network. */
int pve_call_full(pve_client *c, const char *method, const char *path, const json_t *params,
                  struct pve_response *resp, json_t **body);

/* A new client with the same options and the same (copied) ticket, for another thread.
 * NULL on allocation failure. */
pve_client *pve_client_dup(pve_client *c);

/* Counters for tests and benchmarks: HTTP requests attempted (logins included; a request that
 * failed to connect counts too, one refused by the schema check does not). */
unsigned long pve_client_request_count(const pve_client *c);

/* Base URL "https://host:port" (owned by the client). */
const char *pve_client_base_url(const pve_client *c);

/* Replaces the clock used for ticket age, in Unix seconds (default: ds_clock_wall_s()); now ==
 * NULL restores it.
 * A ticket older than PVE_TICKET_RENEW_S is renewed by logging in again before the next call. */
#define PVE_TICKET_RENEW_S (105 * 60)
void pve_client_set_clock(pve_client *c, int64_t (*now)(void *ctx), void *ctx);

/* A transport seam, for tests: when set, every request of the client (logins included) goes to
 * fn instead of libcurl. fn gets `ud`, the method, the path (relative to /api2/json, unescaped) and
 * the form (the POST/PUT body or the query string: "k=v&..." percent-encoded, keys sorted; "" when
 * none); it returns the HTTP status and sets *body to a malloc'd JSON text (the client frees it;
 * NULL for an empty body). The real message goes in the body's "message", as PVE >= 8.3 sends it.
 * Status 0 means no answer (a reset connection, PVE_ERR_TRANSIENT; *body, when set, the reason).
 * The schema check still runs first; TLS and pinning do not apply. pve_client_dup copies fn and
 * ud, so fn must be thread-safe when the copies run on other threads (the executor's workers).
 * fn NULL restores libcurl (the default). */
typedef long (*pve_transport_fn)(void *ud, const char *method, const char *path, const char *form,
                                 char **body);
void pve_client_set_transport(pve_client *c, pve_transport_fn fn, void *ud);

/* true when the client holds a ticket (ticket auth, logged in). */
bool pve_client_has_ticket(const pve_client *c);

/* true when the client's last request failed because the node's certificate did not match the
 * pinned fingerprint (whatever language the error text is in); false for c == NULL. */
bool pve_client_pin_mismatch(const pve_client *c);

#endif
