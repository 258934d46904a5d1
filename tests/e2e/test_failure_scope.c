/* test_failure_scope: a failure stays with the student whose object failed (issue 10, point 8).
 * Every request naming student2 fails; students 1 and 3 on the same node still get their stand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ds_run.h"
#include "plan/marks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct simproc SP;
static struct ds_env ENV;

static int setup(void **st)
{
    (void)st;
    /* the local strategy puts every student on pve1: one shared network apply for all */
    const char *args[] = {"--scenario",   "classroom", "--time-scale", "0.005", "--fail-match",
                          "student2@pve", NULL};
    if (simproc_start(&SP, args) < 0)
        return -1;
    ds_env_init(&ENV, &SP, NULL, NULL);
    ds_write_users(&ENV, 3);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    simproc_stop(&SP);
    ds_env_free(&ENV);
    return 0;
}

static json_t *student(json_t *doc, const char *user)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(doc, "students"), i, s)
    {
        if (strcmp(json_string_value(json_object_get(s, "user")), user) == 0)
            return s;
    }
    fail_msg("no student %s in the report", user);
    return NULL;
}

/* Objects of stand demo-lab marked for `user` in the simulator: VMs (3), private bridges (lan and
 * wan) and the user. */
static int marked_objects(const char *user)
{
    json_t *st = simproc_state(&SP);
    int n = 0;
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(st, "vms"), i, x)
    {
        n +=
            mark_is(json_string_value(json_object_get(json_object_get(x, "config"), "description")),
                    "demo-lab", user);
    }
    json_array_foreach(json_object_get(st, "nodes"), i, x)
    {
        const char *iface;
        json_t *f;
        json_object_foreach(json_object_get(x, "network"), iface, f)
        {
            n += mark_is(json_string_value(json_object_get(f, "comments")), "demo-lab", user);
        }
    }
    json_t *u = json_object_get(json_object_get(st, "users"), user);
    n += u && mark_is(json_string_value(json_object_get(u, "comment")), "demo-lab", user);
    json_decref(st);
    return n;
}

static void test_one_student_fails_alone(void **st)
{
    (void)st;
    const char *args[] = {"--connections", ENV.connections, "--output", "json",
                          "--yes",         "deploy",        "--config", ENV.config,
                          "--users",       ENV.users,       NULL};
    char *out = NULL;
    int rc = ds_run(&out, NULL, args);
    json_t *doc = out ? json_loads(out, 0, NULL) : NULL;
    free(out);
    assert_non_null(doc);
    assert_int_equal(rc, 1); /* not everyone got a stand */
    assert_true(json_is_true(json_object_get(student(doc, "student1@pve"), "ok")));
    assert_true(json_is_true(json_object_get(student(doc, "student3@pve"), "ok")));
    json_t *s2 = student(doc, "student2@pve");
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
