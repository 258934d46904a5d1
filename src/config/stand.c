/* stand: validates deployment_config.yml node by node and reports every mistake with its position,
 * so nothing reaches the cluster unless the whole stand description is sound. */
#include "config/stand.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/yaml_doc.h"
#include "pve_format.h"
#include "util/i18n.h"

#define STAND_NAME_MAX 32
#define MACHINE_NAME_MAX 63
#define PROFILE_NAME_MAX 32

static const char *const top_keys[] = {"stand",    "machines", "password_policy", "vmid_range",
                                       "profiles", "baseline", "start_order",     "student_role",
                                       "expires",  NULL};
static const char *const profile_keys[] = {"model", "first_nic", "firewall", "management", NULL};
static const char *const mgmt_keys[] = {"bridge", "model", "link_down", NULL};
static const char *const top_legacy[] = {"stand_type", "metadata", NULL};
static const char *const machine_keys[] = {
    "name", "device_type", "template_node", "template_vmid", "full_clone", "networks", NULL};
static const char *const net_keys[] = {"bridge", "reserved", NULL};
static const char *const policy_keys[] = {"style", "length", NULL};

const char *device_type_name(enum device_type t)
{
    return t == DEVICE_ECOROUTER ? "ecorouter" : t == DEVICE_PROFILE ? "profile" : "linux";
}

static const struct device_profile profile_linux = {
    .name = "linux", .model = "virtio", .first_nic = 0, .firewall = 1};
/* net0: management port on vmbr0, link down; net1 is left as it is; data NICs from net2. */
static const struct device_profile profile_ecorouter = {.name = "ecorouter",
                                                        .model = "vmxnet3",
                                                        .first_nic = 2,
                                                        .eco_macs = 1,
                                                        .keep_extra = 1,
                                                        .has_mgmt = 1,
                                                        .mgmt_bridge = "vmbr0",
                                                        .mgmt_model = "vmxnet3",
                                                        .mgmt_link_down = 1};

const struct device_profile *device_profile_builtin(enum device_type t)
{
    if (t == DEVICE_LINUX)
        return &profile_linux;
    if (t == DEVICE_ECOROUTER)
        return &profile_ecorouter;
    return NULL;
}

int device_profile_max_nets(const struct device_profile *p)
{
    return DEVICE_NICS_MAX - p->first_nic;
}

static const char *const device_models[] = {
    "e1000",  "e1000-82540em", "e1000-82544gc", "e1000-82545em", "e1000e",
    "i82551", "i82557b",       "i82559er",      "ne2k_isa",      "ne2k_pci",
    "pcnet",  "rtl8139",       "virtio",        "vmxnet3",       NULL,
};

int device_model_valid(const char *s)
{
    for (size_t i = 0; device_models[i]; i++)
        if (strcmp(device_models[i], s) == 0)
            return 1;
    return 0;
}

const char *stand_machine_type_name(const struct stand_machine *m)
{
    if (m->profile)
        return m->profile->name;
    return device_type_name(m->device_type);
}

/* 1..32 of [a-z0-9_-], starting with a letter or digit. */
static int stand_name_valid(const char *s, int *has_upper)
{
    size_t n = strlen(s);
    *has_upper = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 'A' && s[i] <= 'Z')
            *has_upper = 1;
    if (n == 0 || n > STAND_NAME_MAX)
        return 0;
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
            return 0;
    }
    return 1;
}

static char *default_stand_name(const char *display)
{
    const char *base = strrchr(display, '/');
    base = base ? base + 1 : display;
    char *name = xstrdup(base);
    char *dot = strrchr(name, '.');
    if (dot && dot != name)
        *dot = '\0';
    return name;
}

static void policy_default_length(struct password_policy *p)
{
    p->length = p->style == PASSWORD_DIGITS ? 8 : 10;
}

