/* cmd_connection: `deploy-stand connection add|list|test|encrypt|default|delete`: parses the
 * arguments and asks on the terminal; the file work is in connection_ops. */
#include <errno.h>
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
    const char *name, *host, *user, *token_name, *fingerprint;
    int password_stdin, token_value_stdin, trust, make_default;
};

static int add_args_parse(int argc, char **argv, struct add_args *a)
{
    memset(a, 0, sizeof *a);
    const char *usage = _("usage: deploy-stand connection add NAME --host H[:PORT] --user U "
                          "[--token-name N] [--password-stdin|--token-value-stdin] "
                          "[--fingerprint FP|--trust] [--default]");
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char **slot = NULL;
        if (strcmp(o, "--host") == 0)
            slot = &a->host;
        else if (strcmp(o, "--user") == 0)
            slot = &a->user;
        else if (strcmp(o, "--token-name") == 0)
            slot = &a->token_name;
        else if (strcmp(o, "--fingerprint") == 0)
            slot = &a->fingerprint;
        else if (strcmp(o, "--password-stdin") == 0)
            a->password_stdin = 1;
        else if (strcmp(o, "--token-value-stdin") == 0)
            a->token_value_stdin = 1;
        else if (strcmp(o, "--trust") == 0)
            a->trust = 1;
        else if (strcmp(o, "--default") == 0)
            a->make_default = 1;
        else if (o[0] != '-' && !a->name)
            a->name = o;
        else {
            cli_error(usage, _("connection add: unexpected argument '%s'"), o);
            return EXIT_USAGE;
        }
        if (slot) {
            if (i + 1 >= argc) {
                cli_error(usage, _("connection add: %s needs a value"), o);
                return EXIT_USAGE;
            }
            *slot = argv[++i];
        }
    }
    const char *bad = !a->name   ? _("give the connection a NAME")
                      : !a->host ? _("--host H[:PORT] is required")
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

static int conn_add(struct cli_globals *g, int argc, char **argv)
{
    struct add_args a;
    int rc = add_args_parse(argc, argv, &a);
    if (rc)
        return rc;
    struct conn_add_req r = {
        .name = a.name,
        .host = a.host,
        .user = a.user,
        .token_name = a.token_name,
        .make_default = a.make_default,
    };
    struct conn_add_io io = {.trust = add_trust, .secret = add_secret, .ud = &a};
    struct cli_front f;
    cli_front_init(&f, g, 0);
    return app_conn_add(&f.env, &f.ev, &r, &io);
}

/* ---- the other actions --------------------------------------------------------------------- */

static int conn_list(struct cli_globals *g, int argc, char **argv)
{
    if (argc > 1) {
        cli_error(NULL, _("connection list: unexpected argument '%s'"), argv[1]);
        return EXIT_USAGE;
    }
    struct cli_front f;
    cli_front_init(&f, g, 0);
    char *path = NULL;
    struct connections *cs = NULL;
    int rc = app_conn_list(&f.env, &f.ev, &path, &cs);
    if (!rc)
        conn_view_list(path, cs, stdout, g->json);
    connections_free(cs);
    free(path);
    return rc;
}

static int conn_test(struct cli_globals *g, int argc, char **argv)
{
    if (argc > 2) {
        cli_error(NULL, _("connection test: unexpected argument '%s'"), argv[2]);
        return EXIT_USAGE;
    }
    struct cli_front f;
    cli_front_init(&f, g, 0);
    return app_conn_test(&f.env, &f.ev, argc > 1 ? argv[1] : NULL);
}

static int conn_encrypt(struct cli_globals *g, int argc, char **argv)
{
    if (argc > 1) {
        cli_error(_("usage: deploy-stand connection encrypt [--connections FILE]"),
                  _("connection encrypt: unexpected argument '%s'"), argv[1]);
        return EXIT_USAGE;
    }
    struct cli_front f;
    cli_front_init(&f, g, 0);
    return app_conn_encrypt(&f.env, &f.ev);
}

static int conn_default(struct cli_globals *g, int argc, char **argv)
{
    if (argc != 2) {
        cli_error(_("usage: deploy-stand connection default NAME"), _("connection default: %s"),
                  argc < 2 ? _("which connection? give its NAME") : _("too many arguments"));
        return EXIT_USAGE;
    }
    struct cli_front f;
    cli_front_init(&f, g, 0);
    return app_conn_default(&f.env, &f.ev, argv[1]);
}

