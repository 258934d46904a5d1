/* app_sweep: the sweep use case: the stand's leftovers (marked for it, needed by no current
 * student), or the template copies nothing links to, listed, and with `remove` removed. */
#ifndef DS_APP_SWEEP_H
#define DS_APP_SWEEP_H

#include "app/app_ctx.h"

/* An APP_* code. */
int app_sweep(struct app_ctx *c, const struct app_opts *o, int remove);

/* `sweep --templates`: the marked template copies of the whole cluster that are templates, not
 * locked, and that no VM links to (every VM config is read), listed, and with `remove` removed and
 * verified gone. Copies with linked VMs, or whose users are unknown, stay (a note says why). An
 * APP_* code. */
int app_sweep_templates(struct app_ctx *c, const struct app_opts *o, int remove);

#endif
