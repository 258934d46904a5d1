/* sim_reason: the error message in the status line, though libmicrohttpd 0.9.75 has no API for
 * a reason phrase: its two reason-phrase functions are replaced (ELF interposition). */

/* libmicrohttpd asks MHD_get_reason_phrase_len_for() and then MHD_get_reason_phrase_for() while it
 * writes a status line, and Debian's build calls both through its PLT, so the definitions below
 * (linked into the program) take their place: they answer the phrase the handler set for its
 * response in this thread (the server runs a thread per connection, which both queues the
 * response and writes its header), once, else libmicrohttpd's own phrase.
 * tests/sim/test_sim_differential checks the status lines. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_NEXT */
#endif
#include "sim_reason.h"

#include <dlfcn.h>
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

static _Thread_local struct {
    unsigned code;
    char text[512];
} pending;

void sim_reason_set(unsigned code, const char *text)
{
    pending.code = 0;
    pending.text[0] = '\0';
    if (!text || !*text)
        return;
    /* pveproxy keeps the first line only */
    snprintf(pending.text, sizeof pending.text, "%.*s", (int)strcspn(text, "\r\n"), text);
    if (pending.text[0])
        pending.code = code;
}

typedef const char *(*phrase_fn)(unsigned int);
typedef size_t (*phrase_len_fn)(unsigned int);

static int ours(unsigned int code)
{
    return pending.code && pending.code == code;
}

const char *MHD_get_reason_phrase_for(unsigned int code)
{
    if (ours(code)) {
        pending.code = 0; /* once: the status line is written */
        return pending.text;
    }
    phrase_fn next = (phrase_fn)dlsym(RTLD_NEXT, "MHD_get_reason_phrase_for");
    return next ? next(code) : "Unknown";
}

size_t MHD_get_reason_phrase_len_for(unsigned int code)
{
    if (ours(code))
        return strlen(pending.text);
    phrase_len_fn next = (phrase_len_fn)dlsym(RTLD_NEXT, "MHD_get_reason_phrase_len_for");
    return next ? next(code) : 0;
}
