/* cmd_power: `deploy-stand start | stop | shutdown | reboot` for the class, some students or one
 * machine of each: a plan of the VMs not yet in the wanted state, shown, confirmed and run. */
#include "app/app_power.h"
#include "cli/cli.h"
#include "ui/status_view.h"
#include "util/i18n.h"
#include <stddef.h>

struct power_opts {
    int timeout_s; /* --timeout N */
};

static const struct cli_opt timeout_opts[] = {
    {.name = "--timeout",
     .kind = CLI_INT,
     .off = offsetof(struct power_opts, timeout_s),
     .lo = 1,
     .hi = 3600,
     .dflt = APP_SHUTDOWN_TIMEOUT},
    {.name = NULL},
};

static int run_power(struct app_ctx *c, const struct app_opts *o, const void *arg, json_t **out)
{
    return app_power(c, o, *(const enum power_op *)arg, out);
}

static int power_exec(struct cli_call *call, enum power_op op)
{
    const struct power_opts *po = call->opts;
    if (po)
        call->sa.o.timeout_s = po->timeout_s;
    struct cli_result_op r = {.run = run_power, .arg = &op, .show = status_view_result};
    return cli_run_result(call, &r);
}

static int start_exec(struct cli_call *call)
{
    return power_exec(call, POWER_START);
}

static int stop_exec(struct cli_call *call)
{
    return power_exec(call, POWER_STOP);
}

static int shutdown_exec(struct cli_call *call)
{
    return power_exec(call, POWER_SHUTDOWN);
}

static int reboot_exec(struct cli_call *call)
{
    return power_exec(call, POWER_REBOOT);
}

#define POWER_FLAGS (CMD_FILES | CMD_USER | CMD_VM | CMD_STATE | CMD_CONFIRM)

const struct cmd_entry cmd_start_entry = {
    .name = "start",
    .usage = "start --config FILE --users FILE [--user USERID]... [--vm NAME] --yes",
    .summary = N_("start the students' VMs (the stand's start_order first)"),
    .help = N_("  --config FILE     the stand (deployment_config.yml)\n"
               "  --users FILE      the class list (users_list.yml)\n"
               "  --user USERID     only this student (repeatable)\n"
               "  --vm NAME         only this machine of each student\n\n"
               "Starts every stopped VM of the stand's students (found by their marks); the\n"
               "machines of the stand's `start_order:` start first, one after the other. A VM\n"
               "that runs already is left alone.\n"),
    .flags = POWER_FLAGS,
    .exec = start_exec,
};

const struct cmd_entry cmd_stop_entry = {
    .name = "stop",
    .usage = "stop --config FILE --users FILE [--user USERID]... [--vm NAME] --yes",
    .summary = N_("stop the students' VMs at once (no clean shutdown; see shutdown)"),
    .help = N_("  --config FILE     the stand (deployment_config.yml)\n"
               "  --users FILE      the class list (users_list.yml)\n"
               "  --user USERID     only this student (repeatable)\n"
               "  --vm NAME         only this machine of each student\n\n"
               "Stops every VM of the students that is not stopped, as pulling the plug does.\n"),
    .flags = POWER_FLAGS,
    .exec = stop_exec,
};

const struct cmd_entry cmd_shutdown_entry = {
    .name = "shutdown",
    .usage = "shutdown --config FILE --users FILE [--user USERID]... [--vm NAME] [--timeout N] "
             "--yes",
    .summary = N_("shut the students' VMs down cleanly, stopping hard those that do not"),
    .help = N_("  --config FILE     the stand (deployment_config.yml)\n"
               "  --users FILE      the class list (users_list.yml)\n"
               "  --user USERID     only this student (repeatable)\n"
               "  --vm NAME         only this machine of each student\n"
               "  --timeout N       seconds each guest gets to shut down (default 60)\n\n"
               "Sends each running VM an ACPI shutdown; a VM still running after the timeout is\n"
               "stopped hard, and the result names it.\n"),
    .flags = POWER_FLAGS,
    .opts = timeout_opts,
    .opts_size = sizeof(struct power_opts),
    .exec = shutdown_exec,
};

const struct cmd_entry cmd_reboot_entry = {
    .name = "reboot",
    .usage = "reboot --config FILE --users FILE [--user USERID]... [--vm NAME] [--timeout N] "
             "--yes",
    .summary = N_("reboot the students' running VMs cleanly"),
    .help = N_("  --config FILE     the stand (deployment_config.yml)\n"
               "  --users FILE      the class list (users_list.yml)\n"
               "  --user USERID     only this student (repeatable)\n"
               "  --vm NAME         only this machine of each student\n"
               "  --timeout N       seconds each guest gets to shut down (default 60)\n\n"
               "A VM that is not running is not rebooted (start it instead).\n"),
    .flags = POWER_FLAGS,
    .opts = timeout_opts,
    .opts_size = sizeof(struct power_opts),
    .exec = reboot_exec,
};
