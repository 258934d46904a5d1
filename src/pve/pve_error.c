/* pve_error: classifies Proxmox VE failures (HTTP status + message, or task exit status) into
 * enum pve_err_class; the only place that reads Proxmox's message texts to decide anything. */
#include "pve/pve_error.h"

#include "pve/pve_task.h"
#include "util/err.h"

#include <string.h>

/* Proxmox's texts (notes: "Response envelope and errors", "Concurrency and failure modes"),
 * matched in this order: a "... already exists" 500 is permanent even though it is a 500. */
static const char *const exists_marks[] = {
    "already exists",  /* "create user failed: user 'x' already exists", nextid 400 "VM N ..." */
    "File exists",     /* "close (rename) atomic file '...' failed: File exists" (pmxcfs) */
    "already defined", /* "sdn vnet object ID 'x' already defined" */
    "can't convert a template to a template", /* POST .../template on a template: done already */
    NULL,
};
static const char *const missing_marks[] = {
    "does not exist", /* "Configuration file '...' does not exist", "pool 'x' does not exist" */
    "no such ",       /* "no such task", "no such group 'g'" */
    NULL,
};
static const char *const lock_marks[] = {
    "got timeout",          /* "can't lock file '/var/lock/qemu-server/lock-N.conf' - ..." */
    "lock request timeout", /* "cfs-lock 'file-user_cfg' error: got lock request timeout" */
    "VM is locked",
    "CT is locked", /* "VM is locked (clone)" */
    NULL,
};
static const char *const transient_marks[] = {
    "got no worker upid", /* "got no worker upid - start worker failed" under load */
    NULL,
};

static bool has_mark(const char *text, const char *const *marks)
{
    if (!text)
        return false;
    for (size_t i = 0; marks[i]; i++)
        if (strstr(text, marks[i]))
            return true;
    return false;
}

/* The message and every text of the "errors" object. */
static bool any_has_mark(const char *message, const json_t *errors, const char *const *marks)
{
    if (has_mark(message, marks))
        return true;
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)errors, k, v)
    {
        (void)k;
        if (has_mark(json_string_value(v), marks))
            return true;
    }
    return false;
}

static enum pve_err_class classify_text(const char *message, const json_t *errors)
{
    if (any_has_mark(message, errors, exists_marks))
        return PVE_ERR_EXISTS;
    if (any_has_mark(message, errors, missing_marks))
        return PVE_ERR_NOT_FOUND;
    if (any_has_mark(message, errors, lock_marks))
        return PVE_ERR_LOCKED;
    if (any_has_mark(message, errors, transient_marks))
        return PVE_ERR_TRANSIENT;
    return PVE_OK;
}

enum pve_err_class pve_err_classify(long status, const char *message, const json_t *errors)
{
    if (status >= 200 && status < 300)
        return PVE_OK;
    if (status == 0)
        return PVE_ERR_TRANSIENT;
    if (status == 401)
        return PVE_ERR_AUTH;
    if (status == 403)
        return PVE_ERR_PERMISSION;
    if (status == 501) /* "Method 'GET /foo' not implemented", "no such uri" */
        return PVE_ERR_OTHER;
    enum pve_err_class c = classify_text(message, json_is_object(errors) ? errors : NULL);
    if (c != PVE_OK)
        return c;
    if (status == 400)
        return PVE_ERR_INPUT;
    if (status >= 502 && status <= 599)
        return PVE_ERR_TRANSIENT;
    return PVE_ERR_OTHER; /* 500 is PVE's generic "die": permanent unless its text says otherwise */
}

enum pve_err_class pve_err_classify_task(const char *exitstatus)
{
    if (pve_task_exit_ok(exitstatus))
        return PVE_OK;
    enum pve_err_class c = classify_text(exitstatus, NULL);
    return c != PVE_OK ? c : PVE_ERR_OTHER;
}

enum pve_err_class pve_err_last(void)
{
    int c = ds_err_class();
    if (c > PVE_OK && c <= PVE_ERR_OTHER)
        return (enum pve_err_class)c;
    return ds_err_last()[0] ? PVE_ERR_OTHER : PVE_OK;
}

int pve_err_set_class(enum pve_err_class cls)
{
    return ds_err_set_class((int)cls);
}

const char *pve_err_class_name(enum pve_err_class cls)
{
    static const char *const names[] = {
        [PVE_OK] = "ok",
        [PVE_ERR_NOT_FOUND] = "not-found",
        [PVE_ERR_EXISTS] = "exists",
        [PVE_ERR_LOCKED] = "locked",
        [PVE_ERR_TRANSIENT] = "transient",
        [PVE_ERR_UNREACHABLE] = "unreachable",
        [PVE_ERR_PERMISSION] = "permission",
        [PVE_ERR_INPUT] = "input",
        [PVE_ERR_AUTH] = "auth",
        [PVE_ERR_OTHER] = "other",
    };
    return (unsigned)cls <= PVE_ERR_OTHER ? names[cls] : "other";
}

bool pve_err_is_transient(enum pve_err_class cls)
{
    return cls == PVE_ERR_LOCKED || cls == PVE_ERR_TRANSIENT;
}
