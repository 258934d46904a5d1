/* test_validation: end to end against the simulator: a stand or class list that does not fit the
 * cluster (a NIC as a reserved bridge, root@pam or an administrator as a student, an unknown realm,
 * template or node, a VM that is no template) is refused with exit 2, its file:line:col and a hint,
 * before any change; offline mistakes before the cluster is even asked. */
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

/* Node pve1 has a bond `uplink` (a name no offline rule knows), boss@pve is Administrator on /,
 * helper@pve is in group admins, which is PVEAdmin on /vms, viewer@pve only audits. VM 200 is no
 * template. Realms: pam and pve only. */
static const char *const SCENARIO =
    "cluster: {name: validation, k: 4}\n"
    "nodes:\n"
    "  - name: pve1\n"
    "    memory_gib: 64\n"
    "    cores: 16\n"
    "    network:\n"
    "      - {iface: eno1, type: eth}\n"
    "      - {iface: eno2, type: eth}\n"
    "      - {iface: uplink, type: bond, slaves: eno2}\n"
    "      - {iface: vmbr0, type: bridge, bridge_ports: eno1}\n"
    "  - name: pve2\n"
    "    memory_gib: 64\n"
    "    cores: 16\n"
    "    network:\n"
    "      - {iface: eno1, type: eth}\n"
    "      - {iface: vmbr0, type: bridge, bridge_ports: eno1}\n"
    "storages:\n"
    "  - {storage: local-lvm, type: lvmthin, shared: false, content: \"images,rootdir\",\n"
    "     size_gib: 800, used_gib: 60}\n"
    "groups:\n"
    "  - {groupid: admins}\n"
    "users:\n"
    "  - {userid: root@pam, password: sim-root-password}\n"
    "  - {userid: boss@pve, password: boss-password-1}\n"
    "  - {userid: helper@pve, password: helper-password-1, groups: [admins]}\n"
    "  - {userid: viewer@pve, password: viewer-password-1}\n"
    "acls:\n"
    "  - {path: /, users: boss@pve, roles: Administrator}\n"
    "  - {path: /vms, groups: admins, roles: PVEAdmin}\n"
    "  - {path: /, users: viewer@pve, roles: PVEAuditor}\n"
    "vms:\n"
    "  - vmid: 100\n"
    "    node: pve1\n"
    "    config: {name: tpl, template: 1, memory: \"2048\", cores: 2,\n"
    "             net0: \"virtio=BC:24:11:10:00:01,bridge=vmbr0\",\n"
    "             scsi0: \"local-lvm:base-100-disk-0,size=8G\"}\n"
    "  - vmid: 200\n"
    "    node: pve1\n"
    "    config: {name: plain-vm, memory: \"2048\", cores: 2,\n"
    "             net0: \"virtio=BC:24:11:20:00:01,bridge=vmbr0\",\n"
    "             scsi0: \"local-lvm:vm-200-disk-0,size=8G\"}\n";

/* A sound stand: its line 4 is template_node, line 5 template_vmid, line 7 the bridge (col 17). */
#define STAND_HEAD "stand: valid-lab\nmachines:\n  - name: web\n"
static const char *const GOOD_STAND = STAND_HEAD "    template_node: pve1\n"
                                                 "    template_vmid: 100\n"
                                                 "    networks:\n"
                                                 "      - bridge: lan\n";
static const char *const GOOD_USERS = "users:\n  - student1@pve\n";

static struct {
    struct e2e f;
    char dir[64]; /* the scenario's folder */
} C;

static int setup(void **st)
{
    (void)st;
    if (scratch_make(C.dir, sizeof C.dir, "validation") < 0)
        return -1;
    char scen[128];
    snprintf(scen, sizeof scen, "%s/scenario.yml", C.dir);
    file_put(scen, SCENARIO);
    const char *args[] = {"--scenario", scen, "--time-scale", "0.01", NULL};
    return e2e_start(&C.f, args, NULL, NULL);
}

static int teardown(void **st)
{
    (void)st;
    e2e_stop(&C.f);
    scratch_remove(C.dir);
    return 0;
}

/* Runs `cmd` with the stand and the class list given as texts (written to stand.yml and
 * users.yml); the exit code, and stderr in *err. */
static int run(const char *cmd, const char *stand, const char *users, char **err)
{
    char cfg[320];
    snprintf(cfg, sizeof cfg, "%s", ds_write_file(&C.f.env, "stand.yml", stand));
    snprintf(C.f.env.users, sizeof C.f.env.users, "%s",
             ds_write_file(&C.f.env, "users.yml", users));
    return e2e_cmd(&C.f, E2E_YES, cmd, cfg, NULL, NULL, err, NULL);
}

enum { LIVE = 0, OFFLINE = 1 };

/* deploy is refused with exit 2 and "<dir>/<file>:line:col: " followed by `what` and a hint
 * (`hint`) on stderr; nothing was changed. OFFLINE: the cluster was not asked at all. */
