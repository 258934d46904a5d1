/* sim_network: host network endpoints (/nodes/{node}/network): edits go to a pending copy
 * (interfaces.new), PUT applies it with a srvreload task, DELETE reverts. */
#include "sim_api.h"
#include "sim_tasks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The set edits go to: the pending copy, created from the active set on first use. */
static json_t *pending(struct sim_node *n)
{
    if (!n->net_pending)
        n->net_pending = json_deep_copy(n->net);
    return n->net_pending;
}

static const json_t *current(const struct sim_node *n)
{
    return n->net_pending ? n->net_pending : n->net;
}

/* One interface stanza as /etc/network/interfaces text (appended to buf). */
static void stanza(const json_t *o, char **buf, size_t *len, size_t *cap)
{
    char tmp[2048];
    const char *iface = json_string_value(json_object_get(o, "iface"));
    const char *method = json_string_value(json_object_get(o, "method"));
    int n = 0;
    if (json_integer_value(json_object_get(o, "autostart")))
        n += snprintf(tmp + n, sizeof tmp - (size_t)n, "auto %s\n", iface);
    n += snprintf(tmp + n, sizeof tmp - (size_t)n, "iface %s inet %s\n", iface,
                  method ? method : "manual");
    static const char *const keys[][2] = {{"address", "address"},
                                          {"netmask", "netmask"},
                                          {"gateway", "gateway"},
                                          {"bridge_ports", "bridge-ports"},
                                          {"bridge_stp", "bridge-stp"},
                                          {"bridge_fd", "bridge-fd"},
                                          {"bridge_vlan_aware", "bridge-vlan-aware"},
                                          {"bridge_vids", "bridge-vids"},
                                          {"mtu", "mtu"},
                                          {"slaves", "bond-slaves"},
                                          {"bond_mode", "bond-mode"},
                                          {"vlan-raw-device", "vlan-raw-device"},
                                          {"vlan-id", "vlan-id"}};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        json_t *v = json_object_get(o, keys[i][0]);
        if (!v)
            continue;
        if (strcmp(keys[i][0], "bridge_vlan_aware") == 0) {
            if (json_integer_value(v))
                n += snprintf(tmp + n, sizeof tmp - (size_t)n, "\tbridge-vlan-aware yes\n");
            continue;
        }
        char num[32];
        const char *s = json_string_value(v);
        if (json_is_integer(v)) {
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
            s = num;
        }
        if (strcmp(keys[i][0], "bridge_ports") == 0 && (!s || !*s))
            s = "none";
        if (s && (size_t)n < sizeof tmp)
            n += snprintf(tmp + n, sizeof tmp - (size_t)n, "\t%s %s\n", keys[i][1], s);
    }
    const char *c = json_string_value(json_object_get(o, "comments"));
    if (c && (size_t)n < sizeof tmp) {
        char *cc = strdup(c), *save = NULL;
        for (char *l = strtok_r(cc, "\n", &save); l && (size_t)n < sizeof tmp;
             l = strtok_r(NULL, "\n", &save))
            n += snprintf(tmp + n, sizeof tmp - (size_t)n, "#%s\n", l);
        free(cc);
    }
    if ((size_t)n >= sizeof tmp)
        n = (int)sizeof tmp - 1;
    n += snprintf(tmp + n, sizeof tmp - (size_t)n, "\n");
    if ((size_t)n >= sizeof tmp)
        n = (int)sizeof tmp - 1;
    while (*len + (size_t)n + 1 > *cap) {
        *cap = *cap ? *cap * 2 : 4096;
        *buf = realloc(*buf, *cap);
    }
    memcpy(*buf + *len, tmp, (size_t)n);
    *len += (size_t)n;
    (*buf)[*len] = '\0';
}

static int cmp_iface(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Interface names sorted (array of borrowed strings, caller frees the array). */
static const char **sorted_ifaces(const json_t *set, size_t *count)
{
    size_t n = json_object_size(set), i = 0;
    const char **names = calloc(n ? n : 1, sizeof *names);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)set, k, v)
    {
        names[i++] = k;
    }
    qsort(names, n, sizeof *names, cmp_iface);
    *count = n;
    return names;
}

static char *interfaces_text(const json_t *set)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    size_t n;
    const char **names = sorted_ifaces(set, &n);
    for (size_t i = 0; i < n; i++)
        stanza(json_object_get(set, names[i]), &buf, &len, &cap);
    free(names);
    if (!buf)
        buf = strdup("");
    return buf;
}

