/* sim_model: the in-memory state of the simulated cluster and its JSON dump.
 * Everything here is called with the model mutex held (see sim_server). */
#include "sim_model.h"
#include "sim_tasks.h"
#include "sim_version.h"

#include "ds_clock.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t default_mono(void *ctx)
{
    (void)ctx;
    return ds_clock_mono_ns();
}

int64_t sim_model_now(const struct sim_model *m)
{
    if (m->held)
        return m->held_at;
    int64_t t = m->mono(m->mono_ctx) - m->mono0 - m->paused;
    return t > 0 ? t : 0;
}

void sim_model_hold(struct sim_model *m, int hold)
{
    if (hold && !m->held) {
        m->held_at = sim_model_now(m);
        m->held = 1;
    } else if (!hold && m->held) {
        m->paused = m->mono(m->mono_ctx) - m->mono0 - m->held_at;
        m->held = 0;
    }
}

void sim_model_skip(struct sim_model *m, int64_t ns)
{
    if (ns <= 0)
        return;
    if (m->held)
        m->held_at += ns;
    else
        m->paused -= ns;
}

int64_t sim_model_wall_s(const struct sim_model *m, int64_t t)
{
    return (m->wall0_ns + t) / DS_NS_PER_S;
}

void sim_model_set_clock(struct sim_model *m, int64_t (*mono)(void *ctx), void *ctx)
{
    m->mono = mono ? mono : default_mono;
    m->mono_ctx = mono ? ctx : NULL;
    m->mono0 = m->mono(m->mono_ctx);
    m->held = 0;
    m->held_at = m->paused = 0;
}

struct sim_model *sim_model_new(double time_scale)
{
    struct sim_model *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->wall0_ns = ds_clock_wall_ns();
    sim_model_set_clock(m, NULL, NULL);
    m->time_scale = time_scale > 0 ? time_scale : 1.0;
    m->version = sim_version_find(NULL);
    m->users = json_object();
    m->realms = json_pack("[{s:s, s:s, s:s}, {s:s, s:s, s:s}]", "realm", "pam", "type", "pam",
                          "comment", "Linux PAM standard authentication", "realm", "pve", "type",
                          "pve", "comment", "Proxmox VE authentication server");
    m->groups = json_object();
    m->pools = json_object();
    m->acls = json_array();
    m->roles = json_object();
    m->durations = json_object();
    m->k_default = 4;
    m->next_pid = 0x1000;
    m->rng = 0x9E3779B97F4A7C15ULL;
    snprintf(m->clustername, sizeof m->clustername, "sim");
    return m;
}

void sim_model_free(struct sim_model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_nodes; i++) {
        json_decref(m->nodes[i].net);
        json_decref(m->nodes[i].net_pending);
    }
    free(m->nodes);
    for (size_t i = 0; i < m->n_storages; i++)
        json_decref(m->storages[i].nodes);
    free(m->storages);
    for (size_t i = 0; i < m->n_vms; i++)
        sim_vm_free(m->vms[i]);
    free(m->vms);
    for (size_t i = 0; i < m->n_tasks; i++)
        sim_task_free(m->tasks[i]);
    free(m->tasks);
    json_decref(m->users);
    json_decref(m->realms);
    json_decref(m->groups);
    json_decref(m->pools);
    json_decref(m->acls);
    json_decref(m->roles);
    json_decref(m->durations);
    free(m);
}

struct sim_node *sim_model_node(struct sim_model *m, const char *name)
{
    for (size_t i = 0; i < m->n_nodes; i++)
        if (strcmp(m->nodes[i].name, name) == 0)
            return &m->nodes[i];
    return NULL;
}

struct sim_storage *sim_model_storage(struct sim_model *m, const char *id)
{
    for (size_t i = 0; i < m->n_storages; i++)
        if (strcmp(m->storages[i].id, id) == 0)
            return &m->storages[i];
    return NULL;
}

int sim_storage_on_node(const struct sim_storage *st, const char *node)
{
    if (!st->nodes)
        return 1;
    size_t i;
    json_t *v;
    json_array_foreach(st->nodes, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), node) == 0)
            return 1;
    }
    return 0;
}

