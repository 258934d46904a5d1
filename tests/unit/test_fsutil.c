/* test_fsutil: the shared file helpers: mkdir -p (modes, existing folders, a file in the way),
 * the atomic replace (mode, no temporary left, symlinks followed, no-replace, failed fill) and
 * read-whole-file (limits, growth, errors). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

#include "scratch.h"
#include "util/err.h"
#include "util/fsutil.h"

/* One scratch folder for the whole run; each test works in a subfolder of its own. */
static char g_root[64];

static int group_setup(void **state)
{
    (void)state;
    return scratch_make(g_root, sizeof g_root, "test-fsutil");
}

static int group_teardown(void **state)
{
    (void)state;
    return scratch_remove(g_root);
}

/* "<root>/<test>/<rel>" (malloc'd); the test's folder is made on the first call. */
static char *at(const char *test, const char *rel)
{
    char *p;
    if (asprintf(&p, "%s/%s", g_root, test) < 0 || fs_mkdir_p(p, 0700) < 0)
        abort();
    free(p);
    if (asprintf(&p, "%s/%s%s%s", g_root, test, rel ? "/" : "", rel ? rel : "") < 0)
        abort();
    return p;
}

static mode_t mode_of(const char *path)
{
    struct stat sb;
    assert_int_equal(lstat(path, &sb), 0);
    return sb.st_mode & 0777;
}

/* The entries of dir (without . and ..). */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *de; (de = readdir(d));)
        n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void expect_text(const char *path, const char *want)
{
    char *got = NULL;
    size_t len = 0;
    assert_int_equal(fs_read_file(path, 0, &got, &len), 0);
    assert_string_equal(got, want);
    assert_int_equal(len, strlen(want));
    free(got);
}

static void test_mkdir_p(void **state)
{
    (void)state;
    char *here = at("mkdir_p", NULL);
    char *deep = at("mkdir_p", "a/b/c");
    mode_t old = umask(0);
    assert_int_equal(fs_mkdir_p(deep, 0700), 0);
    umask(old);
    assert_int_equal(mode_of(deep), 0700);
    char *mid = at("mkdir_p", "a/b");
    assert_int_equal(mode_of(mid), 0700);
    /* existing folders are fine and keep their mode; a trailing slash too */
    assert_int_equal(chmod(mid, 0750), 0);
    char *slash = at("mkdir_p", "a/b/c/");
    assert_int_equal(fs_mkdir_p(slash, 0700), 0);
    assert_int_equal(mode_of(mid), 0750);
    /* a file in the way, in the middle or at the end */
    char *file = at("mkdir_p", "a/file");
    file_put(file, "x");
    char *below = at("mkdir_p", "a/file/d");
    assert_int_equal(fs_mkdir_p(below, 0700), -1);
    assert_non_null(strstr(ds_err_last(), file));
    assert_int_equal(fs_mkdir_p(file, 0700), -1);
    assert_non_null(strstr(ds_err_last(), file));
    free(below);
    free(file);
    free(slash);
    free(mid);
    free(deep);
    free(here);
}

static void test_write_atomic(void **state)
{
    (void)state;
    char *here = at("write_atomic", NULL);
    char *p = at("write_atomic", "out.yml");
    assert_int_equal(fs_write_atomic(p, "one\n", 4, 0600, 0), 0);
    expect_text(p, "one\n");
    assert_int_equal(mode_of(p), 0600);
    /* replacing: new content, the mode asked for, and no temporary file left behind */
    assert_int_equal(fs_write_atomic(p, "two\n", 4, 0640, 0), 0);
    expect_text(p, "two\n");
    assert_int_equal(mode_of(p), 0640);
    assert_int_equal(entries(here), 1);
    /* an empty file */
    assert_int_equal(fs_write_atomic(p, "", 0, 0600, 0), 0);
    expect_text(p, "");
    free(p);
    free(here);
}

static void test_write_atomic_symlink(void **state)
{
    (void)state;
    char *here = at("write_atomic_symlink", NULL);
    char *target = at("write_atomic_symlink", "real.yml");
    char *link = at("write_atomic_symlink", "link.yml");
    file_put(target, "old\n");
    assert_int_equal(symlink(target, link), 0);
    assert_int_equal(fs_write_atomic(link, "new\n", 4, 0600, 0), 0);
    struct stat sb;
    assert_int_equal(lstat(link, &sb), 0);
    assert_true(S_ISLNK(sb.st_mode)); /* the link stays, its target is replaced */
    expect_text(target, "new\n");
    assert_int_equal(entries(here), 2);
    free(link);
    free(target);
    free(here);
}

static void test_write_atomic_no_replace(void **state)
{
    (void)state;
    char *here = at("write_atomic_no_replace", NULL);
    char *p = at("write_atomic_no_replace", "keep.yml");
    assert_int_equal(fs_write_atomic(p, "first\n", 6, 0600, FS_NO_REPLACE), 0);
    expect_text(p, "first\n");
    assert_int_equal(fs_write_atomic(p, "second\n", 7, 0600, FS_NO_REPLACE), 1);
    expect_text(p, "first\n");
    assert_int_equal(entries(here), 1);
    free(p);
    free(here);
}

