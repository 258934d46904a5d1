/* pve_buf: the growable text buffer the PVE client builds requests and gathers answers in, and
 * the wiping free for the secrets it handles (passwords, tickets, cookies). */
#include "pve/pve_buf.h"

#include <stdlib.h>
#include <string.h>

int pve_buf_add(struct pve_buf *b, const char *p, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np)
            return -1;
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = '\0';
    return 0;
}

void pve_secret_free(char **s)
{
    if (*s) {
        size_t n = strlen(*s);
        volatile char *v = *s;
        for (size_t i = 0; i < n; i++)
            v[i] = 0;
        free(*s);
        *s = NULL;
    }
}
