/* concurrency: the controller of a node's concurrent tasks (pure: the caller gives the times).
 * It climbs while throughput rises, steps back when tasks stretch, halves on lock errors. */
#ifndef DS_EXEC_CONCURRENCY_H
#define DS_EXEC_CONCURRENCY_H

#include <stdint.h>

#define CC_KINDS 32 /* task kinds told apart (enum action_kind values) */

struct cc {
    int limit, max;            /* tasks allowed at once now; the hard maximum */
    int64_t fastest[CC_KINDS]; /* per kind: the shortest task seen (ns); 0 none yet */
    double stretch;            /* smoothed duration / fastest of the kind (1 = full speed) */
    int64_t window_start;      /* the window of `limit` completions began (ns); 0 none yet */
    int window_done;           /* completions in it */
    double last_rate;          /* the previous window's completions per ns; 0 none */
    int dir;                   /* the last move: +1 up, -1 down, 0 none or resting */
    int rest;                  /* windows left to stay at the limit */
};

/* limit = start (1..max), max = the hard maximum (--parallel-per-node). */
void cc_init(struct cc *cc, int start, int max);
/* A task of `kind` ended at now_ns after took_ns. Every `limit` completions the limit is
 * reconsidered (a hill climb on throughput, see concurrency.c): up while throughput rises by
 * more than 4%, down while fewer tasks keep it, back up and resting when a step down lost it;
 * down at once when tasks stretch over 1.3x the fastest of their kind. */
void cc_task_done(struct cc *cc, int kind, int64_t took_ns, int64_t now_ns);
/* A lock timeout on the node: the limit halves (at least 1) and the climb starts over. */
void cc_lock_error(struct cc *cc, int64_t now_ns);

#endif
