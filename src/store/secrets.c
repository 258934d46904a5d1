/* secrets: libsodium secretbox for values kept at rest ("enc:v1:..."), with the key read from a
 * private key file (created 0600 on first use) or derived from a passphrase with Argon2id. */
#include "store/secrets.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "util/err.h"
#include "util/fsutil.h"
#include "util/xdg.h"
#include "util/i18n.h"

#define KEY_LEN crypto_secretbox_KEYBYTES
#define NONCE_LEN crypto_secretbox_NONCEBYTES
#define MAC_LEN crypto_secretbox_MACBYTES
#define SALT_LEN crypto_pwhash_SALTBYTES
#define B64 sodium_base64_VARIANT_ORIGINAL
#define PASS_FORM "p:"
#define KEY_FILE_NAME "secret.key"
#define PASS_CACHE 4

/* A key derived from (passphrase, salt); `pass_id` identifies the passphrase without keeping it. */
struct pass_key {
    int used;
    int for_encrypt; /* the salt this process writes new values with */
    unsigned char pass_id[crypto_generichash_BYTES];
    unsigned char salt[SALT_LEN];
    unsigned char key[KEY_LEN];
};

static pthread_mutex_t key_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    int have_file_key;
    char *file_key_path; /* where file_key came from (the path follows $XDG_CONFIG_HOME) */
    unsigned char file_key[KEY_LEN];
    struct pass_key pass[PASS_CACHE];
    unsigned next_slot;
    char *prompted; /* passphrase typed at the prompt (sodium_malloc'd), NULL when none */
} keys;

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static int sodium_status;

static void sodium_start(void)
{
    sodium_status = sodium_init() < 0 ? -1 : 0;
}

static int sodium_ready(void)
{
    pthread_once(&sodium_once, sodium_start);
    if (sodium_status < 0)
        return ds_err_set(_("cannot initialise libsodium"));
    return 0;
}

int secret_is_encrypted(const char *s)
{
    return s && strncmp(s, SECRET_PREFIX, sizeof SECRET_PREFIX - 1) == 0;
}

int secret_is_passphrase_form(const char *s)
{
    return secret_is_encrypted(s) &&
           strncmp(s + sizeof SECRET_PREFIX - 1, PASS_FORM, sizeof PASS_FORM - 1) == 0;
}

void secret_free(char *s)
{
    if (!s)
        return;
    sodium_memzero(s, strlen(s));
    free(s);
}

char *secret_key_path(void)
{
    char *dir = xdg_config_dir();
    char *p = NULL;
    if (!dir)
        return NULL;
    if (asprintf(&p, "%s/" KEY_FILE_NAME, dir) < 0) {
        p = NULL;
        ds_err_set(_("out of memory"));
    }
    free(dir);
    return p;
}

void secret_forget_keys(void)
{
    pthread_mutex_lock(&key_lock);
    sodium_memzero(keys.file_key, sizeof keys.file_key);
    keys.have_file_key = 0;
    free(keys.file_key_path);
    keys.file_key_path = NULL;
    sodium_memzero(keys.pass, sizeof keys.pass);
    keys.next_slot = 0;
    if (keys.prompted) {
        sodium_free(keys.prompted);
        keys.prompted = NULL;
    }
    pthread_mutex_unlock(&key_lock);
}

/* ---- the key file --------------------------------------------------------------------------- */

/* Writes 32 random bytes to the key file atomically, never over an existing one, so a concurrent
 * creator never sees a half-written key; if another process won, its key is kept. Its folders are
 * made 0700. */
static int key_file_create(const char *path)
{
    if (fs_mkdir_parent(path, 0700) < 0)
        return -1;
    unsigned char key[KEY_LEN];
    randombytes_buf(key, sizeof key);
    int rc = fs_write_atomic(path, key, sizeof key, 0600, FS_NO_REPLACE);
    sodium_memzero(key, sizeof key);
    return rc < 0 ? -1 : 0;
}

