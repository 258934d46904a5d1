/* status_view: how the state of a stand's VMs looks: the status table (power state, uptime,
 * "N of M running", expiry), the outcome of a power, reset or snapshot run, the snapshot listing
 * and the expired stands; each as text for people or as the JSON document for scripts. */
#ifndef DS_STATUS_VIEW_H
#define DS_STATUS_VIEW_H

#include <jansson.h>
#include <stdio.h>

/* Every function only reads its document (the use case's result, see app/) and prints it on
 * out: with json the document itself, indented, else text. */

/* app_status's result: a summary line, the expiry and a table with one row per student. */
void status_view_print(const json_t *st, FILE *out, int json);

/* app_lifecycle_json (power, reset, snapshot create/rollback/delete): in text only what the run's
 * report does not say already: the VMs stopped hard after the shutdown timeout and the VMs
 * cloned fresh by a reset. */
void status_view_result(const json_t *r, FILE *out, int json);

/* app_snapshot_list's result: one row per snapshot of each student's VM. */
void status_view_snapshots(const json_t *r, FILE *out, int json);

/* app_expire's result: the stands with an expiry, whether it passed and what became of them. */
void status_view_expire(const json_t *r, FILE *out, int json);

/* "3d 4h", "5h 02m", "7m" (translated units) into buf. */
const char *status_view_uptime(long long seconds, char *buf, size_t len);

#endif
