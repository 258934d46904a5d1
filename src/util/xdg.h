/* xdg: where deploy-stand keeps per-user files, following the XDG base directory spec
 * (state under $XDG_STATE_HOME, configuration under $XDG_CONFIG_HOME). */
#ifndef DS_XDG_H
#define DS_XDG_H

/* $XDG_STATE_HOME/deploy-stand (default ~/.local/state/deploy-stand); created 0700 (with any
 * missing parents) when missing. A relative $XDG_STATE_HOME is ignored, as the spec says.
 * Returns a malloc'd path the caller frees, or NULL with ds_err set. */
char *xdg_state_dir(void);

/* The state database: a copy of `path`, or "<xdg_state_dir()>/state.db" when path is NULL (the
 * folder is created as xdg_state_dir does). malloc'd; NULL with ds_err set. */
char *xdg_state_db(const char *path);

/* $XDG_CONFIG_HOME/deploy-stand (default ~/.config/deploy-stand); not created. malloc'd; NULL with
 * ds_err when no home directory is known. */
char *xdg_config_dir(void);

#endif
