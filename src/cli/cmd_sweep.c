/* cmd_sweep: `deploy-stand sweep` finds what is marked for the stand but in no current student's
 * plan (students removed from the list, machines or aliases removed from the stand, leftovers of
 * crashed runs), lists it, and with --yes removes it. Unmarked objects are never touched. */
#include "app/app_sweep.h"
#include "cli/cli_front.h"
#include "util/i18n.h"
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct sweep_opts {
    const char *stand; /* --stand NAME: another stand name than the config's (after a rename) */
    int templates;     /* --templates: the template copies no VM links to, instead */
};

static const struct cli_opt sweep_opts[] = {
    {.name = "--stand", .kind = CLI_VALUE, .off = offsetof(struct sweep_opts, stand)},
    {.name = "--templates", .kind = CLI_FLAG, .off = offsetof(struct sweep_opts, templates)},
    {.name = NULL},
};

static int cmd_sweep_exec(struct cli_call *call)
{
    const struct sweep_opts *so = call->opts;
    struct cli_front f;
    struct app_ctx c;
    int rc = cli_front_open(call, &f, &c);
    if (!rc && so->stand) {
        free(c.stand->name);
        c.stand->name = strdup(so->stand);
    }
    if (!rc)
        rc = so->templates ? app_sweep_templates(&c, &call->sa.o, call->g->yes)
                           : app_sweep(&c, &call->sa.o, call->g->yes);
    app_ctx_free(&c);
    return rc;
}

const struct cmd_entry cmd_sweep_entry = {
    .name = "sweep",
    .usage = "sweep --config FILE --users FILE [--stand NAME] [--templates] [--yes]",
    .summary =
        N_("list (and with --yes remove) leftovers marked for the stand that no student needs"),
    .help =
        N_("  --config FILE     the stand (its name and machines)\n"
           "  --users FILE      the class as it is now\n"
           "  --stand NAME      the stand name to sweep (default: the config's `stand:`)\n"
           "  --templates       the template copies (tag ds-template-copy) of the whole cluster\n"
           "                    that no VM links to, instead of the stand's leftovers\n"
           "  --yes             remove what is listed (otherwise only list it)\n\n"
           "Leftovers are objects with the stand's marks that no current student's deploy would\n"
           "make: the users, pools, VMs and bridges of students no longer in the list, VMs of\n"
           "machines no longer in the stand, bridges of removed aliases, and clones a crashed\n"
           "run did not finish. Objects without deploy-stand's marks are never touched.\n"
           "With --templates every VM config is read and a copy goes only when no VM's disk\n"
           "sits on its base volumes; copies with linked clones stay, ours or not.\n"),
    .flags = CMD_FILES | CMD_STATE,
    .opts = sweep_opts,
    .opts_size = sizeof(struct sweep_opts),
    .exec = cmd_sweep_exec,
};
