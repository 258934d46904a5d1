/* test_pve_client: the PVE client against the simulator (pve-sim on 127.0.0.1, started here).
 * Ticket/token auth, CSRF, TLS pinning, connection errors, tasks, schema refusals, typed calls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pve/pve_api.h"
#include "pve/pve_client.h"
#include "pve/pve_task.h"
#include "pve/pve_tls.h"
#include "simproc.h"
#include "util/err.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ROOT_PW "sim-root-password"
#define TASK_TIMEOUT_S 60

/* A client call that must succeed (>= 0); the test fails with the client's error otherwise. */
#define MUST(call)                                                                                 \
    do {                                                                                           \
        if ((call) < 0)                                                                            \
            fail_msg("%s", ds_err_last());                                                         \
    } while (0)

static struct simproc sim;      /* classroom, fast tasks */
static struct simproc sim_fail; /* every task fails */
static int sim_up, sim_fail_up;

static int setup(void **state)
{
    (void)state;
    const char *args[] = {"--scenario", "classroom", "--time-scale", "0.01", NULL};
    if (simproc_start(&sim, args) < 0) {
        fprintf(stderr, "cannot start pve-sim\n");
        return -1;
    }
    sim_up = 1;
    const char *fargs[] = {
        "--scenario", "classroom", "--time-scale", "0.01", "--task-fail-rate", "1", "--seed",
        "7",          NULL};
    if (simproc_start(&sim_fail, fargs) < 0) {
        fprintf(stderr, "cannot start pve-sim --task-fail-rate 1\n");
        return -1;
    }
    sim_fail_up = 1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (sim_up)
        simproc_stop(&sim);
    if (sim_fail_up)
        simproc_stop(&sim_fail);
    return 0;
}

static pve_client *client_for(const struct simproc *sp, const char *user, const char *pw)
{
    struct pve_conn_opts o = {
        .host = "127.0.0.1",
        .port = sp->port,
        .user = user,
        .password = pw,
        .verify_tls = 1,
        .fingerprint = sp->fingerprint,
        .timeout_ms = 20000,
    };
    pve_client *c = pve_client_new(&o);
    assert_non_null(c);
    return c;
}

static pve_client *root_client(const struct simproc *sp)
{
    pve_client *c = client_for(sp, "root@pam", ROOT_PW);
    if (pve_client_login(c) < 0)
        fail_msg("login: %s", ds_err_last());
    return c;
}

static long stats_total(const struct simproc *sp)
{
    json_t *st = simproc_stats(sp);
    assert_non_null(st);
    json_t *t = json_object_get(st, "total_requests");
    assert_true(json_is_integer(t));
    long v = (long)json_integer_value(t);
    json_decref(st);
    return v;
}

/* Requests counted for one endpoint key and status ("POST /pools", "200"). */
static long stats_count(const struct simproc *sp, const char *endpoint, const char *status)
{
    json_t *st = simproc_stats(sp);
    assert_non_null(st);
    long v = (long)json_integer_value(
        json_object_get(json_object_get(json_object_get(st, "requests"), endpoint), status));
    json_decref(st);
    return v;
}

/* How many requests reading the stats itself adds (0 or 1), so deltas are exact. */
static long stats_self_delta(const struct simproc *sp)
{
    long a = stats_total(sp);
    long b = stats_total(sp);
    return b - a;
}

