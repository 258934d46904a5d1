/* app_snapshot: named snapshots through the shared sequence (planned by plan_snapshot), and the
 * listing, read VM by VM from the cluster (GET .../snapshot) for the selected students. */
#include "app/app_snapshot.h"
#include "app/app_request.h"
#include "app/app_run.h"
#include "plan/marks.h"
#include "pve/pve_api.h"
#include "util/err.h"
#include "util/i18n.h"
#include <string.h>
#include <strings.h>

const char *app_snapshot_op_name(enum snapshot_op op)
{
    static const char *const names[] = {
        [SNAPSHOT_CREATE] = "create",
        [SNAPSHOT_ROLLBACK] = "rollback",
        [SNAPSHOT_DELETE] = "delete",
    };
    return (unsigned)op <= SNAPSHOT_DELETE ? names[op] : "?";
}

/* The operation and the name a snapshot plan was made for (from its actions). */
static int plan_snap(const struct plan *p, enum snapshot_op *op, const char **name)
{
    for (size_t i = 0; i < p->n_acts; i++) {
        enum action_kind k = p->acts[i].kind;
        if (k == ACT_VM_SNAPSHOT || k == ACT_SNAP_DELETE) {
            *op = k == ACT_VM_SNAPSHOT ? SNAPSHOT_CREATE : SNAPSHOT_DELETE;
            *name = p->acts[i].target;
            return 1;
        }
    }
    return 0;
}

/* After create or delete: the same plan on a fresh view has nothing left to do. */
static int snapshot_verify(struct app_ctx *c, const struct app_opts *o, const struct plan *p,
                           int rc)
{
    enum snapshot_op op;
    const char *name;
    if (!plan_snap(p, &op, &name) || app_ctx_refresh(c, INV_CONFIGS_MARKED) != 0)
        return rc;
    struct plan_request rq;
    app_request_init(&rq, c, o);
    struct plan *left = NULL;
    if (plan_snapshot(&rq, c->view, op, name, &left) == 0 && !left->n_problems) {
        rc = app_verify_left(c, left, app_not_as_asked(left), rc);
        if (!left->n_acts)
            app_note(&c->ev, APP_TEXT,
                     op == SNAPSHOT_CREATE
                         ? _("Verified: every selected VM that can take snapshots has '%s'.\n")
                         : _("Verified: no selected VM has snapshot '%s' any more.\n"),
                     name);
    }
    plan_free(left);
    return rc;
}

/* A snapshot name Proxmox would refuse, reported. APP_OK or APP_USAGE. */
static int check_name(struct app_ctx *c, const char *name)
{
    if (name && stand_snapshot_name_valid(name))
        return APP_OK;
    app_error(&c->ev,
              _("a snapshot name is 2 to 40 letters, digits, '-' or '_', starting with a letter, "
                "and not 'current' or 'pending'"),
              _("'%s' is not a valid snapshot name"), name ? name : "");
    return APP_USAGE;
}

int app_snapshot(struct app_ctx *c, const struct app_opts *o, enum snapshot_op op, const char *name,
                 json_t **out)
{
    *out = NULL;
    if (check_name(c, name))
        return APP_USAGE;
    char command[64];
    snprintf(command, sizeof command, "snapshot %s", app_snapshot_op_name(op));
    c->all_snapshots = 1; /* a named snapshot: every VM's list, not only the baseline's proof */
    if (app_ctx_begin_run(c, command) || app_ctx_refresh(c, INV_CONFIGS_MARKED))
        return APP_FAILED;
    struct plan_request rq;
    app_request_init(&rq, c, o);
    struct plan *p = NULL;
    if (plan_snapshot(&rq, c->view, op, name, &p) < 0) {
        app_error(&c->ev, NULL, "%s", ds_err_last());
        return APP_USAGE;
    }
    struct app_apply a = {.ask = op == SNAPSHOT_ROLLBACK ? APP_ASK_RESET : APP_ASK_CHANGE,
                          .verify = op == SNAPSHOT_ROLLBACK ? NULL : snapshot_verify};
    int rc = app_lifecycle_apply(c, o, p, &a, command, out);
    plan_free(p);
    return rc;
}

/* ---- list ---------------------------------------------------------------------------------- */

/* Is u one of the students asked for (all without --user)? */
static int selected(const struct app_opts *o, const char *userid)
{
    for (size_t i = 0; i < o->n_only; i++)
        if (strcmp(o->only[i], userid) == 0)
            return 1;
    return o->n_only == 0;
}

/* --user ids the class does not have and a --vm machine the stand does not have. APP_OK or
 * APP_USAGE (reported). */
