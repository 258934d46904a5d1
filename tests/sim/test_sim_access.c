/* test_sim_access: pve-sim users, ACLs, roles, tokens and pools over raw HTTPS, and what a
 * student with PVEVMUser on /pool/<p> may see and do. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim_test_util.h"

static struct simctx C;

static int setup(void **state)
{
    return tu_group_setup(state, &C);
}

static void test_users(void **state)
{
    (void)state;
    struct rawresp r;
    assert_int_equal(tu_req(&C, "POST", "userid=alice%40pve&password=alice-pass-1&comment=a", &r,
                            "/access/users"),
                     200);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "POST", "userid=alice%40pve", &r, "/access/users"), 500);
    assert_string_equal(tu_msg(&r), "create user failed: user 'alice@pve' already exists\n");
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "POST", "userid=bob%40pve&password=short", &r, "/access/users"),
                     400);
    assert_string_equal(tu_err(&r, "password"), "value must be at least 8 characters long");
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "POST", "userid=nouser", &r, "/access/users"), 400);
    assert_non_null(strstr(tu_err(&r, "userid"), "invalid format"));
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "PUT", "comment=changed&enable=0", &r, "/access/users/alice@pve"),
                     200);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "GET", NULL, &r, "/access/users/alice@pve"), 200);
    assert_string_equal(json_string_value(json_object_get(tu_data(&r), "comment")), "changed");
    assert_int_equal(json_integer_value(json_object_get(tu_data(&r), "enable")), 0);
    rawresp_clear(&r);
    /* a disabled user cannot log in */
    char ck[1024], cs[256];
    assert_int_equal(
        simproc_login(&C.sp, "alice@pve", "alice-pass-1", ck, sizeof ck, cs, sizeof cs), -1);
    assert_int_equal(tu_req(&C, "GET", NULL, &r, "/access/users?full=1"), 200);
    int found = 0;
    size_t i;
    json_t *u;
    json_array_foreach(tu_data(&r), i, u)
    {
        if (strcmp(json_string_value(json_object_get(u, "userid")), "alice@pve") == 0)
            found = 1;
        assert_non_null(json_object_get(u, "tokens"));
    }
    assert_true(found);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "DELETE", NULL, &r, "/access/users/alice@pve"), 200);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "GET", NULL, &r, "/access/users/alice@pve"), 500);
    rawresp_clear(&r);
}

/* groups= naming a missing group: the whole message, with the lock's prefix, and nothing is
 * created or changed (issue 13: the message was read from freed memory). */
static void test_user_missing_group(void **state)
{
    (void)state;
    tu_expect(&C, "POST", "userid=gina%40pve&groups=teachers%2Cnosuchgroup", "/access/users", 500,
              "create user failed: no such group 'nosuchgroup'\n");
    tu_expect(&C, "GET", NULL, "/access/users/gina@pve", 500, NULL);
    tu_expect(&C, "POST", "userid=gina%40pve&comment=before", "/access/users", 200, NULL);
    tu_expect(&C, "PUT", "comment=after&groups=ghost-group-with-a-long-name",
              "/access/users/gina@pve", 500,
              "update user failed: no such group 'ghost-group-with-a-long-name'\n");
    tu_expect(&C, "PUT", "comment=x", "/access/users/nobody@pve", 500,
              "update user failed: no such user ('nobody@pve')\n");
    struct rawresp r;
    assert_int_equal(tu_req(&C, "GET", NULL, &r, "/access/users/gina@pve"), 200);
    assert_string_equal(json_string_value(json_object_get(tu_data(&r), "comment")), "before");
    rawresp_clear(&r);
    tu_expect(&C, "DELETE", NULL, "/access/users/gina@pve", 200, NULL);
}

/* The privilege list of a role from GET /access/roles (malloc'd), or NULL. */
static char *role_privs(json_t *list, const char *roleid)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, "roleid")), roleid) == 0)
            return strdup(json_string_value(json_object_get(v, "privs")));
    }
    return NULL;
}

