/* exec: the executor. Worker threads take ready actions (all dependencies done) while their node
 * has a free slot; a failure fails only its student, whose objects from this run are then undone.
 */
#include "exec/exec.h"
#include "exec/retry.h"
#include "ds_clock.h"
#include "plan/marks.h"
#include "pve/pve_api.h"
#include "pve/pve_client.h"
#include "store/state.h"
#include "util/err.h"
#include "util/password.h"
#include "util/i18n.h"
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum act_state { A_PENDING, A_RUNNING, A_DONE, A_FAILED, A_SKIPPED };

struct exec {
    struct plan *p;
    const struct exec_opts *o;
    struct pve_client *base;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    enum act_state *st;
    struct node_slot *slots;
    size_t n_slots;
    size_t finished;
    int next_vmid; /* ids handed out when a planned one turns out to be taken */
    size_t *left;  /* per student: actions not finished yet */
    unsigned rng;
};

/* Callers hold e->mu. */
static void emit(struct exec *e, enum exec_event_type t, const struct action *a, const char *msg,
                 int64_t elapsed_ns)
{
    if (!e->o->on_event)
        return;
    struct exec_event ev = {.type = t,
                            .action = a,
                            .student = a ? a->student : -1,
                            .message = msg,
                            .done = e->finished,
                            .total = e->p->n_acts,
                            .elapsed_ns = elapsed_ns};
    e->o->on_event(&ev, e->o->ud);
    /* the last action of a student says how the student ended */
    if (a && a->student >= 0 && (t == EXEC_DONE || t == EXEC_FAILED || t == EXEC_SKIPPED) &&
        e->left[a->student] > 0 && --e->left[a->student] == 0) {
        const struct plan_student *ps = &e->p->students[a->student];
        struct exec_event se = {.type = ps->failed ? EXEC_STUDENT_FAILED : EXEC_STUDENT_OK,
                                .student = a->student,
                                .message = ps->error,
                                .done = e->finished,
                                .total = e->p->n_acts};
        e->o->on_event(&se, e->o->ud);
    }
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
    e->slots = calloc(e->p->n_acts + 1, sizeof *e->slots);
    if (!e->slots)
        abort();
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

/* 1 when every dependency of a is done, 0 while some still run or wait, -1 when one can never be
 * done. A shared step (a node's network apply, say) does not wait for the steps of a student who
 * already failed: that student is rolled back, and the others must not fail with them. */
static int deps_state(const struct exec *e, const struct action *a)
{
    int all_done = 1;
    for (size_t i = 0; i < a->n_deps; i++) {
        const struct action *d = &e->p->acts[a->deps[i]];
        enum act_state s = e->st[a->deps[i]];
        if (a->student < 0 && d->student >= 0 && e->p->students[d->student].failed &&
            s != A_RUNNING)
            continue;
        if (s == A_FAILED || s == A_SKIPPED)
            return -1;
        if (s != A_DONE)
            all_done = 0;
    }
    return all_done;
}

static void student_fail(struct exec *e, int s, const char *msg)
{
    if (s < 0)
        return;
    struct plan_student *ps = &e->p->students[s];
    if (!ps->failed) {
        ps->failed = 1;
        ps->error = strdup(msg);
    }
}

/* Marks actions that can never run: a dependency failed, or their student already failed.
 * Callers hold e->mu. */
static void skip_doomed(struct exec *e)
{
    int changed = 1;
    while (changed) {
        changed = 0;
        for (size_t i = 0; i < e->p->n_acts; i++) {
            struct action *a = &e->p->acts[i];
            if (e->st[i] != A_PENDING)
                continue;
            int doomed = deps_state(e, a) < 0;
            if (a->student >= 0 && e->p->students[a->student].failed)
                doomed = 1;
            if (!doomed)
                continue;
            e->st[i] = A_SKIPPED;
            e->finished++;
            changed = 1;
            if (a->student >= 0 && !e->p->students[a->student].failed) {
                char msg[512];
                snprintf(msg, sizeof msg, _("not done because a step it needs failed: %s"),
                         a->summary);
                student_fail(e, a->student, msg);
            }
            emit(e, EXEC_SKIPPED, a, NULL, 0);
        }
    }
}

/* Next runnable action, or -1. Callers hold e->mu. */
static int pick(struct exec *e)
{
    for (size_t i = 0; i < e->p->n_acts; i++) {
        if (e->st[i] != A_PENDING || deps_state(e, &e->p->acts[i]) != 1)
            continue;
        struct node_slot *sl = slot_for(e, e->p->acts[i].node);
        if (sl->running < sl->limit)
            return (int)i;
    }
    return -1;
}

static int all_finished(const struct exec *e)
{
    return e->finished >= e->p->n_acts;
}

/* ---- the actions ------------------------------------------------------------------------ */

static int vmid_is_free(struct pve_client *c, int vmid)
{
    json_t *params = json_pack("{s:i}", "vmid", vmid);
    struct pve_response r = {0};
    int rc = pve_call(c, "GET", "/cluster/nextid", params, &r);
    json_decref(params);
    int free_ = rc == 0;
    /* 400 "VM N already exists": answered, taken */
    int answered = rc == 0 || r.err_class == PVE_ERR_EXISTS || r.err_class == PVE_ERR_INPUT;
    pve_response_clear(&r);
    return answered ? free_ : -1;
}

/* The next id after the plan's, still inside the stand's block; -1 when the block is used up. */
static int next_candidate(struct exec *e)
{
    pthread_mutex_lock(&e->mu);
    int id = e->next_vmid <= e->p->vmid_max ? e->next_vmid++ : -1;
    pthread_mutex_unlock(&e->mu);
    return id;
}

/* Clones src (on node) to *vmid, first checking the id is free and moving to the next candidate
 * when another client took it (before the check or in the race after it). */
static int clone_free_id(struct exec *e, struct pve_client *c, const char *node, int src, int *vmid,
                         const struct pve_clone_opts *co)
{
    for (int moves = 0; moves < 20; moves++) {
        int freeid = vmid_is_free(c, *vmid);
        if (freeid < 0)
            return -1;
        if (freeid == 0) {
            if ((*vmid = next_candidate(e)) < 0)
                break;
            continue;
        }
        if (pve_vm_clone_wait(c, node, src, *vmid, co, e->o->task_timeout_s) == 0)
            return 0;
        if (pve_err_last() != PVE_ERR_EXISTS) /* "config file already exists", "File exists" */
            return -1;
        if ((*vmid = next_candidate(e)) < 0) /* lost a race for the id: take the next one */
            break;
    }
    return ds_err_set(_("could not find a free VMID in the stand's range (20 tries)"));
}

static int do_clone(struct exec *e, struct pve_client *c, const struct action *a,
                    struct plan_student *ps, struct plan_vm *vm)
{
    struct pve_clone_opts co = {.name = vm->name,
                                .pool = ps->pool,
                                .description = a->comment,
                                .full = vm->full,
                                .target = strcmp(vm->node, vm->src_node) != 0 ? vm->node : NULL};
    int src = vm->copy >= 0 ? e->p->copies[vm->copy].vmid : vm->src_vmid;
    return clone_free_id(e, c, vm->src_node, src, &vm->vmid, &co);
}

/* Waits until a VM an earlier (interrupted) run left locked is free again: its clone task keeps
 * running on the cluster after the client died. Bounded by the task timeout. */
static int wait_unlocked(struct exec *e, struct pve_client *c, const char *node, int vmid)
{
    int64_t start = ds_clock_mono_ns(), pause = 50 * DS_NS_PER_MS;
    for (;;) {
        json_t *st = NULL;
        if (pve_vm_status(c, node, vmid, &st) < 0)
            return -1;
        const char *lock = json_string_value(json_object_get(st, "lock"));
        char held[32];
        snprintf(held, sizeof held, "%s", lock ? lock : "");
        json_decref(st);
        if (!held[0])
            return 0;
        if (ds_clock_mono_ns() - start > e->o->task_timeout_s * DS_NS_PER_S)
            return ds_err_set(_("VM %d on %s is still locked (%s) after %d s"), vmid, node, held,
                              e->o->task_timeout_s);
        ds_clock_sleep_ns(pause);
        pause = pause * 2 > 2 * DS_NS_PER_S ? 2 * DS_NS_PER_S : pause * 2;
    }
}

static int do_copy_action(struct exec *e, struct pve_client *c, const struct action *a)
{
    struct plan_copy *pc = &e->p->copies[a->copy];
    int to = e->o->task_timeout_s;
    if (pc->locked && a->kind != ACT_TPL_COPY) {
        if (wait_unlocked(e, c, pc->orig_node, pc->vmid) < 0)
            return -1;
        pc->locked = 0;
    }
    if (a->kind == ACT_TPL_COPY) {
        struct pve_clone_opts co = {.name = pc->name, .description = pc->description, .full = 1};
        return clone_free_id(e, c, pc->orig_node, pc->orig, &pc->vmid, &co);
    }
    if (a->kind == ACT_TPL_CONVERT) {
        json_t *params = json_pack("{s:s}", "tags", MARK_TAG ";" MARK_COPY_TAG);
        int rc = pve_vm_config_set(c, pc->orig_node, pc->vmid, params);
        json_decref(params);
        return rc < 0 ? rc : pve_vm_template_wait(c, pc->orig_node, pc->vmid, to);
    }
    return pve_vm_migrate_wait(c, pc->orig_node, pc->vmid, pc->node, to);
}

/* Teardown steps whose object is already gone (deleted by hand, or by a run that died after the
 * request) have reached their goal. */
static int is_teardown(enum action_kind k)
{
    return k == ACT_VM_STOP || k == ACT_VM_DESTROY || k == ACT_POOL_DELETE ||
           k == ACT_USER_DELETE || k == ACT_BRIDGE_DELETE || k == ACT_ACL_REVOKE;
}

static int do_action_once(struct exec *e, struct pve_client *c, struct action *a);

static int do_action(struct exec *e, struct pve_client *c, struct action *a)
{
    int rc = do_action_once(e, c, a);
    /* a retried conversion whose first attempt went through: the copy is a template already */
    if (rc < 0 && a->kind == ACT_TPL_CONVERT && pve_err_last() == PVE_ERR_EXISTS) {
        ds_err_clear();
        return 0;
    }
    if (rc < 0 && is_teardown(a->kind) && pve_err_last() == PVE_ERR_NOT_FOUND) {
        if (a->kind == ACT_USER_DELETE && e->o->state) {
            pthread_mutex_lock(&e->mu);
            state_cred_delete(e->o->state, e->p->stand, a->target);
            pthread_mutex_unlock(&e->mu);
        }
        ds_err_clear();
        return 0;
    }
    return rc;
}

static int do_action_once(struct exec *e, struct pve_client *c, struct action *a)
{
    struct plan_student *ps = a->student >= 0 ? &e->p->students[a->student] : NULL;
    struct plan_vm *vm = ps && a->vm >= 0 ? &ps->vms[a->vm] : NULL;
    int to = e->o->task_timeout_s;
    switch (a->kind) {
    case ACT_USER_CREATE: {
        char pw[80];
        if (password_generate(&e->p->password_policy, pw, sizeof pw) < 0)
            return -1;
        if (e->o->state) {
            pthread_mutex_lock(&e->mu);
            int rc = state_cred_put(e->o->state, e->p->stand, ps->userid, pw);
            pthread_mutex_unlock(&e->mu);
            if (rc < 0)
                return ds_err_wrap(_("saving the password of %s"), ps->userid);
        }
        int rc = pve_user_create(c, ps->userid, pw, a->comment);
        if (rc == 0) {
            pthread_mutex_lock(&e->mu);
            free(ps->password);
            ps->password = strdup(pw);
            pthread_mutex_unlock(&e->mu);
        }
        memset(pw, 0, sizeof pw);
        return rc;
    }
    case ACT_POOL_CREATE:
        return pve_pool_create(c, a->target, a->comment);
    case ACT_ACL_GRANT:
        return pve_acl_set(c, a->target, a->role, ps->userid, 1, 0);
    case ACT_ACL_REVOKE:
        return pve_acl_set(c, a->target, a->role, ps->userid, 1, 1);
    case ACT_BRIDGE_CREATE: {
        struct pve_bridge_opts bo = {
            .vlan_aware = a->vlan_aware, .comments = a->comment, .autostart = 1};
        return pve_net_bridge_create(c, a->node, a->target, &bo);
    }
    case ACT_BRIDGE_DELETE:
        return pve_net_iface_delete(c, a->node, a->target);
    case ACT_NET_APPLY:
        return pve_net_apply_wait(c, a->node, to);
    case ACT_VM_CLONE:
        return do_clone(e, c, a, ps, vm);
    case ACT_VM_CONFIGURE:
        if (vm->locked && wait_unlocked(e, c, vm->node, vm->vmid) < 0)
            return -1;
        vm->locked = 0;
        return pve_vm_config_set(c, vm->node, vm->vmid, a->params);
    case ACT_VM_STOP:
    case ACT_VM_DESTROY:
        if (vm->locked && wait_unlocked(e, c, vm->node, vm->vmid) < 0)
            return -1;
        vm->locked = 0;
        return a->kind == ACT_VM_STOP ? pve_vm_stop_wait(c, vm->node, vm->vmid, to)
                                      : pve_vm_destroy_wait(c, vm->node, vm->vmid, 1, to);
    case ACT_POOL_DELETE:
        return pve_pool_delete(c, a->target);
    case ACT_TPL_COPY:
    case ACT_TPL_CONVERT:
    case ACT_TPL_MIGRATE:
        return do_copy_action(e, c, a);
    case ACT_USER_DELETE: {
        int rc = pve_user_delete(c, a->target);
        if (rc == 0 && e->o->state) {
            pthread_mutex_lock(&e->mu);
            state_cred_delete(e->o->state, e->p->stand, a->target);
            pthread_mutex_unlock(&e->mu);
        }
        return rc;
    }
    }
    return ds_err_set(_("unknown action"));
}

static int run_with_retries(struct exec *e, struct pve_client *c, struct action *a,
                            struct node_slot *sl)
{
    int retries = e->o->retries > 0 ? e->o->retries : 5;
    for (int attempt = 0;; attempt++) {
        ds_err_clear();
        if (do_action(e, c, a) == 0) {
            pthread_mutex_lock(&e->mu);
            retry_slot_success(sl);
            pthread_mutex_unlock(&e->mu);
            return 0;
        }
        enum pve_err_class cls = pve_err_last();
        if (attempt >= retries || !retry_worth(cls))
            return -1;
        pthread_mutex_lock(&e->mu);
        retry_slot_failure(sl, cls);
        char msg[1200];
        snprintf(msg, sizeof msg, _("attempt %d failed, retrying: %s"), attempt + 1, ds_err_last());
        emit(e, EXEC_RETRY, a, msg, 0);
        int64_t backoff_ms = retry_backoff_ms(attempt, &e->rng);
        pthread_mutex_unlock(&e->mu);
        ds_clock_sleep_ns(backoff_ms * DS_NS_PER_MS);
    }
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
        struct action *a = &e->p->acts[i];
        struct node_slot *sl = slot_for(e, a->node);
        e->st[i] = A_RUNNING;
        sl->running++;
        if (sl->running > sl->max_seen)
            sl->max_seen = sl->running;
        emit(e, EXEC_STARTED, a, NULL, 0);
        pthread_mutex_unlock(&e->mu);

        int64_t t0 = ds_clock_mono_ns();
        int rc = run_with_retries(e, c, a, sl);
        char err[1200];
        snprintf(err, sizeof err, "%s", rc < 0 ? ds_err_last() : "");

        pthread_mutex_lock(&e->mu);
        sl->running--;
        e->finished++;
        e->st[i] = rc == 0 ? A_DONE : A_FAILED;
        if (rc < 0) {
            if (a->student >= 0)
                student_fail(e, a->student, err);
            else /* shared step: every student that needs it fails through skip_doomed */
                emit(e, EXEC_FAILED, a, err, ds_clock_mono_ns() - t0);
        }
        if (rc == 0 || a->student >= 0)
            emit(e, rc == 0 ? EXEC_DONE : EXEC_FAILED, a, rc == 0 ? NULL : err,
                 ds_clock_mono_ns() - t0);
        pthread_cond_broadcast(&e->cv);
    }
    pthread_cond_broadcast(&e->cv);
    pthread_mutex_unlock(&e->mu);
    pve_client_free(c);
    return NULL;
}

