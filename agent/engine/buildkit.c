/*
 * buildkit.c - BuildKit trace messages into progress lines. BuildKit sends
 * a vertex again whenever one of its fields changes; each one gets a number
 * the first time it is seen and is shown once when it starts, once when it
 * is cached, once when it fails. Log bytes are split into lines per vertex
 * (a partial line waits for the rest).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "engine/buildkit.h"
#include "engine/buildkit.pb-c.h"
#include "lib/util.h"

#define BK_MAX_VERTICES 4096
#define BK_LINE_MAX (64 * 1024)

struct bk_vertex {
	char *digest;
	int number;
	int started, cached, failed;
	struct buf partial;     /* log output not ended by a newline yet */
};

struct bk_progress {
	struct bk_vertex *v;
	size_t n, alloc;
	char *error;
};

struct bk_progress *
bk_progress_new(void)
{
	return xcalloc(1, sizeof(struct bk_progress));
}

void
bk_progress_free(struct bk_progress *bk)
{
	size_t i;

	if (bk == NULL)
		return;
	for (i = 0; i < bk->n; i++) {
		free(bk->v[i].digest);
		buf_release(&bk->v[i].partial);
	}
	free(bk->v);
	free(bk->error);
	free(bk);
}

const char *
bk_progress_error(const struct bk_progress *bk)
{
	return bk->error;
}

static struct bk_vertex *
vertex(struct bk_progress *bk, const char *digest)
{
	struct bk_vertex *v;
	size_t i;

	for (i = 0; i < bk->n; i++) {
		if (strcmp(bk->v[i].digest, digest) == 0)
			return &bk->v[i];
	}
	if (bk->n >= BK_MAX_VERTICES)
		return NULL;
	bk->v = xgrow(bk->v, &bk->alloc, bk->n + 1, sizeof *bk->v);
	v = &bk->v[bk->n++];
	memset(v, 0, sizeof *v);
	v->digest = xstrdup(digest);
	v->number = (int)bk->n;
	buf_init(&v->partial, BK_LINE_MAX);
	return v;
}

static void
show(engine_line_fn fn, void *ctx, const char *fmt, ...) PRINTF_LIKE(3, 4);

static void
show(engine_line_fn fn, void *ctx, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (fn == NULL)
		return;
	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	fn(ctx, s);
	free(s);
}

static int
b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Standard base64 (padding optional) into out; 0 or -1. */
static int
b64_decode(const char *s, size_t len, struct buf *out)
{
	unsigned acc = 0;
	int bits = 0;
	size_t i;

	for (i = 0; i < len && s[i] != '='; i++) {
		int v = b64_value((unsigned char)s[i]);

		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addch(out, (int)((acc >> bits) & 0xff));
		}
	}
	return 0;
}

/* Output bytes of vertex v: whole lines are shown, the rest waits. */
static void
show_log(struct bk_vertex *v, const uint8_t *data, size_t len,
    engine_line_fn fn, void *ctx)
{
	size_t i, start = 0;

	for (i = 0; i < len; i++) {
		if (data[i] != '\n')
			continue;
		buf_add(&v->partial, data + start, i - start);
		buf_rtrim(&v->partial);
		show(fn, ctx, "#%d %s", v->number, v->partial.buf ?
		    v->partial.buf : "");
		buf_reset(&v->partial);
		start = i + 1;
	}
	buf_add(&v->partial, data + start, len - start);
}

int
bk_progress_feed(struct bk_progress *bk, const char *b64, size_t len,
    engine_line_fn fn, void *ctx)
{
	struct buf raw = BUF_INIT;
	Moby__Buildkit__V1__StatusResponse *r;
	size_t i;

	if (b64_decode(b64, len, &raw) < 0) {
		buf_release(&raw);
		return error_set("malformed BuildKit progress from the engine: "
		    "bad base64");
	}
	r = moby__buildkit__v1__status_response__unpack(NULL, raw.len,
	    (const uint8_t *)(raw.buf ? raw.buf : ""));
	buf_release(&raw);
	if (r == NULL)
		return error_set("malformed BuildKit progress from the engine");
	for (i = 0; i < r->n_vertexes; i++) {
		const Moby__Buildkit__V1__Vertex *pv = r->vertexes[i];
		struct bk_vertex *v = vertex(bk, pv->digest ? pv->digest : "");

		if (v == NULL)
			continue;
		if (!v->started && (pv->started != NULL || pv->cached)) {
			v->started = 1;
			show(fn, ctx, "#%d %s", v->number, pv->name ? pv->name :
			    "");
		}
		if (!v->cached && pv->cached) {
			v->cached = 1;
			show(fn, ctx, "#%d CACHED", v->number);
		}
		if (!v->failed && pv->error != NULL && *pv->error != '\0') {
			v->failed = 1;
			if (v->partial.len > 0) {
				show(fn, ctx, "#%d %s", v->number,
				    v->partial.buf);
				buf_reset(&v->partial);
			}
			show(fn, ctx, "#%d ERROR: %s", v->number, pv->error);
			if (bk->error == NULL)
				bk->error = xasprintf("%s: %s", pv->name ?
				    pv->name : "a build step", pv->error);
		}
	}
	for (i = 0; i < r->n_logs; i++) {
		const Moby__Buildkit__V1__VertexLog *l = r->logs[i];
		struct bk_vertex *v = vertex(bk, l->vertex ? l->vertex : "");

		if (v != NULL)
			show_log(v, l->msg.data, l->msg.len, fn, ctx);
	}
	moby__buildkit__v1__status_response__free_unpacked(r, NULL);
	return 0;
}
