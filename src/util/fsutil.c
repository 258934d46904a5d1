/* fsutil: mkdir -p, the atomic file replace (temporary file, fsync, rename or link, fsync of the
 * folder) and read-whole-file, shared so that every writer gets the same crash safety. */
#include "util/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"
#include "util/i18n.h"

int fs_mkdir_p(const char *path, mode_t mode)
{
    char *tmp = strdup(path ? path : "");
    if (!tmp)
        return ds_err_set("%s", _("out of memory"));
    int rc = 0;
    for (char *p = tmp + (tmp[0] == '/'); rc == 0; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (tmp[0] && mkdir(tmp, mode) < 0 && errno != EEXIST)
            rc = ds_err_set(_("cannot create the folder %s: %s"), tmp, strerror(errno));
        *p = saved;
        if (!saved)
            break;
    }
    free(tmp);
    struct stat sb;
    if (rc == 0 && (stat(path, &sb) < 0 || !S_ISDIR(sb.st_mode)))
        rc = ds_err_set(_("cannot create the folder %s: %s"), path, strerror(ENOTDIR));
    return rc;
}

int fs_mkdir_parent(const char *path, mode_t mode)
{
    char *dir = strdup(path ? path : "");
    if (!dir)
        return ds_err_set("%s", _("out of memory"));
    char *slash = strrchr(dir, '/');
    int rc = 0;
    if (slash && slash != dir) {
        *slash = '\0';
        rc = fs_mkdir_p(dir, mode);
    }
    free(dir);
    return rc;
}

/* Where the write goes: the target (path, or its symlink's target), its folder and the
 * temporary name next to it. */
struct target {
    char real[PATH_MAX];
    const char *file;
    char *dir;
    char *tmp;
};

static int target_init(struct target *t, const char *path)
{
    t->file = realpath(path, t->real) ? t->real : path;
    const char *slash = strrchr(t->file, '/');
    int n;
    if (slash) {
        t->dir = strndup(t->file, (size_t)(slash - t->file) + (slash == t->file));
        n = asprintf(&t->tmp, "%.*s/.%s.XXXXXX", (int)(slash - t->file), t->file, slash + 1);
    } else {
        t->dir = strdup(".");
        n = asprintf(&t->tmp, ".%s.XXXXXX", t->file);
    }
    if (n < 0)
        t->tmp = NULL;
    if (!t->dir || !t->tmp) {
        free(t->dir);
        free(t->tmp);
        return ds_err_set("%s", _("out of memory"));
    }
    return 0;
}

static void dir_sync(const char *dir)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
}

/* Fills the temporary file through a stream and syncs it. 0, or -1 with ds_err. */
static int tmp_fill(const struct target *t, int fd, mode_t mode, fs_fill_fn fill, void *ctx)
{
    FILE *out = fchmod(fd, mode) == 0 ? fdopen(fd, "w") : NULL;
    if (!out) {
        ds_err_set(_("cannot write %s: %s; the file was not changed"), t->file, strerror(errno));
        close(fd);
        return -1;
    }
    int rc = fill(out, ctx);
    if (rc == 0 && (fflush(out) == EOF || ferror(out) || fsync(fileno(out)) < 0))
        rc = ds_err_set(_("cannot write %s: %s; the file was not changed"), t->file,
                        strerror(errno ? errno : EIO));
    if (fclose(out) == EOF && rc == 0)
        rc = ds_err_set(_("cannot write %s: %s; the file was not changed"), t->file,
                        strerror(errno));
    return rc;
}

/* Moves the synced temporary file into place. 0, 1 (exists, FS_NO_REPLACE) or -1 with ds_err. */
static int tmp_commit(const struct target *t, unsigned flags)
{
    if (!(flags & FS_NO_REPLACE)) {
        if (rename(t->tmp, t->file) == 0)
            return 0;
    } else if (link(t->tmp, t->file) == 0) {
        unlink(t->tmp);
        return 0;
    } else if (errno == EEXIST) {
        return 1;
    }
    return ds_err_set(_("cannot write %s: %s; the file was not changed"), t->file, strerror(errno));
}

