/* menu_ops: the menu's deploy and delete screens. They run the deploy and destroy use cases that
 * the commands run (same request, template map and checks); the menu only asks and shows. */
#include "cli/menu_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_deploy.h"
#include "app/app_destroy.h"
#include "config/library.h"
#include "config/users_import.h"
#include "plan/strategy.h"
#include "cli/cli.h"
#include "cli/menu.h"
#include "ui/prompt.h"
#include "ui/report.h"
#include "util/i18n.h"

/* The totals of a deploy plan; its memory per node is in the plan shown above it. */
static void deploy_summary(const struct plan *p)
{
    size_t vms = 0, new_vms = 0, bridges = 0;
    printf("\n");
    prompt_title("📋", _("Summary"));
    for (size_t i = 0; i < p->n_students; i++) {
        vms += p->students[i].n_vms;
        for (size_t k = 0; k < p->students[i].n_vms; k++)
            new_vms += !p->students[i].vms[k].exists;
        for (size_t k = 0; k < p->students[i].n_bridges; k++)
            bridges += !p->students[i].bridges[k].exists;
    }
    for (size_t i = 0; i < p->n_shared_bridges; i++)
        bridges += !p->shared_bridges[i].exists;
    char st[64], vm[64], br[64], ch[64];
    snprintf(br, sizeof br, ngettext("%zu new bridge", "%zu new bridges", bridges), bridges);
    snprintf(ch, sizeof ch, ngettext("%zu change", "%zu changes", p->n_acts), p->n_acts);
    printf(_("  %s, %s (%zu new), %s, %s in all\n"),
           report_n_students(p->n_students, st, sizeof st), report_n_vms(vms, vm, sizeof vm),
           new_vms, br, ch);
}

static char *node_pick(const struct cluster_view *v)
{
    char **names = calloc(v->n_nodes + 1, sizeof *names);
    size_t n = 0;
    for (size_t i = 0; names && i < v->n_nodes; i++)
        if (v->nodes[i].online)
            names[n++] = v->nodes[i].name;
    char *r = NULL;
    if (n == 0) {
        prompt_error(_("No node is online."));
    } else {
        int i = prompt_pick(_("Node for every student"), names, n, 0);
        if (i >= 0)
            r = strdup(names[i]);
    }
    free(names);
    return r;
}

static void op_event(const struct app_event *e, void *ud)
{
    struct menu_op *op = ud;
    if (op->who && e->kind == APP_EV_PLAN) {
        if (e->plan->n_acts == 0) {
            printf(_("Nothing of stand '%s' is deployed for %s: there is nothing to delete.\n"),
                   e->plan->stand, op->who);
            op->nothing = 1;
            return;
        }
        printf(_("This will be removed:\n"));
    }
    app_view_event(e, &op->m->view);
}

static int op_confirm(const struct app_ask *a, void *ud)
{
    struct menu_op *op = ud;
    const char *expect = op->expect ? op->expect : a->expect;
    int y;
    if (a->kind == APP_ASK_DESTROY) {
        char q[400];
        snprintf(q, sizeof q, _("Type %s to delete it all"), expect);
        y = prompt_typed(q, expect);
        if (y == 0)
            printf(_("Nothing was removed.\n"));
    } else {
        if (a->kind == APP_ASK_DEPLOY)
            deploy_summary(a->plan);
        y = prompt_yesno(a->kind == APP_ASK_DEPLOY  ? _("Deploy now?")
                         : a->kind == APP_ASK_RESET ? _("Reset these VMs? What changed on their "
                                                        "disks since then is lost.")
                                                    : _("Apply these changes?"),
                         0);
        if (y == 0)
            printf(_("Nothing was changed.\n"));
    }
    op->declined = y != 1;
    fflush(stdout);
    return y == 1;
}

struct app_events menu_op_events(struct menu_op *op)
{
    return (struct app_events){.emit = op_event, .confirm = op_confirm, .ud = op};
}