static size_t split_lines(char *text, char ***out)
{
    size_t n = 0, cap = 16;
    char **lines = malloc(cap * sizeof *lines);
    for (char *p = text; *p;) {
        char *e = strchr(p, '\n');
        if (e)
            *e = '\0';
        if (n == cap)
            lines = realloc(lines, (cap *= 2) * sizeof *lines);
        lines[n++] = p;
        if (!e)
            break;
        p = e + 1;
    }
    *out = lines;
    return n;
}

/* A unified diff (one hunk) of interfaces -> interfaces.new, as `diff -u` would show. */
static char *unified_diff(const json_t *oldset, const json_t *newset)
{
    char *a = interfaces_text(oldset), *b = interfaces_text(newset);
    char **la, **lb;
    size_t na = split_lines(a, &la), nb = split_lines(b, &lb);
    unsigned *lcs = calloc((na + 1) * (nb + 1), sizeof *lcs);
#define L(i, j) lcs[(i) * (nb + 1) + (j)]
    for (size_t i = na; i-- > 0;)
        for (size_t j = nb; j-- > 0;)
            L(i, j) = strcmp(la[i], lb[j]) == 0   ? L(i + 1, j + 1) + 1
                      : L(i + 1, j) > L(i, j + 1) ? L(i + 1, j)
                                                  : L(i, j + 1);
    size_t cap = 4096, len = 0;
    char *out = malloc(cap);
    len = (size_t)snprintf(
        out, cap,
        "--- /etc/network/interfaces\n+++ /etc/network/interfaces.new\n@@ -1,%zu +1,%zu @@\n", na,
        nb);
    size_t i = 0, j = 0;
    while (i < na || j < nb) {
        const char *line;
        char mark;
        if (i < na && j < nb && strcmp(la[i], lb[j]) == 0) {
            mark = ' ';
            line = la[i++];
            j++;
        } else if (j < nb && (i == na || L(i, j + 1) >= L(i + 1, j))) {
            mark = '+';
            line = lb[j++];
        } else {
            mark = '-';
            line = la[i++];
        }
        size_t need = strlen(line) + 3;
        while (len + need + 1 > cap)
            out = realloc(out, cap *= 2);
        len += (size_t)snprintf(out + len, cap - len, "%c%s\n", mark, line);
    }
#undef L
    free(lcs);
    free(la);
    free(lb);
    free(a);
    free(b);
    return out;
}

static int type_matches(const char *filter, const char *type)
{
    if (!filter)
        return 1;
    if (strcmp(filter, "any_bridge") == 0 || strcmp(filter, "any_local_bridge") == 0)
        return strcmp(type, "bridge") == 0 || strcmp(type, "OVSBridge") == 0;
    return strcmp(filter, type) == 0;
}

/* An interface as PVE reads it back from the interfaces file: each comment line written as
 * "#line" and read with its trailing blanks dropped and a newline added ("a" -> "a\n"); trailing
 * empty lines are lost (Perl's split), no comment lines leave no key (INotify.pm). */
static json_t *iface_view(const json_t *o)
{
    json_t *v = json_deep_copy(o);
    const char *c = json_string_value(json_object_get(v, "comments"));
    if (!c)
        return v;
    size_t n = strlen(c), k = 0;
    char *out = malloc(2 * n + 2);
    for (const char *p = c; *p;) {
        size_t l = strcspn(p, "\n");
        while (l > 0 && strchr(" \t\r\f\v", p[l - 1]))
            l--;
        memcpy(out + k, p, l);
        k += l;
        out[k++] = '\n';
        p += strcspn(p, "\n");
        if (*p)
            p++;
    }
    while (k >= 2 && out[k - 1] == '\n' && out[k - 2] == '\n')
        k--;
    if (k == 1 && out[0] == '\n')
        k = 0;
    out[k] = '\0';
    if (k)
        json_object_set_new(v, "comments", json_string(out));
    else
        json_object_del(v, "comments");
    free(out);
    return v;
}

static int h_list(struct sim_req *r)
{
    struct sim_node *n = sim_req_node(r);
    if (!n)
        return -1;
    const json_t *set = current(n);
    const char *filter = sim_p_str(r, "type");
    size_t count;
    const char **names = sorted_ifaces(set, &count);
    json_t *a = json_array();
    for (size_t i = 0; i < count; i++) {
        json_t *o = json_object_get(set, names[i]);
        if (type_matches(filter, json_string_value(json_object_get(o, "type"))))
            json_array_append_new(a, iface_view(o));
    }
    free(names);
    if (n->net_pending && !json_equal(n->net_pending, n->net)) {
        char *diff = unified_diff(n->net, n->net_pending);
        if (!r->extra)
            r->extra = json_object();
        json_object_set_new(r->extra, "changes", json_string(diff));
        free(diff);
    }
    return sim_ok(r, a);
}