int fs_write_atomic_with(const char *path, mode_t mode, unsigned flags, fs_fill_fn fill, void *ctx)
{
    struct target t;
    if (target_init(&t, path) < 0)
        return -1;
    int fd = mkostemp(t.tmp, O_CLOEXEC);
    int rc;
    if (fd < 0)
        rc =
            ds_err_set(_("cannot create a temporary file next to %s: %s"), t.file, strerror(errno));
    else if ((rc = tmp_fill(&t, fd, mode, fill, ctx)) == 0)
        rc = tmp_commit(&t, flags);
    if (fd >= 0 && rc != 0)
        unlink(t.tmp);
    if (rc == 0)
        dir_sync(t.dir);
    free(t.tmp);
    free(t.dir);
    return rc;
}

struct span {
    const void *data;
    size_t len;
};

static int span_fill(FILE *out, void *ctx)
{
    const struct span *s = ctx;
    if (s->len)
        fwrite(s->data, 1, s->len, out); /* a short write sets ferror(out): tmp_fill reports it */
    return 0;
}

int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode, unsigned flags)
{
    struct span s = {data, len};
    return fs_write_atomic_with(path, mode, flags, span_fill, &s);
}

/* Grows buf to cap bytes, wiping the old copy. NULL when out of memory (buf is then freed). */
static char *grow_wiped(char *buf, size_t used, size_t cap)
{
    char *nb = malloc(cap);
    if (nb)
        memcpy(nb, buf, used);
    explicit_bzero(buf, used);
    free(buf);
    return nb;
}

#define FS_READ_IDLE_MS 30000
static int read_idle_ms = FS_READ_IDLE_MS;

int fs_read_idle_ms_set(int ms)
{
    int old = read_idle_ms;
    read_idle_ms = ms > 0 ? ms : FS_READ_IDLE_MS;
    return old;
}

const char *fs_strerror(int err)
{
    if (err == ETIMEDOUT)
        return _("nothing came to read for a long time (a pipe or FIFO whose writer is stuck?)");
    return strerror(err);
}

/* One read of fd into buf, waiting at most the idle bound for data on a pipe or terminal (opened
 * non-blocking). The byte count, 0 at the end, or -1 with errno (ETIMEDOUT after the bound). */
static ssize_t read_bounded(int fd, char *buf, size_t want)
{
    for (;;) {
        ssize_t r = read(fd, buf, want);
        if (r >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
            return r;
        if (errno == EINTR)
            continue;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int n = poll(&p, 1, read_idle_ms);
        if (n == 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        if (n < 0 && errno != EINTR)
            return -1;
    }
}

int fs_read_file(const char *path, size_t max, char **out, size_t *len)
{
    *out = NULL;
    if (len)
        *len = 0;
    /* non-blocking: opening a FIFO for reading must not wait for a writer */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return errno;
    size_t limit = max ? max + 1 : 0, cap = 4096, n = 0;
    char *buf = malloc(cap);
    int err = buf ? 0 : ENOMEM;
    while (!err && (!limit || n < limit)) {
        if (n + 1 >= cap) {
            buf = grow_wiped(buf, n, cap * 2);
            cap *= 2;
            if (!buf) {
                err = ENOMEM;
                break;
            }
        }
        size_t want = cap - n - 1;
        if (limit && want > limit - n)
            want = limit - n;
        ssize_t r = read_bounded(fd, buf + n, want);
        if (r < 0)
            err = errno;
        else if (r == 0)
            break;
        else
            n += (size_t)r;
    }
    close(fd);
    if (err) {
        if (buf)
            explicit_bzero(buf, n);
        free(buf);
        return err;
    }
    buf[n] = '\0';
    *out = buf;
    if (len)
        *len = n;
    return 0;
}
