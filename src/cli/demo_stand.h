/* demo_stand: fits the demo's example stand to the simulated cluster it runs on: every machine is
 * pointed at one of the cluster's real templates (and its node), chosen by kind and name. */
#ifndef DS_DEMO_STAND_H
#define DS_DEMO_STAND_H

#include "config/stand.h"
#include "inventory/inventory.h"
#include <stddef.h>

/* What a template is, as far as the demo can tell from its name, tags and OS type. */
enum demo_tpl_kind { DEMO_TPL_OTHER, DEMO_TPL_LINUX, DEMO_TPL_ECOROUTER };

/* The kind of a template: EcoRouter when its name or tags say "ecorouter", Linux when its config's
 * ostype is a Linux one (l24, l26), else other. */
enum demo_tpl_kind demo_tpl_kind(const struct inv_vm *vm);

/* The kind of template a machine wants: linux -> Linux, ecorouter -> EcoRouter, a profile -> any
 * (DEMO_TPL_OTHER). */
enum demo_tpl_kind demo_machine_wants(const struct stand_machine *m);

/* 1 when the VM is a template the demo can clone: a template on a node that is online. */
int demo_tpl_usable(const struct cluster_view *v, const struct inv_vm *vm);

/* Points every machine of `st` at a usable template of `v`: one of the kind it wants when there is
 * one, preferring a template no other machine uses yet, then one whose name contains the machine's
 * name, then the VMID the stand named, then a node that already holds one of its machines, then
 * the lowest VMID. Machines share a template when the cluster has fewer than the stand.
 * The stand's template_node strings are replaced (the stand owns and frees them, as before); the
 * view is only read. Returns 0, -1 when `v` has no usable template, or -2 when out of memory;
 * on failure the stand is unchanged. */
int demo_stand_fit(struct stand *st, const struct cluster_view *v);

#endif
