/* stand_fx: the stand and class list most planner tests start from, loaded from YAML texts with
 * the real loaders (a text that does not load fails the test, showing its diagnostics).
 *
 * Who frees what: stand_fx_free releases what stand_fx_load made (NULLs are fine). */
#ifndef DS_TEST_STAND_FX_H
#define DS_TEST_STAND_FX_H

struct stand;
struct users_list;

/* Loads stand_yaml as "lab.yml" into *stand and users_yaml as "users.yml" into *users. */
void stand_fx_load(const char *stand_yaml, const char *users_yaml, struct stand **stand,
                   struct users_list **users);
void stand_fx_free(struct stand *stand, struct users_list *users);

#endif
