/* sim_tasks: PVE worker tasks (UPIDs, logs, exit status) and the processor-sharing time model.
 * All functions run under the model mutex; time is advanced lazily at each request. */
#include "sim_tasks.h"

#include "sim_faults.h"

#include "ds_clock.h"

#include <math.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Task work is capped so that work * running tasks stays far inside int64 (2^46 ns is 19.5 h). */
#define WORK_MAX (INT64_C(1) << 46)

int64_t sim_task_duration(const struct sim_model *m, const char *key)
{
    json_t *v = json_object_get(m->durations, key);
    if (!json_is_integer(v) && strncmp(key, "qmclone_", 8) == 0)
        v = json_object_get(m->durations, "qmclone");
    if (!json_is_integer(v))
        return DS_NS_PER_S;
    int64_t ns = (int64_t)json_integer_value(v);
    return ns < 0 ? 0 : ns > WORK_MAX ? WORK_MAX : ns;
}

static int64_t scaled_work(const struct sim_model *m, int64_t work_ns)
{
    double w = (double)work_ns * m->time_scale;
    if (!(w > 0))
        return 0;
    return w >= (double)WORK_MAX ? WORK_MAX : llround(w);
}

static int node_slots(const struct sim_node *n)
{
    return n->k > 0 ? n->k : 4;
}

/* a * b, saturated at INT64_MAX (both >= 0) */
static int64_t mul_sat(int64_t a, int64_t b)
{
    int64_t r;
    return __builtin_mul_overflow(a, b, &r) ? INT64_MAX : r;
}

/* Running tasks of node n: their count and the smallest end_service. */
static int64_t node_scan(const struct sim_model *m, const struct sim_node *n, int64_t *min_end)
{
    int64_t count = 0;
    for (size_t i = 0; i < m->n_tasks; i++) {
        const struct sim_task *t = m->tasks[i];
        if (t->done || strcmp(t->node, n->name) != 0)
            continue;
        if (count == 0 || t->end_service < *min_end)
            *min_end = t->end_service;
        count++;
    }
    return count;
}

/* Model ns from the node's clock until `served` reaches target with count tasks running: each
 * task gets min(K, count) / count ns of service per ns, and served_frac carries the remainder. */
static int64_t time_to_serve(const struct sim_node *n, int64_t count, int64_t target)
{
    int64_t num = count < node_slots(n) ? count : node_slots(n);
    int64_t need = mul_sat(target - n->served, count) - n->served_frac;
    if (need <= 0)
        return 0;
    return need / num + (need % num != 0);
}

/* Moves the node's clock forward by dt with count tasks running. */
static void node_serve(struct sim_node *n, int64_t count, int64_t dt)
{
    int64_t num = count < node_slots(n) ? count : node_slots(n);
    int64_t total = mul_sat(dt, num);
    total = total > INT64_MAX - n->served_frac ? INT64_MAX : total + n->served_frac;
    n->served += total / count;
    n->served_frac = total % count;
    n->busy += dt;
    n->clock += dt;
}

static int tasks_reserve(struct sim_model *m)
{
    if (m->n_tasks < m->cap_tasks)
        return 0;
    size_t cap = m->cap_tasks ? m->cap_tasks * 2 : 64;
    struct sim_task **nt = realloc(m->tasks, cap * sizeof *nt);
    if (!nt)
        return -1;
    m->tasks = nt;
    m->cap_tasks = cap;
    return 0;
}

