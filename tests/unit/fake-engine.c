/*
 * fake-engine.c - the fake Engine API of fake-engine.h: a thread on a
 * private unix socket answering canned responses, then the simulator.
 */
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "unit.h"
#include "fake-engine.h"

static char *sim_answer(const char *req, const char *body);
static void sim_reset(void);

/*
 * A fake engine: a thread answering on a unix socket with canned responses,
 * one per request, in order. It records each request line, header block and
 * (de-chunked) body.
 */
struct fake fk;

void
fake_add_bin(const void *response, size_t len)
{
	struct buf *b;

	pthread_mutex_lock(&fk.mu);
	fk.script = xgrow(fk.script, &fk.ascript, fk.nscript + 1,
	    sizeof *fk.script);
	b = &fk.script[fk.nscript++];
	buf_init(b, 0);
	buf_add(b, response, len);
	pthread_mutex_unlock(&fk.mu);
}

void
fake_add(const char *response)
{
	fake_add_bin(response, strlen(response));
}

void
fake_add_owned(char *response)
{
	fake_add(response);
	free(response);
}

char *
fake_http(int status, const char *reason, const char *headers, const char *body)
{
	return xasprintf("HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
	    "Content-Length: %zu\r\n%s\r\n%s", status, reason, strlen(body),
	    headers, body);
}

void
fake_ping(const char *version)
{
	char *h = version != NULL ? xasprintf("Api-Version: %s\r\n", version) :
	    xstrdup("");

	fake_add_owned(xasprintf("HTTP/1.1 200 OK\r\n%sContent-Type: "
	    "text/plain; charset=utf-8\r\nContent-Length: 2\r\n\r\nOK", h));
	free(h);
}

/* Copies of what the fake saw, for the main thread. */
char *
fake_req(size_t i)
{
	char *s = NULL;

	pthread_mutex_lock(&fk.mu);
	if (i < fk.reqs.n)
		s = xstrdup(fk.reqs.v[i]);
	pthread_mutex_unlock(&fk.mu);
	return s;
}

size_t
fake_nreqs(void)
{
	size_t n;

	pthread_mutex_lock(&fk.mu);
	n = fk.reqs.n;
	pthread_mutex_unlock(&fk.mu);
	return n;
}

int
fake_accepts(void)
{
	int n;

	pthread_mutex_lock(&fk.mu);
	n = fk.accepts;
	pthread_mutex_unlock(&fk.mu);
	return n;
}


/* Read more of the connection into in: >0, or 0 at EOF / when told to stop. */
static int
fake_read(int fd, struct buf *in)
{
	struct pollfd p[2] = { { fd, POLLIN, 0 }, { fk.stop[0], POLLIN, 0 } };
	char chunk[65536];
	ssize_t n;

	if (poll(p, 2, -1) < 0 || (p[1].revents & POLLIN))
		return 0;
	n = read(fd, chunk, sizeof chunk);
	if (n <= 0)
		return 0;
	buf_add(in, chunk, (size_t)n);
	return 1;
}

/* Make sure in holds at least n bytes. */
static int
fake_need(int fd, struct buf *in, size_t n)
{
	while (in->len < n) {
		if (!fake_read(fd, in))
			return 0;
	}
	return 1;
}

/* Offset just past the next CRLF at or after pos, reading as needed. */
static size_t
fake_line(int fd, struct buf *in, size_t pos)
{
	char *p;

	while ((p = memmem(in->buf + pos, in->len - pos, "\r\n", 2)) == NULL) {
		if (!fake_read(fd, in))
			return 0;
	}
	return (size_t)(p - in->buf) + 2;
}

