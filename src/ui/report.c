/* report: how plans, progress, results and credentials look to the teacher.
 * Text goes to a terminal or a file alike; JSON is for scripts and tests. */
#include "ui/report.h"
#include "ds_clock.h"
#include "ui/table.h"
#include "util/i18n.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static int action_on_node(const struct plan *p, const struct action *a, const char *node)
{
    if (a->node)
        return strcmp(a->node, node) == 0;
    /* cluster-wide steps are shown under the student's first node */
    return a->student >= 0 && p->students[a->student].node &&
           strcmp(p->students[a->student].node, node) == 0;
}

static void node_list(const struct plan *p, const char ***nodes, size_t *n)
{
    *nodes = calloc(p->n_acts + p->n_students + 1, sizeof **nodes);
    *n = 0;
    for (size_t i = 0; i < p->n_acts + p->n_students; i++) {
        const char *node = i < p->n_acts ? p->acts[i].node : p->students[i - p->n_acts].node;
        if (!node)
            continue;
        size_t k = 0;
        while (k < *n && strcmp((*nodes)[k], node) != 0)
            k++;
        if (k == *n)
            (*nodes)[(*n)++] = node;
    }
}

/* "deploy", "destroy" or "lifecycle" (JSON, never translated). */
static const char *plan_kind_name(const struct plan *p)
{
    return p->kind == PLAN_DEPLOY ? "deploy" : p->kind == PLAN_DESTROY ? "destroy" : "lifecycle";
}

/* The mark before an action: + creates, - removes, ~ changes what exists (power, snapshots). */
static char plan_mark(const struct plan *p)
{
    return p->kind == PLAN_DEPLOY ? '+' : p->kind == PLAN_DESTROY ? '-' : '~';
}

const char *report_n_students(size_t n, char *buf, size_t len)
{
    snprintf(buf, len, ngettext("%zu student", "%zu students", n), n);
    return buf;
}

const char *report_n_vms(size_t n, char *buf, size_t len)
{
    snprintf(buf, len, ngettext("%zu VM", "%zu VMs", n), n);
    return buf;
}

/* Whether a node belongs in the memory lines: it is online or the plan has VMs there. */
static int node_mem_shown(const struct plan_node_mem *nm)
{
    return nm->online || nm->vms > 0;
}

/* [{"node", "online", "memory", "configured", "new", "students", "vms", "over"}]: bytes; "over" is
 * configured + new above memory. */
static json_t *node_mem_json(const struct plan *p)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < p->n_node_mem; i++) {
        const struct plan_node_mem *nm = &p->node_mem[i];
        if (node_mem_shown(nm))
            json_array_append_new(
                arr,
                json_pack("{s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:b}", "node", nm->node, "online",
                          nm->online, "memory", (json_int_t)nm->total, "configured",
                          (json_int_t)nm->configured, "new", (json_int_t)nm->added, "students",
                          (json_int_t)nm->students, "vms", (json_int_t)nm->vms, "over", nm->over));
    }
    return arr;
}

/* Per node: the plan's students and VMs there, the configured memory of the node's VMs (running
 * or not) against the node's memory, what the new VMs add, and by how much a node is over. */
static void node_mem_lines(const struct plan *p, FILE *out)
{
    const double gib = 1024.0 * 1024.0 * 1024.0;
    if (p->n_node_mem)
        fputs(_("\nMemory per node (configured memory of every VM of the node, running or not; "
                "templates aside):\n"),
              out);
    for (size_t i = 0; i < p->n_node_mem; i++) {
        const struct plan_node_mem *nm = &p->node_mem[i];
        if (!node_mem_shown(nm))
            continue;
        const char *state = nm->online ? _("online") : _("offline");
        double now = (double)nm->configured / gib, total = (double)nm->total / gib,
               add = (double)nm->added / gib;
        char st[64], vm[64];
        report_n_students(nm->students, st, sizeof st);
        report_n_vms(nm->vms, vm, sizeof vm);
        if (nm->over)
            fprintf(out,
                    _("  node %-12s %s: %s, %s; memory %.1f of %.1f GiB configured, +%.1f GiB "
                      "for the new VMs: over by %.1f GiB\n"),
                    nm->node, state, st, vm, now, total, add,
                    (double)(nm->configured + nm->added - nm->total) / gib);
        else
            fprintf(out,
                    _("  node %-12s %s: %s, %s; memory %.1f of %.1f GiB configured, +%.1f GiB "
                      "for the new VMs\n"),
                    nm->node, state, st, vm, now, total, add);
    }
}

