/*
 * dotenv.c - .env files read the way compose-go's dotenv/parser.go reads
 * them: `export ` prefix, KEY=value or KEY: value, a bare KEY inherits from
 * the lookup, # comments, unquoted values cut at " #" and trimmed, single
 * quotes literal, double quotes with escapes, quoted values over several
 * lines, and ${VAR} expansion in unquoted and double-quoted values.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "compose/dotenv.h"
#include "compose/interp.h"

#define DOTENV_MAX_SIZE (1 << 20)
/* All values after ${VAR} expansion: "B=$A$A" doubles, line after line. */
#define DOTENV_MAX_EXPANDED (16 << 20)

struct dotenv {
	const char *s;
	size_t len;
	size_t pos;
	int line;
	const char *name;
	const struct kvlist *lookup;
	struct kvlist *out;
	size_t expanded;	/* bytes of values expanded so far */
};

/* parser.go isSpace: blanks that are not a line break. */
static int
is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

static int
is_space(int c)
{
	return is_blank(c) || c == '\n';
}

static int
is_key_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-' ||
	    c == '[' || c == ']' || c >= 0x80;
}

static int derr(struct dotenv *, int, const char *, ...) PRINTF_LIKE(3, 4);

static int
derr(struct dotenv *d, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	error_set("%s:%d: %s", d->name, line, msg);
	free(msg);
	return -1;
}

/* The lookup first, then what the file defined so far (godotenv.go). */
static const char *
expand_lookup(void *ctx, const char *name)
{
	struct dotenv *d = ctx;
	const struct kv *kv = NULL;

	if (d->lookup != NULL)
		kv = kvlist_find(d->lookup, name);
	if (kv == NULL || kv->value == NULL)
		kv = kvlist_find(d->out, name);
	return kv != NULL ? kv->value : NULL;
}

static char *
expand(struct dotenv *d, const char *value, int line)
{
	char *s = interp_string_fn(value, expand_lookup, d, NULL);

	if (s == NULL)
		derr(d, line, "%s", error_last());	/* derr copies it first */
	else if ((d->expanded += strlen(s)) > DOTENV_MAX_EXPANDED) {
		derr(d, line, "values expand to more than %d bytes in all",
		    DOTENV_MAX_EXPANDED);
		free(s);
		s = NULL;
	}
	return s;
}

/* Skip blank lines and comments; 0 at the end of the input. */
static int
statement_start(struct dotenv *d)
{
	for (;;) {
		while (d->pos < d->len &&
		    is_space((unsigned char)d->s[d->pos])) {
			if (d->s[d->pos] == '\n')
				d->line++;
			d->pos++;
		}
		if (d->pos == d->len)
			return 0;
		if (d->s[d->pos] != '#')
			return 1;
		while (d->pos < d->len && d->s[d->pos] != '\n')
			d->pos++;
	}
}

/* expandEscapes: \a \b \f \n \r \t \v \\ \" \$ and \0ooo; others stay. */
static void
unescape(const char *s, size_t len, struct buf *out)
{
	static const char from[] = "abfnrtv\\\"", to[] = "\a\b\f\n\r\t\v\\\"";
	size_t i;

	for (i = 0; i < len; i++) {
		const char *hit;

		if (s[i] != '\\' || i + 1 == len) {
			buf_addch(out, s[i]);
			continue;
		}
		if (s[i + 1] == '$') {
			buf_adds(out, "$$");
			i++;
		} else if (s[i + 1] != '\0' &&
		    (hit = strchr(from, s[i + 1])) != NULL) {
			buf_addch(out, to[hit - from]);
			i++;
		} else if (s[i + 1] == '0') {
			size_t n = 0;
			int v = 0, ok = 1;

			while (n < 3 && i + 2 + n < len &&
			    s[i + 2 + n] >= '0' && s[i + 2 + n] <= '9') {
				if (s[i + 2 + n] > '7')
					ok = 0;
				v = v * 8 + (s[i + 2 + n] - '0');
				n++;
			}
			if (n == 3 && ok && v <= 255)
				buf_addch(out, v);
			else
				buf_add(out, s + i, n + 2);
			i += n + 1;
		} else
			buf_addch(out, s[i]);
	}
}

