/* test_pve_error: the PVE failure classifier on real Proxmox texts (notes: "Response envelope and
 * errors", "Concurrency and failure modes", the simulator's texts), how the class travels, and
 * the executor's retry policy on each class. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "exec/retry.h"
#include "pve/pve_client.h"
#include "pve/pve_error.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

struct case_ {
    long status;
    const char *message;
    const char *errors; /* JSON object text or NULL */
    enum pve_err_class want;
};

static const struct case_ http_cases[] = {
    {200, NULL, NULL, PVE_OK},
    /* A: VMID races */
    {400, "Parameter verification failed.", "{\"vmid\":\"VM 218 already exists\"}", PVE_ERR_EXISTS},
    {500, "unable to create VM 5003 - VM 5003 already exists on node 'pve2'", NULL, PVE_ERR_EXISTS},
    {500, "unable to create VM 5003: config file already exists", NULL, PVE_ERR_EXISTS},
    {500, "create user failed: user 'student1@pve' already exists", NULL, PVE_ERR_EXISTS},
    {500, "create pool failed: pool 'student1' already exists", NULL, PVE_ERR_EXISTS},
    {400, "Parameter verification failed.", "{\"iface\":\"interface already exists\"}",
     PVE_ERR_EXISTS},
    {500, "Token already exists.", NULL, PVE_ERR_EXISTS},
    {500, "create role failed: role 'StandViewer' already exists", NULL, PVE_ERR_EXISTS},
    /* missing objects: PVE has no 404 */
    {500, "Configuration file 'nodes/pve/qemu-server/999.conf' does not exist", NULL,
     PVE_ERR_NOT_FOUND},
    {500, "ACL update failed: role 'PVEVMUserX' does not exist", NULL, PVE_ERR_NOT_FOUND},
    {500, "delete pool failed: pool 'x' does not exist", NULL, PVE_ERR_NOT_FOUND},
    {400, "Parameter verification failed.", "{\"iface\":\"interface does not exist\"}",
     PVE_ERR_NOT_FOUND},
    {400, "Parameter verification failed.", "{\"upid\":\"no such task\"}", PVE_ERR_NOT_FOUND},
    {500, "no such user ('student1@pve')", NULL, PVE_ERR_NOT_FOUND},
    {500, "delete user failed: no such user ('student1@pve')", NULL, PVE_ERR_NOT_FOUND},
    {500, "no such token 'ci' for user 'teacher@pve'", NULL, PVE_ERR_NOT_FOUND},
    {500, "create user failed: domain 'ldap' does not exist", NULL, PVE_ERR_NOT_FOUND},
    {500, "ACL update failed: user 'student1@pve' does not exist", NULL, PVE_ERR_NOT_FOUND},
    {500, "update pools failed: pool 'student1' does not exist", NULL, PVE_ERR_NOT_FOUND},
    {500, "pool 'student1' does not exist", NULL, PVE_ERR_NOT_FOUND},
    {500, "no such cluster node 'pve9'", NULL, PVE_ERR_NOT_FOUND},
    /* B, C, D, E: locks */
    {500, "can't lock file '/var/lock/qemu-server/lock-101.conf' - got timeout", NULL,
     PVE_ERR_LOCKED},
    {500, "can't lock file '/etc/network/.pve-interfaces.lock' - got timeout", NULL,
     PVE_ERR_LOCKED},
    {500, "create user failed: cfs-lock 'file-user_cfg' error: got lock request timeout", NULL,
     PVE_ERR_LOCKED},
    {500, "ACL update failed: cfs-lock 'file-user_cfg' error: got lock request timeout", NULL,
     PVE_ERR_LOCKED},
    {500, "VM is locked (clone)", NULL, PVE_ERR_LOCKED},
    {500, "VM is locked (backup)", NULL, PVE_ERR_LOCKED},
    /* transient */
    {500, "got no worker upid - start worker failed", NULL, PVE_ERR_TRANSIENT},
    {502, "Bad Gateway", NULL, PVE_ERR_TRANSIENT},
    {503, "Service Unavailable", NULL, PVE_ERR_TRANSIENT},
    {595, "Connection refused", NULL, PVE_ERR_TRANSIENT},
    {596, "Connection timed out", NULL, PVE_ERR_TRANSIENT},
    {0, "cannot connect to https://127.0.0.1:1/: Connection refused", NULL, PVE_ERR_TRANSIENT},
    /* permission, auth, input */
    {403, "Permission check failed (/vms/100, VM.Audit)", NULL, PVE_ERR_PERMISSION},
    {403, "Permission check failed (/pool/student1, Pool.Allocate)", NULL, PVE_ERR_PERMISSION},
    {403, "Permission check failed", NULL, PVE_ERR_PERMISSION},
    {403,
     "Permission check failed (URI '/access/ticket' not available with API token, need proper "
     "ticket.",
     NULL, PVE_ERR_PERMISSION},
    {401, "authentication failure", NULL, PVE_ERR_AUTH},
    {401, "No ticket", NULL, PVE_ERR_AUTH},
    {401, "Permission denied - invalid csrf token", NULL, PVE_ERR_AUTH},
    {401, "Authentication failed!", NULL, PVE_ERR_AUTH},
    {401, NULL, NULL, PVE_ERR_AUTH}, /* an auth-stage 401 through libmicrohttpd: empty body */
    {400, "Parameter verification failed.",
     "{\"vmid\":\"type check ('integer') failed - got 'abc'\"}", PVE_ERR_INPUT},
    {400, "Parameter verification failed.",
     "{\"foo\":\"property is not defined in schema and the schema does not allow additional "
     "properties\"}",
     PVE_ERR_INPUT},
    {400, "Parameter verification failed.", "{\"name\":\"value does not match the regex pattern\"}",
     PVE_ERR_INPUT},
    {400, "Parameter verification failed.", "{\"target\":\"target is local node.\"}",
     PVE_ERR_INPUT},
    {400, "either 'users', 'groups' or 'tokens' is required.", NULL, PVE_ERR_INPUT},
    /* other */
    {500, "hostname lookup 'pve9' failed - failed to get address info for: pve9", NULL,
     PVE_ERR_OTHER},
    {500, "delete pool failed: pool 'student1' is not empty (contains VM 5003)", NULL,
     PVE_ERR_OTHER},
    /* converting a template again: the goal (a template) is reached already */
    {500, "you can't convert a template to a template", NULL, PVE_ERR_EXISTS},
    {501, "Method 'GET /foo' not implemented", NULL, PVE_ERR_OTHER},
    {501, "no such uri", NULL, PVE_ERR_OTHER},
    {500, NULL, NULL, PVE_ERR_OTHER},
};

