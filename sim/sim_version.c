/* sim_version: the Proxmox VE releases the simulator can answer as (--pve-version): version
 * strings, schema tables and the error-body shape of each (sim/README.md "PVE versions"). */
#include "sim_version.h"

#include "embedded.h"

#include <string.h>

/* PVE 7.4 (pve-manager 7.4-17, kernel 5.15, libpve-http-server-perl 4.x) and PVE 8.4. */
static const struct sim_version versions[] = {
    {.release = "7.4",
     .version = "7.4-17",
     .repoid = "513c62be",
     .kernel = "5.15.131-2-pve",
     .kbuild = "#1 SMP PVE 5.15.131-3 (2023-12-01T13:42Z)",
     .table = "common/pve_schema_table_pve7.4.json",
     .message_in_body = 0,
     .node_boot_info = 0},
    {.release = "8.4",
     .version = "8.4.1",
     .repoid = "2a5fa54a8503f96d",
     .kernel = "6.8.12-9-pve",
     .kbuild = "#1 SMP PREEMPT_DYNAMIC PMX 6.8.12-9",
     .table = "common/pve_schema_table.json",
     .message_in_body = 1,
     .node_boot_info = 1},
};

const struct sim_version *sim_version_find(const char *release)
{
    if (!release || !*release)
        release = "8.4";
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++)
        if (strcmp(versions[i].release, release) == 0)
            return &versions[i];
    return NULL;
}

pve_schema *sim_version_schema(const struct sim_version *v)
{
    size_t len = 0;
    const char *text = v ? embedded_get(v->table, &len) : NULL;
    return text ? pve_schema_load_text(text, len) : NULL;
}

const char *sim_version_list(void)
{
    return "7.4, 8.4";
}
