/* test_profiles: end to end against the simulator: a stand file with its own device profiles
 * (`profiles:`) deploys VMs whose NICs follow the profile, and a re-run changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config/stand.h"
#include "ds_run.h"
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
    struct simproc sp;
    struct ds_env env;
    char config[320];
};

static int setup(void **st)
{
    struct ctx *c = calloc(1, sizeof *c);
    if (simproc_start(&c->sp, SIM_ARGS) < 0)
        return -1;
    ds_env_init(&c->env, &c->sp, NULL, NULL);
    snprintf(c->config, sizeof c->config, "%s", ds_write_file(&c->env, "prof.yml", STAND));
    ds_write_users(&c->env, 2);
    *st = c;
    return 0;
}

static int teardown(void **st)
{
    struct ctx *c = *st;
    simproc_stop(&c->sp);
    ds_env_free(&c->env);
    free(c);
    return 0;
}

static int deploy(struct ctx *c)
{
    const char *args[] = {"--connections", c->env.connections, "deploy",     "--config",
                          c->config,       "--users",          c->env.users, NULL};
    char *err = NULL;
    int rc = ds_run(NULL, &err, args);
    if (rc != 0)
        fprintf(stderr, "deploy exit %d; stderr:\n%s\n", rc, err);
    free(err);
    return rc;
}

static json_t *vm_named(json_t *state, const char *pool, const char *name)
{
    size_t i;
    json_t *vm;
    json_array_foreach(json_object_get(state, "vms"), i, vm)
    {
        const char *p = json_string_value(json_object_get(vm, "pool"));
        const char *n = json_string_value(json_object_get(json_object_get(vm, "config"), "name"));
        if (p && n && strcmp(p, pool) == 0 && strcmp(n, name) == 0)
            return vm;
    }
    return NULL;
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
    json_t *mt = vm_named(state, pool, "mt"), *vy = vm_named(state, pool, "vy"),
           *pc = vm_named(state, pool, "pc");
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
    json_t *state = simproc_state(&c->sp);
    assert_non_null(state);
    check_student(state, "student1");
    check_student(state, "student2");
    json_decref(state);

    long before = ds_mutating_requests(&c->sp);
    assert_int_equal(deploy(c), 0);
    assert_int_equal(ds_mutating_requests(&c->sp), before);
    assert_int_equal(ds_schema_violations(&c->sp), 0);
}

static void test_unknown_profile_rejected(void **st)
{
    struct ctx *c = *st;
    const char *bad = ds_write_file(&c->env, "bad.yml",
                                    "profiles:\n  vyos: {model: virtio}\n"
                                    "machines:\n"
                                    "  - {device_type: vyoss, template_node: pve1, "
                                    "template_vmid: 100}\n");
    char path[320];
    snprintf(path, sizeof path, "%s", bad);
    const char *args[] = {"--connections", c->env.connections, "deploy", "--config", path,
                          "--users",       c->env.users,       NULL};
    char *err = NULL;
    long before = ds_mutating_requests(&c->sp);
    assert_int_equal(ds_run(NULL, &err, args), 2);
    assert_non_null(strstr(err, ":4:19: unknown device_type 'vyoss'; use one of: linux, "
                                "ecorouter, vyos"));
    free(err);
    assert_int_equal(ds_mutating_requests(&c->sp), before);
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

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    int ch;
    while ((ch = fgetc(f)) != EOF)
        fputc(ch, m);
    fclose(f);
    fclose(m);
    return buf;
}

static void test_wizard_custom_profile(void **st)
{
    struct ctx *c = *st;
    char cmd[2048], out[400];
    snprintf(out, sizeof out, "%s/wizard.out", c->env.dir);
    snprintf(cmd, sizeof cmd, "'%s/deploy-stand' --connections '%s' config create wizp >'%s' 2>&1",
             getenv("DS_BIN") ? getenv("DS_BIN") : ".", c->env.connections, out);
    FILE *p = popen(cmd, "w");
    assert_non_null(p);
    fputs(WIZARD_ANSWERS, p);
    int rc = pclose(p);
    char *text = slurp(out);
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
                          "The config is valid: stand wizprof, 2 machine(s)"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        if (!strstr(text, want[i]))
            fail_msg("expected '%s' in:\n%s", want[i], text);
    free(text);

    char path[400];
    snprintf(path, sizeof path, "%s/config/deploy-stand/configs/wizp.yml", c->env.dir);
    struct stand *s = NULL;
    struct diag_list d = {0};
    assert_int_equal(stand_load(path, &s, &d), 0);
    assert_int_equal(s->n_profiles, 1);
    assert_int_equal(s->n_machines, 2);
    assert_ptr_equal(s->machines[0].profile, &s->profiles[0]);
    assert_ptr_equal(s->machines[1].profile, &s->profiles[0]);
    assert_int_equal(s->machines[1].nets[0].vid, 7);
    stand_free(s);

    const char *args[] = {"--connections", c->env.connections, "--yes",      "deploy", "--config",
                          "wizp",          "--users",          c->env.users, NULL};
    char *err = NULL;
    rc = ds_run(NULL, &err, args);
    if (rc != 0)
        fail_msg("deploy exit %d:\n%s", rc, err);
    free(err);
    json_t *state = simproc_state(&c->sp);
    json_t *mt = vm_named(state, "student1", "mt"), *vy = vm_named(state, "student1", "vy");
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
        cmocka_unit_test_setup_teardown(test_profile_deploy_and_rerun, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_profile_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wizard_custom_profile, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