static size_t vm_index(const struct sim_model *m, unsigned vmid, int *found)
{
    size_t lo = 0, hi = m->n_vms;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (m->vms[mid]->vmid < vmid)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < m->n_vms && m->vms[lo]->vmid == vmid;
    return lo;
}

struct sim_vm *sim_model_vm(struct sim_model *m, unsigned vmid)
{
    int found;
    size_t i = vm_index(m, vmid, &found);
    return found ? m->vms[i] : NULL;
}

int sim_model_vm_add(struct sim_model *m, struct sim_vm *vm)
{
    int found;
    size_t i = vm_index(m, vm->vmid, &found);
    if (found)
        return -1;
    if (m->n_vms == m->cap_vms) {
        size_t cap = m->cap_vms ? m->cap_vms * 2 : 64;
        struct sim_vm **n = realloc(m->vms, cap * sizeof *n);
        if (!n)
            return -1;
        m->vms = n;
        m->cap_vms = cap;
    }
    memmove(&m->vms[i + 1], &m->vms[i], (m->n_vms - i) * sizeof *m->vms);
    m->vms[i] = vm;
    m->n_vms++;
    return 0;
}

void sim_model_vm_remove(struct sim_model *m, unsigned vmid)
{
    int found;
    size_t i = vm_index(m, vmid, &found);
    if (!found)
        return;
    sim_vm_free(m->vms[i]);
    memmove(&m->vms[i], &m->vms[i + 1], (m->n_vms - i - 1) * sizeof *m->vms);
    m->n_vms--;
}

struct sim_vm *sim_vm_new(unsigned vmid, const char *node, json_t *config)
{
    struct sim_vm *vm = calloc(1, sizeof *vm);
    if (!vm) {
        json_decref(config);
        return NULL;
    }
    vm->vmid = vmid;
    snprintf(vm->node, sizeof vm->node, "%s", node);
    vm->config = config ? config : json_object();
    vm->snapshots = json_array();
    return vm;
}

void sim_vm_free(struct sim_vm *vm)
{
    if (!vm)
        return;
    json_decref(vm->config);
    json_decref(vm->snapshots);
    free(vm);
}

const char *sim_vm_lock(const struct sim_vm *vm)
{
    return json_string_value(json_object_get(vm->config, "lock"));
}

int64_t sim_vm_uptime(const struct sim_model *m, const struct sim_vm *vm)
{
    if (!vm->running)
        return 0;
    int64_t d = sim_model_now(m) - vm->started;
    return d > 0 ? d / DS_NS_PER_S : 0;
}

static long long json_num(const json_t *v, long long dflt)
{
    if (json_is_integer(v))
        return json_integer_value(v);
    if (json_is_real(v))
        return (long long)json_real_value(v);
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (strncmp(s, "current=", 8) == 0)
            s += 8;
        return strtoll(s, NULL, 10);
    }
    if (json_is_true(v))
        return 1;
    return dflt;
}

int sim_vm_is_template(const struct sim_vm *vm)
{
    return json_num(json_object_get(vm->config, "template"), 0) != 0;
}

long long sim_vm_maxmem(const struct sim_vm *vm)
{
    return json_num(json_object_get(vm->config, "memory"), 512) * 1024LL * 1024LL;
}

int sim_vm_cpus(const struct sim_vm *vm)
{
    long long c = json_num(json_object_get(vm->config, "cores"), 1);
    long long s = json_num(json_object_get(vm->config, "sockets"), 1);
    return (int)(c * s);
}

int sim_config_is_disk(const char *key)
{
    static const char *const prefixes[] = {"scsi", "virtio", "sata", "ide", "unused", NULL};
    if (strcmp(key, "efidisk0") == 0 || strcmp(key, "tpmstate0") == 0)
        return 1;
    for (int i = 0; prefixes[i]; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(key, prefixes[i], n) == 0 && key[n] >= '0' && key[n] <= '9')
            return 1;
    }
    return 0;
}

