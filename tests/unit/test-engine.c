/*
 * test-engine.c - the engine client: build output parsing, the log stream
 * demultiplexer and URL encoding without an engine; HTTP behaviour (errors,
 * caps, version negotiation, chunked build upload) against a fake engine
 * served from a thread on a private unix socket; and, when
 * /var/run/docker.sock answers, a few calls against the real engine.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "unit.h"
#include "fake-engine.h"
#include "engine/engine.h"
#include "lib/util.h"

/* Lines handed to a line_fn. */
struct lines {
	struct strv v;
};

static void
collect(void *ctx, const char *line)
{
	struct lines *l = ctx;

	strv_push(&l->v, line);
}

static void
assert_lines(struct lines *l, const char *const *want, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < l->v.n; i++)
		assert_string_equal(l->v.v[i], want[i]);
	assert_int_equal(l->v.n, n);
}

/* Build output parsing, with lines the engine really sends (20.10). */

static void
test_parse_stream(void **state)
{
	struct lines l = { STRV_INIT };
	char *id = NULL;
	const char *in[] = {
		"{\"stream\":\"Step 1/2 : FROM scratch\"}",
		"{\"stream\":\"\\n\"}",
		"{\"stream\":\" ---\\u003e \\n\"}",
		"{\"stream\":\"Step 2/2 : COPY hello.txt /hello.txt\"}\r\n",
		"{\"stream\":\" ---\\u003e f366963c4b46\\n\"}",
		"{\"stream\":\"Successfully tagged t-hb-exp:ok\\n\"}",
	};
	const char *want[] = {
		"Step 1/2 : FROM scratch",
		" ---> ",
		"Step 2/2 : COPY hello.txt /hello.txt",
		" ---> f366963c4b46",
		"Successfully tagged t-hb-exp:ok",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(in); i++)
		assert_int_equal(engine_build_parse_line(in[i], strlen(in[i]),
		    collect, &l, &id), 0);
	assert_lines(&l, want, ARRAY_SIZE(want));
	assert_null(id);
	strv_clear(&l.v);
}

static void
test_parse_stream_several_lines(void **state)
{
	struct lines l = { STRV_INIT };
	const char *in = "{\"stream\":\"one\\ntwo\\r\\n\\n\\nthree\"}";
	const char *want[] = { "one", "two", "three" };

	assert_int_equal(engine_build_parse_line(in, strlen(in), collect, &l,
	    NULL), 0);
	assert_lines(&l, want, ARRAY_SIZE(want));
	strv_clear(&l.v);
}

static void
test_parse_aux(void **state)
{
	const char *in = "{\"aux\":{\"ID\":\"sha256:f366963c4b467833056967b077f82"
	    "b33e55e2a39b529916aa2e8c3bd839e9f63\"}}";
	const char *other = "{\"aux\":{\"Digest\":\"sha256:00\"}}";
	struct lines l = { STRV_INIT };
	char *id = xstrdup("sha256:old");

	assert_int_equal(engine_build_parse_line(in, strlen(in), collect, &l,
	    &id), 0);
	assert_string_equal(id, "sha256:f366963c4b467833056967b077f82b33e55e2a"
	    "39b529916aa2e8c3bd839e9f63");
	/* An aux line without an ID keeps the one we have. */
	assert_int_equal(engine_build_parse_line(other, strlen(other), collect,
	    &l, &id), 0);
	assert_string_equal(id, "sha256:f366963c4b467833056967b077f82b33e55e2a"
	    "39b529916aa2e8c3bd839e9f63");
	assert_int_equal(l.v.n, 0);
	free(id);
}

static void
test_parse_error(void **state)
{
	const char *msg = "failed to create shim task: OCI runtime create "
	    "failed: runc create failed: unable to start container process: "
	    "exec: \"/bin/sh\": stat /bin/sh: no such file or directory: unknown";
	const char *both = "{\"errorDetail\":{\"message\":\"failed to create shim "
	    "task: OCI runtime create failed: runc create failed: unable to "
	    "start container process: exec: \\\"/bin/sh\\\": stat /bin/sh: no "
	    "such file or directory: unknown\"},\"error\":\"failed to create "
	    "shim task: OCI runtime create failed: runc create failed: unable "
	    "to start container process: exec: \\\"/bin/sh\\\": stat /bin/sh: "
	    "no such file or directory: unknown\"}\r\n";
	const char *detail = "{\"errorDetail\":{\"code\":1,\"message\":\"The "
	    "command '/bin/sh -c false' returned a non-zero code: 1\"}}";
	const char *old = "{\"error\":\"COPY failed: file not found in build "
	    "context\"}";
	const char *empty = "{\"errorDetail\":{}}";
	struct lines l = { STRV_INIT };
	char *id = NULL;

	assert_int_equal(engine_build_parse_line(both, strlen(both), collect,
	    &l, &id), -1);
	assert_string_equal(error_last(), msg);
	assert_int_equal(engine_build_parse_line(detail, strlen(detail),
	    collect, &l, &id), -1);
	assert_string_equal(error_last(),
	    "The command '/bin/sh -c false' returned a non-zero code: 1");
	assert_int_equal(engine_build_parse_line(old, strlen(old), collect,
	    &l, &id), -1);
	assert_string_equal(error_last(),
	    "COPY failed: file not found in build context");
	assert_int_equal(engine_build_parse_line(empty, strlen(empty), collect,
	    &l, &id), -1);
	assert_int_equal(l.v.n, 0);
	assert_null(id);
}

static void
test_parse_status(void **state)
{
	const char *in[] = {
		"{\"status\":\"Pulling from library/alpine\",\"id\":\"3.18\"}",
		"{\"status\":\"Downloading\",\"progressDetail\":{\"current\":"
		    "1024,\"total\":3348000},\"progress\":\"[\\u003e      ] "
		    "1.024kB/3.348MB\",\"id\":\"c6a83fedfae6\"}",
		"{\"status\":\"Digest: sha256:0123\"}",
	};
	const char *want[] = {
		"3.18: Pulling from library/alpine",
		"c6a83fedfae6: Downloading [>      ] 1.024kB/3.348MB",
		"Digest: sha256:0123",
	};
	struct lines l = { STRV_INIT };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(in); i++)
		assert_int_equal(engine_build_parse_line(in[i], strlen(in[i]),
		    collect, &l, NULL), 0);
	assert_lines(&l, want, ARRAY_SIZE(want));
	strv_clear(&l.v);
}

static void
test_parse_malformed(void **state)
{
	const char *bad[] = { "{\"stream\":", "[1,2]", "not json", "\"x\"" };
	struct lines l = { STRV_INIT };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		error_clear();
		assert_int_equal(engine_build_parse_line(bad[i], strlen(bad[i]),
		    collect, &l, NULL), -1);
		assert_true(starts_with(error_last(),
		    "malformed build output from the engine: "));
	}
	/* Blank lines are nothing, not an error. */
	assert_int_equal(engine_build_parse_line("\r\n", 2, collect, &l, NULL),
	    0);
	assert_int_equal(engine_build_parse_line("", 0, collect, &l, NULL), 0);
	assert_int_equal(l.v.n, 0);
}

/* The multiplexed log stream. */

