/* progress: shows the executor's events while a plan runs.
 * Live mode keeps a block of lines at the bottom and redraws it; failures scroll above it. */
#include "ui/progress.h"
#include "util/xalloc.h"
#include "ds_clock.h"
#include "util/i18n.h"
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct node_count {
    const char *node; /* points into the plan; "cluster" for cluster-wide steps */
    int queued, running, done, failed;
};

struct progress {
    const struct plan *p;
    enum progress_mode mode;
    FILE *out;
    struct node_count *nodes;
    size_t n_nodes;
    size_t done, total, failed_students, ok_students;
    int64_t t0; /* ds_clock_mono_ns() when the run started */
    int drawn;  /* lines of the live block on screen */
};

static struct node_count *node_of(struct progress *pg, const char *node)
{
    const char *name = node ? node : _("cluster");
    for (size_t i = 0; i < pg->n_nodes; i++)
        if (strcmp(pg->nodes[i].node, name) == 0)
            return &pg->nodes[i];
    struct node_count *n = &pg->nodes[pg->n_nodes++];
    memset(n, 0, sizeof *n);
    n->node = name;
    return n;
}

enum progress_mode progress_mode_for(FILE *out, int json)
{
    if (json)
        return PROGRESS_JSON;
    const char *term = getenv("TERM");
    if (isatty(fileno(out)) && term && strcmp(term, "dumb") != 0)
        return PROGRESS_LIVE;
    return PROGRESS_PLAIN;
}

struct progress *progress_new(const struct plan *p, enum progress_mode mode, FILE *out)
{
    struct progress *pg = xcalloc(1, sizeof *pg);
    pg->p = p;
    pg->mode = mode;
    pg->out = out;
    pg->nodes = xcalloc(p->n_acts + 2, sizeof *pg->nodes);
    for (size_t i = 0; i < p->n_acts; i++)
        node_of(pg, p->acts[i].node)->queued++;
    pg->total = p->n_acts;
    pg->t0 = ds_clock_mono_ns();
    return pg;
}

/* "M:SS" of a duration in nanoseconds, rounded to the nearest second. */
static void fmt_time(int64_t ns, char *out, size_t len)
{
    long long t = (long long)((ns + DS_NS_PER_S / 2) / DS_NS_PER_S);
    snprintf(out, len, "%lld:%02lld", t / 60, t % 60);
}

static void live_clear(struct progress *pg)
{
    for (int i = 0; i < pg->drawn; i++)
        fputs("\033[1A\033[2K", pg->out);
    pg->drawn = 0;
}

static void live_draw(struct progress *pg)
{
    const int width = 30;
    double frac = pg->total ? (double)pg->done / (double)pg->total : 1;
    int fill = (int)(frac * width);
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '-';
    bar[width] = '\0';
    int64_t el = ds_clock_mono_ns() - pg->t0;
    char elapsed[48], eta[48] = "?";
    fmt_time(el, elapsed, sizeof elapsed);
    if (pg->done > 0 && pg->done < pg->total) /* mean time per finished action x actions left */
        fmt_time(el / (int64_t)pg->done * (int64_t)(pg->total - pg->done), eta, sizeof eta);
    else if (pg->done >= pg->total)
        snprintf(eta, sizeof eta, "0:00");
    fprintf(pg->out, _("[%s] %zu/%zu %3.0f%%  elapsed %s  ETA %s\n"), bar, pg->done, pg->total,
            frac * 100, elapsed, eta);
    pg->drawn = 1;
    for (size_t i = 0; i < pg->n_nodes; i++) {
        const struct node_count *n = &pg->nodes[i];
        fprintf(pg->out, _("  %-10s %3d running  %4d queued  %4d done"), n->node, n->running,
                n->queued, n->done);
        if (n->failed)
            fprintf(pg->out, _("  %d failed"), n->failed);
        fputc('\n', pg->out);
        pg->drawn++;
    }
    fflush(pg->out);
}

static const char *type_name(enum exec_event_type t)
{
    switch (t) {
    case EXEC_STARTED:
        return "start";
    case EXEC_DONE:
        return "done";
    case EXEC_FAILED:
        return "failed";
    case EXEC_SKIPPED:
        return "skipped";
    case EXEC_RETRY:
        return "retry";
    case EXEC_ROLLBACK:
        return "undo";
    case EXEC_STUDENT_OK:
        return "student-ok";
    case EXEC_STUDENT_FAILED:
        return "student-failed";
    }
    return "?";
}

