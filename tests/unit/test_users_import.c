/* test_users_import: class lists from text and CSV: BOM, CRLF, comments, header lines, quotes,
 * "@pve" added, and every invalid id or duplicate reported at its line; YAML written back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/users.h"
#include "config/users_import.h"

/* Imports text; on success checks the ids against want (NULL-terminated). */
static int import(const char *text, size_t len, const char *const *want, struct diag_list *d)
{
    char **ids = (char **)1;
    size_t n = 99;
    int rc = users_import_text("list.txt", text, len, &ids, &n, d);
    if (rc < 0) {
        assert_null(ids);
        assert_int_equal(n, 0);
        return rc;
    }
    size_t w = 0;
    while (want && want[w])
        w++;
    assert_int_equal(n, w);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(ids[i], want[i]);
    users_ids_free(ids, n);
    return rc;
}

static int import_s(const char *text, const char *const *want, struct diag_list *d)
{
    return import(text, strlen(text), want, d);
}

/* The diagnostic at index i is at line:col and mentions `what`. */
static void diag_is(const struct diag_list *d, size_t i, int line, int col, const char *what)
{
    assert_true(i < d->n);
    assert_string_equal(d->items[i].file, "list.txt");
    assert_int_equal(d->items[i].line, line);
    if (col)
        assert_int_equal(d->items[i].col, col);
    if (!strstr(d->items[i].what, what))
        fail_msg("diagnostic %zu is '%s', expected it to mention '%s'", i, d->items[i].what, what);
}

static void test_plain_text(void **st)
{
    (void)st;
    struct diag_list d = {0};
    const char *want[] = {"student1@pve", "student2@pam", "ivan.petrov@pve", NULL};
    assert_int_equal(import_s("student1\nstudent2@pam\n  ivan.petrov  \n", want, &d), 0);
    assert_int_equal(d.n, 0);
    /* no final newline */
    const char *one[] = {"a@pve", NULL};
    assert_int_equal(import_s("a", one, &d), 0);
    assert_int_equal(d.n, 0);
}

static void test_bom_crlf_comments(void **st)
{
    (void)st;
    struct diag_list d = {0};
    const char text[] = "\xEF\xBB\xBF# class 10A\r\n\r\nstudent1\r\n   # indented comment\r\n"
                        "\t\r\nstudent2@pve\r\n";
    const char *want[] = {"student1@pve", "student2@pve", NULL};
    assert_int_equal(import(text, sizeof text - 1, want, &d), 0);
    assert_int_equal(d.n, 0);
    /* line numbers count the comment and blank lines; the BOM does not shift columns */
    const char bad[] = "\xEF\xBB\xBF# c\r\n\r\nbad id\r\n";
    assert_int_equal(import(bad, sizeof bad - 1, NULL, &d), -1);
    assert_int_equal(d.n, 1);
    diag_is(&d, 0, 3, 1, "'bad id@pve' is not a valid Proxmox user id");
    diag_list_clear(&d);
}

static void test_csv(void **st)
{
    (void)st;
    struct diag_list d = {0};
    const char *want[] = {"ivan@pve", "petr@pam", "anna@pve", "olga@pve", NULL};
    assert_int_equal(import_s("user,name,email\nivan,Ivan,i@x\npetr@pam,Petr\n\"anna\",\"A, B\"\n"
                              "olga;Olga\n",
                              want, &d),
                     0);
    assert_int_equal(d.n, 0);
    /* header words in any case, ';' or TAB separated */
    const char *w2[] = {"s1@pve", "s2@pve", NULL};
    assert_int_equal(import_s("Login;Name\ns1;x\ns2;y\n", w2, &d), 0);
    assert_int_equal(import_s("USERNAME\tgroup\ns1\t1\ns2\t1\n", w2, &d), 0);
    assert_int_equal(import_s("# exported\nuserid\ns1\ns2\n", w2, &d), 0);
    assert_int_equal(d.n, 0);
    /* a first line that is not a header word is an error at its line */
    assert_int_equal(import_s("Student name,Login\ns1,x\n", NULL, &d), -1);
    assert_int_equal(d.n, 1);
    diag_is(&d, 0, 1, 1, "'Student name@pve' is not a valid");
    diag_list_clear(&d);
    /* a header word later in the file is an ordinary id */
    const char *w3[] = {"s1@pve", "user@pve", NULL};
    assert_int_equal(import_s("s1\nuser\n", w3, &d), 0);
    /* the column of a field after leading blanks */
    assert_int_equal(import_s("s1\n   a:b,x\n", NULL, &d), -1);
    diag_is(&d, 0, 2, 4, "'a:b@pve' is not a valid");
    diag_list_clear(&d);
}

static void test_duplicates(void **st)
{
    (void)st;
    struct diag_list d = {0};
    /* ids differing only in case, the same id with and without @pve, and a shared pool */
    assert_int_equal(import_s("s1\n# x\nS1@pve\ns2@pve\ns2\ns3@pve\ns3@pam\n", NULL, &d), -1);
    assert_int_equal(d.n, 3);
    diag_is(&d, 0, 3, 1, "user 'S1@pve' is listed twice (first at line 1)");
    diag_is(&d, 1, 5, 1, "user 's2@pve' is listed twice (first at line 4)");
    diag_is(&d, 2, 7, 1, "'s3@pam' and 's3@pve' (line 6) would share one pool");
    assert_non_null(d.items[0].hint);
    diag_list_clear(&d);
}

