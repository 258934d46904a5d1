/* sim_auth: PVE tickets and CSRF tokens (HMAC-signed with a per-start key), API token checks,
 * and the permission model (ACL propagation, pools, token privilege separation, check trees). */
#ifndef SIM_AUTH_H
#define SIM_AUTH_H

#include "sim_model.h"

#include <jansson.h>
#include <stddef.h>

struct sim_auth {
    unsigned char key[32]; /* signing key for tickets and CSRF tokens */
};

struct sim_identity {
    char userid[128]; /* "user@realm" */
    char tokenid[64]; /* token name, "" when authenticated by ticket */
    int is_root;      /* root@pam (or a root@pam token without privsep) */
};

void sim_auth_init(struct sim_auth *a); /* random key */

/* "PVE:<userid>:<8 hex time>::<base64 signature>" for time t into out. */
void sim_ticket_make(const struct sim_auth *a, const char *userid, long t, char *out,
                     size_t outlen);
/* 0 when the ticket is ours, unexpired (2 h, 5 min grace) at now; userid into out. Else -1. */
int sim_ticket_verify(const struct sim_auth *a, const char *ticket, long now, char *userid,
                      size_t userlen);
/* "<8 hex time>:<base64 HMAC-SHA256(time:userid)>" */
void sim_csrf_make(const struct sim_auth *a, const char *userid, long t, char *out, size_t outlen);
int sim_csrf_verify(const struct sim_auth *a, const char *token, const char *userid, long now);

/* 0 when the user exists, is enabled and not expired at now. */
int sim_user_usable(const struct sim_model *m, const char *userid, long now);
/* Checks "PVEAPIToken=USER@REALM!ID=SECRET" (value after "PVEAPIToken"/"PVEAPIToken="). Fills who.
 * 0 ok, -1 bad. */
int sim_token_verify(const struct sim_model *m, const char *value, long now,
                     struct sim_identity *who);

/* Effective privileges (new object priv -> 1) of who on path. */
json_t *sim_privs_at(const struct sim_model *m, const struct sim_identity *who, const char *path);
int sim_has_priv(const struct sim_model *m, const struct sim_identity *who, const char *path,
                 const char *priv);
/* Evaluates a schema "permissions" object for who with the request params. 1 = allowed; else 0
 * and the detail for "Permission check failed (<detail>)" in detail ("" = no detail). */
int sim_check_permissions(const struct sim_model *m, const struct sim_identity *who,
                          const json_t *permissions, const json_t *params, char *detail,
                          size_t detlen);

#endif
