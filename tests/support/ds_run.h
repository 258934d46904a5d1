/* ds_run: helpers for end-to-end tests: run the deploy-stand binary against a simulator the test
 * started, with a private state folder and a connections file pinned to the simulator's cert. */
#ifndef DS_TEST_DS_RUN_H
#define DS_TEST_DS_RUN_H

#include <jansson.h>
#include <stddef.h>

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
/* The same without a simulator: the temp folder with XDG_STATE_HOME/XDG_CONFIG_HOME in it, the
 * example stand and a users file of 3 students; connections stays "". */
void ds_env_init_local(struct ds_env *e);
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
/* Runs "<bin_dir>/deploy-stand ARGS..." under valgrind (the words DS_VALGRIND_WRAP uses) with
 * stdin from /dev/null; fails the test when valgrind finds an error or a definite leak. Returns
 * the exit code, 127 when valgrind could not be started. */
int ds_run_valgrind(const char *bin_dir, char **out, char **err, const char *const *args);
/* The whole file (malloc'd, caller frees), NULL when it cannot be opened. */
char *ds_slurp(const char *path);

/* "$DS_BIN/deploy-stand ARGS..." in the background, for tests that talk to it, signal or kill it
 * while it runs. Its stdout and stderr go together (as 2>&1) into the file `out`. */
struct ds_proc {
    int pid;
    int in;       /* write end of the child's stdin (DS_PROC_PIPE), else -1 */
    char out[64]; /* the file with everything it printed */
};
enum { DS_PROC_PIPE = 1 }; /* stdin from a pipe (p->in); without it from /dev/null */
/* Starts the child; fails the test when it cannot. */
void ds_proc_start(struct ds_proc *p, unsigned flags, const char *const *args);
/* Writes all of text to the child's stdin; returns the bytes written (fewer when the child has
 * gone). */
size_t ds_proc_write(struct ds_proc *p, const char *text);
void ds_proc_close_in(struct ds_proc *p); /* EOF on the child's stdin */
/* What the child printed so far (malloc'd). */
char *ds_proc_output(const struct ds_proc *p);
/* Polls (bounded by limit_s, ds_clock) until the output holds text; 1 when it did, else 0. */
int ds_proc_wait_output(const struct ds_proc *p, const char *text, int limit_s);
/* Waits up to limit_s for the child's end (stdin is left as it is while waiting), then closes
 * stdin and removes the output file; *out (may be NULL) gets the output (malloc'd). Returns the
 * exit code, or -1 when it died from a signal or did not end in time (then it was killed). */
int ds_proc_wait(struct ds_proc *p, int limit_s, char **out);
/* SIGKILL, reap and clean up (the output is dropped); no-op once waited for or killed. */
void ds_proc_kill(struct ds_proc *p);
/* Starts ARGS with stdin a pipe, writes `input`, closes stdin and waits as ds_proc_wait does. */
int ds_proc_feed(const char *input, const char *const *args, int limit_s, char **out);

/* Sum of requests that change something (POST/PUT/DELETE except the login) in /__sim/stats. */
long ds_mutating_requests(const struct simproc *sp);
long ds_total_requests(const struct simproc *sp);
long ds_schema_violations(const struct simproc *sp);

#endif
