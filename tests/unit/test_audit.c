/* test_audit: the audit log: concurrent writers, reading back with filters, redaction of secrets,
 * --since parsing, the file's 0600 mode (directory 0700) and tolerance of broken lines. */
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "scratch.h"
#include "store/audit.h"
#include "util/err.h"

struct fixture {
    char dir[SCRATCH_DIR_LEN]; /* first: scratch_teardown removes it and frees the fixture */
    char log[128];
};

static int setup(void **state)
{
    if (scratch_setup(state, sizeof(struct fixture), "test-audit") < 0)
        return -1;
    struct fixture *f = *state;
    snprintf(f->log, sizeof f->log, "%s/audit.jsonl", f->dir);
    return 0;
}

/* ---- collecting what audit_read passes on ------------------------------------------------ */

struct seen {
    size_t n;
    char objects[64][64];
    char students[64][32];
    char times[64][32];
};

static int seen_add(const struct audit_entry *e, void *ud)
{
    struct seen *s = ud;
    if (s->n < 64) {
        snprintf(s->objects[s->n], sizeof s->objects[0], "%s", e->rec.object ? e->rec.object : "");
        snprintf(s->students[s->n], sizeof s->students[0], "%s",
                 e->rec.student ? e->rec.student : "(null)");
        snprintf(s->times[s->n], sizeof s->times[0], "%s", e->time);
    }
    s->n++;
    return 0;
}

/* ---- concurrent writers ------------------------------------------------------------------ */

#define THREADS 8
#define PER_THREAD 60

struct writer {
    struct audit *a;
    int id;
    int failures;
};

static void *writer_run(void *arg)
{
    struct writer *w = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        char object[64], request[128];
        snprintf(object, sizeof object, "VM %d on pve%d", 5000 + w->id * 100 + i, w->id);
        snprintf(request, sizeof request, "POST /nodes/pve%d/qemu/100/clone newid=%d name=web",
                 w->id, 5000 + w->id * 100 + i);
        struct audit_record r = {.connection = "lab",
                                 .stand = "web",
                                 .student = "student1@pve",
                                 .action = "clone",
                                 .object = object,
                                 .request = request,
                                 .result = "ok"};
        if (audit_write(w->a, &r) < 0)
            w->failures++;
    }
    return NULL;
}

struct counter {
    size_t n;
    unsigned char hit[THREADS][PER_THREAD];
    int bad_fields;
};

static int counter_add(const struct audit_entry *e, void *ud)
{
    struct counter *c = ud;
    int vmid, node;
    if (!e->rec.object || sscanf(e->rec.object, "VM %d on pve%d", &vmid, &node) != 2 || node < 0 ||
        node >= THREADS || vmid - 5000 - node * 100 < 0 || vmid - 5000 - node * 100 >= PER_THREAD) {
        c->bad_fields++;
        return 0;
    }
    c->hit[node][vmid - 5000 - node * 100]++;
    struct passwd *pw = getpwuid(geteuid());
    if (strcmp(e->rec.stand, "web") != 0 || strcmp(e->rec.result, "ok") != 0 ||
        strcmp(e->rec.connection, "lab") != 0 || (pw && strcmp(e->os_user, pw->pw_name) != 0) ||
        strlen(e->time) != 20 || e->time[10] != 'T' || e->time[19] != 'Z' || e->when == 0)
        c->bad_fields++;
    c->n++;
    return 0;
}

static void test_write_from_threads(void **state)
{
    struct fixture *f = *state;
    struct audit *a = NULL;
    assert_int_equal(audit_open(f->log, 0, &a), 0);
    pthread_t th[THREADS];
    struct writer w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct writer){.a = a, .id = i};
        assert_int_equal(pthread_create(&th[i], NULL, writer_run, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].failures, 0);
    }
    audit_close(a);

    struct counter *c = calloc(1, sizeof *c);
    size_t bad = 99;
    assert_int_equal(audit_read(f->log, NULL, counter_add, c, &bad), 0);
    assert_int_equal(bad, 0);
    assert_int_equal(c->bad_fields, 0);
    assert_int_equal(c->n, THREADS * PER_THREAD);
    for (int t = 0; t < THREADS; t++)
        for (int i = 0; i < PER_THREAD; i++)
            assert_int_equal(c->hit[t][i], 1);
    free(c);

    /* every line is one complete JSON object with exactly the documented keys */
    char *text = file_text(f->log);
    size_t lines = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"), lines++) {
        json_t *o = json_loads(line, 0, NULL);
        assert_true(json_is_object(o));
        assert_int_equal(json_object_size(o), 9);
        const char *keys[] = {"time",   "os_user", "connection", "stand", "student",
                              "action", "object",  "request",    "result"};
        for (size_t k = 0; k < 9; k++)
            assert_non_null(json_object_get(o, keys[k]));
        json_decref(o);
    }
    assert_int_equal(lines, THREADS * PER_THREAD);
    free(text);
}

