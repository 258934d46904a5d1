/* test_sim_faults: pve-sim fault injection: lock-timeout 500s (--fail-rate), failing tasks
 * (--task-fail-rate), determinism with --seed, --latency-ms, and the fault rules (--fault,
 * /__sim/fault): each kind answers with Proxmox's status and body, counts and reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim_test_util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

static void test_fail_rate_one(void **state)
{
    (void)state;
    struct simctx c;
    const char *args[] = {"--time-scale", "0.01", "--fail-rate", "1", NULL};
    assert_int_equal(tu_start(&c, args), 0);
    struct rawresp r;
    assert_int_equal(tu_req(&c, "PUT", "description=x", &r, "/nodes/pve1/qemu/200/config"), 500);
    assert_string_equal(tu_msg(&r),
                        "can't lock file '/var/lock/qemu-server/lock-200.conf' - got timeout\n");
    rawresp_clear(&r);
    assert_int_equal(tu_req(&c, "POST", "poolid=x1", &r, "/pools"), 500);
    assert_string_equal(
        tu_msg(&r),
        "create pool failed: cfs-lock 'file-user_cfg' error: got lock request timeout\n");
    rawresp_clear(&r);
    assert_int_equal(tu_req(&c, "POST", "iface=vmbr5&type=bridge", &r, "/nodes/pve1/network"), 500);
    assert_string_equal(tu_msg(&r),
                        "can't lock file '/etc/network/.pve-interfaces.lock' - got timeout\n");
    rawresp_clear(&r);
    /* reads are not affected */
    assert_int_equal(tu_req(&c, "GET", NULL, &r, "/nodes/pve1/qemu/200/config"), 200);
    rawresp_clear(&r);
    tu_stop(&c);
}

static void test_task_fail_rate_one(void **state)
{
    (void)state;
    struct simctx c;
    const char *args[] = {"--time-scale", "0.01", "--task-fail-rate", "1", NULL};
    assert_int_equal(tu_start(&c, args), 0);
    char *es = tu_run_task(&c, "pve1", "POST", "newid=8000", "/nodes/pve1/qemu/100/clone");
    assert_non_null(es);
    assert_string_equal(es, "clone failed: can't lock file "
                            "'/var/lock/pve-manager/pve-storage-local-lvm' - got timeout");
    free(es);
    /* a failed clone leaves no VM behind */
    struct rawresp r;
    assert_int_equal(tu_req(&c, "GET", NULL, &r, "/nodes/pve1/qemu/8000/config"), 500);
    rawresp_clear(&r);
    es = tu_run_task(&c, "pve1", "POST", NULL, "/nodes/pve1/qemu/200/status/stop");
    assert_string_equal(es, "can't lock file '/var/lock/qemu-server/lock-200.conf' - got timeout");
    free(es);
    tu_stop(&c);
}

/* The statuses of 30 config updates with --fail-rate 0.5 and a seed, as a string of 0/1. */
static void run_sequence(const char *seed, char *out)
{
    struct simctx c;
    const char *args[] = {"--fail-rate", "0.5", "--seed", seed, NULL};
    assert_int_equal(tu_start(&c, args), 0);
    for (int i = 0; i < 30; i++) {
        struct rawresp r;
        long st = tu_req(&c, "PUT", "description=x", &r, "/nodes/pve1/qemu/200/config");
        assert_true(st == 200 || st == 500);
        out[i] = st == 200 ? '1' : '0';
        rawresp_clear(&r);
    }
    out[30] = '\0';
    tu_stop(&c);
}

static void test_deterministic(void **state)
{
    (void)state;
    char a[31], b[31], d[31];
    run_sequence("7", a);
    run_sequence("7", b);
    run_sequence("8", d);
    assert_string_equal(a, b);
    assert_string_not_equal(a, d);
    assert_non_null(strchr(a, '0'));
    assert_non_null(strchr(a, '1'));
}

static void test_latency(void **state)
{
    (void)state;
    struct simctx c;
    const char *args[] = {"--latency-ms", "150", NULL};
    assert_int_equal(tu_start(&c, args), 0);
    struct rawresp r;
    int64_t t0 = ds_clock_mono_ns();
    assert_int_equal(tu_req(&c, "GET", NULL, &r, "/version"), 200);
    /* a lower bound only: the answer comes no sooner than the injected latency */
    assert_true(ds_clock_mono_ns() - t0 >= 150 * DS_NS_PER_MS);
    rawresp_clear(&r);
    tu_stop(&c);
}