static void test_invalid_ids(void **st)
{
    (void)st;
    struct diag_list d = {0};
    assert_int_equal(
        import_s("good\n@pve\nname@1realm\na/b\nx@y\nok2\n" /* x@y: realm too short */, NULL, &d),
        -1);
    assert_int_equal(d.n, 4);
    diag_is(&d, 0, 2, 1, "'@pve'");
    diag_is(&d, 1, 3, 1, "'name@1realm'");
    diag_is(&d, 2, 4, 1, "'a/b@pve'");
    diag_is(&d, 3, 5, 1, "'x@y'");
    diag_list_clear(&d);
    /* nothing usable */
    assert_int_equal(import_s("# only a comment\n\n", NULL, &d), -1);
    assert_int_equal(d.n, 1);
    diag_is(&d, 0, 0, 0, "lists no users");
    diag_list_clear(&d);
    assert_int_equal(import_s("", NULL, &d), -1);
    diag_list_clear(&d);
    const char nul[] = "s1\n\0s2\n";
    assert_int_equal(import(nul, sizeof nul - 1, NULL, &d), -1);
    diag_is(&d, 0, 0, 0, "NUL");
    diag_list_clear(&d);
}

static void test_file(void **st)
{
    (void)st;
    char path[] = "/tmp/ds-import-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char text[] = "user\r\nstudent1\r\nstudent2\r\n";
    assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    char **ids;
    size_t n;
    struct diag_list d = {0};
    assert_int_equal(users_import_file(path, &ids, &n, &d), 0);
    assert_int_equal(n, 2);
    assert_string_equal(ids[1], "student2@pve");
    users_ids_free(ids, n);
    unlink(path);
    assert_int_equal(users_import_file(path, &ids, &n, &d), -1);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.items[0].file, path);
    assert_non_null(strstr(d.items[0].what, "cannot open"));
    diag_list_clear(&d);
}

static void test_yaml_roundtrip(void **st)
{
    (void)st;
    char *ids[] = {"student1@pve", "ivan.petrov@pam", "a-b_c@pve"};
    char *y = users_yaml(ids, 3);
    assert_string_equal(y, "users:\n  - student1@pve\n  - ivan.petrov@pam\n  - a-b_c@pve\n");
    struct users_list *u = NULL;
    struct diag_list d = {0};
    assert_int_equal(users_load_text("x.yml", y, strlen(y), &u, &d), 0);
    assert_int_equal(u->n, 3);
    assert_string_equal(u->users[1].userid, "ivan.petrov@pam");
    users_free(u);
    char **back;
    size_t n;
    assert_int_equal(users_yaml_read("x.yml", y, strlen(y), &back, &n, &d), 0);
    assert_int_equal(n, 3);
    assert_string_equal(back[2], "a-b_c@pve");
    users_ids_free(back, n);
    free(y);
    /* characters YAML would misread are quoted */
    char *odd[] = {"x#\"y\\@pve"};
    y = users_yaml(odd, 1);
    assert_string_equal(y, "users:\n  - \"x#\\\"y\\\\@pve\"\n");
    free(y);
    /* an emptied list */
    y = users_yaml(NULL, 0);
    assert_string_equal(y, "users: []\n");
    assert_int_equal(users_yaml_read("x.yml", y, strlen(y), &back, &n, &d), 0);
    assert_int_equal(n, 0);
    users_ids_free(back, n);
    free(y);
    assert_int_equal(users_yaml_read("x.yml", "", 0, &back, &n, &d), 0);
    assert_int_equal(n, 0);
    assert_int_equal(d.n, 0);
    /* a broken saved list is reported, not emptied */
    const char bad[] = "users:\n  - ok@pve\n  - not valid\n";
    assert_int_equal(users_yaml_read("x.yml", bad, sizeof bad - 1, &back, &n, &d), -1);
    assert_true(d.n >= 1);
    assert_int_equal(d.items[0].line, 3);
    diag_list_clear(&d);
}

static void test_normalize(void **st)
{
    (void)st;
    char msg[256];
    char *id = users_id_normalize("  s1 ", msg, sizeof msg);
    assert_string_equal(id, "s1@pve");
    free(id);
    id = users_id_normalize("t@pam", msg, sizeof msg);
    assert_string_equal(id, "t@pam");
    free(id);
    assert_null(users_id_normalize("   ", msg, sizeof msg));
    assert_non_null(strstr(msg, "empty"));
    assert_null(users_id_normalize("a/b", msg, sizeof msg));
    assert_non_null(strstr(msg, "'a/b@pve'"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_text),
        cmocka_unit_test(test_bom_crlf_comments),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_invalid_ids),
        cmocka_unit_test(test_file),
        cmocka_unit_test(test_yaml_roundtrip),
        cmocka_unit_test(test_normalize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