static void test_ticket_login_get_and_csrf(void **state)
{
    (void)state;
    pve_client *c = root_client(&sim);
    assert_true(pve_client_has_ticket(c));
    char url[160];
    snprintf(url, sizeof url, "https://127.0.0.1:%u", sim.port);
    assert_string_equal(pve_client_base_url(c), url);

    json_t *v = NULL;
    assert_int_equal(pve_version_get(c, &v), 0);
    assert_non_null(json_object_get(v, "version"));
    json_decref(v);

    json_t *nodes = NULL;
    assert_int_equal(pve_nodes_list(c, &nodes), 0);
    assert_int_equal(json_array_size(nodes), 3);
    json_decref(nodes);

    /* a mutating call needs the CSRF token: create, read, delete a pool */
    long created = stats_count(&sim, "POST /pools", "200");
    MUST(pve_pool_create(c, "c1-pool", "pve client test"));
    assert_int_equal(stats_count(&sim, "POST /pools", "200"), created + 1);
    json_t *pool = NULL;
    MUST(pve_pool_get(c, "c1-pool", &pool));
    assert_true(json_is_array(json_object_get(pool, "members")));
    json_decref(pool);
    json_t *pools = NULL;
    assert_int_equal(pve_pools_list(c, &pools), 0);
    int found = 0;
    size_t i;
    json_t *it;
    json_array_foreach(pools, i, it)
    {
        found |= strcmp(json_string_value(json_object_get(it, "poolid")), "c1-pool") == 0;
    }
    assert_true(found);
    json_decref(pools);

    /* a duplicate reports PVE's message with the action */
    assert_int_equal(pve_pool_create(c, "c1-pool", NULL), -1);
    assert_non_null(strstr(ds_err_last(), "creation of pool c1-pool failed: 500 "));
    assert_non_null(strstr(ds_err_last(), "already exists"));

    assert_int_equal(pve_pool_delete(c, "c1-pool"), 0);
    assert_int_equal(pve_pool_get(c, "c1-pool", &pool), -1);
    assert_null(pool);
    assert_non_null(strstr(ds_err_last(), "reading pool c1-pool failed: "));

    /* the raw call fills the response */
    struct pve_response r = {0};
    assert_int_equal(pve_call(c, "GET", "/nodes/pve1/qemu/999/config", NULL, &r), -1);
    assert_int_equal(r.status, 500);
    assert_non_null(r.message);
    assert_non_null(strstr(ds_err_last(), "GET /nodes/pve1/qemu/999/config: 500 "));
    assert_false(pve_response_is_transient(&r));
    pve_response_clear(&r);
    pve_client_free(c);
}

static void test_token_auth(void **state)
{
    (void)state;
    pve_client *root = root_client(&sim);
    struct pve_response r = {0};
    json_t *p = json_pack("{s:b, s:s}", "privsep", 0, "comment", "c1 test token");
    MUST(pve_call(root, "POST", "/access/users/root@pam/token/c1tok", p, &r));
    json_decref(p);
    const char *full_id = json_string_value(json_object_get(r.data, "full-tokenid"));
    const char *secret = json_string_value(json_object_get(r.data, "value"));
    assert_non_null(full_id);
    assert_non_null(secret);
    assert_string_equal(full_id, "root@pam!c1tok");

    struct pve_conn_opts o = {.host = "127.0.0.1",
                              .port = sim.port,
                              .token_id = full_id,
                              .token_secret = secret,
                              .fingerprint = sim.fingerprint};
    pve_client *t = pve_client_new(&o);
    assert_non_null(t);
    MUST(pve_client_login(t));
    assert_false(pve_client_has_ticket(t));
    /* mutating calls need no CSRF token with API tokens */
    MUST(pve_pool_create(t, "c1-tokpool", NULL));
    assert_int_equal(pve_pool_delete(t, "c1-tokpool"), 0);
    pve_client_free(t);

    /* a wrong secret */
    o.token_secret = "00000000-0000-0000-0000-000000000000";
    t = pve_client_new(&o);
    assert_int_equal(pve_client_login(t), -1);
    assert_non_null(
        strstr(ds_err_last(), "authentication failed for API token root@pam!c1tok at "));
    assert_null(strstr(ds_err_last(), "00000000-0000"));
    pve_client_free(t);
    pve_response_clear(&r);
    pve_client_free(root);
}

static void test_wrong_password(void **state)
{
    (void)state;
    pve_client *c = client_for(&sim, "root@pam", "not-the-password");
    assert_int_equal(pve_client_login(c), -1);
    char want[256];
    snprintf(want, sizeof want,
             "authentication failed for root@pam at https://127.0.0.1:%u: wrong user or password",
             sim.port);
    assert_string_equal(ds_err_last(), want);
    assert_false(pve_client_has_ticket(c));
    /* a call logs in first and reports the same */
    json_t *v = NULL;
    assert_int_equal(pve_version_get(c, &v), -1);
    assert_null(v);
    assert_non_null(strstr(ds_err_last(), "wrong user or password"));
    assert_null(strstr(ds_err_last(), "not-the-password"));
    pve_client_free(c);
}

