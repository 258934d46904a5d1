/* test_profiles: end to end against the simulator: a stand file with its own device profiles
 * (`profiles:`) deploys VMs whose NICs follow the profile, and a re-run changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config/stand.h"
#include "e2e_fixture.h"
#include "plan/nic.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const SIM_ARGS[] = {"--scenario", "classroom", "--time-scale", "0.01", NULL};

/* mikrotik: management rtl8139 NIC at net0 (link down), data NICs e1000+firewall from net1.
 * vyos: virtio data NICs from net2, net0/net1 of the template left alone, no management. */
static const char *const STAND = "stand: prof-lab\n"
                                 "profiles:\n"
                                 "  mikrotik:\n"
                                 "    model: e1000\n"
                                 "    first_nic: 1\n"
                                 "    firewall: true\n"
                                 "    management:\n"
                                 "      bridge: vmbr0\n"
                                 "      model: rtl8139\n"
                                 "      link_down: true\n"
                                 "  vyos: {model: virtio, first_nic: 2}\n"
                                 "machines:\n"
                                 "  - name: mt\n"
                                 "    device_type: mikrotik\n"
                                 "    template_node: pve1\n"
                                 "    template_vmid: 102\n"
                                 "    networks: [{bridge: lan.5}]\n"
                                 "  - name: vy\n"
                                 "    device_type: vyos\n"
                                 "    template_node: pve1\n"
                                 "    template_vmid: 100\n"
                                 "    networks: [{bridge: lan}, {bridge: '**vmbr100**'}]\n"
                                 "  - name: pc\n"
                                 "    template_node: pve1\n"
                                 "    template_vmid: 101\n"
                                 "    networks: [{bridge: lan}]\n";

struct ctx {
    struct e2e f; /* first: the fixture's teardown frees the whole ctx */
    char config[320];
};

static int setup(void **st)
{
    struct ctx *c = calloc(1, sizeof *c);
    if (!c || e2e_start(&c->f, SIM_ARGS, NULL, NULL) < 0) {
        free(c);
        return -1;
    }
    snprintf(c->config, sizeof c->config, "%s", ds_write_file(&c->f.env, "prof.yml", STAND));
    ds_write_users(&c->f.env, 2);
    *st = c;
    return 0;
}

static int deploy(struct ctx *c)
{
    return e2e_cmd(&c->f, E2E_YES, "deploy", c->config, NULL, NULL, NULL, NULL);
}

static const char *net_of(json_t *vm, const char *key)
{
    return json_string_value(json_object_get(json_object_get(vm, "config"), key));
}

static void nic_of(json_t *vm, const char *key, struct nic_value *v)
{
    const char *s = net_of(vm, key);
    if (!s)
        fail_msg("%s is missing", key);
    assert_int_equal(nic_parse(s, v), 0);
}

static void check_student(json_t *state, const char *pool)
{
    json_t *mt = e2e_vm_named(state, pool, "mt"), *vy = e2e_vm_named(state, pool, "vy"),
           *pc = e2e_vm_named(state, pool, "pc");
    assert_non_null(mt);
    assert_non_null(vy);
    assert_non_null(pc);
    struct nic_value pc0, mt0, mt1, vy0, vy2, vy3;
    nic_of(pc, "net0", &pc0); /* linux, as before: the private lan bridge */
    assert_string_equal(pc0.model, "virtio");
    assert_int_equal(pc0.firewall, 1);
    assert_string_not_equal(pc0.bridge, "vmbr0");

    nic_of(mt, "net0", &mt0);
    assert_string_equal(mt0.model, "rtl8139");
    assert_string_equal(mt0.bridge, "vmbr0");
    assert_int_equal(mt0.link_down, 1);
    assert_int_equal(mt0.firewall, 0);
    nic_of(mt, "net1", &mt1);
    assert_string_equal(mt1.model, "e1000");
    assert_string_equal(mt1.bridge, pc0.bridge);
    assert_int_equal(mt1.tag, 5);
    assert_int_equal(mt1.firewall, 1);
    assert_int_equal(mt1.link_down, 0);
    assert_null(net_of(mt, "net2"));
    uint64_t mac;
    assert_int_equal(mac_parse(mt1.macaddr, &mac), 0);
    assert_false(mac_in_eco_range(mac)); /* PVE's own MACs: ecorouter's range is not used */

    /* vyos: the template's net0 is kept as it was (virtio on vmbr0), net1 never existed */
    nic_of(vy, "net0", &vy0);
    assert_string_equal(vy0.model, "virtio");
    assert_string_equal(vy0.bridge, "vmbr0");
    assert_null(net_of(vy, "net1"));
    nic_of(vy, "net2", &vy2);
    nic_of(vy, "net3", &vy3);
    assert_string_equal(vy2.model, "virtio");
    assert_string_equal(vy2.bridge, pc0.bridge);
    assert_int_equal(vy2.firewall, 0);
    assert_string_equal(vy3.bridge, "vmbr100");
    assert_null(net_of(vy, "net4"));
}

static void test_profile_deploy_and_rerun(void **st)
{
    struct ctx *c = *st;
    assert_int_equal(deploy(c), 0);
    json_t *state = simproc_state(&c->f.sp);
    assert_non_null(state);
    check_student(state, "student1");
    check_student(state, "student2");
    json_decref(state);

    long before = ds_mutating_requests(&c->f.sp);
    assert_int_equal(deploy(c), 0);
    assert_int_equal(ds_mutating_requests(&c->f.sp), before);
    assert_int_equal(ds_schema_violations(&c->f.sp), 0);
}

