/* app_expire: finds every stand on the cluster from the marks of its users, pools, VMs and bridges,
 * its expiry from the users' `expire`, and destroys the expired ones through app_destroy. */
#include "app/app_expire.h"
#include "app/app_destroy.h"
#include "ds_clock.h"
#include "plan/marks.h"
#include "util/err.h"
#include "util/i18n.h"
#include "util/xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

long long app_expire_of(const struct cluster_view *v, const char *stand, size_t *n_users)
{
    long long latest = 0;
    int never = 0;
    size_t n = 0, i;
    const json_t *u;
    json_array_foreach(json_object_get(v->raw, "users"), i, u)
    {
        struct mark m;
        if (!mark_parse(json_string_value(json_object_get(u, "comment")), &m) ||
            strcmp(m.stand, stand) != 0 || !m.student)
            continue;
        long long e = json_integer_value(json_object_get(u, "expire"));
        n++;
        never |= e <= 0;
        latest = e > latest ? e : latest;
    }
    if (n_users)
        *n_users = n;
    return never ? 0 : latest;
}

void app_expire_day(long long expire, char out[11])
{
    time_t t = (time_t)(expire - 1);
    struct tm tm;
    if (expire <= 0 || !gmtime_r(&t, &tm) || strftime(out, 11, "%Y-%m-%d", &tm) != 10)
        snprintf(out, 11, "%s", "-");
}

/* ---- what the marks say ------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds s to the sorted-later list unless it is there already. */
static void list_add(char ***list, size_t *n, const char *s)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*list)[i], s) == 0)
            return;
    *list = xreallocarray(*list, *n + 1, sizeof **list);
    (*list)[(*n)++] = xstrdup(s);
}

static void list_free(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

/* The stands of the users' marks (sorted). */
static void stands_of(const struct cluster_view *v, char ***out, size_t *n)
{
    for (size_t i = 0; i < v->n_users; i++) {
        struct mark m;
        if (mark_parse(v->users[i].comment, &m) && m.student)
            list_add(out, n, m.stand);
    }
    if (*n)
        qsort(*out, *n, sizeof **out, cmp_str);
}

static void student_of(const char *text, const char *stand, char ***out, size_t *n)
{
    struct mark m;
    if (mark_parse(text, &m) && strcmp(m.stand, stand) == 0 && m.student && *m.student)
        list_add(out, n, m.student);
}

/* Every student the stand's marks name: on users, pools, VMs and bridges (sorted). */
static void students_of(const struct cluster_view *v, const char *stand, char ***out, size_t *n)
{
    for (size_t i = 0; i < v->n_users; i++)
        student_of(v->users[i].comment, stand, out, n);
    for (size_t i = 0; i < v->n_pools; i++)
        student_of(v->pools[i].comment, stand, out, n);
    for (size_t i = 0; i < v->n_vms; i++)
        student_of(json_string_value(json_object_get(v->vms[i].config, "description")), stand, out,
                   n);
    for (size_t k = 0; k < v->n_nets; k++)
        for (size_t i = 0; i < v->nets[k].n; i++)
            student_of(v->nets[k].ifaces[i].comments, stand, out, n);
    if (*n)
        qsort(*out, *n, sizeof **out, cmp_str);
}

/* ---- destroying one stand ----------------------------------------------------------------- */

/* The stand and its class as the marks give them (no stand file): the stand has its name only,
 * the class is read through the users loader, so every id is checked as a file's would be.
 * APP_OK, or APP_FAILED (reported) when an id the marks name is no valid user id. */
static int stand_from_marks(struct app_ctx *c, const char *stand, char **ids, size_t n)
{
    size_t len = 16;
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        len += strlen(ids[i]) + 8;
        for (const char *p = ids[i]; *p; p++)
            bad |= *p == '\'' || (unsigned char)*p < 0x20;
    }
    char *text = xcalloc(len, 1);
    size_t l = (size_t)snprintf(text, len, "users:\n");
    for (size_t i = 0; i < n; i++)
        l += (size_t)snprintf(text + l, len - l, "  - '%s'\n", ids[i]);
    char where[128];
    snprintf(where, sizeof where, _("the marks of stand %s"), stand);
    struct diag_list d = {0};
    struct users_list *users = NULL;
    bad = bad || users_load_text(where, text, l, &users, &d) < 0;
    free(text);
    app_diags(&c->ev, &d);
    diag_list_clear(&d);
    if (bad) {
        users_free(users);
        return app_error(&c->ev, NULL,
                         _("stand %s: its marks name students that are no valid "
                           "user ids; it is left alone"),
                         stand);
    }
    struct stand *st = xcalloc(1, sizeof *st);
    st->name = xstrdup(stand);
    st->path = xstrdup(where);
    app_ctx_set_stand(c, st, users);
    return APP_OK;
}

