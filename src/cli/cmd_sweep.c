/* cmd_sweep: `deploy-stand sweep` finds what is marked for the stand but in no current student's
 * plan (students removed from the list, machines or aliases removed from the stand, leftovers of
 * crashed runs), lists it, and with --yes removes it. Unmarked objects are never touched. */
#include "cli/stand_ops.h"
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
    struct session s;
    rc = session_open_all(&s, g, &a, 1);
    if (!rc && stand) {
        free(s.stand->name);
        s.stand->name = strdup(stand);
    }
    if (!rc) {
        struct stand_op_opts o;
        stand_op_opts_init(&o, g, &a);
        rc = stand_op_sweep(&s, &o, g->yes);
    }
    session_close(&s);
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
