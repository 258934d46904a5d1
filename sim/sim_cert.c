/* sim_cert: the simulator's TLS certificate (generated with OpenSSL, or loaded from PEM files)
 * and its SHA-256 fingerprint, formatted like Proxmox VE shows it. */
#include "sim_cert.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *bio_string(BIO *b)
{
    char *data = NULL;
    long n = BIO_get_mem_data(b, &data);
    char *s = malloc((size_t)n + 1);
    if (s) {
        memcpy(s, data, (size_t)n);
        s[n] = '\0';
    }
    return s;
}

static int fingerprint(X509 *x, char *out, size_t outlen)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (X509_digest(x, EVP_sha256(), md, &n) != 1)
        return -1;
    size_t o = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < n && o + 4 < outlen; i++)
        o += (size_t)snprintf(out + o, outlen - o, "%s%02X", i ? ":" : "", md[i]);
    return 0;
}

int sim_cert_generate(struct sim_cert *c, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    int rc = -1;
    EVP_PKEY *pkey = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    BIO *cb = BIO_new(BIO_s_mem()), *kb = BIO_new(BIO_s_mem());
    if (!pkey || !x || !cb || !kb) {
        snprintf(err, errlen, "cannot generate the TLS key");
        goto out;
    }
    X509_set_version(x, 2);
    unsigned char serial[8];
    for (size_t i = 0; i < sizeof serial; i++)
        serial[i] = (unsigned char)(rand() & 0xff);
    ASN1_INTEGER_set_uint64(X509_get_serialNumber(x),
                            ((uint64_t)serial[0] << 32 | serial[1] << 8 | serial[2]) + 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 365L * 24 * 3600);
    X509_set_pubkey(x, pkey);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               (const unsigned char *)"PVE Cluster Node (sim)", -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"127.0.0.1", -1, -1,
                               0);
    X509_set_issuer_name(x, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    X509_EXTENSION *ext =
        X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
    if (ext) {
        X509_add_ext(x, ext, -1);
        X509_EXTENSION_free(ext);
    }
    if (!X509_sign(x, pkey, EVP_sha256())) {
        snprintf(err, errlen, "cannot sign the TLS certificate");
        goto out;
    }
    if (!PEM_write_bio_X509(cb, x) ||
        !PEM_write_bio_PrivateKey(kb, pkey, NULL, NULL, 0, NULL, NULL)) {
        snprintf(err, errlen, "cannot encode the TLS certificate");
        goto out;
    }
    c->cert_pem = bio_string(cb);
    c->key_pem = bio_string(kb);
    if (!c->cert_pem || !c->key_pem || fingerprint(x, c->fingerprint, sizeof c->fingerprint)) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    rc = 0;
out:
    EVP_PKEY_free(pkey);
    X509_free(x);
    BIO_free(cb);
    BIO_free(kb);
    if (rc)
        sim_cert_free(c);
    return rc;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    fclose(f);
    return s;
}

int sim_cert_load(struct sim_cert *c, const char *cert_file, const char *key_file, char *err,
                  size_t errlen)
{
    memset(c, 0, sizeof *c);
    c->cert_pem = slurp(cert_file);
    c->key_pem = slurp(key_file);
    if (!c->cert_pem || !c->key_pem) {
        snprintf(err, errlen, "cannot read %s", !c->cert_pem ? cert_file : key_file);
        sim_cert_free(c);
        return -1;
    }
    BIO *b = BIO_new_mem_buf(c->cert_pem, -1);
    X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    if (!x || fingerprint(x, c->fingerprint, sizeof c->fingerprint)) {
        X509_free(x);
        snprintf(err, errlen, "%s is not a PEM certificate", cert_file);
        sim_cert_free(c);
        return -1;
    }
    X509_free(x);
    return 0;
}

void sim_cert_free(struct sim_cert *c)
{
    free(c->cert_pem);
    if (c->key_pem) {
        OPENSSL_cleanse(c->key_pem, strlen(c->key_pem));
        free(c->key_pem);
    }
    c->cert_pem = c->key_pem = NULL;
}
