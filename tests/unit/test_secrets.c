/* test_secrets: enc:v1 values: round trips with the key file and with a passphrase, the key file's
 * creation and modes, refusal of a key file others can read, wrong keys and damaged values. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "secret_home.h"
#include "store/secrets.h"
#include "util/err.h"

#define PLAIN "s3cret-Pässwörd:with spaces"

struct fixture {
    char dir[SCRATCH_DIR_LEN]; /* first: secret_home_teardown removes it and frees the fixture */
    char key[160];
};

static int setup(void **state)
{
    if (secret_home_setup(state, sizeof(struct fixture), "test-secrets") < 0)
        return -1;
    struct fixture *f = *state;
    snprintf(f->key, sizeof f->key, "%s/config/deploy-stand/secret.key", f->dir);
    return 0;
}

static char *encrypt_ok(const char *plain)
{
    char *enc = NULL;
    if (secret_encrypt(plain, &enc) != 0)
        fail_msg("secret_encrypt: %s", ds_err_last());
    assert_non_null(enc);
    assert_true(secret_is_encrypted(enc));
    if (*plain)
        assert_null(strstr(enc, plain));
    return enc;
}

static void assert_decrypts_to(const char *enc, const char *want)
{
    char *plain = NULL;
    if (secret_decrypt(enc, &plain) != 0)
        fail_msg("secret_decrypt: %s", ds_err_last());
    assert_string_equal(plain, want);
    secret_free(plain);
}

static void assert_decrypt_fails(const char *enc, const char *fragment)
{
    char *plain = (char *)"untouched";
    assert_int_equal(secret_decrypt(enc, &plain), -1);
    assert_null(plain);
    if (!strstr(ds_err_last(), fragment))
        fail_msg("error \"%s\" lacks \"%s\"", ds_err_last(), fragment);
    assert_null(strstr(ds_err_last(), PLAIN));
}

