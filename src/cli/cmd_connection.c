/* cmd_connection: `deploy-stand connection add|list|test|encrypt|default|delete`: the table of
 * sub-commands and what only a terminal does (secrets, trust); the work is app_conn's. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "app/app_conn.h"
#include "cli/cli_front.h"
#include "cli/conn_view.h"
#include "store/secrets.h"
#include "ui/prompt.h"
#include "util/err.h"
#include "util/i18n.h"

#define SECRET_MAX 4096

/* ---- secrets on the terminal / stdin --------------------------------------------------------- */

/* Reads one line (without the newline) from fd into a malloc'd buffer. -1 when nothing. */
static int line_read(int fd, char **out)
{
    char *buf = malloc(SECRET_MAX + 1);
    size_t n = 0;
    if (!buf)
        return -1;
    while (n < SECRET_MAX) {
        ssize_t r = read(fd, buf + n, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0 || buf[n] == '\n')
            break;
        n++;
    }
    while (n && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    *out = buf;
    return 0;
}

/* The secret: from stdin (--*-stdin), else asked on the terminal with echo off. */
static int secret_read(int from_stdin, const char *what, char **out)
{
    *out = NULL;
    if (!from_stdin) {
        if (!isatty(STDIN_FILENO)) {
            cli_error(_("pass it on stdin, e.g. `printf '%s' \"$PW\" | deploy-stand connection add "
                        "... --password-stdin` (or --token-value-stdin)"),
                      _("no %s given and no terminal to ask for it"), what);
            return EXIT_USAGE;
        }
        struct termios old, quiet;
        int term = tcgetattr(STDIN_FILENO, &old) == 0;
        if (term) {
            quiet = old;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        }
        fprintf(stderr, "%s: ", what);
        fflush(stderr);
        line_read(STDIN_FILENO, out);
        if (term)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    } else {
        line_read(STDIN_FILENO, out);
    }
    if (!*out || !**out) {
        secret_free(*out);
        *out = NULL;
        cli_error(from_stdin ? "write it as the first line of stdin" : NULL, _("the %s is empty"),
                  what);
        return EXIT_USAGE;
    }
    return 0;
}

/* ---- connection add ---------------------------------------------------------------------- */

struct add_args {
    const char *host, *user, *token_name, *fingerprint;
    int password_stdin, token_value_stdin, trust, make_default;
    const char *name; /* the positional NAME */
};

#define AA(f) offsetof(struct add_args, f)
static const struct cli_opt add_opts[] = {
    {.name = "--host", .kind = CLI_VALUE, .off = AA(host)},
    {.name = "--user", .kind = CLI_VALUE, .off = AA(user)},
    {.name = "--token-name", .kind = CLI_VALUE, .off = AA(token_name)},
    {.name = "--fingerprint", .kind = CLI_VALUE, .off = AA(fingerprint)},
    {.name = "--password-stdin", .kind = CLI_FLAG, .off = AA(password_stdin)},
    {.name = "--token-value-stdin", .kind = CLI_FLAG, .off = AA(token_value_stdin)},
    {.name = "--trust", .kind = CLI_FLAG, .off = AA(trust)},
    {.name = "--default", .kind = CLI_FLAG, .off = AA(make_default)},
    {.name = NULL},
};

/* What the table cannot say: which options go together. 0 or EXIT_USAGE (printed). */
static int add_args_check(const struct cli_call *c, const struct add_args *a)
{
    const char *bad = !a->host   ? _("--host H[:PORT] is required")
                      : !a->user ? _("--user U is required (e.g. root@pam)")
                      : (a->password_stdin && a->token_value_stdin)
                          ? _("give either --password-stdin or --token-value-stdin")
                      : (a->token_value_stdin && !a->token_name)
                          ? _("--token-value-stdin needs --token-name N")
                      : (a->password_stdin && a->token_name)
                          ? _("a token (--token-name) is read with --token-value-stdin")
                      : (a->trust && a->fingerprint) ? _("give either --fingerprint FP or --trust")
                                                     : NULL;
    if (bad) {
        char usage[400];
        snprintf(usage, sizeof usage, _("usage: deploy-stand %s"), c->e->usage);
        cli_error(usage, _("connection add: %s"), bad);
        return EXIT_USAGE;
    }
    return 0;
}

/* Decides whether to pin the certificate the add printed: --fingerprint, --trust or a question
 * on the terminal. */
static int add_trust(void *ud, const char *hp, const struct pve_certinfo *ci)
{
    const struct add_args *a = ud;
    if (a->fingerprint) {
        char want[PVE_FP_TEXT_LEN];
        if (pve_fp_normalize(a->fingerprint, want) < 0) {
            cli_error(
                _("give 32 bytes in hex, e.g. AB:CD:... as the node's certificate page shows"),
                _("--fingerprint '%s' is not a SHA-256 fingerprint"), a->fingerprint);
            return EXIT_USAGE;
        }
        if (strcmp(want, ci->fingerprint) != 0) {
            cli_error(_("compare with the node's certificate page (Datacenter > node > "
                        "Certificates); do not connect if they differ"),
                      _("the certificate of %s does not match --fingerprint (got %s, expected %s); "
                        "nothing was saved"),
                      hp, ci->fingerprint, want);
            return EXIT_FAILED;
        }
        printf(_("The fingerprint matches --fingerprint.\n"));
        return 0;
    }
    if (a->trust) {
        printf(_("Trusted (--trust).\n"));
        return 0;
    }
    if (a->password_stdin || a->token_value_stdin || !isatty(STDIN_FILENO)) {
        cli_error(
            _("compare the fingerprint above with the node's certificate page, then run again "
              "with --trust (or --fingerprint FP)"),
            _("connection add: no terminal to ask whether to trust this certificate; "
              "nothing was saved"));
        return EXIT_USAGE;
    }
    if (!prompt_confirm(_("Trust this certificate?"))) {
        fprintf(stderr, _("Not trusted; nothing was saved.\n"));
        return EXIT_FAILED;
    }
    return 0;
}

static int add_secret(void *ud, const char *what, char **out)
{
    const struct add_args *a = ud;
    return secret_read(a->password_stdin || a->token_value_stdin, what, out);
}

static int conn_add(struct cli_call *c)
{
    struct add_args *a = c->opts;
    a->name = c->pos[0];
    int rc = add_args_check(c, a);
    if (rc)
        return rc;
    struct conn_add_req r = {
        .name = a->name,
        .host = a->host,
        .user = a->user,
        .token_name = a->token_name,
        .make_default = a->make_default,
    };
    struct conn_add_io io = {.trust = add_trust, .secret = add_secret, .ud = a};
    struct cli_front f;
    cli_front_init(&f, c->g, 0);
    return app_conn_add(&f.env, &f.ev, &r, &io);
}

/* ---- the other actions --------------------------------------------------------------------- */

static int conn_list(struct cli_call *c)
{
    struct cli_front f;
    cli_front_init(&f, c->g, 0);
    char *path = NULL;
    struct connections *cs = NULL;
    int rc = app_conn_list(&f.env, &f.ev, &path, &cs);
    if (!rc)
        conn_view_list(path, cs, stdout, c->g->json);
    connections_free(cs);
    free(path);
    return rc;
}

static int conn_test(struct cli_call *c)
{
    struct cli_front f;
    cli_front_init(&f, c->g, 0);
    return app_conn_test(&f.env, &f.ev, c->n_pos ? c->pos[0] : NULL);
}

static int conn_encrypt(struct cli_call *c)
{
    struct cli_front f;
    cli_front_init(&f, c->g, 0);
    return app_conn_encrypt(&f.env, &f.ev);
}

static int conn_default(struct cli_call *c)
{
    struct cli_front f;
    cli_front_init(&f, c->g, 0);
    return app_conn_default(&f.env, &f.ev, c->pos[0]);
}

/* Deleting needs --yes even on a terminal; without it the error names what would go. */
static int conn_delete(struct cli_call *c)
{
    const char *name = c->pos[0];
    struct cli_front f;
    cli_front_init(&f, c->g, 0);
    if (c->g->yes)
        return app_conn_delete(&f.env, &f.ev, name);
    struct connections *cs = NULL;
    int rc = app_conn_load(&f.env, &f.ev, CONN_LOAD_QUIET | CONN_LOAD_RAW_SECRETS, &cs);
    if (rc)
        return rc;
    const struct connection *cn = connections_pick(cs, name);
    if (!cn) {
        cli_error(NULL, "%s", ds_err_last());
    } else {
        char hp[300];
        snprintf(hp, sizeof hp, "%s:%u", cn->host, cn->port);
        cli_error(_("add --yes to delete it"),
                  _("connection delete: not deleting '%s' (%s as %s) without --yes"), name, hp,
                  cn->user);
    }
    connections_free(cs);
    return EXIT_USAGE;
}

/* ---- dispatch -------------------------------------------------------------------------------- */

static const char add_help[] =
    N_("  --host H[:PORT]      a node of the cluster (port 8006 when not given)\n"
       "  --user U             the Proxmox VE user, e.g. root@pam\n"
       "  --token-name N       log in with the API token N of the user\n"
       "  --password-stdin     read the password from the first line of stdin\n"
       "  --token-value-stdin  read the token's value from the first line of stdin\n"
       "  --fingerprint FP     trust the certificate only if its SHA-256 is FP\n"
       "  --trust              trust the certificate shown\n"
       "  --default            make it the default connection\n\n"
       "The server certificate's SHA-256 fingerprint and subject are shown first; without\n"
       "--trust or --fingerprint you are asked whether to trust it. The connection is saved\n"
       "with the fingerprint pinned and the secret encrypted. Without --*-stdin the secret\n"
       "is asked for on the terminal. An existing NAME is replaced (e.g. after the node's\n"
       "certificate was renewed).\n");

static const struct cmd_entry connection_subs[] = {
    CMD_SUB("add",
            "connection add NAME --host H[:PORT] --user U [--token-name N] "
            "[--password-stdin|--token-value-stdin] [--fingerprint FP|--trust] [--default]",
            1, 1, conn_add,
            .summary = N_("connects, shows the certificate's fingerprint, asks whether to\n"
                          "trust it, logs in and saves the connection with the fingerprint\n"
                          "pinned and the secret encrypted"),
            .help = add_help, .opts = add_opts, .opts_size = sizeof(struct add_args),
            .want_pos = N_("%s: give the connection a NAME")),
    CMD_SUB("list", "connection list", 0, 0, conn_list,
            .summary = N_("names, hosts, users, default, secret and TLS state")),
    CMD_SUB("test", "connection test [NAME]", 0, 1, conn_test,
            .summary = N_("logs in and prints the Proxmox VE version"),
            .pos_complete = {CLI_C_CONNECTION}),
    CMD_SUB("encrypt", "connection encrypt", 0, 0, conn_encrypt,
            .summary = N_("replaces every plaintext password/token_value of the\n"
                          "file by its enc:v1 form, in place (comments kept)")),
    CMD_SUB("default", "connection default NAME", 1, 1, conn_default,
            .summary = N_("makes NAME the default connection"), .pos_complete = {CLI_C_CONNECTION},
            .want_pos = N_("%s: which connection? give its NAME")),
    CMD_SUB("delete", "connection delete NAME --yes", 1, 1, conn_delete,
            .summary = N_("deletes the connection NAME (only with --yes)"),
            .pos_complete = {CLI_C_CONNECTION},
            .want_pos = N_("%s: which connection? give its NAME")),
    {.name = NULL},
};

const struct cmd_entry cmd_connection_entry = {
    .name = "connection",
    .usage = "connection add|list|test|encrypt|default|delete ...",
    .summary = N_("manage connections: add (pins the certificate), list, test, encrypt, default"),
    .subs = connection_subs,
    .help_after =
        N_("\nThe file is --connections FILE, else ./connections_config.yml, else\n"
           "$XDG_CONFIG_HOME/deploy-stand/connections_config.yml (created 0600 by add).\n"
           "Secrets are encrypted with the key file $XDG_CONFIG_HOME/deploy-stand/secret.key\n"
           "(created 0600 on first use; keep it private), or with a key derived from\n"
           "DEPLOY_STAND_PASSPHRASE when that is set. Edits are written atomically.\n"),
};
