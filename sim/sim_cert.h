/* sim_cert: the TLS certificate of the simulator: a self-signed EC P-256 certificate for
 * 127.0.0.1 generated at start, or PEM files given by flags, and its SHA-256 fingerprint. */
#ifndef SIM_CERT_H
#define SIM_CERT_H

#include <stddef.h>

struct sim_cert {
    char *cert_pem;        /* malloc'd PEM */
    char *key_pem;         /* malloc'd PEM (secret: never logged) */
    char fingerprint[128]; /* "AB:CD:..." uppercase SHA-256 of the DER certificate */
};

/* Generates a self-signed certificate (CN=127.0.0.1, SAN IP:127.0.0.1, 1 year). 0 or -1. */
int sim_cert_generate(struct sim_cert *c, char *err, size_t errlen);
/* Loads PEM files. 0 or -1. */
int sim_cert_load(struct sim_cert *c, const char *cert_file, const char *key_file, char *err,
                  size_t errlen);
void sim_cert_free(struct sim_cert *c); /* wipes the key */

#endif
