/* test_nic: NIC layouts per device type, idempotent NIC diffs and the EcoRouter MAC range.
 * Pure functions, no server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "plan/nic.h"
#include <jansson.h>
#include <string.h>

static struct stand_net net(enum stand_net_kind k, const char *name, int vid)
{
    struct stand_net n = {.kind = k, .name = (char *)name, .vid = vid};
    return n;
}

static void test_linux_layout_replaces_template_nics(void **st)
{
    (void)st;
    struct stand_net nets[] = {net(STAND_NET_ALIAS, "lan", 0), net(STAND_NET_ALIAS, "dmz", 10)};
    const char *bridges[] = {"vmbr1000", "vmbr1001"};
    json_t *tpl = json_pack("{s:s, s:s, s:s}", "net0", "virtio=BC:24:11:00:00:01,bridge=vmbr0",
                            "net1", "e1000=BC:24:11:00:00:02,bridge=vmbr0", "net2",
                            "virtio=BC:24:11:00:00:03,bridge=vmbr0");
    json_t *params = json_object();
    struct mac_pool mp;
    mac_pool_init(&mp);
    assert_int_equal(
        nic_plan(device_profile_builtin(DEVICE_LINUX), nets, bridges, 2, tpl, 1, 5000, &mp, params),
        0);
    assert_string_equal(json_string_value(json_object_get(params, "net0")),
                        "model=virtio,bridge=vmbr1000,firewall=1");
    assert_string_equal(json_string_value(json_object_get(params, "net1")),
                        "model=virtio,bridge=vmbr1001,firewall=1,tag=10");
    assert_string_equal(json_string_value(json_object_get(params, "delete")), "net2");
    json_decref(params);
    json_decref(tpl);
    mac_pool_free(&mp);
}

static void test_linux_layout_is_idempotent(void **st)
{
    (void)st;
    struct stand_net nets[] = {net(STAND_NET_ALIAS, "lan", 10)};
    const char *bridges[] = {"vmbr1000"};
    /* PVE writes the canonical form back: model alias with MAC, keys sorted */
    json_t *cur =
        json_pack("{s:s}", "net0", "virtio=BC:24:11:AA:BB:CC,bridge=vmbr1000,firewall=1,tag=10");
    json_t *params = json_object();
    struct mac_pool mp;
    mac_pool_init(&mp);
    assert_int_equal(
        nic_plan(device_profile_builtin(DEVICE_LINUX), nets, bridges, 1, cur, 0, 5000, &mp, params),
        0);
    assert_int_equal(json_object_size(params), 0);
    json_decref(params);
    json_decref(cur);
    mac_pool_free(&mp);
}

static void test_linux_without_networks_keeps_template(void **st)
{
    (void)st;
    json_t *tpl = json_pack("{s:s}", "net0", "virtio=BC:24:11:00:00:01,bridge=vmbr0,rate=10");
    json_t *params = json_object();
    struct mac_pool mp;
    mac_pool_init(&mp);
    assert_int_equal(
        nic_plan(device_profile_builtin(DEVICE_LINUX), NULL, NULL, 0, tpl, 1, 5000, &mp, params),
        0);
    /* the template's NIC stays, with its link down (issue 10, point 19), and without the
     * template's MAC: Proxmox gives the clone's NIC a new one */
    assert_int_equal(json_object_size(params), 1);
    assert_string_equal(json_string_value(json_object_get(params, "net0")),
                        "virtio,bridge=vmbr0,rate=10,link_down=1");
    json_decref(params);
    /* once down, a rerun changes nothing */
    json_decref(tpl);
    tpl = json_pack("{s:s}", "net0", "virtio=BC:24:11:00:00:01,bridge=vmbr0,link_down=1");
    params = json_object();
    assert_int_equal(
        nic_plan(device_profile_builtin(DEVICE_LINUX), NULL, NULL, 0, tpl, 0, 5000, &mp, params),
        0);
    assert_int_equal(json_object_size(params), 0);
    json_decref(params);
    json_decref(tpl);
    mac_pool_free(&mp);
}

