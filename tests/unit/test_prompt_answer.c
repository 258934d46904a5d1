/* test_prompt_answer: the one yes/no reading every prompt shares (prompt_answer: y/yes, n/no, any
 * case, and д/да, н/нет under a Russian locale only) and prompt_confirm, the commands' [y/N]
 * question, which reads one line from stdin and leaves the rest there. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ui/prompt.h"
#include "util/i18n.h"

static void use_locale(const char *lang)
{
    unsetenv("LANGUAGE");
    unsetenv("LC_ALL");
    unsetenv("LC_MESSAGES");
    unsetenv("DEPLOY_STAND_LOCALEDIR"); /* the build tree's catalogue */
    setenv("LANG", lang, 1);
    i18n_init();
}

static void test_english(void **state)
{
    (void)state;
    use_locale("C");
    const char *yes[] = {"y", "Y", "yes", "YES", "Yes", " yes\t", "y\r"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        assert_int_equal(prompt_answer(yes[i]), 1);
    const char *no[] = {"n", "N", "no", "No", " NO "};
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        assert_int_equal(prompt_answer(no[i]), 0);
    const char *other[] = {"",
                           " ",
                           "ye",
                           "yess",
                           "nope",
                           "1",
                           "ok",
                           "да",
                           "д",
                           "нет",
                           "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"};
    for (size_t i = 0; i < sizeof other / sizeof *other; i++)
        assert_int_equal(prompt_answer(other[i]), -1);
    assert_int_equal(prompt_answer(NULL), -1);
}

static void test_russian(void **state)
{
    (void)state;
    const char *old = setlocale(LC_ALL, NULL);
    char *saved = old ? strdup(old) : NULL;
    int have_ru = setlocale(LC_ALL, "ru_RU.UTF-8") != NULL;
    setlocale(LC_ALL, saved ? saved : "C");
    free(saved);
    if (!have_ru)
        skip();
    use_locale("ru_RU.UTF-8");
    const char *yes[] = {"д", "Д", "да", "Да", "ДА", "дА", " да ", "y", "Yes"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        assert_int_equal(prompt_answer(yes[i]), 1);
    const char *no[] = {"н", "Н", "нет", "НЕТ", "Нет", "n", "NO"};
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        assert_int_equal(prompt_answer(no[i]), 0);
    const char *other[] = {"дд", "ага", "ja", "ё"};
    for (size_t i = 0; i < sizeof other / sizeof *other; i++)
        assert_int_equal(prompt_answer(other[i]), -1);
    use_locale("C");
}

/* prompt_confirm on stdin = a pipe holding `input`; *rest gets what it left unread. */
static int confirm_with(const char *input, char *rest, size_t restlen)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], input, strlen(input)), (ssize_t)strlen(input));
    close(p[1]);
    int saved = dup(STDIN_FILENO);
    assert_true(dup2(p[0], STDIN_FILENO) >= 0);
    close(p[0]);
    int r = prompt_confirm("Go on?");
    ssize_t n = read(STDIN_FILENO, rest, restlen - 1);
    rest[n > 0 ? n : 0] = '\0';
    dup2(saved, STDIN_FILENO);
    close(saved);
    return r;
}

static void test_confirm(void **state)
{
    (void)state;
    use_locale("C");
    char rest[64];
    assert_int_equal(confirm_with("yes\nnext line\n", rest, sizeof rest), 1);
    assert_string_equal(rest, "next line\n"); /* only the answer's line is read */
    assert_int_equal(confirm_with("Y", rest, sizeof rest), 1);
    assert_int_equal(confirm_with("n\n", rest, sizeof rest), 0);
    assert_int_equal(confirm_with("maybe\n", rest, sizeof rest), 0); /* anything else is a no */
    assert_int_equal(confirm_with("\n", rest, sizeof rest), 0);
    assert_int_equal(confirm_with("", rest, sizeof rest), 0); /* EOF */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_english),
        cmocka_unit_test(test_russian),
        cmocka_unit_test(test_confirm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
