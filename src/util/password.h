/* password: generates students' initial passwords from libsodium's CSPRNG according to the stand's
 * password_policy (unambiguous letters and digits by default, or the seed's digits-only style). */
#ifndef DS_PASSWORD_H
#define DS_PASSWORD_H

#include <stddef.h>

enum password_style { PASSWORD_UNAMBIGUOUS, PASSWORD_DIGITS };

/* A stand's `password_policy:` (config/stand.c fills it in). Defaults: unambiguous/10,
 * digits/8; a stand file allows lengths 8..64. */
struct password_policy {
    enum password_style style;
    int length;
};

/* The alphabet of PASSWORD_UNAMBIGUOUS: no 0 O o 1 l I. */
#define PASSWORD_ALPHABET_UNAMBIGUOUS "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
#define PASSWORD_ALPHABET_DIGITS "0123456789"

/* Fills out with a new NUL-terminated password of p->length characters (1..256) drawn uniformly
 * (randombytes_uniform) from the policy's alphabet. outlen must exceed the length. The caller owns
 * out and should wipe it when done. 0 ok, -1 on error (ds_err). Calls sodium_init() once. */
int password_generate(const struct password_policy *p, char *out, size_t outlen);

#endif