static void test_ecorouter_layout(void **st)
{
    (void)st;
    struct stand_net nets[] = {net(STAND_NET_ALIAS, "lan", 0), net(STAND_NET_ALIAS, "wan", 20)};
    const char *bridges[] = {"vmbr1000", "vmbr1001"};
    /* the template's own MAC is in range: a fresh clone must not reuse it */
    json_t *tpl = json_pack("{s:s, s:s}", "net0", "vmxnet3=1C:87:76:40:00:05,bridge=vmbr0", "net1",
                            "vmxnet3=BC:24:11:00:00:02,bridge=vmbr0");
    json_t *params = json_object();
    struct mac_pool mp;
    mac_pool_init(&mp);
    mac_pool_add_config(&mp, tpl);
    assert_int_equal(nic_plan(device_profile_builtin(DEVICE_ECOROUTER), nets, bridges, 2, tpl, 1,
                              5003, &mp, params),
                     0);
    struct nic_value v0, v2, v3;
    assert_int_equal(nic_parse(json_string_value(json_object_get(params, "net0")), &v0), 0);
    assert_string_equal(v0.model, "vmxnet3");
    assert_string_equal(v0.bridge, "vmbr0");
    assert_int_equal(v0.link_down, 1);
    /* net1 stays as the template has it, but with its link down: not on the uplink; never with
     * the template's MAC */
    assert_string_equal(json_string_value(json_object_get(params, "net1")),
                        "vmxnet3,bridge=vmbr0,link_down=1");
    assert_int_equal(nic_parse(json_string_value(json_object_get(params, "net2")), &v2), 0);
    assert_int_equal(nic_parse(json_string_value(json_object_get(params, "net3")), &v3), 0);
    assert_string_equal(v2.bridge, "vmbr1000");
    assert_string_equal(v3.bridge, "vmbr1001");
    assert_int_equal(v3.tag, 20);
    assert_int_equal(v2.firewall, 0);
    uint64_t m0, m2, m3;
    assert_int_equal(mac_parse(v0.macaddr, &m0), 0);
    assert_int_equal(mac_parse(v2.macaddr, &m2), 0);
    assert_int_equal(mac_parse(v3.macaddr, &m3), 0);
    assert_true(mac_in_eco_range(m0) && mac_in_eco_range(m2) && mac_in_eco_range(m3));
    assert_true(m0 != m2 && m2 != m3 && m0 != m3);
    assert_string_not_equal(v0.macaddr, "1C:87:76:40:00:05");
    assert_null(json_object_get(params, "delete"));
    json_decref(params);
    json_decref(tpl);
    mac_pool_free(&mp);
}

static void test_ecorouter_keeps_its_macs(void **st)
{
    (void)st;
    struct stand_net nets[] = {net(STAND_NET_ALIAS, "lan", 0)};
    const char *bridges[] = {"vmbr1000"};
    json_t *cur =
        json_pack("{s:s, s:s}", "net0", "vmxnet3=1C:87:76:41:00:01,bridge=vmbr0,link_down=1",
                  "net2", "vmxnet3=1C:87:76:41:00:02,bridge=vmbr1000");
    json_t *params = json_object();
    struct mac_pool mp;
    mac_pool_init(&mp);
    mac_pool_add_config(&mp, cur);
    assert_int_equal(nic_plan(device_profile_builtin(DEVICE_ECOROUTER), nets, bridges, 1, cur, 0,
                              5003, &mp, params),
                     0);
    assert_int_equal(json_object_size(params), 0);
    json_decref(params);
    json_decref(cur);
    mac_pool_free(&mp);
}