static int policy_style_parse(const struct ydoc *d, const struct ydoc_node *n,
                              enum password_style *style, struct diag_list *diags)
{
    const char *s;
    if (ydoc_want_str(d, n, "password_policy", &s, diags) < 0)
        return -1;
    if (strcmp(s, "unambiguous") == 0)
        *style = PASSWORD_UNAMBIGUOUS;
    else if (strcmp(s, "digits") == 0)
        *style = PASSWORD_DIGITS;
    else {
        ydoc_report(d, n, diags, _("use unambiguous or digits"), _("unknown password style '%s'"),
                    s);
        return -1;
    }
    return 0;
}

static void policy_parse(const struct ydoc *d, const struct ydoc_node *n, struct password_policy *p,
                         struct diag_list *diags)
{
    if (n->kind == YDOC_SCALAR) {
        if (policy_style_parse(d, n, &p->style, diags) == 0)
            policy_default_length(p);
        return;
    }
    if (n->kind != YDOC_MAPPING) {
        ydoc_report(d, n, diags, _("write unambiguous, digits or {style: digits, length: 8}"),
                    _("'password_policy' must be a style or a mapping, got %s"), ydoc_describe(n));
        return;
    }
    ydoc_check_keys(d, n, policy_keys, NULL, "password_policy", diags);
    const struct ydoc_node *style = ydoc_get(n, "style", NULL);
    const struct ydoc_node *length = ydoc_get(n, "length", NULL);
    if (style)
        policy_style_parse(d, style, &p->style, diags);
    policy_default_length(p);
    long long v;
    if (length && ydoc_want_int(d, length, "length", 8, 64, &v, diags) == 0)
        p->length = (int)v;
}

static void net_parse(const struct ydoc *d, const struct ydoc_node *n, struct stand_net *net,
                      int *ok, struct diag_list *diags)
{
    *ok = 0;
    if (n->kind != YDOC_MAPPING) {
        ydoc_report(d, n, diags, _("write each network as `- bridge: NAME`"),
                    _("a network must be a mapping with 'bridge', got %s"), ydoc_describe(n));
        return;
    }
    ydoc_check_keys(d, n, net_keys, NULL, _("a network"), diags);
    const struct ydoc_node *bridge = ydoc_get(n, "bridge", NULL);
    const struct ydoc_node *reserved = ydoc_get(n, "reserved", NULL);
    int is_reserved = 0, reserved_given = 0;
    if (reserved && ydoc_want_bool(d, reserved, "reserved", &is_reserved, diags) == 0)
        reserved_given = 1;
    if (!bridge) {
        ydoc_report(d, n, diags, _("add `bridge: NAME`"), _("network has no 'bridge'"));
        return;
    }
    const char *value;
    if (ydoc_want_str(d, bridge, "bridge", &value, diags) < 0)
        return;
    if (reserved_given && !is_reserved && strncmp(value, "**", 2) == 0) {
        ydoc_report(d, reserved, diags, _("remove `reserved: false` or the '**' around the name"),
                    _("'reserved: false' contradicts the reserved bridge '%s'"), value);
        return;
    }
    char msg[256], hint[256];
    if (stand_net_parse(value, is_reserved, net, msg, sizeof msg, hint, sizeof hint) < 0) {
        ydoc_report(d, bridge, diags, hint[0] ? hint : NULL, "%s", msg);
        return;
    }
    net->line = bridge->line;
    net->col = bridge->col;
    *ok = 1;
}

/* "linux, ecorouter, mikrotik": the device types a machine may name. */
static void device_types_list(const struct stand *s, char *out, size_t len)
{
    size_t n = (size_t)snprintf(out, len, "linux, ecorouter");
    for (size_t i = 0; i < s->n_profiles && n < len; i++)
        if (s->profiles[i].name)
            n += (size_t)snprintf(out + n, len - n, ", %s", s->profiles[i].name);
}

