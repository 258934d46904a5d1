/* cmd_runs: `deploy-stand runs` lists past runs from the journal; `runs show ID` lists one run's
 * actions with their state (planned, sent, done, failed, skipped) and the VMs they touched. */
#include "cli/cli.h"
#include "store/journal.h"
#include "ui/table.h"
#include "util/err.h"
#include "util/i18n.h"
#include <jansson.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct runs_out {
    struct cli_globals *g;
    struct table *t;
    json_t *rows; /* --output json: the runs or the actions */
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
    /* JSON: the journal's word ("ok", "failed"), "interrupted" for a run that never ended (killed,
     * or still going), "unknown" for one that ended without a result */
    const char *result = r->result ? r->result : r->finished ? "unknown" : "interrupted";
    if (o->g->json) {
        json_array_append_new(
            o->rows,
            json_pack("{s:I, s:s, s:s?, s:I, s:I, s:s, s:s?, s:s?, s:i, s:i, s:i}", "id",
                      (json_int_t)r->id, "command", r->command, "stand", r->stand, "started",
                      (json_int_t)r->started, "finished", (json_int_t)r->finished, "result", result,
                      "user", r->user, "host", r->host, "actions", (int)r->planned, "done",
                      (int)r->done, "failed", (int)r->failed));
        return 0;
    }
    snprintf(id, sizeof id, "%lld", r->id);
    snprintf(counts, sizeof counts, _("%ld/%ld done, %ld failed"), r->done, r->planned, r->failed);
    const char *shown = r->result ? r->result : r->finished ? "?" : _("interrupted or running");
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
        json_array_append_new(o->rows, j);
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

/* The one document of --output json: {"runs": [...]}, or {"run": ID, "actions": [...]}. */
static void runs_json(long long show, json_t *rows)
{
    json_t *doc = show ? json_pack("{s:I, s:O}", "run", (json_int_t)show, "actions", rows)
                       : json_pack("{s:O}", "runs", rows);
    json_dumpf(doc, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    json_decref(doc);
}

/* The journal, the table's header and one run (show > 0) or every run (of stand) printed. */
static int runs_print(struct cli_globals *g, long long show, const char *stand)
{
    struct journal *j = NULL;
    if (journal_open(NULL, &j) < 0) {
        cli_error(NULL, "%s", ds_err_last());
        return EXIT_FAILED;
    }
    struct runs_out o = {.g = g, .rows = json_array()};
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
    else if (rc == 0)
        runs_json(show, o.rows);
    json_decref(o.rows);
    table_free(o.t);
    journal_close(j);
    return rc < 0 ? EXIT_FAILED : rc == 1 ? EXIT_USAGE : EXIT_OK;
}

struct list_opts {
    const char *stand;
};

static const struct cli_opt list_opts[] = {
    {.name = "--stand", .kind = CLI_VALUE, .off = offsetof(struct list_opts, stand)},
    {.name = NULL},
};

static int runs_list(struct cli_call *c)
{
    const struct list_opts *o = c->opts;
    return runs_print(c->g, 0, o->stand);
}

static int runs_show(struct cli_call *c)
{
    char *end;
    long long id = strtoll(c->pos[0], &end, 10);
    if (*end || id <= 0) {
        cli_error(_("see `deploy-stand runs` for the ids"), _("runs show: '%s' is not a run id"),
                  c->pos[0]);
        return EXIT_USAGE;
    }
    return runs_print(c->g, id, NULL);
}

static const struct cmd_entry runs_subs[] = {
    CMD_SUB("list", "runs [list] [--stand NAME]", 0, 0, runs_list,
            .summary = N_("the past runs, newest last (--stand NAME: only the runs of this stand)"),
            .opts = list_opts, .opts_size = sizeof(struct list_opts)),
    CMD_SUB("show", "runs show ID", 1, 1, runs_show,
            .summary = N_("every action of run ID: planned, sent, done, failed or\n"
                          "skipped, with the VM it touched and Proxmox's message")),
    {.name = NULL},
};

const struct cmd_entry cmd_runs_entry = {
    .name = "runs",
    .usage = "runs [--stand NAME] | runs show ID",
    .summary = N_("list past runs (deploy, destroy) from the journal, or one run's actions"),
    .subs = runs_subs,
    .default_sub = "list",
    .help_after = N_("\nA run that shows \"interrupted or running\" was killed (or still runs): "
                     "deploy or\ndestroy again with the same files to converge.\n"),
};
