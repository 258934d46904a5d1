/* test_library_cmds: end to end: `deploy-stand users ...` and `config ...` against the simulator,
 * the wizard driven by piped answers, then a deploy and destroy by saved names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/stand.h"
#include "e2e_fixture.h"

static const char *const SIM_ARGS[] = {"--scenario", "classroom", "--time-scale", "0.01", NULL};

static int setup(void **st)
{
    return e2e_setup(st, SIM_ARGS);
}

/* Runs deploy-stand with `input` on stdin (NULL = /dev/null); captures stdout and stderr. */
static int run_in(struct e2e *c, const char *input, char **out, char **err, const char *const *args)
{
    (void)c;
    return ds_run_in(input, out, err, args);
}

/* Runs and checks the exit code; returns stdout (malloc'd). */
static char *run_expect(struct e2e *c, int want, const char *input, const char *const *args)
{
    char *out = NULL, *err = NULL;
    int rc = run_in(c, input, &out, &err, args);
    int secret = 0; /* a deploy prints the students' passwords: never show its stdout */
    for (size_t i = 0; args[i]; i++)
        secret |= strcmp(args[i], "deploy") == 0;
    if (rc != want)
        fail_msg("deploy-stand %s %s: exit %d, expected %d\nstdout:\n%s\nstderr:\n%s", args[2],
                 args[3] ? args[3] : "", rc, want, secret ? "(not shown)" : out, err);
    /* the stderr text is appended after a marker so tests can look at both */
    size_t lo = strlen(out), le = strlen(err);
    char *both = malloc(lo + le + 16);
    snprintf(both, lo + le + 16, "%s\n--stderr--\n%s", secret ? "" : out, err);
    free(out);
    free(err);
    return both;
}

#define RUN(c, want, input, ...)                                                                   \
    run_expect(c, want, input,                                                                     \
               (const char *const[]){"--connections", (c)->env.connections, __VA_ARGS__, NULL})

static void assert_has(const char *text, const char *what)
{
    if (!strstr(text, what))
        fail_msg("expected '%s' in:\n%s", what, text);
}

static char *lib_file(struct e2e *c, const char *kind, const char *name)
{
    char *p = NULL;
    if (asprintf(&p, "%s/config/deploy-stand/%s/%s.yml", c->env.dir, kind, name) < 0)
        abort();
    return p;
}

static unsigned file_mode(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) < 0)
        fail_msg("%s does not exist", path);
    return (unsigned)(sb.st_mode & 0777);
}

static void test_users_cmds(void **st)
{
    struct e2e *c = *st;
    char *o = RUN(c, 0, NULL, "users", "list");
    assert_has(o, "No saved user lists");
    free(o);
    o = RUN(c, 0, NULL, "users", "create", "grp1", "student1", "student2@pve");
    assert_has(o, "Created user list grp1 with 2 users");
    free(o);
    char *path = lib_file(c, "lists", "grp1");
    assert_int_equal(file_mode(path), 0600);
    char *text = ds_slurp(path);
    assert_string_equal(text, "users:\n  - student1@pve\n  - student2@pve\n");
    free(text);
    /* a duplicate (any case) or a bad id saves nothing */
    o = RUN(c, 2, NULL, "users", "add", "grp1", "s3", "STUDENT1@pve", "bad/id");
    assert_has(o, "'STUDENT1@pve' is already in the list");
    assert_has(o, "'bad/id@pve'");
    assert_has(o, "nothing was saved");
    free(o);
    o = RUN(c, 0, NULL, "users", "add", "grp1", "student3");
    assert_has(o, "it now has 3");
    free(o);
    o = RUN(c, 0, NULL, "users", "show", "grp1");
    assert_has(o, "1. student1@pve\n  2. student2@pve\n  3. student3@pve\n");
    free(o);
    o = RUN(c, 2, NULL, "users", "remove", "grp1", "nobody");
    assert_has(o, "'nobody' is not in user list grp1");
    free(o);
    o = RUN(c, 0, NULL, "users", "remove", "grp1", "2", "student3@pve");
    assert_has(o, "Removed 2 users from grp1; 1 left");
    free(o);
    text = ds_slurp(path);
    assert_string_equal(text, "users:\n  - student1@pve\n");
    free(text);
    o = RUN(c, 0, NULL, "users", "clear", "grp1");
    free(o);
    o = RUN(c, 0, NULL, "--output", "json", "users", "show", "grp1");
    assert_has(o, "\"users\": []");
    free(o);
    o = RUN(c, 2, NULL, "users", "create", "grp1", "x");
    assert_has(o, "already exists");
    free(o);
    o = RUN(c, 2, NULL, "users", "show", "no..pe/");
    assert_has(o, "not a valid user list name");
    free(o);

    /* import: every problem with its line, exit 2, nothing saved */
    const char *bad = ds_write_file(&c->env, "class.csv",
                                    "\xEF\xBB\xBFlogin,name\r\nivan,Ivan\r\n# left\r\n"
                                    "Ivan@pve,again\r\nbad user,x\r\npetr,Petr\r\n");
    char badp[320];
    snprintf(badp, sizeof badp, "%s", bad);
    o = RUN(c, 2, NULL, "users", "import", "class", badp);
    assert_has(o, "class.csv:4:1: user 'Ivan@pve' is listed twice (first at line 2)");
    assert_has(o, "class.csv:5:1: 'bad user@pve' is not a valid Proxmox user id");
    assert_has(o, "2 problems");
    free(o);
    char *cls = lib_file(c, "lists", "class");
    assert_int_equal(access(cls, F_OK), -1);
    const char *good = ds_write_file(&c->env, "class.txt", "# 10A\nstudent1\nstudent2@pve\n\n");
    char goodp[320];
    snprintf(goodp, sizeof goodp, "%s", good);
    o = RUN(c, 0, NULL, "users", "import", "class", goodp);
    assert_has(o, "Imported 2 users");
    free(o);
    assert_int_equal(file_mode(cls), 0600);
    o = RUN(c, 2, NULL, "users", "import", "class", goodp);
    assert_has(o, "already exists");
    free(o);
    o = RUN(c, 0, NULL, "users", "list");
    assert_has(o, "class");
    assert_has(o, "grp1");
    free(o);
    o = RUN(c, 2, NULL, "users", "delete", "grp1");
    assert_has(o, "without --yes");
    free(o);
    o = RUN(c, 0, NULL, "users", "delete", "grp1", "--yes");
    free(o);
    assert_int_equal(access(path, F_OK), -1);
    free(path);
    free(cls);
    assert_int_equal(ds_mutating_requests(&c->sp), 0);
}

