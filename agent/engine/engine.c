/*
 * engine.c - the Docker Engine API client. One libcurl easy handle per
 * engine, so consecutive calls reuse the connection; the API version comes
 * from /_ping. Every answer is capped: whole JSON answers at
 * ENGINE_RESPONSE_MAX, streamed lines (build progress, logs) at
 * ENGINE_LINE_MAX.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <curl/curl.h>

#include "engine/buildkit.h"
#include "engine/engine.h"
#include "lib/util.h"

#define ENGINE_API_DEFAULT "1.41"	/* when /_ping sends no Api-Version */
#define ENGINE_ERROR_MAX (64u << 10)	/* error bodies of streaming calls */

struct engine {
	CURL *curl;
	char *host;		/* docker_host as configured */
	char *socket;		/* unix socket path, or NULL for tcp */
	char *base;		/* "http://localhost" or "http://host:port" */
	char version[16];
	int version_num;
	char errbuf[CURL_ERROR_SIZE];
	long long deadline_ms;	/* now_ms() after which nothing is sent, or 0 */
	long long retry_ms;	/* how long an unreachable engine is retried */
	int unanswered;		/* the last call got no answer at all */
	int status;		/* the HTTP status of the last answer, or 0 */
	long long down_since;	/* when retrying began, or 0 */
};

/* Request flags. */
#define XF_UNVERSIONED	0x1	/* no /vX.Y prefix (/_ping) */
#define XF_LONG		0x2	/* may legitimately stay silent: no speed limit */
#define XF_PING		0x4	/* any transport failure means "cannot reach" */
#define XF_IDEM		0x8	/* idempotent: may be sent again after a failure */

/* How a transfer failed without an answer. */
enum {
	XT_NONE,	/* an answer came, or the failure was not the transport */
	XT_UNSENT,	/* no connection: the engine never saw the request */
	XT_MIDWAY,	/* the connection broke after the request was sent */
};

/* One transfer: what is sent, and where the answer goes. */
struct xfer {
	struct engine *e;
	const char *method;
	const char *path;	/* for messages */
	char *what;		/* "METHOD /path", without the query, for messages */
	int flags;
	int transport;		/* XT_*: why no answer came */
	engine_tick_fn tick;	/* called about once a second during the call */
	void *tick_ctx;

	const char *body;	/* request body, or NULL */
	size_t body_len;
	const char *content_type;
	const char *registry_auth; /* X-Registry-Auth value, or NULL */
	const char *registry_config; /* X-Registry-Config value, or NULL */
	engine_read_fn read_fn;	/* chunked upload instead of body */
	void *read_ctx;
	char *read_error;	/* read_fn's message, when it failed */

	struct buf answer;	/* whole answer, or the error body of a stream */
	/* Streaming: feed() gets the bytes of a 2xx answer as they arrive. */
	void (*feed)(struct xfer *, const char *, size_t);
	struct buf line;	/* a partial line of a stream */
	int line_skip;		/* dropping the rest of an over-long line */

	/* Build. */
	engine_line_fn line_fn;
	void *line_ctx;
	char *image_id;
	char *build_error;	/* the first error the stream reported */
	struct bk_progress *bk;	/* BuildKit's progress, version=2 */

	/* Logs. */
	struct engine_demux demux;

	/* Pull and push. */
	struct engine_progress *progress;
	void (*on_line)(struct xfer *, const char *, size_t);
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void
curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void
engine_preload(void)
{
	pthread_once(&curl_once, curl_init);
}

/* "1.45" -> 145; -1 when s is not a version. */
static int
version_parse(const char *s)
{
	char *end;
	long major, minor;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	major = strtol(s, &end, 10);
	if (*end != '.' || end[1] < '0' || end[1] > '9')
		return -1;
	minor = strtol(end + 1, &end, 10);
	if (*end != '\0' || major > 99 || minor > 99)
		return -1;
	return (int)(major * 100 + minor);
}

static void
xfer_init(struct xfer *x, struct engine *e, const char *method,
    const char *path, int flags)
{
	memset(x, 0, sizeof *x);
	x->e = e;
	x->method = method;
	x->path = path;
	x->flags = flags;
	/* Messages name the verb and the object, never the whole URL. */
	x->what = xasprintf("%s %.*s", method,
	    (int)(strcspn(path, "?") > 96 ? 96 : strcspn(path, "?")), path);
	buf_init(&x->answer, ENGINE_RESPONSE_MAX);
	buf_init(&x->line, ENGINE_LINE_MAX);
}

static void
xfer_dispose(struct xfer *x)
{
	buf_release(&x->answer);
	buf_release(&x->line);
	free(x->what);
	free(x->read_error);
	free(x->image_id);
	free(x->build_error);
	bk_progress_free(x->bk);
	free(x->demux.line);
}

static long
xfer_status(struct xfer *x)
{
	long status = 0;

	curl_easy_getinfo(x->e->curl, CURLINFO_RESPONSE_CODE, &status);
	return status;
}

static size_t
write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * nmemb;
	long status = xfer_status(x);

	if (x->feed != NULL && status >= 200 && status < 300) {
		x->feed(x, data, len);
		return len;
	}
	buf_add(&x->answer, data, len);
	if (x->answer.overflow && x->feed == NULL)
		return 0; /* abort: the caller reports the overflow */
	return len;
}

static size_t
read_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	ssize_t n;

	n = x->read_fn(x->read_ctx, data, size * nmemb);
	if (n < 0 || (size_t)n > size * nmemb) {
		if (x->read_error == NULL)
			x->read_error = n < 0 ? error_save() : xstrdup(
			    "build context reader returned too much data");
		return CURL_READFUNC_ABORT;
	}
	return (size_t)n;
}

static int
progress_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	struct xfer *x = arg;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	x->tick(x->tick_ctx);
	return 0;
}

static struct curl_slist *
header_add(struct curl_slist *list, const char *header)
{
	struct curl_slist *l = curl_slist_append(list, header);

	if (l == NULL)
		abort(); /* only out of memory */
	return l;
}

/*
 * Run one transfer. Returns the HTTP status, or -1 when no answer came
 * (transport failure, a reader failure, an answer over the cap).
 */