/* A port on 127.0.0.1 that nothing listens on: bind to port 0, read it, close. */
static unsigned free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static void test_unreachable(void **state)
{
    (void)state;
    unsigned port = free_port();
    struct pve_conn_opts o = {.host = "127.0.0.1",
                              .port = port,
                              .user = "root@pam",
                              .password = ROOT_PW,
                              .verify_tls = 1,
                              .timeout_ms = 5000};
    pve_client *c = pve_client_new(&o);
    assert_int_equal(pve_client_login(c), -1);
    char want[160];
    snprintf(want, sizeof want, "cannot connect to https://127.0.0.1:%u/: Connection refused",
             port);
    assert_string_equal(ds_err_last(), want);

    struct pve_response r = {0};
    assert_int_equal(pve_call(c, "GET", "/version", NULL, &r), -1);
    assert_int_equal(r.status, 0);
    assert_true(pve_response_is_transient(&r));
    assert_non_null(strstr(ds_err_last(), "GET /version: "));
    assert_non_null(strstr(ds_err_last(), "Connection refused"));
    pve_response_clear(&r);
    pve_client_free(c);
}

static void test_wrong_fingerprint(void **state)
{
    (void)state;
    char wrong[PVE_FP_TEXT_LEN];
    assert_int_equal(pve_fp_normalize(sim.fingerprint, wrong), 0);
    wrong[0] = wrong[0] == '0' ? '1' : '0'; /* still hex, another digest */

    long self = stats_self_delta(&sim);
    long before = stats_total(&sim);
    long tickets = stats_count(&sim, "POST /access/ticket", "200");
    struct pve_conn_opts o = {.host = "127.0.0.1",
                              .port = sim.port,
                              .user = "root@pam",
                              .password = ROOT_PW,
                              .verify_tls = 1,
                              .fingerprint = wrong};
    pve_client *c = pve_client_new(&o);
    assert_int_equal(pve_client_login(c), -1);
    char canon[PVE_FP_TEXT_LEN];
    assert_int_equal(pve_fp_normalize(sim.fingerprint, canon), 0);
    char want[512];
    snprintf(want, sizeof want,
             "TLS certificate of 127.0.0.1:%u does not match the pinned fingerprint (got %s, "
             "expected %s)",
             sim.port, canon, wrong);
    assert_string_equal(ds_err_last(), want);
    /* a pin mismatch rejects even a certificate the CA check would not care about, and no request
       reached the sim */
    json_t *v = NULL;
    assert_int_equal(pve_version_get(c, &v), -1);
    assert_non_null(strstr(ds_err_last(), "does not match the pinned fingerprint"));
    long after = stats_total(&sim);
    assert_int_equal(after - before, self);
    assert_int_equal(stats_count(&sim, "POST /access/ticket", "200"), tickets);
    pve_client_free(c);

    /* lower-case pin without colons works */
    char lower[PVE_FP_TEXT_LEN];
    size_t n = 0;
    for (const char *p = canon; *p; p++)
        if (*p != ':')
            lower[n++] = (char)(*p >= 'A' && *p <= 'F' ? *p - 'A' + 'a' : *p);
    lower[n] = '\0';
    o.fingerprint = lower;
    c = pve_client_new(&o);
    MUST(pve_client_login(c));
    assert_int_equal(pve_version_get(c, &v), 0);
    json_decref(v);
    pve_client_free(c);
}

static void test_unverifiable_cert(void **state)
{
    (void)state;
    struct pve_conn_opts o = {.host = "127.0.0.1",
                              .port = sim.port,
                              .user = "root@pam",
                              .password = ROOT_PW,
                              .verify_tls = 1};
    pve_client *c = pve_client_new(&o);
    assert_int_equal(pve_client_login(c), -1);
    char head[128];
    snprintf(head, sizeof head, "TLS certificate of 127.0.0.1:%u cannot be verified: ", sim.port);
    assert_non_null(strstr(ds_err_last(), head));
    assert_non_null(strstr(ds_err_last(), "set `fingerprint:` to pin it or `verify_ssl: false`"));
    pve_client_free(c);

    /* verify_tls = 0 without a pin accepts the self-signed certificate */
    o.verify_tls = 0;
    c = pve_client_new(&o);
    MUST(pve_client_login(c));
    pve_client_free(c);
}

