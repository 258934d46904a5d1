/* cmd_creds: `deploy-stand creds` renders the students' credentials (table, CSV, JSON or a
 * printable HTML hand-out) that the app_creds use case reads; it changes nothing. */
#include "app/app_creds.h"
#include "cli/cli_front.h"
#include "ui/handout.h"
#include "ui/table.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/i18n.h"
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum creds_format { FMT_TABLE, FMT_CSV, FMT_JSON, FMT_HTML };

/* "web (5000, pve1); client (5001, pve1)" into buf. */
static void vms_text(const struct cred_student *cs, char *buf, size_t len, int with_node)
{
    size_t l = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < cs->n_vms && l < len; i++) {
        if (with_node)
            l += (size_t)snprintf(buf + l, len - l, "%s%s (%d, %s)", i ? "; " : "", cs->vms[i].name,
                                  cs->vms[i].vmid, cs->vms[i].node);
        else
            l += (size_t)snprintf(buf + l, len - l, "%s%s (%d)", i ? ", " : "", cs->vms[i].name,
                                  cs->vms[i].vmid);
    }
}

static void write_table(const struct cred_sheet *sh, FILE *out)
{
    fprintf(out, _("Credentials for stand '%s' (web console: %s)\n\n"), sh->stand, sh->console_url);
    const char *hdr[] = {_("user"), _("password"), _("pool"), _("node"), _("VMs")};
    struct table *t = table_new(5, hdr);
    for (size_t i = 0; i < sh->n; i++) {
        const struct cred_student *cs = &sh->students[i];
        char vms[1024];
        vms_text(cs, vms, sizeof vms, 0);
        const char *row[] = {cs->user, cred_password_text(cs), cs->pool, cs->node ? cs->node : "-",
                             cs->n_vms ? vms : "-"};
        table_add(t, row);
    }
    table_print(t, out);
    table_free(t);
}

/* One RFC 4180 field: quoted when it holds a comma, a quote, CR or LF; quotes doubled. */
static void csv_field(const char *s, FILE *out)
{
    if (!s)
        s = "";
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    fputc('"', out);
}

static void write_csv(const struct cred_sheet *sh, FILE *out)
{
    static const char *const hdr[] = {"user", "password", "password_state", "pool",
                                      "node", "vms",      "console_url",    NULL};
    for (size_t k = 0; hdr[k]; k++) {
        if (k)
            fputc(',', out);
        csv_field(hdr[k], out);
    }
    fputs("\r\n", out);
    for (size_t i = 0; i < sh->n; i++) {
        const struct cred_student *cs = &sh->students[i];
        char vms[2048];
        vms_text(cs, vms, sizeof vms, 1);
        const char *cells[] = {cs->user, cs->password, cred_password_state(cs), cs->pool,
                               cs->node, vms,          sh->console_url};
        for (size_t k = 0; k < sizeof cells / sizeof cells[0]; k++) {
            if (k)
                fputc(',', out);
            csv_field(cells[k], out);
        }
        fputs("\r\n", out);
    }
}

/* The shape of `deploy --output json`, plus the console URL. */
static void write_json(const struct cred_sheet *sh, FILE *out)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < sh->n; i++) {
        const struct cred_student *cs = &sh->students[i];
        json_t *vms = json_array();
        for (size_t k = 0; k < cs->n_vms; k++)
            json_array_append_new(vms, json_pack("{s:s, s:i, s:s}", "name", cs->vms[k].name, "vmid",
                                                 cs->vms[k].vmid, "node", cs->vms[k].node));
        json_t *o =
            json_pack("{s:s, s:s, s:s, s:o, s:b}", "user", cs->user, "pool", cs->pool,
                      "password_state", cred_password_state(cs), "vms", vms, "ok", cs->complete);
        json_object_set_new(o, "password", cs->password ? json_string(cs->password) : json_null());
        json_object_set_new(o, "node", cs->node ? json_string(cs->node) : json_null());
        json_array_append_new(arr, o);
    }
    json_t *root = json_pack("{s:s, s:s, s:o}", "stand", sh->stand, "console_url", sh->console_url,
                             "students", arr);
    json_dumpf(root, out, JSON_INDENT(2));
    fputc('\n', out);
    json_decref(root);
}

static int write_sheet(const struct cred_sheet *sh, enum creds_format f, FILE *out)
{
    switch (f) {
    case FMT_TABLE:
        write_table(sh, out);
        break;
    case FMT_CSV:
        write_csv(sh, out);
        break;
    case FMT_JSON:
        write_json(sh, out);
        break;
    case FMT_HTML:
        return handout_write_html(sh, out);
    }
    if (fflush(out) == EOF || ferror(out))
        return ds_err_set(_("cannot write the credentials: %s"), strerror(errno));
    return 0;
}

struct sheet_out {
    const struct cred_sheet *sh;
    enum creds_format f;
};

static int sheet_fill(FILE *out, void *ctx)
{
    const struct sheet_out *so = ctx;
    return write_sheet(so->sh, so->f, out);
}

/* Writes the sheet to `path` atomically and private (util/fsutil.h). */
static int write_file(const struct cred_sheet *sh, enum creds_format f, const char *path)
{
    struct sheet_out so = {sh, f};
    return fs_write_atomic_with(path, 0600, 0, sheet_fill, &so);
}

/* The names of enum creds_format, in its order. */
static const char *const formats[] = {"table", "csv", "json", "html", NULL};

struct creds_opts {
    const char *format; /* one of formats[], or NULL: table (json with --output json) */
    const char *out;    /* --out FILE */
};

static const struct cli_opt creds_opts[] = {
    {.name = "--format",
     .short_name = "-f",
     .kind = CLI_CHOICE,
     .off = offsetof(struct creds_opts, format),
     .choices = formats,
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
    for (size_t i = 0; o->format && formats[i]; i++)
        if (formats[i] == o->format)
            return (enum creds_format)i;
    return json ? FMT_JSON : FMT_TABLE;
}

/* The sheet to stdout, or to --out FILE with a line saying so. The exit code. */
static int creds_render(const struct cred_sheet *sh, const struct creds_opts *o,
                        enum creds_format fmt)
{
    if (!o->out) {
        if (write_sheet(sh, fmt, stdout) == 0)
            return EXIT_OK;
    } else if (write_file(sh, fmt, o->out) == 0) {
        printf(_("Wrote the credentials of %zu student(s) to %s (mode 0600).\n"), sh->n, o->out);
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
        rc = creds_render(&cr.sheet, o, format_of(o, call->g->json));
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
