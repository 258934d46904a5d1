/* secrets: encrypts small secrets (connection passwords, token values, students' passwords) with
 * libsodium secretbox into "enc:v1:..." text, keyed by a private key file or an Argon2id
 * passphrase. */
#ifndef DS_SECRETS_H
#define DS_SECRETS_H

#include <stddef.h>

/* Every encrypted value starts with this. Two forms:
 *   enc:v1:<base64(nonce || ciphertext)>                 key file
 *   enc:v1:p:<base64(salt)>:<base64(nonce || ciphertext)>  key derived from a passphrase
 * (base64 is sodium's VARIANT_ORIGINAL, ciphertext is crypto_secretbox_easy's output). */
#define SECRET_PREFIX "enc:v1:"

/* The passphrase variable; when set (and not empty) it is used instead of the key file. */
#define SECRET_PASSPHRASE_ENV "DEPLOY_STAND_PASSPHRASE"

/* 1 when s starts with "enc:v1:", else 0 (also for NULL). */
int secret_is_encrypted(const char *s);

/* 1 when s is an encrypted value of the passphrase form ("enc:v1:p:..."), else 0. */
int secret_is_passphrase_form(const char *s);

/* Encrypts plain into *out (malloc'd "enc:v1:..."; free with secret_free or free). With
 * DEPLOY_STAND_PASSPHRASE set the passphrase form is written (Argon2id, OPSLIMIT/MEMLIMIT
 * INTERACTIVE; one salt per process so a whole file needs one derivation to read); otherwise the
 * key file secret_key_path() is used and created (32 random bytes, mode 0600, folder 0700) when
 * missing. Returns 0, or -1 with ds_err (which never contains the secret). Thread-safe. */
int secret_encrypt(const char *plain, char **out);

/* Decrypts an "enc:v1:..." value into *out (malloc'd plaintext: the caller wipes it, best with
 * secret_free). The passphrase form takes DEPLOY_STAND_PASSPHRASE, else asks on the terminal
 * (only when stdin is a TTY; no TTY and no variable is an error). Returns 0, or -1 with a clear
 * ds_err: malformed value, missing key file, key file others can read ("... chmod 600 FILE"),
 * wrong key / wrong passphrase / damaged value. Thread-safe. */
int secret_decrypt(const char *enc, char **out);

/* Wipes (sodium_memzero over strlen) and frees a plaintext or encrypted string. NULL is fine. */
void secret_free(char *s);

/* "$XDG_CONFIG_HOME/deploy-stand/secret.key" (malloc'd, the caller frees), or NULL with ds_err. */
char *secret_key_path(void);

/* Forgets every cached key (key file contents and derived passphrase keys) after wiping them;
 * the next call reads the key file / environment again. For tests and long-running callers. */
void secret_forget_keys(void);

#endif
