/* strategy: the registry of placement strategies.
 * Adding a strategy means adding one file and one row in strategy_table. */
#include "plan/strategy.h"
#include <string.h>

extern const struct strategy strategy_local;
extern const struct strategy strategy_remote;
extern const struct strategy strategy_balanced;
extern const struct strategy strategy_smart;

const struct strategy *const strategy_table[] = {
    &strategy_local, &strategy_remote, &strategy_balanced, &strategy_smart, NULL,
};

const struct strategy *strategy_find(const char *name)
{
    for (size_t i = 0; strategy_table[i]; i++)
        if (strcmp(strategy_table[i]->name, name) == 0)
            return strategy_table[i];
    return NULL;
}

const struct strategy *strategy_default(void)
{
    return strategy_table[0];
}
