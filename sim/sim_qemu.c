/* sim_qemu: the QEMU endpoints that work on a VM in place (/nodes/{node}/qemu/...): list, index,
 * config get/put/post, power and status, with PVE's synchronous checks and task semantics. */
#include "pve_propstr.h"
#include "pve_schema.h"
#include "sim_api.h"
#include "sim_tasks.h"
#include "sim_vm_ops.h"

#include "ds_clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *vm_list_entry(const struct sim_model *m, const struct sim_vm *vm)
{
    json_t *o =
        json_pack("{s:i, s:s, s:I, s:I, s:i, s:I, s:I}", "vmid", (int)vm->vmid, "status",
                  vm->running ? "running" : "stopped", "maxmem", (json_int_t)sim_vm_maxmem(vm),
                  "maxdisk", (json_int_t)sim_vm_maxdisk(vm), "cpus", sim_vm_cpus(vm), "mem",
                  (json_int_t)(vm->running ? sim_vm_maxmem(vm) / 2 : 0), "uptime",
                  (json_int_t)sim_vm_uptime(m, vm));
    const char *name = json_string_value(json_object_get(vm->config, "name"));
    json_object_set_new(o, "name", json_string(name ? name : ""));
    if (sim_vm_is_template(vm))
        json_object_set_new(o, "template", json_integer(1));
    json_t *tags = json_object_get(vm->config, "tags");
    if (tags)
        json_object_set(o, "tags", tags);
    if (sim_vm_lock(vm))
        json_object_set_new(o, "lock", json_string(sim_vm_lock(vm)));
    json_object_set_new(o, "cpu", json_real(vm->running ? 0.01 : 0));
    if (vm->running)
        json_object_set_new(o, "pid", json_integer(10000 + vm->vmid));
    return o;
}

static int h_list(struct sim_req *r)
{
    struct sim_node *n = sim_req_node(r);
    if (!n)
        return -1;
    json_t *a = json_array();
    for (size_t i = 0; i < r->model->n_vms; i++) {
        struct sim_vm *vm = r->model->vms[i];
        if (strcmp(vm->node, n->name) == 0 && sim_req_vm_allowed(r, vm, "VM.Audit"))
            json_array_append_new(a, vm_list_entry(r->model, vm));
    }
    return sim_ok(r, a);
}

static int h_vm_index(struct sim_req *r)
{
    if (!sim_req_vm(r))
        return -1;
    static const char *const subs[] = {"config",  "pending",  "status",   "snapshot", "clone",
                                       "migrate", "template", "firewall", "rrd",      NULL};
    json_t *a = json_array();
    for (int i = 0; subs[i]; i++)
        json_array_append_new(a, json_pack("{s:s}", "subdir", subs[i]));
    return sim_ok(r, a);
}

static json_t *config_view(const struct sim_vm *vm)
{
    json_t *c = json_deep_copy(vm->config);
    char digest[41];
    sim_vm_digest(vm, digest);
    json_object_set_new(c, "digest", json_string(digest));
    return c;
}

static int h_config_get(struct sim_req *r)
{
    struct sim_vm *vm = sim_req_vm(r);
    if (!vm)
        return -1;
    const char *snap = sim_p_str(r, "snapshot");
    if (snap) {
        json_t *s = sim_vm_snapshot_find(vm, snap, NULL);
        if (!s)
            return sim_fail(r, 500, "snapshot '%s' does not exist", snap);
        return sim_ok(r, json_deep_copy(json_object_get(s, "config")));
    }
    return sim_ok(r, config_view(vm));
}

static const json_t *net_format(const struct sim_req *r)
{
    json_t *props = json_object_get(r->ep->parameters, "properties");
    return json_object_get(json_object_get(props, "net[n]"), "format");
}

static void normalize_tags(json_t *config)
{
    const char *t = json_string_value(json_object_get(config, "tags"));
    if (!t)
        return;
    char *out = malloc(strlen(t) + 1);
    if (!out)
        return;
    size_t o = 0;
    int sep = 0;
    for (const char *p = t; *p; p++) {
        if (*p == ',' || *p == ';' || *p == ' ' || *p == '\t') {
            sep = o > 0;
            continue;
        }
        if (sep)
            out[o++] = ';';
        sep = 0;
        out[o++] = *p;
    }
    out[o] = '\0';
    json_object_set_new(config, "tags", json_string(out));
    free(out);
}

