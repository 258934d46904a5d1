/* pve_tls: TLS certificate fingerprint pinning for the PVE client (OpenSSL behind libcurl).
 * Normalises "AA:BB:..." pins and checks the server certificate's SHA-256 during the handshake. */
#ifndef DS_PVE_TLS_H
#define DS_PVE_TLS_H

#include <curl/curl.h>
#include <stddef.h>

#define PVE_FP_LEN 32            /* SHA-256 digest bytes */
#define PVE_FP_TEXT_LEN (32 * 3) /* "AA:BB:...:FF" plus NUL */

/* Parses a SHA-256 fingerprint given as 64 hex digits in any case, with or without ':' between
 * the bytes (surrounding whitespace allowed). Returns 0 and fills out, or -1 when malformed. */
int pve_fp_parse(const char *text, unsigned char out[PVE_FP_LEN]);

/* Writes the canonical form "AA:BB:...:FF" (uppercase, 95 chars + NUL) into out. */
void pve_fp_format(const unsigned char fp[PVE_FP_LEN], char out[PVE_FP_TEXT_LEN]);

/* Canonicalises `text` into out ("aabb.." -> "AA:BB:.."). 0 ok, -1 malformed. */
int pve_fp_normalize(const char *text, char out[PVE_FP_TEXT_LEN]);

/* State of one connection's certificate check; lives inside the client (no heap). */
struct pve_tls_check {
    int pinned;                     /* 1 when want[] holds a pin */
    unsigned char want[PVE_FP_LEN]; /* the pinned digest */
    int seen;                       /* 1 once the leaf certificate's digest was taken */
    unsigned char got[PVE_FP_LEN];  /* digest of the last leaf certificate presented */
    int mismatch;                   /* 1 when the leaf did not match the pin */
};

/* Clears the per-handshake results (seen, mismatch) before a request. */
void pve_tls_check_reset(struct pve_tls_check *t);

/* A CURLOPT_SSL_CTX_FUNCTION callback (`sslctx` is an SSL_CTX*, `userptr` a struct pve_tls_check*
 * that must outlive the transfer).
 * Installs a verify callback that records the leaf digest and, when pinned, accepts the chain
 * exactly when the leaf matches (rejecting a mismatch even if CA verification passed); without
 * a pin it keeps OpenSSL's verdict. Returns CURLE_OK or CURLE_SSL_CERTPROBLEM. */
CURLcode pve_tls_ctx_setup(CURL *curl, void *sslctx, void *userptr);

#endif
