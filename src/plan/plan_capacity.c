/* plan_capacity: configured memory per node for every deploy plan: the node's VMs, running or not
 * (templates aside), plus the plan's new VMs, against the node's memory; over it is a problem. */
#include "plan/plan_capacity.h"
#include "plan/plan_internal.h"
#include "util/i18n.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1024LL * 1024LL)
#define GIB (1024.0 * 1024.0 * 1024.0)
#define PVE_DEFAULT_MEMORY_MIB 512LL
#define MEMORY_MIB_MAX (1LL << 24) /* 16 TiB: beyond any VM, and sums cannot overflow */

/* MiB of a config's `memory`: a number or "[current=]N" (PVE 8's property string); -1 when it is
 * neither. */
static long long memory_mib(const json_t *m)
{
    long long mib = -1;
    const char *s = json_string_value(m);
    if (json_is_integer(m)) {
        mib = json_integer_value(m);
    } else if (json_is_real(m)) {
        double d = json_real_value(m);
        mib = d >= 0 && d < (double)MEMORY_MIB_MAX ? (long long)d : MEMORY_MIB_MAX;
    } else if (s) {
        if (strncmp(s, "current=", 8) == 0)
            s += 8;
        char *end;
        mib = strtoll(s, &end, 10);
        if (end == s || (*end && *end != ','))
            mib = -1;
    }
    if (mib < 0)
        return -1;
    return mib > MEMORY_MIB_MAX ? MEMORY_MIB_MAX : mib;
}

long long pl_vm_memory(const struct inv_vm *vm)
{
    if (vm->config) {
        const json_t *m = json_object_get(vm->config, "memory");
        long long mib = m ? memory_mib(m) : PVE_DEFAULT_MEMORY_MIB;
        if (mib >= 0)
            return mib * MIB;
    }
    long long max = MEMORY_MIB_MAX * MIB;
    return vm->maxmem < 0 ? 0 : vm->maxmem > max ? max : vm->maxmem;
}

long long pl_node_configured(const struct cluster_view *v, const char *node)
{
    long long sum = 0;
    for (size_t i = 0; i < v->n_vms; i++) {
        const struct inv_vm *vm = &v->vms[i];
        if (vm->node && strcmp(vm->node, node) == 0 && !inv_vm_is_template(vm))
            sum += pl_vm_memory(vm);
    }
    return sum;
}

struct plan *pl_deploy_plan_new(const struct plan_request *rq, const struct cluster_view *v)
{
    struct plan *p = xcalloc(1, sizeof *p);
    pl_init(p, rq, PLAN_DEPLOY);
    p->node_mem = xcalloc(v->n_nodes + 1, sizeof *p->node_mem); /* ends with node NULL */
    for (size_t i = 0; i < v->n_nodes; i++) {
        const struct inv_node *n = &v->nodes[i];
        p->node_mem[i].node = xstrdup(n->name);
        p->node_mem[i].online = n->online;
        p->node_mem[i].total = n->maxmem > 0 ? n->maxmem : 0;
    }
    return p;
}

/* The index in p->node_mem of `node`, or n when it is not one of the view's nodes. */
static size_t node_index(const struct plan_node_mem *nm, size_t n, const char *node)
{
    size_t i = 0;
    while (i < n && (!node || strcmp(nm[i].node, node) != 0))
        i++;
    return i;
}

/* Students, VMs and the new VMs' memory per node (the templates' configured memory). */
static void count_plan(struct plan *p, const struct plan_request *rq, const struct cluster_view *v,
                       size_t n)
{
    const struct stand *st = rq->stand;
    long long *tpl = xcalloc(st->n_machines, sizeof *tpl);
    for (size_t m = 0; m < st->n_machines; m++) {
        const struct inv_vm *t = inv_vm_find(v, st->machines[m].template_vmid);
        tpl[m] = t ? pl_vm_memory(t) : 0;
    }
    for (size_t s = 0; s < p->n_students; s++) {
        const struct plan_student *ps = &p->students[s];
        for (size_t k = 0; k < ps->n_vms; k++) {
            const struct plan_vm *pv = &ps->vms[k];
            size_t j = node_index(p->node_mem, n, pv->node), seen = 0;
            if (j == n)
                continue;
            for (size_t e = 0; e < k && !seen; e++)
                seen = ps->vms[e].node && strcmp(ps->vms[e].node, pv->node) == 0;
            p->node_mem[j].students += !seen;
            p->node_mem[j].vms++;
            if (!pv->exists && k < st->n_machines)
                p->node_mem[j].added += tpl[k];
        }
    }
    free(tpl);
}

