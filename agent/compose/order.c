/*
 * order.c - the start order of a project's services: dependencies checked,
 * then a stable topological sort that names a cycle when there is one.
 */
#include <stdlib.h>

#include "compose/compose.h"

/* Index of the service a dependency names when it orders anything, else -1. */
static ssize_t
dep_index(const struct compose_project *p, const struct compose_depends *d)
{
	const struct compose_service *t = compose_service(p, d->service);

	if (t == NULL || !compose_service_active(t))
		return -1;
	return t - p->services;
}

/* Every required dependency of an active service is there and active. */
static int
check_depends(const struct compose_project *p)
{
	size_t i, j;

	for (i = 0; i < p->nservices; i++) {
		const struct compose_service *s = &p->services[i];

		for (j = 0; compose_service_active(s) && j < s->ndepends; j++) {
			const struct compose_depends *d = &s->depends[j];
			const struct compose_service *t;

			t = compose_service(p, d->service);
			if (!d->required ||
			    (t != NULL && compose_service_active(t)))
				continue;
			if (t == NULL)
				return error_set("service \"%s\" depends on "
				    "undefined service \"%s\"", s->name,
				    d->service);
			return error_set("service \"%s\" depends on service "
			    "\"%s\", which is not enabled (profiles)", s->name,
			    d->service);
		}
	}
	return 0;
}

/* The first active service not placed yet whose dependencies are; or -1. */
static ssize_t
next_ready(const struct compose_project *p, const unsigned char *placed)
{
	size_t i, j;

	for (i = 0; i < p->nservices; i++) {
		const struct compose_service *s = &p->services[i];

		if (placed[i] || !compose_service_active(s))
			continue;
		for (j = 0; j < s->ndepends; j++) {
			ssize_t t = dep_index(p, &s->depends[j]);

			if (t >= 0 && !placed[t])
				break;
		}
		if (j == s->ndepends)
			return (ssize_t)i;
	}
	return -1;
}

/*
 * Every active service left waits on another one left: walk from the first
 * along unplaced dependencies until a service comes back; report that loop.
 */
static int
cycle_error(const struct compose_project *p, const unsigned char *placed)
{
	size_t *path = xcalloc(p->nservices + 1, sizeof *path);
	unsigned char *seen = xcalloc(p->nservices + 1, 1);
	struct buf b = BUF_INIT;
	size_t i = 0, j, k, len = 0;

	while (placed[i] || !compose_service_active(&p->services[i]))
		i++;
	while (!seen[i]) {
		const struct compose_service *s = &p->services[i];

		seen[i] = 1;
		path[len++] = i;
		for (j = 0; j < s->ndepends; j++) {
			ssize_t t = dep_index(p, &s->depends[j]);

			if (t >= 0 && !placed[t]) {
				i = (size_t)t;
				break;
			}
		}
	}
	for (k = 0; path[k] != i; k++)
		;
	for (; k < len; k++)
		buf_addf(&b, "%s -> ", p->services[path[k]].name);
	buf_adds(&b, p->services[i].name);
	error_set("dependency cycle: %s", b.buf);
	buf_release(&b);
	free(path);
	free(seen);
	return -1;
}

int
compose_order(const struct compose_project *p, size_t *order)
{
	unsigned char *placed;
	size_t i, n = 0, active = 0;
	ssize_t next;
	int rc;

	if (check_depends(p) < 0)
		return -1;
	for (i = 0; i < p->nservices; i++)
		active += compose_service_active(&p->services[i]) != 0;
	placed = xcalloc(p->nservices + 1, 1);
	while (n < active && (next = next_ready(p, placed)) >= 0) {
		placed[next] = 1;
		order[n++] = (size_t)next;
	}
	rc = n < active ? cycle_error(p, placed) : (int)n;
	free(placed);
	return rc;
}
