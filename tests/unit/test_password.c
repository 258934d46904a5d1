/* test_password: generated passwords have the policy's length and alphabet, never contain
 * look-alike characters, differ between calls, and bad arguments are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/err.h"
#include "util/password.h"

static void test_unambiguous_default(void **state)
{
    (void)state;
    struct password_policy p = {PASSWORD_UNAMBIGUOUS, 10};
    int seen[256] = {0};
    for (int round = 0; round < 200; round++) {
        char out[11];
        memset(out, 'X', sizeof out);
        assert_int_equal(password_generate(&p, out, sizeof out), 0);
        assert_int_equal(strlen(out), 10);
        for (size_t i = 0; i < 10; i++) {
            unsigned char ch = (unsigned char)out[i];
            assert_non_null(strchr(PASSWORD_ALPHABET_UNAMBIGUOUS, ch));
            assert_null(strchr("0Oo1lI", ch));
            seen[ch]++;
        }
    }
    /* 2000 draws from 56 symbols: every symbol shows up (missing one has p < 1e-14) */
    for (const char *a = PASSWORD_ALPHABET_UNAMBIGUOUS; *a; a++)
        assert_true(seen[(unsigned char)*a] > 0);
}

static void test_alphabet_has_no_lookalikes(void **state)
{
    (void)state;
    assert_int_equal(strlen(PASSWORD_ALPHABET_UNAMBIGUOUS), 56);
    assert_null(strpbrk(PASSWORD_ALPHABET_UNAMBIGUOUS, "0Oo1lI"));
    for (const char *a = PASSWORD_ALPHABET_UNAMBIGUOUS; *a; a++)
        assert_null(strchr(a + 1, *a)); /* no symbol twice: uniform draws stay uniform */
}

static void test_digits(void **state)
{
    (void)state;
    struct password_policy p = {PASSWORD_DIGITS, 8};
    int seen[10] = {0};
    for (int round = 0; round < 100; round++) {
        char out[9];
        assert_int_equal(password_generate(&p, out, sizeof out), 0);
        assert_int_equal(strlen(out), 8);
        for (size_t i = 0; i < 8; i++) {
            assert_true(out[i] >= '0' && out[i] <= '9');
            seen[out[i] - '0']++;
        }
    }
    for (int d = 0; d < 10; d++)
        assert_true(seen[d] > 0);
}

static void test_lengths(void **state)
{
    (void)state;
    for (int len = 1; len <= 64; len++) {
        struct password_policy p = {PASSWORD_UNAMBIGUOUS, len};
        char out[80];
        assert_int_equal(password_generate(&p, out, (size_t)len + 1), 0);
        assert_int_equal(strlen(out), (size_t)len);
    }
}

static void test_two_calls_differ(void **state)
{
    (void)state;
    struct password_policy p = {PASSWORD_UNAMBIGUOUS, 10};
    char a[11], b[11];
    assert_int_equal(password_generate(&p, a, sizeof a), 0);
    assert_int_equal(password_generate(&p, b, sizeof b), 0);
    assert_string_not_equal(a, b); /* equal with probability 56^-10 */
    struct password_policy d = {PASSWORD_DIGITS, 8};
    char c[9], e[9];
    assert_int_equal(password_generate(&d, c, sizeof c), 0);
    assert_int_equal(password_generate(&d, e, sizeof e), 0);
    assert_string_not_equal(c, e); /* 1e-8 */
}

static void test_bad_arguments(void **state)
{
    (void)state;
    char out[16] = "untouched";
    struct password_policy p = {PASSWORD_UNAMBIGUOUS, 10};
    assert_int_equal(password_generate(&p, out, 10), -1); /* no room for the NUL */
    assert_non_null(strstr(ds_err_last(), "cannot hold"));
    assert_string_equal(out, "untouched");
    struct password_policy zero = {PASSWORD_DIGITS, 0};
    assert_int_equal(password_generate(&zero, out, sizeof out), -1);
    assert_int_equal(password_generate(NULL, out, sizeof out), -1);
    assert_int_equal(password_generate(&p, NULL, 0), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unambiguous_default),
        cmocka_unit_test(test_alphabet_has_no_lookalikes),
        cmocka_unit_test(test_digits),
        cmocka_unit_test(test_lengths),
        cmocka_unit_test(test_two_calls_differ),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
