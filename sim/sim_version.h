/* sim_version: the Proxmox VE release the simulator answers as (--pve-version 7.4 or 8.4): its
 * schema table, what /version and node status report, and the shape of its error bodies. */
#ifndef SIM_VERSION_H
#define SIM_VERSION_H

#include "pve_schema.h"

struct sim_version {
    const char *release; /* "8.4": GET /version "release" and the --pve-version value */
    const char *version; /* "8.4.1" (PVE 7: "7.4-17"): GET /version "version" */
    const char *repoid;  /* pve-manager's short git revision */
    const char *kernel;  /* the running kernel's release, "6.8.12-9-pve" */
    const char *kbuild;  /* its build string, "#1 SMP PREEMPT_DYNAMIC PMX 6.8.12-9" */
    const char *table;   /* the embedded schema table ("common/pve_schema_table....json") */
    int message_in_body; /* the json formatter's error bodies carry "message" (libpve-http-server
                            5.2.0, PVE 8.3+); before, the message is in the status line only */
    int node_boot_info;  /* node status has "current-kernel" and "boot-info" (PVE 8) */
};

/* The release named by `release` ("7.4", "8.4"; NULL or "" = 8.4), or NULL when the simulator
 * does not know it. */
const struct sim_version *sim_version_find(const char *release);
/* The release's schema table (parsed from the embedded copy); NULL on failure. */
pve_schema *sim_version_schema(const struct sim_version *v);
/* The releases known, for messages: "7.4, 8.4". */
const char *sim_version_list(void);

#endif
