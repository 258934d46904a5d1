/* pve_format: Proxmox VE's named value formats (pve-vmid, pve-userid, dns-name, mac-addr, ...),
 * checked exactly like PVE::JSONSchema::check_format does, with PVE's messages. */
#ifndef PVE_FORMAT_H
#define PVE_FORMAT_H

#include "pve_pattern.h" /* pve_pattern_match, pve_pattern_to_ere: callers use both headers' checks */

#include <stdbool.h>
#include <stddef.h>

/* True when `format` is a named format this module checks (the "-list"/"-opt" suffixes are
 * understood: "pve-vmid-list" is known because "pve-vmid" is). */
bool pve_format_known(const char *format);

/* Checks `value` against the named format (e.g. "pve-vmid", "pve-node", "pve-userid", "pve-realm",
 * "pve-poolid", "pve-configid", "pve-iface", "pve-bridge-id", "dns-name", "mac-addr", "pve-tag",
 * "pve-storage-id", "pve-roleid", "pve-groupid", "pve-tokenid", "pve-priv", "email", "email-opt",
 * "ipv4", "ipv6", "CIDR", "CIDRv4", "CIDRv6", "pve-vlan-id-or-range", "urlencoded", "pve-sdn-*"...
 * and every "*-list" form (split on , ; whitespace; empty list allowed) and "*-opt" (empty
 * allowed). Extra, not in the API schema: "pve-acl-path" (PUT /access/acl `path`, AccessControl
 * check_path, message "invalid ACL path '<p>'"). Returns true if valid; else false and writes PVE's
 * message (the text after "invalid format - ", e.g. "value does not look like a valid VM ID") into
 * msg (msg may be NULL when msglen is 0). Unknown formats are accepted (true). Thread-safe. */
bool pve_format_check(const char *format, const char *value, char *msg, size_t msglen);

/* Convenience wrappers used by deploy-stand's config validation: */
bool pve_is_userid(const char *s); /* length 3..64 and ^[^\s:/]+@[A-Za-z][A-Za-z0-9.\-_]+$ */
bool pve_is_dns_name(const char *s);
bool pve_is_poolid(const char *s); /* PVE >= 8.1 nested form, max 3 levels */
bool pve_is_iface(const char *s);  /* pve-iface incl. length 2..20 */
bool pve_is_node(const char *s);
bool pve_is_tag(const char *s);
bool pve_is_mac(const char *s); /* unicast */

#endif
