/* wizard: the config wizard (menu item 1, `deploy-stand config create`): asks machine after
 * machine against the cluster's real templates and returns a validated deployment_config.yml. */
#ifndef DS_WIZARD_H
#define DS_WIZARD_H

#include "inventory/inventory.h"

struct pve_client;

/* The wizard's prompt interface, so the menu and tests can run it. */
struct wizard_io {
    /* Asks `question` (with `dflt` shown in brackets, may be NULL); returns a malloc'd answer (the
     * default when the answer is empty) or NULL at EOF/cancel. */
    char *(*ask)(void *ud, const char *question, const char *dflt);
    void (*say)(void *ud, const char *text); /* prints a line/block */
    void *ud;
};

/* Lists the templates of the cluster view (node, VMID, name, memory, disks), asks the stand name
 * (it tags the VMs ds-NAME) and machine after machine (template, name validated as dns-name, device
 * type linux/ecorouter, a profile defined earlier in the session or a new "custom" one written to
 * `profiles:`, networks with the rules explained, linked/full), shows the YAML, validates
 * it with stand_load_text and returns it (malloc'd; the caller frees) or NULL when the user cancels
 * (EOF) or the cluster has no templates. The view is only read. */
char *wizard_config(const struct wizard_io *io, const struct cluster_view *view);

/* Reads the cluster for the wizard: nodes, VMs, bridges and the config of every template (for the
 * disk sizes). 0 and *out (free with cluster_view_free), or -1 with ds_err. */
int wizard_view_load(struct pve_client *c, struct cluster_view **out);

/* A wizard_io on stdin/stdout (line input; the question and default printed to stdout). */
extern const struct wizard_io wizard_io_stdio;

#endif
