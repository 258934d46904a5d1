/* test_sim_task_model: property tests of the simulator's task time model (processor sharing on K
 * slots, integer ns): exact end times, independence of how often time advances, bounded steps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ds_clock.h"
#include "sim_model.h"
#include "sim_tasks.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TASKS 64
#define ROUNDS 120

/* A fake CLOCK_MONOTONIC: the machine's uptime in ns, moved only by the test. */
static int64_t fake_mono(void *ctx)
{
    return *(const int64_t *)ctx;
}

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Uniform in [lo, hi] on a log scale (lo > 0). */
static int64_t log_uniform(uint64_t *s, int64_t lo, int64_t hi)
{
    double u = (double)(rng_next(s) >> 11) / 9007199254740992.0;
    double v = (double)lo * pow((double)hi / (double)lo, u);
    int64_t r = (int64_t)v;
    return r < lo ? lo : r > hi ? hi : r;
}

struct world {
    struct sim_model *m;
    int64_t mono; /* the fake machine clock (uptime, ns) */
    int64_t uptime0;
};

/* A model with n_nodes nodes, K from ks[], started at the given uptime and time scale. */
static void world_init(struct world *w, size_t n_nodes, const int *ks, int64_t uptime, double scale)
{
    w->m = sim_model_new(scale);
    assert_non_null(w->m);
    w->m->nodes = calloc(n_nodes, sizeof *w->m->nodes);
    assert_non_null(w->m->nodes);
    w->m->n_nodes = n_nodes;
    for (size_t i = 0; i < n_nodes; i++) {
        snprintf(w->m->nodes[i].name, sizeof w->m->nodes[i].name, "node%zu", i + 1);
        w->m->nodes[i].k = ks[i];
        w->m->nodes[i].online = 1;
    }
    w->mono = w->uptime0 = uptime;
    sim_model_set_clock(w->m, fake_mono, &w->mono);
}

static int64_t world_now(const struct world *w)
{
    return w->mono - w->uptime0;
}

static struct sim_task *start_task(struct world *w, size_t node, int64_t work_ns)
{
    struct sim_task *t = sim_task_start(w->m, w->m->nodes[node].name, "qmclone", "100", "root@pam",
                                        work_ns, NULL, NULL);
    assert_non_null(t);
    assert_int_equal(t->start, world_now(w));
    return t;
}

static size_t running(const struct sim_model *m)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n_tasks; i++)
        n += !m->tasks[i]->done;
    return n;
}

/* Advances the world to its clock: checks that the steps are bounded by the tasks that ended plus
 * one per node, and that every task the model predicted to end by now ended exactly then. */
static void advance_checked(struct world *w)
{
    struct sim_model *m = w->m;
    int64_t now = world_now(w);
    int64_t predicted[8];
    int64_t first_end[8];
    for (size_t i = 0; i < m->n_nodes; i++) {
        predicted[i] = sim_tasks_next_end(m, &m->nodes[i]);
        first_end[i] = -1;
    }
    /* which task the prediction is about: the one with the smallest end_service on the node */
    struct sim_task *next[8] = {0};
    for (size_t t = 0; t < m->n_tasks; t++) {
        struct sim_task *k = m->tasks[t];
        for (size_t i = 0; i < m->n_nodes && !k->done; i++)
            if (strcmp(k->node, m->nodes[i].name) == 0 &&
                (!next[i] || k->end_service < next[i]->end_service))
                next[i] = k;
    }
    size_t before = running(m);
    size_t steps = sim_tasks_advance(m, now);
    size_t ended = before - running(m);
    assert_true(steps <= ended + m->n_nodes);
    for (size_t i = 0; i < m->n_nodes; i++) {
        if (!next[i])
            continue;
        if (predicted[i] <= now) {
            assert_true(next[i]->done);
            assert_int_equal(next[i]->end, predicted[i]);
            first_end[i] = next[i]->end;
        } else {
            assert_false(next[i]->done);
        }
        assert_int_equal(m->nodes[i].clock, now);
    }
    (void)first_end;
}

static void free_world(struct world *w)
{
    sim_model_free(w->m);
}

/* Random arrivals and random advances on nodes with random K, at uptimes from 1 s to 10^9 s and
 * time scales 0.001 .. 1: the model's own prediction holds at every step. */
