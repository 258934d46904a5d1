/* test_audit: end to end: records written through the audit API into a private XDG_STATE_HOME are
 * shown by `deploy-stand audit` (JSON lines and table), filtered by stand, student and time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "ds_clock.h"
#include "e2e_fixture.h"
#include "scratch.h"
#include "store/audit.h"

#define SECRET "Zk4mQ9vWp2"

static void record_write(struct audit *a, const char *stand, const char *student,
                         const char *action, const char *object, const char *request,
                         const char *result, int64_t when)
{
    struct audit_record r = {.connection = "lab",
                             .stand = stand,
                             .student = student,
                             .action = action,
                             .object = object,
                             .request = request,
                             .result = result};
    assert_int_equal(audit_write_at(a, &r, when), 0);
}

/* The fixture without a simulator: `audit` reads only the private XDG_STATE_HOME. */
static int setup(void **st)
{
    if (e2e_setup_local(st) < 0)
        return -1;
    struct e2e *f = *st;
    setenv("HOME", f->env.dir, 1);
    return 0;
}

/* Writes the test's records: three of stand X (one of them old), two of stand Y. */
static void records_write(void)
{
    struct audit *a = NULL;
    assert_int_equal(audit_open(NULL, 0, &a), 0);
    int64_t now = ds_clock_wall_s();
    record_write(a, "X", "student1@pve", "create user", "user student1@pve",
                 "POST /access/users userid=student1@pve password=" SECRET " comment=ds", "ok",
                 now - 5 * 86400);
    record_write(a, "X", "student1@pve", "clone", "VM 5003 on pve1",
                 "POST /nodes/pve1/qemu/100/clone newid=5003 name=web", "ok", now - 60);
    record_write(a, "Y", "student2@pve", "clone", "VM 5004 on pve2",
                 "POST /nodes/pve2/qemu/101/clone newid=5004 name=cli", "ok", now - 50);
    record_write(a, "X", "student2@pve", "create bridge", "bridge vmbr1001 on pve1",
                 "POST /nodes/pve1/network iface=vmbr1001 type=bridge",
                 "500 bridge 'vmbr1001' already exists", now - 40);
    record_write(a, "Y", NULL, "apply network", "network of pve2", "PUT /nodes/pve2/network", "ok",
                 now - 30);
    audit_close(a);
}

/* Runs deploy-stand with args; returns its exit code, *lines = stdout parsed as JSON lines. */
static int run_json(const char *const *args, json_t **lines)
{
    char *out = NULL, *err = NULL;
    int rc = ds_run(&out, &err, args);
    assert_null(strstr(out, SECRET));
    assert_null(strstr(err, SECRET));
    if (rc != 0)
        fprintf(stderr, "deploy-stand exit %d; stderr:\n%s\n", rc, err);
    *lines = json_array();
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *o = json_loads(line, 0, NULL);
        if (!json_is_object(o))
            fail_msg("not a JSON object line: %s", line);
        json_array_append_new(*lines, o);
    }
    free(out);
    free(err);
    return rc;
}

static const char *str_at(json_t *lines, size_t i, const char *key)
{
    return json_string_value(json_object_get(json_array_get(lines, i), key));
}

static void test_audit_json_by_stand(void **st)
{
    (void)st;
    records_write();
    json_t *lines = NULL;
    const char *args[] = {"audit", "--stand", "X", "--output", "json", NULL};
    assert_int_equal(run_json(args, &lines), 0);
    assert_int_equal(json_array_size(lines), 3);
    assert_string_equal(str_at(lines, 0, "action"), "create user");
    assert_string_equal(str_at(lines, 1, "object"), "VM 5003 on pve1");
    assert_string_equal(str_at(lines, 2, "result"), "500 bridge 'vmbr1001' already exists");
    size_t i;
    json_t *o;
    json_array_foreach(lines, i, o)
    {
        assert_string_equal(json_string_value(json_object_get(o, "stand")), "X");
        assert_string_equal(json_string_value(json_object_get(o, "connection")), "lab");
        const char *t = json_string_value(json_object_get(o, "time"));
        assert_non_null(t);
        assert_int_equal(strlen(t), 20);
        assert_non_null(json_string_value(json_object_get(o, "os_user")));
    }
    assert_non_null(strstr(str_at(lines, 0, "request"), "password=***"));
    json_decref(lines);

    /* globals may stand before the command too; a stand without records prints nothing */
    const char *none[] = {"--output", "json", "audit", "--stand", "nope", NULL};
    assert_int_equal(run_json(none, &lines), 0);
    assert_int_equal(json_array_size(lines), 0);
    json_decref(lines);
}

static void test_audit_filters(void **st)
{
    (void)st;
    records_write();
    json_t *lines = NULL;
    const char *recent[] = {"audit", "--since", "2h", "--output", "json", NULL};
    assert_int_equal(run_json(recent, &lines), 0);
    assert_int_equal(json_array_size(lines), 4); /* the 5-day-old record is left out */
    assert_string_equal(str_at(lines, 0, "object"), "VM 5003 on pve1");
    assert_true(json_is_null(json_object_get(json_array_get(lines, 3), "student")));
    json_decref(lines);

    const char *student[] = {"audit",        "--stand",  "X",    "--student",
                             "student2@pve", "--output", "json", NULL};
    assert_int_equal(run_json(student, &lines), 0);
    assert_int_equal(json_array_size(lines), 1);
    assert_string_equal(str_at(lines, 0, "action"), "create bridge");
    json_decref(lines);

    char day[16];
    time_t future = (time_t)(ds_clock_wall_s() + 2 * 86400);
    struct tm tm;
    gmtime_r(&future, &tm);
    strftime(day, sizeof day, "%Y-%m-%d", &tm);
    const char *later[] = {"audit", "--since", day, "--output", "json", NULL};
    assert_int_equal(run_json(later, &lines), 0);
    assert_int_equal(json_array_size(lines), 0);
    json_decref(lines);
}

