/* test_teacher_texts: what the teacher reads, in English and in Russian (issue 14, second round):
 * counts take the language's plural forms (Russian's three: 1, 2-4, 5+) in the plan, the result,
 * the status and the class lists; a destroy plan marks its removals with "-"; VM states and units
 * are translated; and the messages that misled say what is the matter: a user or pool of another
 * of our stands names that stand, a saved name with a typo offers the closest saved names, a
 * `connection add` problem names its option, a tab in YAML says so, a wrong template VMID or node
 * lists those that exist. */
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

static int setup(void **st)
{
    static const char *const args[] = {"--scenario", "classroom", "--time-scale", "0.01", NULL};
    unsetenv("DEPLOY_STAND_LOCALEDIR"); /* the build tree's catalogue */
    return e2e_setup(st, args);
}

/* `plan` of `cfg` in LANG=lang, which must exit `rc` (-1: any failure): its stderr, which must
 * hold every fragment of `want` (NULL-terminated). */
static char *plan_stderr(struct e2e *f, const char *lang, const char *cfg, int rc,
                         const char *const *want)
{
    char *out = NULL, *err = NULL;
    lang_set(lang);
    int got = e2e_cmd(f, 0, "plan", cfg, &out, NULL, &err, NULL);
    if (rc < 0 ? got == 0 : got != rc)
        fail_msg("plan of %s in %s exited %d:\n%s", cfg, lang, got, err);
    for (size_t i = 0; want[i]; i++)
        e2e_expect_in(err, want[i], "plan's stderr");
    free(out);
    lang_set("C");
    return err;
}

/* `plan --overcommit` of the example stand (3 machines, all on pve1) for n students: stdout. */
static char *plan_for(struct e2e *f, int n)
{
    ds_write_users(&f->env, n);
    char *out = NULL;
    assert_int_equal(e2e_cmd(f, 0, "plan", NULL, &out, NULL, NULL, "--overcommit", NULL), 0);
    return out;
}

struct forms {
    int n;
    const char *header, *users, *pools, *nodes;
};

/* The plan's header and per-kind counts for 1, 2-4 and 5+ students in both languages. */
static void test_plan_counts(void **st)
{
    struct e2e *f = *st;
    if (!ru_locale_available())
        skip();
    static const struct forms ru[] = {
        {1, "стратегия local: 1 студент, 3 ВМ\n", "создать 1 учётную запись,", "создать 1 пул,",
         "применить сеть 1 узла"},
        {3, "стратегия local: 3 студента, 9 ВМ\n", "создать 3 учётные записи,", "создать 3 пула,",
         "клонировать 9 ВМ"},
        {5, "стратегия local: 5 студентов, 15 ВМ\n", "создать 5 учётных записей,",
         "создать 5 пулов,", "выдать 5 ролей"},
    };
    static const struct forms en[] = {
        {1, "strategy local: 1 student, 3 VMs\n", "create 1 user,", "create 1 pool,",
         "apply the network of 1 node"},
        {3, "strategy local: 3 students, 9 VMs\n", "create 3 users,", "create 3 pools,",
         "clone 9 VMs"},
        {5, "strategy local: 5 students, 15 VMs\n", "create 5 users,", "create 5 pools,",
         "grant 5 roles"},
    };
    for (size_t lang = 0; lang < 2; lang++) {
        lang_set(lang ? "C" : "ru_RU.UTF-8");
        for (size_t i = 0; i < 3; i++) {
            const struct forms *w = lang ? &en[i] : &ru[i];
            char *out = plan_for(f, w->n);
            e2e_expect_in(out, w->header, "plan");
            e2e_expect_in(out, w->users, "plan");
            e2e_expect_in(out, w->pools, "plan");
            e2e_expect_in(out, w->nodes, "plan");
            e2e_expect_not_in(out, "(s)", "plan");
            e2e_expect_not_in(out, lang ? "create user," : "создание пользователя", "plan");
            free(out);
        }
    }
    lang_set("ru_RU.UTF-8");
    char *out = plan_for(f, 21); /* 21 takes the form of 1 */
    e2e_expect_in(out, "стратегия local: 21 студент, 63 ВМ\n", "plan of 21");
    e2e_expect_in(out, "создать 21 учётную запись,", "plan of 21");
    free(out);
    lang_set("C");
}

