/* nic: the NIC layout of each device type, as net0..netN config values, and the EcoRouter MAC
 * range. Pure functions: the planner asks for the config changes a VM needs, given what it has now.
 */
#ifndef DS_NIC_H
#define DS_NIC_H

#include "config/stand.h"
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define ECO_MAC_FIRST 0x1C8776400000ULL /* 1C:87:76:40:00:00 */
#define ECO_MAC_LAST 0x1C87764FFFFFULL  /* 1C:87:76:4F:FF:FF */
#define ECO_DATA_FIRST_NIC 2            /* EcoRouter: stand networks start at net2 */

/* The set of MACs in use in the cluster, so new EcoRouter MACs are unique. */
struct mac_pool {
    uint64_t *used; /* owned, sorted */
    size_t n, cap;
};
void mac_pool_init(struct mac_pool *mp);
void mac_pool_free(struct mac_pool *mp);
/* Adds every macaddr found in the net* values of a VM config. */
void mac_pool_add_config(struct mac_pool *mp, const json_t *config);
int mac_pool_has(const struct mac_pool *mp, uint64_t mac);
void mac_pool_add(struct mac_pool *mp, uint64_t mac);
/* A free MAC in the EcoRouter range: derived from (vmid, nic) so reruns are stable, moved on when
 * taken. Marks it used. 0 ok, -1 when the range is full. */
int mac_pool_take(struct mac_pool *mp, int vmid, int nic, uint64_t *out);

void mac_format(uint64_t mac, char out[18]);
int mac_parse(const char *s, uint64_t *out);
int mac_in_eco_range(uint64_t mac);

/* A parsed netN value. */
struct nic_value {
    char model[24], bridge[64], macaddr[18];
    int tag, firewall, link_down;
};
/* Parses "virtio=BC:..,bridge=vmbr0,firewall=1" or "model=virtio,bridge=..". 0 ok, -1 malformed. */
int nic_parse(const char *s, struct nic_value *out);
/* The value we send: "model=virtio,bridge=B,firewall=1[,tag=V]" and so on. */
void nic_format(const struct nic_value *v, char *out, size_t len);

/* Computes the config changes that give a VM its stand NICs, laid out by the profile dp
 * (device_profile_builtin() for linux/ecorouter, or one of the stand's profiles).
 *   bridges[i]  the real bridge of nets[i] on the VM's node
 *   current     the VM's current config (for a new clone: the template's config)
 *   fresh       1 for a VM this run clones: MACs of `current` are the template's and never kept
 * Adds the management NIC (net0) when the profile has one, "netK" values (K = first_nic + i) that
 * differ and, unless dp->keep_extra, "delete" of NICs at or above first_nic beyond the stand's.
 * Every other NIC of `current` (below first_nic, kept beyond the stand's, or all of them when the
 * stand lists no networks) stays with link_down=1 set, its other options kept. EcoRouter VMs keep
 * MACs that are already in range. Returns 0, or -1 with ds_err when the MAC range is exhausted. */
int nic_plan(const struct device_profile *dp, const struct stand_net *nets,
             const char *const *bridges, size_t n, const json_t *current, int fresh, int vmid,
             struct mac_pool *mp, json_t *params);

#endif
