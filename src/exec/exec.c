/* exec: the executor's scheduler. Worker threads take ready actions (all dependencies done) while
 * their node has a free slot; a failure fails only its student, whose objects are then undone. */
#include "exec/exec.h"
#include "ds_clock.h"
#include "exec/exec_internal.h"
#include "exec/exec_order.h"
#include "pve/pve_client.h"
#include "util/err.h"
#include "util/i18n.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz);
    if (!p)
        abort();
    return p;
}

/* The last action of a student says how the student ended (not for undo plans). */
static void emit_student_end(struct exec *e, const struct action *a, enum exec_event_type t)
{
    if (e->p->undo || !a || a->student < 0 ||
        (t != EXEC_DONE && t != EXEC_FAILED && t != EXEC_SKIPPED) || e->left[a->student] == 0 ||
        --e->left[a->student] > 0)
        return;
    const struct run_student *rs = &e->r->students[a->student];
    struct exec_event se = {.type = rs->failed ? EXEC_STUDENT_FAILED : EXEC_STUDENT_OK,
                            .plan = e->p,
                            .student = a->student,
                            .message = rs->error,
                            .done = e->finished,
                            .total = e->p->n_acts};
    e->o->on_event(&se, e->o->ud);
}

void exec_emit(struct exec *e, enum exec_event_type t, const struct action *a, const char *msg,
               int64_t elapsed_ns)
{
    if (!e->o->on_event)
        return;
    struct exec_event ev = {.type = t,
                            .plan = e->p,
                            .action = a,
                            .student = a ? a->student : -1,
                            .message = msg,
                            .done = e->finished,
                            .total = e->p->n_acts,
                            .elapsed_ns = elapsed_ns,
                            .vmid = a ? exec_action_vmid(e, a) : 0};
    char line[1400];
    if (e->p->undo && a) { /* an undo step: one line for people, the step for the journal */
        exec_undo_message(e, t, a, msg, line, sizeof line);
        ev.type = EXEC_ROLLBACK;
        ev.step = t;
        ev.message = line;
        ev.done = e->shown_done;
        ev.total = e->shown_total;
    }
    e->o->on_event(&ev, e->o->ud);
    emit_student_end(e, a, t);
}

static struct node_slot *slot_for(struct exec *e, const char *node)
{
    for (size_t i = 0; i < e->n_slots; i++) {
        if ((!node && !e->slots[i].node) ||
            (node && e->slots[i].node && strcmp(node, e->slots[i].node) == 0))
            return &e->slots[i];
    }
    return NULL;
}

static void slots_init(struct exec *e)
{
    e->slots = xcalloc(e->p->n_acts + 1, sizeof *e->slots);
    e->slots[0].node = NULL;
    e->slots[0].limit = e->slots[0].max = 2; /* user.cfg writes are serialised by PVE anyway */
    e->n_slots = 1;
    for (size_t i = 0; i < e->p->n_acts; i++) {
        const char *node = e->p->acts[i].node;
        if (node && !slot_for(e, node)) {
            e->slots[e->n_slots].node = strdup(node);
            e->slots[e->n_slots].limit = e->slots[e->n_slots].max =
                e->o->per_node > 0 ? e->o->per_node : 4;
            e->n_slots++;
        }
    }
}

static enum run_state st_of(const struct exec *e, size_t i)
{
    return e->r->acts[i].state;
}

/* 1 when every dependency of a is done, 0 while some still run or wait, -1 when one can never be
 * done. A shared step (a node's network apply, say) does not wait for the steps of a student who
 * already failed: that student is rolled back, and the others must not fail with them. In an
 * undo plan every step is tried once the ones before it ended, however they ended. */
static int deps_state(const struct exec *e, const struct action *a)
{
    int all_done = 1;
    for (size_t i = 0; i < a->n_deps; i++) {
        const struct action *d = &e->p->acts[a->deps[i]];
        enum run_state s = st_of(e, (size_t)a->deps[i]);
        if (a->student < 0 && d->student >= 0 && e->r->students[d->student].failed &&
            s != RUN_RUNNING && !e->p->undo)
            continue;
        if ((s == RUN_FAILED || s == RUN_SKIPPED) && !e->p->undo)
            return -1;
        if (s == RUN_PENDING || s == RUN_RUNNING)
            all_done = 0;
    }
    return all_done;
}

