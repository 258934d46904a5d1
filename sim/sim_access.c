/* sim_access: /access endpoints: tickets, users (CRUD), API tokens, ACLs, roles, permissions
 * and realms, with user.cfg semantics (duplicate users, ACL path/role/user checks). */
#include "pve_format.h"
#include "sim_api.h"
#include "sim_roles.h"

#include "ds_clock.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static int h_ticket(struct sim_req *r)
{
    const char *username = sim_p_str(r, "username");
    const char *password = sim_p_str(r, "password");
    const char *realm = sim_p_str(r, "realm");
    char userid[120];
    if (realm && !strchr(username, '@'))
        snprintf(userid, sizeof userid, "%s@%s", username, realm);
    else
        snprintf(userid, sizeof userid, "%s", username);
    long now = (long)ds_clock_wall_s();
    int ok = 0;
    if (sim_user_usable(r->model, userid, now) == 0) {
        char tu[128];
        const char *pw = json_string_value(
            json_object_get(json_object_get(r->model->users, userid), "password"));
        if (pw && strcmp(pw, password) == 0)
            ok = 1;
        else if (sim_ticket_verify(r->auth, password, now, tu, sizeof tu) == 0 &&
                 strcmp(tu, userid) == 0)
            ok = 1;
    }
    if (!ok)
        return sim_fail(r, 401, "authentication failure");
    char ticket[512], csrf[128];
    sim_ticket_make(r->auth, userid, now, ticket, sizeof ticket);
    sim_csrf_make(r->auth, userid, now, csrf, sizeof csrf);
    json_t *d = json_pack("{s:s, s:s, s:s}", "username", userid, "ticket", ticket,
                          "CSRFPreventionToken", csrf);
    struct sim_identity who = {0};
    snprintf(who.userid, sizeof who.userid, "%s", userid);
    who.is_root = strcmp(userid, "root@pam") == 0;
    if (sim_has_priv(r->model, &who, "/", "Sys.Audit"))
        json_object_set_new(d, "clustername", json_string(r->model->clustername));
    json_object_set_new(
        d, "cap",
        json_pack("{s:{}, s:{}, s:{}, s:{}, s:{}}", "vms", "storage", "access", "nodes", "dc"));
    return sim_ok(r, d);
}

static json_t *user_view(const char *userid, const json_t *u, int full)
{
    json_t *o = json_pack("{s:s, s:O, s:O}", "userid", userid, "enable",
                          json_object_get(u, "enable"), "expire", json_object_get(u, "expire"));
    static const char *const keys[] = {"comment", "email", "firstname", "lastname", NULL};
    for (int i = 0; keys[i]; i++)
        if (json_object_get(u, keys[i]))
            json_object_set(o, keys[i], json_object_get(u, keys[i]));
    const char *at = strchr(userid, '@');
    json_object_set_new(o, "realm-type",
                        json_string(at && strcmp(at + 1, "pam") == 0 ? "pam" : "pve"));
    if (full) {
        json_t *groups = json_object_get(u, "groups");
        char buf[1024] = "";
        size_t i;
        json_t *g;
        json_array_foreach(groups, i, g)
        {
            if (i)
                strncat(buf, ",", sizeof buf - strlen(buf) - 1);
            strncat(buf, json_string_value(g), sizeof buf - strlen(buf) - 1);
        }
        json_object_set_new(o, "groups", json_string(buf));
        json_t *tokens = json_array();
        const char *tid;
        json_t *t;
        json_object_foreach(json_object_get(u, "tokens"), tid, t)
        {
            json_t *to =
                json_pack("{s:s, s:O, s:O}", "tokenid", tid, "privsep",
                          json_object_get(t, "privsep"), "expire", json_object_get(t, "expire"));
            if (json_object_get(t, "comment"))
                json_object_set(to, "comment", json_object_get(t, "comment"));
            json_array_append_new(tokens, to);
        }
        json_object_set_new(o, "tokens", tokens);
    }
    return o;
}

