/* test_plan_undo: rollback as a plan: from a deploy plan and its result, the teardown of exactly
 * what the run made for the failed students, in destroy's order, and nothing for the others. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stand_fx.h"

#include "config/stand.h"
#include "config/users.h"
#include "inventory/inventory.h"
#include "plan/plan.h"
#include "plan/plan_undo.h"
#include "util/diag.h"
#include <stdlib.h>
#include <string.h>

static const char *STAND = "stand: lab\n"
                           "machines:\n"
                           "  - {name: web, template_node: pve1, template_vmid: 100,\n"
                           "     networks: [{bridge: lan}]}\n"
                           "  - {name: client, template_node: pve1, template_vmid: 101,\n"
                           "     networks: [{bridge: lan}, {bridge: wan}]}\n"
                           "  - {name: db, template_node: pve1, template_vmid: 101,\n"
                           "     networks: [{bridge: wan}]}\n";

static const char *USERS = "users: [s1@pve, s2@pve, s3@pve]\n";

/* templates on pve1; `extra_user` may add s2@pve as a user deploy-stand did not create */
static const char *VIEW_FMT =
    "{\"nodes\":[{\"node\":\"pve1\",\"status\":\"online\"}],"
    "\"resources\":["
    "{\"type\":\"qemu\",\"vmid\":100,\"node\":\"pve1\",\"name\":\"t100\",\"template\":1},"
    "{\"type\":\"qemu\",\"vmid\":101,\"node\":\"pve1\",\"name\":\"t101\",\"template\":1}],"
    "\"networks\":{\"pve1\":{\"ifaces\":[{\"iface\":\"vmbr0\",\"type\":\"bridge\",\"active\":1}],"
    "\"changes\":null}},"
    "\"users\":[{\"userid\":\"root@pam\"}%s],"
    "\"pools\":[],\"acl\":[],"
    "\"configs\":{\"100\":{\"net0\":\"virtio=BC:24:11:00:00:01,bridge=vmbr0\"},"
    "\"101\":{\"net0\":\"virtio=BC:24:11:00:00:02,bridge=vmbr0\"}}}";

struct fx {
    struct stand *stand;
    struct users_list *users;
};

static struct plan *deploy(struct fx *f, int s2_exists)
{
    char text[2048];
    snprintf(text, sizeof text, VIEW_FMT, s2_exists ? ",{\"userid\":\"s2@pve\"}" : "");
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (!j)
        fail_msg("fixture JSON: %s at %d", je.text, je.line);
    struct cluster_view *v = inventory_from_json(j);
    struct plan_request rq = {.stand = f->stand, .users = f->users, .strategy = "local"};
    struct plan *p = NULL;
    assert_int_equal(plan_deploy(&rq, v, &p), 0);
    assert_int_equal(p->n_problems, 0);
    cluster_view_free(v);
    return p;
}

static int setup(void **st)
{
    struct fx *f = calloc(1, sizeof *f);
    stand_fx_load(STAND, USERS, &f->stand, &f->users);
    *st = f;
    return 0;
}

static int teardown(void **st)
{
    struct fx *f = *st;
    stand_fx_free(f->stand, f->users);
    free(f);
    return 0;
}

static size_t count(const struct plan *u, enum action_kind k, int student)
{
    size_t n = 0;
    for (size_t i = 0; i < u->n_acts; i++)
        n += u->acts[i].kind == k && (student < -1 || u->acts[i].student == student);
    return n;
}

static const struct action *find(const struct plan *u, enum action_kind k, int vmid)
{
    for (size_t i = 0; i < u->n_acts; i++) {
        const struct action *a = &u->acts[i];
        if (a->kind == k && (vmid == 0 || (a->student >= 0 && a->vm >= 0 &&
                                           u->students[a->student].vms[a->vm].vmid == vmid)))
            return a;
    }
    return NULL;
}

static int depends_on(const struct action *a, const struct action *dep)
{
    for (size_t i = 0; i < a->n_deps; i++)
        if (a->deps[i] == dep->id)
            return 1;
    return 0;
}

/* Everything done, then student 1 (s2) fails: its first clone went through on another VMID (a
 * race), its second clone failed (it may have gone through), the third never started. */
static struct plan_result *s2_failed_late(const struct plan *p, int *moved, int *failed_vmid)
{
    struct plan_result *r = plan_result_new(p);
    int clones = 0;
    for (size_t i = 0; i < p->n_acts; i++) {
        const struct action *a = &p->acts[i];
        r->acts[i].state = RUN_DONE;
        if (a->student != 1)
            continue;
        if (a->kind == ACT_VM_CLONE) {
            clones++;
            r->acts[i].state = clones == 1 ? RUN_DONE : clones == 2 ? RUN_FAILED : RUN_SKIPPED;
            if (clones == 1) {
                r->students[1].vmids[a->vm] = 5999;
                *moved = 5999;
            } else if (clones == 2) {
                *failed_vmid = r->students[1].vmids[a->vm];
            }
        } else if (a->kind == ACT_VM_CONFIGURE) {
            r->acts[i].state = RUN_SKIPPED;
        }
    }
    r->students[1].failed = 1;
    r->n_failed = 1;
    return r;
}