static void test_clone_and_task_wait(void **state)
{
    (void)state;
    pve_client *c = root_client(&sim);
    int id = 0;
    MUST(pve_cluster_nextid(c, &id));
    assert_true(id >= 100);
    MUST(pve_pool_create(c, "c1-clones", NULL));
    struct pve_clone_opts co = {.name = "c1-vm", .pool = "c1-clones", .full = 0};
    MUST(pve_vm_clone_wait(c, "pve1", 100, id, &co, TASK_TIMEOUT_S));

    json_t *cfg = NULL;
    assert_int_equal(pve_vm_config_get(c, "pve1", id, &cfg), 0);
    assert_string_equal(json_string_value(json_object_get(cfg, "name")), "c1-vm");
    assert_null(json_object_get(cfg, "lock"));
    json_decref(cfg);

    json_t *p = json_pack("{s:s}", "tags", "c1;test");
    MUST(pve_vm_config_set(c, "pve1", id, p));
    json_decref(p);
    assert_int_equal(pve_vm_config_get(c, "pve1", id, &cfg), 0);
    assert_non_null(strstr(json_string_value(json_object_get(cfg, "tags")), "c1"));
    json_decref(cfg);

    json_t *res = NULL;
    assert_int_equal(pve_cluster_resources(c, "vm", &res), 0);
    int seen = 0;
    size_t i;
    json_t *it;
    json_array_foreach(res, i, it)
    {
        seen |= json_integer_value(json_object_get(it, "vmid")) == id;
    }
    assert_true(seen);
    json_decref(res);

    /* start, status, stop */
    MUST(pve_vm_start_wait(c, "pve1", id, TASK_TIMEOUT_S));
    json_t *st = NULL;
    assert_int_equal(pve_vm_status(c, "pve1", id, &st), 0);
    assert_string_equal(json_string_value(json_object_get(st, "status")), "running");
    json_decref(st);
    /* destroying a running VM fails with PVE's reason, verbatim */
    assert_int_equal(pve_vm_destroy_wait(c, "pve1", id, 1, TASK_TIMEOUT_S), -1);
    assert_non_null(strstr(ds_err_last(), "destruction of VM"));
    assert_non_null(strstr(ds_err_last(), "running"));
    MUST(pve_vm_stop_wait(c, "pve1", id, TASK_TIMEOUT_S));

    /* cloning onto a taken id fails synchronously */
    assert_int_equal(pve_vm_clone_wait(c, "pve1", 100, id, NULL, TASK_TIMEOUT_S), -1);
    char head[128];
    snprintf(head, sizeof head, "clone of template 100 on pve1 to VM %d failed: 500 ", id);
    assert_non_null(strstr(ds_err_last(), head));

    MUST(pve_vm_destroy_wait(c, "pve1", id, 1, TASK_TIMEOUT_S));
    assert_int_equal(pve_vm_config_get(c, "pve1", id, &cfg), -1);
    assert_null(cfg);
    MUST(pve_pool_delete(c, "c1-clones"));
    pve_client_free(c);
}

/* Starts a linked clone of template 100 on pve1 to the next free id (*id); returns its UPID
 * (malloc'd). */
static char *clone_start(pve_client *c, int *id)
{
    MUST(pve_cluster_nextid(c, id));
    char *upid = NULL;
    MUST(pve_vm_clone(c, "pve1", 100, *id, NULL, &upid));
    return upid;
}

