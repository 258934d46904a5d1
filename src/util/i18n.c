/* i18n: gettext set-up for the "deploy-stand" text domain.
 * The catalogues are found in the build tree while developing and in the install prefix after. */
#include "util/i18n.h"
#include <locale.h>
#include <stdlib.h>
#include <unistd.h>

#ifndef DS_LOCALEDIR_BUILD
#define DS_LOCALEDIR_BUILD ""
#endif
#ifndef DS_LOCALEDIR_INSTALL
#define DS_LOCALEDIR_INSTALL "/usr/local/share/locale"
#endif

const char *i18n_localedir(void)
{
    const char *env = getenv("DEPLOY_STAND_LOCALEDIR");
    if (env && *env)
        return env;
    if (DS_LOCALEDIR_BUILD[0] && access(DS_LOCALEDIR_BUILD, R_OK) == 0)
        return DS_LOCALEDIR_BUILD;
    return DS_LOCALEDIR_INSTALL;
}

void i18n_init(void)
{
    setlocale(LC_ALL, "");
    /* numbers stay in the C format: "0.05" on the command line, in YAML and in JSON must mean
     * the same under ru_RU (whose decimal separator is a comma) */
    setlocale(LC_NUMERIC, "C");
    bindtextdomain("deploy-stand", i18n_localedir());
    bind_textdomain_codeset("deploy-stand", "UTF-8");
    textdomain("deploy-stand");
}
