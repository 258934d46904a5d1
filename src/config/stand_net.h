/* stand_net: reads one `bridge:` value of a stand file ("hq", "hq.10", "vmbr0", "**vmbr100**")
 * into an alias, a literal bridge or a reserved bridge, with a VLAN id when it carries one. */
#ifndef DS_STAND_NET_H
#define DS_STAND_NET_H

#include <stddef.h>

enum stand_net_kind { STAND_NET_ALIAS, STAND_NET_RESERVED, STAND_NET_LITERAL };

struct stand_net {
    enum stand_net_kind kind;
    char *name;    /* alias base name ("hq"), reserved bridge ("vmbr100" from "**vmbr100**"), or
                      literal ("vmbr0"); owned by the holder of the struct */
    int vid;       /* VLAN tag 1..4094, 0 = untagged (never set for reserved bridges) */
    int line, col; /* position of the `bridge:` value */
};

/* Fills *out from a `bridge:` value such as "hq", "hq.10", "vmbr0", "vmbr0.5" or "**vmbr100**"
 * (reserved forces a reserved bridge). Returns 0 (out->name malloc'd, line/col left 0), or -1 with
 * a message and a hint for the user in msg/hint. */
int stand_net_parse(const char *value, int reserved, struct stand_net *out, char *msg,
                    size_t msglen, char *hint, size_t hintlen);

/* 1 when `name` is what Linux calls a network card or a system interface rather than a bridge:
 * lo, ethN, bondN, vlanN, wlanN, and systemd's predictable names such as eno1, ens18, enp3s0,
 * enx001122334455 or wlp2s0. Such a name is never a reserved bridge. */
int stand_net_is_nic_name(const char *name);

#endif
