/* test_pve_propstr: parsing and canonical printing of PVE property strings (net[n] from the
 * embedded PVE 8.4 schema), including aliases, booleans, ranges and PVE's error texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "pve_propstr.h"
#include "pve_schema.h"

static pve_schema *schema;
static const json_t *net_fmt;

static int setup(void **state)
{
    (void)state;
    schema = pve_schema_load_embedded();
    if (!schema)
        return -1;
    const pve_endpoint *ep = pve_schema_endpoint(schema, "PUT /nodes/{node}/qemu/{vmid}/config");
    if (!ep)
        return -1;
    net_fmt = json_object_get(
        json_object_get(json_object_get(ep->parameters, "properties"), "net[n]"), "format");
    return json_is_object(net_fmt) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    pve_schema_free(schema);
    return 0;
}

/* Parses, prints and compares with `canonical`. */
static void round_trip(const char *in, const char *canonical)
{
    char err[512];
    json_t *o = pve_propstr_parse(net_fmt, in, err, sizeof(err));
    if (!o)
        fail_msg("'%s' rejected: %s", in, err);
    char *s = pve_propstr_print(net_fmt, o);
    assert_non_null(s);
    assert_string_equal(s, canonical);
    /* the canonical form parses to the same object */
    json_t *o2 = pve_propstr_parse(net_fmt, s, err, sizeof(err));
    assert_non_null(o2);
    assert_true(json_equal(o, o2));
    json_decref(o2);
    free(s);
    json_decref(o);
}

static void expect_err(const char *in, const char *want)
{
    char err[512];
    json_t *o = pve_propstr_parse(net_fmt, in, err, sizeof(err));
    if (o) {
        char *s = pve_propstr_print(net_fmt, o);
        json_decref(o);
        fail_msg("'%s' accepted as '%s'", in, s ? s : "?");
    }
    assert_string_equal(err, want);
}

static void test_roundtrip_virtio(void **state)
{
    (void)state;
    round_trip("virtio=BC:24:11:2E:5A:01,bridge=vmbr0,firewall=1,tag=20",
               "virtio=BC:24:11:2E:5A:01,bridge=vmbr0,firewall=1,tag=20");
}

static void test_roundtrip_model_macaddr(void **state)
{
    (void)state;
    round_trip("model=vmxnet3,bridge=vmbr0,macaddr=1C:87:76:40:00:01,link_down=1",
               "vmxnet3=1C:87:76:40:00:01,bridge=vmbr0,link_down=1");
}

static void test_default_key_and_booleans(void **state)
{
    (void)state;
    char err[256];
    /* the default key without "model=", booleans in parse_boolean words */
    round_trip("e1000,bridge=vmbr1,firewall=yes,link_down=off",
               "e1000,bridge=vmbr1,firewall=1,link_down=0");
    json_t *o = pve_propstr_parse(net_fmt, "virtio,firewall=TRUE,tag=4094,rate=1.5,queues=0", err,
                                  sizeof(err));
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "model")), "virtio");
    assert_true(json_is_integer(json_object_get(o, "firewall")));
    assert_int_equal(json_integer_value(json_object_get(o, "firewall")), 1);
    assert_int_equal(json_integer_value(json_object_get(o, "tag")), 4094);
    assert_true(json_is_real(json_object_get(o, "rate")));
    assert_int_equal(json_integer_value(json_object_get(o, "queues")), 0);
    char *s = pve_propstr_print(net_fmt, o);
    assert_string_equal(s, "virtio,firewall=1,queues=0,rate=1.5,tag=4094");
    free(s);
    json_decref(o);
    /* trunks pattern */
    round_trip("virtio,bridge=vmbr0,trunks=10;20-30", "virtio,bridge=vmbr0,trunks=10;20-30");
}

static void test_errors(void **state)
{
    (void)state;
    expect_err("model=foo,bridge=vmbr0",
               "format error\nmodel: value 'foo' does not have a value in the enumeration "
               "'e1000, e1000-82540em, e1000-82544gc, e1000-82545em, e1000e, i82551, i82557b, "
               "i82559er, ne2k_isa, ne2k_pci, pcnet, rtl8139, virtio, vmxnet3'");
    expect_err("virtio,tag=4095", "format error\ntag: value must have a maximum value of 4094");
    expect_err("virtio,tag=0", "format error\ntag: value must have a minimum value of 1");
    expect_err("virtio,tag=x", "format error\ntag: type check ('integer') failed - got 'x'");
    expect_err("virtio=01:00:5E:00:00:01",
               "format error\nmacaddr: invalid format - value does not look like a valid unicast "
               "MAC address");
    expect_err("virtio,bridge=vm br",
               "format error\nbridge: invalid format - invalid bridge ID 'vm br'");
    expect_err("virtio,foo=1", "invalid key in comma-separated list property: foo");
    expect_err("virtio,firewall=maybe",
               "format error\nfirewall: type check ('boolean') failed - got 'maybe'");
    expect_err("virtio,trunks=10;", "format error\ntrunks: value does not match the regex pattern");
    expect_err("bridge=vmbr0", "format error\nmodel: property is missing and it is not optional");
    expect_err("virtio,e1000", "duplicate key in comma-separated list property: model");
    expect_err("virtio,bridge=a,bridge=b",
               "duplicate key in comma-separated list property: bridge");
    expect_err("virtio=BC:24:11:2E:5A:01,macaddr=BC:24:11:2E:5A:02",
               "duplicate key in comma-separated list property: macaddr");
    expect_err("model=virtio,e1000=BC:24:11:2E:5A:01", "key alias 'model' is already defined");
    expect_err("virtio,bridge=", "missing key in comma-separated list property");
    /* two failing keys: both reported, sorted */
    expect_err("virtio,tag=5000,mtu=0",
               "format error\nmtu: value must have a minimum value of 1\ntag: value must have a "
               "maximum value of 4094");
}

static void test_path_prefix(void **state)
{
    (void)state;
    char err[256];
    json_t *o = pve_propstr_parse_at(net_fmt, "virtio,tag=4095", "net0", err, sizeof(err));
    assert_null(o);
    assert_string_equal(err, "format error\nnet0.tag: value must have a maximum value of 4094");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_virtio),
        cmocka_unit_test(test_roundtrip_model_macaddr),
        cmocka_unit_test(test_default_key_and_booleans),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_path_prefix),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