static void expect_refused(const char *stand, const char *users, const char *file, int line,
                           int col, const char *what, const char *hint, int offline)
{
    long before = ds_total_requests(&C.f.sp);
    char *err = NULL;
    int rc = run("deploy", stand, users, &err);
    char *path = e2e_path(&C.f, file), where[512];
    snprintf(where, sizeof where, "%s:%d:%d: %s", path, line, col, what);
    if (rc != 2 || !strstr(err, where) || !strstr(err, hint))
        fail_msg("exit %d (want 2), want \"%s\" and \"%s\" in:\n%s", rc, where, hint, err);
    if (!offline)
        e2e_expect_in(err, "in the input files; nothing was changed", "stderr");
    free(path);
    free(err);
    assert_int_equal(ds_mutating_requests(&C.f.sp), 0);
    if (offline)
        assert_int_equal(ds_total_requests(&C.f.sp), before);
}

static void test_sound_input_passes(void **st)
{
    (void)st;
    /* viewer@pve audits the whole cluster: no privilege beyond, so it may be a student */
    char *err = NULL;
    int rc = run("plan", GOOD_STAND, "users:\n  - student1@pve\n  - viewer@pve\n", &err);
    if (rc != 0)
        fail_msg("plan exit %d (want 0):\n%s", rc, err);
    free(err);
    assert_int_equal(ds_mutating_requests(&C.f.sp), 0);
}

static void test_nic_as_reserved_bridge(void **st)
{
    (void)st;
    /* the name says it: refused offline */
    expect_refused(STAND_HEAD "    template_node: pve1\n    template_vmid: 100\n    networks:\n"
                              "      - bridge: \"**eno1**\"\n",
                   GOOD_USERS, "stand.yml", 7, 17,
                   "'eno1' is the name of a network card or system interface, not a bridge",
                   "**vmbr100**", OFFLINE);
    expect_refused(STAND_HEAD "    template_node: pve1\n    template_vmid: 100\n    networks:\n"
                              "      - {bridge: lo, reserved: true}\n",
                   GOOD_USERS, "stand.yml", 7, 18, "'lo' is the name of a network card",
                   "**vmbr100**", OFFLINE);
    /* the node's network says it: a bond on pve1 */
    expect_refused(STAND_HEAD "    template_node: pve1\n    template_vmid: 100\n    networks:\n"
                              "      - bridge: \"**uplink**\"\n",
                   GOOD_USERS, "stand.yml", 7, 17,
                   "machine 'web': uplink is an interface of type bond on pve1, not a bridge",
                   "**vmbr100**", LIVE);
}

static void test_privileged_students(void **st)
{
    (void)st;
    expect_refused(GOOD_STAND, "users:\n  - student1@pve\n  - root@pam\n", "users.yml", 3, 5,
                   "'root@pam' is the cluster's superuser and cannot be a student",
                   "the students' own accounts", OFFLINE);
    expect_refused(GOOD_STAND, "users:\n  - student1@pve\n  - boss@pve\n", "users.yml", 3, 5,
                   "user boss@pve already exists and has role Administrator on /, more than",
                   "leave this account out of the class list", LIVE);
    expect_refused(GOOD_STAND, "users:\n  - helper@pve\n", "users.yml", 2, 5,
                   "user helper@pve already exists and has role PVEAdmin on /vms through group "
                   "admins",
                   "leave this account out of the class list", LIVE);
}

static void test_unknown_realm(void **st)
{
    (void)st;
    const char *users = "users:\n  - student1@pve\n  - ann@corp\n  - bob@corp\n";
    expect_refused(GOOD_STAND, users, "users.yml", 3, 5,
                   "realm 'corp' of ann@corp does not exist on the cluster",
                   "use one of the cluster's realms (pam, pve)", LIVE);
    /* one problem per realm, at its first student */
    char *err = NULL;
    assert_int_equal(run("plan", GOOD_STAND, users, &err), 2);
    assert_int_equal(e2e_count(err, "realm 'corp'"), 1);
    free(err);
}

static void test_machine_against_cluster(void **st)
{
    (void)st;
    expect_refused(STAND_HEAD "    template_node: pve1\n    template_vmid: 999\n", GOOD_USERS,
                   "stand.yml", 5, 20, "machine 'web': template 999 does not exist in the cluster",
                   "use the VMID of a template: 100 (pve1)", LIVE);
    expect_refused(STAND_HEAD "    template_node: pve9\n    template_vmid: 100\n", GOOD_USERS,
                   "stand.yml", 4, 20, "machine 'web': node 'pve9' is not in the cluster",
                   "template 100 is on pve1: write `template_node: pve1`", LIVE);
    expect_refused(STAND_HEAD "    template_node: pve1\n    template_vmid: 200\n", GOOD_USERS,
                   "stand.yml", 5, 20, "machine 'web': VM 200 on pve1 is not a template",
                   "qm template 200", LIVE);
    expect_refused(STAND_HEAD "    template_node: pve2\n    template_vmid: 100\n", GOOD_USERS,
                   "stand.yml", 4, 20, "machine 'web': template 100 is on node pve1, not on pve2",
                   "write `template_node: pve1`", LIVE);
    /* `plan` refuses the same way */
    char *err = NULL;
    assert_int_equal(run("plan", STAND_HEAD "    template_node: pve1\n    template_vmid: 999\n",
                         GOOD_USERS, &err),
                     2);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sound_input_passes),
        cmocka_unit_test(test_nic_as_reserved_bridge),
        cmocka_unit_test(test_privileged_students),
        cmocka_unit_test(test_unknown_realm),
        cmocka_unit_test(test_machine_against_cluster),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
