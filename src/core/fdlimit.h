/*
 * fdlimit.h: a server out of file descriptors must not spin. libwebsockets
 * 4.1.6 logs "accept: errno 24" and returns with the listening socket still
 * readable when accept() fails, so its loop comes straight back (measured:
 * ulimit -n 64 and 200 idle TCP connections, 100% CPU and 25 MB of stderr
 * in 5 s). fdlimit.c keeps accept() from ever failing, clamps
 * --max-clients below the limit, and rate-limits lws's log lines.
 * fdlimit_init() before the lws context; the rest on the loop thread.
 */
#ifndef SENDLAB_FDLIMIT_H
#define SENDLAB_FDLIMIT_H

#include <stdbool.h>

/* Raises the soft open-file limit to the hard one and clamps *max_clients
 * below it, with a warning on stderr (quiet or not). */
void fdlimit_init(const char *name, bool quiet, int *max_clients);

/* LWS_CALLBACK_FILTER_NETWORK_CONNECTION with the accepted fd: 1 (lws
 * closes it) when it is near the limit, saying so at most once a second
 * unless quiet; 0 otherwise. */
int fdlimit_filter(int fd);

/* lws's log emit function: at most 20 lines a second reach stderr. */
void fdlimit_log_emit(int level, const char *line);

#endif
