/* retry: the executor's error policy: retry by error class (pve_error.h), backoff with jitter,
 * and the AIMD limit of concurrent steps per node. */
#include "exec/retry.h"

#include "ds_clock.h"
#include "util/err.h"

bool retry_worth(enum pve_err_class cls)
{
    /* no connection in the middle of a run is pveproxy restarting (a refused connection) more
     * likely than a wrong address, which the login before the run has ruled out */
    return pve_err_is_transient(cls) || cls == PVE_ERR_UNREACHABLE;
}

bool retry_worth_rerun(enum pve_err_class cls)
{
    return retry_worth(cls) || cls == PVE_ERR_OTHER;
}

void retry_slot_success(struct node_slot *sl)
{
    if (++sl->ok_streak >= sl->limit && sl->limit < sl->max) {
        sl->limit++;
        sl->ok_streak = 0;
    }
}

void retry_slot_failure(struct node_slot *sl, enum pve_err_class cls)
{
    if (cls != PVE_ERR_LOCKED)
        return;
    sl->limit = sl->limit > 1 ? sl->limit / 2 : 1;
    sl->ok_streak = 0;
}

int64_t retry_backoff_ms(int attempt, unsigned *rng)
{
    int64_t backoff_ms = INT64_C(200) << (attempt < 5 ? attempt : 5);
    if (backoff_ms > 5000)
        backoff_ms = 5000;
    *rng = *rng * 1103515245u + 12345u;
    return backoff_ms + (int64_t)(*rng % (unsigned)(backoff_ms / 2 + 1));
}

int retry_call(int (*fn)(void *ud), void *ud, int tries)
{
    unsigned rng = 0x2545f491u;
    for (int attempt = 0;; attempt++) {
        ds_err_clear();
        int rc = fn(ud);
        if (rc >= 0 || attempt + 1 >= tries || !retry_worth(pve_err_last()))
            return rc;
        ds_clock_sleep_ns(retry_backoff_ms(attempt, &rng) * DS_NS_PER_MS);
    }
}
