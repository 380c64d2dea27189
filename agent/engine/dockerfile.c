/*
 * dockerfile.c - the image references of a Dockerfile (see dockerfile.h):
 * moby's parser rules that matter here: a "# escape=" directive, line
 * continuations, comment lines inside them, instruction names in any case.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

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
 * The length of the Unicode White_Space character (Go's unicode.IsSpace,
 * which BuildKit trims before an instruction) s starts with in UTF-8, or 0:
 * the blanks, U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029,
 * U+202F, U+205F and U+3000.
 */
static size_t
unicode_space(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	if (is_blank((char)s[0]) || s[0] == '\n')
		return 1;
	if (s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
		return 2;
	if (s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80)
		return 3;
	if (s[0] == 0xe2 && s[1] == 0x80 && ((s[2] >= 0x80 && s[2] <= 0x8a) ||
	    s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf))
		return 3;
	if (s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f)
		return 3;
	if (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80)
		return 3;
	return 0;
}

/* Past the white space BuildKit trims before an instruction. */
static const char *
skip_space(const char *s)
{
	size_t n;

	while ((n = unicode_space(s)) > 0)
		s += n;
	return s;
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

/*
 * A "--flag" word as BuildKit reads it (extractBuilderFlags): its quotes
 * dropped and its escapes undone, so that --fr"om"= is --from=.
 */
static char *
flag_word(const char *w, char esc)
{
	struct buf b = BUF_INIT;
	char quote = 0;

	for (; *w != '\0'; w++) {
		if (*w == esc && w[1] != '\0' && quote != '\'')
			buf_addch(&b, *++w);
		else if (quote == 0 && (*w == '"' || *w == '\''))
			quote = *w;
		else if (quote != 0 && *w == quote)
			quote = 0;
		else
			buf_addch(&b, *w);
	}
	return buf_detach(&b, NULL);
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
instruction(const char *line, char esc, const struct kvlist *args,
    struct kvlist *vars, struct strv *stages, int *seen_from,
    struct strv *out)
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
			char *f = flag_word(w, esc);

			if (strncasecmp(f, "--from=", 7) == 0)
				add_ref(out, stages, f + 7, vars, 1);
			free(f);
			free(w);
		}
		free(w);
	} else if (strcasecmp(cmd, "RUN") == 0) {
		while ((w = word(&p)) != NULL && starts_with(w, "--")) {
			char *f = flag_word(w, esc);

			if (strncasecmp(f, "--mount=", 8) == 0)
				mount_ref(out, stages, f + 8, vars);
			free(f);
			free(w);
		}
		free(w);
	}
	free(cmd);
}

/* How one reading of a Dockerfile splits it (see dockerfile_images). */
struct reading {
	char esc;        /* the escape character */
	int heredocs;    /* bodies of <<EOF are data, not instructions */
	int strict;      /* BuildKit's continuation rule, else a looser one */
};

/*
 * The heredoc terminators an instruction opens, in order, into ends
 * ("-" first when leading tabs are stripped): its words of the form
 * [n]<<[-]NAME, NAME quoted or not (BuildKit's reHeredoc).
 */
static void
heredoc_ends(const char *line, struct strv *ends)
{
	const char *p = skip_space(line);
	char *cmd = word(&p), *w;

	if (cmd == NULL || (strcasecmp(cmd, "RUN") != 0 &&
	    strcasecmp(cmd, "COPY") != 0 && strcasecmp(cmd, "ADD") != 0)) {
		free(cmd);
		return;
	}
	while ((w = word(&p)) != NULL) {
		const char *h = w + strspn(w, "0123456789");

		if (starts_with(h, "<<") && h[2] != '<') {
			int dash = h[2] == '-';
			char *name = flag_word(h + 2 + dash, '\\');

			if (*name != '\0')
				strv_push_owned(ends, xasprintf("%s%s",
				    dash ? "-" : "", name));
			free(name);
		}
		free(w);
	}
	free(cmd);
}

/* Does the physical line (blanks trimmed) end in the escape character? */
static int
continues(const char *s, const char *e, const struct reading *r)
{
	if (!r->strict)
		return e > s && e[-1] == r->esc;
	/* BuildKit: ([^\\])\\[ \t]*$ or ^\\[ \t]*$, on the line with only
	 * its trailing CR and LF taken off (not a CR before blanks) */
	return e > s && e[-1] == r->esc && (e - 1 == s || e[-2] != r->esc);
}

static void
scan(const char *text, const struct kvlist *args, const struct reading *r,
    struct strv *out)
{
	struct kvlist vars = KVLIST_INIT;
	struct strv stages = STRV_INIT, ends = STRV_INIT;
	struct buf logical = BUF_INIT;
	const char *p = text;
	int seen_from = 0;
	size_t next_end = 0;