/* One student deployed in Russian: the result, the status (states translated), then the
 * teardown plan marks every removal with "-". */
static void test_deploy_status_destroy(void **st)
{
    struct e2e *f = *st;
    if (!ru_locale_available())
        skip();
    ds_write_users(&f->env, 1);
    lang_set("ru_RU.UTF-8");
    char *out = NULL;
    assert_int_equal(e2e_cmd(f, E2E_YES, "deploy", NULL, &out, NULL, NULL, NULL), 0);
    e2e_expect_in(out, "Готово: 1 из 1 студента, 3 ВМ,", "ru deploy");
    e2e_expect_in(out, "теги deploy-stand;ds-demo-lab", "ru deploy");
    e2e_expect_not_in(out, ", tags", "ru deploy");
    free(out);
    assert_int_equal(e2e_cmd(f, 0, "status", NULL, &out, NULL, NULL, NULL), 0);
    e2e_expect_in(out, "Стенд 'demo-lab': развернуто для 1 из 1 студента, работает 0 из 3 ВМ",
                  "ru status");
    e2e_expect_in(out, "web ", "ru status");
    e2e_expect_in(out, " остановлена", "ru status");
    e2e_expect_not_in(out, "stopped", "ru status");
    free(out);
    lang_set("C");
    assert_int_equal(e2e_cmd(f, 0, "status", NULL, &out, NULL, NULL, NULL), 0);
    e2e_expect_in(out, "Stand 'demo-lab': 1 of 1 student deployed, 0 of 3 VMs running", "status");
    e2e_expect_in(out, " stopped", "status");
    free(out);

    lang_set("ru_RU.UTF-8");
    assert_int_equal(e2e_cmd(f, E2E_YES, "destroy", NULL, &out, NULL, NULL, NULL), 0);
    e2e_expect_in(out, "План удаления стенда 'demo-lab': 1 студент, 3 ВМ", "ru destroy plan");
    e2e_expect_in(out, "    - ", "ru destroy plan");
    e2e_expect_not_in(out, "    + ", "ru destroy plan"); /* the shared bridge's too */
    e2e_expect_in(out, "удалить 1 пул, удалить 1 учётную запись", "ru destroy plan");
    free(out);
    lang_set("C");
}

/* users create/show/remove count users in the language's forms. */
static void test_list_counts(void **st)
{
    (void)st;
    if (!ru_locale_available())
        skip();
    static const char *const create[] = {"users",  "create", "cnt",    "a1@pve", "a2@pve",
                                         "a3@pve", "a4@pve", "a5@pve", NULL};
    static const char *const show[] = {"users", "show", "cnt", NULL};
    static const char *const remove1[] = {"users", "remove", "cnt", "a5@pve", NULL};
    static const char *const remove2[] = {"users", "remove", "cnt", "a3@pve", "a4@pve", NULL};
    static const char *const del[] = {"users", "delete", "cnt", "--yes", NULL};
    char *out = NULL, *err = NULL;
    lang_set("ru_RU.UTF-8");
    assert_int_equal(ds_run(&out, &err, create), 0);
    e2e_expect_in(out, "Создан список пользователей cnt: 5 пользователей.", "ru users create");
    free(out);
    free(err);
    assert_int_equal(ds_run(&out, &err, remove1), 0);
    e2e_expect_in(out, "Удалён 1 пользователь из cnt; осталось 4.", "ru users remove");
    free(out);
    free(err);
    assert_int_equal(ds_run(&out, &err, show), 0);
    e2e_expect_in(out, "Список пользователей cnt: 4 пользователя", "ru users show");
    free(out);
    free(err);
    lang_set("C");
    assert_int_equal(ds_run(&out, &err, remove2), 0);
    e2e_expect_in(out, "Removed 2 users from cnt; 2 left.", "users remove");
    free(out);
    free(err);
    ds_run(&out, &err, del);
    free(out);
    free(err);
}

/* A stand file of the example's machines under another stand name. */
static const char *other_stand(struct e2e *f)
{
    char *text = ds_slurp(f->env.config);
    assert_non_null(text);
    char *p = strstr(text, "stand: demo-lab");
    assert_non_null(p);
    size_t n = strlen(text) + 16;
    char *copy = malloc(n);
    snprintf(copy, n, "%.*sstand: lab-b%s", (int)(p - text), text, p + strlen("stand: demo-lab"));
    const char *path = ds_write_file(&f->env, "lab_b.yml", copy);
    free(copy);
    free(text);
    return path;
}

