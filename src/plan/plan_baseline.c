/* plan_baseline: the lifecycle parts of a deploy: each VM's baseline snapshot where its storage can
 * take one, the students' role (and the managed role itself), the accounts' expiry. */
#include "plan/marks.h"
#include "plan/plan_internal.h"
#include "util/i18n.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- what the view says about snapshots ------------------------------------------------ */

int pl_vm_has_snapshot(const struct cluster_view *v, const struct inv_vm *vm, const char *name)
{
    char key[24];
    snprintf(key, sizeof key, "%d", vm->vmid);
    const json_t *list = json_object_get(json_object_get(v->raw, "snapshots"), key);
    if (json_is_array(list)) {
        size_t i;
        const json_t *it;
        json_array_foreach(list, i, it)
        {
            const char *n = json_string_value(json_object_get(it, "name"));
            if (n && strcmp(n, name) == 0)
                return 1;
        }
        return 0;
    }
    if (!vm->config)
        return -1;
    /* the config names the snapshot the present state comes from; none when there is none */
    const char *parent = json_string_value(json_object_get(vm->config, "parent"));
    if (!parent)
        return 0;
    return strcmp(parent, name) == 0 ? 1 : -1;
}

/* Is the config key a drive (ideN, sataN, scsiN, virtioN, efidiskN, tpmstateN)? */
static int is_drive_key(const char *k)
{
    static const char *const prefix[] = {"ide", "sata", "scsi", "virtio", "efidisk", "tpmstate"};
    for (size_t i = 0; i < sizeof prefix / sizeof prefix[0]; i++) {
        size_t l = strlen(prefix[i]);
        if (strncmp(k, prefix[i], l) == 0 && k[l] >= '0' && k[l] <= '9' &&
            strspn(k + l, "0123456789") == strlen(k + l))
            return 1;
    }
    return 0;
}

/* The plugin type of storage `id` as `node` sees it (the bundle's "storages"), or NULL. */
static const char *storage_type(const struct cluster_view *v, const char *id, const char *node)
{
    size_t i;
    const json_t *st;
    json_array_foreach(json_object_get(v->raw, "storages"), i, st)
    {
        const char *sid = json_string_value(json_object_get(st, "storage"));
        const char *sn = json_string_value(json_object_get(st, "node"));
        if (sid && strcmp(sid, id) == 0 && (!sn || strcmp(sn, node) == 0))
            return json_string_value(json_object_get(st, "plugintype"));
    }
    return NULL;
}

static int in_list(const char *const *list, const char *s)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

/* Can a volume of this storage type take snapshots? File storages only hold qcow2 snapshots. */
static int type_snapshots(const char *type, const char *volname, const char *drive)
{
    static const char *const always[] = {"lvmthin", "zfspool", "zfs", "rbd", "btrfs", NULL};
    static const char *const files[] = {"dir", "nfs", "cifs", "glusterfs", "cephfs", NULL};
    if (in_list(always, type))
        return 1;
    if (!in_list(files, type))
        return 0;
    size_t n = strlen(volname);
    return strstr(drive, "format=qcow2") || (n > 6 && strcmp(volname + n - 6, ".qcow2") == 0);
}

/* One drive value ("local-lvm:vm-5000-disk-0,size=8G"): 1 can, 0 cannot, -1 unknown, 2 not a
 * volume (an empty or CD-ROM drive). */
static int drive_snapshots(const struct cluster_view *v, const char *drive, const char *node,
                           char *why, size_t len)
{
    char vol[256];
    snprintf(vol, sizeof vol, "%.*s", (int)strcspn(drive, ","), drive);
    char *file = strncmp(vol, "file=", 5) == 0 ? vol + 5 : vol;
    if (strcmp(file, "none") == 0 || strcmp(file, "cdrom") == 0 || strstr(drive, "media=cdrom"))
        return 2;
    char *colon = strchr(file, ':');
    if (!colon || file[0] == '/') {
        snprintf(why, len, _("%.200s (a path on the node)"), file);
        return 0;
    }
    *colon = '\0';
    const char *type = storage_type(v, file, node);
    if (!type) {
        snprintf(why, len, _("the type of storage %.120s is unknown"), file);
        return -1;
    }
    if (type_snapshots(type, colon + 1, drive))
        return 1;
    snprintf(why, len, "%.120s (%.60s)", file, type); /* storage ids are short; types shorter */
    return 0;
}

