/* ds_run: helpers for end-to-end tests that run the deploy-stand binary against the simulator.
 * Output is captured to files, never echoed: it can hold the students' passwords. */
#include "ds_run.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ds_clock.h"
#include "scratch.h"

void ds_env_init_local(struct ds_env *e)
{
    memset(e, 0, sizeof *e);
    if (scratch_make(e->dir, sizeof e->dir, "e2e") < 0)
        fail_msg("mkdtemp failed");
    char sub[300];
    snprintf(sub, sizeof sub, "%s/state", e->dir);
    setenv("XDG_STATE_HOME", sub, 1);
    snprintf(sub, sizeof sub, "%s/config", e->dir);
    setenv("XDG_CONFIG_HOME", sub, 1);
    const char *src = getenv("DS_SRC");
    snprintf(e->config, sizeof e->config, "%s/examples/deployment_config.yml", src ? src : ".");
    ds_write_users(e, 3);
}

void ds_env_init(struct ds_env *e, const struct simproc *sp, const char *user, const char *password)
{
    ds_env_init_local(e);
    char text[1024];
    snprintf(text, sizeof text,
             "sim:\n  host: 127.0.0.1:%u\n  user: %s\n  password: %s\n  fingerprint: \"%s\"\n"
             "  default: true\n",
             sp->port, user ? user : "root@pam", password ? password : "sim-root-password",
             sp->fingerprint);
    snprintf(e->connections, sizeof e->connections, "%s", ds_write_file(e, "conn.yml", text));
}

void ds_env_free(struct ds_env *e)
{
    scratch_remove(e->dir);
}

const char *ds_write_file(struct ds_env *e, const char *name, const char *text)
{
    static char path[320];
    snprintf(path, sizeof path, "%s/%s", e->dir, name);
    file_put(path, text);
    return path;
}

void ds_write_users(struct ds_env *e, int n)
{
    char text[4096] = "users:\n";
    size_t l = strlen(text);
    for (int i = 1; i <= n; i++)
        l += (size_t)snprintf(text + l, sizeof text - l, "  - student%d@pve\n", i);
    snprintf(e->users, sizeof e->users, "%s", ds_write_file(e, "users.yml", text));
}

char *ds_slurp(const char *path)
{
    return file_slurp(path);
}

static char *slurp(const char *path)
{
    char *s = file_slurp(path);
    return s ? s : strdup("");
}

int ds_run(char **out, char **err, const char *const *args)
{
    return ds_run_in(NULL, out, err, args);
}

/* "$DS_BIN/deploy-stand" (or `dir`/deploy-stand) into buf. */
static const char *bin_path(char *buf, size_t len, const char *dir)
{
    if (!dir)
        dir = getenv("DS_BIN");
    snprintf(buf, len, "%s/deploy-stand", dir ? dir : ".");
    return buf;
}

/* argv for execv(p): the valgrind words when vg, then bin, then args (calloc'd). */
static char **argv_make(const char *bin, int vg, const char *const *args)
{
    /* every run through valgrind exits 99 on an error or a leak */
    static const char *const words[] = {"valgrind",
                                        "--quiet",
                                        "--error-exitcode=99",
                                        "--leak-check=full",
                                        "--errors-for-leak-kinds=definite",
                                        "--show-leak-kinds=definite",
                                        NULL};
    size_t nvg = vg ? sizeof words / sizeof words[0] - 1 : 0, n = 0;
    while (args[n])
        n++;
    char **argv = calloc(n + nvg + 2, sizeof *argv);
    if (!argv)
        abort();
    for (size_t i = 0; i < nvg; i++)
        argv[i] = (char *)words[i];
    argv[nvg] = (char *)bin;
    for (size_t i = 0; i < n; i++)
        argv[nvg + i + 1] = (char *)args[i];
    return argv;
}

/* Runs bin ARGS (under valgrind when vg) with `input` on stdin (NULL = /dev/null), captures the
 * outputs; fails the test when it died from a signal or valgrind found something. */
static int run_prog(const char *bin, int vg, const char *input, char **out, char **err,
                    const char *const *args)
{
    char opath[] = "/tmp/ds-out-XXXXXX", epath[] = "/tmp/ds-err-XXXXXX";
    char ipath[] = "/tmp/ds-in-XXXXXX";
    int ifd = -1;
    if (input) {
        ifd = mkstemp(ipath);
        if (ifd < 0 || write(ifd, input, strlen(input)) != (ssize_t)strlen(input))
            fail_msg("cannot write the input file");
        lseek(ifd, 0, SEEK_SET);
    }
    int ofd = mkstemp(opath), efd = mkstemp(epath);
    char **argv = argv_make(bin, vg, args);
    pid_t pid = fork();
    if (pid == 0) {
        int in = input ? ifd : open("/dev/null", O_RDONLY);
        dup2(in, 0);
        dup2(ofd, 1);
        dup2(efd, 2);
        if (vg)
            execvp(argv[0], argv);
        else
            execv(bin, argv);
        _exit(127);
    }
    free(argv);
    int status = 0;
    waitpid(pid, &status, 0);
    close(ofd);
    close(efd);
    if (input) {
        close(ifd);
        unlink(ipath);
    }
    if (out)
        *out = slurp(opath);
    if (err)
        *err = slurp(epath);
    unlink(opath);
    unlink(epath);
    if (WIFSIGNALED(status))
        fail_msg("deploy-stand died with signal %d", WTERMSIG(status));
    if (vg && WEXITSTATUS(status) == 99)
        fail_msg("valgrind found an error or a leak in deploy-stand %s:\n%s", args[0],
                 err ? *err : "");
    return WEXITSTATUS(status);
}

