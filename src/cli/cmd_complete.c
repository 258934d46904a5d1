/* cmd_complete: `deploy-stand __complete WORD... CURRENT` (hidden) prints what the current word may
 * be, from the command, option and strategy tables, for the bash completion (one per line). */
#include "cli/cli.h"
#include "config/library.h"
#include "plan/strategy.h"
#include <stdio.h>
#include <string.h>

/* Where the words typed so far lead: the command, its sub-command, the option waiting for its
 * value, and how many positional words the (sub-)command has got. */
struct place {
    const struct cmd_entry *cmd, *sub;
    const struct cli_opt *pending;
    size_t n_pos;
};

/* The entry whose options and words count: the sub-command, else the default one, else cmd. */
static const struct cmd_entry *leaf(const struct place *p)
{
    if (p->sub)
        return p->sub;
    if (p->cmd && p->cmd->subs && p->cmd->default_sub)
        return cmd_sub_find(p->cmd, p->cmd->default_sub);
    return p->cmd;
}

/* The option tables in force at p (with the flags that select their rows); returns how many. */
static size_t tables(const struct place *p, struct cli_optset sets[3])
{
    const struct cmd_entry *e = leaf(p);
    size_t n = 0;
    if (e && e->opts)
        sets[n++] = (struct cli_optset){e->opts, NULL, e->flags};
    if (e && (e->flags & CMD_FILES))
        sets[n++] = (struct cli_optset){stand_opts, NULL, e->flags};
    /* before the command every global option (--version too), after it those without needs */
    sets[n++] = (struct cli_optset){cli_global_opts, NULL, p->cmd ? 0 : ~0};
    return n;
}

static const struct cli_opt *option(const struct place *p, const char *w)
{
    struct cli_optset sets[3];
    size_t n = tables(p, sets);
    for (size_t i = 0; i < n; i++) {
        const struct cli_opt *o = cli_opt_find(sets[i].opts, sets[i].flags, w);
        if (o)
            return o;
    }
    return NULL;
}

static void place_word(struct place *p, const char *w)
{
    if (p->pending && strcmp(w, "=") == 0)
        return; /* bash splits "--output=json" at '=': the value is still to come */
    if (p->pending) {
        p->pending = NULL;
    } else if (w[0] == '-' && w[1]) {
        const struct cli_opt *o = option(p, w);
        if (o && o->kind != CLI_FLAG && !strchr(w, '='))
            p->pending = o;
    } else if (!p->cmd) {
        p->cmd = cmd_find(w);
    } else if (p->cmd->subs && !p->sub && !p->n_pos) {
        p->sub = cmd_sub_find(p->cmd, w);
        p->n_pos += !p->sub;
    } else {
        p->n_pos++;
    }
}

static void saved(enum lib_kind k)
{
    char **names = NULL;
    size_t n = 0;
    if (lib_list(k, &names, &n) < 0)
        return;
    for (size_t i = 0; i < n; i++)
        puts(names[i]);
    lib_names_free(names, n);
}

/* Directives for the script start with '@': @file (file names), @connection (connection names
 * of the connections file on the line), @help CMD (the --words of `deploy-stand CMD --help`). */
static void values(enum cli_complete k, const char *const *choices)
{
    for (const char *const *c = choices; c && *c; c++)
        puts(*c);
    if (k == CLI_C_FILE || k == CLI_C_CONFIG_OR_FILE || k == CLI_C_LIST_OR_FILE)
        puts("@file");
    if (k == CLI_C_CONFIG || k == CLI_C_CONFIG_OR_FILE)
        saved(LIB_CONFIG);
    if (k == CLI_C_LIST || k == CLI_C_LIST_OR_FILE)
        saved(LIB_LIST);
    if (k == CLI_C_CONNECTION)
        puts("@connection");
    for (size_t i = 0; k == CLI_C_STRATEGY && strategy_table[i]; i++)
        puts(strategy_table[i]->name);
}

static void options(const struct place *p)
{
    struct cli_optset sets[3];
    size_t n = tables(p, sets);
    for (size_t i = 0; i < n; i++)
        for (const struct cli_opt *o = sets[i].opts; o->name; o++)
            if ((o->needs & sets[i].flags) == o->needs)
                puts(o->name);
}

/* A word that is not an option: a command, a sub-command or a positional word. */
static void words(const struct place *p)
{
    if (!p->cmd) {
        for (size_t i = 0; cmd_table[i]; i++)
            if (!(cmd_table[i]->flags & CMD_HIDDEN))
                puts(cmd_table[i]->name);
        return;
    }
    if (p->cmd->subs && !p->sub && !p->n_pos) {
        for (const struct cmd_entry *s = p->cmd->subs; s->name; s++)
            puts(s->name);
        return;
    }
    const struct cmd_entry *e = leaf(p);
    enum cli_complete k = e->pos_complete[p->n_pos ? 1 : 0];
    if (k != CLI_C_NONE && (e->max_pos < 0 || p->n_pos < (size_t)e->max_pos))
        values(k, NULL);
    else
        options(p);
}

static int cmd_complete_exec(struct cli_call *c)
{
    struct place p = {0};
    if (c->argc < 2)
        return EXIT_USAGE;
    for (int i = 1; i < c->argc - 1; i++)
        place_word(&p, c->argv[i]);
    const char *cur = c->argv[c->argc - 1];
    if (p.cmd && p.cmd->raw_args)
        printf("@help %s\n", p.cmd->name); /* it parses its words itself: its --help names them */
    else if (p.pending)
        values(p.pending->complete, p.pending->choices);
    else if (cur[0] == '-')
        options(&p);
    else
        words(&p);
    return EXIT_OK;
}

const struct cmd_entry cmd_complete_entry = {
    .name = "__complete",
    .usage = "__complete WORD... CURRENT",
    .summary = "the bash completion's helper",
    .flags = CMD_HIDDEN,
    .raw_args = 1,
    .exec = cmd_complete_exec,
};
