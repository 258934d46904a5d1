/* test_sim_valgrind: runs a non-sanitized pve-sim ($DS_VALGRIND_BIN) under valgrind through a
 * start - requests - stop cycle and expects no definite leaks or errors (skips without it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim_test_util.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static int have_valgrind(void)
{
    return system("valgrind --version > /dev/null 2>&1") == 0;
}

static void test_valgrind_cycle(void **state)
{
    (void)state;
    const char *vbin = getenv("DS_VALGRIND_BIN");
    char exe[1024];
    snprintf(exe, sizeof exe, "%s/pve-sim", vbin);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execlp("valgrind", "valgrind", "-q", "--leak-check=full",
               "--errors-for-leak-kinds=definite", "--error-exitcode=3", exe, "--port", "0",
               "--quiet", "--time-scale", "0.01", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    char line[1024];
    size_t len = 0;
    int64_t deadline = tu_now_ms() + 120 * 1000;
    while (len < sizeof line - 1 && tu_now_ms() < deadline) {
        struct pollfd pfd = {fds[0], POLLIN, 0};
        if (poll(&pfd, 1, 1000) <= 0)
            continue;
        if (read(fds[0], line + len, 1) != 1)
            break;
        if (line[len] == '\n')
            break;
        len++;
    }
    line[len] = '\0';
    close(fds[0]);
    json_t *ready = json_loads(line, 0, NULL);
    assert_non_null(ready);
    struct simctx c;
    memset(&c, 0, sizeof c);
    c.sp.pid = -1; /* stopped below, with a longer bound than simproc_stop */
    c.sp.port = (unsigned)json_integer_value(json_object_get(ready, "port"));
    snprintf(c.sp.url, sizeof c.sp.url, "%s", json_string_value(json_object_get(ready, "url")));
    json_decref(ready);
    assert_int_equal(
        simproc_login(&c.sp, "root@pam", ROOT_PW, c.cookie, sizeof c.cookie, c.csrf, sizeof c.csrf),
        0);
    char *es = tu_run_task(&c, "pve1", "POST", "newid=5000&name=vg&pool=teachers",
                           "/nodes/pve1/qemu/100/clone");
    assert_non_null(es);
    assert_string_equal(es, "OK");
    free(es);
    struct rawresp r;
    assert_int_equal(tu_req(&c, "POST", "iface=vmbr77&type=bridge", &r, "/nodes/pve1/network"),
                     200);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&c, "GET", NULL, &r, "/nodes/pve1/network"), 200);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&c, "POST", "newid=abc", &r, "/nodes/pve1/qemu/100/clone"), 400);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&c, "GET", NULL, &r, "/cluster/resources"), 200);
    rawresp_clear(&r);
    json_decref(simproc_stats(&c.sp));
    json_decref(simproc_state(&c.sp));
    assert_int_equal(simproc_request(&c.sp, "POST", "/__sim/reset", "", NULL, &r), 0);
    rawresp_clear(&r);
    kill(pid, SIGTERM);
    int status = 0;
    deadline = tu_now_ms() + 120 * 1000;
    pid_t w;
    while ((w = waitpid(pid, &status, WNOHANG)) == 0 && tu_now_ms() < deadline)
        tu_sleep_ms(50);
    if (w == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        fail_msg("pve-sim under valgrind did not stop");
    }
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
    const char *vbin = getenv("DS_VALGRIND_BIN");
    if (!vbin || !*vbin || !have_valgrind())
        return 77;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valgrind_cycle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
