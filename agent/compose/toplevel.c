/*
 * toplevel.c - the top-level volumes and networks objects, and the
 * "default" network the services imply.
 */
#include <stdlib.h>
#include <string.h>

#include "compose/loader.h"

/*
 * external: a boolean, or the old form {name: N} (compose-go still reads
 * it, as external: true with name: N).
 */
static int
get_external(struct loader *ld, yaml_node_t *n, int *external, char **name)
{
	struct pairs ps = { 0 };
	size_t i;
	int rc = -1;

	if (n->type != YAML_MAPPING_NODE)
		return get_bool(ld, n, "external", external);
	if (collect(ld, n, &ps, 0) < 0)
		goto done;
	for (i = 0; i < ps.n; i++) {
		if (strcmp(ps.v[i].key, "name") != 0) {
			rc = bad_key(ld, &ps.v[i], "external", NULL);
			goto done;
		}
		if (get_str_req(ld, ps.v[i].value, "external.name", name) < 0)
			goto done;
	}
	*external = 1;
	rc = 0;
done:
	pairs_free(&ps);
	return rc;
}

/* compose-go: an external object is not ours to configure. */
static int
external_conflict(struct loader *ld, const yaml_node_t *n, const char *driver,
    size_t nopts, size_t nlabels)
{
	const char *conflict = driver != NULL ? "driver" : nopts > 0 ?
	    "driver_opts" : nlabels > 0 ? "labels" : NULL;

	if (conflict == NULL)
		return 0;
	return lerr(ld, n, "conflicting parameters \"external\" and \"%s\" "
	    "specified", conflict);
}

/* compose-go: the old external.name stands for name, and must not
 * contradict it. */
static int
adopt_external_name(struct loader *ld, const yaml_node_t *n, char **name,
    char **extname)
{
	if (*extname == NULL)
		return 0;
	if (*name != NULL && strcmp(*name, *extname) != 0)
		return lerr(ld, n, "name and external.name conflict; only use "
		    "name");
	free(*name);
	*name = *extname;
	*extname = NULL;
	return 0;
}

static char *
engine_name(struct loader *ld, const char *key, char *name, int external)
{
	if (name != NULL)
		return name;
	if (external)
		return xstrdup(key);
	return xasprintf("%s_%s", ld->p->name, key);
}

/* compose-go: a local bind device is relative to the project directory
 * (and, being a bind source, is needed on disk). */
static int
absolute_bind_device(struct loader *ld, yaml_node_t *n,
    struct compose_volume *v)
{
	const struct kv *o = kvlist_find(&v->driver_opts, "o");
	const struct kv *dev = kvlist_find(&v->driver_opts, "device");
	char *abs;

	if (o == NULL || o->value == NULL || strcmp(o->value, "bind") != 0 ||
	    dev == NULL || dev->value == NULL || *dev->value == '/' ||
	    (v->driver != NULL && strcmp(v->driver, "local") != 0))
		return 0;
	abs = resolve_path(ld->base, dev->value);
	kvlist_set(&v->driver_opts, "device", abs);
	if (compose_path_within(abs, ld->root) && compose_need(abs) < 0) {
		free(abs);
		return lerr(ld, n, "\"driver_opts.device\": %s", error_last());
	}
	free(abs);
	return 0;
}

static int
load_volume(struct loader *ld, const struct pair *pr, struct compose_volume *v)
{
	struct pairs ps = { 0 };
	char *name = NULL, *extname = NULL;
	size_t i;
	int rc = -1;

	v->key = xstrdup(pr->key);
	v->line = (int)pr->knode->start_mark.line + 1;
	set_where(ld, "volume", v->key);
	if (get_map(ld, pr->value, "volume", &ps) < 0)
		goto done;
	for (i = 0; i < ps.n; i++) {
		const char *k = ps.v[i].key;
		yaml_node_t *n = ps.v[i].value;
		int r;

		if (strcmp(k, "driver") == 0)
			r = get_str(ld, n, "driver", &v->driver);
		else if (strcmp(k, "driver_opts") == 0)
			r = get_kv(ld, n, "driver_opts", 1, &v->driver_opts);
		else if (strcmp(k, "external") == 0)
			r = get_external(ld, n, &v->external, &extname);
		else if (strcmp(k, "name") == 0)
			r = get_str(ld, n, "name", &name);
		else if (strcmp(k, "labels") == 0)
			r = get_kv(ld, n, "labels", 1, &v->labels);
		else
			r = bad_key(ld, &ps.v[i], NULL, NULL);
		if (r < 0)
			goto done;
	}
	if (adopt_external_name(ld, pr->knode, &name, &extname) < 0)
		goto done;
	if (v->external && external_conflict(ld, pr->knode, v->driver, v->driver_opts.n, v->labels.n) < 0)
		goto done;
	v->name = engine_name(ld, v->key, name, v->external);
	name = NULL;
	if (absolute_bind_device(ld, pr->value, v) < 0)
		goto done;
	rc = 0;
done:
	set_where(ld, NULL, NULL);
	free(name);
	free(extname);
	pairs_free(&ps);
	return rc;
}

