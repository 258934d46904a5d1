/* test_hand_changes: the cluster as an interrupted run or a person left it. A clone of a template
 * copy left unconfigured (wearing the copy's tags) is adopted by the re-run; the template NICs the
 * stand does not describe end with link down; a VM deleted by hand does not stop the destroy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e_fixture.h"
#include "plan/marks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct e2e C;

static int setup(void **st)
{
    (void)st;
    const char *args[] = {"--scenario", "classroom", "--time-scale", "0.01", NULL};
    if (e2e_start(&C, args, NULL, NULL) < 0)
        return -1;
    ds_write_users(&C.env, 3);
    return e2e_login_root(&C);
}

static int teardown(void **st)
{
    (void)st;
    e2e_stop(&C);
    return 0;
}

/* "deploy-stand CMD --config .. --users .. --yes [EXTRA1 EXTRA2]"; returns the exit code. */
static int run_cmd(const char *cmd, const char *extra1, const char *extra2)
{
    return e2e_cmd(&C, 0, cmd, NULL, NULL, NULL, NULL, "--yes", extra1, extra2, NULL);
}

static int deploy(void)
{
    return run_cmd("deploy", "--strategy", "balanced");
}

/* The student VM "web" of a student placed away from pve1 (cloned from a copy), and that copy. */
struct victim {
    int vmid, copy;
    char node[64], pool[64], student[64];
};

static int find_victim(struct victim *v)
{
    json_t *st = simproc_state(&C.sp);
    size_t i;
    json_t *vm;
    memset(v, 0, sizeof *v);
    json_array_foreach(json_object_get(st, "vms"), i, vm)
    {
        json_t *cfg = json_object_get(vm, "config");
        const char *node = json_string_value(json_object_get(vm, "node"));
        const char *name = json_string_value(json_object_get(cfg, "name"));
        const char *pool = json_string_value(json_object_get(vm, "pool"));
        if (!v->vmid && name && strcmp(name, "web") == 0 && strcmp(node, "pve1") != 0 && pool) {
            v->vmid = (int)json_integer_value(json_object_get(vm, "vmid"));
            snprintf(v->node, sizeof v->node, "%s", node);
            snprintf(v->pool, sizeof v->pool, "%s", pool);
            snprintf(v->student, sizeof v->student, "%s@pve", pool);
        }
    }
    json_array_foreach(json_object_get(st, "vms"), i, vm)
    {
        json_t *cfg = json_object_get(vm, "config");
        const char *desc = json_string_value(json_object_get(cfg, "description"));
        int of = 0;
        char digest[64];
        if (v->vmid && strcmp(json_string_value(json_object_get(vm, "node")), v->node) == 0 &&
            mark_copy_parse(desc, &of, digest, sizeof digest) && of == 100)
            v->copy = (int)json_integer_value(json_object_get(vm, "vmid"));
    }
    json_decref(st);
    return v->vmid && v->copy ? 0 : -1;
}

static size_t count_named(const char *pool, const char *name)
{
    json_t *st = simproc_state(&C.sp);
    size_t i, n = 0;
    json_t *vm;
    json_array_foreach(json_object_get(st, "vms"), i, vm)
    {
        const char *nm = json_string_value(json_object_get(json_object_get(vm, "config"), "name"));
        const char *p = json_string_value(json_object_get(vm, "pool"));
        n += nm && p && strcmp(nm, name) == 0 && strcmp(p, pool) == 0;
    }
    json_decref(st);
    return n;
}

/* Form-encodes s (spaces, '=', '@' and the like) into out. */
static void form_escape(const char *s, char *out, size_t len)
{
    size_t o = 0;
    for (; *s && o + 4 < len; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '_' || ch == '.')
            out[o++] = (char)ch;
        else
            o += (size_t)snprintf(out + o, len - o, "%%%02X", ch);
    }
    out[o] = '\0';
}

