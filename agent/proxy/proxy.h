/*
 * proxy.h - the nginx side of zero-downtime deploys: render an app's site
 * file from templates/nginx-site.conf, install it atomically, validate it with
 * `check`, reload with `reload` (both run without a shell), and restore the
 * previous file when either fails; probe a replica's health path over HTTP.
 */
#ifndef SLIPWAY_PROXY_H
#define SLIPWAY_PROXY_H

#include "lib/config.h"
#include "lib/util.h"

/* One web service: its server names and the loopback addresses to route to. */
struct proxy_backend {
	const char *service;
	const struct strv *hosts;  /* empty: the default server */
	const struct strv *addrs;  /* "127.0.0.1:PORT" */
	const char *cert, *key;    /* PEM files: HTTPS; NULL: plain HTTP */
};

/* Where a site listens and what its plain HTTP side serves. */
struct proxy_site {
	const char *listen;        /* [proxy] listen: "PORT" or "ADDR:PORT" */
	const char *tls_listen;    /* [tls] listen, for backends with a cert */
	const char *challenge_dir; /* ACME HTTP-01 files, or NULL */
};

/*
 * Render the site of app: one upstream and one server block per backend, from
 * the template text. App, service and host names and addresses are validated
 * first, since a pusher chooses them; two backends without hosts (two default
 * servers) or one host in two backends are refused too. listen is "PORT" or
 * "ADDR:PORT". A new string, or NULL with error_set.
 */
char *proxy_render(const char *template_text, const char *app,
    const char *listen, const struct proxy_backend *b, size_t n);
/*
 * proxy_render with TLS: a backend with cert and key also listens on
 * site->tls_listen with TLSv1.2/1.3 only, and its plain HTTP requests are
 * redirected there, except /.well-known/acme-challenge/, served from
 * site->challenge_dir on every backend when it is set.
 */
char *proxy_render_site(const char *template_text, const char *app,
    const struct proxy_site *site, const struct proxy_backend *b, size_t n);

/*
 * Install text as <sites_dir>/<app>.conf: under an exclusive lock on
 * <sites_dir>/.slipway.lock, write a temporary file, rename it into place,
 * run `check`, then `reload` (command lines, no shell). When either fails the
 * previous file comes back byte for byte (or the new one is removed) and the
 * error names the command and the line of its output that says what is wrong
 * (nginx's [emerg]). 0 or -1.
 */
MUST_CHECK int proxy_install(const struct config *cfg, const char *app, const char *text);
/* Under the sites lock, `check` then `reload` (new certificates). 0 or -1. */
MUST_CHECK int proxy_reload(const struct config *cfg);
/* The app's site file: sites_dir/APP.conf. */
char *proxy_site_path(const struct config *cfg, const char *app);
/*
 * Remove the app's site file and reload; no site file: 0, nothing run. -1
 * with error_set also when the file is removed and only the reload failed.
 */
MUST_CHECK int proxy_remove(const struct config *cfg, const char *app);

/*
 * GET http://addr/path once (addr "127.0.0.1:PORT", no proxy, no redirects,
 * connect timeout at most 1 s): 1 when it answers 2xx/3xx within timeout_ms,
 * 0 when it does not, -1 on a bad address, path or timeout.
 */
MUST_CHECK int proxy_http_ready(const char *addr, const char *path, long timeout_ms);

/*
 * The server names of app's installed site file, appended to out (none when
 * there is no file): to record the hosts sites made before host claims.
 */
void proxy_site_hosts(const struct config *cfg, const char *app,
    struct strv *out);

#endif
