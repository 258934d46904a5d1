/* state: deploy-stand's local SQLite state file (WAL mode, created 0600): students' credentials so
 * they can be shown again, and a row per command run. */
#ifndef DS_STATE_H
#define DS_STATE_H

struct state; /* opaque; safe to share between threads (serialized connection) */

/* path NULL = "<xdg_state_dir()>/state.db". Creates the file 0600 (and tightens an existing one to
 * 0600), switches it to WAL and creates or checks the schema. 0 and *out (close with state_close),
 * or -1 with ds_err. */
int state_open(const char *path, struct state **out);
void state_close(struct state *st);

/* Credentials of students: kept so they can be shown again (a later issue will encrypt them).
 * put inserts or replaces. All return 0 or -1 with ds_err (which never contains the password). */
int state_cred_put(struct state *st, const char *stand, const char *userid, const char *password);
/* 0 and *password (malloc'd, the caller frees) when known; 1 when unknown; -1 error. */
int state_cred_get(struct state *st, const char *stand, const char *userid, char **password);
/* Deleting an unknown credential is not an error. */
int state_cred_delete(struct state *st, const char *stand, const char *userid);

/* Runs: a row per command run (id, command, stand, started, finished, result); times are Unix
 * seconds. stand may be NULL. Used by later issues. */
int state_run_begin(struct state *st, const char *command, const char *stand, long long *run_id);
/* -1 when run_id is unknown. */
int state_run_end(struct state *st, long long run_id, const char *result);

#endif
