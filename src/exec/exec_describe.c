/* exec_describe: the Proxmox object and request of an action in words, for the audit log (never a
 * secret: passwords are written as "***"). */
#include "exec/exec.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Users, pools, ACLs, bridges and the network apply. */
static void describe_access(const struct plan *p, const struct action *a, char *object, size_t olen,
                            char *request, size_t rlen)
{
    const char *userid = a->student >= 0 ? p->students[a->student].userid : "?";
    int create = a->kind == ACT_USER_CREATE || a->kind == ACT_POOL_CREATE;
    switch (a->kind) {
    case ACT_USER_CREATE:
    case ACT_USER_DELETE:
        snprintf(object, olen, "user %s", a->target);
        snprintf(request, rlen, "%s /access/users%s%s%s", create ? "POST" : "DELETE",
                 create ? " userid=" : "/", a->target,
                 create ? " password=*** comment=(mark)" : "");
        if (create && a->expire > 0) {
            size_t l = strlen(request);
            snprintf(request + l, rlen - l, " expire=%lld", a->expire);
        }
        return;
    case ACT_POOL_CREATE:
    case ACT_POOL_DELETE:
        snprintf(object, olen, "pool %s", a->target);
        snprintf(request, rlen, "%s /pools%s%s", create ? "POST" : "DELETE",
                 create ? " poolid=" : "/", a->target);
        return;
    case ACT_ACL_GRANT:
    case ACT_ACL_REVOKE:
        snprintf(object, olen, "ACL %s %s %s", a->target, a->role, userid);
        snprintf(request, rlen, "PUT /access/acl path=%s roles=%s users=%s%s", a->target, a->role,
                 userid, a->kind == ACT_ACL_REVOKE ? " delete=1" : "");
        return;
    case ACT_BRIDGE_CREATE:
    case ACT_BRIDGE_DELETE:
        snprintf(object, olen, "bridge %s on %s", a->target, a->node);
        if (a->kind == ACT_BRIDGE_CREATE)
            snprintf(request, rlen, "POST /nodes/%s/network iface=%s type=bridge%s", a->node,
                     a->target, a->vlan_aware ? " bridge_vlan_aware=1" : "");
        else
            snprintf(request, rlen, "DELETE /nodes/%s/network/%s", a->node, a->target);
        return;
    case ACT_NET_APPLY:
        snprintf(object, olen, "network of %s", a->node);
        snprintf(request, rlen, "PUT /nodes/%s/network", a->node);
        return;
    case ACT_ROLE_ENSURE:
        snprintf(object, olen, "role %s", a->role);
        snprintf(request, rlen,
                 "GET /access/roles/%s, then POST /access/roles roleid=%s privs=%s "
                 "or PUT /access/roles/%s append=1 privs=(missing ones)",
                 a->role, a->role, a->target, a->role);
        return;
    case ACT_USER_EXPIRE:
        snprintf(object, olen, "user %s", a->target);
        snprintf(request, rlen, "PUT /access/users/%s expire=%lld", a->target, a->expire);
        return;
    default:
        snprintf(object, olen, "?");
        snprintf(request, rlen, "?");
    }
}

/* Power and snapshot requests of a VM. */
static void describe_vm_lifecycle(const struct action *a, const char *node, int vmid, char *request,
                                  size_t rlen)
{
    char base[160];
    snprintf(base, sizeof base, "/nodes/%s/qemu/%d", node, vmid);
    switch (a->kind) {
    case ACT_VM_STOP:
    case ACT_VM_START:
        snprintf(request, rlen, "POST %s/status/%s", base,
                 a->kind == ACT_VM_STOP ? "stop" : "start");
        return;
    case ACT_VM_SHUTDOWN:
        snprintf(request, rlen,
                 "POST %s/status/shutdown timeout=%d (then POST %s/status/stop if "
                 "still running)",
                 base, a->timeout_s, base);
        return;
    case ACT_VM_REBOOT:
        snprintf(request, rlen, "POST %s/status/reboot timeout=%d", base, a->timeout_s);
        return;
    case ACT_VM_SNAPSHOT:
        snprintf(request, rlen, "POST %s/snapshot snapname=%s description=(mark)", base, a->target);
        return;
    case ACT_VM_ROLLBACK:
        snprintf(request, rlen, "POST %s/snapshot/%s/rollback%s", base, a->target,
                 a->start ? " start=1" : "");
        return;
    case ACT_SNAP_DELETE:
        snprintf(request, rlen, "DELETE %s/snapshot/%s", base, a->target);
        return;
    default:
        snprintf(request, rlen, "?");
    }
}

/* A student's VM (clone, configure, destroy, power, snapshots) with the id it has. */
static void describe_vm(const struct plan *p, const struct action *a, int vmid, char *object,
                        size_t olen, char *request, size_t rlen)
{
    const struct plan_student *ps = &p->students[a->student];
    const struct plan_vm *vm = &ps->vms[a->vm];
    snprintf(object, olen, "VM %d on %s", vmid, vm->node);
    if (a->kind == ACT_VM_CLONE) {
        snprintf(request, rlen, "POST /nodes/%s/qemu/%d/clone newid=%d name=%s pool=%s full=%d",
                 vm->src_node, vm->copy >= 0 ? p->copies[vm->copy].vmid : vm->src_vmid, vmid,
                 vm->name, ps->pool, vm->full);
    } else if (a->kind == ACT_VM_CONFIGURE) {
        char *params = json_dumps(a->params, JSON_COMPACT | JSON_SORT_KEYS);
        snprintf(request, rlen, "PUT /nodes/%s/qemu/%d/config %s", vm->node, vmid,
                 params ? params : "");
        free(params);
    } else if (a->kind == ACT_VM_DESTROY) {
        snprintf(request, rlen, "DELETE /nodes/%s/qemu/%d purge=1", vm->node, vmid);
    } else {
        describe_vm_lifecycle(a, vm->node, vmid, request, rlen);
    }
}

/* A template copy (copy, convert, migrate; an undo removes an unfinished one). */
static void describe_copy(const struct action *a, const struct plan_copy *pc, int vmid,
                          char *object, size_t olen, char *request, size_t rlen)
{
    snprintf(object, olen, "template copy %d of %d", vmid, pc->orig);
    if (a->kind == ACT_TPL_COPY)
        snprintf(request, rlen, "POST /nodes/%s/qemu/%d/clone newid=%d name=%s full=1",
                 pc->orig_node, pc->orig, vmid, pc->name);
    else if (a->kind == ACT_TPL_CONVERT)
        snprintf(request, rlen, "POST /nodes/%s/qemu/%d/template", pc->orig_node, vmid);
    else if (a->kind == ACT_TPL_MIGRATE)
        snprintf(request, rlen, "POST /nodes/%s/qemu/%d/migrate target=%s", pc->orig_node, vmid,
                 pc->node);
    else
        snprintf(request, rlen, "DELETE /nodes/%s/qemu/%d purge=1", a->node, vmid);
}

void exec_action_describe(const struct plan *p, const struct action *a, int vmid, char *object,
                          size_t olen, char *request, size_t rlen)
{
    if (a->copy >= 0) {
        const struct plan_copy *pc = &p->copies[a->copy];
        describe_copy(a, pc, vmid ? vmid : pc->vmid, object, olen, request, rlen);
    } else if (a->student >= 0 && a->vm >= 0) {
        int planned = p->students[a->student].vms[a->vm].vmid;
        describe_vm(p, a, vmid ? vmid : planned, object, olen, request, rlen);
    } else {
        describe_access(p, a, object, olen, request, rlen);
    }
}
