/* cmd_snapshot: `deploy-stand snapshot list | create NAME | rollback NAME | delete NAME` for the
 * class or some students; a name Proxmox would refuse is refused before anything is sent. */
#include "app/app_snapshot.h"
#include "cli/cli.h"
#include "config/stand.h"
#include "ui/status_view.h"
#include "util/i18n.h"

static int run_list(struct app_ctx *c, const struct app_opts *o, const void *arg, json_t **out)
{
    (void)arg;
    return app_snapshot_list(c, o, out);
}

static int snapshot_list(struct cli_call *call)
{
    struct cli_result_op op = {.run = run_list, .show = status_view_snapshots};
    return cli_run_result(call, &op);
}

struct snap_arg {
    enum snapshot_op op;
    const char *name;
};

static int run_op(struct app_ctx *c, const struct app_opts *o, const void *arg, json_t **out)
{
    const struct snap_arg *a = arg;
    return app_snapshot(c, o, a->op, a->name, out);
}

static int snapshot_op(struct cli_call *call, enum snapshot_op op)
{
    struct snap_arg a = {.op = op, .name = call->pos[0]};
    if (!stand_snapshot_name_valid(a.name)) {
        cli_error(_("a snapshot name is 2 to 40 letters, digits, '-' or '_', starting with a "
                    "letter, and not 'current' or 'pending'"),
                  _("'%s' is not a valid snapshot name"), a.name);
        return EXIT_USAGE;
    }
    struct cli_result_op r = {.run = run_op, .arg = &a, .show = status_view_result};
    return cli_run_result(call, &r);
}

static int snapshot_create(struct cli_call *call)
{
    return snapshot_op(call, SNAPSHOT_CREATE);
}

static int snapshot_rollback(struct cli_call *call)
{
    return snapshot_op(call, SNAPSHOT_ROLLBACK);
}

static int snapshot_delete(struct cli_call *call)
{
    return snapshot_op(call, SNAPSHOT_DELETE);
}

#define SNAP_FLAGS (CMD_FILES | CMD_USER | CMD_VM | CMD_STATE | CMD_CONFIRM)

static const char snapshot_help[] =
    N_("Acts on the VMs that carry the stand's marks, of the class or of the --user\n"
       "students (--vm NAME: one machine of each). A snapshot name is 2 to 40 letters,\n"
       "digits, '-' or '_', starting with a letter.\n\n");

static const struct cmd_entry snapshot_subs[] = {
    CMD_SUB("list", "snapshot list --config FILE --users FILE [--user USERID]... [--vm NAME]", 0, 0,
            snapshot_list,
            .summary = N_("each student's VMs with their snapshots (changes nothing)"),
            .flags = CMD_FILES | CMD_USER | CMD_VM),
    CMD_SUB("create",
            "snapshot create NAME --config FILE --users FILE [--user USERID]... [--vm NAME] --yes",
            1, 1, snapshot_create,
            .summary = N_("take snapshot NAME of every VM that lacks it (disks and config,\n"
                          "no RAM)"),
            .flags = SNAP_FLAGS, .want_pos = N_("%s: which snapshot?"),
            .want_hint = N_("e.g. deploy-stand snapshot create before-lab2 --config ... --users "
                            "... --yes")),
    CMD_SUB("rollback",
            "snapshot rollback NAME --config FILE --users FILE [--user USERID]... [--vm NAME] "
            "--yes",
            1, 1, snapshot_rollback,
            .summary = N_("roll every VM that has snapshot NAME back to it (each keeps its\n"
                          "power state)"),
            .flags = SNAP_FLAGS, .want_pos = N_("%s: which snapshot?"),
            .want_hint = N_("e.g. deploy-stand snapshot rollback before-lab2 --config ... "
                            "--users ... --yes")),
    CMD_SUB("delete",
            "snapshot delete NAME --config FILE --users FILE [--user USERID]... [--vm NAME] --yes",
            1, 1, snapshot_delete, .summary = N_("delete snapshot NAME of every VM that has it"),
            .flags = SNAP_FLAGS, .want_pos = N_("%s: which snapshot?"),
            .want_hint = N_("e.g. deploy-stand snapshot delete before-lab2 --config ... --users "
                            "... --yes")),
    {.name = NULL},
};

const struct cmd_entry cmd_snapshot_entry = {
    .name = "snapshot",
    .usage = "snapshot list | create NAME | rollback NAME | delete NAME --config FILE --users FILE "
             "[--user USERID]... [--vm NAME]",
    .summary = N_("the snapshots of the students' VMs: list, create, rollback, delete"),
    .help = snapshot_help,
    .subs = snapshot_subs,
    .default_sub = "list",
};
