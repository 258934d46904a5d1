/* test_i18n: the interface speaks Russian under LANG=ru_RU.UTF-8 (help, usage errors, config
 * diagnostics, the demo's plan/progress/results) and English under LANG=C, from the built
 * catalogue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e_fixture.h"
#include "lang_env.h"
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The fixture without a simulator: private state and config folders (the demo writes its state
 * there) and the build tree's catalogue. */
static int setup(void **st)
{
    if (e2e_setup_local(st) < 0)
        return -1;
    unsetenv("DEPLOY_STAND_LOCALEDIR");
    return 0;
}

/* A stand file whose only machine has no template_vmid, and a valid class list. */
static void write_inputs(struct e2e *f, char *cfg, size_t cl, char *users, size_t ul)
{
    snprintf(cfg, cl, "%s",
             ds_write_file(&f->env, "bad_stand.yml",
                           "stand: lab\nmachines:\n  - name: web\n    template_node: pve1\n"));
    ds_write_users(&f->env, 1);
    snprintf(users, ul, "%s", f->env.users);
}

static void test_help(void **st)
{
    (void)st;
    if (!ru_locale_available())
        skip();
    static const char *const args[] = {"--help", NULL};
    char *out = NULL, *err = NULL;
    lang_set("ru_RU.UTF-8");
    assert_int_equal(ds_run(&out, &err, args), 0);
    e2e_expect_in(out, "использование: deploy-stand [общие параметры] КОМАНДА [параметры]",
                  "ru --help");
    e2e_expect_in(out, "развернуть стенд для каждого студента и вывести их учётные данные",
                  "ru --help");
    e2e_expect_in(out, "Впервые? Запустите `deploy-stand demo`", "ru --help");
    free(out);
    free(err);

    static const char *const cmd_help[] = {"destroy", "--help", NULL};
    lang_set("ru_RU.UTF-8");
    assert_int_equal(ds_run(&out, &err, cmd_help), 0);
    e2e_expect_in(out, "использование: deploy-stand destroy", "ru destroy --help");
    e2e_expect_in(out, "только этот студент (можно повторять)", "ru destroy --help");
    free(out);
    free(err);

    lang_set("C");
    assert_int_equal(ds_run(&out, &err, args), 0);
    e2e_expect_in(out, "usage: deploy-stand [global options] COMMAND [options]", "C --help");
    e2e_expect_in(out, "deploy the stand for every student and print their credentials",
                  "C --help");
    e2e_expect_not_in(out, "стенд", "C --help");
    free(out);
    free(err);
}

static void test_usage_error(void **st)
{
    (void)st;
    if (!ru_locale_available())
        skip();
    static const char *const args[] = {"plan", "--bogus", NULL};
    char *out = NULL, *err = NULL;
    lang_set("ru_RU.UTF-8");
    assert_int_equal(ds_run(&out, &err, args), 2);
    e2e_expect_in(err, "ошибка: plan: неизвестный параметр '--bogus'", "ru usage error");
    e2e_expect_in(err, "подсказка: см. `deploy-stand КОМАНДА --help`", "ru usage error");
    free(out);
    free(err);

    static const char *const unknown[] = {"frobnicate", NULL};
    assert_int_equal(ds_run(&out, &err, unknown), 2);
    e2e_expect_in(err, "ошибка: неизвестная команда 'frobnicate'", "ru unknown command");
    free(out);
    free(err);

    lang_set("C");
    assert_int_equal(ds_run(&out, &err, args), 2);
    e2e_expect_in(err, "error: plan: unknown option '--bogus'", "C usage error");
    e2e_expect_in(err, "hint: see `deploy-stand COMMAND --help`", "C usage error");
    free(out);
    free(err);
}

static void test_config_error(void **st)
{
    if (!ru_locale_available())
        skip();
    char cfg[320], users[320];
    write_inputs(*st, cfg, sizeof cfg, users, sizeof users);
    const char *const args[] = {"plan", "--config", cfg, "--users", users, NULL};
    char *out = NULL, *err = NULL;
    char where[400];
    snprintf(where, sizeof where, "%s:3:", cfg); /* the diagnostic still points at the machine */
    lang_set("ru_RU.UTF-8");
    assert_int_equal(ds_run(&out, &err, args), 2);
    e2e_expect_in(err, where, "ru config error");
    e2e_expect_in(err, "машина 'web': нет 'template_vmid'", "ru config error");
    e2e_expect_in(err, "добавьте `template_vmid: VMID` (шаблон для клонирования)",
                  "ru config error");
    e2e_expect_in(err, "ошибка: во входных файлах есть ошибки (см. выше); ничего не изменено",
                  "ru config error");
    free(out);
    free(err);

    lang_set("C");
    assert_int_equal(ds_run(&out, &err, args), 2);
    e2e_expect_in(err, where, "C config error");
    e2e_expect_in(err, "machine 'web' has no 'template_vmid'", "C config error");
    e2e_expect_in(err, "error: the input files have problems (above); nothing was changed",
                  "C config error");
    free(out);
    free(err);
}

static void test_demo(void **st)
{
    (void)st;
    if (!ru_locale_available())
        skip();
    static const char *const args[] = {"demo", "--time-scale", "0.01", NULL};
    char *out = NULL, *err = NULL;
    lang_set("ru_RU.UTF-8");
    int rc = ds_run(&out, &err, args);
    if (rc != 0)
        fail_msg("ru demo exited %d:\n%s\n%s", rc, out, err);
    e2e_expect_in(out, "Длительность задач умножена на 0.01.", "ru demo"); /* numbers stay C */
    e2e_expect_in(out,
                  "==== 1. Развертывание: план, ход выполнения, учётные данные ====", "ru demo");
    e2e_expect_in(out, "План развертывания стенда 'demo-lab', стратегия local: 3 студента, 9 ВМ",
                  "ru demo");
    e2e_expect_in(out, "связанный клон шаблона 100 -> ВМ", "ru demo");
    e2e_expect_in(out, "44 изменения:", "ru demo");
    e2e_expect_in(out, "Готово: 3 из 3 студентов, 9 ВМ,", "ru demo");
    e2e_expect_in(out, "пользователь  пароль", "ru demo");
    e2e_expect_in(out, "Стенд 'demo-lab': развернуто для 3 из 3 студентов", "ru demo");
    e2e_expect_in(out, "23 изменения:", "ru demo");
    e2e_expect_in(out, "Проверено: от стенда 'demo-lab' у этой группы ничего не осталось.",
                  "ru demo");
    free(out);
    free(err);

    lang_set("C");
    rc = ds_run(&out, &err, args);
    if (rc != 0)
        fail_msg("C demo exited %d:\n%s\n%s", rc, out, err);
    e2e_expect_in(out, "Deploy plan for stand 'demo-lab', strategy local: 3 students, 9 VMs",
                  "C demo");
    e2e_expect_in(out, "3 of 3 students OK", "C demo");
    e2e_expect_in(out, "Verified: nothing of stand 'demo-lab' is left for this class.", "C demo");
    e2e_expect_not_in(out, "стенд", "C demo");
    free(out);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_usage_error),
        cmocka_unit_test(test_config_error),
        cmocka_unit_test(test_demo),
    };
    return cmocka_run_group_tests(tests, setup, e2e_teardown);
}
