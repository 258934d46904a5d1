/* test_plan_checks: the deploy preflight of the input files against hand-built cluster views:
 * machines (node, template), reserved and literal bridges that are no bridges, students who are
 * root@pam or privileged, unknown realms; each problem at its file:line:col and counted as input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stand_fx.h"

#include "config/stand.h"
#include "config/stand_net.h"
#include "config/users.h"
#include "inventory/inventory.h"
#include "plan/plan.h"
#include "plan/plan_checks.h"
#include "util/diag.h"
#include <stdlib.h>
#include <string.h>

/* pve1 and pve2 online; template 100 on pve1, VM 200 (no template) on pve1; on pve1 a NIC, a bond,
 * an OVS bridge and a VLAN named like a bridge; admins (group) is PVEAdmin on /vms. */
static const char *VIEW =
    "{\"nodes\":[{\"node\":\"pve1\",\"status\":\"online\"},{\"node\":\"pve2\",\"status\":"
    "\"online\"}],"
    "\"resources\":["
    "{\"type\":\"qemu\",\"vmid\":100,\"node\":\"pve1\",\"name\":\"tpl\",\"template\":1},"
    "{\"type\":\"qemu\",\"vmid\":200,\"node\":\"pve1\",\"name\":\"plain\",\"template\":0}],"
    "\"networks\":{\"pve1\":{\"ifaces\":["
    "{\"iface\":\"eno1\",\"type\":\"eth\"},{\"iface\":\"uplink\",\"type\":\"bond\"},"
    "{\"iface\":\"vmbr0\",\"type\":\"bridge\"},{\"iface\":\"ovs0\",\"type\":\"OVSBridge\"},"
    "{\"iface\":\"vmbr7\",\"type\":\"vlan\"}]},"
    "\"pve2\":{\"ifaces\":[{\"iface\":\"vmbr0\",\"type\":\"bridge\"}]}},"
    "\"users\":[{\"userid\":\"root@pam\"},{\"userid\":\"boss@pve\"},"
    "{\"userid\":\"helper@pve\",\"groups\":\"staff,admins\"},"
    "{\"userid\":\"listed@pve\",\"groups\":[\"admins\"]},"
    "{\"userid\":\"viewer@pve\"},{\"userid\":\"s1@pve\"},{\"userid\":\"op@pve\"},"
    "{\"userid\":\"pooled@pve\"},{\"userid\":\"tok@pve\"},{\"userid\":\"custom@pve\"}],"
    "\"pools\":[],"
    "\"acl\":["
    "{\"path\":\"/\",\"type\":\"user\",\"ugid\":\"boss@pve\",\"roleid\":\"Administrator\"},"
    "{\"path\":\"/vms\",\"type\":\"group\",\"ugid\":\"admins\",\"roleid\":\"PVEAdmin\"},"
    "{\"path\":\"/\",\"type\":\"user\",\"ugid\":\"viewer@pve\",\"roleid\":\"PVEAuditor\"},"
    "{\"path\":\"/\",\"type\":\"user\",\"ugid\":\"s1@pve\",\"roleid\":\"Looker\"},"
    "{\"path\":\"/vms\",\"type\":\"user\",\"ugid\":\"op@pve\",\"roleid\":\"Operator\"},"
    "{\"path\":\"/pool/pooled\",\"type\":\"user\",\"ugid\":\"pooled@pve\","
    "\"roleid\":\"PVEVMAdmin\"},"
    "{\"path\":\"/\",\"type\":\"token\",\"ugid\":\"tok@pve!ci\",\"roleid\":\"Administrator\"},"
    "{\"path\":\"/nodes\",\"type\":\"user\",\"ugid\":\"custom@pve\",\"roleid\":\"Mystery\"}],"
    "\"roles\":[{\"roleid\":\"Looker\",\"privs\":\"VM.Audit,Sys.Audit,Pool.Audit\"},"
    "{\"roleid\":\"Operator\",\"privs\":\"VM.Audit,VM.PowerMgmt\"},"
    "{\"roleid\":\"PVEAuditor\",\"privs\":\"Datastore.Audit,Sys.Audit,VM.Audit\"}],"
    "\"domains\":[{\"realm\":\"pam\",\"type\":\"pam\"},{\"realm\":\"pve\",\"type\":\"pve\"},"
    "{\"realm\":\"campus\",\"type\":\"ldap\"},{\"realm\":\"sso\",\"type\":\"openid\"}],"
    "\"configs\":{}}";