static int
xfer_run(struct xfer *x)
{
	struct engine *e = x->e;
	struct curl_slist *hdrs = NULL;
	char *url;
	CURLcode rc;
	long status = 0, oserr = 0;

	if (e->deadline_ms > 0 && now_ms() >= e->deadline_ms)
		return error_set("time is up (the deploy's [deploy] timeout) "
		    "before %s", x->what);
	if (x->flags & XF_UNVERSIONED)
		url = xasprintf("%s%s", e->base, x->path);
	else
		url = xasprintf("%s/v%s%s", e->base, e->version, x->path);

	curl_easy_reset(e->curl);
	e->errbuf[0] = '\0';
	curl_easy_setopt(e->curl, CURLOPT_URL, url);
	if (e->socket != NULL)
		curl_easy_setopt(e->curl, CURLOPT_UNIX_SOCKET_PATH, e->socket);
	curl_easy_setopt(e->curl, CURLOPT_ERRORBUFFER, e->errbuf);
	curl_easy_setopt(e->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e->curl, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(e->curl, CURLOPT_PROTOCOLS_STR, "http");
	curl_easy_setopt(e->curl, CURLOPT_HTTP_VERSION,
	    (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(e->curl, CURLOPT_CONNECTTIMEOUT, 5L);
	if (!(x->flags & XF_LONG) && x->feed == NULL && x->read_fn == NULL) {
		/* No total timeout, but a silent engine is given up on. */
		curl_easy_setopt(e->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(e->curl, CURLOPT_LOW_SPEED_TIME, 300L);
	}
	if (e->deadline_ms > 0)
		curl_easy_setopt(e->curl, CURLOPT_TIMEOUT_MS,
		    (long)(e->deadline_ms - now_ms() > 0 ?
		    e->deadline_ms - now_ms() : 1));
	curl_easy_setopt(e->curl, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(e->curl, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e->curl, CURLOPT_USERAGENT, "slipway");
	if (x->tick != NULL) {
		curl_easy_setopt(e->curl, CURLOPT_XFERINFOFUNCTION, progress_cb);
		curl_easy_setopt(e->curl, CURLOPT_XFERINFODATA, x);
		curl_easy_setopt(e->curl, CURLOPT_NOPROGRESS, 0L);
	}

	hdrs = header_add(hdrs, "Expect:");
	if (x->content_type != NULL) {
		char *h = xasprintf("Content-Type: %s", x->content_type);

		hdrs = header_add(hdrs, h);
		free(h);
	}
	if (x->registry_auth != NULL) {
		char *h = xasprintf("X-Registry-Auth: %s", x->registry_auth);

		hdrs = header_add(hdrs, h);
		free(h);
	}
	if (x->registry_config != NULL) {
		char *h = xasprintf("X-Registry-Config: %s",
		    x->registry_config);

		hdrs = header_add(hdrs, h);
		explicit_bzero(h, strlen(h));
		free(h);
	}
	if (x->read_fn != NULL) {
		hdrs = header_add(hdrs, "Transfer-Encoding: chunked");
		curl_easy_setopt(e->curl, CURLOPT_POST, 1L);
		curl_easy_setopt(e->curl, CURLOPT_READFUNCTION, read_cb);
		curl_easy_setopt(e->curl, CURLOPT_READDATA, x);
	} else if (strcmp(x->method, "POST") == 0 || x->body != NULL) {
		curl_easy_setopt(e->curl, CURLOPT_POST, 1L);
		curl_easy_setopt(e->curl, CURLOPT_POSTFIELDS,
		    x->body != NULL ? x->body : "");
		curl_easy_setopt(e->curl, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)(x->body != NULL ? x->body_len : 0));
		if (strcmp(x->method, "POST") != 0)      /* PUT with a body */
			curl_easy_setopt(e->curl, CURLOPT_CUSTOMREQUEST,
			    x->method);
	} else if (strcmp(x->method, "GET") != 0)
		curl_easy_setopt(e->curl, CURLOPT_CUSTOMREQUEST, x->method);
	curl_easy_setopt(e->curl, CURLOPT_HTTPHEADER, hdrs);

	rc = curl_easy_perform(e->curl);
	curl_easy_getinfo(e->curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(e->curl, CURLINFO_OS_ERRNO, &oserr);
	/* Leave no pointer into this transfer behind in the handle. */
	curl_easy_setopt(e->curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(e->curl, CURLOPT_ERRORBUFFER, NULL);
	curl_slist_free_all(hdrs);
	free(url);

	if (x->read_error != NULL)
		return error_set("%s", x->read_error);
	if (x->answer.overflow && x->feed == NULL)
		return error_set("engine answer to %s is larger than %zu bytes",
		    x->what, x->answer.max);
	if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST)
		x->transport = XT_UNSENT;
	else if (rc != CURLE_OK)
		x->transport = XT_MIDWAY;
	if (rc != CURLE_OK && (x->transport == XT_UNSENT ||
	    (x->flags & XF_PING)))
		return error_set("cannot reach the docker engine at \"%s\" "
		    "(docker_host): %s", e->host,
		    oserr != 0 ? strerror((int)oserr) :
		    e->errbuf[0] != '\0' ? e->errbuf : curl_easy_strerror(rc));
	if (rc == CURLE_OPERATION_TIMEDOUT && e->deadline_ms > 0 &&
	    now_ms() >= e->deadline_ms) {
		x->transport = XT_NONE; /* time is up: nothing to retry */
		return error_set("time is up (the deploy's [deploy] timeout) "
		    "during %s", x->what);
	}
	if (rc != CURLE_OK)
		return error_set("%s: the docker engine did not answer: %s",
		    x->what, oserr != 0 ? strerror((int)oserr) :
		    curl_easy_strerror(rc));
	return (int)status;
}

/* error_last() := the engine's message for a failed answer. */
static int
set_engine_error(long status, const struct buf *answer)
{
	json_t *j = json_loadb(answer->buf, answer->len, 0, NULL);
	const char *msg = json_string_value(json_object_get(j, "message"));
	struct buf b = BUF_INIT;
	size_t i;

	if (msg != NULL && *msg != '\0') {
		error_set("%s", msg);
		json_decref(j);
		return -1;
	}
	json_decref(j);
	buf_addf(&b, "engine answered HTTP %ld", status);
	if (answer->len > 0) {
		buf_adds(&b, ": ");
		for (i = 0; i < answer->len && i < 200; i++) {
			unsigned char c = (unsigned char)answer->buf[i];

			buf_addch(&b, c < ' ' || c == 0x7f ? ' ' : c);
		}
		buf_rtrim(&b);
	}
	error_set("%s", b.buf);
	buf_release(&b);
	return -1;
}

void
engine_set_retry(struct engine *e, long seconds)
{
	e->retry_ms = seconds > 0 ? seconds * 1000LL : 0;
}

/*
 * After a transfer that got no answer: wait and return 1 when it may be sent
 * again (it is idempotent) and the engine has been unreachable for less than
 * retry_ms; else 0. Says so once per outage. A request that is not
 * idempotent is never sent again from here, even after "connection
 * refused": libcurl may have sent it on a reused connection that died
 * before it reconnected and failed.
 */
static int
retry_wait(struct engine *e, struct xfer *x, int *attempt)
{
	long long now = now_ms(), delay;

	if (x->transport == XT_NONE || e->retry_ms == 0 ||
	    !(x->flags & XF_IDEM))
		return 0;
	if (e->down_since == 0) {
		e->down_since = now;
		out_warn("warning: %s; retrying for up to %llds", error_last(),
		    e->retry_ms / 1000);
	}
	if (now - e->down_since >= e->retry_ms)
		return 0;
	delay = 100LL << (*attempt < 5 ? *attempt : 5);
	if (delay > 2000)
		delay = 2000;
	(*attempt)++;
	sleep_ms(delay);
	return 1;
}

/* The engine answered: end the outage, if there was one. */
static void
engine_back(struct engine *e)
{
	if (e->down_since != 0)
		out_info("-----> The docker engine answers again (after %.1fs)",
		    (now_ms() - e->down_since) / 1000.0);
	e->down_since = 0;
}

int
engine_open(struct engine **out, const char *docker_host)
{
	return engine_open_retry(out, docker_host, 0);
}

int
engine_open_retry(struct engine **out, const char *docker_host, long seconds)
{
	struct engine *e;
	struct xfer x;
	struct curl_header *h = NULL;
	const char *server = NULL;
	int status, num, max = version_parse(ENGINE_API_MAX), attempt = 0;

	*out = NULL;
	if (docker_host == NULL || *docker_host == '\0')
		return error_set("docker_host is empty");
	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK)
		return error_set("cannot initialise libcurl: %s",
		    curl_easy_strerror(curl_init_rc));

	e = xcalloc(1, sizeof *e);
	e->host = xstrdup(docker_host);
	if (starts_with(docker_host, "unix://") && docker_host[7] != '\0') {
		e->socket = xstrdup(docker_host + 7);
		e->base = xstrdup("http://localhost");
	} else if (starts_with(docker_host, "tcp://") && docker_host[6] != '\0' &&
	    strpbrk(docker_host + 6, "/?#@") == NULL)
		e->base = xasprintf("http://%s", docker_host + 6);
	else {
		engine_free(e);
		return error_set("docker_host \"%s\": want unix:///path or "
		    "tcp://host:port", docker_host);
	}
	if ((e->curl = curl_easy_init()) == NULL) {
		engine_free(e);
		return error_set("cannot create a libcurl handle");
	}

	engine_set_retry(e, seconds);
	for (;;) {
		xfer_init(&x, e, "GET", "/_ping", XF_UNVERSIONED | XF_PING |
		    XF_IDEM);
		x.answer.max = ENGINE_ERROR_MAX;
		if ((status = xfer_run(&x)) >= 0 || !retry_wait(e, &x, &attempt))
			break;
		xfer_dispose(&x);
	}
	if (status < 0)
		goto fail;
	engine_back(e);
	if (status != 200) {
		set_engine_error(status, &x.answer);
		error_set("docker engine at \"%s\" (docker_host) failed /_ping: %s",
		    docker_host, error_last());
		goto fail;
	}
	if (curl_easy_header(e->curl, "Api-Version", 0, CURLH_HEADER, -1,
	    &h) == CURLHE_OK)
		server = h->value;
	num = version_parse(server);
	if (num < 0)
		num = version_parse(ENGINE_API_DEFAULT);
	if (num > max)
		num = max;
	e->version_num = num;
	snprintf(e->version, sizeof e->version, "%d.%d", num / 100, num % 100);
	xfer_dispose(&x);
	*out = e;
	return 0;
fail:
	xfer_dispose(&x);
	engine_free(e);
	return -1;
}

void
engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	if (e->curl != NULL)
		curl_easy_cleanup(e->curl);
	free(e->host);
	free(e->socket);
	free(e->base);
	free(e);
}

const char *
engine_version(const struct engine *e)
{
	return e->version;
}

int
engine_version_num(const struct engine *e)
{
	return e->version_num;
}

/* engine_call with transfer flags and an X-Registry-Auth value (or NULL). */
static int
call_auth(struct engine *e, const char *method, const char *path,
    json_t *body, json_t **out, int flags, const char *auth)
{
	struct xfer x;
	char *text = NULL;
	struct curl_header *h = NULL;
	json_error_t jerr;
	json_t *j = NULL;
	int status, attempt = 0;

	if (out != NULL)
		*out = NULL;
	if (strcmp(method, "GET") == 0)
		flags |= XF_IDEM;
	xfer_init(&x, e, method, path, flags);
	x.registry_auth = auth;
	if (body != NULL) {
		if ((text = json_dumps(body, JSON_COMPACT)) == NULL) {
			status = error_set("cannot encode the request body for "
			    "%s", x.what);
			goto done;
		}
	}
	for (;;) {
		if (text != NULL) {
			x.body = text;
			x.body_len = strlen(text);
			x.content_type = "application/json";
		}
		if ((status = xfer_run(&x)) >= 0 || !retry_wait(e, &x, &attempt))
			break;
		xfer_dispose(&x);
		xfer_init(&x, e, method, path, flags);
		x.registry_auth = auth;
	}
	e->unanswered = status < 0 && x.transport != XT_NONE;
	e->status = status > 0 ? status : 0;
	if (status < 0)
		goto done;
	engine_back(e);
	if (status >= 400) {
		set_engine_error(status, &x.answer);
		goto done;
	}
	if (out == NULL || x.answer.len == 0)
		goto done;
	if (curl_easy_header(e->curl, "Content-Type", 0, CURLH_HEADER, -1,
	    &h) != CURLHE_OK || strstr(h->value, "json") == NULL)
		goto done;
	if ((j = json_loadb(x.answer.buf, x.answer.len, 0, &jerr)) == NULL) {
		status = error_set("engine sent malformed JSON for %s: %s",
		    x.what, jerr.text);
		goto done;
	}
	*out = j;
done:
	free(text);
	xfer_dispose(&x);
	return status;
}

/* engine_call with transfer flags. */
static int
call(struct engine *e, const char *method, const char *path, json_t *body,
    json_t **out, int flags)
{
	return call_auth(e, method, path, body, out, flags, NULL);
}

int
engine_call(struct engine *e, const char *method, const char *path,
    json_t *body, json_t **out)
{
	return call(e, method, path, body, out, 0);
}

/*
 * A call that succeeds with any 2xx status or with ok (e.g. 304, 404);
 * returns 0 or -1. *out, when given, is set for 2xx answers only.
 */
static int
call_ok(struct engine *e, const char *method, const char *path,
    json_t *body, json_t **out, int ok, int flags)
{
	json_t *j = NULL;
	int status;

	if (out != NULL)
		*out = NULL;
	status = call(e, method, path, body, &j, flags);
	if (status < 0)
		return -1;
	if ((status >= 200 && status < 300) || status == ok) {
		if (out != NULL && status < 300)
			*out = j;
		else
			json_decref(j);
		return 0;
	}
	json_decref(j);
	if (status >= 400)
		return -1; /* the engine's message is already set */
	return error_set("engine answered %s %.*s with HTTP %d", method,
	    (int)strcspn(path, "?"), path, status);
}

/* A GET whose 404 means "missing": 1, found 0, failure -1. */
static int
call_inspect(struct engine *e, const char *path, json_t **out)
{
	json_t *j = NULL;
	int status;

	if (out != NULL)
		*out = NULL;
	status = call(e, "GET", path, NULL, &j, 0);
	if (status == 404)
		return ENGINE_MISSING;
	if (status < 0 || status >= 400)
		return -1;
	if (status != 200) {
		json_decref(j);
		return error_set("engine answered GET %.*s with HTTP %d",
		    (int)strcspn(path, "?"), path, status);
	}
	if (out != NULL)
		*out = j;
	else
		json_decref(j);
	return 0;
}

char *
engine_urlencode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b = BUF_INIT;
	const unsigned char *p;

	buf_add(&b, "", 0);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL)
			buf_addch(&b, *p);
		else {
			buf_addch(&b, '%');
			buf_addch(&b, hex[*p >> 4]);
			buf_addch(&b, hex[*p & 0xf]);
		}
	}
	return buf_detach(&b, NULL);
}

