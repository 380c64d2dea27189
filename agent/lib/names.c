/*
 * names.c - validation of everything a pusher or an operator names: app and
 * service names, revisions, and the "old new ref" lines of a receive hook.
 * Everything here is untrusted input; messages quote it through shown().
 */
#include <stdlib.h>
#include <string.h>

#include "lib/names.h"
#include "lib/util.h"

#define APP_MAX 63
#define SERVICE_MAX 63
#define REV_MAX 255

static int
is_lower_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int
is_alnum(int c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static int
is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

int
name_check_app(const char *name)
{
	char tmp[SHOWN_MAX + 4];
	size_t i;

	if (!is_lower_alnum(name[0]))
		goto bad;
	for (i = 1; name[i] != '\0'; i++) {
		if (i >= APP_MAX || !(is_lower_alnum(name[i]) || name[i] == '-'))
			goto bad;
	}
	return 0;
bad:
	return error_set("invalid app name \"%s\": use lowercase letters, "
	    "digits and dashes, at most %d characters", shown(name, tmp),
	    APP_MAX);
}

int
name_check_service(const char *name)
{
	char tmp[SHOWN_MAX + 4];
	size_t i;

	if (!is_alnum(name[0]))
		goto bad;
	for (i = 1; name[i] != '\0'; i++) {
		if (i >= SERVICE_MAX || !(is_alnum(name[i]) || name[i] == '.' ||
		    name[i] == '_' || name[i] == '-'))
			goto bad;
	}
	return 0;
bad:
	return error_set("invalid service name \"%s\": use letters, digits, "
	    "'.', '_' and '-', at most %d characters", shown(name, tmp),
	    SERVICE_MAX);
}

/* What is wrong with rev as a ref-ish name, or NULL (git check-ref-format). */
static const char *
rev_problem(const char *rev)
{
	size_t len = strlen(rev), i;

	if (len == 0)
		return "it is empty";
	if (len > REV_MAX)
		return "it is longer than 255 characters";
	for (i = 0; i < len; i++) {
		if (!(is_alnum(rev[i]) || rev[i] == '.' || rev[i] == '_' ||
		    rev[i] == '/' || rev[i] == '-'))
			return "use letters, digits, '.', '_', '/' and '-'";
	}
	if (rev[0] == '-' || rev[0] == '/' || rev[0] == '.')
		return "it must not start with '-', '/' or '.'";
	if (rev[len - 1] == '/' || rev[len - 1] == '.')
		return "it must not end with '/' or '.'";
	if (strstr(rev, "..") != NULL)
		return "it must not contain \"..\"";
	if (strstr(rev, "//") != NULL)
		return "it must not contain \"//\"";
	if (strstr(rev, "/.") != NULL)
		return "no part of it may start with '.'";
	if (ends_with(rev, ".lock") || strstr(rev, ".lock/") != NULL)
		return "no part of it may end with \".lock\"";
	return NULL;
}

int
name_check_rev(const char *rev)
{
	char tmp[SHOWN_MAX + 4];
	const char *why = rev_problem(rev);

	if (why != NULL)
		return error_set("invalid revision \"%s\": %s", shown(rev, tmp),
		    why);
	return 0;
}

/* Length of the run of lowercase hex digits at s. */
static size_t
hex_run(const char *s)
{
	size_t n = 0;

	while (is_hex(s[n]))
		n++;
	return n;
}

/* Parse one object id of 40 hex digits followed by a space; the end or -1. */
static const char *
parse_oid(const char *p, char oid[41])
{
	size_t n = hex_run(p);

	if (n == 64)
		return error_set("invalid hook input: sha256 repositories are "
		    "not supported"), NULL;
	if (n != 40 || p[40] != ' ')
		return error_set("invalid hook input: expected \"<old-oid> "
		    "<new-oid> <ref>\" with 40-digit lowercase hex ids"), NULL;
	memcpy(oid, p, 40);
	oid[40] = '\0';
	return p + 41;
}

int
hook_parse_line(const char *line, struct hook_update *u)
{
	char tmp[SHOWN_MAX + 4];
	const char *p, *why;
	size_t len;

	memset(u, 0, sizeof *u);
	if ((p = parse_oid(line, u->old_oid)) == NULL ||
	    (p = parse_oid(p, u->new_oid)) == NULL)
		return -1;
	len = strlen(p);
	if (len > 0 && p[len - 1] == '\n')
		len--;
	u->ref = xstrndup(p, len);
	if ((why = rev_problem(u->ref)) == NULL &&
	    !starts_with(u->ref, "refs/"))
		why = "it does not start with \"refs/\"";
	if (why != NULL) {
		error_set("invalid ref \"%s\" in hook input: %s",
		    shown(u->ref, tmp), why);
		hook_update_dispose(u);
		return -1;
	}
	return 0;
}

void
hook_update_dispose(struct hook_update *u)
{
	free(u->ref);
	u->ref = NULL;
}

int
oid_is_zero(const char *oid)
{
	return oid != NULL && strspn(oid, "0") == 40 && oid[40] == '\0';
}
