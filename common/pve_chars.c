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