int
load_volumes(struct loader *ld, yaml_node_t *n)
{
	struct compose_project *p = ld->p;
	struct pairs ps = { 0 };
	size_t i;
	int rc = -1;

	if (get_map(ld, n, "volumes", &ps) < 0)
		goto done;
	p->volumes = xcalloc(ps.n, sizeof *p->volumes);
	for (i = 0; i < ps.n; i++) {
		if (load_volume(ld, &ps.v[i], &p->volumes[p->nvolumes++]) < 0)
			goto done;
	}
	rc = 0;
done:
	pairs_free(&ps);
	return rc;
}

/* ipam: driver, config [{subnet, ip_range, gateway, aux_addresses}], options. */
static int
load_ipam(struct loader *ld, yaml_node_t *n, struct compose_network *nw)
{
	struct pairs ps = { 0 }, cs = { 0 };
	yaml_node_item_t *it;
	size_t i, j;
	int rc = -1;

	nw->ipam_set = 1;
	if (get_map(ld, n, "ipam", &ps) < 0)
		goto done;
	for (i = 0; i < ps.n; i++) {
		const char *k = ps.v[i].key;
		yaml_node_t *v = ps.v[i].value;
		size_t len;

		if (strcmp(k, "driver") == 0) {
			if (get_str(ld, v, "ipam.driver", &nw->ipam_driver) < 0)
				goto done;
			continue;
		}
		if (strcmp(k, "options") == 0) {
			if (get_kv(ld, v, "ipam.options", 1,
			    &nw->ipam_options) < 0)
				goto done;
			continue;
		}
		if (strcmp(k, "config") != 0) {
			rc = bad_key(ld, &ps.v[i], "ipam", NULL);
			goto done;
		}
		if (v->type != YAML_SEQUENCE_NODE) {
			lerr(ld, v, "\"ipam.config\" must be a list");
			goto done;
		}
		len = (size_t)(v->data.sequence.items.top -
		    v->data.sequence.items.start);
		nw->ipam_config = xcalloc(len + 1, sizeof *nw->ipam_config);
		for (it = v->data.sequence.items.start;
		    it < v->data.sequence.items.top; it++) {
			struct compose_ipam_config *c =
			    &nw->ipam_config[nw->nipam_config++];

			if (get_map(ld, NODE(ld, *it), "ipam.config", &cs) < 0)
				goto done;
			for (j = 0; j < cs.n; j++) {
				const char *ck = cs.v[j].key;
				yaml_node_t *cv = cs.v[j].value;
				int r;

				if (strcmp(ck, "subnet") == 0)
					r = get_str(ld, cv, "ipam.config.subnet",
					    &c->subnet);
				else if (strcmp(ck, "ip_range") == 0)
					r = get_str(ld, cv,
					    "ipam.config.ip_range", &c->ip_range);
				else if (strcmp(ck, "gateway") == 0)
					r = get_str(ld, cv, "ipam.config.gateway",
					    &c->gateway);
				else if (strcmp(ck, "aux_addresses") == 0)
					r = get_kv(ld, cv,
					    "ipam.config.aux_addresses", 1,
					    &c->aux_addresses);
				else
					r = bad_key(ld, &cs.v[j], "ipam.config",
					    NULL);
				if (r < 0)
					goto done;
			}
			pairs_free(&cs);
		}
	}
	rc = 0;
done:
	pairs_free(&cs);
	pairs_free(&ps);
	return rc;
}

static int
load_network(struct loader *ld, const struct pair *pr,
    struct compose_network *nw)
{
	static const char *const unsupported[] = {
		"enable_ipv4", NULL
	};
	struct pairs ps = { 0 };
	char *name = NULL, *extname = NULL;
	size_t i;
	int rc = -1;

