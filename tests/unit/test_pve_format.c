/* test_pve_format: named PVE formats (valid/invalid examples and PVE's exact messages) and the
 * Perl-pattern -> POSIX translation used for schema `pattern`s. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "pve_format.h"

static char msg[512];

static bool ok(const char *fmt, const char *v)
{
    return pve_format_check(fmt, v, msg, sizeof(msg));
}

/* Expects rejection with exactly `want` as message. */
static void expect_bad(const char *fmt, const char *v, const char *want)
{
    bool r = pve_format_check(fmt, v, msg, sizeof(msg));
    if (r)
        fail_msg("%s accepted '%s'", fmt, v);
    assert_string_equal(msg, want);
}

/* Every value of `good` passes the check `is` and every value of `bad` fails it (both lists
 * NULL-terminated). */
static void expect_is(const char *name, bool (*is)(const char *), const char *const *good,
                      const char *const *bad)
{
    for (size_t i = 0; good[i]; i++)
        if (!is(good[i]))
            fail_msg("%s refused '%s'", name, good[i]);
    for (size_t i = 0; bad[i]; i++)
        if (is(bad[i]))
            fail_msg("%s accepted '%s'", name, bad[i]);
}

#define EXPECT_IS(is, good, bad) expect_is(#is, is, good, bad)
#define VALUES(...) ((const char *const[]){__VA_ARGS__, NULL})

static void test_vmid(void **state)
{
    (void)state;
    assert_true(ok("pve-vmid", "100"));
    assert_true(ok("pve-vmid", "999999999"));
    expect_bad("pve-vmid", "99", "value does not look like a valid VM ID");
    expect_bad("pve-vmid", "1000000000", "value does not look like a valid VM ID");
    expect_bad("pve-vmid", "0100", "value does not look like a valid VM ID");
    expect_bad("pve-vmid", "abc", "value does not look like a valid VM ID");
    assert_true(ok("pve-vmid-list", "100,101 102;103"));
    assert_true(ok("pve-vmid-list", ""));
    expect_bad("pve-vmid-list", "100,99", "value does not look like a valid VM ID");
}

static void test_node(void **state)
{
    (void)state;
    EXPECT_IS(pve_is_node, VALUES("pve1", "pve-node-2", "a"), VALUES("-pve", "pve-", "pve_1", ""));
    expect_bad("pve-node", "pve.1", "value does not look like a valid node name");
}

static void test_userid(void **state)
{
    (void)state;
    char long_id[80];
    /* the user part may contain '@'; a realm needs two characters */
    EXPECT_IS(pve_is_userid,
              VALUES("root@pam", "student01@pve", "a.b-c@my.realm-1", "first@second@pve"),
              VALUES("root", "a b@pve", "a:b@pve", "a/b@pve", "@pve", "bob@1realm", "bob@p"));
    expect_bad("pve-userid", "root", "value 'root' does not look like a valid user name");
    expect_bad("pve-userid", "a@", "user name 'a@' is too short");
    memset(long_id, 'u', 61);
    strcpy(long_id + 61, "@pve"); /* 65 characters */
    assert_false(pve_is_userid(long_id));
    char want[200];
    snprintf(want, sizeof(want), "user name '%s' is too long (65 > 64)", long_id);
    expect_bad("pve-userid", long_id, want);
    memset(long_id, 'u', 60);
    strcpy(long_id + 60, "@pve"); /* exactly 64 */
    assert_true(pve_is_userid(long_id));
    assert_true(ok("pve-userid-list", "a@pve, b@pam;c@pve"));
    expect_bad("pve-userid-list", "a@pve,bad", "value 'bad' does not look like a valid user name");
}

static void test_realm_group_role_token_priv(void **state)
{
    (void)state;
    assert_true(ok("pve-realm", "pve"));
    expect_bad("pve-realm", "1pve", "value does not look like a valid realm");
    expect_bad("pve-realm", "p", "value does not look like a valid realm");
    assert_true(ok("pve-groupid", "students-2024"));
    expect_bad("pve-groupid", "a b", "group name 'a b' contains invalid characters");
    assert_true(ok("pve-roleid", "PVEVMUser"));
    expect_bad("pve-roleid", "role!", "role name 'role!' contains invalid characters");
    assert_true(ok("pve-roleid-list", "PVEVMUser,PVEAuditor"));
    assert_true(ok("pve-tokenid", "root@pam!deploy"));
    assert_true(ok("pve-tokenid", "svc@pve!t-1.x"));
    expect_bad("pve-tokenid", "root@pam", "value 'root@pam' does not look like a valid token ID");
    expect_bad("pve-tokenid", "root@pam!1t",
               "value 'root@pam!1t' does not look like a valid token ID");
    assert_true(ok("pve-priv", "VM.Audit"));
    assert_true(ok("pve-priv-list", "VM.Clone,Datastore.AllocateSpace SDN.Use"));
    expect_bad("pve-priv", "VM.Fly", "invalid privilege 'VM.Fly'");
}