static int user_visible(const struct sim_req *r, const char *userid)
{
    if (strcmp(userid, r->who.userid) == 0)
        return 1;
    return sim_req_allowed(r, "/access/groups", "User.Modify") ||
           sim_req_allowed(r, "/access", "Sys.Audit") ||
           sim_req_allowed(r, "/access/groups", "Sys.Audit");
}

static int h_users_list(struct sim_req *r)
{
    int full = (int)sim_p_int(r, "full", 0);
    json_t *a = json_array();
    const char *uid;
    json_t *u;
    json_object_foreach(r->model->users, uid, u)
    {
        if (sim_p_has(r, "enabled") && (json_integer_value(json_object_get(u, "enable")) != 0) !=
                                           (sim_p_int(r, "enabled", 0) != 0))
            continue;
        if (user_visible(r, uid))
            json_array_append_new(a, user_view(uid, u, full));
    }
    return sim_ok(r, a);
}

/* The groups= list as a new array (appended to the user's with append=1), or NULL with a 500
 * "<op> failed: no such group 'G'" filled: PVE checks every group inside the user.cfg lock. */
static json_t *user_groups(struct sim_req *r, json_t *u, const char *op)
{
    const char *groups = sim_p_str(r, "groups");
    json_t *a =
        sim_p_int(r, "append", 0) ? json_deep_copy(json_object_get(u, "groups")) : json_array();
    if (!a)
        a = json_array();
    char *gl = strdup(groups), *save = NULL;
    for (char *g = strtok_r(gl, ",; ", &save); g; g = strtok_r(NULL, ",; ", &save)) {
        if (!json_object_get(r->model->groups, g)) {
            sim_fail(r, 500, "%s failed: no such group '%s'", op, g); /* before gl is freed */
            free(gl);
            json_decref(a);
            return NULL;
        }
        json_array_append_new(a, json_string(g));
    }
    free(gl);
    return a;
}

/* Sets the user's fields from the request; nothing changes when a group does not exist. */
static int set_user_fields(struct sim_req *r, json_t *u, const char *op)
{
    static const char *const keys[] = {"comment", "email",  "firstname", "lastname",
                                       "enable",  "expire", "keys",      NULL};
    json_t *groups = NULL;
    if (sim_p_str(r, "groups") && !(groups = user_groups(r, u, op)))
        return -1;
    for (int i = 0; keys[i]; i++) {
        json_t *v = json_object_get(r->params, keys[i]);
        if (v)
            json_object_set(u, keys[i], v);
    }
    if (groups)
        json_object_set_new(u, "groups", groups);
    return 0;
}

/* 1 when the realm exists (pam, pve or one of the scenario's). */
static int realm_exists(const struct sim_model *m, const char *realm)
{
    size_t i;
    json_t *v;
    json_array_foreach(m->realms, i, v)
    {
        const char *id = json_string_value(json_object_get(v, "realm"));
        if (id && strcmp(id, realm) == 0)
            return 1;
    }
    return 0;
}

static int h_user_create(struct sim_req *r)
{
    const char *userid = sim_p_str(r, "userid");
    if (json_object_get(r->model->users, userid))
        return sim_fail(r, 500, "create user failed: user '%s' already exists", userid);
    const char *at = strchr(userid, '@');
    if (!at || !realm_exists(r->model, at + 1))
        return sim_fail(r, 500, "create user failed: domain '%s' does not exist", at ? at + 1 : "");
    json_t *u = json_pack("{s:i, s:i, s:[], s:{}}", "enable", 1, "expire", 0, "groups", "tokens");
    if (set_user_fields(r, u, "create user") != 0) {
        json_decref(u);
        return -1;
    }
    const char *pw = sim_p_str(r, "password");
    if (pw)
        json_object_set_new(u, "password", json_string(pw));
    json_object_set_new(r->model->users, userid, u);
    return sim_ok(r, NULL);
}

static json_t *req_user(struct sim_req *r)
{
    const char *userid = sim_p_str(r, "userid");
    json_t *u = json_object_get(r->model->users, userid);
    if (!u)
        sim_fail(r, 500, "no such user ('%s')", userid);
    return u;
}