static void
add_frame(struct buf *b, int stream, const char *data, size_t len)
{
	unsigned char h[8] = { (unsigned char)stream, 0, 0, 0,
	    (unsigned char)(len >> 24), (unsigned char)(len >> 16),
	    (unsigned char)(len >> 8), (unsigned char)len };

	buf_add(b, h, sizeof h);
	buf_add(b, data, len);
}

static void
demux_stream(struct buf *b)
{
	char big[300];

	memset(big, 'b', sizeof big);
	big[sizeof big - 1] = '\n';
	add_frame(b, 1, "hello\nwor", 9);
	add_frame(b, 1, "ld\r\n", 4);
	add_frame(b, 1, "", 0);
	add_frame(b, 2, "oops: stderr\n", 13);
	add_frame(b, 1, big, sizeof big);
	add_frame(b, 1, "\npartial", 8);
	add_frame(b, 2, "err\n", 4);
	add_frame(b, 1, "tail", 4);
}

static void
check_demux(struct lines *l)
{
	char big[300];
	const char *want[] = { "hello", "world", "oops: stderr", big, "",
	    "partial", "err", "tail" };

	memset(big, 'b', sizeof big);
	big[sizeof big - 1] = '\0';
	assert_lines(l, want, ARRAY_SIZE(want));
}

static void
test_demux_splits(void **state)
{
	struct buf b = BUF_INIT;
	size_t i, j;

	demux_stream(&b);
	/* Split in two at every byte boundary. */
	for (i = 0; i <= b.len; i++) {
		struct engine_demux d = { 0 };
		struct lines l = { STRV_INIT };

		engine_demux_feed(&d, b.buf, i, collect, &l);
		engine_demux_feed(&d, b.buf + i, b.len - i, collect, &l);
		engine_demux_finish(&d, collect, &l);
		check_demux(&l);
		strv_clear(&l.v);
	}
	/* One byte at a time. */
	{
		struct engine_demux d = { 0 };
		struct lines l = { STRV_INIT };

		for (j = 0; j < b.len; j++)
			engine_demux_feed(&d, b.buf + j, 1, collect, &l);
		assert_int_equal(l.v.n, 7); /* "tail" waits for finish */
		engine_demux_finish(&d, collect, &l);
		check_demux(&l);
		strv_clear(&l.v);
	}
	buf_release(&b);
}

static void
test_demux_long_line(void **state)
{
	struct engine_demux d = { 0 };
	struct lines l = { STRV_INIT };
	struct buf b = BUF_INIT;
	char *payload = xmalloc(ENGINE_LINE_MAX + 10);

	memset(payload, 'x', ENGINE_LINE_MAX + 10);
	add_frame(&b, 1, payload, ENGINE_LINE_MAX + 10);
	engine_demux_feed(&d, b.buf, b.len, collect, &l);
	engine_demux_finish(&d, collect, &l);
	assert_int_equal(l.v.n, 2);
	assert_int_equal(strlen(l.v.v[0]), ENGINE_LINE_MAX);
	assert_int_equal(strlen(l.v.v[1]), 10);
	strv_clear(&l.v);
	buf_release(&b);
	free(payload);
}

/* URL encoding and filters. */

static void
test_urlencode(void **state)
{
	const struct { const char *in, *out; } v[] = {
		{ "", "" },
		{ "AZaz09-._~", "AZaz09-._~" },
		{ "a b/c:d?e=f&g#h+%", "a%20b%2Fc%3Ad%3Fe%3Df%26g%23h%2B%25" },
		{ "caf\xc3\xa9", "caf%C3%A9" },
		{ "{\"dangling\":[\"true\"]}",
		    "%7B%22dangling%22%3A%5B%22true%22%5D%7D" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		char *s = engine_urlencode(v[i].in);

		assert_string_equal(s, v[i].out);
		free(s);
	}
}

static void
test_label_filter(void **state)
{
	const char *labels[] = { "com.docker.compose.project=app", "x=y z" };
	char *f;

	f = engine_label_filter(labels, 2);
	assert_string_equal(f, "%7B%22label%22%3A%5B%22com.docker.compose."
	    "project%3Dapp%22%2C%22x%3Dy%20z%22%5D%7D");
	free(f);
	f = engine_label_filter(labels, 0);
	assert_string_equal(f, "%7B%22label%22%3A%5B%5D%7D");
	free(f);
}

static void
test_fake_down(void **state)
{
	struct engine *e = (struct engine *)1;
	char *host = xasprintf("unix://%s/nothing.sock", fk.dir);
	char *want = xasprintf("cannot reach the docker engine at \"%s\" "
	    "(docker_host): No such file or directory", host);

	assert_int_equal(engine_open(&e, host), -1);
	assert_null(e);
	assert_string_equal(error_last(), want);
	free(want);
	/* TCP: nothing listens on port 1 of the loopback. */
	assert_int_equal(engine_open(&e, "tcp://127.0.0.1:1"), -1);
	assert_string_equal(error_last(), "cannot reach the docker engine at "
	    "\"tcp://127.0.0.1:1\" (docker_host): Connection refused");
	assert_int_equal(engine_open(&e, "http://127.0.0.1:1"), -1);
	assert_true(starts_with(error_last(), "docker_host \"http://127.0.0.1:1\""));
	assert_int_equal(engine_open(&e, "unix://"), -1);
	free(host);
}

static void
test_fake_versions(void **state)
{
	const struct { const char *hdr, *want; int num; } v[] = {
		{ "1.45", "1.45", 145 },
		{ "1.49", ENGINE_API_MAX, 147 },
		{ "1.41", "1.41", 141 },
		{ "1.24", "1.24", 124 },
		{ NULL, "1.41", 141 },
		{ "garbage", "1.41", 141 },
	};
	struct engine *e = NULL;
	json_t *list = NULL;
	size_t i;
	char *want;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		fake_ping(v[i].hdr);
		fake_add_owned(fake_http(200, "OK", "", "[]"));
		assert_int_equal(engine_open(&e, fk.host), 0);
		assert_string_equal(engine_version(e), v[i].want);
		assert_int_equal(engine_version_num(e), v[i].num);
		assert_int_equal(engine_container_list(e, NULL, 0, &list), 0);
		assert_true(json_is_array(list));
		json_decref(list);
		engine_free(e);
		assert_req(2 * i, "GET /_ping");
		want = xasprintf("GET /v%s/containers/json?all=1", v[i].want);
		assert_req(2 * i + 1, want);
		free(want);
	}
	/* A /_ping that fails is not an engine we can use. */
	fake_add_owned(fake_http(500, "Internal Server Error", "",
	    "{\"message\":\"daemon is shutting down\"}"));
	assert_int_equal(engine_open(&e, fk.host), -1);
	want = xasprintf("docker engine at \"%s\" (docker_host) failed /_ping: "
	    "daemon is shutting down", fk.host);
	assert_string_equal(error_last(), want);
	free(want);
}

