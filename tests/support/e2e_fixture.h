/* e2e_fixture: the one fixture of the end-to-end tests: pve-sim as a child, private XDG folders
 * with a connections file pinned to it, a root@pam session for direct API calls, runs of
 * deploy-stand.
 *
 * Who frees what: e2e_stop releases everything the fixture holds (simulator, temp folder); it is
 * safe on a zeroed or stopped fixture, so teardowns call it unconditionally. Strings and JSON the
 * helpers hand out (char ** outputs, json_t ** outputs, e2e_wait_task's result) belong to the
 * caller: free() / json_decref(). JSON returned as `json_t *` without "new" is borrowed from the
 * document passed in. */
#ifndef DS_TEST_E2E_FIXTURE_H
#define DS_TEST_E2E_FIXTURE_H

#include <jansson.h>

#include "ds_run.h"
#include "simproc.h"

struct e2e {
    struct simproc sp;
    struct ds_env env;
    char cookie[4096], csrf[512]; /* root@pam headers once e2e_login_root succeeded */
    int running;                  /* the simulator runs and env is set up */
};

/* Starts "pve-sim <sim_args>" (NULL-terminated, NULL = none) and the ds_env (connections file as
 * user/password, NULL = root@pam; users file of 3 students). 0, or -1 when the simulator did not
 * start (nothing to stop then). Does not assert, so it serves in cmocka setups. */
int e2e_start(struct e2e *f, const char *const *sim_args, const char *user, const char *password);
/* The fixture without a simulator, for commands that need none: the temp folder with the XDG
 * folders in it, the example stand and the users file (env.connections is ""). 0 or -1. */
int e2e_start_local(struct e2e *f);
/* Logs in root@pam on the simulator and keeps the session headers in f. 0 or -1. */
int e2e_login_root(struct e2e *f);
/* Stops the simulator and removes the temp folder; no-op when not running. */
void e2e_stop(struct e2e *f);

/* cmocka group/test setup and teardown: e2e_setup callocs a fixture, starts it as root@pam
 * (no root session) and stores it in *st; e2e_teardown stops and frees *st. */
int e2e_setup(void **st, const char *const *sim_args);
int e2e_teardown(void **st);
/* e2e_setup of e2e_start_local (no simulator); e2e_teardown ends it. */
int e2e_setup_local(void **st);

/* "<temp folder>/<rel>" (malloc'd). */
char *e2e_path(struct e2e *f, const char *rel);

/* An API request as root@pam ("/nodes/..." without "/api2/json"); asserts that an answer came,
 * returns the HTTP status and, when data is non-NULL, *data = the answer's "data" (new ref). */
long e2e_api(struct e2e *f, const char *method, const char *path, const char *body, json_t **data);
/* Polls the task on `node` until it stopped (60 s bound, ds_clock); returns its exit status
 * (malloc'd). Fails the test at the bound. */
char *e2e_wait_task(struct e2e *f, const char *node, const char *upid);
/* e2e_api that must answer 200 with a task, then waits for it and asserts it ended "OK". */
void e2e_run_task(struct e2e *f, const char *method, const char *node, const char *path,
                  const char *body);

/* Flags of e2e_cmd: "--output json" and "--yes" before the command. */
enum { E2E_JSON = 1, E2E_YES = 2 };
/* Runs "deploy-stand --connections <f> [--output json] [--yes] CMD --config CONFIG --users <f>
 * EXTRA..." (EXTRA NULL-terminated; config NULL = the example stand) and returns the exit code.
 * out/err (may be NULL) get stdout/stderr; doc (may be NULL) the stdout parsed as JSON (NULL when
 * it is not JSON). When the exit code is not 0 and err is NULL, stderr is shown on stderr. */
int e2e_cmd(struct e2e *f, unsigned flags, const char *cmd, const char *config, char **out,
            json_t **doc, char **err, ...);
int e2e_cmdv(struct e2e *f, unsigned flags, const char *cmd, const char *config, char **out,
             json_t **doc, char **err, const char *const *extra);

/* Runs "deploy-stand --connections <f> menu" with `input` on a pipe, then EOF; *out gets stdout
 * and stderr together. The exit code, or -1 when it did not end within 120 s or died from a
 * signal (ds_proc_wait). */
int e2e_menu(struct e2e *f, const char *input, char **out);

/* How many non-overlapping times `needle` stands in `hay`. */
size_t e2e_count(const char *hay, const char *needle);
/* Fails the test, showing `text` (called `what` in the message), unless it holds / lacks
 * `fragment`. */
void e2e_expect_in(const char *text, const char *fragment, const char *what);
void e2e_expect_not_in(const char *text, const char *fragment, const char *what);

/* The entry of `user` in a report's "students" array (borrowed); fails the test when missing. */
json_t *e2e_student(json_t *doc, const char *user);
/* In /__sim/state: the VM of `pool` named `name`, the VM `vmid`, the node `name` (borrowed). */
json_t *e2e_vm_named(json_t *state, const char *pool, const char *name);
/* The VMID of VM `name` in pool `pool` on the simulator now, its node into node[64]; fails the
 * test when there is none. */
int e2e_vm_of(struct e2e *f, const char *pool, const char *name, char node[64]);
json_t *e2e_vm_id(json_t *state, int vmid);
json_t *e2e_node(json_t *state, const char *name);
/* Objects of `stand` marked for `user` in the simulator: VMs, bridges and the user. */
int e2e_marked_objects(struct e2e *f, const char *stand, const char *user);
/* How many answers with `status` ("200", "403") the simulator gave to `method` requests whose
 * endpoint ends in `suffix`. */
long e2e_answers(struct e2e *f, const char *method, const char *suffix, const char *status);

#endif