/* Known facts of PVE 8.4's built-in roles (pve-access-control create_roles). */
static void test_builtin_roles(void **state)
{
    (void)state;
    static const char *const exact[][2] = {
        {"PVEUserAdmin", "Group.Allocate,Realm.AllocateUser,User.Modify"},
        {"PVESysAdmin", "Sys.Audit,Sys.Console,Sys.Syslog"},
        {"PVETemplateUser", "VM.Audit,VM.Clone"},
        {"PVEVMUser",
         "VM.Audit,VM.Backup,VM.Config.CDROM,VM.Config.Cloudinit,VM.Console,VM.PowerMgmt"},
        {"PVEVMAdmin", "VM.Allocate,VM.Audit,VM.Backup,VM.Clone,VM.Config.CDROM,VM.Config.CPU,"
                       "VM.Config.Cloudinit,VM.Config.Disk,VM.Config.HWType,VM.Config.Memory,"
                       "VM.Config.Network,VM.Config.Options,VM.Console,VM.Migrate,VM.Monitor,"
                       "VM.PowerMgmt,VM.Snapshot,VM.Snapshot.Rollback"},
        {"PVEAuditor", "Datastore.Audit,Mapping.Audit,Pool.Audit,SDN.Audit,Sys.Audit,VM.Audit"},
        {"PVEPoolUser", "Pool.Audit"},
        {"NoAccess", ""}};
    struct rawresp r;
    assert_int_equal(tu_req(&C, "GET", NULL, &r, "/access/roles"), 200);
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++) {
        char *p = role_privs(tu_data(&r), exact[i][0]);
        assert_non_null(p);
        assert_string_equal(p, exact[i][1]);
        free(p);
    }
    char *admin = role_privs(tu_data(&r), "PVEAdmin");
    assert_non_null(admin);
    assert_null(strstr(admin, "Permissions.Modify"));
    assert_null(strstr(admin, "Sys.Modify"));
    assert_null(strstr(admin, "Mapping.Modify"));
    assert_null(strstr(admin, "Realm.Allocate,"));
    assert_non_null(strstr(admin, "VM.Migrate"));
    assert_non_null(strstr(admin, "Realm.AllocateUser"));
    free(admin);
    char *all = role_privs(tu_data(&r), "Administrator");
    assert_non_null(strstr(all, "Permissions.Modify"));
    assert_non_null(strstr(all, "Sys.AccessNetwork"));
    free(all);
    rawresp_clear(&r);
}

static void test_acl_roles(void **state)
{
    (void)state;
    struct rawresp r;
    assert_int_equal(tu_req(&C, "GET", NULL, &r, "/access/roles"), 200);
    int ok = 0;
    size_t i;
    json_t *v;
    json_array_foreach(tu_data(&r), i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, "roleid")), "PVEVMUser") == 0) {
            const char *p = json_string_value(json_object_get(v, "privs"));
            ok = strstr(p, "VM.PowerMgmt") && strstr(p, "VM.Audit") && strstr(p, "VM.Console") &&
                 !strstr(p, "VM.Allocate");
            assert_int_equal(json_integer_value(json_object_get(v, "special")), 1);
        }
    }
    assert_true(ok);
    rawresp_clear(&r);
    assert_int_equal(
        tu_req(&C, "PUT", "path=%2Fnowhere&roles=PVEVMUser&users=teacher%40pve", &r, "/access/acl"),
        400);
    assert_string_equal(tu_err(&r, "path"), "invalid ACL path '/nowhere'");
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "PUT", "path=%2Fvms%2F100&roles=NoSuchRole&users=teacher%40pve", &r,
                            "/access/acl"),
                     500);
    assert_string_equal(tu_msg(&r), "ACL update failed: role 'NoSuchRole' does not exist\n");
    rawresp_clear(&r);
    assert_int_equal(
        tu_req(&C, "PUT", "path=%2Fvms%2F100&roles=PVEVMUser&users=ghost%40pve", &r, "/access/acl"),
        500);
    assert_string_equal(tu_msg(&r), "ACL update failed: user 'ghost@pve' does not exist\n");
    rawresp_clear(&r);
    assert_int_equal(
        tu_req(&C, "PUT", "path=%2Fvms%2F100&roles=PVETemplateUser", &r, "/access/acl"), 400);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "PUT",
                            "path=%2Fvms%2F100&roles=PVETemplateUser&users=teacher%40pve", &r,
                            "/access/acl"),
                     200);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "GET", NULL, &r, "/access/acl"), 200);
    int n = 0;
    json_array_foreach(tu_data(&r), i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, "path")), "/vms/100") == 0 &&
            strcmp(json_string_value(json_object_get(v, "ugid")), "teacher@pve") == 0)
            n++;
    }
    assert_int_equal(n, 1);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "PUT",
                            "path=%2Fvms%2F100&roles=PVETemplateUser&users=teacher%40pve&delete=1",
                            &r, "/access/acl"),
                     200);
    rawresp_clear(&r);
}