static void
test_fake_errors(void **state)
{
	const char *conflict = "conflict: unable to remove repository "
	    "reference \"t-app:1\" (must force) - container 0a1b2c3d4e5f is "
	    "using its referenced image 9f8e7d6c5b4a";
	char *body = xasprintf("{\"message\":\"conflict: unable to remove "
	    "repository reference \\\"t-app:1\\\" (must force) - container "
	    "0a1b2c3d4e5f is using its referenced image 9f8e7d6c5b4a\"}");
	struct engine *e = NULL;
	json_t *out = (json_t *)1;

	fake_ping("1.41");
	fake_add_owned(fake_http(404, "Not Found", "",
	    "{\"message\":\"No such container: web-1\"}"));
	fake_add_owned(fake_http(409, "Conflict", "", body));
	fake_add_owned(fake_http(500, "Internal Server Error", "",
	    "{\"message\":\"driver failed programming external connectivity "
	    "on endpoint app-web-1: Bind for 127.0.0.1:8000 failed: port is "
	    "already allocated\"}"));
	fake_add_owned(xasprintf("HTTP/1.1 502 Bad Gateway\r\nContent-Type: "
	    "text/plain\r\nContent-Length: 13\r\n\r\nbad\tgateway\n\n"));
	fake_add_owned(fake_http(404, "Not Found", "",
	    "{\"message\":\"No such image: gone:1\"}"));
	fake_add_owned(fake_http(404, "Not Found", "",
	    "{\"message\":\"No such image: gone:1\"}"));
	fake_add_owned(fake_http(404, "Not Found", "",
	    "{\"message\":\"No such container: gone\"}"));
	fake_add("HTTP/1.1 304 Not Modified\r\n\r\n");
	fake_add("HTTP/1.1 304 Not Modified\r\n\r\n");
	fake_add_owned(fake_http(404, "Not Found", "",
	    "{\"message\":\"network app_default not found\"}"));
	fake_add_owned(fake_http(404, "Not Found", "",
	    "{\"message\":\"get app_data: no such volume\"}"));
	fake_add_owned(fake_http(404, "Not Found", "",
	    "{\"message\":\"No such container: x\"}"));

	assert_int_equal(engine_open(&e, fk.host), 0);
	assert_int_equal(engine_container_inspect(e, "web-1", &out), -1);
	assert_null(out);
	assert_string_equal(error_last(), "No such container: web-1");
	assert_int_equal(engine_image_remove(e, "t-app:1"), -1);
	assert_string_equal(error_last(), conflict);
	assert_int_equal(engine_container_start(e, "app-web-1"), -1);
	assert_string_equal(error_last(), "driver failed programming external "
	    "connectivity on endpoint app-web-1: Bind for 127.0.0.1:8000 "
	    "failed: port is already allocated");
	assert_int_equal(engine_container_rename(e, "a", "b"), -1);
	assert_string_equal(error_last(), "engine answered HTTP 502: bad gateway");
	/* Missing is not an error where the header says so. */
	assert_int_equal(engine_image_inspect(e, "gone:1", &out), 1);
	assert_null(out);
	assert_int_equal(engine_image_remove(e, "gone:1"), 0);
	assert_int_equal(engine_container_remove(e, "gone", 1), 0);
	assert_int_equal(engine_container_start(e, "up"), 0);
	assert_int_equal(engine_container_stop(e, "down", 10), 0);
	assert_int_equal(engine_network_inspect(e, "app_default", NULL), 1);
	assert_int_equal(engine_volume_inspect(e, "app_data", NULL), 1);
	/* engine_call hands back the status itself. */
	assert_int_equal(engine_call(e, "GET", "/containers/x/json", NULL,
	    &out), 404);
	assert_null(out);
	assert_string_equal(error_last(), "No such container: x");
	engine_free(e);

	assert_req(2, "DELETE /v1.41/images/t-app%3A1");
	assert_req(4, "POST /v1.41/containers/a/rename?name=b");
	assert_req(7, "DELETE /v1.41/containers/gone?force=1&v=1");
	assert_req(9, "POST /v1.41/containers/down/stop?t=10");
	assert_int_equal(fake_nreqs(), 13);
	/* Every call went over the one connection. */
	assert_int_equal(fake_accepts(), 1);
	free(body);
}

static void
test_fake_paths(void **state)
{
	const char *labels[] = { "com.docker.compose.project=app",
	    "com.docker.compose.oneoff=False" };
	struct engine *e = NULL;
	json_t *out = NULL, *body = json_pack("{s:s}", "Image", "app-web:1");
	char *id = NULL;
	long code = 0;

	fake_ping("1.41");
	fake_add_owned(fake_http(200, "OK", "", "[{\"Id\":\"c1\"}]"));
	fake_add_owned(fake_http(201, "Created", "",
	    "{\"Id\":\"4fa6e0f0c678\",\"Warnings\":[]}"));
	fake_add_owned(fake_http(200, "OK", "",
	    "{\"Error\":null,\"StatusCode\":3}"));
	fake_add_owned(fake_http(200, "OK", "",
	    "{\"Volumes\":[{\"Name\":\"app_data\"}],\"Warnings\":null}"));
	fake_add_owned(fake_http(200, "OK", "", "[]"));
	fake_add_owned(fake_http(201, "Created", "", ""));
	fake_add_owned(fake_http(200, "OK", "",
	    "{\"Error\":{\"Message\":\"container wait failed\"},"
	    "\"StatusCode\":-1}"));

	assert_int_equal(engine_open(&e, fk.host), 0);
	assert_int_equal(engine_container_list(e, labels, 2, &out), 0);
	assert_string_equal(json_string_value(json_object_get(json_array_get(out,
	    0), "Id")), "c1");
	json_decref(out);
	assert_int_equal(engine_container_create(e, "app-web-1 tmp/x", body,
	    &id), 0);
	assert_string_equal(id, "4fa6e0f0c678");
	assert_int_equal(engine_container_wait(e, id, &code), 0);
	assert_int_equal(code, 3);
	assert_int_equal(engine_volume_list(e, labels, 1, &out), 0);
	assert_string_equal(json_string_value(json_object_get(json_array_get(out,
	    0), "Name")), "app_data");
	json_decref(out);
	assert_int_equal(engine_image_list_dangling(e, labels, 1, &out), 0);
	assert_int_equal(json_array_size(out), 0);
	json_decref(out);
	assert_int_equal(engine_image_tag(e, "sha256:abc", "app/web", "v1"), 0);
	assert_int_equal(engine_container_wait(e, id, &code), -1);
	assert_string_equal(error_last(), "container wait failed");
	engine_free(e);

	assert_req(1, "GET /v1.41/containers/json?all=1&filters=%7B%22label%22"
	    "%3A%5B%22com.docker.compose.project%3Dapp%22%2C%22com.docker."
	    "compose.oneoff%3DFalse%22%5D%7D");
	assert_req(2, "POST /v1.41/containers/create?name=app-web-1%20tmp%2Fx");
	pthread_mutex_lock(&fk.mu);
	assert_string_equal(fk.bodies.v[2], "{\"Image\":\"app-web:1\"}");
	assert_non_null(strcasestr(fk.heads.v[2],
	    "\r\nContent-Type: application/json\r\n"));
	pthread_mutex_unlock(&fk.mu);
	assert_req(3, "POST /v1.41/containers/4fa6e0f0c678/wait?"
	    "condition=not-running");
	assert_req(4, "GET /v1.41/volumes?filters=%7B%22label%22%3A%5B%22com."
	    "docker.compose.project%3Dapp%22%5D%7D");
	assert_req(5, "GET /v1.41/images/json?filters=%7B%22dangling%22%3A"
	    "%5B%22true%22%5D%2C%22label%22%3A%5B%22com.docker.compose.project"
	    "%3Dapp%22%5D%7D");
	assert_req(6, "POST /v1.41/images/sha256%3Aabc/tag?repo=app%2Fweb&tag=v1");
	json_decref(body);
	free(id);
}

