/* exec_actions: what each action sends to Proxmox (through the typed calls of pve_api), the VMID
 * re-pick when a planned id is taken, and the retries of one action (retry.h decides). */
#include "ds_clock.h"
#include "exec/exec_internal.h"
#include "plan/marks.h"
#include "pve/pve_api.h"
#include "pve/pve_client.h"
#include "pve/pve_task.h"
#include "store/state.h"
#include "util/err.h"
#include "util/i18n.h"
#include "util/password.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The next id after the plan's, still inside the stand's block; -1 when the block is used up. */
static int next_candidate(struct exec *e)
{
    pthread_mutex_lock(&e->mu);
    int id = e->next_vmid <= e->p->vmid_max ? e->next_vmid++ : -1;
    pthread_mutex_unlock(&e->mu);
    return id;
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

/* The VM `vmid` on `node` was made by this very clone request, whose answer was lost (a client
 * timeout, a dropped connection) before a retry: it carries the request's name and mark. 1 ours,
 * 0 not ours or not there, -1 no answer. */
static int clone_is_ours(struct pve_client *c, const char *node, int vmid,
                         const struct pve_clone_opts *co)
{
    json_t *cfg = NULL;
    if (pve_vm_config_get(c, node, vmid, &cfg) < 0) {
        /* gone, elsewhere, or hidden from us (a VM we made is ours to read): not ours */
        if (pve_err_last() != PVE_ERR_NOT_FOUND && pve_err_last() != PVE_ERR_PERMISSION)
            return -1;
        ds_err_clear();
        return 0;
    }
    const char *name = json_string_value(json_object_get(cfg, "name"));
    const char *desc = json_string_value(json_object_get(cfg, "description"));
    int ours = co->description && desc && name && co->name && strcmp(name, co->name) == 0 &&
               strncmp(desc, co->description, strlen(co->description)) == 0;
    json_decref(cfg);
    return ours;
}

/* Clones src (on node) to *vmid, first checking the id is free and moving to the next candidate
 * when another client took it (before the check or in the race after it). An id taken by this
 * request itself (an earlier attempt went through though its answer was lost) is kept. */
static int clone_free_id(struct exec *e, struct pve_client *c, const char *node, int src, int *vmid,
                         const struct pve_clone_opts *co)
{
    const char *where = co->target ? co->target : node;
    for (int moves = 0; moves < 20; moves++) {
        int freeid = pve_cluster_vmid_free(c, *vmid);
        if (freeid < 0)
            return -1;
        if (freeid) {
            if (pve_vm_clone_wait(c, node, src, *vmid, co, e->o->task_timeout_s) == 0)
                return 0;
            if (pve_err_last() != PVE_ERR_EXISTS) /* "config file already exists" */
                return -1;
            ds_err_clear();
        }
        /* the id is taken: by this request's own earlier attempt, or by another client */
        int ours = clone_is_ours(c, where, *vmid, co);
        if (ours < 0)
            return -1;
        if (ours)
            return wait_unlocked(e, c, where, *vmid);
        if ((*vmid = next_candidate(e)) < 0) /* lost a race for the id: take the next one */
            break;
    }
    return ds_err_set(_("could not find a free VMID in the stand's range (20 tries)"));
}

int exec_action_vmid(const struct exec *e, const struct action *a)
{
    if (a->copy >= 0)
        return e->r->copy_vmids[a->copy];
    if (a->student >= 0 && a->vm >= 0)
        return e->r->students[a->student].vmids[a->vm];
    return 0;
}

/* The VM an action works on: where, which id, and whether it may still be locked. */
static int vm_ready(struct exec *e, struct pve_client *c, const struct action *a)
{
    const struct plan_vm *vm = &e->p->students[a->student].vms[a->vm];
    unsigned char *w = &e->waited[e->vm_base[a->student] + (size_t)a->vm];
    if (vm->locked && !*w && wait_unlocked(e, c, vm->node, exec_action_vmid(e, a)) < 0)
        return -1;
    *w = 1;
    return 0;
}

static int do_copy_action(struct exec *e, struct pve_client *c, const struct action *a)
{
    const struct plan_copy *pc = &e->p->copies[a->copy];
    int *vmid = &e->r->copy_vmids[a->copy];
    int to = e->o->task_timeout_s;
    if (exec_copy_adopted(e, a->copy))
        return 1; /* another run's finished copy */
    /* the copy lock first, for every step: a copy the plan saw half-made may be another live
     * run's, which then finishes it while this run waits */
    int begun = exec_copy_begin(e, c, a);
    if (begun != 0)
        return begun;
    if (pc->locked && a->kind != ACT_TPL_COPY && !e->copy_waited[a->copy]) {
        if (wait_unlocked(e, c, pc->orig_node, *vmid) < 0)
            return -1;
        e->copy_waited[a->copy] = 1;
    }
    if (a->kind == ACT_TPL_COPY) {
        struct pve_clone_opts co = {.name = pc->name, .description = pc->description, .full = 1};
        return clone_free_id(e, c, pc->orig_node, pc->orig, vmid, &co);
    }
    if (a->kind == ACT_TPL_CONVERT) {
        json_t *params = json_pack("{s:s}", "tags", MARK_TAG ";" MARK_COPY_TAG);
        int rc = pve_vm_config_set(c, pc->orig_node, *vmid, params);
        json_decref(params);
        return rc < 0 ? rc : pve_vm_template_wait(c, pc->orig_node, *vmid, to);
    }
    if (pve_vm_migrate_wait(c, pc->orig_node, *vmid, pc->node, to) < 0)
        return -1;
    exec_copy_end(e, c, a->copy);
    return 0;
}

/* Undo steps act only on a VM (template copy) that still carries the student's (copy) mark: a
 * clone may have gone through though its call failed, and its id may be someone else's. 1 ours,
 * 0 gone or not ours, -1 no answer. */
static int still_marked(struct exec *e, struct pve_client *c, const struct action *a)
{
    json_t *cfg = NULL;
    if (pve_vm_config_get(c, a->node, exec_action_vmid(e, a), &cfg) < 0) {
        if (pve_err_last() != PVE_ERR_NOT_FOUND)
            return -1;
        ds_err_clear();
        return 0;
    }
    const char *desc = json_string_value(json_object_get(cfg, "description"));
    int ours;
    if (a->copy >= 0) {
        int of = 0;
        char digest[64];
        ours =
            mark_copy_parse(desc, &of, digest, sizeof digest) && of == e->p->copies[a->copy].orig;
    } else {
        ours = mark_is(desc, e->p->stand, e->p->students[a->student].userid);
    }
    json_decref(cfg);
    return ours;
}

static int do_vm_teardown(struct exec *e, struct pve_client *c, const struct action *a)
{
    if (a->only_marked) {
        int ours = still_marked(e, c, a);
        if (ours <= 0)
            return ours < 0 ? -1 : 1;
    }
    if (a->copy < 0 && vm_ready(e, c, a) < 0)
        return -1;
    int vmid = exec_action_vmid(e, a), to = e->o->task_timeout_s;
    return a->kind == ACT_VM_STOP ? pve_vm_stop_wait(c, a->node, vmid, to)
                                  : pve_vm_destroy_wait(c, a->node, vmid, 1, to);
}

/* Has the VM snapshot `name`? 1 yes, 0 no, -1 no answer. */
static int has_snapshot(struct pve_client *c, const char *node, int vmid, const char *name)
{
    json_t *list = NULL;
    if (pve_vm_snapshot_list(c, node, vmid, &list) < 0)
        return -1;
    int found = 0;
    size_t i;
    json_t *it;
    json_array_foreach(list, i, it)
    {
        const char *n = json_string_value(json_object_get(it, "name"));
        found |= n && strcmp(n, name) == 0;
    }
    json_decref(list);
    return found;
}

/* Is the VM running now? 1 yes, 0 no, -1 no answer. */
static int is_running(struct pve_client *c, const char *node, int vmid)
{
    json_t *st = NULL;
    if (pve_vm_status(c, node, vmid, &st) < 0)
        return -1;
    const char *s = json_string_value(json_object_get(st, "status"));
    int running = s && strcmp(s, "running") == 0;
    json_decref(st);
    return running;
}

/* A clean shutdown within a->timeout_s; a VM still running after a failed shutdown task is
 * stopped hard, and the result says so (forced). A refused request fails (and may be retried). */
static int do_shutdown(struct exec *e, struct pve_client *c, const struct action *a, int vmid)
{
    int ran = 0, to = e->o->task_timeout_s;
    int wait = a->timeout_s + 60 > to ? a->timeout_s + 60 : to;
    if (pve_vm_shutdown_opts_wait(c, a->node, vmid, a->timeout_s, 0, wait, &ran) == 0)
        return 0;
    if (!ran)
        return -1;
    char why[1024];
    snprintf(why, sizeof why, "%s", ds_err_last());
    int running = is_running(c, a->node, vmid);
    if (running < 0)
        return -1;
    ds_err_clear();
    if (!running) /* it stopped after all (or was stopped meanwhile) */
        return 0;
    if (pve_vm_stop_wait(c, a->node, vmid, to) < 0)
        return ds_err_wrap(_("VM %d did not shut down (%s) and could not be stopped"), vmid, why);
    e->r->acts[a - e->p->acts].forced = 1;
    return 0;
}

/* Power and snapshot actions on a student's VM (0 done, 1 nothing to do, -1 failed). */
static int do_vm_lifecycle(struct exec *e, struct pve_client *c, const struct action *a)
{
    if (vm_ready(e, c, a) < 0)
        return -1;
    int vmid = exec_action_vmid(e, a), to = e->o->task_timeout_s;
    switch (a->kind) {
    case ACT_VM_SNAPSHOT:
        if (a->if_missing) {
            int has = has_snapshot(c, a->node, vmid, a->target);
            if (has != 0)
                return has;
        }
        return pve_vm_snapshot_create_wait(c, a->node, vmid, a->target, a->comment, to);
    case ACT_VM_ROLLBACK:
        return pve_vm_snapshot_rollback_wait(c, a->node, vmid, a->target, a->start, to);
    case ACT_SNAP_DELETE:
        return pve_vm_snapshot_delete_wait(c, a->node, vmid, a->target, to);
    case ACT_VM_START: {
        if (pve_vm_start_wait(c, a->node, vmid, to) == 0)
            return 0;
        enum pve_err_class cls = pve_err_last();
        char why[1024];
        snprintf(why, sizeof why, "%s", ds_err_last());
        if (cls == PVE_ERR_OTHER && is_running(c, a->node, vmid) == 1) {
            ds_err_clear(); /* started meanwhile (by the student, say): nothing to do */
            return 1;
        }
        ds_err_set("%s", why);
        return pve_err_set_class(cls);
    }
    case ACT_VM_SHUTDOWN:
        return do_shutdown(e, c, a, vmid);
    case ACT_VM_REBOOT:
        return pve_vm_reboot_wait(c, a->node, vmid, a->timeout_s, to + a->timeout_s);
    default:
        return ds_err_set(_("unknown action"));
    }
}

/* The managed role: created when missing, its missing privileges appended otherwise. */
static int do_role_ensure(struct pve_client *c, const struct action *a)
{
    json_t *have = NULL;
    if (pve_role_get(c, a->role, &have) < 0) {
        if (pve_err_last() != PVE_ERR_NOT_FOUND)
            return -1;
        ds_err_clear();
        if (pve_role_create(c, a->role, a->target) == 0)
            return 0;
        if (pve_err_last() != PVE_ERR_EXISTS) /* another run made it meanwhile: append */
            return -1;
        ds_err_clear();
        return pve_role_update(c, a->role, a->target, 1);
    }
    char missing[512] = "", buf[512];
    size_t l = 0;
    snprintf(buf, sizeof buf, "%s", a->target);
    for (char *save = NULL, *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        json_t *v = json_object_get(have, p);
        if (!json_is_true(v) && !(json_is_integer(v) && json_integer_value(v)))
            l += (size_t)snprintf(missing + l, sizeof missing - l, "%s%s", l ? "," : "", p);
    }
    json_decref(have);
    return l ? pve_role_update(c, a->role, missing, 1) : 1;
}

/* 1 when the comment `have` carries the mark `want` a creation sent: the same stand and student
 * (and credential id, when `want` names one). */
static int same_mark(const char *want, const char *have)
{
    struct mark w, h;
    return have && mark_parse(want, &w) && mark_parse(have, &h) && strcmp(w.stand, h.stand) == 0 &&
           w.student && h.student && strcmp(w.student, h.student) == 0 &&
           (!w.cred || (h.cred && strcmp(w.cred, h.cred) == 0));
}

enum created_kind { CREATED_POOL, CREATED_USER };

/* The end of a creation (rc its result). When Proxmox said "already exists" and the object read
 * back carries exactly the mark the creation sent (`sent`), its earlier attempt made it and only
 * the answer was lost: done (0), so it is undone with its student if need be. Otherwise, or when
 * the object is gone again, the creation's own failure stands. */
static int created_or_ours(struct pve_client *c, int rc, enum created_kind kind, const char *id,
                           const char *sent)
{
    if (rc == 0 || pve_err_last() != PVE_ERR_EXISTS)
        return rc;
    char why[1024];
    snprintf(why, sizeof why, "%s", ds_err_last());
    json_t *o = NULL;
    int got = kind == CREATED_POOL ? pve_pool_get(c, id, &o) : pve_user_get(c, id, &o);
    if (got < 0 && pve_err_last() != PVE_ERR_NOT_FOUND) {
        json_decref(o);
        return -1;
    }
    int ours = same_mark(sent, json_string_value(json_object_get(o, "comment")));
    json_decref(o);
    ds_err_clear();
    if (ours)
        return 0;
    ds_err_set("%s", why);
    return pve_err_set_class(PVE_ERR_EXISTS);
}

/* Forgets the password of a user about to go (or gone): the one kept under the credential id its
 * mark names on this cluster, so the same user on another cluster keeps its own. */
static void forget_password(struct exec *e, const char *userid, const char *cred)
{
    if (!e->o->state)
        return;
    pthread_mutex_lock(&e->mu);
    state_cred_delete(e->o->state, e->p->stand, userid, cred);
    pthread_mutex_unlock(&e->mu);
}

/* The credential id in the mark of the user on the cluster into out ("" when it names none or the
 * user cannot be read). */
static void user_cred_id(struct pve_client *c, const char *userid, char *out, size_t len)
{
    json_t *u = NULL;
    struct mark m;
    out[0] = '\0';
    if (pve_user_get(c, userid, &u) == 0 &&
        mark_parse(json_string_value(json_object_get(u, "comment")), &m) && m.cred)
        snprintf(out, len, "%s", m.cred);
    json_decref(u);
    ds_err_clear();
}

static int do_user_delete(struct exec *e, struct pve_client *c, const struct action *a)
{
    char cred[64];
    user_cred_id(c, a->target, cred, sizeof cred);
    int rc = pve_user_delete(c, a->target);
    if (rc == 0 || pve_err_last() == PVE_ERR_NOT_FOUND)
        forget_password(e, a->target, cred);
    return rc;
}

/* The user's password and credential id for this action, made once and kept for its retries:
 * a retry after a lost answer must not name another password than the one the user got. */
static int user_secret(struct exec *e, const struct action *a, char *pw, size_t pwlen, char *cred,
                       size_t credlen)
{
    pthread_mutex_lock(&e->mu);
    char **kept = &e->user_pw[a->student];
    char *kept_cred = e->user_cred[a->student];
    int rc = 0;
    if (!*kept) {
        if (password_generate(&e->p->password_policy, pw, pwlen) < 0 ||
            mark_cred_new(kept_cred, MARK_CRED_LEN + 1) < 0 || !(*kept = strdup(pw)))
            rc = -1;
    }
    if (rc == 0) {
        snprintf(pw, pwlen, "%s", *kept);
        snprintf(cred, credlen, "%s", kept_cred);
    }
    pthread_mutex_unlock(&e->mu);
    return rc;
}

/* A directory realm's user (LDAP, AD, OpenID): created with our mark and no password, the realm
 * authenticates it. An earlier attempt's user (same mark) counts as done. */
static int do_external_user_create(struct pve_client *c, const struct action *a, const char *userid)
{
    int rc = a->expire > 0 ? pve_user_create_expiring(c, userid, NULL, a->comment, a->expire)
                           : pve_user_create(c, userid, NULL, a->comment);
    return created_or_ours(c, rc, CREATED_USER, userid, a->comment);
}

/* Creates the user with a new password, kept first (under a new credential id that the user's
 * mark names) so that a run dying after the request still knows it. */
static int do_user_create(struct exec *e, struct pve_client *c, const struct action *a)
{
    const struct plan_student *ps = &e->p->students[a->student];
    if (a->external)
        return do_external_user_create(c, a, ps->userid);
    char pw[80], cred[MARK_CRED_LEN + 1], comment[640];
    if (user_secret(e, a, pw, sizeof pw, cred, sizeof cred) < 0)
        return -1;
    mark_format_cred(comment, sizeof comment, a->comment ? a->comment : "", cred);
    if (e->o->state) {
        pthread_mutex_lock(&e->mu);
        int rc = state_cred_put(e->o->state, e->p->stand, ps->userid, cred, pw);
        pthread_mutex_unlock(&e->mu);
        if (rc < 0) {
            sodium_memzero(pw, sizeof pw);
            return ds_err_wrap(_("saving the password of %s"), ps->userid);
        }
    }
    int rc = a->expire > 0 ? pve_user_create_expiring(c, ps->userid, pw, comment, a->expire)
                           : pve_user_create(c, ps->userid, pw, comment);
    rc = created_or_ours(c, rc, CREATED_USER, ps->userid, comment);
    if (rc == 0) {
        pthread_mutex_lock(&e->mu);
        struct run_student *rs = &e->r->students[a->student];
        free(rs->password);
        rs->password = strdup(pw);
        pthread_mutex_unlock(&e->mu);
    }
    sodium_memzero(pw, sizeof pw);
    return rc;
}

static int do_action_once(struct exec *e, struct pve_client *c, const struct action *a)
{
    const struct plan_student *ps = a->student >= 0 ? &e->p->students[a->student] : NULL;
    const struct plan_vm *vm = ps && a->vm >= 0 ? &ps->vms[a->vm] : NULL;
    switch (a->kind) {
    case ACT_USER_CREATE:
        return do_user_create(e, c, a);
    case ACT_POOL_CREATE:
        return created_or_ours(c, pve_pool_create(c, a->target, a->comment), CREATED_POOL,
                               a->target, a->comment);
    case ACT_ACL_GRANT:
    case ACT_ACL_REVOKE:
        return pve_acl_set(c, a->target, a->role, ps->userid, 1, a->kind == ACT_ACL_REVOKE);
    case ACT_BRIDGE_CREATE:
        return exec_bridge_create(e, c, a);
    case ACT_BRIDGE_DELETE:
        return pve_net_iface_delete(c, a->node, a->target);
    case ACT_NET_APPLY:
        return pve_net_apply_wait(c, a->node, e->o->task_timeout_s);
    case ACT_VM_CLONE: {
        struct pve_clone_opts co = {.name = vm->name,
                                    .pool = ps->pool,
                                    .description = a->comment,
                                    .full = vm->full,
                                    .target = strcmp(vm->node, vm->src_node) ? vm->node : NULL};
        int src = vm->copy >= 0 ? e->r->copy_vmids[vm->copy] : vm->src_vmid;
        return clone_free_id(e, c, vm->src_node, src, &e->r->students[a->student].vmids[a->vm],
                             &co);
    }
    case ACT_VM_CONFIGURE: {
        if (vm_ready(e, c, a) < 0)
            return -1;
        json_t *params = exec_params_renamed(e, a, vm->node);
        int rc = params ? pve_vm_config_set(c, vm->node, exec_action_vmid(e, a), params)
                        : ds_err_set(_("out of memory"));
        json_decref(params);
        return rc;
    }
    case ACT_VM_STOP:
    case ACT_VM_DESTROY:
        return do_vm_teardown(e, c, a);
    case ACT_POOL_DELETE:
        return pve_pool_delete(c, a->target);
    case ACT_TPL_COPY:
    case ACT_TPL_CONVERT:
    case ACT_TPL_MIGRATE:
        return do_copy_action(e, c, a);
    case ACT_USER_DELETE:
        return do_user_delete(e, c, a);
    case ACT_VM_SNAPSHOT:
    case ACT_VM_ROLLBACK:
    case ACT_SNAP_DELETE:
    case ACT_VM_START:
    case ACT_VM_SHUTDOWN:
    case ACT_VM_REBOOT:
        return do_vm_lifecycle(e, c, a);
    case ACT_ROLE_ENSURE:
        return do_role_ensure(c, a);
    case ACT_USER_EXPIRE:
        return pve_user_update(c, a->target, NULL, a->expire);
    }
    return ds_err_set(_("unknown action"));
}

/* Teardown steps whose object is already gone (deleted by hand, or by a run that died after the
 * request) have reached their goal. */
static int is_teardown(enum action_kind k)
{
    return k == ACT_VM_STOP || k == ACT_VM_DESTROY || k == ACT_POOL_DELETE ||
           k == ACT_USER_DELETE || k == ACT_BRIDGE_DELETE || k == ACT_ACL_REVOKE ||
           k == ACT_SNAP_DELETE;
}

static int do_action(struct exec *e, struct pve_client *c, const struct action *a)
{
    int rc = do_action_once(e, c, a);
    /* a retried conversion whose first attempt went through: the copy is a template already */
    if (rc < 0 && a->kind == ACT_TPL_CONVERT && pve_err_last() == PVE_ERR_EXISTS) {
        ds_err_clear();
        return 0;
    }
    if (rc < 0 && is_teardown(a->kind) && pve_err_last() == PVE_ERR_NOT_FOUND) {
        ds_err_clear();
        return 1;
    }
    return rc;
}

int exec_action_run(struct exec *e, struct pve_client *c, const struct action *a,
                    struct node_slot *sl)
{
    int retries = e->o->retries > 0 ? e->o->retries : 5;
    struct run_action *ra = &e->r->acts[a - e->p->acts];
    for (int attempt = 0;; attempt++) {
        ds_err_clear();
        ra->attempts = attempt + 1;
        int rc = do_action(e, c, a);
        if (rc >= 0) {
            pthread_mutex_lock(&e->mu);
            retry_slot_success(sl);
            pthread_mutex_unlock(&e->mu);
            return rc;
        }
        enum pve_err_class cls = pve_err_last();
        bool worth = a->kind == ACT_NET_APPLY ? retry_worth_rerun(cls) : retry_worth(cls);
        if (attempt >= retries || !worth)
            return -1;
        pthread_mutex_lock(&e->mu);
        retry_slot_failure(sl, cls);
        char msg[1200];
        snprintf(msg, sizeof msg, _("attempt %d failed, retrying: %s"), attempt + 1, ds_err_last());
        exec_emit(e, EXEC_RETRY, a, msg, 0);
        int64_t backoff_ms = retry_backoff_ms(attempt, &e->rng);
        pthread_mutex_unlock(&e->mu);
        ds_clock_sleep_ns(backoff_ms * DS_NS_PER_MS);
    }
}