/* --fail-match: every mutating request naming the text fails; the others and reads do not. */
static void test_fail_match(void **state)
{
    (void)state;
    struct simctx c;
    const char *args[] = {"--fail-match", "student2@pve", NULL};
    assert_int_equal(tu_start(&c, args), 0);
    struct rawresp r;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(
            tu_req(&c, "POST", "userid=student2%40pve&password=x-password-2", &r, "/access/users"),
            500);
        assert_string_equal(
            tu_msg(&r),
            "create user failed: cfs-lock 'file-user_cfg' error: got lock request timeout\n");
        rawresp_clear(&r);
    }
    assert_int_equal(
        tu_req(&c, "POST", "userid=student1%40pve&password=x-password-1", &r, "/access/users"),
        200);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&c, "GET", NULL, &r, "/access/users/student2%%40pve"), 500);
    rawresp_clear(&r);
    tu_stop(&c);
}

/* ---- fault rules ------------------------------------------------------------------------ */

/* POST /__sim/fault?kind=K&match=M[&count=N] (count 0: every time); the HTTP status. */
static long add_rule(struct simctx *c, const char *kind, const char *match, int count)
{
    char path[512];
    int n = snprintf(path, sizeof path, "/__sim/fault?kind=%s&match=", kind);
    for (const char *p = match; *p && n < (int)sizeof path - 16; p++)
        n += isalnum((unsigned char)*p) || strchr("/-_.", *p)
                 ? snprintf(path + n, sizeof path - (size_t)n, "%c", *p)
                 : snprintf(path + n, sizeof path - (size_t)n, "%%%02X", (unsigned char)*p);
    if (count)
        snprintf(path + n, sizeof path - (size_t)n, "&count=%d", count);
    struct rawresp r;
    assert_int_equal(simproc_request(&c->sp, "POST", path, NULL, NULL, &r), 0);
    long st = r.status;
    rawresp_clear(&r);
    return st;
}

/* The rules as GET /__sim/fault lists them (new reference). */
static json_t *rules(struct simctx *c)
{
    struct rawresp r;
    assert_int_equal(simproc_request(&c->sp, "GET", "/__sim/fault", NULL, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    json_t *a = json_incref(json_object_get(r.json, "rules"));
    rawresp_clear(&r);
    return a;
}

/* How many answers with `status` the endpoint key got (GET /__sim/stats). */
static long answered(struct simctx *c, const char *endpoint, const char *status)
{
    json_t *st = simproc_stats(&c->sp);
    assert_non_null(st);
    long n = (long)json_integer_value(
        json_object_get(json_object_get(json_object_get(st, "requests"), endpoint), status));
    json_decref(st);
    return n;
}

/* An error answer of a fault: status, Proxmox's message, "data": null, and errors only when
 * param is given (then errors.param == text). */
static void expect_error(struct simctx *c, const char *method, const char *path, const char *body,
                         long status, const char *message, const char *param, const char *text)
{
    struct rawresp r;
    assert_int_equal(tu_req(c, method, body, &r, "%s", path), status);
    assert_non_null(r.json);
    assert_true(json_is_null(json_object_get(r.json, "data")));
    assert_string_equal(tu_msg(&r), message);
    if (param) {
        assert_int_equal(json_object_size(json_object_get(r.json, "errors")), 1);
        assert_string_equal(tu_err(&r, param), text);
    } else {
        assert_null(json_object_get(r.json, "errors"));
    }
    rawresp_clear(&r);
}

/* The message-answer kinds, added at run time: each answers as Proxmox does, once (count 1), and
 * the request is then served normally. */
static void test_rule_answers(void **state)
{
    (void)state;
    struct simctx c;
    const char *args[] = {"--time-scale", "0.01", NULL};
    assert_int_equal(tu_start(&c, args), 0);
    assert_int_equal(add_rule(&c, "lock", "/qemu/200/config", 1), 200);
    assert_int_equal(add_rule(&c, "transient", "/pools&t1", 1), 200);
    assert_int_equal(add_rule(&c, "refused", "/pools&t2", 1), 200);
    assert_int_equal(add_rule(&c, "noworker", "/clone&8101", 1), 200);
    assert_int_equal(add_rule(&c, "exists", "POST /pools&t3", 1), 200);
    assert_int_equal(add_rule(&c, "exists", "/clone&8102", 1), 200);
    assert_int_equal(add_rule(&c, "exists", "/network&vmbr7", 1), 200);
    assert_int_equal(add_rule(&c, "permission", "/clone&8103", 1), 200);
    assert_int_equal(add_rule(&c, "input", "/pools&hello", 1), 200);
    expect_error(&c, "PUT", "/nodes/pve1/qemu/200/config", "description=x", 500,
                 "can't lock file '/var/lock/qemu-server/lock-200.conf' - got timeout\n", NULL,
                 NULL);
    expect_error(&c, "POST", "/pools", "poolid=t1", 596, "Connection timed out\n", NULL, NULL);
    expect_error(&c, "POST", "/pools", "poolid=t2", 595, "Connection refused\n", NULL, NULL);
    expect_error(&c, "POST", "/nodes/pve1/qemu/100/clone", "newid=8101", 500,
                 "got no worker upid - start worker failed\n", NULL, NULL);
    expect_error(&c, "POST", "/pools", "poolid=t3", 500,
                 "create pool failed: pool 't3' already exists\n", NULL, NULL);
    expect_error(&c, "POST", "/nodes/pve1/qemu/100/clone", "newid=8102", 500,
                 "unable to create VM 8102: config file already exists\n", NULL, NULL);
    expect_error(&c, "POST", "/nodes/pve1/network", "iface=vmbr7&type=bridge", 400,
                 "Parameter verification failed.\n", "iface", "interface already exists");
    expect_error(&c, "POST", "/nodes/pve1/qemu/100/clone", "newid=8103", 403,
                 "Permission check failed (/vms/100, VM.Clone)\n", NULL, NULL);
    /* the parameter that held the match text is the one refused */
    expect_error(&c, "POST", "/pools", "poolid=t4&comment=hello", 400,
                 "Parameter verification failed.\n", "comment",
                 "property is not defined in schema and the schema does not allow additional "
                 "properties");
    /* nothing was done by the failed requests; each rule fired once and is spent */
    struct rawresp r;
    assert_int_equal(tu_req(&c, "GET", NULL, &r, "/pools/t3"), 500);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&c, "PUT", "description=x", &r, "/nodes/pve1/qemu/200/config"), 200);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&c, "POST", "poolid=t3", &r, "/pools"), 200);
    rawresp_clear(&r);
    json_t *a = rules(&c);
    assert_int_equal(json_array_size(a), 9);
    size_t i;
    json_t *rule;
    json_array_foreach(a, i, rule)
    {
        assert_int_equal(json_integer_value(json_object_get(rule, "fired")), 1);
        assert_int_equal(json_integer_value(json_object_get(rule, "count")), 1);
    }
    json_decref(a);
    /* injected 400s are not schema violations */
    json_t *st = simproc_stats(&c.sp);
    assert_int_equal(json_integer_value(json_object_get(st, "schema_violation_count")), 0);
    assert_int_equal(json_array_size(json_object_get(st, "faults")), 9);
    json_decref(st);
    tu_stop(&c);
}

