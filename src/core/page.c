/*
 * page.c: serves the live view's embedded files over plain HTTP (page.h).
 */
#include "core/page.h"

#include <string.h>

/* Bytes written per WRITEABLE: a slow reader holds at most this much in
 * lws's buffer (a partial lws_write is buffered there without limit). */
#define PAGE_CHUNK 4096

const struct page_file *page_find(const char *path)
{
	for (int i = 0; i < page_nfiles; i++)
		if (!strcmp(page_files[i].path, path))
			return &page_files[i];
	return NULL;
}

/* An error status with a one-line body, then the transaction is done. */
static int page_status(struct lws *wsi, unsigned int code, const char *why)
{
	if (lws_return_http_status(wsi, code, why))
		return -1;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

int page_http(struct lws *wsi, struct page_reply *r, const char *path)
{
	const struct page_file *f = page_find(path);

	if (!f)
		return page_status(wsi, HTTP_STATUS_NOT_FOUND,
				   "not found: a sendlab server serves its live "
				   "view at / and WebSocket sendlab/1 at ws://HOST:PORT/");
	if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) <= 0)
		return page_status(wsi, HTTP_STATUS_METHOD_NOT_ALLOWED,
				   "only GET is served");

	unsigned char hdr[LWS_PRE + 1024];
	unsigned char *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof(hdr) - 1;
	static const char no_store[] = "no-store";

	if (lws_add_http_common_headers(wsi, HTTP_STATUS_OK, f->type, f->len, &p, end) ||
	    lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CACHE_CONTROL,
					 (const unsigned char *)no_store,
					 (int)strlen(no_store), &p, end) ||
	    lws_finalize_write_http_header(wsi, start, &p, end))
		return -1;
	*r = (struct page_reply){ .file = f };
	lws_callback_on_writable(wsi);
	return 0;
}

int page_writeable(struct lws *wsi, struct page_reply *r)
{
	unsigned char buf[LWS_PRE + PAGE_CHUNK];

	if (!r->file)	/* WRITEABLE may come unasked */
		return 0;

	size_t n = r->file->len - r->sent;
	bool last = n <= PAGE_CHUNK;

	if (!last)
		n = PAGE_CHUNK;
	memcpy(buf + LWS_PRE, r->file->bytes + r->sent, n);
	if (lws_write(wsi, buf + LWS_PRE, n,
		      last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n)
		return -1;
	r->sent += n;
	if (!last) {
		lws_callback_on_writable(wsi);
		return 0;
	}
	*r = (struct page_reply){ 0 };
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}
