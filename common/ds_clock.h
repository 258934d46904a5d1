/* ds_clock: the project's one reader of the system clocks (nothing else calls clock_gettime).
 * Time is an int64_t: monotonic nanoseconds since this process first asked, or Unix wall time. */
#ifndef DS_CLOCK_H
#define DS_CLOCK_H

#include <stdint.h>

#define DS_NS_PER_US INT64_C(1000)
#define DS_NS_PER_MS INT64_C(1000000)
#define DS_NS_PER_S INT64_C(1000000000)

/* Monotonic nanoseconds since the first call in this process (0 on that call, never negative,
 * never decreasing). It does not depend on how long the machine has been up, so durations and
 * deadlines computed from it behave the same after one minute or one year of uptime. */
int64_t ds_clock_mono_ns(void);
/* The same in milliseconds (ds_clock_mono_ns() / 1e6, truncated). */
int64_t ds_clock_mono_ms(void);
/* Wall-clock (CLOCK_REALTIME) Unix time in nanoseconds and in whole seconds. It may jump when the
 * administrator sets the clock: use it for timestamps people read, never to measure a duration. */
int64_t ds_clock_wall_ns(void);
int64_t ds_clock_wall_s(void);
/* Sleeps for ns nanoseconds of monotonic time (nothing for ns <= 0). A signal handler that
 * returns does not shorten the sleep; a signal that ends the process ends it. */
void ds_clock_sleep_ns(int64_t ns);

/* Test hook: adds offset_ns to every monotonic reading of this process from now on (the readings
 * stay non-decreasing only if offset_ns never decreases). Used by tests that emulate a long
 * uptime in-process; everything else leaves it at 0. */
void ds_clock_test_shift_mono(int64_t offset_ns);

#endif
