/* menu: the teacher's interactive menu (`deploy-stand menu`, or no command on a terminal): choose
 * a connection, then configs, user lists, deploy, delete, connections and the class's lifecycle. */
#ifndef DS_MENU_H
#define DS_MENU_H

#include <stddef.h>

#include "app/app_ctx.h"
#include "config/library.h"

/* Runs the menu until 0 (exit), EOF or Ctrl-C; every operation asks before it changes anything.
 * env's strings are only read (--connections, --connection pick the connection to start with).
 * Returns APP_OK when the user left. */
int menu_run(const struct app_env *env);

/* A screen of choices: the title (when not NULL), the labels (N_(), {NULL}-terminated) numbered
 * from 1, and "0) back". The chosen label's index, or -1 for back, EOF or Ctrl-C. */
int menu_choose(const char *emoji, const char *title, const char *const *labels);
/* For the menu's screens: waits for Enter so a result stays on the screen. */
void menu_pause(void);
/* Lets the user pick a saved entry: malloc'd name, or NULL (none saved, back, EOF). */
char *menu_entry_pick(enum lib_kind k, const char *question);
/* The user ids of a saved list: 0 and *ids (users_ids_free), or -1 (shown). */
int menu_list_read(const char *name, char ***ids, size_t *n);

#endif
