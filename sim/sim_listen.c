/* sim_listen: the simulator's listening sockets, and the pauses of the "unreachable" fault: the
 * socket is shut so the kernel refuses connections, then a new daemon listens on the same port. */
#include "sim_listen.h"

#include "ds_clock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_DAEMONS 64 /* the first one and those left serving after pauses */

struct sim_listen {
    struct sim_listen_cfg cfg;
    unsigned port;
    pthread_mutex_t mu;
    struct MHD_Daemon *current;          /* NULL while paused */
    struct MHD_Daemon *old[MAX_DAEMONS]; /* stopped accepting; serve the connections they had */
    MHD_socket old_fd[MAX_DAEMONS];      /* their listening sockets (ours to close at the end) */
    size_t n_old;
    int paused;
    int64_t until; /* ds_clock monotonic ns at which a pause ends */
    pthread_t thread;
    int has_thread;      /* a thread that listens again after the pause was started */
    atomic_int stopping; /* set by sim_listen_stop */
};

/* A listening TCP socket on 127.0.0.1:port (SO_REUSEADDR, non-blocking); -1 with err. */
static int listen_socket(unsigned port, char *err, size_t errlen)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, SOMAXCONN) != 0 ||
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
        snprintf(err, errlen, "cannot listen on 127.0.0.1:%u: %s", port, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* A daemon serving the listening socket fd (which it closes when stopped); NULL on failure. */
static struct MHD_Daemon *daemon_on(const struct sim_listen_cfg *c, int fd)
{
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_ERROR_LOG | MHD_USE_ITC;
    if (c->http)
        return MHD_start_daemon(
            flags, 0, NULL, NULL, c->handler, c->cls, MHD_OPTION_EXTERNAL_LOGGER, c->logger, c->cls,
            MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd, MHD_OPTION_NOTIFY_COMPLETED, c->completed,
            c->cls, MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_END);
    return MHD_start_daemon(flags | MHD_USE_TLS, 0, NULL, NULL, c->handler, c->cls,
                            MHD_OPTION_EXTERNAL_LOGGER, c->logger, c->cls, MHD_OPTION_LISTEN_SOCKET,
                            (MHD_socket)fd, MHD_OPTION_NOTIFY_COMPLETED, c->completed, c->cls,
                            MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_HTTPS_MEM_KEY,
                            c->key_pem, MHD_OPTION_HTTPS_MEM_CERT, c->cert_pem, MHD_OPTION_END);
}

struct sim_listen *sim_listen_start(const struct sim_listen_cfg *cfg, unsigned port, char *err,
                                    size_t errlen)
{
    int fd = listen_socket(port, err, errlen);
    if (fd < 0)
        return NULL;
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    if (getsockname(fd, (struct sockaddr *)&sa, &sl) != 0) {
        snprintf(err, errlen, "getsockname: %s", strerror(errno));
        close(fd);
        return NULL;
    }
    struct sim_listen *l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(err, errlen, "out of memory");
        close(fd);
        return NULL;
    }
    l->cfg = *cfg;
    l->port = ntohs(sa.sin_port);
    pthread_mutex_init(&l->mu, NULL);
    l->current = daemon_on(cfg, fd);
    if (!l->current) {
        /* the socket is left open: whether a failed start closed it is not documented */
        snprintf(err, errlen, "cannot listen on 127.0.0.1:%u", port);
        pthread_mutex_destroy(&l->mu);
        free(l);
        return NULL;
    }
    return l;
}

unsigned sim_listen_port(const struct sim_listen *l)
{
    return l->port;
}

/* Listens again on the port (l->mu held). 0; -1 when the port cannot be had yet (another try
 * later); -2 when no daemon starts on it (no more tries: connections stay refused). */
static int relisten_locked(struct sim_listen *l)
{
    char err[256];
    int fd = listen_socket(l->port, err, sizeof err);
    if (fd < 0)
        return -1;
    struct MHD_Daemon *d = daemon_on(&l->cfg, fd);
    if (!d) {
        fprintf(stderr, "pve-sim: cannot serve 127.0.0.1:%u again after a pause\n", l->port);
        return -2;
    }
    l->current = d;
    l->paused = 0;
    return 0;
}

/* The end of a pause: listens again once it is over (polled in 10 ms steps: no clock but
 * ds_clock may be read), or gives up when the listener stops. */
static void *relisten_main(void *arg)
{
    struct sim_listen *l = arg;
    for (;;) {
        pthread_mutex_lock(&l->mu);
        int done = atomic_load(&l->stopping) ||
                   (ds_clock_mono_ns() >= l->until && relisten_locked(l) != -1);
        pthread_mutex_unlock(&l->mu);
        if (done)
            return NULL;
        ds_clock_sleep_ns(10 * DS_NS_PER_MS);
    }
}

int sim_listen_pause(struct sim_listen *l, int64_t ns)
{
    pthread_mutex_lock(&l->mu);
    int64_t until = ds_clock_mono_ns() + ns;
    int rc = -1;
    if (l->paused) {
        if (until > l->until)
            l->until = until;
        rc = 0;
    } else if (l->current && l->n_old < MAX_DAEMONS && !atomic_load(&l->stopping)) {
        if (l->has_thread) { /* the last pause is over: its thread has ended or is ending */
            pthread_join(l->thread, NULL);
            l->has_thread = 0;
        }
        MHD_socket fd = MHD_quiesce_daemon(l->current);
        if (fd != MHD_INVALID_SOCKET) {
            /* a listening socket shut down refuses connections; the port stays ours */
            shutdown(fd, SHUT_RDWR);
            l->old[l->n_old] = l->current;
            l->old_fd[l->n_old++] = fd;
            l->current = NULL;
            l->paused = 1;
            l->until = until;
            if (pthread_create(&l->thread, NULL, relisten_main, l) == 0)
                l->has_thread = 1;
            else
                relisten_locked(l);
            rc = 0;
        }
    }
    pthread_mutex_unlock(&l->mu);
    return rc;
}

int sim_listen_paused(struct sim_listen *l)
{
    pthread_mutex_lock(&l->mu);
    int p = l->paused;
    pthread_mutex_unlock(&l->mu);
    return p;
}

void sim_listen_stop(struct sim_listen *l)
{
    if (!l)
        return;
    pthread_mutex_lock(&l->mu);
    atomic_store(&l->stopping, 1);
    int has_thread = l->has_thread;
    l->has_thread = 0;
    pthread_mutex_unlock(&l->mu);
    if (has_thread)
        pthread_join(l->thread, NULL);
    if (l->current)
        MHD_stop_daemon(l->current);
    for (size_t i = 0; i < l->n_old; i++) {
        MHD_stop_daemon(l->old[i]);
        close(l->old_fd[i]);
    }
    pthread_mutex_destroy(&l->mu);
    free(l);
}
