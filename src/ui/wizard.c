/* wizard: the config wizard. It shows the cluster's templates, asks one machine at a time with
 * every answer checked on the spot, renders the YAML and validates it like any stand file. */
#include "ui/wizard.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config/stand.h"
#include "pve/pve_api.h"
#include "pve_format.h"
#include "ui/prompt.h"
#include "ui/table.h"
#include "util/diag.h"
#include "util/err.h"
#include "util/i18n.h"

#define WIZ_MAX_MACHINES 64
#define WIZ_MAX_PROFILES 16

/* A custom device profile defined in the wizard; it becomes an entry of `profiles:`. */
struct wiz_profile {
    char name[33];
    char model[24];
    int first_nic;
    int firewall;
    char mgmt_bridge[64]; /* "" = no management NIC */
    int mgmt_link_down;
};

struct wiz_profiles {
    struct wiz_profile p[WIZ_MAX_PROFILES];
    size_t n;
};

struct wiz_machine {
    char *name;
    int ecorouter;
    int profile; /* index into wiz_profiles, or -1 for linux/ecorouter */
    const struct inv_vm *tpl;
    int full;
    char **bridges; /* the `bridge:` values as they go into the YAML */
    size_t n_bridges;
};

static void say(const struct wizard_io *io, const char *text)
{
    io->say(io->ud, text);
}

static void sayf(const struct wizard_io *io, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void sayf(const struct wizard_io *io, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = xvasprintf(fmt, ap);
    va_end(ap);
    io->say(io->ud, text);
    free(text);
}

static int tpl_cmp(const void *a, const void *b)
{
    const struct inv_vm *x = *(const struct inv_vm *const *)a,
                        *y = *(const struct inv_vm *const *)b;
    int c = strcmp(x->node ? x->node : "", y->node ? y->node : "");
    return c ? c : (x->vmid > y->vmid) - (x->vmid < y->vmid);
}

static void mem_text(long long bytes, char *out, size_t len)
{
    if (bytes <= 0)
        snprintf(out, len, "-");
    else if (bytes >= (1LL << 30))
        snprintf(out, len, _("%.1f GiB"), (double)bytes / (double)(1LL << 30));
    else
        snprintf(out, len, _("%lld MiB"), bytes >> 20);
}

/* "scsi0 32G, scsi1 10G" from a VM config; "-" when unknown. */
static void disks_text(const json_t *cfg, char *out, size_t len)
{
    static const char *const buses[] = {"scsi", "virtio", "sata", "ide", NULL};
    size_t o = 0;
    out[0] = '\0';
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)cfg, key, val)
    {
        int disk = 0;
        for (size_t b = 0; buses[b] && !disk; b++) {
            size_t bl = strlen(buses[b]);
            disk = strncmp(key, buses[b], bl) == 0 && isdigit((unsigned char)key[bl]);
            for (size_t k = bl; disk && key[k]; k++)
                disk = isdigit((unsigned char)key[k]);
        }
        const char *v = json_string_value(val);
        if (!disk || !v || strstr(v, "media=cdrom"))
            continue;
        const char *size = strstr(v, "size=");
        int sl = 0;
        if (size) {
            size += 5;
            sl = (int)strcspn(size, ",");
        }
        int w = snprintf(out + o, len - o, "%s%s %.*s", o ? ", " : "", key, sl, size ? size : "?");
        if (w < 0 || (size_t)w >= len - o)
            break;
        o += (size_t)w;
    }
    if (!out[0])
        snprintf(out, len, "-");
}

