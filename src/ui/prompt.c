/* prompt: line input for the interactive menu: libedit line editing on a terminal, plain lines
 * otherwise; numbered choices, defaults in brackets, re-asking on invalid input; colour on demand.
 */
#include "ui/prompt.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <editline/readline.h>

#include "store/secrets.h"
#include "util/i18n.h"

#define LINE_MAX_LEN 4096

static volatile sig_atomic_t g_sigint;
static int g_cancelled, g_tty, g_color, g_ready;
static struct sigaction g_old_int;

static void on_sigint(int sig)
{
    (void)sig;
    g_sigint = 1;
}

void prompt_init(void)
{
    if (g_ready)
        return;
    g_ready = 1;
    g_tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
    const char *term = getenv("TERM");
    const char *nc = getenv("NO_COLOR");
    g_color = isatty(STDOUT_FILENO) && !(nc && *nc) && !(term && strcmp(term, "dumb") == 0) &&
              term && *term;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint; /* no SA_RESTART: a blocked read returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &g_old_int);
    if (g_tty) {
        rl_catch_signals = 0;
        rl_catch_sigwinch = 0;
        rl_instream = stdin;
        rl_outstream = stdout;
        rl_initialize();
    }
}

void prompt_end(void)
{
    if (!g_ready)
        return;
    if (g_tty)
        clear_history();
    sigaction(SIGINT, &g_old_int, NULL);
    g_ready = 0;
}

int prompt_cancelled(void)
{
    if (g_sigint)
        g_cancelled = 1;
    return g_cancelled;
}

int prompt_color(void)
{
    return g_color;
}

void prompt_title(const char *emoji, const char *text)
{
    if (g_color)
        printf("\n\033[1m%s%s%s\033[0m\n", emoji ? emoji : "", emoji ? " " : "", text);
    else
        printf("\n%s\n", text);
    fflush(stdout);
}

void prompt_error(const char *text)
{
    if (g_color)
        printf("\033[31m✗ %s\033[0m\n", text);
    else
        printf(_("error: %s\n"), text);
    fflush(stdout);
}

void prompt_ok(const char *text)
{
    if (g_color)
        printf("\033[32m✓ %s\033[0m\n", text);
    else
        printf(_("ok: %s\n"), text);
    fflush(stdout);
}

/* ---- reading one line ---------------------------------------------------------------------- */

static char *g_line;
static int g_line_done;

static void on_line(char *line)
{
    g_line = line;
    g_line_done = 1;
    rl_callback_handler_remove();
}

/* libedit's callback interface, so that Ctrl-C (EINTR in poll) and a hang-up end the wait. */
static char *tty_line(const char *prompt)
{
    g_line = NULL;
    g_line_done = 0;
    rl_callback_handler_install(prompt, on_line);
    while (!g_line_done) {
        if (g_sigint)
            break;
        struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
        int r = poll(&p, 1, -1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p.revents & POLLIN) {
            int avail = 0;
            if (ioctl(STDIN_FILENO, FIONREAD, &avail) == 0 && avail <= 0)
                break; /* readable without data: the terminal hung up */
            rl_callback_read_char();
        } else if (p.revents & (POLLHUP | POLLERR | POLLNVAL)) {
            break;
        }
    }
    if (!g_line_done) {
        rl_callback_handler_remove();
        fputc('\n', stdout);
        fflush(stdout);
        return NULL;
    }
    if (!g_line) /* Ctrl-D on an empty line */
        fputc('\n', stdout);
    return g_line;
}

static char *plain_line(const char *prompt)
{
    fputs(prompt, stdout);
    fflush(stdout);
    char *buf = NULL;
    size_t cap = 0;
    ssize_t n = getline(&buf, &cap, stdin);
    if (n < 0 || g_sigint) {
        free(buf);
        fputc('\n', stdout);
        fflush(stdout);
        return NULL;
    }
    if (n > LINE_MAX_LEN)
        buf[LINE_MAX_LEN] = '\0';
    return buf;
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    size_t i = 0;
    while (s[i] && isspace((unsigned char)s[i]))
        i++;
    memmove(s, s + i, n - i + 1);
}

/* One answer (trimmed, malloc'd) or NULL at EOF / Ctrl-C (which then cancels every prompt). */
static char *line_get(const char *prompt, int history)
{
    if (prompt_cancelled())
        return NULL;
    char *s = g_tty ? tty_line(prompt) : plain_line(prompt);
    if (!s || g_sigint) {
        free(s);
        g_cancelled = 1;
        return NULL;
    }
    trim(s);
    if (g_tty && history && *s)
        add_history(s);
    return s;
}

char *prompt_ask(const char *question, const char *dflt)
{
    char *p = NULL;
    int n =
        dflt && *dflt ? asprintf(&p, "%s [%s]: ", question, dflt) : asprintf(&p, "%s: ", question);
    if (n < 0)
        return NULL;
    char *s = line_get(p, 1);
    free(p);
    if (s && !*s && dflt) {
        free(s);
        s = strdup(dflt);
    }
    return s;
}

char *prompt_ask_required(const char *question, const char *dflt)
{
    for (;;) {
        char *s = prompt_ask(question, dflt);
        if (!s || *s)
            return s;
        free(s);
        prompt_error(_("An answer is needed here; press Ctrl-D to leave."));
    }
}

char *prompt_secret(const char *question)
{
    if (prompt_cancelled())
        return NULL;
    struct termios old, quiet;
    int term = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    if (term) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        quiet.c_lflag |= ICANON | ISIG;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    /* echo is off before the question shows: nothing typed after it can appear */
    printf("%s: ", question);
    fflush(stdout);
    char *buf = malloc(LINE_MAX_LEN + 1);
    size_t n = 0;
    int ok = buf != NULL;
    while (ok && n < LINE_MAX_LEN) {
        char ch;
        ssize_t r = term ? read(STDIN_FILENO, &ch, 1) : (ssize_t)fread(&ch, 1, 1, stdin);
        if (g_sigint || r < 0 || (r == 0 && n == 0)) {
            ok = 0;
            break;
        }
        if (r == 0 || ch == '\n')
            break;
        buf[n++] = ch;
    }
    if (term)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    fputc('\n', stdout);
    fflush(stdout);
    if (!ok) {
        if (buf) {
            buf[n] = '\0';
            secret_free(buf);
        }
        g_cancelled = 1;
        return NULL;
    }
    while (n && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    return buf;
}

/* Folds the ASCII and Cyrillic capitals of UTF-8 s to small letters in place (Ё too). */
static void fold_case(char *s)
{
    unsigned char *u = (unsigned char *)s;
    for (; *u; u++) {
        if (*u < 0x80) {
            *u = (unsigned char)tolower(*u);
        } else if (*u == 0xD0 && u[1] >= 0x90 && u[1] <= 0x9F) { /* А..П -> а..п */
            u[1] += 0x20;
            u++;
        } else if (*u == 0xD0 && u[1] >= 0xA0 && u[1] <= 0xAF) { /* Р..Я -> р..я */
            u[0] = 0xD1;
            u[1] -= 0x20;
            u++;
        } else if (*u == 0xD0 && u[1] == 0x81) { /* Ё -> ё */
            u[0] = 0xD1;
            u[1] = 0x91;
            u++;
        }
    }
}

/* 1 when folded equals one of the words (each folded the same way). */
static int answer_is(const char *folded, const char *const *words, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char w[32];
        snprintf(w, sizeof w, "%s", words[i]);
        fold_case(w);
        if (strcmp(folded, w) == 0)
            return 1;
    }
    return 0;
}

int prompt_answer(const char *s)
{
    if (!s)
        return -1;
    while (isspace((unsigned char)*s))
        s++;
    char a[32];
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (n >= sizeof a)
        return -1;
    memcpy(a, s, n);
    a[n] = '\0';
    fold_case(a);
    const char *yes[] = {"y", "yes", _("y"), _("yes")};
    const char *no[] = {"n", "no", _("n"), _("no")};
    if (answer_is(a, yes, sizeof yes / sizeof *yes))
        return 1;
    if (answer_is(a, no, sizeof no / sizeof *no))
        return 0;
    return -1;
}

int prompt_yesno(const char *question, int dflt)
{
    for (;;) {
        char *p = NULL;
        if (asprintf(&p, "%s [%s]", question, dflt ? _("Y/n") : _("y/N")) < 0)
            return -1;
        char *s = prompt_ask(p, NULL);
        free(p);
        if (!s)
            return -1;
        int r = *s ? prompt_answer(s) : dflt ? 1 : 0;
        free(s);
        if (r >= 0)
            return r;
        prompt_error(_("Please answer y (yes) or n (no)."));
    }
}

int prompt_confirm(const char *question)
{
    fprintf(stderr, "%s [%s] ", question, _("y/N"));
    fflush(stderr);
    char line[64];
    size_t n = 0;
    for (;;) {
        char ch;
        ssize_t r = read(STDIN_FILENO, &ch, 1);
        if (r < 0 && errno == EINTR && !g_sigint)
            continue;
        if (r < 0 || (r == 0 && n == 0))
            return 0;
        if (r == 0 || ch == '\n')
            break;
        if (n + 1 < sizeof line)
            line[n++] = ch;
    }
    line[n] = '\0';
    return prompt_answer(line) == 1;
}

int prompt_typed(const char *question, const char *expect)
{
    char *s = prompt_ask(question, NULL);
    if (!s)
        return -1;
    int ok = strcmp(s, expect) == 0;
    free(s);
    return ok;
}

/* 1 and *out when s is a whole decimal number. */
static int number_parse(const char *s, long *out)
{
    if (!*s)
        return 0;
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || !isdigit((unsigned char)s[s[0] == '-' || s[0] == '+'])) /* NOLINT */
        return 0;
    *out = v;
    return 1;
}

