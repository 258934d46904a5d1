/* test_template_hints: mapper_template.yml hints in the planner: a hinted template copy is used
 * where no marked copy exists, the marks on the cluster win when they disagree, stale hints are
 * ignored (a copy is planned instead). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stand_fx.h"

#include "config/stand.h"
#include "config/template_map.h"
#include "config/users.h"
#include "inventory/inventory.h"
#include "plan/marks.h"
#include "plan/plan.h"
#include "util/diag.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* template 100 (digest d100) and 101 on pve1, local disks; nothing on pve2 yet */
static const char *VIEW =
    "{\"nodes\":[{\"node\":\"pve1\",\"status\":\"online\"},{\"node\":\"pve2\",\"status\":"
    "\"online\"}],"
    "\"resources\":["
    "{\"type\":\"qemu\",\"vmid\":100,\"node\":\"pve1\",\"name\":\"t100\",\"template\":1},"
    "{\"type\":\"qemu\",\"vmid\":101,\"node\":\"pve1\",\"name\":\"t101\",\"template\":1}],"
    "\"networks\":{\"pve1\":{\"ifaces\":[{\"iface\":\"vmbr0\",\"type\":\"bridge\"}]},"
    "\"pve2\":{\"ifaces\":[{\"iface\":\"vmbr0\",\"type\":\"bridge\"}]}},"
    "\"users\":[],\"pools\":[],\"acl\":[],"
    "\"storages\":[{\"storage\":\"local-lvm\",\"node\":\"pve1\",\"shared\":0},"
    "{\"storage\":\"local-lvm\",\"node\":\"pve2\",\"shared\":0}],"
    "\"configs\":{\"100\":{\"scsi0\":\"local-lvm:base-100-disk-0,size=8G\",\"digest\":\"d100\"},"
    "\"101\":{\"scsi0\":\"local-lvm:base-101-disk-0,size=8G\",\"digest\":\"d101\"}}}";

static const char *STAND = "stand: lab\nmachines:\n"
                           "  - {name: web, template_node: pve1, template_vmid: 100}\n";

static json_t *view(void)
{
    json_error_t je;
    json_t *j = json_loads(VIEW, 0, &je);
    if (!j)
        fail_msg("fixture JSON: %s at %d", je.text, je.line);
    return j;
}

/* A VM in the view; `copy_of` > 0 gives it the copy mark of that original (digest `digest`). */
static void add_vm(json_t *v, int vmid, const char *node, int tpl, int copy_of, const char *digest)
{
    json_array_append_new(json_object_get(v, "resources"),
                          json_pack("{s:s, s:i, s:s, s:s, s:i}", "type", "qemu", "vmid", vmid,
                                    "node", node, "name", "tpl", "template", tpl));
    json_t *cfg = json_pack("{s:s}", "scsi0", "local-lvm:base-disk-0,size=8G");
    if (copy_of > 0) {
        char mark[256];
        mark_copy_format(mark, sizeof mark, copy_of, digest, node);
        json_object_set_new(cfg, "description", json_string(mark));
        json_object_set_new(cfg, "tags", json_string(MARK_TAG ";" MARK_COPY_TAG));
    }
    char key[16];
    snprintf(key, sizeof key, "%d", vmid);
    json_object_set_new(json_object_get(v, "configs"), key, cfg);
}

/* The seed's mapper_template.yml with `text`, loaded as the app does. */
static struct template_map *map_of(const char *text)
{
    char dir[] = "/tmp/ds-hints-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/mapper_template.yml", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    struct diag_list d = {0};
    struct template_map *m = NULL;
    assert_int_equal(template_map_load(path, &m, &d), 0);
    diag_list_clear(&d);
    unlink(path);
    rmdir(dir);
    return m;
}

/* The remote deploy of two students to pve2 with the hints of `map` on view `v` (stolen). */
static struct plan *deploy(json_t *v, const struct template_map *map)
{
    struct stand *st = NULL;
    struct users_list *u = NULL;
    stand_fx_load(STAND, "users: [s1@pve, s2@pve]\n", &st, &u);
    struct cluster_view *cv = inventory_from_json(v);
    struct plan_request rq = {.stand = st,
                              .users = u,
                              .strategy = "remote",
                              .target_node = "pve2",
                              .hints = map ? map->hints : NULL,
                              .n_hints = map ? map->n : 0};
    struct plan *p = NULL;
    assert_int_equal(plan_deploy(&rq, cv, &p), 0);
    assert_int_equal(p->n_problems, 0);
    cluster_view_free(cv);
    stand_fx_free(st, u);
    return p;
}

