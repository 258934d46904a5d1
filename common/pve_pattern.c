/* pve_pattern: PVE schema `pattern`s (Perl regexes) matched as PVE matches them, by translation to
 * an anchored POSIX ERE that is compiled once per pattern and cached for the process lifetime. */
#include "pve_pattern.h"
#include "pve_chars.h"

#include <ctype.h>
#include <pthread.h>
#include <regex.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* ---- Perl pattern -> POSIX ERE ---------------------------------------------------------- */

struct sbuf {
    char *p;
    size_t len, cap;
    bool overflow;
};

static void sb_putc(struct sbuf *b, char c)
{
    if (b->len + 1 >= b->cap) {
        b->overflow = true;
        return;
    }
    b->p[b->len++] = c;
    b->p[b->len] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s)
{
    while (*s)
        sb_putc(b, *s++);
}

/* A literal byte outside brackets. */
static void ere_literal(struct sbuf *b, unsigned char c, bool icase)
{
    if (icase && pve_char_alpha(c)) {
        sb_putc(b, '[');
        sb_putc(b, (char)tolower(c));
        sb_putc(b, (char)toupper(c));
        sb_putc(b, ']');
    } else if (strchr(".[]()*+?{}|^$\\", c) && c) {
        sb_putc(b, '\\');
        sb_putc(b, (char)c);
    } else {
        sb_putc(b, (char)c);
    }
}

/* Emits a byte set as a POSIX bracket expression (ASCII only, never NUL). */
static void ere_set(struct sbuf *b, const bool set[256], bool negate)
{
    int count = 0, only = 0;
    for (int c = 1; c < 128; c++)
        if (set[c])
            count++, only = c;
    if (!negate && count == 1) {
        ere_literal(b, (unsigned char)only, false);
        return;
    }
    if (!negate && count == 0) {
        sb_puts(b, "[^\x01-\x7f]"); /* matches nothing a PVE value contains (ASCII) */
        return;
    }
    sb_puts(b, negate ? "[^" : "[");
    bool any = false;
    if (set[']']) {
        sb_putc(b, ']');
        any = true;
    }
    for (int c = 1; c < 128; c++) {
        if (!set[c] || c == ']' || c == '^' || c == '-' || c == '[')
            continue;
        if (pve_char_alnum(c)) { /* compress runs inside one of 0-9, A-Z, a-z */
            int e = c;
            while (e + 1 < 128 && set[e + 1] && pve_char_alnum(e + 1) &&
                   (pve_char_digit(c) == pve_char_digit(e + 1)) &&
                   ((isupper(c) != 0) == (isupper(e + 1) != 0)))
                e++;
            if (e - c >= 2) {
                sb_putc(b, (char)c);
                sb_putc(b, '-');
                sb_putc(b, (char)e);
                c = e;
                any = true;
                continue;
            }
        }
        sb_putc(b, (char)c);
        any = true;
    }
    if (set['[']) {
        sb_putc(b, '[');
        any = true;
    }
    if (set['^']) {
        if (any) {
            sb_putc(b, '^');
            if (set['-'])
                sb_putc(b, '-');
        } else {
            sb_puts(b, set['-'] ? "-^" : "^");
        }
    } else if (set['-']) {
        sb_putc(b, '-');
    }
    sb_putc(b, ']');
}

static void set_class(bool set[256], char cls, bool on)
{
    for (int c = 1; c < 256; c++) {
        bool in = false;
        switch (cls) {
        case 'd':
            in = pve_char_digit(c);
            break;
        case 's':
            in = pve_char_space(c);
            break;
        case 'w':
            in = pve_char_word(c);
            break;
        }
        if (in == on)
            set[c] = true;
    }
}

static int hexval(int c)
{
    return pve_char_digit(c) ? c - '0' : (tolower(c) - 'a' + 10);
}

/* Parses one escape at p (just after the backslash) as a single byte; -1 for a class/unsupported.
 * *used gets the number of pattern bytes consumed after the backslash. */
static int escape_byte(const char *p, int *used)
{
    *used = 1;
    switch (p[0]) {
    case 'n':
        return '\n';
    case 't':
        return '\t';
    case 'r':
        return '\r';
    case 'f':
        return '\f';
    case 'e':
        return 27;
    case 'a':
        return 7;
    case 'x': {
        int v = 0, k = 1;
        while (k <= 2 && pve_char_xdigit((unsigned char)p[k]))
            v = v * 16 + hexval((unsigned char)p[k]), k++;
        *used = k;
        return v;
    }
    default:
        if (pve_char_alnum((unsigned char)p[0]) || p[0] == '\0')
            return -1; /* classes, backreferences, anchors: handled elsewhere or unsupported */
        return (unsigned char)p[0];
    }
}

/* Adds the ASCII members of the POSIX class name[0..n) ("alpha" of "[:alpha:]") to set; an
 * unknown name adds nothing. */
