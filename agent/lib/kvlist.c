/*
 * kvlist.c - an ordered list of key/value pairs (environment, labels,
 * variables), shared by the compose model, .env files and interpolation.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/kvlist.h"

void
kvlist_set(struct kvlist *l, const char *key, const char *value)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].key, key) == 0) {
			free(l->v[i].value);
			l->v[i].value = value ? xstrdup(value) : NULL;
			return;
		}
	}
	l->v = xgrow(l->v, &l->alloc, l->n + 1, sizeof *l->v);
	l->v[l->n].key = xstrdup(key);
	l->v[l->n].value = value ? xstrdup(value) : NULL;
	l->n++;
}

const struct kv *
kvlist_find(const struct kvlist *l, const char *key)
{
	size_t i;

	if (l == NULL)
		return NULL;
	for (i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].key, key) == 0)
			return &l->v[i];
	}
	return NULL;
}

void
kvlist_clear(struct kvlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].value);
	}
	free(l->v);
	l->v = NULL;
	l->n = l->alloc = 0;
}
