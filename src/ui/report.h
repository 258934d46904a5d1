/* report: how plans, progress, results and credentials look to the teacher (text or JSON).
 * Everything a command prints about a plan goes through here, so the commands stay short. */
#ifndef DS_REPORT_H
#define DS_REPORT_H

#include "exec/exec.h"
#include "plan/plan.h"
#include <stdio.h>

/* "%zu student(s)", "%zu VM(s)" in the language's form for n, written into buf (returned). */
const char *report_n_students(size_t n, char *buf, size_t len);
const char *report_n_vms(size_t n, char *buf, size_t len);
/* The counted form of an action kind for a plan's summary, a format with one %zu: "create %zu
 * users", "clone %zu VMs"... */
const char *report_kind_count(enum action_kind kind, size_t n);

/* The plan grouped by node and student, with a one-line summary; or a JSON document. */
void report_plan(const struct plan *p, const char *strategy, FILE *out, int json);

/* Preflight problems ("error: ..." lines) and notes ("note: ..."). */
void report_problems(const struct plan *p, FILE *out);

/* The per-student result after a run: OK/failed with the error, VMs, time taken. */
void report_result(const struct plan *p, int64_t elapsed_ns, FILE *out);
/* The same as one JSON line: {"event": "result", "stand", "students", "ok", "vms", "seconds",
 * "failed": [{"user", "error"}]}. */
void report_result_json(const struct plan *p, int64_t elapsed_ns, FILE *out);

/* Credentials: a table (user, password, pool, node, VMs) or a JSON document
 * {"stand":..,"students":[{user,password,password_state,pool,node,vms:[{name,vmid,node}],ok,error}]}.
 * Passwords the tool does not know are shown as "(unchanged)" or "(unknown)" — never invented. */
void report_credentials(const struct plan *p, FILE *out, int json);

#endif
