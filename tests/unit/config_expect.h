/* config_expect: shared by the config loader tests: runs a loader on every bad input file under
 * tests/data/config/bad/ and checks the file's "# expect: LINE:COL: fragment" lines. */
#ifndef DS_TEST_CONFIG_EXPECT_H
#define DS_TEST_CONFIG_EXPECT_H

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/diag.h"

/* Runs one loader on path; returns its result (0 or -1) and frees whatever it loaded. */
typedef int (*config_load_fn)(const char *path, struct diag_list *diags);

/* "$DS_SRC/<rel>", malloc'd. DS_SRC is set by ctest; without it the repository is found from
 * this header's own path. */
static inline char *config_src_path(const char *rel)
{
    const char *src = getenv("DS_SRC");
    char *p = NULL;
    int n;
    if (src && *src) {
        n = asprintf(&p, "%s/%s", src, rel);
    } else {
        static const char self[] = "tests/unit/config_expect.h";
        size_t len = strlen(__FILE__);
        if (len < sizeof self - 1 || strcmp(__FILE__ + len - (sizeof self - 1), self) != 0)
            fail_msg("DS_SRC is not set; run the test through ctest");
        n = asprintf(&p, "%.*s%s", (int)(len - (sizeof self - 1)), __FILE__, rel);
    }
    if (n < 0)
        abort();
    return p;
}

/* The diagnostic as printed after "file:line:col: ". */
static inline void config_diag_text(const struct diag *d, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s%s", d->what, d->hint ? "; " : "", d->hint ? d->hint : "");
}

static inline int config_diag_has(const struct diag_list *l, const char *file, int line, int col,
                                  const char *fragment)
{
    char text[2048];
    for (size_t i = 0; i < l->n; i++) {
        const struct diag *d = &l->items[i];
        config_diag_text(d, text, sizeof text);
        if (strcmp(d->file, file) == 0 && d->line == line && d->col == col &&
            strstr(text, fragment))
            return 1;
    }
    return 0;
}

/* Fails the test, showing every diagnostic, unless one at file:line:col contains fragment. */
static inline void config_diag_expect(const struct diag_list *l, const char *file, int line,
                                      int col, const char *fragment)
{
    if (!config_diag_has(l, file, line, col, fragment)) {
        diag_print(l, stderr);
        fail_msg("no diagnostic %s:%d:%d containing \"%s\"", file, line, col, fragment);
    }
}

/* After a load that must succeed: fails the test, showing the diagnostics, unless the loader
 * returned 0 (rc) without any; then clears them. */
static inline void config_expect_clean(int rc, struct diag_list *l, const char *what)
{
    if (rc != 0 || l->n != 0) {
        diag_print(l, stderr);
        fail_msg("%s: the loader returned %d with %zu diagnostic(s)", what, rc, l->n);
    }
    diag_list_clear(l);
}

/* One wanted diagnostic of config_diags_expect. */
struct config_want {
    int line, col;
    const char *fragment;
};

/* config_diag_expect for each of the n wanted diagnostics, and exactly n in all. */
static inline void config_diags_expect(const struct diag_list *l, const char *file,
                                       const struct config_want *want, size_t n)
{
    for (size_t i = 0; i < n; i++)
        config_diag_expect(l, file, want[i].line, want[i].col, want[i].fragment);
    if (l->n != n) {
        diag_print(l, stderr);
        fail_msg("%s: %zu diagnostics, %zu expected", file, l->n, n);
    }
}

/* Runs one loader on text named `name`; returns its result (0 or -1) and frees what it loaded. */
typedef int (*config_text_fn)(const char *name, const char *text, size_t len,
                              struct diag_list *diags);

/* Define the loader adaptors of one config type: FN(path, diags) (a config_load_fn over LOAD, such
 * as users_load) or FN(name, text, len, diags) (a config_text_fn over LOAD, such as
 * users_load_text). Both check that a refusal loaded nothing and free what was loaded. */
