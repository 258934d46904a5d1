/* password: draws each character independently and uniformly from a fixed alphabet with
 * randombytes_uniform (no modulo bias); the generator is initialised once per process. */
#include "util/password.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "util/err.h"

#define PASSWORD_MAX_LENGTH 256

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static int sodium_status;

static void sodium_start(void)
{
    sodium_status = sodium_init(); /* 0 = initialised, 1 = already was, -1 = failed */
}

int password_generate(const struct password_policy *p, char *out, size_t outlen)
{
    if (!p || !out)
        return ds_err_set("password_generate: no policy or buffer");
    if (p->length < 1 || p->length > PASSWORD_MAX_LENGTH)
        return ds_err_set("password length %d is outside 1..%d", p->length, PASSWORD_MAX_LENGTH);
    if (outlen <= (size_t)p->length)
        return ds_err_set("password buffer of %zu bytes cannot hold %d characters", outlen,
                          p->length);
    pthread_once(&sodium_once, sodium_start);
    if (sodium_status < 0)
        return ds_err_set("libsodium could not be initialised");
    const char *alphabet =
        p->style == PASSWORD_DIGITS ? PASSWORD_ALPHABET_DIGITS : PASSWORD_ALPHABET_UNAMBIGUOUS;
    uint32_t n = (uint32_t)strlen(alphabet);
    for (int i = 0; i < p->length; i++)
        out[i] = alphabet[randombytes_uniform(n)];
    out[p->length] = '\0';
    return 0;
}
