/* sim_tasks: PVE worker tasks (UPIDs, logs, exit status) and the processor-sharing time model.
 * All functions run under the model mutex; time is advanced lazily at each request. */
#include "sim_tasks.h"

#include "sim_faults.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double sim_task_duration(const struct sim_model *m, const char *key)
{
    json_t *v = json_object_get(m->durations, key);
    if (json_is_number(v))
        return json_number_value(v);
    if (strncmp(key, "qmclone_", 8) == 0) {
        v = json_object_get(m->durations, "qmclone");
        if (json_is_number(v))
            return json_number_value(v);
    }
    return 1.0;
}

struct sim_task *sim_task_start(struct sim_model *m, const char *node, const char *type,
                                const char *id, const char *user, double seconds, json_t *ctx,
                                sim_task_done_fn on_done)
{
    struct sim_node *n = sim_model_node(m, node);
    struct sim_task *t = calloc(1, sizeof *t);
    if (!n || !t) {
        free(t);
        json_decref(ctx);
        return NULL;
    }
    if (m->n_tasks == m->cap_tasks) {
        size_t cap = m->cap_tasks ? m->cap_tasks * 2 : 64;
        struct sim_task **nt = realloc(m->tasks, cap * sizeof *nt);
        if (!nt) {
            free(t);
            json_decref(ctx);
            return NULL;
        }
        m->tasks = nt;
        m->cap_tasks = cap;
    }
    double now = sim_model_mono();
    sim_tasks_advance(m, now);
    snprintf(t->node, sizeof t->node, "%s", node);
    snprintf(t->type, sizeof t->type, "%s", type);
    snprintf(t->id, sizeof t->id, "%s", id ? id : "");
    snprintf(t->user, sizeof t->user, "%s", user);
    t->pid = m->next_pid++;
    t->pstart = (unsigned)((now - m->mono0) * 100) + 0x100000;
    t->start_mono = now;
    t->work = t->remaining = seconds * m->time_scale;
    t->log = json_array();
    t->ctx = ctx ? ctx : json_object();
    t->on_done = on_done;
    unsigned long start = (unsigned long)sim_model_wall(m, now);
    snprintf(t->upid, sizeof t->upid, "UPID:%s:%08X:%08X:%08lX:%s:%s:%s:", node, t->pid, t->pstart,
             start, type, t->id, user);
    m->tasks[m->n_tasks++] = t;
    char fmsg[256];
    if (sim_faults_task(&m->faults, type, t->id,
                        json_string_value(json_object_get(t->ctx, "storage")), fmsg, sizeof fmsg))
        sim_task_set_error(t, "%s", fmsg);
    n->running++;
    if (n->running > n->max_running)
        n->max_running = n->running;
    if (n->clock < now)
        n->clock = now;
    return t;
}

void sim_task_set_error(struct sim_task *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    free(t->error);
    t->error = s;
}

void sim_task_log(struct sim_task *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) >= 0) {
        json_array_append_new(t->log, json_string(s));
        free(s);
    }
    va_end(ap);
}

static void task_finish(struct sim_model *m, struct sim_node *n, struct sim_task *t, double when)
{
    t->done = 1;
    t->end_mono = when;
    t->remaining = 0;
    t->ok = t->error == NULL;
    if (t->on_done)
        t->on_done(m, t, t->ok);
    t->ok = t->error == NULL;
    if (t->ok)
        json_array_append_new(t->log, json_string("TASK OK"));
    else {
        char *line = NULL;
        if (asprintf(&line, "TASK ERROR: %s", t->error) >= 0) {
            json_array_append_new(t->log, json_string(line));
            free(line);
        }
    }
    n->running--;
}

