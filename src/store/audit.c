/* audit: writes the audit log as JSON lines (one write(2) per record on an O_APPEND descriptor,
 * fsync'd, secrets redacted) and reads it back with filters for `deploy-stand audit`. */
#include "store/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "ds_clock.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/xdg.h"
#include "util/i18n.h"

#define AUDIT_FILE "audit.jsonl"

struct audit {
    int fd;
    int syslog_too;
    char *path;
    char *os_user;
    pthread_mutex_t lock;
};

/* ---- paths and opening ------------------------------------------------------------------- */

char *audit_default_path(void)
{
    char *dir = xdg_state_dir();
    if (!dir)
        return NULL;
    char *path = NULL;
    if (asprintf(&path, "%s/" AUDIT_FILE, dir) < 0) {
        path = NULL;
        ds_err_set(_("out of memory"));
    }
    free(dir);
    return path;
}

/* The effective user's login name, or "uid N" when the password database does not know it. */
static char *os_user_name(void)
{
    uid_t uid = geteuid();
    long sz = sysconf(_SC_GETPW_R_SIZE_MAX);
    size_t bufsz = sz > 0 ? (size_t)sz : 16384;
    char *buf = malloc(bufsz);
    struct passwd pw, *res = NULL;
    char *name = NULL;
    if (buf && getpwuid_r(uid, &pw, buf, bufsz, &res) == 0 && res && res->pw_name)
        name = strdup(res->pw_name);
    free(buf);
    if (!name && asprintf(&name, "uid %u", (unsigned)uid) < 0)
        name = NULL;
    return name;
}

int audit_open(const char *path, int syslog_too, struct audit **out)
{
    *out = NULL;
    char *p = path ? strdup(path) : audit_default_path();
    if (!p)
        return path ? ds_err_set(_("out of memory")) : ds_err_wrap(_("audit log"));
    if (path && fs_mkdir_parent(p, 0700) < 0) {
        free(p);
        return ds_err_wrap(_("audit log"));
    }
    int fd = open(p, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        ds_err_set(_("cannot open the audit log %s: %s"), p, strerror(errno));
        free(p);
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        ds_err_set(_("the audit log %s is not a regular file"), p);
        goto fail;
    }
    if ((st.st_mode & 07777) != 0600 && fchmod(fd, 0600) < 0) {
        ds_err_set(_("cannot make the audit log %s private (0600): %s"), p, strerror(errno));
        goto fail;
    }
    struct audit *a = calloc(1, sizeof *a);
    if (!a) {
        ds_err_set(_("out of memory"));
        goto fail;
    }
    a->os_user = os_user_name();
    if (!a->os_user || pthread_mutex_init(&a->lock, NULL) != 0) {
        free(a->os_user);
        free(a);
        ds_err_set(_("out of memory"));
        goto fail;
    }
    a->fd = fd;
    a->path = p;
    a->syslog_too = syslog_too;
    if (syslog_too)
        openlog("deploy-stand", LOG_PID, LOG_USER);
    *out = a;
    return 0;
fail:
    close(fd);
    free(p);
    return -1;
}

void audit_close(struct audit *a)
{
    if (!a)
        return;
    if (a->syslog_too)
        closelog();
    close(a->fd);
    pthread_mutex_destroy(&a->lock);
    free(a->os_user);
    free(a->path);
    free(a);
}

/* ---- redaction --------------------------------------------------------------------------- */

static const char *const SECRET_WORDS[] = {"password", "passwd", "token", "secret",
                                           "ticket",   "cookie", "csrf",  NULL};

static int is_key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

static int ends_value(char c)
{
    return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '&' || c == ',' ||
           c == ';' || c == '}' || c == ']' || c == '"' || c == '\'';
}

/* Length of the secret word starting at s, or 0. */
static size_t secret_word_at(const char *s)
{
    for (size_t w = 0; SECRET_WORDS[w]; w++) {
        size_t n = strlen(SECRET_WORDS[w]);
        if (strncasecmp(s, SECRET_WORDS[w], n) == 0)
            return n;
    }
    return 0;
}