/* ---- rollback of a failed student -------------------------------------------------------- */

#define UNDO(rc, call)                                                                             \
    do {                                                                                           \
        for (int undo_k = 0; ((rc) = (call)) < 0 && retry_undo_again(undo_k); undo_k++)            \
            ;                                                                                      \
    } while (0)

static void rollback_note(struct exec *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void rollback_note(struct exec *e, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&e->mu);
    emit(e, EXEC_ROLLBACK, NULL, msg, 0);
    pthread_mutex_unlock(&e->mu);
}

static int vm_is_ours(struct pve_client *c, const struct plan_vm *vm, const char *stand,
                      const char *student)
{
    json_t *cfg = NULL;
    if (pve_vm_config_get(c, vm->node, vm->vmid, &cfg) < 0)
        return 0;
    int ours = mark_is(json_string_value(json_object_get(cfg, "description")), stand, student);
    json_decref(cfg);
    return ours;
}

static void rollback_student(struct exec *e, struct pve_client *c, int s, char ***apply_nodes,
                             size_t *n_apply)
{
    struct plan *p = e->p;
    struct plan_student *ps = &p->students[s];
    char undone[1024] = "";
    size_t ul = 0;
    int to = e->o->task_timeout_s;
    for (size_t i = 0; i < p->n_acts; i++) {
        struct action *a = &p->acts[i];
        if (a->student != s || a->kind != ACT_VM_CLONE || e->st[i] == A_PENDING ||
            e->st[i] == A_SKIPPED)
            continue;
        struct plan_vm *vm = &ps->vms[a->vm];
        if (!vm_is_ours(c, vm, p->stand, ps->userid))
            continue;
        int rc;
        UNDO(rc, pve_vm_stop_wait(c, vm->node, vm->vmid, to));
        UNDO(rc, pve_vm_destroy_wait(c, vm->node, vm->vmid, 1, to));
        if (rc == 0) {
            rollback_note(e, _("%s: removed VM %d '%s'"), ps->userid, vm->vmid, vm->name);
            char vmtxt[64];
            snprintf(vmtxt, sizeof vmtxt, _("VM %d"), vm->vmid);
            if (ul < sizeof undone)
                ul += (size_t)snprintf(undone + ul, sizeof undone - ul, "%s%s", ul ? ", " : "",
                                       vmtxt);
        } else {
            rollback_note(e, _("%s: could not remove VM %d: %s"), ps->userid, vm->vmid,
                          ds_err_last());
        }
    }
    for (size_t i = 0; i < p->n_acts && ul < sizeof undone; i++) {
        struct action *a = &p->acts[i];
        if (a->student != s || e->st[i] != A_DONE)
            continue;
        int rc = 1;
        const char *what = NULL;
        if (a->kind == ACT_BRIDGE_CREATE) {
            UNDO(rc, pve_net_iface_delete(c, a->node, a->target));
            what = _("bridge");
            if (rc == 0) {
                int seen = 0;
                for (size_t k = 0; k < *n_apply; k++)
                    seen |= strcmp((*apply_nodes)[k], a->node) == 0;
                if (!seen) {
                    *apply_nodes = realloc(*apply_nodes, (*n_apply + 1) * sizeof **apply_nodes);
                    (*apply_nodes)[(*n_apply)++] = strdup(a->node);
                }
            }
        } else if (a->kind == ACT_ACL_GRANT && ps->user_exists) {
            UNDO(rc, pve_acl_set(c, a->target, a->role, ps->userid, 1, 1));
            what = _("role");
        }
        if (what) {
            if (rc == 0)
                ul += (size_t)snprintf(undone + ul, sizeof undone - ul, "%s%s %s", ul ? ", " : "",
                                       what, a->target);
            else
                rollback_note(e, _("%s: could not remove %s %s: %s"), ps->userid, what, a->target,
                              ds_err_last());
        }
    }
    /* pool and user last: the pool must be empty, the user owns the ACL */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < p->n_acts; i++) {
            struct action *a = &p->acts[i];
            enum action_kind want = pass == 0 ? ACT_POOL_CREATE : ACT_USER_CREATE;
            if (a->student != s || a->kind != want || e->st[i] != A_DONE)
                continue;
            int rc;
            UNDO(rc, pass == 0 ? pve_pool_delete(c, a->target) : pve_user_delete(c, a->target));
            if (rc == 0) {
                ul += (size_t)snprintf(undone + ul, sizeof undone - ul, "%s%s %s", ul ? ", " : "",
                                       pass == 0 ? _("pool") : _("user"), a->target);
                if (pass == 1 && e->o->state)
                    state_cred_delete(e->o->state, p->stand, a->target);
                if (pass == 1) {
                    free(ps->password);
                    ps->password = NULL;
                }
            } else {
                rollback_note(e, _("%s: could not remove %s %s: %s"), ps->userid,
                              pass == 0 ? _("pool") : _("user"), a->target, ds_err_last());
            }
        }
    }
    if (ul) {
        char *err = NULL;
        if (asprintf(&err, _("%s (rolled back: %s)"), ps->error ? ps->error : _("failed"),
                     undone) >= 0) {
            free(ps->error);
            ps->error = err;
        }
        rollback_note(e, _("%s: rolled back %s"), ps->userid, undone);
    }
}