/* device_type: linux (the default), ecorouter or a profile of the file; m->profile follows it. */
static void machine_parse_device_type(const struct ydoc *d, const struct ydoc_node *n,
                                      const struct stand *st, struct stand_machine *m,
                                      struct diag_list *diags)
{
    const char *s;
    m->profile = &profile_linux;
    const struct ydoc_node *v = ydoc_get(n, "device_type", NULL);
    if (!v || ydoc_want_str(d, v, "device_type", &s, diags) != 0)
        return;
    const struct device_profile *found = NULL;
    for (size_t i = 0; i < st->n_profiles; i++)
        if (st->profiles[i].name && strcmp(st->profiles[i].name, s) == 0)
            found = &st->profiles[i];
    if (strcmp(s, "linux") == 0) {
        m->device_type = DEVICE_LINUX;
    } else if (strcmp(s, "ecorouter") == 0) {
        m->device_type = DEVICE_ECOROUTER;
        m->profile = &profile_ecorouter;
    } else if (found) {
        m->device_type = DEVICE_PROFILE;
        m->profile = found;
    } else {
        char types[512], hint[600];
        device_types_list(st, types, sizeof types);
        if (st->n_profiles)
            snprintf(hint, sizeof hint, _("use one of: %s"), types);
        else
            snprintf(hint, sizeof hint,
                     _("use linux or ecorouter, or define a profile under `profiles:`"));
        ydoc_report(d, v, diags, hint, _("unknown device_type '%s'"), s);
    }
}

/* template_node and template_vmid, both required (`label` names the machine). */
static void machine_parse_template(const struct ydoc *d, const struct ydoc_node *n,
                                   const char *label, struct stand_machine *m,
                                   struct diag_list *diags)
{
    const char *s;
    const struct ydoc_node *v = ydoc_get(n, "template_node", NULL);
    m->node_line = v ? v->line : n->line;
    m->node_col = v ? v->col : n->col;
    if (!v)
        ydoc_report(d, n, diags, _("add `template_node: NODE` (the node holding the template)"),
                    _("%s has no 'template_node'"), label);
    else if (ydoc_want_str(d, v, "template_node", &s, diags) == 0) {
        if (pve_is_node(s))
            m->template_node = xstrdup(s);
        else
            ydoc_report(d, v, diags, _("use the node name as Proxmox shows it, e.g. pve1"),
                        _("'%s' is not a valid node name"), s);
    }

    v = ydoc_get(n, "template_vmid", NULL);
    m->vmid_line = v ? v->line : n->line;
    m->vmid_col = v ? v->col : n->col;
    long long vmid;
    if (!v)
        ydoc_report(d, n, diags, _("add `template_vmid: VMID` (the template to clone)"),
                    _("%s has no 'template_vmid'"), label);
    else if (ydoc_want_int(d, v, "template_vmid", 100, 999999999, &vmid, diags) == 0)
        m->template_vmid = (int)vmid;
}

/* name, a DNS name; "vm-VMID" of the template when not given. */
static void machine_parse_name(const struct ydoc *d, const struct ydoc_node *n,
                               struct stand_machine *m, struct diag_list *diags)
{
    const char *s;
    const struct ydoc_node *v = ydoc_get(n, "name", NULL);
    if (v) {
        if (ydoc_want_str(d, v, "name", &s, diags) == 0) {
            if (strlen(s) > MACHINE_NAME_MAX)
                ydoc_report(d, v, diags, _("shorten the name"), _("machine name is longer than %d"),
                            MACHINE_NAME_MAX);
            else if (!pve_is_dns_name(s))
                ydoc_report(d, v, diags,
                            _("use letters, digits and '-' (dots separate labels), e.g. web-1"),
                            _("machine name '%s' is not a valid DNS name"), s);
            else
                m->name = xstrdup(s);
        }
    } else if (m->template_vmid) {
        char name[32];
        snprintf(name, sizeof name, "vm-%d", m->template_vmid);
        m->name = xstrdup(name);
    }
}