static int h_get(struct sim_req *r)
{
    struct sim_node *n = sim_req_node(r);
    if (!n)
        return -1;
    json_t *o = json_object_get(current(n), sim_p_str(r, "iface"));
    if (!o)
        return sim_param_fail(r, "iface", "interface does not exist");
    return sim_ok(r, iface_view(o));
}

static int list_has(const char *list, const char *item)
{
    char *l = strdup(list), *save = NULL;
    int found = 0;
    for (char *p = strtok_r(l, ",; \t", &save); p && !found; p = strtok_r(NULL, ",; \t", &save))
        found = strcmp(p, item) == 0;
    free(l);
    return found;
}

/* Checks ports and gateway conflicts against the other interfaces of set. 0 or -1. */
static int check_conflicts(struct sim_req *r, const json_t *set, const char *iface)
{
    const char *ports = sim_p_str(r, "bridge_ports");
    const char *gw = sim_p_str(r, "gateway");
    const char *k;
    json_t *o;
    json_object_foreach((json_t *)set, k, o)
    {
        if (strcmp(k, iface) == 0)
            continue;
        const char *op = json_string_value(json_object_get(o, "bridge_ports"));
        if (ports && op && *op) {
            char *pl = strdup(ports), *save = NULL;
            for (char *p = strtok_r(pl, ",; \t", &save); p; p = strtok_r(NULL, ",; \t", &save)) {
                if (list_has(op, p)) {
                    sim_param_fail(r, "bridge_ports", "%s is already used on interface '%s'.", p,
                                   k);
                    free(pl);
                    return -1;
                }
            }
            free(pl);
        }
        if (gw && *gw && json_object_get(o, "gateway"))
            return sim_param_fail(r, "gateway", "Default gateway already exists on interface '%s'.",
                                  k);
    }
    return 0;
}

/* Network.pm's bridge_vids rule: a list whose items are all empty ("," or " ") is a 400, an
 * empty string leaves it unset, any other list is stored space-separated. 0 or -1. */
static int bridge_vids_check(struct sim_req *r)
{
    const char *vids = sim_p_str(r, "bridge_vids");
    if (!vids)
        return 0;
    if (!*vids) {
        json_object_del(r->params, "bridge_vids");
        return 0;
    }
    char *l = strdup(vids), *save = NULL, *out = calloc(1, strlen(vids) + 1);
    for (char *p = strtok_r(l, ",; \t\n", &save); p; p = strtok_r(NULL, ",; \t\n", &save)) {
        if (*out)
            strcat(out, " ");
        strcat(out, p);
    }
    int empty = !*out;
    if (!empty)
        json_object_set_new(r->params, "bridge_vids", json_string(out));
    free(l);
    free(out);
    return empty ? sim_param_fail(r, "bridge_vids", "VLAN list items are empty") : 0;
}

static void apply_params(struct sim_req *r, json_t *o)
{
    static const char *const skip[] = {"node", "iface", "delete", NULL};
    const char *k;
    json_t *v;
    json_object_foreach(r->params, k, v)
    {
        int s = 0;
        for (int i = 0; skip[i]; i++)
            if (strcmp(skip[i], k) == 0)
                s = 1;
        if (!s)
            json_object_set(o, k, v);
    }
    const char *cidr = json_string_value(json_object_get(o, "cidr"));
    if (cidr && json_object_get(r->params, "cidr")) {
        char addr[64];
        int bits;
        if (sscanf(cidr, "%63[^/]/%d", addr, &bits) == 2 && bits >= 0 && bits <= 32) {
            unsigned mask = bits ? 0xffffffffu << (32 - bits) : 0;
            char nm[32];
            snprintf(nm, sizeof nm, "%u.%u.%u.%u", mask >> 24, (mask >> 16) & 255,
                     (mask >> 8) & 255, mask & 255);
            json_object_set_new(o, "address", json_string(addr));
            json_object_set_new(o, "netmask", json_string(nm));
        }
    }
    json_object_set_new(o, "method",
                        json_string(json_object_get(o, "address") ? "static" : "manual"));
    if (!json_object_get(o, "families"))
        json_object_set_new(o, "families", json_pack("[s]", "inet"));
    const char *type = json_string_value(json_object_get(o, "type"));
    if (type && strcmp(type, "bridge") == 0) {
        if (!json_object_get(o, "bridge_ports"))
            json_object_set_new(o, "bridge_ports", json_string(""));
        json_object_set_new(o, "bridge_stp", json_string("off"));
        json_object_set_new(o, "bridge_fd", json_string("0"));
    }
}

