/* cmd_runs: `deploy-stand runs` lists past runs from the journal; `runs show ID` lists one run's
 * actions with their state (planned, sent, done, failed, skipped) and the VMs they touched. */
#include "cli/cli.h"
#include "store/journal.h"
#include "ui/table.h"
#include "util/err.h"
#include "util/i18n.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct runs_out {
    struct cli_globals *g;
    struct table *t;
};

static void fmt_time(long long t, char *out, size_t len)
{
    if (!t) {
        snprintf(out, len, "-");
        return;
    }
    time_t tt = (time_t)t;
    strftime(out, len, "%Y-%m-%d %H:%M:%S", localtime(&tt));
}

static int run_row(const struct journal_run_row *r, void *ud)
{
    struct runs_out *o = ud;
    char started[32], finished[32], counts[64], id[24];
    fmt_time(r->started, started, sizeof started);
    fmt_time(r->finished, finished, sizeof finished);
    const char *result = r->result ? r->result : r->finished ? "?" : "interrupted or running";
    if (o->g->json) {
        json_t *j = json_pack(
            "{s:I, s:s, s:s?, s:I, s:I, s:s, s:s?, s:s?, s:i, s:i, s:i}", "id", (json_int_t)r->id,
            "command", r->command, "stand", r->stand, "started", (json_int_t)r->started, "finished",
            (json_int_t)r->finished, "result", result, "user", r->user, "host", r->host, "actions",
            (int)r->planned, "done", (int)r->done, "failed", (int)r->failed);
        json_dumpf(j, stdout, JSON_COMPACT);
        fputc('\n', stdout);
        json_decref(j);
        return 0;
    }
    snprintf(id, sizeof id, "%lld", r->id);
    snprintf(counts, sizeof counts, _("%ld/%ld done, %ld failed"), r->done, r->planned, r->failed);
    const char *shown = r->result || r->finished ? result : _("interrupted or running");
    const char *row[] = {id,    r->command, r->stand ? r->stand : "-", started, finished,
                         shown, counts,     r->user ? r->user : "?"};
    table_add(o->t, row);
    return 0;
}

static int action_row(const struct journal_action_row *r, void *ud)
{
    struct runs_out *o = ud;
    if (o->g->json) {
        json_t *j = json_pack("{s:i, s:s, s:s, s:s, s:s?, s:s?, s:s?}", "action", r->action_id,
                              "kind", r->kind, "summary", r->summary, "status", r->status,
                              "student", r->student, "node", r->node, "message", r->message);
        if (r->vmid)
            json_object_set_new(j, "vmid", json_integer(r->vmid));
        json_dumpf(j, stdout, JSON_COMPACT);
        fputc('\n', stdout);
        json_decref(j);
        return 0;
    }
    char id[16], vmid[16];
    snprintf(id, sizeof id, "%d", r->action_id);
    snprintf(vmid, sizeof vmid, "%d", r->vmid);
    const char *row[] = {id, r->status, r->vmid ? vmid : "-", r->summary,
                         r->message ? r->message : ""};
    table_add(o->t, row);
    return 0;
}

static int cmd_runs_exec(struct cli_globals *g, int argc, char **argv)
{
    const char *stand = NULL;
    long long show = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--stand") == 0 && i + 1 < argc) {
            stand = argv[++i];
        } else if (strcmp(argv[i], "show") == 0 && i + 1 < argc) {
            char *end;
            show = strtoll(argv[++i], &end, 10);
            if (*end || show <= 0) {
                cli_error(_("see `deploy-stand runs` for the ids"),
                          _("runs show: '%s' is not a run id"), argv[i]);
                return EXIT_USAGE;
            }
        } else {
            cli_error(_("see `deploy-stand runs --help`"), _("runs: unexpected argument '%s'"),
                      argv[i]);
            return EXIT_USAGE;
        }
    }
    struct journal *j = NULL;
    if (journal_open(NULL, &j) < 0) {
        cli_error(NULL, "%s", ds_err_last());
        return EXIT_FAILED;
    }
    struct runs_out o = {.g = g};
    int rc;
    if (show) {
        const char *const hdr[] = {"#", _("status"), _("VM"), _("action"), _("message")};
        o.t = table_new(5, hdr);
        rc = journal_run_actions(j, show, action_row, &o);
        if (rc == 1)
            cli_error(_("see `deploy-stand runs` for the ids"), _("there is no run %lld"), show);
    } else {
        const char *const hdr[] = {_("run"),      _("command"), _("stand"),   _("started"),
                                   _("finished"), _("result"),  _("actions"), _("user")};
        o.t = table_new(8, hdr);
        rc = journal_runs(j, stand, run_row, &o);
    }
    if (rc < 0)
        cli_error(NULL, "%s", ds_err_last());
    else if (rc == 0 && !g->json)
        table_print(o.t, stdout);
    table_free(o.t);
    journal_close(j);
    return rc < 0 ? EXIT_FAILED : rc == 1 ? EXIT_USAGE : EXIT_OK;
}

const struct cmd_entry cmd_runs_entry = {
    .name = "runs",
    .usage = "runs [--stand NAME] | runs show ID",
    .summary = N_("list past runs (deploy, destroy) from the journal, or one run's actions"),
    .help = N_("  --stand NAME      only the runs of this stand\n"
               "  show ID           every action of run ID: planned, sent, done, failed or\n"
               "                    skipped, with the VM it touched and Proxmox's message\n\n"
               "A run that shows \"interrupted or running\" was killed (or still runs): deploy or\n"
               "destroy again with the same files to converge.\n"),
    .exec = cmd_runs_exec,
};
