/* strategy_smart: capacity-aware placement in the style of Proxmox's static CRS scheduler: each
 * student goes where the resulting maximum and average memory use is lowest (memory weighs more
 * than CPU), never above a node's memory minus the reserve; close calls prefer template nodes. */
#include "plan/plan_capacity.h"
#include "plan/strategy.h"
#include "util/xalloc.h"
#include "util/i18n.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1024.0 * 1024.0)
#define GIB (1024.0 * MIB)
#define MEM_WEIGHT 3.0
#define CLOSE_SCORE 0.02 /* scores this close count as a tie, won by a node with templates */

struct node_load {
    const struct inv_node *n;
    double cap_mem;   /* usable memory: maxmem minus the reserve */
    double mem;       /* taken now plus what this plan puts there */
    double cores;     /* vCPUs of running VMs plus this plan's */
    double start_mem; /* before this plan: the memory in use or, when larger, the configured memory
                         of the node's VMs (stopped ones too); in use only with --overcommit */
    int students;
    int has_templates; /* templates of the stand live here */
};

static double cfg_num(const json_t *cfg, const char *key, double dflt)
{
    json_t *v = json_object_get(cfg, key);
    if (json_is_integer(v))
        return (double)json_integer_value(v);
    if (json_is_real(v))
        return json_real_value(v);
    if (json_is_string(v))
        return atof(json_string_value(v));
    return dflt;
}

/* What one student's stand needs: the templates' configured memory and vCPUs. */
static void stand_need(const struct placement_input *in, double *mem, double *cores)
{
    *mem = *cores = 0;
    for (size_t m = 0; m < in->stand->n_machines; m++) {
        const struct inv_vm *t = inv_vm_find(in->view, in->stand->machines[m].template_vmid);
        const json_t *cfg = t ? t->config : NULL;
        double c = cfg ? cfg_num(cfg, "cores", 1) * cfg_num(cfg, "sockets", 1)
                       : (t && t->maxcpu ? t->maxcpu : 1);
        *mem += t ? (double)pl_vm_memory(t) : 512 * MIB;
        *cores += c;
    }
}

static double score_with(const struct node_load *l, size_t nn, size_t pick, double mem,
                         double cores)
{
    double umax = 0, usum = 0, cmax = 0, csum = 0;
    for (size_t i = 0; i < nn; i++) {
        double m = l[i].mem + (i == pick ? mem : 0);
        double c = l[i].cores + (i == pick ? cores : 0);
        double u = l[i].n->maxmem > 0 ? m / (double)l[i].n->maxmem : 1;
        double cu = l[i].n->maxcpu > 0 ? c / l[i].n->maxcpu : 1;
        umax = u > umax ? u : umax;
        cmax = cu > cmax ? cu : cmax;
        usum += u;
        csum += cu;
    }
    return MEM_WEIGHT * (umax + usum / (double)nn) + (cmax + csum / (double)nn);
}

/* One problem: what the class needs, and per node what it would need, what is free and the gap. */
static void capacity_table(const struct placement_input *in, const struct node_load *l, size_t nn,
                           double need, size_t placed, size_t total,
                           void (*add_problem)(void *ctx, const char *msg), void *ctx)
{
    char msg[4096];
    size_t ml = 0;
    double left = need * (double)(total - placed), free_total = 0,
           class_need = need * (double)total;
    ml += (size_t)snprintf(msg + ml, sizeof msg - ml,
                           ngettext("the class does not fit: each student needs %.1f GiB; %zu of "
                                    "%zu student placed, %zu left (%.1f GiB).\n"
                                    "  capacity per node in GiB (memory minus a %.0f%% reserve):\n"
                                    "  %-12s %10s %10s %10s\n",
                                    "the class does not fit: each student needs %.1f GiB; %zu of "
                                    "%zu students placed, %zu left (%.1f GiB).\n"
                                    "  capacity per node in GiB (memory minus a %.0f%% reserve):\n"
                                    "  %-12s %10s %10s %10s\n",
                                    total),
                           need / GIB, placed, total, total - placed, left / GIB,
                           in->mem_reserve * 100, _("node"), _("needed"), _("free"), _("short by"));
    for (size_t i = 0; i < nn && ml < sizeof msg; i++) {
        double fr = l[i].cap_mem - l[i].start_mem;
        fr = fr > 0 ? fr : 0;
        free_total += fr;
        /* what this node would need to take its even share of the whole class */
        double share = class_need / (double)nn;
        double placed_here = l[i].mem - l[i].start_mem;
        double needed = share > placed_here ? share : placed_here;
        ml += (size_t)snprintf(msg + ml, sizeof msg - ml, "  %-12s %10.1f %10.1f %10.1f\n",
                               l[i].n->name, needed / GIB, fr / GIB,
                               needed > fr ? (needed - fr) / GIB : 0.0);
    }
    if (ml < sizeof msg)
        snprintf(msg + ml, sizeof msg - ml,
                 _("  %-12s %10.1f %10.1f %10.1f\n"
                   "  hint: fewer students, smaller templates, more nodes, or --mem-reserve lower"),
                 _("total"), class_need / GIB, free_total / GIB,
                 class_need > free_total ? (class_need - free_total) / GIB : 0.0);
    add_problem(ctx, msg);
}

