/* test_pve_client_units: unit tests of the PVE client's pure parts, no server involved.
 * URL/form encoding, UPIDs, error text, transient detection, fingerprints, schema refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pve/pve_api.h"
#include "pve/pve_client.h"
#include "pve/pve_task.h"
#include "pve/pve_tls.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

static void test_url_encode(void **state)
{
    (void)state;
    char *s = pve_url_encode("a b/c@d:e!f~g-h_i.j", false);
    assert_string_equal(s, "a%20b%2Fc%40d%3Ae%21f~g-h_i.j");
    free(s);
    s = pve_url_encode("UPID:pve1:0000A1B2:0001C3D4:66A1B2C3:qmclone:100:root@pam!tok:", true);
    assert_string_equal(s, "UPID:pve1:0000A1B2:0001C3D4:66A1B2C3:qmclone:100:root@pam!tok:");
    free(s);
    s = pve_url_encode("x+y=z&w%\xc3\xa9", true);
    assert_string_equal(s, "x%2By%3Dz%26w%25%C3%A9");
    free(s);
    s = pve_url_encode("", false);
    assert_string_equal(s, "");
    free(s);
}

static void test_params_to_strings(void **state)
{
    (void)state;
    json_t *p = json_pack("{s:s, s:i, s:b, s:b, s:f}", "name", "stand-1", "newid", 5003, "full", 1,
                          "purge", 0, "rate", 12.5);
    json_t *s = pve_params_to_strings(p);
    assert_non_null(s);
    assert_string_equal(json_string_value(json_object_get(s, "name")), "stand-1");
    assert_string_equal(json_string_value(json_object_get(s, "newid")), "5003");
    assert_string_equal(json_string_value(json_object_get(s, "full")), "1");
    assert_string_equal(json_string_value(json_object_get(s, "purge")), "0");
    assert_string_equal(json_string_value(json_object_get(s, "rate")), "12.5");
    json_decref(s);
    json_decref(p);

    p = json_pack("{s:[i]}", "list", 1);
    assert_null(pve_params_to_strings(p));
    assert_non_null(strstr(ds_err_last(), "'list'"));
    json_decref(p);

    s = pve_params_to_strings(NULL);
    assert_int_equal(json_object_size(s), 0);
    json_decref(s);
}

static void test_params_encode(void **state)
{
    (void)state;
    json_t *p = json_pack("{s:s, s:s, s:s}", "roles", "PVEVMUser", "path", "/pool/student 1",
                          "users", "s1@pve");
    char *e = pve_params_encode(p);
    assert_string_equal(e, "path=%2Fpool%2Fstudent%201&roles=PVEVMUser&users=s1%40pve");
    free(e);
    json_decref(p);
    p = json_object();
    e = pve_params_encode(p);
    assert_string_equal(e, "");
    free(e);
    json_decref(p);
}

static void test_upid_parse_valid(void **state)
{
    (void)state;
    struct pve_upid u;
    assert_int_equal(
        pve_upid_parse("UPID:pve1:002E096A:0E10F08E:6382D261:qmclone:9000:root@pam:", &u), 0);
    assert_string_equal(u.node, "pve1");
    assert_int_equal(u.pid, 0x002E096A);
    assert_int_equal(u.pstart, 0x0E10F08E);
    assert_int_equal(u.starttime, 0x6382D261UL);
    assert_string_equal(u.type, "qmclone");
    assert_string_equal(u.id, "9000");
    assert_string_equal(u.user, "root@pam");

    /* 9-digit pstart, empty id, token user, lowercase hex, dashed node */
    assert_int_equal(
        pve_upid_parse("UPID:node-a1:0000abcd:10E10F08E:6382d261:reloadnetworkall::root@pam!ci:",
                       &u),
        0);
    assert_string_equal(u.node, "node-a1");
    assert_int_equal(u.pid, 0xabcd);
    assert_int_equal(u.pstart, 0x0E10F08E);
    assert_string_equal(u.id, "");
    assert_string_equal(u.user, "root@pam!ci");
    assert_string_equal(u.type, "reloadnetworkall");
    assert_int_equal(
        pve_upid_parse("UPID:p:00000001:00000002:00000003:srvreload:networking:a@pve:", NULL), 0);
}