static void show_templates(const struct wizard_io *io, const struct inv_vm *const *tpl, size_t n)
{
    const char *hdr[] = {"#", _("NODE"), _("VMID"), _("NAME"), _("MEMORY"), _("DISKS")};
    struct table *t = table_new(6, hdr);
    for (size_t i = 0; i < n; i++) {
        char num[24], vmid[16], mem[32], disks[256];
        snprintf(num, sizeof num, "%zu", i + 1);
        snprintf(vmid, sizeof vmid, "%d", tpl[i]->vmid);
        mem_text(tpl[i]->maxmem, mem, sizeof mem);
        if (tpl[i]->config)
            disks_text(tpl[i]->config, disks, sizeof disks);
        else
            snprintf(disks, sizeof disks, "-");
        const char *row[] = {num, tpl[i]->node, vmid, tpl[i]->name ? tpl[i]->name : "", mem, disks};
        table_add(t, row);
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        abort();
    table_print(t, f);
    fclose(f);
    table_free(t);
    while (len && buf[len - 1] == '\n')
        buf[--len] = '\0';
    say(io, _("Templates on the cluster:"));
    say(io, buf);
    free(buf);
}

/* Asks until the answer is yes or no. 1, 0, or -1 on cancel. */
static int ask_yes_no(const struct wizard_io *io, const char *q, int dflt)
{
    for (;;) {
        char *a = io->ask(io->ud, q, dflt ? _("y") : _("n"));
        if (!a)
            return -1;
        int r = prompt_answer(a);
        free(a);
        if (r >= 0)
            return r;
        say(io, _("Please answer y or n."));
    }
}

/* Asks until the answer is 1..n (or one of the words, index+1). Returns the choice or -1. */
static int ask_choice(const struct wizard_io *io, const char *q, const char *const *words, int n,
                      int dflt)
{
    char d[16];
    snprintf(d, sizeof d, "%d", dflt);
    for (;;) {
        char *a = io->ask(io->ud, q, d);
        if (!a)
            return -1;
        char *end;
        long v = strtol(a, &end, 10);
        int r = (*a && !*end && v >= 1 && v <= n) ? (int)v : 0;
        for (int i = 0; !r && i < n; i++)
            if (words[i] && strcasecmp(a, words[i]) == 0)
                r = i + 1;
        free(a);
        if (r)
            return r;
        sayf(io, _("Please enter a number from 1 to %d."), n);
    }
}

static int stand_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 32 || !(islower((unsigned char)s[0]) || isdigit((unsigned char)s[0])))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-' ||
              s[i] == '_'))
            return 0;
    return 1;
}

static void machine_free(struct wiz_machine *m)
{
    free(m->name);
    for (size_t i = 0; i < m->n_bridges; i++)
        free(m->bridges[i]);
    free(m->bridges);
    memset(m, 0, sizeof *m);
}

static int name_taken(const struct wiz_machine *ms, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(ms[i].name, name) == 0)
            return 1;
    return 0;
}

static void explain_networks(const struct wizard_io *io)
{
    say(io, _("Networks: one per answer, in NIC order; an empty answer ends the list.\n"
              "  lan          an alias: every student gets a private bridge for it (vmbr1000 "
              "and up);\n"
              "               machines that use the same alias share that student's bridge\n"
              "  lan.10       the same private bridge, this NIC in VLAN 10 (the bridge becomes "
              "VLAN-aware)\n"
              "  **vmbr100**  a reserved bridge shared by all students, created if missing\n"
              "  vmbr0        an existing bridge of the node, used as it is (the host network!)\n"
              "A linux machine gets them as net0, net1, ...; an ecorouter keeps net0 for "
              "management\nand net1 as the template has it, and gets them from net2 on."));
}

/* Asks the networks of machine m. 0, or -1 on cancel. */
static int ask_networks(const struct wizard_io *io, const struct cluster_view *view,
                        struct wiz_machine *m, int first_nic)
{
    size_t max = m->ecorouter ? 30 : 32;
    if (m->profile >= 0)
        max = (size_t)(DEVICE_NICS_MAX - first_nic);
    m->bridges = xcalloc(max, sizeof *m->bridges);
    while (m->n_bridges < max) {
        char q[128];
        snprintf(q, sizeof q, _("Network %zu (empty = done)"), m->n_bridges + 1);
        char *a = io->ask(io->ud, q, NULL);
        if (!a)
            return -1;
        char *v = a;
        while (isspace((unsigned char)*v))
            v++;
        size_t l = strlen(v);
        while (l && isspace((unsigned char)v[l - 1]))
            v[--l] = '\0';
        if (!*v) {
            free(a);
            break;
        }
        struct stand_net net;
        char msg[256], hint[256];
        if (stand_net_parse(v, 0, &net, msg, sizeof msg, hint, sizeof hint) < 0) {
            sayf(io, _("Not a network: %s; %s"), msg, hint);
            free(a);
            continue;
        }
        char *value = NULL;
        int w;
        if (net.kind == STAND_NET_RESERVED)
            w = asprintf(&value, "\"**%s**\"", net.name);
        else if (net.vid)
            w = asprintf(&value, "%s.%d", net.name, net.vid);
        else
            w = asprintf(&value, "%s", net.name);
        if (w < 0)
            abort();
        if (net.kind == STAND_NET_LITERAL && inv_net_find(view, m->tpl->node) &&
            !inv_iface_find(view, m->tpl->node, net.name))
            sayf(io,
                 _("Note: bridge %s does not exist on %s now; the deploy will refuse it until "
                   "it does."),
                 net.name, m->tpl->node);
        free(net.name);
        free(a);
        m->bridges[m->n_bridges++] = value;
    }
    if (m->n_bridges == max)
        sayf(io, _("That is the most NICs this machine can have (%zu)."), max);
    return 0;
}

