/* plan_checks: the deploy preflight of the stand file and the class list against the cluster view;
 * what is wrong in a file is reported at its line with a hint, as the offline checks do. */
#include "plan/plan_checks.h"
#include "plan/plan_internal.h"
#include "util/i18n.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_TEXT_MAX 512

/* A mistake of an input file: "file:line:col: what; hint" (line, col 0: left out), counted as an
 * input problem unless the very same line is there already. */
static void input_problem(struct plan *p, const char *file, int line, int col, const char *hint,
                          const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void input_problem(struct plan *p, const char *file, int line, int col, const char *hint,
                          const char *fmt, ...)
{
    char what[1024], where[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    int n = snprintf(where, sizeof where, "%s", file ? file : "<input>");
    if (line > 0 && n > 0 && (size_t)n < sizeof where)
        n += snprintf(where + n, sizeof where - (size_t)n, ":%d", line);
    if (line > 0 && col > 0 && n > 0 && (size_t)n < sizeof where)
        snprintf(where + n, sizeof where - (size_t)n, ":%d", col);
    size_t before = p->n_problems;
    if (hint)
        pl_problem(p, "%s: %s; %s", where, what, hint);
    else
        pl_problem(p, "%s: %s", where, what);
    p->n_input_problems += p->n_problems > before;
}

/* Appends ", item" to the list in out; when it would not fit, "..." ends the list instead. */
static void list_add(char *out, size_t len, const char *item)
{
    size_t l = strlen(out);
    if (l >= 3 && strcmp(out + l - 3, "...") == 0)
        return; /* cut short already */
    const char *sep = l ? ", " : "";
    if (l + strlen(item) + 2 + 6 > len)
        snprintf(out + l, len - l, "%s...", sep);
    else
        snprintf(out + l, len - l, "%s%s", sep, item);
}

/* ---- machines: template node and VMID ---------------------------------------------------- */

/* "use one of the cluster's nodes: pve1, pve2" or, when the template exists, its node. */
static void node_hint(const struct cluster_view *v, const struct inv_vm *t, char *hint, size_t len)
{
    if (t) {
        snprintf(hint, len, _("template %d is on %s: write `template_node: %s`"), t->vmid, t->node,
                 t->node);
        return;
    }
    char nodes[LIST_TEXT_MAX] = "";
    for (size_t i = 0; i < v->n_nodes; i++)
        list_add(nodes, sizeof nodes, v->nodes[i].name);
    snprintf(hint, len, _("use one of the cluster's nodes: %s"), nodes);
}

/* "use the VMID of a template: 100 (pve1), 101 (pve1)" or, without templates, how to make one. */
static void template_hint(const struct cluster_view *v, char *hint, size_t len)
{
    char list[LIST_TEXT_MAX] = "";
    for (size_t i = 0; i < v->n_vms; i++) {
        const struct inv_vm *vm = v->vm_by_id[i];
        if (!inv_vm_is_template(vm))
            continue;
        char one[96];
        snprintf(one, sizeof one, "%d (%s)", vm->vmid, vm->node ? vm->node : "?");
        list_add(list, sizeof list, one);
    }
    if (list[0])
        snprintf(hint, len, _("use the VMID of a template: %s"), list);
    else
        snprintf(hint, len, _("the cluster has no template yet: convert a VM to a template first"));
}

/* One machine; 1 when its template_node is not a node of the cluster. */
static int check_machine(struct plan *p, const struct stand *st, const struct stand_machine *mc,
                         const struct cluster_view *v)
{
    char hint[LIST_TEXT_MAX + 128];
    const struct inv_vm *t = inv_vm_find(v, mc->template_vmid);
    int unknown_node = !inv_node_find(v, mc->template_node);
    if (unknown_node) {
        node_hint(v, t, hint, sizeof hint);
        input_problem(p, st->path, mc->node_line, mc->node_col, hint,
                      _("machine '%s': node '%s' is not in the cluster"), mc->name,
                      mc->template_node);
    }
    if (!t) {
        template_hint(v, hint, sizeof hint);
        input_problem(p, st->path, mc->vmid_line, mc->vmid_col, hint,
                      _("machine '%s': template %d does not exist in the cluster"), mc->name,
                      mc->template_vmid);
    } else if (!inv_vm_is_template(t)) {
        snprintf(hint, sizeof hint,
                 _("convert it (`qm template %d` on %s, or More > Convert to template in the web "
                   "UI), or use the VMID of a template"),
                 t->vmid, t->node);
        input_problem(p, st->path, mc->vmid_line, mc->vmid_col, hint,
                      _("machine '%s': VM %d on %s is not a template (convert it first)"), mc->name,
                      mc->template_vmid, t->node);
    } else if (!unknown_node && t->node && strcmp(t->node, mc->template_node) != 0) {
        snprintf(hint, sizeof hint, _("write `template_node: %s`"), t->node);
        input_problem(p, st->path, mc->node_line, mc->node_col, hint,
                      _("machine '%s': template %d is on node %s, not on %s as the stand says"),
                      mc->name, mc->template_vmid, t->node, mc->template_node);
    }
    return unknown_node;
}

/* ---- bridges: reserved and literal names must not be something else -------------------------- */

static int is_bridge_type(const char *type)
{
    return strcmp(type, "bridge") == 0 || strcmp(type, "OVSBridge") == 0;
}

/* A reserved or literal bridge that a node's network lists as another kind of interface. */
static void check_bridge(struct plan *p, const struct stand *st, const struct stand_machine *mc,
                         const struct stand_net *n, const struct cluster_view *v)
{
    for (size_t i = 0; i < v->n_nets; i++) {
        const struct inv_iface *f = inv_iface_find(v, v->nets[i].node, n->name);
        if (!f || !f->type || is_bridge_type(f->type))
            continue;
        const char *hint =
            n->kind == STAND_NET_RESERVED
                ? _("a reserved bridge is a bridge the students share, created when missing; use "
                    "a name no node has for anything else, e.g. \"**vmbr100**\"")
                : _("name an existing bridge, e.g. vmbr0");
        input_problem(p, st->path, n->line, n->col, hint,
                      _("machine '%s': %s is an interface of type %s on %s, not a bridge"),
                      mc->name, n->name, f->type, v->nets[i].node);
        return;
    }
}

/* ---- students: realm and privileges ------------------------------------------------------- */

/* Proxmox VE's built-in roles that grant more than audit privileges (all but NoAccess, PVEAuditor
 * and PVEPoolUser), and deploy-stand's own student role. */
static const char *const builtin_privileged[] = {
    "Administrator",   "PVEAdmin",       "PVEDatastoreAdmin", "PVEDatastoreUser",
    "PVEMappingAdmin", "PVEMappingUser", "PVEPoolAdmin",      "PVESDNAdmin",
    "PVESDNUser",      "PVESysAdmin",    "PVETemplateUser",   "PVEUserAdmin",
    "PVEVMAdmin",      "PVEVMUser",      STAND_MANAGED_ROLE,  NULL};

/* 1 when a privilege list ("A,B" or a list of names) holds one that is not "*.Audit". */
static int privs_beyond_audit(const json_t *privs)
{
    const char *text = json_string_value(privs);
    for (const char *q = text; q && *q;) {
        q += strspn(q, ",; ");
        size_t l = strcspn(q, ",; ");
        if (l && !(l >= 6 && strncmp(q + l - 6, ".Audit", 6) == 0))
            return 1;
        q += l;
    }
    size_t i;
    json_t *x;
    json_array_foreach(privs, i, x)
    {
        const char *s = json_string_value(x);
        size_t l = s ? strlen(s) : 0;
        if (l && !(l >= 6 && strcmp(s + l - 6, ".Audit") == 0))
            return 1;
    }
    return 0;
}

int plan_role_is_privileged(const struct cluster_view *v, const char *roleid)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(v->raw, "roles"), i, r)
    {
        const char *id = json_string_value(json_object_get(r, "roleid"));
        if (id && strcmp(id, roleid) == 0)
            return privs_beyond_audit(json_object_get(r, "privs"));
    }
    for (i = 0; builtin_privileged[i]; i++)
        if (strcmp(builtin_privileged[i], roleid) == 0)
            return 1;
    return 0;
}

