/* sim_respond: how pveproxy writes an answer: the json and extjs formatters, the plain-text
 * errors of its HTTP layer, and gzip/deflate of bodies over 1 KiB for clients that accept it. */
#ifndef SIM_RESPOND_H
#define SIM_RESPOND_H

#include <jansson.h>
#include <microhttpd.h>

/* The formats pveproxy's formatters know that the sim serves. SIM_FMT_JSON_NOMSG is json as
 * PVE 7.x and 8.0-8.2 write it: an error's message only in the status line, not in the body. */
enum sim_format { SIM_FMT_JSON, SIM_FMT_EXTJS, SIM_FMT_JSON_NOMSG };

/* The json formatter's error body: {"data":null, "errors"?:..., "message":"<message>\n"} (new). */
json_t *sim_error_body(const char *message, json_t *errors);

/* Queues the answer: a JSON body in the json formatter's shape (extjs: reshaped as
 * prepare_response_data does, HTTP 200 with success, status and message), else the plain text
 * (NULL: an empty body, as the auth stage sends). Compressed when the request accepts gzip or
 * deflate and the body is over 1 KiB. An error's status line carries its message (the body's
 * "message", else the plain text, else reason, e.g. the auth stage's "No ticket"). */
enum MHD_Result sim_respond(struct MHD_Connection *c, int status, const json_t *body,
                            const char *text, enum sim_format fmt, const char *reason);

#endif