static void
test_fake_cap(void **state)
{
	size_t n = ENGINE_RESPONSE_MAX + 1;
	struct engine *e = NULL;
	json_t *out = NULL;
	struct buf big = BUF_INIT;
	char *want;

	buf_addf(&big, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
	    "Content-Length: %zu\r\n\r\n[", n);
	while (big.len < n + 100)
		buf_adds(&big, "\"xxxxxxxxxxxxxx\",");
	fake_ping("1.41");
	fake_add(big.buf);
	buf_release(&big);
	fake_add_owned(fake_http(200, "OK", "", "[]"));

	assert_int_equal(engine_open(&e, fk.host), 0);
	assert_int_equal(engine_container_list(e, NULL, 0, &out), -1);
	assert_null(out);
	want = xasprintf("engine answer to GET /containers/json is "
	    "larger than %u bytes", ENGINE_RESPONSE_MAX);
	assert_string_equal(error_last(), want);
	free(want);
	/* The handle recovers on a new connection. */
	assert_int_equal(engine_container_list(e, NULL, 0, &out), 0);
	assert_true(json_is_array(out));
	json_decref(out);
	engine_free(e);
	assert_int_equal(fake_accepts(), 2);
}

/* An answer cut off after its headers: the engine went away midway. */
#define CUT "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" \
    "Content-Length: 100\r\nConnection: close\r\n\r\n["

static void
test_fake_retry(void **state)
{
	struct engine *e = NULL;
	json_t *out = NULL, *body = json_pack("{s:{s:s}}", "Labels", "a", "1");
	char *id = NULL;

	fake_ping("1.41");
	fake_add(CUT);
	fake_add_owned(fake_http(200, "OK", "", "[]"));
	/* create cut off: look; what it made (same labels) is removed; create. */
	fake_add(CUT);
	fake_add_owned(fake_http(200, "OK", "", "{\"Config\":{\"Labels\":{\"a\":\"1\","
	    "\"from-image\":\"x\"}}}"));
	fake_add_owned(fake_http(204, "No Content", "", ""));
	fake_add_owned(fake_http(201, "Created", "", "{\"Id\":\"abc\"}"));
	/* A container of that name with other labels is not touched. */
	fake_add(CUT);
	fake_add_owned(fake_http(200, "OK", "", "{\"Config\":{\"Labels\":{\"a\":\"2\"}}}"));
	/* Without retries, a cut-off GET fails at once, naming verb and object. */
	fake_add(CUT);

	assert_int_equal(engine_open_retry(&e, fk.host, 5), 0);
	assert_int_equal(engine_container_list(e, NULL, 0, &out), 0);
	assert_true(json_is_array(out));
	json_decref(out);
	assert_int_equal(engine_container_create(e, "web-1", body, &id), 0);
	assert_string_equal(id, "abc");
	assert_req(1, "GET /v1.41/containers/json?all=1");
	assert_req(2, "GET /v1.41/containers/json?all=1");
	assert_req(3, "POST /v1.41/containers/create?name=web-1");
	assert_req(4, "GET /v1.41/containers/web-1/json");
	assert_req(5, "DELETE /v1.41/containers/web-1?force=1&v=0");
	assert_req(6, "POST /v1.41/containers/create?name=web-1");
	free(id);
	id = NULL;
	assert_int_equal(engine_container_create(e, "web-1", body, &id), -1);
	assert_string_equal(error_last(), "container \"web-1\" exists and is not "
	    "the one this create made (label \"a\")");
	assert_int_equal(fake_nreqs(), 9);
	engine_set_retry(e, 0);
	assert_int_equal(engine_container_list(e, NULL, 0, &out), -1);
	assert_true(starts_with(error_last(), "GET /containers/json: the docker "
	    "engine did not answer"));
	assert_int_equal(fake_nreqs(), 10);
	json_decref(body);
	free(id);
	engine_free(e);
}

/* Build context served from memory, chunk bytes at a time. */
struct src {
	const char *data;
	size_t len, pos, chunk;
	size_t fail_at;		/* 0: never */
};

static ssize_t
src_read(void *ctx, char *buf, size_t len)
{
	struct src *s = ctx;
	size_t n = s->len - s->pos;

	if (s->fail_at != 0 && s->pos >= s->fail_at)
		return error_set("cannot read \"ctx/big.bin\": Input/output error");
	if (n > len)
		n = len;
	if (n > s->chunk)
		n = s->chunk;
	memcpy(buf, s->data + s->pos, n);
	s->pos += n;
	return (ssize_t)n;
}

