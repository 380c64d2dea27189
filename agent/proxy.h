/*
 * proxy.h - the nginx side of zero-downtime deploys: render an app's site
 * file from templates/nginx-site.conf, install it atomically, validate it with
 * `check`, reload with `reload` (both run without a shell), and restore the
 * previous file when validation fails.
 */
#ifndef SLIPWAY_PROXY_H
#define SLIPWAY_PROXY_H

#include "config.h"
#include "util.h"

/* One web service: its server names and the loopback addresses to route to. */
struct proxy_backend {
	const char *service;
	const struct strv *hosts;  /* empty: the default server */
	const struct strv *addrs;  /* "127.0.0.1:PORT" */
};

/*
 * Render the site of app: one upstream and one server block per backend, from
 * the template text. Host names and addresses are validated first, since a
 * pusher chooses them. listen is "PORT" or "ADDR:PORT". NULL with error_set.
 */
char *proxy_render(const char *template_text, const char *app,
    const char *listen, const struct proxy_backend *b, size_t n);

/*
 * Install text as <sites_dir>/<app>.conf: temporary file, rename, `check`;
 * when the check fails the previous file (or none) is restored and the error
 * carries nginx's first line; then `reload`. 0 or -1.
 */
int proxy_install(const struct config *cfg, const char *app, const char *text);
/* Remove the app's site file, if any, and reload. 0 or -1. */
int proxy_remove(const struct config *cfg, const char *app);

/* GET http://addr/path once: 1 when it answers 2xx/3xx, else 0. */
int proxy_http_ready(const char *addr, const char *path, long timeout_ms);

#endif
