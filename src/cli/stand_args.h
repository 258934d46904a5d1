/* stand_args: the options the stand commands share (--config, --users, --strategy, --node,
 * --template-map, --refresh-templates, --mem-reserve, --overcommit, limits, --vm, --expires,
 * --user), parsed into app_opts. */
#ifndef DS_STAND_ARGS_H
#define DS_STAND_ARGS_H

#include "app/app_ctx.h"
#include "cli/cli_args.h"

struct stand_args {
    struct app_opts o;     /* o.only points at only[] */
    const char *only[256]; /* --user USERID (repeatable); argv strings, not owned */
    int mem_pct;           /* --mem-reserve PCT, or -1 */
};

/* The table (values into struct stand_args); --strategy and its options need CMD_STRATEGY,
 * --user CMD_USER, --vm CMD_VM, --expires CMD_EXPIRES. The menu offers a strategy's options through
 * the same rows. */
extern const struct cli_opt stand_opts[];

/* Empty options: nothing given (o.only points at only[]). Nothing to free. */
void stand_args_init(struct stand_args *a);

/* After parsing (or the menu's questions): turns what was given into a->o (the memory reserve).
 * With cmd, also checks what needs no file: a strategy that takes a node has one, and both
 * files are given. 0 or EXIT_USAGE (printed). */
int stand_args_finish(const char *cmd, struct stand_args *a);

/* "cmd: strategy remote needs --node NAME" unless the strategy (may be NULL) has what it needs.
 * 0 or EXIT_USAGE (printed). */
int stand_args_check_node(const char *cmd, const char *strategy, const char *node);

#endif
