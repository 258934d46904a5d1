/* scratch: temporary folders and whole files for the tests. */
#include "scratch.h"
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

int scratch_make(char *dir, size_t len, const char *name)
{
    int n = snprintf(dir, len, "/tmp/ds-%s-XXXXXX", name);
    if (n < 0 || (size_t)n >= len || !mkdtemp(dir)) {
        if (len)
            dir[0] = '\0';
        return -1;
    }
    return 0;
}

int scratch_home(char *dir, size_t len, const char *name)
{
    if (scratch_make(dir, len, name) < 0)
        return -1;
    char sub[512];
    snprintf(sub, sizeof sub, "%s/state", dir);
    setenv("XDG_STATE_HOME", sub, 1);
    snprintf(sub, sizeof sub, "%s/config", dir);
    setenv("XDG_CONFIG_HOME", sub, 1);
    setenv("HOME", dir, 1);
    return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int scratch_remove(const char *dir)
{
    if (!dir || !*dir)
        return 0;
    return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

int scratch_setup(void **state, size_t size, const char *name)
{
    char *f = calloc(1, size);
    if (!f || size < SCRATCH_DIR_LEN || scratch_home(f, SCRATCH_DIR_LEN, name) < 0) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

int scratch_teardown(void **state)
{
    scratch_remove(*state);
    free(*state);
    *state = NULL;
    return 0;
}

char *file_slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (!buf)
        abort();
    buf[n] = '\0';
    return buf;
}

char *file_text(const char *path)
{
    char *s = file_slurp(path);
    if (!s)
        fail_msg("cannot read %s", path);
    return s;
}

int file_mode(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (int)(sb.st_mode & 07777) : -1;
}

static void file_out(const char *path, const char *mode, const char *text)
{
    FILE *f = fopen(path, mode);
    if (!f)
        fail_msg("cannot write %s", path);
    fputs(text, f);
    if (fclose(f) != 0)
        fail_msg("cannot write %s", path);
}

void file_put(const char *path, const char *text)
{
    file_out(path, "w", text);
}

void file_append(const char *path, const char *text)
{
    file_out(path, "a", text);
}