static void plan_json(const struct plan *p, const char *strategy, FILE *out)
{
    json_t *root = json_pack("{s:s, s:s, s:s}", "stand", p->stand, "kind", plan_kind_name(p),
                             "strategy", strategy ? strategy : "local");
    json_t *acts = json_array();
    for (size_t i = 0; i < p->n_acts; i++) {
        const struct action *a = &p->acts[i];
        json_t *deps = json_array();
        for (size_t k = 0; k < a->n_deps; k++)
            json_array_append_new(deps, json_integer(a->deps[k]));
        json_t *o = json_pack("{s:i, s:s, s:s, s:o}", "id", a->id, "kind",
                              action_kind_name(a->kind), "summary", a->summary, "deps", deps);
        if (a->node)
            json_object_set_new(o, "node", json_string(a->node));
        if (a->student >= 0)
            json_object_set_new(o, "student", json_string(p->students[a->student].userid));
        json_array_append_new(acts, o);
    }
    json_object_set_new(root, "actions", acts);
    json_t *students = json_array();
    for (size_t i = 0; i < p->n_students; i++) {
        const struct plan_student *ps = &p->students[i];
        json_t *vms = json_array();
        for (size_t k = 0; k < ps->n_vms; k++)
            json_array_append_new(vms, json_pack("{s:s, s:i, s:s?, s:b}", "name", ps->vms[k].name,
                                                 "vmid", ps->vms[k].vmid, "node", ps->vms[k].node,
                                                 "exists", ps->vms[k].exists));
        json_array_append_new(students,
                              json_pack("{s:s, s:s, s:s?, s:s?, s:o}", "user", ps->userid, "pool",
                                        ps->pool, "node", ps->node, "why", ps->why, "vms", vms));
    }
    json_object_set_new(root, "students", students);
    json_t *probs = json_array();
    for (size_t i = 0; i < p->n_problems; i++)
        json_array_append_new(probs, json_string(p->problems[i]));
    json_object_set_new(root, "problems", probs);
    json_t *notes = json_array();
    for (size_t i = 0; i < p->n_notes; i++)
        json_array_append_new(notes, json_string(p->notes[i]));
    json_object_set_new(root, "notes", notes);
    if (p->kind == PLAN_DEPLOY)
        json_object_set_new(root, "nodes", node_mem_json(p));
    json_dumpf(root, out, JSON_INDENT(2));
    fputc('\n', out);
    json_decref(root);
}

