/*
 * proxy.c - the app's nginx site: rendering from the template, atomic
 * installation with validation and restore, reload, and the HTTP readiness
 * probe used before traffic moves.
 */
#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "proxy/proxy.h"

#define SITE_MAX (1u << 20)

/* Host names go into nginx's configuration: letters, digits, '.', '-', '*'. */
static int
check_host(const char *h)
{
	size_t len = strlen(h);

	if (len == 0 || len > 253 || strspn(h, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-*") != len || h[0] == '-' ||
	    h[0] == '.')
		return error_set("invalid http host \"%.64s\": use a domain name "
		    "such as app.example.com or *.example.com", h);
	return 0;
}

/* App and service names become an upstream's name: [A-Za-z0-9._-]. */
static int
check_name(const char *what, const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > 128 || strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != len)
		return error_set("invalid %s name \"%.64s\" for nginx", what, s);
	return 0;
}

static int
check_addr(const char *a)
{
	const char *port;

	if (!starts_with(a, "127.0.0.1:"))
		return error_set("invalid upstream address \"%.64s\"", a);
	port = a + strlen("127.0.0.1:");
	if (*port == '\0' || strspn(port, "0123456789") != strlen(port) ||
	    strlen(port) > 5)
		return error_set("invalid upstream address \"%.64s\"", a);
	return 0;
}

/*
 * Everything a pusher chose, before it goes into nginx's configuration; also
 * what nginx would refuse (two default servers) or silently ignore (a host
 * claimed by two services: the first server block wins).
 */
static int
check_backends(const char *app, const struct proxy_backend *b, size_t n)
{
	const char *dflt = NULL;
	size_t i, j, k, l;

	if (check_name("app", app) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (check_name("service", b[i].service) < 0)
			return -1;
		if (b[i].hosts->n == 0 && dflt != NULL)
			return error_set("services \"%s\" and \"%s\" both have no "
			    "http hosts: only one can be the default server",
			    dflt, b[i].service);
		if (b[i].hosts->n == 0)
			dflt = b[i].service;
		for (j = 0; j < b[i].hosts->n; j++) {
			if (check_host(b[i].hosts->v[j]) < 0)
				return -1;
			for (k = 0; k < i; k++)
				for (l = 0; l < b[k].hosts->n; l++)
					if (strcasecmp(b[k].hosts->v[l],
					    b[i].hosts->v[j]) == 0)
						return error_set("http host "
						    "\"%s\" is claimed by both "
						    "\"%s\" and \"%s\"",
						    b[i].hosts->v[j],
						    b[k].service, b[i].service);
		}
		for (j = 0; j < b[i].addrs->n; j++)
			if (check_addr(b[i].addrs->v[j]) < 0)
				return -1;
	}
	return 0;
}

/* Append text to b, replacing {{NAME}} with vals[i] where names[i] == NAME. */
static int
expand(struct buf *b, const char *text, const char *const *names,
    const char *const *vals, size_t n)
{
	const char *p = text, *open, *close;
	size_t i;

	while ((open = strstr(p, "{{")) != NULL) {
		buf_add(b, p, (size_t)(open - p));
		if ((close = strstr(open, "}}")) == NULL)
			return error_set("site template: unclosed \"{{\"");
		for (i = 0; i < n; i++) {
			if (strlen(names[i]) == (size_t)(close - open - 2) &&
			    strncmp(open + 2, names[i], (size_t)(close - open - 2)) == 0)
				break;
		}
		if (i == n)
			return error_set("site template: unknown placeholder "
			    "\"%.*s\"", (int)(close - open + 2), open);
		buf_adds(b, vals[i]);
		p = close + 2;
	}
	buf_adds(b, p);
	return 0;
}

/* The template without its comment lines. */
static char *
strip_comments(const char *t)
{
	struct buf b = BUF_INIT;

	while (*t != '\0') {
		size_t len = strcspn(t, "\n");

		if (t[0] != '#')
			buf_add(&b, t, len), buf_addch(&b, '\n');
		t += len + (t[len] == '\n');
	}
	return buf_detach(&b, NULL);
}