static int h_user_get(struct sim_req *r)
{
    json_t *u = req_user(r);
    if (!u)
        return -1;
    json_t *o = user_view(sim_p_str(r, "userid"), u, 0);
    json_object_del(o, "userid");
    json_object_set(o, "groups", json_object_get(u, "groups"));
    json_t *tokens = json_object();
    const char *tid;
    json_t *t;
    json_object_foreach(json_object_get(u, "tokens"), tid, t)
    {
        json_object_set_new(tokens, tid,
                            json_pack("{s:O, s:O}", "privsep", json_object_get(t, "privsep"),
                                      "expire", json_object_get(t, "expire")));
    }
    json_object_set_new(o, "tokens", tokens);
    return sim_ok(r, o);
}

static int h_user_update(struct sim_req *r)
{
    const char *userid = sim_p_str(r, "userid");
    json_t *u = json_object_get(r->model->users, userid);
    if (!u)
        return sim_fail(r, 500, "update user failed: no such user ('%s')", userid);
    if (set_user_fields(r, u, "update user") != 0)
        return -1;
    return sim_ok(r, NULL);
}

static void acls_drop(struct sim_model *m, const char *type, const char *ugid, int prefix)
{
    for (size_t i = json_array_size(m->acls); i-- > 0;) {
        json_t *a = json_array_get(m->acls, i);
        const char *t = json_string_value(json_object_get(a, "type"));
        const char *id = json_string_value(json_object_get(a, "ugid"));
        if (!t || !id || strcmp(t, type) != 0)
            continue;
        if (prefix ? strncmp(id, ugid, strlen(ugid)) == 0 : strcmp(id, ugid) == 0)
            json_array_remove(m->acls, i);
    }
}

static int h_user_delete(struct sim_req *r)
{
    const char *userid = sim_p_str(r, "userid");
    if (!json_object_get(r->model->users, userid))
        return sim_fail(r, 500, "delete user failed: no such user ('%s')", userid);
    json_object_del(r->model->users, userid);
    acls_drop(r->model, "user", userid, 0);
    char prefix[200];
    snprintf(prefix, sizeof prefix, "%s!", userid);
    acls_drop(r->model, "token", prefix, 1);
    return sim_ok(r, NULL);
}

/* ---- tokens ---------------------------------------------------------------------------- */

static int h_tokens_list(struct sim_req *r)
{
    json_t *u = req_user(r);
    if (!u)
        return -1;
    json_t *a = json_array();
    const char *tid;
    json_t *t;
    json_object_foreach(json_object_get(u, "tokens"), tid, t)
    {
        json_t *o =
            json_pack("{s:s, s:O, s:O}", "tokenid", tid, "privsep", json_object_get(t, "privsep"),
                      "expire", json_object_get(t, "expire"));
        if (json_object_get(t, "comment"))
            json_object_set(o, "comment", json_object_get(t, "comment"));
        json_array_append_new(a, o);
    }
    return sim_ok(r, a);
}

static json_t *req_token(struct sim_req *r, json_t *u)
{
    const char *tid = sim_p_str(r, "tokenid");
    json_t *t = json_object_get(json_object_get(u, "tokens"), tid);
    if (!t)
        sim_fail(r, 500, "no such token '%s' for user '%s'", tid, sim_p_str(r, "userid"));
    return t;
}

static int h_token_get(struct sim_req *r)
{
    json_t *u = req_user(r), *t = u ? req_token(r, u) : NULL;
    if (!t)
        return -1;
    json_t *o = json_pack("{s:O, s:O}", "privsep", json_object_get(t, "privsep"), "expire",
                          json_object_get(t, "expire"));
    if (json_object_get(t, "comment"))
        json_object_set(o, "comment", json_object_get(t, "comment"));
    return sim_ok(r, o);
}

