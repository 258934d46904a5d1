/* app_status: the stand's state on the cluster per student: user, pool, VMs (power state, uptime)
 * and bridges, each recognised by its marks, and the stand's expiry from its file and the cluster;
 * the front-end renders the result as a table or JSON. */
#include "app/app_status.h"
#include "app/app_expire.h"
#include "ds_clock.h"
#include "plan/marks.h"
#include "plan/plan.h"
#include "util/i18n.h"
#include <stdio.h>
#include <string.h>

static int vm_of_student(const struct inv_vm *vm, const char *tag, const struct user_entry *u)
{
    return !vm->template && inv_tags_have(vm->tags, tag) && vm->pool &&
           strcmp(vm->pool, u->pool) == 0;
}

/* {"<vmid>": uptime} from /cluster/resources (the view keeps no uptime). */
static json_t *uptimes(const struct cluster_view *v)
{
    json_t *map = json_object();
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(v->raw, "resources"), i, r)
    {
        const json_t *vmid = json_object_get(r, "vmid");
        if (!json_is_integer(vmid))
            continue;
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)json_integer_value(vmid));
        json_object_set_new(map, key,
                            json_integer(json_integer_value(json_object_get(r, "uptime"))));
    }
    return map;
}

/* The user's expiry on the cluster (Unix seconds), or null when none. */
static json_t *user_expiry(const struct cluster_view *v, const char *userid)
{
    size_t i;
    const json_t *u;
    json_array_foreach(json_object_get(v->raw, "users"), i, u)
    {
        const char *id = json_string_value(json_object_get(u, "userid"));
        json_int_t e = json_integer_value(json_object_get(u, "expire"));
        if (id && strcmp(id, userid) == 0)
            return e > 0 ? json_integer(e) : json_null();
    }
    return json_null();
}

/* Student u's VMs: [{name, vmid, node, status, power, uptime, lock}]; *running counts those that
 * run, *node gets the first one's node. */
static json_t *student_vms(const struct cluster_view *v, const char *tag,
                           const struct user_entry *u, const json_t *up, size_t *running,
                           const char **node)
{
    json_t *vms = json_array();
    for (size_t k = 0; k < v->n_vms; k++) {
        const struct inv_vm *vm = &v->vms[k];
        if (!vm_of_student(vm, tag, u))
            continue;
        if (!*node)
            *node = vm->node;
        int run = vm->status && strcmp(vm->status, "running") == 0;
        *running += run;
        char key[24];
        snprintf(key, sizeof key, "%d", vm->vmid);
        json_int_t uptime = run ? json_integer_value(json_object_get(up, key)) : 0;
        json_array_append_new(
            vms, json_pack("{s:s, s:i, s:s, s:s, s:s?, s:I, s:s?}", "name",
                           vm->name ? vm->name : "", "vmid", vm->vmid, "node", vm->node, "status",
                           vm->lock ? vm->lock : (vm->status ? vm->status : "?"), "power",
                           vm->status, "uptime", uptime, "lock", vm->lock));
    }
    return vms;
}

static json_t *student_bridges(const struct cluster_view *v, const char *stand,
                               const struct user_entry *u)
{
    json_t *bridges = json_array();
    for (size_t n = 0; n < v->n_nets; n++)
        for (size_t f = 0; f < v->nets[n].n; f++) {
            struct mark m;
            const struct inv_iface *fi = &v->nets[n].ifaces[f];
            if (mark_parse(fi->comments, &m) && strcmp(m.stand, stand) == 0 && m.student &&
                strcmp(m.student, u->userid) == 0)
                json_array_append_new(bridges,
                                      json_pack("{s:s, s:s, s:s, s:b}", "node", v->nets[n].node,
                                                "bridge", fi->name, "alias", m.alias ? m.alias : "",
                                                "active", fi->active));
        }
    return bridges;
}

