/* test_lost_answers: requests the cluster carried out but whose answer never came (issue 10, point
 * 11): the retry finds the pool, the user and the VM the first attempt made and takes them as
 * done, so nothing is made twice, nothing stays behind, and the password the user got is the one
 * the report gives. */
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
    const char *args[] = {"--scenario",
                          "classroom",
                          "--time-scale",
                          "0.005",
                          "--fault",
                          "lost:POST /pools&student1:1",
                          "--fault",
                          "lost:POST /access/users&student2@pve:1",
                          "--fault",
                          "lost:/clone&student3@pve:1",
                          NULL};
    return e2e_setup(st, args);
}

/* VMs named `name` in pool `pool`. */
static int vms_named(json_t *state, const char *pool, const char *name)
{
    int n = 0;
    size_t i;
    json_t *vm;
    json_array_foreach(json_object_get(state, "vms"), i, vm)
    {
        const char *p = json_string_value(json_object_get(vm, "pool"));
        const char *nm = json_string_value(json_object_get(json_object_get(vm, "config"), "name"));
        n += p && nm && strcmp(p, pool) == 0 && strcmp(nm, name) == 0;
    }
    return n;
}

static void test_lost_answers(void **st)
{
    struct e2e *c = *st;
    json_t *doc = NULL;
    assert_int_equal(e2e_cmd(c, E2E_JSON | E2E_YES, "deploy", NULL, NULL, &doc, NULL, NULL), 0);
    json_t *state = simproc_state(&c->sp);
    static const char *const names[] = {"web", "client", "router"};
    for (int s = 1; s <= 3; s++) {
        char pool[16], user[32];
        snprintf(pool, sizeof pool, "student%d", s);
        snprintf(user, sizeof user, "student%d@pve", s);
        for (int m = 0; m < 3; m++)
            if (vms_named(state, pool, names[m]) != 1)
                fail_msg("%s has %d VM(s) named %s", pool, vms_named(state, pool, names[m]),
                         names[m]);
        json_t *st_user = e2e_student(doc, user);
        const char *pw = json_string_value(json_object_get(st_user, "password"));
        assert_non_null(pw);
        char cookie[4096], csrf[512];
        if (simproc_login(&c->sp, user, pw, cookie, sizeof cookie, csrf, sizeof csrf) != 0)
            fail_msg("%s cannot log in with the reported password", user);
    }
    json_decref(state);
    json_decref(doc);
    /* the three lost answers did happen */
    struct rawresp r = {0};
    assert_int_equal(simproc_request(&c->sp, "GET", "/__sim/fault", NULL, NULL, &r), 0);
    size_t i;
    json_t *rule;
    json_array_foreach(json_object_get(r.json, "rules"), i, rule)
        assert_int_equal(json_integer_value(json_object_get(rule, "fired")), 1);
    rawresp_clear(&r);
    assert_int_equal(e2e_cmd(c, E2E_YES, "destroy", NULL, NULL, NULL, NULL, NULL), 0);
    for (int s = 1; s <= 3; s++) {
        char user[32];
        snprintf(user, sizeof user, "student%d@pve", s);
        assert_int_equal(e2e_marked_objects(c, "demo-lab", user), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lost_answers, setup, e2e_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
