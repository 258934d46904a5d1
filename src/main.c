/* main: the global options before the command (cli_global_opts), then the command through
 * cli_dispatch, which parses the rest from the command's own table. */
#include "cli/cli.h"
#include "util/i18n.h"
#include <stdio.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#ifndef DS_VERSION
#error "DS_VERSION is set by CMake from project(VERSION)"
#endif

static void print_main_help(FILE *out)
{
    fputs(_("usage: deploy-stand [global options] COMMAND [options]\n\n"
            "Deploys training stands (users, pools, cloned VMs, private bridges) for a class\n"
            "on a Proxmox VE cluster, and removes exactly what it created.\n\ncommands:\n"),
          out);
    for (size_t i = 0; cmd_table[i]; i++)
        if (!(cmd_table[i]->flags & CMD_HIDDEN))
            fprintf(out, "  %-11s %s\n", cmd_table[i]->name, _(cmd_table[i]->summary));
    fputs(_("\nglobal options:\n"
            "  --connections FILE  connections file (default ./connections_config.yml, then\n"
            "                      $XDG_CONFIG_HOME/deploy-stand/connections_config.yml)\n"
            "  --connection NAME   which connection of the file (default: the one marked default)\n"
            "  --output text|json  output format (default text; also --output=json)\n"
            "  --yes               do not ask for confirmation\n"
            "  --help              this text; `deploy-stand COMMAND --help` for a command\n"
            "  --version           print the version (\"deploy-stand VERSION\") and exit\n\n"
            "First time? Run `deploy-stand demo`: it deploys the example stand to a built-in\n"
            "simulated cluster and tears it down again.\n"),
          out);
}

int main(int argc, char **argv)
{
    struct cli_globals g = {0};
    i18n_init();
    /* a peer closing a connection must be an error, not the end of the process */
    signal(SIGPIPE, SIG_IGN);
    /* passwords and tickets live in memory: never write them into a core dump */
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    /* the command is the first word that is not a global option or its value */
    int ci;
    if (cli_globals_parse(&g, argc, argv, &ci))
        return EXIT_USAGE;
    if (g.help) {
        print_main_help(stdout);
        return EXIT_OK;
    }
    if (g.version) {
        printf("deploy-stand %s\n", DS_VERSION);
        return EXIT_OK;
    }
    if (ci < argc)
        return cli_dispatch(&g, argc - ci, argv + ci);
    /* no command: the menu on a terminal, else the help (a script forgot its command) */
    if (!isatty(STDIN_FILENO)) {
        print_main_help(stderr);
        return EXIT_USAGE;
    }
    char *menu_argv[] = {(char *)"menu", NULL};
    return cli_dispatch(&g, 1, menu_argv);
}