static int h_create(struct sim_req *r)
{
    struct sim_node *n = sim_req_node(r);
    if (!n)
        return -1;
    const char *iface = sim_p_str(r, "iface");
    if (json_object_get(current(n), iface))
        return sim_param_fail(r, "iface", "interface already exists");
    if (bridge_vids_check(r) != 0 || check_conflicts(r, current(n), iface) != 0)
        return -1;
    json_t *o = json_pack("{s:s}", "iface", iface);
    apply_params(r, o);
    json_object_set_new(pending(n), iface, o);
    return sim_ok(r, NULL);
}

static int h_update(struct sim_req *r)
{
    struct sim_node *n = sim_req_node(r);
    if (!n)
        return -1;
    const char *iface = sim_p_str(r, "iface");
    if (!json_object_get(current(n), iface))
        return sim_param_fail(r, "iface", "interface does not exist");
    if (bridge_vids_check(r) != 0 || check_conflicts(r, current(n), iface) != 0)
        return -1;
    json_t *o = json_object_get(pending(n), iface);
    const char *del = sim_p_str(r, "delete");
    if (del) {
        char *dl = strdup(del), *save = NULL;
        for (char *d = strtok_r(dl, ",; ", &save); d; d = strtok_r(NULL, ",; ", &save)) {
            json_object_del(o, d);
            if (strcmp(d, "cidr") == 0) {
                json_object_del(o, "address");
                json_object_del(o, "netmask");
            }
        }
        free(dl);
    }
    json_object_del(o, "active");
    apply_params(r, o);
    return sim_ok(r, NULL);
}

static int h_delete(struct sim_req *r)
{
    struct sim_node *n = sim_req_node(r);
    if (!n)
        return -1;
    const char *iface = sim_p_str(r, "iface");
    if (!json_object_get(current(n), iface))
        return sim_param_fail(r, "iface", "interface does not exist");
    json_object_del(pending(n), iface);
    return sim_ok(r, NULL);
}

static void reload_done(struct sim_model *m, struct sim_task *t, int ok)
{
    struct sim_node *n = sim_model_node(m, t->node);
    if (!n || !ok)
        return;
    json_t *applied = json_object_get(t->ctx, "config");
    if (!applied)
        return;
    json_decref(n->net);
    n->net = json_deep_copy(applied);
    const char *k;
    json_t *o;
    json_object_foreach(n->net, k, o)
    {
        json_object_set_new(o, "active", json_integer(1));
    }
    /* edits made while the reload ran stay pending */
    if (n->net_pending && json_equal(n->net_pending, applied)) {
        json_decref(n->net_pending);
        n->net_pending = NULL;
    }
    sim_task_log(t, "ifreload -a finished");
}

static int h_reload(struct sim_req *r)
{
    struct sim_node *n = sim_req_node(r);
    if (!n)
        return -1;
    json_t *ctx = json_object();
    if (n->net_pending)
        json_object_set_new(ctx, "config", json_deep_copy(n->net_pending));
    struct sim_task *t =
        sim_task_start(r->model, n->name, "srvreload", "networking", sim_req_task_user(r),
                       sim_task_duration(r->model, "srvreload"), ctx, reload_done);
    if (!t)
        return sim_fail(r, 500, "got no worker upid - start worker failed");
    sim_task_log(t, "run ifreload -a");
    return sim_ok(r, json_string(t->upid));
}

static int h_revert(struct sim_req *r)
{
    struct sim_node *n = sim_req_node(r);
    if (!n)
        return -1;
    json_decref(n->net_pending);
    n->net_pending = NULL;
    return sim_ok(r, NULL);
}

const struct sim_route sim_network_routes[] = {{"GET /nodes/{node}/network", h_list},
                                               {"POST /nodes/{node}/network", h_create},
                                               {"PUT /nodes/{node}/network", h_reload},
                                               {"DELETE /nodes/{node}/network", h_revert},
                                               {"GET /nodes/{node}/network/{iface}", h_get},
                                               {"PUT /nodes/{node}/network/{iface}", h_update},
                                               {"DELETE /nodes/{node}/network/{iface}", h_delete},
                                               {NULL, NULL}};
