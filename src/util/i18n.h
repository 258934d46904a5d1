/* i18n: gettext for every user-facing message (English by default, Russian shipped in po/ru.po).
 * Wrap texts in _("...") where they are printed, N_("...") where they are only stored. */
#ifndef DS_I18N_H
#define DS_I18N_H

#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) (s)

/* Sets the locale from the environment and binds the "deploy-stand" text domain to the
 * catalogue folder: $DEPLOY_STAND_LOCALEDIR, else the build tree's or the installed one. */
void i18n_init(void);

/* The folder the catalogues are read from (static string). */
const char *i18n_localedir(void);

#endif
