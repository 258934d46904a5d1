/* stand_args: the options every stand command shares, as one table for the parser and the menu;
 * the checks that need no file (numbers, remote needs --node, both files given) are done here. */
#include "cli/stand_args.h"
#include "cli/cli.h"
#include "plan/strategy.h"
#include "util/i18n.h"
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define SA(f) offsetof(struct stand_args, f)
const struct cli_opt stand_opts[] = {
    {.name = "--config",
     .short_name = "-c",
     .kind = CLI_VALUE,
     .off = SA(o.config),
     .complete = CLI_C_CONFIG_OR_FILE},
    {.name = "--users",
     .short_name = "-u",
     .kind = CLI_VALUE,
     .off = SA(o.users),
     .complete = CLI_C_LIST_OR_FILE},
    {.name = "--strategy",
     .short_name = "-s",
     .kind = CLI_VALUE,
     .off = SA(o.strategy),
     .needs = CMD_STRATEGY,
     .complete = CLI_C_STRATEGY},
    {.name = "--node", .kind = CLI_VALUE, .off = SA(o.node), .needs = CMD_STRATEGY},
    {.name = "--template-map",
     .kind = CLI_VALUE,
     .off = SA(o.template_map),
     .needs = CMD_STRATEGY,
     .complete = CLI_C_FILE},
    {.name = "--refresh-templates",
     .kind = CLI_FLAG,
     .off = SA(o.refresh_templates),
     .needs = CMD_STRATEGY},
    /* every strategy: a node may get more memory configured than it has (a note in the plan) */
    {.name = "--overcommit", .kind = CLI_FLAG, .off = SA(o.overcommit), .needs = CMD_STRATEGY},
    /* every run that changes the stand: take over a cluster lock not renewed for a while */
    {.name = "--break-lock", .kind = CLI_FLAG, .off = SA(o.break_lock)},
    {.name = "--parallel-per-node", .kind = CLI_INT, .off = SA(o.per_node), .lo = 1, .hi = 64},
    {.name = "--workers", .kind = CLI_INT, .off = SA(o.workers), .lo = 1, .hi = 64},
    /* smart's option (strategy_smart's options name it); 10 is the planner's default reserve */
    {.name = "--mem-reserve",
     .kind = CLI_INT,
     .off = SA(mem_pct),
     .lo = 0,
     .hi = 90,
     .needs = CMD_STRATEGY,
     .dflt = 10},
    {.name = "--vm",
     .kind = CLI_VALUE,
     .off = SA(o.only_vm),
     .needs = CMD_VM,
     .want = N_("%s: --vm needs a machine name"),
     .hint = N_("the names of the stand's `machines:`, e.g. --vm web")},
    {.name = "--expires",
     .kind = CLI_VALUE,
     .off = SA(o.expires),
     .needs = CMD_EXPIRES,
     .want = N_("%s: --expires needs a date"),
     .hint = N_("the last day of access as YYYY-MM-DD, e.g. --expires 2025-06-30")},
    {.name = "--user",
     .kind = CLI_REPEAT,
     .off = SA(only),
     .hi = 256,
     .off_n = SA(o.n_only),
     .needs = CMD_USER,
     .want = N_("%s: --user needs a user id"),
     .hint = N_("e.g. --user student1@pve")},
    {.name = NULL},
};

void stand_args_init(struct stand_args *a)
{
    memset(a, 0, sizeof *a);
    a->o.only = a->only;
    a->mem_pct = -1;
}

int stand_args_check_node(const char *cmd, const char *strategy, const char *node)
{
    const struct strategy *st = strategy ? strategy_find(strategy) : NULL;
    if (st && st->needs_node && !node) {
        cli_error(_("e.g. --strategy remote --node pve2"), _("%s: strategy %s needs --node NAME"),
                  cmd, st->name);
        return EXIT_USAGE;
    }
    return 0;
}

int stand_args_finish(const char *cmd, struct stand_args *a)
{
    struct app_opts *o = &a->o;
    if (a->mem_pct >= 0) /* 0 is "no reserve" rather than the default */
        o->mem_reserve = a->mem_pct ? a->mem_pct / 100.0 : 1e-9;
    if (!cmd)
        return 0;
    if (stand_args_check_node(cmd, o->strategy, o->node))
        return EXIT_USAGE;
    if (!o->config || !o->users) {
        cli_error(_("both are needed, e.g. --config deployment_config.yml --users users_list.yml"),
                  _("%s: missing %s"), cmd, !o->config ? "--config FILE" : "--users FILE");
        return EXIT_USAGE;
    }
    return 0;
}