static int conn_delete(struct cli_globals *g, int argc, char **argv)
{
    int yes = g->yes;
    const char *name = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--yes") == 0)
            yes = 1;
        else if (!name && argv[i][0] != '-')
            name = argv[i];
        else {
            cli_error(_("usage: deploy-stand connection delete NAME --yes"),
                      _("connection delete: unexpected argument '%s'"), argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!name) {
        cli_error(_("usage: deploy-stand connection delete NAME --yes"),
                  _("connection delete: which connection? give its NAME"));
        return EXIT_USAGE;
    }
    if (!yes) {
        struct connections *cs = NULL;
        struct cli_front f;
        cli_front_init(&f, g, 0);
        int rc = app_conn_load(&f.env, &f.ev, CONN_LOAD_QUIET | CONN_LOAD_RAW_SECRETS, &cs);
        if (rc)
            return rc;
        const struct connection *c = connections_pick(cs, name);
        if (!c) {
            cli_error(NULL, "%s", ds_err_last());
        } else {
            char hp[300];
            snprintf(hp, sizeof hp, "%s:%u", c->host, c->port);
            cli_error(_("add --yes to delete it"),
                      _("connection delete: not deleting '%s' (%s as %s) "
                        "without --yes"),
                      name, hp, c->user);
        }
        connections_free(cs);
        return EXIT_USAGE;
    }
    struct cli_front f;
    cli_front_init(&f, g, 0);
    return app_conn_delete(&f.env, &f.ev, name);
}

/* ---- dispatch -------------------------------------------------------------------------------- */

static int cmd_connection_exec(struct cli_globals *g, int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(struct cli_globals *, int, char **);
    } subs[] = {
        {"add", conn_add},         {"list", conn_list},       {"test", conn_test},
        {"encrypt", conn_encrypt}, {"default", conn_default}, {"delete", conn_delete},
    };
    if (argc < 2) {
        cli_error(_("see `deploy-stand connection --help`"),
                  _("connection: which action? add, list, test, encrypt, default or delete"));
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (strcmp(argv[1], subs[i].name) == 0)
            return subs[i].fn(g, argc - 1, argv + 1);
    cli_error(_("see `deploy-stand connection --help`"),
              _("connection: unknown action '%s' (add, list, test, encrypt, default, delete)"),
              argv[1]);
    return EXIT_USAGE;
}

const struct cmd_entry cmd_connection_entry = {
    .name = "connection",
    .usage = "connection add|list|test|encrypt|default|delete ...",
    .summary = N_("manage connections: add (pins the certificate), list, test, encrypt, default"),
    .help = N_(
        "  connection add NAME --host H[:PORT] --user U [--token-name N]\n"
        "                 [--password-stdin|--token-value-stdin] [--fingerprint FP|--trust]\n"
        "                 [--default]\n"
        "      connects, shows the server certificate's SHA-256 fingerprint and subject, asks\n"
        "      whether to trust it (--trust: yes; --fingerprint FP: only if it matches), logs\n"
        "      in, and saves the connection with the fingerprint pinned and the secret\n"
        "      encrypted. Without --*-stdin the secret is asked for on the terminal. An existing\n"
        "      NAME is replaced (e.g. after the node's certificate was renewed).\n"
        "  connection list             names, hosts, users, default, secret and TLS state\n"
        "  connection test [NAME]      logs in and prints the Proxmox VE version\n"
        "  connection encrypt          replaces every plaintext password/token_value of the\n"
        "                              file by its enc:v1 form, in place (comments kept)\n"
        "  connection default NAME     makes NAME the default connection\n"
        "  connection delete NAME --yes\n\n"
        "The file is --connections FILE, else ./connections_config.yml, else\n"
        "$XDG_CONFIG_HOME/deploy-stand/connections_config.yml (created 0600 by add).\n"
        "Secrets are encrypted with the key file $XDG_CONFIG_HOME/deploy-stand/secret.key\n"
        "(created 0600 on first use; keep it private), or with a key derived from\n"
        "DEPLOY_STAND_PASSPHRASE when that is set. Edits are written atomically.\n"),
    .exec = cmd_connection_exec,
};
