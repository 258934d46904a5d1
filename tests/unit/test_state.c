/* test_state: the local SQLite state: credentials put/get/delete (encrypted at rest), no runs
 * table, the file's place under $XDG_STATE_HOME, its 0600 mode and WAL journal; also the XDG path
 * rules. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "secret_home.h"
#include "store/secrets.h"
#include "store/state.h"
#include "util/err.h"
#include "util/xdg.h"

struct fixture {
    char dir[SCRATCH_DIR_LEN]; /* a private HOME with XDG_STATE_HOME and XDG_CONFIG_HOME in it */
};

static int setup(void **state)
{
    return secret_home_setup(state, sizeof(struct fixture), "test-state");
}

static char *path_in(const struct fixture *f, const char *rel)
{
    char *p;
    if (asprintf(&p, "%s/%s", f->dir, rel) < 0)
        abort();
    return p;
}

static void test_creds_round_trip(void **state)
{
    struct fixture *f = *state;
    struct state *st = NULL;
    if (state_open(NULL, &st) != 0)
        fail_msg("state_open: %s", ds_err_last());

    char *pw = (char *)"untouched";
    assert_int_equal(state_cred_get(st, "lab", "student1@pve", NULL, &pw), 1);
    assert_null(pw);
    assert_int_equal(state_cred_put(st, "lab", "student1@pve", NULL, "Abc23xyz9Q"), 0);
    assert_int_equal(state_cred_put(st, "lab", "student2@pve", NULL, "second-pw"), 0);
    assert_int_equal(state_cred_put(st, "other", "student1@pve", NULL, "other-pw"), 0);
    assert_int_equal(state_cred_get(st, "lab", "student1@pve", NULL, &pw), 0);
    assert_string_equal(pw, "Abc23xyz9Q");
    free(pw);
    /* put replaces */
    assert_int_equal(state_cred_put(st, "lab", "student1@pve", NULL, "replaced"), 0);
    assert_int_equal(state_cred_get(st, "lab", "student1@pve", NULL, &pw), 0);
    assert_string_equal(pw, "replaced");
    free(pw);
    /* stands are separate */
    assert_int_equal(state_cred_get(st, "other", "student1@pve", NULL, &pw), 0);
    assert_string_equal(pw, "other-pw");
    free(pw);
    /* delete one; deleting again is fine */
    assert_int_equal(state_cred_delete(st, "lab", "student1@pve", NULL), 0);
    assert_int_equal(state_cred_get(st, "lab", "student1@pve", NULL, &pw), 1);
    assert_int_equal(state_cred_delete(st, "lab", "student1@pve", NULL), 0);
    assert_int_equal(state_cred_get(st, "lab", "student2@pve", NULL, &pw), 0);
    assert_string_equal(pw, "second-pw");
    free(pw);
    assert_int_equal(state_cred_put(st, "lab", NULL, NULL, "x"), -1);
    state_close(st);

    /* the file is where XDG says, private, and survives reopening */
    char *db = path_in(f, "state/deploy-stand/state.db");
    char *dir = path_in(f, "state/deploy-stand");
    struct stat sb;
    assert_int_equal(stat(db, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(stat(dir, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    assert_int_equal(state_open(db, &st), 0);
    assert_int_equal(state_cred_get(st, "lab", "student2@pve", NULL, &pw), 0);
    assert_string_equal(pw, "second-pw");
    free(pw);
    state_close(st);
    free(db);
    free(dir);
}

/* The same stand and user deployed to two clusters: each user's mark names its own credential id,
 * and each id keeps its own password; replacing or deleting one leaves the other. */
static void test_creds_by_cred_id(void **state)
{
    (void)state;
    struct state *st = NULL;
    char *pw = NULL;
    assert_int_equal(state_open(NULL, &st), 0);
    assert_int_equal(state_cred_put(st, "lab", "student1@pve", "aaaaaaaaaaaa", "PwOfClusterA"), 0);
    assert_int_equal(state_cred_put(st, "lab", "student1@pve", "bbbbbbbbbbbb", "PwOfClusterB"), 0);
    assert_int_equal(state_cred_get(st, "lab", "student1@pve", "aaaaaaaaaaaa", &pw), 0);
    assert_string_equal(pw, "PwOfClusterA");
    secret_free(pw);
    assert_int_equal(state_cred_get(st, "lab", "student1@pve", "bbbbbbbbbbbb", &pw), 0);
    assert_string_equal(pw, "PwOfClusterB");
    secret_free(pw);
    /* an id nobody stored, and the id-less key of older users, are unknown */
    assert_int_equal(state_cred_get(st, "lab", "student1@pve", "cccccccccccc", &pw), 1);
    assert_int_equal(state_cred_get(st, "lab", "student1@pve", NULL, &pw), 1);
    assert_int_equal(state_cred_delete(st, "lab", "student1@pve", "aaaaaaaaaaaa"), 0);
    assert_int_equal(state_cred_get(st, "lab", "student1@pve", "aaaaaaaaaaaa", &pw), 1);
    assert_int_equal(state_cred_get(st, "lab", "student1@pve", "bbbbbbbbbbbb", &pw), 0);
    assert_string_equal(pw, "PwOfClusterB");
    secret_free(pw);
    state_close(st);
}

static void test_wal_mode(void **state)
{
    struct fixture *f = *state;
    char *db = path_in(f, "wal.db");
    struct state *st = NULL;
    assert_int_equal(state_open(db, &st), 0);
    assert_int_equal(state_cred_put(st, "s", "u@pve", NULL, "pw"), 0);

    /* WAL is a property of the file: a second, independent connection sees it */
    sqlite3 *raw;
    assert_int_equal(sqlite3_open_v2(db, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
    sqlite3_finalize(s);
    /* and reads the committed row while the writer is still open */
    assert_int_equal(sqlite3_prepare_v2(raw, "SELECT count(*) FROM credentials", -1, &s, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), 1);
    sqlite3_finalize(s);
    sqlite3_close(raw);

    char *wal = path_in(f, "wal.db-wal");
    struct stat sb;
    assert_int_equal(stat(wal, &sb), 0);
    assert_int_equal(sb.st_mode & 0077, 0); /* the journal is as private as the database */
    state_close(st);
    free(wal);
    free(db);
}

static int table_count(const char *db, const char *name)
{
    sqlite3 *raw;
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_open_v2(db, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(raw,
                                        "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                                        "AND name = ?",
                                        -1, &s, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int n = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(raw);
    return n;
}

/* Runs are in the journal: a new state has no `runs` table, and a state an older version made
 * (schema 1 with its `runs` table and rows) still opens, keeps its rows and serves credentials. */
static void test_no_runs_table(void **state)
{
    struct fixture *f = *state;
    char *fresh = path_in(f, "fresh.db");
    struct state *st = NULL;
    assert_int_equal(state_open(fresh, &st), 0);
    state_close(st);
    assert_int_equal(table_count(fresh, "credentials"), 1);
    assert_int_equal(table_count(fresh, "runs"), 0);

    char *old = path_in(f, "old.db");
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(old, &raw), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(raw,
                     "CREATE TABLE credentials (stand TEXT NOT NULL, userid TEXT NOT "
                     "NULL, password TEXT NOT NULL, updated INTEGER NOT NULL, "
                     "PRIMARY KEY (stand, userid));"
                     "CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                     "command TEXT NOT NULL, stand TEXT, started INTEGER NOT NULL, "
                     "finished INTEGER, result TEXT);"
                     "INSERT INTO runs (command, stand, started) VALUES "
                     "('deploy', 'lab', 1);"
                     "INSERT INTO credentials VALUES ('lab', 'v1@pve', 'V1plain77', 5);"
                     "PRAGMA user_version = 1;",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(raw);
    if (state_open(old, &st) != 0)
        fail_msg("state_open: %s", ds_err_last());
    assert_int_equal(state_cred_put(st, "lab", "student1@pve", NULL, "pw1"), 0);
    char *pw = NULL;
    assert_int_equal(state_cred_get(st, "lab", "student1@pve", NULL, &pw), 0);
    assert_string_equal(pw, "pw1");
    secret_free(pw);
    /* the row of version 1 is kept under the empty credential id, and only there */
    assert_int_equal(state_cred_get(st, "lab", "v1@pve", "", &pw), 0);
    assert_string_equal(pw, "V1plain77");
    secret_free(pw);
    assert_int_equal(state_cred_get(st, "lab", "v1@pve", "0123456789ab", &pw), 1);
    /* and the migrated table keys by credential id too */
    assert_int_equal(state_cred_put(st, "lab", "v1@pve", "0123456789ab", "new-pw"), 0);
    assert_int_equal(state_cred_get(st, "lab", "v1@pve", NULL, &pw), 0);
    assert_string_equal(pw, "V1plain77");
    secret_free(pw);
    state_close(st);
    assert_int_equal(table_count(old, "runs"), 1);
    free(old);
    free(fresh);
}

static void test_existing_file_tightened(void **state)
{
    struct fixture *f = *state;
    char *db = path_in(f, "loose.db");
    int fd = open(db, O_CREAT | O_WRONLY, 0644);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(chmod(db, 0644), 0);
    struct state *st = NULL;
    assert_int_equal(state_open(db, &st), 0);
    struct stat sb;
    assert_int_equal(stat(db, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    state_close(st);
    free(db);
}

static void test_open_errors(void **state)
{
    struct fixture *f = *state;
    struct state *st = NULL;
    /* a directory where the file should be */
    char *dir = path_in(f, "adir.db");
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_int_equal(state_open(dir, &st), -1);
    assert_null(st);
    assert_non_null(strstr(ds_err_last(), dir));
    /* not a database */
    char *junk = path_in(f, "junk.db");
    FILE *fp = fopen(junk, "w");
    assert_non_null(fp);
    fputs("this is not an SQLite database, just some text that is long enough to matter....\n", fp);
    fclose(fp);
    assert_int_equal(state_open(junk, &st), -1);
    assert_null(st);
    /* a newer schema than ours */
    char *newer = path_in(f, "newer.db");
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(newer, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(raw);
    assert_int_equal(state_open(newer, &st), -1);
    assert_non_null(strstr(ds_err_last(), "newer"));
    /* a missing parent directory */
    char *missing = path_in(f, "no/such/dir/state.db");
    assert_int_equal(state_open(missing, &st), -1);
    free(dir);
    free(junk);
    free(newer);
    free(missing);
}

static void test_xdg_paths(void **state)
{
    struct fixture *f = *state;
    char *want;

    /* absolute XDG_CONFIG_HOME is used; config dir is not created */
    char *cfg_home = path_in(f, "cfg");
    setenv("XDG_CONFIG_HOME", cfg_home, 1);
    char *cfg = xdg_config_dir();
    assert_non_null(cfg);
    if (asprintf(&want, "%s/deploy-stand", cfg_home) < 0)
        abort();
    assert_string_equal(cfg, want);
    struct stat sb;
    assert_int_equal(stat(cfg, &sb), -1);
    free(cfg);
    free(want);

    /* relative XDG values are ignored: HOME's defaults apply */
    setenv("XDG_CONFIG_HOME", "relative/cfg", 1);
    setenv("XDG_STATE_HOME", "relative/state", 1);
    cfg = xdg_config_dir();
    if (asprintf(&want, "%s/.config/deploy-stand", f->dir) < 0)
        abort();
    assert_string_equal(cfg, want);
    free(cfg);
    free(want);
    char *st = xdg_state_dir();
    assert_non_null(st);
    if (asprintf(&want, "%s/.local/state/deploy-stand", f->dir) < 0)
        abort();
    assert_string_equal(st, want);
    assert_int_equal(stat(st, &sb), 0);
    assert_true(S_ISDIR(sb.st_mode));
    assert_int_equal(sb.st_mode & 0777, 0700);
    free(st);
    free(want);

    /* a state dir that cannot be created is an error, not a crash */
    char *file = path_in(f, "plainfile");
    FILE *fp = fopen(file, "w");
    assert_non_null(fp);
    fclose(fp);
    setenv("XDG_STATE_HOME", file, 1);
    assert_null(xdg_state_dir());
    assert_non_null(strstr(ds_err_last(), "plainfile"));
    struct state *s = NULL;
    assert_int_equal(state_open(NULL, &s), -1);
    assert_null(s);
    free(file);
    free(cfg_home);
}

/* The raw password column of a row, read with a separate connection (malloc'd, NULL when none). */
static char *raw_password(const char *db, const char *userid)
{
    sqlite3 *raw;
    sqlite3_stmt *s;
    char *out = NULL;
    assert_int_equal(sqlite3_open_v2(db, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(raw, "SELECT password FROM credentials WHERE userid = ?", -1, &s, NULL),
        SQLITE_OK);
    sqlite3_bind_text(s, 1, userid, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW)
        out = strdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    sqlite3_close(raw);
    return out;
}

static void test_creds_encrypted_at_rest(void **state)
{
    struct fixture *f = *state;
    char *db = path_in(f, "enc.db");
    struct state *st = NULL;
    assert_int_equal(state_open(db, &st), 0);
    assert_int_equal(state_cred_put(st, "lab", "student1@pve", NULL, "Kq7mZp3xWv"), 0);
    assert_int_equal(state_cred_put(st, "lab", "student2@pve", NULL, "Kq7mZp3xWv"), 0);
    char *r1 = raw_password(db, "student1@pve"), *r2 = raw_password(db, "student2@pve");
    assert_non_null(r1);
    assert_true(strncmp(r1, "enc:v1:", 7) == 0);
    assert_null(strstr(r1, "Kq7mZp3xWv"));
    assert_string_not_equal(r1, r2); /* the same password never gives the same column */
    char *pw = NULL;
    assert_int_equal(state_cred_get(st, "lab", "student1@pve", NULL, &pw), 0);
    assert_string_equal(pw, "Kq7mZp3xWv");
    secret_free(pw);

    /* the key file was made private next to the config, not in the state */
    char *key = path_in(f, "config/deploy-stand/secret.key");
    struct stat sb;
    assert_int_equal(stat(key, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);

    /* a row written in plaintext by an older version still reads */
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw,
                                  "INSERT INTO credentials (stand, userid, password, updated) "
                                  "VALUES ('lab', 'old@pve', 'OldPlain99', "
                                  "0)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(raw);
    assert_int_equal(state_cred_get(st, "lab", "old@pve", NULL, &pw), 0);
    assert_string_equal(pw, "OldPlain99");
    secret_free(pw);

    /* another key: a clear error that names the student, not the password */
    secret_forget_keys();
    unsigned char other[32];
    memset(other, 7, sizeof other);
    FILE *fp = fopen(key, "w");
    assert_non_null(fp);
    assert_int_equal(fwrite(other, 1, sizeof other, fp), sizeof other);
    fclose(fp);
    pw = (char *)"untouched";
    assert_int_equal(state_cred_get(st, "lab", "student1@pve", NULL, &pw), -1);
    assert_null(pw);
    assert_non_null(strstr(ds_err_last(), "cannot decrypt the password of student1@pve"));
    assert_non_null(strstr(ds_err_last(), "secret.key"));
    assert_null(strstr(ds_err_last(), "Kq7mZp3xWv"));

    /* with a passphrase the column says so */
    setenv(SECRET_PASSPHRASE_ENV, "state passphrase", 1);
    assert_int_equal(state_cred_put(st, "lab", "student3@pve", NULL, "PassPhr4se"), 0);
    char *r3 = raw_password(db, "student3@pve");
    assert_true(strncmp(r3, "enc:v1:p:", 9) == 0);
    assert_int_equal(state_cred_get(st, "lab", "student3@pve", NULL, &pw), 0);
    assert_string_equal(pw, "PassPhr4se");
    secret_free(pw);
    state_close(st);
    free(r1);
    free(r2);
    free(r3);
    free(key);
    free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_creds_round_trip, setup, secret_home_teardown),
        cmocka_unit_test_setup_teardown(test_creds_by_cred_id, setup, secret_home_teardown),
        cmocka_unit_test_setup_teardown(test_creds_encrypted_at_rest, setup, secret_home_teardown),
        cmocka_unit_test_setup_teardown(test_wal_mode, setup, secret_home_teardown),
        cmocka_unit_test_setup_teardown(test_no_runs_table, setup, secret_home_teardown),
        cmocka_unit_test_setup_teardown(test_existing_file_tightened, setup, secret_home_teardown),
        cmocka_unit_test_setup_teardown(test_open_errors, setup, secret_home_teardown),
        cmocka_unit_test_setup_teardown(test_xdg_paths, setup, secret_home_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
