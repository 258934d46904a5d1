/* xdg: resolves the XDG base directories ($XDG_*_HOME when absolute, else under $HOME or the
 * password database entry) and creates the state directory privately. */
#include "util/xdg.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"
#include "util/fsutil.h"
#include "util/i18n.h"

#define APP_DIR "deploy-stand"

static const char *home_dir(void)
{
    const char *home = getenv("HOME");
    if (home && home[0] == '/')
        return home;
    struct passwd *pw = getpwuid(getuid());
    if (pw && pw->pw_dir && pw->pw_dir[0] == '/')
        return pw->pw_dir;
    return NULL;
}

/* "<$env or ~/fallback>/deploy-stand", malloc'd. */
static char *base_dir(const char *env, const char *fallback)
{
    const char *base = getenv(env);
    char *path = NULL;
    int n;
    if (base && base[0] == '/') {
        n = asprintf(&path, "%s/" APP_DIR, base);
    } else {
        const char *home = home_dir();
        if (!home) {
            ds_err_set("cannot find the home directory: set HOME or %s", env);
            return NULL;
        }
        n = asprintf(&path, "%s/%s/" APP_DIR, home, fallback);
    }
    if (n < 0) {
        ds_err_set("out of memory");
        return NULL;
    }
    return path;
}

char *xdg_state_dir(void)
{
    char *dir = base_dir("XDG_STATE_HOME", ".local/state");
    if (dir && fs_mkdir_p(dir, 0700) < 0) {
        free(dir);
        return NULL;
    }
    return dir;
}

char *xdg_config_dir(void)
{
    return base_dir("XDG_CONFIG_HOME", ".config");
}

char *xdg_state_db(const char *path)
{
    char *out = NULL;
    if (path) {
        out = strdup(path);
    } else {
        char *dir = xdg_state_dir();
        if (!dir)
            return NULL;
        if (asprintf(&out, "%s/state.db", dir) < 0)
            out = NULL;
        free(dir);
    }
    if (!out)
        ds_err_set(_("out of memory"));
    return out;
}