struct sim_task *sim_task_start(struct sim_model *m, const char *node, const char *type,
                                const char *id, const char *user, int64_t work_ns, json_t *ctx,
                                sim_task_done_fn on_done)
{
    struct sim_node *n = sim_model_node(m, node);
    struct sim_task *t = calloc(1, sizeof *t);
    if (!n || !t || tasks_reserve(m) != 0) {
        free(t);
        json_decref(ctx);
        return NULL;
    }
    int64_t now = sim_model_now(m);
    sim_tasks_advance(m, now);
    snprintf(t->node, sizeof t->node, "%s", node);
    snprintf(t->type, sizeof t->type, "%s", type);
    snprintf(t->id, sizeof t->id, "%s", id ? id : "");
    snprintf(t->user, sizeof t->user, "%s", user);
    t->pid = m->next_pid++;
    /* PVE's pstart: the worker's start in clock ticks (100 Hz) since boot */
    t->pstart = (unsigned)(now / (10 * DS_NS_PER_MS)) + 0x100000;
    t->start = now;
    t->work = scaled_work(m, work_ns);
    /* the number of tasks sharing the node changes: the sub-ns remainder of service is dropped */
    n->served_frac = 0;
    t->end_service = n->served + t->work;
    t->log = json_array();
    t->ctx = ctx ? ctx : json_object();
    t->on_done = on_done;
    snprintf(t->upid, sizeof t->upid, "UPID:%s:%08X:%08X:%08lX:%s:%s:%s:", node, t->pid, t->pstart,
             (unsigned long)sim_model_wall_s(m, now), type, t->id, user);
    m->tasks[m->n_tasks++] = t;
    char fmsg[256];
    if (sim_faults_task(&m->faults, type, t->id,
                        json_string_value(json_object_get(t->ctx, "storage")), fmsg, sizeof fmsg))
        sim_task_set_error(t, "%s", fmsg);
    n->running++;
    if (n->running > n->max_running)
        n->max_running = n->running;
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

static void task_finish(struct sim_model *m, struct sim_node *n, struct sim_task *t, int64_t when)
{
    t->done = 1;
    t->end = when;
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

/* Advances one node to now: each step either reaches now or ends at least one task, so the loop
 * takes at most (tasks that end) + 1 steps. All arithmetic is on integers: no step can be empty. */
static size_t node_advance(struct sim_model *m, struct sim_node *n, int64_t now)
{
    size_t steps = 0;
    for (;;) {
        steps++;
        int64_t min_end = 0;
        int64_t count = node_scan(m, n, &min_end);
        if (count == 0) {
            if (n->clock < now)
                n->clock = now;
            n->served_frac = 0;
            return steps;
        }
        int64_t dt = time_to_serve(n, count, min_end);
        if (n->clock > now - dt) { /* the next end is after now */
            if (now > n->clock)
                node_serve(n, count, now - n->clock);
            return steps;
        }
        node_serve(n, count, dt);
        for (size_t i = 0; i < m->n_tasks; i++) {
            struct sim_task *t = m->tasks[i];
            if (!t->done && t->end_service <= n->served && strcmp(t->node, n->name) == 0)
                task_finish(m, n, t, n->clock);
        }
        n->served_frac = 0;
    }
}

size_t sim_tasks_advance(struct sim_model *m, int64_t now)
{
    size_t steps = 0;
    for (size_t i = 0; i < m->n_nodes; i++)
        steps += node_advance(m, &m->nodes[i], now);
    return steps;
}

int64_t sim_tasks_next_end(const struct sim_model *m, const struct sim_node *n)
{
    int64_t min_end = 0;
    int64_t count = node_scan(m, n, &min_end);
    if (count == 0)
        return -1;
    int64_t dt = time_to_serve(n, count, min_end);
    return n->clock > INT64_MAX - dt ? INT64_MAX : n->clock + dt;
}

void sim_task_stop(struct sim_model *m, struct sim_task *t, int64_t now)
{
    sim_tasks_advance(m, now);
    if (t->done)
        return;
    struct sim_node *n = sim_model_node(m, t->node);
    if (!n)
        return;
    t->end_service = n->served;
    sim_tasks_advance(m, now);
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
                          (json_int_t)sim_model_wall_s(m, t->start), "type", t->type, "id", t->id,
                          "user", t->user, "status", t->done ? "stopped" : "running");
    /* $convert_token_task: a token's task names the user and the token apart */
    const char *bang = strchr(t->user, '!');
    if (bang) {
        json_object_set_new(o, "user", json_stringn(t->user, (size_t)(bang - t->user)));
        json_object_set_new(o, "tokenid", json_string(bang + 1));
    }
    if (t->done)
        json_object_set_new(o, "exitstatus", json_string(t->ok ? "OK" : t->error));
    return o;
}

json_t *sim_task_json_sim(const struct sim_model *m, const struct sim_task *t)
{
    json_t *o = sim_task_json(m, t);
    json_object_set_new(o, "user", json_string(t->user));
    json_object_del(o, "tokenid");
    if (t->done)
        json_object_set_new(o, "endtime", json_integer((json_int_t)sim_model_wall_s(m, t->end)));
    /* exact durations in model seconds (unscaled), for benchmarks and tests: elapsed, the start
     * since the simulator began, and the task's work at full speed (a node with K slots needs at
     * least sum(sim_work) / K, which is what a benchmark's lower bound is made of) */
    int64_t end = t->done ? t->end : sim_model_now(m);
    double ns = (double)DS_NS_PER_S * m->time_scale;
    json_object_set_new(o, "sim_elapsed", json_real((double)(end - t->start) / ns));
    json_object_set_new(o, "sim_start", json_real((double)t->start / ns));
    json_object_set_new(o, "sim_work", json_real((double)t->work / ns));
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