/* A quoted value starting at d->pos (the quote); sets *value. */
static int
quoted_value(struct dotenv *d, int line, char **value)
{
	struct buf raw = BUF_INIT, esc = BUF_INIT;
	char quote = d->s[d->pos];
	size_t i;
	int escape = 0, rc = -1;

	for (i = d->pos + 1; i < d->len; i++) {
		char c = d->s[i];

		if (c == '\n')
			d->line++;
		if (c != quote) {
			if (!escape && c == '\\') {
				escape = 1;
				continue;
			}
			if (escape) {
				escape = 0;
				buf_addch(&raw, '\\');
			}
			buf_addch(&raw, c);
			continue;
		}
		if (escape) {
			escape = 0;
			buf_addch(&raw, c);
			continue;
		}
		break;
	}
	if (i == d->len) {
		derr(d, line, "unterminated quoted value");
		goto done;
	}
	d->pos = i + 1;
	if (quote == '\'') {
		*value = buf_detach(&raw, NULL);
		rc = 0;
		goto done;
	}
	unescape(raw.buf, raw.len, &esc);
	if ((*value = expand(d, esc.buf, line)) != NULL)
		rc = 0;
done:
	buf_release(&raw);
	buf_release(&esc);
	return rc;
}

static int
unquoted_value(struct dotenv *d, int line, char **value)
{
	size_t start = d->pos, end, i;
	char *raw;

	while (d->pos < d->len && d->s[d->pos] != '\n')
		d->pos++;
	end = d->pos;
	if (d->pos < d->len) {
		d->pos++;
		d->line++;
	}
	for (i = start; i + 1 < end; i++) {
		if (d->s[i] == ' ' && d->s[i + 1] == '#') {
			end = i;
			break;
		}
	}
	while (end > start && is_space((unsigned char)d->s[end - 1]))
		end--;
	raw = xstrndup(d->s + start, end - start);
	*value = expand(d, raw, line);
	free(raw);
	return *value != NULL ? 0 : -1;
}

static int
statement(struct dotenv *d)
{
	const char *s = d->s + d->pos;
	size_t n = d->len - d->pos, i, klen;
	int line = d->line, inherited = 0;
	char *key = NULL, *value = NULL;
	int rc = -1;

	if (n > 7 && strncmp(s, "export", 6) == 0 &&
	    is_blank((unsigned char)s[6])) {
		for (i = 6; i < n && is_blank((unsigned char)s[i]); i++)
			;
		d->pos += i;
		s += i;
		n -= i;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_blank(c))
			continue;
		if (c == '=' || c == ':' || c == '\n')
			break;
		if (!is_key_char(c)) {
			size_t eol = 0;

			while (eol < n && s[eol] != '\n')
				eol++;
			return derr(d, line, "unexpected character \"%c\" in "
			    "variable name \"%.*s\"", c, (int)eol, s);
		}
	}
	/* A bare KEY at the end of the input inherits, like one before '\n'. */
	inherited = i == n || s[i] == '\n';
	klen = i;
	while (klen > 0 && is_space((unsigned char)s[klen - 1]))
		klen--;
	key = xstrndup(s, klen);
	if (strchr(key, ' ') != NULL) {
		derr(d, line, "key cannot contain a space");
		goto done;
	}
	d->pos += i < n ? i + 1 : i;
	if (inherited) {
		const struct kv *kv;

		if (i < n)
			d->line++;
		kv = d->lookup != NULL ? kvlist_find(d->lookup, key) : NULL;
		if (kv != NULL && kv->value != NULL)
			kvlist_set(d->out, key, kv->value);
		rc = 0;
		goto done;
	}
	while (d->pos < d->len && is_blank((unsigned char)d->s[d->pos]))
		d->pos++;
	if (d->pos < d->len && (d->s[d->pos] == '"' || d->s[d->pos] == '\''))
		rc = quoted_value(d, line, &value);
	else
		rc = unquoted_value(d, line, &value);
	if (rc == 0)
		kvlist_set(d->out, key, value);
