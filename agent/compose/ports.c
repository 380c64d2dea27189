/*
 * ports.c - the ports and expose keys: short and long syntax, ranges and
 * protocols as docker/go-connections parses them.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "compose/loader.h"

/* Ports: docker/go-connections nat.ParsePortSpec, one entry per target. */

int
compose_port_range(const char *s, unsigned *lo, unsigned *hi)
{
	char *end;
	unsigned long a, b;

	if (*s < '0' || *s > '9')
		return -1;
	a = strtoul(s, &end, 10);
	b = a;
	if (*end == '-') {
		s = end + 1;
		if (*s < '0' || *s > '9')
			return -1;
		b = strtoul(s, &end, 10);
	}
	if (*end != '\0' || a > 65535 || b > 65535 || b < a)
		return -1;
	*lo = (unsigned)a;
	*hi = (unsigned)b;
	return 0;
}

int
valid_ip(const char *s)
{
	unsigned char a[16];

	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

static int
valid_proto(const char *s)
{
	return strcmp(s, "tcp") == 0 || strcmp(s, "udp") == 0 ||
	    strcmp(s, "sctp") == 0;
}

static void
add_port(struct compose_service *s, size_t *alloc, const char *ip,
    const char *published, unsigned target, const char *proto)
{
	struct compose_port *pt;

	s->ports = xgrow(s->ports, alloc, s->nports + 1, sizeof *s->ports);
	pt = &s->ports[s->nports++];
	pt->host_ip = ip && *ip ? xstrdup(ip) : NULL;
	pt->published = published && *published ? xstrdup(published) : NULL;
	pt->target = target;
	pt->protocol = xstrdup(proto && *proto ? proto : "tcp");
	pt->host_mode = 0;
}

static int
parse_port(struct compose_service *s, size_t *alloc, const char *spec,
    const char **why)
{
	char *str = xstrdup(spec), *ip = NULL, *host = NULL, *ctr, *proto, *c;
	unsigned clo, chi, hlo = 0, hhi = 0, i;
	int rc = -1;

	ctr = strrchr(str, ':');
	if (ctr != NULL) {
		*ctr++ = '\0';
		host = strrchr(str, ':');
		if (host != NULL) {
			*host++ = '\0';
			ip = str;
		} else
			host = str;
	} else
		ctr = str;
	proto = NULL;
	if ((c = strchr(ctr, '/')) != NULL) {
		*c++ = '\0';
		if (*c != '\0')
			proto = c;
	}
	for (c = proto; c != NULL && *c != '\0'; c++)
		*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
	if (proto == NULL)
		proto = "tcp";
	if (ip != NULL && *ip == '[') {
		size_t n = strlen(ip);

		if (n < 2 || ip[n - 1] != ']') {
			*why = "invalid IP address";
			goto done;
		}
		ip[n - 1] = '\0';
		ip++;
	}
	if (ip != NULL && *ip != '\0' && !valid_ip(ip)) {
		*why = "invalid IP address";
		goto done;
	}
	if (*ctr == '\0') {
		*why = "no container port";
		goto done;
	}
	if (compose_port_range(ctr, &clo, &chi) < 0) {
		*why = "invalid container port";
		goto done;
	}
	if (host != NULL && *host != '\0' &&
	    compose_port_range(host, &hlo, &hhi) < 0) {
		*why = "invalid host port";
		goto done;
	}
	if (host != NULL && *host != '\0' && chi - clo != hhi - hlo &&
	    chi != clo) {
		*why = "host and container port ranges differ in size";
		goto done;
	}
	if (!valid_proto(proto)) {
		*why = "invalid protocol";
		goto done;
	}
	for (i = 0; i <= chi - clo; i++) {
		char *pub = NULL;

		if (host != NULL && *host != '\0') {
			if (clo == chi && hlo != hhi)
				pub = xasprintf("%u-%u", hlo, hhi);
			else
				pub = xasprintf("%u", hlo + i);
		}
		add_port(s, alloc, ip, pub, clo + i, proto);
		free(pub);
	}
	rc = 0;
done:
	free(str);
	return rc;
}

static int
port_long(struct loader *ld, struct compose_service *s, size_t *alloc,
    yaml_node_t *n)
{
	struct pairs ps = { 0 };
	char *ip = NULL, *pub = NULL, *proto = NULL, *mode = NULL, *name = NULL;
	long target = -1;
	unsigned lo, hi;
	size_t i;
	int rc = -1;

	if (collect(ld, n, &ps, 0) < 0)
		goto done;
	for (i = 0; i < ps.n; i++) {
		const char *k = ps.v[i].key;
		yaml_node_t *v = ps.v[i].value;
		int r;

		if (strcmp(k, "target") == 0)
			r = get_long(ld, v, "ports.target", 1, 65535, &target);
		else if (strcmp(k, "published") == 0)
			r = get_str(ld, v, "ports.published", &pub);
		else if (strcmp(k, "host_ip") == 0)
			r = get_str(ld, v, "ports.host_ip", &ip);
		else if (strcmp(k, "protocol") == 0)
			r = get_str(ld, v, "ports.protocol", &proto);
		else if (strcmp(k, "mode") == 0)
			r = get_str(ld, v, "ports.mode", &mode);
		else if (strcmp(k, "name") == 0 ||
		    strcmp(k, "app_protocol") == 0)     /* metadata only */
			r = get_str(ld, v, "ports.name", &name);
		else
			r = bad_key(ld, &ps.v[i], "ports", NULL);
		if (r < 0)
			goto done;
	}
	if (target < 0) {
		lerr(ld, n, "\"ports\": \"target\" is required");
		goto done;
	}
	if (pub != NULL && compose_port_range(pub, &lo, &hi) < 0) {
		lerr(ld, n, "\"ports.published\": invalid port \"%s\"", pub);
		goto done;
	}
	if (ip != NULL && !valid_ip(ip)) {
		lerr(ld, n, "\"ports.host_ip\": invalid IP address \"%s\"", ip);
		goto done;
	}
	if (proto != NULL && !valid_proto(proto)) {
		lerr(ld, n, "\"ports.protocol\": invalid protocol \"%s\"",
		    proto);
		goto done;
	}
	if (mode != NULL && strcmp(mode, "ingress") != 0 &&
	    strcmp(mode, "host") != 0) {
		lerr(ld, n, "\"ports.mode\": invalid mode \"%s\"", mode);
		goto done;
	}
	add_port(s, alloc, ip, pub, (unsigned)target, proto);
	s->ports[s->nports - 1].host_mode = mode != NULL &&
	    strcmp(mode, "host") == 0;
	rc = 0;
done:
	free(ip);
	free(pub);
	free(proto);
	free(mode);
	free(name);
	pairs_free(&ps);
	return rc;
}

int
svc_ports(struct loader *ld, struct svc *sv, yaml_node_t *n, const char *key)
{
	size_t alloc = sv->s->nports;
	yaml_node_item_t *it;

	if (is_null(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return lerr(ld, n, "\"%s\" must be a list", key);
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	    it++) {
		yaml_node_t *item = NODE(ld, *it);
		const char *why;
		char *s;
		int r;

		if (spend(ld, item) < 0)
			return -1;
		if (item->type == YAML_MAPPING_NODE) {
			if (port_long(ld, sv->s, &alloc, item) < 0)
				return -1;
			continue;
		}
		if (get_scalar(ld, item, key, "a string or a mapping", &s) < 0)
			return -1;
		if (s == NULL)
			return lerr(ld, item, "\"%s\" entries must not be "
			    "null", key);
		r = parse_port(sv->s, &alloc, s, &why);
		if (r < 0)
			lerr(ld, item, "\"%s\": invalid port \"%s\": %s", key,
			    s, why);
		free(s);
		if (r < 0)
			return -1;
	}
	return 0;
}

int
svc_expose(struct loader *ld, struct svc *sv, yaml_node_t *n, const char *key)
{
	struct strv *e = &sv->s->expose;
	size_t i = e->n;
	yaml_node_item_t *it;

	if (get_list(ld, n, key, 0, e) < 0)
		return -1;
	it = n->type == YAML_SEQUENCE_NODE ? n->data.sequence.items.start :
	    NULL;
	for (; i < e->n; i++, it++) {
		char *port = xstrdup(e->v[i]), *proto = strchr(port, '/');
		unsigned lo, hi;
		int bad;

		if (proto != NULL)
			*proto++ = '\0';
		bad = compose_port_range(port, &lo, &hi) < 0 ||
		    (proto != NULL && !valid_proto(proto));
		free(port);
		if (bad)
			return lerr(ld, it != NULL ? NODE(ld, *it) : n,
			    "\"%s\": invalid port \"%s\"", key, e->v[i]);
	}
	return 0;
}