/* notfound answers for the object the request names and leaves it; vanish removes the VM first,
 * and the request then gets Proxmox's own answer. */
static void test_rule_missing(void **state)
{
    (void)state;
    struct simctx c;
    const char *args[] = {"--time-scale", "0.01", NULL};
    assert_int_equal(tu_start(&c, args), 0);
    assert_int_equal(add_rule(&c, "notfound", "DELETE /nodes/pve1/qemu/200", 1), 200);
    assert_int_equal(add_rule(&c, "vanish", "DELETE /nodes/pve1/qemu/200", 1), 200);
    assert_int_equal(add_rule(&c, "notfound", "DELETE /access/users/teacher", 1), 200);
    assert_int_equal(add_rule(&c, "notfound", "/network/vmbr1000", 1), 200);
    /* vanish applies to VMs only: a user is not touched and the rule is not spent */
    assert_int_equal(add_rule(&c, "vanish", "/access/users/teacher", 1), 200);
    const char *gone = "Configuration file 'nodes/pve1/qemu-server/200.conf' does not exist\n";
    expect_error(&c, "DELETE", "/nodes/pve1/qemu/200", NULL, 500, gone, NULL, NULL);
    struct rawresp r;
    assert_int_equal(tu_req(&c, "GET", NULL, &r, "/nodes/pve1/qemu/200/config"), 200);
    rawresp_clear(&r);
    expect_error(&c, "DELETE", "/nodes/pve1/qemu/200", NULL, 500, gone, NULL, NULL);
    assert_int_equal(tu_req(&c, "GET", NULL, &r, "/nodes/pve1/qemu/200/config"), 500);
    assert_string_equal(tu_msg(&r), gone);
    rawresp_clear(&r);
    expect_error(&c, "DELETE", "/access/users/teacher%40pve", NULL, 500,
                 "delete user failed: no such user ('teacher@pve')\n", NULL, NULL);
    expect_error(&c, "DELETE", "/nodes/pve1/network/vmbr1000", NULL, 400,
                 "Parameter verification failed.\n", "iface", "interface does not exist");
    assert_int_equal(tu_req(&c, "GET", NULL, &r, "/access/users/teacher%%40pve"), 200);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&c, "PUT", "comment=x", &r, "/access/users/teacher%%40pve"), 200);
    rawresp_clear(&r);
    json_t *a = rules(&c);
    static const long fired[] = {1, 1, 1, 1, 0};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(json_integer_value(json_object_get(json_array_get(a, i), "fired")),
                         fired[i]);
    json_decref(a);
    tu_stop(&c);
}

