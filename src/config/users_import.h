/* users_import: class lists from plain text or CSV (one student per line) and back to YAML, plus
 * the lenient reader of saved lists (an emptied list is still a list) used when editing them. */
#ifndef DS_USERS_IMPORT_H
#define DS_USERS_IMPORT_H

#include <stddef.h>

#include "util/diag.h"

/* Text/CSV import: one user per line (the first CSV column; ',' ';' or TAB separate columns,
 * double quotes around a field are removed), a UTF-8 BOM and CRLF line ends are accepted,
 * '#' comments and blank lines skipped, "@pve" added when no realm. A first line that is exactly
 * a header word (user, users, login, username, userid, name, id — any case) is skipped. Every
 * invalid id or duplicate (user ids compared ignoring case; two users sharing a pool name) is
 * reported as file:line:col: diagnostics. Returns 0 and the ids (malloc'd array of malloc'd
 * strings, free with users_ids_free) or -1 with diags (and *ids = NULL). */
int users_import_file(const char *path, char ***ids, size_t *n, struct diag_list *diags);
/* The same from memory; display_name is used in the diagnostics. */
int users_import_text(const char *display_name, const char *text, size_t len, char ***ids,
                      size_t *n, struct diag_list *diags);

/* Renders a users_list.yml text for ids (malloc'd; "users: []" when n == 0). */
char *users_yaml(char *const *ids, size_t n);

/* Reads a saved users_list.yml text: like users_load_text, but an empty `users: []` (or an empty
 * file) is an empty list instead of an error. 0 and the ids (as users_import_file), or -1 with
 * diags. */
int users_yaml_read(const char *display_name, const char *text, size_t len, char ***ids, size_t *n,
                    struct diag_list *diags);

/* Normalises one id typed by the teacher: trims blanks, adds "@pve" when there is no '@'. Returns
 * a malloc'd id, or NULL with a message in msg when it is not a valid Proxmox user id that can
 * name a pool. */
char *users_id_normalize(const char *raw, char *msg, size_t msglen);

void users_ids_free(char **ids, size_t n);

#endif
