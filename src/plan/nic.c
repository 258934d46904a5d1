/* nic: the NIC layout of each device type and the EcoRouter MAC range.
 * A layout is a struct device_profile: linux (net0.. virtio+firewall), ecorouter (net0 vmxnet3 on
 * vmbr0 link down, data NICs from net2, MACs in range) and the stand file's own profiles. */
#include "plan/nic.h"
#include "util/err.h"
#include "util/i18n.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void mac_pool_init(struct mac_pool *mp)
{
    memset(mp, 0, sizeof *mp);
}

void mac_pool_free(struct mac_pool *mp)
{
    free(mp->used);
    memset(mp, 0, sizeof *mp);
}

static size_t mac_lower_bound(const struct mac_pool *mp, uint64_t mac)
{
    size_t lo = 0, hi = mp->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (mp->used[mid] < mac)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int mac_pool_has(const struct mac_pool *mp, uint64_t mac)
{
    size_t i = mac_lower_bound(mp, mac);
    return i < mp->n && mp->used[i] == mac;
}

void mac_pool_add(struct mac_pool *mp, uint64_t mac)
{
    size_t i = mac_lower_bound(mp, mac);
    if (i < mp->n && mp->used[i] == mac)
        return;
    if (mp->n == mp->cap) {
        size_t cap = mp->cap ? mp->cap * 2 : 64;
        uint64_t *u = realloc(mp->used, cap * sizeof *u);
        if (!u)
            abort();
        mp->used = u;
        mp->cap = cap;
    }
    memmove(&mp->used[i + 1], &mp->used[i], (mp->n - i) * sizeof *mp->used);
    mp->used[i] = mac;
    mp->n++;
}

void mac_format(uint64_t mac, char out[18])
{
    snprintf(out, 18, "%02X:%02X:%02X:%02X:%02X:%02X", (unsigned)(mac >> 40) & 0xff,
             (unsigned)(mac >> 32) & 0xff, (unsigned)(mac >> 24) & 0xff,
             (unsigned)(mac >> 16) & 0xff, (unsigned)(mac >> 8) & 0xff, (unsigned)mac & 0xff);
}

int mac_parse(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    for (int i = 0; i < 6; i++) {
        if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]))
            return -1;
        char byte[3] = {s[0], s[1], 0};
        v = (v << 8) | strtoul(byte, NULL, 16);
        s += 2;
        if (i < 5) {
            if (*s != ':')
                return -1;
            s++;
        }
    }
    if (*s)
        return -1;
    *out = v;
    return 0;
}

int mac_in_eco_range(uint64_t mac)
{
    return mac >= ECO_MAC_FIRST && mac <= ECO_MAC_LAST;
}

int mac_pool_take(struct mac_pool *mp, int vmid, int nic, uint64_t *out)
{
    const uint64_t span = ECO_MAC_LAST - ECO_MAC_FIRST + 1;
    uint64_t off = ((uint64_t)vmid * 32u + (uint64_t)nic) % span;
    for (uint64_t i = 0; i < span; i++) {
        uint64_t mac = ECO_MAC_FIRST + (off + i) % span;
        if (!mac_pool_has(mp, mac)) {
            mac_pool_add(mp, mac);
            *out = mac;
            return 0;
        }
    }
    return ds_err_set(_("no free MAC address left in 1C:87:76:40:00:00-1C:87:76:4F:FF:FF"));
}

