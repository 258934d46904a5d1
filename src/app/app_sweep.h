/* app_sweep: the sweep use case: the stand's leftovers (marked for it, needed by no current
 * student) are listed, and with `remove` removed and verified gone. */
#ifndef DS_APP_SWEEP_H
#define DS_APP_SWEEP_H

#include "app/app_ctx.h"

/* An APP_* code. */
int app_sweep(struct app_ctx *c, const struct app_opts *o, int remove);

#endif
