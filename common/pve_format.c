/* pve_format: Proxmox VE's named value formats, with PVE's exact error messages (pve-common
 * JSONSchema.pm, pve-access-control, pve-network). */
#include "pve_format.h"
#include "pve_chars.h"
#include "pve_match.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers --------------------------------------------------------------------- */

static bool fail(char *msg, size_t msglen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes the PVE message into msg and returns false, so `return fail(...)` reads naturally. */
static bool fail(char *msg, size_t msglen, const char *fmt, ...)
{
    if (msg && msglen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, msglen, fmt, ap);
        va_end(ap);
    }
    return false;
}

/* ---- individual formats ---------------------------------------------------------------- */

typedef bool (*format_fn)(const char *v, char *msg, size_t msglen);

static bool f_string(const char *v, char *msg, size_t msglen)
{
    (void)v, (void)msg, (void)msglen;
    return true;
}

static bool f_vmid(const char *v, char *msg, size_t msglen)
{
    return pve_match_vmid(v) || fail(msg, msglen, "value does not look like a valid VM ID");
}

static bool f_node(const char *v, char *msg, size_t msglen)
{
    return pve_match_label(v, strlen(v)) ||
           fail(msg, msglen, "value does not look like a valid node name");
}

static bool f_userid(const char *v, char *msg, size_t msglen)
{
    size_t n = strlen(v);
    if (n < 3)
        return fail(msg, msglen, "user name '%s' is too short", v);
    if (n > 64)
        return fail(msg, msglen, "user name '%s' is too long (%zu > 64)", v, n);
    return pve_match_user_at_realm(v, n) ||
           fail(msg, msglen, "value '%s' does not look like a valid user name", v);
}

static bool f_realm(const char *v, char *msg, size_t msglen)
{
    return pve_match_realm(v, strlen(v)) ||
           fail(msg, msglen, "value does not look like a valid realm");
}

static bool f_groupid(const char *v, char *msg, size_t msglen)
{
    return pve_chars_all(v, strlen(v), 1, pve_char_id) ||
           fail(msg, msglen, "group name '%s' contains invalid characters", v);
}

static bool f_roleid(const char *v, char *msg, size_t msglen)
{
    return pve_chars_all(v, strlen(v), 1, pve_char_id) ||
           fail(msg, msglen, "role name '%s' contains invalid characters", v);
}

static bool f_poolid(const char *v, char *msg, size_t msglen)
{
    /* Perl split("/") drops trailing empty fields; count the remaining levels. */
    size_t n = strlen(v);
    while (n > 0 && v[n - 1] == '/')
        n--;
    int levels = n > 0 ? 1 : 0;
    for (size_t i = 0; i < n; i++)
        if (v[i] == '/')
            levels++;
    if (levels > 3)
        return fail(msg, msglen, "pool name '%s' nested too deeply (max levels = 3)", v);
    size_t start = 0, len = strlen(v);
    for (size_t i = 0; i <= len; i++) {
        if (i == len || v[i] == '/') {
            if (!pve_chars_all(v + start, i - start, 1, pve_char_id))
                return fail(msg, msglen, "pool name '%s' contains invalid characters", v);
            start = i + 1;
        }
    }
    return true;
}

static bool f_tokenid(const char *v, char *msg, size_t msglen)
{
    const char *bang = strrchr(v, '!');
    if (bang && pve_match_user_at_realm(v, (size_t)(bang - v)) &&
        pve_match_realm(bang + 1, strlen(bang + 1)))
        return true;
    return fail(msg, msglen, "value '%s' does not look like a valid token ID", v);
}

