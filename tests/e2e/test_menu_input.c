/* test_menu_input: drives `deploy-stand menu` through a pipe against the simulator: invalid answers
 * at every kind of prompt are refused with a message and asked again; EOF and Ctrl-C leave with 0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e_fixture.h"

static const char *const SIM_ARGS[] = {"--scenario", "classroom", "--time-scale", "0.01", NULL};

static int setup(void **st)
{
    if (e2e_setup(st, SIM_ARGS) < 0)
        return -1;
    setenv("LC_ALL", "C", 1); /* the English texts are checked */
    unsetenv("LANGUAGE");
    return 0;
}

/* Every prompt kind gets wrong answers first; the menu re-asks each time and goes on. */
static void test_invalid_answers_reasked(void **st)
{
    struct e2e *c = *st;
    const char *input =
        /* start-up: the connection (numbered choice) */
        "abc\n9\n-1\n1\n"
        /* main menu: unknown keys, an empty answer */
        "zz\n\n42\n"
        /* 1 (hotkey c): the wizard, then the name to save under (invalid first) */
        "c\nlab\n\nweb\n\nlan\n\n\n\n\nbad name!\nlab1\n"
        /* 2: configs menu, validate with a wrong number first */
        "2\nq\n3\n5\n1\n0\n"
        /* 3 (hotkey u): lists: create with an invalid name, an invalid id and a duplicate */
        "u\n7\n1\nbad name!\ncls\nnot valid!!\nstud1\nstud1@pve\n\n"
        /* edit it: wrong pick, wrong menu key, back */
        "3\nx\n1\n9\n0\n0\n"
        /* 4 (hotkey d): deploy: wrong strategy, then local; a wrong yes/no, then no */
        "d\n\n\n7\n1\nmaybe\nn\n"
        /* 5 (hotkey x): nothing deployed yet: nothing to confirm */
        "x\n\n\n"
        /* 7 (hotkey s): connections: wrong key, test with a wrong pick first */
        "s\n8\n3\n5\n1\n0\n"
        /* 6: one user: a wrong pick, then back */
        "6\n\n\n4\n0\n"
        /* exit */
        "0\n";
    char *out = NULL;
    int rc = e2e_menu(c, input, &out);
    if (rc != 0)
        fprintf(stderr, "menu output:\n%s\n", out);
    assert_int_equal(rc, 0);
    assert_true(e2e_count(out, "Please type a number from 0 to 2.") >= 3); /* abc, 9, -1 */
    assert_true(e2e_count(out, "is not one of the choices") >= 8);
    e2e_expect_in(out, "'zz' is not one of the choices", "the menu's output");
    e2e_expect_in(out, "'' is not one of the choices", "the menu's output");
    e2e_expect_in(out, "'bad name!' is not a valid name", "the menu's output");
    e2e_expect_in(out, "Saved config 'lab1'", "the menu's output");
    e2e_expect_in(out, "Please type a number from 0 to 1.", "the menu's output");
    e2e_expect_in(out, "Config 'lab1' is valid", "the menu's output");
    e2e_expect_in(out, "Saved the user list 'cls' with 1 user.", "the menu's output");
    e2e_expect_in(out, "stud1@pve is already in the list.", "the menu's output");
    e2e_expect_in(out, "Please answer y (yes) or n (no).", "the menu's output");
    e2e_expect_in(out, "Nothing was changed.", "the menu's output");
    e2e_expect_in(out, "there is nothing to delete", "the menu's output");
    e2e_expect_in(out, "connection 'sim': logged in", "the menu's output");
    e2e_expect_in(out, "Bye.", "the menu's output");
    /* the header shows the connection and the node count */
    e2e_expect_in(out, "connection: sim (127.0.0.1:", "the menu's output");
    e2e_expect_in(out, "nodes: 3 (3 online)", "the menu's output");
    assert_int_equal(ds_mutating_requests(&c->sp), 0);
    free(out);
}

/* EOF at the very first prompt, inside the wizard and at a confirmation: exit 0, nothing done. */
static void test_eof_leaves_cleanly(void **st)
{
    struct e2e *c = *st;
    char *out = NULL;
    assert_int_equal(e2e_menu(c, "", &out), 0);
    e2e_expect_in(out, "Bye.", "the menu's output");
    free(out);

    /* in the middle of the wizard: no config is saved */
    assert_int_equal(e2e_menu(c, "1\nc\nlab\n\nweb\n", &out), 0);
    e2e_expect_in(out, "Bye.", "the menu's output");
    char path[400];
    snprintf(path, sizeof path, "%s/config/deploy-stand/configs/deployment_config.yml", c->env.dir);
    assert_int_not_equal(access(path, F_OK), 0);
    free(out);

    /* at "Deploy now?": nothing is sent to the cluster */
    assert_int_equal(e2e_menu(c,
                              "1\nc\nlab\n\nweb\n\nlan\n\n\n\n\nlab1\n"
                              "u\n1\ncls\nstud1\nstud2\n\n0\n"
                              "d\n\n\n3\n",
                              &out),
                     0);
    e2e_expect_in(out, "Deploy now?", "the menu's output");
    e2e_expect_in(out, "Bye.", "the menu's output");
    assert_int_equal(ds_mutating_requests(&c->sp), 0);
    free(out);
}

/* Ctrl-C (SIGINT) at a prompt leaves with 0. */
static void test_sigint_leaves_cleanly(void **st)
{
    struct e2e *c = *st;
    struct ds_proc mp;
    const char *args[] = {"--connections", c->env.connections, "menu", NULL};
    ds_proc_start(&mp, DS_PROC_PIPE, args);
    assert_int_equal(ds_proc_write(&mp, "1\n"), 2);
    /* wait (bounded) until the main menu asks */
    if (!ds_proc_wait_output(&mp, "Choice:", 30)) {
        ds_proc_kill(&mp);
        fail_msg("the main menu did not ask within 30 s");
    }
    kill(mp.pid, SIGINT);
    /* stdin stays open while waiting: only the signal can end the wait */
    char *out = NULL;
    assert_int_equal(ds_proc_wait(&mp, 20, &out), 0); /* exited by itself, with 0 */
    e2e_expect_in(out, "Bye.", "the menu's output");
    free(out);
}

/* `deploy-stand` without a command and without a terminal prints the help and exits 2. */
static void test_no_command_without_tty(void **st)
{
    (void)st;
    const char *args[] = {NULL};
    char *out = NULL, *err = NULL;
    int rc = ds_run(&out, &err, args);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(err, "usage: deploy-stand"));
    assert_non_null(strstr(err, "menu"));
    free(out);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_invalid_answers_reasked, setup, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_eof_leaves_cleanly, setup, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_sigint_leaves_cleanly, setup, e2e_teardown),
        cmocka_unit_test(test_no_command_without_tty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
