/* lang_env: the language of the deploy-stand runs of an e2e test: LANG alone decides (nothing
 * that overrides it is inherited from the caller), and whether ru_RU.UTF-8 exists here. */
#ifndef DS_TEST_LANG_ENV_H
#define DS_TEST_LANG_ENV_H

#include <locale.h>
#include <stdlib.h>
#include <string.h>

static inline void lang_set(const char *lang)
{
    unsetenv("LANGUAGE");
    unsetenv("LC_ALL");
    unsetenv("LC_MESSAGES");
    setenv("LANG", lang, 1);
}

static inline int ru_locale_available(void)
{
    const char *old = setlocale(LC_ALL, NULL);
    char *saved = old ? strdup(old) : NULL;
    int ok = setlocale(LC_ALL, "ru_RU.UTF-8") != NULL;
    setlocale(LC_ALL, saved ? saved : "C");
    free(saved);
    return ok;
}

#endif