/* networks: a list of bridges, at most as many as the machine's profile takes. */
static void machine_parse_networks(const struct ydoc *d, const struct ydoc_node *n,
                                   struct stand_machine *m, struct diag_list *diags)
{
    const struct ydoc_node *v = ydoc_get(n, "networks", NULL);
    if (!v || ydoc_is_null(v))
        return;
    if (v->kind != YDOC_SEQUENCE) {
        ydoc_report(d, v, diags, _("write networks as a list of `- bridge: NAME`"),
                    _("'networks' must be a list, got %s"), ydoc_describe(v));
        return;
    }
    size_t max = (size_t)device_profile_max_nets(m->profile);
    if (v->n_items > max)
        ydoc_report(d, v->items[max], diags, _("remove networks"),
                    _("too many networks (%zu): %s machines take at most %zu"), v->n_items,
                    m->profile->name, max);
    m->nets = xcalloc(v->n_items ? v->n_items : 1, sizeof *m->nets);
    for (size_t i = 0; i < v->n_items; i++) {
        int ok;
        net_parse(d, v->items[i], &m->nets[m->n_nets], &ok, diags);
        if (ok)
            m->n_nets++;
    }
}

static void machine_parse(const struct ydoc *d, const struct ydoc_node *n, size_t idx,
                          const struct stand *st, struct stand_machine *m, struct diag_list *diags)
{
    m->line = n->line;
    m->col = n->col;
    if (n->kind != YDOC_MAPPING) {
        ydoc_report(d, n, diags,
                    _("write each machine as a mapping with template_node, template_vmid"),
                    _("machine #%zu must be a mapping, got %s"), idx + 1, ydoc_describe(n));
        return;
    }
    ydoc_check_keys(d, n, machine_keys, NULL, _("a machine"), diags);
    char label[96]; /* how problems name this machine: by its name when it has a plain one */
    const struct ydoc_node *v = ydoc_get(n, "name", NULL);
    if (v && v->kind == YDOC_SCALAR && v->type == YDOC_T_STR && v->len <= MACHINE_NAME_MAX)
        snprintf(label, sizeof label, _("machine '%s'"), v->text);
    else
        snprintf(label, sizeof label, _("machine #%zu"), idx + 1);

    machine_parse_device_type(d, n, st, m, diags);
    machine_parse_template(d, n, label, m, diags);
    machine_parse_name(d, n, m, diags);
    v = ydoc_get(n, "full_clone", NULL);
    if (v)
        ydoc_want_bool(d, v, "full_clone", &m->full_clone, diags);
    machine_parse_networks(d, n, m, diags);
}

static void machines_check_unique(const struct ydoc *d, const struct ydoc_node *list,
                                  const struct stand *s, struct diag_list *diags)
{
    for (size_t i = 1; i < s->n_machines; i++) {
        const struct stand_machine *m = &s->machines[i];
        if (!m->name)
            continue;
        for (size_t j = 0; j < i; j++) {
            if (s->machines[j].name && strcasecmp(s->machines[j].name, m->name) == 0) {
                const struct ydoc_node *at = ydoc_get(list->items[i], "name", NULL);
                ydoc_report(d, at ? at : list->items[i], diags,
                            _("give each machine a distinct `name:`"),
                            _("machine name '%s' is used twice (first at line %d)"), m->name,
                            s->machines[j].line);
                break;
            }
        }
    }
}

static void name_parse(const struct ydoc *d, const struct ydoc_node *root, struct stand *s,
                       struct diag_list *diags)
{
    const struct ydoc_node *v = ydoc_get(root, "stand", NULL);
    int upper;
    if (v) {
        const char *name;
        if (ydoc_want_str(d, v, "stand", &name, diags) < 0)
            return;
        if (stand_name_valid(name, &upper)) {
            s->name = xstrdup(name);
            return;
        }
        char hint[128];
        char lower[STAND_NAME_MAX + 1];
        size_t n = strlen(name);
        int lower_ok = 0;
        if (upper && n <= STAND_NAME_MAX) {
            for (size_t i = 0; i <= n; i++)
                lower[i] = (char)tolower((unsigned char)name[i]);
            lower_ok = stand_name_valid(lower, &upper);
        }
        if (lower_ok)
            snprintf(hint, sizeof hint, _("use lowercase letters: '%s'"), lower);
        else
            snprintf(hint, sizeof hint,
                     _("use 1..32 of a-z, 0-9, '_' and '-', starting with a letter or digit"));
        ydoc_report(d, v, diags, hint, _("stand name '%s' is not valid"), name);
        return;
    }
    char *name = default_stand_name(s->path);
    if (stand_name_valid(name, &upper)) {
        s->name = name;
        return;
    }
    ydoc_report(d, NULL, diags, _("add a top-level `stand: NAME` (1..32 of a-z, 0-9, '_' and '-')"),
                _("the stand name '%s' taken from the file name is not valid"), name);
    free(name);
}