static void student_fail(struct exec *e, int s, const char *msg)
{
    if (s < 0)
        return;
    struct run_student *rs = &e->r->students[s];
    if (!rs->failed) {
        rs->failed = 1;
        rs->error = strdup(msg);
    }
}

static void act_end(struct exec *e, size_t i, enum run_state st, const char *err)
{
    struct run_action *ra = &e->r->acts[i];
    ra->state = st;
    if (err) {
        free(ra->error);
        ra->error = strdup(err);
    }
    e->finished++;
}

/* Marks actions that can never run: a dependency failed, or their student already failed.
 * Callers hold e->mu. */
static void skip_doomed(struct exec *e)
{
    int changed = 1;
    while (changed && !e->p->undo) {
        changed = 0;
        for (size_t i = 0; i < e->p->n_acts; i++) {
            const struct action *a = &e->p->acts[i];
            if (st_of(e, i) != RUN_PENDING)
                continue;
            int doomed = deps_state(e, a) < 0;
            if (a->student >= 0 && e->r->students[a->student].failed)
                doomed = 1;
            if (!doomed)
                continue;
            char msg[512];
            snprintf(msg, sizeof msg, _("not done because a step it needs failed: %s"), a->summary);
            act_end(e, i, RUN_SKIPPED, msg);
            changed = 1;
            if (a->student >= 0 && !e->r->students[a->student].failed)
                student_fail(e, a->student, msg);
            exec_emit(e, EXEC_SKIPPED, a, NULL, 0);
        }
    }
}

/* A synchronous call on a node (a bridge, a VM's config) starts no task: it holds no task slot
 * of the node. Cluster-wide calls keep their slot (user.cfg writes are serialised anyway). */
static int takes_slot(const struct action *a)
{
    return !a->node || !exec_is_sync(a->kind);
}

/* Next runnable action: of the ready ones whose node has a free slot, the one with the longest
 * chain of work behind it (the critical path), the earliest on a tie; -1 when none. Callers hold
 * e->mu. */
static int pick(struct exec *e)
{
    int best = -1;
    for (size_t i = 0; i < e->p->n_acts; i++) {
        const struct action *a = &e->p->acts[i];
        if (st_of(e, i) != RUN_PENDING || (best >= 0 && e->prio[i] <= e->prio[best]) ||
            deps_state(e, a) != 1)
            continue;
        struct node_slot *sl = slot_for(e, a->node);
        if (!takes_slot(a) || sl->running < sl->limit)
            best = (int)i;
    }
    return best;
}

static int all_finished(const struct exec *e)
{
    return e->finished >= e->p->n_acts;
}

/* Runs action i (taken by pick) and records how it ended. Called with e->mu held. */
static void run_one(struct exec *e, struct pve_client *c, size_t i)
{
    const struct action *a = &e->p->acts[i];
    struct node_slot *sl = slot_for(e, a->node);
    e->r->acts[i].state = RUN_RUNNING;
    int slot = takes_slot(a);
    sl->running += slot;
    if (sl->running > sl->max_seen)
        sl->max_seen = sl->running;
    exec_emit(e, EXEC_STARTED, a, NULL, 0);
    pthread_mutex_unlock(&e->mu);

    int64_t t0 = ds_clock_mono_ns();
    int rc = exec_action_run(e, c, a, sl);
    int64_t took = ds_clock_mono_ns() - t0;
    char err[1200];
    snprintf(err, sizeof err, "%s", rc < 0 ? ds_err_last() : "");
    enum pve_err_class cls = rc < 0 ? pve_err_last() : PVE_OK;

    pthread_mutex_lock(&e->mu);
    sl->running -= slot;
    act_end(e, i, rc >= 0 ? RUN_DONE : RUN_FAILED, rc < 0 ? err : NULL);
    e->r->acts[i].cls = (int)cls;
    e->r->acts[i].elapsed_ns = took;
    e->r->acts[i].noop = rc == 1;
    if (rc < 0) {
        if (a->student >= 0 && !e->p->undo)
            student_fail(e, a->student, err);
        else if (!e->p->undo) /* shared step: every student that needs it fails (skip_doomed) */
            exec_emit(e, EXEC_FAILED, a, err, took);
    }
    if (rc >= 0 || a->student >= 0 || e->p->undo)
        exec_emit(e, rc >= 0 ? EXEC_DONE : EXEC_FAILED, a, rc >= 0 ? NULL : err, took);
    pthread_cond_broadcast(&e->cv);
}

