/*
 * interp.h - variable interpolation as compose-go's template package does it:
 * $V, ${V}, ${V:-d}, ${V-d}, ${V:?e}, ${V?e}, ${V:+a}, ${V+a}, $$, nesting.
 */
#ifndef SLIPWAY_INTERP_H
#define SLIPWAY_INTERP_H

#include "lib/kvlist.h"

/* The longest result: a value that expands further is an error. */
#define INTERP_MAX (1 << 20)

/*
 * Substitute in s using vars. Returns a new string, or NULL with error_set
 * (a ${V:?err} that fired: `required variable V is missing a value: err`, or
 * an invalid template, a result over INTERP_MAX). An unset variable without default becomes "" and its
 * name is added to *unset (when unset is not NULL, once per name).
 */
char *interp_string(const char *s, const struct kvlist *vars,
    struct strv *unset);

/*
 * The value of variable name, or NULL when it is not set. A kvlist entry
 * whose value is NULL counts as not set.
 */
typedef const char *(*interp_lookup_fn)(void *ctx, const char *name);

/* interp_string() with the variables supplied by a function. */
char *interp_string_fn(const char *s, interp_lookup_fn lookup, void *ctx,
    struct strv *unset);

#endif