/* `vmid_range: 5000-5999`: the block the stand's VMIDs (and its template copies') come from. */
static void vmid_range_parse(const struct ydoc *d, const struct ydoc_node *n, struct stand *s,
                             struct diag_list *diags)
{
    const char *text;
    const char *hint = _("write it as `vmid_range: 5000-5999` (100..999999999)");
    if (ydoc_want_str(d, n, "vmid_range", &text, diags) < 0)
        return;
    char *end;
    long lo = strtol(text, &end, 10), hi = 0;
    int ok = end != text && *end == '-';
    if (ok) {
        const char *p = end + 1;
        hi = strtol(p, &end, 10);
        ok = end != p && *end == '\0';
    }
    if (!ok || lo < 100 || hi > 999999999 || lo > hi) {
        ydoc_report(d, n, diags, hint, _("'%s' is not a VMID range"), text);
        return;
    }
    s->vmid_min = (int)lo;
    s->vmid_max = (int)hi;
}

/* 1..32 of [a-z0-9_-], starting with a letter. */
static int profile_name_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > PROFILE_NAME_MAX || !(s[0] >= 'a' && s[0] <= 'z'))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
            return 0;
    }
    return 1;
}

static int model_parse(const struct ydoc *d, const struct ydoc_node *n, const char *field,
                       char *out, size_t len, struct diag_list *diags)
{
    const char *s;
    if (ydoc_want_str(d, n, field, &s, diags) < 0)
        return -1;
    if (!device_model_valid(s)) {
        ydoc_report(d, n, diags,
                    _("use one of e1000, e1000e, virtio, vmxnet3, rtl8139, pcnet, ne2k_pci, "
                      "i82551, ..."),
                    _("unknown NIC model '%s'"), s);
        return -1;
    }
    snprintf(out, len, "%s", s);
    return 0;
}

static void mgmt_parse(const struct ydoc *d, const struct ydoc_node *n, struct device_profile *p,
                       struct diag_list *diags)
{
    if (n->kind != YDOC_MAPPING) {
        ydoc_report(d, n, diags, _("write it as `management: {bridge: vmbr0}`"),
                    _("'management' must be a mapping, got %s"), ydoc_describe(n));
        return;
    }
    ydoc_check_keys(d, n, mgmt_keys, NULL, _("a management NIC"), diags);
    const struct ydoc_node *v = ydoc_get(n, "bridge", NULL);
    const char *s;
    if (!v)
        ydoc_report(d, n, diags, _("add `bridge: vmbr0`"), _("the management NIC has no 'bridge'"));
    else if (ydoc_want_str(d, v, "bridge", &s, diags) == 0) {
        if (!pve_is_iface(s) || strlen(s) >= sizeof p->mgmt_bridge)
            ydoc_report(d, v, diags, _("use the name of an existing bridge, e.g. vmbr0"),
                        _("bridge '%s' is not a valid interface name"), s);
        else
            snprintf(p->mgmt_bridge, sizeof p->mgmt_bridge, "%s", s);
    }
    snprintf(p->mgmt_model, sizeof p->mgmt_model, "%s", p->model);
    v = ydoc_get(n, "model", NULL);
    if (v)
        model_parse(d, v, "model", p->mgmt_model, sizeof p->mgmt_model, diags);
    v = ydoc_get(n, "link_down", NULL);
    if (v)
        ydoc_want_bool(d, v, "link_down", &p->mgmt_link_down, diags);
    p->has_mgmt = 1;
}

