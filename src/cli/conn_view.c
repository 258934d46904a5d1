/* conn_view: renders the connections file for `connection list` and the menu: a table with the
 * secret's and TLS's state per connection and the default marked, or JSON. */
#include "cli/conn_view.h"
#include "app/app_conn.h"
#include "ui/table.h"
#include "util/i18n.h"
#include <jansson.h>

void conn_view_list(const char *path, const struct connections *cs, FILE *out, int json)
{
    const struct connection *def = connections_pick(cs, NULL);
    if (json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < cs->n; i++) {
            const struct connection *c = &cs->items[i];
            json_t *o =
                json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:b}", "name", c->name, "host",
                          c->host, "port", (int)c->port, "user", c->user, "auth",
                          c->use_token ? "token" : "password", "secret", app_conn_secret_state(c),
                          "tls", app_conn_tls_state(c), "default", c == def);
            if (c->fingerprint)
                json_object_set_new(o, "fingerprint", json_string(c->fingerprint));
            json_array_append_new(arr, o);
        }
        json_t *doc = json_pack("{s:s, s:o}", "file", path, "connections", arr);
        json_dumpf(doc, out, JSON_INDENT(2));
        fputc('\n', out);
        json_decref(doc);
    } else {
        const char *const hdr[] = {_("NAME"),   _("HOST"), _("USER"),   _("AUTH"),
                                   _("SECRET"), _("TLS"),  _("DEFAULT")};
        struct table *t = table_new(7, hdr);
        for (size_t i = 0; i < cs->n; i++) {
            const struct connection *c = &cs->items[i];
            char hp[300], auth[300];
            app_conn_hostport(c, hp, sizeof hp);
            if (c->use_token)
                snprintf(auth, sizeof auth, _("token %s"), c->token_name);
            else
                snprintf(auth, sizeof auth, "%s", _("password"));
            const char *cells[] = {c->name,
                                   hp,
                                   c->user,
                                   auth,
                                   _(app_conn_secret_state(c)),
                                   _(app_conn_tls_state(c)),
                                   c == def ? _("yes") : ""};
            table_add(t, cells);
        }
        fprintf(out, "%s:\n", path);
        table_print(t, out);
        table_free(t);
        if (cs->n_plaintext)
            fprintf(out,
                    ngettext("\n%zu secret is in plaintext: run `deploy-stand connection encrypt "
                             "--connections %s`\n",
                             "\n%zu secrets are in plaintext: run `deploy-stand connection encrypt "
                             "--connections %s`\n",
                             cs->n_plaintext),
                    cs->n_plaintext, path);
    }
}
