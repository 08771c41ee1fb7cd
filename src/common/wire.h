/*
 * wire.h: the limits of the sendlab/1 wire protocol (docs/protocol.md), in
 * one place for everything that speaks it: the servers' parser and
 * writers (src/core/proto.h), the harness's argument checks and receive
 * buffer, the grader and the tests. Constants only.
 */
#ifndef SENDLAB_WIRE_H
#define SENDLAB_WIRE_H

#define WIRE_SUBPROTOCOL "sendlab"
#define WIRE_MAX_MESSAGE 4096	   /* larger messages close with 1009 */
#define WIRE_ITEMS_MIN 1
#define WIRE_ITEMS_MAX 1000
#define WIRE_WORK_MS_MAX 10000
#define WIRE_JOB_MS_MAX 60000	   /* items * work_ms */
#define WIRE_ID_MAX_CHARS 64	   /* Unicode characters */
#define WIRE_ID_MAX_BYTES (4 * WIRE_ID_MAX_CHARS)
#define WIRE_TIME_MAX 9007199254740991ll /* 2^53 - 1: exact in every JSON reader */
#define WIRE_REPLY_MAX 2048	   /* any reply fits, even an id of 256 bad bytes */

#endif
