/* test_library_stand: a saved config keeps its stand across `config rename`: a config without a
 * `stand:` key takes its stand name from the entry's name, so the rename writes that name in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/library.h"
#include "config/stand.h"
#include "scratch.h"
#include "util/diag.h"
#include "util/err.h"

static const char *const machines = "machines:\n"
                                    "  - device_type: linux\n"
                                    "    name: web\n"
                                    "    template_node: pve1\n"
                                    "    template_vmid: 100\n";

/* The stand name of saved config `name` (malloc'd); fails the test when it does not load. */
static char *stand_of(const char *name)
{
    char *path = lib_path(LIB_CONFIG, name);
    assert_non_null(path);
    struct diag_list dl = {0};
    struct stand *s = NULL;
    if (stand_load(path, &s, &dl) < 0) {
        diag_print(&dl, stderr);
        fail_msg("%s does not load", path);
    }
    char *n = strdup(s->name);
    stand_free(s);
    diag_list_clear(&dl);
    free(path);
    return n;
}

static void test_rename_keeps_derived_name(void **st)
{
    (void)st;
    assert_int_equal(lib_save(LIB_CONFIG, "lab1", machines), 0);
    char *before = stand_of("lab1");
    assert_string_equal(before, "lab1");
    assert_int_equal(lib_rename(LIB_CONFIG, "lab1", "lab9"), 0);
    assert_false(lib_exists(LIB_CONFIG, "lab1"));
    char *after = stand_of("lab9");
    assert_string_equal(after, "lab1");
    char *text = lib_read(LIB_CONFIG, "lab9", NULL);
    assert_non_null(strstr(text, machines)); /* the rest of the text is kept as it was */
    assert_non_null(strstr(text, "stand: lab1\n"));
    free(text);
    free(before);
    free(after);
}

static void test_rename_with_key_moves_text_as_is(void **st)
{
    (void)st;
    char text[512];
    snprintf(text, sizeof text, "stand: web-lab\n%s", machines);
    assert_int_equal(lib_save(LIB_CONFIG, "a", text), 0);
    assert_int_equal(lib_rename(LIB_CONFIG, "a", "b"), 0);
    char *got = lib_read(LIB_CONFIG, "b", NULL);
    assert_string_equal(got, text);
    free(got);
    char *name = stand_of("b");
    assert_string_equal(name, "web-lab");
    free(name);
}

static void test_rename_never_clobbers(void **st)
{
    (void)st;
    assert_int_equal(lib_save(LIB_CONFIG, "x1", machines), 0);
    assert_int_equal(lib_save(LIB_CONFIG, "x2", "stand: other\n"), 0);
    assert_int_equal(lib_rename(LIB_CONFIG, "x1", "x2"), -1);
    char *kept = lib_read(LIB_CONFIG, "x2", NULL);
    assert_string_equal(kept, "stand: other\n");
    free(kept);
    assert_true(lib_exists(LIB_CONFIG, "x1"));
    char *name = stand_of("x1");
    assert_string_equal(name, "x1");
    free(name);
}

/* A flow-style document cannot take a key appended as a line: the rename is refused with what
 * to do, and nothing moves. */
static void test_rename_refused_when_name_cannot_be_kept(void **st)
{
    (void)st;
    const char *flow = "{machines: [{device_type: linux, name: web, template_node: pve1, "
                       "template_vmid: 100}]}\n";
    assert_int_equal(lib_save(LIB_CONFIG, "flow", flow), 0);
    assert_int_equal(lib_rename(LIB_CONFIG, "flow", "flow2"), -1);
    assert_non_null(strstr(ds_err_last(), "stand: flow"));
    assert_true(lib_exists(LIB_CONFIG, "flow"));
    assert_false(lib_exists(LIB_CONFIG, "flow2"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rename_keeps_derived_name),
        cmocka_unit_test(test_rename_with_key_moves_text_as_is),
        cmocka_unit_test(test_rename_never_clobbers),
        cmocka_unit_test(test_rename_refused_when_name_cannot_be_kept),
    };
    char dir[SCRATCH_DIR_LEN];
    if (scratch_home(dir, sizeof dir, "libstand") < 0)
        return 1;
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    scratch_remove(dir);
    return rc;
}