static void test_http(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof http_cases / sizeof *http_cases; i++) {
        const struct case_ *k = &http_cases[i];
        json_t *errors = k->errors ? json_loads(k->errors, 0, NULL) : NULL;
        if (k->errors)
            assert_non_null(errors);
        enum pve_err_class got = pve_err_classify(k->status, k->message, errors);
        json_decref(errors);
        if (got != k->want)
            fail_msg("%ld %s %s: %s, want %s", k->status, k->message ? k->message : "(null)",
                     k->errors ? k->errors : "", pve_err_class_name(got),
                     pve_err_class_name(k->want));
    }
}

static void test_task(void **state)
{
    (void)state;
    static const struct {
        const char *exit;
        enum pve_err_class want;
    } cases[] = {
        {"OK", PVE_OK},
        {"WARNINGS: 2", PVE_OK},
        {"clone failed: can't lock file '/var/lock/pve-manager/pve-storage-local-lvm' - got "
         "timeout",
         PVE_ERR_LOCKED},
        {"clone failed: cfs-lock 'storage-ceph' error: got lock request timeout", PVE_ERR_LOCKED},
        {"can't lock file '/var/lock/qemu-server/lock-5003.conf' - got timeout", PVE_ERR_LOCKED},
        {"VM is locked (clone)", PVE_ERR_LOCKED},
        {"unable to create VM 5003: config file already exists", PVE_ERR_EXISTS},
        {"close (rename) atomic file '/etc/pve/nodes/pve2/qemu-server/5003.conf' failed: File "
         "exists",
         PVE_ERR_EXISTS},
        {"command 'ifreload -a' failed: exit code 89", PVE_ERR_OTHER},
        {"unexpected status", PVE_ERR_OTHER},
        {NULL, PVE_ERR_OTHER},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        enum pve_err_class got = pve_err_classify_task(cases[i].exit);
        if (got != cases[i].want)
            fail_msg("task '%s': %s, want %s", cases[i].exit ? cases[i].exit : "(null)",
                     pve_err_class_name(got), pve_err_class_name(cases[i].want));
    }
}

/* The class travels in util/err next to the text: set, kept by a wrap, reset by a new error. */
static void test_travels(void **state)
{
    (void)state;
    ds_err_clear();
    assert_int_equal(pve_err_last(), PVE_OK);
    assert_int_equal(ds_err_set("clone failed: %s", "VM is locked (clone)"), -1);
    assert_int_equal(pve_err_last(), PVE_ERR_OTHER); /* a text without a class */
    assert_int_equal(pve_err_set_class(PVE_ERR_LOCKED), -1);
    assert_int_equal(pve_err_last(), PVE_ERR_LOCKED);
    assert_int_equal(ds_err_class(), PVE_ERR_LOCKED);
    ds_err_wrap("student1@pve");
    assert_int_equal(pve_err_last(), PVE_ERR_LOCKED);
    assert_string_equal(ds_err_last(), "student1@pve: clone failed: VM is locked (clone)");
    ds_err_set("out of memory");
    assert_int_equal(ds_err_class(), 0);
    assert_int_equal(pve_err_last(), PVE_ERR_OTHER);
    pve_err_set_class(PVE_ERR_EXISTS);
    ds_err_clear();
    assert_int_equal(ds_err_class(), 0);
    assert_int_equal(pve_err_last(), PVE_OK);
}

