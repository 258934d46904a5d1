/* sim_roles: the built-in Proxmox VE 8 roles with their privilege lists, rebuilt from the
 * privilege groups (root/admin/user/audit) of PVE::AccessControl. */
#include "sim_roles.h"

#include <stdio.h>
#include <string.h>

/* Privilege groups as in PVE::AccessControl ($privgroups): root, admin, user, audit. */
struct privgroup {
    const char *name;
    const char *root[5], *admin[16], *user[8], *audit[4];
};

static const struct privgroup groups[] = {
    {"VM",
     {NULL},
     {"VM.Config.Disk", "VM.Config.CPU", "VM.Config.Memory", "VM.Config.Network",
      "VM.Config.HWType", "VM.Config.Options", "VM.Allocate", "VM.Clone", "VM.Migrate",
      "VM.Monitor", "VM.Snapshot", "VM.Snapshot.Rollback", NULL},
     {"VM.Config.CDROM", "VM.Config.Cloudinit", "VM.Console", "VM.Backup", "VM.PowerMgmt", NULL},
     {"VM.Audit", NULL}},
    {"Sys",
     {"Sys.PowerMgmt", "Sys.Modify", "Sys.Incoming", "Sys.AccessNetwork", NULL},
     {"Sys.Console", "Sys.Syslog", NULL},
     {NULL},
     {"Sys.Audit", NULL}},
    {"Datastore",
     {NULL},
     {"Datastore.Allocate", "Datastore.AllocateTemplate", NULL},
     {"Datastore.AllocateSpace", NULL},
     {"Datastore.Audit", NULL}},
    {"SDN", {NULL}, {"SDN.Allocate", "SDN.Audit", NULL}, {"SDN.Use", NULL}, {"SDN.Audit", NULL}},
    {"User",
     {"Realm.Allocate", NULL},
     {"User.Modify", "Group.Allocate", "Realm.AllocateUser", NULL},
     {NULL},
     {NULL}},
    {"Pool", {NULL}, {"Pool.Allocate", NULL}, {"Pool.Audit", NULL}, {"Pool.Audit", NULL}},
    {"Mapping", {NULL}, {"Mapping.Modify", NULL}, {"Mapping.Use", NULL}, {"Mapping.Audit", NULL}},
};
#define NGROUPS (sizeof groups / sizeof groups[0])

static void add_unique(json_t *a, const char *p)
{
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        if (strcmp(json_string_value(v), p) == 0)
            return;
    }
    json_array_append_new(a, json_string(p));
}

static void add_list(json_t *a, const char *const *l)
{
    for (int i = 0; l[i]; i++)
        add_unique(a, l[i]);
}

/* levels: bit 0 root, 1 admin, 2 user, 3 audit */
static void add_group(json_t *a, const char *name, int levels)
{
    for (size_t g = 0; g < NGROUPS; g++) {
        if (name && strcmp(groups[g].name, name) != 0)
            continue;
        if (levels & 1)
            add_list(a, groups[g].root);
        if (levels & 2)
            add_list(a, groups[g].admin);
        if (levels & 4)
            add_list(a, groups[g].user);
        if (levels & 8)
            add_list(a, groups[g].audit);
    }
}

static void set_role(json_t *roles, const char *id, json_t *privs)
{
    json_object_set_new(roles, id, json_pack("{s:o, s:i}", "privs", privs, "special", 1));
}

/* PVE::AccessControl::create_roles: Administrator has every privilege, NoAccess none;
 * PVE<cat>Admin the admin, user and audit privileges of its category, PVE<cat>User (categories
 * with user privileges) the user and audit ones, PVEAdmin every category's admin, user and audit
 * privileges but Mapping.Modify, PVEAuditor every audit privilege; plus PVETemplateUser. */
void sim_roles_builtin(json_t *roles)
{
    json_t *a = json_array();
    add_group(a, NULL, 15);
    add_unique(a, "Permissions.Modify");
    set_role(roles, "Administrator", a);
    set_role(roles, "NoAccess", json_array());
    json_t *admin = json_array(), *auditor = json_array();
    for (size_t g = 0; g < NGROUPS; g++) {
        char id[64];
        a = json_array();
        add_group(a, groups[g].name, 14);
        snprintf(id, sizeof id, "PVE%sAdmin", groups[g].name);
        set_role(roles, id, a);
        if (groups[g].user[0]) {
            a = json_array();
            add_group(a, groups[g].name, 12);
            snprintf(id, sizeof id, "PVE%sUser", groups[g].name);
            set_role(roles, id, a);
        }
        add_group(admin, groups[g].name, 14);
        add_group(auditor, groups[g].name, 8);
    }
    for (size_t i = json_array_size(admin); i-- > 0;)
        if (strcmp(json_string_value(json_array_get(admin, i)), "Mapping.Modify") == 0)
            json_array_remove(admin, i);
    set_role(roles, "PVEAdmin", admin);
    set_role(roles, "PVEAuditor", auditor);
    a = json_array();
    add_unique(a, "VM.Audit");
    add_unique(a, "VM.Clone");
    set_role(roles, "PVETemplateUser", a);
}

int sim_roles_is_special(const json_t *roles, const char *roleid)
{
    json_t *sp = json_object_get(json_object_get(roles, roleid), "special");
    return json_is_true(sp) || json_integer_value(sp) != 0;
}

int sim_priv_known(const char *priv)
{
    if (strcmp(priv, "Permissions.Modify") == 0)
        return 1;
    for (size_t g = 0; g < NGROUPS; g++) {
        const char *const *lists[] = {groups[g].root, groups[g].admin, groups[g].user,
                                      groups[g].audit};
        for (int l = 0; l < 4; l++)
            for (int i = 0; lists[l][i]; i++)
                if (strcmp(lists[l][i], priv) == 0)
                    return 1;
    }
    return 0;
}