static void test_task_failure_verbatim(void **state)
{
    (void)state;
    pve_client *c = root_client(&sim_fail);
    int id = 0;
    char *upid = clone_start(c, &id);
    struct pve_upid u;
    assert_int_equal(pve_upid_parse(upid, &u), 0);
    assert_string_equal(u.node, "pve1");
    assert_string_equal(u.type, "qmclone");
    assert_string_equal(u.id, "100");
    assert_string_equal(u.user, "root@pam");

    assert_int_equal(pve_task_wait(c, upid, TASK_TIMEOUT_S, "my clone"), -1);
    char err[2048];
    snprintf(err, sizeof err, "%s", ds_err_last());

    /* the text is the task's exitstatus, verbatim */
    char path[512];
    snprintf(path, sizeof path, "/nodes/pve1/tasks/%s/status", upid);
    struct pve_response r = {0};
    MUST(pve_call(c, "GET", path, NULL, &r));
    const char *ex = json_string_value(json_object_get(r.data, "exitstatus"));
    assert_non_null(ex);
    assert_false(pve_task_exit_ok(ex));
    char want[2048];
    snprintf(want, sizeof want, "my clone failed: %s", ex);
    assert_string_equal(err, want);
    pve_response_clear(&r);
    free(upid);

    /* the typed wait names the clone */
    MUST(pve_cluster_nextid(c, &id));
    assert_int_equal(pve_vm_clone_wait(c, "pve1", 100, id, NULL, TASK_TIMEOUT_S), -1);
    char head[128];
    snprintf(head, sizeof head, "clone of template 100 on pve1 to VM %d failed: ", id);
    assert_non_null(strstr(ds_err_last(), head));
    pve_client_free(c);
}

static void test_task_timeout(void **state)
{
    (void)state;
    pve_client *c = root_client(&sim);
    int id = 0;
    char *upid = clone_start(c, &id);
    /* zero seconds: one look, and the clone is still running at that moment (or just done) */
    int rc = pve_task_wait(c, upid, 0, "quick look");
    if (rc < 0) {
        char want[512];
        snprintf(want, sizeof want, "quick look: task %s still running after 0 s", upid);
        assert_string_equal(ds_err_last(), want);
    }
    MUST(pve_task_wait(c, upid, TASK_TIMEOUT_S, "clone"));
    free(upid);
    MUST(pve_vm_destroy_wait(c, "pve1", id, 0, TASK_TIMEOUT_S));
    /* not a UPID */
    assert_int_equal(pve_task_wait(c, "UPID:nope", 1, "x"), -1);
    assert_non_null(strstr(ds_err_last(), "is not a task id"));
    pve_client_free(c);
}

static void test_schema_refusal_not_sent(void **state)
{
    (void)state;
    pve_client *c = root_client(&sim);
    long self = stats_self_delta(&sim);
    long before = stats_total(&sim);
    unsigned long sent = pve_client_request_count(c);
    assert_int_equal(pve_vm_clone_wait(c, "pve1", 100, 5, NULL, TASK_TIMEOUT_S), -1);
    assert_non_null(strstr(ds_err_last(), "internal error: refusing to send POST "
                                          "/nodes/pve1/qemu/100/clone: newid: "));
    json_t *p = json_pack("{s:s}", "bogus", "1");
    assert_int_equal(pve_vm_config_set(c, "pve1", 100, p), -1);
    json_decref(p);
    assert_non_null(strstr(ds_err_last(), "bogus: "));
    assert_int_equal(pve_client_request_count(c), sent);
    assert_int_equal(stats_total(&sim) - before, self);
    pve_client_free(c);
}

static int64_t fake_now;
static int64_t fake_clock(void *ctx)
{
    (void)ctx;
    return fake_now;
}

static void test_ticket_renewal(void **state)
{
    (void)state;
    pve_client *c = client_for(&sim, "root@pam", ROOT_PW);
    fake_now = 1000000;
    pve_client_set_clock(c, fake_clock, NULL);
    MUST(pve_client_login(c));
    long tickets = stats_count(&sim, "POST /access/ticket", "200");
    json_t *v = NULL;
    unsigned long n0 = pve_client_request_count(c);
    fake_now += 100 * 60; /* 1h40: still fresh */
    assert_int_equal(pve_version_get(c, &v), 0);
    json_decref(v);
    assert_int_equal(pve_client_request_count(c), n0 + 1);
    fake_now += 6 * 60; /* 1h46: renewed before the call */
    assert_int_equal(pve_version_get(c, &v), 0);
    json_decref(v);
    assert_int_equal(pve_client_request_count(c), n0 + 3);
    assert_int_equal(stats_count(&sim, "POST /access/ticket", "200"), tickets + 1);
    /* the renewed ticket is fresh again */
    assert_int_equal(pve_version_get(c, &v), 0);
    json_decref(v);
    assert_int_equal(pve_client_request_count(c), n0 + 4);
    pve_client_free(c);
}

