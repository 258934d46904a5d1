/* audit: the append-only audit log of every change deploy-stand makes on a cluster, one JSON line
 * per action in "<state dir>/audit.jsonl" (0600), optionally mirrored to syslog; and its reader. */
#ifndef DS_AUDIT_H
#define DS_AUDIT_H

#include <stddef.h>
#include <stdint.h>

struct audit; /* opaque; safe to share between threads */

/* Opens (creates 0600, dir 0700) "<xdg_state_dir()>/audit.jsonl" or `path`; an existing file is
 * tightened to 0600. syslog_too: also syslog(LOG_INFO) each record (openlog("deploy-stand",
 * LOG_PID, LOG_USER)). 0 and *out (close with audit_close), or -1 with ds_err. */
int audit_open(const char *path, int syslog_too, struct audit **out);
void audit_close(struct audit *a); /* NULL is fine */

/* One record. The strings are borrowed for the duration of the call; any may be NULL (written as
 * JSON null). */
struct audit_record {
    const char *connection; /* connection name, e.g. "lab" */
    const char *stand;
    const char *student; /* may be NULL */
    const char *action;  /* "clone", "create user", ... */
    const char *object; /* e.g. "VM 5003 on pve1", "user student1@pve", "bridge vmbr1001 on pve1" */
    const char
        *request; /* e.g. "POST /nodes/pve1/qemu/100/clone newid=5003 name=web" (no secrets!) */
    const char *result; /* "ok" or the error text */
};

/* Appends one JSON line {time (ISO 8601 UTC), os_user (getpwuid(geteuid())), connection, stand,
 * student, action, object, request, result}, thread-safe (a mutex), with one write(2) on an
 * O_APPEND descriptor and fsync'd per line. Secret values in `request` (keys containing password,
 * token, secret, ticket, cookie, csrf followed by '=' or ':') are written as "***". 0 or -1 with
 * ds_err. */
int audit_write(struct audit *a, const struct audit_record *r);
/* The same with an explicit time (Unix seconds) instead of now (imports and tests). */
int audit_write_at(struct audit *a, const struct audit_record *r, int64_t when);

/* `request` with every secret value replaced by "***" (see audit_write). malloc'd, the caller
 * frees; NULL only when s is NULL or memory runs out. */
char *audit_redact(const char *s);

/* "<xdg_state_dir()>/audit.jsonl", malloc'd (the caller frees), or NULL with ds_err. Creates the
 * state directory when missing. */
char *audit_default_path(void);

/* Parses a --since value: an ISO date or date-time in UTC ("2026-11-25", "2026-11-25T10:00",
 * "2026-11-25 10:00:30", an optional trailing "Z") or a span before `now` ("90s", "30m", "2h",
 * "3d", "1w"). 0 and *out, or -1 with ds_err. */
int audit_since_parse(const char *text, int64_t now, int64_t *out);

/* A record read back from the log; valid only during the callback. time and os_user are never
 * NULL ("" when missing); a rec member is NULL when the field is null or missing. */
struct audit_entry {
    const char *time;    /* as written, e.g. "2026-11-25T10:00:00Z" */
    int64_t when;        /* `time` parsed (Unix seconds); 0 when unparsable */
    const char *os_user; /* who ran deploy-stand */
    struct audit_record rec;
};

/* Which records audit_read passes on; a NULL / 0 member matches everything. */
struct audit_filter {
    const char *stand;   /* exact stand name */
    const char *student; /* exact student id */
    int64_t since;       /* records at or after this time (Unix seconds) */
};

/* Called for each matching record, oldest first (file order). Returning non-zero stops the read,
 * and audit_read returns that value. */
typedef int (*audit_visit_fn)(const struct audit_entry *e, void *ud);

/* Reads the log at `path` (NULL = audit_default_path()). A missing log has no records (returns 0).
 * Lines that are not a JSON object are skipped and counted in *bad (may be NULL). 0, the
 * callback's non-zero value, or -1 with ds_err when the file cannot be read. */
int audit_read(const char *path, const struct audit_filter *f, audit_visit_fn visit, void *ud,
               size_t *bad);

#endif
