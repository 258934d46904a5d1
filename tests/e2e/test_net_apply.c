/* test_net_apply: the network apply of a destroy (PUT /nodes/{node}/network, a srvreload task
 * running ifreload -a) is retried when its task fails, and a failure that stays is neither hidden
 * nor forgotten: destroy exits non-zero naming the node whose network is still pending, and the
 * next destroy, once the fault is gone, applies it. The cluster holds only the stand's two
 * bridges (no VMs), so the only tasks are the applies; the checks count on the simulator's own
 * accounting (/__sim/stats, /__sim/state), never on timings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e_fixture.h"
#include "scratch.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct e2e F; /* stopped by the teardown, also after a failed assertion */
static char dir[SCRATCH_DIR_LEN];

/* One node with the bridges a deploy of the example stand made for student1 and student2. */
static const char scenario[] =
    "cluster: {name: netlab, k: 4}\n"
    "durations: {srvreload: 2}\n"
    "nodes:\n"
    "  - name: pve1\n"
    "    network:\n"
    "      - {iface: eno1, type: eth}\n"
    "      - {iface: vmbr0, type: bridge, bridge_ports: eno1, cidr: 10.0.0.11/24,\n"
    "         gateway: 10.0.0.1, autostart: 1}\n"
    "      - {iface: vmbr1001, type: bridge, autostart: 1,\n"
    "         comments: \"deploy-stand stand=demo-lab student=student1@pve alias=lan\"}\n"
    "      - {iface: vmbr1002, type: bridge, autostart: 1,\n"
    "         comments: \"deploy-stand stand=demo-lab student=student2@pve alias=lan\"}\n"
    "storages:\n"
    "  - {storage: local-lvm, type: lvmthin, shared: false, content: \"images,rootdir\",\n"
    "     size_gib: 400, used_gib: 20}\n"
    "users:\n"
    "  - {userid: root@pam, password: sim-root-password}\n";

/* The simulator on that scenario with `extra` flags (NULL-terminated, may be NULL). */
static struct e2e *start(const char *const *extra)
{
    assert_int_equal(scratch_make(dir, sizeof dir, "netapply"), 0);
    char path[128];
    snprintf(path, sizeof path, "%s/scenario.yml", dir);
    file_put(path, scenario);
    const char *args[16] = {"--scenario", path, "--time-scale", "0.005"};
    size_t n = 4;
    for (size_t i = 0; extra && extra[i] && n < 15; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    assert_int_equal(e2e_start(&F, args, NULL, NULL), 0);
    ds_write_users(&F.env, 2);
    return &F;
}

static int teardown(void **st)
{
    (void)st;
    e2e_stop(&F);
    scratch_remove(dir);
    dir[0] = '\0';
    return 0;
}

/* Is anything of pve1's network pending (interfaces.new)? And are the bridges still active? */
static int net_pending(struct e2e *c)
{
    json_t *state = simproc_state(&c->sp);
    assert_non_null(state);
    json_t *node = e2e_node(state, "pve1");
    int pending = !json_is_null(json_object_get(node, "network_pending"));
    json_decref(state);
    return pending;
}

static int bridge_active(struct e2e *c, const char *iface)
{
    json_t *state = simproc_state(&c->sp);
    assert_non_null(state);
    int has = json_object_get(json_object_get(e2e_node(state, "pve1"), "network"), iface) != NULL;
    json_decref(state);
    return has;
}

/* srvreload tasks the simulator ran, in all or ended in `status` ("error", "OK"). */
static long reloads(struct e2e *c, const char *status)
{
    json_t *stats = simproc_stats(&c->sp);
    assert_non_null(stats);
    json_t *t = json_object_get(stats, "tasks");
    long n =
        status
            ? (long)json_integer_value(json_object_get(json_object_get(t, "by_status"), status))
            : (long)json_integer_value(json_object_get(json_object_get(t, "by_type"), "srvreload"));
    json_decref(stats);
    return n;
}

static int destroy(struct e2e *c, char **out)
{
    return e2e_cmd(c, E2E_YES, "destroy", NULL, out, NULL, NULL, NULL);
}

/* Half the tasks fail (seed 3: the first apply does): the apply is run again until it passes. */
static void test_failed_apply_task_retried(void **st)
{
    (void)st;
    const char *extra[] = {"--task-fail-rate", "0.5", "--seed", "3", NULL};
    struct e2e *c = start(extra);
    char *out = NULL;
    int rc = destroy(c, &out);
    if (rc != 0)
        fprintf(stderr, "destroy exit %d:\n%s\n", rc, out);
    assert_int_equal(rc, 0);
    assert_true(reloads(c, "error") >= 1); /* the seed makes a task fail: the retry is tested */
    assert_int_equal(reloads(c, NULL), reloads(c, "error") + 1);
    assert_false(net_pending(c));
    assert_false(bridge_active(c, "vmbr1001"));
    assert_false(bridge_active(c, "vmbr1002"));
    e2e_expect_in(out, "Verified: nothing of stand 'demo-lab' is left", "destroy");
    free(out);
}

/* Every apply is refused: destroy says pve1's network is pending and fails; the bridges are still
 * live. Once the fault is cleared, a second destroy applies it and verifies. */
static void test_failed_apply_reported_and_resumed(void **st)
{
    (void)st;
    struct e2e *c = start(NULL);
    struct rawresp r;
    assert_int_equal(simproc_request(&c->sp, "POST",
                                     "/__sim/fault?kind=permission&match=PUT%20%2Fnodes%2Fpve1%2F"
                                     "network",
                                     NULL, NULL, &r),
                     0);
    rawresp_clear(&r);
    char *out = NULL;
    assert_int_not_equal(destroy(c, &out), 0);
    e2e_expect_in(out, "the network of node pve1 has pending changes", "destroy");
    e2e_expect_in(out, "vmbr1001", "destroy");
    e2e_expect_not_in(out, "Verified: nothing", "destroy");
    free(out);
    assert_true(net_pending(c));
    assert_true(bridge_active(c, "vmbr1001")); /* deleted from the file, not from the host */
    assert_int_equal(reloads(c, NULL), 0);

    assert_int_equal(simproc_request(&c->sp, "DELETE", "/__sim/fault", NULL, NULL, &r), 0);
    rawresp_clear(&r);
    out = NULL;
    int rc = destroy(c, &out);
    if (rc != 0)
        fprintf(stderr, "second destroy exit %d:\n%s\n", rc, out);
    assert_int_equal(rc, 0);
    e2e_expect_in(out, "Verified: nothing of stand 'demo-lab' is left", "second destroy");
    free(out);
    assert_int_equal(reloads(c, "OK"), 1);
    assert_false(net_pending(c));
    assert_false(bridge_active(c, "vmbr1001"));
    assert_false(bridge_active(c, "vmbr1002"));
}

int main(void)
{
    setenv("LC_ALL", "C", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_failed_apply_task_retried, teardown),
        cmocka_unit_test_teardown(test_failed_apply_reported_and_resumed, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