void report_plan(const struct plan *p, const char *strategy, FILE *out, int json)
{
    if (json) {
        plan_json(p, strategy, out);
        return;
    }
    size_t nvm = 0;
    for (size_t s = 0; s < p->n_students; s++)
        nvm += p->students[s].n_vms;
    char st[64], vm[64];
    report_n_students(p->n_students, st, sizeof st);
    report_n_vms(nvm, vm, sizeof vm);
    if (p->kind == PLAN_DEPLOY)
        fprintf(out, _("Deploy plan for stand '%s', strategy %s: %s, %s\n"), p->stand,
                strategy ? strategy : "local", st, vm);
    else if (p->kind == PLAN_DESTROY)
        fprintf(out, _("Teardown plan for stand '%s': %s, %s\n"), p->stand, st, vm);
    else
        fprintf(out, _("Plan for stand '%s': %s, %s\n"), p->stand, st, vm);
    if (p->n_acts == 0) {
        fputs(p->kind == PLAN_DEPLOY    ? _("  nothing to do: the stand is up to date\n")
              : p->kind == PLAN_DESTROY ? _("  nothing to do: nothing of this stand is left on "
                                            "the cluster\n")
                                        : _("  nothing to do: every VM is already as asked\n"),
              out);
        return;
    }
    const char **nodes;
    size_t nn;
    node_list(p, &nodes, &nn);
    for (size_t ni = 0; ni < nn; ni++) {
        fprintf(out, "\n%s\n", nodes[ni]);
        int shared = 0;
        for (size_t i = 0; i < p->n_acts; i++) {
            const struct action *a = &p->acts[i];
            if (a->student >= 0 || !action_on_node(p, a, nodes[ni]))
                continue;
            if (!shared++)
                fprintf(out, _("  shared\n"));
            fprintf(out, "    %c %s\n", plan_mark(p), a->summary);
        }
        for (size_t s = 0; s < p->n_students; s++) {
            int shown = 0;
            for (size_t i = 0; i < p->n_acts; i++) {
                const struct action *a = &p->acts[i];
                if (a->student != (int)s || !action_on_node(p, a, nodes[ni]))
                    continue;
                if (!shown++) {
                    fprintf(out, _("  %s (pool %s)\n"), p->students[s].userid, p->students[s].pool);
                    if (p->students[s].why)
                        fprintf(out, _("    why: %s\n"), p->students[s].why);
                }
                fprintf(out, "    %c %s\n", plan_mark(p), a->summary);
            }
        }
    }
    free(nodes);
    size_t k[ACT_KIND_COUNT] = {0};
    for (size_t i = 0; i < p->n_acts; i++)
        k[p->acts[i].kind]++;
    fprintf(out, ngettext("\n%zu change:", "\n%zu changes:", p->n_acts), p->n_acts);
    const char *sep = " ";
    for (int i = 0; i < ACT_KIND_COUNT; i++) {
        if (k[i]) {
            fputs(sep, out);
            fprintf(out, report_kind_count((enum action_kind)i, k[i]), k[i]);
            sep = ", ";
        }
    }
    fputc('\n', out);
    if (p->kind == PLAN_DEPLOY)
        node_mem_lines(p, out);
}

void report_problems(const struct plan *p, FILE *out)
{
    for (size_t i = 0; i < p->n_problems; i++)
        fprintf(out, _("error: %s\n"), p->problems[i]);
    for (size_t i = 0; i < p->n_notes; i++)
        fprintf(out, _("note: %s\n"), p->notes[i]);
}

void report_result(const struct plan *p, int64_t elapsed_ns, FILE *out)
{
    size_t ok = 0, vms = 0;
    for (size_t s = 0; s < p->n_students; s++) {
        ok += !p->students[s].failed;
        vms += p->students[s].failed ? 0 : p->students[s].n_vms;
    }
    char vm[64];
    fprintf(out,
            ngettext("\n%zu of %zu student OK, %s, %.1f s\n",
                     "\n%zu of %zu students OK, %s, %.1f s\n", p->n_students),
            ok, p->n_students, report_n_vms(vms, vm, sizeof vm),
            (double)elapsed_ns / (double)DS_NS_PER_S);
    for (size_t s = 0; s < p->n_students; s++)
        if (p->students[s].failed)
            fprintf(out, _("  FAILED %s: %s\n"), p->students[s].userid,
                    p->students[s].error ? p->students[s].error : _("failed"));
}

void report_result_json(const struct plan *p, int64_t elapsed_ns, FILE *out)
{
    size_t ok = 0, vms = 0;
    json_t *failed = json_array();
    for (size_t s = 0; s < p->n_students; s++) {
        const struct plan_student *ps = &p->students[s];
        ok += !ps->failed;
        vms += ps->failed ? 0 : ps->n_vms;
        if (ps->failed)
            json_array_append_new(failed,
                                  json_pack("{s:s, s:s?}", "user", ps->userid, "error", ps->error));
    }
    json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:f, s:o}", "event", "result", "stand",
                          p->stand, "students", (json_int_t)p->n_students, "ok", (json_int_t)ok,
                          "vms", (json_int_t)vms, "seconds",
                          (double)elapsed_ns / (double)DS_NS_PER_S, "failed", failed);
    json_dumpf(o, out, JSON_COMPACT);
    fputc('\n', out);
    json_decref(o);
}

