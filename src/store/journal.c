/* journal: runs and actions in the SQLite state (WAL), and the per-stand lock.
 * It opens its own connection to the state database, so it works beside struct state. */
#include "store/journal.h"
#include "ds_clock.h"
#include "util/err.h"
#include "util/xdg.h"
#include "util/i18n.h"
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct journal {
    sqlite3 *db;
    char *path;
    long long first_run; /* the first run this handle began; 0 when none */
};

static const char journal_schema[] =
    "CREATE TABLE IF NOT EXISTS journal_runs ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT, command TEXT NOT NULL, stand TEXT,"
    "  started INTEGER NOT NULL, finished INTEGER, result TEXT, pid INTEGER, user TEXT,"
    "  host TEXT);"
    "CREATE TABLE IF NOT EXISTS journal_actions ("
    "  run_id INTEGER NOT NULL, action_id INTEGER NOT NULL, kind TEXT NOT NULL,"
    "  summary TEXT NOT NULL, student TEXT, node TEXT, vmid INTEGER, status TEXT NOT NULL,"
    "  message TEXT, updated REAL NOT NULL, PRIMARY KEY (run_id, action_id));"
    "CREATE TABLE IF NOT EXISTS stand_locks ("
    "  stand TEXT PRIMARY KEY, pid INTEGER NOT NULL, host TEXT NOT NULL, user TEXT,"
    "  command TEXT, since INTEGER NOT NULL, run_id INTEGER);";

/* journal_actions.updated stays what it always was, REAL Unix seconds (it orders a run's actions
 * below the second): SQLite computes it as "?N / 1e9" from the integer ds_clock_wall_ns() bound
 * at ?N. journal_run_actions reads it back as integer milliseconds. */

static const char *os_user(void)
{
    struct passwd *pw = getpwuid(geteuid());
    return pw ? pw->pw_name : "?";
}

static int fail(struct journal *j, const char *what)
{
    return ds_err_set(_("journal %s: %s: %s"), j->path, what, sqlite3_errmsg(j->db));
}

int journal_open(const char *path, struct journal **out)
{
    *out = NULL;
    struct journal *j = calloc(1, sizeof *j);
    if (!j)
        return ds_err_set(_("out of memory"));
    j->path = xdg_state_db(path);
    if (!j->path) {
        free(j);
        return -1;
    }
    mode_t old = umask(077); /* the state file is private even when the journal creates it */
    int rc = sqlite3_open_v2(
        j->path, &j->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL);
    umask(old);
    if (rc != SQLITE_OK) {
        ds_err_set(_("cannot open the journal %s: %s"), j->path,
                   j->db ? sqlite3_errmsg(j->db) : "out of memory");
        journal_close(j);
        return -1;
    }
    sqlite3_busy_timeout(j->db, 10000);
    char *msg = NULL;
    if (sqlite3_exec(j->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL,
                     &msg) != SQLITE_OK ||
        sqlite3_exec(j->db, journal_schema, NULL, NULL, &msg) != SQLITE_OK) {
        ds_err_set(_("journal %s: %s"), j->path, msg ? msg : "?");
        sqlite3_free(msg);
        journal_close(j);
        return -1;
    }
    *out = j;
    return 0;
}

/* Runs this handle began and nobody ended (a command that found nothing to do returns before
 * the end of a run) end with the handle: "nothing changed" when no action of theirs was sent,
 * else "ended". A process that dies never gets here, so its runs stay "interrupted". */
static void end_open_runs(struct journal *j)
{
    sqlite3_stmt *st;
    if (!j->first_run ||
        sqlite3_prepare_v2(j->db,
                           "UPDATE journal_runs SET finished = ?1, result = CASE WHEN EXISTS "
                           "(SELECT 1 FROM journal_actions a WHERE a.run_id = journal_runs.id "
                           "AND a.status <> 'planned') THEN 'ended' ELSE 'nothing changed' END "
                           "WHERE finished IS NULL AND id >= ?2 AND pid = ?3",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)ds_clock_wall_s());
    sqlite3_bind_int64(st, 2, j->first_run);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)getpid());
    sqlite3_step(st);
    sqlite3_finalize(st);
}

