/* sim_faults: deterministic fault injection: rules that make chosen mutating requests fail the
 * way Proxmox VE 8.4 fails (--fault, /__sim/fault), the lock-timeout rate and failing tasks. */
#ifndef SIM_FAULTS_H
#define SIM_FAULTS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct sim_model;

/* What a rule makes a request answer (sim/README.md, "Fault injection"). */
enum sim_fault_kind {
    SIM_FAULT_LOCK,        /* 500 lock timeout of the endpoint */
    SIM_FAULT_TRANSIENT,   /* 596 Connection timed out (pveproxy's forward timed out) */
    SIM_FAULT_REFUSED,     /* 595 Connection refused (the daemon pveproxy forwards to is down) */
    SIM_FAULT_NOWORKER,    /* 500 got no worker upid - start worker failed */
    SIM_FAULT_DROP,        /* the connection is closed without an answer */
    SIM_FAULT_UNREACHABLE, /* closed without an answer, then connections are refused a while */
    SIM_FAULT_NOTFOUND,    /* Proxmox's "does not exist" / "no such" for the object named */
    SIM_FAULT_VANISH,      /* the VM named is removed at once; the request then runs */
    SIM_FAULT_EXISTS,      /* Proxmox's "already exists" for the object the request creates */
    SIM_FAULT_INPUT,       /* 400 Parameter verification failed. naming one parameter */
    SIM_FAULT_PERMISSION,  /* 403 Permission check failed (<path>, <privs>) */
    SIM_FAULT_AUTH,        /* 401 with an empty body (the ticket is no longer accepted) */
    SIM_FAULT_LOST,        /* the request is carried out, then closed without an answer */
    SIM_FAULT_KINDS
};

#define SIM_FAULT_MAX_RULES 32
#define SIM_FAULT_MATCH_MAX 256

struct sim_fault_rule {
    enum sim_fault_kind kind;
    char match[SIM_FAULT_MATCH_MAX]; /* texts joined by '&', all must appear; "" = any request */
    long count;                      /* how many times it fires; -1 = every time */
    long fired;                      /* how many times it fired */
};

struct sim_faults {
    uint64_t rng;
    double fail_rate, task_fail_rate;
    struct sim_fault_rule rules[SIM_FAULT_MAX_RULES];
    size_t n_rules;
};

/* One mutating request as the fault rules see it (all borrowed). */
struct sim_fault_req {
    const char *method;
    const char *path;          /* below /api2/json, e.g. "/nodes/pve1/qemu/100/clone" */
    const json_t *params;      /* the validated parameters, the path's included */
    const json_t *path_params; /* the path's parameters only (NULL = none) */
    const json_t *permissions; /* the endpoint's schema "permissions" (NULL = none) */
};

/* The answer of a rule that fired. errors is owned by the caller (json_decref). */
struct sim_fault_answer {
    enum sim_fault_kind kind;
    int status;        /* 0: no answer at all (drop, unreachable) */
    char message[600]; /* Proxmox's message; "" for the 401 (its body is empty) */
    json_t *errors;    /* the 400 "errors" object, or NULL */
    int lost;          /* "lost": the request runs (0 returned) and its answer is dropped */
};

void sim_faults_init(struct sim_faults *f, unsigned long seed, double fail_rate,
                     double task_fail_rate);
/* --fail-match: adds the rule lock:TEXT (every time); NULL or "" adds nothing. */
void sim_faults_set_match(struct sim_faults *f, const char *text);

/* "lock", "transient", ... (static strings); NULL for a value out of range. */
const char *sim_fault_kind_name(enum sim_fault_kind kind);
/* Fills *r (fired 0) from kind, match (NULL = "") and count (-1 = every time, else >= 1). 0, or -1
 * with the reason in err. */
int sim_fault_rule_make(struct sim_fault_rule *r, const char *kind, const char *match, long count,
                        char *err, size_t errlen);
/* Parses "KIND[:MATCH[:COUNT]]" (the last ":N" of digits is the count) into *r. 0 or -1 + err. */
int sim_fault_rule_parse(const char *text, struct sim_fault_rule *r, char *err, size_t errlen);
/* Appends a copy of r. 0, or -1 when SIM_FAULT_MAX_RULES are set already. */
int sim_faults_add(struct sim_faults *f, const struct sim_fault_rule *r);
void sim_faults_clear(struct sim_faults *f); /* removes every rule */
/* New array of {kind, match, count (null = every time), fired}. */
json_t *sim_faults_report(const struct sim_faults *f);

/* Decides the fate of a mutating request (not GET, not /access/ticket): the first rule that
 * matches it, still has a count left and applies to it fires; else, with the fail rate, a lock
 * timeout. Returns 1 with *out filled when the request must get that answer, 0 when it goes on
 * (a "vanish" rule that fired has removed the VM from m then). */
int sim_faults_request(struct sim_faults *f, struct sim_model *m, const struct sim_fault_req *q,
                       struct sim_fault_answer *out);
/* Draws once; 1 when a task of this type must fail. On 1, writes its exitstatus into msg. */
int sim_faults_task(struct sim_faults *f, const char *type, const char *id, const char *storage,
                    char *msg, size_t msglen);

#endif