static void test_audit_table(void **st)
{
    (void)st;
    records_write();
    char *out = NULL, *err = NULL;
    const char *args[] = {"audit", "--stand", "Y", NULL};
    assert_int_equal(ds_run(&out, &err, args), 0);
    assert_null(strstr(out, SECRET));
    char *hdr = strtok(out, "\n");
    assert_non_null(hdr);
    const char *cols[] = {"TIME", "USER", "STAND", "STUDENT", "ACTION", "OBJECT", "RESULT"};
    for (size_t i = 0; i < 7; i++)
        assert_non_null(strstr(hdr, cols[i]));
    assert_non_null(strtok(NULL, "\n")); /* the dashes */
    char *row1 = strtok(NULL, "\n"), *row2 = strtok(NULL, "\n");
    assert_non_null(row1);
    assert_non_null(row2);
    assert_null(strtok(NULL, "\n"));
    assert_non_null(strstr(row1, "VM 5004 on pve2"));
    assert_non_null(strstr(row1, "student2@pve"));
    assert_non_null(strstr(row2, "network of pve2"));
    free(out);
    free(err);
}

/* A line written by something else (an older version, a hand edit) still never shows a secret. */
static void test_audit_reader_redacts(void **st)
{
    records_write();
    char *path = e2e_path(*st, "state/deploy-stand/audit.jsonl");
    file_append(path,
                "{\"time\":\"2026-11-25T10:00:00Z\",\"os_user\":\"x\",\"stand\":\"X\","
                "\"action\":\"set password\",\"request\":\"PUT /access/password password=" SECRET
                "\",\"result\":\"ok\"}\nnot a record\n");
    free(path);
    json_t *lines = NULL;
    char *out = NULL, *err = NULL;
    const char *args[] = {"audit", "--stand", "X", "--output", "json", NULL};
    assert_int_equal(run_json(args, &lines), 0);
    assert_int_equal(json_array_size(lines), 4);
    assert_string_equal(str_at(lines, 3, "request"), "PUT /access/password password=***");
    assert_true(json_is_null(json_object_get(json_array_get(lines, 3), "connection")));
    json_decref(lines);
    const char *table[] = {"audit", NULL};
    assert_int_equal(ds_run(&out, &err, table), 0);
    assert_null(strstr(out, SECRET));
    assert_non_null(strstr(err, "skipped 1 line"));
    free(out);
    free(err);
}

static void test_audit_errors(void **st)
{
    (void)st;
    char *out = NULL, *err = NULL;
    /* an empty log is not an error */
    const char *empty[] = {"audit", NULL};
    assert_int_equal(ds_run(&out, &err, empty), 0);
    assert_string_equal(out, "");
    assert_non_null(strstr(err, "no audit records"));
    free(out);
    free(err);

    const char *since[] = {"audit", "--since", "yesterday", NULL};
    assert_int_equal(ds_run(&out, &err, since), 2);
    assert_non_null(strstr(err, "--since"));
    assert_non_null(strstr(err, "yesterday"));
    free(out);
    free(err);

    const char *opt[] = {"audit", "--bogus", NULL};
    assert_int_equal(ds_run(&out, &err, opt), 2);
    assert_non_null(strstr(err, "--bogus"));
    free(out);
    free(err);

    const char *missing[] = {"audit", "--stand", NULL};
    assert_int_equal(ds_run(&out, &err, missing), 2);
    free(out);
    free(err);

    const char *help[] = {"audit", "--help", NULL};
    assert_int_equal(ds_run(&out, &err, help), 0);
    assert_non_null(strstr(out, "--since"));
    free(out);
    free(err);
}

/* `audit` (table and JSON) under valgrind with the build without sanitizers, when there is one. */
static void test_audit_valgrind(void **st)
{
    (void)st;
    const char *dir = getenv("DS_VALGRIND_BIN");
    char bin[512];
    snprintf(bin, sizeof bin, "%s/deploy-stand", dir ? dir : "");
    if (!dir || !*dir || access(bin, X_OK) != 0)
        skip();
    records_write();
    for (int json = 0; json <= 1; json++) {
        const char *args[] = {"audit", "--since", "30d", json ? "--output" : NULL, "json", NULL};
        char *out = NULL, *err = NULL;
        int rc = ds_run_valgrind(dir, &out, &err, args);
        free(out);
        if (rc == 127) {
            free(err);
            skip(); /* no valgrind */
        }
        if (rc != 0)
            fail_msg("audit under valgrind exit %d:\n%s", rc, err);
        free(err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_audit_json_by_stand, setup, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_audit_filters, setup, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_audit_table, setup, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_audit_reader_redacts, setup, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_audit_errors, setup, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_audit_valgrind, setup, e2e_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
