/* test_library: the saved configs and class lists in a private XDG_CONFIG_HOME: names, sorted
 * listing, 0600 files in 0700 folders (whatever the umask), no clobbering on copy and rename. */
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

#include "config/library.h"
#include "scratch.h"
#include "util/err.h"

static char tmpdir[64];
static char cfgdir[128];

/* A private HOME; XDG_CONFIG_HOME (<tmpdir>/config) is not made until something is saved. */
static int setup(void **st)
{
    (void)st;
    if (scratch_home(tmpdir, sizeof tmpdir, "lib") < 0)
        return -1;
    snprintf(cfgdir, sizeof cfgdir, "%s/config", tmpdir);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    scratch_remove(tmpdir);
    return 0;
}

static unsigned mode_of(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) < 0)
        fail_msg("stat %s failed", path);
    return (unsigned)(sb.st_mode & 0777);
}

static void test_names(void **st)
{
    (void)st;
    assert_true(lib_name_valid("a"));
    assert_true(lib_name_valid("Lab-1.v2_final"));
    char n64[65], n65[66];
    memset(n64, 'x', 64);
    n64[64] = '\0';
    memset(n65, 'x', 65);
    n65[65] = '\0';
    assert_true(lib_name_valid(n64));
    assert_false(lib_name_valid(n65));
    const char *bad[] = {"", ".hidden", "..", "a/b", "../x", "a b", "a\tb", "имя", "a*", NULL};
    for (size_t i = 0; bad[i]; i++) {
        assert_false(lib_name_valid(bad[i]));
        ds_err_clear();
        assert_null(lib_path(LIB_CONFIG, bad[i]));
        assert_non_null(strstr(ds_err_last(), "not a valid config name"));
        assert_int_equal(lib_save(LIB_LIST, bad[i], "users: []\n"), -1);
        assert_non_null(strstr(ds_err_last(), "not a valid user list name"));
    }
    assert_false(lib_name_valid(NULL));
    char *p = lib_path(LIB_CONFIG, "lab");
    char want[256];
    snprintf(want, sizeof want, "%s/deploy-stand/configs/lab.yml", cfgdir);
    assert_string_equal(p, want);
    free(p);
    p = lib_path(LIB_LIST, "class");
    snprintf(want, sizeof want, "%s/deploy-stand/lists/class.yml", cfgdir);
    assert_string_equal(p, want);
    free(p);
}

static void test_empty_library(void **st)
{
    (void)st;
    char **names = (char **)1;
    size_t n = 99;
    assert_int_equal(lib_list(LIB_CONFIG, &names, &n), 0);
    assert_int_equal(n, 0);
    assert_null(names);
    assert_false(lib_exists(LIB_CONFIG, "lab"));
    assert_null(lib_read(LIB_CONFIG, "lab", NULL));
    assert_non_null(strstr(ds_err_last(), "no config named 'lab'"));
    assert_int_equal(lib_delete(LIB_LIST, "class"), -1);
    assert_non_null(strstr(ds_err_last(), "no user list named 'class'"));
    /* nothing was created by looking */
    assert_int_equal(access(cfgdir, F_OK), -1);
}

