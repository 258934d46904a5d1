/* pve_task: Proxmox VE worker tasks: UPID parsing and waiting for a task to finish.
 * Waiting polls with a bounded backoff that grows with the task's age; failures keep PVE's text
 * verbatim. */
#ifndef DS_PVE_TASK_H
#define DS_PVE_TASK_H

#include "pve/pve_client.h"

struct pve_upid {
    char node[64];
    unsigned pid, pstart; /* pstart: the low 32 bits when PVE printed 9 hex digits */
    unsigned long starttime;
    char type[32];
    char id[64];
    char user[128];
};

/* Parses "UPID:<node>:<pid 8 hex>:<pstart 8-9 hex>:<starttime 8 hex>:<type>:<id>:<user>:" exactly
 * as PVE's upid_decode regex (notes §4). 0 ok; -1 when not a UPID or a field does not fit `out`. */
int pve_upid_parse(const char *upid, struct pve_upid *out);

/* Polls GET /nodes/{node}/tasks/{upid}/status (node taken from the UPID), pausing at most a fifth
 * of the task's age between polls (at least 20 ms, at most 2 s), and every 2% of the time around
 * when the last task of its type on its node ended, until status "stopped" or timeout_s
 * (monotonic time) passes; transient errors while
 * polling are retried. 0 when exitstatus is "OK" or "WARNINGS: n"; -1 otherwise with ds_err =
 * "<what> failed: <exitstatus verbatim>" and class pve_err_classify_task(exitstatus) (e.g.
 * PVE_ERR_LOCKED for "clone failed: can't lock file ... - got timeout"); timeout -> "<what>: task
 * UPID:... still running after N s". */
int pve_task_wait(pve_client *c, const char *upid, int timeout_s, const char *what);

/* true for the exit statuses PVE counts as success: "OK" and "WARNINGS: <n>". */
bool pve_task_exit_ok(const char *exitstatus);

#endif
