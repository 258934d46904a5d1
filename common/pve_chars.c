/* pve_chars: the ASCII character classes of Perl's regexes (\d \s \w, [:alpha:], [:alnum:],
 * [:xdigit:]) as PVE's formats and schema patterns use them; non-ASCII bytes are in none. */
#include "pve_chars.h"

bool pve_char_alnum(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool pve_char_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool pve_char_digit(int c)
{
    return c >= '0' && c <= '9';
}

bool pve_char_space(int c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

bool pve_char_word(int c)
{
    return pve_char_alnum(c) || c == '_';
}

bool pve_char_xdigit(int c)
{
    return pve_char_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* ---- the bracket classes of PVE's format regexes ------------------------------------------ */

/* [A-Za-z0-9.\-_] */
bool pve_char_id(int c)
{
    return pve_char_alnum(c) || c == '.' || c == '-' || c == '_';
}
/* [a-z0-9_\-+.] /i (tag tail) */
bool pve_char_tag(int c)
{
    return pve_char_alnum(c) || c == '_' || c == '-' || c == '+' || c == '.';
}
/* [a-zA-Z0-9\-] */
bool pve_char_node(int c)
{
    return pve_char_alnum(c) || c == '-';
}
/* [\w\+\-\~] (email user part) */
bool pve_char_email(int c)
{
    return pve_char_word(c) || c == '+' || c == '-' || c == '~';
}
/* [^\s:/] (user part of a userid) */
bool pve_char_user(int c)
{
    return !pve_char_space(c) && c != ':' && c != '/' && c != '\0';
}

/* True when every byte of s[0..n) is in the class and n >= min. */
bool pve_chars_all(const char *s, size_t n, size_t min, bool (*cls)(int))
{
    if (n < min)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!cls((unsigned char)s[i]))
            return false;
    return true;
}
