/* progress: shows the executor's events while a plan runs: a live view on a terminal (overall bar,
 * ETA, one line per node), plain lines otherwise, or JSON lines for scripts. */
#ifndef DS_PROGRESS_H
#define DS_PROGRESS_H

#include "exec/exec.h"
#include <stdio.h>

enum progress_mode { PROGRESS_PLAIN, PROGRESS_LIVE, PROGRESS_JSON };

struct progress;

/* A view of the run of `p` on `out` (not owned). PROGRESS_LIVE redraws in place: use it only when
 * `out` is a terminal (progress_mode_for decides). Free with progress_free. */
struct progress *progress_new(const struct plan *p, enum progress_mode mode, FILE *out);
/* PROGRESS_JSON when json, PROGRESS_LIVE on a terminal (and TERM is not "dumb"), else plain. */
enum progress_mode progress_mode_for(FILE *out, int json);
/* exec_opts.on_event callback; ud is the struct progress. */
void progress_event(const struct exec_event *ev, void *ud);
/* Clears the live block and prints the final line. */
void progress_finish(struct progress *pg);
void progress_free(struct progress *pg);

#endif