/* The load of every online node of in->view: memory taken (in use, or configured when that is
 * more, unless in->overcommit) and the cap left by the reserve, vCPUs of running VMs, templates of
 * the stand it holds. A malloc'd array (caller frees) of *nn. */
static struct node_load *online_loads(const struct placement_input *in, size_t *nn)
{
    const struct cluster_view *v = in->view;
    struct node_load *l = xcalloc(v->n_nodes + 1, sizeof *l);
    *nn = 0;
    for (size_t i = 0; i < v->n_nodes; i++) {
        const struct inv_node *n = &v->nodes[i];
        if (!n->online)
            continue;
        struct node_load *x = &l[(*nn)++];
        x->n = n;
        x->cap_mem = (double)n->maxmem * (1.0 - in->mem_reserve);
        double configured = in->overcommit ? 0 : (double)pl_node_configured(v, n->name);
        x->mem = x->start_mem = configured > (double)n->mem ? configured : (double)n->mem;
        for (size_t k = 0; k < v->n_vms; k++)
            if (!v->vms[k].template && v->vms[k].status &&
                strcmp(v->vms[k].status, "running") == 0 && strcmp(v->vms[k].node, n->name) == 0)
                x->cores += v->vms[k].maxcpu;
        for (size_t m = 0; m < in->stand->n_machines; m++)
            x->has_templates += strcmp(in->stand->machines[m].template_node, n->name) == 0;
    }
    return l;
}

static int smart_place(const struct placement_input *in, struct placement *out,
                       void (*add_problem)(void *ctx, const char *msg), void *ctx)
{
    size_t nn;
    struct node_load *l = online_loads(in, &nn);
    if (nn == 0) {
        add_problem(ctx, _("no node of the cluster is online"));
        free(l);
        return 0;
    }
    double need_mem, need_cores;
    stand_need(in, &need_mem, &need_cores);
    for (size_t s = 0; s < out->n_students; s++) {
        size_t best = nn;
        double best_score = 0;
        double scores[64];
        for (size_t i = 0; i < nn; i++) {
            double sc = score_with(l, nn, i, need_mem, need_cores);
            if (i < 64)
                scores[i] = sc;
            if (l[i].mem + need_mem > l[i].cap_mem)
                continue;
            int better = best == nn || sc < best_score - CLOSE_SCORE ||
                         (sc <= best_score + CLOSE_SCORE &&
                          (l[i].has_templates > l[best].has_templates ||
                           (l[i].has_templates == l[best].has_templates && sc < best_score)));
            if (better) {
                best = i;
                best_score = sc;
            }
        }
        if (best == nn) {
            capacity_table(in, l, nn, need_mem, s, out->n_students, add_problem, ctx);
            free(l);
            return 0;
        }
        struct node_load *b = &l[best];
        double before = b->mem / (double)b->n->maxmem;
        b->mem += need_mem;
        b->cores += need_cores;
        b->students++;
        for (size_t m = 0; m < out->n_machines; m++)
            out->slots[s * out->n_machines + m].node = b->n->name;
        if (out->why) {
            char others[256] = "";
            size_t ol = 0;
            for (size_t i = 0; i < nn && i < 64 && ol < sizeof others; i++)
                if (i != best)
                    ol += (size_t)snprintf(others + ol, sizeof others - ol, "%s%s %.2f",
                                           ol ? ", " : "", l[i].n->name, scores[i]);
            if (asprintf(&out->why[s],
                         _("needs %.1f GiB and %.0f vCPUs; %s memory %.0f%% -> %.0f%% of "
                           "%.0f GiB, lowest score %.2f%s%s%s"),
                         need_mem / GIB, need_cores, b->n->name, before * 100,
                         b->mem / (double)b->n->maxmem * 100, (double)b->n->maxmem / GIB,
                         best_score, b->has_templates ? _(" (holds templates)") : "",
                         ol ? _("; others: ") : "", others) < 0)
                out->why[s] = NULL;
        }
    }
    free(l);
    return 0;
}

static const struct strategy_option smart_options[] = {
    {"--mem-reserve", "PCT", N_("share of each node's memory kept free (default 10)")},
    {NULL, NULL, NULL},
};

const struct strategy strategy_smart = {
    .name = "smart",
    .label = N_("by free memory and CPU of the nodes"),
    .options = smart_options,
    .summary = N_("capacity-aware: memory and CPU of every node, a memory reserve, no overcommit"),
    .place = smart_place,
};
