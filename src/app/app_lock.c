/* app_lock: the stand's lock on the cluster (a marked pool whose creation is atomic), so that two
 * machines or two state folders never change one stand at once; renewed while the run lasts. */
#include "app/app_lock.h"
#include "ds_clock.h"
#include "exec/cluster_lock.h"
#include "plan/marks.h"
#include "pve/pve_api.h"
#include "util/err.h"
#include "util/i18n.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct app_lock {
    char pool[64];
    struct mark_lock me;
    pve_client *hc; /* the renewing thread's own client */
    pthread_t beat;
    int beating;
    atomic_int stop;
};

/* Renews `seen` every APP_LOCK_BEAT_S seconds until stopped (polls the stop flag every 100 ms). */
static void *beat_main(void *arg)
{
    struct app_lock *l = arg;
    int64_t next = ds_clock_mono_ns() + (int64_t)APP_LOCK_BEAT_S * DS_NS_PER_S;
    while (!atomic_load(&l->stop)) {
        ds_clock_sleep_ns(100 * DS_NS_PER_MS);
        if (ds_clock_mono_ns() < next)
            continue;
        next += (int64_t)APP_LOCK_BEAT_S * DS_NS_PER_S;
        l->me.seen = ds_clock_wall_s();
        char text[512];
        mark_lock_format(text, sizeof text, &l->me);
        pve_pool_set_comment(l->hc, l->pool, text); /* a missed renewal is retried next time */
        ds_err_clear();
    }
    return NULL;
}

/* A dead run of this host (its pid is gone) or, with --break-lock, a run not seen for
 * APP_LOCK_STALE_S seconds: its lock is taken over (and said); any other is refused. */
struct judge_ctx {
    struct app_ctx *c;
    const struct mark_lock *me;
    int break_lock;
};

static enum lock_verdict judge(const struct mark_lock *h, void *ud)
{
    const struct judge_ctx *j = ud;
    if (!lock_holder_dead_here(j->me, h) &&
        !(j->break_lock && ds_clock_wall_s() - h->seen > APP_LOCK_STALE_S))
        return LOCK_GIVE_UP;
    app_say(&j->c->ev, APP_ERR, APP_LV_NOTE, NULL,
            _("taking over the lock of stand '%s' left by `%s` (pid %ld on %s)"), j->c->stand->name,
            h->command, h->pid, h->host);
    return LOCK_TAKE_OVER;
}

static int refuse(struct app_ctx *c, const char *stand, const struct mark_lock *h)
{
    char since[64];
    time_t t = (time_t)h->since;
    struct tm tm;
    strftime(since, sizeof since, "%Y-%m-%d %H:%M:%S", localtime_r(&t, &tm));
    long long ago = ds_clock_wall_s() - h->seen;
    char hint[400];
    if (ago > APP_LOCK_STALE_S)
        snprintf(hint, sizeof hint,
                 _("that run has not renewed its lock for %lld s: if it is gone for good (its "
                   "machine crashed), run again with --break-lock"),
                 ago);
    else
        snprintf(hint, sizeof hint,
                 _("wait for it to finish; a run that is gone for good can be taken over with "
                   "--break-lock once it has not renewed its lock for %d s"),
                 APP_LOCK_STALE_S);
    return app_error(&c->ev, hint,
                     _("stand '%s' is being changed from elsewhere: `%s` by %s on %s (pid %ld) "
                       "since %s, lock renewed %lld s ago"),
                     stand, h->command, h->user, h->host, h->pid, since, ago < 0 ? 0 : ago);
}

static void me_init(struct app_lock *l, const char *command)
{
    char run[32];
    if (mark_cred_new(run, sizeof run) < 0)
        snprintf(run, sizeof run, "%ld", (long)getpid());
    lock_holder_me(&l->me, command, run);
}