static int h_token_create(struct sim_req *r)
{
    json_t *u = req_user(r);
    if (!u)
        return -1;
    const char *tid = sim_p_str(r, "tokenid");
    json_t *tokens = json_object_get(u, "tokens");
    if (json_object_get(tokens, tid))
        return sim_fail(r, 500, "Token already exists.");
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1)
        return sim_fail(r, 500, "unable to generate token secret");
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    char uuid[40];
    snprintf(uuid, sizeof uuid,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
    json_t *t = json_pack("{s:s, s:I, s:I}", "secret", uuid, "privsep",
                          (json_int_t)sim_p_int(r, "privsep", 1), "expire",
                          (json_int_t)sim_p_int(r, "expire", 0));
    if (sim_p_str(r, "comment"))
        json_object_set_new(t, "comment", json_string(sim_p_str(r, "comment")));
    json_object_set_new(tokens, tid, t);
    char full[256];
    snprintf(full, sizeof full, "%s!%s", sim_p_str(r, "userid"), tid);
    return sim_ok(r, json_pack("{s:s, s:s, s:{s:I, s:I}}", "full-tokenid", full, "value", uuid,
                               "info", "privsep", (json_int_t)sim_p_int(r, "privsep", 1), "expire",
                               (json_int_t)sim_p_int(r, "expire", 0)));
}

static int h_token_update(struct sim_req *r)
{
    json_t *u = req_user(r), *t = u ? req_token(r, u) : NULL;
    if (!t)
        return -1;
    static const char *const keys[] = {"comment", "expire", "privsep", NULL};
    for (int i = 0; keys[i]; i++)
        if (json_object_get(r->params, keys[i]))
            json_object_set(t, keys[i], json_object_get(r->params, keys[i]));
    json_t *o = json_pack("{s:O, s:O}", "privsep", json_object_get(t, "privsep"), "expire",
                          json_object_get(t, "expire"));
    return sim_ok(r, o);
}

static int h_token_delete(struct sim_req *r)
{
    json_t *u = req_user(r), *t = u ? req_token(r, u) : NULL;
    if (!t)
        return -1;
    char full[256];
    snprintf(full, sizeof full, "%s!%s", sim_p_str(r, "userid"), sim_p_str(r, "tokenid"));
    json_object_del(json_object_get(u, "tokens"), sim_p_str(r, "tokenid"));
    acls_drop(r->model, "token", full, 0);
    return sim_ok(r, NULL);
}

/* ---- ACL, roles, permissions ----------------------------------------------------------- */

static int h_acl_get(struct sim_req *r)
{
    json_t *a = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(r->model->acls, i, e)
    {
        const char *path = json_string_value(json_object_get(e, "path"));
        if (r->who.is_root || sim_req_allowed(r, path, "Permissions.Modify") ||
            sim_req_allowed(r, path, "Sys.Audit"))
            json_array_append_new(a, json_deep_copy(e));
    }
    return sim_ok(r, a);
}

/* 0 when every role in the list exists; else fills a 500 and returns -1. */
static int acl_roles_exist(struct sim_req *r, const char *roles)
{
    char *rl = strdup(roles), *save = NULL;
    for (char *role = strtok_r(rl, ",; ", &save); role; role = strtok_r(NULL, ",; ", &save)) {
        if (!json_object_get(r->model->roles, role)) {
            sim_fail(r, 500, "ACL update failed: role '%s' does not exist", role);
            free(rl);
            return -1;
        }
    }
    free(rl);
    return 0;
}

static const char *const acl_types[3] = {"user", "group", "token"};

/* 1 when the user, group or token ("user@realm!tokenid") w of acl_types[k] exists. */
static int acl_ugid_exists(const struct sim_model *m, int k, const char *w)
{
    if (k == 0)
        return json_object_get(m->users, w) != NULL;
    if (k == 1)
        return json_object_get(m->groups, w) != NULL;
    char uid[200];
    const char *bang = strchr(w, '!');
    snprintf(uid, sizeof uid, "%.*s", bang ? (int)(bang - w) : 0, w);
    return bang && json_object_get(json_object_get(json_object_get(m->users, uid), "tokens"),
                                   bang + 1) != NULL;
}

/* 0 when every user, group and token named in lists (users, groups, tokens; NULL = none)
 * exists; else fills a 500 and returns -1. */