/* Privileges known to PVE 8.4 (pve-access-control AccessControl.pm $privgroups). */
static const char *const pve_privs[] = {"Datastore.Allocate",
                                        "Datastore.AllocateSpace",
                                        "Datastore.AllocateTemplate",
                                        "Datastore.Audit",
                                        "Group.Allocate",
                                        "Mapping.Audit",
                                        "Mapping.Modify",
                                        "Mapping.Use",
                                        "Permissions.Modify",
                                        "Pool.Allocate",
                                        "Pool.Audit",
                                        "Realm.Allocate",
                                        "Realm.AllocateUser",
                                        "SDN.Allocate",
                                        "SDN.Audit",
                                        "SDN.Use",
                                        "Sys.AccessNetwork",
                                        "Sys.Audit",
                                        "Sys.Console",
                                        "Sys.Incoming",
                                        "Sys.Modify",
                                        "Sys.PowerMgmt",
                                        "Sys.Syslog",
                                        "User.Modify",
                                        "VM.Allocate",
                                        "VM.Audit",
                                        "VM.Backup",
                                        "VM.Clone",
                                        "VM.Config.CDROM",
                                        "VM.Config.CPU",
                                        "VM.Config.Cloudinit",
                                        "VM.Config.Disk",
                                        "VM.Config.HWType",
                                        "VM.Config.Memory",
                                        "VM.Config.Network",
                                        "VM.Config.Options",
                                        "VM.Console",
                                        "VM.Migrate",
                                        "VM.Monitor",
                                        "VM.PowerMgmt",
                                        "VM.Snapshot",
                                        "VM.Snapshot.Rollback",
                                        NULL};

static bool f_priv(const char *v, char *msg, size_t msglen)
{
    for (int i = 0; pve_privs[i]; i++)
        if (strcmp(pve_privs[i], v) == 0)
            return true;
    return fail(msg, msglen, "invalid privilege '%s'", v);
}

static bool f_configid(const char *v, char *msg, size_t msglen)
{
    size_t n = strlen(v);
    bool ok = n >= 2 && pve_char_alpha((unsigned char)v[0]);
    for (size_t i = 1; ok && i < n; i++)
        ok = pve_char_alnum((unsigned char)v[i]) || v[i] == '_' || v[i] == '-';
    return ok || fail(msg, msglen, "invalid configuration ID '%s'", v);
}

static bool f_storage_id(const char *v, char *msg, size_t msglen)
{
    return pve_match_parse_id(v) ||
           fail(msg, msglen, "storage ID '%s' contains illegal characters", v);
}

static bool f_bridge_id(const char *v, char *msg, size_t msglen)
{
    return pve_chars_all(v, strlen(v), 1, pve_char_id) ||
           fail(msg, msglen, "invalid bridge ID '%s'", v);
}

static bool f_iface(const char *v, char *msg, size_t msglen)
{
    return pve_match_iface(v) || fail(msg, msglen, "invalid network interface name '%s'", v);
}

static bool f_mac(const char *v, char *msg, size_t msglen)
{
    bool ok = strlen(v) == 17;
    for (int i = 0; ok && i < 17; i++) {
        int c = tolower((unsigned char)v[i]);
        if (i % 3 == 2)
            ok = c == ':';
        else if (i == 1)
            ok = strchr("02468ace", c) != NULL && c != '\0';
        else
            ok = pve_char_xdigit(c);
    }
    return ok || fail(msg, msglen, "value does not look like a valid unicast MAC address");
}

static bool f_ipv4(const char *v, char *msg, size_t msglen)
{
    return pve_match_ipv4(v, strlen(v)) ||
           fail(msg, msglen, "value does not look like a valid IPv4 address");
}

static bool f_ipv6(const char *v, char *msg, size_t msglen)
{
    return pve_match_ipv6(v, strlen(v)) ||
           fail(msg, msglen, "value does not look like a valid IPv6 address");
}

static bool f_ip(const char *v, char *msg, size_t msglen)
{
    return pve_match_ipv4(v, strlen(v)) || pve_match_ipv6(v, strlen(v)) ||
           fail(msg, msglen, "value does not look like a valid IP address");
}