/* A ticket that stops working (its user was deleted) gets one new login, then a clear error. */
static void test_relogin_on_401(void **state)
{
    (void)state;
    pve_client *root = root_client(&sim);
    MUST(pve_user_create(root, "c1gone@pve", "gone-pass-1", NULL));
    pve_client *u = client_for(&sim, "c1gone@pve", "gone-pass-1");
    MUST(pve_client_login(u));
    json_t *v = NULL;
    assert_int_equal(pve_version_get(u, &v), 0);
    json_decref(v);
    assert_int_equal(pve_user_delete(root, "c1gone@pve"), 0);

    long failed_logins = stats_count(&sim, "POST /access/ticket", "401");
    unsigned long n0 = pve_client_request_count(u);
    struct pve_response r = {0};
    assert_int_equal(pve_call(u, "GET", "/version", NULL, &r), -1);
    assert_int_equal(r.status, 401);
    assert_false(pve_response_is_transient(&r));
    pve_response_clear(&r);
    assert_non_null(strstr(ds_err_last(), "GET /version: 401 "));
    assert_non_null(strstr(ds_err_last(), "logging in again failed"));
    assert_non_null(strstr(ds_err_last(), "authentication failed for c1gone@pve"));
    assert_null(strstr(ds_err_last(), "gone-pass-1"));
    /* the call, then exactly one new login */
    assert_int_equal(pve_client_request_count(u), n0 + 2);
    assert_int_equal(stats_count(&sim, "POST /access/ticket", "401"), failed_logins + 1);
    pve_client_free(u);
    pve_client_free(root);
}

struct thread_arg {
    pve_client *c;
    int rc;
    char err[512];
};

static void *thread_main(void *p)
{
    struct thread_arg *a = p;
    json_t *nodes = NULL;
    a->rc = 0;
    for (int i = 0; i < 20 && a->rc == 0; i++) {
        a->rc = pve_nodes_list(a->c, &nodes);
        json_decref(nodes);
        nodes = NULL;
    }
    if (a->rc < 0)
        snprintf(a->err, sizeof a->err, "%s", ds_err_last());
    return NULL;
}

static void test_dup_threads(void **state)
{
    (void)state;
    pve_client *c = root_client(&sim);
    long tickets = stats_count(&sim, "POST /access/ticket", "200");
    struct thread_arg args[3];
    pthread_t th[3];
    for (int i = 0; i < 3; i++) {
        args[i].c = pve_client_dup(c);
        assert_non_null(args[i].c);
        assert_true(pve_client_has_ticket(args[i].c));
        assert_int_equal(pthread_create(&th[i], NULL, thread_main, &args[i]), 0);
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(th[i], NULL);
        if (args[i].rc < 0)
            fail_msg("thread %d: %s", i, args[i].err);
        assert_int_equal(pve_client_request_count(args[i].c), 20);
        pve_client_free(args[i].c);
    }
    /* the copies shared the ticket: no new logins */
    assert_int_equal(stats_count(&sim, "POST /access/ticket", "200"), tickets);
    pve_client_free(c);
}

static int iface_listed(const json_t *ifaces, const char *name)
{
    size_t i;
    json_t *it;
    json_array_foreach((json_t *)ifaces, i, it)
    {
        const char *n = json_string_value(json_object_get(it, "iface"));
        if (n && strcmp(n, name) == 0)
            return 1;
    }
    return 0;
}