static void test_dns_name(void **state)
{
    (void)state;
    EXPECT_IS(pve_is_dns_name, VALUES("web-01", "a.b.example", "9"),
              VALUES("bad_name", "-a", "a..b", "a.", ""));
    expect_bad("dns-name", "bad_name", "value does not look like a valid DNS name");
}

static void test_mac(void **state)
{
    (void)state;
    EXPECT_IS(pve_is_mac, VALUES("BC:24:11:2E:5A:01", "bc:24:11:2e:5a:01", "02:00:00:00:00:00"),
              VALUES("01:00:5E:00:00:01" /* multicast (I/G bit) */, "BD:24:11:2E:5A:01",
                     "BC:24:11:2E:5A", "BC-24-11-2E-5A-01", "BC:24:11:2E:5A:0G"));
    expect_bad("mac-addr", "FF:FF:FF:FF:FF:FF",
               "value does not look like a valid unicast MAC address");
}

static void test_iface(void **state)
{
    (void)state;
    EXPECT_IS(pve_is_iface,
              VALUES("vmbr0", "eth0.100", "vmbr0:1", "st01", "abcdefghijklmnopqrst" /* 20 */),
              VALUES("v", "0eth", "vm-br0", "abcdefghijklmnopqrstu" /* 21 */));
    /* The bare format allows 21 (the 20-char cap is the standard option's maxLength). */
    assert_true(ok("pve-iface", "abcdefghijklmnopqrstu"));
    assert_false(ok("pve-iface", "abcdefghijklmnopqrstuv"));
    expect_bad("pve-iface", "br 0", "invalid network interface name 'br 0'");
    assert_true(ok("pve-iface-list", "eth0 eth1"));
}

static void test_poolid(void **state)
{
    (void)state;
    EXPECT_IS(pve_is_poolid, VALUES("class1", "class1/group-a", "a/b/c"),
              VALUES("a/b/c/d", "a//b", "a b", ""));
    expect_bad("pve-poolid", "a/b/c/d", "pool name 'a/b/c/d' nested too deeply (max levels = 3)");
    expect_bad("pve-poolid", "a b", "pool name 'a b' contains invalid characters");
}

static void test_tag(void **state)
{
    (void)state;
    EXPECT_IS(pve_is_tag, VALUES("prod", "a+b.c-d_e", "_x"), VALUES("-x", "x y", ""));
    assert_true(ok("pve-tag-list", "a;b,c d"));
    assert_true(ok("pve-tag-list", ""));
    assert_true(ok("pve-tag-list", " ;; "));
    expect_bad("pve-tag-list", "a;-b", "invalid characters in tag");
}

static void test_ids_and_misc(void **state)
{
    (void)state;
    assert_true(ok("pve-configid", "net0"));
    assert_true(ok("pve-configid", "snap_1-a"));
    expect_bad("pve-configid", "n", "invalid configuration ID 'n'");
    expect_bad("pve-configid", "0net", "invalid configuration ID '0net'");
    assert_true(ok("pve-configid-list", "net0,ide2"));
    assert_true(ok("pve-storage-id", "local-lvm"));
    expect_bad("pve-storage-id", "a", "storage ID 'a' contains illegal characters");
    expect_bad("pve-storage-id", "local-", "storage ID 'local-' contains illegal characters");
    assert_true(ok("pve-bridge-id", "vmbr0"));
    assert_true(ok("pve-bridge-id", "st-01_a.b"));
    expect_bad("pve-bridge-id", "vm br", "invalid bridge ID 'vm br'");
    assert_true(ok("email", "a.b+c@example.com"));
    expect_bad("email", "nope", "value does not look like a valid email address");
    assert_true(ok("email-opt", ""));
    assert_false(ok("email-opt", "x@"));
    assert_true(ok("email-or-username", "root"));
    assert_true(ok("urlencoded", "a%20b"));
    expect_bad("urlencoded", "a b", "invalid urlencoded string: a b");
    assert_true(ok("disk-size", "32G"));
    assert_true(ok("disk-size", "1.5T"));
    expect_bad("disk-size", "1.T", "value does not look like a valid disk size: 1.T");
    assert_true(ok("pve-startup-order", "order=1,up=30"));
    expect_bad("pve-startup-order", "first", "unable to parse startup options");
    assert_true(ok("pve-task-status-type", "OK"));
}

