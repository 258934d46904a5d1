/* cli: the command table and the helpers every command shares.
 * The table is the single place to look for what deploy-stand can do. */
#include "cli/cli.h"
#include "ui/app_view.h"
#include "util/i18n.h"
#include <stdlib.h>
#include <stdarg.h>

const struct cmd_entry *const cmd_table[] = {
    &cmd_plan_entry,    &cmd_deploy_entry,     &cmd_status_entry, &cmd_creds_entry,
    &cmd_destroy_entry, &cmd_reset_entry,      &cmd_sweep_entry,  &cmd_runs_entry,
    &cmd_audit_entry,   &cmd_connection_entry, &cmd_demo_entry,   &cmd_sim_entry,
    &cmd_config_entry,  &cmd_users_entry,      &cmd_menu_entry,   NULL,
};

void cmd_print_help(const struct cmd_entry *e, FILE *out)
{
    fprintf(out, _("usage: deploy-stand %s\n\n%s\n"), e->usage, _(e->summary));
    if (e->help && e->help[0])
        fprintf(out, "\n%s", _(e->help));
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
