/* test_plan_journal: the journal of planned runs (issue 10, point 21): a run that changed nothing
 * (no action sent, never ended by its command) is not left "interrupted or running". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/journal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct seen {
    long long finished;
    char result[64];
    int n;
};

static int row(const struct journal_run_row *r, void *ud)
{
    struct seen *s = ud;
    s->finished = r->finished;
    snprintf(s->result, sizeof s->result, "%s", r->result ? r->result : "");
    s->n++;
    return 0;
}

static void test_run_without_changes_ends(void **st)
{
    (void)st;
    char dir[] = "/tmp/ds-journal-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/state.db", dir);
    struct journal *j = NULL;
    assert_int_equal(journal_open(path, &j), 0);
    long long id = 0;
    assert_int_equal(journal_run_begin(j, "deploy", "lab", &id), 0);
    journal_close(j); /* the command found nothing to do and never ended the run */

    assert_int_equal(journal_open(path, &j), 0);
    struct seen s = {0};
    assert_int_equal(journal_runs(j, "lab", row, &s), 0);
    assert_int_equal(s.n, 1);
    assert_true(s.finished > 0);
    assert_string_equal(s.result, "nothing changed");
    /* a run ended by its command keeps its result */
    assert_int_equal(journal_run_begin(j, "deploy", "lab2", &id), 0);
    assert_int_equal(journal_run_end(j, id, "ok"), 0);
    journal_close(j);
    assert_int_equal(journal_open(path, &j), 0);
    memset(&s, 0, sizeof s);
    assert_int_equal(journal_runs(j, "lab2", row, &s), 0);
    assert_string_equal(s.result, "ok");
    journal_close(j);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_run_without_changes_ends)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