/* One student's entry; *deployed, *n_vms and *running count the class. */
static json_t *student_status(const struct app_ctx *c, const struct user_entry *u, const char *tag,
                              const json_t *up, size_t *deployed, size_t *n_vms, size_t *running)
{
    const struct cluster_view *v = c->view;
    const char *stand = c->stand->name;
    const struct inv_user *iu = inv_user_find(v, u->userid);
    const struct inv_pool *ip = inv_pool_find(v, u->pool);
    const char *node = NULL;
    size_t run = 0;
    json_t *vms = student_vms(v, tag, u, up, &run, &node);
    const char *ustate = !iu                                      ? "missing"
                         : mark_is(iu->comment, stand, u->userid) ? "ok"
                                                                  : "exists_foreign";
    const char *pstate = !ip                                      ? "missing"
                         : mark_is(ip->comment, stand, u->userid) ? "ok"
                                                                  : "exists_foreign";
    size_t nvms = json_array_size(vms);
    const char *state = nvms == c->stand->n_machines && iu && ip ? N_("deployed")
                        : nvms || iu || ip                       ? N_("partial")
                                                                 : N_("absent");
    *deployed += strcmp(state, "deployed") == 0;
    *n_vms += nvms;
    *running += run;
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:I, s:I, s:o, s:o, s:o}", "user", u->userid,
                     "state", state, "user_state", ustate, "pool", u->pool, "pool_state", pstate,
                     "node", node, "vm_count", (json_int_t)nvms, "running", (json_int_t)run,
                     "expires_at", iu ? user_expiry(v, u->userid) : json_null(), "vms", vms,
                     "bridges", student_bridges(v, stand, u));
}

/* "expires", "expires_at", "cluster_expires", "cluster_expires_at" and "expired" into out. */
static void expiry(const struct app_ctx *c, json_t *out)
{
    const struct stand *st = c->stand;
    json_object_set_new(out, "expires", st->expires ? json_string(st->expires_date) : json_null());
    json_object_set_new(out, "expires_at", st->expires ? json_integer(st->expires) : json_null());
    long long at = app_expire_of(c->view, st->name, NULL);
    char day[11];
    app_expire_day(at, day);
    json_object_set_new(out, "cluster_expires", at ? json_string(day) : json_null());
    json_object_set_new(out, "cluster_expires_at", at ? json_integer(at) : json_null());
    json_object_set_new(out, "expired", json_boolean(at && at <= ds_clock_wall_s()));
}

static int stand_template(const struct stand *st, int vmid)
{
    for (size_t m = 0; m < st->n_machines; m++)
        if (st->machines[m].template_vmid == vmid)
            return 1;
    return 0;
}

/* The marked template copies of the stand's templates, with the VMs linked to them. */
static json_t *template_copies(const struct app_ctx *c)
{
    struct copy_info *list = NULL;
    size_t n = plan_list_copies(c->view, &list);
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct copy_info *ci = &list[i];
        if (!stand_template(c->stand, ci->orig))
            continue;
        json_array_append_new(out,
                              json_pack("{s:i, s:s, s:i, s:s?, s:b, s:b, s:i, s:b}", "vmid",
                                        ci->vmid, "node", ci->node, "original", ci->orig,
                                        "for_node", *ci->for_node ? ci->for_node : NULL, "template",
                                        ci->is_template, "stale", ci->stale, "linked_vms",
                                        ci->links, "linked_vms_exact", !ci->links_unknown));
    }
    copy_info_free(list, n);
    return out;
}

int app_status(struct app_ctx *c, json_t **out)
{
    *out = NULL;
    if (app_ctx_refresh(c, INV_CONFIGS_MARKED))
        return APP_FAILED;
    char tag[64];
    mark_stand_tag(tag, sizeof tag, c->stand->name);
    json_t *up = uptimes(c->view);
    json_t *students = json_array();
    size_t deployed = 0, n_vms = 0, running = 0;
    for (size_t i = 0; i < c->users->n; i++)
        json_array_append_new(
            students, student_status(c, &c->users->users[i], tag, up, &deployed, &n_vms, &running));
    json_decref(up);
    *out = json_pack("{s:s, s:I, s:I, s:I, s:o}", "stand", c->stand->name, "deployed",
                     (json_int_t)deployed, "vm_count", (json_int_t)n_vms, "running",
                     (json_int_t)running, "students", students);
    expiry(c, *out);
    json_object_set_new(*out, "template_copies", template_copies(c));
    return APP_OK;
}

int app_status_pending(const json_t *st)
{
    size_t i;
    const json_t *s;
    json_array_foreach(json_object_get(st, "students"), i, s)
    {
        const char *state = json_string_value(json_object_get(s, "state"));
        const char *pool = json_string_value(json_object_get(s, "pool_state"));
        if (!state || strcmp(state, "deployed") != 0 || !pool || strcmp(pool, "ok") != 0)
            return 1;
    }
    return 0;
}
