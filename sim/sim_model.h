/* sim_model: the in-memory state of the simulated cluster (nodes, storages, VMs, host networks,
 * users, tokens, groups, pools, ACLs, roles, tasks) and its JSON dump for /__sim/state. */
#ifndef SIM_MODEL_H
#define SIM_MODEL_H

#include "sim_faults.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct sim_task;
struct sim_version;

struct sim_node {
    char name[64];
    int online;
    long long maxmem; /* bytes */
    int maxcpu;
    double cpu;          /* base load 0..1 */
    long long mem;       /* base used bytes (without running VMs) */
    json_t *net;         /* object iface -> interface object (active /etc/network/interfaces) */
    json_t *net_pending; /* NULL, or object iface -> object (/etc/network/interfaces.new) */
    int k;               /* tasks that run at full speed at once */
    int64_t clock;       /* model time (ns) up to which this node's tasks were advanced */
    int64_t busy;        /* model ns during which at least one task ran */
    /* Processor sharing, exactly: every running task of the node receives the same service, so
     * the node counts the service each of them has received since the model began (ns of
     * full-speed work) as served + served_frac / running_at_last_event; a task ends when served
     * reaches its end_service. */
    int64_t served;
    int64_t served_frac;
    int running;     /* tasks running now */
    int max_running; /* the most tasks that ran at once */
};

struct sim_storage {
    char id[64];
    char type[32];  /* dir, lvm, lvmthin, zfspool, rbd, nfs, ... (PVE storage plugin types) */
    char format[8]; /* file-based storages: default image format (raw, qcow2, vmdk); "" = raw */
    int shared;
    char content[128];
    json_t *nodes;         /* NULL = every node, else array of node names */
    long long total, used; /* bytes */
};

struct sim_vm {
    unsigned vmid;
    char node[64];
    json_t *config;    /* ordered object: name, memory, cores, net0, scsi0, ..., lock, template */
    json_t *snapshots; /* array of {name, snaptime, description, parent?, vmstate, config} */
    int running;
    int64_t started;      /* model time (ns) of the last start */
    int ignores_shutdown; /* the guest ignores ACPI shutdown requests (scenario flag) */
    char pool[128];       /* "" = none */
};

struct sim_model {
    char clustername[64];
    struct sim_node *nodes;
    size_t n_nodes;
    struct sim_storage *storages;
    size_t n_storages;
    struct sim_vm **vms; /* sorted by vmid */
    size_t n_vms, cap_vms;
    json_t *users;  /* userid -> {comment,enable,expire,email,firstname,lastname,groups[],password,
                       tokens:{tokenid -> {comment,expire,privsep,secret}}} */
    json_t *groups; /* groupid -> {comment} (members are in users[].groups) */
    json_t *realms; /* array of {realm, type, comment?}: pam and pve, then the scenario's */
    json_t *pools;  /* poolid -> {comment, storage: [ids]} (VM members are sim_vm.pool) */
    json_t *acls;   /* array of {path, type: user|group|token, ugid, roleid, propagate} */
    json_t *roles;  /* roleid -> {privs: [..], special: 0|1} */
    json_t *durations; /* task type -> integer ns at time scale 1 */
    int k_default;
    double time_scale;
    struct sim_task **tasks;
    size_t n_tasks, cap_tasks;
    unsigned next_pid;
    uint64_t rng;                      /* MACs, UUIDs (seeded from --seed) */
    struct sim_faults faults;          /* fault injection (set by the server) */
    const struct sim_version *version; /* the PVE release answered as (8.4 unless the server
                                          sets another) */
    /* Model time is int64 ns since the model was made: now = mono() - mono0. Wall times (UPIDs,
     * task start/end, snapshot times) are wall0_ns + model time. */
    int64_t (*mono)(void *ctx); /* monotonic ns source (default: ds_clock_mono_ns) */
    void *mono_ctx;
    int64_t mono0, wall0_ns;
    /* A held clock (POST /__sim/clock?hold=1, for tests) reads held_at; when it runs, model time
     * is mono() - mono0 - paused. */
    int held;
    int64_t held_at, paused;
};

struct sim_model *sim_model_new(double time_scale);
void sim_model_free(struct sim_model *m);

