/*
 * xslipway.c - the x-slipway extension of a service: release and the
 * http routing (port, hosts, healthcheck).
 */
#include <string.h>

#include "compose/loader.h"

/*
 * A DNS name nginx can match: labels of 1 to 63 letters, digits and '-'
 * (not at either end), dot-separated, no trailing dot (nginx drops a
 * request's, not a server_name's: such a name would never serve), an
 * optional leading "*." wildcard.
 */
static int
valid_host(const char *h)
{
	const char *p = h;

	if (starts_with(p, "*."))
		p += 2;
	if (*p == '\0' || strlen(h) > 253)
		return 0;
	for (;;) {
		size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");

		if (n == 0 || n > 63 || p[0] == '-' || p[n - 1] == '-')
			return 0;
		if (p[n] == '\0')
			return 1;
		if (p[n] != '.')
			return 0;
		p += n + 1;
	}
}

static int
valid_http_path(const char *s)
{
	const char *p;

	if (*s != '/')
		return 0;
	for (p = s; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/._~%-?=&+,:@!", *p)))
			return 0;
	}
	return 1;
}

/* x-slipway.http: port, hosts, healthcheck. */
static int
slipway_http(struct loader *ld, struct compose_http *h, yaml_node_t *n)
{
	struct pairs ps = { 0 };
	size_t i, j;
	long port = 0;
	int rc = -1;

	h->set = 1;
	if (get_map(ld, n, "x-slipway.http", &ps) < 0)
		goto done;
	for (i = 0; i < ps.n; i++) {
		const char *k = ps.v[i].key;
		yaml_node_t *v = ps.v[i].value;
		size_t first = h->hosts.n;
		int r;

		if (strcmp(k, "port") == 0) {
			r = get_long(ld, v, "x-slipway.http.port", 1, 65535,
			    &port);
			h->port = (unsigned)port;
		} else if (strcmp(k, "hosts") == 0) {
			r = get_list(ld, v, "x-slipway.http.hosts", 1,
			    &h->hosts);
			for (j = first; r == 0 && j < h->hosts.n; j++) {
				if (!valid_host(h->hosts.v[j]))
					r = lerr(ld, v, "\"x-slipway.http.hosts"
					    "\": invalid host name \"%s\"",
					    h->hosts.v[j]);
			}
		} else if (strcmp(k, "healthcheck") == 0) {
			r = get_str(ld, v, "x-slipway.http.healthcheck",
			    &h->healthcheck);
			if (r == 0 && h->healthcheck != NULL &&
			    !valid_http_path(h->healthcheck))
				r = lerr(ld, v, "\"x-slipway.http.healthcheck"
				    "\": invalid path \"%s\"", h->healthcheck);
		} else
			r = bad_key(ld, &ps.v[i], "x-slipway.http", NULL);
		if (r < 0)
			goto done;
	}
	if (h->port == 0) {
		lerr(ld, n, "\"x-slipway.http\": \"port\" is required");
		goto done;
	}
	rc = 0;
done:
	pairs_free(&ps);
	return rc;
}

/* x-slipway: release, http. */
int
svc_x_slipway(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key)
{
	struct pairs ps = { 0 };
	size_t i;
	int rc = -1;

	if (get_map(ld, n, key, &ps) < 0)
		goto done;
	for (i = 0; i < ps.n; i++) {
		yaml_node_t *v = ps.v[i].value;
		int r;

		if (strcmp(ps.v[i].key, "release") == 0)
			r = get_str(ld, v, "x-slipway.release",
			    &sv->s->release);
		else if (strcmp(ps.v[i].key, "http") == 0)
			r = slipway_http(ld, &sv->s->http, v);
		else
			r = lerr(ld, ps.v[i].knode, "unknown key "
			    "\"x-slipway.%s\"", ps.v[i].key);
		if (r < 0)
			goto done;
	}
	rc = 0;
done:
	pairs_free(&ps);
	return rc;
}