static void test_config_cmds(void **st)
{
    struct e2e *c = *st;
    char *o = RUN(c, 0, NULL, "config", "import", "lab", c->env.config);
    free(o);
    char *path = lib_file(c, "configs", "lab");
    assert_int_equal(file_mode(path), 0600);
    free(path);
    o = RUN(c, 0, NULL, "config", "show", "lab");
    assert_has(o, "Stand demo-lab, 3 machines");
    assert_has(o, "router");
    assert_has(o, "lan, **vmbr100**");
    free(o);
    o = RUN(c, 0, NULL, "config", "validate", "lab");
    assert_has(o, "Config lab is valid");
    free(o);
    o = RUN(c, 0, NULL, "config", "validate", "lab", "--live");
    assert_has(o, "fits the cluster of connection sim");
    free(o);
    /* a template that is not there: fine offline, refused live with the cluster's view */
    const char *missing = ds_write_file(&c->env, "missing.yml",
                                        "stand: gone\nmachines:\n  - name: a\n    template_node: "
                                        "pve1\n    template_vmid: 999\n");
    char mp[320];
    snprintf(mp, sizeof mp, "%s", missing);
    o = RUN(c, 0, NULL, "config", "import", "gone", mp);
    free(o);
    o = RUN(c, 0, NULL, "config", "validate", "gone");
    free(o);
    o = RUN(c, 2, NULL, "config", "validate", "gone", "--live"); /* an input error, at its line */
    assert_has(o, "gone.yml:5:20: machine 'a': template 999 does not exist");
    assert_has(o, "problem");
    free(o);
    /* an invalid file is not imported */
    const char *broken = ds_write_file(&c->env, "broken.yml", "machines:\n  - name: a\n");
    snprintf(mp, sizeof mp, "%s", broken);
    o = RUN(c, 2, NULL, "config", "import", "broken", mp);
    assert_has(o, "template_vmid");
    free(o);
    o = RUN(c, 0, NULL, "config", "copy", "lab", "lab2");
    assert_has(o, "both configs deploy the stand 'demo-lab'");
    free(o);
    o = RUN(c, 2, NULL, "config", "copy", "lab", "lab2");
    assert_has(o, "already exists");
    free(o);
    o = RUN(c, 0, NULL, "config", "rename", "lab2", "lab3");
    free(o);
    o = RUN(c, 2, NULL, "config", "show", "lab2");
    assert_has(o, "no config named 'lab2'");
    free(o);
    o = RUN(c, 0, NULL, "config", "list");
    assert_has(o, "gone");
    assert_has(o, "lab3");
    assert_has(o, "demo-lab");
    free(o);
    o = RUN(c, 2, NULL, "config", "delete", "lab3");
    free(o);
    o = RUN(c, 0, NULL, "--yes", "config", "delete", "lab3");
    assert_has(o, "Deleted config lab3");
    free(o);
    o = RUN(c, 2, NULL, "config", "frobnicate");
    free(o);
    assert_int_equal(ds_mutating_requests(&c->sp), 0);
}