static void test_profile_layout(void **st)
{
    (void)st;
    struct device_profile mt = {.name = "mikrotik",
                                .model = "e1000",
                                .first_nic = 1,
                                .has_mgmt = 1,
                                .mgmt_bridge = "vmbr0",
                                .mgmt_model = "rtl8139",
                                .mgmt_link_down = 1};
    struct stand_net nets[] = {net(STAND_NET_ALIAS, "lan", 0), net(STAND_NET_ALIAS, "wan", 7)};
    const char *bridges[] = {"vmbr1000", "vmbr1001"};
    json_t *tpl = json_pack("{s:s, s:s, s:s, s:s}", "net0", "virtio=BC:24:11:00:00:01,bridge=vmbr0",
                            "net1", "e1000=BC:24:11:00:00:02,bridge=vmbr0", "net3",
                            "e1000=BC:24:11:00:00:04,bridge=vmbr0", "net5",
                            "e1000=BC:24:11:00:00:06,bridge=vmbr0");
    json_t *params = json_object();
    struct mac_pool mp;
    mac_pool_init(&mp);
    assert_int_equal(nic_plan(&mt, nets, bridges, 2, tpl, 1, 5000, &mp, params), 0);
    assert_string_equal(json_string_value(json_object_get(params, "net0")),
                        "model=rtl8139,bridge=vmbr0,link_down=1");
    assert_string_equal(json_string_value(json_object_get(params, "net1")),
                        "model=e1000,bridge=vmbr1000");
    assert_string_equal(json_string_value(json_object_get(params, "net2")),
                        "model=e1000,bridge=vmbr1001,tag=7");
    assert_string_equal(json_string_value(json_object_get(params, "delete")), "net3,net5");
    assert_int_equal(mp.n, 0); /* no EcoRouter MACs taken */
    json_decref(params);

    /* no management, firewall, NICs below first_nic kept with their link down, rerun changes
     * nothing */
    struct device_profile fw = {.name = "fw", .model = "vmxnet3", .first_nic = 2, .firewall = 1};
    params = json_object();
    assert_int_equal(nic_plan(&fw, nets, bridges, 1, tpl, 1, 5000, &mp, params), 0);
    assert_string_equal(json_string_value(json_object_get(params, "net0")),
                        "virtio,bridge=vmbr0,link_down=1");
    assert_string_equal(json_string_value(json_object_get(params, "net1")),
                        "e1000,bridge=vmbr0,link_down=1");
    assert_string_equal(json_string_value(json_object_get(params, "net2")),
                        "model=vmxnet3,bridge=vmbr1000,firewall=1");
    assert_string_equal(json_string_value(json_object_get(params, "delete")), "net3,net5");
    json_decref(params);
    json_t *cur =
        json_pack("{s:s, s:s}", "net0", "virtio=BC:24:11:00:00:01,bridge=vmbr0,link_down=1", "net2",
                  "vmxnet3=BC:24:11:00:00:09,bridge=vmbr1000,firewall=1");
    params = json_object();
    assert_int_equal(nic_plan(&fw, nets, bridges, 1, cur, 0, 5000, &mp, params), 0);
    assert_int_equal(json_object_size(params), 0);
    json_decref(params);

    /* without stand networks the management NIC is set and the others go link down */
    params = json_object();
    assert_int_equal(nic_plan(&mt, NULL, NULL, 0, tpl, 1, 5000, &mp, params), 0);
    assert_int_equal(json_object_size(params), 4);
    assert_non_null(json_object_get(params, "net0"));
    assert_string_equal(json_string_value(json_object_get(params, "net5")),
                        "e1000,bridge=vmbr0,link_down=1");
    json_decref(params);
    json_decref(cur);
    json_decref(tpl);
    mac_pool_free(&mp);
}

static void test_builtin_profiles(void **st)
{
    (void)st;
    const struct device_profile *lx = device_profile_builtin(DEVICE_LINUX);
    const struct device_profile *eco = device_profile_builtin(DEVICE_ECOROUTER);
    assert_string_equal(lx->name, "linux");
    assert_int_equal(device_profile_max_nets(lx), 32);
    assert_string_equal(eco->name, "ecorouter");
    assert_int_equal(eco->first_nic, ECO_DATA_FIRST_NIC);
    assert_int_equal(device_profile_max_nets(eco), 30);
    assert_null(device_profile_builtin(DEVICE_PROFILE));
    assert_true(device_model_valid("e1000"));
    assert_true(device_model_valid("vmxnet3"));
    assert_false(device_model_valid("e1001"));
    assert_false(device_model_valid(""));
}

static void test_mac_range_unique(void **st)
{
    (void)st;
    struct mac_pool mp;
    mac_pool_init(&mp);
    uint64_t prev = 0;
    /* many VMs whose derived MACs collide: every MAC still unique and in range */
    for (int i = 0; i < 3000; i++) {
        uint64_t m;
        assert_int_equal(mac_pool_take(&mp, 5000 + (i % 7), i % 3, &m), 0);
        assert_true(mac_in_eco_range(m));
        assert_true(m != prev);
        prev = m;
    }
    assert_int_equal(mp.n, 3000);
    char s[18];
    mac_format(ECO_MAC_FIRST, s);
    assert_string_equal(s, "1C:87:76:40:00:00");
    mac_format(ECO_MAC_LAST, s);
    assert_string_equal(s, "1C:87:76:4F:FF:FF");
    uint64_t v;
    assert_int_equal(mac_parse("1c:87:76:4f:ff:ff", &v), 0);
    assert_true(v == ECO_MAC_LAST);
    assert_int_equal(mac_parse("1C:87:76:4F:FF", &v), -1);
    mac_pool_free(&mp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linux_layout_replaces_template_nics),
        cmocka_unit_test(test_linux_layout_is_idempotent),
        cmocka_unit_test(test_linux_without_networks_keeps_template),
        cmocka_unit_test(test_ecorouter_layout),
        cmocka_unit_test(test_ecorouter_keeps_its_macs),
        cmocka_unit_test(test_mac_range_unique),
        cmocka_unit_test(test_profile_layout),
        cmocka_unit_test(test_builtin_profiles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