/* Trims spaces at both ends in place and returns the start. */
static char *trim(char *a)
{
    while (isspace((unsigned char)*a))
        a++;
    size_t l = strlen(a);
    while (l && isspace((unsigned char)a[l - 1]))
        a[--l] = '\0';
    return a;
}

static int profile_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 32 || !islower((unsigned char)s[0]))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-' ||
              s[i] == '_'))
            return 0;
    return 1;
}

/* The profile's name (its device_type): new, and not linux or ecorouter. 0, or -1 on cancel. */
static int ask_profile_name(const struct wizard_io *io, const struct wiz_profiles *ps,
                            struct wiz_profile *p)
{
    char dflt[40];
    snprintf(dflt, sizeof dflt, "custom%zu", ps->n + 1);
    for (;;) {
        char *a = io->ask(io->ud, _("Profile name (used as device_type)"), dflt);
        if (!a)
            return -1;
        char *v = trim(a);
        int taken = !strcmp(v, "linux") || !strcmp(v, "ecorouter");
        for (size_t i = 0; i < ps->n; i++)
            taken |= !strcmp(ps->p[i].name, v);
        if (!profile_name_ok(v))
            sayf(io,
                 _("'%s' cannot be a profile name: use 1 to 32 lowercase letters, digits, '-' "
                   "and '_', starting with a letter."),
                 v);
        else if (taken)
            sayf(io, _("The device type '%s' already exists; pick another name."), v);
        else {
            snprintf(p->name, sizeof p->name, "%s", v);
            free(a);
            return 0;
        }
        free(a);
    }
}

/* The NIC model and the first NIC of the stand's networks. 0, or -1 on cancel. */
static int ask_profile_nics(const struct wizard_io *io, struct wiz_profile *p)
{
    for (;;) {
        char *a =
            io->ask(io->ud, _("NIC model (e1000, e1000e, virtio, vmxnet3, rtl8139, ...)"), "e1000");
        if (!a)
            return -1;
        char *v = trim(a);
        if (device_model_valid(v)) {
            snprintf(p->model, sizeof p->model, "%s", v);
            free(a);
            break;
        }
        sayf(io, _("'%s' is not a NIC model Proxmox knows; try e1000, virtio or vmxnet3."), v);
        free(a);
    }
    for (;;) {
        char *a = io->ask(io->ud, _("First NIC of the stand's networks (0 to 31: netN)"), "0");
        if (!a)
            return -1;
        char *v = trim(a), *end;
        long n = strtol(v, &end, 10);
        int ok = *v && !*end && n >= 0 && n <= DEVICE_NICS_MAX - 1;
        free(a);
        if (ok) {
            p->first_nic = (int)n;
            return 0;
        }
        say(io, _("Please enter a number from 0 to 31."));
    }
}

/* The management NIC (net0) when the stand's networks start later: its bridge, or none, and
 * whether its link stays down. 0, or -1 on cancel. */
static int ask_profile_mgmt(const struct wizard_io *io, struct wiz_profile *p)
{
    for (;;) {
        char *a = io->ask(io->ud, _("Management bridge for net0 (empty = none, e.g. vmbr0)"), NULL);
        if (!a)
            return -1;
        char *v = trim(a);
        if (!*v) {
            free(a);
            return 0;
        }
        if (pve_is_iface(v) && strlen(v) < sizeof p->mgmt_bridge) {
            snprintf(p->mgmt_bridge, sizeof p->mgmt_bridge, "%s", v);
            free(a);
            break;
        }
        sayf(io, _("'%s' is not a bridge name; write one such as vmbr0, or nothing."), v);
        free(a);
    }
    int down = ask_yes_no(io, _("Keep the management NIC's link down?"), 0);
    if (down < 0)
        return -1;
    p->mgmt_link_down = down;
    return 0;
}

/* Asks a new device profile: name, NIC model, first NIC, firewall, management NIC. 0, or -1 on
 * cancel. */
