/* fuzz_pve_response: libFuzzer target for the client's response parsing (pve_response_parse,
 * pve_response_describe, pve_response_is_transient): the first two bytes pick the HTTP status. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "pve/pve_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    long status = 200;
    if (size >= 2) {
        status = (long)(((unsigned)data[0] << 8 | data[1]) % 1000);
        data += 2;
        size -= 2;
    }
    /* the status-line text: up to the first NUL of the input, at most 64 bytes */
    char status_text[65];
    size_t tl = 0;
    while (tl < size && tl < 64 && data[tl])
        tl++;
    memcpy(status_text, data, tl);
    status_text[tl] = '\0';

    struct pve_response r = {0};
    json_t *full = NULL;
    int rc = pve_response_parse(&r, status, status_text, (const char *)data, size, &full);
    FUZZ_CHECK(rc == 0 || rc == -1);
    FUZZ_CHECK(r.status == status);
    FUZZ_CHECK(!r.message || !strpbrk(r.message, "\r\n"));
    if (rc < 0)
        FUZZ_CHECK(!full && !r.data && !r.errors);
    FUZZ_CHECK(!r.errors || json_is_object(r.errors));
    if (full)
        FUZZ_CHECK(json_is_object(full));

    char small[16], big[2048];
    pve_response_describe(&r, small, sizeof small);
    FUZZ_CHECK(strlen(small) < sizeof small);
    pve_response_describe(&r, big, sizeof big);
    FUZZ_CHECK(strlen(big) < sizeof big);
    (void)pve_response_is_transient(&r);
    json_decref(full);
    pve_response_clear(&r);

    /* without `full`, and without a status text */
    struct pve_response r2 = {0};
    int rc2 = pve_response_parse(&r2, status, NULL, (const char *)data, size, NULL);
    FUZZ_CHECK(rc2 == rc);
    pve_response_clear(&r2);
    return 0;
}