/* A 200 build answer, chunked exactly at the given pieces. */
static char *
build_answer(const char *const *pieces, size_t n)
{
	struct buf b = BUF_INIT;
	size_t i;

	buf_adds(&b, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n");
	for (i = 0; i < n; i++)
		buf_addf(&b, "%zx\r\n%s\r\n", strlen(pieces[i]), pieces[i]);
	buf_adds(&b, "0\r\n\r\n");
	return buf_detach(&b, NULL);
}

static void
test_fake_build(void **state)
{
	const char *pieces[] = {
		"{\"stream\":\"Step 1/2 : FROM scr",
		"atch\"}\r\n{\"stream\":\"\\n\"}\r\n{\"str",
		"eam\":\" ---\\u003e f366963c4b46\\n\"}\r",
		"\n{\"aux\":{\"ID\":\"sha256:f366963c4b46\"}}\r\n",
		"{\"stream\":\"Successfully built f366963c4b46\\n\"}",
	};
	const char *want[] = { "Step 1/2 : FROM scratch", " ---> f366963c4b46",
	    "Successfully built f366963c4b46" };
	const char *tags[] = { "app-web:abc", "app-web:latest", NULL };
	const char *hosts[] = { "db:10.0.0.2", "h:::1", NULL };
	struct engine_build_opts o = { 0 };
	struct lines l = { STRV_INIT };
	struct engine *e = NULL;
	struct buf ctx = BUF_INIT;
	struct src s = { 0 };
	char *id = NULL;

	while (ctx.len < 200000)
		buf_addf(&ctx, "%zu ", ctx.len);
	s.data = ctx.buf;
	s.len = ctx.len;
	s.chunk = 7000;
	o.tags = tags;
	o.dockerfile = "docker/Dockerfile.prod";
	o.target = "run";
	o.buildargs = json_pack("{s:s}", "A", "1 2");
	o.labels = json_pack("{s:s}", "slipway.app", "app");
	o.nocache = 1;
	o.shm_size = 64 << 20;
	o.network = "none";
	o.extra_hosts = hosts;
	fake_ping("1.41");
	fake_add_owned(build_answer(pieces, ARRAY_SIZE(pieces)));

	assert_int_equal(engine_open(&e, fk.host), 0);
	assert_int_equal(engine_build(e, &o, src_read, &s, collect, &l, &id), 0);
	assert_string_equal(id, "sha256:f366963c4b46");
	assert_lines(&l, want, ARRAY_SIZE(want));
	engine_free(e);

	assert_req(1, "POST /v1.41/build?version=1&rm=1&forcerm=1&"
	    "t=app-web%3Aabc&t=app-web%3Alatest&dockerfile=docker%2F"
	    "Dockerfile.prod&target=run&buildargs=%7B%22A%22%3A%221%202%22%7D&"
	    "labels=%7B%22slipway.app%22%3A%22app%22%7D&nocache=1&"
	    "shmsize=67108864&networkmode=none&extrahosts=db%3A10.0.0.2&"
	    "extrahosts=h%3A%3A%3A1");
	pthread_mutex_lock(&fk.mu);
	assert_non_null(strcasestr(fk.heads.v[1],
	    "\r\nTransfer-Encoding: chunked\r\n"));
	assert_non_null(strcasestr(fk.heads.v[1],
	    "\r\nContent-Type: application/x-tar\r\n"));
	assert_string_equal(fk.bodies.v[1], ctx.buf);
	pthread_mutex_unlock(&fk.mu);
	json_decref(o.buildargs);
	json_decref(o.labels);
	buf_release(&ctx);
	strv_clear(&l.v);
	free(id);
}

static void
test_fake_build_errors(void **state)
{
	const char *failing[] = {
		"{\"stream\":\"Step 2/2 : RUN false\"}\r\n{\"stream\":\"\\n\"}\r\n",
		"{\"stream\":\" ---\\u003e Running in 9554bb34668a\\n\"}\r\n",
		"{\"errorDetail\":{\"code\":1,\"message\":\"The command '/bin/sh "
		    "-c false' returned a non-zero code: 1\"},\"error\":\"The "
		    "command '/bin/sh -c false' returned a non-zero code: 1\"}\r\n",
		"{\"stream\":\"after\\n\"}\r\n",
	};
	const char *want[] = { "Step 2/2 : RUN false",
	    " ---> Running in 9554bb34668a", "after" };
	struct lines l = { STRV_INIT };
	struct engine *e = NULL;
	struct src s = { "tar bytes", 9, 0, 4096, 0 };
	char big[100000];
	char *id = NULL;

	fake_ping("1.41");
	fake_add_owned(build_answer(failing, ARRAY_SIZE(failing)));
	fake_add_owned(fake_http(400, "Bad Request", "", "{\"message\":\"dockerfile "
	    "parse error line 2: unknown instruction: FOO\"}"));
	fake_add_owned(build_answer((const char *[]){ "{\"stream\":\"x\"}\n"
	    "{\"stream\":" }, 1));
	assert_int_equal(engine_open(&e, fk.host), 0);

	/* HTTP 200, then an error line: the first error wins, drained. */
	assert_int_equal(engine_build(e, NULL, src_read, &s, collect, &l, &id),
	    -1);
	assert_string_equal(error_last(),
	    "The command '/bin/sh -c false' returned a non-zero code: 1");
	assert_lines(&l, want, ARRAY_SIZE(want));
	assert_null(id);
	assert_req(1, "POST /v1.41/build?version=1&rm=1&forcerm=1");

	/* An error before streaming. */
	s.pos = 0;
	assert_int_equal(engine_build(e, NULL, src_read, &s, collect, &l, &id),
	    -1);
	assert_string_equal(error_last(),
	    "dockerfile parse error line 2: unknown instruction: FOO");

	/* A stream cut in the middle of a line. */
	s.pos = 0;
	assert_int_equal(engine_build(e, NULL, src_read, &s, collect, &l, &id),
	    -1);
	assert_true(starts_with(error_last(),
	    "malformed build output from the engine: "));

	/* A line over ENGINE_LINE_MAX fails the build; the rest is read. */
	{
		struct buf huge = BUF_INIT;
		const char *pieces[2];
		char *msg;

		buf_adds(&huge, "{\"stream\":\"");
		while (huge.len <= ENGINE_LINE_MAX)
			buf_adds(&huge, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		buf_adds(&huge, "\"}\r\n");
		pieces[0] = huge.buf;
		pieces[1] = "{\"stream\":\"after\\n\"}\r\n";
		fake_add_owned(build_answer(pieces, 2));
		buf_release(&huge);
		strv_clear(&l.v);
		s.pos = 0;
		assert_int_equal(engine_build(e, NULL, src_read, &s, collect,
		    &l, &id), -1);
		msg = xasprintf("the engine sent a build output line longer "
		    "than %u bytes", ENGINE_LINE_MAX);
		assert_string_equal(error_last(), msg);
		free(msg);
		assert_lines(&l, want + 2, 1);
	}

	/* The reader fails: its message is what the caller sees. */
	memset(big, 'z', sizeof big);
	s.data = big;
	s.len = sizeof big;
	s.pos = 0;
	s.chunk = 16384;
	s.fail_at = 50000;
	assert_int_equal(engine_build(e, NULL, src_read, &s, collect, &l, &id),
	    -1);
	assert_string_equal(error_last(),
	    "cannot read \"ctx/big.bin\": Input/output error");
	assert_null(id);
	engine_free(e);
	strv_clear(&l.v);
}

static void
test_fake_logs(void **state)
{
	struct buf mux = BUF_INIT, resp = BUF_INIT;
	const char *raw = "HTTP/1.1 200 OK\r\nContent-Type: application/vnd."
	    "docker.raw-stream\r\nContent-Length: 16\r\n\r\none\r\ntwo\r\n\r\nlast";
	const char *want_raw[] = { "one", "two", "", "last" };
	struct lines l = { STRV_INIT };
	struct engine *e = NULL;

	/* The frames arrive in two HTTP chunks, split inside a header. */
	demux_stream(&mux);
	buf_adds(&resp, "HTTP/1.1 200 OK\r\nContent-Type: application/vnd."
	    "docker.multiplexed-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "b\r\n");
	buf_add(&resp, mux.buf, 11);
	buf_addf(&resp, "\r\n%zx\r\n", mux.len - 11);
	buf_add(&resp, mux.buf + 11, mux.len - 11);
	buf_adds(&resp, "\r\n0\r\n\r\n");
	fake_ping("1.41");
	fake_add_bin(resp.buf, resp.len);
	fake_add(raw);
	fake_add_owned(fake_http(404, "Not Found", "",
	    "{\"message\":\"No such container: web/1\"}"));

	assert_int_equal(engine_open(&e, fk.host), 0);
	assert_int_equal(engine_container_logs(e, "web/1", -1, 0, 0, collect,
	    &l), 0);
	check_demux(&l);
	strv_clear(&l.v);
	assert_int_equal(engine_container_logs(e, "web/1", 5, 1, 1, collect,
	    &l), 0);
	assert_lines(&l, want_raw, ARRAY_SIZE(want_raw));
	strv_clear(&l.v);
	assert_int_equal(engine_container_logs(e, "web/1", 5, 1, 1, collect,
	    &l), -1);
	assert_string_equal(error_last(), "No such container: web/1");
	assert_int_equal(l.v.n, 0);
	engine_free(e);
	assert_req(1, "GET /v1.41/containers/web%2F1/logs?stdout=1&stderr=1&"
	    "tail=all&follow=0");
	assert_req(2, "GET /v1.41/containers/web%2F1/logs?stdout=1&stderr=1&"
	    "tail=5&follow=1");
	buf_release(&mux);
	buf_release(&resp);
}

/* The real engine, when there is one. */

static struct engine *real;

static int
real_setup(void **state)
{
	if (engine_open(&real, "unix:///var/run/docker.sock") < 0)
		real = NULL;
	return 0;
}

static int
real_teardown(void **state)
{
	engine_free(real);
	real = NULL;
	return 0;
}

static ssize_t
mem_write(struct archive *a, void *ctx, const void *data, size_t len)
{
	buf_add(ctx, data, len);
	return (ssize_t)len;
}

static void
tar_file(struct archive *a, const char *name, const void *data, size_t len,
    int mode)
{
	struct archive_entry *ent = archive_entry_new();

	archive_entry_set_pathname(ent, name);
	archive_entry_set_size(ent, (la_int64_t)len);
	archive_entry_set_filetype(ent, AE_IFREG);
	archive_entry_set_perm(ent, mode);
	assert_int_equal(archive_write_header(a, ent), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, data, len), (la_ssize_t)len);
	archive_entry_free(ent);
}

/* A tar of Dockerfile (text) plus, when given, one more file from disk. */
static void
make_tar(struct buf *out, const char *dockerfile, const char *name,
    const char *from)
{
	struct archive *a = archive_write_new();
	struct buf file = BUF_INIT;

	archive_write_set_format_pax_restricted(a);
	assert_int_equal(archive_write_open(a, out, NULL, mem_write, NULL),
	    ARCHIVE_OK);
	tar_file(a, "Dockerfile", dockerfile, strlen(dockerfile), 0644);
	if (name != NULL) {
		assert_int_equal(read_file(from, &file, 16 << 20), 0);
		tar_file(a, name, file.buf, file.len, 0755);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	buf_release(&file);
}

static void
test_real_basics(void **state)
{
	const char *labels[] = { "t-hB-none=1" };
	json_t *list = NULL;

	if (real == NULL)
		skip();
	assert_true(engine_version_num(real) >= 124);
	assert_int_equal(engine_container_list(real, NULL, 0, &list), 0);
	assert_true(json_is_array(list));
	json_decref(list);
	assert_int_equal(engine_container_list(real, labels, 1, &list), 0);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	assert_int_equal(engine_image_inspect(real, "t-hb-missing/none:1",
	    &list), 1);
	assert_null(list);
	assert_int_equal(engine_container_inspect(real, "t-hb-missing", &list),
	    -1);
	assert_string_equal(error_last(), "No such container: t-hb-missing");
}

static void
test_real_build_run(void **state)
{
	/*
	 * A first step of its own: a cached step shared with another build
	 * (compose's, say) dies with that build's image when it is removed,
	 * and the classic builder then fails on "unable to find image".
	 */
	char *df = xasprintf("FROM scratch\nLABEL t-hb-run=%ld\n"
	    "ARG GREETING\nCOPY busybox /bin/busybox\n"
	    "LABEL greeting=$GREETING\n", (long)getpid());
	/* Names unique to this run: the engine is shared. */
	char *tag = xasprintf("t-hb-engine-%ld:bb", (long)getpid());
	char *cname = xasprintf("t-hb-engine-run-%ld", (long)getpid());
	const char *tags[] = { tag, NULL };
	const char *want[] = { "out", "err" };
	struct engine_build_opts o = { 0 };
	struct buf tar = BUF_INIT;
	struct lines l = { STRV_INIT };
	struct src s = { 0 };
	json_t *info = NULL, *body;
	char *id = NULL, *cid = NULL;
	long code = -1;

	if (real == NULL || !path_exists("/bin/busybox"))
		skip();
	make_tar(&tar, df, "busybox", "/bin/busybox");
	s.data = tar.buf;
	s.len = tar.len;
	s.chunk = 16384;
	o.tags = tags;
	o.buildargs = json_pack("{s:s}", "GREETING", "hello world");
	o.labels = json_pack("{s:s}", "t-hb", "1");
	if (engine_build(real, &o, src_read, &s, collect, &l, &id) != 0)
		fail_msg("engine_build: %s", error_last());
	assert_non_null(id);
	assert_true(starts_with(id, "sha256:"));
	assert_true(l.v.n >= 4);
	assert_string_equal(l.v.v[0], "Step 1/6 : FROM scratch"); /* labels add a step */
	strv_clear(&l.v);

	assert_int_equal(engine_image_inspect(real, tag, &info), 0);
	assert_string_equal(json_string_value(json_object_get(info, "Id")), id);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    json_object_get(info, "Config"), "Labels"), "greeting")),
	    "hello world");
	json_decref(info);

	/* Run it: exit code and both log streams. */
	body = json_pack("{s:s, s:[s,s,s,s], s:{s:s}}", "Image", id, "Cmd",
	    "/bin/busybox", "sh", "-c", "echo out; sleep 0.1; echo err >&2; "
	    "exit 3", "Labels", "t-hb", "1");
	assert_int_equal(engine_container_create(real, cname, body,
	    &cid), 0);
	json_decref(body);
	assert_int_equal(engine_container_start(real, cid), 0);
	assert_int_equal(engine_container_start(real, cid), 0);
	assert_int_equal(engine_container_wait(real, cid, &code), 0);
	assert_int_equal(code, 3);
	assert_int_equal(engine_container_logs(real, cid, -1, 0, 0, collect, &l),
	    0);
	assert_lines(&l, want, ARRAY_SIZE(want));
	strv_clear(&l.v);
	assert_int_equal(engine_container_logs(real, cid, 1, 0, 0, collect, &l),
	    0);
	assert_lines(&l, want + 1, 1);
	strv_clear(&l.v);
	assert_int_equal(engine_container_stop(real, cid, 1), 0);
	assert_int_equal(engine_container_remove(real, cid, 0), 0);
	assert_int_equal(engine_container_inspect(real, cid, &info), -1);

	assert_int_equal(engine_image_remove(real, tag), 0);
	assert_int_equal(engine_image_inspect(real, tag, NULL), 1);
	json_decref(o.buildargs);
	json_decref(o.labels);
	buf_release(&tar);
	free(cid);
	free(id);
	free(tag);
	free(cname);
	free(df);
}

