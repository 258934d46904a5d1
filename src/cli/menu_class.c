/* menu_class: the menu's screens for a deployed class. They run the use cases the commands status,
 * creds, start/stop/shutdown, reset, snapshot and expire run; the menu only asks and shows. */
#include "cli/menu_class.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app_creds.h"
#include "app/app_expire.h"
#include "app/app_power.h"
#include "app/app_reset.h"
#include "app/app_snapshot.h"
#include "app/app_status.h"
#include "config/stand.h"
#include "config/users_import.h"
#include "cli/creds_view.h"
#include "cli/menu.h"
#include "cli/menu_ops.h"
#include "ui/prompt.h"
#include "ui/status_view.h"
#include "util/err.h"
#include "util/i18n.h"
#include "util/xalloc.h"

/* One stand screen: the saved config and list, the student (NULL: the class) and the context. */
struct screen {
    struct menu_op op; /* the context's events point at it: a screen never moves */
    struct app_ctx s;
    int opened; /* s is open (free it) */
    char *config, *list, *user;
    const char *only[1];
    struct app_opts o;
};

/* The title, then the config and the list as deploy asks them. 0, or -1 (back, EOF, none saved). */
static int screen_inputs(struct menu *m, struct screen *sc, const char *emoji, const char *title)
{
    memset(sc, 0, sizeof *sc);
    sc->op.m = m;
    prompt_title(emoji, title);
    return menu_op_inputs(_("Which config (the stand)"), &sc->config, &sc->list);
}

/* The context (inputs, connection, login, state), for the chosen student or the class. 0, or -1
 * (shown). */
static int screen_open(struct screen *sc)
{
    if (menu_op_open(&sc->op, &sc->s, sc->config, sc->list) < 0)
        return -1;
    sc->opened = 1;
    sc->only[0] = sc->user;
    sc->o.only = sc->user ? sc->only : NULL;
    sc->o.n_only = sc->user ? 1 : 0;
    printf(_("Reading the cluster...\n"));
    fflush(stdout);
    return 0;
}

static void screen_close(struct screen *sc)
{
    if (sc->opened)
        app_ctx_free(&sc->s);
    free(sc->config);
    free(sc->list);
    free(sc->user);
}

/* The class or one student of the list (an empty answer: the class). 0 with sc->user (NULL for the
 * class), or -1 (back, EOF). */
static int target_pick(struct screen *sc)
{
    char **ids = NULL;
    size_t n = 0;
    if (menu_list_read(sc->list, &ids, &n) < 0)
        return -1;
    char cls[200];
    snprintf(cls, sizeof cls,
             ngettext("the whole class (%zu student)", "the whole class (%zu students)", n), n);
    char **names = xcalloc(n + 1, sizeof *names);
    names[0] = cls;
    for (size_t i = 0; i < n; i++)
        names[i + 1] = ids[i];
    int i = prompt_pick(_("For whom"), names, n + 1, 0);
    if (i > 0)
        sc->user = xstrdup(ids[i - 1]);
    free(names);
    users_ids_free(ids, n);
    return i >= 0 ? 0 : -1;
}

/* The outcome of a lifecycle use case (what its report does not say), then one line and Enter. */
static void result_show(struct screen *sc, int rc, json_t *doc, const char *ok, const char *failed)
{
    if (doc)
        status_view_result(doc, stdout, 0);
    json_decref(doc);
    menu_op_done(&sc->op, rc, ok, failed);
}

/* ---- 8: status and credentials ------------------------------------------------------------- */

/* Offers the printable hand-out, written where the teacher says (./handout-<stand>.html). */
static void handout_offer(const struct cred_sheet *sh)
{
    printf("\n");
    if (prompt_yesno(_("Write the printable hand-out (HTML, one card per student) to a file?"),
                     1) != 1)
        return;
    char dflt[300], msg[1200];
    snprintf(dflt, sizeof dflt, "./handout-%s.html", sh->stand);
    char *path = prompt_ask_required(_("File for the hand-out"), dflt);
    if (!path)
        return;
    int y = access(path, F_OK) == 0 ? prompt_yesno(_("It already exists. Replace it?"), 0) : 1;
    if (y == 1 && creds_view_file(sh, CREDS_HTML, path) < 0) {
        prompt_error(ds_err_last());
    } else if (y == 1) {
        snprintf(msg, sizeof msg,
                 ngettext("Wrote the hand-out for %zu student to %s (mode 0600): open it in a "
                          "browser to print it.",
                          "Wrote the hand-out for %zu students to %s (mode 0600): open it in a "
                          "browser to print it.",
                          sh->n),
                 sh->n, path);
        prompt_ok(msg);
    }
    free(path);
}

