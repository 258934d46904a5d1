/* stand: loads and validates deployment_config.yml (the seed's `machines:` format plus `stand:`,
 * `password_policy:`, `alias.VID` bridges and the class lifecycle keys) into a struct stand. */
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
    int line, col;           /* position of the machine mapping */
    int node_line, node_col; /* position of the template_node value (the machine's when none) */
    int vmid_line, vmid_col; /* position of the template_vmid value (the machine's when none) */
};

/* The role the students get on their pool (`student_role:`). */
enum student_role {
    STUDENT_ROLE_VMADMIN, /* PVEVMAdmin, the default */
    STUDENT_ROLE_VMUSER,  /* PVEVMUser */
    STUDENT_ROLE_MANAGED, /* DeployStandStudent: a role deploy-stand creates (see plan.h) */
};
#define STAND_MANAGED_ROLE "DeployStandStudent"
#define STAND_BASELINE_DEFAULT "start"
#define STAND_SNAPNAME_MAX 40

/* "PVEVMAdmin", "PVEVMUser" or "DeployStandStudent" (static). */
const char *student_role_name(enum student_role r);
/* 1 when s is a snapshot name every supported Proxmox VE accepts: pve-configid (a letter, then
 * 1.. letters, digits, '-' or '_'), at most 40 characters, and not the reserved `current` or
 * `pending`. */
int stand_snapshot_name_valid(const char *s);
/* "YYYY-MM-DD" (a real date, year >= 1970) -> *end_of_day = the Unix time of the midnight (UTC)
 * that ends that day. 0, or -1 when v is not shaped YYYY-MM-DD, -2 when it is no real date. */
int stand_date_parse(const char *v, long long *end_of_day);

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
    char *baseline;     /* `baseline:` the snapshot each VM gets after deploy; default "start", NULL
                           with `baseline: false`; owned */
    char **start_order; /* `start_order:` machine names (spelled as in `machines:`), started first
                           and in this order; owned, each string too */
    size_t n_start_order;
    enum student_role student_role; /* `student_role:`, default STUDENT_ROLE_VMADMIN */
    long long expires;     /* `expires: YYYY-MM-DD`: the students' accounts expire at the end of
                              that day, UTC (Unix seconds of the next midnight); 0 = never */
    char expires_date[11]; /* the date as written; "" when not set */
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