char *
engine_label_filter(const char *const *labels, size_t n)
{
	json_t *f = json_object(), *a = json_array();
	char *text, *enc;
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(labels[i]));
	json_object_set_new(f, "label", a);
	text = json_dumps(f, JSON_COMPACT);
	json_decref(f);
	if (text == NULL)
		abort(); /* jansson fails here only out of memory */
	enc = engine_urlencode(text);
	free(text);
	return enc;
}

/* "prefix" or "prefix?filters=..." (sep is '?' or '&'). */
static char *
with_filter(const char *prefix, int sep, const char *const *labels,
    size_t n)
{
	char *f, *path;

	if (n == 0)
		return xstrdup(prefix);
	f = engine_label_filter(labels, n);
	path = xasprintf("%s%cfilters=%s", prefix, sep, f);
	free(f);
	return path;
}

/* printf-like path builder where every %s argument is URL-encoded. */
static char *
epath(const char *fmt, const char *a, const char *b)
{
	char *ea = a != NULL ? engine_urlencode(a) : NULL;
	char *eb = b != NULL ? engine_urlencode(b) : NULL;
	char *path;

	path = xasprintf(fmt, ea, eb);
	free(ea);
	free(eb);
	return path;
}

/* Containers. */

int
engine_container_list(struct engine *e, const char *const *labels,
    size_t nlabels, json_t **out)
{
	char *path = with_filter("/containers/json?all=1", '&', labels, nlabels);
	int rc = call_ok(e, "GET", path, NULL, out, 0, 0);

	free(path);
	return rc;
}

int
engine_container_list_running(struct engine *e, json_t **out)
{
	return call_ok(e, "GET", "/containers/json", NULL, out, 0, 0);
}

int
engine_container_inspect(struct engine *e, const char *id, json_t **out)
{
	char *path = epath("/containers/%s/json", id, NULL);
	int rc = call_ok(e, "GET", path, NULL, out, 0, 0);

	free(path);
	return rc;
}

/* Does have hold every label of want, with the same value? (The image's
 * own labels come on top.) */
static const char *
labels_differ(json_t *have, json_t *want)
{
	const char *key;
	json_t *v;

	json_object_foreach(want, key, v) {
		if (!json_equal(json_object_get(have, key), v))
			return key;
	}
	return NULL;
}

int
engine_container_create(struct engine *e, const char *name, json_t *body,
    char **id_out)
{
	char *path = name != NULL ? epath("/containers/create?name=%s", name,
	    NULL) : xstrdup("/containers/create");
	char *ipath = name != NULL ? epath("/containers/%s/json", name, NULL) :
	    NULL;
	json_t *res = NULL;
	const char *id;
	int rc = -1, tries = 0, lost = 0;

	*id_out = NULL;
	while (call_ok(e, "POST", path, body, &res, 0, 0) < 0) {
		json_t *info = NULL;
		const char *other;
		int found;

		/*
		 * No answer: the engine may have created the container. Never
		 * create blindly: look first (waiting for the engine), and
		 * remove what an unanswered create of this very body left (it
		 * never started) before creating again.
		 */
		lost |= e->unanswered;
		/* After an unanswered try, a conflict may be that try's. */
		if (!(e->unanswered || (lost && e->status == 409)) ||
		    name == NULL || e->retry_ms == 0 || ++tries > 3)
			goto done;
		if ((found = call_inspect(e, ipath, &info)) < 0)
			goto done;
		if (found == 0 && (other = labels_differ(json_object_get(
		    json_object_get(info, "Config"), "Labels"),
		    json_object_get(body, "Labels"))) != NULL) {
			error_set("container \"%s\" exists and is not the one "
			    "this create made (label \"%s\")", name, other);
			json_decref(info);
			goto done;
		}
		json_decref(info);
		if (found == 0 && engine_container_remove(e, name, 0) < 0)
			goto done;
	}
	if ((id = json_string_value(json_object_get(res, "Id"))) == NULL) {
		error_set("engine returned no Id for container \"%s\"",
		    name != NULL ? name : "");
		goto done;
	}
	*id_out = xstrdup(id);
	rc = 0;
done:
	json_decref(res);
	free(ipath);
	free(path);
	return rc;
}

int
engine_container_start(struct engine *e, const char *id)
{
	char *path = epath("/containers/%s/start", id, NULL);
	int rc = call_ok(e, "POST", path, NULL, NULL, 304, XF_IDEM);

	free(path);
	return rc;
}

int
engine_container_stop(struct engine *e, const char *id, long timeout_s)
{
	char *path = epath("/containers/%s/stop", id, NULL), *p;
	int rc;

	if (timeout_s >= 0) {
		p = xasprintf("%s?t=%ld", path, timeout_s);
		free(path);
		path = p;
	}
	rc = call_ok(e, "POST", path, NULL, NULL, 304, XF_LONG | XF_IDEM);
	free(path);
	return rc;
}

