/* test_config_stand: deployment_config.yml loading: the good file and the examples parse to the
 * expected structs, and every bad file is reported at its exact file:line:col. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/stand.h"
#include "config_expect.h"
#include "embedded.h"

CONFIG_FILE_LOADER(load_stand, struct stand, stand_load, stand_free)

static struct stand *load_text_ok(const char *name, const char *text)
{
    struct diag_list diags = {0};
    struct stand *s = NULL;
    config_expect_clean(stand_load_text(name, text, strlen(text), &s, &diags), &diags, name);
    return s;
}

/* stand_load_text refuses text with exactly the n wanted diagnostics. */
static void expect_refused(const char *name, const char *text, const struct config_want *want,
                           size_t n)
{
    struct diag_list diags = {0};
    struct stand *s = NULL;
    assert_int_equal(stand_load_text(name, text, strlen(text), &s, &diags), -1);
    assert_null(s);
    config_diags_expect(&diags, name, want, n);
    diag_list_clear(&diags);
}

static void test_good_file(void **state)
{
    (void)state;
    char *path = config_src_path("tests/data/config/good/deployment_config.yml");
    struct diag_list diags = {0};
    struct stand *s = NULL;
    config_expect_clean(stand_load(path, &s, &diags), &diags, path);
    assert_string_equal(s->path, path);
    assert_string_equal(s->name, "net-lab_2");
    assert_int_equal(s->password_policy.style, PASSWORD_DIGITS);
    assert_int_equal(s->password_policy.length, 12);
    assert_int_equal(s->n_machines, 4);

    const struct stand_machine *m = &s->machines[0];
    assert_string_equal(m->name, "gw");
    assert_int_equal(m->device_type, DEVICE_LINUX);
    assert_string_equal(m->template_node, "pve1");
    assert_int_equal(m->template_vmid, 100);
    assert_int_equal(m->full_clone, 1);
    assert_int_equal(m->line, 11);
    assert_int_equal(m->col, 5);
    assert_int_equal(m->n_nets, 4);
    assert_int_equal(m->nets[0].kind, STAND_NET_LITERAL);
    assert_string_equal(m->nets[0].name, "vmbr0");
    assert_int_equal(m->nets[0].vid, 0);
    assert_int_equal(m->nets[0].line, 17);
    assert_int_equal(m->nets[0].col, 17);
    assert_int_equal(m->nets[1].kind, STAND_NET_ALIAS);
    assert_string_equal(m->nets[1].name, "hq");
    assert_int_equal(m->nets[2].kind, STAND_NET_RESERVED);
    assert_string_equal(m->nets[2].name, "vmbr100");
    assert_int_equal(m->nets[3].kind, STAND_NET_RESERVED);
    assert_string_equal(m->nets[3].name, "dmz");

    m = &s->machines[1];
    assert_string_equal(m->name, "HQ-Server.lab");
    assert_int_equal(m->device_type, DEVICE_LINUX);
    assert_string_equal(m->template_node, "pve2");
    assert_int_equal(m->template_vmid, 999999999);
    assert_int_equal(m->full_clone, 0);
    assert_int_equal(m->n_nets, 2);
    assert_int_equal(m->nets[0].kind, STAND_NET_ALIAS);
    assert_string_equal(m->nets[0].name, "hq");
    assert_int_equal(m->nets[0].vid, 100);
    assert_int_equal(m->nets[1].kind, STAND_NET_LITERAL);
    assert_string_equal(m->nets[1].name, "vmbr0");
    assert_int_equal(m->nets[1].vid, 5);

    m = &s->machines[2];
    assert_string_equal(m->name, "vm-2001");
    assert_int_equal(m->device_type, DEVICE_ECOROUTER);
    assert_string_equal(m->template_node, "pve-3");
    assert_int_equal(m->n_nets, 0);

    m = &s->machines[3];
    assert_string_equal(m->name, "vm-101");
    assert_int_equal(m->n_nets, 0);
    stand_free(s);
    free(path);
}