static void posix_class_add(bool set[256], const char *name, size_t n)
{
    for (int c = 1; c < 128; c++) {
        bool in = (n == 5 && strncmp(name, "alnum", 5) == 0 && pve_char_alnum(c)) ||
                  (n == 5 && strncmp(name, "alpha", 5) == 0 && pve_char_alpha(c)) ||
                  (n == 5 && strncmp(name, "digit", 5) == 0 && pve_char_digit(c)) ||
                  (n == 5 && strncmp(name, "space", 5) == 0 && pve_char_space(c)) ||
                  (n == 5 && strncmp(name, "upper", 5) == 0 && isupper(c)) ||
                  (n == 5 && strncmp(name, "lower", 5) == 0 && islower(c)) ||
                  (n == 6 && strncmp(name, "xdigit", 6) == 0 && pve_char_xdigit(c)) ||
                  (n == 4 && strncmp(name, "word", 4) == 0 && pve_char_word(c)) ||
                  (n == 5 && strncmp(name, "punct", 5) == 0 && ispunct(c));
        if (in)
            set[c] = true;
    }
}

/* One byte of a bracket class at p: an escape (\n, \x41, \-, ...) or the byte itself. Returns
 * the pointer after it with the byte in *v, or NULL for an escape that is not one byte. */
static const char *bracket_byte(const char *p, int *v)
{
    if (*p != '\\') {
        *v = (unsigned char)*p;
        return p + 1;
    }
    int used;
    *v = escape_byte(p + 1, &used);
    return *v < 0 ? NULL : p + 1 + used;
}

/* Parses a Perl bracket class starting after '['; returns pointer after ']' or NULL. */
static const char *parse_bracket(const char *p, bool icase, struct sbuf *b)
{
    bool set[256] = {false};
    bool negate = false;
    if (*p == '^')
        negate = true, p++;
    bool first = true;
    while (*p && (*p != ']' || first)) {
        first = false;
        int lo;
        if (p[0] == '[' && p[1] == ':') {
            const char *end = strstr(p + 2, ":]");
            if (!end)
                return NULL;
            posix_class_add(set, p + 2, (size_t)(end - (p + 2)));
            p = end + 2;
            continue;
        }
        char e = p[0] == '\\' ? p[1] : '\0';
        if (e == 'd' || e == 's' || e == 'w' || e == 'D' || e == 'S' || e == 'W') {
            set_class(set, (char)tolower((unsigned char)e), islower((unsigned char)e) != 0);
            p += 2;
            continue;
        }
        p = bracket_byte(p, &lo);
        if (!p)
            return NULL;
        if (p[0] == '-' && p[1] && p[1] != ']') {
            int hi;
            p = bracket_byte(p + 1, &hi);
            if (!p || hi < lo)
                return NULL;
            for (int c = lo; c <= hi; c++)
                set[c] = true;
        } else {
            set[lo] = true;
        }
    }
    if (*p != ']')
        return NULL;
    if (icase)
        for (int c = 'a'; c <= 'z'; c++)
            if (set[c] || set[toupper(c)])
                set[c] = set[toupper(c)] = true;
    set[0] = false;
    for (int c = 128; c < 256; c++) /* non-ASCII never occurs in the schema's classes */
        set[c] = false;
    ere_set(b, set, negate);
    return p + 1;
}

/* The translation state: the output, the (?i) flag in force and the flags saved at each open
 * group. */
struct ere_tr {
    struct sbuf b;
    bool stack[64];
    int depth;
    bool icase;
};

/* "(" or "(?flags:" at p: saves the flags and sets the group's. Returns the pointer after it, or
 * NULL when the groups nest too deep or use what POSIX has not (lookaround, named groups, the x
 * flag, inline modifiers). */
static const char *tr_group_open(struct ere_tr *t, const char *p)
{
    if (t->depth == 64)
        return NULL;
    t->stack[t->depth++] = t->icase;
    if (p[1] == '?') {
        const char *q = p + 2;
        bool ni = t->icase;
        if (*q == '^')
            ni = false, q++;
        while (pve_char_alpha((unsigned char)*q)) {
            if (*q == 'i')
                ni = true;
            else if (*q != 's' && *q != 'm')
                return NULL; /* x, etc.: unsupported */
            q++;
        }
        if (*q != ':')
            return NULL; /* lookaround, inline modifiers, named groups */
        t->icase = ni;
        p = q + 1;
    } else {
        p++;
    }
    sb_putc(&t->b, '(');
    return p;
}

/* The escape at p (the backslash): a class (\d \s \w and their negations) or one literal byte.
 * Returns the pointer after it, or NULL (backreferences, anchors and other unsupported ones). */
static const char *tr_escape(struct ere_tr *t, const char *p)
{
    char e = p[1];
    if (e == 'd' || e == 's' || e == 'w' || e == 'D' || e == 'S' || e == 'W') {
        bool set[256] = {false};
        bool neg = isupper((unsigned char)e) != 0;
        set_class(set, (char)tolower((unsigned char)e), true);
        for (int k = 128; k < 256; k++)
            set[k] = false;
        ere_set(&t->b, set, neg);
        return p + 2;
    }
    int used;
    int v = escape_byte(p + 1, &used);
    if (v < 0)
        return NULL;
    ere_literal(&t->b, (unsigned char)v, t->icase);
    return p + 1 + used;
}