static bool f_ipv4mask(const char *v, char *msg, size_t msglen)
{
    if (pve_match_ipv4(v, strlen(v))) {
        struct in_addr a;
        if (inet_pton(AF_INET, v, &a) == 1) {
            uint32_t m = ntohl(a.s_addr);
            if ((m & (~m >> 1)) == 0) /* ones then zeros only */
                return true;
        }
    }
    return fail(msg, msglen, "value does not look like a valid IP netmask");
}

static bool f_cidrv4(const char *v, char *msg, size_t msglen)
{
    return pve_match_cidr(v, false, 7, 32) ||
           fail(msg, msglen, "value does not look like a valid IPv4 CIDR network");
}

static bool f_cidrv6(const char *v, char *msg, size_t msglen)
{
    return pve_match_cidr(v, true, 7, 128) ||
           fail(msg, msglen, "value does not look like a valid IPv6 CIDR network");
}

static bool f_cidr(const char *v, char *msg, size_t msglen)
{
    return pve_match_cidr(v, false, 7, 32) || pve_match_cidr(v, true, 7, 128) ||
           fail(msg, msglen, "value does not look like a valid CIDR network");
}

static bool f_ipv4_config(const char *v, char *msg, size_t msglen)
{
    return strcmp(v, "dhcp") == 0 || strcmp(v, "manual") == 0 || pve_match_cidr(v, false, 7, 32) ||
           fail(msg, msglen, "value does not look like a valid ipv4 network configuration");
}

static bool f_ipv6_config(const char *v, char *msg, size_t msglen)
{
    return strcmp(v, "auto") == 0 || strcmp(v, "dhcp") == 0 || strcmp(v, "manual") == 0 ||
           pve_match_cidr(v, true, 7, 128) ||
           fail(msg, msglen, "value does not look like a valid ipv6 network configuration");
}

static bool f_email(const char *v, char *msg, size_t msglen)
{
    return pve_match_email(v) ||
           fail(msg, msglen, "value does not look like a valid email address");
}

static bool f_email_or_username(const char *v, char *msg, size_t msglen)
{
    return pve_match_email(v) || pve_match_email_user(v, strlen(v)) ||
           fail(msg, msglen, "value does not look like a valid email address or user name");
}

static bool f_dns_name(const char *v, char *msg, size_t msglen)
{
    return pve_match_dns_name(v) || fail(msg, msglen, "value does not look like a valid DNS name");
}

static bool f_address(const char *v, char *msg, size_t msglen)
{
    return pve_match_ipv4(v, strlen(v)) || pve_match_ipv6(v, strlen(v)) || pve_match_dns_name(v) ||
           fail(msg, msglen, "value does not look like a valid address: %s", v);
}

/* ^(\d+(\.\d+)?)([KMGT])?$ */
static bool f_disk_size(const char *v, char *msg, size_t msglen)
{
    size_t n = strlen(v), i = 0;
    if (n > 0 && strchr("KMGT", v[n - 1]))
        n--;
    while (i < n && pve_char_digit((unsigned char)v[i]))
        i++;
    bool ok = i > 0;
    if (ok && i < n) {
        ok = v[i] == '.' && pve_chars_all(v + i + 1, n - i - 1, 1, pve_char_digit);
    }
    return ok || fail(msg, msglen, "value does not look like a valid disk size: %s", v);
}

static bool f_tag(const char *v, char *msg, size_t msglen)
{
    size_t n = strlen(v);
    bool ok = n >= 1 && (pve_char_alnum((unsigned char)v[0]) || v[0] == '_') &&
              pve_chars_all(v, n, 1, pve_char_tag);
    return ok || fail(msg, msglen, "invalid characters in tag");
}

static bool f_urlencoded(const char *v, char *msg, size_t msglen)
{
    for (const char *p = v; *p; p++)
        if (!pve_char_alnum((unsigned char)*p) && !strchr("-%_.!~*'()", *p))
            return fail(msg, msglen, "invalid urlencoded string: %s", v);
    return true;
}