static void check_example(const struct stand *s)
{
    assert_string_equal(s->name, "demo-lab");
    assert_int_equal(s->password_policy.style, PASSWORD_UNAMBIGUOUS);
    assert_int_equal(s->password_policy.length, 10);
    assert_int_equal(s->n_machines, 3);
    const struct stand_machine *web = &s->machines[0], *client = &s->machines[1],
                               *router = &s->machines[2];
    assert_string_equal(web->name, "web");
    assert_int_equal(web->device_type, DEVICE_LINUX);
    assert_string_equal(web->template_node, "pve1");
    assert_int_equal(web->template_vmid, 100);
    assert_int_equal(web->full_clone, 0);
    assert_int_equal(web->n_nets, 2);
    assert_int_equal(web->nets[0].kind, STAND_NET_ALIAS);
    assert_string_equal(web->nets[0].name, "lan");
    assert_int_equal(web->nets[1].kind, STAND_NET_RESERVED);
    assert_string_equal(web->nets[1].name, "vmbr100");
    assert_string_equal(client->name, "client");
    assert_int_equal(client->template_vmid, 101);
    assert_int_equal(client->n_nets, 1);
    assert_string_equal(client->nets[0].name, "lan");
    assert_int_equal(client->nets[0].vid, 10);
    assert_string_equal(router->name, "router");
    assert_int_equal(router->device_type, DEVICE_ECOROUTER);
    assert_int_equal(router->template_vmid, 102);
    assert_int_equal(router->n_nets, 2);
    assert_string_equal(router->nets[0].name, "lan");
    assert_string_equal(router->nets[1].name, "wan");
}

static void test_example_file_and_embedded(void **state)
{
    (void)state;
    char *path = config_src_path("examples/deployment_config.yml");
    struct diag_list diags = {0};
    struct stand *s = NULL;
    assert_int_equal(stand_load(path, &s, &diags), 0);
    check_example(s);
    stand_free(s);
    free(path);

    size_t len;
    const char *text = embedded_get("examples/deployment_config.yml", &len);
    assert_non_null(text);
    assert_int_equal(stand_load_text("examples/deployment_config.yml", text, len, &s, &diags), 0);
    assert_string_equal(s->path, "examples/deployment_config.yml");
    check_example(s);
    stand_free(s);
    assert_int_equal(diags.n, 0);
}

static void test_bad_files(void **state)
{
    (void)state;
    size_t n = config_expect_all("stand_", load_stand);
    assert_true(n >= 20);
}

static void test_default_name_and_policy(void **state)
{
    (void)state;
    struct stand *s = load_text_ok("/tmp/some dir/lab-7.yaml",
                                   "machines:\n  - template_node: pve1\n    template_vmid: 100\n");
    assert_string_equal(s->name, "lab-7");
    assert_int_equal(s->password_policy.style, PASSWORD_UNAMBIGUOUS);
    assert_int_equal(s->password_policy.length, 10);
    assert_string_equal(s->machines[0].name, "vm-100");
    stand_free(s);

    s = load_text_ok("deployment_config.yml", "password_policy: digits\nmachines:\n"
                                              "  - {template_node: pve1, template_vmid: 100}\n");
    assert_string_equal(s->name, "deployment_config");
    assert_int_equal(s->password_policy.style, PASSWORD_DIGITS);
    assert_int_equal(s->password_policy.length, 8);
    stand_free(s);

    /* a file name that is not a valid stand name needs `stand:` */
    struct diag_list diags = {0};
    const char *text = "machines:\n  - {template_node: pve1, template_vmid: 100}\n";
    assert_int_equal(stand_load_text("My Lab.yml", text, strlen(text), &s, &diags), -1);
    assert_null(s);
    assert_true(config_diag_has(&diags, "My Lab.yml", 1, 1, "add a top-level `stand: NAME`"));
    diag_list_clear(&diags);
}

