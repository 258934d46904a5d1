/* stand_args: the options the stand commands share (--config, --users, --strategy, --node,
 * --template-map, --refresh-templates, --mem-reserve, limits, --user), parsed into app_opts. */
#ifndef DS_STAND_ARGS_H
#define DS_STAND_ARGS_H

#include "app/app_ctx.h"

struct stand_args {
    struct app_opts o;     /* o.only points at only[] */
    const char *only[256]; /* --user USERID (repeatable); argv strings, not owned */
    int mem_pct;           /* --mem-reserve PCT, or -1 */
};

/* Parses the arguments (argv strings are kept, not copied); --strategy, --node, --template-map,
 * --refresh-templates and --mem-reserve when allow_strategy, --user when allow_user.
 * json comes from the global options. 0 or EXIT_USAGE (printed). */
int stand_args_parse(const char *cmd, int argc, char **argv, int allow_strategy, int allow_user,
                     struct stand_args *a);

/* "cmd: missing --config FILE" unless both are given. 0 or EXIT_USAGE (printed). */
int stand_args_require_files(const char *cmd, const char *config, const char *users);

#endif
