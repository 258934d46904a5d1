/* pve_chars: the ASCII character classes of Perl's regexes (\d \s \w, [:alpha:], [:alnum:],
 * [:xdigit:]) as PVE's formats and schema patterns use them; non-ASCII bytes are in none. */
#ifndef PVE_CHARS_H
#define PVE_CHARS_H

#include <stdbool.h>

bool pve_char_alnum(int c);  /* [A-Za-z0-9] */
bool pve_char_alpha(int c);  /* [A-Za-z] */
bool pve_char_digit(int c);  /* \d: [0-9] */
bool pve_char_space(int c);  /* \s: space, \t, \n, \v, \f, \r */
bool pve_char_word(int c);   /* \w: [A-Za-z0-9_] */
bool pve_char_xdigit(int c); /* [0-9A-Fa-f] */

#endif
