/* exec_bridges: a bridge whose planned name another run took meanwhile gets the next free name of
 * the cluster (as a taken VMID does), and the VMs of its student are configured with that name. */
#include "exec/exec_internal.h"
#include "plan/marks.h"
#include "pve/pve_api.h"
#include "pve/pve_client.h"
#include "util/err.h"
#include "util/i18n.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The interface `iface` of the node: 1 found (its comments, type into *f: new ref), 0 not there,
 * -1 no answer. */
static int iface_read(struct pve_client *c, const char *node, const char *iface, json_t **f)
{
    json_t *list = NULL;
    *f = NULL;
    if (pve_net_list(c, node, &list, NULL) < 0)
        return -1;
    size_t i;
    json_t *it;
    json_array_foreach(list, i, it)
    {
        const char *name = json_string_value(json_object_get(it, "iface"));
        if (name && strcmp(name, iface) == 0) {
            *f = json_incref(it);
            break;
        }
    }
    json_decref(list);
    return *f != NULL;
}

/* Marks vmbr<N> of `name` in used. */
static void mark_used(unsigned char *used, const char *name)
{
    char *end = NULL;
    long num = name && strncmp(name, "vmbr", 4) == 0 ? strtol(name + 4, &end, 10) : -1;
    if (end && !*end && num >= PLAN_BRIDGE_FIRST && num <= PLAN_BRIDGE_LAST)
        used[num - PLAN_BRIDGE_FIRST] = 1;
}

/* The bridge numbers in use on any node of the cluster (vmbr<N>), as a bitmap over
 * [PLAN_BRIDGE_FIRST, PLAN_BRIDGE_LAST] (calloc'd), or NULL with ds_err. Offline nodes are
 * skipped: their names are unknown, and creating on them fails anyway. */
static unsigned char *names_in_use(struct pve_client *c)
{
    json_t *nodes = NULL;
    if (pve_nodes_list(c, &nodes) < 0)
        return NULL;
    unsigned char *used = calloc(PLAN_BRIDGE_LAST - PLAN_BRIDGE_FIRST + 1, 1);
    size_t i;
    json_t *n;
    json_array_foreach(nodes, i, n)
    {
        const char *node = json_string_value(json_object_get(n, "node"));
        json_t *list = NULL;
        if (!used || !node || pve_net_list(c, node, &list, NULL) < 0) {
            ds_err_clear();
            continue;
        }
        size_t k;
        json_t *it;
        json_array_foreach(list, k, it)
            mark_used(used, json_string_value(json_object_get(it, "iface")));
        json_decref(list);
    }
    json_decref(nodes);
    if (!used)
        ds_err_set(_("out of memory"));
    return used;
}

/* The next number no node uses, this plan does not create and this run has not handed out, or
 * -1. */
static int next_free_name(struct exec *e, struct pve_client *c)
{
    unsigned char *used = names_in_use(c);
    if (!used)
        return -1;
    int found = -1;
    pthread_mutex_lock(&e->mu);
    for (size_t i = 0; i < e->p->n_acts; i++)
        if (e->p->acts[i].kind == ACT_BRIDGE_CREATE) {
            mark_used(used, e->p->acts[i].target);
            mark_used(used, e->r->acts[i].moved_to);
        }
    for (int n = e->next_bridge; n <= PLAN_BRIDGE_LAST && found < 0; n++)
        if (!used[n - PLAN_BRIDGE_FIRST])
            found = n;
    if (found > 0)
        e->next_bridge = found + 1;
    pthread_mutex_unlock(&e->mu);
    free(used);
    return found;
}

/* The bridge is there already: ours when it carries exactly this action's mark (a request that
 * went through though its answer was lost), or the shared reserved bridge another stand made. */