static void test_every_problem_reported(void **state)
{
    (void)state;
    const char *text = "stand: BAD\n"    /* 1 */
                       "colour: red\n"   /* 2 */
                       "machines:\n"     /* 3 */
                       "  - name: a_b\n" /* 4 */
                       "    template_node: pve1\n"
                       "  - template_node: x\n" /* 6 */
                       "    template_vmid: 100\n"
                       "    networks:\n"
                       "      - bridge: hq.0\n" /* 9 */
                       "      - bridge: '**x'\n";
    static const struct config_want want[] = {
        {1, 8, "stand name 'BAD' is not valid"}, {2, 1, "unknown key 'colour'"},
        {4, 11, "machine name 'a_b'"},           {4, 5, "machine 'a_b' has no 'template_vmid'"},
        {9, 17, "VLAN id 0 is outside 1..4094"}, {10, 17, "unbalanced '**'"},
    };
    expect_refused("t.yml", text, want, sizeof want / sizeof want[0]);
}

static void test_nic_limits(void **state)
{
    (void)state;
    for (int eco = 0; eco < 2; eco++) {
        for (int extra = 0; extra < 2; extra++) {
            int max = eco ? 30 : 32;
            char text[4096];
            size_t used = (size_t)snprintf(text, sizeof text,
                                           "machines:\n  - device_type: %s\n"
                                           "    template_node: pve1\n    template_vmid: 100\n"
                                           "    networks:\n",
                                           eco ? "ecorouter" : "linux");
            for (int i = 0; i < max + extra; i++)
                used +=
                    (size_t)snprintf(text + used, sizeof text - used, "      - bridge: n%d\n", i);
            struct diag_list diags = {0};
            struct stand *s = NULL;
            int rc = stand_load_text("nics.yml", text, used, &s, &diags);
            assert_int_equal(rc, extra ? -1 : 0);
            if (!extra)
                assert_int_equal(s->machines[0].n_nets, (size_t)max);
            else
                assert_true(config_diag_has(&diags, "nics.yml", 6 + max, 9, "too many networks"));
            stand_free(s);
            diag_list_clear(&diags);
        }
    }
}

static void test_profiles(void **state)
{
    (void)state;
    struct stand *s = load_text_ok("prof.yml", "profiles:\n"
                                               "  mikrotik:\n"
                                               "    model: e1000\n"
                                               "    first_nic: 1\n"
                                               "    management:\n"
                                               "      bridge: vmbr0\n"
                                               "      link_down: true\n"
                                               "  vyos: {model: virtio, firewall: true}\n"
                                               "machines:\n"
                                               "  - device_type: mikrotik\n"
                                               "    template_node: pve1\n"
                                               "    template_vmid: 100\n"
                                               "    networks: [{bridge: lan}, {bridge: wan.5}]\n"
                                               "  - {device_type: vyos, template_node: pve1, "
                                               "template_vmid: 101}\n"
                                               "  - {device_type: ecorouter, template_node: pve1, "
                                               "template_vmid: 102}\n"
                                               "  - {template_node: pve1, template_vmid: 103}\n");
    assert_int_equal(s->n_profiles, 2);
    const struct device_profile *mt = &s->profiles[0], *vy = &s->profiles[1];
    assert_string_equal(mt->name, "mikrotik");
    assert_string_equal(mt->model, "e1000");
    assert_int_equal(mt->first_nic, 1);
    assert_int_equal(mt->firewall, 0);
    assert_int_equal(mt->has_mgmt, 1);
    assert_string_equal(mt->mgmt_bridge, "vmbr0");
    assert_string_equal(mt->mgmt_model, "e1000"); /* defaults to the profile's model */
    assert_int_equal(mt->mgmt_link_down, 1);
    assert_int_equal(mt->line, 2);
    assert_int_equal(mt->col, 3);
    assert_string_equal(vy->name, "vyos");
    assert_int_equal(vy->first_nic, 0);
    assert_int_equal(vy->firewall, 1);
    assert_int_equal(vy->has_mgmt, 0);

    assert_int_equal(s->machines[0].device_type, DEVICE_PROFILE);
    assert_ptr_equal(s->machines[0].profile, mt);
    assert_int_equal(s->machines[0].n_nets, 2);
    assert_string_equal(stand_machine_type_name(&s->machines[0]), "mikrotik");
    assert_ptr_equal(s->machines[1].profile, vy);
    assert_int_equal(s->machines[2].device_type, DEVICE_ECOROUTER);
    assert_ptr_equal(s->machines[2].profile, device_profile_builtin(DEVICE_ECOROUTER));
    assert_string_equal(stand_machine_type_name(&s->machines[2]), "ecorouter");
    assert_int_equal(s->machines[3].device_type, DEVICE_LINUX);
    assert_ptr_equal(s->machines[3].profile, device_profile_builtin(DEVICE_LINUX));
    stand_free(s);

    /* an empty `profiles:` is allowed; a broken profile is reported once, not again at its user */
    s = load_text_ok("p2.yml", "profiles:\nmachines:\n  - {template_node: pve1, "
                               "template_vmid: 100}\n");
    assert_int_equal(s->n_profiles, 0);
    stand_free(s);
    const char *text = "profiles:\n"
                       "  mt: {model: e1000, first_nic: -1, firewall: maybe}\n"
                       "  Bad: {model: e1000}\n"
                       "  ok: {model: e1000, first_nic: 3, management: {bridge: 'x y', "
                       "model: nope, colour: red}}\n"
                       "machines:\n"
                       "  - {device_type: mt, template_node: pve1, template_vmid: 100}\n";
    static const struct config_want want[] = {
        {2, 33, "first_nic"},
        {2, 47, "firewall"},
        {3, 3, "profile name 'Bad' is not valid"},
        {4, 77, "unknown key 'colour'"},
        {4, 57, "is not a valid interface name"},
        {4, 71, "unknown NIC model 'nope'"},
    };
    expect_refused("p3.yml", text, want, sizeof want / sizeof want[0]);
}