/* ---- file and directory modes ------------------------------------------------------------ */

static void test_file_mode(void **state)
{
    struct fixture *f = *state;
    mode_t old = umask(0);
    char path[256];
    snprintf(path, sizeof path, "%s/new/sub/audit.jsonl", f->dir);
    struct audit *a = NULL;
    assert_int_equal(audit_open(path, 0, &a), 0);
    struct audit_record r = {.stand = "s", .action = "create user", .result = "ok"};
    assert_int_equal(audit_write(a, &r), 0);
    audit_close(a);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    snprintf(path, sizeof path, "%s/new/sub", f->dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0700);

    /* an existing world-readable log is tightened, and appended to, not truncated */
    int fd = open(f->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "\n", 1), 1);
    close(fd);
    assert_int_equal(audit_open(f->log, 0, &a), 0);
    assert_int_equal(audit_write(a, &r), 0);
    audit_close(a);
    assert_int_equal(stat(f->log, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_true(st.st_size > 2);

    /* the default place: <XDG_STATE_HOME>/deploy-stand/audit.jsonl, with syslog on */
    assert_int_equal(audit_open(NULL, 1, &a), 0);
    assert_int_equal(audit_write(a, &r), 0);
    audit_close(a);
    snprintf(path, sizeof path, "%s/state/deploy-stand/audit.jsonl", f->dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    char *def = audit_default_path();
    assert_string_equal(def, path);
    free(def);
    struct seen s = {0};
    assert_int_equal(audit_read(NULL, NULL, seen_add, &s, NULL), 0);
    assert_int_equal(s.n, 1);

    /* a directory where the log should be is refused with a message */
    snprintf(path, sizeof path, "%s/new", f->dir);
    assert_int_equal(audit_open(path, 0, &a), -1);
    assert_null(a);
    assert_non_null(strstr(ds_err_last(), path));
    umask(old);
}

/* ---- redaction --------------------------------------------------------------------------- */

static void test_redact_strings(void **state)
{
    (void)state;
    struct {
        const char *in, *out;
    } cases[] = {
        {"POST /access/users userid=s1@pve password=Secr3t! comment=x",
         "POST /access/users userid=s1@pve password=*** comment=x"},
        {"PUT /access/password userid=s1@pve&password=abc&x=1",
         "PUT /access/password userid=s1@pve&password=***&x=1"},
        {"Authorization: PVEAPIToken=root@pam!ci=0d9f-uuid next",
         "Authorization: PVEAPIToken=*** next"},
        {"{\"password\": \"with space\", \"user\":\"u\"}",
         "{\"password\": \"***\", \"user\":\"u\"}"},
        {"token_value: abc123", "token_value: ***"},
        {"Cookie PVEAuthCookie=PVE:root@pam:AAAA", "Cookie PVEAuthCookie=***"},
        {"CSRFPreventionToken:xyz", "CSRFPreventionToken:***"},
        {"POST /nodes/pve1/qemu/100/clone newid=5003 name=web",
         "POST /nodes/pve1/qemu/100/clone newid=5003 name=web"},
        {"set password of user s1", "set password of user s1"},
        {"password=", "password="},
        {"PASSWORD=x", "PASSWORD=***"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *r = audit_redact(cases[i].in);
        assert_non_null(r);
        assert_string_equal(r, cases[i].out);
        free(r);
    }
    assert_null(audit_redact(NULL));
}

static void test_write_redacts(void **state)
{
    struct fixture *f = *state;
    struct audit *a = NULL;
    assert_int_equal(audit_open(f->log, 0, &a), 0);
    struct audit_record r = {
        .connection = "lab",
        .stand = "web",
        .student = "student1@pve",
        .action = "create user",
        .object = "user student1@pve",
        .request = "POST /access/users userid=student1@pve password=Xq7pLm2vRt comment=ds",
        .result = "ok"};
    assert_int_equal(audit_write(a, &r), 0);
    r.action = "token";
    r.request = "GET /version Authorization=PVEAPIToken=root@pam!ci=11111111-2222-3333";
    assert_int_equal(audit_write(a, &r), 0);
    audit_close(a);
    char *text = file_text(f->log);
    assert_null(strstr(text, "Xq7pLm2vRt"));
    assert_null(strstr(text, "11111111-2222-3333"));
    assert_non_null(strstr(text, "password=***"));
    assert_non_null(strstr(text, "userid=student1@pve"));
    free(text);
}

/* ---- filters and reading ----------------------------------------------------------------- */

static void write_at(struct audit *a, const char *stand, const char *student, const char *object,
                     int64_t when)
{
    struct audit_record r = {.connection = "lab",
                             .stand = stand,
                             .student = student,
                             .action = "clone",
                             .object = object,
                             .request = "POST /x",
                             .result = "ok"};
    assert_int_equal(audit_write_at(a, &r, when), 0);
}

static void test_filters(void **state)
{
    struct fixture *f = *state;
    int64_t day = 1795600800; /* 2026-11-25T10:00:00Z */
    struct audit *a = NULL;
    assert_int_equal(audit_open(f->log, 0, &a), 0);
    write_at(a, "web", "s1@pve", "a", day - 86400);
    write_at(a, "web", "s2@pve", "b", day);
    write_at(a, "net", "s1@pve", "c", day + 60);
    write_at(a, "web", NULL, "d", day + 3600);
    write_at(a, "net", "s2@pve", "e", day + 7200);
    audit_close(a);

    struct seen s = {0};
    assert_int_equal(audit_read(f->log, NULL, seen_add, &s, NULL), 0);
    assert_int_equal(s.n, 5);
    assert_string_equal(s.times[1], "2026-11-25T10:00:00Z");
    assert_string_equal(s.students[3], "(null)");

    memset(&s, 0, sizeof s);
    struct audit_filter by_stand = {.stand = "web"};
    assert_int_equal(audit_read(f->log, &by_stand, seen_add, &s, NULL), 0);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.objects[0], "a");
    assert_string_equal(s.objects[1], "b");
    assert_string_equal(s.objects[2], "d");

    memset(&s, 0, sizeof s);
    struct audit_filter by_student = {.student = "s1@pve"};
    assert_int_equal(audit_read(f->log, &by_student, seen_add, &s, NULL), 0);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.objects[1], "c");

    memset(&s, 0, sizeof s);
    struct audit_filter since = {.since = day};
    assert_int_equal(audit_read(f->log, &since, seen_add, &s, NULL), 0);
    assert_int_equal(s.n, 4);
    assert_string_equal(s.objects[0], "b");

    memset(&s, 0, sizeof s);
    struct audit_filter all3 = {.stand = "net", .student = "s2@pve", .since = day + 61};
    assert_int_equal(audit_read(f->log, &all3, seen_add, &s, NULL), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.objects[0], "e");

    memset(&s, 0, sizeof s);
    struct audit_filter none = {.stand = "nope"};
    assert_int_equal(audit_read(f->log, &none, seen_add, &s, NULL), 0);
    assert_int_equal(s.n, 0);
}

static int stop_after_two(const struct audit_entry *e, void *ud)
{
    (void)e;
    int *n = ud;
    return ++*n == 2 ? 42 : 0;
}

static void test_read_broken_and_missing(void **state)
{
    struct fixture *f = *state;
    struct seen s = {0};
    size_t bad = 7;
    /* no log yet: no records, no error */
    assert_int_equal(audit_read(f->log, NULL, seen_add, &s, &bad), 0);
    assert_int_equal(s.n, 0);
    assert_int_equal(bad, 0);

    struct audit *a = NULL;
    assert_int_equal(audit_open(f->log, 0, &a), 0);
    write_at(a, "web", "s1@pve", "first", 1795600800);
    file_append(f->log, "not json\n[1,2]\n\n{\"stand\":\"web\",\"time\":5}\n{\"trunc");
    file_append(f->log, "\n");
    write_at(a, "web", "s1@pve", "last", 1795600801);
    /* invalid UTF-8 is written as '?', the line stays valid JSON */
    write_at(a, "web", "s1@pve", "bad \xff\xfe utf8", 1795600802);
    audit_close(a);

    assert_int_equal(audit_read(f->log, NULL, seen_add, &s, &bad), 0);
    assert_int_equal(bad, 3); /* "not json", "[1,2]", the truncated object */
    assert_int_equal(s.n, 4);
    assert_string_equal(s.objects[0], "first");
    assert_string_equal(s.times[1], ""); /* a non-string time reads as "" */
    assert_string_equal(s.objects[2], "last");
    assert_string_equal(s.objects[3], "bad ?? utf8");

    /* the record with no usable time never passes a --since filter */
    memset(&s, 0, sizeof s);
    struct audit_filter since = {.since = 1};
    assert_int_equal(audit_read(f->log, &since, seen_add, &s, NULL), 0);
    assert_int_equal(s.n, 3);

    int n = 0;
    assert_int_equal(audit_read(f->log, NULL, stop_after_two, &n, NULL), 42);
    assert_int_equal(n, 2);

    /* a log that exists but cannot be read is an error */
    if (geteuid() != 0) {
        chmod(f->log, 0);
        assert_int_equal(audit_read(f->log, NULL, seen_add, &s, NULL), -1);
        assert_non_null(strstr(ds_err_last(), "cannot read the audit log"));
        chmod(f->log, 0600);
    }
}

/* ---- --since ----------------------------------------------------------------------------- */

static void test_since_parse(void **state)
{
    (void)state;
    int64_t now = 1795600800, t = 0;
    assert_int_equal(audit_since_parse("2h", now, &t), 0);
    assert_int_equal(t, now - 7200);
    assert_int_equal(audit_since_parse("3d", now, &t), 0);
    assert_int_equal(t, now - 3 * 86400);
    assert_int_equal(audit_since_parse("30m", now, &t), 0);
    assert_int_equal(t, now - 1800);
    assert_int_equal(audit_since_parse("45s", now, &t), 0);
    assert_int_equal(t, now - 45);
    assert_int_equal(audit_since_parse("1w", now, &t), 0);
    assert_int_equal(t, now - 7 * 86400);
    assert_int_equal(audit_since_parse("2026-11-25", now, &t), 0);
    assert_int_equal(t, 1795564800);
    assert_int_equal(audit_since_parse("2026-11-25T10:00", now, &t), 0);
    assert_int_equal(t, 1795600800);
    assert_int_equal(audit_since_parse("2026-11-25 10:00:30", now, &t), 0);
    assert_int_equal(t, 1795600830);
    assert_int_equal(audit_since_parse("2026-11-25T10:00:00Z", now, &t), 0);
    assert_int_equal(t, 1795600800);
    assert_int_equal(audit_since_parse("2024-02-29", now, &t), 0);

    const char *bad[] = {"h",
                         "2",
                         "-2h",
                         "2y",
                         "2hh",
                         "2026-11-31",
                         "2025-02-29",
                         "2026-13-01",
                         "2026-11-25T24:00",
                         "2026-11-25T10",
                         "26-11-25",
                         "2026-11-25x",
                         "99999999999999999d",
                         "2026-11-25T10:00:61",
                         "yesterday"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        t = 12345;
        assert_int_equal(audit_since_parse(bad[i], now, &t), -1);
        assert_int_equal(t, 12345);
        assert_non_null(strstr(ds_err_last(), "'"));
    }
    assert_int_equal(audit_since_parse("", now, &t), -1);
    assert_int_equal(audit_since_parse(NULL, now, &t), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_from_threads, setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(test_file_mode, setup, scratch_teardown),
        cmocka_unit_test(test_redact_strings),
        cmocka_unit_test_setup_teardown(test_write_redacts, setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(test_filters, setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(test_read_broken_and_missing, setup, scratch_teardown),
        cmocka_unit_test(test_since_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
