/* simproc: runs pve-sim as a child process for tests (ready line read with a bounded wait) and
 * sends raw HTTP(S) requests to it with libcurl, keeping the status line's reason text. */
#include "simproc.h"

#include "ds_clock.h"

#include <curl/curl.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define READY_WAIT_MS 10000 /* for the ready line */
#define STOP_WAIT_MS 10000  /* for the exit after SIGTERM, then SIGKILL */

int simproc_start(struct simproc *sp, const char *const *args)
{
    memset(sp, 0, sizeof *sp);
    sp->pid = -1;
    const char *bin = getenv("DS_BIN");
    char exe[1024];
    snprintf(exe, sizeof exe, "%s/pve-sim", bin && *bin ? bin : ".");
    const char *argv[64];
    int n = 0;
    argv[n++] = exe;
    argv[n++] = "--port";
    argv[n++] = "0";
    argv[n++] = "--quiet";
    for (int i = 0; args && args[i] && n < 63; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    int fds[2];
    if (pipe(fds) != 0) {
        perror("simproc: pipe");
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("simproc: fork");
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execv(exe, (char *const *)argv);
        fprintf(stderr, "simproc: cannot run %s: %s\n", exe, strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    sp->pid = (int)pid;
    char line[1024];
    size_t len = 0;
    int64_t deadline = ds_clock_mono_ms() + READY_WAIT_MS;
    int ok = 0;
    while (len < sizeof line - 1) {
        int64_t left = deadline - ds_clock_mono_ms();
        if (left <= 0)
            break;
        struct pollfd pfd = {fds[0], POLLIN, 0};
        int pr = poll(&pfd, 1, (int)left + 1);
        if (pr <= 0)
            break;
        ssize_t r = read(fds[0], line + len, 1);
        if (r <= 0)
            break;
        if (line[len] == '\n') {
            ok = 1;
            break;
        }
        len++;
    }
    line[len] = '\0';
    close(fds[0]);
    json_t *j = ok ? json_loads(line, 0, NULL) : NULL;
    if (!j) {
        fprintf(stderr, "simproc: pve-sim did not become ready (got '%s')\n", line);
        simproc_stop(sp);
        return -1;
    }
    sp->port = (unsigned)json_integer_value(json_object_get(j, "port"));
    snprintf(sp->url, sizeof sp->url, "%s", json_string_value(json_object_get(j, "url")));
    const char *fp = json_string_value(json_object_get(j, "fingerprint"));
    snprintf(sp->fingerprint, sizeof sp->fingerprint, "%s", fp ? fp : "");
    json_decref(j);
    return 0;
}

void simproc_stop(struct simproc *sp)
{
    if (sp->pid <= 0)
        return;
    kill(sp->pid, SIGTERM);
    int64_t deadline = ds_clock_mono_ms() + STOP_WAIT_MS;
    int status;
    for (;;) {
        pid_t r = waitpid(sp->pid, &status, WNOHANG);
        if (r == sp->pid || (r < 0 && errno != EINTR))
            break;
        if (ds_clock_mono_ms() > deadline) {
            kill(sp->pid, SIGKILL);
            waitpid(sp->pid, &status, 0);
            break;
        }
        ds_clock_sleep_ns(10 * DS_NS_PER_MS);
    }
    sp->pid = -1;
}

struct buf {
    char *p;
    size_t n;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    struct buf *b = ud;
    size_t len = size * nmemb;
    char *np = realloc(b->p, b->n + len + 1);
    if (!np)
        return 0;
    b->p = np;
    memcpy(b->p + b->n, data, len);
    b->n += len;
    b->p[b->n] = '\0';
    return len;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
    struct rawresp *r = ud;
    size_t len = size * nmemb;
    if (len > 9 && strncmp(data, "HTTP/", 5) == 0) {
        const char *sp1 = memchr(data, ' ', len);
        if (sp1) {
            const char *reason = memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - data));
            free(r->reason);
            if (reason) {
                size_t rl = len - (size_t)(reason + 1 - data);
                while (rl && (reason[1 + rl - 1] == '\r' || reason[1 + rl - 1] == '\n'))
                    rl--;
                r->reason = strndup(reason + 1, rl);
            } else {
                r->reason = strdup("");
            }
        }
    }
    return len;
}

int simproc_request(const struct simproc *sp, const char *method, const char *path,
                    const char *body, const char *const *headers, struct rawresp *out)
{
    memset(out, 0, sizeof *out);
    CURL *c = curl_easy_init();
    if (!c)
        return -1;
    char url[2048];
    snprintf(url, sizeof url, "%s%s", sp->url, path);
    struct buf b = {NULL, 0};
    struct curl_slist *hl = NULL;
    for (int i = 0; headers && headers[i]; i++)
        if (headers[i][0])
            hl = curl_slist_append(hl, headers[i]);
    if (body)
        hl = curl_slist_append(hl, body[0] == '{'
                                       ? "Content-Type: application/json"
                                       : "Content-Type: application/x-www-form-urlencoded");
    hl = curl_slist_append(hl, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    } else if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) {
        fprintf(stderr, "simproc: %s %s: %s\n", method, path, curl_easy_strerror(rc));
        free(b.p);
        rawresp_clear(out);
        return -1;
    }
    out->body = b.p ? b.p : strdup("");
    if (!out->reason)
        out->reason = strdup("");
    out->json = out->body[0] ? json_loads(out->body, 0, NULL) : NULL;
    return 0;
}

void rawresp_clear(struct rawresp *r)
{
    free(r->reason);
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

static char *form_escape(const char *s)
{
    CURL *c = curl_easy_init();
    char *e = c ? curl_easy_escape(c, s, 0) : NULL;
    char *out = e ? strdup(e) : NULL;
    curl_free(e);
    if (c)
        curl_easy_cleanup(c);
    return out;
}

int simproc_login(const struct simproc *sp, const char *user, const char *password,
                  char *cookie_hdr, size_t cl, char *csrf_hdr, size_t hl)
{
    char *u = form_escape(user), *p = form_escape(password);
    char body[1024];
    snprintf(body, sizeof body, "username=%s&password=%s", u ? u : "", p ? p : "");
    free(u);
    free(p);
    struct rawresp r;
    if (simproc_request(sp, "POST", "/api2/json/access/ticket", body, NULL, &r) != 0)
        return -1;
    json_t *d = json_object_get(r.json, "data");
    const char *ticket = json_string_value(json_object_get(d, "ticket"));
    const char *csrf = json_string_value(json_object_get(d, "CSRFPreventionToken"));
    int rc = -1;
    if (r.status == 200 && ticket && csrf) {
        char *et = form_escape(ticket);
        snprintf(cookie_hdr, cl, "Cookie: PVEAuthCookie=%s", et ? et : "");
        snprintf(csrf_hdr, hl, "CSRFPreventionToken: %s", csrf);
        free(et);
        rc = 0;
    } else {
        fprintf(stderr, "simproc: login as %s failed: %ld %s\n", user, r.status, r.reason);
    }
    rawresp_clear(&r);
    return rc;
}

static json_t *sim_get(const struct simproc *sp, const char *path)
{
    struct rawresp r;
    if (simproc_request(sp, "GET", path, NULL, NULL, &r) != 0)
        return NULL;
    json_t *j = r.status == 200 ? json_incref(r.json) : NULL;
    rawresp_clear(&r);
    return j;
}

json_t *simproc_state(const struct simproc *sp)
{
    return sim_get(sp, "/__sim/state");
}

json_t *simproc_stats(const struct simproc *sp)
{
    return sim_get(sp, "/__sim/stats");
}