/* A template copy whose preparation failed half-way is removed again (it carries our mark). */
static void rollback_copies(struct exec *e, struct pve_client *c)
{
    struct plan *p = e->p;
    for (size_t i = 0; i < p->n_acts; i++) {
        struct action *a = &p->acts[i];
        if (a->kind != ACT_TPL_MIGRATE || e->st[i] == A_DONE)
            continue;
        struct plan_copy *pc = &p->copies[a->copy];
        const char *nodes[] = {pc->orig_node, pc->node};
        for (int k = 0; k < 2; k++) {
            json_t *cfg = NULL;
            int of = 0;
            char digest[64];
            if (pve_vm_config_get(c, nodes[k], pc->vmid, &cfg) < 0)
                continue;
            int ours = mark_copy_parse(json_string_value(json_object_get(cfg, "description")), &of,
                                       digest, sizeof digest) &&
                       of == pc->orig;
            json_decref(cfg);
            if (!ours)
                continue;
            int rc;
            UNDO(rc, pve_vm_destroy_wait(c, nodes[k], pc->vmid, 1, e->o->task_timeout_s));
            if (rc == 0)
                rollback_note(e, _("removed the unfinished template copy %d on %s"), pc->vmid,
                              nodes[k]);
            else
                rollback_note(e, _("could not remove the unfinished template copy %d on %s: %s"),
                              pc->vmid, nodes[k], ds_err_last());
            break;
        }
    }
}