int
engine_container_remove(struct engine *e, const char *id, int volumes)
{
	char *path = epath("/containers/%s?force=1&v=%s", id,
	    volumes ? "1" : "0");
	int rc = call_ok(e, "DELETE", path, NULL, NULL, 404, XF_LONG | XF_IDEM);

	free(path);
	return rc;
}

int
engine_container_set_restart(struct engine *e, const char *id,
    const char *policy)
{
	char *path = epath("/containers/%s/update", id, NULL);
	json_t *body = json_pack("{s:{s:s}}", "RestartPolicy", "Name", policy);
	int rc = call_ok(e, "POST", path, body, NULL, 0, XF_IDEM);

	json_decref(body);
	free(path);
	return rc;
}

int
engine_container_rename(struct engine *e, const char *id, const char *name)
{
	char *path = epath("/containers/%s/rename?name=%s", id, name);
	json_t *info = NULL;
	const char *now;
	int rc = call_ok(e, "POST", path, NULL, NULL, 0, 0);

	/* Unanswered: the rename may have happened; look before retrying. */
	if (rc < 0 && e->unanswered && e->retry_ms != 0 &&
	    engine_container_inspect(e, id, &info) == 0) {
		now = json_string_value(json_object_get(info, "Name"));
		if (now != NULL && *now == '/' && strcmp(now + 1, name) == 0)
			rc = 0;
		else
			rc = call_ok(e, "POST", path, NULL, NULL, 0, 0);
	}
	json_decref(info);
	free(path);
	return rc;
}

int
engine_container_wait(struct engine *e, const char *id, long *exit_code)
{
	char *path = epath("/containers/%s/wait?condition=not-running", id,
	    NULL);
	json_t *res = NULL, *code;
	const char *msg;
	int rc = -1;

	*exit_code = -1;
	if (call_ok(e, "POST", path, NULL, &res, 0, XF_LONG | XF_IDEM) < 0)
		goto done;
	msg = json_string_value(json_object_get(json_object_get(res, "Error"),
	    "Message"));
	if (msg != NULL && *msg != '\0') {
		error_set("%s", msg);
		goto done;
	}
	if (!json_is_integer(code = json_object_get(res, "StatusCode"))) {
		error_set("engine returned no StatusCode for container \"%s\"",
		    id);
		goto done;
	}
	*exit_code = (long)json_integer_value(code);
	rc = 0;
done:
	json_decref(res);
	free(path);
	return rc;
}

int
engine_network_connect(struct engine *e, const char *network,
    const char *container, json_t *endpoint_config)
{
	char *path = epath("/networks/%s/connect", network, NULL);
	json_t *body = json_pack("{s:s}", "Container", container);
	int rc;

	if (endpoint_config != NULL)
		json_object_set(body, "EndpointConfig", endpoint_config);
	rc = call_ok(e, "POST", path, body, NULL, 0, 0);
	json_decref(body);
	free(path);
	return rc;
}

int
engine_network_disconnect(struct engine *e, const char *network,
    const char *container)
{
	char *path = epath("/networks/%s/disconnect", network, NULL);
	json_t *body = json_pack("{s:s,s:b}", "Container", container, "Force", 1);
	int rc = call_ok(e, "POST", path, body, NULL, 0, 0);

	json_decref(body);
	free(path);
	return rc;
}

int
engine_container_put_archive(struct engine *e, const char *id,
    const char *dir, const void *tar, size_t len)
{
	char *path = epath("/containers/%s/archive?path=%s", id, dir);
	struct xfer x;
	int status;

	xfer_init(&x, e, "PUT", path, 0);
	x.body = (const char *)tar;
	x.body_len = len;
	x.content_type = "application/x-tar";
	x.answer.max = ENGINE_ERROR_MAX;
	status = xfer_run(&x);
	if (status >= 400)
		set_engine_error(status, &x.answer);
	xfer_dispose(&x);
	free(path);
	return status >= 200 && status < 300 ? 0 : -1;
}

int
engine_exec(struct engine *e, const char *id, json_t *config, long timeout_ms,
    long *exit_code)
{
	char *path = epath("/containers/%s/exec", id, NULL), *exec_path = NULL;
	json_t *res = NULL, *start = json_pack("{s:b}", "Detach", 1);
	const char *exec_id;
	long long deadline = now_ms() + timeout_ms;
	int rc = -1;

	*exit_code = -1;
	if (call_ok(e, "POST", path, config, &res, 0, 0) < 0)
		goto done;
	if ((exec_id = json_string_value(json_object_get(res, "Id"))) == NULL) {
		error_set("engine returned no exec Id for container \"%s\"", id);
		goto done;
	}
	free(path);
	path = epath("/exec/%s/start", exec_id, NULL);
	exec_path = epath("/exec/%s/json", exec_id, NULL);
	json_decref(res);
	res = NULL;
	if (call_ok(e, "POST", path, start, NULL, 0, 0) < 0)
		goto done;
	for (;;) {
		json_t *info = NULL;
		int running;

		if (call_ok(e, "GET", exec_path, NULL, &info, 0, 0) < 0)
			goto done;
		running = json_is_true(json_object_get(info, "Running"));
		*exit_code = (long)json_integer_value(json_object_get(info,
		    "ExitCode"));
		json_decref(info);
		if (!running)
			break;
		if (now_ms() > deadline) {
			error_set("still running after %lds", timeout_ms / 1000);
			goto done;
		}
		sleep_ms(100);
	}
	rc = 0;
done:
	json_decref(start);
	json_decref(res);
	free(exec_path);
	free(path);
	return rc;
}

/* Images. */

int
engine_image_inspect(struct engine *e, const char *ref, json_t **out)
{
	char *path = epath("/images/%s/json", ref, NULL);
	int rc = call_inspect(e, path, out);

	free(path);
	return rc;
}

int
engine_image_tag(struct engine *e, const char *image, const char *repo,
    const char *tag)
{
	char *path = epath("/images/%s/tag?repo=%s", image, repo), *p;
	int rc;

	if (tag != NULL) {
		char *t = engine_urlencode(tag);

		p = xasprintf("%s&tag=%s", path, t);
		free(t);
		free(path);
		path = p;
	}
	rc = call_ok(e, "POST", path, NULL, NULL, 0, XF_IDEM);
	free(path);
	return rc;
}

int
engine_image_remove(struct engine *e, const char *ref)
{
	char *path = epath("/images/%s", ref, NULL);
	int rc = call_ok(e, "DELETE", path, NULL, NULL, 404, XF_LONG | XF_IDEM);

	free(path);
	return rc;
}

int
engine_image_list(struct engine *e, const char *const *labels,
    size_t nlabels, json_t **out)
{
	char *path = with_filter("/images/json", '?', labels, nlabels);
	int rc = call_ok(e, "GET", path, NULL, out, 0, 0);

	free(path);
	return rc;
}

/*
 * Only the dangling images that carry every label: never an engine-wide
 * prune, which would take other apps' images and the intermediate images of
 * builds running at that moment.
 */
