/* handout: the students' credentials as the teacher hands them out: the picture of who logs in
 * with what (cred_sheet) and its printable HTML hand-out, one card per student, for cutting up. */
#ifndef DS_HANDOUT_H
#define DS_HANDOUT_H

#include <stddef.h>
#include <stdio.h>

/* One of a student's VMs. */
struct cred_vm {
    const char *name; /* may be "" (a VM without a name) */
    int vmid;
    const char *node;
};

/* What the tool knows about a student's password. */
enum cred_pw_state {
    CRED_PW_KNOWN,        /* `password` holds it (from the local state) */
    CRED_PW_UNCHANGED,    /* the user existed without our mark: its password was never touched */
    CRED_PW_UNKNOWN,      /* the user is ours but the local state does not know the password */
    CRED_PW_NOT_DEPLOYED, /* there is no such user on the cluster (yet) */
    CRED_PW_EXTERNAL,     /* a directory realm's user (LDAP, AD, OpenID): its own account */
};

struct cred_student {
    const char *user;     /* "student1@pve" */
    const char *password; /* NULL unless CRED_PW_KNOWN */
    enum cred_pw_state pw_state;
    const char *pool;
    const char *node;    /* node of the first VM, NULL when none */
    struct cred_vm *vms; /* sorted by VMID */
    size_t n_vms;
    int complete; /* user, pool and every machine of the stand are there */
};

/* The whole class. The sheet does not own anything: whoever builds it keeps the strings and
 * arrays alive while it is used and frees them afterwards. */
struct cred_sheet {
    const char *stand;
    const char *console_url; /* "https://host:port/" of the connection */
    const struct cred_student *students;
    size_t n;
};

/* The text shown instead of or for a password: the password itself when known, else a
 * translated "(unchanged)", "(unknown)" or "(not deployed)". Static or the student's string. */
const char *cred_password_text(const struct cred_student *s);
/* The machine-readable state: "known", "unchanged", "unknown" or "not-deployed" (static). */
const char *cred_password_state(const struct cred_student *s);

/* Writes the printable hand-out: one self-contained HTML page (inline CSS, no external
 * resources), one card (class "card") per student with the login, the password, the web console
 * URL and the student's VMs; two cards per row on A4, never split across pages. Every text is
 * HTML-escaped and translated. 0, or -1 with ds_err when writing failed. */
int handout_write_html(const struct cred_sheet *sh, FILE *out);

/* Appends `s` HTML-escaped (& < > " ') to out. 0 or -1 on a write error. */
int html_escape_write(const char *s, FILE *out);

#endif