static int acl_ugids_exist(struct sim_req *r, const char *const lists[3])
{
    for (int k = 0; k < 3; k++) {
        if (!lists[k])
            continue;
        char *wl = strdup(lists[k]), *save = NULL;
        for (char *w = strtok_r(wl, ",; ", &save); w; w = strtok_r(NULL, ",; ", &save)) {
            if (!acl_ugid_exists(r->model, k, w)) {
                int rc =
                    sim_fail(r, 500, "ACL update failed: %s '%s' does not exist", acl_types[k], w);
                free(wl);
                return rc;
            }
        }
        free(wl);
    }
    return 0;
}

/* Sets (or with del removes) the ACL entries of one user, group or token on path, one per role. */
static void acl_set(struct sim_model *m, const char *path, const char *type, const char *ugid,
                    const char *roles, int del, int propagate)
{
    char *rl = strdup(roles), *save = NULL;
    for (char *role = strtok_r(rl, ",; ", &save); role; role = strtok_r(NULL, ",; ", &save)) {
        /* remove an existing identical entry, then add unless deleting */
        for (size_t i = json_array_size(m->acls); i-- > 0;) {
            json_t *e = json_array_get(m->acls, i);
            if (strcmp(json_string_value(json_object_get(e, "path")), path) == 0 &&
                strcmp(json_string_value(json_object_get(e, "type")), type) == 0 &&
                strcmp(json_string_value(json_object_get(e, "ugid")), ugid) == 0 &&
                strcmp(json_string_value(json_object_get(e, "roleid")), role) == 0)
                json_array_remove(m->acls, i);
        }
        if (!del)
            json_array_append_new(m->acls,
                                  json_pack("{s:s, s:s, s:s, s:s, s:i}", "path", path, "type", type,
                                            "ugid", ugid, "roleid", role, "propagate", propagate));
    }
    free(rl);
}

static int h_acl_put(struct sim_req *r)
{
    const char *path = sim_p_str(r, "path");
    const char *const lists[3] = {sim_p_str(r, "users"), sim_p_str(r, "groups"),
                                  sim_p_str(r, "tokens")};
    /* Perl truth: an empty list counts as none */
    if (!(lists[0] && *lists[0]) && !(lists[1] && *lists[1]) && !(lists[2] && *lists[2])) {
        sim_param_fail(r, "users", "either 'users', 'groups' or 'tokens' is required.");
        sim_param_fail(r, "groups", "either 'users', 'groups' or 'tokens' is required.");
        return sim_param_fail(r, "tokens", "either 'users', 'groups' or 'tokens' is required.");
    }
    char msg[256];
    if (!pve_format_check("pve-acl-path", path, msg, sizeof msg))
        return sim_param_fail(r, "path", "invalid ACL path '%s'", path);
    int del = (int)sim_p_int(r, "delete", 0);
    int propagate = (int)sim_p_int(r, "propagate", 1);
    const char *roles = sim_p_str(r, "roles");
    /* validate everything first (all-or-nothing like the locked user.cfg update) */
    if (acl_roles_exist(r, roles) != 0 || (!del && acl_ugids_exist(r, lists) != 0))
        return -1;
    for (int k = 0; k < 3; k++) {
        if (!lists[k])
            continue;
        char *wl = strdup(lists[k]), *save = NULL;
        for (char *w = strtok_r(wl, ",; ", &save); w; w = strtok_r(NULL, ",; ", &save))
            acl_set(r->model, path, acl_types[k], w, roles, del, propagate);
        free(wl);
    }
    return sim_ok(r, NULL);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "A,B,..." with the privileges sorted, as PVE joins them (malloc'd). */
static char *privs_text(const json_t *privs)
{
    size_t n = json_array_size(privs), len = 1;
    const char **names = calloc(n ? n : 1, sizeof *names);
    for (size_t i = 0; i < n; i++) {
        names[i] = json_string_value(json_array_get(privs, i));
        len += strlen(names[i]) + 1;
    }
    qsort(names, n, sizeof *names, cmp_str);
    char *s = calloc(1, len);
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(s, ",");
        strcat(s, names[i]);
    }
    free(names);
    return s;
}

static int h_roles_list(struct sim_req *r)
{
    json_t *a = json_array();
    const char *id;
    json_t *role;
    json_object_foreach(r->model->roles, id, role)
    {
        char *p = privs_text(json_object_get(role, "privs"));
        json_array_append_new(a, json_pack("{s:s, s:s, s:i}", "roleid", id, "privs", p, "special",
                                           sim_roles_is_special(r->model->roles, id)));
        free(p);
    }
    return sim_ok(r, a);
}

static int h_role_get(struct sim_req *r)
{
    json_t *role = json_object_get(r->model->roles, sim_p_str(r, "roleid"));
    if (!role)
        return sim_fail(r, 500, "role '%s' does not exist", sim_p_str(r, "roleid"));
    json_t *o = json_object();
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(role, "privs"), i, p)
    {
        json_object_set_new(o, json_string_value(p), json_integer(1));
    }
    return sim_ok(r, o);
}

