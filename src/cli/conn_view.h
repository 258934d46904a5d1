/* conn_view: how the connections file looks to the teacher: a table (name, host, user, auth,
 * secret state, TLS, default) or the JSON document for scripts. */
#ifndef DS_CONN_VIEW_H
#define DS_CONN_VIEW_H

#include <stdio.h>

#include "config/connections.h"

/* Prints the connections of file `path` (only read) on out. */
void conn_view_list(const char *path, const struct connections *cs, FILE *out, int json);

#endif