int prompt_number(const char *question, long min, long max, long dflt, long *out)
{
    char d[32];
    snprintf(d, sizeof d, "%ld", dflt);
    for (;;) {
        char *s = prompt_ask(question, dflt >= min ? d : NULL);
        if (!s)
            return -1;
        long v;
        int ok = number_parse(s, &v) && v >= min && v <= max;
        free(s);
        if (ok) {
            *out = v;
            return 0;
        }
        char msg[160];
        snprintf(msg, sizeof msg, _("Please type a number from %ld to %ld."), min, max);
        prompt_error(msg);
    }
}

/* Characters (code points) in a UTF-8 string. */
static size_t utf8_width_u(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}
#define utf8_width(s) ((long)utf8_width_u(s))

int prompt_menu(const char *question, const struct prompt_item *items, size_t n, int dflt)
{
    for (size_t i = 0; i < n; i++) {
        const char *label = _(items[i].label); /* N_() labels; others pass through unchanged */
        if (items[i].hotkey) /* pad by characters, not bytes: labels may be Cyrillic */
            printf("  %s) %s%*s [%s]\n", items[i].key, label,
                   (int)(44 - utf8_width(label) > 0 ? 44 - utf8_width(label) : 0), "",
                   items[i].hotkey);
        else
            printf("  %s) %s\n", items[i].key, label);
    }
    for (;;) {
        char *s = prompt_ask(question, dflt >= 0 && (size_t)dflt < n ? items[dflt].key : NULL);
        if (!s)
            return -1;
        int found = -1;
        for (size_t i = 0; found < 0 && i < n; i++)
            if (strcmp(s, items[i].key) == 0 ||
                (items[i].hotkey && strcasecmp(s, items[i].hotkey) == 0))
                found = (int)i;
        char *copy = strdup(s);
        free(s);
        if (found >= 0) {
            free(copy);
            return found;
        }
        char msg[600];
        snprintf(msg, sizeof msg,
                 _("'%.60s' is not one of the choices; type the number or letter shown."),
                 copy ? copy : "");
        free(copy);
        prompt_error(msg);
    }
}

int prompt_pick(const char *question, char *const *names, size_t n, int dflt)
{
    for (size_t i = 0; i < n; i++)
        printf("  %zu) %s\n", i + 1, names[i]);
    printf(_("  0) back\n"));
    long v;
    if (prompt_number(question, 0, (long)n, dflt >= 0 ? dflt + 1 : -1, &v) < 0)
        return -1;
    return v == 0 ? PROMPT_BACK : (int)v - 1;
}
