/* stand: loads and validates deployment_config.yml (the seed's `machines:` format plus `stand:`,
 * `password_policy:` and `alias.VID` bridges) into a struct stand the planner works from. */
#ifndef DS_STAND_H
#define DS_STAND_H

#include <stddef.h>

#include "util/diag.h"

enum stand_net_kind { STAND_NET_ALIAS, STAND_NET_RESERVED, STAND_NET_LITERAL };

struct stand_net {
    enum stand_net_kind kind;
    char *name;    /* alias base name ("hq"), reserved bridge ("vmbr100" from "**vmbr100**"), or
                      literal ("vmbr0") */
    int vid;       /* VLAN tag 1..4094, 0 = untagged (never set for reserved bridges) */
    int line, col; /* position of the `bridge:` value */
};

enum device_type { DEVICE_LINUX, DEVICE_ECOROUTER };

struct stand_machine {
    char *name;                   /* dns-name (<= 63 chars); default "vm-<template_vmid>" */
    enum device_type device_type; /* default linux */
    char *template_node;          /* required, pve-node */
    int template_vmid;            /* required, 100..999999999 */
    int full_clone;               /* default 0 (linked) */
    struct stand_net *nets;       /* ordered; at most 32 (linux) or 30 (ecorouter, net2 onward) */
    size_t n_nets;
    int line, col; /* position of the machine mapping */
};

enum password_style { PASSWORD_UNAMBIGUOUS, PASSWORD_DIGITS };

/* defaults: unambiguous/10, digits/8; length 8..64 */
struct password_policy {
    enum password_style style;
    int length;
};

struct stand {
    char *path; /* as given */
    char *name; /* `stand:` or the file's base name without extension, e.g. "deployment_config";
                   1..32 of [a-z0-9_-], starting with a letter or digit */
    struct stand_machine *machines;
    size_t n_machines;
    struct password_policy password_policy;
    int vmid_min, vmid_max; /* `vmid_range: A-B`; 0 when not set */
};

/* Loads and validates. Returns 0 and *out (free with stand_free), or -1 and *out = NULL after
 * appending every problem found to diags (never stops at the first problem when it can go on).
 * Every string in *out is owned by it. */
int stand_load(const char *path, struct stand **out, struct diag_list *diags);
/* Same from memory; display_name is used in diagnostics, as `path` and for the default name. */
int stand_load_text(const char *display_name, const char *text, size_t len, struct stand **out,
                    struct diag_list *diags);
void stand_free(struct stand *s);

/* Fills *out from a `bridge:` value such as "hq", "hq.10", "vmbr0", "vmbr0.5" or "**vmbr100**"
 * (reserved forces a reserved bridge). Returns 0 (out->name malloc'd, line/col left 0), or -1 with
 * a message and a hint for the user in msg/hint. */
int stand_net_parse(const char *value, int reserved, struct stand_net *out, char *msg,
                    size_t msglen, char *hint, size_t hintlen);

const char *device_type_name(enum device_type t); /* "linux" / "ecorouter" */

#endif