static void node_advance(struct sim_model *m, struct sim_node *n, double now)
{
    for (;;) {
        int count = 0;
        double minrem = 0;
        for (size_t i = 0; i < m->n_tasks; i++) {
            struct sim_task *t = m->tasks[i];
            if (t->done || strcmp(t->node, n->name) != 0)
                continue;
            if (count == 0 || t->remaining < minrem)
                minrem = t->remaining;
            count++;
        }
        if (count == 0) {
            if (n->clock < now)
                n->clock = now;
            return;
        }
        double k = n->k > 0 ? n->k : 4;
        double rate = count <= k ? 1.0 : k / count;
        double fin = n->clock + (minrem > 0 ? minrem / rate : 0);
        double until = fin <= now ? fin : now;
        double dt = until - n->clock;
        if (dt < 0)
            dt = 0;
        n->busy += dt;
        for (size_t i = 0; i < m->n_tasks; i++) {
            struct sim_task *t = m->tasks[i];
            if (!t->done && strcmp(t->node, n->name) == 0)
                t->remaining -= dt * rate;
        }
        n->clock = until;
        if (fin > now)
            return;
        for (size_t i = 0; i < m->n_tasks; i++) {
            struct sim_task *t = m->tasks[i];
            if (!t->done && strcmp(t->node, n->name) == 0 && t->remaining <= 1e-12)
                task_finish(m, n, t, fin);
        }
    }
}

void sim_tasks_advance(struct sim_model *m, double now)
{
    for (size_t i = 0; i < m->n_nodes; i++)
        node_advance(m, &m->nodes[i], now);
}

struct sim_task *sim_task_find(struct sim_model *m, const char *upid)
{
    for (size_t i = m->n_tasks; i-- > 0;)
        if (strcmp(m->tasks[i]->upid, upid) == 0)
            return m->tasks[i];
    return NULL;
}

json_t *sim_task_json(const struct sim_model *m, const struct sim_task *t)
{
    json_t *o = json_pack("{s:s, s:s, s:i, s:i, s:I, s:s, s:s, s:s, s:s}", "upid", t->upid, "node",
                          t->node, "pid", (int)t->pid, "pstart", (int)t->pstart, "starttime",
                          (json_int_t)sim_model_wall(m, t->start_mono), "type", t->type, "id",
                          t->id, "user", t->user, "status", t->done ? "stopped" : "running");
    if (t->done) {
        json_object_set_new(o, "exitstatus", json_string(t->ok ? "OK" : t->error));
        json_object_set_new(o, "endtime", json_integer((json_int_t)sim_model_wall(m, t->end_mono)));
    }
    /* Simulator extension: exact durations in model seconds (unscaled), for benchmarks and tests.
     */
    double end = t->done ? t->end_mono : sim_model_mono();
    json_object_set_new(o, "sim_elapsed", json_real((end - t->start_mono) / m->time_scale));
    /* and the task's work at full speed (model seconds): a node with K slots needs at least
     * sum(sim_work) / K, which is what a benchmark's lower bound is made of */
    json_object_set_new(o, "sim_work", json_real(t->work / m->time_scale));
    return o;
}

json_t *sim_task_log_json(const struct sim_task *t, long start, long limit, long *total)
{
    json_t *a = json_array();
    size_t n = json_array_size(t->log);
    *total = (long)n;
    for (size_t i = (size_t)(start > 0 ? start : 0);
         i < n && (limit <= 0 || (long)json_array_size(a) < limit); i++)
        json_array_append_new(
            a, json_pack("{s:I, s:O}", "n", (json_int_t)(i + 1), "t", json_array_get(t->log, i)));
    return a;
}

void sim_task_free(struct sim_task *t)
{
    if (!t)
        return;
    free(t->error);
    json_decref(t->log);
    json_decref(t->ctx);
    free(t);
}

int sim_tasks_active_for_vm(const struct sim_model *m, unsigned vmid)
{
    for (size_t i = 0; i < m->n_tasks; i++) {
        const struct sim_task *t = m->tasks[i];
        if (!t->done && json_integer_value(json_object_get(t->ctx, "vmid")) == (json_int_t)vmid)
            return 1;
    }
    return 0;
}