static void *worker(void *arg)
{
    struct exec *e = arg;
    struct pve_client *c = pve_client_dup(e->base);
    pthread_mutex_lock(&e->mu);
    for (;;) {
        skip_doomed(e);
        if (all_finished(e))
            break;
        int i = c ? pick(e) : -1;
        if (i < 0) {
            if (!c) { /* cannot talk to the cluster: leave the work to the others */
                pthread_mutex_unlock(&e->mu);
                return NULL;
            }
            pthread_cond_wait(&e->cv, &e->mu);
            continue;
        }
        run_one(e, c, (size_t)i);
    }
    pthread_cond_broadcast(&e->cv);
    pthread_mutex_unlock(&e->mu);
    pve_client_free(c);
    return NULL;
}

static void exec_init(struct exec *e, const struct plan *p)
{
    pthread_mutex_init(&e->mu, NULL);
    pthread_cond_init(&e->cv, NULL);
    e->left = xcalloc(p->n_students + 1, sizeof *e->left);
    for (size_t i = 0; i < p->n_acts; i++)
        if (p->acts[i].student >= 0)
            e->left[p->acts[i].student]++;
    slots_init(e);
    int maxid = 0;
    size_t n_vms = 0;
    e->vm_base = xcalloc(p->n_students + 1, sizeof *e->vm_base);
    for (size_t s = 0; s < p->n_students; s++) {
        e->vm_base[s] = n_vms;
        n_vms += p->students[s].n_vms;
        for (size_t i = 0; i < p->students[s].n_vms; i++)
            if (p->students[s].vms[i].vmid > maxid)
                maxid = p->students[s].vms[i].vmid;
    }
    e->waited = xcalloc(n_vms + 1, 1);
    e->copy_waited = xcalloc(p->n_copies + 1, 1);
    e->copy_held = xcalloc(p->n_copies + 1, 1);
    e->copy_adopted = xcalloc(p->n_copies + 1, 1);
    e->user_pw = xcalloc(p->n_students + 1, sizeof *e->user_pw);
    e->user_cred = xcalloc(p->n_students + 1, sizeof *e->user_cred);
    e->next_vmid = maxid + 1;
    e->next_bridge = PLAN_BRIDGE_FIRST;
    e->prio = exec_order_priorities(p);
}

static void exec_fini(struct exec *e)
{
    for (size_t i = 0; i < e->p->n_copies; i++) /* copies that failed or were skipped */
        exec_copy_end(e, e->base, (int)i);
    for (size_t i = 0; i < e->n_slots; i++)
        free(e->slots[i].node);
    free(e->slots);
    free(e->left);
    free(e->vm_base);
    free(e->waited);
    free(e->copy_waited);
    free(e->prio);
    free(e->copy_held);
    free(e->copy_adopted);
    for (size_t s = 0; s < e->p->n_students; s++)
        if (e->user_pw[s]) {
            sodium_memzero(e->user_pw[s], strlen(e->user_pw[s]));
            free(e->user_pw[s]);
        }
    free(e->user_pw);
    free(e->user_cred);
    pthread_mutex_destroy(&e->mu);
    pthread_cond_destroy(&e->cv);
}

