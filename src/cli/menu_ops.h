/* menu_ops: the menu's deploy and delete screens: a saved config and list, the strategy (and its
 * options) or the user, then the same use cases and request as the commands, asked for. */
#ifndef DS_MENU_OPS_H
#define DS_MENU_OPS_H

#include "cli/menu_conn.h"

/* Item 4: deploy a saved config for a saved list: the strategy from strategy_table, its options
 * through the command line's rows (stand_opts) and, when the cluster has stale copies of the
 * stand's templates, whether to rebuild them (--refresh-templates). */
void menu_deploy(struct menu *m);
/* Items 5 and 6: delete the machines of the whole list, or (one) of one user of it. */
void menu_destroy(struct menu *m, int one);

#endif