void sim_disk_storage(const char *value, char *out, size_t outlen)
{
    out[0] = '\0';
    const char *colon = strchr(value, ':');
    const char *comma = strchr(value, ',');
    if (!colon || (comma && comma < colon))
        return; /* "none", "cdrom", "media=cdrom" */
    size_t n = (size_t)(colon - value);
    if (n >= outlen)
        n = outlen - 1;
    memcpy(out, value, n);
    out[n] = '\0';
    if (strcmp(out, "file") == 0)
        out[0] = '\0';
}

int sim_disk_is_cdrom(const char *value)
{
    return strstr(value, "media=cdrom") != NULL || strncmp(value, "cdrom", 5) == 0 ||
           strncmp(value, "none", 4) == 0;
}

/* ---- storage features (pve-storage's volume_has_feature tables, PVE 8) ----------------------
 * Image formats as bits; block storages ignore the format (FMT_ANY). */
enum { FMT_RAW = 1, FMT_QCOW2 = 2, FMT_VMDK = 4, FMT_SUBVOL = 8, FMT_ANY = 15 };
#define FMT_FILE (FMT_RAW | FMT_QCOW2 | FMT_VMDK)

struct feat_row {
    const char *feature;
    unsigned char current, base, snap; /* formats with the feature in each volume state */
};

struct storage_kind {
    const char *types[5];
    int file; /* format-dependent (file-based) */
    struct feat_row rows[4];
};

static const struct storage_kind kinds[] = {
    {{"lvmthin"},
     0,
     {{"snapshot", FMT_ANY, 0, 0},
      {"clone", 0, FMT_ANY, FMT_ANY},
      {"template", FMT_ANY, 0, 0},
      {"copy", FMT_ANY, FMT_ANY, FMT_ANY}}},
    {{"lvm"}, 0, {{"copy", FMT_ANY, FMT_ANY, 0}}},
    {{"zfspool", "zfs"},
     0,
     {{"snapshot", FMT_ANY, 0, FMT_ANY},
      {"clone", 0, FMT_ANY, 0},
      {"template", FMT_ANY, 0, 0},
      {"copy", FMT_ANY, FMT_ANY, 0}}},
    {{"rbd"},
     0,
     {{"snapshot", FMT_ANY, 0, FMT_ANY},
      {"clone", 0, FMT_ANY, FMT_ANY},
      {"template", FMT_ANY, 0, 0},
      {"copy", FMT_ANY, FMT_ANY, FMT_ANY}}},
    {{"iscsi", "iscsidirect"}, 0, {{"copy", FMT_ANY, 0, 0}}},
    {{"dir", "nfs", "cifs", "glusterfs"},
     1,
     {{"snapshot", FMT_QCOW2, 0, FMT_QCOW2},
      {"clone", 0, FMT_FILE, 0},
      {"template", FMT_FILE | FMT_SUBVOL, 0, 0},
      {"copy", FMT_FILE, FMT_FILE, FMT_QCOW2}}},
    {{"btrfs"},
     1,
     {{"snapshot", FMT_RAW | FMT_QCOW2 | FMT_SUBVOL, 0, FMT_RAW | FMT_QCOW2 | FMT_SUBVOL},
      {"clone", FMT_RAW, FMT_ANY, FMT_RAW},
      {"template", FMT_ANY, 0, 0},
      {"copy", FMT_ANY, FMT_ANY, FMT_RAW | FMT_QCOW2 | FMT_SUBVOL}}},
    /* storages without VM images: no volume features */
    {{"cephfs", "pbs", "esxi"}, 0, {{NULL, 0, 0, 0}}},
};

static const struct storage_kind *kind_of(const char *type)
{
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        for (int i = 0; i < 5 && kinds[k].types[i]; i++)
            if (strcmp(kinds[k].types[i], type) == 0)
                return &kinds[k];
    return NULL;
}

int sim_storage_type_known(const char *type)
{
    return kind_of(type) != NULL;
}

static unsigned format_bit(const char *f, size_t n)
{
    static const struct {
        const char *name;
        unsigned bit;
    } fmts[] = {{"raw", FMT_RAW}, {"qcow2", FMT_QCOW2}, {"vmdk", FMT_VMDK}, {"subvol", FMT_SUBVOL}};
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++)
        if (strlen(fmts[i].name) == n && strncmp(fmts[i].name, f, n) == 0)
            return fmts[i].bit;
    return 0;
}

