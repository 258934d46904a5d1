/* demo_intro: the text `deploy-stand demo` starts with: where the simulated cluster runs, its
 * nodes and templates as read from it, and the template each machine of the stand is cloned from.
 */
#include "cli/demo_intro.h"
#include "cli/demo_stand.h"
#include "util/i18n.h"
#include <stdlib.h>
#include <string.h>

size_t demo_intro_templates(const struct cluster_view *v)
{
    size_t n = 0;
    for (size_t i = 0; i < v->n_vms; i++)
        n += (size_t)demo_tpl_usable(v, &v->vms[i]);
    return n;
}

/* "pve1, pve2, pve3 offline" (malloc'd; NULL when out of memory). */
static char *node_list(const struct cluster_view *v)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    for (size_t i = 0; i < v->n_nodes; i++) {
        if (i)
            fputs(", ", f);
        if (v->nodes[i].online)
            fputs(v->nodes[i].name, f);
        else
            fprintf(f, _("%s offline"), v->nodes[i].name);
    }
    fclose(f);
    return buf;
}

/* "Scenario 'classroom': 3 nodes (pve1, pve2, pve3), 3 templates:" and one line per template. */
static void print_cluster(FILE *out, const char *scenario, const struct cluster_view *v)
{
    char nodes[64], tpls[64];
    size_t n_tpl = demo_intro_templates(v);
    snprintf(nodes, sizeof nodes, ngettext("%zu node", "%zu nodes", v->n_nodes), v->n_nodes);
    snprintf(tpls, sizeof tpls, ngettext("%zu template", "%zu templates", n_tpl), n_tpl);
    char *list = node_list(v);
    fprintf(out, _("Scenario '%s': %s (%s), %s:\n"), scenario, nodes, list ? list : "", tpls);
    free(list);
    int width = 0;
    for (size_t i = 0; i < v->n_vms; i++)
        if (demo_tpl_usable(v, &v->vms[i]) && v->vms[i].name && (int)strlen(v->vms[i].name) > width)
            width = (int)strlen(v->vms[i].name);
    for (size_t i = 0; i < v->n_vms; i++) {
        const struct inv_vm *vm = &v->vms[i];
        if (demo_tpl_usable(v, vm))
            fprintf(out, _("    %d  %-*s  on %s\n"), vm->vmid, width, vm->name ? vm->name : "",
                    vm->node);
    }
}

static const char *kind_name(enum demo_tpl_kind k)
{
    return k == DEMO_TPL_ECOROUTER ? "EcoRouter" : "Linux";
}

/* One line per machine: the template it is cloned from, and why when it is not of its kind. */
static void print_machines(FILE *out, const struct cluster_view *v, const struct stand *st)
{
    int width = 0;
    for (size_t i = 0; i < st->n_machines; i++)
        if ((int)strlen(st->machines[i].name) > width)
            width = (int)strlen(st->machines[i].name);
    for (size_t i = 0; i < st->n_machines; i++) {
        const struct stand_machine *m = &st->machines[i];
        const struct inv_vm *vm = inv_vm_find(v, m->template_vmid);
        const char *name = vm && vm->name ? vm->name : "";
        enum demo_tpl_kind want = demo_machine_wants(m);
        if (want == DEMO_TPL_OTHER || (vm && demo_tpl_kind(vm) == want))
            fprintf(out, _("    %-*s  from template %d (%s) on %s\n"), width, m->name,
                    m->template_vmid, name, m->template_node);
        else
            fprintf(out,
                    _("    %-*s  from template %d (%s) on %s: the scenario has no %s template\n"),
                    width, m->name, m->template_vmid, name, m->template_node, kind_name(want));
    }
}

int demo_templates_spread(const struct stand *st)
{
    for (size_t i = 1; i < st->n_machines; i++)
        if (strcmp(st->machines[i].template_node, st->machines[0].template_node) != 0)
            return 1;
    return 0;
}

void demo_intro_print(FILE *out, const struct demo_intro *in, const struct cluster_view *v,
                      const struct stand *st)
{
    fprintf(out,
            _("deploy-stand demo\n\n"
              "A simulated Proxmox VE 8.4 cluster now runs at %s (TLS pinned to %.23s...).\n"),
            in->url, in->fingerprint);
    print_cluster(out, in->scenario, v);
    fprintf(
        out,
        ngettext(
            "The demo deploys the example stand (examples/deployment_config.yml: a web server,\n"
            "a client and an EcoRouter, with a private 'lan' network per student, a VLAN and a\n"
            "shared reserved bridge) for the %zu student of examples/users_list.yml, each\n"
            "machine cloned from the scenario's template that fits it best:\n",
            "The demo deploys the example stand (examples/deployment_config.yml: a web server,\n"
            "a client and an EcoRouter, with a private 'lan' network per student, a VLAN and a\n"
            "shared reserved bridge) for the %zu students of examples/users_list.yml, each\n"
            "machine cloned from the scenario's template that fits it best:\n",
            in->n_students),
        in->n_students);
    print_machines(out, v, st);
    if (demo_templates_spread(st))
        fputs(_("The templates are on several nodes, so the demo uses the balanced strategy: each\n"
                "student gets one node, and templates are copied to the nodes that lack them, so\n"
                "that a student's machines share their private networks.\n"),
              out);
    fprintf(out,
            _("Then it shows the result and removes everything again. Task times are scaled by "
              "%.2f.\n"),
            in->time_scale);
    fflush(out);
}