/* add_role_privs: the privileges of the list privs (NULL: none) added to a (without repeats).
 * 0, or -1 with a 500 "<op>: invalid privilege '<p>'" filled and a unchanged in meaning. */
static int role_add_privs(struct sim_req *r, json_t *a, const char *privs, const char *op)
{
    char *pl = strdup(privs ? privs : ""), *save = NULL;
    for (char *p = strtok_r(pl, ",; ", &save); p; p = strtok_r(NULL, ",; ", &save)) {
        if (!sim_priv_known(p)) {
            sim_fail(r, 500, "%s: invalid privilege '%s'", op, p);
            free(pl);
            return -1;
        }
        int have = 0;
        size_t i;
        json_t *v;
        json_array_foreach(a, i, v)
        {
            have |= strcmp(json_string_value(v), p) == 0;
        }
        if (!have)
            json_array_append_new(a, json_string(p));
    }
    free(pl);
    return 0;
}

static int h_role_create(struct sim_req *r)
{
    const char *id = sim_p_str(r, "roleid");
    if (strncasecmp(id, "PVE", 3) == 0)
        return sim_param_fail(r, "roleid",
                              "cannot use role ID starting with the (case-insensitive) 'PVE' "
                              "namespace");
    if (json_object_get(r->model->roles, id))
        return sim_fail(r, 500, "create role failed: role '%s' already exists", id);
    json_t *a = json_array();
    if (role_add_privs(r, a, sim_p_str(r, "privs"), "create role failed") != 0) {
        json_decref(a);
        return -1;
    }
    json_object_set_new(r->model->roles, id, json_pack("{s:o, s:i}", "privs", a, "special", 0));
    return sim_ok(r, NULL);
}

/* PUT: the privileges replace the role's, or with append=1 are added to them. */
static int h_role_update(struct sim_req *r)
{
    const char *id = sim_p_str(r, "roleid");
    if (sim_roles_is_special(r->model->roles, id))
        return sim_fail(r, 500, "auto-generated role '%s' cannot be modified", id);
    json_t *role = json_object_get(r->model->roles, id);
    if (!role)
        return sim_fail(r, 500, "update role failed: role '%s' does not exist", id);
    json_t *a =
        sim_p_int(r, "append", 0) ? json_deep_copy(json_object_get(role, "privs")) : json_array();
    if (role_add_privs(r, a, sim_p_str(r, "privs"), "update role failed") != 0) {
        json_decref(a);
        return -1;
    }
    json_object_set_new(role, "privs", a);
    return sim_ok(r, NULL);
}

/* DELETE: PVE leaves the role's ACL entries in user.cfg, where they are ignored from then on; the
 * sim drops them. */
static int h_role_delete(struct sim_req *r)
{
    const char *id = sim_p_str(r, "roleid");
    if (sim_roles_is_special(r->model->roles, id))
        return sim_fail(r, 500, "auto-generated role '%s' cannot be deleted", id);
    if (!json_object_get(r->model->roles, id))
        return sim_fail(r, 500, "delete role failed: role '%s' does not exist", id);
    for (size_t i = json_array_size(r->model->acls); i-- > 0;) {
        const char *role =
            json_string_value(json_object_get(json_array_get(r->model->acls, i), "roleid"));
        if (role && strcmp(role, id) == 0)
            json_array_remove(r->model->acls, i);
    }
    json_object_del(r->model->roles, id);
    return sim_ok(r, NULL);
}

