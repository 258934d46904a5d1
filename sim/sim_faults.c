/* sim_faults: fault injection with the answers real PVE 8.4 gives (notes: "Response envelope and
 * errors", "Concurrency and failure modes" B-F): rules, the lock rate, failing tasks. */
#include "sim_faults.h"
#include "sim_auth.h"
#include "sim_model.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[SIM_FAULT_KINDS] = {
    [SIM_FAULT_LOCK] = "lock",
    [SIM_FAULT_TRANSIENT] = "transient",
    [SIM_FAULT_REFUSED] = "refused",
    [SIM_FAULT_NOWORKER] = "noworker",
    [SIM_FAULT_DROP] = "drop",
    [SIM_FAULT_UNREACHABLE] = "unreachable",
    [SIM_FAULT_NOTFOUND] = "notfound",
    [SIM_FAULT_VANISH] = "vanish",
    [SIM_FAULT_EXISTS] = "exists",
    [SIM_FAULT_INPUT] = "input",
    [SIM_FAULT_PERMISSION] = "permission",
    [SIM_FAULT_AUTH] = "auth",
    [SIM_FAULT_LOST] = "lost",
};

void sim_faults_init(struct sim_faults *f, unsigned long seed, double fail_rate,
                     double task_fail_rate)
{
    f->rng = (uint64_t)seed * 0x2545F4914F6CDD1DULL + 1;
    f->fail_rate = fail_rate;
    f->task_fail_rate = task_fail_rate;
    f->n_rules = 0;
}

static double draw(struct sim_faults *f)
{
    return (double)(sim_rng_next(&f->rng) >> 11) / 9007199254740992.0;
}

/* ---- rules ------------------------------------------------------------------------------ */

const char *sim_fault_kind_name(enum sim_fault_kind kind)
{
    return (unsigned)kind < SIM_FAULT_KINDS ? kind_names[kind] : NULL;
}

int sim_fault_rule_make(struct sim_fault_rule *r, const char *kind, const char *match, long count,
                        char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    int k = 0;
    while (k < SIM_FAULT_KINDS && (!kind || strcmp(kind, kind_names[k]) != 0))
        k++;
    if (k == SIM_FAULT_KINDS) {
        snprintf(err, errlen,
                 "unknown fault kind '%s' (lock, transient, refused, noworker, drop, unreachable, "
                 "notfound, vanish, exists, input, permission, auth, lost)",
                 kind ? kind : "");
        return -1;
    }
    if (!match)
        match = "";
    if (strlen(match) >= sizeof r->match) {
        snprintf(err, errlen, "fault match text longer than %zu characters", sizeof r->match - 1);
        return -1;
    }
    if (count == 0 || count < -1) {
        snprintf(err, errlen, "fault count must be at least 1");
        return -1;
    }
    r->kind = (enum sim_fault_kind)k;
    snprintf(r->match, sizeof r->match, "%s", match);
    r->count = count;
    return 0;
}

int sim_fault_rule_parse(const char *text, struct sim_fault_rule *r, char *err, size_t errlen)
{
    const char *colon = strchr(text, ':');
    size_t kl = colon ? (size_t)(colon - text) : strlen(text);
    char kind[32];
    snprintf(kind, sizeof kind, "%.*s", (int)(kl < sizeof kind ? kl : sizeof kind - 1), text);
    const char *match = colon ? colon + 1 : "";
    size_t ml = strlen(match);
    long count = -1;
    const char *last = strrchr(match, ':');
    if (last && last[1] && strspn(last + 1, "0123456789") == strlen(last + 1)) {
        errno = 0;
        count = strtol(last + 1, NULL, 10);
        if (errno || count < 1) {
            snprintf(err, errlen, "fault count must be at least 1: %s", last + 1);
            return -1;
        }
        ml = (size_t)(last - match);
    }
    if (ml >= SIM_FAULT_MATCH_MAX) {
        snprintf(err, errlen, "fault match text longer than %d characters",
                 SIM_FAULT_MATCH_MAX - 1);
        return -1;
    }
    char m[SIM_FAULT_MATCH_MAX];
    snprintf(m, sizeof m, "%.*s", (int)ml, match);
    return sim_fault_rule_make(r, kl < sizeof kind ? kind : "", m, count, err, errlen);
}

int sim_faults_add(struct sim_faults *f, const struct sim_fault_rule *r)
{
    if (f->n_rules >= SIM_FAULT_MAX_RULES)
        return -1;
    f->rules[f->n_rules++] = *r;
    return 0;
}

