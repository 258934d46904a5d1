/* pve_task: Proxmox VE worker tasks: UPID parsing and waiting for a task to finish.
 * The wait is bounded by a monotonic deadline and never sleeps past the time that is left. */
#include "pve/pve_task.h"

#include "ds_clock.h"
#include "pve/pve_taskboard.h"
#include "util/err.h"
#include "util/i18n.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_alnum(char ch)
{
    return isalnum((unsigned char)ch) != 0;
}

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

/* Reads exactly [min,max] hex digits up to ':' into *v. Returns the pointer after ':' or NULL. */
static const char *hex_field(const char *p, size_t min, size_t max, unsigned long long *v)
{
    size_t n = 0;
    unsigned long long x = 0;
    while (isxdigit((unsigned char)p[n])) {
        int d =
            isdigit((unsigned char)p[n]) ? p[n] - '0' : (tolower((unsigned char)p[n]) - 'a' + 10);
        x = x * 16 + (unsigned)d;
        n++;
        if (n > max)
            return NULL;
    }
    if (n < min || p[n] != ':')
        return NULL;
    *v = x;
    return p + n + 1;
}

/* Copies a field of chars not in ":\s/" up to ':'. Returns the pointer after ':' or NULL. */
static const char *text_field(const char *p, bool allow_empty, char *out, size_t outlen)
{
    size_t n = 0;
    while (p[n] && p[n] != ':' && p[n] != '/' && !is_space(p[n]))
        n++;
    if (p[n] != ':' || (n == 0 && !allow_empty) || n >= outlen)
        return NULL;
    memcpy(out, p, n);
    out[n] = '\0';
    return p + n + 1;
}

int pve_upid_parse(const char *upid, struct pve_upid *out)
{
    struct pve_upid u;
    memset(&u, 0, sizeof u);
    if (!upid || strncmp(upid, "UPID:", 5) != 0)
        return -1;
    const char *p = upid + 5;
    /* node: [a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])? */
    size_t n = 0;
    while (is_alnum(p[n]) || p[n] == '-')
        n++;
    if (n == 0 || p[n] != ':' || !is_alnum(p[0]) || !is_alnum(p[n - 1]) || n >= sizeof u.node)
        return -1;
    memcpy(u.node, p, n);
    u.node[n] = '\0';
    p += n + 1;
    unsigned long long v;
    if (!(p = hex_field(p, 8, 8, &v)))
        return -1;
    u.pid = (unsigned)v;
    if (!(p = hex_field(p, 8, 9, &v)))
        return -1;
    u.pstart = (unsigned)(v & 0xffffffffu);
    if (!(p = hex_field(p, 8, 8, &v)))
        return -1;
    u.starttime = (unsigned long)v;
    if (!(p = text_field(p, false, u.type, sizeof u.type)))
        return -1;
    if (!(p = text_field(p, true, u.id, sizeof u.id)))
        return -1;
    if (!(p = text_field(p, false, u.user, sizeof u.user)))
        return -1;
    if (*p != '\0')
        return -1;
    if (out)
        *out = u;
    return 0;
}

bool pve_task_exit_ok(const char *s)
{
    if (!s)
        return false;
    if (strcmp(s, "OK") == 0)
        return true;
    if (strncmp(s, "WARNINGS: ", 10) != 0 || !s[10])
        return false;
    for (const char *p = s + 10; *p; p++)
        if (!isdigit((unsigned char)*p))
            return false;
    return true;
}

/* Pauses between polls: a fifth of the task's age, within these bounds. */
#define POLL_MIN_NS (20 * DS_NS_PER_MS)
#define POLL_MAX_NS (2 * DS_NS_PER_S)
/* Around the time a task is expected to end, polls come every 2% of that time (5 ms to 200 ms), at
 * most FINE_STEPS before it and FINE_STEPS after it. */
#define FINE_MIN_NS (5 * DS_NS_PER_MS)
#define FINE_MAX_NS (200 * DS_NS_PER_MS)
#define FINE_STEPS 4
#define LEARNT_MAX 32