static void run_workers(struct exec *e)
{
    /* default: enough workers to fill every node's slots, plus the cluster-wide ones */
    int per_node = e->o->per_node > 0 ? e->o->per_node : 4;
    int nworkers = e->o->workers > 0 ? e->o->workers : (int)(e->n_slots - 1) * per_node + 2;
    if (nworkers > 64)
        nworkers = 64;
    if ((size_t)nworkers > e->p->n_acts)
        nworkers = e->p->n_acts ? (int)e->p->n_acts : 1;
    pthread_t *th = xcalloc((size_t)nworkers, sizeof *th);
    int started = 0;
    for (int i = 0; i < nworkers; i++)
        if (pthread_create(&th[i], NULL, worker, e) == 0)
            started++;
        else
            break;
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    free(th);
    if (all_finished(e))
        return;
    /* the workers could not get a connection: fail what is left */
    pthread_mutex_lock(&e->mu);
    for (size_t i = 0; i < e->p->n_acts; i++)
        if (st_of(e, i) == RUN_PENDING) {
            const char *msg = _("could not connect to the cluster");
            act_end(e, i, RUN_FAILED, msg);
            if (!e->p->undo)
                student_fail(e, e->p->acts[i].student, msg);
        }
    pthread_mutex_unlock(&e->mu);
}

int exec_plan_run(const struct plan *p, struct pve_client *c, const struct exec_opts *o,
                  const struct exec *parent, struct plan_result **r)
{
    *r = NULL;
    if (p->n_problems)
        return ds_err_set(ngettext("the plan has %zu problem(s); nothing was changed",
                                   "the plan has %zu problem(s); nothing was changed",
                                   p->n_problems),
                          p->n_problems);
    struct exec e = {.p = p, .o = o, .base = c, .rng = 0x9e3779b9u, .r = plan_result_new(p)};
    if (parent) {
        e.shown_done = parent->finished;
        e.shown_total = parent->p->n_acts;
    }
    exec_init(&e, p);
    run_workers(&e);
    if (p->kind == PLAN_DEPLOY && !p->undo)
        exec_undo(&e);
    for (size_t s = 0; s < p->n_students; s++)
        e.r->n_failed += e.r->students[s].failed;
    exec_fini(&e);
    *r = e.r;
    return 0;
}

int exec_run(const struct plan *p, struct pve_client *c, const struct exec_opts *o,
             struct plan_result **out)
{
    if (exec_plan_run(p, c, o, NULL, out) < 0)
        return -1;
    return (*out)->n_failed;
}

void exec_result_to_plan(struct plan *p, const struct plan_result *r)
{
    for (size_t s = 0; s < p->n_students && s < r->n_students; s++) {
        struct plan_student *ps = &p->students[s];
        const struct run_student *rs = &r->students[s];
        ps->failed = rs->failed;
        free(ps->error);
        ps->error = rs->error ? strdup(rs->error) : NULL;
        if (rs->password || ps->cred == CRED_NEW) {
            free(ps->password);
            ps->password = rs->password ? strdup(rs->password) : NULL;
        }
        for (size_t i = 0; i < ps->n_vms; i++)
            ps->vms[i].vmid = rs->vmids[i];
    }
    for (size_t i = 0; i < p->n_copies && i < r->n_copies; i++)
        p->copies[i].vmid = r->copy_vmids[i];
    /* bridges that moved to another name (another run took the planned one meanwhile) */
    for (size_t i = 0; i < p->n_acts && i < r->n_acts; i++) {
        const struct action *a = &p->acts[i];
        if (a->kind != ACT_BRIDGE_CREATE || !r->acts[i].moved_to || a->student < 0)
            continue;
        struct plan_student *ps = &p->students[a->student];
        for (size_t b = 0; b < ps->n_bridges; b++)
            if (strcmp(ps->bridges[b].node, a->node) == 0 &&
                strcmp(ps->bridges[b].iface, a->target) == 0) {
                free(ps->bridges[b].iface);
                ps->bridges[b].iface = strdup(r->acts[i].moved_to);
            }
    }
}
