/* pve_match: the fixed regexes behind PVE's formats (PVE::Tools $IPV4RE, $IPV6RE, $EMAIL_RE;
 * JSONSchema's DNS label, realm, userid, vmid, iface and id regexes) as hand-written matchers. */
#ifndef PVE_MATCH_H
#define PVE_MATCH_H

#include <stdbool.h>
#include <stddef.h>

/* ^[a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?$ over s[0..n) */
bool pve_match_label(const char *s, size_t n);
/* ^[A-Za-z][A-Za-z0-9\.\-_]+$ over s[0..n) */
bool pve_match_realm(const char *s, size_t n);
/* ^[^\s:/]+@realm$ (no length limits), s[0..n) */
bool pve_match_user_at_realm(const char *s, size_t n);
/* ^[1-9][0-9]{2,8}$ */
bool pve_match_vmid(const char *s);
/* Perl-style IPv4 octets: 25[0-5]|(2[0-4]|1[0-9]|[1-9])?[0-9], no leading zeros. */
bool pve_match_ipv4(const char *s, size_t n);
/* RFC 4291 text form (the grammar of PVE::Tools::$IPV6RE), s[0..n). */
bool pve_match_ipv6(const char *s, size_t n);
/* "<ip>/<bits>" with lo < bits <= hi; v6 selects the family. */
bool pve_match_cidr(const char *s, bool v6, int lo, int hi);
/* PVE::Tools::$EMAIL_USER_RE: [\w\+\-\~]+(\.[\w\+\-\~]+)* over s[0..n) */
bool pve_match_email_user(const char *s, size_t n);
/* PVE::Tools::$EMAIL_RE */
bool pve_match_email(const char *s);
/* A DNS name: labels (pve_match_label) joined by dots */
bool pve_match_dns_name(const char *s);
/* ^[a-z][a-z0-9_]{1,20}([:\.]\d+)?$/i */
bool pve_match_iface(const char *s);
/* ^[a-z][a-z0-9\-\_\.]*[a-z0-9]$/i */
bool pve_match_parse_id(const char *s);
/* ^[a-z][a-z0-9]*[a-z0-9]$/i (SDN object ids) */
bool pve_match_sdn_id(const char *s);

#endif