static void test_ip(void **state)
{
    (void)state;
    assert_true(ok("ipv4", "10.0.0.1"));
    expect_bad("ipv4", "10.0.0.256", "value does not look like a valid IPv4 address");
    assert_false(ok("ipv4", "01.2.3.4"));
    assert_false(ok("ipv4", "1.2.3"));
    assert_true(ok("ipv6", "fe80::1"));
    assert_true(ok("ipv6", "::ffff:1.2.3.4"));
    expect_bad("ipv6", "1::2::3", "value does not look like a valid IPv6 address");
    assert_true(ok("ip", "2001:db8::1"));
    assert_true(ok("CIDR", "10.0.0.0/8"));
    assert_true(ok("CIDR", "fd00::/64"));
    expect_bad("CIDR", "10.0.0.0/7", "value does not look like a valid CIDR network");
    expect_bad("CIDRv4", "fd00::/64", "value does not look like a valid IPv4 CIDR network");
    assert_true(ok("CIDRv6", "fd00::/128"));
    assert_false(ok("CIDRv6", "fd00::/129"));
    assert_true(ok("ipv4mask", "255.255.255.0"));
    assert_false(ok("ipv4mask", "255.0.255.0"));
    assert_true(ok("pve-ipv4-config", "dhcp"));
    assert_true(ok("pve-ipv6-config", "auto"));
    assert_true(ok("address", "pve1.example"));
}

static void test_vlan_sdn_acl(void **state)
{
    (void)state;
    assert_true(ok("pve-vlan-id-or-range", "2-4094"));
    assert_true(ok("pve-vlan-id-or-range", "100"));
    expect_bad("pve-vlan-id-or-range", "1", "invalid VLAN tag '1'");
    expect_bad("pve-vlan-id-or-range", "10-5",
               "VLAN range must go from lower to higher tag '10-5'");
    expect_bad("pve-vlan-id-or-range", "x", "invalid VLAN configuration 'x'");
    assert_true(ok("pve-vlan-id-or-range-list", "2 4 100-200"));
    assert_true(ok("pve-sdn-zone-id", "zone1"));
    expect_bad("pve-sdn-zone-id", "zone12345",
               "zone ID 'zone12345' can't be more length than 8 characters");
    expect_bad("pve-sdn-zone-id", "1z", "zone ID '1z' contains illegal characters");
    expect_bad("pve-sdn-vnet-id", "v_1", "vnet ID 'v_1' contains illegal characters");
    assert_true(ok("pve-acl-path", "/"));
    assert_true(ok("pve-acl-path", "/vms/100"));
    assert_true(ok("pve-acl-path", "/pool/class/a/b"));
    assert_true(ok("pve-acl-path", "/sdn/zones/z1/v1/10"));
    assert_true(ok("pve-acl-path", "/storage/local-lvm"));
    expect_bad("pve-acl-path", "/vms/99", "invalid ACL path '/vms/99'");
    expect_bad("pve-acl-path", "/foo", "invalid ACL path '/foo'");
    expect_bad("pve-acl-path", "/pool/a/b/c/d", "invalid ACL path '/pool/a/b/c/d'");
}

static void test_unknown_and_known(void **state)
{
    (void)state;
    assert_true(pve_format_known("pve-vmid"));
    assert_true(pve_format_known("pve-vmid-list"));
    assert_true(pve_format_known("email-opt"));
    assert_false(pve_format_known("pve-qm-ide"));
    assert_true(ok("pve-qm-ide", "anything at all")); /* unknown formats are accepted */
    assert_true(ok("string-list", "x y"));
}

