/* stand_args: parses the options every stand command shares into the use cases' app_opts; the
 * checks that need no file (numbers, remote needs --node, both files given) are done here. */
#include "cli/stand_args.h"
#include "cli/cli.h"
#include "cli/cli_args.h"
#include "plan/strategy.h"
#include "util/i18n.h"
#include <stddef.h>
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

#define SA(f) offsetof(struct stand_args, f)
/* The options of the stand commands; --strategy and its options need CMD_STRATEGY, --user
 * CMD_USER. */
static const struct cli_opt stand_opts[] = {
    {"--config", "-c", CLI_VALUE, SA(o.config), 0, 0, 0, 0, NULL, NULL},
    {"--users", "-u", CLI_VALUE, SA(o.users), 0, 0, 0, 0, NULL, NULL},
    {"--strategy", "-s", CLI_VALUE, SA(o.strategy), 0, 0, 0, CMD_STRATEGY, NULL, NULL},
    {"--node", NULL, CLI_VALUE, SA(o.node), 0, 0, 0, CMD_STRATEGY, NULL, NULL},
    {"--template-map", NULL, CLI_VALUE, SA(o.template_map), 0, 0, 0, CMD_STRATEGY, NULL, NULL},
    {"--refresh-templates", NULL, CLI_FLAG, SA(o.refresh_templates), 0, 0, 0, CMD_STRATEGY, NULL,
     NULL},
    {"--parallel-per-node", NULL, CLI_INT, SA(o.per_node), 1, 64, 0, 0, NULL, NULL},
    {"--workers", NULL, CLI_INT, SA(o.workers), 1, 64, 0, 0, NULL, NULL},
    {"--mem-reserve", NULL, CLI_INT, SA(mem_pct), 0, 90, 0, CMD_STRATEGY, NULL, NULL},
    {"--user", NULL, CLI_REPEAT, SA(only), 0, 256, SA(o.n_only), CMD_USER,
     N_("%s: --user needs a user id"), N_("e.g. --user student1@pve")},
    {NULL, NULL, 0, 0, 0, 0, 0, 0, NULL, NULL},
};

int stand_args_parse(const char *cmd, int argc, char **argv, int allow_strategy, int allow_user,
                     struct stand_args *a)
{
    memset(a, 0, sizeof *a);
    struct app_opts *o = &a->o;
    o->only = a->only;
    a->mem_pct = -1;
    int flags = (allow_strategy ? CMD_STRATEGY : 0) | (allow_user ? CMD_USER : 0);
    if (cli_args_parse(cmd, stand_opts, flags, argc, argv, a, NULL, 0, NULL))
        return EXIT_USAGE;
    if (a->mem_pct >= 0) /* 0 is "no reserve" rather than the default */
        o->mem_reserve = a->mem_pct ? a->mem_pct / 100.0 : 1e-9;
    const struct strategy *st = o->strategy ? strategy_find(o->strategy) : NULL;
    if (st && st->needs_node && !o->node) {
        cli_error(_("e.g. --strategy remote --node pve2"), _("%s: strategy %s needs --node NAME"),
                  cmd, st->name);
        return EXIT_USAGE;
    }
    return stand_args_require_files(cmd, o->config, o->users);
}