/* The format of a volume on a file-based storage: volname is "<name>[/<name>...]" (up to the
 * first ','), last its last path component, opts the drive options after the volume. */
static unsigned file_format(const struct sim_storage *st, const char *volname, size_t vlen,
                            const char *last, const char *opts)
{
    const char *dot = memrchr(last, '.', (size_t)(volname + vlen - last));
    if (dot && format_bit(dot + 1, (size_t)(volname + vlen - dot - 1)))
        return format_bit(dot + 1, (size_t)(volname + vlen - dot - 1));
    if (strncmp(last, "subvol-", 7) == 0)
        return FMT_SUBVOL;
    if (last != volname && memmem(volname, (size_t)(last - volname), "base-", 5))
        return FMT_QCOW2; /* a linked clone: clone_image makes a qcow2 overlay */
    const char *f = strstr(opts, "format=");
    if (f && (f == opts || f[-1] == ','))
        return format_bit(f + 7, strcspn(f + 7, ","));
    return st->format[0] ? format_bit(st->format, strlen(st->format)) : FMT_RAW;
}

int sim_volume_has_feature(struct sim_model *m, const char *feature, const char *value, int snap)
{
    char sid[64];
    sim_disk_storage(value, sid, sizeof sid);
    const struct sim_storage *st = sid[0] ? sim_model_storage(m, sid) : NULL;
    const struct storage_kind *k = st ? kind_of(st->type) : NULL;
    if (!k)
        return 0;
    const char *volname = strchr(value, ':') + 1;
    size_t vlen = strcspn(volname, ",");
    const char *last = volname;
    for (const char *p = volname; p < volname + vlen; p++)
        if (*p == '/')
            last = p + 1;
    int is_base = strncmp(last, "base-", 5) == 0;
    unsigned fmt = k->file ? file_format(st, volname, vlen, last, volname + vlen) : FMT_ANY;
    for (int i = 0; i < 4 && k->rows[i].feature; i++) {
        const struct feat_row *row = &k->rows[i];
        if (strcmp(row->feature, feature) == 0)
            return ((snap ? row->snap : is_base ? row->base : row->current) & fmt) != 0;
    }
    return 0;
}

int sim_config_has_feature(struct sim_model *m, const json_t *config, const char *feature, int snap)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)config, key, v)
    {
        if (!sim_config_is_disk(key) || strncmp(key, "unused", 6) == 0 || !json_is_string(v) ||
            sim_disk_is_cdrom(json_string_value(v)))
            continue;
        if (!sim_volume_has_feature(m, feature, json_string_value(v), snap))
            return 0;
    }
    return 1;
}

static long long size_to_bytes(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    switch (*end) {
    case 'K':
        return (long long)(v * 1024);
    case 'M':
        return (long long)(v * 1024 * 1024);
    case 'G':
        return (long long)(v * 1024 * 1024 * 1024);
    case 'T':
        return (long long)(v * 1024 * 1024 * 1024 * 1024);
    default:
        return (long long)v;
    }
}

long long sim_vm_maxdisk(const struct sim_vm *vm)
{
    const char *key;
    json_t *v;
    json_object_foreach(vm->config, key, v)
    {
        if (!sim_config_is_disk(key) || strncmp(key, "unused", 6) == 0 || !json_is_string(v))
            continue;
        const char *size = strstr(json_string_value(v), "size=");
        if (size && !strstr(json_string_value(v), "media=cdrom"))
            return size_to_bytes(size + 5);
    }
    return 0;
}