void sim_faults_clear(struct sim_faults *f)
{
    f->n_rules = 0;
}

void sim_faults_set_match(struct sim_faults *f, const char *text)
{
    struct sim_fault_rule r;
    char err[128];
    if (text && text[0] && sim_fault_rule_make(&r, "lock", text, -1, err, sizeof err) == 0)
        sim_faults_add(f, &r);
}

json_t *sim_faults_report(const struct sim_faults *f)
{
    json_t *a = json_array();
    for (size_t i = 0; i < f->n_rules; i++) {
        const struct sim_fault_rule *r = &f->rules[i];
        json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:I}", "kind", kind_names[r->kind],
                                           "match", r->match, "count",
                                           r->count < 0 ? json_null() : json_integer(r->count),
                                           "fired", (json_int_t)r->fired));
    }
    return a;
}

/* ---- matching ---------------------------------------------------------------------------- */

/* A parameter's value as text (numbers as the client sent them); NULL for other types. */
static const char *value_text(const json_t *v, char *buf, size_t len)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(buf, len, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    return NULL;
}

/* The parameter whose value contains t (one not in the path first, then by name); NULL when
 * none. Borrowed from q->params. */
static const char *param_holding(const struct sim_fault_req *q, const char *t)
{
    const char *best = NULL;
    int best_in_path = 2;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)q->params, k, v)
    {
        char buf[32];
        const char *text = value_text(v, buf, sizeof buf);
        if (!text || !strstr(text, t))
            continue;
        int in_path = json_object_get(q->path_params, k) != NULL;
        if (!best || in_path < best_in_path || (in_path == best_in_path && strcmp(k, best) < 0)) {
            best = k;
            best_in_path = in_path;
        }
    }
    return best;
}

/* 1 when every '&'-separated text of the rule is in "METHOD path" or in a parameter's value;
 * *param gets the first parameter that held one (NULL when they were all in the path). */
static int rule_matches(const struct sim_fault_rule *r, const struct sim_fault_req *q,
                        const char **param)
{
    char line[1100];
    snprintf(line, sizeof line, "%s %s", q->method, q->path);
    char buf[SIM_FAULT_MATCH_MAX];
    snprintf(buf, sizeof buf, "%s", r->match);
    *param = NULL;
    char *save = NULL;
    for (char *t = strtok_r(buf, "&", &save); t; t = strtok_r(NULL, "&", &save)) {
        const char *p = param_holding(q, t);
        if (!p && !strstr(line, t))
            return 0;
        if (!*param)
            *param = p;
    }
    return 1;
}

/* ---- answers ----------------------------------------------------------------------------- */

static int say(struct sim_fault_answer *out, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int say(struct sim_fault_answer *out, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->message, sizeof out->message, fmt, ap);
    va_end(ap);
    out->status = status;
    return 1;
}

/* A 400 "Parameter verification failed." with one errors entry. */
static int param_error(struct sim_fault_answer *out, const char *param, const char *text)
{
    out->errors = json_pack("{s:s}", param, text);
    return say(out, 400, "Parameter verification failed.");
}

static const char *str(const struct sim_fault_req *q, const char *key)
{
    return json_string_value(json_object_get(q->params, key));
}

static const char *node_of(const struct sim_fault_req *q)
{
    const char *n = str(q, "node");
    return n ? n : "";
}

static long long num(const struct sim_fault_req *q, const char *key)
{
    const json_t *v = json_object_get(q->params, key);
    if (json_is_integer(v))
        return json_integer_value(v);
    return json_is_string(v) ? strtoll(json_string_value(v), NULL, 10) : 0;
}

/* The VM a path names ("/nodes/N/qemu/V[/...]"): 1 with its node, id and the rest ("/clone"). */
static int vm_path(const char *path, char *node, size_t nodelen, unsigned *vmid, const char **rest)
{
    if (strncmp(path, "/nodes/", 7) != 0)
        return 0;
    const char *n = path + 7, *slash = strchr(n, '/');
    if (!slash || strncmp(slash, "/qemu/", 6) != 0 || !isdigit((unsigned char)slash[6]))
        return 0;
    char *end;
    unsigned long v = strtoul(slash + 6, &end, 10);
    if ((*end && *end != '/') || v > 999999999UL)
        return 0;
    snprintf(node, nodelen, "%.*s", (int)(slash - n), n);
    *vmid = (unsigned)v;
    *rest = end;
    return 1;
}