static void test_upid_parse_invalid(void **state)
{
    (void)state;
    struct pve_upid u;
    const char *bad[] = {
        NULL,
        "",
        "UPID:pve1:002E096A:0E10F08E:6382D261:qmclone:9000:root@pam",    /* no trailing colon */
        "UPID:pve1:002E096A:0E10F08E:6382D261:qmclone:9000:root@pam:x",  /* trailing junk */
        "upid:pve1:002E096A:0E10F08E:6382D261:qmclone:9000:root@pam:",   /* prefix case */
        "UPID:-pve1:002E096A:0E10F08E:6382D261:qmclone:9000:root@pam:",  /* node starts with - */
        "UPID:pve1-:002E096A:0E10F08E:6382D261:qmclone:9000:root@pam:",  /* node ends with - */
        "UPID:pve_1:002E096A:0E10F08E:6382D261:qmclone:9000:root@pam:",  /* _ in node */
        "UPID:pve1:02E096A:0E10F08E:6382D261:qmclone:9000:root@pam:",    /* pid 7 digits */
        "UPID:pve1:002E096A:00E10F08E1:6382D261:qmclone:9000:root@pam:", /* pstart 10 digits */
        "UPID:pve1:002E096G:0E10F08E:6382D261:qmclone:9000:root@pam:",   /* non-hex */
        "UPID:pve1:002E096A:0E10F08E:6382D261::9000:root@pam:",          /* empty type */
        "UPID:pve1:002E096A:0E10F08E:6382D261:qm clone:9000:root@pam:",  /* space in type */
        "UPID:pve1:002E096A:0E10F08E:6382D261:qmclone:9/00:root@pam:",   /* slash in id */
        "UPID:pve1:002E096A:0E10F08E:6382D261:qmclone:9000::",           /* empty user */
        "UPID::002E096A:0E10F08E:6382D261:qmclone:9000:root@pam:",       /* empty node */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (pve_upid_parse(bad[i], &u) == 0)
            fail_msg("accepted bad UPID #%zu: %s", i, bad[i] ? bad[i] : "(null)");
    }
}

static void test_task_exit_ok(void **state)
{
    (void)state;
    assert_true(pve_task_exit_ok("OK"));
    assert_true(pve_task_exit_ok("WARNINGS: 3"));
    assert_false(pve_task_exit_ok("WARNINGS: "));
    assert_false(pve_task_exit_ok("WARNINGS: x"));
    assert_false(pve_task_exit_ok("ok"));
    assert_false(pve_task_exit_ok(
        "clone failed: can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout"));
    assert_false(pve_task_exit_ok("unexpected status"));
    assert_false(pve_task_exit_ok(NULL));
}

static void test_response_parse_and_describe(void **state)
{
    (void)state;
    struct pve_response r = {0};
    char d[512];
    /* PVE >= 8.3: the body message wins over the (cut) status line */
    const char *b1 =
        "{\"data\":null,\"message\":\"unable to create VM 5003: config file already exists\\n\"}";
    assert_int_equal(pve_response_parse(&r, 500,
                                        "unable to create VM 5003: config file already exists", b1,
                                        strlen(b1), NULL),
                     0);
    assert_null(r.data);
    assert_string_equal(r.message, "unable to create VM 5003: config file already exists");
    assert_string_equal(pve_response_describe(&r, d, sizeof d),
                        "500 unable to create VM 5003: config file already exists");
    pve_response_clear(&r);
    assert_null(r.message);

    /* parameter errors, sorted by parameter */
    const char *b2 =
        "{\"errors\":{\"vmid\":\"type check ('integer') failed - got 'abc'\",\"newid\":"
        "\"property is missing and it is not optional\"},\"data\":null}";
    assert_int_equal(
        pve_response_parse(&r, 400, "Parameter verification failed.", b2, strlen(b2), NULL), 0);
    assert_string_equal(pve_response_describe(&r, d, sizeof d),
                        "400 Parameter verification failed. (newid: property is missing and it is "
                        "not optional; vmid: type check ('integer') failed - got 'abc')");
    pve_response_clear(&r);

    /* auth failures: empty body, status line only */
    assert_int_equal(
        pve_response_parse(&r, 401, "Permission denied - invalid csrf token", "", 0, NULL), 0);
    assert_string_equal(pve_response_describe(&r, d, sizeof d),
                        "401 Permission denied - invalid csrf token");
    pve_response_clear(&r);

    /* success with data and the whole body */
    json_t *full = NULL;
    const char *b3 = "{\"data\":[{\"iface\":\"vmbr0\"}],\"changes\":\"--- a\\n+++ b\\n\"}";
    assert_int_equal(pve_response_parse(&r, 200, "OK", b3, strlen(b3), &full), 0);
    assert_true(json_is_array(r.data));
    assert_string_equal(json_string_value(json_object_get(full, "changes")), "--- a\n+++ b\n");
    json_decref(full);
    pve_response_clear(&r);

    /* not JSON */
    assert_int_equal(pve_response_parse(&r, 502, "Bad Gateway", "<html>", 6, NULL), -1);
    assert_string_equal(r.message, "Bad Gateway");
    pve_response_clear(&r);

    /* connection failure: message alone */
    r.status = 0;
    r.message = strdup("cannot connect to https://127.0.0.1:1/: Connection refused");
    assert_string_equal(pve_response_describe(&r, d, sizeof d),
                        "cannot connect to https://127.0.0.1:1/: Connection refused");
    pve_response_clear(&r);

    /* a tiny buffer is never overrun */
    assert_int_equal(
        pve_response_parse(&r, 400, "Parameter verification failed.", b2, strlen(b2), NULL), 0);
    char small[16];
    pve_response_describe(&r, small, sizeof small);
    assert_int_equal(strlen(small), sizeof small - 1);
    pve_response_clear(&r);
}