static void test_key_file_round_trip(void **state)
{
    struct fixture *f = *state;
    struct stat sb;
    assert_int_equal(stat(f->key, &sb), -1); /* created by the first encryption only */
    char *a = encrypt_ok(PLAIN);
    char *b = encrypt_ok(PLAIN);
    assert_false(secret_is_passphrase_form(a));
    assert_string_not_equal(a, b); /* a fresh nonce every time */
    assert_decrypts_to(a, PLAIN);
    assert_decrypts_to(b, PLAIN);

    /* the key file: 32 bytes, 0600, in a 0700 folder */
    assert_int_equal(stat(f->key, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0600);
    assert_int_equal(sb.st_size, 32);
    char dir[200];
    snprintf(dir, sizeof dir, "%s/config/deploy-stand", f->dir);
    assert_int_equal(stat(dir, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0700);
    char *kp = secret_key_path();
    assert_string_equal(kp, f->key);
    free(kp);

    /* a new process (no cached key) reads the same file */
    secret_forget_keys();
    assert_decrypts_to(a, PLAIN);
    /* the empty string and a long value round-trip too */
    char *e = encrypt_ok("");
    assert_decrypts_to(e, "");
    char longv[3000];
    memset(longv, 'x', sizeof longv - 1);
    longv[sizeof longv - 1] = '\0';
    char *l = encrypt_ok(longv);
    assert_decrypts_to(l, longv);
    secret_free(a);
    secret_free(b);
    secret_free(e);
    secret_free(l);
    secret_free(NULL);
}

static void write_key(const char *path, unsigned char byte, mode_t mode)
{
    unsigned char key[32];
    memset(key, byte, sizeof key);
    unlink(path);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    assert_int_equal(fwrite(key, 1, sizeof key, fp), sizeof key);
    fclose(fp);
    assert_int_equal(chmod(path, mode), 0);
}

static void test_wrong_key(void **state)
{
    struct fixture *f = *state;
    char *enc = encrypt_ok(PLAIN);
    secret_forget_keys();
    write_key(f->key, 0x42, 0600);
    assert_decrypt_fails(enc, "is not the key this value was encrypted with");
    assert_decrypt_fails(enc, f->key);
    /* a missing key file is named, with what to do */
    secret_forget_keys();
    unlink(f->key);
    assert_decrypt_fails(enc, "does not exist");
    assert_decrypt_fails(enc, f->key);
    /* a damaged key file */
    FILE *fp = fopen(f->key, "w");
    fputs("short", fp);
    fclose(fp);
    chmod(f->key, 0600);
    assert_decrypt_fails(enc, "must hold exactly 32 bytes");
    secret_free(enc);
}

static void test_key_file_others_can_read(void **state)
{
    struct fixture *f = *state;
    char *enc = encrypt_ok(PLAIN);
    secret_forget_keys();
    assert_int_equal(chmod(f->key, 0644), 0);
    assert_decrypt_fails(enc, "chmod 600");
    assert_decrypt_fails(enc, f->key);
    char *again = (char *)"untouched";
    assert_int_equal(secret_encrypt(PLAIN, &again), -1); /* never used to encrypt either */
    assert_null(again);
    assert_non_null(strstr(ds_err_last(), "chmod 600"));
    assert_int_equal(chmod(f->key, 0640), 0);
    assert_decrypt_fails(enc, "other users can access it (mode 0640)");
    /* fixed as the message says: usable again */
    assert_int_equal(chmod(f->key, 0600), 0);
    assert_decrypts_to(enc, PLAIN);
    secret_free(enc);
}

static void test_damaged_values(void **state)
{
    (void)state;
    char *enc = encrypt_ok(PLAIN);
    assert_decrypt_fails("plain", "not an encrypted value");
    assert_decrypt_fails("enc:v1:", "malformed");
    assert_decrypt_fails("enc:v1:!!!!", "malformed");
    assert_decrypt_fails("enc:v1:AAAA", "malformed"); /* shorter than nonce + MAC */
    assert_decrypt_fails("enc:v1:p:AAAA", "malformed");
    assert_decrypt_fails("enc:v1:p:AAAA:AAAA", "malformed"); /* salt of the wrong size */
    /* one changed character of the ciphertext: authentication fails */
    char *bad = strdup(enc);
    size_t n = strlen(bad);
    bad[n - 5] = bad[n - 5] == 'A' ? 'B' : 'A';
    assert_decrypt_fails(bad, "authentication failed");
    /* cut short */
    bad[n - 8] = '\0';
    assert_decrypt_fails(bad, "enc");
    free(bad);
    secret_free(enc);

    assert_false(secret_is_encrypted(NULL));
    assert_false(secret_is_encrypted("enc:v2:x"));
    assert_true(secret_is_encrypted("enc:v1:x"));
    assert_true(secret_is_passphrase_form("enc:v1:p:x:y"));
    assert_false(secret_is_passphrase_form("enc:v1:x"));
}

static void test_passphrase(void **state)
{
    struct fixture *f = *state;
    /* no terminal: the passphrase form cannot be asked for */
    assert_non_null(freopen("/dev/null", "r", stdin));
    setenv(SECRET_PASSPHRASE_ENV, "correct horse battery staple", 1);
    char *a = encrypt_ok(PLAIN);
    char *b = encrypt_ok("second");
    assert_true(secret_is_passphrase_form(a));
    assert_true(strncmp(a, "enc:v1:p:", 9) == 0);
    /* one salt per process: both values name the same salt */
    const char *sa = a + 9, *sb = b + 9;
    size_t la = strcspn(sa, ":");
    assert_int_equal(la, strcspn(sb, ":"));
    assert_memory_equal(sa, sb, la);
    struct stat st;
    assert_int_equal(stat(f->key, &st), -1); /* no key file involved */
    assert_decrypts_to(a, PLAIN);
    secret_forget_keys();
    assert_decrypts_to(b, "second"); /* derived again from the salt in the value */

    setenv(SECRET_PASSPHRASE_ENV, "wrong passphrase", 1);
    assert_decrypt_fails(a, "wrong passphrase in " SECRET_PASSPHRASE_ENV);
    unsetenv(SECRET_PASSPHRASE_ENV);
    secret_forget_keys();
    assert_decrypt_fails(a, "set " SECRET_PASSPHRASE_ENV);
    /* the key file does not open passphrase values, nor the passphrase key-file values */
    char *k = encrypt_ok(PLAIN);
    assert_false(secret_is_passphrase_form(k));
    assert_decrypt_fails(a, SECRET_PASSPHRASE_ENV);
    setenv(SECRET_PASSPHRASE_ENV, "correct horse battery staple", 1);
    assert_decrypts_to(a, PLAIN);
    assert_decrypts_to(k, PLAIN); /* key-file values still need only the key file */
    secret_free(a);
    secret_free(b);
    secret_free(k);
}

struct worker {
    char *enc;
    int rc;
};

static void *encrypt_worker(void *arg)
{
    struct worker *w = arg;
    w->rc = secret_encrypt("shared", &w->enc);
    return NULL;
}

static void test_concurrent_first_use(void **state)
{
    (void)state;
    struct worker w[6] = {0};
    pthread_t th[6];
    for (int i = 0; i < 6; i++)
        assert_int_equal(pthread_create(&th[i], NULL, encrypt_worker, &w[i]), 0);
    for (int i = 0; i < 6; i++)
        pthread_join(th[i], NULL);
    secret_forget_keys(); /* read back with the key file as another process would */
    for (int i = 0; i < 6; i++) {
        assert_int_equal(w[i].rc, 0);
        assert_decrypts_to(w[i].enc, "shared");
        secret_free(w[i].enc);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_key_file_round_trip, setup, secret_home_teardown),
        cmocka_unit_test_setup_teardown(test_wrong_key, setup, secret_home_teardown),
        cmocka_unit_test_setup_teardown(test_key_file_others_can_read, setup, secret_home_teardown),
        cmocka_unit_test_setup_teardown(test_damaged_values, setup, secret_home_teardown),
        cmocka_unit_test_setup_teardown(test_passphrase, setup, secret_home_teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_first_use, setup, secret_home_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
