/* test_failure_scope: a failure stays with the student whose object failed (issue 10, point 8).
 * Every request naming student2 fails; students 1 and 3 on the same node still get their stand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct e2e F;

static int setup(void **st)
{
    (void)st;
    /* the local strategy puts every student on pve1: one shared network apply for all */
    const char *args[] = {"--scenario",   "classroom", "--time-scale", "0.005", "--fail-match",
                          "student2@pve", NULL};
    if (e2e_start(&F, args, NULL, NULL) < 0)
        return -1;
    ds_write_users(&F.env, 3);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    e2e_stop(&F);
    return 0;
}

/* Objects of stand demo-lab marked for `user` in the simulator: VMs (3), private bridges (lan and
 * wan) and the user. */
static int marked_objects(const char *user)
{
    return e2e_marked_objects(&F, "demo-lab", user);
}

static void test_one_student_fails_alone(void **st)
{
    (void)st;
    json_t *doc = NULL;
    int rc = e2e_cmd(&F, E2E_JSON | E2E_YES, "deploy", NULL, NULL, &doc, NULL, NULL);
    assert_non_null(doc);
    assert_int_equal(rc, 1); /* not everyone got a stand */
    assert_true(json_is_true(json_object_get(e2e_student(doc, "student1@pve"), "ok")));
    assert_true(json_is_true(json_object_get(e2e_student(doc, "student3@pve"), "ok")));
    json_t *s2 = e2e_student(doc, "student2@pve");
    assert_false(json_is_true(json_object_get(s2, "ok")));
    assert_non_null(strstr(json_string_value(json_object_get(s2, "error")), "got"));
    json_decref(doc);
    /* the others have their whole stand; nothing of student2's is left behind */
    assert_int_equal(marked_objects("student1@pve"), 3 + 2 + 1);
    assert_int_equal(marked_objects("student3@pve"), 3 + 2 + 1);
    assert_int_equal(marked_objects("student2@pve"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_student_fails_alone),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
