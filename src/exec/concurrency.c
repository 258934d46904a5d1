/* concurrency: each node's useful number of concurrent tasks, learnt while a run goes on: raised
 * while the node's task throughput keeps rising, lowered when its tasks stretch or on locks. */
#include "exec/concurrency.h"

#include <string.h>

/* A task this much slower than the fastest of its kind (smoothed) means the node is overloaded. */
#define CC_STRETCH 1.3
/* Throughput must grow by this share from one window to the next to count as rising. */
#define CC_RISE 1.04
#define CC_EWMA 0.25
/* Windows spent at a limit found by stepping back up, before probing above it again. */
#define CC_REST 3

void cc_init(struct cc *cc, int start, int max)
{
    memset(cc, 0, sizeof *cc);
    cc->max = max > 0 ? max : 1;
    cc->limit = start < 1 ? 1 : start > cc->max ? cc->max : start;
    cc->stretch = 1.0;
}

/* The limit moves by `step` (within 1..max) and remembers the direction. */
static void move(struct cc *cc, int step)
{
    int to = cc->limit + step;
    to = to < 1 ? 1 : to > cc->max ? cc->max : to;
    cc->dir = to > cc->limit ? 1 : to < cc->limit ? -1 : 0;
    cc->limit = to;
}

/* Ends a window of `limit` completions and climbs the throughput hill: on up while it rises; a
 * step up that gained nothing is taken back and the climb goes down while fewer tasks keep the
 * throughput (the node was past its capacity); a step down that lost throughput is taken back
 * and the limit rests there a few windows. Stretched tasks step down at once. */
static void window_end(struct cc *cc, int64_t now_ns)
{
    double span = (double)(now_ns - cc->window_start);
    double rate = span > 0 ? cc->window_done / span : 0;
    int rising = rate > cc->last_rate * CC_RISE, falling = rate * CC_RISE < cc->last_rate;
    if (cc->stretch > CC_STRETCH)
        move(cc, -1);
    else if (cc->last_rate <= 0)
        move(cc, +1);
    else if (cc->rest > 0) {
        cc->rest--;
        cc->dir = 0;
    } else if (cc->dir > 0)
        move(cc, rising ? +1 : -1);
    else if (cc->dir < 0 && falling) {
        move(cc, +1);
        cc->dir = 0;
        cc->rest = CC_REST;
    } else
        move(cc, cc->dir < 0 ? -1 : +1); /* going down on a plateau; after a rest, probe up */
    cc->last_rate = rate;
    cc->window_start = now_ns;
    cc->window_done = 0;
}

void cc_task_done(struct cc *cc, int kind, int64_t took_ns, int64_t now_ns)
{
    if (kind < 0 || kind >= CC_KINDS || took_ns <= 0)
        return;
    if (!cc->fastest[kind] || took_ns < cc->fastest[kind])
        cc->fastest[kind] = took_ns;
    double ratio = (double)took_ns / (double)cc->fastest[kind];
    cc->stretch = cc->stretch * (1 - CC_EWMA) + ratio * CC_EWMA;
    if (!cc->window_start)
        cc->window_start = now_ns - took_ns;
    if (++cc->window_done >= cc->limit)
        window_end(cc, now_ns);
}

void cc_lock_error(struct cc *cc, int64_t now_ns)
{
    cc->limit = cc->limit > 1 ? cc->limit / 2 : 1;
    cc->last_rate = 0;
    cc->dir = 0;
    cc->rest = 0;
    cc->window_start = now_ns;
    cc->window_done = 0;
}