/* The answers of a teacher building the example stand in the wizard, with some wrong ones. */
static const char WIZARD_ANSWERS[] =
    "Bad Name\n"    /* stand name: refused */
    "wizlab\n"      /* stand name */
    "99\n"          /* template: no such entry */
    "1\n"           /* template 100 on pve1 (the list is sorted by node, VMID) */
    "web\n"         /* name */
    "\n"            /* device type: default linux */
    "lan\n"         /* network 1 */
    "**vmbr100\n"   /* unbalanced: refused */
    "**vmbr100**\n" /* network 2 */
    "\n"            /* end of networks */
    "\n"            /* clone: linked */
    "maybe\n"       /* another? not an answer */
    "y\n"           /* another machine */
    "101\n"         /* template by VMID */
    "web\n"         /* name taken */
    "client\n"      /* name */
    "linux\n"       /* device type by word */
    "lan.10\n"      /* network 1 */
    "\n"            /* end */
    "1\n"           /* linked */
    "y\n"           /* another */
    "102\n"         /* template */
    "bad_name!\n"   /* not a DNS name */
    "router\n"      /* name */
    "2\n"           /* ecorouter */
    "lan\n"         /* network 1 */
    "wan\n"         /* network 2 */
    "\n"            /* end */
    "1\n"           /* linked */
    "n\n"           /* no more machines */
    "y\n";          /* save */

static void test_wizard_deploy(void **st)
{
    struct e2e *c = *st;
    char *o = RUN(c, 0, WIZARD_ANSWERS, "config", "create", "wiz");
    assert_has(o, "Templates on the cluster:");
    assert_has(o, "pve1");
    assert_has(o, "cannot be a stand name");
    assert_has(o, "No such template");
    assert_has(o, "unbalanced '**'");
    assert_has(o, "already has a machine named 'web'");
    assert_has(o, "is not a DNS name");
    assert_has(o, "Please answer y or n");
    assert_has(o, "The config is valid: stand wizlab, 3 machines");
    assert_has(o, "Saved config wiz");
    free(o);
    char *path = lib_file(c, "configs", "wiz");
    assert_int_equal(file_mode(path), 0600);
    struct stand *s = NULL;
    struct diag_list d = {0};
    assert_int_equal(stand_load(path, &s, &d), 0);
    free(path);
    assert_string_equal(s->name, "wizlab");
    assert_int_equal(s->n_machines, 3);
    const char *names[] = {"web", "client", "router"};
    const int vmids[] = {100, 101, 102};
    const size_t nnets[] = {2, 1, 2};
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(s->machines[i].name, names[i]);
        assert_int_equal(s->machines[i].template_vmid, vmids[i]);
        assert_string_equal(s->machines[i].template_node, "pve1");
        assert_int_equal(s->machines[i].full_clone, 0);
        assert_int_equal(s->machines[i].n_nets, nnets[i]);
    }
    assert_int_equal(s->machines[0].nets[1].kind, STAND_NET_RESERVED);
    assert_string_equal(s->machines[0].nets[1].name, "vmbr100");
    assert_int_equal(s->machines[1].nets[0].vid, 10);
    assert_int_equal(s->machines[2].device_type, DEVICE_ECOROUTER);
    assert_string_equal(s->machines[2].nets[1].name, "wan");
    stand_free(s);
    assert_int_equal(ds_mutating_requests(&c->sp), 0);

    /* cancelled half-way (EOF): nothing saved */
    o = RUN(c, 1, "wizlab2\n1\nweb\n", "config", "create", "half");
    assert_has(o, "nothing was saved");
    free(o);
    path = lib_file(c, "configs", "half");
    assert_int_equal(access(path, F_OK), -1);
    free(path);
    o = RUN(c, 2, NULL, "config", "create", "wiz");
    assert_has(o, "already exists");
    free(o);

    /* deploy and destroy by saved names */
    o = RUN(c, 0, NULL, "users", "create", "pair", "student1", "student2");
    free(o);
    o = RUN(c, 0, NULL, "--yes", "deploy", "--config", "wiz", "--users", "pair");
    free(o);
    json_t *state = simproc_state(&c->sp);
    size_t i, tagged = 0;
    json_t *vm;
    json_array_foreach(json_object_get(state, "vms"), i, vm)
    {
        const char *tags =
            json_string_value(json_object_get(json_object_get(vm, "config"), "tags"));
        tagged += tags && strstr(tags, "ds-wizlab") != NULL;
    }
    json_decref(state);
    assert_int_equal(tagged, 6);
    o = RUN(c, 0, NULL, "--yes", "destroy", "--config", "wiz", "--users", "pair");
    free(o);
    state = simproc_state(&c->sp);
    tagged = 0;
    json_array_foreach(json_object_get(state, "vms"), i, vm)
    {
        const char *tags =
            json_string_value(json_object_get(json_object_get(vm, "config"), "tags"));
        tagged += tags && strstr(tags, "ds-wizlab") != NULL;
    }
    json_decref(state);
    assert_int_equal(tagged, 0);
    assert_int_equal(ds_schema_violations(&c->sp), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_users_cmds, setup, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_config_cmds, setup, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_wizard_deploy, setup, e2e_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
