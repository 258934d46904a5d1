/* test_menu_lifecycle: drives the menu's class items through a pipe against the simulator: status
 * and credentials with the hand-out file (8), start and stop (9, a "no" first), reset of one
 * student (10), snapshots with a bad name refused (11) and the expired stands (12). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "e2e_fixture.h"
#include "scratch.h"
#include "util/fsutil.h"

static struct e2e C;

/* The example stand (demo-lab: web, client, router) saved as the config "lab", the class of two
 * as the list "cls"; both deployed by the command line. */
static int setup(void **st)
{
    (void)st;
    const char *args[] = {"--scenario", "classroom", "--time-scale", "0.01", NULL};
    if (e2e_start(&C, args, NULL, NULL) < 0)
        return -1;
    setenv("LC_ALL", "C", 1); /* the English texts are checked */
    unsetenv("LANGUAGE");
    ds_write_users(&C.env, 2);
    if (e2e_login_root(&C) < 0 || chdir(C.env.dir) < 0 ||
        fs_mkdir_p("config/deploy-stand/configs", 0755) < 0 ||
        fs_mkdir_p("config/deploy-stand/lists", 0755) < 0)
        return -1;
    char *cfg = file_text(C.env.config), *users = file_text(C.env.users);
    file_put("config/deploy-stand/configs/lab.yml", cfg);
    file_put("config/deploy-stand/lists/cls.yml", users);
    free(cfg);
    free(users);
    return e2e_cmd(&C, E2E_YES, "deploy", NULL, NULL, NULL, NULL, NULL) == 0 ? 0 : -1;
}

static int teardown(void **st)
{
    (void)st;
    e2e_stop(&C);
    return 0;
}

/* Runs the menu with `input` after the connection's choice and before "0" (exit); it must end
 * with 0. The output (malloc'd). */
static char *menu(const char *input)
{
    char *text = NULL, *out = NULL;
    if (asprintf(&text, "1\n%s0\n", input) < 0)
        abort();
    int rc = e2e_menu(&C, text, &out);
    if (rc != 0)
        fail_msg("the menu exited with %d; its output:\n%s", rc, out);
    free(text);
    return out;
}

/* Fails the test, showing the menu's output, unless it holds `fragment`. */
static void expect(const char *out, const char *fragment)
{
    e2e_expect_in(out, fragment, "the menu's output");
}

/* How many of the stand's six VMs have `status` in the simulator. */
static int count_power(const char *status)
{
    json_t *st = simproc_state(&C.sp);
    const char *pools[] = {"student1", "student2"}, *names[] = {"web", "client", "router"};
    int n = 0;
    for (int p = 0; p < 2; p++)
        for (int m = 0; m < 3; m++) {
            json_t *vm = e2e_vm_named(st, pools[p], names[m]);
            assert_non_null(vm);
            n += strcmp(json_string_value(json_object_get(vm, "status")), status) == 0;
        }
    json_decref(st);
    return n;
}

/* The API path of the config of student `pool`'s VM `name`. */
static void config_path(const char *pool, const char *name, char *path, size_t len)
{
    json_t *st = simproc_state(&C.sp);
    json_t *vm = e2e_vm_named(st, pool, name);
    assert_non_null(vm);
    snprintf(path, len, "/nodes/%s/qemu/%lld/config",
             json_string_value(json_object_get(vm, "node")),
             (long long)json_integer_value(json_object_get(vm, "vmid")));
    json_decref(st);
}

/* The VM's memory setting through the API. */
static long long memory_of(const char *pool, const char *name)
{
    char path[200];
    config_path(pool, name, path, sizeof path);
    json_t *cfg = NULL;
    assert_int_equal(e2e_api(&C, "GET", path, NULL, &cfg), 200);
    const json_t *v = json_object_get(cfg, "memory");
    long long mem = json_is_integer(v) ? json_integer_value(v) : atoll(json_string_value(v));
    json_decref(cfg);
    return mem;
}

static void set_memory(const char *pool, const char *name, int mib)
{
    char path[200], body[40];
    config_path(pool, name, path, sizeof path);
    snprintf(body, sizeof body, "memory=%d", mib);
    assert_int_equal(e2e_api(&C, "PUT", path, body, NULL), 200);
}