static void test_undo_what_the_run_made(void **st)
{
    struct fx *f = *st;
    struct plan *p = deploy(f, 0);
    int moved = 0, failed_vmid = 0;
    struct plan_result *r = s2_failed_late(p, &moved, &failed_vmid);
    struct plan *u = NULL;
    assert_int_equal(plan_undo(p, r, &u), 0);
    assert_true(u->undo);
    assert_int_equal(u->id_base, (int)p->n_acts);
    assert_int_equal(u->n_students, p->n_students);
    assert_string_equal(u->students[1].userid, "s2@pve");
    /* nothing for the students that got their stand */
    assert_int_equal(count(u, ACT_VM_DESTROY, 0) + count(u, ACT_POOL_DELETE, 0), 0);
    assert_int_equal(count(u, ACT_VM_DESTROY, 2) + count(u, ACT_USER_DELETE, 2), 0);
    /* the VMs whose clone was sent, under the ids the run used, only while marked as ours */
    assert_int_equal(count(u, ACT_VM_DESTROY, 1), 2);
    assert_int_equal(count(u, ACT_VM_STOP, 1), 2);
    const struct action *d1 = find(u, ACT_VM_DESTROY, moved);
    const struct action *s1 = find(u, ACT_VM_STOP, moved);
    const struct action *d2 = find(u, ACT_VM_DESTROY, failed_vmid);
    assert_non_null(d1);
    assert_non_null(s1);
    assert_non_null(d2);
    assert_true(d1->only_marked && s1->only_marked && d2->only_marked);
    assert_true(depends_on(d1, s1));
    /* bridges (lan, wan), then the network apply; pool after the VMs; user after the pool */
    assert_int_equal(count(u, ACT_BRIDGE_DELETE, 1), 2);
    const struct action *br = find(u, ACT_BRIDGE_DELETE, 0);
    const struct action *ap = find(u, ACT_NET_APPLY, 0);
    assert_non_null(ap);
    assert_int_equal(ap->student, -1);
    assert_true(depends_on(ap, br));
    assert_true(depends_on(br, d1) && depends_on(br, d2));
    const struct action *pool = find(u, ACT_POOL_DELETE, 0);
    const struct action *user = find(u, ACT_USER_DELETE, 0);
    assert_non_null(pool);
    assert_non_null(user);
    assert_string_equal(pool->target, "s2");
    assert_string_equal(user->target, "s2@pve");
    assert_true(depends_on(pool, d1) && depends_on(pool, d2));
    assert_true(depends_on(user, pool));
    /* the run made the user: its ACLs go with it */
    assert_int_equal(count(u, ACT_ACL_REVOKE, -2), 0);
    plan_free(u);
    plan_result_free(r);
    plan_free(p);
}

static void test_existing_user_is_kept(void **st)
{
    struct fx *f = *st;
    struct plan *p = deploy(f, 1);
    int moved = 0, failed_vmid = 0;
    struct plan_result *r = s2_failed_late(p, &moved, &failed_vmid);
    struct plan *u = NULL;
    assert_int_equal(plan_undo(p, r, &u), 0);
    assert_int_equal(count(u, ACT_USER_DELETE, -2), 0);
    /* the role granted to the existing user is taken back, after the VMs */
    assert_int_equal(count(u, ACT_ACL_REVOKE, 1), 1);
    const struct action *rv = find(u, ACT_ACL_REVOKE, 0);
    assert_string_equal(rv->target, "/pool/s2");
    assert_true(depends_on(rv, find(u, ACT_VM_DESTROY, moved)));
    assert_true(depends_on(find(u, ACT_POOL_DELETE, 0), rv));
    plan_free(u);
    plan_result_free(r);
    plan_free(p);
}

static void test_nothing_failed(void **st)
{
    struct fx *f = *st;
    struct plan *p = deploy(f, 0);
    struct plan_result *r = plan_result_new(p);
    for (size_t i = 0; i < p->n_acts; i++)
        r->acts[i].state = RUN_DONE;
    struct plan *u = NULL;
    assert_int_equal(plan_undo(p, r, &u), 0);
    assert_int_equal(u->n_acts, 0);
    plan_free(u);
    /* a student whose first step failed: nothing of it exists, nothing to undo */
    for (size_t i = 0; i < p->n_acts; i++)
        if (p->acts[i].student == 0)
            r->acts[i].state = p->acts[i].kind == ACT_USER_CREATE ? RUN_FAILED : RUN_SKIPPED;
    r->students[0].failed = 1;
    assert_int_equal(plan_undo(p, r, &u), 0);
    assert_int_equal(u->n_acts, 0);
    plan_free(u);
    /* only a deploy has an undo */
    p->kind = PLAN_DESTROY;
    assert_int_equal(plan_undo(p, r, &u), -1);
    assert_null(u);
    plan_result_free(r);
    plan_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_undo_what_the_run_made),
        cmocka_unit_test(test_existing_user_is_kept),
        cmocka_unit_test(test_nothing_failed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
