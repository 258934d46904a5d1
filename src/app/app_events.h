/* app_events: how the use cases talk to whichever front-end runs them: events (notes, errors,
 * file problems, plans, progress, results) and questions, through callbacks; app/ never prints. */
#ifndef DS_APP_EVENTS_H
#define DS_APP_EVENTS_H

#include <stdint.h>

#include "exec/exec.h"
#include "inventory/inventory.h"
#include "plan/plan.h"
#include "util/diag.h"

/* The exit codes every use case returns (the front-ends use them as process exit codes). */
enum { APP_OK = 0, APP_FAILED = 1, APP_USAGE = 2 };

/* Where a piece of output belongs: TEXT is the commentary (stdout, or stderr when the data on
 * stdout is JSON), ERR the error stream, DATA the command's result (stdout). */
enum app_stream { APP_TEXT, APP_ERR, APP_DATA };

/* How much a note matters; the front-end marks it ("warning: ...", or "level" in JSON lines). */
enum app_level {
    APP_LV_INFO,    /* commentary: the text as it is */
    APP_LV_NOTE,    /* worth reading: "note: " */
    APP_LV_WARNING, /* something went wrong that does not stop the run: "warning: " */
    APP_LV_ERROR,   /* "error: " */
};

enum app_event_kind {
    APP_EV_NOTE,        /* text (already translated) on stream at level; an INFO text ends with its
                           own newline, the others are one message without the prefix (hint may
                           be set) */
    APP_EV_ERROR,       /* text = the error, hint may be NULL */
    APP_EV_DIAG,        /* diags: file problems (file:line:col) */
    APP_EV_PLAN,        /* plan (strategy may be NULL) on stream, as JSON when json */
    APP_EV_PROBLEMS,    /* the plan's preflight problems on stream */
    APP_EV_RUN_START,   /* the executor starts on plan */
    APP_EV_EXEC,        /* exec: one executor event */
    APP_EV_RUN_END,     /* the executor is done with plan */
    APP_EV_RESULT,      /* plan executed in took_ns */
    APP_EV_CREDENTIALS, /* the students' credentials of plan (DATA, JSON when json) */
    APP_EV_DESTROYED,   /* a destroy was verified: stand, ok, left (-1 = not verified) */
};

struct app_event {
    enum app_event_kind kind;
    enum app_stream stream;
    enum app_level level; /* APP_EV_NOTE */
    const char *text, *hint;
    const struct diag_list *diags;
    const struct plan *plan;
    const char *strategy;
    int json;
    const struct exec_event *exec;
    int64_t took_ns;
    const char *stand;
    int ok, left;
};

/* A question before a change: the plan to run, the cluster it was made from, and for a typed
 * confirmation the word to type. */
/* APP_ASK_CHANGE: power or snapshot changes to existing VMs. */
enum app_ask_kind { APP_ASK_DEPLOY, APP_ASK_DESTROY, APP_ASK_RESET, APP_ASK_CHANGE };
struct app_ask {
    enum app_ask_kind kind;
    const struct plan *plan;
    const struct cluster_view *view;
    const char *expect; /* APP_ASK_DESTROY: "DELETE_<stand>" */
};

/* The front-end's side. Every member may be NULL: no emit = silent, no confirm = go on without
 * asking. confirm returns 1 to go on, 0 for no, -1 when the front-end was left (EOF); it says
 * itself that nothing was changed. The events point at data that lives only during the call. */
struct app_events {
    void (*emit)(const struct app_event *ev, void *ud);
    int (*confirm)(const struct app_ask *ask, void *ud);
    void *ud;
};

void app_emit(const struct app_events *ev, const struct app_event *e);
/* A note (printf-style) on a stream. */
void app_note(const struct app_events *ev, enum app_stream s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A note, warning or error message (printf-style, no prefix, no final newline) with an optional
 * hint, on a stream. */
void app_say(const struct app_events *ev, enum app_stream s, enum app_level level, const char *hint,
             const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* An error (printf-style) with an optional hint. Returns APP_FAILED. */
int app_error(const struct app_events *ev, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* File problems, when there are any. */
void app_diags(const struct app_events *ev, const struct diag_list *d);

#endif
