/* state: opens (creating 0600) and migrates the SQLite state file in WAL mode, and keeps the
 * credentials (encrypted with store/secrets) behind prepared-statement helpers. Runs live in the
 * journal (store/journal); the `runs` table older versions created is left alone and never read. */
#include "store/state.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ds_clock.h"
#include "store/secrets.h"
#include "util/err.h"
#include "util/xdg.h"
#include "util/i18n.h"

#define STATE_SCHEMA_VERSION 2
#define STATE_BUSY_TIMEOUT_MS 10000

struct state {
    sqlite3 *db;
    char *path;
};

static const char schema_v1[] = "CREATE TABLE IF NOT EXISTS credentials ("
                                "  stand TEXT NOT NULL,"
                                "  userid TEXT NOT NULL,"
                                "  password TEXT NOT NULL,"
                                "  updated INTEGER NOT NULL,"
                                "  PRIMARY KEY (stand, userid));"
                                "PRAGMA user_version = 1;";

/* Version 2 keys credentials by the credential id of the user's mark as well ('' for the rows of
 * version 1, which stay readable under it). SQLite cannot change a primary key in place, so the
 * table is rebuilt with its rows. */
static const char schema_v2[] = "CREATE TABLE credentials_v2 ("
                                "  stand TEXT NOT NULL,"
                                "  userid TEXT NOT NULL,"
                                "  cred_id TEXT NOT NULL DEFAULT '',"
                                "  password TEXT NOT NULL,"
                                "  updated INTEGER NOT NULL,"
                                "  PRIMARY KEY (stand, userid, cred_id));"
                                "INSERT INTO credentials_v2 (stand, userid, cred_id, password, "
                                "updated) SELECT stand, userid, '', password, updated "
                                "FROM credentials;"
                                "DROP TABLE credentials;"
                                "ALTER TABLE credentials_v2 RENAME TO credentials;"
                                "PRAGMA user_version = 2;";

static int db_err(struct state *st, const char *what)
{
    return ds_err_set(_("state %s: %s: %s"), st->path, what, sqlite3_errmsg(st->db));
}

/* Creates the file 0600 if missing and makes sure an existing one is not readable by others. */
static int file_prepare(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return ds_err_set(_("cannot open state file %s: %s"), path, strerror(errno));
    struct stat sb;
    int rc = 0;
    if (fstat(fd, &sb) < 0)
        rc = ds_err_set(_("cannot stat state file %s: %s"), path, strerror(errno));
    else if (!S_ISREG(sb.st_mode))
        rc = ds_err_set(_("state file %s is not a regular file"), path);
    else if ((sb.st_mode & 0777) != 0600 && fchmod(fd, 0600) < 0)
        rc = ds_err_set(_("cannot chmod 0600 state file %s: %s"), path, strerror(errno));
    close(fd);
    return rc;
}

static int pragma_text(struct state *st, const char *sql, char *out, size_t outlen)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return db_err(st, sql);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(s);
        return db_err(st, sql);
    }
    const unsigned char *t = sqlite3_column_text(s, 0);
    snprintf(out, outlen, "%s", t ? (const char *)t : "");
    sqlite3_finalize(s);
    return 0;
}

/* Inside the write transaction: brings the schema from the version it has now (another process
 * may have upgraded it meanwhile) to STATE_SCHEMA_VERSION. SQLITE_OK or an SQLite error. */
static int schema_upgrade(struct state *st, char **msg)
{
    sqlite3_stmt *s;
    int rc = sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL);
    if (rc != SQLITE_OK)
        return rc;
    long version = sqlite3_step(s) == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : 0;
    sqlite3_finalize(s);
    if (version < 1 && (rc = sqlite3_exec(st->db, schema_v1, NULL, NULL, msg)) != SQLITE_OK)
        return rc;
    if (version < 2)
        rc = sqlite3_exec(st->db, schema_v2, NULL, NULL, msg);
    return rc;
}