static void
test_real_build_fails(void **state)
{
	struct buf tar = BUF_INIT;
	struct lines l = { STRV_INIT };
	struct src s = { 0 };
	char *id = NULL;

	if (real == NULL)
		skip();
	/* An error inside the 200 stream: RUN needs /bin/sh, scratch has none
	 * (and no step before it leaves an image behind). */
	make_tar(&tar, "FROM scratch\nRUN true\n", NULL, NULL);
	s.data = tar.buf;
	s.len = tar.len;
	s.chunk = 1000;
	assert_int_equal(engine_build(real, NULL, src_read, &s, collect, &l,
	    &id), -1);
	if (strstr(error_last(), "/bin/sh") == NULL)
		fail_msg("engine_build: %s", error_last());
	assert_null(id);
	strv_clear(&l.v);
	buf_release(&tar);

	/* An error before the stream: HTTP 400. */
	make_tar(&tar, "FROM scratch\nFOO bar\n", NULL, NULL);
	s.data = tar.buf;
	s.len = tar.len;
	s.pos = 0;
	assert_int_equal(engine_build(real, NULL, src_read, &s, collect, &l,
	    &id), -1);
	assert_string_equal(error_last(),
	    "dockerfile parse error line 2: unknown instruction: FOO");
	assert_int_equal(l.v.n, 0);
	buf_release(&tar);
}

