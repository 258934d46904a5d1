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

/* mkdir -p with mode 0700 for every directory it creates. */
static int mkdir_private(const char *path)
{
    char *tmp = strdup(path);
    if (!tmp)
        return ds_err_set("out of memory");
    for (char *p = tmp + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(tmp, 0700) < 0 && errno != EEXIST) {
            ds_err_set("cannot create directory %s: %s", tmp, strerror(errno));
            free(tmp);
            return -1;
        }
        *p = saved;
        if (saved == '\0')
            break;
    }
    free(tmp);
    struct stat st;
    if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
        return ds_err_set("%s is not a directory", path);
    return 0;
}

char *xdg_state_dir(void)
{
    char *dir = base_dir("XDG_STATE_HOME", ".local/state");
    if (dir && mkdir_private(dir) < 0) {
        free(dir);
        return NULL;
    }
    return dir;
}

char *xdg_config_dir(void)
{
    return base_dir("XDG_CONFIG_HOME", ".config");
}
