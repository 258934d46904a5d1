/* fuzz_stand_load: libFuzzer target for stand_load_text (deployment_config.yml): any input must
 * give either a stand and no diagnostic, or NULL and at least one located diagnostic. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/stand.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct diag_list diags = {0};
    struct stand *s = NULL;
    int rc = stand_load_text("fuzz.yml", (const char *)data, size, &s, &diags);
    fuzz_check_result(rc, s != NULL, &diags);
    if (s) {
        /* touch every string the planner would use */
        FUZZ_CHECK(s->name && s->name[0] && s->path && s->n_machines > 0);
        for (size_t i = 0; i < s->n_machines; i++) {
            const struct stand_machine *m = &s->machines[i];
            FUZZ_CHECK(m->name && strlen(m->name) <= 63 && m->template_node);
            FUZZ_CHECK(m->template_vmid >= 100 && m->template_vmid <= 999999999);
            for (size_t j = 0; j < m->n_nets; j++) {
                const struct stand_net *n = &m->nets[j];
                FUZZ_CHECK(n->name && n->name[0] && n->vid >= 0 && n->vid <= 4094);
                FUZZ_CHECK(n->line > 0 && n->col > 0);
            }
        }
        FUZZ_CHECK(s->password_policy.length >= 8 && s->password_policy.length <= 64);
    }
    stand_free(s);
    diag_list_clear(&diags);
    return 0;
}