static void profile_parse(const struct ydoc *d, const struct ydoc_pair *pair, const struct stand *s,
                          struct device_profile *p, struct diag_list *diags)
{
    const struct ydoc_node *key = pair->key, *n = pair->value;
    p->line = key->line;
    p->col = key->col;
    if (strcmp(key->text, "linux") == 0 || strcmp(key->text, "ecorouter") == 0) {
        ydoc_report(d, key, diags, _("pick another name, e.g. mikrotik"),
                    _("'%s' is a built-in device type and cannot be redefined"), key->text);
        return;
    }
    if (!profile_name_valid(key->text)) {
        ydoc_report(d, key, diags, _("use 1..32 of a-z, 0-9, '_' and '-', starting with a letter"),
                    _("profile name '%s' is not valid"), key->text);
        return;
    }
    for (const struct device_profile *q = s->profiles; q < p; q++)
        if (q->name && strcmp(q->name, key->text) == 0)
            return; /* duplicate keys were reported when the file was read */
    /* named even when its body is wrong, so machines using it get no second, misleading error */
    p->name = xstrdup(key->text);
    if (n->kind != YDOC_MAPPING) {
        ydoc_report(d, n, diags, _("write it as `NAME: {model: e1000, first_nic: 0}`"),
                    _("profile '%s' must be a mapping, got %s"), key->text, ydoc_describe(n));
        return;
    }
    ydoc_check_keys(d, n, profile_keys, NULL, _("a profile"), diags);
    const struct ydoc_node *v = ydoc_get(n, "model", NULL);
    if (!v) {
        ydoc_report(d, n, diags, _("add `model: e1000` (or virtio, vmxnet3, ...)"),
                    _("profile '%s' has no 'model'"), key->text);
    } else {
        model_parse(d, v, "model", p->model, sizeof p->model, diags);
    }
    v = ydoc_get(n, "first_nic", NULL);
    long long first = 0;
    if (v && ydoc_want_int(d, v, "first_nic", 0, DEVICE_NICS_MAX - 1, &first, diags) == 0)
        p->first_nic = (int)first;
    v = ydoc_get(n, "firewall", NULL);
    if (v)
        ydoc_want_bool(d, v, "firewall", &p->firewall, diags);
    v = ydoc_get(n, "management", NULL);
    if (v && !ydoc_is_null(v)) {
        if (p->first_nic < 1) {
            ydoc_report(d, v, diags, _("set `first_nic: 1` or more, or remove `management:`"),
                        _("the management NIC is net0, but the stand's networks start at net0"));
        } else {
            mgmt_parse(d, v, p, diags);
        }
    }
}

static void profiles_parse(const struct ydoc *d, const struct ydoc_node *n, struct stand *s,
                           struct diag_list *diags)
{
    if (ydoc_is_null(n))
        return;
    if (n->kind != YDOC_MAPPING) {
        ydoc_report(d, n, diags, _("write `profiles:` as a mapping of NAME: {model: ...}"),
                    _("'profiles' must be a mapping, got %s"), ydoc_describe(n));
        return;
    }
    s->profiles = xcalloc(n->n_pairs ? n->n_pairs : 1, sizeof *s->profiles);
    s->n_profiles = n->n_pairs;
    for (size_t i = 0; i < n->n_pairs; i++)
        profile_parse(d, &n->pairs[i], s, &s->profiles[i], diags);
}

/* ---- the class lifecycle: baseline, start order, role, expiry ------------------------- */