/* When the last successful task of a type on a node ended, as its wait saw it: after `lo` (the
 * last poll that found it running) and by `hi` (the poll that found it stopped), in ns after the
 * start of the wait. Process-wide, shared by every client and thread: tasks of one kind on one
 * node take about as long as each other, so the next one is polled closely in that interval. */
struct task_end {
    int64_t lo, hi;
};

static struct learnt {
    char node[64], type[32];
    struct task_end end;
    uint64_t used;
} learnt[LEARNT_MAX];
static uint64_t learnt_clock;
static pthread_mutex_t learnt_mu = PTHREAD_MUTEX_INITIALIZER;

/* The entry of (node, type), or NULL; callers hold learnt_mu. */
static struct learnt *learnt_find(const struct pve_upid *u)
{
    for (size_t i = 0; i < LEARNT_MAX; i++)
        if (learnt[i].used && strcmp(learnt[i].node, u->node) == 0 &&
            strcmp(learnt[i].type, u->type) == 0)
            return &learnt[i];
    return NULL;
}

/* How the last task of u's type on u's node ended; {0, 0} when none has been seen. */
static struct task_end learnt_get(const struct pve_upid *u)
{
    pthread_mutex_lock(&learnt_mu);
    struct learnt *l = learnt_find(u);
    struct task_end end = {0, 0};
    if (l) {
        end = l->end;
        l->used = ++learnt_clock;
    }
    pthread_mutex_unlock(&learnt_mu);
    return end;
}

/* Remembers `end` for u's (node, type), replacing the entry used least recently when full. */
static void learnt_put(const struct pve_upid *u, struct task_end end)
{
    pthread_mutex_lock(&learnt_mu);
    struct learnt *l = learnt_find(u);
    if (!l) { /* a free entry (used 0) or the one used least recently */
        l = &learnt[0];
        for (size_t i = 1; i < LEARNT_MAX; i++)
            if (learnt[i].used < l->used)
                l = &learnt[i];
        snprintf(l->node, sizeof l->node, "%s", u->node);
        snprintf(l->type, sizeof l->type, "%s", u->type);
    }
    l->end = end;
    l->used = ++learnt_clock;
    pthread_mutex_unlock(&learnt_mu);
}