/* Creates the lock pool, taking over a dead holder's; 0 held, 1 refused (reported), -1 error. */
static int create_lock(struct app_ctx *c, struct app_lock *l, int break_lock)
{
    struct judge_ctx j = {c, &l->me, break_lock};
    struct lock_try t = {&l->me, judge, &j, 0};
    struct mark_lock h;
    int rc = lock_pool_take(c->client, l->pool, &t, &h);
    if (rc == 1)
        refuse(c, c->stand->name, &h);
    return rc;
}

int app_lock_take(struct app_ctx *c, const char *command, int break_lock)
{
    if (c->cluster_lock)
        return APP_OK;
    struct app_lock *l = calloc(1, sizeof *l);
    if (!l)
        return app_error(&c->ev, NULL, "%s", _("out of memory"));
    mark_lock_pool(l->pool, sizeof l->pool, c->stand->name);
    me_init(l, command);
    int rc = create_lock(c, l, break_lock);
    if (rc != 0) {
        free(l);
        if (rc < 0)
            app_error(&c->ev, NULL, _("locking the stand on the cluster: %s"), ds_err_last());
        return APP_FAILED;
    }
    c->cluster_lock = l;
    l->hc = pve_client_dup(c->client);
    l->beating = l->hc && pthread_create(&l->beat, NULL, beat_main, l) == 0;
    return APP_OK;
}

void app_lock_release(struct app_ctx *c)
{
    struct app_lock *l = c->cluster_lock;
    if (!l)
        return;
    c->cluster_lock = NULL;
    if (l->beating) {
        atomic_store(&l->stop, 1);
        pthread_join(l->beat, NULL);
    }
    pve_client_free(l->hc);
    /* only our own lock goes: another run may have taken it over meanwhile (--break-lock) */
    struct mark_lock h;
    if (lock_pool_holder(c->client, l->pool, &h) == 1 && strcmp(h.run, l->me.run) == 0 &&
        lock_pool_delete(c->client, l->pool) < 0 && pve_err_last() != PVE_ERR_NOT_FOUND)
        app_say(&c->ev, APP_ERR, APP_LV_WARNING, NULL,
                _("the lock %s of the stand could not be removed (%s); the next run on this "
                  "machine takes it over"),
                l->pool, ds_err_last());
    ds_err_clear();
    free(l);
}

/* A lock comment whose holder is a process of this host that no longer exists. */
static int dead_here(const char *comment, const struct mark_lock *me)
{
    struct mark_lock h;
    return comment && mark_lock_parse(comment, &h) && lock_holder_dead_here(me, &h);
}

/* Still held by a dead process of this host now (read again: the view may be older than a live
 * run's new lock)? */
static int still_dead(struct app_ctx *c, const char *pool, const struct mark_lock *me)
{
    json_t *o = NULL;
    int dead = lock_pool_get(c->client, pool, &o) == 0 &&
               dead_here(json_string_value(json_object_get(o, "comment")), me);
    json_decref(o);
    return dead;
}

void app_lock_clear_dead(struct app_ctx *c)
{
    if (!c->view)
        return;
    struct app_lock me;
    memset(&me, 0, sizeof me);
    me_init(&me, NULL);
    char stand_pool[64] = "";
    if (c->stand)
        mark_lock_pool(stand_pool, sizeof stand_pool, c->stand->name);
    for (size_t i = 0; i < c->view->n_pools; i++) {
        const struct inv_pool *pool = &c->view->pools[i];
        int ours = pool->poolid && (strcmp(pool->poolid, stand_pool) == 0 ||
                                    strncmp(pool->poolid, "ds-copy-", 8) == 0);
        if (!ours || !dead_here(pool->comment, &me.me) || !still_dead(c, pool->poolid, &me.me))
            continue;
        if (lock_pool_delete(c->client, pool->poolid) == 0)
            app_note(&c->ev, APP_ERR,
                     _("note: removed the lock %s left by a run that died (pid %s)\n"),
                     pool->poolid,
                     strstr(pool->comment, "pid=") ? strstr(pool->comment, "pid=") + 4 : "?");
        ds_err_clear();
    }
}