void sim_vm_digest(const struct sim_vm *vm, char out[41])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    EVP_DigestInit_ex(c, EVP_sha1(), NULL);
    const char *key;
    json_t *v;
    json_object_foreach(vm->config, key, v)
    {
        char *val =
            json_is_string(v) ? strdup(json_string_value(v)) : json_dumps(v, JSON_ENCODE_ANY);
        if (!val)
            continue;
        EVP_DigestUpdate(c, key, strlen(key));
        EVP_DigestUpdate(c, ": ", 2);
        EVP_DigestUpdate(c, val, strlen(val));
        EVP_DigestUpdate(c, "\n", 1);
        free(val);
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_DigestFinal_ex(c, md, &mdlen);
    EVP_MD_CTX_free(c);
    for (unsigned i = 0; i < mdlen && i < 20; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

uint64_t sim_rng_next(uint64_t *rng)
{
    /* splitmix64 */
    uint64_t z = (*rng += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void sim_mac_random(uint64_t *rng, char out[18])
{
    uint64_t r = sim_rng_next(rng);
    snprintf(out, 18, "BC:24:11:%02X:%02X:%02X", (unsigned)(r & 0xff), (unsigned)((r >> 8) & 0xff),
             (unsigned)((r >> 16) & 0xff));
}

static json_t *dump_secretless(const json_t *users)
{
    json_t *copy = json_deep_copy(users);
    const char *uid;
    json_t *u;
    json_object_foreach(copy, uid, u)
    {
        if (json_object_get(u, "password"))
            json_object_set_new(u, "password", json_string("***"));
        const char *tid;
        json_t *t;
        json_object_foreach(json_object_get(u, "tokens"), tid, t)
        {
            if (json_object_get(t, "secret"))
                json_object_set_new(t, "secret", json_string("***"));
        }
    }
    return copy;
}

json_t *sim_model_dump(struct sim_model *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "clustername", json_string(m->clustername));
    json_t *nodes = json_array();
    for (size_t i = 0; i < m->n_nodes; i++) {
        struct sim_node *n = &m->nodes[i];
        json_t *jn =
            json_pack("{s:s, s:b, s:I, s:i, s:f, s:I, s:i, s:O}", "node", n->name, "online",
                      n->online, "maxmem", (json_int_t)n->maxmem, "maxcpu", n->maxcpu, "cpu",
                      n->cpu, "mem", (json_int_t)n->mem, "k", n->k, "network", n->net);
        json_object_set(jn, "network_pending", n->net_pending ? n->net_pending : json_null());
        json_array_append_new(nodes, jn);
    }
    json_object_set_new(o, "nodes", nodes);
    json_t *sts = json_array();
    for (size_t i = 0; i < m->n_storages; i++) {
        struct sim_storage *s = &m->storages[i];
        json_t *js = json_pack("{s:s, s:s, s:b, s:s, s:I, s:I}", "storage", s->id, "type", s->type,
                               "shared", s->shared, "content", s->content, "total",
                               (json_int_t)s->total, "used", (json_int_t)s->used);
        json_object_set(js, "nodes", s->nodes ? s->nodes : json_null());
        if (s->format[0])
            json_object_set_new(js, "format", json_string(s->format));
        json_array_append_new(sts, js);
    }
    json_object_set_new(o, "storages", sts);
    json_t *vms = json_array();
    for (size_t i = 0; i < m->n_vms; i++) {
        struct sim_vm *vm = m->vms[i];
        json_t *jv = json_pack("{s:i, s:s, s:s, s:O, s:O}", "vmid", (int)vm->vmid, "node", vm->node,
                               "status", vm->running ? "running" : "stopped", "config", vm->config,
                               "snapshots", vm->snapshots);
        if (vm->pool[0])
            json_object_set_new(jv, "pool", json_string(vm->pool));
        json_object_set_new(jv, "uptime", json_integer((json_int_t)sim_vm_uptime(m, vm)));
        if (vm->ignores_shutdown)
            json_object_set_new(jv, "ignores_shutdown", json_true());
        json_array_append_new(vms, jv);
    }
    json_object_set_new(o, "vms", vms);
    json_object_set_new(o, "users", dump_secretless(m->users));
    json_object_set(o, "groups", m->groups);
    json_object_set(o, "pools", m->pools);
    json_object_set(o, "acls", m->acls);
    json_object_set(o, "roles", m->roles);
    json_t *tasks = json_array();
    for (size_t i = 0; i < m->n_tasks; i++)
        json_array_append_new(tasks, sim_task_json_sim(m, m->tasks[i]));
    json_object_set_new(o, "tasks", tasks);
    return o;
}