/* Registries: X-Registry-Auth and the pull/push progress decoder. */

static void
test_registry_auth(void **state)
{
	char *a;

	/* '?' and '~' encode to '_' and '-' in base64url, not '/' and '+'. */
	a = engine_registry_auth("tester", "p>?~\"\xc3\xa9", "127.0.0.1:5000");
	assert_string_equal(a, "eyJ1c2VybmFtZSI6InRlc3RlciIsInBhc3N3b3JkIjoicD"
	    "4_flwiw6kiLCJzZXJ2ZXJhZGRyZXNzIjoiMTI3LjAuMC4xOjUwMDAifQ==");
	free(a);
	a = engine_registry_auth("u", "", "h");
	assert_string_equal(a, "eyJ1c2VybmFtZSI6InUiLCJwYXNzd29yZCI6IiIsInNlcn"
	    "ZlcmFkZHJlc3MiOiJoIn0=");
	free(a);
	/* A password that is not UTF-8 cannot go into JSON. */
	assert_null(engine_registry_auth("u", "\xff", "h"));
	assert_non_null(strstr(error_last(), "registry \"h\""));
}

static void
test_registry_config(void **state)
{
	json_t *config = NULL;
	char *a;

	assert_int_equal(engine_registry_config_add(&config, "u", "p",
	    "127.0.0.1:5000"), 0);
	assert_int_equal(engine_registry_config_add(&config, "v", "q",
	    "docker.io"), 0);
	/* {"127.0.0.1:5000":{...},"https://index.docker.io/v1/":{...}} */
	a = engine_registry_config(config);
	assert_string_equal(a, "eyIxMjcuMC4wLjE6NTAwMCI6eyJ1c2VybmFtZSI6InUiLC"
	    "JwYXNzd29yZCI6InAiLCJzZXJ2ZXJhZGRyZXNzIjoiMTI3LjAuMC4xOjUwMDAifSwi"
	    "aHR0cHM6Ly9pbmRleC5kb2NrZXIuaW8vdjEvIjp7InVzZXJuYW1lIjoidiIsInBhc3"
	    "N3b3JkIjoicSIsInNlcnZlcmFkZHJlc3MiOiJkb2NrZXIuaW8ifX0=");
	free(a);
	assert_int_equal(engine_registry_config_add(&config, "u", "\xff",
	    "h"), -1);
	assert_non_null(strstr(error_last(), "registry \"h\""));
	json_decref(config);
}

static void
test_progress_pull(void **state)
{
	/* What a 20.10 engine sends for a two-layer pull, abridged. */
	const char *in[] = {
		"{\"status\":\"Pulling from e2e-db\",\"id\":\"1\"}",
		"{\"status\":\"Pulling fs layer\",\"progressDetail\":{},\"id\":\"a1b2\"}",
		"{\"status\":\"Pulling fs layer\",\"progressDetail\":{},\"id\":\"c3d4\"}",
		"{\"status\":\"Downloading\",\"progressDetail\":{\"current\":1,\"total\":9},\"progress\":\"[=>  ]\",\"id\":\"a1b2\"}",
		"{\"status\":\"Downloading\",\"progressDetail\":{\"current\":5,\"total\":9},\"progress\":\"[==> ]\",\"id\":\"a1b2\"}",
		"{\"status\":\"Downloading\",\"progressDetail\":{\"current\":8,\"total\":9},\"progress\":\"[===>]\",\"id\":\"a1b2\"}",
		"{\"status\":\"Verifying Checksum\",\"progressDetail\":{},\"id\":\"a1b2\"}",
		"{\"status\":\"Download complete\",\"progressDetail\":{},\"id\":\"a1b2\"}",
		"{\"status\":\"Extracting\",\"progressDetail\":{\"current\":1,\"total\":9},\"id\":\"a1b2\"}",
		"{\"status\":\"Extracting\",\"progressDetail\":{\"current\":9,\"total\":9},\"id\":\"a1b2\"}",
		"{\"status\":\"Pull complete\",\"progressDetail\":{},\"id\":\"a1b2\"}",
		"{\"status\":\"Already exists\",\"progressDetail\":{},\"id\":\"c3d4\"}\r\n",
		"",
		"{\"status\":\"Digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}",
		"{\"status\":\"Status: Downloaded newer image for 127.0.0.1:5000/e2e-db:1\"}",
	};
	const char *want[] = {
		"1: Pulling from e2e-db",
		"a1b2: Pulling fs layer",
		"c3d4: Pulling fs layer",
		"a1b2: Downloading",
		"a1b2: Verifying Checksum",
		"a1b2: Download complete",
		"a1b2: Extracting",
		"a1b2: Pull complete",
		"c3d4: Already exists",
		"Digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"Status: Downloaded newer image for 127.0.0.1:5000/e2e-db:1",
	};
	struct engine_progress p = ENGINE_PROGRESS_INIT;
	struct lines l = { STRV_INIT };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(in); i++)
		assert_int_equal(engine_progress_parse_line(&p, in[i],
		    strlen(in[i]), collect, &l), 0);
	assert_lines(&l, want, ARRAY_SIZE(want));
	assert_string_equal(p.digest, "sha256:0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef");
	engine_progress_dispose(&p);
	strv_clear(&l.v);
}

static void
test_progress_push_and_errors(void **state)
{
	const char *aux = "{\"progressDetail\":{},\"aux\":{\"Tag\":\"abc\","
	    "\"Digest\":\"sha256:fedcba9876543210fedcba9876543210fedcba9876543210"
	    "fedcba9876543210\",\"Size\":528}}";
	const char *err = "{\"errorDetail\":{\"message\":\"unauthorized: "
	    "authentication required\"},\"error\":\"unauthorized: "
	    "authentication required\"}";
	const char *bare = "{\"error\":\"manifest unknown\"}";
	const char *short_digest = "{\"aux\":{\"Digest\":\"sha256:abc\"}}";
	struct engine_progress p = ENGINE_PROGRESS_INIT;
	struct lines l = { STRV_INIT };

	assert_int_equal(engine_progress_parse_line(&p, aux, strlen(aux),
	    collect, &l), 0);
	assert_string_equal(p.digest, "sha256:fedcba9876543210fedcba9876543210"
	    "fedcba9876543210fedcba9876543210");
	assert_int_equal(l.v.n, 0);
	/* A malformed digest does not replace a good one. */
	assert_int_equal(engine_progress_parse_line(&p, short_digest,
	    strlen(short_digest), collect, &l), 0);
	assert_string_equal(p.digest, "sha256:fedcba9876543210fedcba9876543210"
	    "fedcba9876543210fedcba9876543210");
	assert_int_equal(engine_progress_parse_line(&p, err, strlen(err),
	    collect, &l), -1);
	assert_string_equal(error_last(), "unauthorized: authentication required");
	assert_int_equal(engine_progress_parse_line(&p, bare, strlen(bare),
	    collect, &l), -1);
	assert_string_equal(error_last(), "manifest unknown");
	assert_int_equal(engine_progress_parse_line(&p, "{nope", 5, collect,
	    &l), -1);
	assert_non_null(strstr(error_last(), "malformed progress"));
	engine_progress_dispose(&p);
	strv_clear(&l.v);
}

