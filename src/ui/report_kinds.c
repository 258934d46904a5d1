/* report_kinds: the counted form of each action kind for a plan's one-line summary ("66 changes:
 * create 3 users, create 3 pools, clone 9 VMs..."), in the language's plural form for the count.
 * The JSON keeps action_kind_name's stable words. */
#include "ui/report.h"
#include "util/i18n.h"

const char *report_kind_count(enum action_kind kind, size_t n)
{
    switch (kind) {
    case ACT_USER_CREATE:
        return ngettext("create %zu user", "create %zu users", n);
    case ACT_POOL_CREATE:
        return ngettext("create %zu pool", "create %zu pools", n);
    case ACT_ACL_GRANT:
        return ngettext("grant %zu role", "grant %zu roles", n);
    case ACT_BRIDGE_CREATE:
        return ngettext("create %zu bridge", "create %zu bridges", n);
    case ACT_NET_APPLY:
        return ngettext("apply the network of %zu node", "apply the network of %zu nodes", n);
    case ACT_VM_CLONE:
        return ngettext("clone %zu VM", "clone %zu VMs", n);
    case ACT_VM_CONFIGURE:
        return ngettext("configure %zu VM", "configure %zu VMs", n);
    case ACT_VM_STOP:
        return ngettext("stop %zu VM", "stop %zu VMs", n);
    case ACT_VM_DESTROY:
        return ngettext("destroy %zu VM", "destroy %zu VMs", n);
    case ACT_ACL_REVOKE:
        return ngettext("revoke %zu role", "revoke %zu roles", n);
    case ACT_POOL_DELETE:
        return ngettext("delete %zu pool", "delete %zu pools", n);
    case ACT_USER_DELETE:
        return ngettext("delete %zu user", "delete %zu users", n);
    case ACT_BRIDGE_DELETE:
        return ngettext("delete %zu bridge", "delete %zu bridges", n);
    case ACT_TPL_COPY:
        return ngettext("copy %zu template", "copy %zu templates", n);
    case ACT_TPL_CONVERT:
        return ngettext("convert %zu copy", "convert %zu copies", n);
    case ACT_TPL_MIGRATE:
        return ngettext("migrate %zu copy", "migrate %zu copies", n);
    case ACT_VM_SNAPSHOT:
        return ngettext("snapshot %zu VM", "snapshot %zu VMs", n);
    case ACT_VM_ROLLBACK:
        return ngettext("roll back %zu VM", "roll back %zu VMs", n);
    case ACT_SNAP_DELETE:
        return ngettext("delete %zu snapshot", "delete %zu snapshots", n);
    case ACT_VM_START:
        return ngettext("start %zu VM", "start %zu VMs", n);
    case ACT_VM_SHUTDOWN:
        return ngettext("shut down %zu VM", "shut down %zu VMs", n);
    case ACT_VM_REBOOT:
        return ngettext("reboot %zu VM", "reboot %zu VMs", n);
    case ACT_ROLE_ENSURE:
        return ngettext("ensure %zu role", "ensure %zu roles", n);
    case ACT_USER_EXPIRE:
        return ngettext("set the expiry of %zu user", "set the expiry of %zu users", n);
    default:
        return ngettext("%zu other change", "%zu other changes", n);
    }
}
