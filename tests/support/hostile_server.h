/* hostile_server: a tiny in-process HTTP server on 127.0.0.1 (libmicrohttpd, any free port) that
 * answers every request in one broken way, for testing the Proxmox client against bad servers. */
#ifndef DS_HOSTILE_SERVER_H
#define DS_HOSTILE_SERVER_H

#include <stddef.h>

enum hostile_mode {
    HOSTILE_OK,               /* 200 application/json {"data":{"version":"8.4.1",...}} (control) */
    HOSTILE_MALFORMED_JSON,   /* 200 application/json, a JSON text cut in the middle */
    HOSTILE_NOT_OBJECT,       /* 200 application/json, valid JSON that is not an object */
    HOSTILE_TRUNCATED_BODY,   /* Content-Length 4096, 40 bytes sent, then the connection closes */
    HOSTILE_HUGE_JSON,        /* 200, a valid 10 MB JSON object (version plus a 10 MB string) */
    HOSTILE_HUGE_JUNK,        /* 200 application/json, 10 MB of bytes that are not JSON */
    HOSTILE_ENDLESS,          /* 200 application/json, chunked, never ends (JSON-looking) */
    HOSTILE_OVERSIZED_LENGTH, /* 200, Content-Length 1 GiB announced, a few bytes sent slowly */
    HOSTILE_SLOW_DRIP,        /* 200, Content-Length 100, one byte every 200 ms */
    HOSTILE_SLOW_HEADERS,     /* accepts the request, then sends nothing at all */
    HOSTILE_REDIRECT_FOREIGN, /* 302 Location: http://127.0.0.2:1/api2/json/version */
    HOSTILE_REDIRECT_LOCAL,   /* 302 Location: http://127.0.0.1:<own port>/followed */
    HOSTILE_WRONG_CONTENT_TYPE, /* 200 text/html with an HTML page */
    HOSTILE_HTML_JSON,          /* 200 text/html whose body is a valid PVE JSON answer */
};

struct hostile_server;

/* Starts a server in `mode` on 127.0.0.1 with a kernel-chosen port. NULL on failure (reason on
 * stderr). Stop and free with hostile_server_stop. */
struct hostile_server *hostile_server_start(enum hostile_mode mode);

/* The port it listens on. */
unsigned hostile_server_port(const struct hostile_server *s);

/* Requests received so far, all paths; and those whose URL starts with "/followed" (a client
 * that followed HOSTILE_REDIRECT_LOCAL). */
unsigned long hostile_server_requests(const struct hostile_server *s);
unsigned long hostile_server_followed(const struct hostile_server *s);

/* Stops the server (open connections are cut) and frees it. NULL is ignored. */
void hostile_server_stop(struct hostile_server *s);

/* "malformed-json", "slow-drip", ... for messages. */
const char *hostile_mode_name(enum hostile_mode mode);

#endif