static void test_unknown_profile_rejected(void **st)
{
    struct ctx *c = *st;
    const char *bad = ds_write_file(&c->f.env, "bad.yml",
                                    "profiles:\n  vyos: {model: virtio}\n"
                                    "machines:\n"
                                    "  - {device_type: vyoss, template_node: pve1, "
                                    "template_vmid: 100}\n");
    char path[320];
    snprintf(path, sizeof path, "%s", bad);
    char *err = NULL;
    long before = ds_mutating_requests(&c->f.sp);
    assert_int_equal(e2e_cmd(&c->f, E2E_YES, "deploy", path, NULL, NULL, &err, NULL), 2);
    assert_non_null(strstr(err, ":4:19: unknown device_type 'vyoss'; use one of: linux, "
                                "ecorouter, vyos"));
    free(err);
    assert_int_equal(ds_mutating_requests(&c->f.sp), before);
}

/* A custom profile made in the wizard, reused by a second machine, then deployed. */
static const char WIZARD_ANSWERS[] = "wizprof\n" /* stand name */
                                     "102\n"     /* template */
                                     "mt\n"      /* name */
                                     "3\n"       /* device type: custom */
                                     "linux\n"   /* profile name: refused */
                                     "\n"        /* profile name: custom1 */
                                     "e1001\n"   /* model: refused */
                                     "e1000\n"   /* model */
                                     "32\n"      /* first NIC: refused */
                                     "1\n"       /* first NIC */
                                     "y\n"       /* firewall */
                                     "vm br\n"   /* management bridge: refused */
                                     "vmbr0\n"   /* management bridge */
                                     "y\n"       /* link down */
                                     "lan\n"     /* network 1 */
                                     "\n"        /* end */
                                     "1\n"       /* linked */
                                     "y\n"       /* another machine */
                                     "100\n"     /* template */
                                     "vy\n"      /* name */
                                     "custom1\n" /* device type: the profile by name */
                                     "lan.7\n"   /* network 1 */
                                     "\n"        /* end */
                                     "\n"        /* linked */
                                     "n\n"       /* no more */
                                     "y\n";      /* save */

static void test_wizard_custom_profile(void **st)
{
    struct ctx *c = *st;
    const char *args[] = {"--connections", c->f.env.connections, "config", "create", "wizp", NULL};
    char *text = NULL;
    int rc = ds_proc_feed(WIZARD_ANSWERS, args, 120, &text);
    if (rc != 0)
        fail_msg("wizard exit %d:\n%s", rc, text);
    const char *want[] = {"3) custom",
                          "'linux' already exists",
                          "not a NIC model",
                          "from 0 to 31",
                          "is not a bridge name",
                          "networks start at net1",
                          "4) custom",
                          "3) custom1",
                          "profiles:\n  custom1:\n    model: e1000\n    first_nic: 1\n"
                          "    firewall: true\n    management:\n      bridge: vmbr0\n"
                          "      link_down: true\n",
                          "The config is valid: stand wizprof, 2 machines"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        e2e_expect_in(text, want[i], "the wizard's output");
    free(text);

    char path[400];
    snprintf(path, sizeof path, "%s/config/deploy-stand/configs/wizp.yml", c->f.env.dir);
    struct stand *s = NULL;
    struct diag_list d = {0};
    assert_int_equal(stand_load(path, &s, &d), 0);
    assert_int_equal(s->n_profiles, 1);
    assert_int_equal(s->n_machines, 2);
    assert_ptr_equal(s->machines[0].profile, &s->profiles[0]);
    assert_ptr_equal(s->machines[1].profile, &s->profiles[0]);
    assert_int_equal(s->machines[1].nets[0].vid, 7);
    stand_free(s);

    char *err = NULL;
    rc = e2e_cmd(&c->f, E2E_YES, "deploy", "wizp", NULL, NULL, &err, NULL);
    if (rc != 0)
        fail_msg("deploy exit %d:\n%s", rc, err);
    free(err);
    json_t *state = simproc_state(&c->f.sp);
    json_t *mt = e2e_vm_named(state, "student1", "mt"), *vy = e2e_vm_named(state, "student1", "vy");
    assert_non_null(mt);
    assert_non_null(vy);
    struct nic_value mt0, mt1, vy0, vy1;
    nic_of(mt, "net0", &mt0);
    nic_of(mt, "net1", &mt1);
    nic_of(vy, "net0", &vy0);
    nic_of(vy, "net1", &vy1);
    assert_string_equal(mt0.model, "e1000");
    assert_string_equal(mt0.bridge, "vmbr0");
    assert_int_equal(mt0.link_down, 1);
    assert_string_equal(mt1.model, "e1000");
    assert_int_equal(mt1.firewall, 1);
    assert_string_equal(vy0.bridge, "vmbr0"); /* the management NIC, not the template's */
    assert_string_equal(vy0.model, "e1000");
    assert_string_equal(vy1.bridge, mt1.bridge);
    assert_int_equal(vy1.tag, 7);
    json_decref(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_profile_deploy_and_rerun, setup, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_unknown_profile_rejected, setup, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_wizard_custom_profile, setup, e2e_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
