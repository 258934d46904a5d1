/* demo_stand: fits the demo's example stand to the simulated cluster it runs on: every machine is
 * pointed at one of the cluster's real templates (and its node), chosen by kind and name. */
#include "cli/demo_stand.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Weights of demo_stand_fit's preferences, each above the sum of the ones below it. */
enum {
    SCORE_KIND = 1000,  /* the template is of the kind the machine wants */
    SCORE_UNUSED = 100, /* no earlier machine uses it */
    SCORE_NAME = 20,    /* its name contains the machine's name */
    SCORE_VMID = 10,    /* the VMID the stand named */
    SCORE_NODE = 1      /* an earlier machine is on its node */
};

enum demo_tpl_kind demo_tpl_kind(const struct inv_vm *vm)
{
    if ((vm->name && strcasestr(vm->name, "ecorouter")) ||
        (vm->tags && strcasestr(vm->tags, "ecorouter")))
        return DEMO_TPL_ECOROUTER;
    const char *os = json_string_value(json_object_get(vm->config, "ostype"));
    if (os && (strcmp(os, "l24") == 0 || strcmp(os, "l26") == 0))
        return DEMO_TPL_LINUX;
    return DEMO_TPL_OTHER;
}

enum demo_tpl_kind demo_machine_wants(const struct stand_machine *m)
{
    switch (m->device_type) {
    case DEVICE_LINUX:
        return DEMO_TPL_LINUX;
    case DEVICE_ECOROUTER:
        return DEMO_TPL_ECOROUTER;
    default:
        return DEMO_TPL_OTHER;
    }
}

int demo_tpl_usable(const struct cluster_view *v, const struct inv_vm *vm)
{
    if (!vm->template || !vm->node)
        return 0;
    const struct inv_node *n = inv_node_find(v, vm->node);
    return n && n->online;
}

/* How well template `vm` fits machine `i` of `st`, given the templates picked for machines 0..i-1
 * (indexes into v->vms). */
static int fit_score(const struct stand *st, size_t i, const struct cluster_view *v,
                     const size_t *picked, const struct inv_vm *vm)
{
    const struct stand_machine *m = &st->machines[i];
    enum demo_tpl_kind want = demo_machine_wants(m);
    int score = 0;
    if (want != DEMO_TPL_OTHER && demo_tpl_kind(vm) == want)
        score += SCORE_KIND;
    int used = 0, node_used = 0;
    for (size_t j = 0; j < i; j++) {
        const struct inv_vm *p = &v->vms[picked[j]];
        used |= p->vmid == vm->vmid;
        node_used |= strcmp(p->node, vm->node) == 0;
    }
    if (!used)
        score += SCORE_UNUSED;
    if (m->name && vm->name && strcasestr(vm->name, m->name))
        score += SCORE_NAME;
    if (vm->vmid == m->template_vmid)
        score += SCORE_VMID;
    if (node_used)
        score += SCORE_NODE;
    return score;
}

/* The index in v->vms of the best template for machine i, or -1 when there is none. */
static long best_template(const struct stand *st, size_t i, const struct cluster_view *v,
                          const size_t *picked)
{
    long best = -1;
    int best_score = -1;
    for (size_t k = 0; k < v->n_vms; k++) {
        const struct inv_vm *vm = &v->vms[k];
        if (!demo_tpl_usable(v, vm))
            continue;
        int score = fit_score(st, i, v, picked, vm);
        if (score > best_score || (score == best_score && vm->vmid < v->vms[best].vmid)) {
            best = (long)k;
            best_score = score;
        }
    }
    return best;
}

int demo_stand_fit(struct stand *st, const struct cluster_view *v)
{
    size_t n = st->n_machines;
    size_t *picked = calloc(n + 1, sizeof *picked);
    char **nodes = calloc(n + 1, sizeof *nodes);
    int rc = picked && nodes ? 0 : -2;
    for (size_t i = 0; i < n && rc == 0; i++) {
        long k = best_template(st, i, v, picked);
        if (k < 0) {
            rc = -1;
            break;
        }
        picked[i] = (size_t)k;
        nodes[i] = strdup(v->vms[k].node);
        if (!nodes[i])
            rc = -2;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct stand_machine *m = &st->machines[i];
        free(m->template_node);
        m->template_node = nodes[i];
        nodes[i] = NULL;
        m->template_vmid = v->vms[picked[i]].vmid;
    }
    for (size_t i = 0; nodes && i < n; i++)
        free(nodes[i]);
    free(nodes);
    free(picked);
    return rc;
}