int pl_vm_can_snapshot(const struct cluster_view *v, const json_t *config, const char *node,
                       char *why, size_t len)
{
    if (!config) {
        snprintf(why, len, "%s", _("its config was not read"));
        return -1;
    }
    const char *k;
    json_t *val;
    int volumes = 0, unknown = 0;
    char w[256] = "";
    json_object_foreach((json_t *)config, k, val)
    {
        const char *s = json_string_value(val);
        if (!s || !is_drive_key(k))
            continue;
        int rc = drive_snapshots(v, s, node, w, sizeof w);
        if (rc == 0) {
            snprintf(why, len, "%s", w);
            return 0;
        }
        if (rc < 0 && !unknown++)
            snprintf(why, len, "%s", w);
        volumes += rc == 1;
    }
    if (unknown)
        return -1;
    if (!volumes) {
        snprintf(why, len, "%s", _("it has no disks"));
        return -1;
    }
    return 1;
}

/* ---- deploy: baseline, role, expiry ---------------------------------------------------- */

void pl_vm_baseline(struct deploy_ctx *c, int s, size_t m, const struct inv_vm *have, int after)
{
    const char *name = c->rq->stand->baseline;
    const struct stand_machine *mc = &c->rq->stand->machines[m];
    struct plan_student *ps = &c->p->students[s];
    struct plan_vm *pv = &ps->vms[m];
    pv->baseline = name && have ? pl_vm_has_snapshot(c->v, have, name) : 0;
    if (!name || pv->baseline == 1)
        return;
    const struct inv_vm *src = have ? have : inv_vm_find(c->v, mc->template_vmid);
    char why[320];
    int can = pl_vm_can_snapshot(c->v, src ? src->config : NULL, pv->node, why, sizeof why);
    if (can == 0) {
        pl_note(c->p,
                _("machine '%s': %s cannot take snapshots of its disks, so it gets no baseline "
                  "snapshot '%s' (a reset re-clones it)"),
                mc->name, why, name);
        return;
    }
    if (can < 0) {
        pl_note(c->p,
                _("machine '%s': no baseline snapshot '%s', as it cannot be told whether its "
                  "disks can take snapshots (%s)"),
                mc->name, name, why);
        return;
    }
    char mark[256];
    mark_format(mark, sizeof mark, c->p->stand, ps->userid, NULL, 0);
    struct action *a = pl_act_new(c->p, ACT_VM_SNAPSHOT, pv->node, s, (int)m);
    a->target = xstrdup(name);
    a->comment = xstrdup(mark);
    a->if_missing = pv->baseline < 0;
    a->summary = xasprintf(_("baseline snapshot '%s' of VM %d '%s'"), name, pv->vmid, mc->name);
    pl_act_dep(c->p, a->id, after);
    pv->baseline = 1;
}

/* The privileges of `want` (comma-separated) missing from `have` (the same form; NULL: all). */
static int privs_missing(const char *have, const char *want)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", want);
    for (char *save = NULL, *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        size_t n = strlen(p);
        const char *h = have;
        int found = 0;
        while (h && *h && !found) {
            size_t l = strcspn(h, ",; ");
            found = l == n && strncmp(h, p, n) == 0;
            h += l + (h[l] != '\0');
        }
        if (!found)
            return 1;
    }
    return 0;
}

/* The managed role in the bundle's "roles", or NULL. */
static const json_t *managed_role(const struct cluster_view *v)
{
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(v->raw, "roles"), i, r)
    {
        const char *id = json_string_value(json_object_get(r, "roleid"));
        if (id && strcmp(id, STAND_MANAGED_ROLE) == 0)
            return r;
    }
    return NULL;
}

int pl_role_missing(const struct plan_request *rq, const struct cluster_view *v)
{
    if (rq->stand->student_role != STUDENT_ROLE_MANAGED)
        return 0;
    const json_t *found = managed_role(v);
    return !found || privs_missing(json_string_value(json_object_get(found, "privs")),
                                   PLAN_MANAGED_ROLE_PRIVS);
}

