/* test_two_clusters: one stand and class deployed to two clusters from the same machine (one state
 * file, one key file): each cluster's users keep their own passwords, so `creds` against either
 * cluster shows the passwords its own deploy printed, and tearing one down leaves the other's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "e2e_fixture.h"

static const char *const USERS[] = {"student1@pve", "student2@pve", "student3@pve"};

struct ctx {
    struct e2e a, b;
};

/* Two simulators, each with its own connections file; both runs use A's XDG folders (one state
 * file and one key file, as on a teacher's machine with two clusters). */
static int setup(void **st)
{
    struct ctx *c = calloc(1, sizeof *c);
    if (!c || e2e_start(&c->a, NULL, NULL, NULL) < 0) {
        free(c);
        return -1;
    }
    char *state = strdup(getenv("XDG_STATE_HOME")), *config = strdup(getenv("XDG_CONFIG_HOME"));
    int rc = state && config ? e2e_start(&c->b, NULL, NULL, NULL) : -1;
    if (rc == 0) {
        setenv("XDG_STATE_HOME", state, 1);
        setenv("XDG_CONFIG_HOME", config, 1);
    }
    free(state);
    free(config);
    *st = c;
    return rc;
}

static int teardown(void **st)
{
    struct ctx *c = *st;
    e2e_stop(&c->b);
    e2e_stop(&c->a);
    free(c);
    return 0;
}

static json_t *deploy(struct e2e *f)
{
    json_t *doc = NULL;
    assert_int_equal(e2e_cmd(f, E2E_JSON | E2E_YES, "deploy", NULL, NULL, &doc, NULL, NULL), 0);
    assert_non_null(doc);
    return doc;
}

static const char *password_of(json_t *doc, const char *user)
{
    return json_string_value(json_object_get(e2e_student(doc, user), "password"));
}

/* `creds --output json` against f shows `mine`'s passwords as known, none of `other`'s. */
static void expect_creds(struct e2e *f, json_t *mine, json_t *other, const char *what)
{
    json_t *doc = NULL;
    assert_int_equal(e2e_cmd(f, E2E_JSON, "creds", NULL, NULL, &doc, NULL, NULL), 0);
    assert_non_null(doc);
    for (size_t i = 0; i < 3; i++) {
        json_t *s = e2e_student(doc, USERS[i]);
        const char *state = json_string_value(json_object_get(s, "password_state"));
        const char *pw = json_string_value(json_object_get(s, "password"));
        if (!state || strcmp(state, "known") != 0 || !pw || strcmp(pw, password_of(mine, USERS[i])))
            fail_msg("%s: %s shows %s '%s', its deploy printed '%s'", what, USERS[i],
                     state ? state : "?", pw ? pw : "(none)", password_of(mine, USERS[i]));
        assert_string_not_equal(pw, password_of(other, USERS[i]));
    }
    json_decref(doc);
}

static void test_passwords_per_cluster(void **st)
{
    struct ctx *c = *st;
    json_t *da = deploy(&c->a);
    json_t *db = deploy(&c->b);
    expect_creds(&c->a, da, db, "cluster A");
    expect_creds(&c->b, db, da, "cluster B");
    /* a second deploy to A changes nothing, and still shows A's passwords */
    json_t *again = deploy(&c->a);
    for (size_t i = 0; i < 3; i++) {
        const char *pw = password_of(again, USERS[i]);
        assert_true(pw && strcmp(pw, password_of(da, USERS[i])) == 0);
    }
    json_decref(again);
    expect_creds(&c->a, da, db, "cluster A after its second deploy");
    json_decref(da);
    json_decref(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_passwords_per_cluster, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
