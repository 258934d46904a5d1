/* cmd_creds: `deploy-stand creds` shows or exports the students' credentials (table, CSV, JSON or
 * a printable HTML hand-out), read from the cluster's marks and the local state; changes nothing.
 */
#include "cli/cli_front.h"
#include "cli/stand_args.h"
#include "plan/marks.h"
#include "store/secrets.h"
#include "ui/handout.h"
#include "ui/table.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/i18n.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum creds_format { FMT_TABLE, FMT_CSV, FMT_JSON, FMT_HTML };

/* The sheet and what it points to that this command owns. */
struct creds {
    struct cred_sheet sheet;
    struct cred_student *students;
    char **passwords; /* per student, malloc'd plaintext or NULL; wiped on free */
    char console_url[320];
};

static int vm_cmp(const void *a, const void *b)
{
    const struct cred_vm *x = a, *y = b;
    return (x->vmid > y->vmid) - (x->vmid < y->vmid);
}

static void creds_free(struct creds *c)
{
    for (size_t i = 0; i < c->sheet.n; i++) {
        secret_free(c->passwords[i]);
        free(c->students[i].vms);
    }
    free(c->passwords);
    free(c->students);
    memset(c, 0, sizeof *c);
}

/* Builds the per-student picture from the cluster view (our marks) and the local state. */
static int creds_build(struct app_ctx *s, struct creds *c)
{
    const struct cluster_view *v = s->view;
    const char *stand = s->stand->name;
    size_t n = s->users->n;
    char tag[64];
    mark_stand_tag(tag, sizeof tag, stand);
    memset(c, 0, sizeof *c);
    c->students = calloc(n ? n : 1, sizeof *c->students);
    c->passwords = calloc(n ? n : 1, sizeof *c->passwords);
    if (!c->students || !c->passwords) {
        free(c->students);
        free(c->passwords);
        return ds_err_set(_("out of memory"));
    }
    c->sheet.n = n;
    c->sheet.stand = stand;
    c->sheet.students = c->students;
    snprintf(c->console_url, sizeof c->console_url, "https://%s:%u/", s->conn->host, s->conn->port);
    c->sheet.console_url = c->console_url;
    for (size_t i = 0; i < n; i++) {
        const struct user_entry *u = &s->users->users[i];
        struct cred_student *cs = &c->students[i];
        cs->user = u->userid;
        cs->pool = u->pool;
        size_t cap = 0;
        for (size_t k = 0; k < v->n_vms; k++) {
            const struct inv_vm *vm = &v->vms[k];
            cap += !vm->template && inv_tags_have(vm->tags, tag) && vm->pool &&
                   strcmp(vm->pool, u->pool) == 0;
        }
        cs->vms = calloc(cap ? cap : 1, sizeof *cs->vms);
        if (!cs->vms)
            return ds_err_set(_("out of memory"));
        for (size_t k = 0; k < v->n_vms; k++) {
            const struct inv_vm *vm = &v->vms[k];
            if (vm->template || !inv_tags_have(vm->tags, tag) || !vm->pool ||
                strcmp(vm->pool, u->pool) != 0)
                continue;
            cs->vms[cs->n_vms++] = (struct cred_vm){
                .name = vm->name ? vm->name : "", .vmid = vm->vmid, .node = vm->node};
        }
        qsort(cs->vms, cs->n_vms, sizeof *cs->vms, vm_cmp);
        cs->node = cs->n_vms ? cs->vms[0].node : NULL;
        const struct inv_user *iu = inv_user_find(v, u->userid);
        const struct inv_pool *ip = inv_pool_find(v, u->pool);
        if (!iu) {
            cs->pw_state = CRED_PW_NOT_DEPLOYED;
        } else if (!mark_is(iu->comment, stand, u->userid)) {
            cs->pw_state = CRED_PW_UNCHANGED;
        } else {
            int rc = s->state ? state_cred_get(s->state, stand, u->userid, &c->passwords[i]) : 1;
            if (rc < 0)
                fprintf(stderr, _("warning: the password of %s cannot be read: %s\n"), u->userid,
                        ds_err_last());
            cs->pw_state = rc == 0 ? CRED_PW_KNOWN : CRED_PW_UNKNOWN;
            cs->password = rc == 0 ? c->passwords[i] : NULL;
        }
        cs->complete = iu && ip && cs->n_vms >= s->stand->n_machines;
    }
    return 0;
}

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

