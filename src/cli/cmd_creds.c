/* cmd_creds: `deploy-stand creds` renders the students' credentials (table, CSV, JSON or a
 * printable HTML hand-out) that the app_creds use case reads; it changes nothing. */
#include "app/app_creds.h"
#include "cli/cli_front.h"
#include "cli/creds_view.h"
#include "util/err.h"
#include "util/i18n.h"
#include <stddef.h>

/* --format's choices are creds_formats (cli/creds_view.h), in the order of enum creds_format. */

struct creds_opts {
    const char *format; /* one of formats[], or NULL: table (json with --output json) */
    const char *out;    /* --out FILE */
};

static const struct cli_opt creds_opts[] = {
    {.name = "--format",
     .short_name = "-f",
     .kind = CLI_CHOICE,
     .off = offsetof(struct creds_opts, format),
     .choices = creds_formats,
     .bad = N_("creds: unknown format '%s'"),
     .hint = N_("use --format table, csv, json or html")},
    {.name = "--out",
     .short_name = "-o",
     .kind = CLI_VALUE,
     .off = offsetof(struct creds_opts, out),
     .complete = CLI_C_FILE},
    {.name = NULL},
};

static enum creds_format format_of(const struct creds_opts *o, int json)
{
    for (size_t i = 0; o->format && creds_formats[i]; i++)
        if (creds_formats[i] == o->format)
            return (enum creds_format)i;
    return json ? CREDS_JSON : CREDS_TABLE;
}

/* The sheet to stdout, or to --out FILE with a line saying so (with --output json the document
 * {"stand", "file", "format", "students"}). The exit code. */
static int creds_render(const struct cred_sheet *sh, const struct creds_opts *o,
                        enum creds_format fmt, int json)
{
    if (!o->out) {
        if (creds_view_write(sh, fmt, stdout) == 0)
            return EXIT_OK;
    } else if (creds_view_file(sh, fmt, o->out) == 0) {
        if (json) {
            json_t *doc = json_pack("{s:s, s:s, s:s, s:I}", "stand", sh->stand, "file", o->out,
                                    "format", creds_formats[fmt], "students", (json_int_t)sh->n);
            json_dumpf(doc, stdout, JSON_INDENT(2));
            fputc('\n', stdout);
            json_decref(doc);
        } else {
            printf(ngettext("Wrote the credentials of %zu student to %s (mode 0600).\n",
                            "Wrote the credentials of %zu students to %s (mode 0600).\n", sh->n),
                   sh->n, o->out);
        }
        return EXIT_OK;
    }
    cli_error(NULL, "%s", ds_err_last());
    return EXIT_FAILED;
}

static int cmd_creds_exec(struct cli_call *call)
{
    const struct creds_opts *o = call->opts;
    struct cli_front f;
    struct app_ctx c;
    struct app_creds cr = {0};
    int rc = cli_front_open(call, &f, &c);
    if (!rc)
        rc = app_creds(&c, &cr);
    if (!rc)
        rc = creds_render(&cr.sheet, o, format_of(o, call->g->json), call->g->json);
    app_creds_free(&cr);
    app_ctx_free(&c);
    return rc;
}

static const char creds_help[] =
    N_("  --config FILE     the stand (deployment_config.yml)\n"
       "  --users FILE      the class list (users_list.yml)\n"
       "  --format FMT      table (default; json with --output json), csv (RFC 4180),\n"
       "                    json (the shape of `deploy --output json`) or html (a\n"
       "                    printable hand-out: one card per student to cut out)\n"
       "  --out FILE        write to FILE (created with mode 0600, replaced atomically)\n"
       "                    instead of the standard output\n\n"
       "Reads the cluster (our marks) and the passwords kept in the local state; changes\n"
       "nothing. A password the tool never set is shown as \"(unchanged)\", one it does\n"
       "not know as \"(unknown)\", a student without a user as \"(not deployed)\".\n");

const struct cmd_entry cmd_creds_entry = {
    .name = "creds",
    .usage = "creds --config FILE --users FILE [--format table|csv|json|html] [--out FILE]",
    .summary = N_("show or export the students' credentials (table, CSV, JSON, HTML hand-out)"),
    .help = creds_help,
    .flags = CMD_FILES | CMD_STATE,
    .opts = creds_opts,
    .opts_size = sizeof(struct creds_opts),
    .exec = cmd_creds_exec,
};