/* The privilege PVE's check_vm_modify_config_perm wants for one config option. */
static const char *config_priv(const char *key)
{
    static const char *const cpu[] = {"cores",    "sockets",  "cpu",  "vcpus", "cpulimit",
                                      "cpuunits", "affinity", "numa", NULL};
    static const char *const mem[] = {"memory", "balloon", "shares", "hugepages", NULL};
    static const char *const ci[] = {"ciuser",       "cipassword", "nameserver",
                                     "searchdomain", "sshkeys",    "cicustom",
                                     "citype",       "ciupgrade",  NULL};
    static const char *const opts[] = {"name",   "description", "tags",     "onboot",    "boot",
                                       "ostype", "protection",  "startup",  "agent",     "template",
                                       "lock",   "hookscript",  "keyboard", "localtime", "tablet",
                                       "freeze", "startdate",   "reboot",   NULL};
    const char *const *lists[] = {cpu, mem, ci, opts};
    const char *privs[] = {"VM.Config.CPU", "VM.Config.Memory", "VM.Config.Cloudinit",
                           "VM.Config.Options"};
    for (int l = 0; l < 4; l++)
        for (int i = 0; lists[l][i]; i++)
            if (strcmp(lists[l][i], key) == 0)
                return privs[l];
    if (sim_config_is_net(key))
        return "VM.Config.Network";
    if (strncmp(key, "ipconfig", 8) == 0)
        return "VM.Config.Cloudinit";
    if (sim_config_is_disk(key))
        return "VM.Config.Disk";
    return "VM.Config.HWType";
}

/* 1 for the parameters of a config request that are not config options (the path, delete,
 * digest and the flags). */
static int is_control_param(const char *k)
{
    static const char *const control[] = {"node",   "vmid",     "delete", "revert",
                                          "digest", "skiplock", "force",  "background_delay",
                                          NULL};
    for (int i = 0; control[i]; i++)
        if (strcmp(control[i], k) == 0)
            return 1;
    return 0;
}

/* 0 when the caller may change every option in params (and delete); else fills a 403. */
static int config_perm_check(struct sim_req *r, const struct sim_vm *vm)
{
    char path[64];
    snprintf(path, sizeof path, "/vms/%u", vm->vmid);
    const char *k;
    json_t *v;
    json_object_foreach(r->params, k, v)
    {
        const char *priv = config_priv(k);
        if (!is_control_param(k) && !sim_req_allowed(r, path, priv))
            return sim_perm_fail(r, path, priv);
    }
    const char *del = sim_p_str(r, "delete");
    if (del) {
        char *dl = strdup(del), *save = NULL;
        for (char *d = strtok_r(dl, ",; ", &save); d; d = strtok_r(NULL, ",; ", &save)) {
            const char *priv = config_priv(d);
            if (!sim_req_allowed(r, path, priv)) {
                sim_perm_fail(r, path, priv);
                free(dl);
                return -1;
            }
        }
        free(dl);
    }
    return 0;
}

/* qemu-server's option_exists: a VM config key (an indexed one within its range), the keys
 * only the config file carries, or the cdrom alias. */
static int option_exists(const struct sim_req *r, const char *key)
{
    static const char *const file_only[] = {"vmstate",    "parent", "snaptime", "runningmachine",
                                            "runningcpu", "meta",   "cdrom",    NULL};
    for (int i = 0; file_only[i]; i++)
        if (strcmp(key, file_only[i]) == 0)
            return 1;
    if (is_control_param(key))
        return 0;
    json_t *probe = json_pack("{s:s, s:O, s:s}", "node", sim_p_str(r, "node"), "vmid",
                              json_object_get(r->params, "vmid"), key, "");
    json_t *errors = pve_schema_validate(r->ep, probe, NULL);
    const char *e = json_string_value(json_object_get(errors, key));
    int known = !e || !strstr(e, "property is not defined in schema");
    json_decref(errors);
    json_decref(probe);
    return known;
}

/* update_vm_api's checks of delete= and revert= before it locks the VM (400s). 0 or -1. */
static int config_list_check(struct sim_req *r)
{
    const char *lists[] = {sim_p_str(r, "revert"), sim_p_str(r, "delete")};
    int rc = 0;
    for (int l = 0; l < 2 && rc == 0; l++) {
        char *dl = strdup(lists[l] ? lists[l] : ""), *save = NULL;
        for (char *d = strtok_r(dl, ",; \t\n", &save); d && rc == 0;
             d = strtok_r(NULL, ",; \t\n", &save)) {
            const char *opt = l == 1 && strcmp(d, "cdrom") == 0 ? "ide2" : d;
            if (l == 1 && sim_p_has(r, opt))
                rc = sim_param_fail(
                    r, "delete", "you can't use '-%s' and -delete %s' at the same time", opt, opt);
            else if (!option_exists(r, opt))
                rc = sim_param_fail(r, l ? "delete" : "revert", "unknown option '%s'", opt);
        }
        free(dl);
    }
    return rc;
}