/* `baseline: NAME`, `baseline: true` (the default name) or `baseline: false` (none). */
static void baseline_parse(const struct ydoc *d, const struct ydoc_node *n, struct stand *s,
                           struct diag_list *diags)
{
    free(s->baseline);
    s->baseline = NULL;
    if (n->kind == YDOC_SCALAR && n->type == YDOC_T_BOOL) {
        int on = 0;
        ydoc_want_bool(d, n, "baseline", &on, diags);
        s->baseline = on ? xstrdup(STAND_BASELINE_DEFAULT) : NULL;
        return;
    }
    const char *name;
    if (ydoc_want_str(d, n, "baseline", &name, diags) < 0)
        return;
    if (!stand_snapshot_name_valid(name)) {
        ydoc_report(d, n, diags,
                    _("use 2..40 letters, digits, '-' or '_', starting with a letter (not "
                      "'current'), or `baseline: false` for none"),
                    _("'%s' is not a valid snapshot name"), name);
        return;
    }
    s->baseline = xstrdup(name);
}

static const struct stand_machine *machine_named(const struct stand *s, const char *name)
{
    for (size_t i = 0; i < s->n_machines; i++)
        if (s->machines[i].name && strcasecmp(s->machines[i].name, name) == 0)
            return &s->machines[i];
    return NULL;
}

/* One `start_order:` item: a machine of the stand, listed once. */
static void start_order_item(const struct ydoc *d, const struct ydoc_node *it, struct stand *s,
                             struct diag_list *diags)
{
    const char *name;
    if (ydoc_want_str(d, it, "start_order", &name, diags) < 0)
        return;
    const struct stand_machine *m = machine_named(s, name);
    if (!m) {
        char names[512], hint[600];
        size_t l = 0;
        names[0] = '\0';
        for (size_t i = 0; i < s->n_machines && l < sizeof names; i++)
            if (s->machines[i].name)
                l += (size_t)snprintf(names + l, sizeof names - l, "%s%s", l ? ", " : "",
                                      s->machines[i].name);
        snprintf(hint, sizeof hint, _("use the names of the stand's machines: %s"), names);
        ydoc_report(d, it, diags, hint,
                    _("start_order names '%s', which is not a machine of this "
                      "stand"),
                    name);
        return;
    }
    for (size_t i = 0; i < s->n_start_order; i++)
        if (strcmp(s->start_order[i], m->name) == 0) {
            ydoc_report(d, it, diags, _("list each machine once"),
                        _("machine '%s' is listed twice in start_order"), name);
            return;
        }
    s->start_order[s->n_start_order++] = xstrdup(m->name);
}

/* `start_order: [router, web]`, read after the machines. */
static void start_order_parse(const struct ydoc *d, const struct ydoc_node *n, struct stand *s,
                              struct diag_list *diags)
{
    if (ydoc_is_null(n))
        return;
    if (n->kind != YDOC_SEQUENCE) {
        ydoc_report(d, n, diags, _("write it as a list of machine names, e.g. [router, web]"),
                    _("'start_order' must be a list, got %s"), ydoc_describe(n));
        return;
    }
    s->start_order = xcalloc(n->n_items ? n->n_items : 1, sizeof *s->start_order);
    for (size_t i = 0; i < n->n_items; i++)
        start_order_item(d, n->items[i], s, diags);
}

static void student_role_parse(const struct ydoc *d, const struct ydoc_node *n, struct stand *s,
                               struct diag_list *diags)
{
    const char *v;
    if (ydoc_want_str(d, n, "student_role", &v, diags) < 0)
        return;
    for (int r = STUDENT_ROLE_VMADMIN; r <= STUDENT_ROLE_MANAGED; r++)
        if (strcmp(v, student_role_name((enum student_role)r)) == 0) {
            s->student_role = (enum student_role)r;
            return;
        }
    ydoc_report(d, n, diags, _("use PVEVMAdmin, PVEVMUser or DeployStandStudent"),
                _("unknown student_role '%s'"), v);
}

