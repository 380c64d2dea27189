/*
 * networks.c - the networks key of a service: the list or mapping form
 * with aliases, ipv4_address and priority.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "compose/loader.h"

static int
cmp_network(const void *a, const void *b)
{
	const struct compose_service_network *x = a, *y = b;

	if (x->priority != y->priority)
		return x->priority > y->priority ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* aliases, ipv4_address and priority of one of the service's networks. */
static int
network_options(struct loader *ld, struct compose_service_network *sn,
    yaml_node_t *n)
{
	static const char *const unsupported[] = {
		"ipv6_address", "link_local_ips", "mac_address", "driver_opts",
		"gw_priority", "interface_name", NULL
	};
	struct pairs ps = { 0 };
	size_t i;
	long prio = 0;
	int rc = -1;

	if (get_map(ld, n, "networks", &ps) < 0)
		goto done;
	for (i = 0; i < ps.n; i++) {
		const char *k = ps.v[i].key;
		yaml_node_t *v = ps.v[i].value;
		int r;

		if (strcmp(k, "aliases") == 0)
			r = get_list(ld, v, "networks.aliases", 0,
			    &sn->aliases);
		else if (strcmp(k, "ipv4_address") == 0) {
			r = get_str(ld, v, "networks.ipv4_address",
			    &sn->ipv4_address);
			if (r == 0 && sn->ipv4_address != NULL &&
			    !valid_ip(sn->ipv4_address))
				r = lerr(ld, v, "\"networks.ipv4_address\": "
				    "invalid address \"%s\"", sn->ipv4_address);
		} else if (strcmp(k, "priority") == 0) {
			r = get_long(ld, v, "networks.priority", INT_MIN,
			    INT_MAX, &prio);
			sn->priority = (int)prio;
		} else
			r = bad_key(ld, &ps.v[i], "networks", unsupported);
		if (r < 0)
			goto done;
	}
	rc = 0;
done:
	pairs_free(&ps);
	return rc;
}

int
svc_networks(struct loader *ld, struct svc *sv, yaml_node_t *n, const char *key)
{
	struct compose_service *s = sv->s;
	struct pairs ps = { 0 };
	struct strv names = STRV_INIT;
	yaml_node_t **at = NULL;
	size_t i, j, alloc = 0;
	int rc = -1;

	s->networks_set = 1;
	if (n->type == YAML_SEQUENCE_NODE) {
		if (get_list(ld, n, key, 0, &names) < 0)
			goto done;
		at = xcalloc(names.n, sizeof *at);
		for (i = 0; i < names.n; i++)
			at[i] = NODE(ld, n->data.sequence.items.start[i]);
	} else {
		if (get_map(ld, n, key, &ps) < 0)
			goto done;
		at = xcalloc(ps.n, sizeof *at);
		for (i = 0; i < ps.n; i++) {
			strv_push(&names, ps.v[i].key);
			at[i] = ps.v[i].knode;
		}
	}
	for (i = 0; i < names.n; i++) {
		struct compose_service_network *sn;

		for (j = 0; j < s->nnetworks; j++) {
			if (strcmp(s->networks[j].name, names.v[i]) == 0) {
				lerr(ld, at[i], "\"%s\": network \"%s\" is "
				    "listed twice", key, names.v[i]);
				goto done;
			}
		}
		if (strcmp(names.v[i], "default") != 0 &&
		    compose_network(ld->p, names.v[i]) == NULL) {
			serr(ld, at[i], "refers to undefined network \"%s\"",
			    names.v[i]);
			goto done;
		}
		s->networks = xgrow(s->networks, &alloc, s->nnetworks + 1,
		    sizeof *s->networks);
		sn = &s->networks[s->nnetworks++];
		memset(sn, 0, sizeof *sn);
		sn->name = xstrdup(names.v[i]);
		/* ps is empty for the list form */
		if (ps.n > 0 && network_options(ld, sn, ps.v[i].value) < 0)
			goto done;
	}
	if (s->nnetworks > 1)	/* none: s->networks may be NULL */
		qsort(s->networks, s->nnetworks, sizeof *s->networks,
		    cmp_network);
	rc = 0;
done:
	free(at);
	strv_clear(&names);
	pairs_free(&ps);
	return rc;
}
