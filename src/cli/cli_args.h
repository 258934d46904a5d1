/* cli_args: the one argument parser of the global options and every command (tmux's args_parse):
 * a table declares each option (name, kind, where the value goes) and this fills it in. */
#ifndef DS_CLI_ARGS_H
#define DS_CLI_ARGS_H

#include <stddef.h>

enum cli_opt_kind {
    CLI_FLAG,   /* no value: sets the int at off to 1 */
    CLI_VALUE,  /* one value: the const char * at off points at the argv string */
    CLI_REPEAT, /* repeatable value: const char *[cap] at off, its size_t count at off_n */
    CLI_INT,    /* a number from lo to hi into the int at off */
    CLI_CHOICE, /* one of choices[]: the const char * at off points at the matching choice */
};

/* What completion offers for a value (or a positional word): see cmd_complete.c. */
enum cli_complete {
    CLI_C_NONE,           /* a value only the user knows */
    CLI_C_FILE,           /* a file name */
    CLI_C_CONFIG,         /* the name of a saved config */
    CLI_C_LIST,           /* the name of a saved class list */
    CLI_C_CONFIG_OR_FILE, /* a file or the name of a saved config */
    CLI_C_LIST_OR_FILE,   /* a file or the name of a saved class list */
    CLI_C_CONNECTION,     /* a connection's name (from the connections file) */
    CLI_C_STRATEGY,       /* a placement strategy (strategy_table) */
};

struct cli_opt {
    const char *name;       /* "--config" */
    const char *short_name; /* "-c", or NULL */
    enum cli_opt_kind kind;
    size_t off;       /* offsetof(the struct the values go into, field) */
    int lo, hi;       /* CLI_INT: the range; CLI_REPEAT: hi = capacity of the array */
    size_t off_n;     /* CLI_REPEAT: offsetof the count */
    int needs;        /* accepted only when the command's flags include these (0: always) */
    const char *want; /* N_() "%s: --user needs a user id" (cmd) for a missing value */
    const char *hint; /* N_() hint printed with want or bad */
    const char *const *choices; /* CLI_CHOICE: the values ({NULL}-terminated); for other kinds
                                   the values completion suggests, or NULL */
    const char *bad;            /* CLI_CHOICE: N_() "bad --output value '%s'" (the value) */
    int dflt;                   /* CLI_INT: the answer a front-end proposes when it asks (menu) */
    enum cli_complete complete; /* what completion offers for the value */
};

/* One table and the struct its values go into; flags select the rows by their `needs`. */
struct cli_optset {
    const struct cli_opt *opts; /* {NULL}-terminated */
    void *dst;
    int flags;
};

enum cli_stop {
    CLI_STOP_AT_WORD = 1 << 0,    /* stop at the first word that is not an option */
    CLI_STOP_AT_UNKNOWN = 1 << 1, /* stop (quietly) at an option no table knows */
};

struct cli_parse {
    const char *cmd; /* "plan", "config validate" for messages; NULL before a command */
    const struct cli_optset *sets; /* searched in order: the first table that knows a name wins */
    size_t n_sets;
    const char **pos; /* words that are not options (at most max_pos), or NULL to refuse them */
    size_t max_pos;
    size_t n_pos; /* out: how many went to pos */
    int stop;     /* enum cli_stop, 0 = every word */
    int next;     /* out: the index where parsing stopped (argc when it did not) */
};

/* Parses argv[1..argc-1] ("--name value", "--name=value", "-n value") into the sets' structs;
 * argv strings are kept, not copied. 0, or EXIT_USAGE after printing "cmd: unknown option '--x'",
 * "cmd: option --x needs an argument", a bad number or a bad choice, with a hint. */
int cli_args_parse(struct cli_parse *p, int argc, char **argv);

/* The row of opts (rows whose needs fit flags) called `name` (long or short, "--x=v" as "--x"),
 * or NULL. */
const struct cli_opt *cli_opt_find(const struct cli_opt *opts, int flags, const char *name);

/* 1 when one of argv[1..argc-1] is option o (by its long or short name). */
int cli_args_has(const struct cli_opt *o, int argc, char **argv);

#endif