static int ask_profile(const struct wizard_io *io, const struct wiz_profiles *ps,
                       struct wiz_profile *p)
{
    memset(p, 0, sizeof *p);
    if (ask_profile_name(io, ps, p) < 0 || ask_profile_nics(io, p) < 0)
        return -1;
    int fw = ask_yes_no(io, _("Turn on the Proxmox firewall on these NICs?"), 0);
    if (fw < 0)
        return -1;
    p->firewall = fw;
    return p->first_nic == 0 ? 0 : ask_profile_mgmt(io, p);
}

/* Asks the device type: linux, ecorouter, a profile defined earlier, or a new custom one.
 * Sets m->ecorouter/m->profile; returns the machine's first data NIC, or -1 on cancel. */
static int ask_device_type(const struct wizard_io *io, struct wiz_profiles *ps,
                           struct wiz_machine *m, const char *tn)
{
    say(io, _("Device type:\n  1) linux      the networks become net0, net1, ... (virtio)\n"
              "  2) ecorouter  net0 is the management port, the networks start at net2 (vmxnet3)"));
    const char *words[WIZ_MAX_PROFILES + 3] = {"linux", "ecorouter"};
    int n = 2;
    for (size_t i = 0; i < ps->n; i++) {
        words[n] = ps->p[i].name;
        sayf(io, _("  %d) %s  a profile of this stand: %s NICs from net%d"), n + 1, ps->p[i].name,
             ps->p[i].model, ps->p[i].first_nic);
        n++;
    }
    int can_add = ps->n < WIZ_MAX_PROFILES;
    if (can_add) {
        words[n++] = "custom";
        sayf(io,
             _("  %d) custom     a new profile: NIC model, first NIC, firewall, management "
               "NIC"),
             n);
    }
    int eco_guess = tn && strcasestr(tn, "eco") != NULL;
    int t = ask_choice(io, _("Device type"), words, n, eco_guess ? 2 : 1);
    if (t < 0)
        return -1;
    m->profile = -1;
    m->ecorouter = t == 2;
    if (t <= 2)
        return t == 2 ? 2 : 0;
    if (can_add && t == n) {
        if (ask_profile(io, ps, &ps->p[ps->n]) < 0)
            return -1;
        ps->n++;
    }
    m->profile = t - 3;
    return ps->p[m->profile].first_nic;
}

/* Asks one machine. 0, or -1 on cancel. */
static int ask_machine(const struct wizard_io *io, const struct cluster_view *view,
                       const struct inv_vm *const *tpl, size_t n_tpl, struct wiz_machine *ms,
                       size_t idx, struct wiz_profiles *ps)
{
    struct wiz_machine *m = &ms[idx];
    m->profile = -1;
    sayf(io, _("--- Machine %zu ---"), idx + 1);
    for (;;) {
        char *a = io->ask(io->ud, _("Template (number in the list or VMID)"), "1");
        if (!a)
            return -1;
        char *end;
        long v = strtol(a, &end, 10);
        int ok = *a && !*end;
        free(a);
        if (ok && v >= 1 && (size_t)v <= n_tpl) {
            m->tpl = tpl[v - 1];
            break;
        }
        for (size_t i = 0; ok && i < n_tpl && !m->tpl; i++)
            if (tpl[i]->vmid == v)
                m->tpl = tpl[i];
        if (m->tpl)
            break;
        sayf(io, _("No such template: enter a number from 1 to %zu or the VMID of a template."),
             n_tpl);
    }
    char dflt[80];
    const char *tn = m->tpl->name;
    /* the template's name without a "-tpl"/"-template" suffix, else vm-<VMID> */
    size_t tl = tn ? strlen(tn) : 0;
    if (tl > 4 && !strcasecmp(tn + tl - 4, "-tpl"))
        tl -= 4;
    else if (tl > 9 && !strcasecmp(tn + tl - 9, "-template"))
        tl -= 9;
    snprintf(dflt, sizeof dflt, "%.*s", (int)(tl < 63 ? tl : 63), tn ? tn : "");
    if (!tl || tl > 63 || !pve_is_dns_name(dflt) || name_taken(ms, idx, dflt))
        snprintf(dflt, sizeof dflt, "vm-%d", m->tpl->vmid);
    for (;;) {
        char *a = io->ask(io->ud, _("Machine name (a DNS name, the same for every student)"), dflt);
        if (!a)
            return -1;
        if (strlen(a) > 63 || !pve_is_dns_name(a)) {
            sayf(io,
                 _("'%s' is not a DNS name: use letters, digits and '-' (at most 63 "
                   "characters), e.g. web or router-1."),
                 a);
            free(a);
            continue;
        }
        if (name_taken(ms, idx, a)) {
            sayf(io, _("The stand already has a machine named '%s'; pick another name."), a);
            free(a);
            continue;
        }
        m->name = a;
        break;
    }
    int first_nic = ask_device_type(io, ps, m, tn);
    if (first_nic < 0)
        return -1;
    if (idx == 0)
        explain_networks(io);
    else
        say(io, _("Networks: lan (private alias), lan.10 (alias in VLAN 10), **vmbr100** "
                  "(reserved, shared), vmbr0 (existing bridge); empty = done."));
    if (m->profile >= 0)
        sayf(io, _("This machine's networks start at net%d."), first_nic);
    if (ask_networks(io, view, m, first_nic) < 0)
        return -1;
    say(io,
        _("Clone type:\n  1) linked  fast, shares the template's disk (the template must stay)\n"
          "  2) full    an independent copy (slower, uses more storage)"));
    static const char *const clones[] = {"linked", "full"};
    int c = ask_choice(io, _("Clone type"), clones, 2, 1);
    if (c < 0)
        return -1;
    m->full = c == 2;
    return 0;
}