/* `expires: YYYY-MM-DD`, a real date: the accounts work until the end of that day (UTC). */
static void expires_parse(const struct ydoc *d, const struct ydoc_node *n, struct stand *s,
                          struct diag_list *diags)
{
    const char *v;
    if (ydoc_want_str(d, n, "expires", &v, diags) < 0)
        return;
    int rc = stand_date_parse(v, &s->expires);
    if (rc < 0)
        ydoc_report(d, n, diags, _("write the last day of access as YYYY-MM-DD, e.g. 2025-06-30"),
                    rc == -1 ? _("'%s' is not a date (YYYY-MM-DD)") : _("%s is not a real date"),
                    v);
    else
        snprintf(s->expires_date, sizeof s->expires_date, "%s", v);
}

/* The lifecycle keys; start_order needs the machines, so this runs after them. */
static void lifecycle_parse(const struct ydoc *d, const struct ydoc_node *root, struct stand *s,
                            struct diag_list *diags)
{
    const struct ydoc_node *v = ydoc_get(root, "baseline", NULL);
    if (v)
        baseline_parse(d, v, s, diags);
    if ((v = ydoc_get(root, "student_role", NULL)))
        student_role_parse(d, v, s, diags);
    if ((v = ydoc_get(root, "expires", NULL)))
        expires_parse(d, v, s, diags);
    if ((v = ydoc_get(root, "start_order", NULL)))
        start_order_parse(d, v, s, diags);
}

static void stand_build(const struct ydoc *d, struct stand *s, struct diag_list *diags)
{
    const struct ydoc_node *root = d->root;
    if (ydoc_is_null(root)) {
        ydoc_report(d, root, diags,
                    _("add a `machines:` list (see examples/deployment_config.yml)"),
                    _("the file is empty"));
        return;
    }
    if (root->kind != YDOC_MAPPING) {
        ydoc_report(d, root, diags, _("start the file with `machines:`"),
                    _("expected a mapping with 'machines' at the top, got %s"),
                    ydoc_describe(root));
        return;
    }
    ydoc_check_keys(d, root, top_keys, top_legacy, _("the stand file"), diags);
    name_parse(d, root, s, diags);

    const struct ydoc_node *v = ydoc_get(root, "password_policy", NULL);
    if (v)
        policy_parse(d, v, &s->password_policy, diags);

    v = ydoc_get(root, "vmid_range", NULL);
    if (v)
        vmid_range_parse(d, v, s, diags);

    v = ydoc_get(root, "profiles", NULL);
    if (v)
        profiles_parse(d, v, s, diags);

    v = ydoc_want_list(d, root, "machines", _("add a `machines:` list"),
                       _("list the machines as `- template_node: ...` items"), diags);
    if (!v) {
        lifecycle_parse(d, root, s, diags);
        return;
    }
    s->machines = xcalloc(v->n_items, sizeof *s->machines);
    s->n_machines = v->n_items;
    for (size_t i = 0; i < v->n_items; i++)
        machine_parse(d, v->items[i], i, s, &s->machines[i], diags);
    machines_check_unique(d, v, s, diags);
    lifecycle_parse(d, root, s, diags);
}

/* YDOC_DEFINE_LOADERS build: a stand from a parsed document. */
static void stand_from_doc(const struct ydoc *d, const char *path, struct stand *s,
                           struct diag_list *diags)
{
    s->path = xstrdup(path);
    s->password_policy.style = PASSWORD_UNAMBIGUOUS;
    policy_default_length(&s->password_policy);
    s->baseline = xstrdup(STAND_BASELINE_DEFAULT);
    stand_build(d, s, diags);
}

YDOC_DEFINE_LOADERS(stand, struct stand, stand_from_doc)

void stand_free(struct stand *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_machines; i++) {
        struct stand_machine *m = &s->machines[i];
        free(m->name);
        free(m->template_node);
        for (size_t j = 0; j < m->n_nets; j++)
            free(m->nets[j].name);
        free(m->nets);
    }
    free(s->machines);
    for (size_t i = 0; i < s->n_profiles; i++)
        free(s->profiles[i].name);
    free(s->profiles);
    for (size_t i = 0; i < s->n_start_order; i++)
        free(s->start_order[i]);
    free(s->start_order);
    free(s->baseline);
    free(s->path);
    free(s->name);
    free(s);
}
