/* test_strategy_table: every row of the strategy table is complete, and the front-ends' text is
 * generated from it (deploy's and plan's --help list every strategy and its options). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli/cli.h"
#include "plan/strategy.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_every_row_is_complete(void **st)
{
    (void)st;
    size_t n = 0;
    for (; strategy_table[n]; n++) {
        const struct strategy *s = strategy_table[n];
        assert_non_null(s->name);
        assert_true(s->name[0] != '\0');
        assert_non_null(s->label);
        assert_true(s->label[0] != '\0');
        assert_non_null(s->summary);
        assert_non_null(s->place);
        assert_ptr_equal(strategy_find(s->name), s);
        for (const struct strategy_option *o = s->options; o && o->name; o++) {
            assert_true(strncmp(o->name, "--", 2) == 0);
            assert_non_null(o->help);
        }
    }
    assert_true(n >= 4);
    assert_non_null(strategy_default());
    assert_string_equal(strategy_default()->name, "local");
    assert_int_equal(strategy_find("remote")->needs_node, 1);
    assert_int_equal(strategy_find("local")->needs_node, 0);
}

/* The --help of a command, as one malloc'd string. */
static char *help_of(const struct cmd_entry *e)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    cmd_print_help(e, f);
    fclose(f);
    return buf;
}

/* Every strategy has its own line under "--strategy NAME", and its options are listed. */
static void expect_strategies(const char *help)
{
    const char *block = strstr(help, "--strategy NAME");
    assert_non_null(block);
    for (size_t i = 0; strategy_table[i]; i++) {
        const struct strategy *s = strategy_table[i];
        char line[128];
        snprintf(line, sizeof line, "\n%20s%-10s %s\n", "", s->name, s->label);
        if (!strstr(block, line))
            fail_msg("strategy %s is not listed in:\n%s", s->name, help);
        for (const struct strategy_option *o = s->options; o && o->name; o++)
            assert_non_null(strstr(block, o->name));
        if (s->needs_node)
            assert_non_null(strstr(block, "--node NAME"));
    }
}

static void test_help_lists_every_strategy(void **st)
{
    (void)st;
    const struct cmd_entry *with[] = {&cmd_deploy_entry, &cmd_plan_entry, &cmd_reset_entry};
    for (size_t i = 0; i < sizeof with / sizeof with[0]; i++) {
        assert_true(with[i]->flags & CMD_STRATEGY);
        char *help = help_of(with[i]);
        expect_strategies(help);
        free(help);
    }
    /* a command without strategies says nothing about them */
    char *help = help_of(&cmd_destroy_entry);
    assert_null(strstr(help, "--strategy"));
    free(help);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_row_is_complete),
        cmocka_unit_test(test_help_lists_every_strategy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