	if (starts_with(p, "\xef\xbb\xbf"))
		p += 3; /* BuildKit drops a UTF-8 byte-order mark */
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, len), *s, *e;

		p += len + (nl != NULL);
		if (next_end < ends.n) {
			/* a heredoc body: data up to its terminator */
			const char *end = ends.v[next_end], *t = line;

			if (*end == '-') {
				end++;
				t += strspn(t, "\t");
			}
			if (strcmp(t, end) == 0 || (strlen(t) ==
			    strlen(end) + 1 && t[strlen(t) - 1] == '\r' &&
			    strncmp(t, end, strlen(end)) == 0))
				next_end++;
			free(line);
			continue;
		}
		s = line + (skip_space(line) - line);
		e = s + strlen(s);
		if (r->strict) {
			while (e > s && (e[-1] == '\r'))
				*--e = '\0';
			while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
				*--e = '\0';
		} else {
			while (e > s && (e[-1] == ' ' || e[-1] == '\t' ||
			    e[-1] == '\r'))
				*--e = '\0';
		}
		/* a comment (the directives too: r->esc says which escape
		 * this reading takes), even inside a continued line */
		if (*s == '#') {
			free(line);
			continue;
		}
		if (*s == '\0' && logical.len == 0) {
			free(line);
			continue;
		}
		if (continues(s, e, r)) {
			e[-1] = '\0';
			buf_adds(&logical, s);
			buf_addch(&logical, ' ');
			free(line);
			continue;
		}
		buf_adds(&logical, s);
		instruction(logical.buf, r->esc, args, &vars, &stages,
		    &seen_from, out);
		if (r->heredocs) {
			strv_clear(&ends);
			next_end = 0;
			heredoc_ends(logical.buf, &ends);
		}
		buf_reset(&logical);
		free(line);
	}
	if (logical.len > 0)
		instruction(logical.buf, r->esc, args, &vars, &stages,
		    &seen_from, out);
	buf_release(&logical);
	kvlist_clear(&vars);
	strv_clear(&stages);
	strv_clear(&ends);
}

/*
 * The escape character as BuildKit reads the parser directives at the top:
 * "# escape=`" holds while every comment before it is a directive it knows
 * (syntax, escape, check).
 */
static char
directive_escape(const char *text)
{
	const char *p = text;
	char esc = '\\';

	if (starts_with(p, "\xef\xbb\xbf"))
		p += 3;
	while (*p != '\0') {
		size_t len = strcspn(p, "\n");
		char *line = xstrndup(p, len);
		const char *d = skip_space(line);
		int known = 0;

		p += len + (p[len] == '\n');
		if (*d == '#') {
			d++;
			while (*d == ' ' || *d == '\t')
				d++;
			if (strncasecmp(d, "escape", 6) == 0) {
				const char *v = d + 6;

				while (*v == ' ' || *v == '\t')
					v++;
				if (*v == '=') {
					v++;
					while (*v == ' ' || *v == '\t')
						v++;
					if (*v == '`' || *v == '\\')
						esc = *v;
					known = 1;
				}
			} else if (strncasecmp(d, "syntax", 6) == 0 ||
			    strncasecmp(d, "check", 5) == 0)
				known = 1;
		}
		free(line);
		if (!known)
			break;
	}
	return esc;
}

/*
 * Builders do not all read a Dockerfile alike: BuildKit's frontends and the
 * classic builder, old and new, differ on heredocs, on which comments end
 * the parser directives (and so whether "# escape=`" holds) and on what
 * continues a line. A file written to be read one way by slipway and
 * another by the builder would hide an image it reads; so it is read every
 * way: out gets what BuildKit's own reading finds, maybe what only the
 * others find.
 */
void
dockerfile_images(const char *text, const struct kvlist *args,
    struct strv *out, struct strv *maybe)
{
	struct reading first = { directive_escape(text), 1, 1 };
	struct strv all = STRV_INIT;
	size_t i, e, h, c;

	scan(text, args, &first, out);
	for (e = 0; e < 2; e++) {
		for (h = 0; h < 2; h++) {
			for (c = 0; c < 2; c++) {
				struct reading r = { e ? '`' : '\\', (int)h,
				    (int)c };

				if (r.esc != first.esc || !r.heredocs ||
				    !r.strict)
					scan(text, args, &r, &all);
			}
		}
	}
	for (i = 0; maybe != NULL && i < all.n; i++) {
		if (!strv_contains(out, all.v[i]) &&
		    !strv_contains(maybe, all.v[i]))
			strv_push(maybe, all.v[i]);
	}
	strv_clear(&all);
}

static char *
directive_syntax(const char *text)
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

/*
 * BuildKit also takes the syntax from a file that is a JSON object with a
 * "syntax" key (parser.DetectSyntax), when no directive names one.
 */
char *
dockerfile_syntax(const char *text)
{
	char *d = directive_syntax(text);
	const char *p = text;
	json_t *j, *v;

	if (d != NULL)
		return d;
	if (starts_with(p, "\xef\xbb\xbf"))
		p += 3;
	p = skip_space(p);
	if (*p != '{' || (j = json_loads(p, 0, NULL)) == NULL)
		return NULL;
	if ((v = json_object_get(j, "syntax")) != NULL)
		d = xstrdup(json_is_string(v) ? json_string_value(v) : "?");
	json_decref(j);
	return d;
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
