/* sim_gzip: pveproxy's compressed answers: zlib's deflate in the gzip (RFC 1952) or zlib
 * (RFC 1950) wrapper. */
#ifndef SIM_GZIP_H
#define SIM_GZIP_H

#include <stddef.h>

/* Compresses in[0..len) into a malloc'd gzip member (zlib = 0) or zlib stream (zlib = 1); its
 * size into *outlen. NULL when out of memory. */
unsigned char *sim_gzip(const unsigned char *in, size_t len, int zlib, size_t *outlen);

#endif
