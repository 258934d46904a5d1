/* cli: the command table, the global options and the one dispatcher every command goes through:
 * it finds the command and sub-command, parses their declared options and acts on their flags. */
#include "cli/cli.h"
#include "cli/app_view.h"
#include "cli/cli_front.h"
#include "plan/strategy.h"
#include "ui/prompt.h"
#include "util/i18n.h"
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const struct cmd_entry *const cmd_table[] = {
    &cmd_plan_entry,
    &cmd_deploy_entry,
    &cmd_status_entry,
    &cmd_creds_entry,
    &cmd_destroy_entry,
    &cmd_reset_entry,
    &cmd_start_entry,
    &cmd_stop_entry,
    &cmd_shutdown_entry,
    &cmd_reboot_entry,
    &cmd_snapshot_entry,
    &cmd_expire_entry,
    &cmd_sweep_entry,
    &cmd_runs_entry,
    &cmd_audit_entry,
    &cmd_connection_entry,
    &cmd_demo_entry,
    &cmd_sim_entry,
    &cmd_config_entry,
    &cmd_users_entry,
    &cmd_menu_entry,
    &cmd_complete_entry,
    NULL,
};

/* Rows with this `needs` are global options only before the command (--version). */
enum { BEFORE_COMMAND = 1 << 15 };

#define G(f) offsetof(struct cli_globals, f)
static const char *const outputs[] = {"text", "json", NULL};
const struct cli_opt cli_global_opts[] = {
    {.name = "--connections",
     .kind = CLI_VALUE,
     .off = G(connections_path),
     .complete = CLI_C_FILE},
    {.name = "--connection", .kind = CLI_VALUE, .off = G(connection), .complete = CLI_C_CONNECTION},
    {.name = "--output",
     .kind = CLI_CHOICE,
     .off = G(output),
     .choices = outputs,
     .bad = N_("bad --output value '%s'"),
     .hint = N_("use --output text or --output json")},
    {.name = "--yes", .short_name = "-y", .kind = CLI_FLAG, .off = G(yes)},
    {.name = "--help", .short_name = "-h", .kind = CLI_FLAG, .off = G(help)},
    {.name = "--version", .kind = CLI_FLAG, .off = G(version), .needs = BEFORE_COMMAND},
    {.name = NULL},
};

const struct cmd_entry *cmd_find(const char *name)
{
    for (size_t i = 0; cmd_table[i]; i++)
        if (strcmp(cmd_table[i]->name, name) == 0)
            return cmd_table[i];
    return NULL;
}

const struct cmd_entry *cmd_sub_find(const struct cmd_entry *e, const char *name)
{
    for (const struct cmd_entry *s = e->subs; s && s->name; s++)
        if (strcmp(s->name, name) == 0)
            return s;
    return NULL;
}

/* ---- help ----------------------------------------------------------------------------------- */

