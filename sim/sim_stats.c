/* sim_stats: request counters, schema violations and the /__sim/stats report.
 * Called under the model mutex. */
#include "sim_stats.h"
#include "sim_tasks.h"

#include "ds_clock.h"

#include <stdio.h>

void sim_stats_init(struct sim_stats *s)
{
    s->requests = json_object();
    s->violations = json_object();
    s->total = 0;
}

void sim_stats_clear(struct sim_stats *s)
{
    json_object_clear(s->requests);
    json_object_clear(s->violations);
    s->total = 0;
}

void sim_stats_free(struct sim_stats *s)
{
    json_decref(s->requests);
    json_decref(s->violations);
    s->requests = s->violations = NULL;
}

static void bump(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    json_object_set_new(obj, key, json_integer(json_integer_value(v) + 1));
}

void sim_stats_request(struct sim_stats *s, const char *endpoint, int status)
{
    json_t *e = json_object_get(s->requests, endpoint);
    if (!e) {
        e = json_object();
        json_object_set_new(s->requests, endpoint, e);
    }
    char code[16];
    snprintf(code, sizeof code, "%d", status);
    bump(e, code);
    s->total++;
}

void sim_stats_violation(struct sim_stats *s, const char *endpoint, const json_t *errors)
{
    json_t *e = json_object_get(s->violations, endpoint);
    if (!e) {
        e = json_pack("{s:i, s:[]}", "count", 0, "examples");
        json_object_set_new(s->violations, endpoint, e);
    }
    bump(e, "count");
    json_t *ex = json_object_get(e, "examples");
    if (json_array_size(ex) < 5)
        json_array_append_new(ex, json_deep_copy(errors));
}

json_t *sim_stats_report(const struct sim_stats *s, const struct sim_model *m)
{
    json_t *by_type = json_object(), *by_status = json_object();
    for (size_t i = 0; i < m->n_tasks; i++) {
        const struct sim_task *t = m->tasks[i];
        bump(by_type, t->type);
        bump(by_status, !t->done ? "running" : t->ok ? "OK" : "error");
    }
    json_t *nodes = json_object();
    for (size_t i = 0; i < m->n_nodes; i++) {
        const struct sim_node *n = &m->nodes[i];
        json_object_set_new(nodes, n->name,
                            json_pack("{s:f, s:f, s:I, s:i, s:i, s:i}", "busy_s",
                                      (double)n->busy / (double)DS_NS_PER_S / m->time_scale,
                                      "busy_real_s", (double)n->busy / (double)DS_NS_PER_S,
                                      "busy_ns", (json_int_t)n->busy, "max_running", n->max_running,
                                      "running", n->running, "k", n->k));
    }
    long violations = 0;
    const char *k;
    json_t *v;
    json_object_foreach(s->violations, k, v)
    {
        violations += (long)json_integer_value(json_object_get(v, "count"));
    }
    return json_pack("{s:O, s:I, s:O, s:I, s:{s:o, s:o, s:I}, s:o, s:f, s:I}", "requests",
                     s->requests, "total_requests", (json_int_t)s->total, "schema_violations",
                     s->violations, "schema_violation_count", (json_int_t)violations, "tasks",
                     "by_type", by_type, "by_status", by_status, "total", (json_int_t)m->n_tasks,
                     "nodes", nodes, "time_scale", m->time_scale, "lock_waiting",
                     (json_int_t)s->lock_waiting);
}