/* app_destroy's verdict, kept from the front-end: expire reports it in its own result. */
struct verdict {
    struct app_events inner;
    int seen, ok, left;
};

static void verdict_emit(const struct app_event *e, void *ud)
{
    struct verdict *vd = ud;
    if (e->kind != APP_EV_DESTROYED) {
        app_emit(&vd->inner, e);
        return;
    }
    vd->seen = 1;
    vd->ok = e->ok;
    vd->left = e->left;
}

/* The front-end's question, when the destroy is asked for (app_expire_stand). */
static int verdict_confirm(const struct app_ask *a, void *ud)
{
    const struct verdict *vd = ud;
    return vd->inner.confirm(a, vd->inner.ud);
}

/* Destroys one expired stand as `destroy` does (ask: after the front-end's confirmation); fills
 * the entry's "destroyed" and "left". */
static int destroy_stand(struct app_ctx *c, const struct app_opts *o, json_t *entry, char **ids,
                         size_t n, int ask)
{
    const char *stand = json_string_value(json_object_get(entry, "stand"));
    int rc = stand_from_marks(c, stand, ids, n);
    if (rc == APP_OK) {
        app_note(&c->ev, APP_TEXT,
                 ask ? _("\nStand '%s' expired at the end of %s (UTC).\n")
                     : _("\nStand '%s' expired at the end of %s (UTC): it is destroyed.\n"),
                 stand, json_string_value(json_object_get(entry, "expires")));
        struct verdict vd = {.inner = c->ev};
        struct app_events saved = c->ev;
        c->ev = (struct app_events){.emit = verdict_emit,
                                    .confirm = ask && saved.confirm ? verdict_confirm : NULL,
                                    .ud = &vd};
        struct app_opts od = {.json = o->json};
        rc = app_destroy(c, &od);
        c->ev = saved;
        if (vd.seen && vd.left >= 0)
            json_object_set_new(entry, "left", json_integer(vd.left));
        else if (!vd.seen && rc == APP_OK) /* nothing of it was left to remove */
            json_object_set_new(entry, "left", json_integer(0));
    }
    json_object_set_new(entry, "destroyed", json_boolean(rc == APP_OK));
    return rc;
}

/* ---- the use case ------------------------------------------------------------------------- */

/* The entry of one stand with an expiry: {"stand", "expires", "expires_at", "expired",
 * "students", "destroyed": null, "left": null}. */
static json_t *stand_entry(const char *stand, long long expires, long long now, char **ids,
                           size_t n)
{
    char day[11];
    app_expire_day(expires, day);
    json_t *students = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(students, json_string(ids[i]));
    return json_pack("{s:s, s:s, s:I, s:b, s:o, s:n, s:n}", "stand", stand, "expires", day,
                     "expires_at", (json_int_t)expires, "expired", expires <= now, "students",
                     students, "destroyed", "left");
}

/* app_expire, or with `only` app_expire_stand. */
static int expire_run(struct app_ctx *c, const struct app_opts *o, int remove, const char *only,
                      json_t **out)
{
    *out = NULL;
    struct cluster_view *v = NULL;
    if (inventory_load(c->client, NULL, 0, NULL, 0, INV_CONFIGS_MARKED, NULL, &v) < 0)
        return app_error(&c->ev, NULL, "%s", ds_err_last());
    long long now = ds_clock_wall_s();
    char **stands = NULL;
    size_t n_stands = 0, n_expired = 0, n_destroyed = 0;
    stands_of(v, &stands, &n_stands);
    json_t *list = json_array();
    int rc = APP_OK;
    for (size_t i = 0; i < n_stands; i++) {
        long long expires = app_expire_of(v, stands[i], NULL);
        if (!expires || (only && strcmp(stands[i], only) != 0))
            continue;
        char **ids = NULL;
        size_t n_ids = 0;
        students_of(v, stands[i], &ids, &n_ids);
        json_t *entry = stand_entry(stands[i], expires, now, ids, n_ids);
        json_array_append_new(list, entry);
        n_expired += expires <= now;
        if (remove && expires <= now) {
            int src = destroy_stand(c, o, entry, ids, n_ids, only != NULL);
            n_destroyed += src == APP_OK;
            rc = src ? APP_FAILED : rc;
        }
        list_free(ids, n_ids);
    }
    list_free(stands, n_stands);
    cluster_view_free(v);
    *out = json_pack("{s:I, s:o, s:I, s:I}", "now", (json_int_t)now, "stands", list, "expired",
                     (json_int_t)n_expired, "destroyed", (json_int_t)n_destroyed);
    return rc;
}

int app_expire(struct app_ctx *c, const struct app_opts *o, int remove, json_t **out)
{
    return expire_run(c, o, remove, NULL, out);
}

int app_expire_stand(struct app_ctx *c, const struct app_opts *o, const char *stand, json_t **out)
{
    return expire_run(c, o, 1, stand, out);
}