/* 1 when the request names no option to set, delete or revert. */
static int config_empty(const struct sim_req *r)
{
    const char *k;
    json_t *v;
    json_object_foreach(r->params, k, v)
    {
        if (!is_control_param(k) || strcmp(k, "delete") == 0 || strcmp(k, "revert") == 0)
            return 0;
    }
    return 1;
}

/* Applies PUT/POST config parameters: the checks PVE makes before the lock, the VM's flock
 * (wait, see sim_req_flock), then digest, lock property and the change. 0 or -1. */
static int config_apply(struct sim_req *r, struct sim_vm *vm)
{
    static const char *const root_only[] = {"skiplock", NULL};
    if (sim_req_root_params(r, root_only) != 0)
        return -1;
    if (config_empty(r))
        return sim_fail(r, 500, "no options specified");
    if (config_list_check(r) != 0 || config_perm_check(r, vm) != 0 ||
        sim_req_flock(r, vm->vmid) != 0)
        return -1;
    const char *digest = sim_p_str(r, "digest");
    if (digest) {
        char cur[41];
        sim_vm_digest(vm, cur);
        if (strcmp(cur, digest) != 0)
            return sim_fail(r, 500, "checksum mismatch (file change by other user?)");
    }
    const char *lock = sim_vm_lock(vm);
    if (lock && !sim_p_int(r, "skiplock", 0))
        return sim_fail(r, 500, "VM is locked (%s)", lock);
    json_t *newconf = json_deep_copy(vm->config);
    const char *k;
    json_t *v;
    json_object_foreach(r->params, k, v)
    {
        if (is_control_param(k))
            continue;
        if (sim_config_is_net(k) && json_is_string(v)) {
            char err[256];
            json_t *net = pve_propstr_parse(net_format(r), json_string_value(v), err, sizeof err);
            if (!net) {
                json_decref(newconf);
                return sim_param_fail(r, k, "%s", err);
            }
            if (!json_object_get(net, "macaddr")) {
                char mac[18];
                sim_mac_random(r->rng, mac);
                json_object_set_new(net, "macaddr", json_string(mac));
            }
            char *canon = pve_propstr_print(net_format(r), net);
            json_decref(net);
            json_object_set_new(newconf, k, json_string(canon ? canon : json_string_value(v)));
            free(canon);
            continue;
        }
        if (strcmp(k, "template") == 0 && json_integer_value(v) == 0) {
            json_object_del(newconf, "template");
            continue;
        }
        json_object_set(newconf, k, v);
    }
    const char *del = sim_p_str(r, "delete");
    if (del) {
        char *dl = strdup(del), *save = NULL;
        for (char *d = strtok_r(dl, ",; ", &save); d; d = strtok_r(NULL, ",; ", &save)) {
            json_object_del(newconf, strcmp(d, "cdrom") == 0 ? "ide2" : d);
        }
        free(dl);
    }
    normalize_tags(newconf);
    json_decref(vm->config);
    vm->config = newconf;
    return 0;
}

static int h_config_put(struct sim_req *r)
{
    struct sim_vm *vm = sim_req_vm(r);
    if (!vm || config_apply(r, vm) != 0)
        return -1;
    return sim_ok(r, NULL);
}

static void done_noop(struct sim_model *m, struct sim_task *t, int ok)
{
    (void)m;
    (void)t;
    (void)ok;
}

static int h_config_post(struct sim_req *r)
{
    struct sim_vm *vm = sim_req_vm(r);
    if (!vm || config_apply(r, vm) != 0)
        return -1;
    struct sim_task *t = sim_vm_task(r, vm, "qmconfig", NULL, NULL, NULL, done_noop);
    if (t) {
        const char *k;
        json_t *v;
        json_object_foreach(r->params, k, v)
        {
            if (strcmp(k, "node") && strcmp(k, "vmid") && json_is_string(v))
                sim_task_log(t, "update VM %u: -%s %s", vm->vmid, k, json_string_value(v));
        }
    }
    return t ? 0 : -1;
}

/* ---- power and status -----------------------------------------------------------------------
 * Each power call forks its worker at once (200 with a UPID); what PVE's worker checks first
 * fails the task. ctx "to" is the power state the task leaves behind when it succeeds: "running"
 * (started at its end), "stopped", or "restart" (a reboot: stopped, then started again by
 * qmeventd); none when the task changes nothing. */