/* When a secret key starts at s (word of length n), finds its value: [*vb, *ve). 1 when found. */
static int secret_value_find(const char *s, size_t n, size_t *vb, size_t *ve)
{
    size_t j = n;
    while (is_key_char(s[j]))
        j++;
    if (s[j] == '"' || s[j] == '\'')
        j++;
    while (s[j] == ' ' || s[j] == '\t')
        j++;
    if (s[j] != '=' && s[j] != ':')
        return 0;
    j++;
    while (s[j] == ' ' || s[j] == '\t')
        j++;
    char quote = (s[j] == '"' || s[j] == '\'') ? s[j] : 0;
    if (quote)
        j++;
    size_t b = j;
    if (quote)
        while (s[j] && s[j] != quote)
            j++;
    else
        while (!ends_value(s[j]))
            j++;
    if (j == b)
        return 0;
    *vb = b;
    *ve = j;
    return 1;
}

char *audit_redact(const char *s)
{
    if (!s)
        return NULL;
    size_t len = strlen(s);
    /* each redaction consumes a key (>= 4 chars) and a value (>= 1) and writes 3 chars for it */
    char *out = malloc(len * 2 + 4);
    if (!out)
        return NULL;
    size_t o = 0, i = 0;
    while (s[i]) {
        /* also inside a longer key: PVEAPIToken=..., PVEAuthCookie=..., token_value: ... */
        size_t n = secret_word_at(s + i);
        size_t vb, ve;
        if (n && secret_value_find(s + i, n, &vb, &ve)) {
            memcpy(out + o, s + i, vb);
            o += vb;
            memcpy(out + o, "***", 3);
            o += 3;
            i += ve;
            continue;
        }
        out[o++] = s[i++];
    }
    out[o] = '\0';
    return out;
}

/* ---- writing ----------------------------------------------------------------------------- */

/* A JSON string for s; bytes that are not valid UTF-8 become '?'. NULL s gives JSON null. */
static json_t *json_text(const char *s)
{
    if (!s)
        return json_null();
    json_t *j = json_string(s);
    if (j)
        return j;
    char *copy = strdup(s);
    if (!copy)
        return NULL;
    for (char *p = copy; *p; p++)
        if ((unsigned char)*p >= 0x80)
            *p = '?';
    j = json_string(copy);
    free(copy);
    return j;
}

static int write_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static int iso_time_format(int64_t when, char *buf, size_t size)
{
    struct tm tm;
    time_t t = (time_t)when;
    if (!gmtime_r(&t, &tm) || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        return -1;
    return 0;
}

int audit_write_at(struct audit *a, const struct audit_record *r, int64_t when)
{
    char stamp[32];
    if (iso_time_format(when, stamp, sizeof stamp) < 0)
        return ds_err_set(_("audit: time %lld cannot be written"), (long long)when);
    char *request = audit_redact(r->request);
    if (r->request && !request)
        return ds_err_set(_("out of memory"));
    json_t *o = json_object();
    int bad = !o;
    const char *keys[] = {"time",   "os_user", "connection", "stand", "student",
                          "action", "object",  "request",    "result"};
    const char *vals[] = {stamp,     a->os_user, r->connection, r->stand, r->student,
                          r->action, r->object,  request,       r->result};
    for (size_t k = 0; o && k < sizeof keys / sizeof keys[0]; k++)
        bad |= json_object_set_new(o, keys[k], json_text(vals[k])) != 0;
    free(request);
    char *line = bad ? NULL : json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!line)
        return ds_err_set(_("audit: cannot encode the record"));
    size_t len = strlen(line);
    char *buf = realloc(line, len + 2);
    if (!buf) {
        free(line);
        return ds_err_set(_("out of memory"));
    }
    buf[len] = '\n';
    buf[len + 1] = '\0';
    int rc = 0;
    pthread_mutex_lock(&a->lock);
    if (write_all(a->fd, buf, len + 1) < 0)
        rc = ds_err_set(_("cannot append to the audit log %s: %s"), a->path, strerror(errno));
    else if (fsync(a->fd) < 0)
        rc = ds_err_set(_("cannot sync the audit log %s: %s"), a->path, strerror(errno));
    if (a->syslog_too) {
        buf[len] = '\0';
        syslog(LOG_INFO, "%s", buf);
    }
    pthread_mutex_unlock(&a->lock);
    free(buf);
    return rc;
}

int audit_write(struct audit *a, const struct audit_record *r)
{
    return audit_write_at(a, r, ds_clock_wall_s());
}

/* ---- times ------------------------------------------------------------------------------- */

/* Reads exactly n digits at *p into *v and moves *p past them. */
static int digits_read(const char **p, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return -1;
        x = x * 10 + (c - '0');
    }
    *p += n;
    *v = x;
    return 0;
}

