/* test_pve_schema: the embedded PVE 8.4 table (605 endpoints), path matching (literal beats
 * {param}) and the strict validator's PVE messages for the requests deploy-stand sends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embedded.h"
#include "pve_format.h"
#include "pve_schema.h"

static pve_schema *schema;

static int setup(void **state)
{
    (void)state;
    schema = pve_schema_load_embedded();
    return schema ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    pve_schema_free(schema);
    return 0;
}

static const pve_endpoint *ep_get(const char *key)
{
    const pve_endpoint *ep = pve_schema_endpoint(schema, key);
    if (!ep)
        fail_msg("endpoint %s missing", key);
    return ep;
}

/* Validates params given as JSON text; returns the errors object (or NULL when valid). */
static json_t *check(const char *key, const char *params_json, json_t **normalized)
{
    json_error_t jerr;
    json_t *params = json_loads(params_json, 0, &jerr);
    if (!params)
        fail_msg("bad test JSON %s: %s", params_json, jerr.text);
    json_t *errs = pve_schema_validate(ep_get(key), params, normalized);
    json_decref(params);
    return errs;
}

static void expect_ok(const char *key, const char *params_json)
{
    json_t *errs = check(key, params_json, NULL);
    if (errs) {
        char *s = json_dumps(errs, JSON_SORT_KEYS);
        fail_msg("%s %s rejected: %s", key, params_json, s);
    }
}

/* Expects exactly one error, under `param`, with message `want`. */
static void expect_err(const char *key, const char *params_json, const char *param,
                       const char *want)
{
    json_t *norm = NULL;
    json_t *errs = check(key, params_json, &norm);
    if (!errs)
        fail_msg("%s %s accepted", key, params_json);
    assert_null(norm);
    char *all = json_dumps(errs, JSON_SORT_KEYS);
    const char *got = json_string_value(json_object_get(errs, param));
    if (!got || strcmp(got, want) != 0 || json_object_size(errs) != 1)
        fail_msg("%s %s: expected {%s: %s}, got %s", key, params_json, param, want, all);
    free(all);
    json_decref(errs);
}

static void test_load_count(void **state)
{
    (void)state;
    assert_int_equal(pve_schema_count(schema), 605);
    const pve_endpoint *ep = ep_get("POST /access/ticket");
    assert_string_equal(ep->method, "POST");
    assert_string_equal(ep->path_template, "/access/ticket");
    assert_int_equal(ep->allowtoken, 0);
    assert_int_equal(ep_get("POST /nodes/{node}/qemu/{vmid}/clone")->allowtoken, 1);
    assert_non_null(ep_get("PUT /access/acl")->permissions);
    assert_null(pve_schema_load_text("{\"BAD\":{}}", 10));
    assert_null(pve_schema_load_text("not json", 8));
}

