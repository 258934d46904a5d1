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