/* Reads the 32-byte key; refuses a file that group or others may access. 1 = missing. */
static int key_file_read(const char *path, unsigned char key[KEY_LEN])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT)
            return 1;
        return ds_err_set(_("cannot open the key file %s: %s"), path, strerror(errno));
    }
    struct stat sb;
    int rc = 0;
    if (fstat(fd, &sb) < 0)
        rc = ds_err_set(_("cannot stat the key file %s: %s"), path, strerror(errno));
    else if (!S_ISREG(sb.st_mode))
        rc = ds_err_set(_("the key file %s is not a regular file"), path);
    else if (sb.st_mode & 0077)
        rc = ds_err_set(_("refusing to use the key file %s: other users can access it (mode %04o); "
                          "run `chmod 600 %s` (and consider the secrets it protects exposed)"),
                        path, (unsigned)(sb.st_mode & 07777), path);
    else if (sb.st_size != KEY_LEN)
        rc = ds_err_set(_("the key file %s is damaged: it must hold exactly %d bytes, not %lld"),
                        path, KEY_LEN, (long long)sb.st_size);
    else if (read(fd, key, KEY_LEN) != KEY_LEN)
        rc = ds_err_set(_("cannot read the key file %s: %s"), path, strerror(errno));
    close(fd);
    return rc;
}

/* The file key, cached per path. create: make the file when missing. Call with key_lock held. */
static int file_key_get(int create, unsigned char key[KEY_LEN])
{
    char *path = secret_key_path();
    if (!path)
        return -1;
    if (keys.have_file_key && strcmp(keys.file_key_path, path) == 0) {
        memcpy(key, keys.file_key, KEY_LEN);
        free(path);
        return 0;
    }
    int rc = key_file_read(path, key);
    if (rc == 1 && create) {
        if (key_file_create(path) < 0) {
            free(path);
            return -1;
        }
        rc = key_file_read(path, key);
    }
    if (rc == 1)
        rc = ds_err_set(_("the key file %s does not exist (it is created by the first "
                          "encryption; copy it from the machine that encrypted the value)"),
                        path);
    if (rc < 0) {
        free(path);
        return -1;
    }
    memcpy(keys.file_key, key, KEY_LEN);
    free(keys.file_key_path);
    keys.file_key_path = path;
    keys.have_file_key = 1;
    return 0;
}

/* ---- the passphrase ------------------------------------------------------------------------- */

/* Reads a passphrase from the terminal with echo off. Call with key_lock held. */
static int passphrase_prompt(void)
{
    if (!isatty(STDIN_FILENO))
        return ds_err_set("this value is encrypted with a passphrase: set " SECRET_PASSPHRASE_ENV
                          " (there is no terminal to ask on)");
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty)
        return ds_err_set("this value is encrypted with a passphrase: set " SECRET_PASSPHRASE_ENV
                          " (cannot open the terminal: %s)",
                          strerror(errno));
    struct termios old, quiet;
    int have_term = tcgetattr(fileno(tty), &old) == 0;
    if (have_term) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
    }
    fputs(_("Passphrase for deploy-stand secrets: "), tty);
    fflush(tty);
    char *buf = sodium_malloc(1024);
    int rc = 0;
    if (!buf)
        rc = ds_err_set(_("out of memory"));
    else if (!fgets(buf, 1024, tty))
        rc = ds_err_set(_("no passphrase was entered"));
    if (have_term)
        tcsetattr(fileno(tty), TCSAFLUSH, &old);
    fputc('\n', tty);
    fclose(tty);
    if (rc < 0) {
        if (buf)
            sodium_free(buf);
        return -1;
    }
    buf[strcspn(buf, "\r\n")] = '\0';
    if (!*buf) {
        sodium_free(buf);
        return ds_err_set(_("the passphrase is empty"));
    }
    keys.prompted = buf;
    return 0;
}

