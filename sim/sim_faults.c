/* sim_faults: deterministic fault injection with the messages real PVE 8.4 produces for lock
 * timeouts (notes: "Concurrency and failure modes" B, C, D, E). */
#include "sim_faults.h"
#include "sim_model.h"

#include <stdio.h>
#include <string.h>

void sim_faults_init(struct sim_faults *f, unsigned long seed, double fail_rate,
                     double task_fail_rate)
{
    f->rng = (uint64_t)seed * 0x2545F4914F6CDD1DULL + 1;
    f->fail_rate = fail_rate;
    f->task_fail_rate = task_fail_rate;
}

static double draw(struct sim_faults *f)
{
    return (double)(sim_rng_next(&f->rng) >> 11) / 9007199254740992.0;
}

void sim_faults_set_match(struct sim_faults *f, const char *text)
{
    snprintf(f->match, sizeof f->match, "%s", text ? text : "");
}

static int names_match(const struct sim_faults *f, const char *path, const json_t *params)
{
    if (!f->match[0])
        return 0;
    if (strstr(path, f->match))
        return 1;
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)params, k, v)
    {
        (void)k;
        if (json_is_string(v) && strstr(json_string_value(v), f->match))
            return 1;
    }
    return 0;
}

int sim_faults_request(struct sim_faults *f, const char *method, const char *path,
                       const json_t *params, char *msg, size_t msglen)
{
    if (!names_match(f, path, params) && (f->fail_rate <= 0 || draw(f) >= f->fail_rate))
        return 0;
    unsigned vmid;
    char node[64];
    if (sscanf(path, "/nodes/%63[^/]/qemu/%u", node, &vmid) == 2) {
        snprintf(msg, msglen, "can't lock file '/var/lock/qemu-server/lock-%u.conf' - got timeout",
                 vmid);
    } else if (strstr(path, "/network")) {
        snprintf(msg, msglen, "can't lock file '/etc/network/.pve-interfaces.lock' - got timeout");
    } else if (strncmp(path, "/pools", 6) == 0) {
        const char *op = strcmp(method, "POST") == 0     ? "create pool"
                         : strcmp(method, "DELETE") == 0 ? "delete pool"
                                                         : "update pools";
        snprintf(msg, msglen, "%s failed: cfs-lock 'file-user_cfg' error: got lock request timeout",
                 op);
    } else if (strncmp(path, "/access/users", 13) == 0) {
        const char *op = strcmp(method, "POST") == 0     ? "create user"
                         : strcmp(method, "DELETE") == 0 ? "delete user"
                                                         : "update user";
        if (strstr(path, "/token/"))
            op = strcmp(method, "DELETE") == 0 ? "delete token" : "create token";
        snprintf(msg, msglen, "%s failed: cfs-lock 'file-user_cfg' error: got lock request timeout",
                 op);
    } else if (strncmp(path, "/access/acl", 11) == 0) {
        snprintf(msg, msglen,
                 "ACL update failed: cfs-lock 'file-user_cfg' error: got lock request timeout");
    } else {
        snprintf(msg, msglen, "cfs-lock 'file-user_cfg' error: got lock request timeout");
    }
    return 1;
}

int sim_faults_task(struct sim_faults *f, const char *type, const char *id, const char *storage,
                    char *msg, size_t msglen)
{
    if (f->task_fail_rate <= 0 || draw(f) >= f->task_fail_rate)
        return 0;
    if (strcmp(type, "qmclone") == 0)
        snprintf(
            msg, msglen,
            "clone failed: can't lock file '/var/lock/pve-manager/pve-storage-%s' - got timeout",
            storage && storage[0] ? storage : "local-lvm");
    else if (strcmp(type, "srvreload") == 0)
        snprintf(msg, msglen, "command 'ifreload -a' failed: exit code 89");
    else
        snprintf(msg, msglen, "can't lock file '/var/lock/qemu-server/lock-%s.conf' - got timeout",
                 id && id[0] ? id : "0");
    return 1;
}