static char *render_yaml(const char *stand, const struct wiz_profiles *ps,
                         const struct wiz_machine *ms, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        abort();
    fprintf(f, "# %s\n", _("deployment config made by the deploy-stand wizard"));
    fprintf(f, "stand: %s\n", stand);
    if (ps->n)
        fputs("profiles:\n", f);
    for (size_t i = 0; i < ps->n; i++) {
        const struct wiz_profile *p = &ps->p[i];
        fprintf(f, "  %s:\n    model: %s\n    first_nic: %d\n    firewall: %s\n", p->name, p->model,
                p->first_nic, p->firewall ? "true" : "false");
        if (p->mgmt_bridge[0])
            fprintf(f, "    management:\n      bridge: %s\n      link_down: %s\n", p->mgmt_bridge,
                    p->mgmt_link_down ? "true" : "false");
    }
    fputs("machines:\n", f);
    for (size_t i = 0; i < n; i++) {
        const struct wiz_machine *m = &ms[i];
        fprintf(f, "  - device_type: %s\n",
                m->profile >= 0 ? ps->p[m->profile].name
                : m->ecorouter  ? "ecorouter"
                                : "linux");
        fprintf(f, "    name: %s\n", m->name);
        fprintf(f, "    template_node: %s\n", m->tpl->node);
        fprintf(f, "    template_vmid: %d\n", m->tpl->vmid);
        fprintf(f, "    full_clone: %s\n", m->full ? "true" : "false");
        if (m->n_bridges) {
            fputs("    networks:\n", f);
            for (size_t b = 0; b < m->n_bridges; b++)
                fprintf(f, "      - bridge: %s\n", m->bridges[b]);
        }
    }
    fclose(f);
    return buf;
}

/* The cluster's templates, sorted (malloc'd; free it), or NULL (said why) when it has none. */
static const struct inv_vm **templates_collect(const struct wizard_io *io,
                                               const struct cluster_view *view, size_t *n_tpl)
{
    const struct inv_vm **tpl = calloc(view->n_vms + 1, sizeof *tpl);
    if (!tpl)
        abort();
    *n_tpl = 0;
    for (size_t i = 0; i < view->n_vms; i++)
        if (view->vms[i].template && view->vms[i].node)
            tpl[(*n_tpl)++] = &view->vms[i];
    if (*n_tpl == 0) {
        say(io, _("The cluster has no templates. Convert a prepared VM to a template in Proxmox "
                  "(More > Convert to template) and run the wizard again."));
        free(tpl);
        return NULL;
    }
    qsort(tpl, *n_tpl, sizeof *tpl, tpl_cmp);
    return tpl;
}

/* The stand name (malloc'd), or NULL on cancel. */
static char *ask_stand_name(const struct wizard_io *io)
{
    for (;;) {
        char *stand = io->ask(io->ud,
                              _("Stand name (every VM is tagged ds-NAME; 1 to 32 of a-z, 0-9, '-' "
                                "and '_')"),
                              NULL);
        if (!stand || stand_name_ok(stand))
            return stand;
        sayf(io,
             _("'%s' cannot be a stand name: use 1 to 32 lowercase letters, digits, '-' and "
               "'_', starting with a letter or digit."),
             stand);
        free(stand);
    }
}

