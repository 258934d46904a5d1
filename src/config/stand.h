/* stand: loads and validates deployment_config.yml (the seed's `machines:` format plus `stand:`,
 * `password_policy:` and `alias.VID` bridges) into a struct stand the planner works from. */
#ifndef DS_STAND_H
#define DS_STAND_H

#include <stddef.h>

#include "config/stand_net.h"
#include "util/diag.h"
#include "util/password.h" /* struct password_policy */

/* DEVICE_PROFILE: a machine whose device_type names an entry of the file's `profiles:`. */
enum device_type { DEVICE_LINUX, DEVICE_ECOROUTER, DEVICE_PROFILE };

#define DEVICE_NICS_MAX 32 /* net0..net31 */

/* A device layout as data: how a machine's NICs look. linux and ecorouter are built in
 * (device_profile_builtin); `profiles:` in the stand file adds more. */
struct device_profile {
    char *name;     /* "linux", "ecorouter" or the profile's key */
    char model[24]; /* NIC model of the stand's networks, one of PVE's net models */
    int first_nic;  /* the stand's networks are net<first_nic>.. (0..31) */
    int firewall;   /* firewall=1 on the stand's NICs */
    int eco_macs;   /* MACs from 1C:87:76:4x (ecorouter only) */
    int keep_extra; /* 1: NICs of the template beyond the stand's are left as they are */
    int has_mgmt;   /* a fixed management NIC at net0 */
    char mgmt_bridge[64], mgmt_model[24];
    int mgmt_link_down;
    int line, col; /* position of the profile's key (0 for built-in ones) */
};

/* The built-in profile of DEVICE_LINUX or DEVICE_ECOROUTER (static, never freed); NULL otherwise.
 */
const struct device_profile *device_profile_builtin(enum device_type t);
/* How many stand networks a profile takes: 32 - first_nic. */
int device_profile_max_nets(const struct device_profile *p);
/* 1 when s is one of PVE's net models (e1000, virtio, vmxnet3, ...). */
int device_model_valid(const char *s);

struct stand_machine {
    char *name;                           /* dns-name (<= 63 chars); default "vm-<template_vmid>" */
    enum device_type device_type;         /* default linux */
    const struct device_profile *profile; /* never NULL after a successful load: a built-in
                                             profile or one of the stand's `profiles` (owned by
                                             the stand) */
    char *template_node;                  /* required, pve-node */
    int template_vmid;                    /* required, 100..999999999 */
    int full_clone;                       /* default 0 (linked) */
    struct stand_net *nets;               /* ordered; at most 32 - profile->first_nic */
    size_t n_nets;
    int line, col; /* position of the machine mapping */
};

struct stand {
    char *path; /* as given */
    char *name; /* `stand:` or the file's base name without extension, e.g. "deployment_config";
                   1..32 of [a-z0-9_-], starting with a letter or digit */
    struct stand_machine *machines;
    size_t n_machines;
    struct password_policy password_policy;
    int vmid_min, vmid_max;          /* `vmid_range: A-B`; 0 when not set */
    struct device_profile *profiles; /* `profiles:` in file order; owned (names too) */
    size_t n_profiles;
};

/* Loads and validates. Returns 0 and *out (free with stand_free), or -1 and *out = NULL after
 * appending every problem found to diags (never stops at the first problem when it can go on).
 * Every string in *out is owned by it. */
int stand_load(const char *path, struct stand **out, struct diag_list *diags);
/* Same from memory; display_name is used in diagnostics, as `path` and for the default name. */
int stand_load_text(const char *display_name, const char *text, size_t len, struct stand **out,
                    struct diag_list *diags);
void stand_free(struct stand *s);

const char *device_type_name(enum device_type t); /* "linux" / "ecorouter" / "profile" */
/* The device type as written in the file: "linux", "ecorouter" or the profile's name. */
const char *stand_machine_type_name(const struct stand_machine *m);

#endif
