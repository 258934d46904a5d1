/* status_view: how the status of a stand looks: a table of students (state, pool, node, VMs,
 * bridges) under a one-line summary, or the JSON document for scripts. */
#ifndef DS_STATUS_VIEW_H
#define DS_STATUS_VIEW_H

#include <jansson.h>
#include <stdio.h>

/* st is app_status's result (only read). */
void status_view_print(const json_t *st, FILE *out, int json);

#endif
