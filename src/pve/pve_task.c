/* pve_task: Proxmox VE worker tasks: UPID parsing and waiting for a task to finish.
 * The wait is bounded by a monotonic deadline and never sleeps past the time that is left. */
#include "pve/pve_task.h"

#include "ds_clock.h"
#include "util/err.h"
#include "util/i18n.h"

#include <ctype.h>
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

    int64_t start = ds_clock_mono_ns();
    int64_t deadline = start + (timeout_s > 0 ? timeout_s : 0) * DS_NS_PER_S;
    int rc = -1;
    for (;;) {
        struct pve_response r = {0};
        if (pve_call(c, "GET", path, NULL, &r) < 0) {
            /* no answer at all (r.status 0) is retried too: the node may be restarting */
            if (!pve_err_is_transient(r.err_class) && r.status != 0) {
                ds_err_wrap(_("%s: cannot read the status of task %s"), what, upid);
                pve_response_clear(&r);
                break;
            }
        } else {
            const char *status = json_string_value(json_object_get(r.data, "status"));
            if (status && strcmp(status, "stopped") == 0) {
                const char *ex = json_string_value(json_object_get(r.data, "exitstatus"));
                if (pve_task_exit_ok(ex))
                    rc = 0;
                else
                    ds_err_set(_("%s failed: %s"), what, ex ? ex : _("unexpected status"));
                if (rc < 0)
                    pve_err_set_class(pve_err_classify_task(ex));
                pve_response_clear(&r);
                break;
            }
        }
        pve_response_clear(&r);
        int64_t now = ds_clock_mono_ns();
        int64_t left = deadline - now;
        if (left <= 0) {
            ds_err_set(_("%s: task %s still running after %d s"), what, upid,
                       timeout_s > 0 ? timeout_s : 0);
            break;
        }
        /* The pause grows with the time the task has run (a fifth of it), from 20 ms to 2 s: a
         * task is seen finished at most ~20% after its end, with O(log) polls per task. */
        int64_t pause = (now - start) / 5;
        pause = pause < POLL_MIN_NS ? POLL_MIN_NS : pause > POLL_MAX_NS ? POLL_MAX_NS : pause;
        ds_clock_sleep_ns(pause < left ? pause : left);
    }
    free(path);
    return rc;
}
