/* hostile_server: answers every HTTP request in one chosen broken way (bad JSON, cut bodies, huge
 * or endless bodies, slow drips, redirects, HTML), one thread per connection, on 127.0.0.1 only. */
#include "hostile_server.h"

#include "ds_clock.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define HUGE_SIZE (10u * 1024u * 1024u)
#define DRIP_SIZE 100
#define TRUNCATED_ANNOUNCED 4096
#define TRUNCATED_SENT 40

struct hostile_server {
    enum hostile_mode mode;
    struct MHD_Daemon *daemon;
    unsigned port;
    atomic_int stopping;
    atomic_ulong requests;
    atomic_ulong followed;
    char *huge; /* the 10 MB body of the HUGE modes */
    size_t huge_len;
    char location[128];
};

static const char OK_BODY[] =
    "{\"data\":{\"version\":\"8.4.1\",\"release\":\"8.4\",\"repoid\":\"2a5fa54a8503f96d\"}}";
static const char HTML_BODY[] =
    "<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\n"
    "<body><h1>Captive portal</h1><p>Please log in.</p></body></html>\n";

const char *hostile_mode_name(enum hostile_mode mode)
{
    static const char *const names[] = {
        [HOSTILE_OK] = "ok",
        [HOSTILE_MALFORMED_JSON] = "malformed-json",
        [HOSTILE_NOT_OBJECT] = "not-object",
        [HOSTILE_TRUNCATED_BODY] = "truncated-body",
        [HOSTILE_HUGE_JSON] = "huge-json",
        [HOSTILE_HUGE_JUNK] = "huge-junk",
        [HOSTILE_ENDLESS] = "endless",
        [HOSTILE_OVERSIZED_LENGTH] = "oversized-length",
        [HOSTILE_SLOW_DRIP] = "slow-drip",
        [HOSTILE_SLOW_HEADERS] = "slow-headers",
        [HOSTILE_REDIRECT_FOREIGN] = "redirect-foreign",
        [HOSTILE_REDIRECT_LOCAL] = "redirect-local",
        [HOSTILE_WRONG_CONTENT_TYPE] = "wrong-content-type",
        [HOSTILE_HTML_JSON] = "html-json",
    };
    if ((size_t)mode < sizeof names / sizeof *names && names[mode])
        return names[mode];
    return "?";
}

/* Waits ms milliseconds as a slow server would; returns -1 early when the server is stopping. */
static int server_pause(struct hostile_server *s, int ms)
{
    for (int waited = 0; waited < ms; waited += 10) {
        if (atomic_load(&s->stopping))
            return -1;
        ds_clock_sleep_ns(10 * DS_NS_PER_MS);
    }
    return atomic_load(&s->stopping) ? -1 : 0;
}

/* ---- streamed bodies ------------------------------------------------------------------------ */

static ssize_t read_truncated(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)cls;
    static const char head[] = "{\"data\":{\"version\":\"8.4.1\",\"release\":\"8";
    if (pos >= TRUNCATED_SENT)
        return MHD_CONTENT_READER_END_WITH_ERROR; /* closes the connection mid-body */
    size_t n = TRUNCATED_SENT - (size_t)pos;
    if (n > max)
        n = max;
    memcpy(buf, head + pos, n);
    return (ssize_t)n;
}

static ssize_t read_endless(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct hostile_server *s = cls;
    if (atomic_load(&s->stopping))
        return MHD_CONTENT_READER_END_WITH_ERROR;
    static const char head[] = "{\"data\":[";
    static const char item[] = "\"0123456789abcdef\",";
    size_t n = 0;
    if (pos == 0 && max >= sizeof head - 1) {
        memcpy(buf, head, sizeof head - 1);
        n = sizeof head - 1;
    }
    while (n + sizeof item - 1 <= max) {
        memcpy(buf + n, item, sizeof item - 1);
        n += sizeof item - 1;
    }
    if (n == 0)
        buf[n++] = ' ';
    return (ssize_t)n;
}

/* One byte per call, each after a pause: OK_BODY padded with spaces to DRIP_SIZE bytes. */
static ssize_t read_drip(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct hostile_server *s = cls;
    if (max == 0)
        return 0;
    if (server_pause(s, s->mode == HOSTILE_SLOW_DRIP ? 200 : 50) < 0)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    if (s->mode == HOSTILE_SLOW_DRIP && pos >= DRIP_SIZE)
        return MHD_CONTENT_READER_END_OF_STREAM;
    buf[0] = pos < sizeof OK_BODY - 1 ? OK_BODY[pos] : ' ';
    return 1;
}

/* ---- answers -------------------------------------------------------------------------------- */

