/* sim_gzip: pveproxy's compressed answers: zlib's deflate in the gzip (RFC 1952) or zlib
 * (RFC 1950) wrapper. */
#include "sim_gzip.h"

#include <stdlib.h>
#include <zlib.h>

unsigned char *sim_gzip(const unsigned char *in, size_t len, int zlib, size_t *outlen)
{
    z_stream z = {0};
    /* windowBits 15 + 16: a gzip header and trailer instead of zlib's */
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, zlib ? 15 : 15 + 16, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    uLong cap = deflateBound(&z, (uLong)len) + 32;
    unsigned char *out = malloc(cap);
    if (!out) {
        deflateEnd(&z);
        return NULL;
    }
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    *outlen = (size_t)z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}
