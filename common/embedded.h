/* embedded: files compiled into the binaries (schema table, example stand, cluster scenarios).
 * The build generates the table from the repository, so nothing is read from ../shared at run time. */
#ifndef DS_EMBEDDED_H
#define DS_EMBEDDED_H
#include <stddef.h>

struct embedded_file {
    const char *name; /* path relative to the repository root, e.g. "examples/clusters/classroom.yml" */
    const char *data; /* NUL-terminated, static: never freed */
    size_t len;       /* length without the NUL */
};

extern const struct embedded_file embedded_files[]; /* ends with a {NULL, NULL, 0} entry */

/* Returns the static contents of an embedded file, or NULL. *len may be NULL. */
const char *embedded_get(const char *name, size_t *len);

#endif
