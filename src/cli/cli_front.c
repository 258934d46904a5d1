/* cli_front: connects the commands to the use cases: events go to the terminal through
 * cli/app_view, confirmations are read from stdin ("y"/"yes" or the translated words). */
#include "cli/cli_front.h"
#include "app/app_status.h"
#include "ui/status_view.h"
#include "util/i18n.h"
#include <string.h>
#include <unistd.h>

/* Asks on stderr and reads a line: 1 when it is `expect` (or, without one, a yes). */
static int ask_line(const char *question, const char *expect)
{
    char line[128];
    fprintf(stderr, "%s ", question);
    fflush(stderr);
    if (!fgets(line, sizeof line, stdin))
        return 0;
    line[strcspn(line, "\r\n")] = '\0';
    if (expect)
        return strcmp(line, expect) == 0;
    /* TRANSLATORS: the answers that mean "yes", separated by '|' (English ones always work too) */
    const char *yes_words = _("y|yes|Y");
    if (strcmp(line, "y") == 0 || strcmp(line, "yes") == 0 || strcmp(line, "Y") == 0)
        return 1;
    size_t n = strlen(line);
    for (const char *w = yes_words; n && *w;) {
        size_t wl = strcspn(w, "|");
        if (wl == n && strncmp(w, line, n) == 0)
            return 1;
        w += wl + (w[wl] == '|');
    }
    return 0;
}

static int front_confirm(const struct app_ask *a, void *ud)
{
    (void)ud;
    if (a->kind == APP_ASK_DESTROY) {
        char q[512];
        snprintf(q, sizeof q, _("\nThis removes everything listed above. Type %s to go on:"),
                 a->expect);
        if (ask_line(q, a->expect))
            return 1;
        fprintf(stderr, _("Nothing was removed.\n"));
        return 0;
    }
    if (ask_line(a->kind == APP_ASK_RESET ? _("\nReset these VMs? Their disks are lost. [y/N]")
                                          : _("\nApply these changes? [y/N]"),
                 NULL))
        return 1;
    fprintf(stderr, _("Nothing was changed.\n"));
    return 0;
}

void cli_front_init(struct cli_front *f, const struct cli_globals *g, int ask)
{
    f->env = (struct app_env){.connections_path = g->connections_path, .connection = g->connection};
    app_view_init(&f->view, g->json);
    f->ev = (struct app_events){
        .emit = app_view_event, .confirm = ask ? front_confirm : NULL, .ud = &f->view};
}

int cli_front_open(const struct cli_call *call, struct cli_front *f, struct app_ctx *c)
{
    int flags = call->e->flags, yes = call->g->yes;
    int ask = (flags & CMD_CONFIRM) ? !yes
              : (flags & CMD_ASK)   ? !yes && isatty(STDIN_FILENO) && isatty(STDERR_FILENO)
                                    : 0;
    cli_front_init(f, call->g, ask);
    return app_ctx_open(c, &f->env, &f->ev, &call->sa.o, (flags & CMD_STATE) != 0);
}

int cli_front_run(const struct cli_call *call,
                  int (*op)(struct app_ctx *c, const struct app_opts *o))
{
    struct cli_front f;
    struct app_ctx c;
    int rc = cli_front_open(call, &f, &c);
    if (!rc)
        rc = op(&c, &call->sa.o);
    app_ctx_free(&c);
    return rc;
}

int cli_front_status(struct app_ctx *c, const struct app_opts *o)
{
    json_t *st = NULL;
    int rc = app_status(c, &st);
    if (rc == APP_OK)
        status_view_print(st, stdout, o->json);
    json_decref(st);
    return rc;
}