static struct cluster_view *view_from(const char *text, const char *drop)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (!j)
        fail_msg("fixture JSON: %s at %d", je.text, je.line);
    if (drop)
        json_object_del(j, drop);
    return inventory_from_json(j);
}

/* The checks of the stand and class list texts against VIEW (without its key `drop`). */
static struct plan *check(const char *stand, const char *users, const char *drop, int *unplaceable)
{
    struct stand *s = NULL;
    struct users_list *u = NULL;
    stand_fx_load(stand, users, &s, &u);
    struct cluster_view *v = view_from(VIEW, drop);
    struct plan *p = calloc(1, sizeof *p);
    struct plan_request rq = {.stand = s, .users = u};
    int r = plan_check_inputs(p, &rq, v);
    if (unplaceable)
        *unplaceable = r;
    cluster_view_free(v);
    stand_fx_free(s, u);
    return p;
}

/* p holds exactly the problems `want` (each a prefix "file:line:col: what" up to its end or the
 * given text), all of them input problems. */
static void expect_problems(struct plan *p, const char *const *want, size_t n)
{
    if (p->n_problems != n) {
        for (size_t i = 0; i < p->n_problems; i++)
            print_error("problem: %s\n", p->problems[i]);
        fail_msg("%zu problems, want %zu", p->n_problems, n);
    }
    assert_int_equal(p->n_input_problems, n);
    for (size_t w = 0; w < n; w++) {
        int found = 0;
        for (size_t i = 0; i < p->n_problems && !found; i++)
            found = strncmp(p->problems[i], want[w], strlen(want[w])) == 0;
        if (!found)
            fail_msg("no problem starts with \"%s\" (first: %s)", want[w], p->problems[0]);
    }
    plan_free(p);
}

#define STAND_HEAD "stand: lab\nmachines:\n  - name: web\n"
#define GOOD_MACHINE STAND_HEAD "    template_node: pve1\n    template_vmid: 100\n"
static const char *USERS = "users: [s1@pve]\n";

static void test_sound_machine(void **st)
{
    (void)st;
    int unplaceable = -1;
    struct plan *p =
        check(GOOD_MACHINE "    networks: [{bridge: lan}, {bridge: vmbr0}, {bridge: '**ovs0**'},\n"
                           "               {bridge: '**vmbr100**'}, {bridge: uplink}]\n",
              USERS, NULL, &unplaceable);
    expect_problems(p, NULL, 0); /* an alias may be called like a bond: it is a new bridge */
    assert_int_equal(unplaceable, 0);
}

static void test_machine_against_cluster(void **st)
{
    (void)st;
    int unplaceable = 0;
    struct plan *p = check(STAND_HEAD "    template_node: pve9\n    template_vmid: 999\n", USERS,
                           NULL, &unplaceable);
    const char *both[] = {
        "lab.yml:4:20: machine 'web': node 'pve9' is not in the cluster; use one of the cluster's "
        "nodes: pve1, pve2",
        "lab.yml:5:20: machine 'web': template 999 does not exist in the cluster; use the VMID of "
        "a template: 100 (pve1)"};
    expect_problems(p, both, 2);
    assert_int_equal(unplaceable, 1);

    p = check(STAND_HEAD "    template_node: pve9\n    template_vmid: 100\n", USERS, NULL, NULL);
    const char *moved[] = {"lab.yml:4:20: machine 'web': node 'pve9' is not in the cluster; "
                           "template 100 is on pve1: write `template_node: pve1`"};
    expect_problems(p, moved, 1);

    p = check(STAND_HEAD "    template_node: pve2\n    template_vmid: 100\n", USERS, NULL,
              &unplaceable);
    const char *other[] = {"lab.yml:4:20: machine 'web': template 100 is on node pve1, not on pve2 "
                           "as the stand says; write `template_node: pve1`"};
    expect_problems(p, other, 1);
    assert_int_equal(unplaceable, 0);

    p = check("stand: lab\nmachines:\n  - {name: web, template_node: pve1, template_vmid: 200}\n",
              USERS, NULL, NULL);
    const char *plain[] = {"lab.yml:3:53: machine 'web': VM 200 on pve1 is not a template"};
    expect_problems(p, plain, 1);
}

static void test_bridges_that_are_no_bridges(void **st)
{
    (void)st;
    struct plan *p = check(GOOD_MACHINE "    networks:\n"
                                        "      - bridge: lan\n"
                                        "      - bridge: '**uplink**'\n"
                                        "      - {bridge: vmbr7, reserved: false}\n",
                           USERS, NULL, NULL);
    const char *want[] = {
        "lab.yml:8:17: machine 'web': uplink is an interface of type bond on pve1, not a bridge; "
        "a reserved bridge",
        "lab.yml:9:18: machine 'web': vmbr7 is an interface of type vlan on pve1, not a bridge; "
        "name an existing bridge"};
    expect_problems(p, want, 2);
}

