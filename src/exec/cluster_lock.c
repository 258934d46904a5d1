/* cluster_lock: what the locks on the cluster (the stand's, app_lock; the template copies',
 * exec_copies) share: this process as a holder, a holder that is gone, their pool requests. */
#include "exec/cluster_lock.h"

#include "ds_clock.h"
#include "exec/retry.h"
#include "pve/pve_api.h"
#include "util/err.h"
#include "util/i18n.h"
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void lock_holder_me(struct mark_lock *me, const char *command, const char *run)
{
    struct passwd *pw = getpwuid(geteuid());
    memset(me, 0, sizeof *me);
    snprintf(me->command, sizeof me->command, "%s", command ? command : "change");
    snprintf(me->user, sizeof me->user, "%s", pw ? pw->pw_name : "?");
    if (gethostname(me->host, sizeof me->host - 1) < 0 || !me->host[0])
        snprintf(me->host, sizeof me->host, "?");
    for (char *p = me->host; *p; p++)
        if (*p == ' ' || *p == '=')
            *p = '_';
    me->pid = (long)getpid();
    if (run)
        snprintf(me->run, sizeof me->run, "%s", run);
    else
        snprintf(me->run, sizeof me->run, "%ld", me->pid);
    me->since = me->seen = ds_clock_wall_s();
}

int lock_holder_dead_here(const struct mark_lock *me, const struct mark_lock *h)
{
    return strcmp(h->host, me->host) == 0 && h->pid > 0 && kill((pid_t)h->pid, 0) < 0 &&
           errno == ESRCH;
}

/* A pool request for retry_call: create (comment set), read (*out) or delete. */
struct pool_req {
    pve_client *c;
    const char *pool, *comment;
    json_t **out;
    int del;
};

static int pool_req_run(void *ud)
{
    struct pool_req *q = ud;
    if (q->comment)
        return pve_pool_create(q->c, q->pool, q->comment);
    if (q->del)
        return pve_pool_delete(q->c, q->pool);
    return pve_pool_get(q->c, q->pool, q->out);
}

#define LOCK_TRIES 5
int lock_pool_create(pve_client *c, const char *pool, const char *comment)
{
    struct pool_req q = {c, pool, comment, NULL, 0};
    return retry_call(pool_req_run, &q, LOCK_TRIES);
}

int lock_pool_get(pve_client *c, const char *pool, json_t **out)
{
    struct pool_req q = {c, pool, NULL, out, 0};
    return retry_call(pool_req_run, &q, LOCK_TRIES);
}

int lock_pool_delete(pve_client *c, const char *pool)
{
    struct pool_req q = {c, pool, NULL, NULL, 1};
    return retry_call(pool_req_run, &q, LOCK_TRIES);
}

int lock_pool_holder(pve_client *c, const char *pool, struct mark_lock *h)
{
    json_t *o = NULL;
    if (lock_pool_get(c, pool, &o) < 0) {
        if (pve_err_last() != PVE_ERR_NOT_FOUND)
            return -1;
        ds_err_clear();
        return 0;
    }
    int ok = mark_lock_parse(json_string_value(json_object_get(o, "comment")), h);
    json_decref(o);
    if (!ok)
        return ds_err_set(_("the pool %s exists on the cluster but is not deploy-stand's lock; "
                            "rename or remove it (deploy-stand uses that name for one of its "
                            "locks)"),
                          pool);
    return 1;
}

int lock_pool_take(pve_client *c, const char *pool, const struct lock_try *t,
                   struct mark_lock *holder)
{
    char text[512];
    mark_lock_format(text, sizeof text, t->me);
    for (int takeovers = 0; takeovers < 8;) {
        if (lock_pool_create(c, pool, text) == 0)
            return 0;
        if (pve_err_last() != PVE_ERR_EXISTS)
            return -1;
        ds_err_clear();
        int rc = lock_pool_holder(c, pool, holder);
        if (rc <= 0) {
            if (rc < 0)
                return -1;
            continue; /* released meanwhile */
        }
        if (strcmp(holder->host, t->me->host) == 0 && holder->pid == t->me->pid &&
            strcmp(holder->run, t->me->run) == 0)
            return 0; /* our own request, whose answer was lost */
        enum lock_verdict v = t->judge(holder, t->ud);
        if (v == LOCK_TAKE_OVER) {
            takeovers++;
            if (lock_pool_delete(c, pool) < 0 && pve_err_last() != PVE_ERR_NOT_FOUND)
                return -1;
            ds_err_clear();
            continue;
        }
        if (v == LOCK_GIVE_UP || ds_clock_mono_ns() > t->deadline_ns)
            return 1;
        ds_clock_sleep_ns(500 * DS_NS_PER_MS);
    }
    return ds_err_set(_("could not take the lock %s (8 tries)"), pool);
}
