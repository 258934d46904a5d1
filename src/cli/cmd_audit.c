/* cmd_audit: `deploy-stand audit` shows the audit log (every change deploy-stand made), filtered by
 * stand, student and time, as a table or as JSON lines. */
#include "cli/cli.h"

#include <jansson.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ds_clock.h"
#include "store/audit.h"
#include "ui/table.h"
#include "util/err.h"
#include "util/i18n.h"

struct audit_view {
    int json;
    size_t count;
    struct table *table; /* text output */
    FILE *out;
};

/* A copy of s fit for a terminal cell: line breaks and tabs become spaces, other control
 * characters '?'. NULL stays NULL. */
static char *cell_clean(const char *s)
{
    if (!s)
        return NULL;
    char *c = strdup(s);
    if (!c)
        abort();
    for (char *p = c; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
        else if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return c;
}

static json_t *json_or_null(const char *s)
{
    json_t *j = s ? json_string(s) : NULL;
    return j ? j : json_null();
}

static int audit_view_json(const struct audit_entry *e, FILE *out)
{
    /* the writer already redacts; a log written by something else gets the same treatment */
    char *request = audit_redact(e->rec.request);
    json_t *o = json_object();
    json_object_set_new(o, "time", json_or_null(e->time));
    json_object_set_new(o, "os_user", json_or_null(e->os_user));
    json_object_set_new(o, "connection", json_or_null(e->rec.connection));
    json_object_set_new(o, "stand", json_or_null(e->rec.stand));
    json_object_set_new(o, "student", json_or_null(e->rec.student));
    json_object_set_new(o, "action", json_or_null(e->rec.action));
    json_object_set_new(o, "object", json_or_null(e->rec.object));
    json_object_set_new(o, "request", json_or_null(request));
    json_object_set_new(o, "result", json_or_null(e->rec.result));
    free(request);
    char *line = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!line)
        return ds_err_set(_("cannot encode an audit record"));
    fprintf(out, "%s\n", line);
    free(line);
    return 0;
}

static int audit_view_add(const struct audit_entry *e, void *ud)
{
    struct audit_view *v = ud;
    v->count++;
    if (v->json)
        return audit_view_json(e, v->out);
    const char *src[] = {e->time,       e->os_user,    e->rec.stand, e->rec.student,
                         e->rec.action, e->rec.object, e->rec.result};
    char *cells[7];
    for (size_t i = 0; i < 7; i++)
        cells[i] = cell_clean(src[i]);
    table_add(v->table, (const char *const *)cells);
    for (size_t i = 0; i < 7; i++)
        free(cells[i]);
    return 0;
}

struct audit_opts {
    struct audit_filter f; /* --stand, --student (or --user); since from --since */
    const char *since, *log;
};

#define AO(f) offsetof(struct audit_opts, f)
static const struct cli_opt audit_opts[] = {
    {.name = "--stand", .kind = CLI_VALUE, .off = AO(f.stand)},
    {.name = "--student", .kind = CLI_VALUE, .off = AO(f.student)},
    {.name = "--user", .kind = CLI_VALUE, .off = AO(f.student)},
    {.name = "--since", .kind = CLI_VALUE, .off = AO(since)},
    {.name = "--log", .kind = CLI_VALUE, .off = AO(log), .complete = CLI_C_FILE},
    {.name = NULL},
};

static int cmd_audit_exec(struct cli_call *c)
{
    struct audit_opts *o = c->opts;
    struct audit_filter f = o->f;
    const char *since = o->since, *log = o->log;
    const struct cli_globals *g = c->g;
    if (since && audit_since_parse(since, ds_clock_wall_s(), &f.since) < 0) {
        cli_error(_("e.g. --since 2026-11-25, --since 2026-11-25T10:00 or --since 2h"),
                  _("audit: --since: %s"), ds_err_last());
        return EXIT_USAGE;
    }
    const char *const headers[] = {_("TIME (UTC)"), _("USER"),   _("STAND"), _("STUDENT"),
                                   _("ACTION"),     _("OBJECT"), _("RESULT")};
    struct audit_view v = {.json = g->json, .out = stdout};
    if (!v.json)
        v.table = table_new(7, headers);
    size_t bad = 0;
    int rc = audit_read(log, &f, audit_view_add, &v, &bad);
    if (rc < 0)
        cli_error(NULL, "%s", ds_err_last());
    else if (!v.json && v.count)
        table_print(v.table, stdout);
    else if (!v.json)
        fputs(f.stand || f.student || f.since ? _("no audit records match the filters\n")
                                              : _("no audit records yet\n"),
              stderr);
    if (bad)
        fprintf(stderr,
                ngettext("warning: skipped %zu line(s) of the audit log that are not records\n",
                         "warning: skipped %zu line(s) of the audit log that are not records\n",
                         bad),
                bad);
    table_free(v.table);
    return rc < 0 ? EXIT_FAILED : EXIT_OK;
}

const struct cmd_entry cmd_audit_entry = {
    .name = "audit",
    .usage = "audit [--stand S] [--student U] [--since T] [--log FILE]",
    .summary = N_("show the audit log: every change deploy-stand made on a cluster"),
    .help = N_("  --stand S         only records of stand S\n"
               "  --student U       only records of student U (e.g. student1@pve)\n"
               "  --since T         only records from T on: a UTC date or date-time\n"
               "                    (2026-11-25, 2026-11-25T10:00) or a span back from now\n"
               "                    (30m, 2h, 3d, 1w)\n"
               "  --log FILE        read FILE instead of $XDG_STATE_HOME/deploy-stand/audit.jsonl\n"
               "\nWith --output json every record is printed as one JSON line.\n"),
    .opts = audit_opts,
    .opts_size = sizeof(struct audit_opts),
    .exec = cmd_audit_exec,
};