int nic_parse(const char *s, struct nic_value *out)
{
    memset(out, 0, sizeof *out);
    char buf[512];
    snprintf(buf, sizeof buf, "%s", s);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq) {
            if (!device_model_valid(tok))
                return -1;
            snprintf(out->model, sizeof out->model, "%s", tok);
            continue;
        }
        *eq = '\0';
        const char *k = tok, *val = eq + 1;
        if (device_model_valid(k)) {
            snprintf(out->model, sizeof out->model, "%s", k);
            snprintf(out->macaddr, sizeof out->macaddr, "%s", val);
        } else if (strcmp(k, "model") == 0) {
            snprintf(out->model, sizeof out->model, "%s", val);
        } else if (strcmp(k, "macaddr") == 0) {
            snprintf(out->macaddr, sizeof out->macaddr, "%s", val);
        } else if (strcmp(k, "bridge") == 0) {
            snprintf(out->bridge, sizeof out->bridge, "%s", val);
        } else if (strcmp(k, "tag") == 0) {
            out->tag = atoi(val);
        } else if (strcmp(k, "firewall") == 0) {
            out->firewall = strcmp(val, "1") == 0 || strcasecmp(val, "on") == 0 ||
                            strcasecmp(val, "yes") == 0 || strcasecmp(val, "true") == 0;
        } else if (strcmp(k, "link_down") == 0) {
            out->link_down = strcmp(val, "1") == 0 || strcasecmp(val, "on") == 0 ||
                             strcasecmp(val, "yes") == 0 || strcasecmp(val, "true") == 0;
        }
    }
    for (char *p = out->macaddr; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    return out->model[0] ? 0 : -1;
}

void nic_format(const struct nic_value *v, char *out, size_t len)
{
    int n = snprintf(out, len, "model=%s", v->model);
    if (v->bridge[0])
        n += snprintf(out + n, len - (size_t)n, ",bridge=%s", v->bridge);
    if (v->macaddr[0])
        n += snprintf(out + n, len - (size_t)n, ",macaddr=%s", v->macaddr);
    if (v->firewall)
        n += snprintf(out + n, len - (size_t)n, ",firewall=1");
    if (v->link_down)
        n += snprintf(out + n, len - (size_t)n, ",link_down=1");
    if (v->tag)
        snprintf(out + n, len - (size_t)n, ",tag=%d", v->tag);
}

/* Does the current value already give what we want? A wanted empty MAC accepts any. */
static int nic_satisfies(const char *current, const struct nic_value *want)
{
    struct nic_value cur;
    if (!current || nic_parse(current, &cur) < 0)
        return 0;
    return strcmp(cur.model, want->model) == 0 && strcmp(cur.bridge, want->bridge) == 0 &&
           cur.tag == want->tag && cur.firewall == want->firewall &&
           cur.link_down == want->link_down &&
           (!want->macaddr[0] || strcasecmp(cur.macaddr, want->macaddr) == 0);
}

static const char *config_net(const json_t *config, int idx)
{
    char key[16];
    snprintf(key, sizeof key, "net%d", idx);
    return json_string_value(json_object_get(config, key));
}

/* EcoRouter NICs keep a MAC that is already in range, else get a new one. */
static int eco_mac(const json_t *current, int fresh, int idx, int vmid, struct mac_pool *mp,
                   char out[18])
{
    struct nic_value cur;
    uint64_t mac;
    const char *s = config_net(current, idx);
    if (!fresh && s && nic_parse(s, &cur) == 0 && mac_parse(cur.macaddr, &mac) == 0 &&
        mac_in_eco_range(mac)) {
        snprintf(out, 18, "%s", cur.macaddr);
        return 0;
    }
    if (mac_pool_take(mp, vmid, idx, &mac) < 0)
        return -1;
    mac_format(mac, out);
    return 0;
}

static void want_net(json_t *params, const json_t *current, int idx, const struct nic_value *v)
{
    if (nic_satisfies(config_net(current, idx), v))
        return;
    char key[16], val[256];
    snprintf(key, sizeof key, "net%d", idx);
    nic_format(v, val, sizeof val);
    json_object_set_new(params, key, json_string(val));
}

/* The value `cur` with link_down=1 (every other option kept, an old link_down dropped) into out;
 * 0 when cur is already down (nothing to change). `fresh`: cur is the template's value, so its MAC
 * is left out and Proxmox generates a new one ("macaddr: auto-generated if missing"): the clone
 * must never get the template's MAC back. */
