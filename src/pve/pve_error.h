/* pve_error: what kind of failure a Proxmox VE answer is, decided once, in the client, from the
 * HTTP status and Proxmox's message (or a failed task's exit status), so callers never parse text.
 */
#ifndef DS_PVE_ERROR_H
#define DS_PVE_ERROR_H

#include <jansson.h>
#include <stdbool.h>

/* How the class travels: every pve_* function that fails sets ds_err (util/err.h) to the detail
 * text, for people, and the class with ds_err_set_class(); the caller reads it with pve_err_last()
 * right after the failing call, on the same thread (the text and class are thread-local and the
 * next ds_err_set resets the class). pve_call/pve_call_full also leave it in resp->err_class.
 * No allocation anywhere: nothing to free. */
enum pve_err_class {
    PVE_OK = 0,          /* no failure (HTTP 2xx; task "OK" / "WARNINGS: n") */
    PVE_ERR_NOT_FOUND,   /* "... does not exist", "no such ..." */
    PVE_ERR_EXISTS,      /* "... already exists", "File exists" (another one holds the name/id) */
    PVE_ERR_LOCKED,      /* lock or lock timeout: "got timeout", "got lock request timeout",
                            "VM is locked (clone)" */
    PVE_ERR_TRANSIENT,   /* 502-599 (proxy), "got no worker upid", connection reset, timeouts */
    PVE_ERR_UNREACHABLE, /* no connection at all: refused, host name unknown */
    PVE_ERR_PERMISSION,  /* 403 Permission check failed */
    PVE_ERR_INPUT,       /* 400 parameter verification (other than "already exists") */
    PVE_ERR_AUTH,        /* 401: login, ticket or API token refused */
    PVE_ERR_OTHER,       /* anything else: another 500, 501, a bad answer, a failed task, an
                            internal error that never reached Proxmox */
};

/* The class of an HTTP answer: status (0 = no answer: PVE_ERR_TRANSIENT, the transport knows
 * better and sets its own), the status-line/body message (may be NULL) and the 400 "errors" object
 * (may be NULL; its texts count like the message). 2xx is PVE_OK. */
enum pve_err_class pve_err_classify(long status, const char *message, const json_t *errors);

/* The class of a stopped task's exit status ("OK", "WARNINGS: 2", or PVE's error text). */
enum pve_err_class pve_err_classify_task(const char *exitstatus);

/* The class of the calling thread's last error: ds_err_class(), or PVE_ERR_OTHER when the last
 * error carries no class (it never reached Proxmox), or PVE_OK when there is no error at all. */
enum pve_err_class pve_err_last(void);

/* Sets the class of the calling thread's last error (call after ds_err_set). Returns -1. */
int pve_err_set_class(enum pve_err_class cls);

/* "not-found", "exists", "locked", ... for logs and tests (never translated); "ok" for PVE_OK. */
const char *pve_err_class_name(enum pve_err_class cls);

/* true for the classes that may go away by themselves: PVE_ERR_LOCKED and PVE_ERR_TRANSIENT. */
bool pve_err_is_transient(enum pve_err_class cls);

#endif