static void test_match(void **state)
{
    (void)state;
    const pve_endpoint *ep;
    json_t *pp;
    assert_int_equal(pve_schema_match(schema, "GET", "/nodes/pve1/qemu", &ep, &pp), PVE_MATCH_OK);
    assert_string_equal(ep->key, "GET /nodes/{node}/qemu");
    assert_string_equal(json_string_value(json_object_get(pp, "node")), "pve1");
    assert_int_equal(json_object_size(pp), 1);
    json_decref(pp);

    assert_int_equal(pve_schema_match(schema, "GET", "/nodes/pve1/qemu/100/config", &ep, &pp),
                     PVE_MATCH_OK);
    assert_string_equal(ep->key, "GET /nodes/{node}/qemu/{vmid}/config");
    assert_string_equal(json_string_value(json_object_get(pp, "vmid")), "100");
    json_decref(pp);

    /* literal segment wins over {param}: /pools vs /pools/{poolid} */
    assert_int_equal(pve_schema_match(schema, "PUT", "/pools", &ep, &pp), PVE_MATCH_OK);
    assert_string_equal(ep->key, "PUT /pools");
    assert_int_equal(json_object_size(pp), 0);
    json_decref(pp);
    assert_int_equal(pve_schema_match(schema, "PUT", "/pools/class1", &ep, &pp), PVE_MATCH_OK);
    assert_string_equal(ep->key, "PUT /pools/{poolid}");
    assert_string_equal(json_string_value(json_object_get(pp, "poolid")), "class1");
    json_decref(pp);
    /* /cluster/nextid is literal; /cluster/sdn/vnets/{vnet} captures */
    assert_int_equal(pve_schema_match(schema, "GET", "/cluster/nextid", &ep, NULL), PVE_MATCH_OK);
    assert_string_equal(ep->key, "GET /cluster/nextid");
    assert_int_equal(pve_schema_match(schema, "DELETE", "/cluster/sdn/vnets/st01", &ep, &pp),
                     PVE_MATCH_OK);
    assert_string_equal(json_string_value(json_object_get(pp, "vnet")), "st01");
    json_decref(pp);
    /* escapes are decoded, empty segments ignored */
    assert_int_equal(pve_schema_match(schema, "DELETE", "/access/users/alice%40pve/", &ep, &pp),
                     PVE_MATCH_OK);
    assert_string_equal(ep->key, "DELETE /access/users/{userid}");
    assert_string_equal(json_string_value(json_object_get(pp, "userid")), "alice@pve");
    json_decref(pp);
    const char *upid =
        "/nodes/pve1/tasks/UPID:pve1:002E096A:0E10F08E:6382D261:qmclone:9000:root@pam:/status";
    assert_int_equal(pve_schema_match(schema, "GET", upid, &ep, &pp), PVE_MATCH_OK);
    assert_string_equal(ep->key, "GET /nodes/{node}/tasks/{upid}/status");
    json_decref(pp);

    /* no such path vs. wrong method */
    pp = (json_t *)1;
    assert_int_equal(pve_schema_match(schema, "GET", "/foo", &ep, &pp), PVE_MATCH_NO_PATH);
    assert_null(ep);
    assert_null(pp);
    assert_int_equal(pve_schema_match(schema, "GET", "/nodes/pve1/qemu/100/config/extra", &ep, &pp),
                     PVE_MATCH_NO_PATH);
    assert_int_equal(pve_schema_match(schema, "DELETE", "/cluster/nextid", &ep, &pp),
                     PVE_MATCH_NO_METHOD);
    assert_int_equal(pve_schema_match(schema, "PATCH", "/nodes", &ep, &pp), PVE_MATCH_NO_METHOD);
    assert_int_equal(pve_schema_match(schema, "POST", "/nodes/pve1/qemu/100/clone", &ep, &pp),
                     PVE_MATCH_OK);
    json_decref(pp);
}

#define CLONE "POST /nodes/{node}/qemu/{vmid}/clone"

static void test_validate_clone(void **state)
{
    (void)state;
    expect_ok(CLONE, "{\"node\":\"pve1\",\"vmid\":\"9000\",\"newid\":\"101\"}");
    expect_ok(CLONE,
              "{\"node\":\"pve1\",\"vmid\":9000,\"newid\":101,\"full\":true,\"name\":\"st01-web\","
              "\"pool\":\"class1/st01\"}");
    expect_err(CLONE, "{\"node\":\"pve1\",\"vmid\":\"9000\"}", "newid",
               "property is missing and it is not optional");
    expect_err(CLONE, "{\"node\":\"pve1\",\"vmid\":\"9000\",\"newid\":\"abc\"}", "newid",
               "type check ('integer') failed - got 'abc'");
    /* the format check runs before minimum: 99 fails the pve-vmid regex */
    expect_err(CLONE, "{\"node\":\"pve1\",\"vmid\":\"9000\",\"newid\":\"99\"}", "newid",
               "invalid format - value does not look like a valid VM ID");
    expect_err(CLONE, "{\"node\":\"pve1\",\"vmid\":\"9000\",\"newid\":\"101\",\"colour\":\"red\"}",
               "colour",
               "property is not defined in schema and the schema does not allow additional "
               "properties");
    expect_err(CLONE, "{\"node\":\"pve1\",\"vmid\":\"9000\",\"newid\":\"101\",\"full\":\"true\"}",
               "full", "type check ('boolean') failed - got 'true'");
    expect_ok(CLONE, "{\"node\":\"pve1\",\"vmid\":\"9000\",\"newid\":\"101\",\"full\":\"1\"}");
    expect_err(CLONE, "{\"node\":\"pve1\",\"vmid\":\"9000\",\"newid\":\"101\",\"full\":2}", "full",
               "type check ('boolean') failed - got '2'");
    expect_err(CLONE, "{\"node\":\"pve1\",\"vmid\":\"9000\",\"newid\":true}", "newid",
               "type check ('integer') failed - got JSON::PP::Boolean");
    expect_err(CLONE,
               "{\"node\":\"pve1\",\"vmid\":\"9000\",\"newid\":\"101\",\"name\":\"bad_name\"}",
               "name", "invalid format - value does not look like a valid DNS name");
    expect_err(CLONE, "{\"node\":\"pve1\",\"vmid\":\"9000\",\"newid\":\"101\",\"pool\":\"a b\"}",
               "pool", "invalid format - pool name 'a b' contains invalid characters");
    expect_err(CLONE, "{\"node\":\"pve1\",\"vmid\":\"9000\",\"newid\":\"101\",\"format\":\"vdi\"}",
               "format", "value 'vdi' does not have a value in the enumeration 'raw, qcow2, vmdk'");
    expect_err(CLONE, "{\"node\":\"pve1\",\"vmid\":\"9000\",\"newid\":\"101\",\"bwlimit\":\"-1\"}",
               "bwlimit", "value must have a minimum value of 0");
    expect_err(CLONE, "{\"node\":\"pve_1\",\"vmid\":\"9000\",\"newid\":\"101\"}", "node",
               "invalid format - value does not look like a valid node name");

    /* several problems at once are all reported */
    json_t *errs = check(CLONE, "{\"vmid\":\"x\",\"extra\":1}", NULL);
    assert_non_null(errs);
    assert_int_equal(json_object_size(errs), 4); /* node, newid missing; vmid type; extra */
    json_decref(errs);
}