/* Every student's VM is cloned on pve2 from `src` (no copy planned), or, src == 0, from the one
 * copy this plan makes. */
static void expect_source(const struct plan *p, int src)
{
    assert_int_equal(p->n_copies, src ? 0 : 1);
    assert_int_equal(plan_count(p, ACT_TPL_COPY), src ? 0 : 1);
    for (size_t s = 0; s < p->n_students; s++) {
        const struct plan_vm *vm = &p->students[s].vms[0];
        assert_string_equal(vm->node, "pve2");
        assert_string_equal(vm->src_node, "pve2");
        if (src) {
            assert_int_equal(vm->copy, -1);
            assert_int_equal(vm->src_vmid, src);
        } else {
            assert_int_equal(vm->copy, 0);
            assert_int_equal(p->copies[0].orig, 100);
            assert_string_equal(p->copies[0].node, "pve2");
        }
    }
}

static int has_note(const struct plan *p, const char *needle)
{
    for (size_t i = 0; i < p->n_notes; i++)
        if (strstr(p->notes[i], needle))
            return 1;
    return 0;
}

/* The hint names an unmarked template on pve2: it is used (with a note), nothing is copied. */
static void test_hint_is_used(void **st)
{
    (void)st;
    struct template_map *m = map_of("template_mapping:\n  100: {PVE2: 900}\n");
    assert_int_equal(m->n, 1);
    json_t *v = view();
    add_vm(v, 900, "pve2", 1, 0, NULL);
    struct plan *p = deploy(v, m);
    expect_source(p, 900);
    assert_true(has_note(p, "900"));
    plan_free(p);

    /* without the hint the same cluster needs a copy: the hint made the difference */
    v = view();
    add_vm(v, 900, "pve2", 1, 0, NULL);
    p = deploy(v, NULL);
    expect_source(p, 0);
    plan_free(p);
    template_map_free(m);
}

/* A marked copy of 100 on pve2 wins over the hint naming another VM. */
static void test_marks_win(void **st)
{
    (void)st;
    struct template_map *m = map_of("template_mapping:\n  100: {pve2: 900}\n");
    json_t *v = view();
    add_vm(v, 900, "pve2", 1, 0, NULL);
    add_vm(v, 910, "pve2", 1, 100, "d100");
    struct plan *p = deploy(v, m);
    expect_source(p, 910);
    plan_free(p);
    template_map_free(m);
}

/* The hint names a VM whose mark says it is a copy of another template (101): the mark wins and
 * the hint is not used for 100. */
static void test_mark_of_other_template_wins(void **st)
{
    (void)st;
    struct template_map *m = map_of("template_mapping:\n  100: {pve2: 920}\n");
    json_t *v = view();
    add_vm(v, 920, "pve2", 1, 101, "d101");
    struct plan *p = deploy(v, m);
    expect_source(p, 0);
    plan_free(p);
    template_map_free(m);
}

/* Stale hints: the VM is gone, is no template, or is on another node: ignored, a copy is made. */
static void test_stale_hint_ignored(void **st)
{
    (void)st;
    struct template_map *m = map_of("template_mapping:\n  100: {pve2: 930}\n");
    for (int c = 0; c < 3; c++) {
        json_t *v = view();
        if (c == 1)
            add_vm(v, 930, "pve2", 0, 0, NULL); /* a plain VM now */
        if (c == 2)
            add_vm(v, 930, "pve1", 1, 0, NULL); /* a template, but on pve1 */
        struct plan *p = deploy(v, m);
        expect_source(p, 0);
        plan_free(p);
    }
    template_map_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hint_is_used),
        cmocka_unit_test(test_marks_win),
        cmocka_unit_test(test_mark_of_other_template_wins),
        cmocka_unit_test(test_stale_hint_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