/* The paths whose roles reach every VM, pool, node or account of the cluster. */
static int is_wide_path(const char *path)
{
    static const char *const wide[] = {"/", "/access", "/nodes", "/pool", "/vms", NULL};
    for (size_t i = 0; path && wide[i]; i++)
        if (strcmp(path, wide[i]) == 0)
            return 1;
    return 0;
}

/* The first ACL that gives the existing user u, or one of its groups, a privileged role on a wide
 * path; NULL when none. */
static const struct inv_acl *privileged_acl(const struct cluster_view *v, const struct inv_user *u)
{
    for (size_t i = 0; i < v->n_acls; i++) {
        const struct inv_acl *a = &v->acls[i];
        if (!a->ugid || !a->roleid || !a->type || !is_wide_path(a->path))
            continue;
        int mine = (strcmp(a->type, "user") == 0 && strcmp(a->ugid, u->userid) == 0) ||
                   (strcmp(a->type, "group") == 0 && inv_user_in_group(u, a->ugid));
        if (mine && plan_role_is_privileged(v, a->roleid))
            return a;
    }
    return NULL;
}

static void check_student_privileges(struct plan *p, const struct users_list *ul,
                                     const struct user_entry *e, const struct cluster_view *v)
{
    const char *hint = _("leave this account out of the class list; each student needs an "
                         "account of their own without other rights");
    if (strcmp(e->userid, "root@pam") == 0) {
        input_problem(p, ul->path, e->line, e->col, hint,
                      _("'%s' is the cluster's superuser and cannot be a student"), e->userid);
        return;
    }
    const struct inv_user *u = inv_user_find(v, e->userid);
    const struct inv_acl *a = u ? privileged_acl(v, u) : NULL;
    if (!a)
        return;
    if (strcmp(a->type, "group") == 0)
        input_problem(p, ul->path, e->line, e->col, hint,
                      _("user %s already exists and has role %s on %s through group %s, more "
                        "than deploy-stand gives a student"),
                      e->userid, a->roleid, a->path, a->ugid);
    else
        input_problem(p, ul->path, e->line, e->col, hint,
                      _("user %s already exists and has role %s on %s, more than deploy-stand "
                        "gives a student"),
                      e->userid, a->roleid, a->path);
}