static void power_done(struct sim_model *m, struct sim_task *t, int ok)
{
    struct sim_vm *vm = sim_task_vm(m, t);
    const char *to = json_string_value(json_object_get(t->ctx, "to"));
    if (!vm || !ok || !to)
        return;
    vm->running = strcmp(to, "stopped") != 0;
    if (vm->running)
        vm->started = t->end;
}

/* Starts a power task of work_ns (unscaled) that leaves the VM `to` (NULL: unchanged). */
static struct sim_task *power_task(struct sim_req *r, struct sim_vm *vm, const char *type,
                                   int64_t work_ns, const char *to)
{
    json_t *ctx = to ? json_pack("{s:s}", "to", to) : NULL;
    return sim_vm_task_ns(r, vm, type, work_ns, ctx, power_done);
}

static int h_start(struct sim_req *r)
{
    static const char *const root_only[] = {
        "skiplock",          "stateuri",      "migratedfrom", "migration_type",
        "migration_network", "targetstorage", "force-cpu",    NULL};
    struct sim_vm *vm = sim_req_vm(r);
    if (!vm || sim_req_root_params(r, root_only) != 0)
        return -1;
    /* vm_start, under the config lock */
    if (sim_vm_is_template(vm))
        return sim_vm_task_refused(r, vm, "qmstart", "you can't start a vm if it's a template");
    if (sim_vm_lock(vm) && !sim_p_int(r, "skiplock", 0))
        return sim_vm_task_refused(r, vm, "qmstart", "VM is locked (%s)", sim_vm_lock(vm));
    if (vm->running)
        return sim_vm_task_refused(r, vm, "qmstart", "VM %u already running", vm->vmid);
    return power_task(r, vm, "qmstart", sim_task_duration(r->model, "qmstart"), "running") ? 0 : -1;
}

/* The shutdown timeout in seconds: the parameter, else the config's startup "down=N", else 60. */
static long long shutdown_timeout(const struct sim_req *r, const struct sim_vm *vm)
{
    if (sim_p_has(r, "timeout"))
        return sim_p_int(r, "timeout", 60);
    const char *startup = json_string_value(json_object_get(vm->config, "startup"));
    const char *down = startup ? strstr(startup, "down=") : NULL;
    if (down && (down == startup || down[-1] == ','))
        return atoll(down + 5);
    return 60;
}

/* 1 when the guest ignores the ACPI power button: the scenario says so, or the VM has no ACPI. */
static int guest_ignores_shutdown(const struct sim_vm *vm)
{
    json_t *acpi = json_object_get(vm->config, "acpi");
    int no_acpi = (json_is_integer(acpi) && json_integer_value(acpi) == 0) ||
                  (json_is_string(acpi) && strcmp(json_string_value(acpi), "0") == 0);
    return vm->ignores_shutdown || no_acpi;
}

/* _do_vm_stop with shutdown: the guest needs durations.qmshutdown to power off, or never; after
 * `timeout` seconds PVE gives up, or with force terminates the VM. Then (reboot) it restarts. */
static int graceful_stop(struct sim_req *r, struct sim_vm *vm, const char *type, int force,
                         int restart)
{
    long long secs = shutdown_timeout(r, vm);
    int64_t timeout = (int64_t)(secs < 0 ? 0 : secs > 1000000 ? 1000000 : secs) * DS_NS_PER_S;
    int64_t guest = sim_task_duration(r->model, "qmshutdown");
    int64_t start = restart ? sim_task_duration(r->model, "qmstart") : 0;
    struct sim_task *t;
    if (!guest_ignores_shutdown(vm) && guest <= timeout)
        return power_task(r, vm, type, guest + start, restart ? "restart" : "stopped") ? 0 : -1;
    if (force) {
        if (!(t = power_task(r, vm, type, timeout, "stopped")))
            return -1;
        sim_task_log(t, "VM still running - terminating now with SIGTERM");
        return 0;
    }
    if (!(t = power_task(r, vm, type, timeout, NULL)))
        return -1;
    sim_task_set_error(t, "VM quit/powerdown failed - got timeout");
    return 0;
}

/* Ends the VM's running qmshutdown tasks as PVE's abort_guest_tasks does; their UPIDs are logged
 * in t. */