static int already_ours(struct pve_client *c, const struct action *a)
{
    json_t *f = NULL;
    int rc = iface_read(c, a->node, a->target, &f);
    if (rc <= 0)
        return rc;
    const char *type = json_string_value(json_object_get(f, "type"));
    const char *comments = json_string_value(json_object_get(f, "comments"));
    struct mark want, have;
    int ours = type && strcmp(type, "bridge") == 0 &&
               ((a->student < 0 && mark_parse(a->comment, &want) && want.reserved) ||
                (comments && mark_parse(a->comment, &want) && mark_parse(comments, &have) &&
                 strcmp(want.stand, have.stand) == 0 && have.student && want.student &&
                 strcmp(want.student, have.student) == 0 && have.alias && want.alias &&
                 strcmp(want.alias, have.alias) == 0));
    json_decref(f);
    return ours;
}

int exec_bridge_create(struct exec *e, struct pve_client *c, const struct action *a)
{
    struct pve_bridge_opts bo = {
        .vlan_aware = a->vlan_aware, .comments = a->comment, .autostart = 1};
    struct run_action *ra = &e->r->acts[a - e->p->acts];
    const char *name = ra->moved_to ? ra->moved_to : a->target;
    for (int moves = 0; moves < 20; moves++) {
        if (pve_net_bridge_create(c, a->node, name, &bo) == 0)
            return 0;
        if (pve_err_last() != PVE_ERR_EXISTS)
            return -1;
        ds_err_clear();
        if (!ra->moved_to) {
            int ours = already_ours(c, a);
            if (ours != 0)
                return ours < 0 ? -1 : 1;
            if (a->student < 0) /* a reserved bridge's name is the stand's: it cannot move */
                return ds_err_set(_("interface %s on %s exists and is not a bridge"), a->target,
                                  a->node);
        }
        int n = next_free_name(e, c);
        if (n < 0)
            return ds_err_set(_("no free bridge name left (vmbr%d-vmbr%d)"), PLAN_BRIDGE_FIRST,
                              PLAN_BRIDGE_LAST);
        char fresh[32];
        snprintf(fresh, sizeof fresh, "vmbr%d", n);
        pthread_mutex_lock(&e->mu);
        free(ra->moved_to);
        ra->moved_to = strdup(fresh);
        name = ra->moved_to;
        pthread_mutex_unlock(&e->mu);
        if (!name)
            return ds_err_set(_("out of memory"));
    }
    return ds_err_set(_("could not find a free bridge name for %s on %s (20 tries)"), a->target,
                      a->node);
}

/* "model,bridge=OLD,tag=5" with OLD -> NEW into out (the value unchanged when it names no OLD). */
static void rename_in_value(const char *val, const char *old, const char *new_name, char *out,
                            size_t len)
{
    size_t o = 0;
    out[0] = '\0';
    for (const char *p = val; *p;) {
        size_t n = strcspn(p, ",");
        int hit = n == 7 + strlen(old) && strncmp(p, "bridge=", 7) == 0 &&
                  strncmp(p + 7, old, strlen(old)) == 0;
        if (hit)
            o += (size_t)snprintf(out + o, len - o, "%sbridge=%s", o ? "," : "", new_name);
        else
            o += (size_t)snprintf(out + o, len - o, "%s%.*s", o ? "," : "", (int)n, p);
        if (o >= len)
            break;
        p += n + (p[n] == ',');
    }
}

json_t *exec_params_renamed(struct exec *e, const struct action *a, const char *node)
{
    json_t *params = json_deep_copy(a->params);
    pthread_mutex_lock(&e->mu);
    for (size_t i = 0; params && i < e->p->n_acts; i++) {
        const struct action *b = &e->p->acts[i];
        const char *moved = e->r->acts[i].moved_to;
        if (!moved || b->kind != ACT_BRIDGE_CREATE || b->student != a->student ||
            strcmp(b->node, node) != 0)
            continue;
        const char *key;
        json_t *v;
        json_object_foreach(params, key, v)
        {
            if (strncmp(key, "net", 3) != 0 || !json_is_string(v))
                continue;
            char out[512];
            rename_in_value(json_string_value(v), b->target, moved, out, sizeof out);
            json_object_set_new(params, key, json_string(out));
        }
    }
    pthread_mutex_unlock(&e->mu);
    return params;
}