/* Does every VM of the two students (has = 1), or none (has = 0), have snapshot `snap`? */
static int snapshot_everywhere(const char *snap, int has)
{
    json_t *st = simproc_state(&C.sp);
    const char *pools[] = {"student1", "student2"}, *names[] = {"web", "client", "router"};
    int all = 1;
    for (int p = 0; p < 2; p++)
        for (int m = 0; m < 3; m++) {
            json_t *vm = e2e_vm_named(st, pools[p], names[m]);
            size_t i;
            json_t *s;
            int found = 0;
            json_array_foreach(json_object_get(vm, "snapshots"), i, s)
            {
                found |= strcmp(json_string_value(json_object_get(s, "name")), snap) == 0;
            }
            all &= found == has;
        }
    json_decref(st);
    return all;
}

/* ---- 8: status and credentials ------------------------------------------------------------- */

static void test_status_and_credentials(void **st)
{
    (void)st;
    long mutating = ds_mutating_requests(&C.sp);
    /* item 8 (hotkey i), the only config and list; the hand-out to the proposed file */
    char *out = menu("i\n\n\n\n\n\n");
    expect(out, "Stand 'demo-lab': 2 of 2 students deployed, 0 of 6 VMs running");
    expect(out, "Credentials for stand 'demo-lab'");
    expect(out, "Wrote the hand-out for 2 students to ./handout-demo-lab.html (mode 0600)");
    /* the passwords shown are those `creds` gives */
    json_t *doc = NULL;
    assert_int_equal(e2e_cmd(&C, E2E_JSON, "creds", NULL, NULL, &doc, NULL, NULL), 0);
    assert_non_null(doc);
    char *html = file_text("handout-demo-lab.html");
    for (int s = 1; s <= 2; s++) {
        char user[32];
        snprintf(user, sizeof user, "student%d@pve", s);
        const char *pw = json_string_value(json_object_get(e2e_student(doc, user), "password"));
        assert_non_null(pw);
        char line[128];
        snprintf(line, sizeof line, "%s  %s", user, pw);
        expect(out, line);
        e2e_expect_in(html, user, "the hand-out");
        e2e_expect_in(html, pw, "the hand-out");
    }
    assert_int_equal(e2e_count(html, "class=\"card\""), 2);
    struct stat sb;
    assert_int_equal(stat("handout-demo-lab.html", &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    free(html);
    json_decref(doc);
    free(out);
    /* a file named by the teacher; an existing one is replaced only when they agree */
    out = menu("8\n\n\ny\nmine.html\n\n8\n\n\ny\nmine.html\nn\n\n");
    expect(out, "to mine.html (mode 0600)");
    expect(out, "It already exists. Replace it?");
    assert_int_equal(e2e_count(out, "Wrote the hand-out"), 1);
    free(out);
    assert_int_equal(access("mine.html", F_OK), 0);
    assert_int_equal(ds_mutating_requests(&C.sp), mutating);
}

/* ---- 9: start and stop --------------------------------------------------------------------- */

static void test_start_and_stop(void **st)
{
    (void)st;
    assert_int_equal(count_power("stopped"), 6);
    long mutating = ds_mutating_requests(&C.sp);
    /* item 9 (hotkey p), start, but "no": nothing is sent */
    char *out = menu("p\n\n\n1\nn\n");
    expect(out, "Apply these changes?");
    expect(out, "Nothing was changed.");
    free(out);
    assert_int_equal(ds_mutating_requests(&C.sp), mutating);
    assert_int_equal(count_power("stopped"), 6);

    out = menu("9\n\n\n1\ny\n\n");
    expect(out, "Every VM of the class is running.");
    free(out);
    assert_int_equal(count_power("running"), 6);
    out = menu("i\n\n\nn\n\n");
    expect(out, "6 of 6 VMs running");
    expect(out, "3 of 3");
    free(out);

    out = menu("p\n\n\n2\ny\n\n");
    expect(out, "Every VM of the class is stopped.");
    free(out);
    assert_int_equal(count_power("stopped"), 6);
}

/* ---- 10: reset of one student -------------------------------------------------------------- */

static void test_reset_one_student(void **st)
{
    (void)st;
    long long mem1 = memory_of("student1", "web"), mem2 = memory_of("student2", "web");
    assert_true(mem1 != 4096 && mem2 != 3072);
    set_memory("student1", "web", 4096);
    set_memory("student2", "web", 3072);
    /* item 10 (hotkey r): the student list offers the class first, then the students */
    char *out = menu("r\n\n\n2\ny\n\n");
    expect(out, "the whole class (2 students)");
    expect(out, "Reset these VMs?");
    expect(out, "Reset: the VMs are back at the baseline.");
    expect(out, "1 student, 3 VMs");
    e2e_expect_not_in(out, "student2@pve (pool", "the plan of the reset of student1");
    free(out);
    assert_int_equal(memory_of("student1", "web"), mem1); /* back at the baseline */
    assert_int_equal(memory_of("student2", "web"), 3072); /* another student: left alone */
    assert_int_equal(count_power("stopped"), 6);
    set_memory("student2", "web", (int)mem2);
}

/* ---- 11: snapshots ------------------------------------------------------------------------- */

static void test_snapshots(void **st)
{
    (void)st;
    long mutating = ds_mutating_requests(&C.sp);
    /* item 11 (hotkey n), create, the class; bad names are refused, then back: nothing sent */
    char *out = menu("n\n\n\n2\n\nbad name\n1lab\ncurrent\n\n");
    expect(out, "'bad name' is not a valid snapshot name: a snapshot name is 2 to 40");
    expect(out, "'1lab' is not a valid snapshot name");
    expect(out, "'current' is not a valid snapshot name");
    free(out);
    assert_int_equal(ds_mutating_requests(&C.sp), mutating);

    out = menu("11\n\n\n2\n\nx y\nlab2\ny\n\n");
    expect(out, "'x y' is not a valid snapshot name");
    expect(out, "Snapshot 'lab2' is taken.");
    free(out);
    assert_true(snapshot_everywhere("lab2", 1));
    assert_true(snapshot_everywhere("start", 1));
    /* the listing for one student */
    out = menu("n\n\n\n1\n3\n\n");
    expect(out, "lab2");
    expect(out, "student2@pve");
    e2e_expect_not_in(out, "student1@pve  ", "the listing of student2");
    free(out);
    /* roll student2 back, then delete it for the class */
    set_memory("student2", "web", 1024);
    set_memory("student1", "web", 1024);
    out = menu("n\n\n\n3\n3\nlab2\ny\n\nn\n\n\n4\n1\nlab2\ny\n\n");
    expect(out, "Rolled back to snapshot 'lab2'.");
    expect(out, "Snapshot 'lab2' is deleted.");
    free(out);
    assert_true(memory_of("student2", "web") != 1024);
    assert_int_equal(memory_of("student1", "web"), 1024);
    assert_true(snapshot_everywhere("lab2", 0));
    assert_true(snapshot_everywhere("start", 1));
}

/* ---- 12: expired stands -------------------------------------------------------------------- */

static void test_expired_stands(void **st)
{
    (void)st;
    /* a second stand, lab-old, for old1@pve, whose accounts expired long ago */
    char *text = file_text(C.env.config);
    char *at = strstr(text, "stand: demo-lab");
    assert_non_null(at);
    memcpy(at, "stand: lab-old ", 15); /* as long as "stand: demo-lab" */
    char *cfg = strdup(ds_write_file(&C.env, "old.yml", text));
    char *users = strdup(ds_write_file(&C.env, "old_users.yml", "users:\n  - old1@pve\n"));
    free(text);
    const char *args[] = {
        "--connections", C.env.connections, "--yes",      "deploy", "--config", cfg, "--users",
        users,           "--expires",       "2000-01-01", NULL};
    assert_int_equal(ds_run(NULL, NULL, args), 0);
    assert_true(e2e_marked_objects(&C, "lab-old", "old1@pve") > 0);
    long mutating = ds_mutating_requests(&C.sp);
    /* item 12 (hotkey e): the plan, then a wrong word: nothing is removed */
    char *out = menu("e\ndelete_lab-old\n\n");
    expect(out, "lab-old");
    expect(out, "2000-01-01");
    expect(out, "Type DELETE_lab-old to delete it all");
    expect(out, "Nothing was removed.");
    free(out);
    assert_int_equal(ds_mutating_requests(&C.sp), mutating);
    out = menu("12\nDELETE_lab-old\n\n");
    expect(out, "Stand 'lab-old' is deleted and verified.");
    free(out);
    assert_int_equal(e2e_marked_objects(&C, "lab-old", "old1@pve"), 0);
    /* the stand without an expiry is all there */
    for (int s = 1; s <= 2; s++) {
        char user[32];
        snprintf(user, sizeof user, "student%d@pve", s);
        assert_true(e2e_marked_objects(&C, "demo-lab", user) >= 4); /* 3 VMs and the user */
    }
    out = menu("e\n\n");
    expect(out, "No stand on the cluster has an expiry date.");
    expect(out, "No stand has expired: there is nothing to delete.");
    free(out);
    free(cfg);
    free(users);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_and_credentials), cmocka_unit_test(test_start_and_stop),
        cmocka_unit_test(test_reset_one_student),      cmocka_unit_test(test_snapshots),
        cmocka_unit_test(test_expired_stands),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
