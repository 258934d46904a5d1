/* cli: the command table and the helpers every command shares.
 * The table is the single place to look for what deploy-stand can do. */
#include "cli/cli.h"
#include "plan/strategy.h"
#include "cli/app_view.h"
#include "util/i18n.h"
#include <stdlib.h>
#include <stdarg.h>

const struct cmd_entry *const cmd_table[] = {
    &cmd_plan_entry,    &cmd_deploy_entry,     &cmd_status_entry, &cmd_creds_entry,
    &cmd_destroy_entry, &cmd_reset_entry,      &cmd_sweep_entry,  &cmd_runs_entry,
    &cmd_audit_entry,   &cmd_connection_entry, &cmd_demo_entry,   &cmd_sim_entry,
    &cmd_config_entry,  &cmd_users_entry,      &cmd_menu_entry,   NULL,
};

void cli_print_strategies(FILE *out)
{
    fprintf(out, "  %-17s %s\n", "--strategy NAME", _("placement (default local):"));
    for (size_t i = 0; strategy_table[i]; i++)
        fprintf(out, "%20s%-10s %s\n", "", strategy_table[i]->name, _(strategy_table[i]->label));
    for (size_t i = 0; strategy_table[i]; i++) {
        const struct strategy *s = strategy_table[i];
        if (s->needs_node) {
            fprintf(out, "  %-17s ", "--node NAME");
            fprintf(out, _("target node for --strategy %s\n"), s->name);
        }
        for (const struct strategy_option *o = s->options; o && o->name; o++) {
            char opt[64];
            snprintf(opt, sizeof opt, "%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
            fprintf(out, "  %-17s %s: %s\n", opt, s->name, _(o->help));
        }
    }
}

void cmd_print_help(const struct cmd_entry *e, FILE *out)
{
    fprintf(out, _("usage: deploy-stand %s\n\n%s\n"), e->usage, _(e->summary));
    if (e->help && e->help[0])
        fprintf(out, "\n%s", _(e->help));
    if (e->flags & CMD_STRATEGY) {
        cli_print_strategies(out);
        if (e->help_after && e->help_after[0])
            fputs(_(e->help_after), out);
    }
}

void cli_error(const char *hint, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    app_view_error(msg ? msg : fmt, hint);
    free(msg);
}