static void test_normalized(void **state)
{
    (void)state;
    json_t *norm = NULL;
    json_t *errs = check(CLONE,
                         "{\"node\":\"pve1\",\"vmid\":\"9000\",\"newid\":\"101\",\"full\":\"0\","
                         "\"bwlimit\":\"+2048\",\"name\":\"web\",\"description\":null}",
                         &norm);
    assert_null(errs);
    assert_non_null(norm);
    assert_true(json_is_integer(json_object_get(norm, "vmid")));
    assert_int_equal(json_integer_value(json_object_get(norm, "vmid")), 9000);
    assert_int_equal(json_integer_value(json_object_get(norm, "newid")), 101);
    assert_true(json_is_integer(json_object_get(norm, "full")));
    assert_int_equal(json_integer_value(json_object_get(norm, "full")), 0);
    assert_int_equal(json_integer_value(json_object_get(norm, "bwlimit")), 2048);
    assert_string_equal(json_string_value(json_object_get(norm, "node")), "pve1");
    assert_null(json_object_get(norm, "description")); /* null = absent */
    json_decref(norm);

    norm = NULL;
    errs = check(CLONE, "{\"node\":\"pve1\",\"vmid\":\"9000\",\"newid\":\"101\",\"full\":true}",
                 &norm);
    assert_null(errs);
    assert_int_equal(json_integer_value(json_object_get(norm, "full")), 1);
    json_decref(norm);

    /* number type -> real */
    norm = NULL;
    errs = check("PUT /nodes/{node}/qemu/{vmid}/config",
                 "{\"node\":\"pve1\",\"vmid\":\"100\",\"cpulimit\":\"1.5\"}", &norm);
    assert_null(errs);
    assert_true(json_is_real(json_object_get(norm, "cpulimit")));
    json_decref(norm);
}

