/* sim_params: the parameters of one /api2/json request as PVE's server reads them: the query string
 * and a form body as strings, a JSON body's scalars (booleans as 0/1); and URL decoding. */
#ifndef SIM_PARAMS_H
#define SIM_PARAMS_H

#include <jansson.h>
#include <microhttpd.h>
#include <stddef.h>

/* Decodes %XX escapes (and '+' as a space when plus_space) of s[0..n). Returns a malloc'd string.
 */
char *sim_url_decode(const char *s, size_t n, int plus_space);

/* Collects the parameters of a request with this body (len bytes; too_big when it was cut) into a
 * new object in *params (the query string's win over the body's). Returns 0, or the HTTP status
 * with the message in msg when pve-http-server refuses the body (a body with a method other than
 * PUT or POST, more than 512 KiB, a Content-Type other than form or JSON (506), a JSON body that
 * is not an object); such answers have the message as a plain-text body. */
int sim_params_collect(struct MHD_Connection *c, const char *method, const char *body, size_t len,
                       int too_big, json_t **params, char *msg, size_t msglen);

#endif
