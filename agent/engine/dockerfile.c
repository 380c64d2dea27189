/*
 * dockerfile.c - the image references of a Dockerfile (see dockerfile.h):
 * moby's parser rules that matter here: a "# escape=" directive, line
 * continuations, comment lines inside them, instruction names in any case.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/dockerfile.h"

/* Substitute $NAME, ${NAME}, ${NAME:-word}, ${NAME:+word} from vars. */
static char *
substitute(const char *s, const struct kvlist *vars)
{
	struct buf b = BUF_INIT;
	const char *p = s;

	while (*p != '\0') {
		const char *name, *end, *word = NULL, *value;
		size_t nlen, wlen = 0;
		const struct kv *kv;
		char *key;
		int op = 0;

		if (*p != '$') {
			buf_addch(&b, *p++);
			continue;
		}
		if (p[1] == '{') {
			name = p + 2;
			for (end = name; isalnum((unsigned char)*end) ||
			    *end == '_'; end++)
				;
			nlen = (size_t)(end - name);
			if (end[0] == ':' && (end[1] == '-' || end[1] == '+')) {
				op = end[1];
				word = end + 2;
				end = strchr(word, '}');
				if (end == NULL)
					goto keep;
				wlen = (size_t)(end - word);
			} else if (*end != '}')
				goto keep;
			end++;
		} else {
			name = p + 1;
			for (end = name; isalnum((unsigned char)*end) ||
			    *end == '_'; end++)
				;
			nlen = (size_t)(end - name);
		}
		if (nlen == 0)
			goto keep;
		key = xstrndup(name, nlen);
		kv = kvlist_find(vars, key);
		free(key);
		value = kv != NULL ? kv->value : NULL;
		if (value == NULL)
			goto keep; /* unknown: the caller refuses the '$' */
		if (op == '-' && *value == '\0')
			buf_add(&b, word, wlen);
		else if (op == '+')
			buf_add(&b, *value ? word : "", *value ? wlen : 0);
		else
			buf_adds(&b, value);
		p = end;
		continue;
keep:
		buf_addch(&b, *p++);
	}
	return buf_detach(&b, NULL);
}

/* BuildKit's blanks between words: [\t\v\f\r ]. */
static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

/*
 * Past the white space BuildKit trims before an instruction (Go's
 * unicode.IsSpace: the blanks, and U+0085 and U+00A0 in UTF-8).
 */
static const char *
skip_space(const char *s)
{
	for (;;) {
		if (is_blank(*s))
			s++;
		else if ((unsigned char)s[0] == 0xc2 &&
		    ((unsigned char)s[1] == 0x85 || (unsigned char)s[1] == 0xa0))
			s += 2;
		else
			return s;
	}
}

/* The next blank-separated word of *p (advanced), or NULL. */
static char *
word(const char **p)
{
	const char *s = *p, *e;

	while (is_blank(*s))
		s++;
	if (*s == '\0')
		return NULL;
	for (e = s; *e != '\0' && !is_blank(*e); e++)
		;
	*p = e;
	return xstrndup(s, (size_t)(e - s));
}

/* A stage by name, or by index where by_index (not in FROM). */
static int
is_stage(const struct strv *stages, const char *ref, int by_index)
{
	size_t i;

	if (by_index && *ref != '\0' &&
	    strspn(ref, "0123456789") == strlen(ref))
		return 1;
	for (i = 0; i < stages->n; i++) {
		if (strcasecmp(stages->v[i], ref) == 0)
			return 1;
	}
	return 0;
}

static void
add_ref(struct strv *out, const struct strv *stages, const char *raw,
    const struct kvlist *vars, int by_index)
{
	char *ref = substitute(raw, vars);

	if (!is_stage(stages, ref, by_index) && strcasecmp(ref, "scratch") != 0 &&
	    !strv_contains(out, ref))
		strv_push(out, ref);
	free(ref);
}

/*
 * The from= of a RUN --mount (type bind or cache: an image or a stage),
 * its CSV fields read with their quotes dropped and keys in any case.
 */
static void
mount_ref(struct strv *out, const struct strv *stages, const char *spec,
    const struct kvlist *vars)
{
	struct buf b = BUF_INIT;
	const char *f;

	for (f = spec; *f != '\0'; f++) {
		if (*f != '"')
			buf_addch(&b, *f);
	}
	for (f = b.buf ? b.buf : ""; *f != '\0';) {
		size_t len = strcspn(f, ",");

		if (len > 5 && strncasecmp(f, "from=", 5) == 0) {
			char *ref = xstrndup(f + 5, len - 5);

			add_ref(out, stages, ref, vars, 1);
			free(ref);
		}
		f += len + (f[len] == ',');
	}
	buf_release(&b);
}

/* One logical line (continuations joined, comments gone). */
static void
instruction(const char *line, const struct kvlist *args, struct kvlist *vars,
    struct strv *stages, int *seen_from, struct strv *out)
{
	const char *p = skip_space(line);
	char *cmd = word(&p), *w;

