/* connections: loads and validates connections_config.yml (named Proxmox endpoints with password
 * or API-token credentials, TLS settings), decrypts its enc:v1 secrets, picks the one to use. */
#ifndef DS_CONNECTIONS_H
#define DS_CONNECTIONS_H

#include <stddef.h>

#include "util/diag.h"

struct connection {
    char *name;       /* the mapping key */
    char *host;       /* host part of "host[:port]"; an IPv6 address keeps its brackets ("[::1]") */
    unsigned port;    /* 1..65535, default 8006 */
    char *user;       /* pve-userid, e.g. "root@pam" */
    int use_token;    /* default 0 */
    char *password;   /* required unless use_token; NULL otherwise when absent. Secret. */
    char *token_name; /* required with use_token: [A-Za-z][A-Za-z0-9._-]+ */
    char *token_value; /* required with use_token. Secret. */
    int verify_ssl;    /* default 1 */
    char *fingerprint; /* NULL or normalized "AA:BB:..." (32 bytes, upper-case hex) */
    int is_default;    /* `default: true`; at most one connection has it */
    int line, col;     /* position of the connection's name */
    /* Where things are in the file (1-based; 0 when absent), for line-level edits: */
    int value_line, value_col;             /* the connection's mapping */
    int password_line, password_col;       /* the password scalar */
    int token_value_line, token_value_col; /* the token_value scalar */
    int default_line, default_col;         /* the `default:` value */
    int password_enc;                      /* 1 when the file holds the password as enc:v1 */
    int token_value_enc;                   /* 1 when the file holds the token value as enc:v1 */
};

struct connections {
    char *path;               /* as given */
    struct connection *items; /* file order, at least one */
    size_t n;
    size_t n_plaintext; /* secrets written in plaintext in the file */
};

/* Flags for connections_load_ex / connections_load_text_ex. */
enum {
    CONN_LOAD_QUIET = 1,       /* no warning about plaintext secrets */
    CONN_LOAD_RAW_SECRETS = 2, /* keep enc:v1 values as written (no key needed, no decryption) */
};

/* Loads and validates. Returns 0 and *out (free with connections_free; it owns every string and
 * wipes the secrets), or -1 and *out = NULL after appending every problem to diags. Secrets never
 * appear in diagnostics. `password` and `token_value` may be enc:v1 values (store/secrets.h):
 * they are decrypted, and a value that cannot be is reported at its line:col ("cannot decrypt
 * 'password': <why>; check the key file ... / DEPLOY_STAND_PASSPHRASE"). Plaintext secrets are
 * still read, with ONE warning on stderr naming the file and `deploy-stand connection encrypt
 * --connections FILE` (never the secret). */
int connections_load(const char *path, struct connections **out, struct diag_list *diags);
int connections_load_text(const char *display_name, const char *text, size_t len,
                          struct connections **out, struct diag_list *diags);
/* The same with CONN_LOAD_* flags. */
int connections_load_ex(const char *path, unsigned flags, struct connections **out,
                        struct diag_list *diags);
int connections_load_text_ex(const char *display_name, const char *text, size_t len, unsigned flags,
                             struct connections **out, struct diag_list *diags);

/* name == NULL: the one with default: true, else the only one, else error. NULL + ds_err when not
 * found/ambiguous ("connection 'x' not found in FILE; known: a, b"). The result points into c. */
const struct connection *connections_pick(const struct connections *c, const char *name);

void connections_free(struct connections *c);

/* Normalizes a SHA-256 fingerprint given as 64 hex digits, with or without ':' between every
 * byte, any case, into "AA:BB:..." (95 chars + NUL). Returns 0, or -1 when malformed. */
int connections_fingerprint_normalize(const char *in, char out[96]);

#endif