static bool f_vlan_id_or_range(const char *v, char *msg, size_t msglen)
{
    const char *dash = strchr(v, '-');
    size_t alen = dash ? (size_t)(dash - v) : strlen(v);
    if (!pve_chars_all(v, alen, 1, pve_char_digit) ||
        (dash && !pve_chars_all(dash + 1, strlen(dash + 1), 1, pve_char_digit)))
        return fail(msg, msglen, "invalid VLAN configuration '%s'", v);
    /* Perl compares numerically; a long digit run is simply huge. */
    double start = strtod(v, NULL);
    double end = dash ? strtod(dash + 1, NULL) : 0;
    if (start < 2 || start > 4094)
        return fail(msg, msglen, "invalid VLAN tag '%.*s'", (int)alen, v);
    if (dash && end != 0) { /* Perl: `if ($end)` - "0" counts as absent */
        if (end < 2 || end > 4094)
            return fail(msg, msglen, "invalid VLAN tag '%s'", dash + 1);
        if (start >= end)
            return fail(msg, msglen, "VLAN range must go from lower to higher tag '%s'", v);
    }
    return true;
}

static bool f_sdn_zone(const char *v, char *msg, size_t msglen)
{
    if (!pve_match_sdn_id(v))
        return fail(msg, msglen, "zone ID '%s' contains illegal characters", v);
    if (strlen(v) > 8)
        return fail(msg, msglen, "zone ID '%s' can't be more length than 8 characters", v);
    return true;
}

static bool f_sdn_vnet(const char *v, char *msg, size_t msglen)
{
    if (!pve_match_sdn_id(v))
        return fail(msg, msglen, "vnet ID '%s' contains illegal characters", v);
    if (strlen(v) > 8)
        return fail(msg, msglen, "vnet ID '%s' can't be more length than 8 characters", v);
    return true;
}

static bool f_sdn_controller(const char *v, char *msg, size_t msglen)
{
    return pve_match_sdn_id(v) ||
           fail(msg, msglen, "controller ID '%s' contains illegal characters", v);
}

static bool f_sdn_ipam(const char *v, char *msg, size_t msglen)
{
    return pve_match_sdn_id(v) || fail(msg, msglen, "ipam ID '%s' contains illegal characters", v);
}

static bool f_sdn_dns(const char *v, char *msg, size_t msglen)
{
    return pve_match_sdn_id(v) || fail(msg, msglen, "dns ID '%s' contains illegal characters", v);
}

/* pve_parse_startup_order: comma parts "[order=]N", "up=N", "down=N"; blank parts skipped. */
static bool f_startup_order(const char *v, char *msg, size_t msglen)
{
    bool ok = v[0] != '\0' && strcmp(v, "0") != 0;
    const char *p = v;
    while (ok && *p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        size_t k = 0;
        while (k < n && pve_char_space((unsigned char)p[k]))
            k++;
        if (k < n) {
            const char *num = p;
            size_t nn = n;
            if (n > 6 && strncmp(p, "order=", 6) == 0)
                num = p + 6, nn = n - 6;
            else if (n > 3 && strncmp(p, "up=", 3) == 0)
                num = p + 3, nn = n - 3;
            else if (n > 5 && strncmp(p, "down=", 5) == 0)
                num = p + 5, nn = n - 5;
            ok = pve_chars_all(num, nn, 1, pve_char_digit);
        }
        p = e ? e + 1 : p + n;
    }
    return ok || fail(msg, msglen, "unable to parse startup options");
}

static bool f_task_status_type(const char *v, char *msg, size_t msglen)
{
    static const char *const ok[] = {"ok", "error", "warning", "unknown", NULL};
    for (int i = 0; ok[i]; i++)
        if (strcasecmp(v, ok[i]) == 0)
            return true;
    return fail(msg, msglen, "invalid status '%s'", v);
}

static bool f_ldap_simple_attr(const char *v, char *msg, size_t msglen)
{
    return pve_chars_all(v, strlen(v), 1, pve_char_alnum) ||
           fail(msg, msglen, "value '%s' does not look like a simple ldap attribute name", v);
}

