/* scratch: private temporary folders and whole-file reads and writes for the tests (unit, sim and
 * e2e alike), so no test carries its own mkdtemp/nftw/slurp copy.
 *
 * Who frees what: the strings file_slurp and file_text return belong to the caller (free()). */
#ifndef DS_TEST_SCRATCH_H
#define DS_TEST_SCRATCH_H

#include <stddef.h>

/* Makes the folder "/tmp/ds-<name>-XXXXXX" and puts its path in dir (len >= 64 is plenty).
 * 0, or -1 when it cannot. Does not assert, so it serves in cmocka setups. */
int scratch_make(char *dir, size_t len, const char *name);
/* scratch_make, then points XDG_STATE_HOME to <dir>/state, XDG_CONFIG_HOME to <dir>/config and
 * HOME to <dir>, so nothing the test runs can reach the user's own files. 0 or -1. */
int scratch_home(char *dir, size_t len, const char *name);
/* Removes dir and everything below it (links are removed, not followed); no-op on "".
 * 0, or -1 when something could not be removed. */
int scratch_remove(const char *dir);

/* cmocka setup and teardown of a calloc'd fixture of `size` bytes whose first member is
 * `char dir[SCRATCH_DIR_LEN]`: scratch_setup makes dir a scratch_home called `name` and stores the
 * fixture in *state (-1 when it cannot); scratch_teardown removes dir and frees the fixture. */
#define SCRATCH_DIR_LEN 64
int scratch_setup(void **state, size_t size, const char *name);
int scratch_teardown(void **state);

/* The whole file, NUL-terminated (malloc'd); NULL when it cannot be opened. */
char *file_slurp(const char *path);
/* The same, failing the test when the file cannot be read. */
char *file_text(const char *path);
/* The permission bits of path (st_mode & 07777), -1 when it cannot be stat'ed. */
int file_mode(const char *path);
/* Writes text to path (replacing the file) / appends it; fail the test when they cannot. */
void file_put(const char *path, const char *text);
void file_append(const char *path, const char *text);

#endif