static void
fake_serve(int fd)
{
	struct buf in = BUF_INIT, body = BUF_INIT;
	char *head, *end, *resp, *cl;
	size_t pos, eol, n, len;

	buf_add(&in, "", 0);
	for (;;) {
		while ((end = memmem(in.buf, in.len, "\r\n\r\n", 4)) == NULL) {
			if (!fake_read(fd, &in))
				goto done;
		}
		pos = (size_t)(end - in.buf) + 4;
		head = xstrndup(in.buf, pos);
		buf_reset(&body);
		buf_add(&body, "", 0);
		if (strcasestr(head, "\r\nTransfer-Encoding: chunked") != NULL) {
			for (;;) {
				if ((eol = fake_line(fd, &in, pos)) == 0)
					goto done_head;
				n = strtoul(in.buf + pos, NULL, 16);
				pos = eol;
				if (!fake_need(fd, &in, pos + n + 2))
					goto done_head;
				buf_add(&body, in.buf + pos, n);
				pos += n + 2;
				if (n == 0)
					break;
			}
		} else if ((cl = strcasestr(head, "\r\nContent-Length: ")) != NULL) {
			n = strtoul(cl + 18, NULL, 10);
			if (!fake_need(fd, &in, pos + n))
				goto done_head;
			buf_add(&body, in.buf + pos, n);
			pos += n;
		}
		memmove(in.buf, in.buf + pos, in.len - pos);
		in.len -= pos;

		pthread_mutex_lock(&fk.mu);
		strv_push_owned(&fk.reqs, xstrndup(head, strcspn(head, "\r") -
		    strlen(" HTTP/1.1")));
		strv_push(&fk.heads, head);
		strv_push(&fk.bodies, body.buf);
		if (fk.next < fk.nscript) {
			len = fk.script[fk.next].len;
			resp = xmalloc(len + 1);
			memcpy(resp, fk.script[fk.next++].buf, len + 1);
		} else if (fk.sim) {
			resp = sim_answer(fk.reqs.v[fk.reqs.n - 1], body.buf);
			len = strlen(resp);
		} else {
			resp = xstrdup("HTTP/1.1 599 Script Ended\r\n"
			    "Content-Length: 0\r\n\r\n");
			len = strlen(resp);
		}
		pthread_mutex_unlock(&fk.mu);
		free(head);

		for (pos = 0; pos < len; pos += n) {
			ssize_t w = send(fd, resp + pos, len - pos, MSG_NOSIGNAL);

			if (w <= 0)
				break;
			n = (size_t)w;
		}
		end = memmem(resp, len, "\r\n\r\n", 4);
		n = pos < len || (end != NULL && memmem(resp, (size_t)(end - resp),
		    "\r\nConnection: close", 19) != NULL);
		free(resp);
		if (n)
			goto done;
	}
done_head:
	free(head);
done:
	buf_release(&in);
	buf_release(&body);
}

static void *
fake_conn(void *arg)
{
	int fd = (int)(intptr_t)arg;

	fake_serve(fd);
	close(fd);
	return NULL;
}

/*
 * Each connection is served on a thread of its own, as the engine serves
 * them: a client's second connection (a parallel worker, a removal beside a
 * start) is answered while its first one stays open.
 */
static void *
fake_main(void *arg)
{
	struct pollfd p[2] = { { fk.lfd, POLLIN, 0 }, { fk.stop[0], POLLIN, 0 } };
	int fd;

	for (;;) {
		if (poll(p, 2, -1) < 0 || (p[1].revents & POLLIN))
			break;
		if ((fd = accept(fk.lfd, NULL, NULL)) < 0)
			continue;
		pthread_mutex_lock(&fk.mu);
		fk.accepts++;
		pthread_mutex_unlock(&fk.mu);
		if (fk.nconns < (int)(sizeof fk.conns / sizeof fk.conns[0]) &&
		    pthread_create(&fk.conns[fk.nconns], NULL, fake_conn,
		    (void *)(intptr_t)fd) == 0)
			fk.nconns++;
		else
			fake_conn((void *)(intptr_t)fd);
	}
	return NULL;
}