static const char *password_text(const struct plan_student *ps)
{
    if (ps->password)
        return ps->password;
    switch (ps->cred) {
    case CRED_UNCHANGED:
        return _("(unchanged: the user existed)");
    case CRED_UNKNOWN:
        return _("(unknown: not in the local state)");
    case CRED_EXTERNAL:
        return _("(the student's own account of the directory realm)");
    default:
        return ps->failed ? _("(not created)") : _("(unknown)");
    }
}

static const char *password_state(const struct plan_student *ps)
{
    if (ps->password)
        return ps->cred == CRED_NEW ? "new" : "known";
    switch (ps->cred) {
    case CRED_UNCHANGED:
        return "unchanged";
    case CRED_UNKNOWN:
        return "unknown";
    case CRED_EXTERNAL:
        return "external";
    default:
        return ps->failed ? "not-created" : "unknown";
    }
}

/* {"inventory_s", "plan_s", "execute_s"}: the phases' durations in seconds. */
static json_t *timing_json(const struct plan *p)
{
    const double ns_per_s = (double)DS_NS_PER_S;
    return json_pack("{s:f, s:f, s:f}", "inventory_s", (double)p->t_inventory_ns / ns_per_s,
                     "plan_s", (double)p->t_plan_ns / ns_per_s, "execute_s",
                     (double)p->t_exec_ns / ns_per_s);
}

void report_credentials(const struct plan *p, FILE *out, int json)
{
    if (json) {
        json_t *arr = json_array();
        for (size_t s = 0; s < p->n_students; s++) {
            const struct plan_student *ps = &p->students[s];
            json_t *vms = json_array();
            for (size_t i = 0; i < ps->n_vms; i++)
                json_array_append_new(vms,
                                      json_pack("{s:s, s:i, s:s}", "name", ps->vms[i].name, "vmid",
                                                ps->vms[i].vmid, "node", ps->vms[i].node));
            json_t *o =
                json_pack("{s:s, s:s, s:s, s:o, s:b}", "user", ps->userid, "pool", ps->pool,
                          "password_state", password_state(ps), "vms", vms, "ok", !ps->failed);
            json_object_set_new(o, "password",
                                ps->password ? json_string(ps->password) : json_null());
            json_object_set_new(o, "node", ps->node ? json_string(ps->node) : json_null());
            if (ps->error)
                json_object_set_new(o, "error", json_string(ps->error));
            json_array_append_new(arr, o);
        }
        json_t *root = json_pack("{s:s, s:o}", "stand", p->stand, "students", arr);
        if (p->t_plan_ns > 0 || p->t_exec_ns > 0)
            json_object_set_new(root, "timing", timing_json(p));
        json_dumpf(root, out, JSON_INDENT(2));
        fputc('\n', out);
        json_decref(root);
        return;
    }
    const char *const hdr[] = {_("user"), _("password"), _("pool"), _("node"), _("VMs")};
    struct table *t = table_new(5, hdr);
    for (size_t s = 0; s < p->n_students; s++) {
        const struct plan_student *ps = &p->students[s];
        char vms[1024] = "";
        size_t vl = 0;
        for (size_t i = 0; i < ps->n_vms && vl < sizeof vms; i++)
            vl += (size_t)snprintf(vms + vl, sizeof vms - vl, "%s%s (%d)", i ? ", " : "",
                                   ps->vms[i].name, ps->vms[i].vmid);
        const char *row[] = {ps->userid, ps->failed ? _("(failed)") : password_text(ps), ps->pool,
                             ps->node ? ps->node : "-", ps->failed ? "-" : vms};
        table_add(t, row);
    }
    table_print(t, out);
    table_free(t);
}