void journal_close(struct journal *j)
{
    if (!j)
        return;
    end_open_runs(j);
    sqlite3_close(j->db);
    free(j->path);
    free(j);
}

int journal_run_begin(struct journal *j, const char *command, const char *stand, long long *run_id)
{
    char host[128] = "";
    gethostname(host, sizeof host - 1);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(j->db,
                           "INSERT INTO journal_runs (command, stand, started, pid, user, host) "
                           "VALUES (?, ?, ?, ?, ?, ?)",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(j, "run");
    sqlite3_bind_text(st, 1, command, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, stand, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)ds_clock_wall_s());
    sqlite3_bind_int64(st, 4, (sqlite3_int64)getpid());
    sqlite3_bind_text(st, 5, os_user(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, host, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : fail(j, "run");
    sqlite3_finalize(st);
    if (rc == 0)
        *run_id = sqlite3_last_insert_rowid(j->db);
    if (rc == 0 && !j->first_run)
        j->first_run = *run_id;
    return rc;
}

int journal_run_end(struct journal *j, long long run_id, const char *result)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(j->db, "UPDATE journal_runs SET finished = ?, result = ? WHERE id = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(j, "run end");
    sqlite3_bind_int64(st, 1, (sqlite3_int64)ds_clock_wall_s());
    sqlite3_bind_text(st, 2, result, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, run_id);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : fail(j, "run end");
    sqlite3_finalize(st);
    return rc;
}

int journal_plan(struct journal *j, long long run_id, const struct journal_entry *e, size_t n)
{
    sqlite3_stmt *st;
    if (sqlite3_exec(j->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return fail(j, "plan");
    if (sqlite3_prepare_v2(j->db,
                           "INSERT OR REPLACE INTO journal_actions (run_id, action_id, kind, "
                           "summary, student, node, vmid, status, updated) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, 'planned', ?8 / 1e9)",
                           -1, &st, NULL) != SQLITE_OK) {
        sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
        return fail(j, "plan");
    }
    int64_t now = ds_clock_wall_ns();
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        sqlite3_bind_int64(st, 1, run_id);
        sqlite3_bind_int(st, 2, e[i].action_id);
        sqlite3_bind_text(st, 3, e[i].kind, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, e[i].summary, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, e[i].student, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 6, e[i].node, -1, SQLITE_TRANSIENT);
        if (e[i].vmid)
            sqlite3_bind_int(st, 7, e[i].vmid);
        else
            sqlite3_bind_null(st, 7);
        sqlite3_bind_int64(st, 8, now);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = fail(j, "plan");
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
    sqlite3_finalize(st);
    if (sqlite3_exec(j->db, rc == 0 ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK &&
        rc == 0)
        rc = fail(j, "plan");
    return rc;
}

int journal_action(struct journal *j, long long run_id, int action_id, const char *status, int vmid,
                   const char *message)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(j->db,
                           "UPDATE journal_actions SET status = ?, message = ?, updated = ?3 / 1e9,"
                           " vmid = COALESCE(?, vmid) WHERE run_id = ? AND action_id = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(j, "action");
    sqlite3_bind_text(st, 1, status, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, message, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, ds_clock_wall_ns());
    if (vmid)
        sqlite3_bind_int(st, 4, vmid);
    else
        sqlite3_bind_null(st, 4);
    sqlite3_bind_int64(st, 5, run_id);
    sqlite3_bind_int(st, 6, action_id);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : fail(j, "action");
    sqlite3_finalize(st);
    return rc;
}

static int lock_read(struct journal *j, const char *stand, struct journal_lock *l)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(j->db,
                           "SELECT pid, host, user, command, since, run_id FROM stand_locks "
                           "WHERE stand = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(j, "lock");
    sqlite3_bind_text(st, 1, stand, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(l, 0, sizeof *l);
        l->pid = (long)sqlite3_column_int64(st, 0);
        snprintf(l->host, sizeof l->host, "%s", (const char *)sqlite3_column_text(st, 1));
        const unsigned char *u = sqlite3_column_text(st, 2), *c = sqlite3_column_text(st, 3);
        snprintf(l->user, sizeof l->user, "%s", u ? (const char *)u : "?");
        snprintf(l->command, sizeof l->command, "%s", c ? (const char *)c : "?");
        l->since = sqlite3_column_int64(st, 4);
        l->run_id = sqlite3_column_int64(st, 5);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : fail(j, "lock");
}

/* A lock is stale when its process is gone from this host (another host cannot be checked). */
static int lock_is_stale(const struct journal_lock *l)
{
    char host[128] = "";
    gethostname(host, sizeof host - 1);
    if (strcmp(host, l->host) != 0)
        return 0;
    if (l->pid == (long)getpid())
        return 1;
    return kill((pid_t)l->pid, 0) < 0 && errno == ESRCH;
}

int journal_lock_stand(struct journal *j, const char *stand, const char *command, long long run_id,
                       struct journal_lock *holder)
{
    if (sqlite3_exec(j->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return fail(j, "lock");
    struct journal_lock l;
    int have = lock_read(j, stand, &l);
    if (have < 0 || (have == 1 && !lock_is_stale(&l))) {
        sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
        if (have == 1 && holder)
            *holder = l;
        return have < 0 ? -1 : 1;
    }
    char host[128] = "";
    gethostname(host, sizeof host - 1);
    sqlite3_stmt *st;
    int rc = -1;
    if (sqlite3_prepare_v2(j->db,
                           "INSERT OR REPLACE INTO stand_locks (stand, pid, host, user, command, "
                           "since, run_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, stand, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)getpid());
        sqlite3_bind_text(st, 3, host, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, os_user(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, command, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 6, (sqlite3_int64)ds_clock_wall_s());
        sqlite3_bind_int64(st, 7, run_id);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
        sqlite3_finalize(st);
    }
    if (rc < 0) {
        fail(j, "lock");
        sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return sqlite3_exec(j->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : fail(j, "lock");
}

void journal_unlock_stand(struct journal *j, const char *stand)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(j->db, "DELETE FROM stand_locks WHERE stand = ? AND pid = ?", -1, &st,
                           NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(st, 1, stand, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)getpid());
    sqlite3_step(st);
    sqlite3_finalize(st);
}

static const char *col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : NULL;
}

/* Steps st, handing each row to emit(st, ctx) until it returns non-zero; finalizes st. 0 or
 * ds_err ("journal PATH: what: ..."). */
static int rows_each(struct journal *j, sqlite3_stmt *st, const char *what,
                     int (*emit)(sqlite3_stmt *, void *), void *ctx)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (emit(st, ctx))
            break;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(j, what);
}

/* Where a result column goes in a row struct: its C type and offset. */
enum col_kind { COL_TEXT, COL_INT, COL_LONG, COL_I64 };
struct col_map {
    enum col_kind kind;
    size_t off;
};

/* Fills the fields of `row` from the current row of st, column i into map[i]. */
static void row_read(sqlite3_stmt *st, const struct col_map *map, size_t n, void *row)
{
    for (size_t i = 0; i < n; i++) {
        char *f = (char *)row + map[i].off;
        int c = (int)i;
        switch (map[i].kind) {
        case COL_TEXT: {
            const char *t = col(st, c);
            memcpy(f, &t, sizeof t);
            break;
        }
        case COL_INT: {
            int v = sqlite3_column_int(st, c);
            memcpy(f, &v, sizeof v);
            break;
        }
        case COL_LONG: {
            long v = (long)sqlite3_column_int64(st, c);
            memcpy(f, &v, sizeof v);
            break;
        }
        case COL_I64: {
            int64_t v = sqlite3_column_int64(st, c);
            memcpy(f, &v, sizeof v);
            break;
        }
        }
    }
}

#define RUN_COL(k, f)                                                                              \
    {                                                                                              \
        k, offsetof(struct journal_run_row, f)                                                     \
    }
static const struct col_map run_cols[] = {
    RUN_COL(COL_I64, id),      RUN_COL(COL_TEXT, command), RUN_COL(COL_TEXT, stand),
    RUN_COL(COL_TEXT, result), RUN_COL(COL_TEXT, user),    RUN_COL(COL_TEXT, host),
    RUN_COL(COL_I64, started), RUN_COL(COL_I64, finished), RUN_COL(COL_LONG, planned),
    RUN_COL(COL_LONG, done),   RUN_COL(COL_LONG, failed)};

#define ACT_COL(k, f)                                                                              \
    {                                                                                              \
        k, offsetof(struct journal_action_row, f)                                                  \
    }
static const struct col_map action_cols[] = {
    ACT_COL(COL_INT, action_id), ACT_COL(COL_TEXT, kind), ACT_COL(COL_TEXT, summary),
    ACT_COL(COL_TEXT, student),  ACT_COL(COL_TEXT, node), ACT_COL(COL_TEXT, status),
    ACT_COL(COL_TEXT, message),  ACT_COL(COL_INT, vmid),  ACT_COL(COL_I64, updated_ms)};

struct run_emit {
    int (*fn)(const struct journal_run_row *, void *);
    void *ud;
};

static int emit_run(sqlite3_stmt *st, void *ctx)
{
    const struct run_emit *e = ctx;
    struct journal_run_row r;
    row_read(st, run_cols, sizeof run_cols / sizeof *run_cols, &r);
    return e->fn(&r, e->ud);
}

struct action_emit {
    int (*fn)(const struct journal_action_row *, void *);
    void *ud;
};

static int emit_action(sqlite3_stmt *st, void *ctx)
{
    const struct action_emit *e = ctx;
    struct journal_action_row r;
    row_read(st, action_cols, sizeof action_cols / sizeof *action_cols, &r);
    return e->fn(&r, e->ud);
}

int journal_runs(struct journal *j, const char *stand,
                 int (*fn)(const struct journal_run_row *, void *), void *ud)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(
            j->db,
            "SELECT r.id, r.command, r.stand, r.result, r.user, r.host, r.started, "
            "COALESCE(r.finished, 0), "
            "(SELECT COUNT(*) FROM journal_actions a WHERE a.run_id = r.id), "
            "(SELECT COUNT(*) FROM journal_actions a WHERE a.run_id = r.id AND status = 'done'), "
            "(SELECT COUNT(*) FROM journal_actions a WHERE a.run_id = r.id AND status = 'failed') "
            "FROM journal_runs r WHERE (?1 IS NULL OR r.stand = ?1) ORDER BY r.id",
            -1, &st, NULL) != SQLITE_OK)
        return fail(j, "runs");
    sqlite3_bind_text(st, 1, stand, -1, SQLITE_TRANSIENT);
    struct run_emit e = {fn, ud};
    return rows_each(j, st, "runs", emit_run, &e);
}

int journal_run_actions(struct journal *j, long long run_id,
                        int (*fn)(const struct journal_action_row *, void *), void *ud)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(j->db, "SELECT 1 FROM journal_runs WHERE id = ?", -1, &st, NULL) !=
        SQLITE_OK)
        return fail(j, "run");
    sqlite3_bind_int64(st, 1, run_id);
    int exists = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (!exists)
        return 1;
    if (sqlite3_prepare_v2(j->db,
                           "SELECT action_id, kind, summary, student, node, status, message, "
                           "COALESCE(vmid, 0), CAST(round(updated * 1000) AS INTEGER) "
                           "FROM journal_actions WHERE run_id = ? "
                           "ORDER BY updated, action_id",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(j, "actions");
    sqlite3_bind_int64(st, 1, run_id);
    struct action_emit e = {fn, ud};
    return rows_each(j, st, "actions", emit_action, &e);
}
