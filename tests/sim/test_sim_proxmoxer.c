/* test_sim_proxmoxer: a real client, Debian's python3-proxmoxer, against a pve-sim this test
 * starts on 127.0.0.1 (tests/sim/proxmoxer_client.py does the work; skipped without proxmoxer). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim_test_util.h"

#include <sys/wait.h>

#define PYTHON "/usr/bin/python3"

static void test_proxmoxer(void **state)
{
    (void)state;
    struct simctx c;
    static const char *const args[] = {"--time-scale", "0.01", NULL};
    assert_int_equal(tu_start(&c, args), 0);
    const char *src = getenv("DS_SRC");
    char cmd[2048];
    snprintf(cmd, sizeof cmd, PYTHON " %s/tests/sim/proxmoxer_client.py %u %s", src ? src : ".",
             c.sp.port, ROOT_PW);
    int rc = system(cmd);
    tu_stop(&c);
    assert_true(WIFEXITED(rc));
    assert_int_equal(WEXITSTATUS(rc), 0);
}

int main(void)
{
    if (system(PYTHON " -c 'import proxmoxer, requests' 2>/dev/null") != 0) {
        fprintf(stderr, "test_sim_proxmoxer: python3-proxmoxer is not installed: skipped\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_proxmoxer)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
