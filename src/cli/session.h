/* session: what the stand commands share: load and validate the inputs, connect, read the cluster.
 * Each step prints its own clear error and returns the exit code to use (0 = go on). */
#ifndef DS_SESSION_H
#define DS_SESSION_H

#include "cli/cli.h"
#include "config/connections.h"
#include "config/stand.h"
#include "config/template_map.h"
#include "config/users.h"
#include "inventory/inventory.h"
#include "pve/pve_client.h"
#include "store/state.h"

struct session {
    struct cli_globals *g;
    struct stand *stand;       /* owned */
    struct users_list *users;  /* owned */
    struct connections *conns; /* owned; NULL when conn_override is used */
    const struct connection *conn;
    struct connection conn_override; /* the demo's in-memory connection (strings not owned) */
    struct pve_client *client;       /* owned */
    struct cluster_view *view;       /* owned */
    struct state *state;             /* owned; NULL when no state is kept */
    struct template_map *tmap;       /* owned; mapper_template.yml hints, may be NULL */
    struct journal *journal;         /* owned; with the state: runs, actions, stand locks */
    long long run_id;                /* this run in the journal */
    int locked;                      /* this process holds the stand's lock */
};

/* Loads and validates the stand and users files. Every problem is printed as
 * "file:line:col: what; what to do". Returns 0 or EXIT_USAGE. */
int session_load_inputs(struct session *s, const char *config_path, const char *users_path);

/* Loads the connections file (--connections or the default places) and picks the connection.
 * Returns 0, EXIT_USAGE (bad file / unknown name). */
int session_load_connection(struct session *s);

/* Connects and logs in; warns on every run when TLS verification is off. 0 or EXIT_FAILED. */
int session_connect(struct session *s);

/* Opens the local state (credentials) and the journal. 0 or EXIT_FAILED. */
int session_open_state(struct session *s);

/* Starts this run in the journal and takes the stand's lock: a second run on the same stand is
 * refused, naming who holds it and since when. 0 or EXIT_FAILED. */
int session_begin_run(struct session *s, const char *command);

/* Reads the cluster (templates of the stand + our VMs, or all VM configs). 0 or EXIT_FAILED. */
int session_inventory(struct session *s, enum inv_config_scope scope);

void session_close(struct session *s);

/* Parses the common --config/--users options; returns 0 or EXIT_USAGE. */
int session_require_files(const char *cmd, const char *config, const char *users);

/* The options the stand commands share. */
struct stand_args {
    const char *config, *users, *strategy, *node;
    const char *template_map; /* --template-map FILE (else mapper_template.yml if present) */
    int refresh_templates;    /* --refresh-templates */
    int per_node;             /* --parallel-per-node N (0 = default 4) */
    int workers;              /* --workers N (0 = default 8) */
    double mem_reserve;       /* --mem-reserve PERCENT for smart (0 = default 10%) */
    const char *only[256];    /* destroy --user USERID (repeatable) */
    size_t n_only;
};
/* Parses --config, --users, --strategy, --node and (when allow_user) --user. 0 or EXIT_USAGE. */
int stand_args_parse(const char *cmd, int argc, char **argv, int allow_strategy, int allow_user,
                     struct stand_args *a);

/* Everything before an operation: inputs, connection, login and (want_state) the local state.
 * Returns 0 or the exit code to stop with. */
int session_open_all(struct session *s, struct cli_globals *g, const struct stand_args *a,
                     int want_state);

#endif
