/* report: how plans, progress, results and credentials look to the teacher (text or JSON).
 * Everything a command prints about a plan goes through here, so the commands stay short. */
#ifndef DS_REPORT_H
#define DS_REPORT_H

#include "exec/exec.h"
#include "plan/plan.h"
#include <stdio.h>

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