/* Another of our stands holds the students: the deploy says which and what to do (not "choose
 * another stand name"), and a destroy names that stand for the user it leaves alone. */
static void test_other_stand_named(void **st)
{
    struct e2e *f = *st;
    if (!ru_locale_available())
        skip();
    ds_write_users(&f->env, 1);
    lang_set("C");
    assert_int_equal(e2e_cmd(f, E2E_YES, "deploy", NULL, NULL, NULL, NULL, NULL), 0);
    char path[320];
    snprintf(path, sizeof path, "%s", other_stand(f));
    long before = ds_mutating_requests(&f->sp);
    static const char *const en[] = {"pool 'student1' for student1@pve belongs to stand 'demo-lab'",
                                     "remove student1@pve from stand 'demo-lab' first", NULL};
    static const char *const ru[] = {
        "пул 'student1' для student1@pve принадлежит стенду 'demo-lab'",
        "сначала удалите student1@pve из стенда 'demo-lab'", NULL};
    char *err = plan_stderr(f, "C", path, -1, en);
    e2e_expect_not_in(err, "choose another stand name", "plan");
    free(err);
    free(plan_stderr(f, "ru_RU.UTF-8", path, -1, ru));
    assert_int_equal(ds_mutating_requests(&f->sp), before);
    char *out = NULL;
    lang_set("ru_RU.UTF-8");
    /* lab-b has nothing on the cluster: its destroy leaves demo-lab's user and pool alone */
    assert_int_equal(e2e_cmd(f, E2E_YES, "destroy", path, &out, NULL, &err, NULL), 0);
    e2e_expect_in(out, "пользователь student1@pve принадлежит стенду 'demo-lab': не трогается",
                  "ru destroy of lab-b");
    free(out);
    free(err);
    lang_set("C");
    assert_int_equal(e2e_cmd(f, E2E_YES, "destroy", path, &out, NULL, &err, NULL), 0);
    e2e_expect_in(out, "user student1@pve belongs to stand 'demo-lab': left alone", "destroy");
    e2e_expect_not_in(out, "was not created by deploy-stand", "destroy");
    free(out);
    free(err);
    assert_int_equal(e2e_cmd(f, E2E_YES, "destroy", NULL, NULL, NULL, NULL, NULL), 0);
}

/* ds_run of args in LANG=lang: exit code; stdout and stderr together into *all. */
static int run_all(const char *lang, const char *const *args, char **all)
{
    char *out = NULL, *err = NULL;
    lang_set(lang);
    int rc = ds_run(&out, &err, args);
    size_t n = strlen(out ? out : "") + strlen(err ? err : "") + 2;
    *all = malloc(n);
    snprintf(*all, n, "%s\n%s", out ? out : "", err ? err : "");
    free(out);
    free(err);
    lang_set("C");
    return rc;
}

/* A saved name with a typo: the closest saved names are offered, wherever a name is read. */
static void test_saved_name_typo(void **st)
{
    struct e2e *f = *st;
    if (!ru_locale_available())
        skip();
    static const char *const create[] = {"users", "create", "group-a", "s1@pve", NULL};
    static const char *const show[] = {"users", "show", "grup-a", NULL};
    const char *const plan[] = {"--connections", f->env.connections, "plan",   "--config",
                                f->env.config,   "--users",          "groupa", NULL};
    const char *const far[] = {"--connections", f->env.connections, "plan", "--config",
                               f->env.config,   "--users",          "zzz",  NULL};
    char *all = NULL;
    assert_int_equal(run_all("C", create, &all), 0);
    free(all);
    long before = ds_total_requests(&f->sp);
    assert_int_equal(run_all("C", show, &all), 2);
    e2e_expect_in(all, "there is no user list named 'grup-a'; did you mean group-a?", "show");
    free(all);
    assert_int_equal(run_all("C", plan, &all), 2);
    e2e_expect_in(all, "there is no file or saved user list named 'groupa'", "plan");
    e2e_expect_in(all, "did you mean group-a?", "plan");
    e2e_expect_not_in(all, "cannot open the file", "plan");
    free(all);
    assert_int_equal(run_all("ru_RU.UTF-8", plan, &all), 2);
    e2e_expect_in(all, "нет ни файла, ни сохранённого списка пользователей с именем 'groupa'",
                  "ru plan");
    e2e_expect_in(all, "может быть, имелось в виду group-a?", "ru plan");
    free(all);
    assert_int_equal(run_all("C", far, &all), 2); /* nothing close: no guess */
    e2e_expect_not_in(all, "did you mean", "plan zzz");
    e2e_expect_in(all, "`deploy-stand users list` shows the saved names", "plan zzz");
    free(all);
    assert_int_equal(ds_total_requests(&f->sp), before);
}