static int64_t clamp_ns(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* The pause before the next poll of a task that has run `age` ns. Usually a fifth of its age
 * (20 ms to 2 s): a finished task is seen at most ~20% after its end, with O(log) polls. When the
 * last task of the kind ended between e.lo and e.hi (e.hi 0: unknown), polls come every 2% of
 * e.hi (`fine`) from e.lo (at most FINE_STEPS of them before e.hi) to FINE_STEPS after e.hi, and
 * before that at least a tenth of that time apart: a task like the last one is seen within one
 * such step of its end, one that takes much more or less within a fifth of its age or a tenth of
 * the last one's. */
static int64_t poll_pause(int64_t age, struct task_end e)
{
    int64_t pause = clamp_ns(age / 5, POLL_MIN_NS, POLL_MAX_NS);
    if (e.hi <= 0)
        return pause;
    int64_t fine = clamp_ns(e.hi / 50, FINE_MIN_NS, FINE_MAX_NS);
    int64_t from = e.hi - FINE_STEPS * fine > e.lo ? e.hi - FINE_STEPS * fine : e.lo;
    if (age < from) {
        int64_t floor = clamp_ns(from / 10, POLL_MIN_NS, POLL_MAX_NS);
        pause = pause > floor ? pause : floor;
        return pause < from - age ? pause : from - age;
    }
    if (age < e.hi + FINE_STEPS * fine)
        return pause < fine ? pause : fine;
    return pause;
}

/* One read of the task's status: 1 stopped (*rc 0 for success, else -1 with ds_err and its
 * class), 0 still running or no answer worth a failure (retried later), -1 the status cannot be
 * read (ds_err). */
static int status_read(pve_client *c, const char *path, const char *upid, const char *what, int *rc)
{
    struct pve_response r = {0};
    int st = 0;
    if (pve_call(c, "GET", path, NULL, &r) < 0) {
        /* no answer at all (r.status 0) is retried too: the node may be restarting */
        if (!pve_err_is_transient(r.err_class) && r.status != 0) {
            ds_err_wrap(_("%s: cannot read the status of task %s"), what, upid);
            *rc = -1;
            st = -1;
        }
    } else {
        const char *status = json_string_value(json_object_get(r.data, "status"));
        if (status && strcmp(status, "stopped") == 0) {
            const char *ex = json_string_value(json_object_get(r.data, "exitstatus"));
            *rc = pve_task_exit_ok(ex) ? 0 : -1;
            if (*rc < 0) {
                ds_err_set(_("%s failed: %s"), what, ex ? ex : _("unexpected status"));
                pve_err_set_class(pve_err_classify_task(ex));
            }
            st = 1;
        }
    }
    pve_response_clear(&r);
    return st;
}

static int timed_out(const char *what, const char *upid, int timeout_s)
{
    return ds_err_set(_("%s: task %s still running after %d s"), what, upid,
                      timeout_s > 0 ? timeout_s : 0);
}

/* Polls the task's own status, paced by poll_pause (nodes that do not list their tasks). */
static int poll_until_stopped(pve_client *c, const struct pve_upid *u, const char *path,
                              const char *upid, const char *what, int64_t deadline, int timeout_s)
{
    int64_t start = ds_clock_mono_ns(), running = -1;
    struct task_end expect = learnt_get(u);
    for (;;) {
        int64_t asked = ds_clock_mono_ns();
        int rc = -1, st = status_read(c, path, upid, what, &rc);
        if (st < 0)
            return -1;
        if (st > 0) {
            if (rc == 0 && running >= 0) /* it ended after `running` and by `asked` */
                learnt_put(u, (struct task_end){running, asked - start});
            return rc;
        }
        running = asked - start;
        int64_t now = ds_clock_mono_ns();
        int64_t left = deadline - now;
        if (left <= 0)
            return timed_out(what, upid, timeout_s);
        int64_t pause = poll_pause(now - start, expect);
        ds_clock_sleep_ns(pause < left ? pause : left);
    }
}

/* The pace of a board wait: poll_pause of the task's age, around when its kind ended last. */
struct pace {
    int64_t start;
    struct task_end expect;
};

static int64_t board_pace(void *ud)
{
    const struct pace *p = ud;
    return poll_pause(ds_clock_mono_ns() - p->start, p->expect);
}

int pve_task_wait(pve_client *c, const char *upid, int timeout_s, const char *what)
{
    if (!what)
        what = _("task");
    struct pve_upid u;
    if (pve_upid_parse(upid, &u) < 0)
        return ds_err_set(_("%s: '%s' is not a task id (UPID)"), what, upid ? upid : "(null)");
    size_t plen = strlen(upid) + strlen(u.node) + 32;
    char *path = malloc(plen);
    if (!path)
        return ds_err_set(_("out of memory"));
    snprintf(path, plen, "/nodes/%s/tasks/%s/status", u.node, upid);
    int64_t since = ds_clock_mono_ns();
    int64_t deadline = since + (timeout_s > 0 ? timeout_s : 0) * DS_NS_PER_S;
    struct pace pace = {since, learnt_get(&u)};
    int rc = -1;
    for (;;) {
        /* the node's list of active tasks, shared with every other waiter there */
        int gone = pve_taskboard_wait_gone(c, u.node, upid, since, deadline, board_pace, &pace);
        if (gone < 0) {
            rc = poll_until_stopped(c, &u, path, upid, what, deadline, timeout_s);
            break;
        }
        if (gone == 0) {
            timed_out(what, upid, timeout_s);
            break;
        }
        int64_t asked = ds_clock_mono_ns();
        int st = status_read(c, path, upid, what, &rc);
        if (st > 0 && rc == 0) { /* it ended since the list before the last one, about */
            int64_t hi = asked - pace.start, lo = hi - board_pace(&pace);
            learnt_put(&u, (struct task_end){lo > 0 ? lo : 0, hi});
        }
        if (st != 0)
            break;
        since = asked; /* listed late, or no answer: wait for a newer list */
    }
    free(path);
    return rc;
}
