/* pve_buf: the growable text buffer the PVE client builds requests and gathers answers in, and
 * the wiping free for the secrets it handles (passwords, tickets, cookies). */
#ifndef DS_PVE_BUF_H
#define DS_PVE_BUF_H

#include <stddef.h>

/* A NUL-terminated byte buffer; zero it to start. The owner frees p. */
struct pve_buf {
    char *p;
    size_t n, cap;
};

/* Appends p[0..n) and keeps the text NUL-terminated. 0 ok, -1 when memory ran out (b unchanged). */
int pve_buf_add(struct pve_buf *b, const char *p, size_t n);

/* Overwrites the string *s with zeros, frees it and sets *s = NULL (safe on *s == NULL). */
void pve_secret_free(char **s);

#endif