static int link_down_value(const char *cur, int fresh, char *out, size_t len)
{
    struct nic_value v;
    if (nic_parse(cur, &v) == 0 && v.link_down && !fresh)
        return 0;
    size_t o = 0;
    out[0] = '\0';
    for (const char *p = cur; *p;) {
        size_t n = strcspn(p, ","), keep = n;
        const char *eq = memchr(p, '=', n);
        size_t kl = eq ? (size_t)(eq - p) : n;
        char key[32];
        snprintf(key, sizeof key, "%.*s", (int)(kl < sizeof key ? kl : sizeof key - 1), p);
        if (strcmp(key, "link_down") == 0 || (fresh && strcmp(key, "macaddr") == 0))
            keep = 0;
        else if (fresh && eq && device_model_valid(key)) /* "vmxnet3=<mac>" -> "vmxnet3" */
            keep = (size_t)(eq - p);
        if (keep && o + keep + 2 < len)
            o += (size_t)snprintf(out + o, len - o, "%s%.*s", o ? "," : "", (int)keep, p);
        p += n + (p[n] == ',');
    }
    snprintf(out + o, len - o, "%slink_down=1", o ? "," : "");
    return 1;
}

/* Template NICs the stand does not describe (not the management NIC, not a stand network, not
 * removed) are kept with their link down: a leftover NIC on the host's uplink must never put a
 * student's VM on the production network. The stand's NICs are [stand_first, stand_end); those at
 * or beyond stand_end count only when keep_beyond (else they are removed). */
static void undescribed_links_down(const struct device_profile *dp, const json_t *current,
                                   int fresh, int stand_first, int stand_end, int keep_beyond,
                                   json_t *params)
{
    for (int idx = dp->has_mgmt ? 1 : 0; idx < DEVICE_NICS_MAX; idx++) {
        const char *cur = config_net(current, idx);
        if (!cur || (idx >= stand_first && idx < stand_end) || (idx >= stand_end && !keep_beyond))
            continue;
        char key[16], val[512];
        snprintf(key, sizeof key, "net%d", idx);
        if (link_down_value(cur, fresh, val, sizeof val))
            json_object_set_new(params, key, json_string(val));
    }
}

int nic_plan(const struct device_profile *dp, const struct stand_net *nets,
             const char *const *bridges, size_t n, const json_t *current, int fresh, int vmid,
             struct mac_pool *mp, json_t *params)
{
    if (dp->has_mgmt) {
        struct nic_value mgmt = {.link_down = dp->mgmt_link_down};
        snprintf(mgmt.model, sizeof mgmt.model, "%s", dp->mgmt_model);
        snprintf(mgmt.bridge, sizeof mgmt.bridge, "%s", dp->mgmt_bridge);
        if (dp->eco_macs && eco_mac(current, fresh, 0, vmid, mp, mgmt.macaddr) < 0)
            return -1;
        want_net(params, current, 0, &mgmt);
    }
    /* With no stand networks the template's NICs stay, each with its link down. */
    if (n == 0) {
        undescribed_links_down(dp, current, fresh, dp->first_nic, dp->first_nic, 1, params);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        int idx = dp->first_nic + (int)i;
        struct nic_value v = {.firewall = dp->firewall, .tag = nets[i].vid};
        snprintf(v.model, sizeof v.model, "%s", dp->model);
        snprintf(v.bridge, sizeof v.bridge, "%s", bridges[i]);
        if (dp->eco_macs && eco_mac(current, fresh, idx, vmid, mp, v.macaddr) < 0)
            return -1;
        want_net(params, current, idx, &v);
    }
    int end = dp->first_nic + (int)n;
    undescribed_links_down(dp, current, fresh, dp->first_nic, end, dp->keep_extra, params);
    if (dp->keep_extra)
        return 0;
    /* NICs of the template beyond the stand's are removed: the stand describes the whole layout. */
    char del[512] = "";
    size_t dl = 0;
    for (int idx = dp->first_nic + (int)n; idx < DEVICE_NICS_MAX; idx++) {
        if (config_net(current, idx))
            dl += (size_t)snprintf(del + dl, sizeof del - dl, "%snet%d", dl ? "," : "", idx);
    }
    if (dl)
        json_object_set_new(params, "delete", json_string(del));
    return 0;
}

void mac_pool_add_config(struct mac_pool *mp, const json_t *config)
{
    for (int idx = 0; idx < 32; idx++) {
        struct nic_value v;
        uint64_t mac;
        const char *s = config_net(config, idx);
        if (s && nic_parse(s, &v) == 0 && mac_parse(v.macaddr, &mac) == 0)
            mac_pool_add(mp, mac);
    }
}
