/* crash_fx: the shared parts of the crash tests (test_crash_deploy, test_crash_destroy,
 * test_crash_reset; issue 10): the example stand "demo-lab" of 3 students deployed with
 * --strategy balanced on the classroom scenario, a census of what the cluster holds, the reference
 * census of one clean deploy, a command killed with SIGKILL at a kill point, and the checks after
 * the one re-run.
 *
 * Who frees what: nothing here hands out memory; crash_census reads /__sim/state and frees it. */
#ifndef DS_TEST_CRASH_FX_H
#define DS_TEST_CRASH_FX_H

#include <jansson.h>

#include "e2e_fixture.h"

#define CRASH_STAND "demo-lab"
#define CRASH_STUDENTS 3 /* the users file of the fixture */
#define CRASH_VMS 9      /* 3 machines each */

/* What the cluster holds, counted from /__sim/state (student VMs are those marked for a student
 * of the stand; copies those whose description is a template-copy mark). */
enum crash_field {
    CF_VMS,         /* student VMs */
    CF_DUP_VMS,     /* (student, machine name) pairs with more than one VM */
    CF_UNTAGGED,    /* student VMs without the stand's tag ds-demo-lab */
    CF_ON_VMBR0,    /* NICs of student VMs on vmbr0 without link_down=1 */
    CF_NO_BASELINE, /* student VMs without the snapshot 'start' */
    CF_LOCKED,      /* VMs with a lock (clone, migrate, rollback...) */
    CF_BRIDGES,     /* bridges marked for the stand (active network of every node) */
    CF_DUP_BRIDGES, /* marks found twice (a student's alias anywhere, a reserved one per node) */
    CF_PENDING,     /* nodes with pending network changes */
    CF_USERS,       /* users marked for the stand */
    CF_POOLS,       /* pools marked for the stand */
    CF_COPIES,      /* template copies */
    CF_DUP_COPIES,  /* (original, node) pairs with more than one copy */
    CF_BAD_COPIES,  /* copies that are no template or not on the node their mark names */
    CF_DUP_MACS,    /* MAC addresses used by more than one VM of the cluster */
    CF_LOCK_POOLS,  /* lock pools left on the cluster: the stand's ds-lock-*, copies' ds-copy-* */
    CF_ALL_VMS,     /* every VM of the cluster */
    CF_N
};
struct crash_census {
    int n[CF_N];
    char locks[256]; /* the lock pools' names, for the messages */
};
void crash_census(struct e2e *c, struct crash_census *k);

/* The reference: the scenario's VM count before any deploy and the census of one clean deploy. */
struct crash_ref {
    int vms_before;
    struct crash_census deployed;
};

/* cmocka setup: e2e_setup of the classroom scenario at --time-scale 0.003 (e2e_teardown ends it).
 */
int crash_setup(void **st);
/* Takes the reference from one clean deploy (checked against the plan), then destroys it and
 * sweeps the copies (both checked). */
void crash_reference(struct e2e *c, struct crash_ref *ref);

/* The commands the tests run and kill (with --yes; the example stand and the users file). */
extern const char *const CRASH_DEPLOY[];
extern const char *const CRASH_DESTROY[];
extern const char *const CRASH_RESET[];
extern const char *const CRASH_RECLONE[];
/* The end of `text` (NULL: "") that fits in out, "..." in front when cut. */
void crash_tail(char *out, size_t len, const char *text);
/* Runs the command; fails naming `label` when it does not exit 0. */
void crash_run(struct e2e *c, const char *const *cmd, const char *label);

/* Where a command is killed: once `done` of its actions are done in the journal (its runs only),
 * or once `reached` holds in /__sim/state, or (task != NULL) once `tasks` tasks of that type run.
 * While it runs, an optional fault rule (fault: kind, match) is on and, with hold, the model clock
 * is held still, or with step, held and moved on by 2 ms between two looks at the point (so that
 * a short moment cannot pass unseen on a busy machine); all of that ends after the kill. */
struct crash_point {
    const char *name; /* NULL: "after N done actions" */
    long done;
    int (*reached)(json_t *state);
    const char *task;
    int tasks;
    const char *fault, *match;
    int hold, step;
};
#define CRASH_N(a) (sizeof(a) / sizeof((a)[0]))
/* What a test does at one point: kill the command there (crash_kill_at with `no`), re-run, check.
 */
typedef void crash_step(struct e2e *c, const struct crash_ref *ref, const struct crash_point *p,
                        int no);
/* step for the points special[0..n_special), then one after each count of done[0..n_done),
 * numbered from first on. */
void crash_each(struct e2e *c, const struct crash_ref *ref, const struct crash_point *special,
                size_t n_special, const long *done, size_t n_done, int first, crash_step *step);

/* Starts cmd in the background and kills it with SIGKILL at point p (the no-th of its test); label
 * (len bytes) gets "kill point <no> (<name>; <done> actions done)" for the messages. Fails when
 * the command ended before the point or the point was not reached within 60 s. */
void crash_kill_at(struct e2e *c, const char *const *cmd, const struct crash_point *p, int no,
                   char *label, size_t len);

/* State conditions for crash_point.reached. */
int crash_at_copy_cloning(json_t *state);        /* a full clone tpl-* for a copy is under way */
int crash_at_copy_unconverted(json_t *state);    /* a marked copy is not a template yet */
int crash_at_copy_unmigrated(json_t *state);     /* a copy is still on another node than its own */
int crash_at_copy_migrating(json_t *state);      /* a copy is being migrated (lock migrate) */
int crash_at_pending(json_t *state);             /* a node has pending network changes */
int crash_at_clones_unconfigured(json_t *state); /* all 9 student VMs exist, none configured */
int crash_at_users_without_vms(json_t *state);   /* no student VM left, a student user is */

/* Points more than one test kills at. */
#define CRASH_AT_PENDING                                                                           \
    {                                                                                              \
        .name = "bridges changed, the network not applied (its apply dropped)",                    \
        .reached = crash_at_pending, .fault = "drop", .match = "PUT&/network"                      \
    }
#define CRASH_AT_UNCONFIGURED                                                                      \
    {                                                                                              \
        .name = "right after the clones, before configure (configure dropped)",                    \
        .reached = crash_at_clones_unconfigured, .fault = "drop",                                  \
        .match = "PUT&/config&ds-" CRASH_STAND                                                     \
    }
#define CRASH_AT_DESTROYS                                                                          \
    {                                                                                              \
        .name = "three VM destroys in flight (model time held)", .task = "qmdestroy", .tasks = 3,  \
        .hold = 1                                                                                  \
    }

/* After a re-run: the census is the reference's deployed one. */
void crash_expect_deployed(struct e2e *c, const struct crash_ref *ref, const char *label);
/* destroy, then: nothing of the stand but the reference's copies; sweep --templates, then: the
 * scenario's VMs only. */
void crash_destroy_and_sweep(struct e2e *c, const struct crash_ref *ref, const char *label);
/* The same two checks alone (after a destroy the caller ran). */
void crash_expect_destroyed(struct e2e *c, const struct crash_ref *ref, const char *label);
void crash_sweep_templates(struct e2e *c, const struct crash_ref *ref, const char *label);

/* Per student (for larger classes): marked VMs and bridges of `user` in `state`. */
void crash_student(json_t *state, const char *user, int *vms, int *bridges);

#endif