static void rollback(struct exec *e)
{
    if (e->p->kind != PLAN_DEPLOY)
        return;
    struct pve_client *c = pve_client_dup(e->base);
    if (!c)
        return;
    rollback_copies(e, c);
    char **apply_nodes = NULL;
    size_t n_apply = 0;
    for (size_t s = 0; s < e->p->n_students; s++)
        if (e->p->students[s].failed)
            rollback_student(e, c, (int)s, &apply_nodes, &n_apply);
    for (size_t i = 0; i < n_apply; i++) {
        int rc;
        UNDO(rc, pve_net_apply_wait(c, apply_nodes[i], e->o->task_timeout_s));
        if (rc == 0)
            rollback_note(e, _("applied the network of %s after removing bridges"), apply_nodes[i]);
        else
            rollback_note(e, _("could not apply the network of %s: %s"), apply_nodes[i],
                          ds_err_last());
        free(apply_nodes[i]);
    }
    free(apply_nodes);
    pve_client_free(c);
}

int exec_run(struct plan *p, struct pve_client *c, const struct exec_opts *o)
{
    if (p->n_problems)
        return ds_err_set(ngettext("the plan has %zu problem(s); nothing was changed",
                                   "the plan has %zu problem(s); nothing was changed",
                                   p->n_problems),
                          p->n_problems);
    struct exec e = {.p = p, .o = o, .base = c, .rng = 0x9e3779b9u};
    pthread_mutex_init(&e.mu, NULL);
    pthread_cond_init(&e.cv, NULL);
    e.st = calloc(p->n_acts + 1, sizeof *e.st);
    e.left = calloc(p->n_students + 1, sizeof *e.left);
    if (!e.st || !e.left)
        abort();
    for (size_t i = 0; i < p->n_acts; i++)
        if (p->acts[i].student >= 0)
            e.left[p->acts[i].student]++;
    slots_init(&e);
    int maxid = 0;
    for (size_t s = 0; s < p->n_students; s++)
        for (size_t i = 0; i < p->students[s].n_vms; i++)
            if (p->students[s].vms[i].vmid > maxid)
                maxid = p->students[s].vms[i].vmid;
    e.next_vmid = maxid + 1;

    /* default: enough workers to fill every node's slots, plus the cluster-wide ones */
    int per_node = o->per_node > 0 ? o->per_node : 4;
    int nworkers = o->workers > 0 ? o->workers : (int)(e.n_slots - 1) * per_node + 2;
    if (nworkers > 64)
        nworkers = 64;
    if ((size_t)nworkers > p->n_acts)
        nworkers = p->n_acts ? (int)p->n_acts : 1;
    pthread_t *th = calloc((size_t)nworkers, sizeof *th);
    int started = 0;
    for (int i = 0; i < nworkers; i++)
        if (pthread_create(&th[i], NULL, worker, &e) == 0)
            started++;
        else
            break;
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    free(th);
    int rc = 0;
    if (!all_finished(&e)) {
        /* the workers could not get a connection: fail what is left */
        pthread_mutex_lock(&e.mu);
        for (size_t i = 0; i < p->n_acts; i++)
            if (e.st[i] == A_PENDING) {
                e.st[i] = A_FAILED;
                student_fail(&e, p->acts[i].student, _("could not connect to the cluster"));
            }
        pthread_mutex_unlock(&e.mu);
    }
    rollback(&e);
    for (size_t s = 0; s < p->n_students; s++)
        rc += p->students[s].failed;
    for (size_t i = 0; i < e.n_slots; i++)
        free(e.slots[i].node);
    free(e.slots);
    free(e.st);
    free(e.left);
    pthread_mutex_destroy(&e.mu);
    pthread_cond_destroy(&e.cv);
    return rc;
}

