/*
 * test-buildkit.c - BuildKit trace messages into progress lines: steps
 * numbered once, cached and failed steps, output split into lines across
 * messages, bad input refused. The messages are packed here with the same
 * protobuf-c code, then base64-encoded as the engine sends them.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "engine/buildkit.h"
#include "engine/buildkit.pb-c.h"
#include "lib/util.h"

struct lines {
	struct strv v;
};

static void
collect_line(void *ctx, const char *line)
{
	strv_push(&((struct lines *)ctx)->v, line);
}

static char *
b64(const uint8_t *data, size_t len)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	struct buf out = BUF_INIT;
	size_t i;

	for (i = 0; i < len; i += 3) {
		unsigned v = (unsigned)data[i] << 16;

		if (i + 1 < len)
			v |= (unsigned)data[i + 1] << 8;
		if (i + 2 < len)
			v |= data[i + 2];
		buf_addch(&out, tab[(v >> 18) & 63]);
		buf_addch(&out, tab[(v >> 12) & 63]);
		buf_addch(&out, i + 1 < len ? tab[(v >> 6) & 63] : '=');
		buf_addch(&out, i + 2 < len ? tab[v & 63] : '=');
	}
	return buf_detach(&out, NULL);
}

/* One StatusResponse with up to one vertex and one log, base64. */
static char *
message(const char *digest, const char *name, int started, int cached,
    const char *error, const char *log)
{
	Moby__Buildkit__V1__StatusResponse r = MOBY__BUILDKIT__V1__STATUS_RESPONSE__INIT;
	Moby__Buildkit__V1__Vertex v = MOBY__BUILDKIT__V1__VERTEX__INIT;
	Moby__Buildkit__V1__Vertex *vs[1] = { &v };
	Moby__Buildkit__V1__Timestamp ts = MOBY__BUILDKIT__V1__TIMESTAMP__INIT;
	Moby__Buildkit__V1__VertexLog l = MOBY__BUILDKIT__V1__VERTEX_LOG__INIT;
	Moby__Buildkit__V1__VertexLog *ls[1] = { &l };
	uint8_t *packed;
	size_t len;
	char *out;

	ts.seconds = 1;
	v.digest = (char *)digest;
	v.name = (char *)name;
	v.cached = cached;
	v.started = started ? &ts : NULL;
	v.error = (char *)(error ? error : "");
	if (name != NULL) {
		r.n_vertexes = 1;
		r.vertexes = vs;
	}
	if (log != NULL) {
		l.vertex = (char *)digest;
		l.msg.data = (uint8_t *)log;
		l.msg.len = strlen(log);
		r.n_logs = 1;
		r.logs = ls;
	}
	len = moby__buildkit__v1__status_response__get_packed_size(&r);
	packed = xmalloc(len + 1);
	moby__buildkit__v1__status_response__pack(&r, packed);
	out = b64(packed, len);
	free(packed);
	return out;
}

static void
feed(struct bk_progress *bk, struct lines *out, char *msg)
{
	if (bk_progress_feed(bk, msg, strlen(msg), collect_line, out) < 0)
		fail_msg("feed: %s", error_last());
	free(msg);
}

static void
test_steps_and_logs(void **state)
{
	struct bk_progress *bk = bk_progress_new();
	struct lines out = { STRV_INIT };

	(void)state;
	/* announced, not started: nothing yet */
	feed(bk, &out, message("sha256:a", "[1/3] FROM base", 0, 0, NULL, NULL));
	assert_int_equal(out.v.n, 0);
	feed(bk, &out, message("sha256:a", "[1/3] FROM base", 1, 1, NULL, NULL));
	feed(bk, &out, message("sha256:b", "[2/3] RUN make", 1, 0, NULL, NULL));
	/* sent again with new fields: shown once */
	feed(bk, &out, message("sha256:b", "[2/3] RUN make", 1, 0, NULL, NULL));
	/* output in pieces: whole lines only */
	feed(bk, &out, message("sha256:b", NULL, 0, 0, NULL, "compiling\nlin"));
	feed(bk, &out, message("sha256:b", NULL, 0, 0, NULL, "king\r\n"));
	feed(bk, &out, message("sha256:b", NULL, 0, 0, NULL, "exit 2"));
	feed(bk, &out, message("sha256:b", "[2/3] RUN make", 1, 0,
	    "process \"/bin/sh -c make\" did not complete successfully: exit code: 2",
	    NULL));
	assert_int_equal(out.v.n, 7);
	assert_string_equal(out.v.v[0], "#1 [1/3] FROM base");
	assert_string_equal(out.v.v[1], "#1 CACHED");
	assert_string_equal(out.v.v[2], "#2 [2/3] RUN make");
	assert_string_equal(out.v.v[3], "#2 compiling");
	assert_string_equal(out.v.v[4], "#2 linking");
	/* the unfinished line comes out before the error */
	assert_string_equal(out.v.v[5], "#2 exit 2");
	assert_string_equal(out.v.v[6], "#2 ERROR: process \"/bin/sh -c make\" "
	    "did not complete successfully: exit code: 2");
	assert_string_equal(bk_progress_error(bk), "[2/3] RUN make: process "
	    "\"/bin/sh -c make\" did not complete successfully: exit code: 2");
	strv_clear(&out.v);
	bk_progress_free(bk);
}

static void
test_bad_input(void **state)
{
	struct bk_progress *bk = bk_progress_new();
	struct lines out = { STRV_INIT };

	(void)state;
	assert_int_equal(bk_progress_feed(bk, "not base64!", 11, collect_line,
	    &out), -1);
	assert_string_equal(error_last(), "malformed BuildKit progress from the "
	    "engine: bad base64");
	/* valid base64, not a StatusResponse: field 1 with a bad length */
	assert_int_equal(bk_progress_feed(bk, "Cv8B", 4, collect_line, &out), -1);
	assert_string_equal(error_last(), "malformed BuildKit progress from the "
	    "engine");
	assert_int_equal(out.v.n, 0);
	bk_progress_free(bk);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steps_and_logs),
		cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests_name("buildkit", tests, NULL, NULL);
}
