/* plan_util: what every planner module uses: allocation, problems and notes, the action list,
 * sorted string indexes, VMIDs, the students of a request, and freeing a plan. */
#include "plan/plan_internal.h"
#include "util/i18n.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pl_vm_teardown(struct plan *p, int s, int vm, int vmid, const char *name, const char *node,
                   int stop, int only_marked)
{
    int stop_id = -1;
    if (stop) {
        struct action *a = pl_act_new(p, ACT_VM_STOP, node, s, vm);
        a->only_marked = only_marked;
        a->summary = xasprintf(_("stop VM %d '%s' on %s"), vmid, name, node);
        stop_id = a->id;
    }
    struct action *a = pl_act_new(p, ACT_VM_DESTROY, node, s, vm);
    a->only_marked = only_marked;
    a->summary = xasprintf(_("destroy VM %d '%s' on %s"), vmid, name, node);
    int id = a->id;
    pl_act_dep(p, id, stop_id);
    return id;
}

int pl_perm_has(const json_t *perms, const char *path, const char *priv)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (;;) {
        json_t *set = json_object_get(perms, buf[0] ? buf : "/");
        if (set)
            return json_integer_value(json_object_get(set, priv)) != 0 ||
                   json_is_true(json_object_get(set, priv));
        if (!buf[0] || strcmp(buf, "/") == 0)
            return 0;
        char *slash = strrchr(buf, '/');
        if (!slash)
            return 0;
        *slash = '\0';
    }
}

void pl_strlist_add(char ***list, size_t *n, char *s)
{
    char **l = xreallocarray(*list, *n + 1, sizeof *l);
    l[(*n)++] = s;
    *list = l;
}

/* Appends a formatted line to a list unless the same line is there already. */
static void strlist_vaddf_unique(char ***list, size_t *n, const char *fmt, va_list ap)
{
    char *s = xvasprintf(fmt, ap);
    for (size_t i = 0; i < *n; i++) {
        if (strcmp((*list)[i], s) == 0) {
            free(s);
            return;
        }
    }
    pl_strlist_add(list, n, s);
}

void pl_problem(struct plan *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strlist_vaddf_unique(&p->problems, &p->n_problems, fmt, ap);
    va_end(ap);
}

void pl_note(struct plan *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strlist_vaddf_unique(&p->notes, &p->n_notes, fmt, ap);
    va_end(ap);
}

struct action *pl_act_new(struct plan *p, enum action_kind kind, const char *node, int student,
                          int vm)
{
    if (p->n_acts == p->cap_acts) {
        size_t cap = p->cap_acts ? p->cap_acts * 2 : 64;
        struct action *a = realloc(p->acts, cap * sizeof *a);
        if (!a)
            abort();
        p->acts = a;
        p->cap_acts = cap;
    }
    struct action *a = &p->acts[p->n_acts];
    memset(a, 0, sizeof *a);
    a->id = (int)p->n_acts++;
    a->kind = kind;
    a->node = xstrdup(node);
    a->student = student;
    a->vm = vm;
    a->copy = -1;
    return a;
}

void pl_act_dep(struct plan *p, int act, int dep)
{
    if (dep < 0 || act == dep)
        return;
    struct action *a = &p->acts[act];
    for (size_t i = 0; i < a->n_deps; i++)
        if (a->deps[i] == dep)
            return;
    int *d = realloc(a->deps, (a->n_deps + 1) * sizeof *d);
    if (!d)
        abort();
    d[a->n_deps++] = dep;
    a->deps = d;
}

const char *action_kind_name(enum action_kind k)
{
    static const char *const names[ACT_KIND_COUNT] = {
        [ACT_USER_CREATE] = N_("create user"),     [ACT_POOL_CREATE] = N_("create pool"),
        [ACT_ACL_GRANT] = N_("grant role"),        [ACT_BRIDGE_CREATE] = N_("create bridge"),
        [ACT_NET_APPLY] = N_("apply network"),     [ACT_VM_CLONE] = N_("clone"),
        [ACT_VM_CONFIGURE] = N_("configure VM"),   [ACT_VM_STOP] = N_("stop VM"),
        [ACT_VM_DESTROY] = N_("destroy VM"),       [ACT_ACL_REVOKE] = N_("revoke role"),
        [ACT_POOL_DELETE] = N_("delete pool"),     [ACT_USER_DELETE] = N_("delete user"),
        [ACT_BRIDGE_DELETE] = N_("delete bridge"), [ACT_TPL_COPY] = N_("copy template"),
        [ACT_TPL_CONVERT] = N_("convert copy"),    [ACT_TPL_MIGRATE] = N_("migrate copy"),
        [ACT_VM_SNAPSHOT] = N_("snapshot VM"),     [ACT_VM_ROLLBACK] = N_("roll back VM"),
        [ACT_SNAP_DELETE] = N_("delete snapshot"), [ACT_VM_START] = N_("start VM"),
        [ACT_VM_SHUTDOWN] = N_("shut down VM"),    [ACT_VM_REBOOT] = N_("reboot VM"),
        [ACT_ROLE_ENSURE] = N_("ensure role"),     [ACT_USER_EXPIRE] = N_("set user expiry"),
    };
    return (unsigned)k < ACT_KIND_COUNT && names[k] ? names[k] : "?";
}

size_t plan_count(const struct plan *p, enum action_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n_acts; i++)
        n += p->acts[i].kind == kind;
    return n;
}

/* ---- sorted string indexes -------------------------------------------------------------- */

void sidx_add(struct sidx *x, char *key, const void *ptr, const void *aux)
{
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 64;
        struct sidx_ent *e = realloc(x->e, cap * sizeof *e);
        if (!e)
            abort();
        x->e = e;
        x->cap = cap;
    }
    x->e[x->n] = (struct sidx_ent){.key = key, .order = x->n, .ptr = ptr, .aux = aux};
    x->n++;
}