static void test_net_parse(void **state)
{
    (void)state;
    static const struct {
        const char *value;
        int reserved;
        int ok;
        enum stand_net_kind kind;
        const char *name;
        int vid;
        const char *msg;
    } cases[] = {
        {"lan", 0, 1, STAND_NET_ALIAS, "lan", 0, NULL},
        {"Lan_2-b", 0, 1, STAND_NET_ALIAS, "Lan_2-b", 0, NULL},
        {"hq.1", 0, 1, STAND_NET_ALIAS, "hq", 1, NULL},
        {"hq.4094", 0, 1, STAND_NET_ALIAS, "hq", 4094, NULL},
        {"hq.4095", 0, 0, 0, NULL, 0, "VLAN id 4095 is outside 1..4094"},
        {"hq.99999999999", 0, 0, 0, NULL, 0, "is outside 1..4094"},
        {"hq.", 0, 0, 0, NULL, 0, "is not a number"},
        {"hq.1.2", 0, 0, 0, NULL, 0, "is not a number"},
        {"vmbr0", 0, 1, STAND_NET_LITERAL, "vmbr0", 0, NULL},
        {"vmbr12.7", 0, 1, STAND_NET_LITERAL, "vmbr12", 7, NULL},
        {"vmbrx", 0, 1, STAND_NET_ALIAS, "vmbrx", 0, NULL},
        {"**vmbr100**", 0, 1, STAND_NET_RESERVED, "vmbr100", 0, NULL},
        {"**lab**", 0, 1, STAND_NET_RESERVED, "lab", 0, NULL},
        {"shared", 1, 1, STAND_NET_RESERVED, "shared", 0, NULL},
        {"shared.5", 1, 0, 0, NULL, 0, "cannot carry a VLAN id"},
        {"**vmbr1**x", 0, 0, 0, NULL, 0, "unbalanced"},
        {"****", 0, 0, 0, NULL, 0, "unbalanced"},
        {"**1abc**", 0, 0, 0, NULL, 0, "not a valid interface name"},
        {"", 0, 0, 0, NULL, 0, "bridge is empty"},
        {"a-very-long-alias-name-over-32-chars", 0, 0, 0, NULL, 0, "is not valid"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct stand_net net;
        char msg[256], hint[256];
        int rc = stand_net_parse(cases[i].value, cases[i].reserved, &net, msg, sizeof msg, hint,
                                 sizeof hint);
        if (cases[i].ok) {
            if (rc != 0)
                fail_msg("'%s' rejected: %s", cases[i].value, msg);
            assert_int_equal(net.kind, cases[i].kind);
            assert_string_equal(net.name, cases[i].name);
            assert_int_equal(net.vid, cases[i].vid);
            free(net.name);
        } else {
            if (rc != -1)
                fail_msg("'%s' accepted", cases[i].value);
            assert_null(net.name);
            assert_non_null(strstr(msg, cases[i].msg));
            assert_true(hint[0] != '\0');
        }
    }
}

static void test_yaml_features(void **state)
{
    (void)state;
    /* anchors and aliases are expanded; explicit !!int works; flow style works */
    const char *text = "machines:\n"
                       "  - &base {template_node: pve1, template_vmid: !!int '100', name: a,\n"
                       "           networks: [{bridge: lan}]}\n"
                       "  - {template_node: pve1, template_vmid: 101, name: b,\n"
                       "     networks: [{bridge: lan}, {bridge: wan, reserved: false}]}\n";
    struct stand *s = load_text_ok("yaml.yml", text);
    assert_int_equal(s->machines[0].template_vmid, 100);
    assert_int_equal(s->machines[1].n_nets, 2);
    stand_free(s);

    /* an alias reusing a whole machine keeps positions of the alias for the copy */
    text = "machines:\n  - &m {template_node: pve1, template_vmid: 100}\n  - *m\n";
    struct diag_list diags = {0};
    assert_int_equal(stand_load_text("alias.yml", text, strlen(text), &s, &diags), -1);
    assert_true(config_diag_has(&diags, "alias.yml", 3, 5, "machine name 'vm-100' is used twice"));
    diag_list_clear(&diags);

    /* an undefined alias and a recursive one are errors, not crashes */
    text = "machines: *nowhere\n";
    assert_int_equal(stand_load_text("u.yml", text, strlen(text), &s, &diags), -1);
    assert_true(config_diag_has(&diags, "u.yml", 1, 11, "undefined alias"));
    diag_list_clear(&diags);
    text = "machines: &a [*a]\n";
    assert_int_equal(stand_load_text("r.yml", text, strlen(text), &s, &diags), -1);
    assert_true(config_diag_has(&diags, "r.yml", 1, 15, "recursive alias"));
    diag_list_clear(&diags);

    /* billion laughs: expansion is bounded */
    char big[2048];
    size_t used = (size_t)snprintf(big, sizeof big, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 9; i++)
        used += (size_t)snprintf(big + used, sizeof big - used,
                                 "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i,
                                 i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
    assert_int_equal(stand_load_text("laughs.yml", big, used, &s, &diags), -1);
    assert_true(diags.n == 1 && strstr(diags.items[0].what, "more than"));
    diag_list_clear(&diags);

    /* a document of only comments is "empty" */
    text = "# nothing here\n";
    assert_int_equal(stand_load_text("c.yml", text, strlen(text), &s, &diags), -1);
    assert_true(config_diag_has(&diags, "c.yml", 1, 1, "the file is empty"));
    diag_list_clear(&diags);
}

static void test_missing_file(void **state)
{
    (void)state;
    struct diag_list diags = {0};
    struct stand *s = NULL;
    assert_int_equal(stand_load("/nonexistent/deployment_config.yml", &s, &diags), -1);
    assert_null(s);
    assert_int_equal(diags.n, 1);
    assert_string_equal(diags.items[0].file, "/nonexistent/deployment_config.yml");
    assert_non_null(strstr(diags.items[0].what, "cannot open"));
    diag_list_clear(&diags);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_file),
        cmocka_unit_test(test_example_file_and_embedded),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_default_name_and_policy),
        cmocka_unit_test(test_every_problem_reported),
        cmocka_unit_test(test_nic_limits),
        cmocka_unit_test(test_net_parse),
        cmocka_unit_test(test_profiles),
        cmocka_unit_test(test_yaml_features),
        cmocka_unit_test(test_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
