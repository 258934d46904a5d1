/* test_undo_journal: rollback is a plan run by the executor: after a student fails late (its VM's
 * config change is refused once its user, pool, bridges and clones exist), `runs show ID` lists the
 * undo actions of the same run with their results, and `audit` lists the undo requests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct e2e F;

/* One JSON document per line of out (freed). */
static json_t *json_lines(char *out)
{
    json_t *a = json_array();
    for (char *line = out ? strtok(out, "\n") : NULL; line; line = strtok(NULL, "\n")) {
        json_t *j = json_loads(line, 0, NULL);
        if (j)
            json_array_append_new(a, j);
    }
    free(out);
    return a;
}

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* The VMID the plan gives student2's first VM (the plan is the same on a fresh simulator). */
static int student2_vmid(void)
{
    json_t *doc = NULL;
    assert_int_equal(e2e_cmd(&F, E2E_JSON, "plan", NULL, NULL, &doc, NULL, NULL), 0);
    assert_non_null(doc);
    int vmid = 0;
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(doc, "students"), i, s)
    {
        if (strcmp(str(s, "user"), "student2@pve") == 0)
            vmid = (int)json_integer_value(
                json_object_get(json_array_get(json_object_get(s, "vms"), 0), "vmid"));
    }
    json_decref(doc);
    assert_true(vmid > 0);
    return vmid;
}

static int setup(void **st)
{
    (void)st;
    const char *args[] = {"--scenario", "classroom", "--time-scale", "0.005", NULL};
    if (e2e_start(&F, args, NULL, NULL) < 0)
        return -1;
    ds_write_users(&F.env, 3);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    e2e_stop(&F);
    return 0;
}

/* The last run's id, from `runs --output json`. */
static long long last_run(void)
{
    const char *args[] = {"--output", "json", "runs", NULL};
    char *out = NULL;
    assert_int_equal(ds_run(&out, NULL, args), 0);
    json_t *doc = json_loads(out, 0, NULL);
    free(out);
    assert_non_null(doc);
    json_t *runs = json_object_get(doc, "runs");
    long long id = 0;
    size_t i;
    json_t *r;
    json_array_foreach(runs, i, r)
    {
        long long v = json_integer_value(json_object_get(r, "id"));
        id = v > id ? v : id;
    }
    json_decref(doc);
    assert_true(id > 0);
    return id;
}

static void test_undo_is_journaled_and_audited(void **st)
{
    (void)st;
    int vmid = student2_vmid();
    /* a fresh simulator that refuses the config change of that VM: everything before it exists */
    e2e_stop(&F);
    char match[64];
    snprintf(match, sizeof match, "/qemu/%d/config", vmid);
    const char *sim_args[] = {"--scenario", "classroom", "--time-scale", "0.005", "--fail-match",
                              match,        NULL};
    assert_int_equal(e2e_start(&F, sim_args, NULL, NULL), 0);
    ds_write_users(&F.env, 3);

    assert_int_equal(e2e_cmd(&F, E2E_JSON | E2E_YES, "deploy", NULL, NULL, NULL, NULL, NULL), 1);
    char *out = NULL;

    /* the run's journal: the deploy's actions, then the undo's, with their results */
    char id[32];
    snprintf(id, sizeof id, "%lld", last_run());
    const char *show[] = {"--output", "json", "runs", "show", id, NULL};
    out = NULL;
    assert_int_equal(ds_run(&out, NULL, show), 0);
    json_t *shown = json_loads(out, 0, NULL);
    free(out);
    assert_non_null(shown);
    json_t *acts = json_incref(json_object_get(shown, "actions"));
    json_decref(shown);
    int destroyed = 0, pool = 0, user = 0, bridges = 0, failed_cfg = 0;
    size_t i;
    json_t *a;
    json_array_foreach(acts, i, a)
    {
        const char *kind = str(a, "kind"), *status = str(a, "status");
        if (strcmp(str(a, "student"), "student2@pve") != 0)
            continue;
        failed_cfg += strcmp(kind, "configure VM") == 0 && strcmp(status, "failed") == 0;
        if (strcmp(status, "done") != 0)
            continue;
        destroyed += strcmp(kind, "destroy VM") == 0 &&
                     json_integer_value(json_object_get(a, "vmid")) == vmid;
        pool += strcmp(kind, "delete pool") == 0;
        user += strcmp(kind, "delete user") == 0;
        bridges += strcmp(kind, "delete bridge") == 0;
    }
    json_decref(acts);
    assert_int_equal(failed_cfg, 1);
    assert_int_equal(destroyed, 1);
    assert_int_equal(pool, 1);
    assert_int_equal(user, 1);
    assert_int_equal(bridges, 2);

    /* the audit log has the undo requests */
    const char *audit[] = {"audit", "--student", "student2@pve", "--output", "json", NULL};
    out = NULL;
    assert_int_equal(ds_run(&out, NULL, audit), 0);
    json_t *recs = json_lines(out);
    char del_vm[64];
    snprintf(del_vm, sizeof del_vm, "DELETE /nodes/pve1/qemu/%d", vmid);
    int vm_req = 0, user_req = 0, pool_req = 0;
    json_array_foreach(recs, i, a)
    {
        const char *req = str(a, "request");
        int ok = strcmp(str(a, "result"), "ok") == 0;
        vm_req += ok && strncmp(req, del_vm, strlen(del_vm)) == 0;
        user_req += ok && strcmp(req, "DELETE /access/users/student2@pve") == 0;
        pool_req += ok && strcmp(req, "DELETE /pools/student2") == 0;
    }
    json_decref(recs);
    assert_int_equal(vm_req, 1);
    assert_int_equal(user_req, 1);
    assert_int_equal(pool_req, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_undo_is_journaled_and_audited),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