/* --fault from the command line: auth answers 401 with an empty body (the reason only in the
 * statistics); a rule without a count fires every time; a reset restores the command line's
 * rules with their counts; DELETE /__sim/fault removes them; bad rules are refused. */
static void test_rule_cli(void **state)
{
    (void)state;
    struct simctx c;
    const char *args[] = {"--fault", "auth:/pools:1", "--fault", "input:POST /access/users", NULL};
    assert_int_equal(tu_start(&c, args), 0);
    struct rawresp r;
    assert_int_equal(tu_req(&c, "POST", "poolid=a1", &r, "/pools"), 401);
    assert_string_equal(r.body, "");
    assert_null(r.json);
    rawresp_clear(&r);
    assert_int_equal(answered(&c, "(auth) Authentication failed!", "401"), 1);
    assert_int_equal(tu_req(&c, "POST", "poolid=a1", &r, "/pools"), 200);
    rawresp_clear(&r);
    for (int i = 0; i < 2; i++)
        expect_error(&c, "POST", "/access/users", "userid=u1%40pve&comment=c", 400,
                     "Parameter verification failed.\n", "comment",
                     "property is not defined in schema and the schema does not allow "
                     "additional properties");
    json_t *a = rules(&c);
    assert_true(json_is_null(json_object_get(json_array_get(a, 1), "count")));
    assert_int_equal(json_integer_value(json_object_get(json_array_get(a, 1), "fired")), 2);
    json_decref(a);
    assert_int_equal(simproc_request(&c.sp, "POST", "/__sim/reset", NULL, NULL, &r), 0);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&c, "POST", "poolid=a2", &r, "/pools"), 401);
    rawresp_clear(&r);
    assert_int_equal(add_rule(&c, "nope", "x", 1), 400);
    assert_int_equal(add_rule(&c, "lock", "x", -2), 400);
    assert_int_equal(simproc_request(&c.sp, "DELETE", "/__sim/fault", NULL, NULL, &r), 0);
    rawresp_clear(&r);
    a = rules(&c);
    assert_int_equal(json_array_size(a), 0);
    json_decref(a);
    assert_int_equal(tu_req(&c, "POST", "userid=u2%40pve&comment=c", &r, "/access/users"), 200);
    rawresp_clear(&r);
    tu_stop(&c);
    struct simproc sp;
    const char *bad[] = {"--fault", "lock:x:0", NULL};
    assert_int_equal(simproc_start(&sp, bad), -1);
}

/* 1 when a TCP connection to 127.0.0.1:port is refused. */
static int refused(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int rc = connect(fd, (struct sockaddr *)&sa, sizeof sa);
    int e = errno;
    close(fd);
    return rc != 0 && e == ECONNREFUSED;
}

/* drop closes the connection without an answer (status 0 in the statistics) and nothing is done;
 * unreachable does the same and then refuses connections until --down-ms has passed. */
static void test_rule_no_answer(void **state)
{
    (void)state;
    struct simctx c;
    const char *args[] = {"--down-ms", "3000", NULL};
    assert_int_equal(tu_start(&c, args), 0);
    assert_int_equal(add_rule(&c, "drop", "/pools&d1", 1), 200);
    assert_int_equal(add_rule(&c, "unreachable", "/pools&d2", 1), 200);
    struct rawresp r;
    assert_int_equal(tu_req(&c, "POST", "poolid=d1", &r, "/pools"), -1);
    assert_int_equal(answered(&c, "POST /pools", "0"), 1);
    assert_int_equal(tu_req(&c, "GET", NULL, &r, "/pools/d1"), 500);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&c, "POST", "poolid=d2", &r, "/pools"), -1);
    assert_true(refused(c.sp.port));
    /* it listens again by itself (polled, bounded) */
    int64_t deadline = tu_now_ms() + 30 * 1000;
    while (refused(c.sp.port) && tu_now_ms() < deadline)
        tu_sleep_ms(20);
    assert_int_equal(tu_req(&c, "GET", NULL, &r, "/pools/d2"), 500);
    rawresp_clear(&r);
    assert_int_equal(answered(&c, "POST /pools", "0"), 2);
    json_t *a = rules(&c);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(a, 1), "fired")), 1);
    json_decref(a);
    assert_int_equal(tu_req(&c, "POST", "poolid=d2", &r, "/pools"), 200);
    rawresp_clear(&r);
    tu_stop(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fail_rate_one),  cmocka_unit_test(test_task_fail_rate_one),
        cmocka_unit_test(test_deterministic),  cmocka_unit_test(test_latency),
        cmocka_unit_test(test_fail_match),     cmocka_unit_test(test_rule_answers),
        cmocka_unit_test(test_rule_missing),   cmocka_unit_test(test_rule_cli),
        cmocka_unit_test(test_rule_no_answer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
