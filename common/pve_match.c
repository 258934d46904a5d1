/* pve_match: the fixed regexes behind PVE's formats (PVE::Tools $IPV4RE, $IPV6RE, $EMAIL_RE;
 * JSONSchema's DNS label, realm, userid, vmid, iface and id regexes) as hand-written matchers. */
#include "pve_match.h"
#include "pve_chars.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* ^[a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?$ over s[0..n) */
bool pve_match_label(const char *s, size_t n)
{
    if (n == 0 || !pve_char_alnum((unsigned char)s[0]) || !pve_char_alnum((unsigned char)s[n - 1]))
        return false;
    return pve_chars_all(s, n, 1, pve_char_node);
}

/* ^[A-Za-z][A-Za-z0-9\.\-_]+$ over s[0..n) */
bool pve_match_realm(const char *s, size_t n)
{
    return n >= 2 && pve_char_alpha((unsigned char)s[0]) &&
           pve_chars_all(s + 1, n - 1, 1, pve_char_id);
}

/* ^[^\s:/]+@realm$ (no length limits), s[0..n) */
bool pve_match_user_at_realm(const char *s, size_t n)
{
    const char *at = NULL;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '@')
            at = s + i; /* realm cannot contain '@': the last one separates */
    if (!at)
        return false;
    size_t ulen = (size_t)(at - s);
    return pve_chars_all(s, ulen, 1, pve_char_user) && pve_match_realm(at + 1, n - ulen - 1);
}

/* ^[1-9][0-9]{2,8}$ */
bool pve_match_vmid(const char *s)
{
    size_t n = strlen(s);
    return n >= 3 && n <= 9 && s[0] >= '1' && s[0] <= '9' && pve_chars_all(s, n, 3, pve_char_digit);
}

/* Perl-style IPv4 octets: 25[0-5]|(2[0-4]|1[0-9]|[1-9])?[0-9], no leading zeros. */
bool pve_match_ipv4(const char *s, size_t n)
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        size_t start = i;
        while (i < n && pve_char_digit((unsigned char)s[i]))
            i++;
        size_t len = i - start;
        if (len == 0 || len > 3 || (len > 1 && s[start] == '0'))
            return false;
        int v = 0;
        for (size_t k = start; k < i; k++)
            v = v * 10 + (s[k] - '0');
        if (v > 255)
            return false;
        if (part < 3) {
            if (i >= n || s[i] != '.')
                return false;
            i++;
        }
    }
    return i == n;
}

/* RFC 4291 text form (the grammar of PVE::Tools::$IPV6RE), s[0..n). */
bool pve_match_ipv6(const char *s, size_t n)
{
    char buf[64];
    unsigned char out[16];
    if (n == 0 || n >= sizeof(buf))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(pve_char_xdigit((unsigned char)s[i]) || s[i] == ':' || s[i] == '.'))
            return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    /* The embedded IPv4 part must follow $IPV4RE (no leading zeros) too. */
    const char *dot = strchr(buf, '.');
    if (dot) {
        const char *v4 = strrchr(buf, ':');
        if (!v4 || v4 > dot || !pve_match_ipv4(v4 + 1, strlen(v4 + 1)))
            return false;
    }
    return inet_pton(AF_INET6, buf, out) == 1;
}

/* "<ip>/<bits>" with lo < bits <= hi; v6 selects the family. */
bool pve_match_cidr(const char *s, bool v6, int lo, int hi)
{
    const char *slash = strrchr(s, '/');
    if (!slash || !slash[1])
        return false;
    size_t iplen = (size_t)(slash - s);
    if (v6 ? !pve_match_ipv6(s, iplen) : !pve_match_ipv4(s, iplen))
        return false;
    const char *b = slash + 1;
    if (!pve_chars_all(b, strlen(b), 1, pve_char_digit) || strlen(b) > 4)
        return false;
    int bits = atoi(b);
    return bits > lo && bits <= hi;
}

/* True when every dot-separated part of s[0..n) is non-empty and all in the class. */
static bool dotted_all(const char *s, size_t n, bool (*cls)(int))
{
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (!pve_chars_all(s + start, i - start, 1, cls))
                return false;
            start = i + 1;
        }
    }
    return true;
}

/* PVE::Tools::$EMAIL_USER_RE: [\w\+\-\~]+(\.[\w\+\-\~]+)* over s[0..n) */
bool pve_match_email_user(const char *s, size_t n)
{
    return dotted_all(s, n, pve_char_email);
}

/* PVE::Tools::$EMAIL_RE */
bool pve_match_email(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || !pve_match_email_user(s, (size_t)(at - s)))
        return false;
    return dotted_all(at + 1, strlen(at + 1), pve_char_node);
}

/* A DNS name: labels (pve_match_label) joined by dots */
bool pve_match_dns_name(const char *s)
{
    size_t start = 0, n = strlen(s);
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (!pve_match_label(s + start, i - start))
                return false;
            start = i + 1;
        }
    }
    return true;
}

/* ^[a-z][a-z0-9_]{1,20}([:\.]\d+)?$/i */
bool pve_match_iface(const char *s)
{
    size_t n = strlen(s), i = 1;
    if (n < 2 || !pve_char_alpha((unsigned char)s[0]))
        return false;
    while (i < n && (pve_char_alnum((unsigned char)s[i]) || s[i] == '_'))
        i++;
    size_t body = i - 1;
    if (body < 1)
        return false;
    if (i < n) {
        if (s[i] != ':' && s[i] != '.')
            return false;
        if (!pve_chars_all(s + i + 1, n - i - 1, 1, pve_char_digit))
            return false;
    }
    /* The {1,20} cap: with a suffix the body must fit; without one the greedy body is all. */
    return body <= 20;
}

/* ^[a-z][a-z0-9\-\_\.]*[a-z0-9]$/i */
bool pve_match_parse_id(const char *s)
{
    size_t n = strlen(s);
    return n >= 2 && pve_char_alpha((unsigned char)s[0]) &&
           pve_char_alnum((unsigned char)s[n - 1]) && pve_chars_all(s, n, 2, pve_char_id);
}

/* ^[a-z][a-z0-9]*[a-z0-9]$/i (SDN object ids) */
bool pve_match_sdn_id(const char *s)
{
    size_t n = strlen(s);
    return n >= 2 && pve_char_alpha((unsigned char)s[0]) && pve_chars_all(s, n, 2, pve_char_alnum);
}
