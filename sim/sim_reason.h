/* sim_reason: the reason phrase of the status line, as pveproxy writes it: the first line of
 * the error message ("HTTP/1.1 500 create user failed: user 'x@pve' already exists"). */
#ifndef SIM_REASON_H
#define SIM_REASON_H

/* The reason phrase of the next response this thread queues with that status code: the first
 * line of text (NULL or "": libmicrohttpd's standard phrase). Call right before
 * MHD_queue_response, in the connection's own thread. */
void sim_reason_set(unsigned code, const char *text);

#endif
