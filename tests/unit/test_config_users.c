/* test_config_users: users_list.yml loading: good lists parse in order with their pools, and every
 * bad file (wrong ids, duplicates, shared pools, wrong shapes) is reported at its line:col. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/users.h"
#include "config_expect.h"
#include "embedded.h"

CONFIG_FILE_LOADER(load_users, struct users_list, users_load, users_free)

static void test_good_file(void **state)
{
    (void)state;
    char *path = config_src_path("tests/data/config/good/users_list.yml");
    struct diag_list diags = {0};
    struct users_list *u = NULL;
    config_expect_clean(users_load(path, &u, &diags), &diags, path);
    assert_string_equal(u->path, path);
    assert_int_equal(u->n, 4);
    static const char *const ids[] = {"student1@pve", "student2@pve", "ivan.petrov@corp-ad",
                                      "a_b-c@pam"};
    static const char *const pools[] = {"student1", "student2", "ivan.petrov", "a_b-c"};
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(u->users[i].userid, ids[i]);
        assert_string_equal(u->users[i].pool, pools[i]);
        assert_int_equal(u->users[i].line, (int)i + 2);
        assert_int_equal(u->users[i].col, 5);
    }
    users_free(u);
    free(path);
}

static void test_example_embedded(void **state)
{
    (void)state;
    size_t len;
    const char *text = embedded_get("examples/users_list.yml", &len);
    assert_non_null(text);
    struct diag_list diags = {0};
    struct users_list *u = NULL;
    assert_int_equal(users_load_text("examples/users_list.yml", text, len, &u, &diags), 0);
    assert_int_equal(u->n, 3);
    assert_string_equal(u->users[0].userid, "student1@pve");
    assert_string_equal(u->users[1].userid, "student2@pve");
    assert_string_equal(u->users[2].userid, "student3@pve");
    assert_string_equal(u->users[2].pool, "student3");
    users_free(u);
}

static void test_bad_files(void **state)
{
    (void)state;
    size_t n = config_expect_all("users_", load_users);
    assert_true(n >= 8);
}

static void test_userid_rules(void **state)
{
    (void)state;
    static const struct {
        const char *entry;
        const char *fragment; /* NULL = valid */
    } cases[] = {
        {"st@pve", NULL},
        {"x.y-z_1@pve", NULL},
        {"'user@my-realm.1'", NULL},
        {"a@pve", NULL}, /* 5 chars: pve-userid needs 3..64 */
        {"'@pve'", "is not a valid Proxmox user id"},
        {"student@", "is not a valid Proxmox user id"},
        {"'stu dent@pve'", "is not a valid Proxmox user id"},
        {"'a:b@pve'", "is not a valid Proxmox user id"},
        {"a/b@pve", "is not a valid Proxmox user id"},
        {"a@b@pve", "cannot be used as a pool name"},
        {"ivan$x@pve", "cannot be used as a pool name"},
        {"true", "a user must be a string, got true/false"},
        {"~", "a user must be a string, got nothing (null)"},
        {"[a@pve]", "a user must be a string, got a list"},
        {"12345", "is not a valid Proxmox user id"},
        {"'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@pve'",
         "is not a valid Proxmox user id"}, /* 67 chars */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, "users:\n  - %s\n", cases[i].entry);
        struct diag_list diags = {0};
        struct users_list *u = NULL;
        int rc = users_load_text("u.yml", text, strlen(text), &u, &diags);
        if (!cases[i].fragment) {
            if (rc != 0) {
                diag_print(&diags, stderr);
                fail_msg("entry %s rejected", cases[i].entry);
            }
            assert_int_equal(u->n, 1);
        } else {
            assert_int_equal(rc, -1);
            if (!config_diag_has(&diags, "u.yml", 2, 5, cases[i].fragment)) {
                diag_print(&diags, stderr);
                fail_msg("entry %s: expected \"%s\"", cases[i].entry, cases[i].fragment);
            }
        }
        users_free(u);
        diag_list_clear(&diags);
    }
}

static void test_all_problems_reported(void **state)
{
    (void)state;
    const char *text = "users:\n"
                       "  - bob\n"
                       "  - ann@pve\n"
                       "  - ann@pve\n"
                       "  - ann@pam\n"
                       "  - {x: 1}\n"
                       "extra: 1\n";
    struct diag_list diags = {0};
    struct users_list *u = NULL;
    assert_int_equal(users_load_text("m.yml", text, strlen(text), &u, &diags), -1);
    assert_null(u);
    assert_int_equal(diags.n, 5);
    assert_true(config_diag_has(&diags, "m.yml", 2, 5, "'bob' is not a valid Proxmox user id"));
    assert_true(config_diag_has(&diags, "m.yml", 4, 5, "user 'ann@pve' is listed twice"));
    assert_true(config_diag_has(&diags, "m.yml", 5, 5, "pool 'ann' would be shared"));
    assert_true(config_diag_has(&diags, "m.yml", 6, 5, "a user must be a string"));
    assert_true(config_diag_has(&diags, "m.yml", 7, 1, "unknown key 'extra'"));
    diag_list_clear(&diags);
}

CONFIG_TEXT_LOADER(users_text, struct users_list, users_load_text, users_free)

static void test_shapes(void **state)
{
    (void)state;
    static const struct config_case cases[] = {
        {"", 1, 1, "the file is empty"},
        {"users:\n", 1, 1, "'users' must be a non-empty list, got nothing (null)"},
        {"users: student1@pve\n", 1, 8, "'users' must be a non-empty list, got a string"},
        {"other: []\n", 1, 1, "the file has no 'users'"},
        {"users: [a@pve]\nusers: [b@pve]\n", 2, 1, "duplicate key 'users' (first at line 1)"},
    };
    config_expect_cases("s.yml", cases, sizeof cases / sizeof cases[0], users_text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_file),
        cmocka_unit_test(test_example_embedded),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_userid_rules),
        cmocka_unit_test(test_all_problems_reported),
        cmocka_unit_test(test_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
