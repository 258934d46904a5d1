/* menu: the teacher's interactive menu (`deploy-stand menu`, or no command on a terminal): choose
 * a connection, then configs, user lists, deploy, delete and connections by number or hotkey. */
#ifndef DS_MENU_H
#define DS_MENU_H

#include "cli/cli.h"

/* Runs the menu until 0 (exit), EOF or Ctrl-C; every operation asks before it changes anything.
 * g's strings are only read (--connections, --connection pick the connection to start with).
 * Returns EXIT_OK when the user left, EXIT_FAILED when the menu could not start. */
int menu_run(const struct cli_globals *g);

#endif