static int transient(long status, const char *msg)
{
    struct pve_response r = {.status = status, .message = (char *)msg};
    return pve_response_is_transient(&r);
}

static void test_transient(void **state)
{
    (void)state;
    assert_true(transient(0, "cannot connect to https://127.0.0.1:1/: Connection refused"));
    assert_true(
        transient(500, "can't lock file '/var/lock/qemu-server/lock-101.conf' - got timeout"));
    assert_true(transient(500, "cfs-lock 'file-user_cfg' error: got lock request timeout"));
    assert_true(transient(500, "VM is locked (clone)"));
    assert_true(transient(595, "Connection refused"));
    assert_true(transient(503, "Service Unavailable"));
    assert_false(transient(500, "unable to create VM 5003: config file already exists"));
    assert_false(transient(501, "Method 'GET /foo' not implemented"));
    assert_false(transient(400, "Parameter verification failed."));
    assert_false(transient(401, "authentication failure"));
    assert_false(transient(403, "Permission check failed"));
    assert_false(pve_response_is_transient(NULL));
}

static void test_fingerprint(void **state)
{
    (void)state;
    const char *canon =
        "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:"
        "EF:01:23:45:67:89";
    char out[PVE_FP_TEXT_LEN];
    assert_int_equal(
        pve_fp_normalize("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789", out),
        0);
    assert_string_equal(out, canon);
    assert_int_equal(
        pve_fp_normalize("ab:cd:ef:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:ab:CD:ef:01:23:45:"
                         "67:89:AB:CD:EF:01:23:45:67:89",
                         out),
        0);
    assert_string_equal(out, canon);
    assert_int_equal(
        pve_fp_normalize("  AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:"
                         "89:AB:CD:EF:01:23:45:67:89\n",
                         out),
        0);
    assert_string_equal(out, canon);
    unsigned char fp[PVE_FP_LEN];
    assert_int_equal(pve_fp_parse(canon, fp), 0);
    assert_int_equal(fp[0], 0xAB);
    assert_int_equal(fp[31], 0x89);

    const char *bad[] = {
        NULL,
        "",
        "abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345678",    /* 63 digits */
        "abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345678900", /* 33 bytes */
        "abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345678g",   /* not hex */
        "AB:CDEF01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:"
        "67:89:"
        "AB:CD", /* mixed separators */
        "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:"
        "67:89:",
        "A:BC:DE",
        "AB CD",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (pve_fp_normalize(bad[i], out) == 0)
            fail_msg("accepted bad fingerprint #%zu", i);
    }
}

