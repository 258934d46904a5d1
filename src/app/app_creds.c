/* app_creds: builds the students' credential sheet: the user, its pool, its VMs (sorted by VMID)
 * and what is known of its password (kept, never set by us, unknown, not deployed). */
#include "app/app_creds.h"
#include "plan/marks.h"
#include "plan/plan.h"
#include "store/secrets.h"
#include "util/err.h"
#include "util/i18n.h"
#include <stdlib.h>
#include <string.h>

static int vm_cmp(const void *a, const void *b)
{
    const struct cred_vm *x = a, *y = b;
    return (x->vmid > y->vmid) - (x->vmid < y->vmid);
}

void app_creds_free(struct app_creds *out)
{
    for (size_t i = 0; out->students && i < out->sheet.n; i++) {
        secret_free(out->passwords[i]);
        free(out->students[i].vms);
    }
    free(out->passwords);
    free(out->students);
    memset(out, 0, sizeof *out);
}

static int vm_of_student(const struct inv_vm *vm, const char *tag, const struct user_entry *u)
{
    return !vm->template && inv_tags_have(vm->tags, tag) && vm->pool &&
           strcmp(vm->pool, u->pool) == 0;
}

/* The student's VMs (marked for the stand, in the student's pool), sorted by VMID. 0 or -1. */
static int student_vms(const struct cluster_view *v, const char *tag, const struct user_entry *u,
                       struct cred_student *cs)
{
    size_t cap = 0;
    for (size_t k = 0; k < v->n_vms; k++)
        cap += vm_of_student(&v->vms[k], tag, u);
    cs->vms = calloc(cap ? cap : 1, sizeof *cs->vms);
    if (!cs->vms)
        return -1;
    for (size_t k = 0; k < v->n_vms; k++) {
        const struct inv_vm *vm = &v->vms[k];
        if (vm_of_student(vm, tag, u))
            cs->vms[cs->n_vms++] = (struct cred_vm){
                .name = vm->name ? vm->name : "", .vmid = vm->vmid, .node = vm->node};
    }
    qsort(cs->vms, cs->n_vms, sizeof *cs->vms, vm_cmp);
    cs->node = cs->n_vms ? cs->vms[0].node : NULL;
    return 0;
}

/* What is known of student i's password: from the local state only for a user we made. */
static void student_password(struct app_ctx *c, struct app_creds *out, size_t i)
{
    const struct user_entry *u = &c->users->users[i];
    struct cred_student *cs = &out->students[i];
    const struct inv_user *iu = inv_user_find(c->view, u->userid);
    if (!iu) {
        cs->pw_state = CRED_PW_NOT_DEPLOYED;
        return;
    }
    if (plan_realm_external(c->view, u->userid)) {
        cs->pw_state = CRED_PW_EXTERNAL;
        return;
    }
    struct mark m;
    if (!mark_is(iu->comment, c->stand->name, u->userid) || !mark_parse(iu->comment, &m)) {
        cs->pw_state = CRED_PW_UNCHANGED;
        return;
    }
    /* the password kept under the id this cluster's user names ("" for older users) */
    int rc = c->state
                 ? state_cred_get(c->state, c->stand->name, u->userid, m.cred, &out->passwords[i])
                 : 1;
    if (rc < 0 && !out->unreadable++)
        snprintf(out->unreadable_why, sizeof out->unreadable_why, "%s", ds_err_last());
    cs->pw_state = rc == 0 ? CRED_PW_KNOWN : CRED_PW_UNKNOWN;
    cs->password = rc == 0 ? out->passwords[i] : NULL;
}

int app_creds(struct app_ctx *c, struct app_creds *out)
{
    memset(out, 0, sizeof *out);
    if (app_ctx_refresh(c, INV_CONFIGS_MARKED))
        return APP_FAILED;
    size_t n = c->users->n;
    char tag[64];
    mark_stand_tag(tag, sizeof tag, c->stand->name);
    out->students = calloc(n ? n : 1, sizeof *out->students);
    out->passwords = calloc(n ? n : 1, sizeof *out->passwords);
    if (!out->students || !out->passwords) {
        app_creds_free(out);
        return app_error(&c->ev, NULL, "%s", _("out of memory"));
    }
    out->sheet.n = n;
    out->sheet.stand = c->stand->name;
    out->sheet.students = out->students;
    snprintf(out->console_url, sizeof out->console_url, "https://%s:%u/", c->conn->host,
             c->conn->port);
    out->sheet.console_url = out->console_url;
    for (size_t i = 0; i < n; i++) {
        const struct user_entry *u = &c->users->users[i];
        struct cred_student *cs = &out->students[i];
        cs->user = u->userid;
        cs->pool = u->pool;
        if (student_vms(c->view, tag, u, cs) < 0) {
            app_creds_free(out);
            return app_error(&c->ev, NULL, "%s", _("out of memory"));
        }
        student_password(c, out, i);
        cs->complete = inv_user_find(c->view, u->userid) && inv_pool_find(c->view, u->pool) &&
                       cs->n_vms >= c->stand->n_machines;
    }
    app_ctx_warn_unreadable(c, out->unreadable, out->unreadable_why);
    return APP_OK;
}