static void test_privileged_students(void **st)
{
    (void)st;
    struct plan *p = check(GOOD_MACHINE,
                           "users:\n  - boss@pve\n  - helper@pve\n  - listed@pve\n  - viewer@pve\n"
                           "  - s1@pve\n  - op@pve\n  - pooled@pve\n  - tok@pve\n  - custom@pve\n"
                           "  - new@pve\n",
                           NULL, NULL);
    const char *want[] = {
        "users.yml:2:5: user boss@pve already exists and has role Administrator on /, more than "
        "deploy-stand gives a student; leave this account out",
        "users.yml:3:5: user helper@pve already exists and has role PVEAdmin on /vms through "
        "group admins",
        "users.yml:4:5: user listed@pve already exists and has role PVEAdmin on /vms through "
        "group admins",
        "users.yml:7:5: user op@pve already exists and has role Operator on /vms"};
    expect_problems(p, want, 4);
}

/* root@pam never loads from a class list; the planner refuses it all the same. */
static void test_root_as_student(void **st)
{
    (void)st;
    struct diag_list dl = {0};
    struct users_list *u = NULL;
    const char *text = "users:\n  - s1@pve\n  - root@pam\n";
    assert_int_equal(users_load_text("users.yml", text, strlen(text), &u, &dl), -1);
    assert_int_equal(dl.n, 1);
    assert_int_equal(dl.items[0].line, 3);
    assert_non_null(strstr(dl.items[0].what, "'root@pam' is the cluster's superuser"));
    diag_list_clear(&dl);

    struct stand *s = NULL;
    stand_fx_load(GOOD_MACHINE, USERS, &s, &u);
    char id[] = "root@pam", pool[] = "root", path[] = "hand.yml";
    struct user_entry e = {.userid = id, .pool = pool, .line = 4, .col = 7};
    struct users_list ul = {.path = path, .users = &e, .n = 1};
    struct cluster_view *v = view_from(VIEW, NULL);
    struct plan *p = calloc(1, sizeof *p);
    struct plan_request rq = {.stand = s, .users = &ul};
    assert_int_equal(plan_check_inputs(p, &rq, v), 0);
    const char *want[] = {"hand.yml:4:7: 'root@pam' is the cluster's superuser"};
    expect_problems(p, want, 1);
    cluster_view_free(v);
    stand_fx_free(s, u);
}

static void test_unknown_realm(void **st)
{
    (void)st;
    const char *users = "users:\n  - s1@pve\n  - ann@corp\n  - bob@corp\n  - eve@lab\n";
    struct plan *p = check(GOOD_MACHINE, users, NULL, NULL);
    const char *want[] = {
        "users.yml:3:5: realm 'corp' of ann@corp does not exist on the cluster; use one of the "
        "cluster's realms (pam, pve, campus, sso)",
        "users.yml:5:5: realm 'lab' of eve@lab does not exist"};
    expect_problems(p, want, 2); /* bob@corp: reported at ann@corp already */
    /* realms not read: nothing is known, nothing is refused */
    p = check(GOOD_MACHINE, users, "domains", NULL);
    expect_problems(p, NULL, 0);
}

static void test_role_privileges(void **st)
{
    (void)st;
    struct cluster_view *v = view_from(VIEW, NULL);
    assert_true(plan_role_is_privileged(v, "Administrator")); /* built in, not in the list */
    assert_true(plan_role_is_privileged(v, "PVEVMUser"));
    assert_true(plan_role_is_privileged(v, "Operator"));    /* VM.PowerMgmt */
    assert_false(plan_role_is_privileged(v, "Looker"));     /* only *.Audit */
    assert_false(plan_role_is_privileged(v, "PVEAuditor")); /* the list wins */
    assert_false(plan_role_is_privileged(v, "NoAccess"));
    assert_false(plan_role_is_privileged(v, "Mystery")); /* unknown: no proof of harm */
    cluster_view_free(v);
    json_t *j = json_pack("{s:[{s:s, s:[s, s]}]}", "roles", "roleid", "Listed", "privs", "VM.Audit",
                          "Sys.Console");
    v = inventory_from_json(j);
    assert_true(plan_role_is_privileged(v, "Listed")); /* privileges as a list */
    cluster_view_free(v);
}

/* pam students are refused at their line; students of a directory realm (LDAP, AD, OpenID) get
 * a user without a password (issue 10, point 17). */
