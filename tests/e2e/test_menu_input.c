/* test_menu_input: drives `deploy-stand menu` through a pipe against the simulator: invalid answers
 * at every kind of prompt are refused with a message and asked again; EOF and Ctrl-C leave with 0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ds_clock.h"
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

static char *file_slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return strdup("");
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t r;
    while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (n + 1 == cap)
            buf = realloc(buf, cap *= 2);
    }
    buf[n] = '\0';
    fclose(f);
    return buf;
}

struct menu_proc {
    pid_t pid;
    int in; /* write end of the child's stdin */
    char out_path[64];
};

/* Starts `deploy-stand --connections FILE menu` with stdin from a pipe, stdout+stderr to a file. */
static void menu_start(struct e2e *c, struct menu_proc *mp)
{
    char bin[512];
    const char *dir = getenv("DS_BIN");
    snprintf(bin, sizeof bin, "%s/deploy-stand", dir ? dir : ".");
    snprintf(mp->out_path, sizeof mp->out_path, "/tmp/ds-menu-out-XXXXXX");
    int ofd = mkstemp(mp->out_path);
    assert_true(ofd >= 0);
    int p[2];
    assert_int_equal(pipe(p), 0);
    mp->pid = fork();
    assert_true(mp->pid >= 0);
    if (mp->pid == 0) {
        dup2(p[0], 0);
        dup2(ofd, 1);
        dup2(ofd, 2);
        close(p[0]);
        close(p[1]);
        execl(bin, bin, "--connections", c->env.connections, "menu", (char *)NULL);
        _exit(127);
    }
    close(p[0]);
    close(ofd);
    mp->in = p[1];
}

/* Waits (bounded) for the child; returns its exit code, or -1 when it did not end in time (then
 * it is killed) or died from a signal. *out gets everything it printed. */
static int menu_wait(struct menu_proc *mp, int limit_s, char **out)
{
    if (mp->in >= 0)
        close(mp->in);
    mp->in = -1;
    int64_t end = ds_clock_mono_ms() + limit_s * INT64_C(1000);
    int status = 0, rc = -1;
    for (;;) {
        pid_t r = waitpid(mp->pid, &status, WNOHANG);
        if (r == mp->pid) {
            rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            break;
        }
        if (ds_clock_mono_ms() > end) {
            kill(mp->pid, SIGKILL);
            waitpid(mp->pid, &status, 0);
            fprintf(stderr, "the menu did not end within %d s\n", limit_s);
            break;
        }
        ds_clock_sleep_ns(20 * DS_NS_PER_MS);
    }
    *out = file_slurp(mp->out_path);
    unlink(mp->out_path);
    return rc;
}

/* Feeds `input` and closes stdin (EOF after it); returns the exit code and the output. */
static int menu_feed(struct e2e *c, const char *input, char **out)
{
    struct menu_proc mp;
    menu_start(c, &mp);
    size_t len = strlen(input), off = 0;
    while (off < len) {
        ssize_t w = write(mp.in, input + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    return menu_wait(&mp, 120, out);
}

static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static void expect_text(const char *out, const char *text)
{
    if (!strstr(out, text)) {
        fprintf(stderr, "expected \"%s\" in the menu's output:\n%s\n", text, out);
        fail();
    }
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
    int rc = menu_feed(c, input, &out);
    if (rc != 0)
        fprintf(stderr, "menu output:\n%s\n", out);
    assert_int_equal(rc, 0);
    assert_true(count_of(out, "Please type a number from 0 to 2.") >= 3); /* abc, 9, -1 */
    assert_true(count_of(out, "is not one of the choices") >= 8);
    expect_text(out, "'zz' is not one of the choices");
    expect_text(out, "'' is not one of the choices");
    expect_text(out, "'bad name!' is not a valid name");
    expect_text(out, "Saved config 'lab1'");
    expect_text(out, "Please type a number from 0 to 1.");
    expect_text(out, "Config 'lab1' is valid");
    expect_text(out, "Saved the user list 'cls' with 1 user(s).");
    expect_text(out, "stud1@pve is already in the list.");
    expect_text(out, "Please answer y (yes) or n (no).");
    expect_text(out, "Nothing was changed.");
    expect_text(out, "there is nothing to delete");
    expect_text(out, "connection 'sim': logged in");
    expect_text(out, "Bye.");
    /* the header shows the connection and the node count */
    expect_text(out, "connection: sim (127.0.0.1:");
    expect_text(out, "nodes: 3 (3 online)");
    assert_int_equal(ds_mutating_requests(&c->sp), 0);
    free(out);
}

/* EOF at the very first prompt, inside the wizard and at a confirmation: exit 0, nothing done. */
static void test_eof_leaves_cleanly(void **st)
{
    struct e2e *c = *st;
    char *out = NULL;
    assert_int_equal(menu_feed(c, "", &out), 0);
    expect_text(out, "Bye.");
    free(out);

    /* in the middle of the wizard: no config is saved */
    assert_int_equal(menu_feed(c, "1\nc\nlab\n\nweb\n", &out), 0);
    expect_text(out, "Bye.");
    char path[400];
    snprintf(path, sizeof path, "%s/config/deploy-stand/configs/deployment_config.yml", c->env.dir);
    assert_int_not_equal(access(path, F_OK), 0);
    free(out);

    /* at "Deploy now?": nothing is sent to the cluster */
    assert_int_equal(menu_feed(c,
                               "1\nc\nlab\n\nweb\n\nlan\n\n\n\n\nlab1\n"
                               "u\n1\ncls\nstud1\nstud2\n\n0\n"
                               "d\n\n\n3\n",
                               &out),
                     0);
    expect_text(out, "Deploy now?");
    expect_text(out, "Bye.");
    assert_int_equal(ds_mutating_requests(&c->sp), 0);
    free(out);
}

/* Ctrl-C (SIGINT) at a prompt leaves with 0. */
static void test_sigint_leaves_cleanly(void **st)
{
    struct e2e *c = *st;
    struct menu_proc mp;
    menu_start(c, &mp);
    assert_int_equal(write(mp.in, "1\n", 2), 2);
    /* wait (bounded) until the main menu asks */
    int64_t end = ds_clock_mono_ms() + 30 * 1000;
    int asked = 0;
    while (!asked && ds_clock_mono_ms() < end) {
        char *o = file_slurp(mp.out_path);
        asked = strstr(o, "Choice:") != NULL;
        free(o);
        if (!asked)
            ds_clock_sleep_ns(20 * DS_NS_PER_MS);
    }
    assert_true(asked);
    kill(mp.pid, SIGINT);
    /* stdin stays open: only the signal can end the wait */
    int64_t end2 = ds_clock_mono_ms() + 20 * 1000;
    int status = 0;
    pid_t r = 0;
    while ((r = waitpid(mp.pid, &status, WNOHANG)) == 0 && ds_clock_mono_ms() < end2)
        ds_clock_sleep_ns(20 * DS_NS_PER_MS);
    if (r == 0) {
        kill(mp.pid, SIGKILL);
        waitpid(mp.pid, &status, 0);
    }
    close(mp.in);
    char *out = file_slurp(mp.out_path);
    unlink(mp.out_path);
    assert_int_equal(r, mp.pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    expect_text(out, "Bye.");
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
