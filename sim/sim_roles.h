/* sim_roles: the built-in Proxmox VE 8 roles (PVE::AccessControl) with their privilege lists,
 * and the list of all known privileges. */
#ifndef SIM_ROLES_H
#define SIM_ROLES_H

#include <jansson.h>

/* Fills roles (object roleid -> {privs:[...], special:1}, owned by the caller) with the built-in
 * roles. */
void sim_roles_builtin(json_t *roles);
/* 1 when roleid is one of the built-in (special) roles of roles. */
int sim_roles_is_special(const json_t *roles, const char *roleid);
/* 1 when priv is a privilege name PVE 8.4 knows. */
int sim_priv_known(const char *priv);

#endif
