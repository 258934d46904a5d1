/* creds_view: renders the credentials sheet of app_creds: a table for people, CSV (RFC 4180), JSON
 * (the shape of `deploy --output json`) or the HTML hand-out, to a stream or a private file. */
#include "cli/creds_view.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "ui/table.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/i18n.h"

const char *const creds_formats[] = {"table", "csv", "json", "html", NULL};

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

int creds_view_write(const struct cred_sheet *sh, enum creds_format f, FILE *out)
{
    switch (f) {
    case CREDS_TABLE:
        write_table(sh, out);
        break;
    case CREDS_CSV:
        write_csv(sh, out);
        break;
    case CREDS_JSON:
        write_json(sh, out);
        break;
    case CREDS_HTML:
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
    return creds_view_write(so->sh, so->f, out);
}

int creds_view_file(const struct cred_sheet *sh, enum creds_format f, const char *path)
{
    struct sheet_out so = {sh, f};
    return fs_write_atomic_with(path, 0600, 0, sheet_fill, &so);
}
