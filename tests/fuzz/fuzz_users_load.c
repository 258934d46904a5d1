/* fuzz_users_load: libFuzzer target for users_load_text (users_list.yml): any input must give
 * either a class list of valid ids with unique pools, or NULL and located diagnostics. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/users.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct diag_list diags = {0};
    struct users_list *u = NULL;
    int rc = users_load_text("fuzz.yml", (const char *)data, size, &u, &diags);
    fuzz_check_result(rc, u != NULL, &diags);
    if (u) {
        FUZZ_CHECK(u->n > 0 && u->path);
        for (size_t i = 0; i < u->n; i++) {
            const struct user_entry *e = &u->users[i];
            const char *at = strrchr(e->userid, '@');
            FUZZ_CHECK(at && !strchr(e->userid, '/') && !strchr(e->userid, ':'));
            FUZZ_CHECK(strlen(e->pool) == (size_t)(at - e->userid));
            FUZZ_CHECK(strncmp(e->pool, e->userid, strlen(e->pool)) == 0);
            for (size_t j = 0; j < i; j++)
                FUZZ_CHECK(strcmp(u->users[j].pool, e->pool) != 0);
        }
    }
    users_free(u);
    diag_list_clear(&diags);
    return 0;
}