#define CONFIG_FILE_LOADER(FN, TYPE, LOAD, FREE)                                                   \
    static int FN(const char *path, struct diag_list *diags)                                       \
    {                                                                                              \
        TYPE *x = NULL;                                                                            \
        int rc = LOAD(path, &x, diags);                                                            \
        if (rc < 0)                                                                                \
            assert_null(x);                                                                        \
        FREE(x);                                                                                   \
        return rc;                                                                                 \
    }
#define CONFIG_TEXT_LOADER(FN, TYPE, LOAD, FREE)                                                   \
    static int FN(const char *name, const char *text, size_t len, struct diag_list *diags)         \
    {                                                                                              \
        TYPE *x = NULL;                                                                            \
        int rc = LOAD(name, text, len, &x, diags);                                                 \
        if (rc < 0)                                                                                \
            assert_null(x);                                                                        \
        FREE(x);                                                                                   \
        return rc;                                                                                 \
    }

/* A text the loader must refuse, with a diagnostic at line:col containing fragment. */
struct config_case {
    const char *text;
    int line, col;
    const char *fragment;
};

/* Loads each case's text as `name`; every one must be refused with its diagnostic. */
static inline void config_expect_cases(const char *name, const struct config_case *cases, size_t n,
                                       config_text_fn load)
{
    for (size_t i = 0; i < n; i++) {
        struct diag_list diags = {0};
        assert_int_equal(load(name, cases[i].text, strlen(cases[i].text), &diags), -1);
        config_diag_expect(&diags, name, cases[i].line, cases[i].col, cases[i].fragment);
        diag_list_clear(&diags);
    }
}

/* Checks every expect line of one file; fails the test with all diagnostics shown otherwise.
 * Returns how many expect lines the file has. */
static inline int config_expect_file(const char *path, config_load_fn load)
{
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    struct diag_list diags = {0};
    int rc = load(path, &diags);
    char line[1024];
    int n_expect = 0;
    while (fgets(line, sizeof line, f)) {
        int l, c, off = 0;
        if (sscanf(line, "# expect: %d:%d: %n", &l, &c, &off) != 2 || off == 0)
            continue;
        char *frag = line + off;
        frag[strcspn(frag, "\n")] = '\0';
        n_expect++;
        if (!config_diag_has(&diags, path, l, c, frag)) {
            diag_print(&diags, stderr);
            fail_msg("%s: no diagnostic at %d:%d containing \"%s\"", path, l, c, frag);
        }
    }
    fclose(f);
    if (n_expect == 0)
        fail_msg("%s has no '# expect:' line", path);
    if (rc != -1) {
        diag_print(&diags, stderr);
        fail_msg("%s: loader returned %d for a bad file", path, rc);
    }
    diag_list_clear(&diags);
    return n_expect;
}

static inline int config_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs config_expect_file on every bad/<prefix>*.yml; returns how many files were checked. */
static inline size_t config_expect_all(const char *prefix, config_load_fn load)
{
    char *dir = config_src_path("tests/data/config/bad");
    DIR *dp = opendir(dir);
    if (!dp)
        fail_msg("cannot open %s", dir);
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(dp))) {
        size_t len = strlen(de->d_name);
        if (strncmp(de->d_name, prefix, strlen(prefix)) != 0 || len < 5 ||
            strcmp(de->d_name + len - 4, ".yml") != 0)
            continue;
        names = realloc(names, (n + 1) * sizeof *names);
        if (!names || asprintf(&names[n], "%s/%s", dir, de->d_name) < 0)
            abort();
        n++;
    }
    closedir(dp);
    qsort(names, n, sizeof *names, config_name_cmp);
    for (size_t i = 0; i < n; i++) {
        config_expect_file(names[i], load);
        free(names[i]);
    }
    free(names);
    free(dir);
    return n;
}

#endif