static void test_network(void **state)
{
    (void)state;
    pve_client *c = root_client(&sim);
    json_t *ifaces = NULL;
    char *changes = NULL;
    struct pve_bridge_opts bo = {.vlan_aware = 0, .comments = "c1 test", .autostart = 1};
    MUST(pve_net_bridge_create(c, "pve2", "vmbr901", &bo));
    assert_int_equal(pve_net_list(c, "pve2", &ifaces, &changes), 0);
    assert_true(iface_listed(ifaces, "vmbr901"));
    assert_non_null(changes);
    assert_non_null(strstr(changes, "vmbr901"));
    json_decref(ifaces);
    free(changes);

    /* duplicate: PVE's parameter error */
    assert_int_equal(pve_net_bridge_create(c, "pve2", "vmbr901", NULL), -1);
    assert_non_null(strstr(ds_err_last(), "creation of bridge vmbr901 on pve2 failed: 400 "));
    assert_non_null(strstr(ds_err_last(), "iface: "));

    assert_int_equal(pve_net_revert(c, "pve2"), 0);
    assert_int_equal(pve_net_list(c, "pve2", &ifaces, &changes), 0);
    assert_false(iface_listed(ifaces, "vmbr901"));
    assert_null(changes);
    json_decref(ifaces);

    MUST(pve_net_bridge_create(c, "pve2", "vmbr902", &bo));
    MUST(pve_net_apply_wait(c, "pve2", TASK_TIMEOUT_S));
    assert_int_equal(pve_net_list(c, "pve2", &ifaces, &changes), 0);
    assert_true(iface_listed(ifaces, "vmbr902"));
    assert_null(changes);
    json_decref(ifaces);
    MUST(pve_net_iface_delete(c, "pve2", "vmbr902"));
    MUST(pve_net_apply_wait(c, "pve2", TASK_TIMEOUT_S));
    assert_int_equal(pve_net_list(c, "pve2", &ifaces, NULL), 0);
    assert_false(iface_listed(ifaces, "vmbr902"));
    json_decref(ifaces);
    pve_client_free(c);
}

static void test_users_and_acl(void **state)
{
    (void)state;
    pve_client *c = root_client(&sim);
    MUST(pve_pool_create(c, "c1-student", NULL));
    MUST(pve_user_create(c, "c1stud@pve", "student-pass-1", "c1 test"));
    assert_int_equal(pve_user_create(c, "c1stud@pve", "student-pass-1", NULL), -1);
    assert_non_null(strstr(ds_err_last(), "creation of user c1stud@pve failed: 500 "));
    assert_null(strstr(ds_err_last(), "student-pass-1"));
    json_t *u = NULL;
    assert_int_equal(pve_user_get(c, "c1stud@pve", &u), 0);
    json_decref(u);
    MUST(pve_acl_set(c, "/pool/c1-student", "PVEVMUser", "c1stud@pve", 1, 0));
    json_t *acl = NULL;
    assert_int_equal(pve_acl_list(c, &acl), 0);
    int found = 0;
    size_t i;
    json_t *it;
    json_array_foreach(acl, i, it)
    {
        const char *ugid = json_string_value(json_object_get(it, "ugid"));
        const char *path = json_string_value(json_object_get(it, "path"));
        found |= ugid && path && strcmp(ugid, "c1stud@pve") == 0 &&
                 strcmp(path, "/pool/c1-student") == 0;
    }
    assert_true(found);
    json_decref(acl);

    /* the student logs in and sees only what the ACL allows */
    pve_client *s = client_for(&sim, "c1stud@pve", "student-pass-1");
    MUST(pve_client_login(s));
    json_t *perm = NULL;
    assert_int_equal(pve_permissions_get(s, &perm), 0);
    json_decref(perm);
    json_t *cfg = NULL;
    assert_int_equal(pve_vm_config_get(s, "pve1", 100, &cfg), -1);
    assert_non_null(strstr(ds_err_last(), "reading the config of VM 100 on pve1 failed: 403 "));
    pve_client_free(s);

    assert_int_equal(pve_acl_set(c, "/pool/c1-student", "PVEVMUser", "c1stud@pve", 1, 1), 0);
    assert_int_equal(pve_acl_set(c, "/nowhere", "PVEVMUser", "c1stud@pve", 1, 0), -1);
    assert_non_null(strstr(ds_err_last(), "path"));
    json_t *users = NULL;
    assert_int_equal(pve_users_list(c, &users), 0);
    json_decref(users);
    assert_int_equal(pve_user_delete(c, "c1stud@pve"), 0);
    assert_int_equal(pve_pool_delete(c, "c1-student"), 0);
    pve_client_free(c);
}

