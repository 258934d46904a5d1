/* menu_class: the menu's screens for a deployed class: status and credentials (with the HTML
 * hand-out), start/stop/shutdown, reset to the baseline, snapshots and the expired stands. */
#ifndef DS_MENU_CLASS_H
#define DS_MENU_CLASS_H

#include "cli/menu_conn.h"

/* The screens, in the order of the main menu's items 8 to 12. */
enum menu_class_screen {
    MENU_STATUS,   /* 8: status, credentials, the hand-out written to a file */
    MENU_POWER,    /* 9: start, stop or shut down the class */
    MENU_RESET,    /* 10: the class or one student back to the baseline */
    MENU_SNAPSHOT, /* 11: list, create, roll back or delete a named snapshot */
    MENU_EXPIRE, /* 12: the stands whose date has passed, destroyed after a typed DELETE_<stand> */
};

/* Runs one screen. Each but MENU_EXPIRE first asks for a saved config and list (as deploy does),
 * shows the plan and asks before anything changes; nothing is left to free. */
void menu_class(struct menu *m, enum menu_class_screen screen);

#endif
