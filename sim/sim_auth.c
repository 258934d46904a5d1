/* sim_auth: PVE tickets and CSRF tokens, API tokens, and the permission model.
 * Tickets are HMAC-SHA256 signed instead of RSA (the format is the same). */
#include "sim_auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TICKET_LIFETIME 7200
#define CLOCK_GRACE 300

void sim_auth_init(struct sim_auth *a)
{
    if (RAND_bytes(a->key, sizeof a->key) != 1) {
        for (size_t i = 0; i < sizeof a->key; i++)
            a->key[i] = (unsigned char)(rand() & 0xff);
    }
}

static void sign(const struct sim_auth *a, const char *data, char *out, size_t outlen)
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    HMAC(EVP_sha256(), a->key, sizeof a->key, (const unsigned char *)data, strlen(data), md,
         &mdlen);
    unsigned char b64[64];
    int n = EVP_EncodeBlock(b64, md, (int)mdlen);
    snprintf(out, outlen, "%.*s", n, (const char *)b64);
}

void sim_ticket_make(const struct sim_auth *a, const char *userid, long t, char *out, size_t outlen)
{
    char plain[256], sig[64];
    snprintf(plain, sizeof plain, "PVE:%s:%08lX", userid, (unsigned long)t);
    sign(a, plain, sig, sizeof sig);
    snprintf(out, outlen, "%s::%s", plain, sig);
}

static int time_ok(long t, long now)
{
    return now >= t - CLOCK_GRACE && now < t + TICKET_LIFETIME;
}

int sim_ticket_verify(const struct sim_auth *a, const char *ticket, long now, char *userid,
                      size_t userlen)
{
    if (strncmp(ticket, "PVE:", 4) != 0)
        return -1;
    const char *sep = strstr(ticket, "::");
    if (!sep || (size_t)(sep - ticket) >= 256)
        return -1;
    char plain[256], sig[64];
    snprintf(plain, sizeof plain, "%.*s", (int)(sep - ticket), ticket);
    sign(a, plain, sig, sizeof sig);
    if (strlen(sep + 2) != strlen(sig) || CRYPTO_memcmp(sep + 2, sig, strlen(sig)) != 0)
        return -1;
    const char *colon = strrchr(plain, ':');
    if (!colon || colon - plain <= 4 || strlen(colon + 1) != 8)
        return -1;
    long t = strtol(colon + 1, NULL, 16);
    if (!time_ok(t, now))
        return -1;
    snprintf(userid, userlen, "%.*s", (int)(colon - plain - 4), plain + 4);
    return 0;
}

void sim_csrf_make(const struct sim_auth *a, const char *userid, long t, char *out, size_t outlen)
{
    char plain[256], sig[64];
    snprintf(plain, sizeof plain, "%08lX:%s", (unsigned long)t, userid);
    sign(a, plain, sig, sizeof sig);
    snprintf(out, outlen, "%08lX:%s", (unsigned long)t, sig);
}

int sim_csrf_verify(const struct sim_auth *a, const char *token, const char *userid, long now)
{
    if (!token || strlen(token) < 10 || token[8] != ':')
        return -1;
    char hex[9];
    memcpy(hex, token, 8);
    hex[8] = '\0';
    char *end;
    long t = strtol(hex, &end, 16);
    if (*end)
        return -1;
    char expect[128];
    sim_csrf_make(a, userid, t, expect, sizeof expect);
    if (strlen(expect) != strlen(token) || CRYPTO_memcmp(expect, token, strlen(token)) != 0)
        return -1;
    return time_ok(t, now) ? 0 : -1;
}

int sim_user_usable(const struct sim_model *m, const char *userid, long now)
{
    json_t *u = json_object_get(m->users, userid);
    if (!u)
        return -1;
    json_t *en = json_object_get(u, "enable");
    if (en && !json_is_true(en) && !(json_is_integer(en) && json_integer_value(en)))
        return -1;
    json_int_t exp = json_integer_value(json_object_get(u, "expire"));
    if (exp > 0 && exp < now)
        return -1;
    return 0;
}