void exec_action_describe(const struct plan *p, const struct action *a, char *object, size_t olen,
                          char *request, size_t rlen)
{
    const struct plan_student *ps = a->student >= 0 ? &p->students[a->student] : NULL;
    const struct plan_vm *vm = ps && a->vm >= 0 ? &ps->vms[a->vm] : NULL;
    const struct plan_copy *pc = a->copy >= 0 ? &p->copies[a->copy] : NULL;
    switch (a->kind) {
    case ACT_USER_CREATE:
    case ACT_USER_DELETE:
        snprintf(object, olen, "user %s", a->target);
        snprintf(request, rlen, "%s /access/users%s%s%s",
                 a->kind == ACT_USER_CREATE ? "POST" : "DELETE",
                 a->kind == ACT_USER_CREATE ? " userid=" : "/", a->target,
                 a->kind == ACT_USER_CREATE ? " password=*** comment=(mark)" : "");
        return;
    case ACT_POOL_CREATE:
    case ACT_POOL_DELETE:
        snprintf(object, olen, "pool %s", a->target);
        snprintf(request, rlen, "%s /pools%s%s", a->kind == ACT_POOL_CREATE ? "POST" : "DELETE",
                 a->kind == ACT_POOL_CREATE ? " poolid=" : "/", a->target);
        return;
    case ACT_ACL_GRANT:
    case ACT_ACL_REVOKE:
        snprintf(object, olen, "ACL %s %s %s", a->target, a->role, ps ? ps->userid : "?");
        snprintf(request, rlen, "PUT /access/acl path=%s roles=%s users=%s%s", a->target, a->role,
                 ps ? ps->userid : "?", a->kind == ACT_ACL_REVOKE ? " delete=1" : "");
        return;
    case ACT_BRIDGE_CREATE:
    case ACT_BRIDGE_DELETE:
        snprintf(object, olen, "bridge %s on %s", a->target, a->node);
        if (a->kind == ACT_BRIDGE_CREATE)
            snprintf(request, rlen, "POST /nodes/%s/network iface=%s type=bridge%s", a->node,
                     a->target, a->vlan_aware ? " bridge_vlan_aware=1" : "");
        else
            snprintf(request, rlen, "DELETE /nodes/%s/network/%s", a->node, a->target);
        return;
    case ACT_NET_APPLY:
        snprintf(object, olen, "network of %s", a->node);
        snprintf(request, rlen, "PUT /nodes/%s/network", a->node);
        return;
    case ACT_VM_CLONE:
        snprintf(object, olen, "VM %d on %s", vm->vmid, vm->node);
        snprintf(request, rlen, "POST /nodes/%s/qemu/%d/clone newid=%d name=%s pool=%s full=%d",
                 vm->src_node, vm->copy >= 0 ? p->copies[vm->copy].vmid : vm->src_vmid, vm->vmid,
                 vm->name, ps->pool, vm->full);
        return;
    case ACT_VM_CONFIGURE:
    case ACT_VM_STOP:
    case ACT_VM_DESTROY:
        snprintf(object, olen, "VM %d on %s", vm->vmid, vm->node);
        if (a->kind == ACT_VM_CONFIGURE) {
            char *params = json_dumps(a->params, JSON_COMPACT | JSON_SORT_KEYS);
            snprintf(request, rlen, "PUT /nodes/%s/qemu/%d/config %s", vm->node, vm->vmid,
                     params ? params : "");
            free(params);
        } else if (a->kind == ACT_VM_STOP) {
            snprintf(request, rlen, "POST /nodes/%s/qemu/%d/status/stop", vm->node, vm->vmid);
        } else {
            snprintf(request, rlen, "DELETE /nodes/%s/qemu/%d purge=1", vm->node, vm->vmid);
        }
        return;
    case ACT_TPL_COPY:
        snprintf(object, olen, "template copy %d of %d", pc->vmid, pc->orig);
        snprintf(request, rlen, "POST /nodes/%s/qemu/%d/clone newid=%d name=%s full=1",
                 pc->orig_node, pc->orig, pc->vmid, pc->name);
        return;
    case ACT_TPL_CONVERT:
        snprintf(object, olen, "template copy %d of %d", pc->vmid, pc->orig);
        snprintf(request, rlen, "POST /nodes/%s/qemu/%d/template", pc->orig_node, pc->vmid);
        return;
    case ACT_TPL_MIGRATE:
        snprintf(object, olen, "template copy %d of %d", pc->vmid, pc->orig);
        snprintf(request, rlen, "POST /nodes/%s/qemu/%d/migrate target=%s", pc->orig_node, pc->vmid,
                 pc->node);
        return;
    }
    snprintf(object, olen, "?");
    snprintf(request, rlen, "?");
}
