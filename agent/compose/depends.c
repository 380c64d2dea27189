/*
 * depends.c - a service's dependencies: depends_on in both syntaxes and
 * "service:x" network_mode, pid and ipc.
 */
#include <stdlib.h>
#include <string.h>

#include "compose/loader.h"

static int
known_service(struct loader *ld, const char *name)
{
	return pairs_find(&ld->services, name) != NULL ||
	    strv_contains(&ld->imported, name);
}

static struct compose_depends *
add_depends(struct compose_service *s, size_t *alloc, const char *name)
{
	struct compose_depends *d;

	s->depends = xgrow(s->depends, alloc, s->ndepends + 1,
	    sizeof *s->depends);
	d = &s->depends[s->ndepends++];
	d->service = xstrdup(name);
	d->condition = COND_STARTED;
	d->required = 1;
	d->restart = 0;
	return d;
}

static int
get_condition(struct loader *ld, yaml_node_t *n, enum compose_condition *dst)
{
	static const struct {
		const char *name;
		enum compose_condition cond;
	} conds[] = {
		{ "service_started", COND_STARTED },
		{ "service_healthy", COND_HEALTHY },
		{ "service_completed_successfully", COND_COMPLETED },
	};
	char *c = NULL;
	size_t i;
	int rc = -1;

	if (get_str_req(ld, n, "depends_on.condition", &c) < 0)
		return -1;
	for (i = 0; i < ARRAY_SIZE(conds); i++) {
		if (strcmp(c, conds[i].name) == 0) {
			*dst = conds[i].cond;
			rc = 0;
		}
	}
	if (rc < 0)
		lerr(ld, n, "\"depends_on.condition\": unknown condition "
		    "\"%s\"", c);
	free(c);
	return rc;
}

/* condition, required and restart of one dependency (long syntax). */
static int
depends_options(struct loader *ld, struct compose_depends *d, const char *key,
    yaml_node_t *n)
{
	struct pairs ps = { 0 };
	size_t i;
	int rc = -1;

	if (n->type != YAML_MAPPING_NODE)
		return lerr(ld, n, "\"%s.%s\" must be a mapping", key,
		    d->service);
	if (get_map(ld, n, key, &ps) < 0)
		goto done;
	for (i = 0; i < ps.n; i++) {
		const char *k = ps.v[i].key;
		yaml_node_t *v = ps.v[i].value;
		int r;

		if (strcmp(k, "condition") == 0)
			r = get_condition(ld, v, &d->condition);
		else if (strcmp(k, "required") == 0)
			r = get_bool(ld, v, "depends_on.required",
			    &d->required);
		else if (strcmp(k, "restart") == 0)
			r = get_bool(ld, v, "depends_on.restart", &d->restart);
		else
			r = bad_key(ld, &ps.v[i], "depends_on", NULL);
		if (r < 0)
			goto done;
	}
	rc = 0;
done:
	pairs_free(&ps);
	return rc;
}

int
svc_depends_on(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key)
{
	struct compose_service *s = sv->s;
	struct pairs ps = { 0 };
	struct strv names = STRV_INIT;
	size_t i, alloc = s->ndepends;
	int rc = -1;

	if (n->type == YAML_SEQUENCE_NODE) {
		if (get_list(ld, n, key, 0, &names) < 0)
			goto done;
		for (i = 0; i < names.n; i++) {
			yaml_node_t *item = NODE(ld,
			    n->data.sequence.items.start[i]);

			if (!known_service(ld, names.v[i])) {
				serr(ld, item, "depends on undefined service "
				    "\"%s\"", names.v[i]);
				goto done;
			}
			add_depends(s, &alloc, names.v[i]);
		}
		rc = 0;
		goto done;
	}
	if (get_map(ld, n, key, &ps) < 0)
		goto done;
	for (i = 0; i < ps.n; i++) {
		struct compose_depends *d = add_depends(s, &alloc, ps.v[i].key);

		if (depends_options(ld, d, key, ps.v[i].value) < 0)
			goto done;
		if (d->required && !known_service(ld, d->service)) {
			serr(ld, ps.v[i].knode, "depends on undefined service "
			    "\"%s\"", d->service);
			goto done;
		}
	}
	rc = 0;
done:
	strv_clear(&names);
	pairs_free(&ps);
	return rc;
}

/* network_mode, pid, ipc "service:x": x must exist and starts first. */
int
mode_depends(struct loader *ld, struct svc *sv, const char *key,
    const char *mode)
{
	struct compose_service *s = sv->s;
	const char *dep;
	size_t i, alloc = s->ndepends;

	if (mode == NULL || !starts_with(mode, "service:"))
		return 0;
	dep = mode + strlen("service:");
	if (!known_service(ld, dep))
		return lerr(ld, sv->knode, "\"%s\" refers to undefined service "
		    "\"%s\"", key, dep);
	for (i = 0; i < s->ndepends; i++) {
		if (strcmp(s->depends[i].service, dep) == 0)
			return 0;
	}
	add_depends(s, &alloc, dep);
	return 0;
}
