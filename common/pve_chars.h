/* pve_chars: the ASCII character classes of Perl's regexes (\d \s \w, [:alpha:], ...) and of PVE's
 * format regexes ([A-Za-z0-9.\-_], ...) as byte predicates; non-ASCII bytes are in none. */
#ifndef PVE_CHARS_H
#define PVE_CHARS_H

#include <stdbool.h>
#include <stddef.h>

bool pve_char_alnum(int c);  /* [A-Za-z0-9] */
bool pve_char_alpha(int c);  /* [A-Za-z] */
bool pve_char_digit(int c);  /* \d: [0-9] */
bool pve_char_space(int c);  /* \s: space, \t, \n, \v, \f, \r */
bool pve_char_word(int c);   /* \w: [A-Za-z0-9_] */
bool pve_char_xdigit(int c); /* [0-9A-Fa-f] */

/* The bracket classes of PVE's format regexes. */
bool pve_char_id(int c);    /* [A-Za-z0-9.\-_] (ids: groups, roles, pools, bridges, realms) */
bool pve_char_tag(int c);   /* [a-z0-9_\-+.] /i (tag tail) */
bool pve_char_node(int c);  /* [a-zA-Z0-9\-] (DNS labels) */
bool pve_char_email(int c); /* [\w\+\-\~] (email user part) */
bool pve_char_user(int c);  /* [^\s:/] (user part of a userid) */

/* True when every byte of s[0..n) is in the class and n >= min. */
bool pve_chars_all(const char *s, size_t n, size_t min, bool (*cls)(int));

#endif