static void json_line(struct progress *pg, const struct exec_event *ev)
{
    json_t *o = json_pack("{s:s, s:I, s:I}", "event", type_name(ev->type), "done",
                          (json_int_t)ev->done, "total", (json_int_t)ev->total);
    const struct action *a = ev->action;
    if (a) {
        json_object_set_new(o, "action", json_integer(a->id));
        json_object_set_new(o, "kind", json_string(action_kind_name(a->kind)));
        json_object_set_new(o, "summary", json_string(a->summary));
        if (a->node)
            json_object_set_new(o, "node", json_string(a->node));
    }
    if (ev->student >= 0)
        json_object_set_new(o, "student", json_string(pg->p->students[ev->student].userid));
    if (ev->message)
        json_object_set_new(o, "message", json_string(ev->message));
    if (ev->type == EXEC_DONE || ev->type == EXEC_FAILED)
        json_object_set_new(o, "seconds", json_real((double)ev->elapsed_ns / (double)DS_NS_PER_S));
    json_dumpf(o, pg->out, JSON_COMPACT);
    fputc('\n', pg->out);
    fflush(pg->out);
    json_decref(o);
}

/* A line that stays: in live mode it is printed above the block. */
static void line(struct progress *pg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(struct progress *pg, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(pg->out, fmt, ap);
    va_end(ap);
    fputc('\n', pg->out);
}

void progress_event(const struct exec_event *ev, void *ud)
{
    struct progress *pg = ud;
    const struct action *a = ev->action;
    struct node_count *n = a ? node_of(pg, a->node) : NULL;
    pg->done = ev->done;
    switch (ev->type) {
    case EXEC_STARTED:
        n->queued--;
        n->running++;
        break;
    case EXEC_DONE:
        n->running--;
        n->done++;
        break;
    case EXEC_FAILED:
        n->running--;
        n->failed++;
        break;
    case EXEC_SKIPPED:
        n->queued--;
        n->failed++;
        break;
    case EXEC_STUDENT_OK:
        pg->ok_students++;
        break;
    case EXEC_STUDENT_FAILED:
        pg->failed_students++;
        break;
    default:
        break;
    }
    if (pg->mode == PROGRESS_JSON) {
        json_line(pg, ev);
        return;
    }
    if (pg->mode == PROGRESS_LIVE)
        live_clear(pg);
    switch (ev->type) {
    case EXEC_DONE:
        if (pg->mode == PROGRESS_PLAIN)
            line(pg, _("[%3zu/%zu] ok      %s (%.1fs)"), ev->done, ev->total, a->summary,
                 (double)ev->elapsed_ns / (double)DS_NS_PER_S);
        break;
    case EXEC_FAILED:
        line(pg, _("[%3zu/%zu] FAILED  %s: %s"), ev->done, ev->total, a->summary, ev->message);
        break;
    case EXEC_SKIPPED:
        if (pg->mode == PROGRESS_PLAIN)
            line(pg, _("[%3zu/%zu] skipped %s"), ev->done, ev->total, a->summary);
        break;
    case EXEC_RETRY:
        line(pg, _("          retry   %s: %s"), a->summary, ev->message);
        break;
    case EXEC_ROLLBACK:
        line(pg, _("          undo    %s"), ev->message);
        break;
    case EXEC_STUDENT_OK:
        if (pg->p->kind == PLAN_DEPLOY)
            line(pg, _("          student %s is ready"), pg->p->students[ev->student].userid);
        else if (pg->p->kind == PLAN_DESTROY)
            line(pg, _("          student %s is removed"), pg->p->students[ev->student].userid);
        else
            line(pg, _("          student %s is done"), pg->p->students[ev->student].userid);
        break;
    case EXEC_STUDENT_FAILED:
        line(pg, _("          student %s FAILED: %s"), pg->p->students[ev->student].userid,
             ev->message ? ev->message : "?");
        break;
    case EXEC_STARTED:
        break;
    }
    if (pg->mode == PROGRESS_LIVE)
        live_draw(pg);
    fflush(pg->out);
}

void progress_finish(struct progress *pg)
{
    if (pg->mode == PROGRESS_LIVE) {
        live_clear(pg);
        live_draw(pg);
    }
}

void progress_free(struct progress *pg)
{
    if (!pg)
        return;
    free(pg->nodes);
    free(pg);
}