static int fill_half_then_fail(FILE *out, void *ctx)
{
    (void)ctx;
    fputs("partial", out);
    return ds_err_set("the sheet cannot be made");
}

static int fill_text(FILE *out, void *ctx)
{
    fputs(ctx, out);
    return 0;
}

static void test_write_atomic_errors(void **state)
{
    (void)state;
    char *here = at("write_atomic_errors", NULL);
    char *p = at("write_atomic_errors", "sheet.csv");
    assert_int_equal(fs_write_atomic_with(p, 0600, 0, fill_text, "a,b\n"), 0);
    expect_text(p, "a,b\n");
    /* a failing fill keeps its error, the old file and leaves no temporary file */
    assert_int_equal(fs_write_atomic_with(p, 0600, 0, fill_half_then_fail, NULL), -1);
    assert_string_equal(ds_err_last(), "the sheet cannot be made");
    expect_text(p, "a,b\n");
    assert_int_equal(entries(here), 1);
    /* a missing folder */
    char *missing = at("write_atomic_errors", "no/such/file");
    assert_int_equal(fs_write_atomic(missing, "x", 1, 0600, 0), -1);
    assert_non_null(strstr(ds_err_last(), "no/such/file"));
    /* a folder where the file should be: the temporary file is removed again */
    char *dir = at("write_atomic_errors", "adir");
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_int_equal(fs_write_atomic(dir, "x", 1, 0600, 0), -1);
    assert_non_null(strstr(ds_err_last(), "adir"));
    assert_int_equal(entries(here), 2);
    free(dir);
    free(missing);
    free(p);
    free(here);
}

static void test_read_file(void **state)
{
    (void)state;
    char *here = at("read_file", NULL);
    char *p = at("read_file", "big");
    size_t n = 100000;
    char *text = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        text[i] = (char)('a' + i % 26);
    text[n] = '\0';
    assert_int_equal(fs_write_atomic(p, text, n, 0600, 0), 0);
    char *got = NULL;
    size_t len = 0;
    assert_int_equal(fs_read_file(p, 0, &got, &len), 0); /* grows past its first buffer */
    assert_int_equal(len, n);
    assert_memory_equal(got, text, n);
    assert_int_equal(got[n], '\0');
    free(got);
    /* a limit: at most max + 1 bytes, so len > max tells the file is too large */
    assert_int_equal(fs_read_file(p, 10, &got, &len), 0);
    assert_int_equal(len, 11);
    assert_memory_equal(got, text, 11);
    assert_int_equal(got[11], '\0');
    free(got);
    assert_int_equal(fs_read_file(p, n, &got, &len), 0);
    assert_int_equal(len, n);
    free(got);
    assert_int_equal(fs_read_file(p, n - 1, &got, NULL), 0);
    free(got);
    /* errors: an errno value, *out NULL, *len 0 */
    char *missing = at("read_file", "missing");
    got = (char *)"untouched";
    len = 7;
    assert_int_equal(fs_read_file(missing, 0, &got, &len), ENOENT);
    assert_null(got);
    assert_int_equal(len, 0);
    assert_int_equal(fs_read_file(here, 0, &got, &len), EISDIR);
    assert_null(got);
    free(missing);
    free(text);
    free(p);
    free(here);
}

/* A FIFO never makes a read hang: without a writer it reads as empty at once; with a writer that
 * sends nothing, the read ends after the idle bound with ETIMEDOUT, said in words. */
static void test_read_fifo(void **state)
{
    (void)state;
    char *here = at("read_fifo", NULL);
    char *p = at("read_fifo", "fifo");
    assert_int_equal(mkfifo(p, 0600), 0);
    char *got = NULL;
    size_t len = 7;
    assert_int_equal(fs_read_file(p, 100, &got, &len), 0);
    assert_int_equal(len, 0);
    assert_string_equal(got, "");
    free(got);
    int w = open(p, O_RDWR | O_CLOEXEC); /* a writer (Linux opens a FIFO read-write at once) */
    assert_true(w >= 0);
    assert_int_equal(write(w, "abc", 3), 3);
    int old = fs_read_idle_ms_set(100);
    assert_int_equal(fs_read_file(p, 100, &got, &len), ETIMEDOUT);
    assert_null(got);
    assert_non_null(strstr(fs_strerror(ETIMEDOUT), "FIFO"));
    fs_read_idle_ms_set(old);
    close(w);
    free(p);
    free(here);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mkdir_p),
        cmocka_unit_test(test_write_atomic),
        cmocka_unit_test(test_write_atomic_symlink),
        cmocka_unit_test(test_write_atomic_no_replace),
        cmocka_unit_test(test_write_atomic_errors),
        cmocka_unit_test(test_read_file),
        cmocka_unit_test(test_read_fifo),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
