/* sim_faults: deterministic fault injection (--seed): lock-timeout 500s on mutating requests,
 * failing tasks, and the real PVE messages for them. */
#ifndef SIM_FAULTS_H
#define SIM_FAULTS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct sim_faults {
    uint64_t rng;
    double fail_rate, task_fail_rate;
    char match[128]; /* --fail-match: mutating requests naming this text always fail ("" = off) */
};

void sim_faults_init(struct sim_faults *f, unsigned long seed, double fail_rate,
                     double task_fail_rate);
/* Sets the --fail-match text (NULL or "" = off). */
void sim_faults_set_match(struct sim_faults *f, const char *text);
/* 1 when this mutating request must fail: its path or a string parameter contains the match
 * text, or else a draw falls under the fail rate. On 1, writes the lock-timeout message for the
 * endpoint (method + path below /api2/json) into msg. params may be NULL. */
int sim_faults_request(struct sim_faults *f, const char *method, const char *path,
                       const json_t *params, char *msg, size_t msglen);
/* Draws once; 1 when a task of this type must fail. On 1, writes its exitstatus into msg. */
int sim_faults_task(struct sim_faults *f, const char *type, const char *id, const char *storage,
                    char *msg, size_t msglen);

#endif
