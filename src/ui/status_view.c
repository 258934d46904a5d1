/* status_view: renders app_status's result: the summary line and a table with one row per
 * student, or the JSON document {"stand", "students"}. */
#include "ui/status_view.h"
#include "ui/table.h"
#include "util/i18n.h"
#include <string.h>

void status_view_print(const json_t *st, FILE *out, int json)
{
    const char *stand = json_string_value(json_object_get(st, "stand"));
    json_t *students = json_object_get(st, "students");
    if (json) {
        json_t *root = json_pack("{s:s, s:O}", "stand", stand, "students", students);
        json_dumpf(root, out, JSON_INDENT(2));
        fputc('\n', out);
        json_decref(root);
        return;
    }
    size_t deployed = (size_t)json_integer_value(json_object_get(st, "deployed"));
    size_t n_users = json_array_size(students);
    fprintf(out,
            ngettext("Stand '%s': %zu of %zu student(s) deployed\n\n",
                     "Stand '%s': %zu of %zu student(s) deployed\n\n", n_users),
            stand, deployed, n_users);
    const char *const hdr[] = {_("user"), _("state"), _("pool"), _("node"), _("VMs"), _("bridges")};
    struct table *t = table_new(6, hdr);
    size_t i;
    json_t *sx;
    json_array_foreach(students, i, sx)
    {
        char vms[1024] = "", brs[512] = "", pool[128];
        size_t vl = 0, bl = 0, k;
        json_t *x;
        json_array_foreach(json_object_get(sx, "vms"), k, x)
        {
            if (vl < sizeof vms)
                vl += (size_t)snprintf(vms + vl, sizeof vms - vl, "%s%s %lld %s", k ? ", " : "",
                                       json_string_value(json_object_get(x, "name")),
                                       json_integer_value(json_object_get(x, "vmid")),
                                       json_string_value(json_object_get(x, "status")));
        }
        json_array_foreach(json_object_get(sx, "bridges"), k, x)
        {
            if (bl < sizeof brs)
                bl += (size_t)snprintf(
                    brs + bl, sizeof brs - bl, "%s%s=%s%s", k ? ", " : "",
                    json_string_value(json_object_get(x, "alias")),
                    json_string_value(json_object_get(x, "bridge")),
                    json_is_true(json_object_get(x, "active")) ? "" : _(" (pending)"));
        }
        snprintf(pool, sizeof pool, "%s%s", json_string_value(json_object_get(sx, "pool")),
                 strcmp(json_string_value(json_object_get(sx, "pool_state")), "ok") == 0
                     ? ""
                     : _(" (missing)"));
        const char *node = json_string_value(json_object_get(sx, "node"));
        const char *row[] = {json_string_value(json_object_get(sx, "user")),
                             _(json_string_value(json_object_get(sx, "state"))),
                             pool,
                             node ? node : "-",
                             vl ? vms : "-",
                             bl ? brs : "-"};
        table_add(t, row);
    }
    table_print(t, out);
    table_free(t);
}