/* AccessControl.pm normalize_path + check_path (PVE 8.4 ACL paths). */
static bool f_acl_path(const char *v, char *msg, size_t msglen)
{
    char norm[512];
    size_t n = 0;
    bool ok = true;
    if (v[0] != '/')
        norm[n++] = '/';
    for (const char *p = v; *p && ok; p++) {
        if (*p == '/' && n > 0 && norm[n - 1] == '/')
            continue;
        if (n + 2 >= sizeof(norm) || !(pve_char_id((unsigned char)*p) || *p == '/'))
            ok = false;
        else
            norm[n++] = *p;
    }
    if (n > 1 && norm[n - 1] == '/')
        n--;
    norm[n] = '\0';

    /* Split into at most 6 segments. */
    const char *seg[7];
    size_t segl[7];
    int ns = 0;
    for (size_t i = 1, start = 1; ok && i <= n; i++) {
        if (i == n || norm[i] == '/') {
            if (i > start) {
                if (ns == 7) {
                    ok = false;
                    break;
                }
                seg[ns] = norm + start;
                segl[ns++] = i - start;
            }
            start = i + 1;
        }
    }
#define SEG_IS(i, lit) (segl[i] == strlen(lit) && strncmp(seg[i], lit, segl[i]) == 0)
    if (ok) {
        if (ns == 0)
            ok = true;
        else if (SEG_IS(0, "access"))
            ok = ns == 1 || (ns <= 3 && (SEG_IS(1, "groups") || SEG_IS(1, "realm")));
        else if (SEG_IS(0, "nodes") || SEG_IS(0, "storage"))
            ok = ns <= 2;
        else if (SEG_IS(0, "pool"))
            ok = ns <= 4;
        else if (SEG_IS(0, "mapping"))
            ok = ns <= 3;
        else if (SEG_IS(0, "vms")) {
            ok = ns == 1 || (ns == 2 && segl[1] >= 3 && seg[1][0] >= '1' && seg[1][0] <= '9' &&
                             pve_chars_all(seg[1], segl[1], 3, pve_char_digit));
        } else if (SEG_IS(0, "sdn")) {
            if (ns == 1)
                ok = true;
            else if (SEG_IS(1, "controllers") || SEG_IS(1, "dns") || SEG_IS(1, "ipams"))
                ok = ns <= 3;
            else if (SEG_IS(1, "zones")) {
                ok = ns <= 4;
                if (ns == 5) { /* /sdn/zones/<zone>/<vnet>/<vlan 1-9999> */
                    ok = segl[4] <= 4 && pve_chars_all(seg[4], segl[4], 1, pve_char_digit) &&
                         seg[4][0] != '0';
                }
            } else
                ok = false;
        } else
            ok = false;
    }
#undef SEG_IS
    return ok || fail(msg, msglen, "invalid ACL path '%s'", v);
}

struct format_entry {
    const char *name;
    format_fn fn;
};

static const struct format_entry formats[] = {
    {"string", f_string},
    {"pve-vmid", f_vmid},
    {"pve-node", f_node},
    {"pve-userid", f_userid},
    {"pve-realm", f_realm},
    {"pve-groupid", f_groupid},
    {"pve-roleid", f_roleid},
    {"pve-poolid", f_poolid},
    {"pve-tokenid", f_tokenid},
    {"pve-priv", f_priv},
    {"pve-configid", f_configid},
    {"pve-storage-id", f_storage_id},
    {"pve-bridge-id", f_bridge_id},
    {"pve-iface", f_iface},
    {"mac-addr", f_mac},
    {"ipv4", f_ipv4},
    {"ipv6", f_ipv6},
    {"ip", f_ip},
    {"ipv4mask", f_ipv4mask},
    {"CIDR", f_cidr},
    {"CIDRv4", f_cidrv4},
    {"CIDRv6", f_cidrv6},
    {"pve-ipv4-config", f_ipv4_config},
    {"pve-ipv6-config", f_ipv6_config},
    {"email", f_email},
    {"email-or-username", f_email_or_username},
    {"dns-name", f_dns_name},
    {"address", f_address},
    {"disk-size", f_disk_size},
    {"pve-tag", f_tag},
    {"urlencoded", f_urlencoded},
    {"pve-vlan-id-or-range", f_vlan_id_or_range},
    {"pve-sdn-zone-id", f_sdn_zone},
    {"pve-sdn-vnet-id", f_sdn_vnet},
    {"pve-sdn-controller-id", f_sdn_controller},
    {"pve-sdn-ipam-id", f_sdn_ipam},
    {"pve-sdn-dns-id", f_sdn_dns},
    {"pve-startup-order", f_startup_order},
    {"pve-task-status-type", f_task_status_type},
    {"ldap-simple-attr", f_ldap_simple_attr},
    {"pve-acl-path", f_acl_path},
    {NULL, NULL},
};

