/* users: loads and validates users_list.yml (`users: [name@realm, ...]`), the class list whose
 * every entry becomes a PVE user with a pool named after the part before '@'. */
#ifndef DS_USERS_H
#define DS_USERS_H

#include <stddef.h>

#include "util/diag.h"

struct user_entry {
    char *userid; /* a valid pve-userid, e.g. "student1@pve"; never root@pam */
    char *pool;   /* the part before '@': a valid pve-poolid without '/' */
    int line, col;
};

struct users_list {
    char *path;               /* as given */
    struct user_entry *users; /* in file order, no duplicate userid or pool */
    size_t n;
};

/* Loads and validates. Returns 0 and *out (free with users_free; it owns every string), or -1 and
 * *out = NULL after appending every problem found to diags. */
int users_load(const char *path, struct users_list **out, struct diag_list *diags);
int users_load_text(const char *display_name, const char *text, size_t len, struct users_list **out,
                    struct diag_list *diags);
void users_free(struct users_list *u);

#endif
