/* sim_control: the /__sim endpoints outside /api2 (model state, statistics, the model clock,
 * fault rules, reset), for tests and tools; loopback only, no authentication. */
#include "sim_faults.h"
#include "sim_respond.h"
#include "sim_scenario.h"
#include "sim_server_int.h"
#include "sim_tasks.h"

#include "ds_clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sim_control_model_setup(struct pve_sim *s, struct sim_model *m)
{
    m->version = s->version;
    sim_faults_init(&m->faults, s->o.seed, s->o.fail_rate, s->o.task_fail_rate);
    sim_faults_set_match(&m->faults, s->o.fail_match);
    for (size_t i = 0; i < s->n_rules; i++)
        sim_faults_add(&m->faults, &s->rules[i]);
}

/* POST /__sim/clock?hold=0|1&skip_ms=N: tests hold model time still, so that what they check
 * between two requests cannot change however busy the machine is, and move it on at will. */
static json_t *sim_clock_control(struct sim_model *m, struct MHD_Connection *c, int *status)
{
    const char *hold = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "hold");
    const char *skip = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "skip_ms");
    char *end = NULL;
    long long ms = skip ? strtoll(skip, &end, 10) : 0;
    if ((hold && strcmp(hold, "0") != 0 && strcmp(hold, "1") != 0) ||
        (skip && (!*skip || *end || ms < 0 || ms > 86400000LL * 366))) {
        *status = 400;
        return json_pack("{s:s}", "error", "use hold=0|1 and skip_ms=N (0..31622400000)");
    }
    if (hold)
        sim_model_hold(m, hold[0] == '1');
    sim_model_skip(m, ms * DS_NS_PER_MS);
    sim_tasks_advance(m, sim_model_now(m));
    return json_pack("{s:b, s:I}", "held", m->held, "now_ns", (json_int_t)sim_model_now(m));
}

/* /__sim/fault: GET lists the rules and how often each fired, POST ?kind=K&match=M&count=N adds
 * one (no count: every time), DELETE removes them all. */
static json_t *sim_fault_control(struct pve_sim *s, struct MHD_Connection *c, const char *method,
                                 int *status)
{
    struct sim_faults *f = &s->model->faults;
    char err[300] = "";
    if (strcmp(method, "POST") == 0) {
        const char *kind = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "kind");
        const char *match = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "match");
        const char *count = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "count");
        char *end = NULL;
        long n = count ? strtol(count, &end, 10) : -1;
        struct sim_fault_rule r;
        if (count && (!*count || *end || n < 1))
            snprintf(err, sizeof err, "count must be a whole number of at least 1");
        else if (sim_fault_rule_make(&r, kind, match, n, err, sizeof err) == 0 &&
                 sim_faults_add(f, &r) != 0)
            snprintf(err, sizeof err, "at most %d fault rules", SIM_FAULT_MAX_RULES);
    } else if (strcmp(method, "DELETE") == 0) {
        sim_faults_clear(f);
    } else if (strcmp(method, "GET") != 0) {
        snprintf(err, sizeof err, "use GET, POST or DELETE");
    }
    if (err[0]) {
        *status = 400;
        return json_pack("{s:s}", "error", err);
    }
    return json_pack("{s:o, s:b}", "rules", sim_faults_report(f), "unreachable",
                     sim_listen_paused(s->listen));
}

enum MHD_Result sim_control_handle(struct pve_sim *s, struct MHD_Connection *c, const char *url,
                                   const char *method)
{
    json_t *body = NULL;
    int status = 200;
    pthread_mutex_lock(&s->mu);
    sim_tasks_advance(s->model, sim_model_now(s->model));
    if (strcmp(url, "/__sim/state") == 0 && strcmp(method, "GET") == 0) {
        body = sim_model_dump(s->model);
    } else if (strcmp(url, "/__sim/stats") == 0 && strcmp(method, "GET") == 0) {
        body = sim_stats_report(&s->stats, s->model);
        json_object_set_new(body, "faults", sim_faults_report(&s->model->faults));
    } else if (strcmp(url, "/__sim/requests") == 0 && strcmp(method, "GET") == 0) {
        body = sim_reqlog_report(&s->reqlog);
    } else if (strcmp(url, "/__sim/requests") == 0 && strcmp(method, "DELETE") == 0) {
        sim_reqlog_clear(&s->reqlog);
        body = sim_reqlog_report(&s->reqlog);
    } else if (strcmp(url, "/__sim/clock") == 0 && strcmp(method, "POST") == 0) {
        body = sim_clock_control(s->model, c, &status);
    } else if (strcmp(url, "/__sim/fault") == 0) {
        body = sim_fault_control(s, c, method, &status);
    } else if (strcmp(url, "/__sim/reset") == 0 && strcmp(method, "POST") == 0) {
        char err[512];
        struct sim_model *m =
            sim_scenario_load(s->scenario, s->o.time_scale, s->o.seed, err, sizeof err);
        if (m) {
            sim_control_model_setup(s, m);
            sim_model_free(s->model);
            s->model = m;
            sim_stats_clear(&s->stats);
            sim_reqlog_clear(&s->reqlog);
            body = json_pack("{s:b}", "reset", 1);
        } else {
            status = 500;
            body = json_pack("{s:s}", "error", err);
        }
    } else {
        status = 404;
        body = json_pack("{s:s}", "error", "unknown /__sim endpoint");
    }
    pthread_mutex_unlock(&s->mu);
    enum MHD_Result r = sim_respond(c, status, body, NULL, SIM_FMT_JSON, NULL);
    json_decref(body);
    return r;
}