static void test_pools(void **state)
{
    (void)state;
    struct rawresp r;
    assert_int_equal(tu_req(&C, "POST", "poolid=p1&comment=first", &r, "/pools"), 200);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "POST", "poolid=p1", &r, "/pools"), 500);
    assert_string_equal(tu_msg(&r), "create pool failed: pool 'p1' already exists\n");
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "PUT", "poolid=p1&vms=200", &r, "/pools"), 500);
    assert_string_equal(tu_msg(&r), "update pools failed: VM 200 belongs already to pool "
                                    "'teachers' and 'allow-move' is not set\n");
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "PUT", "poolid=p1&vms=101&storage=local", &r, "/pools"), 200);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "GET", NULL, &r, "/pools?poolid=p1"), 200);
    json_t *p = json_array_get(tu_data(&r), 0);
    assert_string_equal(json_string_value(json_object_get(p, "poolid")), "p1");
    assert_true(json_array_size(json_object_get(p, "members")) >= 2);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "DELETE", NULL, &r, "/pools?poolid=p1"), 500);
    assert_string_equal(tu_msg(&r),
                        "delete pool failed: pool 'p1' is not empty (contains VM 101)\n");
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "PUT", "vms=101&delete=1", &r, "/pools/p1"), 200);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "DELETE", NULL, &r, "/pools/p1"), 500);
    assert_string_equal(tu_msg(&r),
                        "delete pool failed: pool 'p1' is not empty (contains storage 'local')\n");
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "PUT", "poolid=p1&storage=local&delete=1", &r, "/pools"), 200);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "DELETE", NULL, &r, "/pools?poolid=p1"), 200);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&C, "GET", NULL, &r, "/pools"), 200);
    size_t i;
    json_t *v;
    json_array_foreach(tu_data(&r), i, v)
    {
        assert_string_not_equal(json_string_value(json_object_get(v, "poolid")), "p1");
    }
    rawresp_clear(&r);
}

/* student1@pve with PVEVMUser on /pool/student1, which holds VM 6001 (a clone of 100). */
static void student_with_vm(void)
{
    tu_expect(&C, "POST", "poolid=student1", "/pools", 200, NULL);
    tu_expect(&C, "POST", "userid=student1%40pve&password=student-pass-1", "/access/users", 200,
              NULL);
    char *es = tu_run_task(&C, "pve1", "POST", "newid=6001&name=s1-vm&pool=student1",
                           "/nodes/pve1/qemu/100/clone");
    assert_string_equal(es, "OK");
    free(es);
    tu_expect(&C, "PUT", "path=%2Fpool%2Fstudent1&roles=PVEVMUser&users=student1%40pve",
              "/access/acl", 200, NULL);
}

/* The student sees only the VM of the pool, no node. */
static void student_resources(struct simctx *S)
{
    struct rawresp r;
    assert_int_equal(tu_req(S, "GET", NULL, &r, "/cluster/resources"), 200);
    size_t i;
    json_t *v;
    int vms = 0;
    json_array_foreach(tu_data(&r), i, v)
    {
        const char *type = json_string_value(json_object_get(v, "type"));
        assert_string_not_equal(type, "node");
        if (strcmp(type, "qemu") == 0) {
            vms++;
            assert_int_equal(json_integer_value(json_object_get(v, "vmid")), 6001);
            assert_string_equal(json_string_value(json_object_get(v, "pool")), "student1");
        }
    }
    assert_int_equal(vms, 1);
    rawresp_clear(&r);
}