static enum MHD_Result queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *r,
                             const char *content_type)
{
    if (!r)
        return MHD_NO;
    if (content_type)
        MHD_add_response_header(r, "Content-Type", content_type);
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

static struct MHD_Response *from_text(const char *text, size_t len)
{
    return MHD_create_response_from_buffer(len, (void *)text, MHD_RESPMEM_PERSISTENT);
}

#define JSON_TYPE "application/json;charset=UTF-8"

static enum MHD_Result answer(struct hostile_server *s, struct MHD_Connection *c, const char *url)
{
    if (strncmp(url, "/followed", 9) == 0) {
        atomic_fetch_add(&s->followed, 1);
        return queue(c, 200, from_text(OK_BODY, sizeof OK_BODY - 1), JSON_TYPE);
    }
    switch (s->mode) {
    case HOSTILE_OK:
        return queue(c, 200, from_text(OK_BODY, sizeof OK_BODY - 1), JSON_TYPE);
    case HOSTILE_MALFORMED_JSON: {
        static const char cut[] = "{\"data\":{\"version\":\"8.4.1\",\"release\":\"8.4";
        return queue(c, 200, from_text(cut, sizeof cut - 1), JSON_TYPE);
    }
    case HOSTILE_NOT_OBJECT: {
        static const char arr[] = "[\"8.4.1\", 8, 4]";
        return queue(c, 200, from_text(arr, sizeof arr - 1), JSON_TYPE);
    }
    case HOSTILE_TRUNCATED_BODY:
        return queue(
            c, 200,
            MHD_create_response_from_callback(TRUNCATED_ANNOUNCED, 64, read_truncated, s, NULL),
            JSON_TYPE);
    case HOSTILE_HUGE_JSON:
    case HOSTILE_HUGE_JUNK:
        return queue(c, 200, from_text(s->huge, s->huge_len), JSON_TYPE);
    case HOSTILE_ENDLESS:
        return queue(
            c, 200,
            MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, read_endless, s, NULL),
            JSON_TYPE);
    case HOSTILE_OVERSIZED_LENGTH:
        return queue(
            c, 200,
            MHD_create_response_from_callback(1024ull * 1024 * 1024, 16, read_drip, s, NULL),
            JSON_TYPE);
    case HOSTILE_SLOW_DRIP:
        return queue(c, 200, MHD_create_response_from_callback(DRIP_SIZE, 16, read_drip, s, NULL),
                     JSON_TYPE);
    case HOSTILE_SLOW_HEADERS:
        /* say nothing until the server stops; the client has to give up on its own */
        while (server_pause(s, 50) == 0)
            ;
        return MHD_NO;
    case HOSTILE_REDIRECT_FOREIGN:
    case HOSTILE_REDIRECT_LOCAL: {
        static const char moved[] = "<html><body>Moved</body></html>\n";
        struct MHD_Response *r = from_text(moved, sizeof moved - 1);
        if (r)
            MHD_add_response_header(r, "Location", s->location);
        return queue(c, 302, r, "text/html");
    }
    case HOSTILE_WRONG_CONTENT_TYPE:
        return queue(c, 200, from_text(HTML_BODY, sizeof HTML_BODY - 1),
                     "text/html; charset=utf-8");
    case HOSTILE_HTML_JSON:
        return queue(c, 200, from_text(OK_BODY, sizeof OK_BODY - 1), "text/html");
    }
    return MHD_NO;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls)
{
    (void)method;
    (void)version;
    (void)upload;
    struct hostile_server *s = cls;
    static int seen;
    if (*req_cls == NULL) { /* headers only so far */
        *req_cls = &seen;
        atomic_fetch_add(&s->requests, 1);
        return MHD_YES;
    }
    if (*upload_size) { /* a request body: read and ignore */
        *upload_size = 0;
        return MHD_YES;
    }
    return answer(s, c, url);
}

static void huge_fill(struct hostile_server *s)
{
    static const char head[] = "{\"data\":{\"version\":\"8.4.1\",\"release\":\"8.4\",\"pad\":\"";
    static const char tail[] = "\"}}";
    s->huge_len = HUGE_SIZE;
    s->huge = malloc(s->huge_len);
    if (!s->huge)
        abort();
    if (s->mode == HOSTILE_HUGE_JSON) {
        memcpy(s->huge, head, sizeof head - 1);
        memset(s->huge + sizeof head - 1, 'x', s->huge_len - (sizeof head - 1) - (sizeof tail - 1));
        memcpy(s->huge + s->huge_len - (sizeof tail - 1), tail, sizeof tail - 1);
    } else {
        static const char junk[] = "<junk>\x01\x02\xff not json ";
        for (size_t i = 0; i < s->huge_len; i++)
            s->huge[i] = junk[i % (sizeof junk - 1)];
    }
}

struct hostile_server *hostile_server_start(enum hostile_mode mode)
{
    struct hostile_server *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->mode = mode;
    atomic_init(&s->stopping, 0);
    atomic_init(&s->requests, 0);
    atomic_init(&s->followed, 0);
    if (mode == HOSTILE_HUGE_JSON || mode == HOSTILE_HUGE_JUNK)
        huge_fill(s);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = 0;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
                                 NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
                                 (struct sockaddr *)&sa, MHD_OPTION_END);
    if (!s->daemon) {
        fprintf(stderr, "hostile_server: cannot start the HTTP server on 127.0.0.1\n");
        free(s->huge);
        free(s);
        return NULL;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : 0;
    if (!s->port) {
        fprintf(stderr, "hostile_server: cannot read the bound port\n");
        hostile_server_stop(s);
        return NULL;
    }
    if (mode == HOSTILE_REDIRECT_LOCAL)
        snprintf(s->location, sizeof s->location, "http://127.0.0.1:%u/followed", s->port);
    else
        snprintf(s->location, sizeof s->location, "http://127.0.0.2:1/api2/json/version");
    return s;
}

unsigned hostile_server_port(const struct hostile_server *s)
{
    return s->port;
}

unsigned long hostile_server_requests(const struct hostile_server *s)
{
    return atomic_load(&((struct hostile_server *)s)->requests);
}

unsigned long hostile_server_followed(const struct hostile_server *s)
{
    return atomic_load(&((struct hostile_server *)s)->followed);
}

void hostile_server_stop(struct hostile_server *s)
{
    if (!s)
        return;
    atomic_store(&s->stopping, 1);
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    free(s->huge);
    free(s);
}