static int sidx_cmp(const void *a, const void *b)
{
    const struct sidx_ent *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : x->order < y->order ? -1 : x->order > y->order;
}

void sidx_sort(struct sidx *x)
{
    if (x->n)
        qsort(x->e, x->n, sizeof *x->e, sidx_cmp);
}

size_t sidx_range(const struct sidx *x, const char *key, size_t *count)
{
    size_t lo = 0, hi = x->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(x->e[mid].key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < x->n && strcmp(x->e[end].key, key) == 0)
        end++;
    *count = end - lo;
    return lo;
}

const struct sidx_ent *sidx_get(const struct sidx *x, const char *key)
{
    size_t n;
    size_t i = sidx_range(x, key, &n);
    return n ? &x->e[i] : NULL;
}

void sidx_free(struct sidx *x)
{
    for (size_t i = 0; i < x->n; i++)
        free(x->e[i].key);
    free(x->e);
    memset(x, 0, sizeof *x);
}

char *sidx_key(const char *a, const char *b, const char *c)
{
    return c ? xasprintf("%s\x1f%s\x1f%s", a, b, c) : xasprintf("%s\x1f%s", a, b);
}

char *pl_lower(const char *s)
{
    char *d = xstrdup(s ? s : "");
    for (char *q = d; *q; q++)
        *q = (char)tolower((unsigned char)*q);
    return d;
}

/* ---- VMIDs ---------------------------------------------------------------------------- */

/* The next free id of the block; when the block is used up, the id after it (and a problem).
 * Ids are handed out in increasing order, so only the inventory can hold a later one. */
int pl_vmid_take(struct vmid_alloc *va)
{
    while (inv_vm_find(va->v, va->next))
        va->next++;
    if (va->next > va->max)
        va->exhausted = 1;
    return va->next++;
}

/* ---- plan and students ------------------------------------------------------------------ */

void pl_init(struct plan *p, const struct plan_request *rq, enum plan_kind kind)
{
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->stand = strdup(rq->stand->name);
    p->password_policy = rq->stand->password_policy;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int in_sorted(const char *const *sorted, size_t n, const char *s)
{
    return n && bsearch(&s, sorted, n, sizeof *sorted, cmp_str) != NULL;
}

void pl_students_init(struct plan *p, const struct plan_request *rq)
{
    const char **only = xcalloc(rq->n_only, sizeof *only);
    size_t n_only = rq->only ? rq->n_only : 0;
    for (size_t i = 0; i < n_only; i++)
        only[i] = rq->only[i];
    qsort(only, n_only, sizeof *only, cmp_str);
    const char **listed = xcalloc(rq->users->n, sizeof *listed);
    p->students = xcalloc(rq->users->n, sizeof *p->students);
    for (size_t i = 0; i < rq->users->n; i++) {
        listed[i] = rq->users->users[i].userid;
        if (n_only && !in_sorted(only, n_only, rq->users->users[i].userid))
            continue;
        struct plan_student *ps = &p->students[p->n_students++];
        ps->userid = strdup(rq->users->users[i].userid);
        ps->pool = strdup(rq->users->users[i].pool);
    }
    qsort(listed, rq->users->n, sizeof *listed, cmp_str);
    for (size_t i = 0; i < n_only; i++)
        if (!in_sorted(listed, rq->users->n, rq->only[i]))
            pl_problem(p, _("user %s is not in %s"), rq->only[i], rq->users->path);
    free(listed);
    free(only);
}

/* ---- freeing --------------------------------------------------------------------------- */

static void plan_bridge_free(struct plan_bridge *b)
{
    free(b->node);
    free(b->iface);
    free(b->alias);
}

static void plan_student_free(struct plan_student *ps)
{
    for (size_t i = 0; i < ps->n_vms; i++) {
        free(ps->vms[i].name);
        free(ps->vms[i].node);
        free(ps->vms[i].src_node);
        free(ps->vms[i].status);
    }
    free(ps->vms);
    for (size_t i = 0; i < ps->n_bridges; i++)
        plan_bridge_free(&ps->bridges[i]);
    free(ps->bridges);
    free(ps->userid);
    free(ps->pool);
    free(ps->node);
    if (ps->password) {
        memset(ps->password, 0, strlen(ps->password));
        free(ps->password);
    }
    free(ps->error);
    free(ps->why);
}

void plan_free(struct plan *p)
{
    if (!p)
        return;
    for (size_t s = 0; s < p->n_students; s++)
        plan_student_free(&p->students[s]);
    free(p->students);
    for (size_t i = 0; i < p->n_copies; i++) {
        struct plan_copy *c = &p->copies[i];
        DS_FREE_ALL(c->orig_node, c->node, c->name, c->description);
    }
    free(p->copies);
    for (size_t i = 0; i < p->n_shared_bridges; i++)
        plan_bridge_free(&p->shared_bridges[i]);
    free(p->shared_bridges);
    for (size_t i = 0; i < p->n_acts; i++) {
        struct action *a = &p->acts[i];
        DS_FREE_ALL(a->node, a->target, a->comment, a->role, a->summary, a->deps);
        json_decref(a->params);
    }
    free(p->acts);
    for (size_t i = 0; p->node_mem && p->node_mem[i].node; i++)
        free(p->node_mem[i].node);
    free(p->node_mem);
    for (size_t i = 0; i < p->n_problems; i++)
        free(p->problems[i]);
    free(p->problems);
    for (size_t i = 0; i < p->n_notes; i++)
        free(p->notes[i]);
    free(p->notes);
    free(p->stand);
    free(p);
}
