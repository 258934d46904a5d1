/* secret_home: a private HOME for the tests of the credential store and of what uses it: the
 * scratch_home folders, no passphrase in the environment and no key cached from an earlier test,
 * so the key file is made (and looked for) only below the test's own folder. */
#ifndef DS_TEST_SECRET_HOME_H
#define DS_TEST_SECRET_HOME_H

#include <stddef.h>

#include "scratch.h"

/* scratch_home(dir, len, name), then unsets the passphrase variable and forgets cached keys.
 * 0 or -1 (nothing to remove then). Does not assert, so it serves in cmocka setups. */
int secret_home_start(char *dir, size_t len, const char *name);
/* Unsets the passphrase, forgets the keys and removes dir. */
void secret_home_stop(const char *dir);

/* scratch_setup / scratch_teardown (the fixture starts with char dir[SCRATCH_DIR_LEN]) with
 * secret_home_start / secret_home_stop. */
int secret_home_setup(void **state, size_t size, const char *name);
int secret_home_teardown(void **state);

#endif