static void test_directory_realms(void **st)
{
    (void)st;
    const char *users = "users:\n  - s1@pve\n  - ann@campus\n  - pat@pam\n  - kim@sso\n";
    struct plan *p = check(GOOD_MACHINE, users, NULL, NULL);
    const char *want[] = {"users.yml:4:5: pat@pam is in the pam realm"};
    expect_problems(p, want, 1);

    struct stand *s = NULL;
    struct users_list *u = NULL;
    stand_fx_load(GOOD_MACHINE, "users: [s1@pve, ann@campus, kim@sso]\n", &s, &u);
    struct cluster_view *v = view_from(VIEW, NULL);
    struct plan_request rq = {.stand = s, .users = u, .strategy = "local"};
    assert_int_equal(plan_deploy(&rq, v, &p), 0);
    for (size_t i = 0; i < p->n_problems; i++)
        print_error("problem: %s\n", p->problems[i]);
    assert_int_equal(p->n_problems, 0);
    int external = 0;
    for (size_t i = 0; i < p->n_acts; i++) {
        const struct action *a = &p->acts[i];
        if (a->kind != ACT_USER_CREATE)
            continue;
        assert_int_equal(a->external, a->student > 0);
        external += a->external;
    }
    assert_int_equal(external, 2);
    assert_int_equal(p->students[0].cred, CRED_UNCHANGED); /* s1@pve exists in VIEW */
    assert_int_equal(p->students[1].cred, CRED_EXTERNAL);
    assert_int_equal(p->students[2].cred, CRED_EXTERNAL);
    assert_true(plan_realm_external(v, "ann@campus"));
    assert_false(plan_realm_external(v, "s1@pve"));
    plan_free(p);
    cluster_view_free(v);
    stand_fx_free(s, u);
}

/* In the deploy plan: input problems are counted, and an unknown node gets no second problem
 * from the placement. */
static void test_in_deploy_plan(void **st)
{
    (void)st;
    struct stand *s = NULL;
    struct users_list *u = NULL;
    stand_fx_load(STAND_HEAD "    template_node: pve9\n    template_vmid: 100\n", USERS, &s, &u);
    struct cluster_view *v = view_from(VIEW, NULL);
    struct plan_request rq = {.stand = s, .users = u, .strategy = "local"};
    struct plan *p = NULL;
    assert_int_equal(plan_deploy(&rq, v, &p), 0);
    const char *want[] = {"lab.yml:4:20: machine 'web': node 'pve9' is not in the cluster"};
    assert_int_equal(p->n_acts, 0);
    expect_problems(p, want, 1);
    cluster_view_free(v);
    stand_fx_free(s, u);
}

/* The names a reserved bridge can never have, refused offline. */
static void test_nic_names(void **st)
{
    (void)st;
    static const char *const nics[] = {
        "lo",     "eth0",  "eno1",  "ens18",  "enp3s0", "enP1p2s0", "enx001122334455",
        "wlp2s0", "wlan0", "bond0", "vlan10", NULL};
    static const char *const others[] = {"vmbr0",  "vmbr100", "lan",   "enterprise", "ens",  "eth",
                                         "bond_x", "enxyz",   "wlans", "uplink",     "ovs0", NULL};
    for (size_t i = 0; nics[i]; i++)
        if (!stand_net_is_nic_name(nics[i]))
            fail_msg("%s is a NIC name", nics[i]);
    for (size_t i = 0; others[i]; i++)
        if (stand_net_is_nic_name(others[i]))
            fail_msg("%s is no NIC name", others[i]);
    struct diag_list dl = {0};
    struct stand *s = NULL;
    const char *text = GOOD_MACHINE "    networks: [{bridge: '**eth0**'}]\n";
    assert_int_equal(stand_load_text("lab.yml", text, strlen(text), &s, &dl), -1);
    assert_int_equal(dl.n, 1);
    assert_int_equal(dl.items[0].line, 6);
    assert_non_null(strstr(dl.items[0].what, "'eth0' is the name of a network card"));
    diag_list_clear(&dl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sound_machine),
        cmocka_unit_test(test_machine_against_cluster),
        cmocka_unit_test(test_bridges_that_are_no_bridges),
        cmocka_unit_test(test_privileged_students),
        cmocka_unit_test(test_root_as_student),
        cmocka_unit_test(test_unknown_realm),
        cmocka_unit_test(test_directory_realms),
        cmocka_unit_test(test_role_privileges),
        cmocka_unit_test(test_in_deploy_plan),
        cmocka_unit_test(test_nic_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
