/* simproc: test harness that runs pve-sim as a child process on 127.0.0.1 and talks raw HTTP(S)
 * to it with libcurl (shared by the sim, unit and e2e tests). */
#ifndef SIMPROC_H
#define SIMPROC_H

#include <jansson.h>
#include <stddef.h>

struct simproc {
    int pid;
    unsigned port;
    char url[128];
    char fingerprint[160];
};
/* Starts "$DS_BIN/pve-sim --port 0 --quiet <args...>" (args NULL-terminated, may be NULL), reads
 * the ready JSON line with a bounded wait (10 s), fills sp. 0 ok, -1 error (message on stderr). */
int simproc_start(struct simproc *sp, const char *const *args);
void simproc_stop(struct simproc *sp); /* SIGTERM, waitpid with bound, then SIGKILL */

struct rawresp {
    long status;
    char *reason; /* status-line text after the code (owned) */
    char *body;   /* owned, NUL-terminated ("" when empty) */
    json_t *json; /* NULL if not JSON (owned) */
};
/* One raw HTTP(S) request with libcurl (TLS verification off: loopback test server). `body` may
 * be NULL; content type: form-urlencoded unless body starts with '{' (then application/json).
 * headers: NULL-terminated list of "Name: value" or NULL. path is appended to sp->url (so it
 * starts with "/api2/json/..." or "/__sim/..."). 0 when a response arrived (any status). */
int simproc_request(const struct simproc *sp, const char *method, const char *path,
                    const char *body, const char *const *headers, struct rawresp *out);
void rawresp_clear(struct rawresp *r);
/* POST /api2/json/access/ticket as user with password and store "Cookie: PVEAuthCookie=..." and
 * "CSRFPreventionToken: ..." header lines into the buffers, for use as headers. 0 or -1. */
int simproc_login(const struct simproc *sp, const char *user, const char *password,
                  char *cookie_hdr, size_t cl, char *csrf_hdr, size_t hl);
/* GET /__sim/state or /__sim/stats parsed (new ref) or NULL. */
json_t *simproc_state(const struct simproc *sp);
json_t *simproc_stats(const struct simproc *sp);

#endif