int menu_op_inputs(const char *config_q, char **config, char **list)
{
    *config = menu_entry_pick(LIB_CONFIG, config_q);
    *list = *config ? menu_entry_pick(LIB_LIST, _("Which user list")) : NULL;
    if (*list)
        return 0;
    free(*config);
    *config = NULL;
    return -1;
}

int menu_op_open(struct menu_op *op, struct app_ctx *s, const char *config, const char *list)
{
    struct app_events ev = menu_op_events(op);
    char *cp = lib_path(LIB_CONFIG, config), *lp = lib_path(LIB_LIST, list);
    struct app_opts o = {.config = cp, .users = lp};
    int rc = !cp || !lp || app_ctx_open(s, &op->m->g, &ev, &o, 1);
    free(cp);
    free(lp);
    if (rc) {
        app_ctx_free(s);
        return -1;
    }
    return 0;
}

/* The placement strategy, one item per row of strategy_table: the row, or NULL (back, EOF). */
static const struct strategy *strategy_pick(void)
{
    enum { MAX = 16 };
    struct prompt_item items[MAX];
    char keys[MAX][4], labels[MAX][200];
    size_t n = 0;
    for (; strategy_table[n] && n < MAX; n++) {
        snprintf(keys[n], sizeof keys[n], "%zu", n + 1);
        snprintf(labels[n], sizeof labels[n], "%s: %s", strategy_table[n]->name,
                 _(strategy_table[n]->label));
        items[n] = (struct prompt_item){keys[n], NULL, labels[n]};
    }
    printf(_("Placement strategy:\n"));
    int c = prompt_menu(_("Strategy"), items, n, 0);
    return c >= 0 && (size_t)c < n ? strategy_table[c] : NULL;
}

void menu_op_done(const struct menu_op *op, int rc, const char *ok, const char *failed)
{
    fflush(stdout);
    fflush(stderr);
    if (op->declined)
        return;
    if (rc == APP_OK)
        prompt_ok(ok);
    else
        prompt_error(failed);
    menu_pause();
}

/* How many template copies of the stand's templates on the cluster are stale (their original
 * changed since they were copied): only then is rebuilding them a question. */
static size_t stale_copies(const struct app_ctx *s)
{
    struct copy_info *cs = NULL;
    size_t n = plan_list_copies(s->view, &cs), stale = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; cs[i].stale && cs[i].is_template && k < s->stand->n_machines; k++)
            if (cs[i].orig == s->stand->machines[k].template_vmid) {
                stale++;
                break;
            }
    copy_info_free(cs, n);
    return stale;
}

/* The answers the menu asked for (strings the options point at). */
struct answers {
    char *v[8];
    size_t n;
};

/* Asks one option of the strategy (strategy_table) through the command line's row for it
 * (stand_opts: its kind, range and proposed value) and stores the answer as the parser would.
 * 0, or -1 at EOF / Ctrl-C. */
static int option_ask(const struct strategy *st, const struct strategy_option *so,
                      struct stand_args *sa, struct answers *an)
{
    const struct cli_opt *o = cli_opt_find(stand_opts, CMD_STRATEGY, so->name);
    if (!o)
        return 0; /* no such option on the command line either: nothing to set */
    char q[400];
    char *dst = (char *)sa + o->off;
    if (o->kind == CLI_INT) {
        snprintf(q, sizeof q, _("%s: %s (%s from %d to %d)"), st->name, _(so->help),
                 so->arg ? so->arg : "N", o->lo, o->hi);
        long v;
        if (prompt_number(q, o->lo, o->hi, o->dflt, &v) < 0)
            return -1;
        *(int *)dst = (int)v;
        return 0;
    }
    snprintf(q, sizeof q, "%s: %s", st->name, _(so->help));
    if (o->kind == CLI_FLAG) {
        int y = prompt_yesno(q, 0);
        *(int *)dst = y == 1;
        return y < 0 ? -1 : 0;
    }
    char *v = an->n < sizeof an->v / sizeof an->v[0] ? prompt_ask_required(q, NULL) : NULL;
    if (!v)
        return -1;
    an->v[an->n++] = v;
    *(const char **)dst = v;
    return 0;
}