static void test_patterns(void **state)
{
    (void)state;
    char ere[512];
    assert_int_equal(pve_pattern_to_ere("(?^:\\d+(?:-\\d+)?)", ere, sizeof(ere)), 0);
    assert_string_equal(ere, "^([0-9]+(-[0-9]+)?)$");
    /* net trunks */
    const char *trunks = "(?^:\\d+(?:-\\d+)?(?:;\\d+(?:-\\d+)?)*)";
    assert_int_equal(pve_pattern_match(trunks, "10;20-30"), 1);
    assert_int_equal(pve_pattern_match(trunks, "10;"), 0);
    assert_int_equal(pve_pattern_match(trunks, "x"), 0);
    /* (?^i:...) is case-insensitive only inside the group */
    const char *tags = "(?^i:[a-z0-9_][a-z0-9_\\-\\+\\.]*)(?:;(?^i:[a-z0-9_][a-z0-9_\\-\\+\\.]*))*";
    assert_int_equal(pve_pattern_match(tags, "ABC;def"), 1);
    assert_int_equal(pve_pattern_match(tags, "ABC;-def"), 0);
    assert_int_equal(pve_pattern_match("(?^:[a-z]+)(?^i:[a-z]+)", "abcDEF"), 1);
    assert_int_equal(pve_pattern_match("(?^:[a-z]+)(?^i:[a-z]+)", "ABCdef"), 0);
    /* PVE anchors as m/^$pattern$/ without a group: "^A|B$" */
    const char *rv = "(?:(?:(?:acl|properties|entry);)*(?:acl|properties|entry))|none";
    assert_int_equal(pve_pattern_match(rv, "acl;entry"), 1);
    assert_int_equal(pve_pattern_match(rv, "none"), 1);
    assert_int_equal(pve_pattern_match(rv, "xnone"), 1);
    assert_int_equal(pve_pattern_match(rv, "acl;x"), 1);
    assert_int_equal(pve_pattern_match(rv, "foo"), 0);
    /* {,n} quantifier and escapes in classes */
    const char *lbl = "[A-Za-z0-9\\-_\\s]{,16}";
    assert_int_equal(pve_pattern_match(lbl, "abc def-_0123456"), 1);
    assert_int_equal(pve_pattern_match(lbl, "abc def-_01234567"), 0);
    assert_int_equal(pve_pattern_match(lbl, ""), 1);
    /* ")-_" is a range in Perl: includes digits, ':' and upper case letters */
    const char *alias = "(?^i:[\\(\\)-_.\\w\\d\\s]{0,256})";
    assert_int_equal(pve_pattern_match(alias, "My vnet (A:1)"), 1);
    assert_int_equal(pve_pattern_match(alias, "bad|pipe"), 0);
    /* inner anchors, \/ and \x escapes */
    assert_int_equal(pve_pattern_match("^/dev/[a-zA-Z0-9\\/]+$", "/dev/sda"), 1);
    assert_int_equal(pve_pattern_match("^/dev/[a-zA-Z0-9\\/]+$", "/dev/s a"), 0);
    assert_int_equal(pve_pattern_match("^[^\\x00-\\x1F\\x7F <>#\"]*$", "https://x/y"), 1);
    assert_int_equal(pve_pattern_match("^[^\\x00-\\x1F\\x7F <>#\"]*$", "a\tb"), 0);
    assert_int_equal(pve_pattern_match("\\S+", "a b"), 0);
    assert_int_equal(pve_pattern_match("\\S+", "ab"), 1);
    /* '.' does not match a newline */
    assert_int_equal(pve_pattern_match("a.b", "a\nb"), 0);
    /* unsupported syntax is reported, not silently accepted */
    assert_int_equal(pve_pattern_match("(?=x)x", "x"), -1);
    assert_int_equal(pve_pattern_match("(a)\\1", "aa"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vmid),
        cmocka_unit_test(test_node),
        cmocka_unit_test(test_userid),
        cmocka_unit_test(test_realm_group_role_token_priv),
        cmocka_unit_test(test_dns_name),
        cmocka_unit_test(test_mac),
        cmocka_unit_test(test_iface),
        cmocka_unit_test(test_poolid),
        cmocka_unit_test(test_tag),
        cmocka_unit_test(test_ids_and_misc),
        cmocka_unit_test(test_ip),
        cmocka_unit_test(test_vlan_sdn_acl),
        cmocka_unit_test(test_unknown_and_known),
        cmocka_unit_test(test_patterns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
