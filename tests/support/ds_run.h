/* ds_run: helpers for end-to-end tests: run the deploy-stand binary against a simulator the test
 * started, with a private state folder and a connections file pinned to the simulator's cert. */
#ifndef DS_TEST_DS_RUN_H
#define DS_TEST_DS_RUN_H

#include <jansson.h>

#include "simproc.h"

struct ds_env {
    char dir[256];         /* private temp folder: state, connections file, inputs */
    char connections[320]; /* connections_config.yml pinned to the simulator */
    char config[320];      /* the example stand */
    char users[320];       /* a users file written by ds_write_users */
};

/* Creates the temp folder, points XDG_STATE_HOME/XDG_CONFIG_HOME into it, and writes a
 * connections file for the simulator (user/password as given; NULL = root@pam). */
void ds_env_init(struct ds_env *e, const struct simproc *sp, const char *user,
                 const char *password);
void ds_env_free(struct ds_env *e); /* removes the folder */

/* Writes `text` to <dir>/<name> and returns the path (static buffer per call site: copy it). */
const char *ds_write_file(struct ds_env *e, const char *name, const char *text);
/* Writes users: [..] for the first n of student1..N@pve into e->users. */
void ds_write_users(struct ds_env *e, int n);

/* Runs "$DS_BIN/deploy-stand ARGS..." (NULL-terminated) with stdin from /dev/null; returns the
 * exit code and, when out/err are non-NULL, the captured stdout/stderr (malloc'd). */
int ds_run(char **out, char **err, const char *const *args);
/* The same with `input` on stdin (NULL = /dev/null). Runs fed on stdin are not wrapped in
 * valgrind (DS_VALGRIND_WRAP), as before the helpers were shared. */
int ds_run_in(const char *input, char **out, char **err, const char *const *args);
/* The whole file (malloc'd, caller frees), NULL when it cannot be opened. */
char *ds_slurp(const char *path);

/* Sum of requests that change something (POST/PUT/DELETE except the login) in /__sim/stats. */
long ds_mutating_requests(const struct simproc *sp);
long ds_total_requests(const struct simproc *sp);
long ds_schema_violations(const struct simproc *sp);

#endif
