/*
 * idle.h: the idle policy (--idle-timeout-s, docs/reliability.md). A
 * WebSocket that neither sends a message nor answers a PING for T seconds
 * is pinged, and closed with 1001 if it still says nothing within a grace
 * of min(T, 10) s. Without it an upgraded connection that sends nothing
 * would hold its place for ever, and --max-clients of them would lock
 * everyone else out with 1013.
 *
 * The core's own timer and PING payload, not lws's built-in idle timeout,
 * whose PINGs would reach server-pingpong's PONG hook and which, the
 * audit behind issue 20 found, hangs up without 1001 (not measured here).
 * The close goes through session_abort(), which lets lws send the close
 * frame (test_abuse.c sees 1001 and the reason). A job in progress is never cut: while one runs
 * the connection counts as busy (the server, not the client, is the one
 * that is quiet). Loop thread only.
 */
#ifndef SENDLAB_IDLE_H
#define SENDLAB_IDLE_H

#include <stdbool.h>
#include <stddef.h>

struct session;

/* The PING payload the idle check sends: its PONG is the core's, never a
 * variant's (server.c keeps it from the variant's pong hook). */
#define IDLE_PING_PAYLOAD "sendlab-idle"
/* The grace after the PING, at most this many seconds (and at most T). */
#define IDLE_GRACE_MAX_S 10

/* Starts watching a new session (nothing if --idle-timeout-s is 0). */
void idle_start(struct session *s);

/* The client said something (a message or any PONG), or its job ended:
 * the quiet time starts again. */
void idle_heard(struct session *s);

/* True when payload is the idle check's own PONG. */
bool idle_is_own_pong(const void *payload, size_t len);

/* Stops watching (LWS_CALLBACK_CLOSED). */
void idle_stop(struct session *s);

#endif
