/* cmd_menu: `deploy-stand menu` (and `deploy-stand` alone on a terminal) starts the interactive
 * menu; everything it offers is also a command, for scripts. */
#include "cli/cli.h"
#include "cli/menu.h"
#include "util/i18n.h"

static int cmd_menu_exec(struct cli_call *c)
{
    struct app_env env = {.connections_path = c->g->connections_path,
                          .connection = c->g->connection};
    return menu_run(&env);
}

const struct cmd_entry cmd_menu_entry = {
    .name = "menu",
    .usage = "menu",
    .summary = N_("the interactive menu (also `deploy-stand` alone on a terminal)"),
    .help = N_("Starts with the choice of a connection (or creates one: host, port, user,\n"
               "password; the certificate's fingerprint is shown before it is trusted), then:\n"
               "  1 [c] create a deployment config (a wizard over the cluster's templates)\n"
               "  2     manage configs (list, show, validate, copy, rename, delete)\n"
               "  3 [u] user lists (create, show, edit, delete, import from text/CSV)\n"
               "  4 [d] deploy (config, list, strategy and its options, rebuilding stale\n"
               "        template copies; plan summary, confirmation, progress, credentials)\n"
               "  5 [x] delete all users' machines of a list (typed confirmation DELETE_<LIST>)\n"
               "  6     delete one user's machines\n"
               "  7 [s] connection management (list, add, test, default, delete, switch)\n"
               "  8 [i] stand status (power, uptime, N of M running) and credentials; the\n"
               "        printable HTML hand-out to a file (default ./handout-<stand>.html)\n"
               "  9 [p] start, stop or shut down the class (plan, then yes/no)\n"
               " 10 [r] reset the class or one student to the baseline snapshot (VMs without\n"
               "        it are cloned fresh; plan, then yes/no)\n"
               " 11 [n] snapshots of the class or one student: list, create, roll back, delete\n"
               " 12 [e] expired stands: the list, and each destroyed after a typed\n"
               "        DELETE_<stand>\n"
               "  0     exit (also Ctrl-D or Ctrl-C)\n"
               "Configs and lists are kept in $XDG_CONFIG_HOME/deploy-stand/configs and lists.\n"),
    .exec = cmd_menu_exec,
};
