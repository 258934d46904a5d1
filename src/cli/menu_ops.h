/* menu_ops: the menu's deploy and delete screens: a saved config and list, the strategy or the
 * user, then the same deploy and destroy use cases as the commands, with the menu's questions. */
#ifndef DS_MENU_OPS_H
#define DS_MENU_OPS_H

#include "cli/menu_conn.h"

/* Item 4: deploy a saved config for a saved list. */
void menu_deploy(struct menu *m);
/* Items 5 and 6: delete the machines of the whole list, or (one) of one user of it. */
void menu_destroy(struct menu *m, int one);

#endif
