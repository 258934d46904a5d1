/* cli_args: the declarative option parser (tmux's args_parse) shared by every command; the usage
 * errors it prints ("unknown option", "needs an argument", a bad number) all exit 2. */
#include "cli/cli_args.h"
#include "cli/cli.h"
#include "util/i18n.h"
#include <stdlib.h>
#include <string.h>

static const struct cli_opt *find_opt(const struct cli_opt *opts, int cmd_flags, const char *a)
{
    for (const struct cli_opt *o = opts; o && o->name; o++) {
        if ((o->needs & cmd_flags) != o->needs)
            continue;
        if (strcmp(a, o->name) == 0 || (o->short_name && strcmp(a, o->short_name) == 0))
            return o;
    }
    return NULL;
}

/* Stores one value v of option o (as written: a) into dst. 0 or EXIT_USAGE (printed). */
static int store(const char *cmd, const struct cli_opt *o, const char *a, const char *v, char *dst)
{
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

int cli_args_parse(const char *cmd, const struct cli_opt *opts, int cmd_flags, int argc,
                   char **argv, void *dst, const char **pos, size_t max_pos, size_t *n_pos)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const struct cli_opt *o = a[0] == '-' ? find_opt(opts, cmd_flags, a) : NULL;
        if (!o && a[0] != '-' && pos && *n_pos < max_pos) {
            pos[(*n_pos)++] = a;
            continue;
        }
        if (!o) {
            cli_error(_("see `deploy-stand COMMAND --help`"), _("%s: unknown option '%s'"), cmd, a);
            return EXIT_USAGE;
        }
        if (o->kind == CLI_FLAG) {
            *(int *)((char *)dst + o->off) = 1;
            continue;
        }
        if (i + 1 >= argc) {
            if (o->want)
                cli_error(o->hint ? _(o->hint) : NULL, _(o->want), cmd);
            else
                cli_error(_("give a value after it"), _("%s: option %s needs an argument"), cmd, a);
            return EXIT_USAGE;
        }
        if (store(cmd, o, a, argv[++i], dst))
            return EXIT_USAGE;
    }
    return 0;
}
