/* cli: the command table and what every command shares (global options, exit codes).
 * Each command lives in its own cmd_<name>.c with one `const struct cmd_entry`, as in tmux. */
#ifndef DS_CLI_H
#define DS_CLI_H

#include <stdio.h>

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

struct cli_globals {
    const char *connections_path; /* --connections FILE, or NULL for the default search */
    const char *connection;       /* --connection NAME */
    int json;                     /* --output json */
    int yes;                      /* --yes: no confirmation */
};

/* What a command takes and does, declared in its entry. */
enum cmd_flag {
    CMD_STRATEGY = 1 << 0, /* --strategy and its options (from strategy_table) */
    CMD_USER = 1 << 1,     /* --user USERID (repeatable) */
};

struct cmd_entry {
    const char *name;
    const char *usage;      /* "deploy --config FILE --users FILE [--strategy NAME]" */
    const char *summary;    /* one line for `deploy-stand --help` */
    const char *help;       /* `deploy-stand COMMAND --help` after the usage (N_()) */
    const char *help_after; /* with CMD_STRATEGY: the text after the generated --strategy part */
    int flags;              /* enum cmd_flag */
    int raw_args;           /* 1 = the command parses every argument itself (sim) */
    int (*exec)(struct cli_globals *g, int argc, char **argv);
};

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

/* NULL-terminated. */
extern const struct cmd_entry *const cmd_table[];

/* Prints "usage: deploy-stand <usage>" and the help text; with CMD_STRATEGY, between help and
 * help_after, the --strategy part generated from strategy_table. */
void cmd_print_help(const struct cmd_entry *e, FILE *out);

/* The --strategy lines of --help: every strategy of the table with its label, --node for those
 * that need a node, and the strategies' own options. */
void cli_print_strategies(FILE *out);

/* Prints "error: <msg>" (and "hint: <hint>" when hint != NULL) to stderr. */
void cli_error(const char *hint, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