void cli_print_strategies(FILE *out)
{
    fprintf(out, "  %-17s %s\n", "--strategy NAME", _("placement (default local):"));
    for (size_t i = 0; strategy_table[i]; i++)
        fprintf(out, "%20s%-10s %s\n", "", strategy_table[i]->name, _(strategy_table[i]->label));
    for (size_t i = 0; strategy_table[i]; i++) {
        const struct strategy *s = strategy_table[i];
        if (s->needs_node) {
            fprintf(out, "  %-17s ", "--node NAME");
            fprintf(out, _("target node for --strategy %s\n"), s->name);
        }
        for (const struct strategy_option *o = s->options; o && o->name; o++) {
            char opt[64];
            snprintf(opt, sizeof opt, "%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
            fprintf(out, "  %-17s %s: %s\n", opt, s->name, _(o->help));
        }
    }
}

/* The usage u as it is printed from column col: a line is broken before an option ("[...") or an
 * alternative ("| ...") when what follows up to the next one would pass column 98; the next lines
 * are indented by `indent`. Into buf. */
static const char *usage_wrap(const char *u, int col, int indent, char *buf, size_t len)
{
    size_t l = 0;
    buf[0] = '\0';
    for (int first = 1; l < len; first = 0) {
        u += strspn(u, " ");
        if (!*u)
            break;
        const char *end = u + strcspn(u, " "); /* the words up to the next "[" or "|" */
        while (*end == ' ' && end[1] && end[1] != '[' && end[1] != '|')
            end += 1 + strcspn(end + 1, " ");
        int n = (int)(end - u);
        int wrap = !first && col + 1 + n > 98;
        l += (size_t)snprintf(buf + l, len - l, "%s%*s%.*s",
                              wrap    ? "\n"
                              : first ? ""
                                      : " ",
                              wrap ? indent : 0, "", n, u);
        col = (wrap ? indent : col + !first) + n;
        u = end;
    }
    return buf;
}

/* "  validate NAME [--live]    check the file; ..." for every sub-command, the usage without the
 * command's name; a summary of several lines is indented under the first. */
static void print_subs(const struct cmd_entry *e, FILE *out)
{
    size_t skip = strlen(e->name) + 1;
    if (!e->help || !e->help[0])
        fputc('\n', out);
    for (const struct cmd_entry *s = e->subs; s->name; s++) {
        const char *u = strncmp(s->usage, e->name, skip - 1) == 0 ? s->usage + skip : s->usage;
        char wrapped[512];
        if (strlen(u) > 25)
            fprintf(out, "  %s\n%28s", usage_wrap(u, 2, 6, wrapped, sizeof wrapped), "");
        else
            fprintf(out, "  %-25s ", u);
        for (const char *l = _(s->summary); *l;) {
            size_t n = strcspn(l, "\n");
            fprintf(out, "%.*s\n", (int)n, l);
            l += n + (l[n] == '\n');
            if (*l)
                fprintf(out, "%28s", "");
        }
    }
}

void cmd_print_help(const struct cmd_entry *e, FILE *out)
{
    char usage[512];
    fprintf(out, _("usage: deploy-stand %s\n\n%s\n"),
            usage_wrap(e->usage, 20, 4, usage, sizeof usage), _(e->summary));
    if (e->help && e->help[0])
        fprintf(out, "\n%s", _(e->help));
    if (e->subs)
        print_subs(e, out);
    if (e->flags & CMD_STRATEGY)
        cli_print_strategies(out);
    if ((e->subs || (e->flags & CMD_STRATEGY)) && e->help_after && e->help_after[0])
        fputs(_(e->help_after), out);
}

/* ---- dispatch ------------------------------------------------------------------------------- */

int cli_globals_parse(struct cli_globals *g, int argc, char **argv, int *cmd_at)
{
    struct cli_optset set = {cli_global_opts, g, BEFORE_COMMAND};
    struct cli_parse p = {.sets = &set, .n_sets = 1, .stop = CLI_STOP_AT_WORD};
    int rc = cli_args_parse(&p, argc, argv);
    g->json = g->output && strcmp(g->output, "json") == 0;
    *cmd_at = p.next;
    return rc;
}

/* "add, list, test" into buf. */
static void sub_names(const struct cmd_entry *e, char *buf, size_t len)
{
    size_t l = 0;
    buf[0] = '\0';
    for (const struct cmd_entry *s = e->subs; s->name && l < len; s++)
        l += (size_t)snprintf(buf + l, len - l, "%s%s", l ? ", " : "", s->name);
}

/* The error for a missing or unknown sub-command, with a hint naming them all. */
static int sub_error(const struct cmd_entry *e, const char *word)
{
    char names[256], hint[512];
    sub_names(e, names, sizeof names);
    snprintf(hint, sizeof hint, _("the actions of %s are %s; see `deploy-stand %s --help`"),
             e->name, names, e->name);
    if (word)
        cli_error(hint, _("%s: unknown action '%s'"), e->name, word);
    else
        cli_error(hint, _("%s: which action?"), e->name);
    return EXIT_USAGE;
}

/* Too few or too many positional words. 0 or EXIT_USAGE (printed). */
static int check_pos(const struct cli_call *c, size_t n)
{
    const struct cmd_entry *e = c->e;
    char hint[160];
    if ((int)n < e->min_pos) {
        snprintf(hint, sizeof hint, _("see `deploy-stand %s --help`"), c->name);
        if (e->want_pos)
            cli_error(e->want_hint ? _(e->want_hint) : hint, _(e->want_pos), c->name);
        else
            cli_error(hint, _("usage: deploy-stand %s"), e->usage);
        return EXIT_USAGE;
    }
    if (e->max_pos >= 0 && (int)n > e->max_pos) {
        snprintf(hint, sizeof hint, _("usage: deploy-stand %s"), e->usage);
        cli_error(hint, _("%s: unexpected argument '%s'"), c->name, c->pos[e->max_pos]);
        return EXIT_USAGE;
    }
    return 0;
}

/* CMD_CONFIRM without --yes and without a terminal: the entry's refusal. EXIT_USAGE. */
static int refuse(const struct cli_call *c)
{
    const struct cmd_entry *e = c->e;
    const char *hint = e->refuse_hint ? _(e->refuse_hint)
                                      : _("add --yes to confirm when not running in a terminal");
    if (e->refuse)
        cli_error(hint, _(e->refuse), c->n_pos ? c->pos[0] : "");
    else
        cli_error(hint, _("%s changes things; it needs --yes here"), c->name);
    return EXIT_USAGE;
}

/* Parses a leaf command's words and checks what its flags declare. 0 or EXIT_USAGE (printed). */
static int leaf_parse(struct cli_call *c, int argc, char **argv)
{
    const struct cmd_entry *e = c->e;
    struct cli_optset sets[3];
    size_t n = 0;
    if (e->opts)
        sets[n++] = (struct cli_optset){e->opts, c->opts, e->flags};
    if (e->flags & CMD_FILES)
        sets[n++] = (struct cli_optset){stand_opts, &c->sa, e->flags};
    sets[n++] = (struct cli_optset){cli_global_opts, c->g, 0};
    struct cli_parse p = {
        .cmd = c->name, .sets = sets, .n_sets = n, .pos = c->pos, .max_pos = (size_t)argc};
    int rc = cli_args_parse(&p, argc, argv);
    c->n_pos = p.n_pos;
    c->g->json = c->g->output && strcmp(c->g->output, "json") == 0;
    c->sa.o.json = c->g->json;
    if (!rc)
        rc = check_pos(c, p.n_pos);
    if (!rc && (e->flags & CMD_FILES))
        rc = stand_args_finish(c->name, &c->sa);
    if (!rc && (e->flags & CMD_CONFIRM) && !c->g->yes && !isatty(STDIN_FILENO))
        rc = refuse(c);
    return rc;
}

static int run_leaf(const struct cmd_entry *e, const char *name, struct cli_globals *g, int argc,
                    char **argv)
{
    struct cli_call c = {.g = g, .e = e, .name = name, .argc = argc, .argv = argv};
    if (e->raw_args)
        return e->exec(&c);
    if (g->help || cli_args_has(cli_opt_find(cli_global_opts, 0, "--help"), argc, argv)) {
        cmd_print_help(e, stdout);
        return EXIT_OK;
    }
    stand_args_init(&c.sa);
    c.opts = e->opts_size ? calloc(1, e->opts_size) : NULL;
    c.pos = calloc((size_t)argc + 1, sizeof *c.pos);
    int rc = !c.pos || (e->opts_size && !c.opts) ? EXIT_FAILED : leaf_parse(&c, argc, argv);
    if (!rc)
        rc = e->exec ? e->exec(&c) : cli_front_run(&c, e->run);
    free(c.opts);
    free(c.pos);
    return rc;
}

/* A command with sub-commands: the first word after the global options names one; without one,
 * the default sub-command gets every word (and messages name the command alone). */
static int run_subs(const struct cmd_entry *e, struct cli_globals *g, int argc, char **argv)
{
    struct cli_optset set = {cli_global_opts, g, 0};
    struct cli_parse p = {
        .cmd = e->name, .sets = &set, .n_sets = 1, .stop = CLI_STOP_AT_WORD | CLI_STOP_AT_UNKNOWN};
    if (cli_args_parse(&p, argc, argv))
        return EXIT_USAGE;
    const struct cmd_entry *sub = NULL;
    int named = p.next < argc && argv[p.next][0] != '-';
    if (named) {
        if (!(sub = cmd_sub_find(e, argv[p.next])))
            return sub_error(e, argv[p.next]);
        argc -= p.next;
        argv += p.next;
    } else if (g->help || cli_args_has(cli_opt_find(cli_global_opts, 0, "--help"), argc, argv)) {
        cmd_print_help(e, stdout);
        return EXIT_OK;
    } else if (!e->default_sub || !(sub = cmd_sub_find(e, e->default_sub))) {
        return sub_error(e, NULL);
    }
    char name[96];
    snprintf(name, sizeof name, "%s %s", e->name, sub->name);
    return run_leaf(sub, named ? name : e->name, g, argc, argv);
}

/* Whether the words ask for --output json anywhere, so that even a usage error before that
 * option is parsed is a JSON line. */
static int wants_json(const struct cli_globals *g, int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--output=json") == 0 ||
            (strcmp(argv[i], "--output") == 0 && i + 1 < argc && strcmp(argv[i + 1], "json") == 0))
            return 1;
    return g->json;
}

