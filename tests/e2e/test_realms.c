/* test_realms: students of a directory realm (issue 10, point 17): a student of the cluster's LDAP
 * realm gets pool, ACL and VMs and a user without a password, shown as their own account; a pam
 * student is refused at their line before any change; destroy removes the user it made. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e_fixture.h"
#include <stdlib.h>
#include <string.h>

static int setup(void **st)
{
    const char *args[] = {"--scenario", "classroom", "--time-scale", "0.005", NULL};
    return e2e_setup(st, args);
}

static void test_ldap_student(void **st)
{
    struct e2e *c = *st;
    snprintf(c->env.users, sizeof c->env.users, "%s",
             ds_write_file(&c->env, "users.yml", "users:\n  - student1@pve\n  - ann@school\n"));
    json_t *doc = NULL;
    assert_int_equal(e2e_cmd(c, E2E_JSON | E2E_YES, "deploy", NULL, NULL, &doc, NULL, NULL), 0);
    json_t *ann = e2e_student(doc, "ann@school");
    assert_string_equal(json_string_value(json_object_get(ann, "password_state")), "external");
    assert_true(json_is_null(json_object_get(ann, "password")));
    json_decref(doc);
    json_t *state = simproc_state(&c->sp);
    json_t *user = json_object_get(json_object_get(state, "users"), "ann@school");
    assert_non_null(user);
    assert_null(json_object_get(user, "password")); /* no password was set */
    assert_non_null(json_object_get(json_object_get(state, "pools"), "ann"));
    assert_non_null(e2e_vm_named(state, "ann", "web"));
    json_decref(state);
    /* the hand-out card says to use the campus account */
    char *out = NULL;
    assert_int_equal(e2e_cmd(c, 0, "creds", NULL, &out, NULL, NULL, "--format", "html", NULL), 0);
    e2e_expect_in(out, "log in with your campus account", "the hand-out");
    free(out);
    assert_int_equal(e2e_cmd(c, E2E_YES, "destroy", NULL, NULL, NULL, NULL, NULL), 0);
    state = simproc_state(&c->sp);
    assert_null(json_object_get(json_object_get(state, "users"), "ann@school"));
    json_decref(state);
}

static void test_pam_student_refused(void **st)
{
    struct e2e *c = *st;
    snprintf(c->env.users, sizeof c->env.users, "%s",
             ds_write_file(&c->env, "users.yml", "users:\n  - student1@pve\n  - pat@pam\n"));
    long before = ds_mutating_requests(&c->sp);
    char *err = NULL;
    assert_int_equal(e2e_cmd(c, E2E_YES, "deploy", NULL, NULL, NULL, &err, NULL), 2);
    e2e_expect_in(err, "users.yml:3:5: pat@pam is in the pam realm", "a pam student");
    e2e_expect_in(err, "put the students in the pve realm", "a pam student");
    free(err);
    assert_int_equal(ds_mutating_requests(&c->sp), before); /* nothing sent */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ldap_student, setup, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_pam_student_refused, setup, e2e_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
