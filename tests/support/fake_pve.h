/* fake_pve: an in-process fake Proxmox VE behind the PVE client's transport seam: a small model
 * (VMs, users, pools, ACLs, bridges, tasks), scripted failures per request, a record of requests.
 */
#ifndef DS_FAKE_PVE_H
#define DS_FAKE_PVE_H

#include "pve/pve_client.h"
#include <jansson.h>
#include <stddef.h>

struct fake_pve;

/* One request as the fake saw it. Strings are owned by the fake (valid until fake_pve_free). */
struct fake_req {
    char *method, *path, *form; /* form: the body or query string as sent ("k=v&..." encoded) */
    long status;                /* what the fake answered */
    char node[64];              /* the node of a /nodes/NODE/... path, "" otherwise */
};

/* An empty cluster. Free with fake_pve_free (after every client using it is freed). */
struct fake_pve *fake_pve_new(void);
void fake_pve_free(struct fake_pve *f);

/* Fills the model from an inventory bundle (inventory_from_json's format; borrowed): the qemu
 * entries of "resources" (with "configs"' descriptions), "users", "pools", "networks" bridges. */
void fake_pve_load(struct fake_pve *f, const json_t *bundle);

/* A new client (API token auth, so no login request) whose requests go to f. The caller frees it
 * with pve_client_free; copies made by pve_client_dup talk to f too (f is thread-safe). */
pve_client *fake_pve_client(struct fake_pve *f);

/* The task model: a task stays "running" until its status was read `polls` times (default 1: the
 * first poll sees it stopped). With overlap > 0 it also stays running until `overlap` tasks have
 * run at once on its node (or it was polled FAKE_PVE_MAX_POLLS times), so that concurrency can be
 * observed without sleeping. */
#define FAKE_PVE_MAX_POLLS 16
void fake_pve_task_model(struct fake_pve *f, int polls, int overlap);

/* Scripted failure: the nth request (1-based, counted per rule) of `method` whose path matches
 * `glob` (fnmatch without flags: '*' also matches '/'), and the times - 1 after it, answer
 * `status` with `message` (sent in the body's "message") and change nothing. */
void fake_pve_fail(struct fake_pve *f, const char *method, const char *glob, int nth, int times,
                   long status, const char *message);
/* Same matching, but the request is accepted (a UPID) and its task ends with `exitstatus`; the
 * model is not changed. */
void fake_pve_fail_task(struct fake_pve *f, const char *method, const char *glob, int nth,
                        int times, const char *exitstatus);

/* Same matching, but the request is carried out and its answer lost: the client sees no answer
 * (status 0, as when its timeout ends before the server answers). */
void fake_pve_lose(struct fake_pve *f, const char *method, const char *glob, int nth, int times);

/* The record: every request in arrival order. Read it only while no client is sending. */
size_t fake_pve_count(const struct fake_pve *f);
const struct fake_req *fake_pve_req(const struct fake_pve *f, size_t i);
/* Index of the first request at or after `from` of `method` whose path matches `glob` and whose
 * form contains `form_has` (NULL: any), or -1. */
long fake_pve_find(const struct fake_pve *f, const char *method, const char *glob,
                   const char *form_has, size_t from);
/* Number of requests of `method` whose path matches `glob`. */
size_t fake_pve_count_matching(const struct fake_pve *f, const char *method, const char *glob);

/* The most tasks that ran at once on `node` (started and not yet seen stopped by a poll). */
int fake_pve_max_inflight(const struct fake_pve *f, const char *node);

/* The model now: 1 when the object exists. */
int fake_pve_has_vm(const struct fake_pve *f, int vmid);
int fake_pve_has_user(const struct fake_pve *f, const char *userid);
int fake_pve_has_pool(const struct fake_pve *f, const char *poolid);
int fake_pve_has_bridge(const struct fake_pve *f, const char *node, const char *iface);

#endif
