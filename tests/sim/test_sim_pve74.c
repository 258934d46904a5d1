/* test_sim_pve74: pve-sim --pve-version 7.4 answers as Proxmox VE 7.4 (its schema refuses what
 * only 8.x knows, /version and node status say 7.4, json error bodies carry no "message": it is in
 * the status line only), the default stays 8.4, and /__sim/requests logs what clients sent. */
#include "sim_test_util.h"

static struct simctx S74, S84;

static int setup(void **st)
{
    (void)st;
    static const char *const a74[] = {"--time-scale", "0.01", "--pve-version", "7.4", NULL};
    static const char *const a84[] = {"--time-scale", "0.01", NULL};
    if (tu_start(&S74, a74) != 0)
        return -1;
    return tu_start(&S84, a84);
}

static int teardown(void **st)
{
    (void)st;
    tu_stop(&S74);
    tu_stop(&S84);
    return 0;
}

/* A request that must answer `status` with `reason` in the status line; *body gets the body. */
static void expect_line(struct simctx *c, const char *method, const char *path, const char *body,
                        long status, const char *reason, char **out)
{
    struct rawresp r = {0};
    assert_int_equal(tu_req(c, method, body, &r, "%s", path), status);
    assert_string_equal(r.reason, reason);
    *out = strdup(r.body);
    rawresp_clear(&r);
}

static void test_version(void **st)
{
    (void)st;
    struct rawresp r = {0};
    assert_int_equal(tu_req(&S74, "GET", NULL, &r, "/version"), 200);
    assert_string_equal(json_string_value(json_object_get(tu_data(&r), "version")), "7.4-17");
    assert_string_equal(json_string_value(json_object_get(tu_data(&r), "release")), "7.4");
    rawresp_clear(&r);
    assert_int_equal(tu_req(&S84, "GET", NULL, &r, "/version"), 200);
    assert_string_equal(json_string_value(json_object_get(tu_data(&r), "release")), "8.4");
    rawresp_clear(&r);
    assert_int_equal(tu_req(&S74, "GET", NULL, &r, "/nodes/pve1/status"), 200);
    assert_string_equal(json_string_value(json_object_get(tu_data(&r), "pveversion")),
                        "pve-manager/7.4-17/513c62be");
    assert_null(json_object_get(tu_data(&r), "boot-info"));
    rawresp_clear(&r);
}

/* The message: 7.4 in the status line only, 8.4 also in the body; extjs has it in both. */
static void test_error_bodies(void **st)
{
    (void)st;
    const char *msg = "create user failed: user 'teacher@pve' already exists";
    char *body;
    expect_line(&S74, "POST", "/access/users", "userid=teacher%40pve", 500, msg, &body);
    assert_string_equal(body, "{\"data\":null}");
    free(body);
    expect_line(&S84, "POST", "/access/users", "userid=teacher%40pve", 500, msg, &body);
    assert_non_null(strstr(body, "\"message\":\"create user failed"));
    free(body);
    expect_line(&S74, "GET", "/cluster/nextid?vmid=100", NULL, 400,
                "Parameter verification failed.", &body);
    assert_string_equal(body, "{\"data\":null,\"errors\":{\"vmid\":\"VM 100 already exists\"}}");
    free(body);
    struct rawresp r = {0};
    const char *hdrs[] = {S74.cookie, S74.csrf, NULL};
    assert_int_equal(simproc_request(&S74.sp, "POST", "/api2/extjs/access/users",
                                     "userid=teacher%40pve", hdrs, &r),
                     0);
    assert_int_equal(r.status, 200);
    assert_string_equal(tu_msg(&r), "create user failed: user 'teacher@pve' already exists\n");
    rawresp_clear(&r);
}

/* What only PVE 8.x has is refused as 7.4 refuses it. */
static void test_74_schema(void **st)
{
    (void)st;
    char *body;
    expect_line(&S74, "PUT", "/pools", "poolid=teachers", 501,
                "Method 'PUT /pools' not implemented", &body);
    free(body);
    expect_line(&S74, "PUT", "/pools/teachers", "allow-move=1", 400,
                "Parameter verification failed.", &body);
    assert_non_null(strstr(body, "\"allow-move\":\"property is not defined in schema"));
    free(body);
    expect_line(&S84, "PUT", "/pools/teachers", "allow-move=1", 200, "OK", &body);
    free(body);
    /* what both have works */
    expect_line(&S74, "PUT", "/pools/teachers", "comment=ok", 200, "OK", &body);
    free(body);
}

/* /__sim/requests: method, path and parameters as sent, passwords masked, status; DELETE and
 * reset empty it. */
static void test_request_log(void **st)
{
    (void)st;
    struct rawresp r = {0};
    assert_int_equal(simproc_request(&S74.sp, "DELETE", "/__sim/requests", NULL, NULL, &r), 0);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&S74, "GET", NULL, &r, "/cluster/resources?type=vm"), 200);
    rawresp_clear(&r);
    assert_int_equal(simproc_request(&S74.sp, "POST", "/api2/json/access/ticket",
                                     "username=root%40pam&password=abc", NULL, &r),
                     0);
    rawresp_clear(&r);
    assert_int_equal(simproc_request(&S74.sp, "GET", "/__sim/requests", NULL, NULL, &r), 0);
    json_t *reqs = json_object_get(r.json, "requests");
    assert_int_equal(json_array_size(reqs), 2);
    json_t *q = json_array_get(reqs, 0);
    assert_string_equal(json_string_value(json_object_get(q, "method")), "GET");
    assert_string_equal(json_string_value(json_object_get(q, "path")), "/cluster/resources");
    assert_string_equal(json_string_value(json_object_get(json_object_get(q, "params"), "type")),
                        "vm");
    assert_int_equal(json_integer_value(json_object_get(q, "status")), 200);
    q = json_array_get(reqs, 1);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(q, "params"), "password")), "***");
    assert_int_equal(json_integer_value(json_object_get(q, "status")), 401);
    rawresp_clear(&r);
    assert_int_equal(simproc_request(&S74.sp, "POST", "/__sim/reset", NULL, NULL, &r), 0);
    rawresp_clear(&r);
    assert_int_equal(simproc_request(&S74.sp, "GET", "/__sim/requests", NULL, NULL, &r), 0);
    assert_int_equal(json_array_size(json_object_get(r.json, "requests")), 0);
    rawresp_clear(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_error_bodies),
        cmocka_unit_test(test_74_schema),
        cmocka_unit_test(test_request_log),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
