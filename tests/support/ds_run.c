/* ds_run: helpers for end-to-end tests that run the deploy-stand binary against the simulator.
 * Output is captured to files, never echoed: it can hold the students' passwords. */
#include "ds_run.h"
#include <fcntl.h>
#include <ftw.h>
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

void ds_env_init(struct ds_env *e, const struct simproc *sp, const char *user, const char *password)
{
    memset(e, 0, sizeof *e);
    snprintf(e->dir, sizeof e->dir, "/tmp/ds-e2e-XXXXXX");
    if (!mkdtemp(e->dir))
        fail_msg("mkdtemp failed");
    char sub[300];
    snprintf(sub, sizeof sub, "%s/state", e->dir);
    setenv("XDG_STATE_HOME", sub, 1);
    snprintf(sub, sizeof sub, "%s/config", e->dir);
    setenv("XDG_CONFIG_HOME", sub, 1);
    char text[1024];
    snprintf(text, sizeof text,
             "sim:\n  host: 127.0.0.1:%u\n  user: %s\n  password: %s\n  fingerprint: \"%s\"\n"
             "  default: true\n",
             sp->port, user ? user : "root@pam", password ? password : "sim-root-password",
             sp->fingerprint);
    snprintf(e->connections, sizeof e->connections, "%s", ds_write_file(e, "conn.yml", text));
    const char *src = getenv("DS_SRC");
    snprintf(e->config, sizeof e->config, "%s/examples/deployment_config.yml", src ? src : ".");
    ds_write_users(e, 3);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void ds_env_free(struct ds_env *e)
{
    nftw(e->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *ds_write_file(struct ds_env *e, const char *name, const char *text)
{
    static char path[320];
    snprintf(path, sizeof path, "%s/%s", e->dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        fail_msg("cannot write %s", path);
    fputs(text, f);
    fclose(f);
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
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = '\0';
    fclose(f);
    return buf;
}

static char *slurp(const char *path)
{
    char *s = ds_slurp(path);
    return s ? s : strdup("");
}

int ds_run(char **out, char **err, const char *const *args)
{
    return ds_run_in(NULL, out, err, args);
}

int ds_run_in(const char *input, char **out, char **err, const char *const *args)
{
    char bin[512], opath[] = "/tmp/ds-out-XXXXXX", epath[] = "/tmp/ds-err-XXXXXX";
    char ipath[] = "/tmp/ds-in-XXXXXX";
    int ifd = -1;
    if (input) {
        ifd = mkstemp(ipath);
        if (ifd < 0 || write(ifd, input, strlen(input)) != (ssize_t)strlen(input))
            fail_msg("cannot write the input file");
        lseek(ifd, 0, SEEK_SET);
    }
    const char *dir = getenv("DS_BIN");
    snprintf(bin, sizeof bin, "%s/deploy-stand", dir ? dir : ".");
    int ofd = mkstemp(opath), efd = mkstemp(epath);
    size_t n = 0;
    while (args[n])
        n++;
    /* DS_VALGRIND_WRAP=1: every run goes through valgrind (exit 99 on an error or a leak) */
    static const char *const vg[] = {"valgrind",
                                     "--quiet",
                                     "--error-exitcode=99",
                                     "--leak-check=full",
                                     "--errors-for-leak-kinds=definite",
                                     "--show-leak-kinds=definite",
                                     NULL};
    const char *wrap = getenv("DS_VALGRIND_WRAP");
    size_t nvg = !input && wrap && *wrap == '1' ? sizeof vg / sizeof vg[0] - 1 : 0;
    char **argv = calloc(n + nvg + 2, sizeof *argv);
    for (size_t i = 0; i < nvg; i++)
        argv[i] = (char *)vg[i];
    argv[nvg] = bin;
    for (size_t i = 0; i < n; i++)
        argv[nvg + i + 1] = (char *)args[i];
    pid_t pid = fork();
    if (pid == 0) {
        int in = input ? ifd : open("/dev/null", O_RDONLY);
        dup2(in, 0);
        dup2(ofd, 1);
        dup2(efd, 2);
        if (nvg)
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
    if (nvg && WEXITSTATUS(status) == 99)
        fail_msg("valgrind found an error or a leak in deploy-stand %s:\n%s", args[0],
                 err ? *err : "");
    return WEXITSTATUS(status);
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
