/* ds_clock: the project's one reader of the system clocks.
 * Monotonic readings are made relative to the process's first reading, in integer nanoseconds. */
#include "ds_clock.h"

#include <errno.h>
#include <stdatomic.h>
#include <time.h>

static _Atomic int64_t g_base = INT64_MIN; /* raw CLOCK_MONOTONIC ns of the first reading */
static _Atomic int64_t g_shift;            /* ds_clock_test_shift_mono() */

static int64_t ts_ns(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * DS_NS_PER_S + (int64_t)ts->tv_nsec;
}

int64_t ds_clock_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t raw = ts_ns(&ts);
    int64_t base = atomic_load(&g_base);
    if (base == INT64_MIN) {
        int64_t expect = INT64_MIN;
        /* the first reader fixes the base; a concurrent first reader adopts the winner's */
        if (atomic_compare_exchange_strong(&g_base, &expect, raw))
            base = raw;
        else
            base = expect;
    }
    int64_t rel = raw - base;
    return (rel > 0 ? rel : 0) + atomic_load(&g_shift);
}

int64_t ds_clock_mono_ms(void)
{
    return ds_clock_mono_ns() / DS_NS_PER_MS;
}

int64_t ds_clock_wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts_ns(&ts);
}

int64_t ds_clock_wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

void ds_clock_sleep_ns(int64_t ns)
{
    if (ns <= 0)
        return;
    struct timespec ts = {.tv_sec = (time_t)(ns / DS_NS_PER_S), .tv_nsec = (long)(ns % DS_NS_PER_S)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

void ds_clock_test_shift_mono(int64_t offset_ns)
{
    atomic_store(&g_shift, offset_ns);
}
