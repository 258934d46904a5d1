/* pve_tls: TLS certificate fingerprint pinning for the PVE client (OpenSSL behind libcurl).
 * The verify callback runs in the handshake: a wrong pin stops it before any request is sent. */
#include "pve/pve_tls.h"

#include <ctype.h>
#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch = tolower(ch);
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

int pve_fp_parse(const char *text, unsigned char out[PVE_FP_LEN])
{
    if (!text)
        return -1;
    const char *p = text;
    while (isspace((unsigned char)*p))
        p++;
    size_t n = 0;
    int colons = -1; /* -1 unknown, 0 none, 1 every byte separated */
    while (*p && !isspace((unsigned char)*p)) {
        if (n == PVE_FP_LEN)
            return -1;
        int hi = hexval((unsigned char)p[0]);
        int lo = hi < 0 ? -1 : hexval((unsigned char)p[1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[n++] = (unsigned char)(hi << 4 | lo);
        p += 2;
        if (n < PVE_FP_LEN) {
            int sep = *p == ':';
            if (colons < 0)
                colons = sep;
            else if (colons != sep)
                return -1;
            if (sep)
                p++;
        }
    }
    while (isspace((unsigned char)*p))
        p++;
    return (n == PVE_FP_LEN && *p == '\0') ? 0 : -1;
}

void pve_fp_format(const unsigned char fp[PVE_FP_LEN], char out[PVE_FP_TEXT_LEN])
{
    static const char hex[] = "0123456789ABCDEF";
    char *o = out;
    for (size_t i = 0; i < PVE_FP_LEN; i++) {
        if (i)
            *o++ = ':';
        *o++ = hex[fp[i] >> 4];
        *o++ = hex[fp[i] & 15];
    }
    *o = '\0';
}

int pve_fp_normalize(const char *text, char out[PVE_FP_TEXT_LEN])
{
    unsigned char fp[PVE_FP_LEN];
    if (pve_fp_parse(text, fp) < 0)
        return -1;
    pve_fp_format(fp, out);
    return 0;
}

void pve_tls_check_reset(struct pve_tls_check *t)
{
    t->seen = 0;
    t->mismatch = 0;
    memset(t->got, 0, sizeof t->got);
}

static pthread_once_t idx_once = PTHREAD_ONCE_INIT;
static int ctx_idx = -1;

static void idx_init(void)
{
    ctx_idx = SSL_CTX_get_ex_new_index(0, "deploy-stand pve_tls_check", NULL, NULL, NULL);
}

static int tls_verify_cb(int preverify_ok, X509_STORE_CTX *store)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    if (!ssl)
        return preverify_ok;
    struct pve_tls_check *t = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ctx_idx);
    if (!t)
        return preverify_ok;
    int depth = X509_STORE_CTX_get_error_depth(store);
    if (depth != 0)
        /* With a pin only the leaf counts; without one OpenSSL's chain verdict stands. */
        return t->pinned ? 1 : preverify_ok;
    X509 *leaf = X509_STORE_CTX_get_current_cert(store);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!leaf || !X509_digest(leaf, EVP_sha256(), md, &mdlen) || mdlen != PVE_FP_LEN) {
        X509_STORE_CTX_set_error(store, X509_V_ERR_UNSPECIFIED);
        return 0;
    }
    memcpy(t->got, md, PVE_FP_LEN);
    t->seen = 1;
    if (!t->pinned)
        return preverify_ok;
    if (memcmp(md, t->want, PVE_FP_LEN) != 0) {
        t->mismatch = 1;
        X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
        return 0;
    }
    X509_STORE_CTX_set_error(store, X509_V_OK);
    return 1;
}

CURLcode pve_tls_ctx_setup(CURL *curl, void *sslctx, void *userptr)
{
    (void)curl;
    SSL_CTX *ctx = sslctx;
    pthread_once(&idx_once, idx_init);
    if (ctx_idx < 0 || !SSL_CTX_set_ex_data(ctx, ctx_idx, userptr))
        return CURLE_SSL_CERTPROBLEM;
    struct pve_tls_check *t = userptr;
    /* Keep curl's mode unless a pin requires the callback to see every certificate. */
    int mode = SSL_CTX_get_verify_mode(ctx);
    if (t->pinned)
        mode = SSL_VERIFY_PEER;
    SSL_CTX_set_verify(ctx, mode, tls_verify_cb);
    return CURLE_OK;
}
