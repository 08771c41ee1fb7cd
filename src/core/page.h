/*
 * page.h: the live view (src/web/, docs/live.md), served over plain HTTP
 * by every server at "/" and its own file names, from bytes compiled into
 * the binary (scripts/embed.sh). Nothing on the file system is reachable:
 * a path is looked up in page_files[] and anything else gets 404.
 *
 * The WebSocket stays at "/" too: lws sends an upgrade request to the
 * protocol (server.c) and a plain GET here, so existing clients are not
 * affected. Loop thread only.
 */
#ifndef SENDLAB_PAGE_H
#define SENDLAB_PAGE_H

#include <libwebsockets.h>
#include <stdbool.h>
#include <stddef.h>

/* One embedded file (build/gen/page_files.c). */
struct page_file {
	const char *path;	/* "/" for index.html, else "/name" */
	const char *type;	/* its Content-Type */
	const unsigned char *bytes;
	size_t len;
};

extern const struct page_file page_files[];
extern const int page_nfiles;

/* One HTTP reply in progress, kept in the connection's per-session data
 * (struct session's `page`), which lws zeroes; page.c zeroes it again
 * when the reply is complete, so a keep-alive connection that later
 * upgrades starts its session from zero as session_open() expects. */
struct page_reply {
	const struct page_file *file;	/* NULL: none in progress */
	size_t sent;			/* bytes of file written */
};

/* The file served at path, or NULL. */
const struct page_file *page_find(const char *path);

/*
 * LWS_CALLBACK_HTTP: a GET of a page file gets 200 with its headers (no
 * caching: a rebuilt server serves its new page at once) and its bytes in
 * chunks from WRITEABLE; a page path with another method, 405; any other
 * path, 404 naming what is served. Returns what the callback returns.
 */
int page_http(struct lws *wsi, struct page_reply *r, const char *path);

/* LWS_CALLBACK_HTTP_WRITEABLE: the next chunk of at most 4 KB, so one
 * connection never has more than that buffered in lws. */
int page_writeable(struct lws *wsi, struct page_reply *r);

#endif
