/* marks: the ownership marks deploy-stand puts on everything it creates, and their parser.
 * The format is one line of key=value words after the word "deploy-stand", readable in the PVE GUI.
 */
#include "plan/marks.h"
#include "util/password.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mark_format(char *out, size_t len, const char *stand, const char *student, const char *alias,
                 int reserved)
{
    if (reserved)
        snprintf(out, len, MARK_TAG " stand=%s reserved", stand);
    else if (alias)
        snprintf(out, len, MARK_TAG " stand=%s student=%s alias=%s", stand, student, alias);
    else
        snprintf(out, len, MARK_TAG " stand=%s student=%s", stand, student);
}

void mark_format_cred(char *out, size_t len, const char *mark, const char *cred)
{
    snprintf(out, len, "%s cred=%s", mark, cred);
}

int mark_cred_new(char *out, size_t len)
{
    const struct password_policy digits = {.style = PASSWORD_DIGITS, .length = MARK_CRED_LEN};
    return password_generate(&digits, out, len);
}

int mark_parse(const char *text, struct mark *m)
{
    memset(m, 0, sizeof *m);
    if (!text)
        return 0;
    const char *p = strstr(text, MARK_TAG " stand=");
    if (!p)
        return 0;
    snprintf(m->buf, sizeof m->buf, "%s", p + strlen(MARK_TAG) + 1);
    /* cut at the end of the line: descriptions may hold more text after the mark */
    m->buf[strcspn(m->buf, "\r\n")] = '\0';
    char *save = NULL;
    for (char *w = strtok_r(m->buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        if (strncmp(w, "stand=", 6) == 0)
            m->stand = w + 6;
        else if (strncmp(w, "student=", 8) == 0)
            m->student = w + 8;
        else if (strncmp(w, "alias=", 6) == 0)
            m->alias = w + 6;
        else if (strncmp(w, "cred=", 5) == 0 && w[5])
            m->cred = w + 5;
        else if (strcmp(w, "reserved") == 0)
            m->reserved = 1;
    }
    return m->stand && *m->stand;
}

int mark_is(const char *text, const char *stand, const char *student)
{
    struct mark m;
    if (!mark_parse(text, &m) || strcmp(m.stand, stand) != 0)
        return 0;
    if (!student)
        return 1;
    return m.student && strcmp(m.student, student) == 0;
}

/* Does this diff line add or remove a mark of the stand? */
static int diff_line_marks(const char *line, size_t len, const char *stand)
{
    if (len < 3 || (line[0] != '-' && line[0] != '+') || line[1] != '#')
        return 0;
    char text[512];
    snprintf(text, sizeof text, "%.*s", (int)(len - 2), line + 2);
    struct mark m;
    return mark_parse(text, &m) && strcmp(m.stand, stand) == 0;
}

/* The interface a stanza line of the diff opens ("[-+ ]iface NAME ..."), copied to name. */
static void diff_line_iface(const char *line, size_t len, char *name, size_t nlen)
{
    if (len < 7 || strncmp(line + 1, "iface ", 6) != 0)
        return;
    size_t n = strcspn(line + 7, " \t\n");
    snprintf(name, nlen, "%.*s", (int)(n < len - 7 ? n : len - 7), line + 7);
}

int mark_diff_bridges(const char *changes, const char *stand, char *out, size_t len)
{
    char iface[64] = "";
    size_t l = 0;
    int count = 0;
    out[0] = '\0';
    for (const char *p = changes; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        diff_line_iface(p, n, iface, sizeof iface);
        if (diff_line_marks(p, n, stand) && l < len && !strstr(out, iface)) {
            l += (size_t)snprintf(out + l, len - l, "%s%s", l ? ", " : "", iface);
            count++;
        }
        p = nl ? nl + 1 : NULL;
    }
    return count;
}

void mark_stand_tag(char *out, size_t len, const char *stand)
{
    snprintf(out, len, "ds-%s", stand);
}

void mark_copy_format(char *out, size_t len, int orig_vmid, const char *digest, const char *node)
{
    snprintf(out, len, MARK_TAG " template-copy of=%d digest=%s node=%s", orig_vmid,
             digest && *digest ? digest : "unknown", node);
}

int mark_copy_node(const char *text, char *out, size_t len)
{
    const char *p = text ? strstr(text, MARK_TAG " template-copy of=") : NULL;
    const char *n = p ? strstr(p, " node=") : NULL;
    if (!n)
        return 0;
    n += 6;
    size_t l = strcspn(n, " \r\n");
    if (l == 0 || l >= len)
        return 0;
    memcpy(out, n, l);
    out[l] = '\0';
    return 1;
}

int mark_copy_parse(const char *text, int *orig_vmid, char *digest, size_t digest_len)
{
    const char *p = text ? strstr(text, MARK_TAG " template-copy of=") : NULL;
    if (!p)
        return 0;
    p += strlen(MARK_TAG " template-copy of=");
    char *end;
    long v = strtol(p, &end, 10);
    if (end == p || v < 100 || v > 999999999)
        return 0;
    *orig_vmid = (int)v;
    digest[0] = '\0';
    const char *d = strstr(end, "digest=");
    if (d) {
        d += 7;
        size_t n = strcspn(d, " \r\n");
        if (n >= digest_len)
            n = digest_len - 1;
        memcpy(digest, d, n);
        digest[n] = '\0';
    }
    return 1;
}

void mark_lock_pool(char *out, size_t len, const char *stand)
{
    snprintf(out, len, "ds-lock-%s", stand);
}

void mark_lock_format(char *out, size_t len, const struct mark_lock *l)
{
    snprintf(out, len,
             "deploy-stand-lock command=%s user=%s host=%s pid=%ld run=%s since=%lld seen=%lld",
             l->command, l->user, l->host, l->pid, l->run, l->since, l->seen);
}

/* The word "key=value" of a lock comment into out ("" when missing). */
static void lock_word(const char *text, const char *key, char *out, size_t len)
{
    out[0] = '\0';
    size_t kl = strlen(key);
    for (const char *p = text; (p = strstr(p, key)) != NULL; p += kl) {
        if ((p == text || p[-1] == ' ') && p[kl] == '=') {
            const char *v = p + kl + 1;
            snprintf(out, len, "%.*s", (int)strcspn(v, " \r\n"), v);
            return;
        }
    }
}

int mark_lock_parse(const char *text, struct mark_lock *l)
{
    memset(l, 0, sizeof *l);
    if (!text || strncmp(text, "deploy-stand-lock ", 18) != 0)
        return 0;
    char num[32];
    lock_word(text, "command", l->command, sizeof l->command);
    lock_word(text, "user", l->user, sizeof l->user);
    lock_word(text, "host", l->host, sizeof l->host);
    lock_word(text, "run", l->run, sizeof l->run);
    lock_word(text, "pid", num, sizeof num);
    l->pid = strtol(num, NULL, 10);
    lock_word(text, "since", num, sizeof num);
    l->since = strtoll(num, NULL, 10);
    lock_word(text, "seen", num, sizeof num);
    l->seen = strtoll(num, NULL, 10);
    return 1;
}
