/* prompt: line input for the interactive menu: libedit line editing on a terminal, plain lines
 * otherwise; numbered choices, defaults in brackets, re-asking on invalid input; colour on demand.
 */
#ifndef DS_PROMPT_H
#define DS_PROMPT_H

#include <stddef.h>

/* Sets up the input (libedit when stdin is a terminal) and the Ctrl-C handling: from here on
 * SIGINT only marks the session as cancelled, so a running operation finishes first and the
 * next prompt returns "cancelled". Call prompt_end() before leaving. */
void prompt_init(void);
void prompt_end(void);

/* 1 after EOF or Ctrl-C: every prompt then returns NULL / -1 at once. */
int prompt_cancelled(void);

/* 1 when stdout is a terminal, NO_COLOR is unset and TERM is not "dumb". */
int prompt_color(void);

/* Prints a heading (bold on a colour terminal, with `emoji` in front when not NULL). */
void prompt_title(const char *emoji, const char *text);
/* Prints an error line ("✗ text" in red on a colour terminal, "error: text" otherwise). */
void prompt_error(const char *text);
/* Prints a success line ("✓ text" in green, "ok: text" otherwise). */
void prompt_ok(const char *text);

/* Asks `question` ("question [dflt]: "); returns the answer without its newline, trimmed, or a
 * copy of dflt when the answer is empty (dflt may be NULL: then "" is returned). malloc'd; NULL
 * at EOF or Ctrl-C. */
char *prompt_ask(const char *question, const char *dflt);
/* The same, re-asking (with a message) until the answer is not empty. */
char *prompt_ask_required(const char *question, const char *dflt);
/* Asks without echo on a terminal (a password); malloc'd, wipe with secret_free; NULL at EOF or
 * Ctrl-C. */
char *prompt_secret(const char *question);
/* What an answer to a yes/no question means, the same everywhere deploy-stand asks one: 1 for
 * y or yes, 0 for n or no, and also their translations (д, да, н, нет in Russian), in any letter
 * case with blanks around ignored; -1 for anything else. */
int prompt_answer(const char *s);
/* Yes/no with a default (1 yes / 0 no): returns 1, 0, or -1 at EOF / Ctrl-C; re-asks on other
 * answers. */
int prompt_yesno(const char *question, int dflt);
/* For the commands (no prompt_init needed): prints "question [y/N] " to stderr and reads one line
 * from stdin byte by byte (nothing after it is consumed). 1 when prompt_answer says yes; 0 for
 * anything else, EOF and errors included. */
int prompt_confirm(const char *question);
/* Asks the user to type `expect` exactly: 1 when they did, 0 otherwise, -1 at EOF / Ctrl-C. */
int prompt_typed(const char *question, const char *expect);
/* Asks for a whole number in [min, max] (dflt shown when >= min); re-asks on anything else.
 * Returns 0 and *out, or -1 at EOF / Ctrl-C. */
int prompt_number(const char *question, long min, long max, long dflt, long *out);

/* One entry of a menu: what to type (`key`, e.g. "1"), an optional second key (`hotkey`, e.g.
 * "d"), and the label. */
struct prompt_item {
    const char *key;
    const char *hotkey; /* may be NULL */
    const char *label;
};
/* Prints the items ("  1) label  [d]"; labels go through gettext, so N_() labels may be passed as
 * they are) and asks until a key or hotkey of one of them is typed
 * (case-insensitive for hotkeys). dflt: the index chosen on an empty answer, or -1 for none.
 * Returns the index, or -1 at EOF / Ctrl-C. */
int prompt_menu(const char *question, const struct prompt_item *items, size_t n, int dflt);

enum { PROMPT_BACK = -2 };
/* Prints "  1) names[0]" ... and "  0) back" and asks for a number: returns the index (0-based),
 * PROMPT_BACK for 0, -1 at EOF / Ctrl-C. An empty answer picks dflt when dflt >= 0. */
int prompt_pick(const char *question, char *const *names, size_t n, int dflt);

#endif