/* A bad --host or --user of `connection add` names the option, not a line and column of a file
 * the teacher never wrote. */
static void test_connection_add_option(void **st)
{
    struct e2e *f = *st;
    if (!ru_locale_available())
        skip();
    char *path = e2e_path(f, "new_conns.yml");
    const char *const args[] = {
        "--connections", path,     "connection",       "add", "lab", "--host", "127.0.0.1:1",
        "--user",        "nobody", "--password-stdin", NULL};
    char *out = NULL, *err = NULL;
    lang_set("C");
    assert_int_equal(ds_run_in("pw\n", &out, &err, args), 2);
    e2e_expect_in(err, "connection add --user: 'nobody' is not a valid Proxmox user id", "stderr");
    e2e_expect_not_in(err, "connection add:", "stderr");
    free(out);
    free(err);
    lang_set("ru_RU.UTF-8");
    assert_int_equal(ds_run_in("pw\n", &out, &err, args), 2);
    e2e_expect_in(err, "connection add --user: ", "ru stderr");
    e2e_expect_not_in(err, "connection add:", "ru stderr");
    free(out);
    free(err);
    lang_set("C");
    free(path);
}

/* A tab in a stand file's indentation: said in the reader's language, at its line. */
static void test_yaml_tab(void **st)
{
    struct e2e *f = *st;
    if (!ru_locale_available())
        skip();
    char cfg[320];
    snprintf(cfg, sizeof cfg, "%s",
             ds_write_file(&f->env, "tab.yml",
                           "stand: t\nmachines:\n  - name: web\n\ttemplate_vmid: 100\n"));
    char where[400];
    snprintf(where, sizeof where, "%s:4:", cfg);
    const char *const ru[] = {where, "YAML не допускает табуляцию в отступах; используйте пробелы",
                              "замените табуляцию в начале строки пробелами", NULL};
    const char *const en[] = {where, "YAML does not allow tabs for indentation; use spaces", NULL};
    free(plan_stderr(f, "ru_RU.UTF-8", cfg, 2, ru));
    free(plan_stderr(f, "C", cfg, 2, en));
}

/* A template VMID or a node the cluster lacks: the answer lists those it has. */
static void test_wrong_template_lists(void **st)
{
    struct e2e *f = *st;
    if (!ru_locale_available())
        skip();
    char cfg[320];
    snprintf(cfg, sizeof cfg, "%s",
             ds_write_file(&f->env, "wrong.yml",
                           "stand: w\nmachines:\n  - name: web\n    template_node: pve9\n"
                           "    template_vmid: 999\n"));
    ds_write_users(&f->env, 1);
    static const char *const en[] = {
        "node 'pve9' is not in the cluster", "use one of the cluster's nodes: pve1, pve2, pve3",
        "template 999 does not exist in the cluster",
        "use the VMID of a template: 100 (pve1), 101 (pve1), 102 (pve1)", NULL};
    static const char *const ru[] = {"используйте один из узлов кластера: pve1, pve2, pve3",
                                     "укажите VMID шаблона: 100 (pve1), 101 (pve1), 102 (pve1)",
                                     NULL};
    free(plan_stderr(f, "C", cfg, 2, en));
    free(plan_stderr(f, "ru_RU.UTF-8", cfg, 2, ru));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_counts),     cmocka_unit_test(test_deploy_status_destroy),
        cmocka_unit_test(test_list_counts),     cmocka_unit_test(test_other_stand_named),
        cmocka_unit_test(test_saved_name_typo), cmocka_unit_test(test_connection_add_option),
        cmocka_unit_test(test_yaml_tab),        cmocka_unit_test(test_wrong_template_lists),
    };
    return cmocka_run_group_tests(tests, setup, e2e_teardown);
}