/* Appends a formatted piece to the malloc'd string *s. */
static void append(char **s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void append(char **s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *piece = xvasprintf(fmt, ap);
    va_end(ap);
    char *both = xasprintf("%s%s", *s ? *s : "", piece);
    free(*s);
    free(piece);
    *s = both;
}

/* The per-node table: the nodes that are online or hold plan VMs. */
static char *capacity_table(const struct plan *p)
{
    char *t = NULL;
    append(&t, "%s\n", _("  memory per node in GiB:"));
    append(&t, "  %-12s %10s %10s %10s %10s %10s", _("node"), _("VMs now"), _("new VMs"),
           _("together"), _("memory"), _("over by"));
    for (size_t i = 0; i < p->n_node_mem; i++) {
        const struct plan_node_mem *nm = &p->node_mem[i];
        if (!nm->online && !nm->vms)
            continue;
        long long sum = nm->configured + nm->added;
        char over[32] = "-";
        if (nm->over)
            snprintf(over, sizeof over, "%.1f", (double)(sum - nm->total) / GIB);
        append(&t, "\n  %-12s %10.1f %10.1f %10.1f %10.1f %10s", nm->node,
               (double)nm->configured / GIB, (double)nm->added / GIB, (double)sum / GIB,
               (double)nm->total / GIB, over);
    }
    return t;
}

void pl_capacity_check(struct plan *p, const struct plan_request *rq, const struct cluster_view *v)
{
    size_t n = v->n_nodes, n_over = 0;
    p->n_node_mem = n;
    for (size_t i = 0; i < v->n_vms; i++) {
        const struct inv_vm *vm = &v->vms[i];
        size_t j = node_index(p->node_mem, n, vm->node);
        if (j < n && !inv_vm_is_template(vm))
            p->node_mem[j].configured += pl_vm_memory(vm);
    }
    count_plan(p, rq, v, n);
    char *names = NULL;
    for (size_t i = 0; i < n; i++) {
        struct plan_node_mem *nm = &p->node_mem[i];
        nm->over = nm->total > 0 && nm->configured + nm->added > nm->total;
        if (nm->over && nm->added > 0) /* a plan that adds nothing there does not make it worse */
            append(&names, "%s%s", n_over++ ? ", " : "", nm->node);
    }
    if (!n_over)
        return;
    char *table = capacity_table(p), *head;
    if (rq->overcommit) {
        p->overcommit = 1;
        head = xasprintf(ngettext("--overcommit: node %s gets more memory configured than it has, "
                                  "so its VMs cannot all run at once:",
                                  "--overcommit: nodes %s get more memory configured than they "
                                  "have, so their VMs cannot all run at once:",
                                  n_over),
                         names);
        pl_note(p, "%s\n%s", head, table);
    } else {
        head = xasprintf(
            ngettext("node %s would get more memory configured than it has (every VM of a node "
                     "counts with its configured memory, running or not, templates aside; a new "
                     "VM with its template's):",
                     "nodes %s would get more memory configured than they have (every VM of a node "
                     "counts with its configured memory, running or not, templates aside; a new "
                     "VM with its template's):",
                     n_over),
            names);
        pl_problem(p, "%s\n%s\n%s", head, table,
                   _("  hint: fewer students, smaller templates, a strategy that spreads the class "
                     "(balanced, smart), or --overcommit to deploy it all the same"));
    }
    free(head);
    free(table);
    free(names);
}
