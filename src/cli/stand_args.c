/* stand_args: parses the options every stand command shares into the use cases' app_opts; the
 * checks that need no file (numbers, remote needs --node, both files given) are done here. */
#include "cli/stand_args.h"
#include "cli/cli.h"
#include "plan/strategy.h"
#include "util/i18n.h"
#include <stdlib.h>
#include <string.h>

int stand_args_require_files(const char *cmd, const char *config, const char *users)
{
    if (!config || !users) {
        cli_error(_("both are needed, e.g. --config deployment_config.yml --users users_list.yml"),
                  _("%s: missing %s"), cmd, !config ? "--config FILE" : "--users FILE");
        return EXIT_USAGE;
    }
    return 0;
}

static int parse_int_opt(const char *cmd, const char *opt, const char *v, int lo, int hi, int *out)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < lo || n > hi) {
        cli_error(NULL, _("%s: %s wants a number from %d to %d, not '%s'"), cmd, opt, lo, hi, v);
        return EXIT_USAGE;
    }
    *out = (int)n;
    return 0;
}

int stand_args_parse(const char *cmd, int argc, char **argv, int allow_strategy, int allow_user,
                     struct stand_args *a)
{
    memset(a, 0, sizeof *a);
    struct app_opts *o = &a->o;
    o->only = a->only;
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        const char **slot = NULL;
        int *islot = NULL, lo = 1, hi = 64;
        if (strcmp(opt, "--config") == 0 || strcmp(opt, "-c") == 0)
            slot = &o->config;
        else if (strcmp(opt, "--users") == 0 || strcmp(opt, "-u") == 0)
            slot = &o->users;
        else if (allow_strategy && (strcmp(opt, "--strategy") == 0 || strcmp(opt, "-s") == 0))
            slot = &o->strategy;
        else if (allow_strategy && strcmp(opt, "--node") == 0)
            slot = &o->node;
        else if (allow_strategy && strcmp(opt, "--template-map") == 0)
            slot = &o->template_map;
        else if (allow_strategy && strcmp(opt, "--refresh-templates") == 0) {
            o->refresh_templates = 1;
            continue;
        } else if (strcmp(opt, "--parallel-per-node") == 0)
            islot = &o->per_node;
        else if (strcmp(opt, "--workers") == 0)
            islot = &o->workers;
        else if (allow_strategy && strcmp(opt, "--mem-reserve") == 0) {
            int pct;
            if (i + 1 >= argc || parse_int_opt(cmd, opt, argv[i + 1], 0, 90, &pct))
                return EXIT_USAGE;
            o->mem_reserve = pct / 100.0;
            if (pct == 0)
                o->mem_reserve = 1e-9; /* "no reserve" rather than the default */
            i++;
            continue;
        } else if (allow_user && strcmp(opt, "--user") == 0) {
            if (i + 1 >= argc || o->n_only >= sizeof a->only / sizeof a->only[0]) {
                cli_error(_("e.g. --user student1@pve"), _("%s: --user needs a user id"), cmd);
                return EXIT_USAGE;
            }
            a->only[o->n_only++] = argv[++i];
            continue;
        } else {
            cli_error(_("see `deploy-stand COMMAND --help`"), _("%s: unknown option '%s'"), cmd,
                      opt);
            return EXIT_USAGE;
        }
        if (i + 1 >= argc) {
            cli_error(_("give a value after it"), _("%s: option %s needs an argument"), cmd, opt);
            return EXIT_USAGE;
        }
        if (islot) {
            if (parse_int_opt(cmd, opt, argv[++i], lo, hi, islot))
                return EXIT_USAGE;
            continue;
        }
        *slot = argv[++i];
    }
    const struct strategy *st = o->strategy ? strategy_find(o->strategy) : NULL;
    if (st && st->needs_node && !o->node) {
        cli_error(_("e.g. --strategy remote --node pve2"), _("%s: strategy %s needs --node NAME"),
                  cmd, st->name);
        return EXIT_USAGE;
    }
    return stand_args_require_files(cmd, o->config, o->users);
}