int cli_dispatch(struct cli_globals *g, int argc, char **argv)
{
    app_view_set_json(wants_json(g, argc, argv));
    const struct cmd_entry *e = cmd_find(argv[0]);
    if (!e) {
        cli_error(_("run `deploy-stand --help` for the list of commands"),
                  _("unknown command '%s'"), argv[0]);
        return EXIT_USAGE;
    }
    return e->subs ? run_subs(e, g, argc, argv) : run_leaf(e, e->name, g, argc, argv);
}

int cli_confirm(const struct cli_call *c, const char *question, const char *declined)
{
    if (c->g->yes)
        return 0;
    if (!isatty(STDIN_FILENO)) /* the dispatcher refuses first for CMD_CONFIRM */
        return refuse(c);
    if (prompt_confirm(question))
        return 0;
    printf("%s\n", declined);
    return EXIT_FAILED;
}

int cli_run_result(const struct cli_call *call, const struct cli_result_op *op)
{
    struct cli_front f;
    struct app_ctx c;
    json_t *doc = NULL;
    int rc = cli_front_open(call, &f, &c);
    if (!rc)
        rc = op->run(&c, &call->sa.o, op->arg, &doc);
    if (doc)
        op->show(doc, stdout, call->g->json);
    json_decref(doc);
    app_ctx_free(&c);
    return rc;
}

void cli_error(const char *hint, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    app_view_error(msg ? msg : fmt, hint);
    free(msg);
}
