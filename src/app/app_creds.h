/* app_creds: the credentials use case: who logs in with what, student by student, read from the
 * cluster's marks and the passwords kept in the local state; changes nothing and never prints. */
#ifndef DS_APP_CREDS_H
#define DS_APP_CREDS_H

#include "app/app_ctx.h"
#include "ui/handout.h"

/* The result: the sheet every renderer takes (ui/handout.h) and what it points to. The sheet's
 * strings point into the context (stand, users, view): use it while the context lives. */
struct app_creds {
    struct cred_sheet sheet;
    struct cred_student *students; /* owned: sheet.students */
    char **passwords;              /* owned: per student, plaintext or NULL; wiped on free */
    char console_url[320];         /* "https://host:port/" of the connection */
    size_t unreadable;             /* stored passwords that could not be decrypted */
    char unreadable_why[512];      /* the first reason */
};

/* Reads the cluster (our marks) and, for the users we made, the passwords from the local state
 * (c opened with the state; without it they are "unknown"). Passwords that cannot be read are
 * one warning saying what to do (app_ctx_warn_unreadable). APP_OK and *out (free with
 * app_creds_free), or APP_FAILED (reported; *out empty). */
int app_creds(struct app_ctx *c, struct app_creds *out);

/* Wipes the passwords and frees what out owns; out is zeroed. */
void app_creds_free(struct app_creds *out);

#endif