/* The passphrase to use: the variable, else (when allowed) the prompt. NULL = none. */
static const char *passphrase_get(int may_prompt)
{
    const char *p = getenv(SECRET_PASSPHRASE_ENV);
    if (p && *p)
        return p;
    if (keys.prompted)
        return keys.prompted;
    if (!may_prompt)
        return NULL;
    return passphrase_prompt() < 0 ? NULL : keys.prompted;
}

/* The key for (passphrase, salt), derived once per process. salt NULL: the encryption salt of
 * this process (made on first use), copied into salt_out. Call with key_lock held. */
static int pass_key_get(const char *pass, const unsigned char *salt, unsigned char key[KEY_LEN],
                        unsigned char salt_out[SALT_LEN])
{
    unsigned char id[crypto_generichash_BYTES];
    crypto_generichash(id, sizeof id, (const unsigned char *)pass, strlen(pass), NULL, 0);
    for (int i = 0; i < PASS_CACHE; i++) {
        struct pass_key *k = &keys.pass[i];
        if (!k->used || sodium_memcmp(k->pass_id, id, sizeof id) != 0)
            continue;
        if (salt ? memcmp(k->salt, salt, SALT_LEN) == 0 : k->for_encrypt) {
            memcpy(key, k->key, KEY_LEN);
            if (salt_out)
                memcpy(salt_out, k->salt, SALT_LEN);
            return 0;
        }
    }
    struct pass_key *k = &keys.pass[keys.next_slot++ % PASS_CACHE];
    sodium_memzero(k, sizeof *k);
    if (salt)
        memcpy(k->salt, salt, SALT_LEN);
    else
        randombytes_buf(k->salt, SALT_LEN);
    if (crypto_pwhash(k->key, KEY_LEN, pass, strlen(pass), k->salt,
                      crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                      crypto_pwhash_ALG_ARGON2ID13) != 0) {
        sodium_memzero(k, sizeof *k);
        return ds_err_set(_("cannot derive a key from the passphrase (out of memory?)"));
    }
    memcpy(k->pass_id, id, sizeof id);
    k->used = 1;
    k->for_encrypt = salt == NULL;
    memcpy(key, k->key, KEY_LEN);
    if (salt_out)
        memcpy(salt_out, k->salt, SALT_LEN);
    return 0;
}

/* ---- encrypt / decrypt ---------------------------------------------------------------------- */

static char *b64_encode(const unsigned char *bin, size_t len)
{
    size_t n = sodium_base64_ENCODED_LEN(len, B64);
    char *s = malloc(n);
    if (s)
        sodium_bin2base64(s, n, bin, len, B64);
    return s;
}

/* Decodes exactly [b64, b64 + len) into a malloc'd buffer. */
static int b64_decode(const char *b64, size_t len, unsigned char **bin, size_t *bin_len)
{
    *bin = malloc(len / 4 * 3 + 3);
    if (!*bin)
        return ds_err_set(_("out of memory"));
    const char *end = NULL;
    if (len == 0 ||
        sodium_base642bin(*bin, len / 4 * 3 + 3, b64, len, NULL, bin_len, &end, B64) != 0 ||
        end != b64 + len) {
        free(*bin);
        *bin = NULL;
        return -1;
    }
    return 0;
}

