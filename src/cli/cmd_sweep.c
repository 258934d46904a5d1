/* cmd_sweep: `deploy-stand sweep` finds what is marked for the stand but in no current student's
 * plan (students removed from the list, machines or aliases removed from the stand, leftovers of
 * crashed runs), lists it, and with --yes removes it. Unmarked objects are never touched. */
#include "app/app_sweep.h"
#include "cli/cli_front.h"
#include "cli/stand_args.h"
#include "util/i18n.h"
#include <stdlib.h>
#include <string.h>

static int cmd_sweep_exec(struct cli_globals *g, int argc, char **argv)
{
    /* --stand NAME sweeps another stand name than the config's (e.g. after renaming it) */
    const char *stand = NULL;
    int n = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--stand") == 0 && i + 1 < argc)
            stand = argv[++i];
        else
            argv[n++] = argv[i];
    }
    argc = n;
    struct stand_args a;
    int rc = stand_args_parse("sweep", argc, argv, 0, 0, &a);
    if (rc)
        return rc;
    struct cli_front f;
    cli_front_init(&f, g, 0);
    a.o.json = g->json;
    struct app_ctx c;
    rc = app_ctx_open(&c, &f.env, &f.ev, &a.o, 1);
    if (!rc && stand) {
        free(c.stand->name);
        c.stand->name = strdup(stand);
    }
    if (!rc)
        rc = app_sweep(&c, &a.o, g->yes);
    app_ctx_free(&c);
    return rc;
}

const struct cmd_entry cmd_sweep_entry = {
    .name = "sweep",
    .usage = "sweep --config FILE --users FILE [--stand NAME] [--yes]",
    .summary =
        N_("list (and with --yes remove) leftovers marked for the stand that no student needs"),
    .help =
        N_("  --config FILE     the stand (its name and machines)\n"
           "  --users FILE      the class as it is now\n"
           "  --stand NAME      the stand name to sweep (default: the config's `stand:`)\n"
           "  --yes             remove what is listed (otherwise only list it)\n\n"
           "Leftovers are objects with the stand's marks that no current student's deploy would\n"
           "make: the users, pools, VMs and bridges of students no longer in the list, VMs of\n"
           "machines no longer in the stand, bridges of removed aliases, and clones a crashed\n"
           "run did not finish. Objects without deploy-stand's marks are never touched.\n"),
    .exec = cmd_sweep_exec,
};