static int h_permissions(struct sim_req *r)
{
    struct sim_identity who = r->who;
    const char *userid = sim_p_str(r, "userid");
    if (userid) {
        const char *bang = strchr(userid, '!');
        char uid[128];
        snprintf(uid, sizeof uid, "%.*s", bang ? (int)(bang - userid) : (int)strlen(userid),
                 userid);
        if (strcmp(uid, r->who.userid) != 0 && !sim_req_allowed(r, "/access", "Sys.Audit"))
            return sim_perm_fail(r, "/access", "Sys.Audit");
        memset(&who, 0, sizeof who);
        snprintf(who.userid, sizeof who.userid, "%s", uid);
        if (bang)
            snprintf(who.tokenid, sizeof who.tokenid, "%s", bang + 1);
        who.is_root = strcmp(uid, "root@pam") == 0 && !bang;
    }
    json_t *out = json_object();
    const char *path = sim_p_str(r, "path");
    if (path) {
        json_object_set_new(out, path, sim_privs_at(r->model, &who, path));
        return sim_ok(r, out);
    }
    /* every path with an ACL entry, plus the standard top-level ones */
    static const char *const base[] = {"/",    "/access",  "/access/groups", "/nodes", "/pool",
                                       "/sdn", "/storage", "/vms",           NULL};
    for (int i = 0; base[i]; i++)
        json_object_set_new(out, base[i], sim_privs_at(r->model, &who, base[i]));
    size_t i;
    json_t *e;
    json_array_foreach(r->model->acls, i, e)
    {
        const char *p = json_string_value(json_object_get(e, "path"));
        if (!json_object_get(out, p))
            json_object_set_new(out, p, sim_privs_at(r->model, &who, p));
    }
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(out, tmp, k, v)
    {
        if (json_object_size(v) == 0)
            json_object_del(out, k);
    }
    return sim_ok(r, out);
}

static int h_domains(struct sim_req *r)
{
    return sim_ok(r, json_deep_copy(r->model->realms));
}

static int h_index(struct sim_req *r)
{
    return sim_ok(r, json_pack("[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}, {s:s}]", "subdir", "users",
                               "subdir", "groups", "subdir", "roles", "subdir", "acl", "subdir",
                               "domains", "subdir", "ticket"));
}

static int h_groups_list(struct sim_req *r)
{
    json_t *a = json_array();
    const char *id;
    json_t *g;
    json_object_foreach(r->model->groups, id, g)
    {
        json_t *o = json_pack("{s:s}", "groupid", id);
        if (json_object_get(g, "comment"))
            json_object_set(o, "comment", json_object_get(g, "comment"));
        json_array_append_new(a, o);
    }
    return sim_ok(r, a);
}

const struct sim_route sim_access_routes[] = {
    {"GET /access", h_index},
    {"POST /access/ticket", h_ticket},
    {"GET /access/domains", h_domains},
    {"GET /access/users", h_users_list},
    {"POST /access/users", h_user_create},
    {"GET /access/users/{userid}", h_user_get},
    {"PUT /access/users/{userid}", h_user_update},
    {"DELETE /access/users/{userid}", h_user_delete},
    {"GET /access/users/{userid}/token", h_tokens_list},
    {"GET /access/users/{userid}/token/{tokenid}", h_token_get},
    {"POST /access/users/{userid}/token/{tokenid}", h_token_create},
    {"PUT /access/users/{userid}/token/{tokenid}", h_token_update},
    {"DELETE /access/users/{userid}/token/{tokenid}", h_token_delete},
    {"GET /access/acl", h_acl_get},
    {"PUT /access/acl", h_acl_put},
    {"GET /access/roles", h_roles_list},
    {"POST /access/roles", h_role_create},
    {"GET /access/roles/{roleid}", h_role_get},
    {"PUT /access/roles/{roleid}", h_role_update},
    {"DELETE /access/roles/{roleid}", h_role_delete},
    {"GET /access/permissions", h_permissions},
    {"GET /access/groups", h_groups_list},
    {NULL, NULL}};