/* What the deploy command takes besides the strategy, asked: rebuilding stale template copies
 * (--refresh-templates; only when the cluster has stale copies of the stand's templates) and the
 * strategy's own options (--mem-reserve of smart). 0, or -1 at EOF / Ctrl-C. */
static int deploy_options(const struct app_ctx *s, const struct strategy *st, struct stand_args *sa,
                          struct answers *an)
{
    size_t stale = stale_copies(s);
    if (stale) {
        printf(ngettext("%zu copy of this stand's templates is stale: its original changed since "
                        "it was copied.\n",
                        "%zu copies of this stand's templates are stale: their originals changed "
                        "since they were copied.\n",
                        stale),
               stale);
        int y = prompt_yesno(_("Rebuild template copies whose original changed?"), 0);
        if (y < 0)
            return -1;
        sa->o.refresh_templates = y;
    }
    for (const struct strategy_option *so = st->options; so && so->name; so++)
        if (option_ask(st, so, sa, an) < 0)
            return -1;
    return 0;
}

void menu_deploy(struct menu *m)
{
    prompt_title("🚀", _("Deploy"));
    char *config = NULL, *list = NULL;
    const struct strategy *c =
        menu_op_inputs(_("Which config"), &config, &list) == 0 ? strategy_pick() : NULL;
    struct menu_op op = {.m = m};
    struct app_ctx s;
    struct stand_args sa;
    struct answers an = {0};
    char *node = NULL;
    stand_args_init(&sa);
    if (!c || menu_op_open(&op, &s, config, list) < 0)
        goto done;
    printf(_("Reading the cluster...\n"));
    fflush(stdout);
    if (app_ctx_refresh(&s, INV_CONFIGS_MARKED) || (c->needs_node && !(node = node_pick(s.view))) ||
        deploy_options(&s, c, &sa, &an) < 0)
        goto out;
    sa.o.strategy = c->name;
    sa.o.node = node;
    stand_args_finish(NULL, &sa); /* the memory reserve, as for the command line */
    fflush(stdout);
    int rc = app_deploy(&s, &sa.o);
    menu_op_done(&op, rc, _("Deployed. The credentials are above: hand them out to the students."),
                 _("The deploy did not complete for everyone (see above)."));
out:
    app_ctx_free(&s);
done:
    for (size_t i = 0; i < an.n; i++)
        free(an.v[i]);
    free(node);
    free(config);
    free(list);
}

char *menu_user_pick(const char *list)
{
    char **ids = NULL;
    size_t n = 0;
    if (menu_list_read(list, &ids, &n) < 0)
        return NULL;
    int i = n ? prompt_pick(_("Which user"), ids, n, -1) : -1;
    if (!n)
        printf(_("The list is empty.\n"));
    char *user = i >= 0 ? strdup(ids[i]) : NULL;
    users_ids_free(ids, n);
    return user;
}

void menu_destroy(struct menu *m, int one)
{
    prompt_title("🗑",
                 one ? _("Delete one user's machines") : _("Delete all users' machines of a list"));
    char *config = NULL, *list = NULL;
    menu_op_inputs(_("Which config (the stand)"), &config, &list);
    char *user = list && one ? menu_user_pick(list) : NULL;
    char expect[200];
    struct menu_op op = {.m = m, .expect = expect, .who = one ? user : list};
    struct app_ctx s;
    if (!list || (one && !user) || menu_op_open(&op, &s, config, list) < 0)
        goto done;
    snprintf(expect, sizeof expect, "DELETE_%s", one ? user : list);
    const char *only[1] = {user};
    struct app_opts o = {.only = one ? only : NULL, .n_only = one ? 1 : 0};
    printf(_("Reading the cluster...\n"));
    fflush(stdout);
    int rc = app_destroy(&s, &o);
    if (!op.nothing)
        menu_op_done(&op, rc, _("Deleted and verified."),
                     _("The deletion did not complete (see above)."));
    app_ctx_free(&s);
done:
    free(user);
    free(config);
    free(list);
}
