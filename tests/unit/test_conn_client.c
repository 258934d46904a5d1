/* test_conn_client: app_conn_client_new, the one builder from a connection to a PVE client (used by
 * the session and by `connection test/add`), against pve-sim: password and API-token logins, the
 * pinned certificate and CA verification taken from the connection, and wrong secrets. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/app_conn.h"
#include "pve/pve_client.h"
#include "simproc.h"
#include "util/err.h"

#define ROOT_PW "sim-root-password"

static struct simproc sim;

static int group_setup(void **state)
{
    (void)state;
    return simproc_start(&sim, NULL);
}

static int group_teardown(void **state)
{
    (void)state;
    simproc_stop(&sim);
    return 0;
}

/* A connection to the simulator as root, pinned to its certificate. */
static struct connection root_conn(void)
{
    struct connection c = {
        .name = "sim",
        .host = "127.0.0.1",
        .port = sim.port,
        .user = "root@pam",
        .password = ROOT_PW,
        .verify_ssl = 1,
        .fingerprint = sim.fingerprint,
    };
    return c;
}

static void test_password(void **state)
{
    (void)state;
    struct connection c = root_conn();
    pve_client *pc = app_conn_client_new(&c);
    assert_non_null(pc);
    if (pve_client_login(pc) < 0)
        fail_msg("login: %s", ds_err_last());
    assert_true(pve_client_has_ticket(pc));
    char url[160];
    snprintf(url, sizeof url, "https://127.0.0.1:%u", sim.port);
    assert_string_equal(pve_client_base_url(pc), url);
    pve_client_free(pc);

    c.password = "wrong";
    pc = app_conn_client_new(&c);
    assert_int_equal(pve_client_login(pc), -1);
    assert_non_null(strstr(ds_err_last(), "root@pam"));
    pve_client_free(pc);
}

/* verify_ssl without a pin checks the simulator's self-signed certificate against the CAs. */
static void test_tls_from_connection(void **state)
{
    (void)state;
    struct connection c = root_conn();
    c.fingerprint = NULL;
    pve_client *pc = app_conn_client_new(&c);
    assert_int_equal(pve_client_login(pc), -1);
    assert_non_null(strstr(ds_err_last(), "cannot be verified"));
    pve_client_free(pc);

    c.fingerprint = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                    "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";
    pc = app_conn_client_new(&c);
    assert_int_equal(pve_client_login(pc), -1);
    assert_true(pve_client_pin_mismatch(pc));
    pve_client_free(pc);
}

static void test_token(void **state)
{
    (void)state;
    struct connection root = root_conn();
    pve_client *rc = app_conn_client_new(&root);
    if (pve_client_login(rc) < 0)
        fail_msg("login: %s", ds_err_last());
    struct pve_response r = {0};
    json_t *p = json_pack("{s:b}", "privsep", 0);
    if (pve_call(rc, "POST", "/access/users/root@pam/token/cctok", p, &r) < 0)
        fail_msg("%s", ds_err_last());
    json_decref(p);
    char *secret = strdup(json_string_value(json_object_get(r.data, "value")));
    pve_response_clear(&r);
    pve_client_free(rc);

    struct connection c = root_conn();
    c.password = NULL;
    c.use_token = 1;
    c.token_name = "cctok";
    c.token_value = secret;
    pve_client *pc = app_conn_client_new(&c);
    if (pve_client_login(pc) < 0)
        fail_msg("token login: %s", ds_err_last());
    assert_false(pve_client_has_ticket(pc)); /* "root@pam!cctok" went as an API token */
    pve_client_free(pc);

    c.token_value = "00000000-0000-0000-0000-000000000000";
    pc = app_conn_client_new(&c);
    assert_int_equal(pve_client_login(pc), -1);
    assert_non_null(strstr(ds_err_last(), "root@pam!cctok"));
    pve_client_free(pc);
    free(secret);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_password),
        cmocka_unit_test(test_tls_from_connection),
        cmocka_unit_test(test_token),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