static void test_save_modes(void **st)
{
    (void)st;
    mode_t old = umask(0);
    assert_int_equal(lib_save(LIB_CONFIG, "lab", "machines: []\n"), 0);
    umask(old);
    char path[256];
    snprintf(path, sizeof path, "%s/deploy-stand", cfgdir);
    assert_int_equal(mode_of(path), 0700);
    snprintf(path, sizeof path, "%s/deploy-stand/configs", cfgdir);
    assert_int_equal(mode_of(path), 0700);
    snprintf(path, sizeof path, "%s/deploy-stand/configs/lab.yml", cfgdir);
    assert_int_equal(mode_of(path), 0600);
    char *text = file_text(path);
    assert_string_equal(text, "machines: []\n");
    free(text);
    /* replacing keeps 0600 and leaves no temporary file behind */
    assert_int_equal(lib_save(LIB_CONFIG, "lab", "stand: x\n"), 0);
    assert_int_equal(mode_of(path), 0600);
    size_t len = 0;
    text = lib_read(LIB_CONFIG, "lab", &len);
    assert_string_equal(text, "stand: x\n");
    assert_int_equal(len, 9);
    free(text);
    char **names;
    size_t n;
    assert_int_equal(lib_list(LIB_CONFIG, &names, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(names[0], "lab");
    lib_names_free(names, n);
    /* lists are kept apart from configs */
    assert_int_equal(lib_list(LIB_LIST, &names, &n), 0);
    assert_int_equal(n, 0);
    assert_true(lib_exists(LIB_CONFIG, "lab"));
    assert_false(lib_exists(LIB_LIST, "lab"));
    assert_int_equal(lib_delete(LIB_CONFIG, "lab"), 0);
    assert_false(lib_exists(LIB_CONFIG, "lab"));
}

static void test_list_sorted_and_filtered(void **st)
{
    (void)st;
    const char *order[] = {"b", "a", "C", "a.v2", "z-1"};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(lib_save(LIB_LIST, order[i], "users: []\n"), 0);
    char dir[256], p[320];
    snprintf(dir, sizeof dir, "%s/deploy-stand/lists", cfgdir);
    /* not entries: other extensions, hidden files, folders, bad names */
    snprintf(p, sizeof p, "%s/notes.txt", dir);
    fclose(fopen(p, "w"));
    snprintf(p, sizeof p, "%s/.hidden.yml", dir);
    fclose(fopen(p, "w"));
    snprintf(p, sizeof p, "%s/bad name.yml", dir);
    fclose(fopen(p, "w"));
    snprintf(p, sizeof p, "%s/folder.yml", dir);
    mkdir(p, 0700);
    char **names;
    size_t n;
    assert_int_equal(lib_list(LIB_LIST, &names, &n), 0);
    assert_int_equal(n, 5);
    const char *want[] = {"C", "a", "a.v2", "b", "z-1"};
    for (size_t i = 0; i < n; i++)
        assert_string_equal(names[i], want[i]);
    lib_names_free(names, n);
}

static void test_copy_rename(void **st)
{
    (void)st;
    assert_int_equal(lib_save(LIB_CONFIG, "one", "stand: one\n"), 0);
    assert_int_equal(lib_save(LIB_CONFIG, "two", "stand: two\n"), 0);
    /* copy onto an existing entry is refused and changes nothing */
    assert_int_equal(lib_copy(LIB_CONFIG, "one", "two"), -1);
    assert_non_null(strstr(ds_err_last(), "already exists"));
    char *t = lib_read(LIB_CONFIG, "two", NULL);
    assert_string_equal(t, "stand: two\n");
    free(t);
    assert_int_equal(lib_copy(LIB_CONFIG, "missing", "three"), -1);
    assert_non_null(strstr(ds_err_last(), "no config named 'missing'"));
    assert_false(lib_exists(LIB_CONFIG, "three"));
    assert_int_equal(lib_copy(LIB_CONFIG, "one", "three"), 0);
    t = lib_read(LIB_CONFIG, "three", NULL);
    assert_string_equal(t, "stand: one\n");
    free(t);
    char path[256];
    snprintf(path, sizeof path, "%s/deploy-stand/configs/three.yml", cfgdir);
    assert_int_equal(mode_of(path), 0600);
    assert_int_equal(lib_copy(LIB_CONFIG, "one", "../x"), -1);

    assert_int_equal(lib_rename(LIB_CONFIG, "one", "two"), -1);
    assert_non_null(strstr(ds_err_last(), "already exists"));
    assert_true(lib_exists(LIB_CONFIG, "one"));
    t = lib_read(LIB_CONFIG, "two", NULL);
    assert_string_equal(t, "stand: two\n");
    free(t);
    assert_int_equal(lib_rename(LIB_CONFIG, "nope", "four"), -1);
    assert_non_null(strstr(ds_err_last(), "no config named 'nope'"));
    assert_int_equal(lib_rename(LIB_CONFIG, "one", "four"), 0);
    assert_false(lib_exists(LIB_CONFIG, "one"));
    t = lib_read(LIB_CONFIG, "four", NULL);
    assert_string_equal(t, "stand: one\n");
    free(t);
    char **names;
    size_t n;
    assert_int_equal(lib_list(LIB_CONFIG, &names, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(names[0], "four");
    assert_string_equal(names[1], "three");
    assert_string_equal(names[2], "two");
    lib_names_free(names, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_library, setup, teardown),
        cmocka_unit_test_setup_teardown(test_save_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_sorted_and_filtered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy_rename, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
