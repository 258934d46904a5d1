/* sim_listen: the simulator's listening side: libmicrohttpd daemons on 127.0.0.1:port, and the
 * pauses of an "unreachable" fault, in which connections are refused until it listens again. */
#ifndef SIM_LISTEN_H
#define SIM_LISTEN_H

#include <microhttpd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct sim_listen_cfg {
    int http;                       /* 1 = plain HTTP, else TLS with the PEMs below */
    const char *key_pem, *cert_pem; /* borrowed: they must outlive the listener */
    MHD_AccessHandlerCallback handler;
    MHD_RequestCompletedCallback completed;
    void (*logger)(void *cls, const char *fmt, va_list ap);
    void *cls; /* for handler, completed and logger */
};

struct sim_listen;

/* Listens on 127.0.0.1:port (0 = a free one) and serves with one thread per connection. NULL
 * with a message in err. The caller owns the result: sim_listen_stop(). */
struct sim_listen *sim_listen_start(const struct sim_listen_cfg *cfg, unsigned port, char *err,
                                    size_t errlen);
unsigned sim_listen_port(const struct sim_listen *l);
/* Stops accepting at once, so that new connections are refused, for ns (a pause under way is
 * only made longer); then a new daemon listens on the same port. Connections already open are
 * served throughout. Any thread, also a request handler. 0, or -1 when it cannot pause. */
int sim_listen_pause(struct sim_listen *l, int64_t ns);
/* 1 while connections are refused. */
int sim_listen_paused(struct sim_listen *l);
/* Stops every daemon and frees l; NULL is fine. */
void sim_listen_stop(struct sim_listen *l);

#endif