static void
test_progress_layer_cap(void **state)
{
	struct engine_progress p = ENGINE_PROGRESS_INIT;
	struct lines l = { STRV_INIT };
	char line[128];
	int i, n;

	for (i = 0; i < ENGINE_PROGRESS_LAYERS + 10; i++) {
		n = snprintf(line, sizeof line, "{\"status\":\"Waiting\","
		    "\"id\":\"l%d\"}", i);
		assert_int_equal(engine_progress_parse_line(&p, line,
		    (size_t)n, collect, &l), 0);
	}
	assert_int_equal(l.v.n, ENGINE_PROGRESS_LAYERS);
	assert_int_equal(p.layers.n, ENGINE_PROGRESS_LAYERS);
	engine_progress_dispose(&p);
	strv_clear(&l.v);
}

static void
test_ref_split(void **state)
{
	const char *cases[][3] = {
		{ "postgres:16", "postgres", "16" },
		{ "postgres", "postgres", "latest" },
		{ "127.0.0.1:5000/a/b", "127.0.0.1:5000/a/b", "latest" },
		{ "127.0.0.1:5000/a/b:v1", "127.0.0.1:5000/a/b", "v1" },
		{ "r/x@sha256:00ff", "r/x", "sha256:00ff" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *name = NULL, *tag = NULL;

		assert_int_equal(engine_ref_split(cases[i][0], &name, &tag), 0);
		assert_string_equal(name, cases[i][1]);
		assert_string_equal(tag, cases[i][2]);
		free(name);
		free(tag);
	}
}

static void
test_fake_pull_push(void **state)
{
	const char *pieces[] = {
		"{\"status\":\"Pulling from x\",\"id\":\"1\"}\r\n{\"status\":\"Dow",
		"nloading\",\"id\":\"ab\"}\r\n{\"status\":\"Downloading\",\"id\":\"ab\"}\r\n",
		"{\"status\":\"Digest: sha256:1111111111111111111111111111111111111111111111111111111111111111\"}\r\n",
	};
	const char *fail[] = {
		"{\"status\":\"Pulling from x\",\"id\":\"1\"}\r\n",
		"{\"errorDetail\":{\"message\":\"unauthorized\"},\"error\":\"unauthorized\"}\r\n",
	};
	const char *pushed[] = {
		"{\"status\":\"Pushed\",\"id\":\"ab\"}\r\n",
		"{\"aux\":{\"Tag\":\"t\",\"Digest\":\"sha256:2222222222222222222222222222222222222222222222222222222222222222\"}}",
	};
	const char *want[] = { "1: Pulling from x", "ab: Downloading",
	    "Digest: sha256:1111111111111111111111111111111111111111111111111111111111111111" };
	struct lines l = { STRV_INIT };
	struct engine *e = NULL;
	char *digest = NULL;

	fake_ping("1.41");
	fake_add_owned(build_answer(pieces, ARRAY_SIZE(pieces)));
	fake_add_owned(build_answer(fail, ARRAY_SIZE(fail)));
	fake_add_owned(build_answer(pushed, ARRAY_SIZE(pushed)));
	fake_add_owned(build_answer(pushed, 1));

	assert_int_equal(engine_open(&e, fk.host), 0);
	assert_int_equal(engine_image_pull(e, "127.0.0.1:5000/x:1", "QUJD",
	    collect, &l, &digest), 0);
	assert_lines(&l, want, ARRAY_SIZE(want));
	assert_string_equal(digest, "sha256:11111111111111111111111111111111"
	    "11111111111111111111111111111111");
	free(digest);
	assert_int_equal(engine_image_pull(e, "x", NULL, NULL, NULL, &digest), -1);
	assert_string_equal(error_last(), "unauthorized");
	assert_null(digest);
	assert_int_equal(engine_image_push(e, "127.0.0.1:5000/p/app-web", "abc",
	    NULL, NULL, NULL, &digest), 0);
	assert_string_equal(digest, "sha256:22222222222222222222222222222222"
	    "22222222222222222222222222222222");
	free(digest);
	assert_int_equal(engine_image_push(e, "h/p/app-web", "abc", "QUJD",
	    NULL, NULL, &digest), -1);
	assert_non_null(strstr(error_last(), "reported no digest"));
	engine_free(e);

	assert_req(1, "POST /v1.41/images/create?fromImage=127.0.0.1%3A5000%2Fx&tag=1");
	assert_req(2, "POST /v1.41/images/create?fromImage=x&tag=latest");
	assert_req(3, "POST /v1.41/images/127.0.0.1%3A5000%2Fp%2Fapp-web/push?tag=abc");
	pthread_mutex_lock(&fk.mu);
	assert_non_null(strcasestr(fk.heads.v[1], "\r\nX-Registry-Auth: QUJD\r\n"));
	assert_null(strcasestr(fk.heads.v[2], "X-Registry-Auth"));
	/* A push always carries the header, "{}" for an open registry. */
	assert_non_null(strcasestr(fk.heads.v[3], "\r\nX-Registry-Auth: e30=\r\n"));
	pthread_mutex_unlock(&fk.mu);
	strv_clear(&l.v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_stream),
		cmocka_unit_test(test_parse_stream_several_lines),
		cmocka_unit_test(test_parse_aux),
		cmocka_unit_test(test_parse_error),
		cmocka_unit_test(test_parse_status),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_demux_splits),
		cmocka_unit_test(test_demux_long_line),
		cmocka_unit_test(test_urlencode),
		cmocka_unit_test(test_label_filter),
		cmocka_unit_test(test_registry_auth),
		cmocka_unit_test(test_registry_config),
		cmocka_unit_test(test_progress_pull),
		cmocka_unit_test(test_progress_push_and_errors),
		cmocka_unit_test(test_progress_layer_cap),
		cmocka_unit_test(test_ref_split),
		cmocka_unit_test_setup_teardown(test_fake_pull_push, fake_setup,
		    fake_teardown),
		cmocka_unit_test_setup_teardown(test_fake_down, fake_setup,
		    fake_teardown),
		cmocka_unit_test_setup_teardown(test_fake_versions, fake_setup,
		    fake_teardown),
		cmocka_unit_test_setup_teardown(test_fake_errors, fake_setup,
		    fake_teardown),
		cmocka_unit_test_setup_teardown(test_fake_paths, fake_setup,
		    fake_teardown),
		cmocka_unit_test_setup_teardown(test_fake_retry, fake_setup,
		    fake_teardown),
		cmocka_unit_test_setup_teardown(test_fake_cap, fake_setup,
		    fake_teardown),
		cmocka_unit_test_setup_teardown(test_fake_build, fake_setup,
		    fake_teardown),
		cmocka_unit_test_setup_teardown(test_fake_build_errors,
		    fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_fake_logs, fake_setup,
		    fake_teardown),
		cmocka_unit_test_setup_teardown(test_real_basics, real_setup,
		    real_teardown),
		cmocka_unit_test_setup_teardown(test_real_build_run, real_setup,
		    real_teardown),
		cmocka_unit_test_setup_teardown(test_real_build_fails,
		    real_setup, real_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
