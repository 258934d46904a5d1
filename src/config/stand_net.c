/* stand_net: reads one `bridge:` value of a stand file ("hq", "hq.10", "vmbr0", "**vmbr100**")
 * into an alias, a literal bridge or a reserved bridge, with a VLAN id when it carries one. */
#include "config/stand_net.h"

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