static int is_network(const char *path)
{
    return strncmp(path, "/nodes/", 7) == 0 && strstr(path, "/network") != NULL;
}

/* The lock timeout of the endpoint (notes "Concurrency and failure modes" B, D, E). */
static void lock_message(const char *method, const char *path, char *msg, size_t msglen)
{
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
}

/* PUT /access/acl naming something missing: its first user, group or token, else its role. */
static int acl_missing(const struct sim_fault_req *q, struct sim_fault_answer *out)
{
    static const char *const keys[] = {"users", "groups", "tokens", "roles"};
    static const char *const what[] = {"user", "group", "token", "role"};
    for (int k = 0; k < 4; k++) {
        const char *v = str(q, keys[k]);
        if (v && v[strspn(v, ",; ")])
            return say(out, 500, "ACL update failed: %s '%.*s' does not exist", what[k],
                       (int)strcspn(v + strspn(v, ",; "), ",; "), v + strspn(v, ",; "));
    }
    return -1;
}

/* What Proxmox says when the object a request names is missing; -1 when it names none. */
static int notfound_answer(const struct sim_fault_req *q, struct sim_fault_answer *out)
{
    char node[64];
    unsigned vmid;
    const char *rest, *p = q->path, *m = q->method;
    if (vm_path(p, node, sizeof node, &vmid, &rest))
        return say(out, 500, "Configuration file 'nodes/%s/qemu-server/%u.conf' does not exist",
                   node, vmid);
    if (is_network(p))
        return str(q, "iface") ? param_error(out, "iface", "interface does not exist")
                               : say(out, 500, "no such cluster node '%s'", node_of(q));
    const char *userid = str(q, "userid"), *poolid = str(q, "poolid");
    if (strncmp(p, "/access/users", 13) == 0 && userid) {
        const char *at = strchr(userid, '@');
        if (str(q, "tokenid"))
            return say(out, 500, "no such token '%s' for user '%s'", str(q, "tokenid"), userid);
        if (strcmp(m, "POST") == 0)
            return say(out, 500, "create user failed: domain '%s' does not exist",
                       at ? at + 1 : "");
        return say(out, 500, "%sno such user ('%s')",
                   strcmp(m, "DELETE") == 0 ? "delete user failed: "
                   : strcmp(m, "PUT") == 0  ? "update user failed: "
                                            : "",
                   userid);
    }
    if (strncmp(p, "/access/acl", 11) == 0)
        return acl_missing(q, out);
    if (strncmp(p, "/pools", 6) == 0 && poolid) {
        const char *op = strcmp(m, "DELETE") == 0 ? "delete pool failed: "
                         : strcmp(m, "PUT") == 0  ? "update pools failed: "
                                                  : "";
        return say(out, 500, "%spool '%s' does not exist", op, poolid);
    }
    return -1;
}

/* What Proxmox says when the object a request creates exists already; -1 when it creates none. */
static int exists_answer(const struct sim_fault_req *q, struct sim_fault_answer *out)
{
    char node[64];
    unsigned vmid;
    const char *rest, *p = q->path;
    if (vm_path(p, node, sizeof node, &vmid, &rest)) {
        if (strcmp(rest, "/clone") == 0)
            return say(out, 500, "unable to create VM %lld: config file already exists",
                       num(q, "newid"));
        if (strcmp(rest, "/template") == 0)
            return say(out, 500, "you can't convert a template to a template");
        return -1;
    }
    if (strcmp(q->method, "POST") != 0)
        return -1;
    if (is_network(p) && str(q, "iface"))
        return param_error(out, "iface", "interface already exists");
    if (strncmp(p, "/access/users", 13) == 0 && str(q, "userid"))
        return str(q, "tokenid") ? say(out, 500, "Token already exists.")
                                 : say(out, 500, "create user failed: user '%s' already exists",
                                       str(q, "userid"));
    if (strncmp(p, "/pools", 6) == 0 && str(q, "poolid"))
        return say(out, 500, "create pool failed: pool '%s' already exists", str(q, "poolid"));
    if (strncmp(p, "/access/roles", 13) == 0 && str(q, "roleid"))
        return say(out, 500, "create role failed: role '%s' already exists", str(q, "roleid"));
    return -1;
}