int sim_token_verify(const struct sim_model *m, const char *value, long now,
                     struct sim_identity *who)
{
    /* value: "USER@REALM!TOKENID=SECRET" (or with a space instead of the first '=') */
    const char *bang = strchr(value, '!');
    if (!bang)
        return -1;
    const char *eq = bang + strcspn(bang, "= ");
    if (!*eq)
        return -1;
    char userid[128], tokenid[64];
    if ((size_t)(bang - value) >= sizeof userid || (size_t)(eq - bang - 1) >= sizeof tokenid)
        return -1;
    snprintf(userid, sizeof userid, "%.*s", (int)(bang - value), value);
    snprintf(tokenid, sizeof tokenid, "%.*s", (int)(eq - bang - 1), bang + 1);
    const char *secret = eq + 1;
    if (sim_user_usable(m, userid, now) != 0)
        return -1;
    json_t *tok =
        json_object_get(json_object_get(json_object_get(m->users, userid), "tokens"), tokenid);
    const char *want = json_string_value(json_object_get(tok, "secret"));
    if (!want || strlen(want) != strlen(secret) || CRYPTO_memcmp(want, secret, strlen(want)) != 0)
        return -1;
    json_int_t exp = json_integer_value(json_object_get(tok, "expire"));
    if (exp > 0 && exp < now)
        return -1;
    memset(who, 0, sizeof *who);
    snprintf(who->userid, sizeof who->userid, "%s", userid);
    snprintf(who->tokenid, sizeof who->tokenid, "%s", tokenid);
    json_t *ps = json_object_get(tok, "privsep");
    int privsep = ps ? (json_is_true(ps) || json_integer_value(ps) != 0) : 1;
    who->is_root = strcmp(userid, "root@pam") == 0 && !privsep;
    return 0;
}

/* ---- permissions ------------------------------------------------------------------------- */

static int user_in_group(const struct sim_model *m, const char *userid, const char *group)
{
    json_t *groups = json_object_get(json_object_get(m->users, userid), "groups");
    size_t i;
    json_t *g;
    json_array_foreach(groups, i, g)
    {
        if (json_is_string(g) && strcmp(json_string_value(g), group) == 0)
            return 1;
    }
    return 0;
}

static int acl_propagates(const json_t *acl)
{
    json_t *p = json_object_get(acl, "propagate");
    return !p || json_is_true(p) || (json_is_integer(p) && json_integer_value(p) != 0);
}

/* Roles (object roleid -> 1) for ugid (a user, or a "user!token" when token) on path, PVE's
 * roles(): walk from "/" to path; at each level, matching entries replace what was inherited
 * (user entries take priority over group entries on the same level). */
static json_t *roles_for(const struct sim_model *m, const char *ugid, int token, const char *path)
{
    json_t *roles = json_object();
    char prefix[512];
    size_t plen = strlen(path);
    for (size_t i = 0; i <= plen; i++) {
        if (!(i == plen || (path[i] == '/' && i > 0)) && !(i == 0))
            continue;
        if (i == 0)
            snprintf(prefix, sizeof prefix, "/");
        else
            snprintf(prefix, sizeof prefix, "%.*s", (int)i, path);
        int final = strcmp(prefix, path) == 0 || (i == 0 && strcmp(path, "/") == 0);
        json_t *user_roles = json_object(), *group_roles = json_object();
        size_t k;
        json_t *acl;
        json_array_foreach(m->acls, k, acl)
        {
            if (strcmp(json_string_value(json_object_get(acl, "path")), prefix) != 0)
                continue;
            if (!final && !acl_propagates(acl))
                continue;
            const char *type = json_string_value(json_object_get(acl, "type"));
            const char *id = json_string_value(json_object_get(acl, "ugid"));
            const char *role = json_string_value(json_object_get(acl, "roleid"));
            if (!type || !id || !role)
                continue;
            if (token) {
                if (strcmp(type, "token") == 0 && strcmp(id, ugid) == 0)
                    json_object_set_new(user_roles, role, json_true());
            } else if (strcmp(type, "user") == 0 && strcmp(id, ugid) == 0) {
                json_object_set_new(user_roles, role, json_true());
            } else if (strcmp(type, "group") == 0 && user_in_group(m, ugid, id)) {
                json_object_set_new(group_roles, role, json_true());
            }
        }
        if (json_object_size(user_roles)) {
            json_decref(roles);
            roles = user_roles;
            json_decref(group_roles);
        } else if (json_object_size(group_roles)) {
            json_decref(roles);
            roles = group_roles;
            json_decref(user_roles);
        } else {
            json_decref(user_roles);
            json_decref(group_roles);
        }
        if (i == 0 && strcmp(path, "/") == 0)
            break;
    }
    return roles;
}

