/* test_config_lifecycle: the stand's class lifecycle keys (baseline, start_order, student_role,
 * expires): defaults, valid values, and every invalid value reported at its line:col. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/stand.h"
#include "config_expect.h"

#define MACHINES                                                                                   \
    "machines:\n"                                                                                  \
    "  - {name: web, template_node: pve1, template_vmid: 100}\n"                                   \
    "  - {name: Router, template_node: pve1, template_vmid: 102}\n"                                \
    "  - {name: client, template_node: pve1, template_vmid: 101}\n"

static struct stand *load_ok(const char *text)
{
    struct diag_list diags = {0};
    struct stand *s = NULL;
    if (stand_load_text("lab.yml", text, strlen(text), &s, &diags) != 0) {
        diag_print(&diags, stderr);
        fail_msg("the stand did not load");
    }
    assert_int_equal(diags.n, 0);
    diag_list_clear(&diags);
    return s;
}

/* The stand is refused with exactly the wanted diagnostics. */
static void expect_refused(const char *text, const struct config_want *want, size_t n)
{
    struct diag_list diags = {0};
    struct stand *s = NULL;
    assert_int_equal(stand_load_text("lab.yml", text, strlen(text), &s, &diags), -1);
    assert_null(s);
    config_diags_expect(&diags, "lab.yml", want, n);
    diag_list_clear(&diags);
}

static void test_defaults(void **st)
{
    (void)st;
    struct stand *s = load_ok("stand: lab\n" MACHINES);
    assert_string_equal(s->baseline, "start");
    assert_int_equal(s->n_start_order, 0);
    assert_int_equal(s->student_role, STUDENT_ROLE_VMADMIN);
    assert_string_equal(student_role_name(s->student_role), "PVEVMAdmin");
    assert_int_equal(s->expires, 0);
    assert_string_equal(s->expires_date, "");
    stand_free(s);
}

static void test_valid_values(void **st)
{
    (void)st;
    struct stand *s = load_ok("stand: lab\n" MACHINES "baseline: lab-1_ready\n"
                              "start_order: [router, WEB]\n"
                              "student_role: DeployStandStudent\n"
                              "expires: 2025-06-30\n");
    assert_string_equal(s->baseline, "lab-1_ready");
    assert_int_equal(s->n_start_order, 2);
    assert_string_equal(s->start_order[0], "Router"); /* spelled as the machine is */
    assert_string_equal(s->start_order[1], "web");
    assert_int_equal(s->student_role, STUDENT_ROLE_MANAGED);
    assert_string_equal(student_role_name(s->student_role), "DeployStandStudent");
    assert_int_equal(s->expires, 1751328000); /* 2025-07-01T00:00:00Z: the end of June 30 */
    assert_string_equal(s->expires_date, "2025-06-30");
    stand_free(s);

    s = load_ok("stand: lab\n" MACHINES "baseline: false\nstudent_role: PVEVMUser\n"
                "expires: 2024-02-29\n");
    assert_null(s->baseline);
    assert_int_equal(s->student_role, STUDENT_ROLE_VMUSER);
    assert_int_equal(s->expires, 1709251200); /* leap day, UTC end of day */
    stand_free(s);

    s = load_ok("stand: lab\n" MACHINES "baseline: true\nstart_order: []\n");
    assert_string_equal(s->baseline, "start");
    assert_int_equal(s->n_start_order, 0);
    stand_free(s);
}

static void test_bad_baseline(void **st)
{
    (void)st;
    const struct config_want w1[] = {{6, 11, "'1st' is not a valid snapshot name"}};
    expect_refused("stand: lab\n" MACHINES "baseline: 1st\n", w1, 1);
    const struct config_want w2[] = {{6, 11, "'current' is not a valid snapshot name"}};
    expect_refused("stand: lab\n" MACHINES "baseline: current\n", w2, 1);
    const struct config_want w3[] = {{6, 11, "is not a valid snapshot name"}};
    expect_refused("stand: lab\n" MACHINES "baseline: a23456789012345678901234567890123456789012\n",
                   w3, 1);
    expect_refused("stand: lab\n" MACHINES "baseline: a\n", w3, 1);
    expect_refused("stand: lab\n" MACHINES "baseline: 'with space'\n", w3, 1);
    const struct config_want w4[] = {{6, 11, "'baseline' must be a string"}};
    expect_refused("stand: lab\n" MACHINES "baseline: [a, b]\n", w4, 1);
}

