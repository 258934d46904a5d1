/* cmd_status: `deploy-stand status` shows per student the user, pool, node, each VM with its power
 * state and uptime, "N of M running", the bridges and the stand's expiry, read from the marks.
 * With --detailed-exitcode the exit code says whether changes are pending (0 no, 2 yes, 1 error).
 */
#include "app/app_status.h"
#include "cli/cli_front.h"
#include "ui/status_view.h"
#include "util/i18n.h"
#include <stddef.h>

struct status_opts {
    int detailed; /* --detailed-exitcode */
};

static const struct cli_opt status_opts[] = {
    {.name = "--detailed-exitcode",
     .kind = CLI_FLAG,
     .off = offsetof(struct status_opts, detailed)},
    {.name = NULL},
};

static int cmd_status_exec(struct cli_call *call)
{
    const struct status_opts *so = call->opts;
    struct cli_front f;
    struct app_ctx c;
    json_t *st = NULL;
    int rc = cli_front_open(call, &f, &c);
    if (!rc)
        rc = app_status(&c, &st);
    if (!rc)
        status_view_print(st, stdout, call->g->json);
    if (!rc && so->detailed && app_status_pending(st))
        rc = EXIT_USAGE; /* 2: changes pending, as terraform plan -detailed-exitcode */
    else if (rc && so->detailed)
        rc = EXIT_FAILED;
    json_decref(st);
    app_ctx_free(&c);
    return rc;
}

const struct cmd_entry cmd_status_entry = {
    .name = "status",
    .usage = "status --config FILE --users FILE [--detailed-exitcode]",
    .summary =
        N_("show each student's VMs (power state, uptime), pool and bridges, and the expiry"),
    .help = N_("  --config FILE     the stand (deployment_config.yml)\n"
               "  --users FILE      the class list (users_list.yml)\n"
               "  --detailed-exitcode  exit 0 when every student is deployed as planned, 2 when\n"
               "                    changes are pending (a student missing or partly deployed, a\n"
               "                    pool that is not ours), 1 on an error\n"),
    .flags = CMD_FILES,
    .opts = status_opts,
    .opts_size = sizeof(struct status_opts),
    .exec = cmd_status_exec,
};