static void screen_status(struct menu *m)
{
    struct screen sc;
    if (screen_inputs(m, &sc, "📊", _("Stand status and credentials")) == 0 &&
        screen_open(&sc) == 0) {
        json_t *st = NULL;
        int rc = app_status(&sc.s, &st);
        if (rc == APP_OK)
            status_view_print(st, stdout, 0);
        json_decref(st);
        struct app_creds cr = {0};
        if (rc == APP_OK && app_creds(&sc.s, &cr) == APP_OK) {
            printf("\n");
            if (creds_view_write(&cr.sheet, CREDS_TABLE, stdout) < 0)
                prompt_error(ds_err_last());
            handout_offer(&cr.sheet);
        }
        app_creds_free(&cr);
        menu_pause();
    }
    screen_close(&sc);
}

/* ---- 9: power ------------------------------------------------------------------------------ */

static const char *const power_items[] = {
    N_("start: every stopped VM (the stand's start_order first)"),
    N_("stop: every VM at once, as pulling the plug does"),
    N_("shutdown: a clean shutdown, stopped hard after 60 s"),
    NULL,
};
static const enum power_op power_ops[] = {POWER_START, POWER_STOP, POWER_SHUTDOWN};

static void screen_power(struct menu *m)
{
    struct screen sc;
    int c = -1;
    if (screen_inputs(m, &sc, "⏻", _("Start or stop the class")) == 0) {
        printf(_("What should the class's VMs do?\n"));
        c = menu_choose(NULL, NULL, power_items);
    }
    if (c >= 0 && screen_open(&sc) == 0) {
        json_t *doc = NULL;
        int rc = app_power(&sc.s, &sc.o, power_ops[c], &doc);
        result_show(&sc, rc, doc,
                    c == 0 ? _("Every VM of the class is running.")
                           : _("Every VM of the class is stopped."),
                    _("Not every VM is as asked (see above)."));
    }
    screen_close(&sc);
}

/* ---- 10: reset ----------------------------------------------------------------------------- */

static void screen_reset(struct menu *m)
{
    struct screen sc;
    if (screen_inputs(m, &sc, "🔄", _("Reset to the baseline")) == 0 && target_pick(&sc) == 0 &&
        screen_open(&sc) == 0) {
        json_t *doc = NULL;
        int rc = app_reset(&sc.s, &sc.o, &doc);
        result_show(&sc, rc, doc, _("Reset: the VMs are back at the baseline."),
                    _("The reset did not complete (see above)."));
    }
    screen_close(&sc);
}

/* ---- 11: snapshots ------------------------------------------------------------------------- */

static const char *const snapshot_items[] = {
    N_("list the snapshots"),
    N_("create a snapshot"),
    N_("roll back to a snapshot"),
    N_("delete a snapshot"),
    NULL,
};
static const enum snapshot_op snapshot_ops[] = {SNAPSHOT_CREATE, SNAPSHOT_ROLLBACK,
                                                SNAPSHOT_DELETE};
static const char *const snapshot_done[] = {
    N_("Snapshot '%s' is taken."),
    N_("Rolled back to snapshot '%s'."),
    N_("Snapshot '%s' is deleted."),
};

/* A name Proxmox takes for a snapshot: a bad one is refused with the reason (nothing is sent) and
 * asked again. malloc'd, or NULL (an empty answer: back; EOF). */
static char *snapshot_name_ask(void)
{
    for (;;) {
        char *s = prompt_ask(_("Snapshot name (empty: back)"), NULL);
        if (!s || !*s) {
            free(s);
            return NULL;
        }
        if (stand_snapshot_name_valid(s))
            return s;
        char msg[800];
        snprintf(msg, sizeof msg, _("'%s' is not a valid snapshot name: %s"), s,
                 _("a snapshot name is 2 to 40 letters, digits, '-' or '_', starting with a "
                   "letter, and not 'current' or 'pending'"));
        prompt_error(msg);
        free(s);
    }
}

