/* app_events: the helpers that turn a use case's notes, errors and file problems into events for
 * the front-end's callback. */
#include "app/app_events.h"
#include "util/xalloc.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void app_emit(const struct app_events *ev, const struct app_event *e)
{
    if (ev && ev->emit)
        ev->emit(e, ev->ud);
}

void app_note(const struct app_events *ev, enum app_stream s, const char *fmt, ...)
{
    if (!ev || !ev->emit)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *text = xvasprintf(fmt, ap);
    va_end(ap);
    struct app_event e = {.kind = APP_EV_NOTE, .stream = s, .text = text};
    ev->emit(&e, ev->ud);
    free(text);
}

void app_say(const struct app_events *ev, enum app_stream s, enum app_level level, const char *hint,
             const char *fmt, ...)
{
    if (!ev || !ev->emit)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *text = xvasprintf(fmt, ap);
    va_end(ap);
    struct app_event e = {
        .kind = APP_EV_NOTE, .stream = s, .level = level, .text = text, .hint = hint};
    ev->emit(&e, ev->ud);
    free(text);
}

int app_error(const struct app_events *ev, const char *hint, const char *fmt, ...)
{
    if (!ev || !ev->emit)
        return APP_FAILED;
    va_list ap;
    va_start(ap, fmt);
    char *text = xvasprintf(fmt, ap);
    va_end(ap);
    struct app_event e = {.kind = APP_EV_ERROR, .stream = APP_ERR, .text = text, .hint = hint};
    ev->emit(&e, ev->ud);
    free(text);
    return APP_FAILED;
}

void app_diags(const struct app_events *ev, const struct diag_list *d)
{
    if (!d || !d->n)
        return;
    struct app_event e = {.kind = APP_EV_DIAG, .stream = APP_ERR, .diags = d};
    app_emit(ev, &e);
}
