/* cmd_expire: `deploy-stand expire` lists the stands on the cluster whose expiry date has passed
 * and with --yes destroys them as `destroy` does; the systemd timer deploy-stand-expire runs it. */
#include "app/app_expire.h"
#include "cli/cli_front.h"
#include "ui/status_view.h"
#include "util/i18n.h"

static int cmd_expire_exec(struct cli_call *call)
{
    struct cli_front f;
    cli_front_init(&f, call->g, 0);
    struct app_ctx c;
    json_t *doc = NULL;
    int rc = app_ctx_open_cluster(&c, &f.env, &f.ev, 1);
    struct app_opts o = {.json = call->g->json};
    if (!rc)
        rc = app_expire(&c, &o, call->g->yes, &doc);
    if (doc)
        status_view_expire(doc, stdout, call->g->json);
    json_decref(doc);
    app_ctx_free(&c);
    return rc;
}

static const char expire_help[] =
    N_("  --yes             destroy the expired stands (otherwise only list them)\n\n"
       "Reads the whole cluster: a stand's expiry is the `expire` deploy set on the users\n"
       "it created (the stand's `expires:` or deploy --expires), so no stand file is\n"
       "needed. An expired stand is destroyed as `destroy` does it, with the same\n"
       "verification. The systemd timer deploy-stand-expire.timer runs\n"
       "`deploy-stand expire --yes` once a day (installed disabled).\n");

const struct cmd_entry cmd_expire_entry = {
    .name = "expire",
    .usage = "expire [--yes]",
    .summary = N_("list (and with --yes destroy) the stands whose expiry date has passed"),
    .help = expire_help,
    .flags = CMD_STATE,
    .exec = cmd_expire_exec,
};
