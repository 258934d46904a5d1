/* menu_ops: the menu's deploy and delete screens: a saved config and list, the strategy (and its
 * options) or the user, then the same use cases and request as the commands, asked for; and the
 * parts every stand screen of the menu shares (menu_class.c uses them). */
#ifndef DS_MENU_OPS_H
#define DS_MENU_OPS_H

#include "cli/menu_conn.h"

/* Item 4: deploy a saved config for a saved list: the strategy from strategy_table, its options
 * through the command line's rows (stand_opts) and, when the cluster has stale copies of the
 * stand's templates, whether to rebuild them (--refresh-templates). */
void menu_deploy(struct menu *m);
/* Items 5 and 6: delete the machines of the whole list, or (one) of one user of it. */
void menu_destroy(struct menu *m, int one);

/* One operation of a menu screen: its side of the use case's events and questions. Strings are
 * not owned. */
struct menu_op {
    struct menu *m;
    const char *expect; /* the word to type before a delete (NULL: the use case's own) */
    const char *who;    /* the list or user a delete is for */
    int declined;       /* the user said no (the confirmation said so already) */
    int nothing;        /* a delete had nothing to remove (said so already) */
};

/* The events of op: shown as the menu shows them; questions asked on the terminal (yes/no before
 * a deploy, a reset or another change, the typed word before a delete). */
struct app_events menu_op_events(struct menu_op *op);
/* The deploy item's first questions: a saved config (asked with config_q), then a saved list.
 * 0 with *config and *list (malloc'd), or -1 (none saved, back, EOF; nothing to free). */
int menu_op_inputs(const char *config_q, char **config, char **list);
/* The context for a saved config and list: inputs (with the template map), connection, login,
 * state; events through menu_op_events(op). 0, or -1 (shown; the context is freed). */
int menu_op_open(struct menu_op *op, struct app_ctx *s, const char *config, const char *list);
/* After a use case: the outcome in one line (ok or failed), then Enter; nothing when the user
 * said no. */
void menu_op_done(const struct menu_op *op, int rc, const char *ok, const char *failed);
/* A user of the saved list: malloc'd id, or NULL (empty list, back, EOF). */
char *menu_user_pick(const char *list);

#endif
