/* test_foreign_macs: EcoRouter MACs are unique against every VM of the cluster, not only the VMs
 * deploy-stand has read (issue 10, point 5): a foreign VM holding the MAC a router would get
 * makes the router get another one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e_fixture.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int setup(void **st)
{
    const char *args[] = {"--scenario", "classroom", "--time-scale", "0.005", NULL};
    return e2e_setup(st, args);
}

/* The MAC of netN of a VM's config ("vmxnet3=1C:87:76:..,bridge=.." -> "1C:87:76:.."). */
static void nic_mac(json_t *cfg, const char *key, char out[18])
{
    const char *v = json_string_value(json_object_get(cfg, key));
    const char *eq = v ? strchr(v, '=') : NULL;
    snprintf(out, 18, "%.17s", eq ? eq + 1 : "");
}

/* Every MAC of every VM of the simulator, and how many of them appear more than once. */
static int duplicate_macs(struct e2e *c)
{
    json_t *st = simproc_state(&c->sp);
    char macs[256][18];
    int n = 0, dups = 0;
    size_t i;
    json_t *vm;
    json_array_foreach(json_object_get(st, "vms"), i, vm)
    {
        json_t *cfg = json_object_get(vm, "config");
        for (int k = 0; k < 8 && n < 256; k++) {
            char key[8];
            snprintf(key, sizeof key, "net%d", k);
            if (!json_object_get(cfg, key))
                continue;
            nic_mac(cfg, key, macs[n]);
            for (int j = 0; j < n; j++)
                dups += strcasecmp(macs[j], macs[n]) == 0;
            n++;
        }
    }
    json_decref(st);
    return dups;
}

static void test_foreign_mac_not_reused(void **st)
{
    struct e2e *c = *st;
    ds_write_users(&c->env, 1);
    assert_int_equal(e2e_cmd(c, E2E_YES, "deploy", NULL, NULL, NULL, NULL, NULL), 0);
    char node[64];
    int router = e2e_vm_of(c, "student1", "router", node);
    json_t *stt = simproc_state(&c->sp);
    char mac[18];
    nic_mac(json_object_get(e2e_vm_id(stt, router), "config"), "net2", mac);
    json_decref(stt);
    assert_int_equal(strncmp(mac, "1C:87:76:4", 10), 0);
    assert_int_equal(e2e_cmd(c, E2E_YES, "destroy", NULL, NULL, NULL, NULL, NULL), 0);

    /* someone's own VM (no marks, outside the stand's VMIDs) now holds that MAC */
    assert_int_equal(e2e_login_root(c), 0);
    e2e_run_task(c, "POST", "pve1", "/nodes/pve1/qemu/102/clone", "newid=900&name=their-router");
    char body[128];
    snprintf(body, sizeof body, "net2=vmxnet3%%3D%s%%2Cbridge%%3Dvmbr0", mac);
    assert_int_equal(e2e_api(c, "PUT", "/nodes/pve1/qemu/900/config", body, NULL), 200);

    assert_int_equal(e2e_cmd(c, E2E_YES, "deploy", NULL, NULL, NULL, NULL, NULL), 0);
    assert_int_equal(e2e_vm_of(c, "student1", "router", node), router); /* the same VMID again */
    assert_int_equal(duplicate_macs(c), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_foreign_mac_not_reused, setup, e2e_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
