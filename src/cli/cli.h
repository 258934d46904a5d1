/* cli: the command table and what every command shares (global options, exit codes, dispatch).
 * Each command lives in its own cmd_<name>.c with one `const struct cmd_entry`, as in tmux. */
#ifndef DS_CLI_H
#define DS_CLI_H

#include <jansson.h>
#include <stdio.h>

#include "app/app_ctx.h"
#include "cli/cli_args.h"
#include "cli/stand_args.h"

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

/* The global options (cli_global_opts); they may stand before or after the command. */
struct cli_globals {
    const char *connections_path; /* --connections FILE, or NULL for the default search */
    const char *connection;       /* --connection NAME */
    const char *output;           /* --output text|json as given, or NULL */
    int json;                     /* --output json (set by the dispatcher from output) */
    int yes;                      /* --yes: no confirmation */
    int help, version;            /* --help, --version */
};

/* The global options' table (values into struct cli_globals). */
extern const struct cli_opt cli_global_opts[];

/* What a command takes and does, declared in its entry; the dispatcher acts on each flag. */
enum cmd_flag {
    CMD_STRATEGY = 1 << 0, /* --strategy and its options (from strategy_table) */
    CMD_USER = 1 << 1,     /* --user USERID (repeatable) */
    CMD_FILES = 1 << 2,    /* a stand command: --config FILE --users FILE and the stand options,
                              parsed into cli_call.sa and checked before exec */
    CMD_STATE = 1 << 3,    /* opens the local state (credentials, journal) with the context */
    CMD_ASK = 1 << 4,      /* asks before changing on a terminal (not with --yes); without a
                              terminal it goes on */
    CMD_CONFIRM = 1 << 5,  /* asks before changing (not with --yes); without a terminal it refuses
                              to run unless --yes is given (entry.refuse) */
    CMD_HIDDEN = 1 << 6,   /* not listed by --help (the completion's helper) */
    CMD_VM = 1 << 7,       /* --vm NAME: one machine of each student (lifecycle commands) */
    CMD_EXPIRES = 1 << 8,  /* --expires YYYY-MM-DD instead of the stand's `expires:` */
};

struct cmd_entry;

/* One run of a command: what the dispatcher parsed and checked for its exec. The dispatcher owns
 * it (opts and pos are freed after exec); the strings point into argv. */
struct cli_call {
    struct cli_globals *g;
    const struct cmd_entry *e; /* the command (or sub-command) that runs */
    const char *name;          /* "plan", "config validate": for messages */
    struct stand_args sa;      /* CMD_FILES: the stand options, checked (sa.o is the request) */
    void *opts;                /* the entry's own options (opts_size bytes, zeroed first) */
    const char **pos;          /* the positional words (argv strings), n_pos of them */
    size_t n_pos;
    int argc;    /* raw_args: every word, argv[0] = the command */
    char **argv; /* raw_args */
};

struct cmd_entry {
    const char *name;
    const char *usage;          /* "deploy --config FILE --users FILE [--strategy NAME]" */
    const char *summary;        /* one line for `deploy-stand --help` (a sub-command's may wrap) */
    const char *help;           /* `deploy-stand COMMAND --help` after the usage (N_()) */
    const char *help_after;     /* the text after the generated part (strategies, sub-commands) */
    int flags;                  /* enum cmd_flag */
    const struct cli_opt *opts; /* the command's own options ({NULL}-terminated) or NULL */
    size_t opts_size;           /* the size of the struct they go into (cli_call.opts) */
    int min_pos, max_pos;       /* positional words (max_pos < 0: any number) */
    enum cli_complete pos_complete[2]; /* what completion offers: the first word, the others */
    const char *want_pos;    /* N_() "%s: which config?" (name) when a word is missing, or NULL */
    const char *want_hint;   /* N_() its hint */
    const char *refuse;      /* CMD_CONFIRM: N_() the error without --yes and without a terminal
                                (its %s, if any: the first positional word) */
    const char *refuse_hint; /* N_() */
    const struct cmd_entry *subs;    /* sub-commands ({NULL}-terminated) or NULL */
    const char *default_sub;         /* run when no sub-command is named, or NULL */
    int raw_args;                    /* 1 = exec parses every word itself (sim) */
    int (*exec)(struct cli_call *c); /* NULL: the stand use case `run` */
    int (*run)(struct app_ctx *c, const struct app_opts *o); /* CMD_FILES: cli_front_run's op */
};

