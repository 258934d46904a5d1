/* fsutil: the file helpers every layer shares: mkdir -p, a crash-safe atomic replace of a file
 * (temporary file in the same folder, fsync, rename, fsync of the folder) and read-whole-file. */
#ifndef DS_FSUTIL_H
#define DS_FSUTIL_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* mkdir -p: creates every missing folder of path with `mode` (existing ones are left as they
 * are) and checks that path is a folder. 0, or -1 with ds_err naming the folder. */
int fs_mkdir_p(const char *path, mode_t mode);
/* fs_mkdir_p of the folder that holds the file `path` (nothing to do for "name" or "/name"). */
int fs_mkdir_parent(const char *path, mode_t mode);

/* fs_write_atomic* flags. FS_NO_REPLACE: never clobber; an existing path is left alone (link()
 * instead of rename()) and the call returns 1. */
#define FS_NO_REPLACE 1u

/* Writes the file at path atomically: the content goes to a temporary file (".NAME.XXXXXX", mode
 * `mode`) in the same folder, which is fsync'd, renamed over path (a symlink at path is followed:
 * its target is replaced), and then the folder is fsync'd. Readers see the old file or the new
 * one, never a part. 0; 1 (FS_NO_REPLACE only) when path exists; -1 with ds_err, and then path is
 * unchanged and the temporary file removed. The caller keeps ownership of data. */
int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode, unsigned flags);

/* The same, for content written to a stream: fill(out, ctx) writes it and returns 0, or -1 with
 * ds_err (then nothing changes and that error is kept). The helper owns and closes out. */
typedef int (*fs_fill_fn)(FILE *out, void *ctx);
int fs_write_atomic_with(const char *path, mode_t mode, unsigned flags, fs_fill_fn fill, void *ctx);

/* Reads the file at path into *out: malloc'd and NUL-terminated, the caller frees it (the buffers
 * it outgrew are wiped, so a file with secrets leaves one copy, *out, for the caller to wipe).
 * *len gets the byte count (len may be NULL). max > 0 reads at most max + 1 bytes: *len > max
 * then tells the file is larger than max. Returns 0, or an errno value (ENOENT, EACCES, ENOMEM...)
 * with *out NULL; it sets no ds_err, so each caller words the message (fs_strerror).
 * Never blocks for long: a FIFO without a writer reads as empty, and a pipe, FIFO or terminal
 * that gives nothing for FS_READ_IDLE_MS (30 s) ends with ETIMEDOUT. */
int fs_read_file(const char *path, size_t max, char **out, size_t *len);

/* strerror for fs_read_file's codes, saying what ETIMEDOUT means there. */
const char *fs_strerror(int err);

/* The idle bound of fs_read_file in ms (tests shorten it); returns the previous one. */
int fs_read_idle_ms_set(int ms);

#endif