/* The brace at p: a quantifier {n} {n,} {n,m} {,m} (sets *quant); anything else is a literal
 * brace in Perl. Returns the pointer after it. */
static const char *tr_brace(struct ere_tr *t, const char *p, bool *quant)
{
    const char *q = p + 1;
    char lo[16] = "", hi[16] = "";
    size_t ln = 0, hn = 0;
    bool comma = false;
    while (pve_char_digit((unsigned char)*q) && ln < 15)
        lo[ln++] = *q++;
    lo[ln] = '\0';
    if (*q == ',') {
        comma = true;
        q++;
        while (pve_char_digit((unsigned char)*q) && hn < 15)
            hi[hn++] = *q++;
        hi[hn] = '\0';
    }
    if (*q == '}' && (ln > 0 || hn > 0)) {
        sb_putc(&t->b, '{');
        sb_puts(&t->b, ln ? lo : "0");
        if (comma) {
            sb_putc(&t->b, ',');
            sb_puts(&t->b, hi);
        }
        sb_putc(&t->b, '}');
        *quant = true;
        return q + 1;
    }
    sb_puts(&t->b, "\\{");
    return p + 1;
}

/* Translates what starts at p: a group bracket, an atom or an operator. Returns the pointer after
 * it (and after the lazy or possessive modifier of a quantifier), or NULL when it cannot be
 * translated. */
static const char *tr_step(struct ere_tr *t, const char *p)
{
    char c = *p;
    bool quant = false;
    if (c == '(')
        return tr_group_open(t, p);
    if (c == ')') {
        if (t->depth == 0)
            return NULL;
        t->icase = t->stack[--t->depth];
        sb_putc(&t->b, ')');
        p++;
    } else if (c == '[') {
        p = parse_bracket(p + 1, t->icase, &t->b);
    } else if (c == '\\') {
        p = tr_escape(t, p);
    } else if (c == '.') {
        sb_puts(&t->b, "[^\n]");
        p++;
    } else if (c == '{') {
        p = tr_brace(t, p, &quant);
    } else if (c == '*' || c == '+' || c == '?') {
        sb_putc(&t->b, c);
        p++;
        quant = true;
    } else if (c == '|' || c == '^' || c == '$') {
        sb_putc(&t->b, c);
        p++;
    } else {
        ere_literal(&t->b, (unsigned char)c, t->icase);
        p++;
    }
    if (p && quant && (*p == '?' || *p == '+'))
        p++; /* lazy / possessive modifiers do not change whether a full match exists */
    return p;
}

int pve_pattern_to_ere(const char *pattern, char *out, size_t outlen)
{
    struct ere_tr t = {.b = {out, 0, outlen, false}};
    if (!pattern || !out || outlen < 3)
        return -1;
    out[0] = '\0';
    sb_putc(&t.b, '^');
    const char *p = pattern;
    while (p && *p && !t.b.overflow)
        p = tr_step(&t, p);
    if (!p || t.depth != 0)
        return -1;
    sb_putc(&t.b, '$');
    return t.b.overflow ? -1 : 0;
}

/* ---- compiled pattern cache ------------------------------------------------------------- */

struct pattern_entry {
    char *pattern;
    regex_t re;
    bool ok;
    struct pattern_entry *next;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pattern_entry *cache_head;

static struct pattern_entry *pattern_get(const char *pattern)
{
    pthread_mutex_lock(&cache_lock);
    struct pattern_entry *e = cache_head;
    while (e && strcmp(e->pattern, pattern) != 0)
        e = e->next;
    if (!e) {
        e = calloc(1, sizeof(*e));
        if (e)
            e->pattern = strdup(pattern);
        if (!e || !e->pattern) {
            free(e);
            pthread_mutex_unlock(&cache_lock);
            return NULL;
        }
        size_t cap = strlen(pattern) * 24 + 64;
        char *ere = malloc(cap);
        if (ere && pve_pattern_to_ere(pattern, ere, cap) == 0)
            e->ok = regcomp(&e->re, ere, REG_EXTENDED | REG_NOSUB) == 0;
        free(ere);
        e->next = cache_head;
        cache_head = e;
    }
    pthread_mutex_unlock(&cache_lock);
    return e;
}

__attribute__((destructor)) static void pattern_cache_free(void)
{
    pthread_mutex_lock(&cache_lock);
    struct pattern_entry *e = cache_head;
    cache_head = NULL;
    pthread_mutex_unlock(&cache_lock);
    while (e) {
        struct pattern_entry *next = e->next;
        if (e->ok)
            regfree(&e->re);
        free(e->pattern);
        free(e);
        e = next;
    }
}

int pve_pattern_match(const char *pattern, const char *value)
{
    if (!pattern || !value)
        return -1;
    struct pattern_entry *e = pattern_get(pattern);
    if (!e || !e->ok)
        return -1;
    return regexec(&e->re, value, 0, NULL, 0) == 0 ? 1 : 0;
}