/* A sub-command's row: name, usage, positional words from lo to hi (-1: any), exec, then the
 * other fields (.summary = N_() at least). */
#define CMD_SUB(n, u, lo, hi, fn, ...)                                                             \
    {                                                                                              \
        .name = n, .usage = u, .min_pos = lo, .max_pos = hi, .exec = fn, __VA_ARGS__               \
    }

extern const struct cmd_entry cmd_plan_entry;
extern const struct cmd_entry cmd_deploy_entry;
extern const struct cmd_entry cmd_destroy_entry;
extern const struct cmd_entry cmd_reset_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_demo_entry;
extern const struct cmd_entry cmd_sim_entry;
extern const struct cmd_entry cmd_connection_entry;
extern const struct cmd_entry cmd_audit_entry;
extern const struct cmd_entry cmd_runs_entry;
extern const struct cmd_entry cmd_sweep_entry;
extern const struct cmd_entry cmd_config_entry;
extern const struct cmd_entry cmd_users_entry;
extern const struct cmd_entry cmd_creds_entry;
extern const struct cmd_entry cmd_menu_entry;
extern const struct cmd_entry cmd_complete_entry;
extern const struct cmd_entry cmd_start_entry;
extern const struct cmd_entry cmd_stop_entry;
extern const struct cmd_entry cmd_shutdown_entry;
extern const struct cmd_entry cmd_reboot_entry;
extern const struct cmd_entry cmd_snapshot_entry;
extern const struct cmd_entry cmd_expire_entry;

/* NULL-terminated. */
extern const struct cmd_entry *const cmd_table[];

/* The command called name, or NULL. */
const struct cmd_entry *cmd_find(const char *name);
/* The sub-command of e called name, or NULL. */
const struct cmd_entry *cmd_sub_find(const struct cmd_entry *e, const char *name);

/* Parses the global options before the command (argv[0] is the program): 0 and *cmd_at = the
 * index of the command word (argc when there is none), or EXIT_USAGE (printed). */
int cli_globals_parse(struct cli_globals *g, int argc, char **argv, int *cmd_at);

/* Runs the command argv[0] (argv[1..] its words): finds it (and its sub-command), prints its
 * --help, parses the global, stand and own options and the positional words, checks what the
 * entry's flags declare, and calls exec. Returns the exit code. */
int cli_dispatch(struct cli_globals *g, int argc, char **argv);

/* Prints "usage: deploy-stand <usage>" and the help text; with CMD_STRATEGY, between help and
 * help_after, the --strategy part generated from strategy_table; with sub-commands, their list. */
void cmd_print_help(const struct cmd_entry *e, FILE *out);

/* The --strategy lines of --help: every strategy of the table with its label, --node for those
 * that need a node, and the strategies' own options. */
void cli_print_strategies(FILE *out);

/* A use case that hands back a document (power, reset, snapshots, expire): what it needs beyond
 * the options, and the renderer of its document. */
struct cli_result_op {
    int (*run)(struct app_ctx *c, const struct app_opts *o, const void *arg, json_t **out);
    const void *arg;
    void (*show)(const json_t *doc, FILE *out, int json); /* text, or JSON with --output json */
};

/* A stand command (CMD_FILES) whose use case hands back a document: cli_front_open, op->run with
 * the parsed options, the document (when there is one) shown on stdout; the document and the
 * context are freed here. Returns the exit code. */
int cli_run_result(const struct cli_call *call, const struct cli_result_op *op);

/* CMD_CONFIRM commands that ask themselves (after checking their arguments): 0 to go on (--yes,
 * or "yes" on the terminal), EXIT_FAILED after printing `declined` when the answer was no. */
int cli_confirm(const struct cli_call *c, const char *question, const char *declined);

/* Prints "error: <msg>" (and "hint: <hint>" when hint != NULL) to stderr. */
void cli_error(const char *hint, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
