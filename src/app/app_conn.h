/* app_conn: the connection use cases the command line and the menu share: where the file is,
 * add (pinned certificate, encrypted secret), list, test, encrypt, default, delete. */
#ifndef DS_APP_CONN_H
#define DS_APP_CONN_H

#include <stddef.h>

#include "app/app_ctx.h"
#include "app/app_events.h"
#include "config/connections.h"
#include "pve/pve_certinfo.h"
#include "pve/pve_client.h"

/* The file: --connections, else ./connections_config.yml, else the XDG one (its folders made
 * 0700 when for_create). malloc'd, or NULL with ds_err. */
char *app_conn_path(const struct app_env *g, int for_create);

/* Loads the connections file (CONN_LOAD_* flags). APP_OK and *out (free with connections_free),
 * or a code after reporting why (APP_USAGE when there is no file or it is invalid). */
int app_conn_load(const struct app_env *g, const struct app_events *ev, unsigned flags,
                  struct connections **out);

/* The one builder from a connection to a PVE client: host, port, user, password or API token
 * ("user!token_name" + value), TLS verification and pin, 30 s per request. The client copies every
 * string, so c may be freed first; the caller frees the client (pve_client_free). NULL only when
 * out of memory. Not logged in yet (pve_client_login). */
pve_client *app_conn_client_new(const struct connection *c);

/* "pinned", "CA-verified" or "NOT verified" (static, untranslated: pass through _()). */
const char *app_conn_tls_state(const struct connection *c);
/* "missing", "plaintext", "encrypted (passphrase)" or "encrypted" (static, untranslated). */
const char *app_conn_secret_state(const struct connection *c);
/* "host:port" into buf. */
void app_conn_hostport(const struct connection *c, char *buf, size_t len);

/* The file as it is (secrets not decrypted), for a listing: APP_OK with *path (malloc'd) and
 * *out (connections_free), or a code (reported). */
int app_conn_list(const struct app_env *g, const struct app_events *ev, char **path,
                  struct connections **out);

/* The operations; each reports its result as notes (DATA) or errors and returns a code. */
int app_conn_test(const struct app_env *g, const struct app_events *ev, const char *name);
int app_conn_encrypt(const struct app_env *g, const struct app_events *ev);
int app_conn_default(const struct app_env *g, const struct app_events *ev, const char *name);
int app_conn_delete(const struct app_env *g, const struct app_events *ev, const char *name);

struct conn_add_req {
    const char *name;       /* [A-Za-z0-9_.-]{1,64}, no leading '-' or '.' */
    const char *host;       /* "host[:port]" */
    const char *user;       /* e.g. root@pam */
    const char *token_name; /* NULL: password login */
    int make_default;
};

/* How the caller takes part in `add` (the command line or the menu). */
struct conn_add_io {
    /* Called after the certificate was reported: 0 to pin it, else the code to stop with
     * (the callback says why). */
    int (*trust)(void *ud, const char *hostport, const struct pve_certinfo *ci);
    /* The password or token value ("password" / "API token value"): 0 and *out (malloc'd; the
     * add takes it and wipes it), or a code (said). */
    int (*secret)(void *ud, const char *what, char **out);
    void *ud;
};

/* Validates the request, connects, reports the certificate (subject, issuer, expiry, SHA-256),
 * asks io->trust, gets the secret, logs in through the pin, and saves the connection (replacing
 * one of the same name) with the fingerprint pinned and the secret encrypted, atomically, 0600.
 * Nothing is saved unless every step worked. Returns APP_OK or a code (reported). */
int app_conn_add(const struct app_env *g, const struct app_events *ev, const struct conn_add_req *r,
                 const struct conn_add_io *io);

#endif
