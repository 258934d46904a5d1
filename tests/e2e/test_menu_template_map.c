/* test_menu_template_map: a deploy from the menu reads mapper_template.yml (./data/) exactly as
 * `deploy-stand plan/deploy`, `config validate --live` and the demo do: a broken map stops them
 * all the same way (an input error, exit 2, naming the file and line), a valid one lets them on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e_fixture.h"
#include "scratch.h"
#include "util/fsutil.h"

static const char *const SIM_ARGS[] = {"--scenario", "classroom", "--time-scale", "0.01", NULL};

/* A map the loader refuses: the copy's VMID is not a number. */
static const char BAD_MAP[] = "template_mapping:\n  100:\n    pve2: not-a-vmid\n";

static int setup(void **st)
{
    if (e2e_setup(st, SIM_ARGS) < 0)
        return -1;
    setenv("LC_ALL", "C", 1);
    unsetenv("LANGUAGE");
    return 0;
}

/* The example stand saved as the config "lab", the class list "cls"; ./data/ in the temp folder.
 * Returns the saved config's path (malloc'd). */
static char *library_and_data(struct e2e *c)
{
    char *dir = e2e_path(c, "config/deploy-stand/configs");
    assert_int_equal(fs_mkdir_p(dir, 0755), 0);
    free(dir);
    dir = e2e_path(c, "config/deploy-stand/lists");
    assert_int_equal(fs_mkdir_p(dir, 0755), 0);
    free(dir);
    char *cfg = file_text(c->env.config), *lab = e2e_path(c, "config/deploy-stand/configs/lab.yml");
    file_put(lab, cfg);
    free(cfg);
    char *cls = e2e_path(c, "config/deploy-stand/lists/cls.yml");
    file_put(cls, "users: [stud1@pve]\n");
    free(cls);
    assert_int_equal(chdir(c->env.dir), 0); /* ./data/mapper_template.yml: the menu's and CLI's */
    assert_int_equal(fs_mkdir_p("data", 0755), 0);
    return lab;
}

static void test_menu_deploy_reads_the_template_map(void **st)
{
    struct e2e *c = *st;
    char *lab = library_and_data(c);
    file_put("data/mapper_template.yml", BAD_MAP);

    /* the connection, deploy (the only config and list), local; then exit */
    char *out = NULL;
    int rc = e2e_menu(c, "1\nd\n\n\n1\n0\n", &out);
    if (rc != 0 || !strstr(out, "mapper_template.yml") || !strstr(out, "not-a-vmid"))
        fprintf(stderr, "menu output:\n%s\n", out);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "mapper_template.yml"));
    assert_null(strstr(out, "Deploy now?"));
    assert_int_equal(ds_mutating_requests(&c->sp), 0);
    free(out);

    /* the command line stops on the same file the same way */
    char *err = NULL;
    const char *const args[] = {
        "--connections", c->env.connections, "plan", "--config", lab, "--users", "cls", NULL};
    assert_int_equal(ds_run(NULL, &err, args), 2);
    assert_non_null(strstr(err, "mapper_template.yml"));
    free(err);
    /* so do `config validate --live` and the demo */
    const char *const validate[] = {
        "--connections", c->env.connections, "config", "validate", "lab", "--users",
        "cls",           "--live",           NULL};
    assert_int_equal(ds_run(NULL, &err, validate), 2);
    e2e_expect_in(err, "mapper_template.yml:3:", "config validate --live");
    free(err);
    const char *const demo[] = {"demo", "--time-scale", "0.01", NULL};
    assert_int_equal(ds_run(NULL, &err, demo), 2);
    e2e_expect_in(err, "mapper_template.yml:3:", "the demo");
    free(err);
    assert_int_equal(ds_mutating_requests(&c->sp), 0);

    /* a valid map: the deploy goes on to its question */
    file_put("data/mapper_template.yml", "template_mapping:\n  100:\n    pve2: 9100\n");
    rc = e2e_menu(c, "1\nd\n\n\n1\nn\n0\n", &out);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "Deploy now?"));
    assert_int_equal(ds_mutating_requests(&c->sp), 0);
    free(out);
    free(lab);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_menu_deploy_reads_the_template_map, setup,
                                        e2e_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
