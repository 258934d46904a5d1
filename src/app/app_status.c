/* app_status: the stand's state on the cluster per student: user, pool, VMs and bridges, each
 * recognised by its marks; the front-end renders the result as a table or JSON. */
#include "app/app_status.h"
#include "plan/marks.h"
#include "util/i18n.h"
#include <string.h>

static int vm_of_student(const struct inv_vm *vm, const char *tag, const struct user_entry *u)
{
    return !vm->template && inv_tags_have(vm->tags, tag) && vm->pool &&
           strcmp(vm->pool, u->pool) == 0;
}

int app_status(struct app_ctx *c, json_t **out)
{
    *out = NULL;
    if (app_ctx_refresh(c, INV_CONFIGS_MARKED))
        return APP_FAILED;
    const struct cluster_view *v = c->view;
    const char *stand = c->stand->name;
    char tag[64];
    mark_stand_tag(tag, sizeof tag, stand);
    json_t *students = json_array();
    size_t deployed = 0;
    for (size_t i = 0; i < c->users->n; i++) {
        const struct user_entry *u = &c->users->users[i];
        const struct inv_user *iu = inv_user_find(v, u->userid);
        const struct inv_pool *ip = inv_pool_find(v, u->pool);
        json_t *vms = json_array();
        const char *node = NULL;
        for (size_t k = 0; k < v->n_vms; k++) {
            const struct inv_vm *vm = &v->vms[k];
            if (!vm_of_student(vm, tag, u))
                continue;
            if (!node)
                node = vm->node;
            json_array_append_new(
                vms, json_pack("{s:s, s:i, s:s, s:s}", "name", vm->name ? vm->name : "", "vmid",
                               vm->vmid, "node", vm->node, "status",
                               vm->lock ? vm->lock : (vm->status ? vm->status : "?")));
        }
        json_t *bridges = json_array();
        for (size_t n = 0; n < v->n_nets; n++)
            for (size_t f = 0; f < v->nets[n].n; f++) {
                struct mark m;
                const struct inv_iface *fi = &v->nets[n].ifaces[f];
                if (mark_parse(fi->comments, &m) && strcmp(m.stand, stand) == 0 && m.student &&
                    strcmp(m.student, u->userid) == 0)
                    json_array_append_new(bridges,
                                          json_pack("{s:s, s:s, s:s, s:b}", "node", v->nets[n].node,
                                                    "bridge", fi->name, "alias",
                                                    m.alias ? m.alias : "", "active", fi->active));
            }
        const char *ustate = !iu                                      ? "missing"
                             : mark_is(iu->comment, stand, u->userid) ? "ok"
                                                                      : "exists (not ours)";
        const char *pstate = !ip                                      ? "missing"
                             : mark_is(ip->comment, stand, u->userid) ? "ok"
                                                                      : "exists (not ours)";
        size_t nvms = json_array_size(vms);
        const char *state = nvms == c->stand->n_machines && iu && ip ? N_("deployed")
                            : nvms || iu || ip                       ? N_("partial")
                                                                     : N_("absent");
        deployed += strcmp(state, "deployed") == 0;
        json_array_append_new(students, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:o, s:o}",
                                                  "user", u->userid, "state", state, "user_state",
                                                  ustate, "pool", u->pool, "pool_state", pstate,
                                                  "node", node, "vms", vms, "bridges", bridges));
    }
    *out = json_pack("{s:s, s:I, s:o}", "stand", stand, "deployed", (json_int_t)deployed,
                     "students", students);
    return APP_OK;
}