/* Splits "name-list"/"name-opt" like `m/^(.*?)(?:-(list|opt))?$/`; returns the entry or NULL.
 * *kind is 0 (plain), 'l' (list) or 'o' (opt). */
static const struct format_entry *format_lookup(const char *format, int *kind)
{
    size_t n = strlen(format);
    *kind = 0;
    if (n > 5 && strcmp(format + n - 5, "-list") == 0) {
        *kind = 'l';
        n -= 5;
    } else if (n > 4 && strcmp(format + n - 4, "-opt") == 0) {
        *kind = 'o';
        n -= 4;
    }
    for (const struct format_entry *e = formats; e->name; e++)
        if (strlen(e->name) == n && strncmp(e->name, format, n) == 0)
            return e;
    return NULL;
}

bool pve_format_known(const char *format)
{
    int kind;
    return format && format_lookup(format, &kind) != NULL;
}

bool pve_format_check(const char *format, const char *value, char *msg, size_t msglen)
{
    int kind;
    if (msg && msglen)
        msg[0] = '\0';
    if (!format || !value)
        return true;
    const struct format_entry *e = format_lookup(format, &kind);
    if (!e)
        return true;
    if (kind == 'o') /* Perl: `if $value` - "" and "0" skip the check */
        return value[0] == '\0' || strcmp(value, "0") == 0 || e->fn(value, msg, msglen);
    if (kind != 'l')
        return e->fn(value, msg, msglen);

    /* PVE::Tools::split_list: separators , ; and whitespace; empty items vanish. */
    size_t n = strlen(value);
    char *item = malloc(n + 1);
    if (!item)
        return fail(msg, msglen, "out of memory");
    bool ok = true;
    size_t i = 0;
    while (ok && i < n) {
        while (i < n &&
               (value[i] == ',' || value[i] == ';' || pve_char_space((unsigned char)value[i])))
            i++;
        size_t start = i;
        while (i < n &&
               !(value[i] == ',' || value[i] == ';' || pve_char_space((unsigned char)value[i])))
            i++;
        if (i > start) {
            memcpy(item, value + start, i - start);
            item[i - start] = '\0';
            ok = e->fn(item, msg, msglen);
        }
    }
    free(item);
    return ok;
}

bool pve_is_userid(const char *s)
{
    return s && f_userid(s, NULL, 0);
}
bool pve_is_dns_name(const char *s)
{
    return s && pve_match_dns_name(s);
}
bool pve_is_poolid(const char *s)
{
    return s && f_poolid(s, NULL, 0);
}
bool pve_is_iface(const char *s)
{
    return s && strlen(s) >= 2 && strlen(s) <= 20 && pve_match_iface(s);
}
bool pve_is_node(const char *s)
{
    return s && pve_match_label(s, strlen(s));
}
bool pve_is_tag(const char *s)
{
    return s && f_tag(s, NULL, 0);
}
bool pve_is_mac(const char *s)
{
    return s && f_mac(s, NULL, 0);
}
