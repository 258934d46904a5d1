/* app_view: renders the use cases' events: the commentary on stdout (stderr when stdout carries
 * JSON), errors on stderr, plans, progress, results and credentials through the report module.
 * With --output json, stdout carries one JSON document and stderr only JSON lines. */
#include "cli/app_view.h"
#include "ui/report.h"
#include "util/i18n.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* --output json for the messages written without a view (usage errors). */
static int json_messages;

void app_view_set_json(int json)
{
    json_messages = json;
}

void app_view_init(struct app_view *v, int json)
{
    v->out = stdout;
    v->progress = json ? stderr : stdout;
    v->json = json;
    v->pg = NULL;
    json_messages = json;
}

static const char *level_name(enum app_level l)
{
    static const char *const names[] = {[APP_LV_INFO] = "info",
                                        [APP_LV_NOTE] = "note",
                                        [APP_LV_WARNING] = "warning",
                                        [APP_LV_ERROR] = "error"};
    return names[l];
}

/* One JSON line on stderr: {"level", "message": msg without the newlines around it, "hint"?};
 * nothing for an empty message. */
static void json_message(enum app_level level, const char *msg, const char *hint)
{
    size_t lead = strspn(msg, "\n"), n = strlen(msg + lead);
    while (n && (msg[lead + n - 1] == '\n' || msg[lead + n - 1] == ' '))
        n--;
    if (!n)
        return;
    json_t *o = json_pack("{s:s, s:s%}", "level", level_name(level), "message", msg + lead, n);
    if (hint)
        json_object_set_new(o, "hint", json_string(hint));
    json_dumpf(o, stderr, JSON_COMPACT);
    fputc('\n', stderr);
    json_decref(o);
}

void app_view_json_line(json_t *o)
{
    json_dumpf(o, stderr, JSON_COMPACT);
    fputc('\n', stderr);
    json_decref(o);
}

void app_view_message(enum app_level level, const char *msg, const char *hint)
{
    if (json_messages) {
        json_message(level, msg, hint);
        return;
    }
    if (level == APP_LV_ERROR)
        fputs(_("error: "), stderr);
    fputs(msg, stderr);
    fputc('\n', stderr);
    if (hint)
        fprintf(stderr, _("hint: %s\n"), hint);
}

void app_view_error(const char *msg, const char *hint)
{
    app_view_message(APP_LV_ERROR, msg, hint);
}

static FILE *stream_of(const struct app_view *v, enum app_stream s)
{
    return s == APP_ERR ? stderr : s == APP_DATA ? v->out : v->json ? stderr : v->out;
}

/* A note in text: "warning: " (or "note: ", "error: ") before a message of a level, its hint
 * after. */
static void note_text(const struct app_event *e, FILE *f)
{
    const char *prefix = e->level == APP_LV_NOTE      ? _("note: ")
                         : e->level == APP_LV_WARNING ? _("warning: ")
                         : e->level == APP_LV_ERROR   ? _("error: ")
                                                      : "";
    fputs(prefix, f);
    fputs(e->text, f);
    if (e->level == APP_LV_INFO)
        return;
    fputc('\n', f);
    if (e->hint)
        fprintf(f, _("hint: %s\n"), e->hint);
}

static void note(const struct app_view *v, const struct app_event *e)
{
    if (v->json && e->stream != APP_DATA)
        json_message(e->level, e->text, e->hint);
    else
        note_text(e, stream_of(v, e->stream));
}

/* File problems as JSON lines: {"level": "error", "file", "line"?, "column"?, "message",
 * "hint"?}, and the run's document on stdout: {"ok": false, "problems": ["file:line:col: what;
 * hint", ...]} (a refused plan's "problems" are written alike). */
static void diags_json(const struct app_view *v, const struct diag_list *l)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    json_t *probs = json_array();
    for (size_t i = 0; mem && i < l->n; i++) {
        struct diag_list one = {.items = (struct diag *)&l->items[i], .n = 1, .cap = 1};
        rewind(mem);
        diag_print(&one, mem);
        fflush(mem);
        size_t n = (size_t)ftell(mem);
        json_array_append_new(probs, json_stringn(text, n && text[n - 1] == '\n' ? n - 1 : n));
    }
    if (mem)
        fclose(mem);
    free(text);
    json_t *doc = json_pack("{s:b, s:o}", "ok", 0, "problems", probs);
    json_dumpf(doc, v->out, JSON_INDENT(2));
    fputc('\n', v->out);
    json_decref(doc);
    for (size_t i = 0; i < l->n; i++) {
        const struct diag *d = &l->items[i];
        json_t *o = json_pack("{s:s, s:s}", "level", "error", "file", d->file);
        if (d->line > 0)
            json_object_set_new(o, "line", json_integer(d->line));
        if (d->col > 0)
            json_object_set_new(o, "column", json_integer(d->col));
        json_object_set_new(o, "message", json_string(d->what));
        if (d->hint)
            json_object_set_new(o, "hint", json_string(d->hint));
        app_view_json_line(o);
    }
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

/* The JSON form of the events that are text on a terminal: a plan shown before it runs is a line
 * with its counts, the problems of a refused plan are the plan's document on stdout (the one
 * document of the run), its notes are lines, the result is a line. 1 when e was handled. */
static int json_event(struct app_view *v, const struct app_event *e)
{
    const struct plan *p = e->plan;
    switch (e->kind) {
    case APP_EV_PLAN:
        if (e->stream == APP_DATA || e->json)
            return 0;
        app_view_json_line(json_pack("{s:s, s:s, s:I}", "event", "plan", "stand", p->stand,
                                     "changes", (json_int_t)p->n_acts));
        return 1;
    case APP_EV_PROBLEMS:
        if (p->n_problems)
            report_plan(p, e->strategy, v->out, 1);
        for (size_t i = 0; i < p->n_problems; i++)
            json_message(APP_LV_ERROR, p->problems[i], NULL);
        for (size_t i = 0; i < p->n_notes; i++)
            json_message(APP_LV_NOTE, p->notes[i], NULL);
        return 1;
    case APP_EV_RESULT:
        report_result_json(p, e->took_ns, stderr);
        return 1;
    default:
        return 0;
    }
}

void app_view_event(const struct app_event *e, void *ud)
{
    struct app_view *v = ud;
    FILE *f = stream_of(v, e->stream);
    if (v->json && json_event(v, e))
        return;
    switch (e->kind) {
    case APP_EV_NOTE:
        note(v, e);
        break;
    case APP_EV_ERROR:
        app_view_error(e->text, e->hint);
        break;
    case APP_EV_DIAG:
        if (v->json)
            diags_json(v, e->diags);
        else
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
