/* cli_args: the declarative option parser (tmux's args_parse) shared by every command and the
 * global options; the usage errors it prints (unknown option, missing value, bad number) exit 2. */
#include "cli/cli_args.h"
#include "cli/cli.h"
#include "util/i18n.h"
#include <stdlib.h>
#include <string.h>

/* The length of the option's name in `a`: up to '=' for "--name=value". */
static size_t name_len(const char *a)
{
    const char *eq = a[0] == '-' && a[1] == '-' ? strchr(a, '=') : NULL;
    return eq ? (size_t)(eq - a) : strlen(a);
}

const struct cli_opt *cli_opt_find(const struct cli_opt *opts, int flags, const char *a)
{
    size_t n = name_len(a);
    int inline_value = a[n] == '=';
    for (const struct cli_opt *o = opts; o && o->name; o++) {
        if ((o->needs & flags) != o->needs)
            continue;
        if (inline_value && o->kind == CLI_FLAG)
            continue; /* a flag takes no value: "--yes=1" is unknown */
        if ((strncmp(a, o->name, n) == 0 && o->name[n] == '\0') ||
            (!inline_value && o->short_name && strcmp(a, o->short_name) == 0))
            return o;
    }
    return NULL;
}

int cli_args_has(const struct cli_opt *o, int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (cli_opt_find(o, 0, argv[i]) == o)
            return 1;
    return 0;
}

/* The option for `a` in the first set that knows it; *set is that set. */
static const struct cli_opt *find(const struct cli_parse *p, const char *a,
                                  const struct cli_optset **set)
{
    for (size_t i = 0; i < p->n_sets; i++) {
        const struct cli_opt *o = cli_opt_find(p->sets[i].opts, p->sets[i].flags, a);
        if (o) {
            *set = &p->sets[i];
            return o;
        }
    }
    return NULL;
}

static int usage_error(const struct cli_parse *p, const char *with_cmd, const char *alone,
                       const char *hint, const char *a)
{
    if (p->cmd)
        cli_error(hint, with_cmd, p->cmd, a);
    else
        cli_error(hint, alone, a);
    return EXIT_USAGE;
}

static int choice_store(const struct cli_opt *o, const char *v, char *dst)
{
    for (const char *const *c = o->choices; v && *c; c++)
        if (strcmp(*c, v) == 0) {
            *(const char **)(dst + o->off) = *c;
            return 0;
        }
    cli_error(o->hint ? _(o->hint) : NULL, _(o->bad), v ? v : "");
    return EXIT_USAGE;
}

/* Stores one value v of option o (as written: a) into dst. 0 or EXIT_USAGE (printed). */
static int store(const struct cli_parse *p, const struct cli_opt *o, const char *a, const char *v,
                 char *dst)
{
    const char *cmd = p->cmd ? p->cmd : "deploy-stand";
    if (o->kind == CLI_CHOICE)
        return choice_store(o, v, dst);
    if (!v) {
        if (o->want) {
            cli_error(o->hint ? _(o->hint) : NULL, _(o->want), cmd);
            return EXIT_USAGE;
        }
        return usage_error(p, _("%s: option %s needs an argument"),
                           _("option %s needs an argument"), _("give a value after it"), o->name);
    }
    if (o->kind == CLI_VALUE) {
        *(const char **)(dst + o->off) = v;
        return 0;
    }
    if (o->kind == CLI_REPEAT) {
        size_t *n = (size_t *)(dst + o->off_n);
        if (*n >= (size_t)o->hi) {
            cli_error(o->hint ? _(o->hint) : NULL, _(o->want), cmd);
            return EXIT_USAGE;
        }
        ((const char **)(dst + o->off))[(*n)++] = v;
        return 0;
    }
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < o->lo || n > o->hi) {
        cli_error(NULL, _("%s: %s wants a number from %d to %d, not '%s'"), cmd, a, o->lo, o->hi,
                  v);
        return EXIT_USAGE;
    }
    *(int *)(dst + o->off) = (int)n;
    return 0;
}

/* A word that is not an option: a positional argument, or where to stop. 1 = stop. */
static int word(struct cli_parse *p, int i, const char *a, int *rc)
{
    *rc = 0;
    if (p->stop & CLI_STOP_AT_WORD) {
        p->next = i;
        return 1;
    }
    if (p->pos && p->n_pos < p->max_pos) {
        p->pos[p->n_pos++] = a;
        return 0;
    }
    *rc = usage_error(p, _("%s: unexpected argument '%s'"), _("unexpected argument '%s'"),
                      _("see `deploy-stand COMMAND --help`"), a);
    return 1;
}

int cli_args_parse(struct cli_parse *p, int argc, char **argv)
{
    p->n_pos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int rc;
        if ((a[0] != '-' || a[1] == '\0') && word(p, i, a, &rc))
            return rc;
        if (a[0] != '-' || a[1] == '\0')
            continue;
        const struct cli_optset *set = NULL;
        const struct cli_opt *o = find(p, a, &set);
        if (!o && (p->stop & CLI_STOP_AT_UNKNOWN)) {
            p->next = i;
            return 0;
        }
        if (!o)
            return usage_error(p, _("%s: unknown option '%s'"), _("unknown option '%s'"),
                               p->cmd ? _("see `deploy-stand COMMAND --help`")
                                      : _("`deploy-stand --help` lists the global options"),
                               a);
        if (o->kind == CLI_FLAG) {
            *(int *)((char *)set->dst + o->off) = 1;
            continue;
        }
        size_t n = name_len(a);
        const char *v = a[n] == '=' ? a + n + 1 : i + 1 < argc ? argv[++i] : NULL;
        if (store(p, o, a[n] == '=' ? o->name : a, v, set->dst))
            return EXIT_USAGE;
    }
    p->next = argc;
    return 0;
}