int
engine_image_list_dangling(struct engine *e, const char *const *labels,
    size_t nlabels, json_t **out)
{
	json_t *f = json_object(), *a = json_array();
	char *text, *enc, *path;
	size_t i;
	int rc;

	if (nlabels == 0) {
		json_decref(f);
		json_decref(a);
		return error_set("listing dangling images needs a label");
	}
	for (i = 0; i < nlabels; i++)
		json_array_append_new(a, json_string(labels[i]));
	json_object_set_new(f, "label", a);
	json_object_set_new(f, "dangling", json_pack("[s]", "true"));
	text = json_dumps(f, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(f);
	if (text == NULL)
		abort(); /* jansson fails here only out of memory */
	enc = engine_urlencode(text);
	path = xasprintf("/images/json?filters=%s", enc);
	rc = call_ok(e, "GET", path, NULL, out, 0, 0);
	free(path);
	free(enc);
	free(text);
	return rc;
}

void
engine_set_deadline(struct engine *e, long long deadline_ms)
{
	e->deadline_ms = deadline_ms;
}

/* Networks and volumes. */

int
engine_network_inspect(struct engine *e, const char *name, json_t **out)
{
	char *path = epath("/networks/%s", name, NULL);
	int rc = call_inspect(e, path, out);

	free(path);
	return rc;
}

int
engine_network_create(struct engine *e, json_t *body)
{
	const char *name = json_string_value(json_object_get(body, "Name"));
	int rc = call_ok(e, "POST", "/networks/create", body, NULL, 0, 0), found;

	/* Unanswered: look (waiting for the engine) before creating again. */
	if (rc < 0 && e->unanswered && e->retry_ms != 0 && name != NULL) {
		found = engine_network_inspect(e, name, NULL);
		if (found == 0)
			rc = 0;
		else if (found == 1)
			rc = call_ok(e, "POST", "/networks/create", body, NULL, 0,
			    0);
	}
	return rc;
}

int
engine_network_remove(struct engine *e, const char *name)
{
	char *path = epath("/networks/%s", name, NULL);
	int rc = call_ok(e, "DELETE", path, NULL, NULL, 404, XF_IDEM);

	free(path);
	return rc;
}

int
engine_network_list(struct engine *e, const char *const *labels,
    size_t nlabels, json_t **out)
{
	char *path = with_filter("/networks", '?', labels, nlabels);
	int rc = call_ok(e, "GET", path, NULL, out, 0, 0);

	free(path);
	return rc;
}

int
engine_volume_inspect(struct engine *e, const char *name, json_t **out)
{
	char *path = epath("/volumes/%s", name, NULL);
	int rc = call_inspect(e, path, out);

	free(path);
	return rc;
}

int
engine_volume_create(struct engine *e, json_t *body)
{
	/* Creating a volume that exists returns it: idempotent. */
	return call_ok(e, "POST", "/volumes/create", body, NULL, 0, XF_IDEM);
}

int
engine_volume_remove(struct engine *e, const char *name)
{
	char *path = epath("/volumes/%s", name, NULL);
	int rc = call_ok(e, "DELETE", path, NULL, NULL, 404, XF_IDEM);

	free(path);
	return rc;
}

int
engine_volume_list(struct engine *e, const char *const *labels,
    size_t nlabels, json_t **out)
{
	char *path = with_filter("/volumes", '?', labels, nlabels);
	json_t *res = NULL, *v;
	int rc;

	*out = NULL;
	rc = call_ok(e, "GET", path, NULL, &res, 0, 0);
	free(path);
	if (rc < 0)
		return -1;
	v = json_object_get(res, "Volumes");
	*out = json_is_array(v) ? json_incref(v) : json_array();
	json_decref(res);
	return 0;
}

/* Build. */

/* Hand each non-empty line of text (n bytes) to line_fn. */
static void
emit_lines(const char *text, size_t n, engine_line_fn line_fn, void *ctx)
{
	const char *p = text, *end = text + n, *nl;
	char *line;
	size_t len;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		len = (nl != NULL ? nl : end) - p;
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len > 0 && line_fn != NULL) {
			line = xstrndup(p, len);
			line_fn(ctx, line);
			free(line);
		}
		p = nl != NULL ? nl + 1 : end;
	}
}

/*
 * One line of a JSON progress stream (build, pull, push) as an object in
 * *out: 0 with *out NULL for a blank line; -1 with error_set when it is not
 * an object or carries the engine's error (errorDetail.message, or the
 * deprecated error), what naming the stream in the message.
 */
static int
stream_object(const char *line, size_t len, const char *what, json_t **out)
{
	json_t *j, *v;
	json_error_t jerr;
	const char *msg;

	*out = NULL;
	while (len > 0 && strchr(" \t\r\n", line[len - 1]) != NULL)
		len--;
	if (len == 0)
		return 0;
	if ((j = json_loadb(line, len, 0, &jerr)) == NULL)
		return error_set("malformed %s from the engine: %s", what,
		    jerr.text);
	if (!json_is_object(j)) {
		json_decref(j);
		return error_set("malformed %s from the engine: not an object",
		    what);
	}
	v = json_object_get(j, "errorDetail");
	msg = json_string_value(json_object_get(v, "message"));
	if (msg == NULL || *msg == '\0')
		msg = json_string_value(json_object_get(j, "error"));
	if (msg != NULL && *msg != '\0') {
		error_set("%s", msg);
		json_decref(j);
		return -1;
	}
	if (v != NULL || json_object_get(j, "error") != NULL) {
		json_decref(j);
		return error_set("the engine reported an error without a "
		    "message");
	}
	*out = j;
	return 0;
}

int
engine_build_parse_line(const char *line, size_t len, engine_line_fn line_fn,
    void *line_ctx, char **image_id)
{
	json_t *j, *v;
	const char *s;

	if (stream_object(line, len, "build output", &j) < 0)
		return -1;
	if (j == NULL)
		return 0;
	if ((v = json_object_get(j, "stream")) != NULL && json_is_string(v))
		emit_lines(json_string_value(v), json_string_length(v), line_fn,
		    line_ctx);
	if ((s = json_string_value(json_object_get(j, "status"))) != NULL) {
		const char *id = json_string_value(json_object_get(j, "id"));
		const char *progress = json_string_value(json_object_get(j,
		    "progress"));
		char *text = xasprintf("%s%s%s%s%s", id != NULL ? id : "",
		    id != NULL ? ": " : "", s, progress != NULL ? " " : "",
		    progress != NULL ? progress : "");

		emit_lines(text, strlen(text), line_fn, line_ctx);
		free(text);
	}
	s = json_string_value(json_object_get(json_object_get(j, "aux"), "ID"));
	if (s != NULL && image_id != NULL) {
		free(*image_id);
		*image_id = xstrdup(s);
	}
	json_decref(j);
	return 0;
}

/* One complete line of build output. */
static void
build_line(struct xfer *x, const char *line, size_t len)
{
	if (x->bk != NULL && len > 0 && memmem(line, len,
	    "\"moby.buildkit.trace\"", 21) != NULL) {
		json_t *j = json_loadb(line, len, 0, NULL);
		json_t *aux = json_object_get(j, "aux");
		int trace = json_is_string(aux); /* aux dies with j */

		if (trace && bk_progress_feed(x->bk, json_string_value(aux),
		    json_string_length(aux), x->line_fn, x->line_ctx) < 0 &&
		    x->build_error == NULL)
			x->build_error = xstrdup(error_last());
		json_decref(j);
		if (trace)
			return;
	}
	if (engine_build_parse_line(line, len, x->line_fn, x->line_ctx,
	    &x->image_id) < 0 && x->build_error == NULL)
		x->build_error = error_save();
}

/*
 * Split a stream into lines as it arrives; the last one may be partial and
 * waits in x->line. A line longer than ENGINE_LINE_MAX fails the build.
 */
static void
build_feed(struct xfer *x, const char *data, size_t len)
{
	const char *nl;
	size_t n;

	while (len > 0) {
		nl = memchr(data, '\n', len);
		n = nl != NULL ? (size_t)(nl - data) : len;
		if (!x->line_skip) {
			buf_add(&x->line, data, n);
			if (x->line.overflow) {
				if (x->build_error == NULL)
					x->build_error = xasprintf("the engine "
					    "sent a build output line longer "
					    "than %u bytes", ENGINE_LINE_MAX);
				x->line_skip = 1;
			}
		}
		if (nl == NULL)
			return;
		if (!x->line_skip)
			(x->on_line != NULL ? x->on_line : build_line)(x,
			    x->line.buf, x->line.len);
		x->line_skip = 0;
		buf_reset(&x->line);
		data = nl + 1;
		len -= n + 1;
	}
}

/* "&name=value", value URL-encoded, onto a query; nothing for NULL. */
static void
add_param(struct buf *path, const char *name, const char *value)
{
	char *enc;

	if (value == NULL)
		return;
	enc = engine_urlencode(value);
	buf_addf(path, "&%s=%s", name, enc);
	free(enc);
}

int
engine_build(struct engine *e, const struct engine_build_opts *opts,
    engine_read_fn read_fn, void *read_ctx, engine_line_fn line_fn,
    void *line_ctx, char **image_id)
{
	static const struct engine_build_opts defaults;
	struct buf path = BUF_INIT;
	struct xfer x;
	const char *const *t;
	int status, rc = -1;

	*image_id = NULL;
	if (opts == NULL)
		opts = &defaults;
	buf_addf(&path, "/build?version=%d&rm=1&forcerm=1",
	    opts->buildkit ? 2 : 1);
	for (t = opts->tags; t != NULL && *t != NULL; t++)
		add_param(&path, "t", *t);
	add_param(&path, "dockerfile", opts->dockerfile);
	add_param(&path, "target", opts->target);
	if (opts->buildargs != NULL || opts->labels != NULL) {
		json_t *objs[] = { opts->buildargs, opts->labels };
		const char *names[] = { "buildargs", "labels" };
		size_t i;

		for (i = 0; i < ARRAY_SIZE(objs); i++) {
			char *text;

			if (objs[i] == NULL)
				continue;
			text = json_dumps(objs[i], JSON_COMPACT);
			if (text == NULL) {
				error_set("cannot encode build %s", names[i]);
				goto done_path;
			}
			add_param(&path, names[i], text);
			free(text);
		}
	}
	if (opts->nocache)
		buf_adds(&path, "&nocache=1");
	if (opts->shm_size > 0)
		buf_addf(&path, "&shmsize=%lld", opts->shm_size);
	add_param(&path, "networkmode", opts->network);
	for (t = opts->extra_hosts; t != NULL && *t != NULL; t++)
		add_param(&path, "extrahosts", *t);

	xfer_init(&x, e, "POST", path.buf, XF_LONG);
	x.answer.max = ENGINE_ERROR_MAX;
	x.content_type = "application/x-tar";
	x.read_fn = read_fn;
	x.read_ctx = read_ctx;
	x.registry_config = opts->registry_config;
	if (opts->buildkit)
		x.bk = bk_progress_new();
	x.feed = build_feed;
	x.line_fn = line_fn;
	x.line_ctx = line_ctx;
	x.tick = opts->tick;
	x.tick_ctx = opts->tick_ctx;
	if ((status = xfer_run(&x)) < 0)
		goto done;
	if (status != 200) {
		set_engine_error(status, &x.answer);
		goto done;
	}
	if (x.line.len > 0 && !x.line_skip)
		build_line(&x, x.line.buf, x.line.len);
	if (x.build_error != NULL) {
		error_set("%s", x.build_error);
		goto done;
	}
	*image_id = x.image_id;
	x.image_id = NULL;
	rc = 0;
done:
	xfer_dispose(&x);
done_path:
	buf_release(&path);
	return rc;
}