static void add_role_privs(const struct sim_model *m, json_t *roles, json_t *privs)
{
    if (json_object_get(roles, "NoAccess")) {
        json_object_clear(privs);
        return;
    }
    const char *role;
    json_t *v;
    json_object_foreach(roles, role, v)
    {
        json_t *rp = json_object_get(json_object_get(m->roles, role), "privs");
        size_t i;
        json_t *p;
        json_array_foreach(rp, i, p)
        {
            json_object_set_new(privs, json_string_value(p), json_integer(1));
        }
    }
}

static json_t *privs_of(const struct sim_model *m, const char *ugid, int token, const char *path)
{
    json_t *privs = json_object();
    json_t *roles = roles_for(m, ugid, token, path);
    add_role_privs(m, roles, privs);
    json_decref(roles);
    unsigned vmid;
    char tail;
    if (sscanf(path, "/vms/%u%c", &vmid, &tail) == 1) {
        struct sim_vm *vm = sim_model_vm((struct sim_model *)m, vmid);
        if (vm && vm->pool[0]) {
            char pp[200];
            snprintf(pp, sizeof pp, "/pool/%s", vm->pool);
            json_t *pr = roles_for(m, ugid, token, pp);
            json_t *pv = json_object();
            add_role_privs(m, pr, pv);
            json_object_update(privs, pv);
            json_decref(pv);
            json_decref(pr);
        }
    }
    return privs;
}

json_t *sim_privs_at(const struct sim_model *m, const struct sim_identity *who, const char *path)
{
    if (who->is_root || (strcmp(who->userid, "root@pam") == 0 && !who->tokenid[0])) {
        json_t *all = json_object();
        json_t *admin = json_object_get(json_object_get(m->roles, "Administrator"), "privs");
        size_t i;
        json_t *p;
        json_array_foreach(admin, i, p)
        {
            json_object_set_new(all, json_string_value(p), json_integer(1));
        }
        return all;
    }
    json_t *privs = strcmp(who->userid, "root@pam") == 0
                        ? sim_privs_at(m, &(struct sim_identity){.userid = "root@pam"}, path)
                        : privs_of(m, who->userid, 0, path);
    if (who->tokenid[0]) {
        json_t *tok = json_object_get(
            json_object_get(json_object_get(m->users, who->userid), "tokens"), who->tokenid);
        json_t *ps = json_object_get(tok, "privsep");
        int privsep = ps ? (json_is_true(ps) || json_integer_value(ps) != 0) : 1;
        if (privsep) {
            char ugid[200];
            snprintf(ugid, sizeof ugid, "%s!%s", who->userid, who->tokenid);
            json_t *tp = privs_of(m, ugid, 1, path);
            json_t *both = json_object();
            const char *k;
            json_t *v;
            json_object_foreach(privs, k, v)
            {
                if (json_object_get(tp, k))
                    json_object_set_new(both, k, json_integer(1));
            }
            json_decref(tp);
            json_decref(privs);
            privs = both;
        }
    }
    return privs;
}