static int schema_ensure(struct state *st)
{
    char buf[64];
    if (pragma_text(st, "PRAGMA journal_mode=WAL", buf, sizeof buf) < 0)
        return -1;
    if (strcmp(buf, "wal") != 0)
        return ds_err_set(_("state %s: cannot switch to WAL mode (journal mode is %s)"), st->path,
                          buf);
    if (pragma_text(st, "PRAGMA user_version", buf, sizeof buf) < 0)
        return -1;
    long version = strtol(buf, NULL, 10);
    if (version > STATE_SCHEMA_VERSION)
        return ds_err_set(_("state %s has schema version %ld, newer than this deploy-stand (%d)"),
                          st->path, version, STATE_SCHEMA_VERSION);
    if (version == STATE_SCHEMA_VERSION)
        return 0;
    char *msg = NULL;
    if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
        schema_upgrade(st, &msg) != SQLITE_OK ||
        sqlite3_exec(st->db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
        ds_err_set(_("state %s: cannot create the schema: %s"), st->path,
                   msg ? msg : sqlite3_errmsg(st->db));
        sqlite3_free(msg);
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}

int state_open(const char *path, struct state **out)
{
    *out = NULL;
    struct state *st = calloc(1, sizeof *st);
    if (!st)
        return ds_err_set(_("out of memory"));
    st->path = xdg_state_db(path);
    if (!st->path) {
        free(st);
        return -1;
    }
    if (file_prepare(st->path) < 0) {
        state_close(st);
        return -1;
    }
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
    if (sqlite3_open_v2(st->path, &st->db, flags, NULL) != SQLITE_OK) {
        ds_err_set(_("cannot open state %s: %s"), st->path,
                   st->db ? sqlite3_errmsg(st->db) : "out of memory");
        state_close(st);
        return -1;
    }
    sqlite3_busy_timeout(st->db, STATE_BUSY_TIMEOUT_MS);
    if (schema_ensure(st) < 0) {
        state_close(st);
        return -1;
    }
    *out = st;
    return 0;
}

void state_close(struct state *st)
{
    if (!st)
        return;
    if (st->db)
        sqlite3_close(st->db);
    free(st->path);
    free(st);
}

/* Prepares sql and binds up to four text arguments in order (NULL binds SQL NULL). */
static int stmt_texts(struct state *st, sqlite3_stmt **s, const char *sql, const char *const *args,
                      int nargs)
{
    if (sqlite3_prepare_v2(st->db, sql, -1, s, NULL) != SQLITE_OK)
        return db_err(st, "prepare");
    int n = sqlite3_bind_parameter_count(*s);
    for (int i = 0; i < n && i < nargs; i++) {
        int rc = args[i] ? sqlite3_bind_text(*s, i + 1, args[i], -1, SQLITE_TRANSIENT)
                         : sqlite3_bind_null(*s, i + 1);
        if (rc != SQLITE_OK) {
            sqlite3_finalize(*s);
            return db_err(st, "bind");
        }
    }
    return 0;
}

static int stmt_done(struct state *st, sqlite3_stmt *s, const char *what)
{
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) {
        db_err(st, what);
        sqlite3_finalize(s);
        return -1;
    }
    sqlite3_finalize(s);
    return 0;
}

int state_cred_put(struct state *st, const char *stand, const char *userid, const char *cred,
                   const char *password)
{
    sqlite3_stmt *s;
    char *enc = NULL;
    if (!stand || !userid || !password)
        return ds_err_set(_("state_cred_put: missing stand, user or password"));
    if (secret_encrypt(password, &enc) < 0)
        return ds_err_wrap(_("state %s: the password of %s"), st->path, userid);
    const char *args[] = {stand, userid, cred ? cred : "", enc};
    int rc = stmt_texts(st, &s,
                        "INSERT INTO credentials (stand, userid, cred_id, password, updated) "
                        "VALUES (?, ?, ?, ?, ?5) ON CONFLICT (stand, userid, cred_id) DO UPDATE "
                        "SET password = excluded.password, updated = excluded.updated",
                        args, 4);
    secret_free(enc);
    if (rc < 0)
        return -1;
    if (sqlite3_bind_int64(s, 5, (sqlite3_int64)ds_clock_wall_s()) != SQLITE_OK) {
        sqlite3_finalize(s);
        return db_err(st, "bind");
    }
    return stmt_done(st, s, "saving the credentials");
}

int state_cred_get(struct state *st, const char *stand, const char *userid, const char *cred,
                   char **password)
{
    sqlite3_stmt *s;
    *password = NULL;
    const char *args[] = {stand, userid, cred ? cred : ""};
    if (stmt_texts(st, &s,
                   "SELECT password FROM credentials WHERE stand = ? AND userid = ? AND "
                   "cred_id = ?",
                   args, 3) < 0)
        return -1;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        sqlite3_finalize(s);
        return 1;
    }
    if (rc != SQLITE_ROW) {
        db_err(st, "reading the credentials");
        sqlite3_finalize(s);
        return -1;
    }
    const char *t = (const char *)sqlite3_column_text(s, 0);
    if (t && secret_is_encrypted(t)) {
        rc = secret_decrypt(t, password);
        sqlite3_finalize(s);
        if (rc < 0)
            return ds_err_wrap(_("state %s: cannot decrypt the password of %s (stand %s)"),
                               st->path, userid, stand);
        return 0;
    }
    *password = strdup(t ? t : ""); /* a plaintext row of an older version */
    sqlite3_finalize(s);
    if (!*password)
        return ds_err_set(_("out of memory"));
    return 0;
}

int state_cred_delete(struct state *st, const char *stand, const char *userid, const char *cred)
{
    sqlite3_stmt *s;
    const char *args[] = {stand, userid, cred ? cred : ""};
    if (stmt_texts(st, &s, "DELETE FROM credentials WHERE stand = ? AND userid = ? AND cred_id = ?",
                   args, 3) < 0)
        return -1;
    return stmt_done(st, s, "deleting the credentials");
}