/* pve_response_parse classifies the answer once; the status line and the body's message count. */
static void test_response_parse(void **state)
{
    (void)state;
    struct pve_response r = {0};
    const char *body = "{\"data\":null,\"errors\":{\"vmid\":\"VM 218 already exists\"}}";
    assert_int_equal(
        pve_response_parse(&r, 400, "Parameter verification failed.", body, strlen(body), NULL), 0);
    assert_int_equal(r.err_class, PVE_ERR_EXISTS);
    pve_response_clear(&r);
    assert_int_equal(r.err_class, PVE_OK);
    body = "{\"data\":null,\"message\":\"VM is locked (clone)\\n\"}";
    pve_response_parse(&r, 500, "Internal Server Error", body, strlen(body), NULL);
    assert_int_equal(r.err_class, PVE_ERR_LOCKED);
    assert_true(pve_response_is_transient(&r));
    pve_response_clear(&r);
    pve_response_parse(&r, 500, "can't lock file '/var/lock/qemu-server/lock-7.conf' - got timeout",
                       "{\"data\":null}", 13, NULL);
    assert_int_equal(r.err_class, PVE_ERR_LOCKED);
    pve_response_clear(&r);
    pve_response_parse(&r, 200, "OK", "{\"data\":1}", 10, NULL);
    assert_int_equal(r.err_class, PVE_OK);
    pve_response_clear(&r);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(pve_err_class_name(PVE_OK), "ok");
    assert_string_equal(pve_err_class_name(PVE_ERR_LOCKED), "locked");
    assert_string_equal(pve_err_class_name(PVE_ERR_PERMISSION), "permission");
    assert_string_equal(pve_err_class_name((enum pve_err_class)99), "other");
    assert_true(pve_err_is_transient(PVE_ERR_LOCKED));
    assert_true(pve_err_is_transient(PVE_ERR_TRANSIENT));
    assert_false(pve_err_is_transient(PVE_ERR_UNREACHABLE));
    assert_false(pve_err_is_transient(PVE_ERR_EXISTS));
    assert_false(pve_err_is_transient(PVE_ERR_PERMISSION));
    assert_false(pve_err_is_transient(PVE_ERR_INPUT));
    assert_false(pve_err_is_transient(PVE_ERR_OTHER));
}

/* The executor's retry policy (exec/retry.h) on every class: what may pass by itself is tried
 * again, a refused connection mid-run included (pveproxy restarting); the rest is final. */
static void test_retry_policy(void **state)
{
    (void)state;
    static const struct {
        enum pve_err_class cls;
        bool retried;
    } cases[] = {
        {PVE_ERR_LOCKED, true},     {PVE_ERR_TRANSIENT, true}, {PVE_ERR_UNREACHABLE, true},
        {PVE_ERR_NOT_FOUND, false}, {PVE_ERR_EXISTS, false},   {PVE_ERR_PERMISSION, false},
        {PVE_ERR_INPUT, false},     {PVE_ERR_AUTH, false},     {PVE_ERR_OTHER, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        if (retry_worth(cases[i].cls) != cases[i].retried)
            fail_msg("retry_worth(%s) is %d", pve_err_class_name(cases[i].cls), !cases[i].retried);
    /* only locks halve a node's limit */
    struct node_slot sl = {.limit = 4, .max = 4};
    retry_slot_failure(&sl, PVE_ERR_UNREACHABLE);
    assert_int_equal(sl.limit, 4);
    retry_slot_failure(&sl, PVE_ERR_LOCKED);
    assert_int_equal(sl.limit, 2);
}

/* The network apply's own rule (retry_worth_rerun): its failed task ("command 'ifreload -a'
 * failed: exit code 89" is PVE_ERR_OTHER) is re-run as well; what another attempt cannot change
 * stays final. */
static void test_retry_rerun_policy(void **state)
{
    (void)state;
    static const struct {
        enum pve_err_class cls;
        bool retried;
    } cases[] = {
        {PVE_ERR_LOCKED, true},      {PVE_ERR_TRANSIENT, true},  {PVE_ERR_UNREACHABLE, true},
        {PVE_ERR_OTHER, true},       {PVE_ERR_NOT_FOUND, false}, {PVE_ERR_EXISTS, false},
        {PVE_ERR_PERMISSION, false}, {PVE_ERR_INPUT, false},     {PVE_ERR_AUTH, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        if (retry_worth_rerun(cases[i].cls) != cases[i].retried)
            fail_msg("retry_worth_rerun(%s) is %d", pve_err_class_name(cases[i].cls),
                     !cases[i].retried);
    assert_true(
        retry_worth_rerun(pve_err_classify_task("command 'ifreload -a' failed: exit code 89")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http),
        cmocka_unit_test(test_task),
        cmocka_unit_test(test_travels),
        cmocka_unit_test(test_response_parse),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_retry_policy),
        cmocka_unit_test(test_retry_rerun_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
