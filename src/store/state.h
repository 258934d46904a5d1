/* state: deploy-stand's local SQLite state file (WAL mode, created 0600 in a 0700 folder):
 * students' credentials (encrypted at rest) so they can be shown again. Runs are in
 * store/journal.h.
 */
#ifndef DS_STATE_H
#define DS_STATE_H

struct state; /* opaque; safe to share between threads (serialized connection) */

/* path NULL = "<xdg_state_dir()>/state.db". Creates the file 0600 (and tightens an existing one to
 * 0600), switches it to WAL and creates or checks the schema. 0 and *out (close with state_close),
 * or -1 with ds_err. */
int state_open(const char *path, struct state **out);
void state_close(struct state *st);

/* Credentials of students: kept so they can be shown again, keyed by stand, user and credential id.
 * The id is the random `cred=` word the user's mark carries on its cluster (plan/marks.h), so the
 * same stand deployed to two clusters keeps two passwords; NULL or "" is the key of users made by
 * older versions (whose marks name no id). put inserts or replaces; the column holds the password
 * encrypted with store/secrets.h (secret_encrypt: the key file, or DEPLOY_STAND_PASSPHRASE). All
 * return 0 or -1 with ds_err (which never contains the password). */
int state_cred_put(struct state *st, const char *stand, const char *userid, const char *cred,
                   const char *password);
/* 0 and *password (malloc'd plaintext; the caller wipes and frees it, e.g. secret_free) when known;
 * 1 when unknown; -1 error (also when the stored value cannot be decrypted: wrong key file or
 * passphrase). Rows written in plaintext by older versions are returned as they are. */
int state_cred_get(struct state *st, const char *stand, const char *userid, const char *cred,
                   char **password);
/* Deleting an unknown credential is not an error. */
int state_cred_delete(struct state *st, const char *stand, const char *userid, const char *cred);

#endif
