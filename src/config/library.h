/* library: the teacher's saved stands and class lists, as in the seed's data/ folder:
 * $XDG_CONFIG_HOME/deploy-stand/configs/<name>.yml and .../lists/<name>.yml (0600, dirs 0700). */
#ifndef DS_LIBRARY_H
#define DS_LIBRARY_H

#include <stddef.h>

enum lib_kind { LIB_CONFIG, LIB_LIST };

/* Sorted names (without .yml); *names is a malloc'd array of malloc'd strings; free with
 * lib_names_free. A missing folder is an empty library. 0, or -1 with ds_err. */
int lib_list(enum lib_kind k, char ***names, size_t *n);
void lib_names_free(char **names, size_t n);

/* The saved names closest to `name` (a typo: at most 1 edit for names under 4 characters, 2 under
 * 8, 3 from there; case ignored), as "lab1" or "lab1, lab2" (up to 3), malloc'd; NULL when none
 * is that close. */
char *lib_suggest(enum lib_kind k, const char *name);

/* malloc'd full path of <name>.yml (the file need not exist); NULL + ds_err for a bad name. */
char *lib_path(enum lib_kind k, const char *name);

/* True for [A-Za-z0-9_.-]{1,64} without a leading dot. */
int lib_name_valid(const char *name);

/* True when the entry exists (a regular file). */
int lib_exists(enum lib_kind k, const char *name);

/* Reads the entry: malloc'd NUL-terminated text (length in *len when len != NULL), or NULL +
 * ds_err (missing entry, read error, over 4 MiB). */
char *lib_read(enum lib_kind k, const char *name, size_t *len);

/* Writes (creating or replacing) the entry atomically: a private temporary file in the same
 * folder, fsync, rename. Folders are created 0700, the file is 0600. 0 or -1 with ds_err. */
int lib_save(enum lib_kind k, const char *name, const char *yaml_text);

/* Copies / renames an entry; the target must not exist (never overwritten, also not by a race).
 * 0 or -1 with ds_err. */
int lib_copy(enum lib_kind k, const char *from, const char *to);
int lib_rename(enum lib_kind k, const char *from, const char *to);

/* Removes the entry. 0 or -1 with ds_err (e.g. it does not exist). */
int lib_delete(enum lib_kind k, const char *name);

#endif
