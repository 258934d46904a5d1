/* plan_checks: the deploy preflight of the input files against the cluster: the stand's machines,
 * bridges and the class list's students; each mistake is a problem at its line in the file. */
#ifndef DS_PLAN_CHECKS_H
#define DS_PLAN_CHECKS_H

#include "plan/plan.h"

/* Checks rq's stand and class list against the view and adds a problem "file:line:col: what;
 * hint" for each mistake, counted in p->n_input_problems as well:
 *  - a machine whose template_node is not a node of the cluster, whose template_vmid does not
 *    exist or is no template, or whose template lives on another node than template_node;
 *  - a reserved or literal bridge that some node's network lists with a type other than bridge or
 *    OVSBridge (a network card, a bond, a VLAN...);
 *  - a student whose realm the cluster does not have (only the first student of each such realm;
 *    only when the view holds the realms), and root@pam or an existing user with an ACL (their own
 *    or one of their groups') on /, /access, /nodes, /pool or /vms whose role grants more than
 *    *.Audit privileges, which deploy-stand never gives a student.
 * Returns 1 when a machine names a node the cluster does not have (placing the students is
 * pointless then), else 0. Pure: no I/O. */
int plan_check_inputs(struct plan *p, const struct plan_request *rq, const struct cluster_view *v);

/* 1 when role `roleid` grants more than audit privileges (any privilege not ending in ".Audit"),
 * judged by the view's roles (the bundle's "roles", GET /access/roles) and, for a role missing
 * there, by Proxmox VE's built-in roles; an unknown custom role counts as harmless (0). */
int plan_role_is_privileged(const struct cluster_view *v, const char *roleid);

#endif