static void test_clone_of_copy_is_adopted(void **st)
{
    (void)st;
    assert_int_equal(deploy(), 0);
    struct victim v;
    assert_int_equal(find_victim(&v), 0);
    /* the interrupted run: the student's VM was cloned from the copy (description mark, pool, name
     * given at the clone) and the run died before configuring it */
    char path[256], body[768], mark[256], esc[512];
    snprintf(path, sizeof path, "/nodes/%s/qemu/%d", v.node, v.vmid);
    e2e_run_task(&C, "DELETE", v.node, path, NULL);
    mark_format(mark, sizeof mark, "demo-lab", v.student, NULL, 0);
    form_escape(mark, esc, sizeof esc);
    snprintf(body, sizeof body, "newid=%d&name=web&pool=%s&description=%s", v.vmid, v.pool, esc);
    snprintf(path, sizeof path, "/nodes/%s/qemu/%d/clone", v.node, v.copy);
    e2e_run_task(&C, "POST", v.node, path, body);
    json_t *cfg = NULL;
    snprintf(path, sizeof path, "/nodes/%s/qemu/%d/config", v.node, v.vmid);
    assert_int_equal(e2e_api(&C, "GET", path, NULL, &cfg), 200);
    /* it wears the copy's tags, as a real clone does */
    assert_non_null(strstr(json_string_value(json_object_get(cfg, "tags")), MARK_COPY_TAG));
    json_decref(cfg);

    assert_int_equal(deploy(), 0);
    /* adopted: no second "web" for the student, and configured as the stand says */
    assert_int_equal(count_named(v.pool, "web"), 1);
    assert_int_equal(e2e_api(&C, "GET", path, NULL, &cfg), 200);
    const char *tags = json_string_value(json_object_get(cfg, "tags"));
    assert_null(strstr(tags, MARK_COPY_TAG));
    assert_non_null(strstr(tags, "ds-demo-lab"));
    const char *net0 = json_string_value(json_object_get(cfg, "net0"));
    assert_null(strstr(net0, "bridge=vmbr0,"));
    assert_non_null(strstr(net0, "bridge=vmbr1"));
    json_decref(cfg);
}

/* Every student router keeps the template's net1 (on the uplink vmbr0) with its link down. */
static void test_undescribed_nics_link_down(void **st)
{
    (void)st;
    json_t *state = simproc_state(&C.sp);
    size_t i, routers = 0;
    json_t *vm;
    json_array_foreach(json_object_get(state, "vms"), i, vm)
    {
        json_t *cfg = json_object_get(vm, "config");
        const char *name = json_string_value(json_object_get(cfg, "name"));
        if (!name || strcmp(name, "router") != 0 || !json_object_get(vm, "pool"))
            continue;
        routers++;
        const char *net1 = json_string_value(json_object_get(cfg, "net1"));
        assert_non_null(net1);
        assert_non_null(strstr(net1, "bridge=vmbr0"));
        assert_non_null(strstr(net1, "link_down=1"));
    }
    assert_int_equal(routers, 3);
    json_decref(state);
}

/* A student VM deleted by hand before the destroy: the destroy removes the rest and exits 0. (The
 * executor also takes "does not exist" as done for a teardown step whose object vanishes between
 * the cluster read and the request; the simulator lists a deleted VM no longer, so this test does
 * not reach that path.) */
static void test_destroy_after_hand_delete(void **st)
{
    (void)st;
    struct victim v;
    assert_int_equal(find_victim(&v), 0);
    char path[256];
    snprintf(path, sizeof path, "/nodes/%s/qemu/%d", v.node, v.vmid);
    e2e_run_task(&C, "DELETE", v.node, path, NULL);
    assert_int_equal(run_cmd("destroy", NULL, NULL), 0);
    json_t *state = simproc_state(&C.sp);
    size_t i;
    json_t *vm;
    json_array_foreach(json_object_get(state, "vms"), i, vm)
    {
        const char *desc =
            json_string_value(json_object_get(json_object_get(vm, "config"), "description"));
        const char *pool = json_string_value(json_object_get(vm, "pool"));
        assert_false(mark_is(desc, "demo-lab", NULL));
        assert_false(pool && strncmp(pool, "student", 7) == 0);
    }
    for (int s = 1; s <= 3; s++) {
        char user[32], pool[32];
        snprintf(user, sizeof user, "student%d@pve", s);
        snprintf(pool, sizeof pool, "student%d", s);
        assert_null(json_object_get(json_object_get(state, "users"), user));
        assert_null(json_object_get(json_object_get(state, "pools"), pool));
    }
    json_decref(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clone_of_copy_is_adopted),
        cmocka_unit_test(test_undescribed_nics_link_down),
        cmocka_unit_test(test_destroy_after_hand_delete),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
