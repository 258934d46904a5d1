/* app_view: how a front-end shows the use cases' events on a terminal or in scripts: notes and
 * errors, file problems, plans, live progress, results, credentials (text or JSON). */
#ifndef DS_APP_VIEW_H
#define DS_APP_VIEW_H

#include <jansson.h>
#include <stdio.h>

#include "app/app_events.h"
#include "ui/progress.h"

struct app_view {
    FILE *out;           /* the data (stdout) */
    FILE *progress;      /* progress lines: stderr with JSON, else stdout */
    int json;            /* the data is JSON */
    struct progress *pg; /* owned, only while a plan runs */
};

/* stdout for the data, progress on stderr when json. Nothing to free. */
void app_view_init(struct app_view *v, int json);

/* app_events.emit: ud is the struct app_view. */
void app_view_event(const struct app_event *e, void *ud);

/* "error: MSG" and "hint: HINT" (when not NULL) on stderr; with --output json one JSON line
 * {"level": "error", "message", "hint"?}. */
void app_view_error(const char *msg, const char *hint);

/* A message of a level without a view: "error: " before an error, MSG and "hint: HINT" on stderr,
 * or with --output json the line {"level", "message", "hint"?}. */
void app_view_message(enum app_level level, const char *msg, const char *hint);

/* Whether the messages written without a view (usage errors) are JSON lines; app_view_init sets
 * it too. */
void app_view_set_json(int json);

/* Writes o (taken) as one compact line on stderr. */
void app_view_json_line(json_t *o);

#endif
