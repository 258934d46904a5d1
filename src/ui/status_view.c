/* status_view: renders the use cases' documents about a stand's VMs: status (summary, expiry, one
 * row per student), lifecycle outcomes, snapshot listings and expired stands, or the JSON itself.
 */
#include "ui/status_view.h"
#include "ui/table.h"
#include "util/i18n.h"
#include <string.h>
#include <time.h>

static void dump(const json_t *doc, FILE *out)
{
    json_dumpf(doc, out, JSON_INDENT(2));
    fputc('\n', out);
}

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static long long num(const json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

const char *status_view_uptime(long long s, char *buf, size_t len)
{
    if (s >= 86400)
        snprintf(buf, len, _("%lldd %lldh"), s / 86400, s % 86400 / 3600);
    else if (s >= 3600)
        snprintf(buf, len, _("%lldh %02lldm"), s / 3600, s % 3600 / 60);
    else
        snprintf(buf, len, _("%lldm"), s / 60);
    return buf;
}

/* "YYYY-MM-DD HH:MM" (UTC) of Unix seconds into buf, "-" for none. */
static const char *utc_time(const json_t *t, char *buf, size_t len)
{
    time_t v = (time_t)json_integer_value(t);
    struct tm tm;
    if (!json_is_integer(t) || !gmtime_r(&v, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M", &tm))
        snprintf(buf, len, "-");
    return buf;
}

/* ---- status --------------------------------------------------------------------------------- */

/* "Expiry (last day, UTC): D on the cluster, D in the stand file" when either has one. */
static void print_expiry(const json_t *st, FILE *out)
{
    const char *file = json_string_value(json_object_get(st, "expires"));
    const char *cluster = json_string_value(json_object_get(st, "cluster_expires"));
    if (!file && !cluster)
        return;
    fprintf(out, _("Expiry (last day, UTC): %s on the cluster%s, %s in the stand file\n"),
            cluster ? cluster : _("none"),
            json_is_true(json_object_get(st, "expired")) ? _(" (passed)") : "",
            file ? file : _("none"));
}

/* A VM's power state in the reader's language ("running", "stopped"...); a lock's name (clone,
 * migrate...) as Proxmox gives it. */
static const char *vm_state_text(const char *s)
{
    static const char *const known[] = {N_("running"), N_("stopped"), N_("paused"), N_("suspended"),
                                        NULL};
    for (size_t i = 0; known[i]; i++)
        if (strcmp(s, known[i]) == 0)
            return _(known[i]);
    return s;
}

/* "web 5000 running 2h 05m, client 5001 stopped" into buf. */
static void vms_cell(const json_t *vms, char *buf, size_t len)
{
    size_t l = 0, k;
    const json_t *x;
    buf[0] = '\0';
    json_array_foreach(vms, k, x)
    {
        char up[32] = "", t[24];
        if (strcmp(str(x, "power"), "running") == 0 && !json_is_string(json_object_get(x, "lock")))
            snprintf(up, sizeof up, " %s", status_view_uptime(num(x, "uptime"), t, sizeof t));
        if (l < len)
            l += (size_t)snprintf(buf + l, len - l, "%s%s %lld %s%s", k ? ", " : "", str(x, "name"),
                                  num(x, "vmid"), vm_state_text(str(x, "status")), up);
    }
}

static void bridges_cell(const json_t *brs, char *buf, size_t len)
{
    size_t l = 0, k;
    const json_t *x;
    buf[0] = '\0';
    json_array_foreach(brs, k, x)
    {
        if (l < len)
            l += (size_t)snprintf(
                buf + l, len - l, "%s%s=%s%s", k ? ", " : "", str(x, "alias"), str(x, "bridge"),
                json_is_true(json_object_get(x, "active")) ? "" : _(" (pending)"));
    }
}

/* The template copies of the stand's templates: VMID, node, original, state, linked VMs. */
static void print_copies(const json_t *copies, FILE *out)
{
    if (!json_array_size(copies))
        return;
    fprintf(out, _("\nTemplate copies of the stand's templates (shared by every stand):\n"));
    const char *const hdr[] = {_("copy"), _("node"), _("original"), _("state"), _("linked VMs")};
    struct table *t = table_new(5, hdr);
    size_t i;
    json_t *x;
    json_array_foreach(copies, i, x)
    {
        char id[24], orig[24], links[32];
        snprintf(id, sizeof id, "%lld", num(x, "vmid"));
        snprintf(orig, sizeof orig, "%lld", num(x, "original"));
        snprintf(links, sizeof links,
                 json_is_true(json_object_get(x, "linked_vms_exact"))
                     ? "%lld"
                     : _("%lld or more (VM configs unread)"),
                 num(x, "linked_vms"));
        const char *state = !json_is_true(json_object_get(x, "template")) ? _("unfinished")
                            : json_is_true(json_object_get(x, "stale"))   ? _("stale")
                                                                          : _("fresh");
        const char *row[] = {id, str(x, "node"), orig, state, links};
        table_add(t, row);
    }
    table_print(t, out);
    table_free(t);
}

/* What follows the pool's name: nothing when it is ours, " (missing)", or " (not ours)" when a
 * pool of that name exists without this stand's mark. */
static const char *pool_state(const char *state)
{
    return strcmp(state, "ok") == 0               ? ""
           : strcmp(state, "exists_foreign") == 0 ? _(" (not ours)")
                                                  : _(" (missing)");
}

void status_view_print(const json_t *st, FILE *out, int json)
{
    if (json) {
        dump(st, out);
        return;
    }
    json_t *students = json_object_get(st, "students");
    size_t n_users = json_array_size(students);
    long long n_vms = num(st, "vm_count");
    fprintf(out,
            ngettext("Stand '%s': %lld of %zu student deployed",
                     "Stand '%s': %lld of %zu students deployed", n_users),
            str(st, "stand"), num(st, "deployed"), n_users);
    fprintf(out,
            ngettext(", %lld of %lld VM running\n", ", %lld of %lld VMs running\n",
                     (unsigned long)(n_vms > 0 ? n_vms : 0)),
            num(st, "running"), n_vms);
    print_expiry(st, out);
    fputc('\n', out);
    const char *const hdr[] = {_("user"), _("state"), _("running"), _("pool"),
                               _("node"), _("VMs"),   _("bridges")};
    struct table *t = table_new(7, hdr);
    size_t i;
    json_t *sx;
    json_array_foreach(students, i, sx)
    {
        char vms[1024], brs[512], pool[128], run[48];
        vms_cell(json_object_get(sx, "vms"), vms, sizeof vms);
        bridges_cell(json_object_get(sx, "bridges"), brs, sizeof brs);
        snprintf(pool, sizeof pool, "%s%s", str(sx, "pool"), pool_state(str(sx, "pool_state")));
        snprintf(run, sizeof run, _("%lld of %lld"), num(sx, "running"), num(sx, "vm_count"));
        const char *node = json_string_value(json_object_get(sx, "node"));
        const char *row[] = {str(sx, "user"),    _(str(sx, "state")), run, pool, node ? node : "-",
                             vms[0] ? vms : "-", brs[0] ? brs : "-"};
        table_add(t, row);
    }
    table_print(t, out);
    table_free(t);
    print_copies(json_object_get(st, "template_copies"), out);
}

/* ---- lifecycle outcomes --------------------------------------------------------------------- */

void status_view_result(const json_t *r, FILE *out, int json)
{
    if (json) {
        dump(r, out);
        return;
    }
    size_t i, k;
    const json_t *s, *vm;
    int forced = 0;
    json_array_foreach(json_object_get(r, "students"), i, s)
    {
        json_array_foreach(json_object_get(s, "vms"), k, vm)
        {
            if (!json_is_true(json_object_get(vm, "forced")))
                continue;
            if (!forced++)
                fputs(_("Stopped hard after the timeout (the guest did not shut down):\n"), out);
            fprintf(out, _("  VM %lld '%s' of %s on %s\n"), num(vm, "vmid"), str(vm, "name"),
                    str(s, "user"), str(vm, "node"));
        }
    }
    json_array_foreach(json_object_get(r, "recloned"), i, vm)
    {
        if (!i)
            fputs(_("Cloned fresh from the templates:\n"), out);
        fprintf(out, _("  VM %lld '%s' of %s on %s%s\n"), num(vm, "vmid"), str(vm, "name"),
                str(vm, "user"), str(vm, "node"),
                json_is_true(json_object_get(vm, "ok")) ? "" : _(" (failed)"));
    }
}

/* ---- snapshots ------------------------------------------------------------------------------ */

void status_view_snapshots(const json_t *r, FILE *out, int json)
{
    if (json) {
        dump(r, out);
        return;
    }
    fprintf(out, _("Snapshots of stand '%s':\n\n"), str(r, "stand"));
    const char *const hdr[] = {_("user"),        _("VM"),  _("snapshot"),
                               _("taken (UTC)"), _("RAM"), _("description")};
    struct table *t = table_new(6, hdr);
    size_t i, k, n;
    const json_t *s, *vm, *sn;
    json_array_foreach(json_object_get(r, "students"), i, s)
    {
        json_array_foreach(json_object_get(s, "vms"), k, vm)
        {
            char vmcell[128], when[32];
            snprintf(vmcell, sizeof vmcell, "%s %lld", str(vm, "name"), num(vm, "vmid"));
            const json_t *snaps = json_object_get(vm, "snapshots");
            if (!json_array_size(snaps)) {
                const char *err = json_string_value(json_object_get(vm, "error"));
                const char *row[] = {
                    str(s, "user"), vmcell, err ? _("(unreadable)") : "-", "-", "-",
                    err ? err : ""};
                table_add(t, row);
            }
            json_array_foreach(snaps, n, sn)
            {
                char name[96];
                snprintf(name, sizeof name, "%s%s", str(sn, "name"),
                         json_is_true(json_object_get(sn, "current")) ? _(" (current)") : "");
                const char *row[] = {str(s, "user"),
                                     vmcell,
                                     name,
                                     utc_time(json_object_get(sn, "snaptime"), when, sizeof when),
                                     json_is_true(json_object_get(sn, "vmstate")) ? _("yes") : "-",
                                     str(sn, "description")};
                table_add(t, row);
            }
        }
    }
    table_print(t, out);
    table_free(t);
}

/* ---- expired stands ------------------------------------------------------------------------- */

/* What became of an expired stand: destroyed, failed (with what is left), or not asked. */
static const char *expire_outcome(const json_t *e, char *buf, size_t len)
{
    const json_t *d = json_object_get(e, "destroyed");
    if (!json_is_true(json_object_get(e, "expired")))
        return _("expires later");
    if (json_is_null(d) || !d)
        return _("expired");
    if (json_is_true(d))
        return _("expired, destroyed");
    if (json_is_integer(json_object_get(e, "left")))
        snprintf(buf, len, _("expired, destroy failed (%lld left)"), num(e, "left"));
    else
        snprintf(buf, len, "%s", _("expired, destroy failed"));
    return buf;
}

void status_view_expire(const json_t *r, FILE *out, int json)
{
    if (json) {
        dump(r, out);
        return;
    }
    const json_t *stands = json_object_get(r, "stands");
    if (!json_array_size(stands)) {
        fputs(_("No stand on the cluster has an expiry date.\n"), out);
        return;
    }
    fputc('\n', out);
    const char *const hdr[] = {_("stand"), _("last day (UTC)"), _("state"), _("students")};
    struct table *t = table_new(4, hdr);
    size_t i;
    const json_t *e;
    int pending = 0;
    json_array_foreach(stands, i, e)
    {
        char outcome[160], students[32];
        snprintf(students, sizeof students, "%zu", json_array_size(json_object_get(e, "students")));
        pending |= json_is_true(json_object_get(e, "expired")) &&
                   json_is_null(json_object_get(e, "destroyed"));
        const char *row[] = {str(e, "stand"), str(e, "expires"),
                             expire_outcome(e, outcome, sizeof outcome), students};
        table_add(t, row);
    }
    table_print(t, out);
    table_free(t);
    if (pending)
        fputs(_("\nNothing was destroyed: run `deploy-stand expire --yes` to destroy the expired "
                "stands.\n"),
              out);
}