int pl_role_ensure(struct plan *p, const struct plan_request *rq, const struct cluster_view *v)
{
    if (!pl_role_missing(rq, v))
        return -1;
    const json_t *roles = json_object_get(v->raw, "roles");
    const json_t *found = managed_role(v);
    struct action *a = pl_act_new(p, ACT_ROLE_ENSURE, NULL, -1, -1);
    a->role = xstrdup(STAND_MANAGED_ROLE);
    a->target = xstrdup(PLAN_MANAGED_ROLE_PRIVS);
    if (!json_is_array(roles))
        a->summary = xasprintf(_("make sure role %s exists with %s"), a->role, a->target);
    else if (!found)
        a->summary = xasprintf(_("create role %s with %s"), a->role, a->target);
    else
        a->summary =
            xasprintf(_("add the missing privileges of %s to role %s"), a->target, a->role);
    return a->id;
}

void pl_student_role(struct deploy_ctx *c, int s, int user_act, int pool_act)
{
    struct plan *p = c->p;
    struct plan_student *ps = &p->students[s];
    const char *role = student_role_name(c->rq->stand->student_role);
    char path[128];
    snprintf(path, sizeof path, "/pool/%s", ps->pool);
    ps->acl_exists = inv_acl_has(c->v, path, ps->userid, role);
    int grant = -1;
    if (!ps->acl_exists) {
        struct action *a = pl_act_new(p, ACT_ACL_GRANT, NULL, s, -1);
        a->target = xstrdup(path);
        a->role = xstrdup(role);
        a->summary = xasprintf(_("grant %s on %s to %s"), role, path, ps->userid);
        grant = a->id;
        pl_act_dep(p, grant, user_act);
        pl_act_dep(p, grant, pool_act);
        pl_act_dep(p, grant, c->role_act);
    }
    for (int r = STUDENT_ROLE_VMADMIN; ps->pool_ours && r <= STUDENT_ROLE_MANAGED; r++) {
        const char *other = student_role_name((enum student_role)r);
        if (strcmp(other, role) == 0 || !inv_acl_has(c->v, path, ps->userid, other))
            continue;
        struct action *a = pl_act_new(p, ACT_ACL_REVOKE, NULL, s, -1);
        a->target = xstrdup(path);
        a->role = xstrdup(other);
        a->summary = xasprintf(_("revoke %s on %s from %s (the stand now grants %s)"), other, path,
                               ps->userid, role);
        pl_act_dep(p, a->id, grant);
    }
}

/* The expiry the view knows for a user (GET /access/users "expire"), 0 when none. */
static long long user_expire(const struct cluster_view *v, const char *userid)
{
    size_t i;
    const json_t *u;
    json_array_foreach(json_object_get(v->raw, "users"), i, u)
    {
        const char *id = json_string_value(json_object_get(u, "userid"));
        if (id && strcmp(id, userid) == 0)
            return json_integer_value(json_object_get(u, "expire"));
    }
    return 0;
}

void pl_user_expiry(struct deploy_ctx *c, int s, int user_act)
{
    const struct stand *st = c->rq->stand;
    struct plan_student *ps = &c->p->students[s];
    if (user_act >= 0) {
        c->p->acts[user_act].expire = st->expires;
        return;
    }
    if (!st->expires || !ps->user_exists)
        return;
    if (!ps->user_ours) {
        const struct inv_user *u = inv_user_find(c->v, ps->userid);
        struct mark m;
        if (u && mark_parse(u->comment, &m) && strcmp(m.stand, c->p->stand) != 0)
            pl_note(c->p, _("user %s belongs to stand '%s': its expiry is left alone"), ps->userid,
                    m.stand);
        else
            pl_note(c->p, _("user %s was not created by deploy-stand: its expiry is left alone"),
                    ps->userid);
        return;
    }
    if (user_expire(c->v, ps->userid) == st->expires)
        return;
    struct action *a = pl_act_new(c->p, ACT_USER_EXPIRE, NULL, s, -1);
    a->target = xstrdup(ps->userid);
    a->expire = st->expires;
    a->summary = xasprintf(_("let the account of %s expire at the end of %s (UTC)"), ps->userid,
                           st->expires_date);
}