/* Logs. */

static void
demux_emit(struct engine_demux *d, engine_line_fn line_fn, void *ctx)
{
	size_t len = d->line_len;

	if (len > 0 && d->line[len - 1] == '\r')
		len--;
	if (line_fn != NULL) {
		d->line[len] = '\0';
		line_fn(ctx, d->line);
	}
	d->line_len = 0;
}

/* Append payload bytes to the current line, emitting complete lines. */
static void
demux_text(struct engine_demux *d, const char *data, size_t len,
    engine_line_fn line_fn, void *ctx)
{
	const char *nl;
	size_t n;

	while (len > 0) {
		nl = memchr(data, '\n', len);
		n = nl != NULL ? (size_t)(nl - data) : len;
		if (n > ENGINE_LINE_MAX - d->line_len)
			n = ENGINE_LINE_MAX - d->line_len;
		d->line = xgrow(d->line, &d->line_alloc, d->line_len + n + 1, 1);
		memcpy(d->line + d->line_len, data, n);
		d->line_len += n;
		data += n;
		len -= n;
		if (len > 0 && *data == '\n') {
			data++;
			len--;
			demux_emit(d, line_fn, ctx);
		} else if (d->line_len == ENGINE_LINE_MAX)
			demux_emit(d, line_fn, ctx); /* split an over-long line */
	}
}

void
engine_demux_feed(struct engine_demux *d, const char *data, size_t len,
    engine_line_fn line_fn, void *ctx)
{
	size_t n;

	while (len > 0) {
		if (d->frame_left == 0) {
			n = sizeof d->hdr - d->hdr_len;
			if (n > len)
				n = len;
			memcpy(d->hdr + d->hdr_len, data, n);
			d->hdr_len += n;
			data += n;
			len -= n;
			if (d->hdr_len < sizeof d->hdr)
				return;
			d->hdr_len = 0;
			/* A partial line does not continue in another stream. */
			if (d->line_len > 0 && d->stream != d->hdr[0])
				demux_emit(d, line_fn, ctx);
			d->stream = d->hdr[0];
			d->frame_left = (size_t)d->hdr[4] << 24 |
			    (size_t)d->hdr[5] << 16 | (size_t)d->hdr[6] << 8 |
			    d->hdr[7];
			continue;
		}
		n = d->frame_left < len ? d->frame_left : len;
		demux_text(d, data, n, line_fn, ctx);
		d->frame_left -= n;
		data += n;
		len -= n;
	}
}

void
engine_demux_finish(struct engine_demux *d, engine_line_fn line_fn,
    void *ctx)
{
	if (d->line_len > 0)
		demux_emit(d, line_fn, ctx);
	free(d->line);
	memset(d, 0, sizeof *d);
}

static void
logs_feed_mux(struct xfer *x, const char *data, size_t len)
{
	engine_demux_feed(&x->demux, data, len, x->line_fn, x->line_ctx);
}

static void
logs_feed_raw(struct xfer *x, const char *data, size_t len)
{
	demux_text(&x->demux, data, len, x->line_fn, x->line_ctx);
}

int
engine_container_logs(struct engine *e, const char *id, long tail,
    int follow, int tty, engine_line_fn line_fn, void *ctx)
{
	struct engine_logs_opts o = { 0 };

	o.tail = tail;
	o.follow = follow;
	o.tty = tty;
	return engine_container_logs_opts(e, id, &o, line_fn, ctx);
}

/* GET /<kind>/{id}/logs: kind is "containers" or "services". */
static int
logs_opts(struct engine *e, const char *kind, const char *id,
    const struct engine_logs_opts *o, engine_line_fn line_fn, void *ctx)
{
	char *enc = engine_urlencode(id), *path;
	struct buf q = BUF_INIT;
	struct xfer x;
	int status, rc = -1;

	buf_addf(&q, "/%s/%s/logs?stdout=1&stderr=1&", kind, enc);
	if (o->tail < 0)
		buf_adds(&q, "tail=all");
	else
		buf_addf(&q, "tail=%ld", o->tail);
	buf_addf(&q, "&follow=%d", o->follow ? 1 : 0);
	if (o->since > 0)
		buf_addf(&q, "&since=%lld", o->since);
	if (o->timestamps)
		buf_adds(&q, "&timestamps=1");
	path = buf_detach(&q, NULL);
	xfer_init(&x, e, "GET", path, XF_LONG);
	x.answer.max = ENGINE_ERROR_MAX;
	x.feed = o->tty ? logs_feed_raw : logs_feed_mux;
	x.line_fn = line_fn;
	x.line_ctx = ctx;
	if ((status = xfer_run(&x)) < 0)
		goto done;
	if (status != 200) {
		set_engine_error(status, &x.answer);
		goto done;
	}
	engine_demux_finish(&x.demux, line_fn, ctx);
	rc = 0;
done:
	xfer_dispose(&x);
	free(path);
	free(enc);
	return rc;
}

int
engine_container_logs_opts(struct engine *e, const char *id,
    const struct engine_logs_opts *o, engine_line_fn line_fn, void *ctx)
{
	return logs_opts(e, "containers", id, o, line_fn, ctx);
}

int
engine_service_logs(struct engine *e, const char *id,
    const struct engine_logs_opts *o, engine_line_fn line_fn, void *ctx)
{
	return logs_opts(e, "services", id, o, line_fn, ctx);
}

/* Swarm. */

int
engine_swarm_manager(struct engine *e, int *manager, char **state)
{
	json_t *info = NULL, *swarm;
	const char *st;

	*manager = 0;
	if (state != NULL)
		*state = NULL;
	if (call_ok(e, "GET", "/info", NULL, &info, 0, 0) < 0)
		return -1;
	swarm = json_object_get(info, "Swarm");
	*manager = json_is_true(json_object_get(swarm, "ControlAvailable"));
	st = json_string_value(json_object_get(swarm, "LocalNodeState"));
	if (state != NULL)
		*state = xstrdup(st != NULL ? st : "inactive");
	json_decref(info);
	return 0;
}

int
engine_service_list(struct engine *e, const char *const *labels,
    size_t nlabels, json_t **out)
{
	char *path = with_filter("/services", '?', labels, nlabels);
	int rc = call_ok(e, "GET", path, NULL, out, 0, 0);

	free(path);
	return rc;
}

int
engine_service_list_any(struct engine *e, const char *const *labels,
    size_t nlabels, json_t **out)
{
	char *path = with_filter("/services", '?', labels, nlabels);
	json_t *j = NULL;
	int status = call(e, "GET", path, NULL, &j, 0);

	free(path);
	*out = NULL;
	if (status == 503) {
		json_decref(j);
		error_clear();
		return 1;
	}
	if (status < 0)
		return -1;
	if (status < 200 || status >= 300) {
		json_decref(j);
		if (status >= 400)
			return -1; /* the engine's message is already set */
		return error_set("engine answered GET /services with HTTP %d",
		    status);
	}
	*out = j;
	return 0;
}

int
engine_service_inspect(struct engine *e, const char *id, json_t **out)
{
	char *path = epath("/services/%s", id, NULL);
	int rc = call_inspect(e, path, out);

	free(path);
	return rc;
}