static int check_selection(struct app_ctx *c, const struct app_opts *o)
{
    for (size_t i = 0; i < o->n_only; i++) {
        int known = 0;
        for (size_t u = 0; !known && u < c->users->n; u++)
            known = strcmp(c->users->users[u].userid, o->only[i]) == 0;
        if (!known) {
            app_error(&c->ev, NULL, _("user %s is not in %s"), o->only[i], c->users->path);
            return APP_USAGE;
        }
    }
    return app_request_check_vm(c, o);
}

static const char *str_or_empty(const char *s)
{
    return s ? s : "";
}

/* The VM's snapshots as the listing shows them (PVE's "current" entry only names the parent). */
static json_t *snapshots_json(const json_t *list)
{
    const char *current = NULL;
    size_t i;
    const json_t *it;
    json_array_foreach(list, i, it)
    {
        if (strcmp(str_or_empty(json_string_value(json_object_get(it, "name"))), "current") == 0)
            current = json_string_value(json_object_get(it, "parent"));
    }
    json_t *out = json_array();
    json_array_foreach(list, i, it)
    {
        const char *name = json_string_value(json_object_get(it, "name"));
        if (!name || strcmp(name, "current") == 0)
            continue;
        const json_t *t = json_object_get(it, "snaptime");
        json_t *o = json_pack("{s:s, s:s, s:s?, s:b, s:b}", "name", name, "description",
                              str_or_empty(json_string_value(json_object_get(it, "description"))),
                              "parent", json_string_value(json_object_get(it, "parent")), "vmstate",
                              json_integer_value(json_object_get(it, "vmstate")) != 0 ||
                                  json_is_true(json_object_get(it, "vmstate")),
                              "current", current && strcmp(current, name) == 0);
        json_object_set_new(o, "snaptime",
                            json_is_integer(t) ? json_integer(json_integer_value(t)) : json_null());
        json_array_append_new(out, o);
    }
    return out;
}

/* Is vm student u's VM of the stand (and the --vm machine)? As the planner selects: tagged for
 * the stand in the student's pool, or the stand's description mark for the student. */
static int vm_selected(const struct app_ctx *c, const struct app_opts *o, const struct inv_vm *vm,
                       const struct user_entry *u, const char *tag)
{
    if (vm->template || !vm->name || (o->only_vm && strcasecmp(vm->name, o->only_vm) != 0))
        return 0;
    if (vm->pool && strcmp(vm->pool, u->pool) == 0 && inv_tags_have(vm->tags, MARK_TAG) &&
        inv_tags_have(vm->tags, tag))
        return 1;
    return mark_is(json_string_value(json_object_get(vm->config, "description")), c->stand->name,
                   u->userid);
}

/* Student u's selected VMs with their snapshots; *failed is set when one could not be read. */
static json_t *student_snapshots(struct app_ctx *c, const struct app_opts *o,
                                 const struct user_entry *u, const char *tag, int *failed)
{
    json_t *vms = json_array();
    for (size_t k = 0; k < c->view->n_vms; k++) {
        const struct inv_vm *vm = &c->view->vms[k];
        if (!vm_selected(c, o, vm, u, tag))
            continue;
        json_t *o_vm =
            json_pack("{s:s, s:i, s:s}", "name", vm->name, "vmid", vm->vmid, "node", vm->node);
        json_t *list = NULL;
        if (pve_vm_snapshot_list(c->client, vm->node, vm->vmid, &list) < 0) {
            app_say(&c->ev, APP_ERR, APP_LV_ERROR, NULL, "%s", ds_err_last());
            json_object_set_new(o_vm, "error", json_string(ds_err_last()));
            json_object_set_new(o_vm, "snapshots", json_array());
            *failed = 1;
        } else {
            json_object_set_new(o_vm, "snapshots", snapshots_json(list));
        }
        json_decref(list);
        json_array_append_new(vms, o_vm);
    }
    return vms;
}

int app_snapshot_list(struct app_ctx *c, const struct app_opts *o, json_t **out)
{
    *out = NULL;
    int rc = check_selection(c, o);
    if (rc)
        return rc;
    c->all_snapshots = 1;
    if (app_ctx_refresh(c, INV_CONFIGS_MARKED))
        return APP_FAILED;
    char tag[64];
    mark_stand_tag(tag, sizeof tag, c->stand->name);
    json_t *students = json_array();
    int failed = 0;
    for (size_t i = 0; i < c->users->n; i++) {
        const struct user_entry *u = &c->users->users[i];
        if (!selected(o, u->userid))
            continue;
        json_t *vms = student_snapshots(c, o, u, tag, &failed);
        json_array_append_new(students, json_pack("{s:s, s:o}", "user", u->userid, "vms", vms));
    }
    *out = json_pack("{s:s, s:o}", "stand", c->stand->name, "students", students);
    return failed ? APP_FAILED : APP_OK;
}