int plan_realm_external(const struct cluster_view *v, const char *userid)
{
    const char *at = strrchr(userid, '@');
    const struct inv_realm *r = at ? inv_realm_find(v, at + 1) : NULL;
    return r && r->type &&
           (strcmp(r->type, "ldap") == 0 || strcmp(r->type, "ad") == 0 ||
            strcmp(r->type, "openid") == 0);
}

/* The realm of the i-th student, when the cluster does not have it (or it is pam, whose users are
 * the nodes' Linux accounts) and no student before had it. */
static void check_student_realm(struct plan *p, const struct users_list *ul, size_t i,
                                const struct cluster_view *v)
{
    const struct user_entry *e = &ul->users[i];
    const char *realm = strrchr(e->userid, '@');
    const struct inv_realm *r = realm ? inv_realm_find(v, realm + 1) : NULL;
    if (r && r->type && strcmp(r->type, "pam") == 0 && strcmp(e->userid, "root@pam") != 0) {
        input_problem(p, ul->path, e->line, e->col,
                      _("put the students in the pve realm (user@pve), or in a directory realm "
                        "(LDAP, AD, OpenID) of the cluster"),
                      _("%s is in the pam realm: its users are Linux accounts that must exist "
                        "on every node, which deploy-stand does not create"),
                      e->userid);
        return;
    }
    if (!v->realms_read || !realm || r)
        return;
    realm++;
    for (size_t j = 0; j < i; j++) {
        const char *other = strrchr(ul->users[j].userid, '@');
        if (other && strcmp(other + 1, realm) == 0)
            return; /* reported at the first student of that realm */
    }
    char realms[LIST_TEXT_MAX] = "", hint[LIST_TEXT_MAX + 128];
    for (size_t j = 0; j < v->n_realms; j++)
        list_add(realms, sizeof realms, v->realms[j].realm);
    snprintf(hint, sizeof hint,
             _("use one of the cluster's realms (%s), or add the realm under Datacenter > "
               "Permissions > Realms"),
             realms);
    input_problem(p, ul->path, e->line, e->col, hint,
                  _("realm '%s' of %s does not exist on the cluster"), realm, e->userid);
}

int plan_check_inputs(struct plan *p, const struct plan_request *rq, const struct cluster_view *v)
{
    const struct stand *st = rq->stand;
    int unknown_node = 0;
    for (size_t m = 0; m < st->n_machines; m++) {
        const struct stand_machine *mc = &st->machines[m];
        unknown_node |= check_machine(p, st, mc, v);
        for (size_t i = 0; i < mc->n_nets; i++)
            if (mc->nets[i].kind != STAND_NET_ALIAS)
                check_bridge(p, st, mc, &mc->nets[i], v);
    }
    for (size_t i = 0; rq->users && i < rq->users->n; i++) {
        check_student_realm(p, rq->users, i, v);
        check_student_privileges(p, rq->users, &rq->users->users[i], v);
    }
    return unknown_node;
}