/* "YYYY-MM-DD[(T| )HH:MM[:SS]][Z]" in UTC. */
static int iso_time_parse(const char *s, int64_t *out)
{
    int y, mo, d, h = 0, mi = 0, sec = 0;
    const char *p = s;
    if (digits_read(&p, 4, &y) || *p++ != '-' || digits_read(&p, 2, &mo) || *p++ != '-' ||
        digits_read(&p, 2, &d))
        return -1;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (digits_read(&p, 2, &h) || *p++ != ':' || digits_read(&p, 2, &mi))
            return -1;
        if (*p == ':') {
            p++;
            if (digits_read(&p, 2, &sec))
                return -1;
        }
    }
    if (*p == 'Z' || *p == 'z')
        p++;
    if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 || y < 1970)
        return -1;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = sec};
    time_t t = timegm(&tm);
    /* timegm normalises 2026-02-30 to March: refuse such dates */
    if (t == (time_t)-1 || tm.tm_mday != d || tm.tm_mon != mo - 1)
        return -1;
    *out = (int64_t)t;
    return 0;
}

int audit_since_parse(const char *text, int64_t now, int64_t *out)
{
    if (!text || !*text)
        return ds_err_set(_("empty time"));
    size_t len = strlen(text);
    const char *units = "smhdw";
    const char *u = strchr(units, text[len - 1]);
    if (u && len >= 2 && strspn(text, "0123456789") == len - 1) {
        static const long long secs[] = {1, 60, 3600, 86400, 7 * 86400};
        long long n = 0;
        for (size_t i = 0; i + 1 < len; i++) {
            n = n * 10 + (text[i] - '0');
            if (n > 100LL * 366 * 86400)
                return ds_err_set(_("'%s' reaches back more than a century"), text);
        }
        long long back = n * secs[u - units];
        if (back > 100LL * 366 * 86400)
            return ds_err_set(_("'%s' reaches back more than a century"), text);
        *out = now - (int64_t)back;
        return 0;
    }
    if (iso_time_parse(text, out) == 0)
        return 0;
    return ds_err_set(_("'%s' is not a time: use a UTC date or date-time like 2026-11-25 or "
                        "2026-11-25T10:00, or a span like 30m, 2h, 3d"),
                      text);
}

/* ---- reading ----------------------------------------------------------------------------- */

static const char *field_get(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int entry_matches(const struct audit_entry *e, const struct audit_filter *f)
{
    if (!f)
        return 1;
    if (f->stand && (!e->rec.stand || strcmp(f->stand, e->rec.stand) != 0))
        return 0;
    if (f->student && (!e->rec.student || strcmp(f->student, e->rec.student) != 0))
        return 0;
    if (f->since && (e->when == 0 || e->when < f->since))
        return 0;
    return 1;
}

int audit_read(const char *path, const struct audit_filter *f, audit_visit_fn visit, void *ud,
               size_t *bad)
{
    if (bad)
        *bad = 0;
    char *owned = path ? NULL : audit_default_path();
    if (!path && !owned)
        return ds_err_wrap(_("audit log"));
    const char *p = path ? path : owned;
    FILE *in = fopen(p, "re");
    if (!in) {
        int rc = errno == ENOENT
                     ? 0
                     : ds_err_set(_("cannot read the audit log %s: %s"), p, strerror(errno));
        free(owned);
        return rc;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    while (!rc && (n = getline(&line, &cap, in)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0)
            continue;
        json_t *o = json_loadb(line, (size_t)n, JSON_REJECT_DUPLICATES, NULL);
        if (!json_is_object(o)) {
            json_decref(o);
            if (bad)
                (*bad)++;
            continue;
        }
        struct audit_entry e = {
            .time = field_get(o, "time"),
            .os_user = field_get(o, "os_user"),
            .rec = {.connection = field_get(o, "connection"),
                    .stand = field_get(o, "stand"),
                    .student = field_get(o, "student"),
                    .action = field_get(o, "action"),
                    .object = field_get(o, "object"),
                    .request = field_get(o, "request"),
                    .result = field_get(o, "result")},
        };
        if (!e.time || iso_time_parse(e.time, &e.when) < 0)
            e.when = 0;
        if (!e.time)
            e.time = "";
        if (!e.os_user)
            e.os_user = "";
        if (entry_matches(&e, f))
            rc = visit(&e, ud);
        json_decref(o);
    }
    if (!rc && ferror(in))
        rc = ds_err_set(_("cannot read the audit log %s: %s"), p, strerror(errno));
    free(line);
    fclose(in);
    free(owned);
    return rc;
}