/* Paths slipway made go into nginx's configuration unquoted. */
static int
check_path(const char *what, const char *p)
{
	size_t len = strlen(p);

	if (p[0] != '/' || len > 1024 || strspn(p, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-") != len)
		return error_set("%s path \"%.64s\" cannot go into nginx's "
		    "configuration: use letters, digits, '/', '.', '_', '-'",
		    what, p);
	return 0;
}

/* The HTTPS port of listen ("443" or "ADDR:443"): ":PORT" unless 443. */
static const char *
redirect_port(const char *listen)
{
	const char *colon = strrchr(listen, ':');
	const char *port = colon ? colon + 1 : listen;

	return strcmp(port, "443") == 0 ? "" : port;
}

/* Modern clients only (Mozilla's "intermediate" list, TLS 1.2 and 1.3). */
#define TLS_CIPHERS "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-" \
	"SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

char *
proxy_render(const char *template_text, const char *app, const char *listen,
    const struct proxy_backend *b, size_t n)
{
	struct proxy_site site = { listen, NULL, NULL };

	return proxy_render_site(template_text, app, &site, b, n);
}

char *
proxy_render_site(const char *template_text, const char *app,
    const struct proxy_site *site, const struct proxy_backend *b, size_t n)
{
	static const char *const names[] = { "APP", "SERVICE", "UPSTREAM",
	    "SERVERS", "LISTEN", "SERVER_NAME", "TLS", "CHALLENGE",
	    "REDIRECT" };
	const char *listen = site->listen;
	struct buf challenge = BUF_INIT;
	struct buf out = BUF_INIT;
	char *tmpl;
	size_t i, j;
	int rc = 0;

	if (check_backends(app, b, n) < 0)
		return NULL;
	for (i = 0; i < n; i++)
		if (b[i].cert != NULL && (b[i].key == NULL ||
		    site->tls_listen == NULL || b[i].hosts->n == 0 ||
		    check_path("certificate", b[i].cert) < 0 ||
		    check_path("key", b[i].key) < 0)) {
			if (b[i].key == NULL || site->tls_listen == NULL ||
			    b[i].hosts->n == 0)
				error_set("service \"%s\": a certificate needs "
				    "a key, http hosts and [tls] listen",
				    b[i].service);
			return NULL;
		}
	if (site->challenge_dir != NULL) {
		if (check_path("challenge", site->challenge_dir) < 0)
			return NULL;
		buf_addf(&challenge, "\n\n\tlocation ^~ /.well-known/acme-"
		    "challenge/ {\n\t\talias %s/;\n\t\tdefault_type "
		    "text/plain;\n\t}", site->challenge_dir);
	}
	tmpl = strip_comments(template_text);
	buf_addf(&out, "# generated by slipway for app \"%s\": do not edit, "
	    "the next deploy rewrites it\n", app);
	for (i = 0; i < n && rc == 0; i++) {
		struct buf servers = BUF_INIT, hosts = BUF_INIT, tls = BUF_INIT;
		struct buf redirect = BUF_INIT;
		char *upstream = xasprintf("slipway_%s_%s", app, b[i].service);
		char *lst = xasprintf("%s%s", listen, b[i].hosts->n ? "" :
		    " default_server");
		const char *vals[ARRAY_SIZE(names)];

		for (j = 0; j < b[i].hosts->n; j++)
			buf_addf(&hosts, "%s%s", j ? " " : "", b[i].hosts->v[j]);
		for (j = 0; j < b[i].addrs->n; j++)
			buf_addf(&servers, "\tserver %s;\n", b[i].addrs->v[j]);
		/* No replica answers: keep the file valid, nginx answers 502. */
		if (b[i].addrs->n == 0)
			buf_adds(&servers, "\tserver 127.0.0.1:1 down;\n");
		buf_rtrim(&servers);
		if (b[i].cert != NULL) {
			buf_addf(&tls, "\n\tlisten %s ssl http2;\n"
			    "\tssl_certificate %s;\n\tssl_certificate_key %s;\n"
			    "\tssl_protocols TLSv1.2 TLSv1.3;\n"
			    "\tssl_ciphers " TLS_CIPHERS ";\n"
			    "\tssl_prefer_server_ciphers off;\n"
			    "\tssl_session_timeout 1d;\n"
			    "\tssl_session_tickets off;", site->tls_listen,
			    b[i].cert, b[i].key);
			buf_addf(&redirect, "\n\t\tif ($scheme = http) {\n"
			    "\t\t\treturn 301 https://$host%s%s$request_uri;\n"
			    "\t\t}", *redirect_port(site->tls_listen) ? ":" : "",
			    redirect_port(site->tls_listen));
		}
		vals[0] = app;
		vals[1] = b[i].service;
		vals[2] = upstream;
		vals[3] = servers.buf;
		vals[4] = lst;
		vals[5] = b[i].hosts->n ? hosts.buf : "_";
		vals[6] = tls.buf;
		vals[7] = challenge.buf;
		vals[8] = redirect.buf;
		buf_addch(&out, '\n');
		rc = expand(&out, tmpl, names, vals, ARRAY_SIZE(names));
		buf_release(&servers);
		buf_release(&hosts);
		buf_release(&tls);
		buf_release(&redirect);
		free(upstream);
		free(lst);
	}
	free(tmpl);
	buf_release(&challenge);
	if (rc < 0) {
		buf_release(&out);
		return NULL;
	}
	return buf_detach(&out, NULL);
}

/*
 * The line of a command's output that says what went wrong: nginx may print
 * warnings or alerts (an unwritable default error log) before its [emerg],
 * which it writes as "nginx: [emerg] ..." or, once error_log is configured,
 * "2006/01/02 15:04:05 [emerg] PID#TID: ...": "[emerg] ..." is kept.
 */
static const char *
first_error(char *output)
{
	char *line = strstr(output, "[emerg] "), *p, *q, *nl;

	if (line == NULL)
		line = output;
	if ((nl = strchr(line, '\n')) != NULL)
		*nl = '\0';
	if (line == output && !starts_with(line, "[emerg] "))
		return line;
	p = line + strlen("[emerg] ");
	q = p + strspn(p, "0123456789");
	if (q > p && *q == '#') {
		q++;
		q += strspn(q, "0123456789");
		if (q[0] == ':' && q[1] == ' ')
			memmove(p, q + 2, strlen(q + 2) + 1);
	}
	return line;
}

/* Run one of the [proxy] commands; -1 with its error line. */
static int
run(const char *what, const char *cmdline)
{
	struct buf output = BUF_INIT;
	int status = run_command(cmdline, &output);

	if (status > 0) {
		buf_rtrim(&output);
		error_set("%s (%s) failed: %.300s", what, cmdline, output.len ?
		    first_error(output.buf) : "no output");
	}
	buf_release(&output);
	return status == 0 ? 0 : -1;
}

char *
proxy_site_path(const struct config *cfg, const char *app)
{
	return xasprintf("%s/%s.conf", cfg->sites_dir, app);
}

/*
 * Serialise slipway's changes to nginx: `check` validates every site, so
 * another app's half-installed file must not be on disk meanwhile, nor be
 * loaded by this app's reload. The fd to close, or -1 with error_set.
 */
static int
lock_sites(const struct config *cfg)
{
	char *path = path_join(cfg->sites_dir, ".slipway.lock");
	int fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
		error_set("cannot open \"%s\": %s", path, strerror(errno));
	else if (flock(fd, LOCK_EX) < 0) {
		error_set("cannot lock \"%s\": %s", path, strerror(errno));
		close(fd);
		fd = -1;
	}
	free(path);
	return fd;
}

/* Put back what was at path before: prev, or nothing. Keeps the error. */
static void
restore(const char *path, int had, const struct buf *prev)
{
	char *why = error_save();
	int rc = 0;

	if (had)
		rc = write_file_atomic(path, prev->buf, prev->len, 0644);
	else if (unlink(path) < 0 && errno != ENOENT)
		rc = error_set("cannot remove \"%s\": %s", path,
		    strerror(errno));
	if (rc < 0)
		error_set("%s; restoring the site file failed too: %s", why,
		    error_last());
	else
		error_set("%s; %s", why, had ? "the previous site file was "
		    "restored" : "the new site file was removed");
	free(why);
}

int
proxy_install(const struct config *cfg, const char *app, const char *text)
{
	char *path;
	struct buf prev = BUF_INIT;
	int had, fd, rc = -1;

	if (check_name("app", app) < 0 || mkdir_p(cfg->sites_dir, 0755) < 0 ||
	    (fd = lock_sites(cfg)) < 0)
		return -1;
	path = proxy_site_path(cfg, app);
	had = path_exists(path);
	if (had && read_file(path, &prev, SITE_MAX) < 0)
		goto done;
	if (write_file_atomic(path, text, strlen(text), 0644) < 0)
		goto done;
	/* A failed reload leaves nginx on its old configuration: the file
	 * goes back too, so that no later reload picks it up. */
	if (run("nginx check", cfg->check) < 0 ||
	    run("nginx reload", cfg->reload) < 0) {
		restore(path, had, &prev);
		goto done;
	}
	rc = 0;
done:
	close(fd);
	buf_release(&prev);
	free(path);
	return rc;
}

int
proxy_reload(const struct config *cfg)
{
	int fd, rc;

	if (mkdir_p(cfg->sites_dir, 0755) < 0 || (fd = lock_sites(cfg)) < 0)
		return -1;
	rc = run("nginx check", cfg->check) < 0 ||
	    run("nginx reload", cfg->reload) < 0 ? -1 : 0;
	close(fd);
	return rc;
}

int
proxy_remove(const struct config *cfg, const char *app)
{
	char *path;
	int fd, rc = 0;

	if (check_name("app", app) < 0)
		return -1;
	path = proxy_site_path(cfg, app);
	/* No site, nothing to do: nginx need not even be installed. */
	if (!path_exists(path))
		goto done;
	if ((fd = lock_sites(cfg)) < 0) {
		rc = -1;
		goto done;
	}
	if (unlink(path) == 0)
		rc = run("nginx reload", cfg->reload);
	else if (errno != ENOENT)
		rc = error_set("cannot remove \"%s\": %s", path, strerror(errno));
	close(fd);
done:
	free(path);
	return rc;
}

static size_t
discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p, (void)ctx;
	return size * n;
}

int
proxy_http_ready(const char *addr, const char *path, long timeout_ms)
{
	const char *q;
	char *url;
	CURL *c;
	long code = 0;
	int ready;

	if (check_addr(addr) < 0 || path[0] != '/' || timeout_ms <= 0)
		return -1;
	for (q = path; *q != '\0'; q++)
		if ((unsigned char)*q <= ' ' || *q == 0x7f)
			return -1;
	url = xasprintf("http://%s%s", addr, path);
	if ((c = curl_easy_init()) == NULL) {
		free(url);
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	/* Straight to the loopback port, whatever http_proxy says. */
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 1000 ?
	    timeout_ms : 1000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
	ready = curl_easy_perform(c) == CURLE_OK &&
	    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK &&
	    code >= 200 && code < 400;
	curl_easy_cleanup(c);
	free(url);
	return ready;
}

void
proxy_site_hosts(const struct config *cfg, const char *app, struct strv *out)
{
	char *path;
	struct buf b = BUF_INIT;
	const char *line, *end;

	if (check_name("app", app) < 0) {
		error_clear();
		return;
	}
	path = proxy_site_path(cfg, app);
	if (read_file(path, &b, 1 << 20) < 0) {
		error_clear();
		goto done;
	}
	for (line = b.buf; line != NULL && *line != '\0'; line = end) {
		const char *p = line;

		end = strchr(line, '\n');
		if (end != NULL)
			end++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!starts_with(p, "server_name"))
			continue;
		p += strlen("server_name");
		for (;;) {
			size_t n;
			char *h;

			while (*p == ' ' || *p == '\t')
				p++;
			n = strcspn(p, " \t;\n");
			if (n == 0)
				break;
			h = xstrndup(p, n);
			if (strcmp(h, "_") != 0 && check_host(h) == 0 &&
			    !strv_contains(out, h))
				strv_push(out, h);
			free(h);
			error_clear();
			p += n;
		}
	}
done:
	buf_release(&b);
	free(path);
}
