/*
 * words.c - shell words for string commands, split as go-shellwords does,
 * and the command / entrypoint keys.
 */
#include <stdlib.h>
#include <string.h>

#include "compose/loader.h"

/* Shell words, as go-shellwords splits compose's string commands. */
static int
shell_split(const char *line, struct strv *out, const char **why)
{
	struct buf w = BUF_INIT;
	int esc = 0, dq = 0, sq = 0, bq = 0, dollar = 0, got = 0;
	const char *p;

	for (p = line; *p != '\0'; p++) {
		char c = *p;

		if (esc) {
			c = c == 't' ? '\t' : c == 'n' ? '\n' : c;
			buf_addch(&w, c);
			esc = 0;
			got = 1;
			continue;
		}
		if (c == '\\') {
			if (sq)
				buf_addch(&w, c);
			else
				esc = 1;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			if (sq || dq || bq || dollar)
				buf_addch(&w, c);
			else if (got) {
				strv_push_owned(out, buf_detach(&w, NULL));
				got = 0;
			}
			continue;
		}
		switch (c) {
		case '`':
			if (!sq && !dq && !dollar)
				bq = !bq;
			break;
		case ')':
			if (!sq && !dq && !bq) {
				if (!dollar)
					goto syntax;
				dollar = 0;
			}
			break;
		case '(':
			if (!sq && !dq && !bq) {
				if (dollar || w.len == 0 ||
				    w.buf[w.len - 1] != '$')
					goto syntax;
				dollar = 1;
			}
			break;
		case '"':
			if (!sq && !dollar) {
				if (dq)
					got = 1;
				dq = !dq;
				continue;
			}
			break;
		case '\'':
			if (!dq && !dollar) {
				if (sq)
					got = 1;
				sq = !sq;
				continue;
			}
			break;
		case ';': case '&': case '|': case '<': case '>':
			if (!sq && !dq && !bq && !dollar) {
				*why = "an unquoted shell operator (;, &, |, "
				    "<, >) needs a shell: use the list form "
				    "with sh -c";
				goto fail;
			}
			break;
		}
		got = 1;
		buf_addch(&w, c);
	}
	if (esc || sq || dq || bq || dollar) {
		*why = "unterminated quote or escape";
		goto fail;
	}
	if (got)
		strv_push_owned(out, buf_detach(&w, NULL));
	buf_release(&w);
	return 0;
syntax:
	*why = "unbalanced parenthesis";
fail:
	buf_release(&w);
	return -1;
}

/* command / entrypoint: a string (shell words) or a list; null unsets. */
int
get_command(struct loader *ld, yaml_node_t *n, const char *key,
    struct strv *dst, int *set)
{
	const char *why;
	char *s;
	int rc;

	strv_clear(dst);
	*set = 0;
	if (is_null(n))
		return 0;
	*set = 1;
	if (n->type == YAML_SEQUENCE_NODE)
		return get_list(ld, n, key, 0, dst);
	if (get_scalar(ld, n, key, "a string or a list", &s) < 0)
		return -1;
	rc = shell_split(s, dst, &why);
	if (rc < 0)
		lerr(ld, n, "\"%s\": %s in \"%s\"", key, why, s);
	free(s);
	return rc;
}
