/* sim_roles: the built-in Proxmox VE 8.4 roles as a table of their exact privilege lists
 * (PVE::AccessControl::create_roles, pve-access-control stable-bookworm), and all privileges. */
#include "sim_roles.h"
#include "pve_format.h"

#include <stdlib.h>
#include <string.h>

/* The privileges of no role but Administrator: the privilege groups' root ones and
 * Permissions.Modify (in no group). Administrator has these and every other role's. */
static const char *const root_privs[] = {"Permissions.Modify",
                                         "Realm.Allocate",
                                         "Sys.AccessNetwork",
                                         "Sys.Incoming",
                                         "Sys.Modify",
                                         "Sys.PowerMgmt",
                                         NULL};

#define VM_USER                                                                                    \
    "VM.Audit", "VM.Backup", "VM.Config.CDROM", "VM.Config.Cloudinit", "VM.Console", "VM.PowerMgmt"
#define VM_ADMIN                                                                                   \
    VM_USER, "VM.Allocate", "VM.Clone", "VM.Config.CPU", "VM.Config.Disk", "VM.Config.HWType",     \
        "VM.Config.Memory", "VM.Config.Network", "VM.Config.Options", "VM.Migrate", "VM.Monitor",  \
        "VM.Snapshot", "VM.Snapshot.Rollback"
#define SYS_ADMIN "Sys.Audit", "Sys.Console", "Sys.Syslog"
#define DATASTORE_USER "Datastore.AllocateSpace", "Datastore.Audit"
#define DATASTORE_ADMIN DATASTORE_USER, "Datastore.Allocate", "Datastore.AllocateTemplate"
#define SDN_USER "SDN.Audit", "SDN.Use"
#define SDN_ADMIN SDN_USER, "SDN.Allocate"
#define USER_ADMIN "Group.Allocate", "Realm.AllocateUser", "User.Modify"
#define POOL_USER "Pool.Audit"
#define POOL_ADMIN POOL_USER, "Pool.Allocate"
#define MAPPING_USER "Mapping.Audit", "Mapping.Use"
#define MAPPING_ADMIN MAPPING_USER, "Mapping.Modify"

/* Built-in roles: PVE<cat>Admin = the category's admin, user and audit privileges; PVE<cat>User
 * (categories with user privileges) = user and audit; PVEAdmin = every category's admin, user
 * and audit privileges except Mapping.Modify; PVEAuditor = every audit privilege; Administrator
 * = all (root_privs and the union of the others, filled in below); NoAccess = none. */
static const struct builtin_role {
    const char *id;
    const char *privs[48];
} builtin[] = {
    {"Administrator", {NULL}},
    {"NoAccess", {NULL}},
    {"PVEAdmin",
     {VM_ADMIN, SYS_ADMIN, DATASTORE_ADMIN, SDN_ADMIN, USER_ADMIN, POOL_ADMIN, MAPPING_USER, NULL}},
    {"PVEAuditor",
     {"Datastore.Audit", "Mapping.Audit", "Pool.Audit", "SDN.Audit", "Sys.Audit", "VM.Audit",
      NULL}},
    {"PVEDatastoreAdmin", {DATASTORE_ADMIN, NULL}},
    {"PVEDatastoreUser", {DATASTORE_USER, NULL}},
    {"PVEMappingAdmin", {MAPPING_ADMIN, NULL}},
    {"PVEMappingUser", {MAPPING_USER, NULL}},
    {"PVEPoolAdmin", {POOL_ADMIN, NULL}},
    {"PVEPoolUser", {POOL_USER, NULL}},
    {"PVESDNAdmin", {SDN_ADMIN, NULL}},
    {"PVESDNUser", {SDN_USER, NULL}},
    {"PVESysAdmin", {SYS_ADMIN, NULL}},
    {"PVETemplateUser", {"VM.Audit", "VM.Clone", NULL}},
    {"PVEUserAdmin", {USER_ADMIN, NULL}},
    {"PVEVMAdmin", {VM_ADMIN, NULL}},
    {"PVEVMUser", {VM_USER, NULL}},
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

/* Adds the list's privileges that a (a JSON array) lacks. */
static void add_privs(json_t *a, const char *const *l)
{
    for (; *l; l++) {
        size_t i;
        json_t *v;
        int have = 0;
        json_array_foreach(a, i, v)
        {
            have |= strcmp(json_string_value(v), *l) == 0;
        }
        if (!have)
            json_array_append_new(a, json_string(*l));
    }
}

/* The array sorted as PVE prints a role's privileges (sort keys). */
static json_t *sorted(json_t *a)
{
    size_t n = json_array_size(a);
    json_t **v = calloc(n ? n : 1, sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = json_incref(json_array_get(a, i));
    qsort(v, n, sizeof *v, cmp_str);
    json_array_clear(a);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, v[i]);
    free(v);
    return a;
}

void sim_roles_builtin(json_t *roles)
{
    json_t *all = json_array();
    add_privs(all, root_privs);
    for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++) {
        json_t *a = json_array();
        add_privs(a, builtin[i].privs);
        add_privs(all, builtin[i].privs);
        json_object_set_new(roles, builtin[i].id,
                            json_pack("{s:o, s:i}", "privs", sorted(a), "special", 1));
    }
    json_object_set_new(json_object_get(roles, "Administrator"), "privs", sorted(all));
}

int sim_roles_is_special(const json_t *roles, const char *roleid)
{
    json_t *sp = json_object_get(json_object_get(roles, roleid), "special");
    return json_is_true(sp) || json_integer_value(sp) != 0;
}

int sim_priv_known(const char *priv)
{
    char msg[128];
    return pve_format_check("pve-priv", priv, msg, sizeof msg);
}
