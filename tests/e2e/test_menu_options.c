/* test_menu_options: a deploy from the menu takes the command line's options through the same
 * request builder: rebuilding stale template copies (--refresh-templates) and smart's memory
 * reserve (--mem-reserve) give the menu exactly the plan `deploy-stand plan` shows with them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e_fixture.h"
#include "scratch.h"
#include "util/fsutil.h"

static const char *const SIM_ARGS[] = {"--scenario", "classroom", "--time-scale", "0.01", NULL};

static int setup(void **st)
{
    if (e2e_setup(st, SIM_ARGS) < 0)
        return -1;
    setenv("LC_ALL", "C", 1);
    unsetenv("LANGUAGE");
    return 0;
}

/* The example stand saved as the config "lab" and the class list `users` as "cls" (the menu's
 * only choices), also written as files for the command line (their paths into cfg / cls). */
static void library(struct e2e *c, const char *users, char **cfg, char **cls)
{
    char *dir = e2e_path(c, "config/deploy-stand/configs");
    assert_int_equal(fs_mkdir_p(dir, 0755), 0);
    free(dir);
    dir = e2e_path(c, "config/deploy-stand/lists");
    assert_int_equal(fs_mkdir_p(dir, 0755), 0);
    free(dir);
    char *text = file_text(c->env.config);
    *cfg = e2e_path(c, "config/deploy-stand/configs/lab.yml");
    file_put(*cfg, text);
    free(text);
    *cls = e2e_path(c, "config/deploy-stand/lists/cls.yml");
    file_put(*cls, users);
}

/* The plan's action lines ("    + ..."), in order, one per line (malloc'd). */
static char *plan_lines(const char *out)
{
    size_t cap = strlen(out) + 1, n = 0;
    char *lines = calloc(1, cap);
    assert_non_null(lines);
    for (const char *l = out; l && *l;) {
        const char *end = strchr(l, '\n');
        size_t len = end ? (size_t)(end - l) : strlen(l);
        if (len > 6 && strncmp(l, "    + ", 6) == 0) {
            memcpy(lines + n, l, len);
            n += len;
            lines[n++] = '\n';
        }
        l = end ? end + 1 : NULL;
    }
    return lines;
}

/* `deploy-stand plan` of the saved stand and list with extra options: its stdout (malloc'd). */
static char *cli_plan(struct e2e *c, const char *cfg, const char *cls, const char *const *extra,
                      int want_rc)
{
    const char *args[16] = {
        "--connections", c->env.connections, "plan", "--config", cfg, "--users", cls};
    size_t n = 7;
    for (size_t i = 0; extra[i] && n < 15; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    char *out = NULL, *err = NULL;
    int rc = ds_run(&out, &err, args);
    if (rc != want_rc)
        fprintf(stderr, "plan exit %d:\n%s\n%s\n", rc, out, err);
    assert_int_equal(rc, want_rc);
    size_t lo = strlen(out), le = strlen(err);
    out = realloc(out, lo + le + 1);
    assert_non_null(out);
    memcpy(out + lo, err, le + 1);
    free(err);
    return out;
}

/* The menu's deploy with `answers` after "1\nd\n\n\n" (connection, deploy, the only config and
 * list), then "0" (exit); its output (malloc'd). Nothing may have changed on the cluster. */
static char *menu_deploy(struct e2e *c, const char *answers)
{
    char input[256];
    snprintf(input, sizeof input, "1\nd\n\n\n%s0\n", answers);
    long before = ds_mutating_requests(&c->sp);
    char *out = NULL;
    int rc = e2e_menu(c, input, &out);
    if (rc != 0)
        fprintf(stderr, "menu output:\n%s\n", out);
    assert_int_equal(rc, 0);
    assert_int_equal(ds_mutating_requests(&c->sp), before);
    return out;
}

static void assert_same_plan(const char *menu_out, const char *cli_out)
{
    char *a = plan_lines(menu_out), *b = plan_lines(cli_out);
    if (strcmp(a, b) != 0)
        fprintf(stderr, "menu plan:\n%s\ncommand-line plan:\n%s\n", a, b);
    assert_string_equal(a, b);
    assert_true(strlen(a) > 0);
    free(a);
    free(b);
}

/* Copies of the templates on pve2 (a remote deploy of two students), then template 100 changes:
 * its copy is stale. A third student needs the copies again. */
static void test_refresh_templates(void **st)
{
    struct e2e *c = *st;
    char *cfg, *cls;
    library(c, "users: [s1@pve, s2@pve, s3@pve]\n", &cfg, &cls);
    ds_write_users(&c->env, 2);
    assert_int_equal(e2e_cmd(c, E2E_YES, "deploy", cfg, NULL, NULL, NULL, "--strategy", "remote",
                             "--node", "pve2", NULL),
                     0);
    assert_int_equal(e2e_login_root(c), 0);
    assert_int_equal(e2e_api(c, "PUT", "/nodes/pve1/qemu/100/config", "description=changed", NULL),
                     200);

    const char *const remote[] = {"--strategy", "remote", "--node", "pve2", NULL};
    const char *const refresh[] = {"--strategy",          "remote", "--node", "pve2",
                                   "--refresh-templates", NULL};
    /* remote (2), node pve2 (2), rebuild the stale copy? no / yes, deploy now? no */
    char *menu_no = menu_deploy(c, "2\n2\nn\nn\n"), *cli_no = cli_plan(c, cfg, cls, remote, 0);
    e2e_expect_in(menu_no, "stale", "the menu's output");
    e2e_expect_not_in(menu_no, "copy template 100", "the menu's plan without rebuilding");
    assert_same_plan(menu_no, cli_no);
    char *menu_yes = menu_deploy(c, "2\n2\ny\nn\n"), *cli_yes = cli_plan(c, cfg, cls, refresh, 0);
    e2e_expect_in(menu_yes, "copy template 100", "the menu's plan with rebuilding");
    assert_same_plan(menu_yes, cli_yes);
    free(menu_no);
    free(cli_no);
    free(menu_yes);
    free(cli_yes);
    free(cfg);
    free(cls);
}

/* smart keeps 90% of each node's memory free: the class does not fit, in the menu as on the
 * command line; with the default 10% it fits, and both place it the same way. */
static void test_memory_reserve(void **st)
{
    struct e2e *c = *st;
    char *cfg, *cls;
    library(c, "users: [s1@pve, s2@pve, s3@pve]\n", &cfg, &cls);
    const char *const tight[] = {"--strategy", "smart", "--mem-reserve", "90", NULL};
    const char *const dflt[] = {"--strategy", "smart", NULL};
    char *menu90 = menu_deploy(c, "4\n90\n"), *cli90 = cli_plan(c, cfg, cls, tight, 1);
    e2e_expect_in(menu90, "minus a 90% reserve", "the menu's output");
    e2e_expect_in(cli90, "minus a 90% reserve", "the plan's output");
    e2e_expect_not_in(menu90, "Deploy now?", "the menu's output");
    char *menu10 = menu_deploy(c, "4\n\nn\n"), *cli10 = cli_plan(c, cfg, cls, dflt, 0);
    e2e_expect_in(menu10, "Deploy now?", "the menu's output");
    assert_same_plan(menu10, cli10);
    free(menu90);
    free(cli90);
    free(menu10);
    free(cli10);
    free(cfg);
    free(cls);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_refresh_templates, setup, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_memory_reserve, setup, e2e_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