/* Model time now: ns since the model was made (never negative). */
int64_t sim_model_now(const struct sim_model *m);
/* Wall time (Unix seconds) of a model time. */
int64_t sim_model_wall_s(const struct sim_model *m, int64_t t);
/* Holds model time still (hold = 1) or lets it run on from where it stood (hold = 0). */
void sim_model_hold(struct sim_model *m, int hold);
/* Moves model time forward by ns (held or not). */
void sim_model_skip(struct sim_model *m, int64_t ns);
/* Replaces the monotonic source (tests emulate any uptime) and restarts model time at 0 from it;
 * call before any task exists. */
void sim_model_set_clock(struct sim_model *m, int64_t (*mono)(void *ctx), void *ctx);

struct sim_node *sim_model_node(struct sim_model *m, const char *name);
struct sim_storage *sim_model_storage(struct sim_model *m, const char *id);
int sim_storage_on_node(const struct sim_storage *st, const char *node);
struct sim_vm *sim_model_vm(struct sim_model *m, unsigned vmid);
/* Adds a VM (the model takes ownership of vm). 0, or -1 if the vmid exists. */
int sim_model_vm_add(struct sim_model *m, struct sim_vm *vm);
void sim_model_vm_remove(struct sim_model *m, unsigned vmid); /* frees it */
struct sim_vm *sim_vm_new(unsigned vmid, const char *node, json_t *config /* stolen */);
void sim_vm_free(struct sim_vm *vm);

const char *sim_vm_lock(const struct sim_vm *vm); /* "clone" or NULL */
/* Seconds since the VM's last start in model time; 0 when it is stopped. */
int64_t sim_vm_uptime(const struct sim_model *m, const struct sim_vm *vm);
int sim_vm_is_template(const struct sim_vm *vm);
long long sim_vm_maxmem(const struct sim_vm *vm); /* bytes */
int sim_vm_cpus(const struct sim_vm *vm);
long long sim_vm_maxdisk(const struct sim_vm *vm); /* bytes of the first disk */
/* SHA-1 of the config in PVE's file format, 40 hex chars into out[41]. */
void sim_vm_digest(const struct sim_vm *vm, char out[41]);
/* Returns 1 when key is a disk key (scsiN, virtioN, sataN, ideN, efidisk0, tpmstate0, unusedN). */
int sim_config_is_disk(const char *key);
/* The storage id of a disk value "local-lvm:vm-100-disk-0,size=2G" into out, "" when none (cdrom).
 */
void sim_disk_storage(const char *value, char *out, size_t outlen);
/* 1 when a disk value is a CD-ROM drive ("none,media=cdrom", "cdrom", cloud-init drives). */
int sim_disk_is_cdrom(const char *value);
/* 1 when the volume of a disk value supports feature ("snapshot", "clone", "template", "copy")
 * as PVE's storage plugin of its storage type says (volume_has_feature), for the volume itself
 * (snap = 0: its "current" or, for base-* volumes, "base" state) or for a snapshot of it (snap =
 * 1). File-based storages (dir, nfs, cifs, glusterfs, btrfs) decide by the volume's format: its
 * file extension, else the drive's format= option, else the storage's default format (raw); a sim
 * linked clone on such a storage is qcow2. Unknown storages and device paths have no features. */
int sim_volume_has_feature(struct sim_model *m, const char *feature, const char *value, int snap);
/* PVE::QemuConfig->has_feature: 1 when every disk of config (CD-ROMs and unusedN skipped)
 * supports feature. */
int sim_config_has_feature(struct sim_model *m, const json_t *config, const char *feature,
                           int snap);
/* 1 when type is a storage type PVE 8.4 knows (dir, lvm, lvmthin, zfspool, rbd, nfs, ...). */
int sim_storage_type_known(const char *type);

/* Random MAC with the Proxmox prefix BC:24:11 into out[18]. rng is advanced. */
void sim_mac_random(uint64_t *rng, char out[18]);
uint64_t sim_rng_next(uint64_t *rng);

/* The whole model as a new JSON object (secrets replaced by "***"). */
json_t *sim_model_dump(struct sim_model *m);

#endif
