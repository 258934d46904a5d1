/* menu_conn: the menu's state and its connection part: the connection chosen (or created) at
 * start-up and checked, and the connection management screen. */
#ifndef DS_MENU_CONN_H
#define DS_MENU_CONN_H

#include <stddef.h>

#include "app/app_ctx.h"
#include "cli/app_view.h"

struct menu {
    struct app_env g;     /* g.connection points at conn_name */
    struct app_view view; /* how the use cases' events are shown */
    struct app_events ev; /* emit to view; confirmations are asked by each screen */
    char *conn_name;      /* the active connection (owned) */
    char *conn_where;     /* "host:port as user" (owned) */
    size_t n_nodes, n_online;
};

/* Connects with the active connection and counts the nodes. 0 or -1 (shown). */
int menu_conn_check(struct menu *m);
/* Start-up: a connection that works must be chosen (or created) first. 0, or -1 to leave. */
int menu_conn_startup(struct menu *m);
/* The connection management screen; m->conn_name is NULL afterwards when none is left. */
void menu_conn_manage(struct menu *m);

#endif
