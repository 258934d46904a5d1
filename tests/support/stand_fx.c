/* stand_fx: a stand and a class list from YAML texts, for the planner tests (see stand_fx.h). */
#include "stand_fx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config/stand.h"
#include "config/users.h"
#include "util/diag.h"

void stand_fx_load(const char *stand_yaml, const char *users_yaml, struct stand **stand,
                   struct users_list **users)
{
    struct diag_list d = {0};
    int rc = stand_load_text("lab.yml", stand_yaml, strlen(stand_yaml), stand, &d);
    if (rc == 0)
        rc = users_load_text("users.yml", users_yaml, strlen(users_yaml), users, &d);
    if (rc != 0) {
        diag_print(&d, stderr);
        diag_list_clear(&d);
        fail_msg("the test's stand or class list does not load");
    }
    diag_list_clear(&d);
}

void stand_fx_free(struct stand *stand, struct users_list *users)
{
    stand_free(stand);
    users_free(users);
}