static void snapshot_run(struct screen *sc, int c, const char *name)
{
    json_t *doc = NULL;
    if (c == 0) {
        if (app_snapshot_list(&sc->s, &sc->o, &doc) != APP_OK)
            prompt_error(_("Not every VM's snapshots could be read (see above)."));
        if (doc)
            status_view_snapshots(doc, stdout, 0);
        json_decref(doc);
        menu_pause();
        return;
    }
    int rc = app_snapshot(&sc->s, &sc->o, snapshot_ops[c - 1], name, &doc);
    char ok[400];
    snprintf(ok, sizeof ok, _(snapshot_done[c - 1]), name);
    result_show(sc, rc, doc, ok, _("Not every VM's snapshot was done (see above)."));
}

static void screen_snapshot(struct menu *m)
{
    struct screen sc;
    int c = -1;
    char *name = NULL;
    if (screen_inputs(m, &sc, "📸", _("Snapshots")) == 0)
        c = menu_choose(NULL, NULL, snapshot_items);
    if (c >= 0 && target_pick(&sc) == 0 && (c == 0 || (name = snapshot_name_ask())) &&
        screen_open(&sc) == 0)
        snapshot_run(&sc, c, name);
    free(name);
    screen_close(&sc);
}

/* ---- 12: expired stands -------------------------------------------------------------------- */

/* Shows the plan of one expired stand and destroys it after the typed DELETE_<stand>. */
static void expired_destroy(struct menu_op *op, struct app_ctx *s, const char *stand)
{
    json_t *doc = NULL;
    struct app_opts o = {0};
    op->declined = 0;
    int rc = app_expire_stand(s, &o, stand, &doc);
    const json_t *e = json_array_get(json_object_get(doc, "stands"), 0);
    int tried = json_is_boolean(json_object_get(e, "destroyed"));
    json_decref(doc);
    if (op->declined)
        return;
    if (rc == APP_OK && !tried) { /* its date was moved on since the list was read */
        printf(_("Stand '%s' has not expired any more: it is left as it is.\n"), stand);
        return;
    }
    char msg[400];
    snprintf(msg, sizeof msg,
             rc == APP_OK ? _("Stand '%s' is deleted and verified.")
                          : _("Stand '%s' was not deleted completely (see above)."),
             stand);
    if (rc == APP_OK)
        prompt_ok(msg);
    else
        prompt_error(msg);
}

static void screen_expire(struct menu *m)
{
    prompt_title("⌛", _("Expired stands"));
    struct menu_op op = {.m = m};
    struct app_events ev = menu_op_events(&op);
    struct app_ctx s;
    struct app_opts o = {0};
    json_t *doc = NULL;
    printf(_("Reading the cluster...\n"));
    fflush(stdout);
    int rc = app_ctx_open_cluster(&s, &m->g, &ev, 1);
    if (rc == APP_OK)
        rc = app_expire(&s, &o, 0, &doc);
    if (doc)
        status_view_expire(doc, stdout, 0);
    size_t i, n_expired = 0;
    const json_t *e;
    json_array_foreach(json_object_get(doc, "stands"), i, e)
    {
        if (!json_is_true(json_object_get(e, "expired")))
            continue;
        n_expired++;
        expired_destroy(&op, &s, json_string_value(json_object_get(e, "stand")));
    }
    if (rc == APP_OK && !n_expired)
        printf(_("No stand has expired: there is nothing to delete.\n"));
    json_decref(doc);
    app_ctx_free(&s);
    menu_pause();
}

void menu_class(struct menu *m, enum menu_class_screen screen)
{
    switch (screen) {
    case MENU_STATUS:
        screen_status(m);
        break;
    case MENU_POWER:
        screen_power(m);
        break;
    case MENU_RESET:
        screen_reset(m);
        break;
    case MENU_SNAPSHOT:
        screen_snapshot(m);
        break;
    case MENU_EXPIRE:
        screen_expire(m);
        break;
    }
}
