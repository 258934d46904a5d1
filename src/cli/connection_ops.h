/* connection_ops: the connections-file operations behind `deploy-stand connection` and the menu:
 * where the file is, add (pinned certificate, encrypted secret), list, test, default, delete. */
#ifndef DS_CONNECTION_OPS_H
#define DS_CONNECTION_OPS_H

#include <stddef.h>

#include "cli/cli.h"
#include "config/connections.h"
#include "pve/pve_certinfo.h"
#include "pve/pve_client.h"

/* The file: --connections, else ./connections_config.yml, else the XDG one (its folders made
 * 0700 when for_create). malloc'd, or NULL with ds_err. */
char *conn_ops_path(const struct cli_globals *g, int for_create);

/* Loads the connections file (CONN_LOAD_* flags). 0 and *out (free with connections_free), or
 * an exit code after printing why (EXIT_USAGE when there is no file or it is invalid). */
int conn_ops_load(const struct cli_globals *g, unsigned flags, struct connections **out);

/* The one builder from a connection to a PVE client: host, port, user, password or API token
 * ("user!token_name" + value), TLS verification and pin, 30 s per request. The client copies every
 * string, so c may be freed first; the caller frees the client (pve_client_free). NULL only when
 * out of memory. Not logged in yet (pve_client_login). */
pve_client *conn_client_new(const struct connection *c);

/* "pinned", "CA-verified" or "NOT verified" (static). */
const char *conn_ops_tls_state(const struct connection *c);

/* The commands' bodies; each prints its result or error and returns an exit code. */
int conn_ops_list(const struct cli_globals *g);                   /* table, or JSON with g->json */
int conn_ops_test(const struct cli_globals *g, const char *name); /* name NULL: the default */
int conn_ops_encrypt(const struct cli_globals *g);
int conn_ops_default(const struct cli_globals *g, const char *name);
int conn_ops_delete(const struct cli_globals *g, const char *name); /* asks nothing */

struct conn_add_req {
    const char *name;       /* [A-Za-z0-9_.-]{1,64}, no leading '-' or '.' */
    const char *host;       /* "host[:port]" */
    const char *user;       /* e.g. root@pam */
    const char *token_name; /* NULL: password login */
    int make_default;
};

/* How the caller takes part in `add` (the command line or the menu). */
struct conn_add_io {
    /* Called after the certificate was printed: 0 to pin it, else the exit code to stop with
     * (the callback prints why). */
    int (*trust)(void *ud, const char *hostport, const struct pve_certinfo *ci);
    /* The password or token value ("password" / "API token value"): 0 and *out (malloc'd; the
     * add takes it and wipes it), or an exit code (printed). */
    int (*secret)(void *ud, const char *what, char **out);
    void *ud;
};

/* Validates the request, connects, prints the certificate (subject, issuer, expiry, SHA-256),
 * asks io->trust, gets the secret, logs in through the pin, and saves the connection (replacing
 * one of the same name) with the fingerprint pinned and the secret encrypted, atomically, 0600.
 * Nothing is saved unless every step worked. Returns 0 or an exit code (printed). */
int conn_ops_add(const struct cli_globals *g, const struct conn_add_req *r,
                 const struct conn_add_io *io);

#endif