static void test_client_urls(void **state)
{
    (void)state;
    struct pve_conn_opts o = {.host = "pve.example.org", .user = "root@pam", .password = "x"};
    pve_client *c = pve_client_new(&o);
    assert_non_null(c);
    assert_string_equal(pve_client_base_url(c), "https://pve.example.org:8006");
    assert_int_equal(pve_client_request_count(c), 0);
    assert_false(pve_client_has_ticket(c));
    pve_client *d = pve_client_dup(c);
    assert_string_equal(pve_client_base_url(d), "https://pve.example.org:8006");
    pve_client_free(d);
    pve_client_free(c);

    struct pve_conn_opts o2 = {.host = "::1", .port = 18006, .plain_http = 1};
    c = pve_client_new(&o2);
    assert_string_equal(pve_client_base_url(c), "http://[::1]:18006");
    pve_client_free(c);
}

/* Requests the schema rejects are never sent: the client has no server and counts 0 requests. */
static void test_schema_refusal(void **state)
{
    (void)state;
    struct pve_conn_opts o = {
        .host = "127.0.0.1", .port = 1, .user = "root@pam", .password = "pw-unused"};
    pve_client *c = pve_client_new(&o);
    assert_non_null(c);
    struct pve_response r = {0};
    json_t *p = json_pack("{s:i}", "newid", 5);
    assert_int_equal(pve_call(c, "POST", "/nodes/pve1/qemu/100/clone", p, &r), -1);
    json_decref(p);
    assert_int_equal(r.status, 0);
    assert_null(r.message);
    assert_non_null(
        strstr(ds_err_last(),
               "internal error: refusing to send POST /nodes/pve1/qemu/100/clone: newid: "));
    assert_non_null(
        strstr(ds_err_last(), "newid: invalid format - value does not look like a valid VM ID"));

    p = json_pack("{s:i, s:s}", "newid", 5003, "full", "true");
    assert_int_equal(pve_call(c, "POST", "/nodes/pve1/qemu/100/clone", p, &r), -1);
    json_decref(p);
    assert_non_null(strstr(ds_err_last(), "full: "));

    assert_int_equal(pve_call(c, "GET", "/no/such/thing", NULL, &r), -1);
    assert_non_null(strstr(ds_err_last(), "refusing to send GET /no/such/thing"));

    /* a path capture that does not fit its format */
    assert_int_equal(pve_call(c, "GET", "/nodes/pve1/qemu/abc/config", NULL, &r), -1);
    assert_non_null(strstr(ds_err_last(), "vmid: "));

    /* the typed layer names the action */
    assert_int_equal(pve_vm_clone_wait(c, "pve1", 100, 5, NULL, 5), -1);
    assert_non_null(strstr(ds_err_last(),
                           "clone of template 100 on pve1 to VM 5 failed: internal error: "
                           "refusing to send POST /nodes/pve1/qemu/100/clone: newid: "));

    /* secrets stay out of the refusal text */
    assert_int_equal(pve_user_create(c, "s1@pve", "short-7", NULL), -1);
    assert_non_null(strstr(ds_err_last(), "password: value must be at least 8 characters long"));
    assert_null(strstr(ds_err_last(), "short-7"));

    assert_int_equal(pve_client_request_count(c), 0);
    pve_response_clear(&r);
    pve_client_free(c);
}

static void test_bad_fingerprint_option(void **state)
{
    (void)state;
    struct pve_conn_opts o = {.host = "127.0.0.1",
                              .port = 1,
                              .user = "root@pam",
                              .password = "pw",
                              .fingerprint = "not-a-fingerprint"};
    pve_client *c = pve_client_new(&o);
    assert_non_null(c);
    assert_int_equal(pve_client_login(c), -1);
    assert_non_null(strstr(ds_err_last(), "is not a SHA-256 fingerprint"));
    assert_int_equal(pve_client_request_count(c), 0);
    pve_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_encode),
        cmocka_unit_test(test_params_to_strings),
        cmocka_unit_test(test_params_encode),
        cmocka_unit_test(test_upid_parse_valid),
        cmocka_unit_test(test_upid_parse_invalid),
        cmocka_unit_test(test_task_exit_ok),
        cmocka_unit_test(test_response_parse_and_describe),
        cmocka_unit_test(test_transient),
        cmocka_unit_test(test_fingerprint),
        cmocka_unit_test(test_client_urls),
        cmocka_unit_test(test_schema_refusal),
        cmocka_unit_test(test_bad_fingerprint_option),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