int
engine_service_create(struct engine *e, json_t *spec, const char *auth,
    char **id_out)
{
	const char *name = json_string_value(json_object_get(spec, "Name"));
	json_t *res = NULL, *found = NULL;
	const char *id;
	int status;

	*id_out = NULL;
	status = call_auth(e, "POST", "/services/create", spec, &res, 0, auth);
	/* Unanswered: the service may exist; look before creating again. */
	if (status < 0 && e->unanswered && e->retry_ms != 0 && name != NULL &&
	    engine_service_inspect(e, name, &found) == 0) {
		id = json_string_value(json_object_get(found, "ID"));
		*id_out = id != NULL ? xstrdup(id) : NULL;
		json_decref(found);
		return *id_out != NULL ? 0 : error_set("service \"%s\" has no ID",
		    name);
	}
	if (status < 0 || status >= 400) {
		json_decref(res);
		return -1;
	}
	id = json_string_value(json_object_get(res, "ID"));
	if (id == NULL) {
		json_decref(res);
		return error_set("engine answered POST /services/create without "
		    "an ID");
	}
	*id_out = xstrdup(id);
	json_decref(res);
	return 0;
}

int
engine_service_update(struct engine *e, const char *id, long long version,
    json_t *spec, const char *auth, int rollback)
{
	char *enc = engine_urlencode(id);
	char *path = xasprintf("/services/%s/update?version=%lld%s", enc,
	    version, rollback ? "&rollback=previous" : "");
	json_t *res = NULL;
	size_t i;
	json_t *w;
	int rc = -1, status;

	/* Never resent blindly: the version it names is then stale anyway. */
	status = call_auth(e, "POST", path, spec, &res, 0, auth);
	if (status >= 200 && status < 300)
		rc = 0;
	else if (status >= 0 && status < 400)
		error_set("engine answered POST /services/update with HTTP %d",
		    status);
	if (rc == 0)
		json_array_foreach(json_object_get(res, "Warnings"), i, w) {
			if (json_string_value(w) != NULL)
				out_warn("warning: %s", json_string_value(w));
		}
	json_decref(res);
	free(path);
	free(enc);
	return rc;
}

int
engine_service_remove(struct engine *e, const char *id)
{
	char *path = epath("/services/%s", id, NULL);
	int rc = call_ok(e, "DELETE", path, NULL, NULL, 404, XF_IDEM);

	free(path);
	return rc;
}

int
engine_task_list(struct engine *e, const char *key, const char *value,
    json_t **out)
{
	json_t *f = json_pack("{s:[s]}", key, value);
	char *text = json_dumps(f, JSON_COMPACT), *enc, *path;
	int rc;

	json_decref(f);
	if (text == NULL)
		abort(); /* jansson fails here only out of memory */
	enc = engine_urlencode(text);
	path = xasprintf("/tasks?filters=%s", enc);
	rc = call_ok(e, "GET", path, NULL, out, 0, 0);
	free(path);
	free(enc);
	free(text);
	return rc;
}

/*
 * Hijacked connections (attach, exec start): libcurl cannot hand a connection
 * over after the HTTP answer, so these speak HTTP/1.1 themselves on a socket
 * of their own.
 */
#define HIJACK_HEAD_MAX (64u << 10)

static int
hijack_connect(struct engine *e)
{
	struct addrinfo hints, *res = NULL, *ai;
	char *host, *port;
	int fd = -1, gai;

	if (e->socket != NULL) {
		struct sockaddr_un sa;

		memset(&sa, 0, sizeof sa);
		sa.sun_family = AF_UNIX;
		if (strlen(e->socket) >= sizeof sa.sun_path)
			return error_set("socket path too long: %s", e->socket);
		memcpy(sa.sun_path, e->socket, strlen(e->socket) + 1);
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
		    connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
			error_set("cannot connect to %s: %s", e->host,
			    strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		return fd;
	}
	host = xstrdup(e->base + strlen("http://"));
	if ((port = strrchr(host, ':')) == NULL) {
		free(host);
		return error_set("docker_host \"%s\" names no port", e->host);
	}
	*port++ = '\0';
	if (host[0] == '[') {
		memmove(host, host + 1, strlen(host));
		host[strcspn(host, "]")] = '\0';
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	if ((gai = getaddrinfo(host, port, &hints, &res)) != 0) {
		error_set("cannot resolve %s: %s", e->host, gai_strerror(gai));
		free(host);
		return -1;
	}
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0)
		error_set("cannot connect to %s: %s", e->host, strerror(errno));
	freeaddrinfo(res);
	free(host);
	return fd;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
engine_hijack(struct engine *e, const char *path, json_t *body, int *fd_out,
    struct buf *early)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : xstrdup("");
	struct buf head = BUF_INIT;
	char *end = NULL, chunk[4096];
	long status = 0;
	int fd = -1, rc = -1;

	*fd_out = -1;
	if ((fd = hijack_connect(e)) < 0)
		goto done;
	buf_addf(&head, "POST /v%s%s HTTP/1.1\r\nHost: localhost\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n"
	    "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n%s", e->version, path,
	    strlen(text), text);
	if (write_all(fd, head.buf, head.len) < 0) {
		error_set("cannot write to %s: %s", e->host, strerror(errno));
		goto done;
	}
	buf_reset(&head);
	head.max = HIJACK_HEAD_MAX;
	while ((end = strstr(head.buf, "\r\n\r\n")) == NULL) {
		ssize_t n = read(fd, chunk, sizeof chunk);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || head.overflow) {
			error_set("%s: no answer from the engine", path);
			goto done;
		}
		buf_add(&head, chunk, (size_t)n);
	}
	if (sscanf(head.buf, "HTTP/1.%*d %ld", &status) != 1) {
		error_set("%s: not an HTTP answer", path);
		goto done;
	}
	end += 4;
	if (status >= 400) {
		struct buf msg = BUF_INIT;

		msg.max = ENGINE_ERROR_MAX;
		buf_add(&msg, end, head.len - (size_t)(end - head.buf));
		set_engine_error(status, &msg);
		buf_release(&msg);
		goto done;
	}
	if (status != 101 && status != 200) {
		error_set("%s: engine answered HTTP %ld", path, status);
		goto done;
	}
	buf_add(early, end, head.len - (size_t)(end - head.buf));
	*fd_out = fd;
	fd = -1;
	rc = 0;
done:
	if (fd >= 0)
		close(fd);
	buf_release(&head);
	free(text);
	return rc;
}

/* Hand data from the engine to out/err: raw (tty) or multiplexed frames. */
static int
pump_out(struct engine_demux *d, int tty, const char *data, size_t len,
    int out_fd, int err_fd)
{
	while (len > 0) {
		size_t n;

		if (tty)
			return write_all(out_fd, data, len);
		if (d->frame_left == 0) {
			n = 8 - d->hdr_len < len ? 8 - d->hdr_len : len;
			memcpy(d->hdr + d->hdr_len, data, n);
			d->hdr_len += n, data += n, len -= n;
			if (d->hdr_len == 8) {
				d->stream = d->hdr[0];
				d->frame_left = (size_t)d->hdr[4] << 24 |
				    (size_t)d->hdr[5] << 16 |
				    (size_t)d->hdr[6] << 8 | d->hdr[7];
				d->hdr_len = 0;
			}
			continue;
		}
		n = d->frame_left < len ? d->frame_left : len;
		if (write_all(d->stream == 2 ? err_fd : out_fd, data, n) < 0)
			return -1;
		d->frame_left -= n, data += n, len -= n;
	}
	return 0;
}

int
engine_stream_pump(int sock, const struct buf *early, int in_fd, int out_fd,
    int err_fd, int tty, volatile int *stop)
{
	struct engine_demux d;
	struct pollfd pfd[2];
	char chunk[16384];
	int rc = 0;

	memset(&d, 0, sizeof d);
	if (early->len > 0 &&
	    pump_out(&d, tty, early->buf, early->len, out_fd, err_fd) < 0)
		return error_set("cannot write the output: %s", strerror(errno));
	for (;;) {
		ssize_t n;
		int np = 1;

		if (stop != NULL && *stop)
			return error_set("interrupted");
		pfd[0].fd = sock;
		pfd[0].events = POLLIN;
		if (in_fd >= 0) {
			pfd[1].fd = in_fd;
			pfd[1].events = POLLIN;
			np = 2;
		}
		if (poll(pfd, (nfds_t)np, -1) < 0) {
			if (errno == EINTR)
				continue;
			return error_set("poll: %s", strerror(errno));
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(sock, chunk, sizeof chunk);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break; /* the container's output ended */
			if (pump_out(&d, tty, chunk, (size_t)n, out_fd, err_fd) < 0) {
				rc = error_set("cannot write the output: %s",
				    strerror(errno));
				break;
			}
		}
		if (np == 2 && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			n = read(in_fd, chunk, sizeof chunk);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0 || write_all(sock, chunk, (size_t)n) < 0) {
				/* End of input: the container's stdin closes. */
				shutdown(sock, SHUT_WR);
				in_fd = -1;
			}
		}
	}
	return rc;
}

/* Pull and push. */