int
fake_setup(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(&fk, 0, sizeof fk);
	snprintf(fk.dir, sizeof fk.dir, "/tmp/test-engine.XXXXXX");
	if (mkdtemp(fk.dir) == NULL)
		return -1;
	fk.sock = path_join(fk.dir, "docker.sock");
	fk.host = xasprintf("unix://%s", fk.sock);
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", fk.sock);
	pthread_mutex_init(&fk.mu, NULL);
	if ((fk.lfd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    bind(fk.lfd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    listen(fk.lfd, 8) < 0 || pipe(fk.stop) < 0)
		return -1;
	return pthread_create(&fk.thread, NULL, fake_main, NULL) == 0 ? 0 : -1;
}

int
fake_teardown(void **state)
{
	if (write(fk.stop[1], "x", 1) != 1)
		return -1;
	pthread_join(fk.thread, NULL);
	for (int i = 0; i < fk.nconns; i++)
		pthread_join(fk.conns[i], NULL);
	close(fk.lfd);
	close(fk.stop[0]);
	close(fk.stop[1]);
	assert_int_equal(remove_tree(fk.dir), 0);
	pthread_mutex_destroy(&fk.mu);
	for (size_t i = 0; i < fk.nscript; i++)
		buf_release(&fk.script[i]);
	free(fk.script);
	strv_clear(&fk.reqs);
	strv_clear(&fk.heads);
	strv_clear(&fk.bodies);
	free(fk.sock);
	free(fk.host);
	sim_reset();
	return 0;
}


size_t
fake_count(const char *prefix)
{
	size_t i, n = 0;

	pthread_mutex_lock(&fk.mu);
	for (i = 0; i < fk.reqs.n; i++) {
		const char *r = fk.reqs.v[i], *sp = strchr(r, ' ');
		struct buf b = BUF_INIT;

		/* "POST /v1.41/x" is counted as "POST /x" */
		if (sp != NULL && starts_with(sp, " /v1.") &&
		    strchr(sp + 2, '/') != NULL)
			buf_addf(&b, "%.*s%s", (int)(sp - r + 1), r,
			    strchr(sp + 2, '/'));
		else
			buf_adds(&b, r);
		n += starts_with(b.buf, prefix);
		buf_release(&b);
	}
	pthread_mutex_unlock(&fk.mu);
	return n;
}

/*
 * The simulator: a small in-memory engine. It answers what converge,
 * cutover and deploy ask, the way Engine API 1.41 does, and no more.
 */
struct sim_fail {
	char *prefix;
	int count;
	int status;
	char *message;
};

static struct {
	struct sim_container *c;
	size_t n, alloc;
	struct strv networks, volumes, images, image_ids;
	json_t *named_labels;  /* "<kind>/<name>": the Labels it was made with */
	struct sim_fail *fails;
	size_t nfails, afails;
	unsigned port;
	unsigned long next_id;
} sim;

static void
sim_container_free(struct sim_container *c)
{
	free(c->id);
	free(c->name);
	free(c->image);
	free(c->state);
	free(c->health);
	json_decref(c->labels);
	json_decref(c->ports);
	strv_clear(&c->networks);
	strv_clear(&c->volumes);
}

static void
sim_reset(void)
{
	size_t i;

	for (i = 0; i < sim.n; i++)
		sim_container_free(&sim.c[i]);
	free(sim.c);
	strv_clear(&sim.networks);
	strv_clear(&sim.volumes);
	json_decref(sim.named_labels);
	sim.named_labels = NULL;
	strv_clear(&sim.images);
	strv_clear(&sim.image_ids);
	for (i = 0; i < sim.nfails; i++) {
		free(sim.fails[i].prefix);
		free(sim.fails[i].message);
	}
	free(sim.fails);
	memset(&sim, 0, sizeof sim);
}

void
fake_sim_start(void)
{
	pthread_mutex_lock(&fk.mu);
	sim_reset();
	fk.sim = 1;
	pthread_mutex_unlock(&fk.mu);
}

static struct sim_container *
sim_find(const char *name)
{
	size_t i;

	for (i = 0; i < sim.n; i++) {
		if (strcmp(sim.c[i].name, name) == 0 ||
		    strcmp(sim.c[i].id, name) == 0)
			return &sim.c[i];
	}
	return NULL;
}

struct sim_container *
fake_sim_container(const char *name)
{
	struct sim_container *c;

	pthread_mutex_lock(&fk.mu);
	c = sim_find(name);
	pthread_mutex_unlock(&fk.mu);
	return c;
}

size_t
fake_sim_ncontainers(void)
{
	size_t n;

	pthread_mutex_lock(&fk.mu);
	n = sim.n;
	pthread_mutex_unlock(&fk.mu);
	return n;
}

int
fake_sim_has_network(const char *name)
{
	int r;

	pthread_mutex_lock(&fk.mu);
	r = strv_contains(&sim.networks, name);
	pthread_mutex_unlock(&fk.mu);
	return r;
}

int
fake_sim_has_volume(const char *name)
{
	int r;

	pthread_mutex_lock(&fk.mu);
	r = strv_contains(&sim.volumes, name);
	pthread_mutex_unlock(&fk.mu);
	return r;
}

void
fake_sim_add_image(const char *ref, const char *id)
{
	pthread_mutex_lock(&fk.mu);
	strv_push(&sim.images, ref);
	strv_push(&sim.image_ids, id);
	pthread_mutex_unlock(&fk.mu);
}

void
fake_sim_fail(const char *prefix, int count, int status, const char *message)
{
	struct sim_fail *f;

	pthread_mutex_lock(&fk.mu);
	sim.fails = xgrow(sim.fails, &sim.afails, sim.nfails + 1,
	    sizeof *sim.fails);
	f = &sim.fails[sim.nfails++];
	f->prefix = xstrdup(prefix);
	f->count = count;
	f->status = status;
	f->message = xstrdup(message);
	pthread_mutex_unlock(&fk.mu);
}

void
fake_sim_set_port(unsigned port)
{
	pthread_mutex_lock(&fk.mu);
	sim.port = port;
	pthread_mutex_unlock(&fk.mu);
}

static char *
answer(int status, json_t *body)
{
	char *text = body != NULL ? json_dumps(body, JSON_COMPACT) : xstrdup("");
	char *r = fake_http(status, status < 300 ? "OK" : "Error", "", text);

	json_decref(body);
	free(text);
	return r;
}

static char *
error_answer(int status, const char *fmt, const char *arg)
{
	char *msg = xasprintf(fmt, arg);
	char *r = answer(status, json_pack("{s:s}", "message", msg));

	free(msg);
	return r;
}

static char *
url_decode(const char *s, size_t len)
{
	struct buf b = BUF_INIT;
	size_t i;

	buf_add(&b, "", 0);
	for (i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len) {
			char hex[3] = { s[i + 1], s[i + 2], 0 };

			buf_addch(&b, (int)strtol(hex, NULL, 16));
			i += 2;
		} else
			buf_addch(&b, s[i] == '+' ? ' ' : s[i]);
	}
	return buf_detach(&b, NULL);
}

/* The decoded value of query parameter key in path, or NULL. */
static char *
query(const char *path, const char *key)
{
	const char *q = strchr(path, '?');
	size_t klen = strlen(key);

	while (q != NULL) {
		q++;
		if (strncmp(q, key, klen) == 0 && q[klen] == '=')
			return url_decode(q + klen + 1, strcspn(q + klen + 1, "&"));
		q = strchr(q, '&');
	}
	return NULL;
}

/* Do labels match every "k=v" / "k" of the label filter in path? */
static int
labels_match(const char *path, json_t *labels)
{
	char *f = query(path, "filters");
	json_t *filters, *want, *v;
	size_t i;
	int ok = 1;

	if (f == NULL)
		return 1;
	filters = json_loads(f, 0, NULL);
	free(f);
	want = json_object_get(filters, "label");
	json_array_foreach(want, i, v) {
		const char *kv = json_string_value(v), *eq = strchr(kv, '=');
		char *key = eq ? xstrndup(kv, (size_t)(eq - kv)) : xstrdup(kv);
		const char *have = json_string_value(json_object_get(labels, key));

		if (have == NULL || (eq != NULL && strcmp(have, eq + 1) != 0))
			ok = 0;
		free(key);
	}
	json_decref(filters);
	return ok;
}

static json_t *
container_summary(const struct sim_container *c)
{
	json_t *nets = json_object(), *mounts = json_array();
	size_t i;

	for (i = 0; i < c->networks.n; i++)
		json_object_set_new(nets, c->networks.v[i], json_object());
	for (i = 0; i < c->volumes.n; i++)
		json_array_append_new(mounts, json_pack("{s:s, s:s}", "Type",
		    "volume", "Name", c->volumes.v[i]));
	return json_pack("{s:s, s:[s+], s:O, s:s, s:s, s:{s:o}, s:o}",
	    "Id", c->id, "Names", "/", c->name, "Labels", c->labels,
	    "ImageID", c->image, "State", c->state,
	    "NetworkSettings", "Networks", nets, "Mounts", mounts);
}

static json_t *
container_inspect(const struct sim_container *c)
{
	json_t *state = json_pack("{s:s, s:b, s:I}", "Status", c->state,
	    "Running", strcmp(c->state, "running") == 0,
	    "ExitCode", (json_int_t)c->exit_code);
	json_t *ports = json_object(), *v;
	const char *key;
	char port[16];

	if (c->health != NULL)
		json_object_set_new(state, "Health",
		    json_pack("{s:s}", "Status", c->health));
	snprintf(port, sizeof port, "%u", sim.port);
	json_object_foreach(c->ports, key, v) {
		json_object_set_new(ports, key, sim.port == 0 ||
		    strcmp(c->state, "running") != 0 ? json_null() :
		    json_pack("[{s:s, s:s}]", "HostIp", "127.0.0.1",
		    "HostPort", port));
	}
	return json_pack("{s:s, s:s+, s:s, s:o, s:{s:O, s:s}, s:{s:o}}",
	    "Id", c->id, "Name", "/", c->name, "Image", c->image,
	    "State", state, "Config", "Labels", c->labels, "Image", c->image,
	    "NetworkSettings", "Ports", ports);
}

static char *
sim_create(const char *path, const char *body)
{
	char *name = query(path, "name");
	json_t *b = json_loads(body, 0, NULL), *host, *v;
	struct sim_container *c;
	const char *mode, *key;
	size_t i;

	if (name == NULL || b == NULL) {
		free(name);
		json_decref(b);
		return error_answer(400, "fake engine: bad create %s", path);
	}
	if (sim_find(name) != NULL) {
		char *r = error_answer(409, "Conflict. The container name "
		    "\"/%s\" is already in use", name);

		free(name);
		json_decref(b);
		return r;
	}
	sim.c = xgrow(sim.c, &sim.alloc, sim.n + 1, sizeof *sim.c);
	c = &sim.c[sim.n++];
	memset(c, 0, sizeof *c);
	c->id = xasprintf("%064lx", ++sim.next_id);
	c->name = name;
	c->image = xstrdup(json_string_value(json_object_get(b, "Image")) ?
	    json_string_value(json_object_get(b, "Image")) : "");
	for (i = 0; i < sim.images.n; i++) {
		if (strcmp(sim.images.v[i], c->image) == 0) {
			free(c->image);
			c->image = xstrdup(sim.image_ids.v[i]);
		}
	}
	c->state = xstrdup("created");
	c->labels = json_incref(json_object_get(b, "Labels"));
	if (c->labels == NULL)
		c->labels = json_object();
	host = json_object_get(b, "HostConfig");
	c->ports = json_incref(json_object_get(host, "PortBindings"));
	if (c->ports == NULL)
		c->ports = json_object();
	mode = json_string_value(json_object_get(host, "NetworkMode"));
	if (mode != NULL && strcmp(mode, "none") != 0 &&
	    !starts_with(mode, "container:"))
		strv_push(&c->networks, mode);
	json_object_foreach(json_object_get(json_object_get(b,
	    "NetworkingConfig"), "EndpointsConfig"), key, v) {
		if (!strv_contains(&c->networks, key))
			strv_push(&c->networks, key);
	}
	json_array_foreach(json_object_get(host, "Mounts"), i, v) {
		const char *type = json_string_value(json_object_get(v, "Type"));
		const char *src = json_string_value(json_object_get(v, "Source"));

		if (type && src && strcmp(type, "volume") == 0)
			strv_push(&c->volumes, src);
	}
	json_array_foreach(json_object_get(host, "Binds"), i, v) {
		const char *s = json_string_value(v), *colon = strchr(s, ':');

		if (colon != NULL && s[0] != '/' && s[0] != '.')
			strv_push_owned(&c->volumes,
			    xstrndup(s, (size_t)(colon - s)));
	}
	json_decref(b);
	return answer(201, json_pack("{s:s, s:[]}", "Id", c->id, "Warnings"));
}

/* "/containers/<x>/<verb>" or "/containers/<x>": the container and verb. */
static struct sim_container *
sim_target(const char *path, const char *prefix, char **verb)
{
	const char *p = path + strlen(prefix), *end = p + strcspn(p, "/?");
	char *name = xstrndup(p, (size_t)(end - p));
	struct sim_container *c = sim_find(name);

	free(name);
	*verb = *end == '/' ? xstrndup(end + 1, strcspn(end + 1, "?")) :
	    xstrdup("");
	return c;
}

static char *
sim_container_call(const char *method, const char *path, const char *body)
{
	char *verb = NULL, *r, *name;
	struct sim_container *c = sim_target(path, "/containers/", &verb);
	size_t i;

	if (c == NULL) {
		r = error_answer(404, "No such container: %s", path);
		goto done;
	}
	if (strcmp(method, "GET") == 0 && strcmp(verb, "json") == 0)
		r = answer(200, container_inspect(c));
	else if (strcmp(verb, "start") == 0) {
		free(c->state);
		c->state = xstrdup("running");
		r = answer(204, NULL);
	} else if (strcmp(verb, "stop") == 0) {
		free(c->state);
		c->state = xstrdup("exited");
		r = answer(204, NULL);
	} else if (strcmp(verb, "wait") == 0) {
		free(c->state);
		c->state = xstrdup("exited");
		r = answer(200, json_pack("{s:I}", "StatusCode",
		    (json_int_t)c->exit_code));
	} else if (strcmp(verb, "rename") == 0) {
		name = query(path, "name");
		if (name == NULL || sim_find(name) != NULL) {
			r = error_answer(409, "fake engine: cannot rename to %s",
			    name ? name : "");
			free(name);
		} else {
			free(c->name);
			c->name = name;
			r = answer(204, NULL);
		}
	} else if (strcmp(method, "DELETE") == 0 && *verb == '\0') {
		i = (size_t)(c - sim.c);
		sim_container_free(c);
		memmove(&sim.c[i], &sim.c[i + 1], (sim.n - i - 1) * sizeof *c);
		sim.n--;
		r = answer(204, NULL);
	} else
		r = error_answer(500, "fake engine: unsupported %s", path);
done:
	free(verb);
	return r;
}

/* Networks and volumes: names and the labels they were made with. */
static char *
sim_named(const char *method, const char *path, const char *body,
    const char *kind, struct strv *set)
{
	char *prefix = xasprintf("/%s/", kind), *name, *r, *key;
	json_t *b, *list, *labels;
	size_t i;

	if (sim.named_labels == NULL)
		sim.named_labels = json_object();
	if (strcmp(method, "POST") == 0 && strcmp(path + strlen(prefix),
	    "create") == 0) {
		b = json_loads(body, 0, NULL);
		strv_push(set, json_string_value(json_object_get(b, "Name")));
		key = xasprintf("%s/%s", kind,
		    json_string_value(json_object_get(b, "Name")));
		labels = json_object_get(b, "Labels");
		json_object_set(sim.named_labels, key, labels != NULL ? labels :
		    json_object());
		free(key);
		json_decref(b);
		r = answer(201, json_pack("{s:s}", "Id", "0"));
	} else if (strcmp(method, "GET") == 0 && (path[strlen(prefix) - 1] ==
	    '?' || path[strlen(prefix) - 1] == '\0' ||
	    path[strlen(prefix)] == '\0')) {
		list = json_array();
		for (i = 0; i < set->n; i++)
			json_array_append_new(list, json_pack("{s:s}", "Name",
			    set->v[i]));
		r = strcmp(kind, "volumes") == 0 ? answer(200,
		    json_pack("{s:o}", "Volumes", list)) : answer(200, list);
	} else {
		const char *p = path + strlen(prefix);

		name = xstrndup(p, strcspn(p, "/?"));
		if (p[strlen(name)] == '/' &&
		    starts_with(p + strlen(name), "/connect")) {
			struct sim_container *c;

			b = json_loads(body, 0, NULL);
			c = sim_find(json_string_value(json_object_get(b,
			    "Container")));
			if (c != NULL && !strv_contains(&c->networks, name))
				strv_push(&c->networks, name);
			json_decref(b);
			r = c ? answer(200, NULL) :
			    error_answer(404, "No such container: %s", path);
		} else if (!strv_contains(set, name))
			r = error_answer(404, "fake engine: no such %s", name);
		else if (strcmp(method, "DELETE") == 0) {
			strv_remove(set, name);
			key = xasprintf("%s/%s", kind, name);
			json_object_del(sim.named_labels, key);
			free(key);
			r = answer(204, NULL);
		} else {
			key = xasprintf("%s/%s", kind, name);
			labels = json_object_get(sim.named_labels, key);
			r = answer(200, json_pack("{s:s, s:o}", "Name", name,
			    "Labels", labels != NULL ? json_incref(labels) :
			    json_object()));
			free(key);
		}
		free(name);
	}
	free(prefix);
	return r;
}

static char *
sim_answer(const char *req, const char *body)
{
	const char *sp = strchr(req, ' '), *path;
	char *method, *r = NULL;
	size_t i;

	method = xstrndup(req, (size_t)(sp - req));
	path = sp + 1;
	if (starts_with(path, "/v1.") && strchr(path + 1, '/') != NULL)
		path = strchr(path + 1, '/');
	for (i = 0; i < sim.nfails; i++) {
		struct sim_fail *f = &sim.fails[i];
		char *what = xasprintf("%s %s", method, path), *verb = NULL;
		struct sim_container *c = NULL;
		int hit;

		if (starts_with(path, "/containers/"))
			c = sim_target(path, "/containers/", &verb);
		hit = f->count > 0 && starts_with(what, f->prefix);
		if (c != NULL && !hit) {
			/* a container called by id matches by name too */
			free(what);
			what = xasprintf("%s /containers/%s%s%s", method,
			    c->name, *verb ? "/" : "", verb);
			hit = f->count > 0 && starts_with(what, f->prefix);
		}
		free(verb);
		free(what);
		if (hit) {
			f->count--;
			r = error_answer(f->status, "%s", f->message);
			goto done;
		}
	}
	if (strcmp(path, "/_ping") == 0)
		r = xstrdup("HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\n"
		    "Content-Type: text/plain; charset=utf-8\r\n"
		    "Content-Length: 2\r\n\r\nOK");
	else if (strcmp(method, "GET") == 0 && strcmp(path, "/info") == 0)
		r = answer(200, json_pack("{s:{s:s,s:b}}", "Swarm",
		    "LocalNodeState", "inactive", "ControlAvailable", 0));
	else if (strcmp(method, "GET") == 0 && starts_with(path, "/services"))
		r = error_answer(503, "%s", "This node is not a swarm manager.");
	else if (strcmp(method, "GET") == 0 &&
	    starts_with(path, "/containers/json")) {
		json_t *list = json_array();

		for (i = 0; i < sim.n; i++) {
			if (labels_match(path, sim.c[i].labels))
				json_array_append_new(list,
				    container_summary(&sim.c[i]));
		}
		r = answer(200, list);
	} else if (strcmp(method, "POST") == 0 &&
	    starts_with(path, "/containers/create"))
		r = sim_create(path, body);
	else if (starts_with(path, "/containers/"))
		r = sim_container_call(method, path, body);
	else if (starts_with(path, "/networks"))
		r = sim_named(method, path, body, "networks", &sim.networks);
	else if (starts_with(path, "/volumes"))
		r = sim_named(method, path, body, "volumes", &sim.volumes);
	else if (strcmp(method, "GET") == 0 && starts_with(path, "/images/json")) {
		json_t *list = json_array();

		for (i = 0; i < sim.images.n; i++)
			json_array_append_new(list, json_pack("{s:s, s:[s]}",
			    "Id", sim.image_ids.v[i], "RepoTags", sim.images.v[i]));
		r = answer(200, list);
	} else if (strcmp(method, "GET") == 0 && starts_with(path, "/images/")) {
		const char *p = path + strlen("/images/");
		char *ref = url_decode(p, (size_t)(strstr(p, "/json") ?
		    strstr(p, "/json") - p : (long)strlen(p)));

		for (i = 0; i < sim.images.n; i++) {
			if (strcmp(sim.images.v[i], ref) == 0 ||
			    strcmp(sim.image_ids.v[i], ref) == 0)
				break;
		}
		r = i < sim.images.n ? answer(200, json_pack("{s:s}", "Id",
		    sim.image_ids.v[i])) : error_answer(404,
		    "No such image: %s", ref);
		free(ref);
	} else
		r = error_answer(500, "fake engine: unsupported %s", path);
done:
	free(method);
	return r;
}
