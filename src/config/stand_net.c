/* stand_net: reads one `bridge:` value of a stand file ("hq", "hq.10", "vmbr0", "**vmbr100**")
 * into an alias, a literal or a reserved bridge; and the lifecycle values (snapshots, roles,
 * dates). */
#include "config/stand_net.h"
#include "config/stand.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pve_format.h"
#include "util/i18n.h"

#define ALIAS_NAME_MAX 32

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

static int is_literal_vmbr(const char *s, size_t len)
{
    if (len < 5 || strncmp(s, "vmbr", 4) != 0)
        return 0;
    for (size_t i = 4; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int is_alias_name(const char *s, size_t len)
{
    if (len == 0 || len > ALIAS_NAME_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (!(isalnum(ch) && ch < 128) && ch != '_' && ch != '-')
            return 0;
    }
    return 1;
}

static int all_hex(const char *s, size_t n)
{
    if (strlen(s) != n)
        return 0;
    for (; *s; s++)
        if (!isxdigit((unsigned char)*s))
            return 0;
    return 1;
}

int stand_net_is_nic_name(const char *s)
{
    static const char *const numbered[] = {"eth", "bond", "vlan", "wlan", NULL};
    if (strcmp(s, "lo") == 0)
        return 1;
    for (size_t i = 0; numbered[i]; i++) {
        size_t l = strlen(numbered[i]);
        if (strncmp(s, numbered[i], l) == 0 && all_digits(s + l))
            return 1;
    }
    /* systemd's predictable names: en/wl/ww, a kind letter, then its number (eno1, ens18,
     * enp3s0, enP1p2s0, wlp2s0) or, for x, the MAC address (enx001122334455) */
    if (strncmp(s, "en", 2) != 0 && strncmp(s, "wl", 2) != 0 && strncmp(s, "ww", 2) != 0)
        return 0;
    if (s[2] == 'x')
        return all_hex(s + 3, 12);
    return s[2] && strchr("obcsvpPiadu", s[2]) && s[3] >= '0' && s[3] <= '9';
}

/* A reserved bridge's name (malloc'd; owned by out on success, freed on failure). */
static int net_take_reserved(char *name, const char *value, struct stand_net *out, char *msg,
                             size_t msglen, char *hint, size_t hintlen)
{
    if (strchr(name, '.') || strchr(name, ':')) {
        snprintf(msg, msglen, _("a reserved bridge cannot carry a VLAN id ('%s')"), value);
        snprintf(hint, hintlen,
                 _("drop the suffix, or use an alias such as lan.10 for a tagged NIC"));
        free(name);
        return -1;
    }
    if (!pve_is_iface(name)) {
        snprintf(msg, msglen, _("reserved bridge '%s' is not a valid interface name"), name);
        snprintf(hint, hintlen,
                 _("use 2..20 letters, digits or '_' starting with a letter, e.g. vmbr100"));
        free(name);
        return -1;
    }
    if (stand_net_is_nic_name(name)) {
        snprintf(msg, msglen,
                 _("'%s' is the name of a network card or system interface, not a bridge"), name);
        snprintf(hint, hintlen,
                 _("a reserved bridge is a bridge the students share, created when missing; use a "
                   "bridge name such as \"**vmbr100**\""));
        free(name);
        return -1;
    }
    out->kind = STAND_NET_RESERVED;
    out->name = name;
    return 0;
}

/* The ".VID" suffix at dot (inside the bridge text `value`): sets out->vid and ends the name at
 * the dot. -1 with msg and hint when it is not a VLAN id. */
static int net_take_vid(char *dot, const char *value, struct stand_net *out, char *msg,
                        size_t msglen, char *hint, size_t hintlen)
{
    const char *vid = dot + 1;
    if (!all_digits(vid)) {
        snprintf(msg, msglen, _("VLAN id '%s' in bridge '%s' is not a number"), vid, value);
        snprintf(hint, hintlen, _("write NAME.VID with VID 1..4094, e.g. lan.10"));
        return -1;
    }
    long v = strlen(vid) > 6 ? 99999999 : strtol(vid, NULL, 10);
    if (v < 1 || v > 4094) {
        snprintf(msg, msglen, _("VLAN id %s is outside 1..4094"), vid);
        snprintf(hint, hintlen, _("pick a VLAN id from 1 to 4094"));
        return -1;
    }
    out->vid = (int)v;
    *dot = '\0';
    return 0;
}

int stand_net_parse(const char *value, int reserved, struct stand_net *out, char *msg,
                    size_t msglen, char *hint, size_t hintlen)
{
    memset(out, 0, sizeof *out);
    size_t len = strlen(value);
    char *name;
    msg[0] = hint[0] = '\0';
    if (len == 0) {
        snprintf(msg, msglen, _("bridge is empty"));
        snprintf(hint, hintlen, _("write an alias (lan), a bridge (vmbr0) or \"**vmbr100**\""));
        return -1;
    }
    if (value[0] == '*') {
        if (len < 5 || strncmp(value, "**", 2) != 0 || strcmp(value + len - 2, "**") != 0 ||
            value[2] == '*' || value[len - 3] == '*') {
            snprintf(msg, msglen, _("unbalanced '**' in bridge '%s'"), value);
            snprintf(hint, hintlen, _("write a reserved bridge as \"**vmbr100**\""));
            return -1;
        }
        name = strndup(value + 2, len - 4);
        reserved = 1;
    } else {
        name = strdup(value);
    }
    if (!name)
        abort();
    if (reserved)
        return net_take_reserved(name, value, out, msg, msglen, hint, hintlen);
    char *dot = strchr(name, '.');
    size_t base_len = dot ? (size_t)(dot - name) : len;
    if (dot && net_take_vid(dot, value, out, msg, msglen, hint, hintlen) < 0) {
        free(name);
        return -1;
    }
    if (is_literal_vmbr(name, base_len)) {
        if (!pve_is_iface(name)) {
            snprintf(msg, msglen, _("bridge '%s' is not a valid interface name"), name);
            snprintf(hint, hintlen, _("use at most 20 characters, e.g. vmbr0"));
            free(name);
            return -1;
        }
        out->kind = STAND_NET_LITERAL;
    } else if (is_alias_name(name, base_len)) {
        out->kind = STAND_NET_ALIAS;
    } else {
        snprintf(msg, msglen, _("bridge alias '%s' is not valid"), name);
        snprintf(hint, hintlen,
                 _("an alias is 1..32 letters, digits, '_' or '-', optionally followed by .VID"));
        free(name);
        return -1;
    }
    out->name = name;
    return 0;
}

/* ---- lifecycle values (declared in config/stand.h) -------------------------------------- */

const char *student_role_name(enum student_role r)
{
    return r == STUDENT_ROLE_VMUSER    ? "PVEVMUser"
           : r == STUDENT_ROLE_MANAGED ? STAND_MANAGED_ROLE
                                       : "PVEVMAdmin";
}

static int ascii_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int stand_snapshot_name_valid(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > STAND_SNAPNAME_MAX || !ascii_alpha(s[0]))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!ascii_alpha(s[i]) && !(s[i] >= '0' && s[i] <= '9') && s[i] != '-' && s[i] != '_')
            return 0;
    return strcmp(s, "current") != 0 && strcmp(s, "pending") != 0;
}

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar (H. Hinnant's algorithm). */
static long long days_from_civil(long long y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

int stand_date_parse(const char *v, long long *end_of_day)
{
    int shape = strlen(v) == 10 && v[4] == '-' && v[7] == '-';
    for (int i = 0; shape && i < 10; i++)
        shape = i == 4 || i == 7 || (v[i] >= '0' && v[i] <= '9');
    if (!shape)
        return -1;
    int y = atoi(v), m = atoi(v + 5), d = atoi(v + 8);
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -2;
    *end_of_day = (days_from_civil(y, m, d) + 1) * 86400;
    return 0;
}
