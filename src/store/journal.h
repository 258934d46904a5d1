/* journal: every run and every action in the SQLite state, written before a request is sent and
 * after its result, plus the per-stand lock that keeps two runs from interleaving. */
#ifndef DS_JOURNAL_H
#define DS_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

struct journal; /* one SQLite connection; callers serialise their use of it */

/* Opens the journal in the state database (`path`, or "<xdg_state_dir()>/state.db" when NULL),
 * creating its tables. 0 or -1 with ds_err. Free with journal_close. */
int journal_open(const char *path, struct journal **out);
/* Runs begun through this handle that were never ended get "nothing changed" (no action sent)
 * or "ended" here; a process that dies keeps them "interrupted". */
void journal_close(struct journal *j);

int journal_run_begin(struct journal *j, const char *command, const char *stand, long long *run_id);
int journal_run_end(struct journal *j, long long run_id, const char *result);

/* One planned action as the journal keeps it; the caller fills it from its plan (app/ does). The
 * strings are borrowed for the call only; NULL student/node: none. vmid 0: no VM. */
struct journal_entry {
    int action_id; /* the plan's id_base + id: an undo plan continues the ids of its run */
    const char *kind, *summary, *student, *node;
    int vmid;
};
/* Records the n entries as "planned", in one transaction. 0 or -1 with ds_err. */
int journal_plan(struct journal *j, long long run_id, const struct journal_entry *e, size_t n);
/* Moves one action to "sent", "done", "failed" or "skipped"; vmid is the VM it touched (0: none);
 * message may be NULL. */
int journal_action(struct journal *j, long long run_id, int action_id, const char *status, int vmid,
                   const char *message);

/* Who holds a stand's lock. */
struct journal_lock {
    long pid;
    char host[128], user[64], command[32];
    long long since, run_id;
};
/* Takes the lock of `stand` for this process. 0 taken (a lock left by a dead process on this
 * host is taken over); 1 held by a live run (described in *holder); -1 error. */
int journal_lock_stand(struct journal *j, const char *stand, const char *command, long long run_id,
                       struct journal_lock *holder);
void journal_unlock_stand(struct journal *j, const char *stand);

/* Listing for `deploy-stand runs`: the callbacks get one row each; return non-zero to stop. */
struct journal_run_row {
    long long id;
    const char *command, *stand, *result, *user, *host;
    long long started, finished; /* unix time; finished 0 while running or after a crash */
    long planned, done, failed;
};
int journal_runs(struct journal *j, const char *stand,
                 int (*fn)(const struct journal_run_row *, void *), void *ud);
struct journal_action_row {
    int action_id;
    const char *kind, *summary, *student, *node, *status, *message;
    int vmid;
    int64_t updated_ms; /* wall-clock Unix milliseconds of the last change */
};
/* 0, 1 when the run does not exist, -1 on error. */
int journal_run_actions(struct journal *j, long long run_id,
                        int (*fn)(const struct journal_action_row *, void *), void *ud);

#endif