int sim_has_priv(const struct sim_model *m, const struct sim_identity *who, const char *path,
                 const char *priv)
{
    if (strcmp(who->userid, "root@pam") == 0 && (!who->tokenid[0] || who->is_root))
        return 1;
    json_t *p = sim_privs_at(m, who, path);
    int ok = json_object_get(p, priv) != NULL;
    json_decref(p);
    return ok;
}

/* Replaces {param} in a check path with the parameter value. Returns 0, or -1 if missing. */
static int subst_path(const char *tmpl, const json_t *params, char *out, size_t outlen)
{
    size_t o = 0;
    for (const char *p = tmpl; *p && o + 1 < outlen;) {
        if (*p == '{') {
            const char *e = strchr(p, '}');
            if (!e)
                return -1;
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)(e - p - 1), p + 1);
            json_t *v = json_object_get(params, name);
            char buf[256];
            if (json_is_string(v))
                snprintf(buf, sizeof buf, "%s", json_string_value(v));
            else if (json_is_integer(v))
                snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
            else
                return -1;
            o += (size_t)snprintf(out + o, outlen - o, "%s", buf);
            if (o >= outlen)
                return -1;
            p = e + 1;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    return 0;
}

static int any_priv(const struct sim_model *m, const struct sim_identity *who, const char *path,
                    const json_t *privs)
{
    json_t *have = sim_privs_at(m, who, path);
    size_t i;
    json_t *p;
    int ok = 0;
    json_array_foreach(privs, i, p)
    {
        if (json_object_get(have, json_string_value(p)))
            ok = 1;
    }
    json_decref(have);
    return ok;
}

/* ["perm", path, [privs], options...]: all the privileges on path, or with "any" one of them;
 * "require_param" names a parameter that must be given. */
static int check_perm(const struct sim_model *m, const struct sim_identity *who,
                      const json_t *check, const json_t *params, char *detail, size_t detlen)
{
    size_t n = json_array_size(check);
    char path[512];
    int any = 0;
    for (size_t i = 3; i + 1 < n; i += 2) {
        const char *opt = json_string_value(json_array_get(check, i));
        if (opt && strcmp(opt, "any") == 0)
            any = 1;
        if (opt && strcmp(opt, "require_param") == 0) {
            const char *rp = json_string_value(json_array_get(check, i + 1));
            if (rp && !json_object_get(params, rp))
                return 0;
        }
    }
    if (subst_path(json_string_value(json_array_get(check, 1)), params, path, sizeof path) != 0)
        return 0;
    const json_t *privs = json_array_get(check, 2);
    json_t *have = sim_privs_at(m, who, path);
    size_t i;
    json_t *p;
    int ok = any ? 0 : 1;
    char missing[256] = "";
    json_array_foreach(privs, i, p)
    {
        int has = json_object_get(have, json_string_value(p)) != NULL;
        if (any && has)
            ok = 1;
        if (!any && !has && ok) {
            ok = 0;
            snprintf(missing, sizeof missing, "%s", json_string_value(p));
        }
    }
    json_decref(have);
    if (!ok) {
        if (any) {
            size_t o = (size_t)snprintf(detail, detlen, "%s, ", path);
            json_array_foreach(privs, i, p)
            {
                if (o < detlen)
                    o += (size_t)snprintf(detail + o, detlen - o, "%s%s", i ? "|" : "",
                                          json_string_value(p));
            }
        } else {
            snprintf(detail, detlen, "%s, %s", path, missing);
        }
    }
    return ok;
}

/* ["userid-param", "self" | priv]: the caller is the user {userid}, or has priv on its realm. */
static int check_userid_param(const struct sim_model *m, const struct sim_identity *who,
                              const json_t *check, const json_t *params, char *detail,
                              size_t detlen)
{
    const char *target = json_string_value(json_object_get(params, "userid"));
    const char *what = json_string_value(json_array_get(check, 1));
    if (!target || !what)
        return 0;
    if (strcmp(what, "self") == 0)
        return strcmp(target, who->userid) == 0 && !who->tokenid[0];
    const char *at = strchr(target, '@');
    char path[256];
    snprintf(path, sizeof path, "/access/realm/%s", at ? at + 1 : "");
    if (sim_has_priv(m, who, path, what))
        return 1;
    snprintf(detail, detlen, "%s, %s", path, what);
    return 0;
}