static void test_validate_users_acl(void **state)
{
    (void)state;
    expect_ok("POST /access/users", "{\"userid\":\"st01@pve\",\"password\":\"12345678\"}");
    expect_err("POST /access/users", "{\"userid\":\"st01@pve\",\"password\":\"1234567\"}",
               "password", "value must be at least 8 characters long");
    expect_err("POST /access/users", "{\"userid\":\"st01\"}", "userid",
               "invalid format - value 'st01' does not look like a valid user name");
    expect_err("POST /access/users", "{\"userid\":\"st01@pve\",\"email\":\"x\"}", "email",
               "invalid format - value does not look like a valid email address");
    expect_ok("POST /access/users", "{\"userid\":\"st01@pve\",\"email\":\"\"}");

    expect_ok("PUT /access/acl",
              "{\"path\":\"/vms/101\",\"roles\":\"PVEVMUser\",\"users\":\"st01@pve\"}");
    expect_ok(
        "PUT /access/acl",
        "{\"path\":\"/pool/class1\",\"roles\":\"PVEVMUser,PVEAuditor\",\"users\":\"a@pve b@pve\","
        "\"propagate\":\"0\"}");
    expect_err("PUT /access/acl", "{\"roles\":\"PVEVMUser\",\"users\":\"st01@pve\"}", "path",
               "property is missing and it is not optional");
    expect_err("PUT /access/acl", "{\"path\":\"/\",\"roles\":\"bad!role\",\"users\":\"st01@pve\"}",
               "roles", "invalid format - role name 'bad!role' contains invalid characters");
    expect_err("PUT /access/acl",
               "{\"path\":\"/\",\"roles\":\"PVEVMUser\",\"users\":\"x@pve,yyy\"}", "users",
               "invalid format - value 'yyy' does not look like a valid user name");
}

#define CONFIG "PUT /nodes/{node}/qemu/{vmid}/config"

static void test_validate_config_net(void **state)
{
    (void)state;
    expect_ok(CONFIG,
              "{\"node\":\"pve1\",\"vmid\":\"101\",\"net0\":\"virtio,bridge=st01,firewall=1\"}");
    expect_ok(CONFIG, "{\"node\":\"pve1\",\"vmid\":\"101\",\"net31\":\"e1000=BC:24:11:00:00:01\"}");
    expect_err(CONFIG, "{\"node\":\"pve1\",\"vmid\":\"101\",\"net0\":\"virtio,tag=4095\"}", "net0",
               "invalid format - format error\nnet0.tag: value must have a maximum value of 4094");
    expect_err(
        CONFIG, "{\"node\":\"pve1\",\"vmid\":\"101\",\"net1\":\"foo,bridge=vmbr0\"}", "net1",
        "invalid format - format error\nnet1.model: value 'foo' does not have a value in the "
        "enumeration 'e1000, e1000-82540em, e1000-82544gc, e1000-82545em, e1000e, i82551, "
        "i82557b, i82559er, ne2k_isa, ne2k_pci, pcnet, rtl8139, virtio, vmxnet3'");
    expect_err(CONFIG, "{\"node\":\"pve1\",\"vmid\":\"101\",\"net0\":\"virtio,colour=red\"}",
               "net0", "invalid format - invalid key in comma-separated list property: colour");
    const char *undefined =
        "property is not defined in schema and the schema does not allow additional properties";
    expect_err(CONFIG, "{\"node\":\"pve1\",\"vmid\":\"101\",\"net32\":\"virtio\"}", "net32",
               undefined);
    expect_err(CONFIG, "{\"node\":\"pve1\",\"vmid\":\"101\",\"net01\":\"virtio\"}", "net01",
               undefined);
    expect_err(CONFIG, "{\"node\":\"pve1\",\"vmid\":\"101\",\"ide4\":\"none\"}", "ide4", undefined);
    expect_ok(CONFIG, "{\"node\":\"pve1\",\"vmid\":\"101\",\"ide3\":\"none,media=cdrom\"}");
    expect_ok(CONFIG, "{\"node\":\"pve1\",\"vmid\":\"101\",\"scsi30\":\"local-lvm:4\"}");
    expect_err(CONFIG, "{\"node\":\"pve1\",\"vmid\":\"101\",\"scsi31\":\"local-lvm:4\"}", "scsi31",
               undefined);
    /* requires: force needs delete */
    expect_err(CONFIG, "{\"node\":\"pve1\",\"vmid\":\"101\",\"force\":\"1\"}", "delete",
               "missing property - 'force' requires this property");
    expect_ok(CONFIG,
              "{\"node\":\"pve1\",\"vmid\":\"101\",\"force\":\"1\",\"delete\":\"net1,unused0\"}");
    expect_err(CONFIG, "{\"node\":\"pve1\",\"vmid\":\"101\",\"name\":\"a.b_c\"}", "name",
               "invalid format - value does not look like a valid DNS name");
    expect_err(CONFIG,
               "{\"node\":\"pve1\",\"vmid\":\"101\",\"digest\":\"" /* 41 chars */
               "0123456789012345678901234567890123456789x\"}",
               "digest", "value may only be 40 characters long");
}