/* The smallest parameter name not in the path, else the smallest path parameter; NULL if none. */
static const char *first_param(const struct sim_fault_req *q)
{
    const char *best = NULL;
    int best_in_path = 2;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)q->params, k, v)
    {
        int in_path = json_object_get(q->path_params, k) != NULL;
        if (!best || in_path < best_in_path || (in_path == best_in_path && strcmp(k, best) < 0)) {
            best = k;
            best_in_path = in_path;
        }
    }
    return best;
}

/* A parameter refused as PVE refuses one it does not know (an older node, say): the one that
 * held a match text, else the first by name. */
static int input_answer(const struct sim_fault_req *q, const char *param,
                        struct sim_fault_answer *out)
{
    const char *name = param ? param : first_param(q);
    if (!name)
        return say(out, 400, "Parameter verification failed.");
    return param_error(out, name,
                       "property is not defined in schema and the schema does not allow "
                       "additional properties");
}

/* The endpoint's own permission check, as it fails for a user without any privilege. */
static int permission_answer(struct sim_model *m, const struct sim_fault_req *q,
                             struct sim_fault_answer *out)
{
    struct sim_identity nobody;
    memset(&nobody, 0, sizeof nobody);
    snprintf(nobody.userid, sizeof nobody.userid, "%s", "nobody@pve");
    char detail[512];
    if (!q->permissions ||
        sim_check_permissions(m, &nobody, q->permissions, q->params, detail, sizeof detail) ||
        !detail[0])
        return say(out, 403, "Permission check failed");
    return say(out, 403, "Permission check failed (%s)", detail);
}

/* The VM the request names is removed at once, as if another client destroyed it. */
static int vanish(struct sim_model *m, const struct sim_fault_req *q)
{
    char node[64];
    unsigned vmid;
    const char *rest;
    if (!vm_path(q->path, node, sizeof node, &vmid, &rest) || !sim_model_vm(m, vmid))
        return -1;
    sim_model_vm_remove(m, vmid);
    return 0;
}

/* 1: the request gets *out; 0: it goes on (vanish); -1: the kind does not apply to it. */
static int rule_answer(enum sim_fault_kind kind, struct sim_model *m, const struct sim_fault_req *q,
                       const char *param, struct sim_fault_answer *out)
{
    out->kind = kind;
    switch (kind) {
    case SIM_FAULT_LOCK:
        lock_message(q->method, q->path, out->message, sizeof out->message);
        out->status = 500;
        return 1;
    case SIM_FAULT_TRANSIENT:
        return say(out, 596, "Connection timed out");
    case SIM_FAULT_REFUSED:
        return say(out, 595, "Connection refused");
    case SIM_FAULT_NOWORKER:
        return say(out, 500, "got no worker upid - start worker failed");
    case SIM_FAULT_DROP:
    case SIM_FAULT_UNREACHABLE:
        out->status = 0;
        return 1;
    case SIM_FAULT_NOTFOUND:
        return notfound_answer(q, out);
    case SIM_FAULT_VANISH:
        return vanish(m, q);
    case SIM_FAULT_EXISTS:
        return exists_answer(q, out);
    case SIM_FAULT_INPUT:
        return input_answer(q, param, out);
    case SIM_FAULT_PERMISSION:
        return permission_answer(m, q, out);
    case SIM_FAULT_AUTH:
        out->status = 401;
        return 1;
    case SIM_FAULT_LOST:
        out->lost = 1;
        return 0;
    case SIM_FAULT_KINDS:
        break;
    }
    return -1;
}

int sim_faults_request(struct sim_faults *f, struct sim_model *m, const struct sim_fault_req *q,
                       struct sim_fault_answer *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < f->n_rules; i++) {
        struct sim_fault_rule *r = &f->rules[i];
        const char *param = NULL;
        if ((r->count >= 0 && r->fired >= r->count) || !rule_matches(r, q, &param))
            continue;
        int rc = rule_answer(r->kind, m, q, param, out);
        if (rc < 0) {
            json_decref(out->errors);
            memset(out, 0, sizeof *out);
            continue;
        }
        r->fired++;
        return rc;
    }
    if (f->fail_rate <= 0 || draw(f) >= f->fail_rate)
        return 0;
    out->kind = SIM_FAULT_LOCK;
    out->status = 500;
    lock_message(q->method, q->path, out->message, sizeof out->message);
    return 1;
}

/* ---- tasks ------------------------------------------------------------------------------- */

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
