/*
 * kvlist.h - an ordered list of key/value pairs.
 */
#ifndef SLIPWAY_KVLIST_H
#define SLIPWAY_KVLIST_H

#include <stddef.h>

#include "lib/util.h"

/* An ordered list of key/value pairs; value NULL means "set, no value". */
struct kv {
	char *key;
	char *value;
};
struct kvlist {
	struct kv *v;
	size_t n;
	size_t alloc;
};
#define KVLIST_INIT { NULL, 0, 0 }
/* Set key (replacing an existing one, keeping its position). */
void kvlist_set(struct kvlist *l, const char *key, const char *value);
const struct kv *kvlist_find(const struct kvlist *l, const char *key);
void kvlist_clear(struct kvlist *l);

#endif
