/*
 * names.h - validation of everything a pusher names: app names, revisions,
 * and the `old new ref` lines git feeds to a receive hook.
 */
#ifndef SLIPWAY_NAMES_H
#define SLIPWAY_NAMES_H

#include "lib/util.h"

/* [a-z0-9][a-z0-9-]{0,62}; 0 when valid, else -1 with error_set. */
MUST_CHECK int name_check_app(const char *name);
/*
 * A revision slipway accepts from the command line: a hex object id (4-40),
 * or a ref-ish name of [A-Za-z0-9._/-] that git would accept
 * (no "..", no leading '-', no "@{", no trailing ".lock"). 0 or -1.
 */
MUST_CHECK int name_check_rev(const char *rev);
/* Service names as compose allows them: [a-zA-Z0-9][a-zA-Z0-9._-]*. */
MUST_CHECK int name_check_service(const char *name);

struct hook_update {
	char old_oid[41];
	char new_oid[41];
	char *ref;
};

/*
 * Parse one "old new ref" line (trailing newline allowed). 0 or -1 with
 * error_set. u->ref is allocated; free with hook_update_dispose().
 */
MUST_CHECK int hook_parse_line(const char *line, struct hook_update *u);
void hook_update_dispose(struct hook_update *u);
/* True when oid is forty zeros (a deletion or creation side). */
int oid_is_zero(const char *oid);

#endif