static void test_validate_enum_misc(void **state)
{
    (void)state;
    expect_ok("GET /cluster/resources", "{\"type\":\"vm\"}");
    expect_ok("GET /cluster/resources", "{}");
    expect_err("GET /cluster/resources", "{\"type\":\"foo\"}", "type",
               "value 'foo' does not have a value in the enumeration 'vm, storage, node, sdn'");
    expect_ok("GET /cluster/nextid", "{\"vmid\":\"100\"}");
    expect_ok("POST /nodes/{node}/network",
              "{\"node\":\"pve1\",\"iface\":\"st01\",\"type\":\"bridge\",\"autostart\":1}");
    expect_err("POST /nodes/{node}/network",
               "{\"node\":\"pve1\",\"iface\":\"s\",\"type\":\"bridge\"}", "iface",
               "invalid format - invalid network interface name 's'");
    expect_ok("POST /pools", "{\"poolid\":\"class1/st01\",\"comment\":\"x\"}");
    expect_err("POST /pools", "{\"poolid\":\"a/b/c/d\"}", "poolid",
               "invalid format - pool name 'a/b/c/d' nested too deeply (max levels = 3)");
    expect_ok("POST /cluster/sdn/vnets", "{\"vnet\":\"st01\",\"zone\":\"class\",\"tag\":\"10\"}");
    expect_err("POST /cluster/sdn/zones", "{\"zone\":\"toolongzone\",\"type\":\"simple\"}", "zone",
               "invalid format - zone ID 'toolongzone' can't be more length than 8 characters");
}

static void test_validate_array(void **state)
{
    (void)state;
    const char *k = "POST /cluster/notifications/endpoints/sendmail";
    json_t *norm = NULL;
    json_t *errs = check(k, "{\"name\":\"mail1\",\"mailto-user\":[\"root@pam\",\"a@pve\"]}", &norm);
    assert_null(errs);
    assert_int_equal(json_array_size(json_object_get(norm, "mailto-user")), 2);
    json_decref(norm);
    /* a form value is a one-element list */
    norm = NULL;
    errs = check(k, "{\"name\":\"mail1\",\"mailto-user\":\"root@pam\"}", &norm);
    assert_null(errs);
    assert_string_equal(json_string_value(json_array_get(json_object_get(norm, "mailto-user"), 0)),
                        "root@pam");
    json_decref(norm);
    expect_err(k, "{\"name\":\"mail1\",\"mailto-user\":[\"root@pam\",\"bad\"]}", "mailto-user[1]",
               "invalid format - value 'bad' does not look like a valid user name");
    expect_err(k, "{\"name\":\"mail1\",\"mailto-user\":{}}", "mailto-user",
               "type check ('array') failed");
}

/* Every pattern in the table must translate and compile (none silently skipped). */
static void patterns_walk(const json_t *v, int *count)
{
    const char *k;
    json_t *sub;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, k, sub)
        {
            if (strcmp(k, "pattern") == 0 && json_is_string(sub)) {
                int r = pve_pattern_match(json_string_value(sub), "");
                if (r < 0)
                    fail_msg("pattern does not translate: %s", json_string_value(sub));
                (*count)++;
            } else {
                patterns_walk(sub, count);
            }
        }
    } else if (json_is_array(v)) {
        json_array_foreach((json_t *)v, i, sub)
        {
            patterns_walk(sub, count);
        }
    }
}

static void test_all_patterns_compile(void **state)
{
    (void)state;
    int count = 0;
    size_t len = 0;
    const char *text = embedded_get("common/pve_schema_table.json", &len);
    assert_non_null(text);
    json_t *table = json_loadb(text, len, 0, NULL);
    assert_non_null(table);
    patterns_walk(table, &count);
    json_decref(table);
    assert_true(count >= 200); /* 218 pattern occurrences in PVE 8.4 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_count),           cmocka_unit_test(test_match),
        cmocka_unit_test(test_validate_clone),       cmocka_unit_test(test_normalized),
        cmocka_unit_test(test_validate_users_acl),   cmocka_unit_test(test_validate_config_net),
        cmocka_unit_test(test_validate_enum_misc),   cmocka_unit_test(test_validate_array),
        cmocka_unit_test(test_all_patterns_compile),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