static void overrule_shutdowns(struct sim_model *m, const struct sim_vm *vm, struct sim_task *t)
{
    char id[32];
    snprintf(id, sizeof id, "%u", vm->vmid);
    for (size_t i = 0; i < m->n_tasks; i++) {
        struct sim_task *o = m->tasks[i];
        if (o == t || o->done || strcmp(o->type, "qmshutdown") != 0 || strcmp(o->id, id) != 0)
            continue;
        sim_task_set_error(o, "received interrupt");
        sim_task_stop(m, o, sim_model_now(m));
        sim_task_log(t, "overruled qmshutdown tasks: %s", o->upid);
    }
}

static int h_stop(struct sim_req *r)
{
    static const char *const root_only[] = {"skiplock", "keepActive", "migratedfrom", NULL};
    struct sim_vm *vm = sim_req_vm(r);
    if (!vm || sim_req_root_params(r, root_only) != 0)
        return -1;
    if (!vm->running) /* _do_vm_stop returns before any check */
        return power_task(r, vm, "qmstop", 0, NULL) ? 0 : -1;
    if (sim_vm_lock(vm) && !sim_p_int(r, "skiplock", 0))
        return sim_vm_task_refused(r, vm, "qmstop", "VM is locked (%s)", sim_vm_lock(vm));
    struct sim_task *t =
        power_task(r, vm, "qmstop", sim_task_duration(r->model, "qmstop"), "stopped");
    if (t && sim_p_int(r, "overrule-shutdown", 0))
        overrule_shutdowns(r->model, vm, t);
    return t ? 0 : -1;
}

static int h_shutdown(struct sim_req *r)
{
    static const char *const root_only[] = {"skiplock", "keepActive", NULL};
    struct sim_vm *vm = sim_req_vm(r);
    if (!vm || sim_req_root_params(r, root_only) != 0)
        return -1;
    if (!vm->running)
        return power_task(r, vm, "qmshutdown", 0, NULL) ? 0 : -1;
    if (sim_vm_lock(vm) && !sim_p_int(r, "skiplock", 0))
        return sim_vm_task_refused(r, vm, "qmshutdown", "VM is locked (%s)", sim_vm_lock(vm));
    return graceful_stop(r, vm, "qmshutdown", (int)sim_p_int(r, "forceStop", 0), 0);
}

static int h_reboot(struct sim_req *r)
{
    struct sim_vm *vm = sim_req_vm(r);
    if (!vm)
        return -1;
    if (!vm->running)
        return sim_fail(r, 500, "VM %u not running", vm->vmid);
    if (sim_vm_lock(vm))
        return sim_vm_task_refused(r, vm, "qmreboot", "VM is locked (%s)", sim_vm_lock(vm));
    return graceful_stop(r, vm, "qmreboot", 0, 1);
}

static int h_status_current(struct sim_req *r)
{
    struct sim_vm *vm = sim_req_vm(r);
    if (!vm)
        return -1;
    json_t *o = vm_list_entry(r->model, vm);
    json_object_set_new(o, "qmpstatus", json_string(vm->running ? "running" : "stopped"));
    json_object_set_new(o, "ha", json_pack("{s:i}", "managed", 0));
    const char *agent = json_string_value(json_object_get(vm->config, "agent"));
    if (agent && (strcmp(agent, "1") == 0 || strstr(agent, "enabled=1")))
        json_object_set_new(o, "agent", json_integer(1));
    return sim_ok(r, o);
}

static int h_status_index(struct sim_req *r)
{
    if (!sim_req_vm(r))
        return -1;
    json_t *a = json_array();
    static const char *const subs[] = {"current",  "start",   "stop",   "reset",
                                       "shutdown", "suspend", "reboot", NULL};
    for (int i = 0; subs[i]; i++)
        json_array_append_new(a, json_pack("{s:s}", "subdir", subs[i]));
    return sim_ok(r, a);
}

const struct sim_route sim_qemu_routes[] = {
    {"GET /nodes/{node}/qemu", h_list},
    {"GET /nodes/{node}/qemu/{vmid}", h_vm_index},
    {"GET /nodes/{node}/qemu/{vmid}/config", h_config_get},
    {"POST /nodes/{node}/qemu/{vmid}/config", h_config_post},
    {"PUT /nodes/{node}/qemu/{vmid}/config", h_config_put},
    {"GET /nodes/{node}/qemu/{vmid}/status", h_status_index},
    {"GET /nodes/{node}/qemu/{vmid}/status/current", h_status_current},
    {"POST /nodes/{node}/qemu/{vmid}/status/start", h_start},
    {"POST /nodes/{node}/qemu/{vmid}/status/stop", h_stop},
    {"POST /nodes/{node}/qemu/{vmid}/status/shutdown", h_shutdown},
    {"POST /nodes/{node}/qemu/{vmid}/status/reboot", h_reboot},
    {NULL, NULL}};