	if (cmd != NULL && strcasecmp(cmd, "ONBUILD") == 0) {
		free(cmd);
		cmd = word(&p);
	}
	if (cmd == NULL)
		return;
	if (strcasecmp(cmd, "ARG") == 0 && !*seen_from) {
		while ((w = word(&p)) != NULL) {
			char *eq = strchr(w, '='), *v;
			const struct kv *given;

			if (eq != NULL)
				*eq = '\0';
			given = kvlist_find(args, w);
			if (given != NULL && given->value != NULL)
				kvlist_set(vars, w, given->value);
			else if (eq != NULL) {
				v = eq[1] == '"' && strlen(eq + 1) >= 2 ?
				    xstrndup(eq + 2, strlen(eq + 2) - 1) :
				    xstrdup(eq + 1);
				kvlist_set(vars, w, v);
				free(v);
			} else
				kvlist_set(vars, w, ""); /* declared, empty */
			free(w);
		}
	} else if (strcasecmp(cmd, "FROM") == 0) {
		*seen_from = 1;
		while ((w = word(&p)) != NULL && starts_with(w, "--"))
			free(w);
		if (w != NULL) {
			char *as = word(&p), *name = as ? word(&p) : NULL;

			add_ref(out, stages, w, vars, 0);
			if (as != NULL && name != NULL &&
			    strcasecmp(as, "AS") == 0)
				strv_push(stages, name);
			free(as);
			free(name);
			free(w);
		}
	} else if (strcasecmp(cmd, "COPY") == 0 || strcasecmp(cmd, "ADD") == 0) {
		while ((w = word(&p)) != NULL && starts_with(w, "--")) {
			if (strncasecmp(w, "--from=", 7) == 0)
				add_ref(out, stages, w + 7, vars, 1);
			free(w);
		}
		free(w);
	} else if (strcasecmp(cmd, "RUN") == 0) {
		while ((w = word(&p)) != NULL && starts_with(w, "--")) {
			if (strncasecmp(w, "--mount=", 8) == 0)
				mount_ref(out, stages, w + 8, vars);
			free(w);
		}
		free(w);
	}
	free(cmd);
}

void
dockerfile_images(const char *text, const struct kvlist *args,
    struct strv *out)
{
	struct kvlist vars = KVLIST_INIT;
	struct strv stages = STRV_INIT;
	struct buf logical = BUF_INIT;
	const char *p = text;
	char esc = '\\';
	int seen_from = 0, directives = 1;

	if (starts_with(p, "\xef\xbb\xbf"))
		p += 3; /* BuildKit drops a UTF-8 byte-order mark */
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, len), *s, *e;

		p += len + (nl != NULL);
		s = line + (skip_space(line) - line);
		e = s + strlen(s);
		/* only these: BuildKit continues a line on "\\[ \t]*$" */
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			*--e = '\0';
		if (*s == '#') {
			/* "# escape=`" among the directives at the very top */
			if (directives && logical.len == 0) {
				const char *d = s + 1;

				while (*d == ' ' || *d == '\t')
					d++;
				if (strncasecmp(d, "escape", 6) == 0) {
					d += 6;
					while (*d == ' ' || *d == '\t')
						d++;
					if (*d == '=') {
						d++;
						while (*d == ' ' || *d == '\t')
							d++;
						if (*d == '`' || *d == '\\')
							esc = *d;
					}
				} else if (strchr(d, '=') == NULL)
					directives = 0;
			}
			free(line);
			continue;
		}
		directives = 0;
		if (*s == '\0' && logical.len == 0) {
			free(line);
			continue;
		}
		if (e > s && e[-1] == esc) {
			e[-1] = '\0';
			buf_adds(&logical, s);
			buf_addch(&logical, ' ');
			free(line);
			continue;
		}
		buf_adds(&logical, s);
		instruction(logical.buf, args, &vars, &stages, &seen_from, out);
		buf_reset(&logical);
		free(line);
	}
	if (logical.len > 0)
		instruction(logical.buf, args, &vars, &stages, &seen_from, out);
	buf_release(&logical);
	kvlist_clear(&vars);
	strv_clear(&stages);
}

char *
dockerfile_syntax(const char *text)
{
	const char *p = text;

	if (starts_with(p, "\xef\xbb\xbf"))
		p += 3;
	while (*p != '\0') {
		size_t len = strcspn(p, "\n");
		char *line = xstrndup(p, len), *e, *value = NULL;
		const char *s = skip_space(line), *d;

		p += len + (p[len] == '\n');
		e = line + strlen(line);
		while (e > s && is_blank(e[-1]))
			*--e = '\0';
		if (*s == '\0') {
			free(line);
			continue;
		}
		if (*s == '#')
			d = s + 1;
		else if (starts_with(s, "//"))
			d = s + 2;
		else {
			free(line);
			return NULL; /* an instruction: directives are over */
		}
		while (is_blank(*d))
			d++;
		if (strncasecmp(d, "syntax", 6) == 0) {
			d += 6;
			while (is_blank(*d))
				d++;
			if (*d == '=') {
				d++;
				while (is_blank(*d))
					d++;
				value = xstrdup(d);
			}
		}
		free(line);
		if (value != NULL)
			return value;
	}
	return NULL;
}

int
dockerfile_frontend_trusted(const char *ref)
{
	static const char *const names[] = {
		"docker/dockerfile-upstream", "docker/dockerfile", NULL
	};
	const char *p = ref;
	size_t i, n;

	if (starts_with(p, "docker.io/"))
		p += 10;
	for (i = 0; names[i] != NULL; i++) {
		if (starts_with(p, names[i]))
			break;
	}
	if (names[i] == NULL)
		return 0;
	p += strlen(names[i]);
	if (*p == ':') {
		n = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");
		if (n == 0)
			return 0;
		p += 1 + n;
	}
	if (starts_with(p, "@sha256:")) {
		n = strspn(p + 8, "0123456789abcdef");
		if (n != 64)
			return 0;
		p += 8 + n;
	}
	return *p == '\0';
}