static void test_bad_start_order(void **st)
{
    (void)st;
    const struct config_want w1[] = {
        {6, 20,
         "start_order names 'db', which is not a machine of this stand; use the names of "
         "the stand's machines: web, Router, client"}};
    expect_refused("stand: lab\n" MACHINES "start_order: [web, db]\n", w1, 1);
    const struct config_want w2[] = {{6, 20, "machine 'WEB' is listed twice in start_order"}};
    expect_refused("stand: lab\n" MACHINES "start_order: [web, WEB]\n", w2, 1);
    const struct config_want w3[] = {{6, 14, "'start_order' must be a list, got a string"}};
    expect_refused("stand: lab\n" MACHINES "start_order: web\n", w3, 1);
}

static void test_bad_role_and_expiry(void **st)
{
    (void)st;
    const struct config_want w1[] = {{6, 15,
                                      "unknown student_role 'pvevmadmin'; use PVEVMAdmin, "
                                      "PVEVMUser or DeployStandStudent"}};
    expect_refused("stand: lab\n" MACHINES "student_role: pvevmadmin\n", w1, 1);
    const struct config_want w2[] = {{6, 10, "2025-13-01 is not a real date"}};
    expect_refused("stand: lab\n" MACHINES "expires: 2025-13-01\n", w2, 1);
    const struct config_want w3[] = {{6, 10, "2023-02-29 is not a real date"}};
    expect_refused("stand: lab\n" MACHINES "expires: 2023-02-29\n", w3, 1);
    const struct config_want w4[] = {{6, 10, "'30.06.2025' is not a date (YYYY-MM-DD)"}};
    expect_refused("stand: lab\n" MACHINES "expires: 30.06.2025\n", w4, 1);
    const struct config_want w5[] = {{6, 10, "'2025' is not a date (YYYY-MM-DD)"}};
    expect_refused("stand: lab\n" MACHINES "expires: 2025\n", w5, 1);
    /* all four at once, each at its own place */
    const struct config_want w6[] = {{6, 11, "'x' is not a valid snapshot name"},
                                     {7, 15, "unknown student_role 'root'"},
                                     {8, 10, "2025-04-31 is not a real date"},
                                     {9, 14, "'start_order' must be a list"}};
    expect_refused("stand: lab\n" MACHINES "baseline: x\nstudent_role: root\nexpires: 2025-04-31\n"
                   "start_order: {a: 1}\n",
                   w6, 4);
}

static void test_value_checks(void **st)
{
    (void)st;
    assert_true(stand_snapshot_name_valid("start"));
    assert_true(stand_snapshot_name_valid("Ab"));
    assert_true(stand_snapshot_name_valid("a234567890123456789012345678901234567890")); /* 40 */
    assert_false(stand_snapshot_name_valid("a2345678901234567890123456789012345678901"));
    assert_false(stand_snapshot_name_valid(""));
    assert_false(stand_snapshot_name_valid("pending"));
    assert_false(stand_snapshot_name_valid("-start"));
    assert_false(stand_snapshot_name_valid("st.art"));
    long long t = 0;
    assert_int_equal(stand_date_parse("1970-01-01", &t), 0);
    assert_int_equal(t, 86400);
    assert_int_equal(stand_date_parse("2000-02-29", &t), 0); /* divisible by 400: leap */
    assert_int_equal(stand_date_parse("2100-02-29", &t), -2);
    assert_int_equal(stand_date_parse("2025-6-30", &t), -1);
    assert_int_equal(stand_date_parse("2025-06-30 ", &t), -1);
    assert_int_equal(stand_date_parse("1969-12-31", &t), -2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_valid_values),
        cmocka_unit_test(test_bad_baseline),
        cmocka_unit_test(test_bad_start_order),
        cmocka_unit_test(test_bad_role_and_expiry),
        cmocka_unit_test(test_value_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
