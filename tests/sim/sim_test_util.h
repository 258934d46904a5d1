/* sim_test_util: small helpers for the pve-sim tests (tests/sim/test_sim_*.c): start a sim and log
 * in as root, authenticated raw requests, bounded polling of task status. Header-only. */
#ifndef SIM_TEST_UTIL_H
#define SIM_TEST_UTIL_H

#include "ds_clock.h"
#include "simproc.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define ROOT_PW "sim-root-password"

struct simctx {
    struct simproc sp;
    char cookie[1024];
    char csrf[256];
};

/* Monotonic milliseconds (ds_clock) for bounded waits. */
static inline int64_t tu_now_ms(void)
{
    return ds_clock_mono_ms();
}

static inline void tu_sleep_ms(int ms)
{
    ds_clock_sleep_ns(ms * DS_NS_PER_MS);
}

/* Starts a sim with extra args (NULL-terminated list, may be NULL) and logs in as root. */
static inline int tu_start(struct simctx *c, const char *const *args)
{
    memset(c, 0, sizeof *c);
    if (simproc_start(&c->sp, args) != 0)
        return -1;
    if (simproc_login(&c->sp, "root@pam", ROOT_PW, c->cookie, sizeof c->cookie, c->csrf,
                      sizeof c->csrf) != 0) {
        simproc_stop(&c->sp);
        return -1;
    }
    return 0;
}

static inline void tu_stop(struct simctx *c)
{
    simproc_stop(&c->sp);
}

/* cmocka group setup/teardown of the tests that share one simulator (--time-scale 0.01, root
 * logged in) in a static struct simctx: the setup starts it in c and keeps c in *state. */
static inline int tu_group_setup(void **state, struct simctx *c)
{
    static const char *const args[] = {"--time-scale", "0.01", NULL};
    *state = c;
    return tu_start(c, args);
}

static inline int tu_group_teardown(void **state)
{
    tu_stop(*state);
    return 0;
}

/* Authenticated request below /api2/json (path like "/nodes/pve1/qemu"); printf-style path. */
static inline long tu_req(struct simctx *c, const char *method, const char *body, struct rawresp *r,
                          const char *pathfmt, ...) __attribute__((format(printf, 5, 6)));
static inline long tu_req(struct simctx *c, const char *method, const char *body, struct rawresp *r,
                          const char *pathfmt, ...)
{
    char path[1024] = "/api2/json";
    va_list ap;
    va_start(ap, pathfmt);
    vsnprintf(path + 10, sizeof path - 10, pathfmt, ap);
    va_end(ap);
    const char *hdrs[] = {c->cookie, c->csrf, NULL};
    if (simproc_request(&c->sp, method, path, body, hdrs, r) != 0)
        return -1;
    return r->status;
}

static inline json_t *tu_data(const struct rawresp *r)
{
    return json_object_get(r->json, "data");
}

static inline const char *tu_msg(const struct rawresp *r)
{
    const char *m = json_string_value(json_object_get(r->json, "message"));
    return m ? m : "";
}

static inline const char *tu_err(const struct rawresp *r, const char *param)
{
    const char *m = json_string_value(json_object_get(json_object_get(r->json, "errors"), param));
    return m ? m : "";
}

/* tu_req that must answer `status`, and (msg non-NULL) with exactly that message. The response is
 * not kept. */
static inline void tu_expect(struct simctx *c, const char *method, const char *body,
                             const char *path, long status, const char *msg)
{
    struct rawresp r;
    assert_int_equal(tu_req(c, method, body, &r, "%s", path), status);
    if (msg)
        assert_string_equal(tu_msg(&r), msg);
    rawresp_clear(&r);
}

/* Polls a task until it stops (bounded: 30 s). Returns a malloc'd exitstatus or NULL. */
static inline char *tu_wait_task(struct simctx *c, const char *node, const char *upid)
{
    int64_t deadline = tu_now_ms() + 30 * 1000;
    char path[512];
    /* UPIDs contain ':' and '@' which are fine in a path segment */
    snprintf(path, sizeof path, "/nodes/%s/tasks/%s/status", node, upid);
    while (tu_now_ms() < deadline) {
        struct rawresp r;
        if (tu_req(c, "GET", NULL, &r, "%s", path) == 200) {
            json_t *d = tu_data(&r);
            if (strcmp(json_string_value(json_object_get(d, "status")), "stopped") == 0) {
                char *es = strdup(json_string_value(json_object_get(d, "exitstatus")));
                rawresp_clear(&r);
                return es;
            }
        }
        rawresp_clear(&r);
        tu_sleep_ms(5);
    }
    return NULL;
}

/* Runs an async request and waits for its task; returns the exitstatus (malloc'd) or NULL. */
static inline char *tu_run_task(struct simctx *c, const char *node, const char *method,
                                const char *body, const char *path)
{
    struct rawresp r;
    long st = tu_req(c, method, body, &r, "%s", path);
    const char *upid = json_string_value(tu_data(&r));
    char *res = NULL;
    if (st == 200 && upid) {
        char *u = strdup(upid);
        rawresp_clear(&r);
        res = tu_wait_task(c, node, u);
        free(u);
        return res;
    }
    fprintf(stderr, "tu_run_task %s %s: %ld %s\n", method, path, st, r.body ? r.body : "");
    rawresp_clear(&r);
    return NULL;
}

#endif