static void test_nodes_and_storage(void **state)
{
    (void)state;
    pve_client *c = root_client(&sim);
    json_t *st = NULL;
    assert_int_equal(pve_node_status(c, "pve1", &st), 0);
    assert_non_null(json_object_get(st, "memory"));
    json_decref(st);
    json_t *stor = NULL;
    assert_int_equal(pve_storage_list(c, "pve1", &stor), 0);
    assert_true(json_array_size(stor) > 0);
    json_decref(stor);
    assert_int_equal(pve_node_status(c, "nosuchnode", &st), -1);
    assert_null(st);
    assert_non_null(strstr(ds_err_last(), "reading the status of node nosuchnode failed: "));
    pve_client_free(c);
}

static void test_plain_http(void **state)
{
    (void)state;
    struct simproc hs;
    const char *args[] = {"--scenario", "single", "--http", NULL};
    if (simproc_start(&hs, args) < 0)
        fail_msg("cannot start pve-sim --http");
    struct pve_conn_opts o = {.host = "127.0.0.1",
                              .port = hs.port,
                              .plain_http = 1,
                              .user = "root@pam",
                              .password = ROOT_PW};
    pve_client *c = pve_client_new(&o);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", hs.port);
    assert_string_equal(pve_client_base_url(c), url);
    int rc = pve_client_login(c);
    char err[512];
    snprintf(err, sizeof err, "%s", ds_err_last());
    json_t *v = NULL;
    int rc2 = rc == 0 ? pve_version_get(c, &v) : -1;
    json_decref(v);
    pve_client_free(c);
    simproc_stop(&hs);
    if (rc < 0 || rc2 < 0)
        fail_msg("%s", err);
}

/* The sim files handler-side parameter errors (raise_param_exc) under its violations too; these
 * are the ones this test provokes on purpose. */
static const char *const provoked[] = {
    "interface already exists",
    "invalid ACL path '/nowhere'",
};

/* Runs last: nothing the client sent was rejected by the sim's schema check. */
static void test_no_schema_violations(void **state)
{
    (void)state;
    const struct simproc *sims[] = {&sim, &sim_fail};
    const long expected[] = {0, 0}; /* the provoked handler 400s are not schema violations */
    for (int i = 0; i < 2; i++) {
        json_t *st = simproc_stats(sims[i]);
        assert_non_null(st);
        long n = (long)json_integer_value(json_object_get(st, "schema_violation_count"));
        long others = 0;
        const char *ep;
        json_t *v;
        json_object_foreach(json_object_get(st, "schema_violations"), ep, v)
        {
            size_t j;
            json_t *ex;
            json_array_foreach(json_object_get(v, "examples"), j, ex)
            {
                const char *k;
                json_t *msg;
                json_object_foreach(ex, k, msg)
                {
                    int ok = 0;
                    for (size_t m = 0; m < sizeof provoked / sizeof provoked[0]; m++)
                        ok |=
                            json_is_string(msg) && strcmp(json_string_value(msg), provoked[m]) == 0;
                    others += !ok;
                }
            }
        }
        if (n != expected[i] || others) {
            char *d = json_dumps(json_object_get(st, "schema_violations"), JSON_COMPACT);
            fprintf(stderr, "schema violations: %s\n", d ? d : "?");
            free(d);
        }
        long total = (long)json_integer_value(json_object_get(st, "total_requests"));
        json_decref(st);
        assert_int_equal(others, 0);
        assert_int_equal(n, expected[i]);
        assert_true(total > 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ticket_login_get_and_csrf),
        cmocka_unit_test(test_token_auth),
        cmocka_unit_test(test_wrong_password),
        cmocka_unit_test(test_unreachable),
        cmocka_unit_test(test_wrong_fingerprint),
        cmocka_unit_test(test_unverifiable_cert),
        cmocka_unit_test(test_clone_and_task_wait),
        cmocka_unit_test(test_task_failure_verbatim),
        cmocka_unit_test(test_task_timeout),
        cmocka_unit_test(test_schema_refusal_not_sent),
        cmocka_unit_test(test_ticket_renewal),
        cmocka_unit_test(test_relogin_on_401),
        cmocka_unit_test(test_dup_threads),
        cmocka_unit_test(test_network),
        cmocka_unit_test(test_users_and_acl),
        cmocka_unit_test(test_nodes_and_storage),
        cmocka_unit_test(test_plain_http),
        cmocka_unit_test(test_no_schema_violations),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
