/* secret_home: a private HOME with no passphrase and no cached key. */
#include "secret_home.h"
#include <stdlib.h>

#include "scratch.h"
#include "store/secrets.h"

int secret_home_start(char *dir, size_t len, const char *name)
{
    if (scratch_home(dir, len, name) < 0)
        return -1;
    unsetenv(SECRET_PASSPHRASE_ENV);
    secret_forget_keys();
    return 0;
}

int secret_home_setup(void **state, size_t size, const char *name)
{
    if (scratch_setup(state, size, name) < 0)
        return -1;
    unsetenv(SECRET_PASSPHRASE_ENV);
    secret_forget_keys();
    return 0;
}

int secret_home_teardown(void **state)
{
    unsetenv(SECRET_PASSPHRASE_ENV);
    secret_forget_keys();
    return scratch_teardown(state);
}

void secret_home_stop(const char *dir)
{
    unsetenv(SECRET_PASSPHRASE_ENV);
    secret_forget_keys();
    scratch_remove(dir);
}