/* base64url of j's compact JSON text; the text is wiped (it may hold a
 * password). NULL with error_set when j cannot be encoded. */
static char *
b64url_json(json_t *j, const char *what)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	char *text, *out;
	const unsigned char *in;
	size_t len, i, o = 0;

	if (j == NULL || (text = json_dumps(j, JSON_COMPACT)) == NULL) {
		error_set("cannot encode the credentials of %s (not UTF-8?)",
		    what);
		return NULL;
	}
	in = (const unsigned char *)text;
	len = strlen(text);
	out = xmalloc((len + 2) / 3 * 4 + 1);
	for (i = 0; i + 2 < len; i += 3) {
		out[o++] = alphabet[in[i] >> 2];
		out[o++] = alphabet[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
		out[o++] = alphabet[((in[i + 1] & 15) << 2) | (in[i + 2] >> 6)];
		out[o++] = alphabet[in[i + 2] & 63];
	}
	if (len - i == 1) {
		out[o++] = alphabet[in[i] >> 2];
		out[o++] = alphabet[(in[i] & 3) << 4];
		out[o++] = '=';
		out[o++] = '=';
	} else if (len - i == 2) {
		out[o++] = alphabet[in[i] >> 2];
		out[o++] = alphabet[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
		out[o++] = alphabet[(in[i + 1] & 15) << 2];
		out[o++] = '=';
	}
	out[o] = '\0';
	/* The JSON held a password: leave no copy in freed memory. */
	explicit_bzero(text, len);
	free(text);
	return out;
}

static json_t *
auth_object(const char *username, const char *password,
    const char *serveraddress)
{
	return json_pack("{s:s, s:s, s:s}", "username", username ? username : "",
	    "password", password ? password : "", "serveraddress",
	    serveraddress ? serveraddress : "");
}

char *
engine_registry_auth(const char *username, const char *password,
    const char *serveraddress)
{
	json_t *j = auth_object(username, password, serveraddress);
	char *what = xasprintf("registry \"%s\"",
	    serveraddress ? serveraddress : "");
	char *out = b64url_json(j, what);

	free(what);
	json_decref(j);
	return out;
}

int
engine_registry_config_add(json_t **config, const char *username,
    const char *password, const char *serveraddress)
{
	json_t *a = auth_object(username, password, serveraddress);

	if (a == NULL)
		return error_set("cannot encode the credentials of registry "
		    "\"%s\" (not UTF-8?)", serveraddress);
	if (*config == NULL)
		*config = json_object();
	/* Docker Hub's credentials go under its index URL, as docker's CLI
	 * sends them. */
	json_object_set_new(*config, strcmp(serveraddress, "docker.io") == 0 ?
	    "https://index.docker.io/v1/" : serveraddress, a);
	return 0;
}

char *
engine_registry_config(json_t *config)
{
	return b64url_json(config, "the registries");
}

void
engine_progress_dispose(struct engine_progress *p)
{
	kvlist_clear(&p->layers);
	free(p->digest);
	memset(p, 0, sizeof *p);
}

/* Remember digest (a "sha256:..." word) as the last one reported. */
static void
progress_digest(struct engine_progress *p, const char *s)
{
	size_t n;

	if (s == NULL || !starts_with(s, "sha256:"))
		return;
	n = 7 + strspn(s + 7, "0123456789abcdef");
	if (n != 7 + 64)
		return;
	free(p->digest);
	p->digest = xstrndup(s, n);
}

int
engine_progress_parse_line(struct engine_progress *p, const char *line,
    size_t len, engine_line_fn line_fn, void *line_ctx)
{
	json_t *j;
	const char *status, *id;
	const struct kv *kv;
	int rc = -1;

	if (stream_object(line, len, "progress", &j) < 0)
		return -1;
	if (j == NULL)
		return 0;
	progress_digest(p, json_string_value(json_object_get(json_object_get(j,
	    "aux"), "Digest")));
	status = json_string_value(json_object_get(j, "status"));
	id = json_string_value(json_object_get(j, "id"));
	if (status == NULL || *status == '\0') {
		rc = 0;
		goto done;
	}
	if (starts_with(status, "Digest: "))
		progress_digest(p, status + 8);
	if (id != NULL && *id != '\0') {
		/* A layer: one line per change of state, not per byte. */
		kv = kvlist_find(&p->layers, id);
		if (kv != NULL && kv->value != NULL &&
		    strcmp(kv->value, status) == 0) {
			rc = 0;
			goto done;
		}
		if (kv != NULL || p->layers.n < ENGINE_PROGRESS_LAYERS)
			kvlist_set(&p->layers, id, status);
		else if (kv == NULL) {
			rc = 0; /* past the cap: say nothing more of new ids */
			goto done;
		}
		if (line_fn != NULL) {
			char *text = xasprintf("%s: %s", id, status);

			emit_lines(text, strlen(text), line_fn, line_ctx);
			free(text);
		}
	} else if (line_fn != NULL)
		emit_lines(status, strlen(status), line_fn, line_ctx);
	rc = 0;
done:
	json_decref(j);
	return rc;
}

/* One complete line of pull or push progress. */
static void
progress_line(struct xfer *x, const char *line, size_t len)
{
	if (x->build_error != NULL)
		return;
	if (engine_progress_parse_line(x->progress, line, len, x->line_fn,
	    x->line_ctx) < 0)
		x->build_error = error_save();
}

/* POST path with auth, its progress through line_fn, into p. */
static int
progress_call(struct engine *e, const char *path, const char *auth,
    struct engine_progress *p, engine_line_fn line_fn, void *line_ctx)
{
	struct xfer x;
	int status, rc = -1;

	xfer_init(&x, e, "POST", path, XF_LONG);
	x.answer.max = ENGINE_ERROR_MAX;
	x.registry_auth = auth;
	x.feed = build_feed;
	x.on_line = progress_line;
	x.progress = p;
	x.line_fn = line_fn;
	x.line_ctx = line_ctx;
	if ((status = xfer_run(&x)) < 0)
		goto done;
	if (status != 200) {
		set_engine_error(status, &x.answer);
		goto done;
	}
	if (x.line.len > 0 && !x.line_skip)
		progress_line(&x, x.line.buf, x.line.len);
	if (x.build_error != NULL) {
		error_set("%s", x.build_error);
		goto done;
	}
	rc = 0;
done:
	xfer_dispose(&x);
	return rc;
}

int
engine_ref_split(const char *ref, char **name, char **tag)
{
	const char *at = strchr(ref, '@'), *slash = strrchr(ref, '/'), *colon;

	if (at != NULL) {
		*name = xstrndup(ref, (size_t)(at - ref));
		*tag = xstrdup(at + 1);
		return 0;
	}
	colon = strrchr(ref, ':');
	if (colon != NULL && (slash == NULL || colon > slash)) {
		*name = xstrndup(ref, (size_t)(colon - ref));
		*tag = xstrdup(colon + 1);
	} else {
		*name = xstrdup(ref);
		*tag = xstrdup("latest");
	}
	return 0;
}

int
engine_image_pull(struct engine *e, const char *ref, const char *auth,
    engine_line_fn line_fn, void *line_ctx, char **digest)
{
	struct engine_progress p = ENGINE_PROGRESS_INIT;
	char *name = NULL, *tag = NULL, *ename, *etag, *path;
	int rc;

	if (digest != NULL)
		*digest = NULL;
	ignore_status(engine_ref_split(ref, &name, &tag));
	ename = engine_urlencode(name);
	etag = engine_urlencode(tag);
	path = xasprintf("/images/create?fromImage=%s&tag=%s", ename, etag);
	rc = progress_call(e, path, auth, &p, line_fn, line_ctx);
	if (rc == 0 && digest != NULL && p.digest != NULL) {
		*digest = p.digest;
		p.digest = NULL;
	}
	engine_progress_dispose(&p);
	free(path);
	free(etag);
	free(ename);
	free(tag);
	free(name);
	return rc;
}

int
engine_image_push(struct engine *e, const char *name, const char *tag,
    const char *auth, engine_line_fn line_fn, void *line_ctx, char **digest)
{
	struct engine_progress p = ENGINE_PROGRESS_INIT;
	char *ename = engine_urlencode(name), *etag = engine_urlencode(tag);
	char *path = xasprintf("/images/%s/push?tag=%s", ename, etag);
	int rc;

	*digest = NULL;
	/* The engine wants a header even for an open registry. */
	rc = progress_call(e, path, auth != NULL ? auth : "e30=", &p, line_fn,
	    line_ctx);
	if (rc == 0 && p.digest == NULL)
		rc = error_set("the push of %s:%s reported no digest", name, tag);
	if (rc == 0) {
		*digest = p.digest;
		p.digest = NULL;
	}
	engine_progress_dispose(&p);
	free(path);
	free(etag);
	free(ename);
	return rc;
}
