/* app_ctx: the one context every use case runs in: the loaded stand, users and template map, the
 * connection and its client, the local state and journal, the stand's lock and the cluster view. */
#ifndef DS_APP_CTX_H
#define DS_APP_CTX_H

#include <stddef.h>

#include "app/app_events.h"
#include "config/connections.h"
#include "config/stand.h"
#include "config/template_map.h"
#include "config/users.h"
#include "inventory/inventory.h"
#include "pve/pve_client.h"
#include "store/journal.h"
#include "store/state.h"

/* Where the connection comes from (strings not owned; they must outlive the context). */
struct app_env {
    const char *connections_path; /* --connections FILE, or NULL for the default search */
    const char *connection;       /* --connection NAME, or NULL for the default one */
};

/* What a stand operation is asked to do; every front-end fills this and nothing else, and
 * app_request_init (app_request.h) turns it into the planner's request. Strings not owned. */
struct app_opts {
    const char *config, *users; /* files, or names of saved configs and class lists */
    const char *template_map;   /* else mapper_template.yml next to the stand, else ./data/ */
    const char *strategy;       /* default "local" */
    const char *node;           /* strategies that take a node */
    int refresh_templates;      /* rebuild stale template copies */
    double mem_reserve;         /* smart: memory share kept free (0 = default 10%) */
    int per_node, workers;      /* executor limits (0 = defaults) */
    const char *const *only;    /* destroy: these students only */
    size_t n_only;
    int json; /* the front-end shows machine-readable data: plans and credentials as JSON */
    const char *only_vm; /* power, reset, snapshot: one machine of each student (--vm NAME) */
    int start;           /* reset: every VM runs afterwards (--start) */
    int reclone;         /* reset: fresh clones instead of the baseline snapshot (--reclone) */
    int timeout_s;       /* shutdown, reboot: seconds the guest gets (0: APP_SHUTDOWN_TIMEOUT) */
    const char *expires; /* plan, deploy: YYYY-MM-DD instead of the stand's `expires:` */
    int overcommit;      /* plan, deploy: more memory configured than a node has is a note */
    int break_lock;      /* take over the stand's cluster lock of a run not seen for a while */
};

/* The seconds a guest gets to shut down when --timeout is not given. */
#define APP_SHUTDOWN_TIMEOUT 60

struct app_ctx {
    struct app_env env;
    struct app_events ev;
    struct stand *stand;             /* owned */
    struct users_list *users;        /* owned */
    struct template_map *tmap;       /* owned; mapper_template.yml hints, may be NULL */
    struct connections *conns;       /* owned; NULL when conn_override is used */
    const struct connection *conn;   /* into conns, or &conn_override */
    struct connection conn_override; /* an in-memory connection (strings not owned) */
    struct pve_client *client;       /* owned */
    struct cluster_view *view;       /* owned; replaced by app_ctx_refresh */
    struct state *state;             /* owned; NULL when no state is kept */
    struct journal *journal;         /* owned; with the state: runs, actions, stand locks */
    long long run_id;                /* this run in the journal */
    int locked;                      /* this process holds the stand's lock */
    const char *command;             /* the run's command (app_ctx_begin_run), or NULL */
    struct app_lock *cluster_lock;   /* owned; the stand's lock on the cluster (app_lock.h) */
    int all_snapshots; /* app_ctx_refresh lists every snapshotted VM's snapshots (snapshot
                          commands); otherwise a VM whose parent is the baseline is not listed */
};

/* An empty context (nothing loaded, nothing to free yet); env and ev are copied. */
void app_ctx_init(struct app_ctx *c, const struct app_env *env, const struct app_events *ev);

/* The constructor of a stand operation: init, inputs (with the template map), connection, login
 * and (want_state) the local state. APP_OK, or the code to stop with (reported; free c anyway). */
int app_ctx_open(struct app_ctx *c, const struct app_env *env, const struct app_events *ev,
                 const struct app_opts *o, int want_state);

/* The constructor of a command on the whole cluster (no stand): init, connection, login and
 * (want_state) the local state. APP_OK, or the code to stop with (reported; free c anyway). */
int app_ctx_open_cluster(struct app_ctx *c, const struct app_env *env, const struct app_events *ev,
                         int want_state);

/* Loads and validates the stand and users files (a name that is no file but a saved config or
 * class list means that one) and the template map. APP_OK or APP_USAGE. */
int app_ctx_load_inputs(struct app_ctx *c, const char *config, const char *users,
                        const char *template_map);
/* Loads the template map: `given`, else mapper_template.yml next to config_path, else
 * ./data/mapper_template.yml; none of them is no error. APP_OK or APP_USAGE (reported). */
int app_ctx_load_template_map(struct app_ctx *c, const char *config_path, const char *given);
/* Loads the connections file and picks the connection (or keeps conn_override when set).
 * APP_OK or APP_USAGE. */
int app_ctx_load_connection(struct app_ctx *c);
/* Uses this connection instead of a file (the demo). The strings must outlive the context. */
void app_ctx_use_connection(struct app_ctx *c, const struct connection *conn);
/* Connects and logs in; warns on every run when TLS verification is off. APP_OK or APP_FAILED. */
int app_ctx_connect(struct app_ctx *c);
/* Opens the local state (credentials) and the journal. APP_OK or APP_FAILED. */
int app_ctx_open_state(struct app_ctx *c);
/* Starts this run in the journal and takes the stand's lock: a second run on the same stand is
 * refused, naming who holds it and since when. APP_OK or APP_FAILED. */
int app_ctx_begin_run(struct app_ctx *c, const char *command);
/* Reads the cluster again (templates of the stand + our VMs, or all VM configs), replacing the
 * view. APP_OK or APP_FAILED. */
int app_ctx_refresh(struct app_ctx *c, enum inv_config_scope scope);

/* Puts the stand and the class into c (taken over: freed with c), after releasing the lock and
 * freeing the ones before: a command over several stands (expire) runs each in turn. */
void app_ctx_set_stand(struct app_ctx *c, struct stand *stand, struct users_list *users);

/* The destructor: releases the lock and frees everything the context owns; c is zeroed. */
void app_ctx_free(struct app_ctx *c);

/* Says once that n stored passwords of the stand cannot be read (why: the first reason, e.g. a
 * key file deleted or replaced) and what to do; nothing when n is 0. */
void app_ctx_warn_unreadable(struct app_ctx *c, size_t n, const char *why);

#endif
