/* marks: the ownership marks deploy-stand puts on everything it creates, and their parser.
 * The cluster is the source of truth: status and teardown trust these marks, never names alone. */
#ifndef DS_MARKS_H
#define DS_MARKS_H

#include <stddef.h>

#define MARK_TAG "deploy-stand"

/* A parsed mark. Strings point into `buf` (no allocation). */
struct mark {
    char buf[512];
    const char *stand;   /* never NULL when parsed */
    const char *student; /* NULL for shared objects */
    const char *alias;   /* bridges: the stand's alias; NULL otherwise */
    int reserved;        /* bridges: shared reserved bridge */
    const char *cred;    /* users: the id their password is kept under ("cred="); NULL if none */
};

/* Writes "deploy-stand stand=S student=U[ alias=A]" or "deploy-stand stand=S reserved". */
void mark_format(char *out, size_t len, const char *stand, const char *student, const char *alias,
                 int reserved);

/* Users: the mark `mark` followed by " cred=<cred>", the id under which store/state.h keeps the
 * user's password (so two clusters' users of one stand keep apart). Parsers that do not know the
 * word ignore it. */
void mark_format_cred(char *out, size_t len, const char *mark, const char *cred);

/* A new random credential id (MARK_CRED_LEN decimal digits from the passwords' generator,
 * libsodium's CSPRNG) into out (len > MARK_CRED_LEN). 0, or -1 with ds_err (buffer too small, or
 * the generator cannot start). */
#define MARK_CRED_LEN 12
int mark_cred_new(char *out, size_t len);

/* 1 when `text` (a comment or description; may be NULL) carries a deploy-stand mark. */
int mark_parse(const char *text, struct mark *m);

/* 1 when `text` is our mark for exactly this stand (and this student unless student is NULL). */
int mark_is(const char *text, const char *stand, const char *student);

/* The interfaces of a node's pending network diff (GET /nodes/{node}/network `changes`,
 * interfaces -> interfaces.new) whose added or removed lines carry a mark of `stand` (PVE writes
 * comments as "#<text>" lines of the stanza), as "vmbr1001, vmbr1002" in out. How many. */
int mark_diff_bridges(const char *changes, const char *stand, char *out, size_t len);

/* The VM tag of a stand: "ds-<stand>". */
void mark_stand_tag(char *out, size_t len, const char *stand);

/* Template copies prepared on other nodes are shared by every stand. They carry the tag
 * MARK_COPY_TAG and the description "deploy-stand template-copy of=<vmid> digest=<sha1>
 * node=<node it is for>". */
#define MARK_COPY_TAG "ds-template-copy"
void mark_copy_format(char *out, size_t len, int orig_vmid, const char *digest, const char *node);
/* The node a copy was made for ("node=" in its mark) into out; 0 when the mark names none. */
int mark_copy_node(const char *text, char *out, size_t len);
/* 1 when `text` marks a template copy; fills the original VMID and its digest then ("" if none). */
int mark_copy_parse(const char *text, int *orig_vmid, char *digest, size_t digest_len);

/* The stand's lock on the cluster: a pool "ds-lock-<stand>" (creating a pool is atomic: it fails
 * when the pool exists) whose comment names the holder: "deploy-stand-lock command=C user=U
 * host=H pid=P run=R since=T seen=T" (T: Unix seconds; seen is renewed while the run lasts).
 * The comment is no stand mark (mark_parse ignores it). */
struct mark_lock {
    char command[32], user[64], host[128], run[32];
    long pid;
    long long since, seen;
};
void mark_lock_pool(char *out, size_t len, const char *stand);
void mark_lock_format(char *out, size_t len, const struct mark_lock *l);
/* 1 when `text` is a lock comment (fields missing from it stay zero or ""). */
int mark_lock_parse(const char *text, struct mark_lock *l);

#endif
