/* pve_certinfo: reads a server's TLS certificate without trusting it (OpenSSL, bounded time), so
 * the user can compare its SHA-256 fingerprint and subject before pinning it. */
#ifndef DS_PVE_CERTINFO_H
#define DS_PVE_CERTINFO_H

#include "pve/pve_tls.h"

struct pve_certinfo {
    char fingerprint[PVE_FP_TEXT_LEN]; /* SHA-256 of the DER leaf certificate, "AA:BB:..." */
    char subject[512];                 /* one line, RFC 2253, e.g. "CN=pve1.example.org,O=PVE" */
    char issuer[512];                  /* the same for the issuer */
    char not_after[64];                /* "Jan  1 00:00:00 2026 GMT" */
};

/* Connects to host:port (host: a name, an IPv4 address or a bracketed IPv6 address "[::1]"),
 * performs a TLS handshake that accepts any certificate (nothing is sent after it) and fills
 * *out from the leaf certificate. timeout_ms bounds the connect and the handshake (0 = 10 s).
 * Returns 0, or -1 with ds_err ("cannot connect to host:port: ...", "TLS handshake with ...
 * failed: ...", "... sent no certificate"). */
int pve_certinfo_fetch(const char *host, unsigned port, long timeout_ms, struct pve_certinfo *out);

#endif
