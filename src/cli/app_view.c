/* app_view: renders the use cases' events: the commentary on stdout (stderr when stdout carries
 * JSON), errors on stderr, plans, progress, results and credentials through the report module. */
#include "cli/app_view.h"
#include "ui/report.h"
#include "util/i18n.h"

void app_view_init(struct app_view *v, int json)
{
    v->out = stdout;
    v->progress = json ? stderr : stdout;
    v->json = json;
    v->pg = NULL;
}

void app_view_error(const char *msg, const char *hint)
{
    fputs(_("error: "), stderr);
    fputs(msg, stderr);
    fputc('\n', stderr);
    if (hint)
        fprintf(stderr, _("hint: %s\n"), hint);
}

static FILE *stream_of(const struct app_view *v, enum app_stream s)
{
    return s == APP_ERR ? stderr : s == APP_DATA ? v->out : v->json ? stderr : v->out;
}

static void destroyed(const struct app_view *v, const struct app_event *e)
{
    if (!v->json)
        return;
    json_t *root = json_pack("{s:s, s:b, s:i}", "stand", e->stand, "ok", e->ok, "left", e->left);
    json_dumpf(root, v->out, JSON_INDENT(2));
    fputc('\n', v->out);
    json_decref(root);
}

void app_view_event(const struct app_event *e, void *ud)
{
    struct app_view *v = ud;
    FILE *f = stream_of(v, e->stream);
    switch (e->kind) {
    case APP_EV_NOTE:
        fputs(e->text, f);
        break;
    case APP_EV_ERROR:
        app_view_error(e->text, e->hint);
        break;
    case APP_EV_DIAG:
        diag_print(e->diags, stderr);
        break;
    case APP_EV_PLAN:
        report_plan(e->plan, e->strategy, f, e->json);
        break;
    case APP_EV_PROBLEMS:
        report_problems(e->plan, f);
        break;
    case APP_EV_RUN_START:
        v->pg = progress_new(e->plan, progress_mode_for(v->progress, v->json), v->progress);
        break;
    case APP_EV_EXEC:
        if (v->pg)
            progress_event(e->exec, v->pg);
        break;
    case APP_EV_RUN_END:
        progress_finish(v->pg);
        progress_free(v->pg);
        v->pg = NULL;
        break;
    case APP_EV_RESULT:
        report_result(e->plan, e->took_ns, f);
        break;
    case APP_EV_CREDENTIALS:
        report_credentials(e->plan, v->out, e->json);
        break;
    case APP_EV_DESTROYED:
        destroyed(v, e);
        break;
    }
}
