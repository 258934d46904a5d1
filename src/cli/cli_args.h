/* cli_args: the one argument parser every command uses (tmux's args_parse): a command declares
 * its options in a table (name, short name, kind, where the value goes) and this fills them in. */
#ifndef DS_CLI_ARGS_H
#define DS_CLI_ARGS_H

#include <stddef.h>

enum cli_opt_kind {
    CLI_FLAG,   /* no value: sets the int at off to 1 */
    CLI_VALUE,  /* one value: the const char * at off points at the argv string */
    CLI_REPEAT, /* repeatable value: const char *[cap] at off, its size_t count at off_n */
    CLI_INT,    /* a number from lo to hi into the int at off */
};

struct cli_opt {
    const char *name;       /* "--config" */
    const char *short_name; /* "-c", or NULL */
    enum cli_opt_kind kind;
    size_t off;       /* offsetof(the command's struct, field) */
    int lo, hi;       /* CLI_INT: the range; CLI_REPEAT: hi = capacity of the array */
    size_t off_n;     /* CLI_REPEAT: offsetof the count */
    int needs;        /* accepted only when the command's flags include these (0: always) */
    const char *want; /* N_() "%s: --user needs a user id" (cmd) for a missing value, or NULL */
    const char *hint; /* N_() hint printed with want */
};

/* Parses argv[1..argc-1] against opts ({NULL}-terminated) into dst; argv strings are kept, not
 * copied. Words that are not options go to pos[] (at most max_pos, *n_pos counts them; pos may
 * be NULL to refuse them). 0, or EXIT_USAGE after printing "cmd: unknown option '--x'" or
 * "cmd: option --x needs an argument" with a hint. */
int cli_args_parse(const char *cmd, const struct cli_opt *opts, int cmd_flags, int argc,
                   char **argv, void *dst, const char **pos, size_t max_pos, size_t *n_pos);

#endif