int secret_encrypt(const char *plain, char **out)
{
    *out = NULL;
    if (!plain)
        return ds_err_set(_("secret_encrypt: nothing to encrypt"));
    if (sodium_ready() < 0)
        return -1;
    unsigned char key[KEY_LEN], salt[SALT_LEN];
    pthread_mutex_lock(&key_lock);
    const char *pass = passphrase_get(0);
    int rc = pass ? pass_key_get(pass, NULL, key, salt) : file_key_get(1, key);
    pthread_mutex_unlock(&key_lock);
    if (rc < 0)
        return ds_err_wrap(_("cannot encrypt"));

    size_t plen = strlen(plain);
    size_t blen = NONCE_LEN + MAC_LEN + plen;
    unsigned char *box = malloc(blen);
    if (!box) {
        sodium_memzero(key, sizeof key);
        return ds_err_set(_("out of memory"));
    }
    randombytes_buf(box, NONCE_LEN);
    crypto_secretbox_easy(box + NONCE_LEN, (const unsigned char *)plain, plen, box, key);
    sodium_memzero(key, sizeof key);
    char *payload = b64_encode(box, blen);
    free(box);
    char *salt64 = pass ? b64_encode(salt, SALT_LEN) : NULL;
    int n = -1;
    if (payload && (!pass || salt64))
        n = pass ? asprintf(out, SECRET_PREFIX PASS_FORM "%s:%s", salt64, payload)
                 : asprintf(out, SECRET_PREFIX "%s", payload);
    free(payload);
    free(salt64);
    if (n < 0) {
        *out = NULL;
        return ds_err_set(_("out of memory"));
    }
    return 0;
}

int secret_decrypt(const char *enc, char **out)
{
    *out = NULL;
    if (!secret_is_encrypted(enc))
        return ds_err_set("not an encrypted value (it does not start with " SECRET_PREFIX ")");
    if (sodium_ready() < 0)
        return -1;
    const char *p = enc + sizeof SECRET_PREFIX - 1;
    int pass_form = secret_is_passphrase_form(enc);
    unsigned char *salt = NULL, *box = NULL;
    size_t salt_len = 0, blen = 0;
    if (pass_form) {
        p += sizeof PASS_FORM - 1;
        const char *colon = strchr(p, ':');
        if (!colon || b64_decode(p, (size_t)(colon - p), &salt, &salt_len) < 0 ||
            salt_len != SALT_LEN) {
            free(salt);
            return ds_err_set(_("malformed encrypted value (bad salt); encrypt the secret again"));
        }
        p = colon + 1;
    }
    if (b64_decode(p, strlen(p), &box, &blen) < 0 || blen < NONCE_LEN + MAC_LEN) {
        free(salt);
        free(box);
        return ds_err_set(_("malformed encrypted value (not base64, or too short); encrypt the "
                            "secret again"));
    }
    unsigned char key[KEY_LEN];
    char *key_path = NULL;
    pthread_mutex_lock(&key_lock);
    int rc;
    if (pass_form) {
        const char *pass = passphrase_get(1);
        rc = pass ? pass_key_get(pass, salt, key, NULL) : -1;
    } else {
        rc = file_key_get(0, key);
        if (rc == 0)
            key_path = strdup(keys.file_key_path);
    }
    pthread_mutex_unlock(&key_lock);
    free(salt);
    if (rc < 0) {
        free(box);
        return -1;
    }
    size_t plen = blen - NONCE_LEN - MAC_LEN;
    char *plain = malloc(plen + 1);
    if (!plain) {
        sodium_memzero(key, sizeof key);
        free(box);
        free(key_path);
        return ds_err_set(_("out of memory"));
    }
    rc = crypto_secretbox_open_easy((unsigned char *)plain, box + NONCE_LEN, blen - NONCE_LEN, box,
                                    key);
    sodium_memzero(key, sizeof key);
    free(box);
    if (rc != 0) {
        sodium_memzero(plain, plen + 1);
        free(plain);
        if (pass_form)
            ds_err_set("wrong passphrase in " SECRET_PASSPHRASE_ENV
                       ", or the value was damaged (authentication failed)");
        else
            ds_err_set(_("the key file %s is not the key this value was encrypted with, or the "
                         "value was damaged (authentication failed)"),
                       key_path ? key_path : "?");
        free(key_path);
        return -1;
    }
    free(key_path);
    plain[plen] = '\0';
    if (strlen(plain) != plen) {
        sodium_memzero(plain, plen);
        free(plain);
        return ds_err_set(_("the decrypted value holds a NUL byte"));
    }
    *out = plain;
    return 0;
}
