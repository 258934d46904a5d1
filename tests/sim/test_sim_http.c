/* test_sim_http: pve-sim compresses as pveproxy does: gzip or deflate for bodies over 1 KiB when
 * the client accepts it (decoded with libcurl), nothing for small ones or other clients. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim_test_util.h"

#include <curl/curl.h>
#include <strings.h>

static struct simctx C;

struct got {
    char *body;
    size_t len;
    char encoding[32];
};

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
    struct got *g = ud;
    char *nb = realloc(g->body, g->len + sz * n + 1);
    if (!nb)
        return 0;
    memcpy(nb + g->len, p, sz * n);
    g->body = nb;
    g->len += sz * n;
    g->body[g->len] = '\0';
    return sz * n;
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
    struct got *g = ud;
    if (sz * n > 18 && strncasecmp(p, "Content-Encoding: ", 18) == 0)
        sscanf(p + 18, "%31s", g->encoding);
    return sz * n;
}

/* GET path as root with the Accept-Encoding header ae (NULL: none); decode = 1 lets libcurl
 * decode the body. Returns the HTTP status. */
static long get(const char *path, const char *ae, int decode, struct got *g)
{
    memset(g, 0, sizeof *g);
    char url[512], aeh[128];
    snprintf(url, sizeof url, "%s/api2/json%s", C.sp.url, path);
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, C.cookie);
    if (ae && !decode) {
        snprintf(aeh, sizeof aeh, "Accept-Encoding: %s", ae);
        h = curl_slist_append(h, aeh);
    }
    if (ae && decode)
        curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, ae);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, g);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, g);
    long status = -1;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return status;
}

static int setup(void **state)
{
    return tu_group_setup(state, &C);
}

static void test_compression(void **state)
{
    (void)state;
    struct got plain, raw, dec;
    assert_int_equal(get("/cluster/resources", NULL, 0, &plain), 200);
    assert_string_equal(plain.encoding, "");
    assert_true(plain.len > 1024);
    json_t *want = json_loads(plain.body, 0, NULL);
    assert_non_null(want);
    /* gzip on the wire (a gzip member starts 1f 8b), the same JSON once decoded */
    assert_int_equal(get("/cluster/resources", "gzip, deflate", 0, &raw), 200);
    assert_string_equal(raw.encoding, "gzip");
    assert_true(raw.len > 10 && (unsigned char)raw.body[0] == 0x1f &&
                (unsigned char)raw.body[1] == 0x8b);
    assert_true(raw.len < plain.len);
    assert_int_equal(get("/cluster/resources", "gzip", 1, &dec), 200);
    assert_string_equal(dec.encoding, "gzip");
    json_t *j = json_loads(dec.body, 0, NULL);
    assert_true(json_equal(want, j));
    json_decref(j);
    free(raw.body);
    free(dec.body);
    /* deflate (zlib) when only deflate is accepted */
    assert_int_equal(get("/cluster/resources", "deflate", 1, &dec), 200);
    assert_string_equal(dec.encoding, "deflate");
    j = json_loads(dec.body, 0, NULL);
    assert_true(json_equal(want, j));
    json_decref(j);
    free(dec.body);
    /* bodies of at most 1 KiB go uncompressed */
    assert_int_equal(get("/version", "gzip", 0, &raw), 200);
    assert_string_equal(raw.encoding, "");
    assert_non_null(strstr(raw.body, "\"version\""));
    free(raw.body);
    json_decref(want);
    free(plain.body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_compression)};
    return cmocka_run_group_tests(tests, setup, tu_group_teardown);
}