/* A privsep token of the student gets nothing without its own ACL. */
static void student_token(struct simctx *S)
{
    struct rawresp r;
    assert_int_equal(tu_req(S, "POST", NULL, &r, "/access/users/student1@pve/token/t1"), 200);
    char hdr[256];
    snprintf(hdr, sizeof hdr, "Authorization: PVEAPIToken=student1@pve!t1=%s",
             json_string_value(json_object_get(tu_data(&r), "value")));
    rawresp_clear(&r);
    const char *h[] = {hdr, NULL};
    assert_int_equal(
        simproc_request(&C.sp, "GET", "/api2/json/nodes/pve1/qemu/6001/config", NULL, h, &r), 0);
    assert_int_equal(r.status, 403);
    rawresp_clear(&r);
    tu_expect(&C, "PUT", "path=%2Fpool%2Fstudent1&roles=PVEAuditor&tokens=student1%40pve%21t1",
              "/access/acl", 200, NULL);
    assert_int_equal(
        simproc_request(&C.sp, "GET", "/api2/json/nodes/pve1/qemu/6001/config", NULL, h, &r), 0);
    assert_int_equal(r.status, 200);
    rawresp_clear(&r);
}

static void test_student_visibility(void **state)
{
    (void)state;
    student_with_vm();
    struct simctx S = C;
    assert_int_equal(simproc_login(&S.sp, "student1@pve", "student-pass-1", S.cookie,
                                   sizeof S.cookie, S.csrf, sizeof S.csrf),
                     0);
    student_resources(&S);
    tu_expect(&S, "GET", NULL, "/nodes/pve1/qemu/100/config", 403,
              "Permission check failed (/vms/100, VM.Audit)\n");
    tu_expect(&S, "GET", NULL, "/nodes/pve1/qemu/6001/config", 200, NULL);
    /* VM.PowerMgmt yes, config no, destroy no, clone no */
    tu_expect(&S, "POST", "newid=6002", "/nodes/pve1/qemu/100/clone", 403,
              "Permission check failed (/vms/100, VM.Clone)\n");
    tu_expect(&S, "POST", NULL, "/nodes/pve1/qemu/6001/status/start", 200, NULL);
    tu_expect(&S, "PUT", "cores=2", "/nodes/pve1/qemu/6001/config", 403,
              "Permission check failed (/vms/6001, VM.Config.CPU)\n");
    tu_expect(&S, "DELETE", NULL, "/nodes/pve1/qemu/6001", 403,
              "Permission check failed (/vms/6001, VM.Allocate)\n");
    struct rawresp r;
    assert_int_equal(tu_req(&S, "GET", NULL, &r, "/nodes/pve1/qemu"), 200);
    assert_int_equal(json_array_size(tu_data(&r)), 1);
    rawresp_clear(&r);
    assert_int_equal(tu_req(&S, "GET", NULL, &r, "/access/permissions"), 200);
    json_t *pp = json_object_get(tu_data(&r), "/pool/student1");
    assert_non_null(json_object_get(pp, "VM.PowerMgmt"));
    assert_null(json_object_get(json_object_get(tu_data(&r), "/"), "Sys.Audit"));
    rawresp_clear(&r);
    tu_expect(&S, "GET", NULL, "/cluster/status", 403, "Permission check failed (/, Sys.Audit)\n");
    student_token(&S);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_users),         cmocka_unit_test(test_user_missing_group),
        cmocka_unit_test(test_builtin_roles), cmocka_unit_test(test_acl_roles),
        cmocka_unit_test(test_pools),         cmocka_unit_test(test_student_visibility),
    };
    return cmocka_run_group_tests(tests, setup, tu_group_teardown);
}
