/* pve_taskboard: one list of a node's active tasks per interval, shared by every thread waiting for
 * a task there, so a task's end is seen within ~100 ms with one request per node, not per task. */
#include "pve/pve_taskboard.h"

#include "ds_clock.h"
#include "util/err.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOARD_NODES 64
#define BOARD_INTERVAL_NS (100 * DS_NS_PER_MS)
#define BOARD_NAP_NS (5 * DS_NS_PER_MS)

/* A node of a cluster (key: the client's base URL and the node's name). */
struct board_node {
    char key[384];
    int used, unsupported, polling;
    int64_t polled_at; /* when the newest list was asked for (monotonic ns); 0: never */
    char **active;     /* the UPIDs it listed */
    size_t n_active;
};

static struct board_node board[BOARD_NODES];
static pthread_mutex_t board_mu = PTHREAD_MUTEX_INITIALIZER;

/* The entry of key, made when missing (the oldest poll is reused when the board is full); callers
 * hold board_mu. */
static struct board_node *node_get(const char *key)
{
    struct board_node *free_one = NULL, *oldest = &board[0];
    for (size_t i = 0; i < BOARD_NODES; i++) {
        if (board[i].used && strcmp(board[i].key, key) == 0)
            return &board[i];
        if (!board[i].used && !free_one)
            free_one = &board[i];
        if (board[i].polled_at < oldest->polled_at && !board[i].polling)
            oldest = &board[i];
    }
    struct board_node *n = free_one ? free_one : oldest;
    for (size_t i = 0; i < n->n_active; i++)
        free(n->active[i]);
    free(n->active);
    memset(n, 0, sizeof *n);
    n->used = 1;
    snprintf(n->key, sizeof n->key, "%s", key);
    return n;
}

static int listed(const struct board_node *n, const char *upid)
{
    for (size_t i = 0; i < n->n_active; i++)
        if (strcmp(n->active[i], upid) == 0)
            return 1;
    return 0;
}

/* Replaces the node's list with the UPIDs of `tasks` (a JSON array); callers hold board_mu. */
static void node_set(struct board_node *n, json_t *tasks, int64_t asked)
{
    for (size_t i = 0; i < n->n_active; i++)
        free(n->active[i]);
    free(n->active);
    n->n_active = 0;
    n->active = calloc(json_array_size(tasks) + 1, sizeof *n->active);
    size_t i;
    json_t *t;
    json_array_foreach(tasks, i, t)
    {
        const char *upid = json_string_value(json_object_get(t, "upid"));
        if (upid && n->active && (n->active[n->n_active] = strdup(upid)) != NULL)
            n->n_active++;
    }
    n->polled_at = asked;
}

/* Asks the node for its active tasks (without board_mu) and puts the answer on the board. */
static void node_poll(pve_client *c, struct board_node *n, const char *node)
{
    char path[160];
    snprintf(path, sizeof path, "/nodes/%s/tasks", node);
    json_t *q = json_pack("{s:s, s:i}", "source", "active", "limit", 1000);
    struct pve_response r = {0};
    int64_t asked = ds_clock_mono_ns();
    pthread_mutex_unlock(&board_mu);
    int rc = q ? pve_call(c, "GET", path, q, &r) : -1;
    pthread_mutex_lock(&board_mu);
    n->polling = 0;
    if (rc == 0 && json_is_array(r.data))
        node_set(n, r.data, asked);
    else if (rc < 0 && r.status != 0 && !pve_err_is_transient(r.err_class))
        n->unsupported = 1; /* refused (no such call, no permission): each task polls itself */
    ds_err_clear();
    pve_response_clear(&r);
    json_decref(q);
}

int pve_taskboard_wait_gone(pve_client *c, const char *node, const char *upid, int64_t since_ns,
                            int64_t deadline_ns, int64_t (*pace)(void *ud), void *ud)
{
    char key[384];
    snprintf(key, sizeof key, "%s|%s", pve_client_base_url(c), node);
    pthread_mutex_lock(&board_mu);
    int rc;
    for (;;) {
        struct board_node *n = node_get(key);
        int64_t now = ds_clock_mono_ns();
        if (n->unsupported) {
            rc = -1;
            break;
        }
        if (n->polled_at >= since_ns && !listed(n, upid)) {
            rc = 1;
            break;
        }
        if (now >= deadline_ns) {
            rc = 0;
            break;
        }
        int64_t want = pace ? pace(ud) : BOARD_INTERVAL_NS;
        if (!n->polling &&
            now - n->polled_at >= (want < BOARD_INTERVAL_NS ? want : BOARD_INTERVAL_NS)) {
            n->polling = 1;
            node_poll(c, n, node);
            continue;
        }
        pthread_mutex_unlock(&board_mu);
        int64_t left = deadline_ns - now;
        ds_clock_sleep_ns(left < BOARD_NAP_NS ? left : BOARD_NAP_NS);
        pthread_mutex_lock(&board_mu);
    }
    pthread_mutex_unlock(&board_mu);
    return rc;
}
