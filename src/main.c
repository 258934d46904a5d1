/* main: argument dispatch through the command table.
 * Global options may stand before or after the command; everything else goes to the command. */
#include "cli/cli.h"
#include "util/i18n.h"
#include <stdio.h>
#include <signal.h>
#include <sys/resource.h>
#include <string.h>
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
        fprintf(out, "  %-11s %s\n", cmd_table[i]->name, _(cmd_table[i]->summary));
    fputs(_("\nglobal options:\n"
            "  --connections FILE  connections file (default ./connections_config.yml, then\n"
            "                      $XDG_CONFIG_HOME/deploy-stand/connections_config.yml)\n"
            "  --connection NAME   which connection of the file (default: the one marked default)\n"
            "  --output text|json  output format (default text)\n"
            "  --yes               do not ask for confirmation\n"
            "  --help              this text; `deploy-stand COMMAND --help` for a command\n"
            "  --version           print the version (\"deploy-stand VERSION\") and exit\n\n"
            "First time? Run `deploy-stand demo`: it deploys the example stand to a built-in\n"
            "simulated cluster and tears it down again.\n"),
          out);
}

/* Removes the global options from argv (in place); returns the new argc or -1 on error. */
static int take_globals(struct cli_globals *g, int argc, char **argv)
{
    int out = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (strcmp(a, "--connections") == 0)
            slot = &g->connections_path;
        else if (strcmp(a, "--connection") == 0)
            slot = &g->connection;
        if (slot) {
            if (i + 1 >= argc) {
                cli_error(_("give a value after it"), _("option %s needs an argument"), a);
                return -1;
            }
            *slot = argv[++i];
            continue;
        }
        if (strcmp(a, "--output") == 0 || strncmp(a, "--output=", 9) == 0) {
            const char *v = a[8] == '=' ? a + 9 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v || (strcmp(v, "json") != 0 && strcmp(v, "text") != 0)) {
                cli_error(_("use --output text or --output json"), _("bad --output value '%s'"),
                          v ? v : "");
                return -1;
            }
            g->json = strcmp(v, "json") == 0;
            continue;
        }
        if (strcmp(a, "--yes") == 0 || strcmp(a, "-y") == 0) {
            g->yes = 1;
            continue;
        }
        argv[out++] = argv[i];
    }
    argv[out] = NULL;
    return out;
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
    int ci = 1;
    while (ci < argc && argv[ci][0] == '-') {
        if (strcmp(argv[ci], "--help") == 0 || strcmp(argv[ci], "-h") == 0) {
            print_main_help(stdout);
            return EXIT_OK;
        }
        if (strcmp(argv[ci], "--version") == 0) {
            printf("deploy-stand %s\n", DS_VERSION);
            return EXIT_OK;
        }
        int takes_value = strcmp(argv[ci], "--connections") == 0 ||
                          strcmp(argv[ci], "--connection") == 0 ||
                          strcmp(argv[ci], "--output") == 0;
        ci += takes_value ? 2 : 1;
    }
    if (ci >= argc) {
        /* no command: the menu on a terminal, else the help (a script forgot its command) */
        if (!isatty(STDIN_FILENO)) {
            print_main_help(stderr);
            return EXIT_USAGE;
        }
        if (take_globals(&g, argc - 1, argv + 1) < 0)
            return EXIT_USAGE;
        char *menu_argv[] = {(char *)"menu", NULL};
        return cmd_menu_entry.exec(&g, 1, menu_argv);
    }
    const struct cmd_entry *e = NULL;
    for (size_t i = 0; cmd_table[i]; i++)
        if (strcmp(cmd_table[i]->name, argv[ci]) == 0)
            e = cmd_table[i];
    if (!e) {
        cli_error(_("run `deploy-stand --help` for the list of commands"),
                  _("unknown command '%s'"), argv[ci]);
        return EXIT_USAGE;
    }
    if (e->raw_args) /* argv[ci] becomes the command's argv[0] */
        return e->exec(&g, argc - ci, argv + ci);
    int n = take_globals(&g, argc - 1, argv + 1);
    if (n < 0)
        return EXIT_USAGE;
    /* everything before the command was a global option, so the command word is first now */
    char **cmd_argv = argv + 1;
    int cn = n;
    for (int i = 1; i < cn; i++)
        if (strcmp(cmd_argv[i], "--help") == 0 || strcmp(cmd_argv[i], "-h") == 0) {
            cmd_print_help(e, stdout);
            return EXIT_OK;
        }
    return e->exec(&g, cn, cmd_argv);
}