/* Asks machines into ms until the teacher says no more (or the table is full); *n counts those
 * asked in full (the caller frees them). 0, or -1 on cancel. */
static int ask_machines(const struct wizard_io *io, const struct cluster_view *view,
                        const struct inv_vm **tpl, size_t n_tpl, struct wiz_machine *ms, size_t *n,
                        struct wiz_profiles *ps)
{
    for (;;) {
        if (ask_machine(io, view, tpl, n_tpl, ms, *n, ps) < 0) {
            machine_free(&ms[*n]);
            return -1;
        }
        (*n)++;
        if (*n == WIZ_MAX_MACHINES) {
            sayf(io, _("That is the most machines a stand made here can have (%d)."),
                 WIZ_MAX_MACHINES);
            return 0;
        }
        int more = ask_yes_no(io, _("Add another machine?"), 0);
        if (more <= 0)
            return more;
    }
}

/* Shows the config, checks it with the stand loader and asks whether to save it. Takes yaml:
 * returns it when it is to be saved, else frees it and returns NULL. */
static char *config_confirm(const struct wizard_io *io, char *yaml)
{
    say(io, _("The config:"));
    say(io, yaml);
    struct diag_list d = {0};
    struct stand *st = NULL;
    if (stand_load_text("config.yml", yaml, strlen(yaml), &st, &d) < 0) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (!f)
            abort();
        diag_print(&d, f);
        fclose(f);
        say(io, buf);
        say(io, _("The config is not valid (above); nothing was saved."));
        free(buf);
        free(yaml);
        yaml = NULL;
    } else {
        sayf(io,
             ngettext("The config is valid: stand %s, %zu machine.",
                      "The config is valid: stand %s, %zu machines.", st->n_machines),
             st->name, st->n_machines);
        int ok = ask_yes_no(io, _("Save this config?"), 1);
        if (ok != 1) {
            free(yaml);
            yaml = NULL;
        }
    }
    stand_free(st);
    diag_list_clear(&d);
    return yaml;
}

char *wizard_config(const struct wizard_io *io, const struct cluster_view *view)
{
    size_t n_tpl;
    const struct inv_vm **tpl = templates_collect(io, view, &n_tpl);
    if (!tpl)
        return NULL;
    show_templates(io, tpl, n_tpl);

    char *yaml = NULL;
    struct wiz_machine ms[WIZ_MAX_MACHINES];
    struct wiz_profiles ps = {.n = 0};
    size_t n = 0;
    memset(ms, 0, sizeof ms);
    char *stand = ask_stand_name(io);
    if (stand && ask_machines(io, view, tpl, n_tpl, ms, &n, &ps) == 0)
        yaml = config_confirm(io, render_yaml(stand, &ps, ms, n));
    for (size_t i = 0; i < n; i++)
        machine_free(&ms[i]);
    free(stand);
    free(tpl);
    return yaml;
}

int wizard_view_load(struct pve_client *c, struct cluster_view **out)
{
    if (inventory_load(c, NULL, 0, NULL, 0, INV_CONFIGS_MARKED, NULL, out) < 0)
        return -1;
    struct cluster_view *v = *out;
    for (size_t i = 0; i < v->n_vms; i++) {
        struct inv_vm *vm = &v->vms[i];
        if (!vm->template || vm->config || !vm->node)
            continue;
        json_t *cfg = NULL;
        if (pve_vm_config_get(c, vm->node, vm->vmid, &cfg) == 0)
            vm->config = cfg; /* only for the disk sizes: a failure leaves them unknown */
    }
    return 0;
}

static char *stdio_ask(void *ud, const char *question, const char *dflt)
{
    (void)ud;
    if (dflt)
        printf("%s [%s]: ", question, dflt);
    else
        printf("%s: ", question);
    fflush(stdout);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (n < 0) {
        free(line);
        putchar('\n');
        return NULL;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    if (!isatty(0)) /* piped answers: show them, so the transcript reads like a session */
        printf("%s\n", line);
    size_t s = 0;
    while (line[s] == ' ' || line[s] == '\t')
        s++;
    if (!line[s]) {
        free(line);
        return strdup(dflt ? dflt : "");
    }
    if (s)
        memmove(line, line + s, (size_t)n - s + 1);
    return line;
}

static void stdio_say(void *ud, const char *text)
{
    (void)ud;
    puts(text);
}

const struct wizard_io wizard_io_stdio = {.ask = stdio_ask, .say = stdio_say, .ud = NULL};
