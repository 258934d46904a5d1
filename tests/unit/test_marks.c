/* test_marks: the credential id of users' marks: new ids are random digits, the mark with one still
 * parses for every reader (stand, student, is-ours), and marks of older versions parse without. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "plan/marks.h"

static void test_cred_word(void **state)
{
    (void)state;
    char a[MARK_CRED_LEN + 1], b[MARK_CRED_LEN + 1], mark[256], user[320];
    assert_int_equal(mark_cred_new(a, sizeof a), 0);
    assert_int_equal(mark_cred_new(b, sizeof b), 0);
    assert_int_equal(strlen(a), MARK_CRED_LEN);
    assert_int_equal(strspn(a, "0123456789"), MARK_CRED_LEN);
    assert_string_not_equal(a, b);
    assert_int_equal(mark_cred_new(a, MARK_CRED_LEN), -1); /* no room for the terminator */

    mark_format(mark, sizeof mark, "lab", "s1@pve", NULL, 0);
    mark_format_cred(user, sizeof user, mark, b);
    struct mark m;
    assert_int_equal(mark_parse(user, &m), 1);
    assert_string_equal(m.stand, "lab");
    assert_string_equal(m.student, "s1@pve");
    assert_string_equal(m.cred, b);
    assert_null(m.alias);
    assert_int_equal(mark_is(user, "lab", "s1@pve"), 1);
    assert_int_equal(mark_is(user, "lab", "s2@pve"), 0);

    /* a mark of an older version: no credential id */
    assert_int_equal(mark_parse(mark, &m), 1);
    assert_null(m.cred);
    assert_int_equal(mark_parse("deploy-stand stand=lab student=s1@pve cred=", &m), 1);
    assert_null(m.cred);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cred_word),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
