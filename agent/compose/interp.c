/*
 * interp.c - ${VAR} interpolation with compose-go's template semantics
 * (template/template.go): the same operators, the same choice of operator
 * (the first of ":?", "?", ":-", "-", ":+", "+" in the braces), defaults
 * expanded only when used, and the same idea of an invalid template.
 */
#include <stdlib.h>
#include <string.h>

#include "compose/interp.h"

struct interp {
	interp_lookup_fn lookup;
	void *ctx;
	struct strv *unset;
	const char *template;   /* the whole input, for messages */
	int depth;              /* of ${...} defaults being expanded */
};

/* Nested defaults cost a scan of the rest of the line each: bound them. */
#define INTERP_MAX_DEPTH 32

static int expand(struct interp *in, const char *s, size_t len,
    struct buf *out);

static int
is_name_start(int c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_name_char(int c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

static const char *
lookup_kvlist(void *ctx, const char *name)
{
	const struct kv *kv = kvlist_find(ctx, name);

	return kv != NULL ? kv->value : NULL;
}

static const char *
lookup(struct interp *in, const char *name, size_t len)
{
	char *key = xstrndup(name, len);
	const char *v = in->lookup ? in->lookup(in->ctx, key) : NULL;

	free(key);
	return v;
}

static void
note_unset(struct interp *in, const char *name, size_t len)
{
	char *key;

	if (in->unset == NULL)
		return;
	key = xstrndup(name, len);
	if (strv_contains(in->unset, key))
		free(key);
	else
		strv_push_owned(in->unset, key);
}

static int
invalid(struct interp *in)
{
	return error_set("invalid interpolation format in \"%s\": you may need "
	    "to escape any $ with another $", in->template);
}

/*
 * Where the ${ at s[0] closes: template.go's getFirstBraceClosingIndex (a
 * '{' also skips the character after it), limited to one line as its
 * pattern is; when the braces do not balance, the last '}' on the line, as
 * the greedy pattern would take it. -1 when there is none.
 */
static ssize_t
closing_brace(const char *s, size_t len)
{
	size_t i, end;
	ssize_t last = -1;
	int open = 0;

	for (end = 0; end < len && s[end] != '\n'; end++)
		;
	for (i = 0; i < end; i++) {
		if (s[i] == '}') {
			last = (ssize_t)i;
			if (--open == 0)
				return (ssize_t)i;
		}
		if (s[i] == '{') {
			open++;
			i++;
		}
	}
	return last > 1 ? last : -1;
}

static int
missing(const char *name, size_t nlen, const char *reason)
{
	if (*reason == '\0')
		return error_set("required variable %.*s is missing a value",
		    (int)nlen, name);
	return error_set("required variable %.*s is missing a value: %s",
	    (int)nlen, name, reason);
}

/* One ${...}: body is what is between the braces. */
static int
braced(struct interp *in, const char *body, size_t len, struct buf *out)
{
	const char *value, *arg;
	size_t n = 0, alen;
	int colon = 0, op, use_arg;

	if (len == 0 || !is_name_start((unsigned char)body[0]))
		return invalid(in);
	while (n < len && is_name_char((unsigned char)body[n]))
		n++;
	value = lookup(in, body, n);
	if (n == len) {
		if (value == NULL)
			note_unset(in, body, n);
		buf_adds(out, value ? value : "");
		return 0;
	}
	if (body[n] == ':') {
		colon = 1;
		if (n + 1 == len)
			return invalid(in);
	}
	op = body[n + colon];
	if (op != '-' && op != '+' && op != '?')
		return invalid(in);
	arg = body + n + colon + 1;
	alen = len - n - colon - 1;

	switch (op) {
	case '-':
		use_arg = value == NULL || (colon && *value == '\0');
		break;
	case '+':
		use_arg = value != NULL && (!colon || *value != '\0');
		if (!use_arg)
			value = "";
		break;
	default:
		if (value != NULL && (!colon || *value != '\0')) {
			use_arg = 0;
			break;
		} else {
			struct buf msg = BUF_INIT;
			int rc;

			if (expand(in, arg, alen, &msg) < 0) {
				buf_release(&msg);
				return -1;
			}
			rc = missing(body, n, msg.buf);
			buf_release(&msg);
			return rc;
		}
	}
	if (use_arg)
		return expand(in, arg, alen, out);
	buf_adds(out, value);
	return 0;
}

static int
expand(struct interp *in, const char *s, size_t len, struct buf *out)
{
	size_t i = 0, j;
	ssize_t close;

	while (i < len) {
		if (s[i] != '$' || i + 1 == len) {
			buf_addch(out, s[i++]);
			continue;
		}
		if (s[i + 1] == '$') {
			buf_addch(out, '$');
			i += 2;
			continue;
		}
		if (is_name_start((unsigned char)s[i + 1])) {
			const char *v;

			j = i + 1;
			while (j < len && is_name_char((unsigned char)s[j]))
				j++;
			v = lookup(in, s + i + 1, j - i - 1);
			if (v == NULL)
				note_unset(in, s + i + 1, j - i - 1);
			buf_adds(out, v ? v : "");
			i = j;
			continue;
		}
		if (s[i + 1] != '{') {
			buf_addch(out, s[i++]);
			continue;
		}
		close = closing_brace(s + i, len - i);
		if (close < 0)
			return invalid(in);
		if (in->depth >= INTERP_MAX_DEPTH)
			return error_set("interpolation nested deeper than %d "
			    "levels", INTERP_MAX_DEPTH);
		in->depth++;
		if (braced(in, s + i + 2, (size_t)close - 2, out) < 0)
			return -1;
		in->depth--;
		i += (size_t)close + 1;
	}
	return 0;
}

char *
interp_string_fn(const char *s, interp_lookup_fn fn, void *ctx,
    struct strv *unset)
{
	struct interp in = { fn, ctx, unset, s, 0 };
	struct buf out = BUF_INIT;

	buf_init(&out, INTERP_MAX);
	if (expand(&in, s, strlen(s), &out) < 0) {
		buf_release(&out);
		return NULL;
	}
	if (out.overflow) {
		buf_release(&out);
		error_set("the value expands to more than %d bytes", INTERP_MAX);
		return NULL;
	}
	return buf_detach(&out, NULL);
}

char *
interp_string(const char *s, const struct kvlist *vars, struct strv *unset)
{
	return interp_string_fn(s, vars ? lookup_kvlist : NULL, (void *)vars,
	    unset);
}