/* ["userid-group", [privs]]: one of privs on /access/groups or on a group of user {userid}. */
static int check_userid_group(const struct sim_model *m, const struct sim_identity *who,
                              const json_t *check, const json_t *params, char *detail,
                              size_t detlen)
{
    const json_t *privs = json_array_get(check, 1);
    if (any_priv(m, who, "/access/groups", privs))
        return 1;
    const char *target = json_string_value(json_object_get(params, "userid"));
    json_t *groups = target ? json_object_get(json_object_get(m->users, target), "groups") : NULL;
    size_t i;
    json_t *g;
    json_array_foreach(groups, i, g)
    {
        char path[256];
        snprintf(path, sizeof path, "/access/groups/%s", json_string_value(g));
        if (any_priv(m, who, path, privs))
            return 1;
    }
    snprintf(detail, detlen, "/access/groups, %s", json_string_value(json_array_get(privs, 0)));
    return 0;
}

/* ["perm-modify", path]: Permissions.Modify on path, or the allocate privilege of its kind. */
static int check_perm_modify(const struct sim_model *m, const struct sim_identity *who,
                             const json_t *check, const json_t *params, char *detail, size_t detlen)
{
    char path[512];
    if (subst_path(json_string_value(json_array_get(check, 1)), params, path, sizeof path) != 0)
        return 0;
    if (sim_has_priv(m, who, path, "Permissions.Modify"))
        return 1;
    const char *alt = NULL;
    if (strncmp(path, "/vms", 4) == 0)
        alt = "VM.Allocate";
    else if (strncmp(path, "/pool", 5) == 0)
        alt = "Pool.Allocate";
    else if (strncmp(path, "/storage", 8) == 0)
        alt = "Datastore.Allocate";
    else if (strncmp(path, "/sdn", 4) == 0)
        alt = "SDN.Allocate";
    if (alt && sim_has_priv(m, who, path, alt))
        return 1;
    snprintf(detail, detlen, "%s, Permissions.Modify", path);
    return 0;
}

static int eval_check(const struct sim_model *m, const struct sim_identity *who,
                      const json_t *check, const json_t *params, char *detail, size_t detlen)
{
    const char *op = json_string_value(json_array_get(check, 0));
    if (!op)
        return 0;
    size_t n = json_array_size(check);
    if (strcmp(op, "and") == 0 || strcmp(op, "or") == 0) {
        int is_and = op[0] == 'a';
        for (size_t i = 1; i < n; i++) {
            int ok = eval_check(m, who, json_array_get(check, i), params, detail, detlen);
            if (is_and && !ok)
                return 0;
            if (!is_and && ok)
                return 1;
        }
        return is_and;
    }
    if (strcmp(op, "perm") == 0)
        return check_perm(m, who, check, params, detail, detlen);
    if (strcmp(op, "userid-param") == 0)
        return check_userid_param(m, who, check, params, detail, detlen);
    if (strcmp(op, "userid-group") == 0)
        return check_userid_group(m, who, check, params, detail, detlen);
    if (strcmp(op, "perm-modify") == 0)
        return check_perm_modify(m, who, check, params, detail, detlen);
    return 0;
}

int sim_check_permissions(const struct sim_model *m, const struct sim_identity *who,
                          const json_t *permissions, const json_t *params, char *detail,
                          size_t detlen)
{
    detail[0] = '\0';
    if (strcmp(who->userid, "root@pam") == 0 && (!who->tokenid[0] || who->is_root))
        return 1;
    const char *user = json_string_value(json_object_get(permissions, "user"));
    if (user && (strcmp(user, "all") == 0 || strcmp(user, "world") == 0))
        return 1;
    const json_t *check = json_object_get(permissions, "check");
    if (!check)
        return 0; /* no permissions defined: root only */
    return eval_check(m, who, check, params, detail, detlen);
}