static void test_prediction_holds(void **state)
{
    (void)state;
    uint64_t seed = 0x2545F4914F6CDD1DULL;
    for (int round = 0; round < ROUNDS; round++) {
        int ks[3] = {1 + (int)(rng_next(&seed) % 8), 1 + (int)(rng_next(&seed) % 8),
                     1 + (int)(rng_next(&seed) % 8)};
        int64_t uptime = log_uniform(&seed, DS_NS_PER_S, INT64_C(1000000000) * DS_NS_PER_S);
        double scale = (double)log_uniform(&seed, 1000, 1000000) / 1e6;
        struct world w;
        world_init(&w, 3, ks, uptime, scale);
        for (int ev = 0; ev < 200; ev++) {
            if (rng_next(&seed) % 3 == 0 && w.m->n_tasks < MAX_TASKS * 4)
                start_task(&w, rng_next(&seed) % 3,
                           log_uniform(&seed, DS_NS_PER_US, 3600 * DS_NS_PER_S));
            else
                w.mono += log_uniform(&seed, 1, 2 * 3600 * DS_NS_PER_S);
            advance_checked(&w);
        }
        /* everything ends in the end, after a bounded number of steps */
        w.mono += 1000 * 3600 * DS_NS_PER_S;
        advance_checked(&w);
        assert_int_equal(running(w.m), 0);
        free_world(&w);
    }
}

struct arrival {
    int64_t at;   /* model ns */
    int64_t work; /* unscaled ns */
    size_t node;
};

/* Runs the arrivals; between them, `extra` random intermediate advances. End times into ends[]. */
static void run_schedule(const struct arrival *a, size_t n, int64_t uptime, double scale, int extra,
                         uint64_t seed, int64_t *ends)
{
    int ks[2] = {2, 3};
    struct world w;
    world_init(&w, 2, ks, uptime, scale);
    struct sim_task *tasks[MAX_TASKS];
    for (size_t i = 0; i < n; i++) {
        int64_t target = w.uptime0 + a[i].at;
        for (int e = 0; e < extra && w.mono < target; e++) {
            w.mono += (int64_t)(rng_next(&seed) % (uint64_t)(target - w.mono + 1));
            advance_checked(&w);
        }
        w.mono = target;
        tasks[i] = start_task(&w, a[i].node, a[i].work);
    }
    w.mono += 1000 * 3600 * DS_NS_PER_S;
    advance_checked(&w);
    for (size_t i = 0; i < n; i++) {
        assert_true(tasks[i]->done);
        ends[i] = tasks[i]->end;
    }
    free_world(&w);
}

/* The end times do not depend on how often the model is advanced in between. */
static void test_granularity_invariance(void **state)
{
    (void)state;
    uint64_t seed = 0x9E3779B97F4A7C15ULL;
    for (int round = 0; round < ROUNDS; round++) {
        struct arrival a[MAX_TASKS];
        size_t n = 1 + rng_next(&seed) % MAX_TASKS;
        int64_t at = 0;
        for (size_t i = 0; i < n; i++) {
            at += rng_next(&seed) % 4 == 0 ? 0 : log_uniform(&seed, 1, 600 * DS_NS_PER_S);
            a[i] = (struct arrival){at, log_uniform(&seed, DS_NS_PER_US, 3600 * DS_NS_PER_S),
                                    (size_t)(rng_next(&seed) % 2)};
        }
        int64_t uptime = log_uniform(&seed, DS_NS_PER_S, INT64_C(1000000000) * DS_NS_PER_S);
        double scale = (double)log_uniform(&seed, 1000, 1000000) / 1e6;
        int64_t coarse[MAX_TASKS], fine[MAX_TASKS], other_uptime[MAX_TASKS];
        run_schedule(a, n, uptime, scale, 0, seed, coarse);
        run_schedule(a, n, uptime, scale, 20, seed + 1, fine);
        run_schedule(a, n, DS_NS_PER_S, scale, 5, seed + 2, other_uptime);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(coarse[i], fine[i]);
            assert_int_equal(coarse[i], other_uptime[i]);
        }
    }
}

/* An independent oracle: tasks that start together on one node with K slots. Sorted by work,
 * phase i lasts ceil((w_i - w_{i-1}) * c / min(K, c)) with c tasks left; with c <= K a task ends
 * exactly its work after its start. */
