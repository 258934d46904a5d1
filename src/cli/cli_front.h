/* cli_front: the command line as a front-end of the use cases: the connection from the global
 * options, events rendered by cli/app_view, and questions asked on the terminal. */
#ifndef DS_CLI_FRONT_H
#define DS_CLI_FRONT_H

#include "app/app_ctx.h"
#include "cli/cli.h"
#include "cli/app_view.h"

struct cli_front {
    struct app_env env;
    struct app_view view;
    struct app_events ev; /* ev.ud points at view: do not copy a cli_front */
};

/* From the global options (g must outlive f); ask: confirm on the terminal before changes. Nothing
 * to free. */
void cli_front_init(struct cli_front *f, const struct cli_globals *g, int ask);

/* Opens the context of a stand command (CMD_FILES): inputs, template map, connection, login, and
 * with CMD_STATE the local state; confirmations are asked as its CMD_ASK / CMD_CONFIRM say (not
 * with --yes). f is initialised. APP_OK or the exit code (reported); free c anyway. */
int cli_front_open(const struct cli_call *call, struct cli_front *f, struct app_ctx *c);

/* cli_front_open, op (the command's use case) with the parsed options, and the context freed.
 * Returns the exit code. */
int cli_front_run(const struct cli_call *call,
                  int (*op)(struct app_ctx *c, const struct app_opts *o));

/* app_status rendered on stdout (a table, or JSON with o->json): a use-case runner for
 * cli_front_run. */
int cli_front_status(struct app_ctx *c, const struct app_opts *o);

#endif