done:
	free(key);
	free(value);
	return rc;
}

int
dotenv_parse(const char *text, size_t len, const char *name,
    const struct kvlist *lookup, struct kvlist *out)
{
	struct dotenv d = { text, len, 0, 1, name, lookup, out, 0 };
	size_t ok = utf8_valid_prefix(text, len), i;

	/* The engine takes JSON: what it cannot carry is refused here. */
	if (ok < len) {
		int line = 1;

		for (i = 0; i < ok; i++)
			line += text[i] == '\n';
		return derr(&d, line, "not valid UTF-8");
	}
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		d.pos = 3;
	while (statement_start(&d)) {
		if (statement(&d) < 0)
			return -1;
	}
	return 0;
}

/*
 * env_file format: raw, as `docker run --env-file` reads it (docker/cli's
 * kvfile, which compose registers as "raw"): a line is KEY=VALUE with the
 * value taken as it is (no quotes, no ${VAR}, trailing blanks kept); blank
 * lines and those starting with '#' (after leading blanks) are skipped; a
 * bare KEY takes its value from lookup, or is left out. Messages name the
 * line, never its text.
 */
int
dotenv_parse_raw(const char *text, size_t len, const char *name,
    const struct kvlist *lookup, struct kvlist *out)
{
	size_t pos = 0, ok = utf8_valid_prefix(text, len);
	int line = 1;

	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	for (; pos < len; line++) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl != NULL ? (size_t)(nl - text) : len;
		size_t next = nl != NULL ? end + 1 : len, k, eq;
		const struct kv *kv;
		char *key;

		if (ok < next || memchr(text + pos, '\0', end - pos) != NULL)
			return error_set("%s:%d: not valid UTF-8 text", name,
			    line);
		if (end > pos && text[end - 1] == '\r')
			end--;
		while (pos < end && is_space((unsigned char)text[pos]))
			pos++;
		if (pos == end || text[pos] == '#') {
			pos = next;
			continue;
		}
		for (eq = pos; eq < end && text[eq] != '='; eq++)
			;
		if (eq == pos)
			return error_set("%s:%d: no variable name", name, line);
		for (k = pos; k < eq; k++) {
			if (is_space((unsigned char)text[k]))
				return error_set("%s:%d: the variable name "
				    "contains whitespace", name, line);
		}
		key = xstrndup(text + pos, eq - pos);
		if (eq < end) {
			char *value = xstrndup(text + eq + 1, end - eq - 1);

			kvlist_set(out, key, value);
			free(value);
		} else if (lookup != NULL &&
		    (kv = kvlist_find(lookup, key)) != NULL && kv->value != NULL)
			kvlist_set(out, key, kv->value);
		free(key);
		pos = next;
	}
	return 0;
}

/*
 * Read path as godotenv's ReadWithLookup does, which also drops keys that
 * start with a digit.
 */
int
dotenv_read(const char *path, const struct kvlist *lookup, struct kvlist *out)
{
	struct buf b = BUF_INIT;
	struct kvlist tmp = KVLIST_INIT;
	size_t i;
	int rc = -1;

	if (read_file(path, &b, DOTENV_MAX_SIZE) < 0)
		goto done;
	if (memchr(b.buf, '\0', b.len) != NULL) {
		error_set("%s: not a text file", path);
		goto done;
	}
	if (dotenv_parse(b.buf, b.len, path, lookup, &tmp) < 0)
		goto done;
	for (i = 0; i < tmp.n; i++) {
		if (tmp.v[i].key[0] >= '0' && tmp.v[i].key[0] <= '9')
			continue;
		kvlist_set(out, tmp.v[i].key, tmp.v[i].value);
	}
	rc = 0;
done:
	kvlist_clear(&tmp);
	buf_release(&b);
	return rc;
}
