/* pve_pattern: PVE schema `pattern`s (Perl regexes) matched as PVE matches them, by translation to
 * an anchored POSIX ERE that is compiled once per pattern and cached for the process lifetime. */
#ifndef PVE_PATTERN_H
#define PVE_PATTERN_H

#include <stddef.h>

/* Matches `value` against a schema `pattern` the way PVE does (`$value =~ m/^$pattern$/`):
 * Perl syntax incl. "(?^:...)"/"(?^i:...)" groups, \d \s \w classes, {,n} quantifiers.
 * Patterns are translated to POSIX ERE once and cached for the process lifetime (freed at exit).
 * Returns 1 on match, 0 on no match, -1 when the pattern cannot be translated. Thread-safe. */
int pve_pattern_match(const char *pattern, const char *value);

/* Translates a Perl pattern into an anchored POSIX ERE ("^" + translation + "$") into out.
 * Returns 0, or -1 when it does not fit or uses unsupported syntax (backreferences, lookaround). */
int pve_pattern_to_ere(const char *pattern, char *out, size_t outlen);

#endif
