/* sim_api: the request/response record every endpoint handler works on, the helpers that fill
 * PVE-shaped answers into it, and the route table type. */
#ifndef SIM_API_H
#define SIM_API_H

#include "sim_auth.h"
#include "sim_model.h"

#include <jansson.h>
#include <stdint.h>

struct pve_endpoint;

struct sim_req {
    struct sim_model *model;
    const struct sim_auth *auth; /* server keys */
    struct sim_identity who;     /* the authenticated caller */
    const char *method;
    const char *path; /* below /api2/json, e.g. "/nodes/pve1/qemu" */
    const struct pve_endpoint *ep;
    json_t *params; /* normalized, validated parameters incl. path captures (borrowed) */
    uint64_t *rng;  /* model RNG */
    /* response */
    int status;
    char *message;       /* error message (owned), NULL on success */
    json_t *data;        /* owned; NULL -> null */
    json_t *errors;      /* owned; parameter errors */
    json_t *extra;       /* owned; extra top-level keys (total, changes) */
    unsigned flock_wait; /* set by sim_req_flock: the VM whose config flock the handler waits for */
};

/* Parameter accessors (NULL / dflt when absent). */
const char *sim_p_str(const struct sim_req *r, const char *key);
long long sim_p_int(const struct sim_req *r, const char *key, long long dflt);
int sim_p_has(const struct sim_req *r, const char *key);

/* Success with data (stolen; NULL = null). Returns 0. */
int sim_ok(struct sim_req *r, json_t *data);
/* Error with a message (printf). Returns -1. */
int sim_fail(struct sim_req *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* 400 "Parameter verification failed." with one errors entry. Returns -1. */
int sim_param_fail(struct sim_req *r, const char *param, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* 403 "Permission check failed (<path>, <privs>)". Returns -1. */
int sim_perm_fail(struct sim_req *r, const char *path, const char *privs);

/* Permission helpers bound to the caller. */
int sim_req_allowed(const struct sim_req *r, const char *path, const char *priv);
/* 1 when the caller has any of the privs ("A|B") on the VM's path (pool ACLs included). */
int sim_req_vm_allowed(const struct sim_req *r, const struct sim_vm *vm, const char *privs_any);

/* Task user string for the caller ("root@pam" or "user@realm!token"). */
const char *sim_req_task_user(const struct sim_req *r);

typedef int (*sim_handler_fn)(struct sim_req *r);
struct sim_route {
    const char *key; /* "GET /nodes/{node}/qemu" exactly as in the schema */
    sim_handler_fn fn;
};

/* Route tables of the endpoint modules, each ending with {NULL, NULL}. */
extern const struct sim_route sim_qemu_routes[];
extern const struct sim_route sim_clone_routes[];
extern const struct sim_route sim_snapshot_routes[];
extern const struct sim_route sim_network_routes[];
extern const struct sim_route sim_access_routes[];
extern const struct sim_route sim_pools_routes[];
extern const struct sim_route sim_cluster_routes[];

/* Shared lookups used by several endpoint modules. */
/* The node for {node}; fails the request like PVE (500 hostname lookup) and returns NULL. */
struct sim_node *sim_req_node(struct sim_req *r);
/* The VM {vmid} on {node}; fails with "Configuration file ... does not exist" and returns NULL. */
struct sim_vm *sim_req_vm(struct sim_req *r);

#endif