static int parse_format(const char *v, enum creds_format *f)
{
    static const char *const names[] = {"table", "csv", "json", "html"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(v, names[i]) == 0) {
            *f = (enum creds_format)i;
            return 0;
        }
    cli_error(_("use --format table, csv, json or html"), _("creds: unknown format '%s'"), v);
    return EXIT_USAGE;
}

static int cmd_creds_exec(struct cli_globals *g, int argc, char **argv)
{
    enum creds_format fmt = g->json ? FMT_JSON : FMT_TABLE;
    const char *out_path = NULL;
    /* --format and --out are ours; the rest (--config, --users) goes to the shared parser */
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    if (!rest)
        return EXIT_FAILED;
    int nrest = 0;
    for (int i = 0; i < argc; i++) {
        int is_fmt = strcmp(argv[i], "--format") == 0 || strcmp(argv[i], "-f") == 0;
        int is_out = strcmp(argv[i], "--out") == 0 || strcmp(argv[i], "-o") == 0;
        if (i > 0 && (is_fmt || is_out)) {
            if (i + 1 >= argc) {
                cli_error(_("give a value after it"), _("creds: option %s needs an argument"),
                          argv[i]);
                free(rest);
                return EXIT_USAGE;
            }
            if (is_fmt && parse_format(argv[i + 1], &fmt)) {
                free(rest);
                return EXIT_USAGE;
            }
            if (is_out)
                out_path = argv[i + 1];
            i++;
            continue;
        }
        rest[nrest++] = argv[i];
    }
    struct stand_args a;
    int rc = stand_args_parse("creds", nrest, rest, 0, 0, &a);
    free(rest);
    if (rc)
        return rc;
    struct cli_front f;
    cli_front_init(&f, g, 0);
    struct app_ctx s;
    rc = app_ctx_open(&s, &f.env, &f.ev, &a.o, 1);
    if (!rc)
        rc = app_ctx_refresh(&s, INV_CONFIGS_MARKED);
    struct creds c = {0};
    if (!rc && creds_build(&s, &c) < 0) {
        cli_error(NULL, "%s", ds_err_last());
        rc = EXIT_FAILED;
    }
    if (!rc) {
        if (out_path) {
            if (write_file(&c.sheet, fmt, out_path) < 0) {
                cli_error(NULL, "%s", ds_err_last());
                rc = EXIT_FAILED;
            } else {
                printf(_("Wrote the credentials of %zu student(s) to %s (mode 0600).\n"), c.sheet.n,
                       out_path);
            }
        } else if (write_sheet(&c.sheet, fmt, stdout) < 0) {
            cli_error(NULL, "%s", ds_err_last());
            rc = EXIT_FAILED;
        }
    }
    creds_free(&c);
    app_ctx_free(&s);
    return rc;
}

const struct cmd_entry cmd_creds_entry = {
    .name = "creds",
    .usage = "creds --config FILE --users FILE [--format table|csv|json|html] [--out FILE]",
    .summary = N_("show or export the students' credentials (table, CSV, JSON, HTML hand-out)"),
    .help = N_("  --config FILE     the stand (deployment_config.yml)\n"
               "  --users FILE      the class list (users_list.yml)\n"
               "  --format FMT      table (default; json with --output json), csv (RFC 4180),\n"
               "                    json (the shape of `deploy --output json`) or html (a\n"
               "                    printable hand-out: one card per student to cut out)\n"
               "  --out FILE        write to FILE (created with mode 0600, replaced atomically)\n"
               "                    instead of the standard output\n\n"
               "Reads the cluster (our marks) and the passwords kept in the local state; changes\n"
               "nothing. A password the tool never set is shown as \"(unchanged)\", one it does\n"
               "not know as \"(unknown)\", a student without a user as \"(not deployed)\".\n"),
    .exec = cmd_creds_exec,
};
