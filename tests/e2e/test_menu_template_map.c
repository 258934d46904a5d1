/* test_menu_template_map: a deploy from the menu reads mapper_template.yml (./data/) exactly as
 * `deploy-stand plan/deploy` do: a broken map stops both the same way, a valid one lets them on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ds_run.h"

static const char *const SIM_ARGS[] = {"--scenario", "classroom", "--time-scale", "0.01", NULL};

/* A map the loader refuses: the copy's VMID is not a number. */
static const char BAD_MAP[] = "template_mapping:\n  100:\n    pve2: not-a-vmid\n";

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = calloc(1, 1 << 20);
    if (f) {
        size_t n = fread(buf, 1, (1 << 20) - 1, f);
        buf[n] = '\0';
        fclose(f);
    }
    return buf;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Runs `deploy-stand --connections FILE menu` with `input` on stdin; exit code, output in *out. */
static int menu_feed(const struct ds_env *e, const char *input, char **out)
{
    char bin[512], out_path[64] = "/tmp/ds-menu-map-XXXXXX";
    const char *dir = getenv("DS_BIN");
    snprintf(bin, sizeof bin, "%s/deploy-stand", dir ? dir : ".");
    int ofd = mkstemp(out_path), p[2];
    assert_true(ofd >= 0);
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(p[0], 0);
        dup2(ofd, 1);
        dup2(ofd, 2);
        close(p[0]);
        close(p[1]);
        execl(bin, bin, "--connections", e->connections, "menu", (char *)NULL);
        _exit(127);
    }
    close(p[0]);
    close(ofd);
    size_t len = strlen(input), off = 0;
    while (off < len) {
        ssize_t w = write(p[1], input + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    close(p[1]);
    int status = 0;
    waitpid(pid, &status, 0);
    *out = slurp(out_path);
    unlink(out_path);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_menu_deploy_reads_the_template_map(void **st)
{
    (void)st;
    struct simproc sp;
    assert_int_equal(simproc_start(&sp, SIM_ARGS), 0);
    struct ds_env e;
    ds_env_init(&e, &sp, NULL, NULL);
    setenv("LC_ALL", "C", 1);
    unsetenv("LANGUAGE");
    char path[600], *cfg = slurp(e.config);
    snprintf(path, sizeof path, "%s/config/deploy-stand/configs", e.dir);
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' '%s/config/deploy-stand/lists'", path, e.dir);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof path, "%s/config/deploy-stand/configs/lab.yml", e.dir);
    write_text(path, cfg);
    snprintf(path, sizeof path, "%s/config/deploy-stand/lists/cls.yml", e.dir);
    write_text(path, "users: [stud1@pve]\n");
    assert_int_equal(chdir(e.dir), 0); /* ./data/mapper_template.yml is the menu's and the CLI's */
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/data'", e.dir);
    assert_int_equal(system(cmd), 0);
    write_text("data/mapper_template.yml", BAD_MAP);

    /* the connection, deploy (the only config and list), local; then exit */
    char *out = NULL;
    int rc = menu_feed(&e, "1\nd\n\n\n1\n0\n", &out);
    if (rc != 0 || !strstr(out, "mapper_template.yml") || !strstr(out, "not-a-vmid"))
        fprintf(stderr, "menu output:\n%s\n", out);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "mapper_template.yml"));
    assert_null(strstr(out, "Deploy now?"));
    assert_int_equal(ds_mutating_requests(&sp), 0);
    free(out);

    /* the command line stops on the same file the same way */
    char *err = NULL;
    snprintf(path, sizeof path, "%s/config/deploy-stand/configs/lab.yml", e.dir);
    const char *const args[] = {"--connections", e.connections, "plan", "--config", path,
                                "--users",       "cls",         NULL};
    assert_int_equal(ds_run(NULL, &err, args), 2);
    assert_non_null(strstr(err, "mapper_template.yml"));
    free(err);

    /* a valid map: the deploy goes on to its question */
    write_text("data/mapper_template.yml", "template_mapping:\n  100:\n    pve2: 9100\n");
    rc = menu_feed(&e, "1\nd\n\n\n1\nn\n0\n", &out);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "Deploy now?"));
    assert_int_equal(ds_mutating_requests(&sp), 0);
    free(out);
    free(cfg);
    ds_env_free(&e);
    simproc_stop(&sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_menu_deploy_reads_the_template_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