int ds_run_in(const char *input, char **out, char **err, const char *const *args)
{
    char bin[512];
    /* DS_VALGRIND_WRAP=1: every run not fed on stdin goes through valgrind */
    const char *wrap = getenv("DS_VALGRIND_WRAP");
    int vg = !input && wrap && *wrap == '1';
    return run_prog(bin_path(bin, sizeof bin, NULL), vg, input, out, err, args);
}

int ds_run_valgrind(const char *bin_dir, char **out, char **err, const char *const *args)
{
    char bin[512];
    return run_prog(bin_path(bin, sizeof bin, bin_dir), 1, NULL, out, err, args);
}

/* ---- deploy-stand in the background --------------------------------------------------------- */

void ds_proc_start(struct ds_proc *p, unsigned flags, const char *const *args)
{
    char bin[512];
    bin_path(bin, sizeof bin, NULL);
    memset(p, 0, sizeof *p);
    p->in = -1;
    snprintf(p->out, sizeof p->out, "/tmp/ds-proc-out-XXXXXX");
    int ofd = mkstemp(p->out), fds[2] = {-1, -1};
    if (ofd < 0 || ((flags & DS_PROC_PIPE) && pipe(fds) != 0))
        fail_msg("cannot set up the child's input and output");
    char **argv = argv_make(bin, 0, args);
    p->pid = fork();
    if (p->pid < 0)
        fail_msg("fork failed");
    if (p->pid == 0) {
        int in = (flags & DS_PROC_PIPE) ? fds[0] : open("/dev/null", O_RDONLY);
        dup2(in, 0);
        dup2(ofd, 1);
        dup2(ofd, 2);
        if (fds[1] >= 0)
            close(fds[1]);
        execv(bin, argv);
        _exit(127);
    }
    free(argv);
    close(ofd);
    if (fds[0] >= 0)
        close(fds[0]);
    p->in = fds[1];
}

size_t ds_proc_write(struct ds_proc *p, const char *text)
{
    size_t len = strlen(text), off = 0;
    while (off < len) {
        ssize_t w = write(p->in, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break; /* the child has gone: what it printed tells why */
        off += (size_t)w;
    }
    return off;
}

void ds_proc_close_in(struct ds_proc *p)
{
    if (p->in >= 0)
        close(p->in);
    p->in = -1;
}

char *ds_proc_output(const struct ds_proc *p)
{
    return slurp(p->out);
}

int ds_proc_wait_output(const struct ds_proc *p, const char *text, int limit_s)
{
    int64_t end = ds_clock_mono_ns() + limit_s * DS_NS_PER_S;
    for (;;) {
        char *o = ds_proc_output(p);
        int seen = strstr(o, text) != NULL;
        free(o);
        if (seen || ds_clock_mono_ns() > end)
            return seen;
        ds_clock_sleep_ns(20 * DS_NS_PER_MS);
    }
}

/* Closes stdin, takes the output into *out (may be NULL) and removes its file. */
static void proc_done(struct ds_proc *p, char **out)
{
    ds_proc_close_in(p);
    if (out)
        *out = ds_proc_output(p);
    unlink(p->out);
    p->pid = 0;
}

int ds_proc_wait(struct ds_proc *p, int limit_s, char **out)
{
    int64_t end = ds_clock_mono_ns() + limit_s * DS_NS_PER_S;
    int status = 0, rc = -1;
    for (;;) {
        pid_t r = waitpid(p->pid, &status, WNOHANG);
        if (r == p->pid) {
            rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            break;
        }
        if (ds_clock_mono_ns() > end) {
            kill(p->pid, SIGKILL);
            waitpid(p->pid, &status, 0);
            fprintf(stderr, "deploy-stand did not end within %d s\n", limit_s);
            break;
        }
        ds_clock_sleep_ns(20 * DS_NS_PER_MS);
    }
    proc_done(p, out);
    return rc;
}

void ds_proc_kill(struct ds_proc *p)
{
    if (p->pid <= 0)
        return;
    int status;
    kill(p->pid, SIGKILL);
    waitpid(p->pid, &status, 0);
    proc_done(p, NULL);
}

int ds_proc_feed(const char *input, const char *const *args, int limit_s, char **out)
{
    struct ds_proc p;
    ds_proc_start(&p, DS_PROC_PIPE, args);
    ds_proc_write(&p, input);
    ds_proc_close_in(&p);
    return ds_proc_wait(&p, limit_s, out);
}

static long stats_sum(const struct simproc *sp, int mutating_only)
{
    json_t *st = simproc_stats(sp);
    if (!st)
        fail_msg("no /__sim/stats");
    long n = 0;
    const char *ep;
    json_t *by_status;
    json_object_foreach(json_object_get(st, "requests"), ep, by_status)
    {
        if (mutating_only &&
            (strncmp(ep, "GET ", 4) == 0 || strcmp(ep, "POST /access/ticket") == 0))
            continue;
        const char *code;
        json_t *cnt;
        json_object_foreach(by_status, code, cnt) n += (long)json_integer_value(cnt);
    }
    json_decref(st);
    return n;
}

long ds_mutating_requests(const struct simproc *sp)
{
    return stats_sum(sp, 1);
}

long ds_total_requests(const struct simproc *sp)
{
    return stats_sum(sp, 0);
}

long ds_schema_violations(const struct simproc *sp)
{
    json_t *st = simproc_stats(sp);
    long n = (long)json_integer_value(json_object_get(st, "schema_violation_count"));
    json_decref(st);
    return n;
}