	nw->key = xstrdup(pr->key);
	nw->line = (int)pr->knode->start_mark.line + 1;
	set_where(ld, "network", nw->key);
	if (get_map(ld, pr->value, "network", &ps) < 0)
		goto done;
	for (i = 0; i < ps.n; i++) {
		const char *k = ps.v[i].key;
		yaml_node_t *n = ps.v[i].value;
		int r;

		if (strcmp(k, "driver") == 0)
			r = get_str(ld, n, "driver", &nw->driver);
		else if (strcmp(k, "driver_opts") == 0)
			r = get_kv(ld, n, "driver_opts", 1, &nw->driver_opts);
		else if (strcmp(k, "external") == 0)
			r = get_external(ld, n, &nw->external, &extname);
		else if (strcmp(k, "name") == 0)
			r = get_str(ld, n, "name", &name);
		else if (strcmp(k, "internal") == 0)
			r = get_bool(ld, n, "internal", &nw->internal);
		else if (strcmp(k, "attachable") == 0)
			r = get_bool(ld, n, "attachable", &nw->attachable);
		else if (strcmp(k, "enable_ipv6") == 0)
			r = get_bool(ld, n, "enable_ipv6", &nw->enable_ipv6);
		else if (strcmp(k, "labels") == 0)
			r = get_kv(ld, n, "labels", 1, &nw->labels);
		else if (strcmp(k, "ipam") == 0)
			r = load_ipam(ld, n, nw);
		else
			r = bad_key(ld, &ps.v[i], NULL, unsupported);
		if (r < 0)
			goto done;
	}
	if (adopt_external_name(ld, pr->knode, &name, &extname) < 0)
		goto done;
	if (nw->external && external_conflict(ld, pr->knode, nw->driver, nw->driver_opts.n, nw->labels.n) < 0)
		goto done;
	nw->name = engine_name(ld, nw->key, name, nw->external);
	name = NULL;
	rc = 0;
done:
	set_where(ld, NULL, NULL);
	free(name);
	free(extname);
	pairs_free(&ps);
	return rc;
}

/* Room is left for a "default" network settle_default_network() may add. */
int
load_networks(struct loader *ld, yaml_node_t *n)
{
	struct compose_project *p = ld->p;
	struct pairs ps = { 0 };
	size_t i;
	int rc = -1;

	if (get_map(ld, n, "networks", &ps) < 0)
		goto done;
	p->networks = xcalloc(ps.n + 1, sizeof *p->networks);
	for (i = 0; i < ps.n; i++) {
		if (load_network(ld, &ps.v[i],
		    &p->networks[p->nnetworks++]) < 0)
			goto done;
	}
	rc = 0;
done:
	pairs_free(&ps);
	return rc;
}

void
free_network(struct compose_network *n)
{
	size_t i;

	free(n->key);
	free(n->name);
	free(n->driver);
	kvlist_clear(&n->driver_opts);
	kvlist_clear(&n->labels);
	free(n->ipam_driver);
	kvlist_clear(&n->ipam_options);
	for (i = 0; i < n->nipam_config; i++) {
		free(n->ipam_config[i].subnet);
		free(n->ipam_config[i].ip_range);
		free(n->ipam_config[i].gateway);
		kvlist_clear(&n->ipam_config[i].aux_addresses);
	}
	free(n->ipam_config);
}

/*
 * "default" is in p->networks exactly when an active service uses it; with
 * bridge, also when one has network_mode: bridge (policy_own_names may move
 * it there, and then settles again without).
 */
void
settle_default_network(struct compose_project *p, int bridge)
{
	size_t i, j;
	int used = 0;

	for (i = 0; i < p->nservices && !used; i++) {
		const struct compose_service *s = &p->services[i];

		if (!compose_service_active(s))
			continue;
		if (!s->networks_set && (s->network_mode == NULL ||
		    (bridge && strcmp(s->network_mode, "bridge") == 0)))
			used = 1;
		for (j = 0; j < s->nnetworks; j++) {
			if (strcmp(s->networks[j].name, "default") == 0)
				used = 1;
		}
	}
	for (i = 0; i < p->nnetworks; i++) {
		if (strcmp(p->networks[i].key, "default") == 0)
			break;
	}
	if (used && i == p->nnetworks) {
		struct compose_network *nw = &p->networks[p->nnetworks++];

		memset(nw, 0, sizeof *nw);
		nw->key = xstrdup("default");
		nw->name = xasprintf("%s_default", p->name);
	} else if (!used && i < p->nnetworks) {
		free_network(&p->networks[i]);
		memmove(&p->networks[i], &p->networks[i + 1],
		    (p->nnetworks - i - 1) * sizeof *p->networks);
		p->nnetworks--;
	}
}