static void test_exact_against_oracle(void **state)
{
    (void)state;
    uint64_t seed = 0xD1B54A32D192ED03ULL;
    for (int round = 0; round < ROUNDS; round++) {
        int k = 1 + (int)(rng_next(&seed) % 8);
        size_t n = 1 + rng_next(&seed) % 24;
        int64_t uptime = log_uniform(&seed, DS_NS_PER_S, INT64_C(1000000000) * DS_NS_PER_S);
        double scale = (double)log_uniform(&seed, 1000, 1000000) / 1e6;
        struct world w;
        world_init(&w, 1, &k, uptime, scale);
        w.mono += log_uniform(&seed, 1, 3600 * DS_NS_PER_S);
        struct sim_task *t[MAX_TASKS];
        for (size_t i = 0; i < n; i++)
            t[i] = start_task(&w, 0, log_uniform(&seed, DS_NS_PER_US, 3600 * DS_NS_PER_S));
        int64_t t0 = world_now(&w);
        /* sort a copy of the scaled works */
        int64_t wk[MAX_TASKS];
        for (size_t i = 0; i < n; i++)
            wk[i] = t[i]->work;
        for (size_t i = 1; i < n; i++)
            for (size_t j = i; j > 0 && wk[j - 1] > wk[j]; j--) {
                int64_t x = wk[j];
                wk[j] = wk[j - 1];
                wk[j - 1] = x;
            }
        /* random advances all along */
        for (int e = 0; e < 30; e++) {
            w.mono += log_uniform(&seed, 1, 600 * DS_NS_PER_S);
            advance_checked(&w);
        }
        w.mono += 100000 * 3600 * DS_NS_PER_S;
        advance_checked(&w);
        int64_t end = t0, prev = 0;
        for (size_t i = 0; i < n; i++) {
            int64_t c = (int64_t)(n - i), slots = c < k ? c : k;
            int64_t need = (wk[i] - prev) * c;
            end += need / slots + (need % slots != 0);
            prev = wk[i];
            for (size_t j = 0; j < n; j++)
                if (t[j]->work == wk[i])
                    assert_int_equal(t[j]->end, end);
        }
        if ((int64_t)n <= k)
            for (size_t j = 0; j < n; j++)
                assert_int_equal(t[j]->end, t0 + t[j]->work);
        free_world(&w);
    }
}

/* A stopped task ends at once; the others go on at the shared rate. */
static void test_stop_ends_now(void **state)
{
    (void)state;
    int k = 1;
    struct world w;
    world_init(&w, 1, &k, 1000000 * DS_NS_PER_S, 1.0);
    struct sim_task *a = start_task(&w, 0, 10 * DS_NS_PER_S);
    struct sim_task *b = start_task(&w, 0, 10 * DS_NS_PER_S);
    w.mono += 4 * DS_NS_PER_S; /* each got 2 s of work */
    sim_task_stop(w.m, a, world_now(&w));
    assert_true(a->done);
    assert_int_equal(a->end, 4 * DS_NS_PER_S);
    assert_int_equal(sim_tasks_next_end(w.m, &w.m->nodes[0]), 12 * DS_NS_PER_S);
    w.mono += 8 * DS_NS_PER_S;
    advance_checked(&w);
    assert_true(b->done);
    assert_int_equal(b->end, 12 * DS_NS_PER_S);
    free_world(&w);
}

/* A held model clock stands still while the machine's clock runs, moves only by skips, and runs on
 * from where it stood when released; tasks end by model time. */
static void test_hold_and_skip(void **state)
{
    (void)state;
    int k = 4;
    struct world w;
    world_init(&w, 1, &k, 5000 * DS_NS_PER_S, 1.0);
    w.mono += 3 * DS_NS_PER_S;
    sim_model_hold(w.m, 1);
    struct sim_task *t = start_task(&w, 0, 2 * DS_NS_PER_S);
    assert_int_equal(t->start, 3 * DS_NS_PER_S);
    w.mono += 3600 * DS_NS_PER_S;
    assert_int_equal(sim_model_now(w.m), 3 * DS_NS_PER_S);
    sim_tasks_advance(w.m, sim_model_now(w.m));
    assert_false(t->done);
    sim_model_skip(w.m, DS_NS_PER_S);
    assert_int_equal(sim_model_now(w.m), 4 * DS_NS_PER_S);
    sim_model_hold(w.m, 0);
    assert_int_equal(sim_model_now(w.m), 4 * DS_NS_PER_S);
    w.mono += DS_NS_PER_S;
    assert_int_equal(sim_model_now(w.m), 5 * DS_NS_PER_S);
    sim_tasks_advance(w.m, sim_model_now(w.m));
    assert_true(t->done);
    assert_int_equal(t->end, 5 * DS_NS_PER_S);
    sim_model_skip(w.m, 10 * DS_NS_PER_S);
    assert_int_equal(sim_model_now(w.m), 15 * DS_NS_PER_S);
    free_world(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prediction_holds),
        cmocka_unit_test(test_granularity_invariance),
        cmocka_unit_test(test_exact_against_oracle),
        cmocka_unit_test(test_stop_ends_now),
        cmocka_unit_test(test_hold_and_skip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
