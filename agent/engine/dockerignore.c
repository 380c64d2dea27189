/*
 * dockerignore.c - .dockerignore as docker reads it: docker/cli's
 * ignorefile.ReadAll for the text, moby/patternmatcher for the patterns.
 *
 * A pattern is first checked with the syntax of Go's filepath.Match, then
 * turned into the same Go regexp source Pattern.compile builds (or one of its
 * exact / prefix / suffix shortcuts). That source is run by a small Pike VM
 * implementing the part of Go's RE2 syntax such sources can contain, on runes
 * (invalid UTF-8 decodes to U+FFFD, as in Go), in time linear in the path.
 * Unlike Go, the regexp is compiled when the pattern is added, so a pattern
 * Go would only reject when matching is rejected at once.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/dockerignore.h"
#include "lib/util.h"

#define RUNE_ERROR 0xFFFDu
#define RUNE_MAX 0x10FFFFu
#define LINE_MAX_LEN 65535	/* bufio.Scanner's MaxScanTokenSize, minus '\n' */
#define GROUP_DEPTH_MAX 1000

enum { M_EXACT, M_PREFIX, M_SUFFIX, M_REGEXP };
enum { I_CHAR, I_ANY, I_CLASS, I_BOL, I_EOL, I_SPLIT, I_JMP, I_MATCH };

struct range {
	uint32_t lo;
	uint32_t hi;
};

struct inst {
	int op;
	uint32_t c;		/* I_CHAR */
	struct range *r;	/* I_CLASS */
	size_t nr;
	int negate;
	size_t x, y;		/* I_SPLIT, I_JMP */
};

struct prog {
	struct inst *v;
	size_t n;
	size_t alloc;
};

struct pattern {
	char *text;		/* as ignore_pattern() returns it, '!' included */
	const char *clean;	/* text without the '!' */
	int exclusion;
	int type;
	struct prog prog;	/* M_REGEXP */
};

struct ignore {
	struct pattern *v;
	size_t n;
	size_t alloc;
	int exclusions;
};

/* Decode one rune like Go's utf8.DecodeRune: invalid is U+FFFD, width 1. */
static uint32_t
decode_rune(const char *s, size_t len, size_t *width)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t c;
	size_t n, i;

	*width = 1;
	if (p[0] < 0x80)
		return p[0];
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		c = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		c = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		c = p[0] & 0x07;
	} else
		return RUNE_ERROR;
	if (len < n)
		return RUNE_ERROR;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return RUNE_ERROR;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > RUNE_MAX)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return RUNE_ERROR;
	*width = n;
	return c;
}

/* unicode.IsSpace, which strings.TrimSpace uses. */
static int
is_go_space(uint32_t c)
{
	return (c >= '\t' && c <= '\r') || c == ' ' || c == 0x85 ||
	    c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
	    c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
	    c == 0x3000;
}

/* strings.TrimSpace: narrow [*s, *s + *len) in place. */
static void
trim_space(const char **s, size_t *len)
{
	const char *p = *s, *end = *s + *len, *last = NULL;
	size_t w;

	while (p < end && is_go_space(decode_rune(p, (size_t)(end - p), &w)))
		p += w;
	*s = p;
	for (last = p; p < end; p += w) {
		if (!is_go_space(decode_rune(p, (size_t)(end - p), &w)))
			last = p + w;
	}
	*len = (size_t)(last - *s);
}

char *
ignore_clean(const char *path)
{
	size_t n = strlen(path), r = 0, w = 0, dotdot = 0;
	int rooted = path[0] == '/';
	char *out;

	if (n == 0)
		return xstrdup(".");
	out = xmalloc(n + 2);
	if (rooted) {
		out[w++] = '/';
		r = dotdot = 1;
	}
	while (r < n) {
		if (path[r] == '/')
			r++;
		else if (path[r] == '.' && (r + 1 == n || path[r + 1] == '/'))
			r++;
		else if (path[r] == '.' && path[r + 1] == '.' &&
		    (r + 2 == n || path[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				out[w++] = '/';
			for (; r < n && path[r] != '/'; r++)
				out[w++] = path[r];
		}
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = '\0';
	return out;
}

/* filepath.Dir: everything before the last '/', cleaned. */
static char *
path_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *head, *dir;

	if (slash == NULL)
		return xstrdup(".");
	head = xstrndup(path, (size_t)(slash - path) + 1);
	dir = ignore_clean(head);
	free(head);
	return dir;
}

/*
 * filepath.Match's syntax check (its getEsc): one class member, optionally
 * escaped; something must follow it. NULL or the complaint.
 */
static const char *
class_member(const char **pp)
{
	const char *p = *pp;
	size_t w;

	if (*p == '\0')
		return "unclosed character class";
	if (*p == '-' || *p == ']')
		return "bad character class";
	if (*p == '\\' && *++p == '\0')
		return "unclosed character class";
	if (decode_rune(p, strlen(p), &w) == RUNE_ERROR && w == 1)
		return "invalid UTF-8 in character class";
	p += w;
	if (*p == '\0')
		return "unclosed character class";
	*pp = p;
	return NULL;
}

/* Would filepath.Match report ErrBadPattern for p? NULL or why. */
static const char *
match_syntax(const char *p)
{
	const char *why;
	int nrange;

	while (*p != '\0') {
		if (*p == '\\') {
			if (*++p == '\0')
				return "trailing backslash";
			p++;
		} else if (*p == '[') {
			if (*++p == '^')
				p++;
			for (nrange = 0;; nrange++) {
				if (*p == ']' && nrange > 0)
					break;
				if ((why = class_member(&p)) != NULL)
					return why;
				if (*p == '-') {
					p++;
					if ((why = class_member(&p)) != NULL)
						return why;
				}
			}
			p++;
		} else
			p++;
	}
	return NULL;
}

/*
 * Pattern.compile: the match type of a cleaned pattern and, for M_REGEXP,
 * the Go regexp source in re.
 */
static int
compile_type(const char *pat, struct buf *re)
{
	const char *p = pat, *end = pat + strlen(pat), *at;
	int type = M_EXACT, i;
	uint32_t c;
	size_t w;

	buf_addch(re, '^');
	if (starts_with(p, "\xef\xbb\xbf"))	/* text/scanner drops a BOM */
		p += 3;
	for (i = 0; p < end; i++) {
		at = p;
		c = decode_rune(p, (size_t)(end - p), &w);
		p += w;
		if (c == '*' && p < end && *p == '*') {
			p++;
			if (p < end && *p == '/')
				p++;
			if (p == end) {
				if (type == M_EXACT)
					type = M_PREFIX;
				else {
					buf_adds(re, ".*");
					type = M_REGEXP;
				}
			} else {
				buf_adds(re, "(.*/)?");
				type = M_REGEXP;
			}
			if (i == 0)
				type = M_SUFFIX;
		} else if (c == '*') {
			buf_adds(re, "[^/]*");
			type = M_REGEXP;
		} else if (c == '?') {
			buf_adds(re, "[^/]");
			type = M_REGEXP;
		} else if (c != '\0' && c < 0x80 && strchr(".+()|{}$", (int)c)) {
			buf_addch(re, '\\');
			buf_addch(re, (char)c);
		} else if (c == '\\') {
			buf_addch(re, '\\');
			if (p < end) {
				decode_rune(p, (size_t)(end - p), &w);
				buf_add(re, p, w);
				p += w;
				type = M_REGEXP;
			}
		} else if (c == '[' || c == ']') {
			buf_addch(re, (char)c);
			type = M_REGEXP;
		} else
			buf_add(re, at, w);
	}
	if (type == M_REGEXP)
		buf_addch(re, '$');
	return type;
}

/* The regexp engine: a parser for Go's syntax into a program, and a VM. */

struct rx {
	const char *p;
	const char *end;
	const char *err;
};

static struct inst *
emit(struct prog *pg, int op)
{
	struct inst *in;

	pg->v = xgrow(pg->v, &pg->alloc, pg->n + 1, sizeof *pg->v);
	in = &pg->v[pg->n++];
	memset(in, 0, sizeof *in);
	in->op = op;
	return in;
}

static void
class_add(struct inst *in, uint32_t lo, uint32_t hi)
{
	in->r = xrealloc(in->r, (in->nr + 1) * sizeof *in->r);
	in->r[in->nr].lo = lo;
	in->r[in->nr].hi = hi;
	in->nr++;
}

/* Add a sorted list of ranges (pairs in v), or its complement. */
static void
class_add_group(struct inst *in, const uint32_t *v, size_t n, int negate)
{
	uint32_t next = 0;
	size_t i;

	for (i = 0; i < n; i += 2) {
		if (!negate)
			class_add(in, v[i], v[i + 1]);
		else if (v[i] > next)
			class_add(in, next, v[i] - 1);
		next = v[i + 1] + 1;
	}
	if (negate && next <= RUNE_MAX)
		class_add(in, next, RUNE_MAX);
}

struct group {
	const char *name;
	uint32_t v[8];
	size_t n;
};

/* regexp/syntax perl_groups.go: \d \s \w and the POSIX [:name:] classes. */
static const struct group perl_groups[] = {
	{ "d", { '0', '9' }, 2 },
	{ "s", { '\t', '\n', '\f', '\r', ' ', ' ' }, 6 },
	{ "w", { '0', '9', 'A', 'Z', '_', '_', 'a', 'z' }, 8 },
};
static const struct group posix_groups[] = {
	{ "alnum", { '0', '9', 'A', 'Z', 'a', 'z' }, 6 },
	{ "alpha", { 'A', 'Z', 'a', 'z' }, 4 },
	{ "ascii", { 0, 0x7f }, 2 },
	{ "blank", { '\t', '\t', ' ', ' ' }, 4 },
	{ "cntrl", { 0, 0x1f, 0x7f, 0x7f }, 4 },
	{ "digit", { '0', '9' }, 2 },
	{ "graph", { '!', '~' }, 2 },
	{ "lower", { 'a', 'z' }, 2 },
	{ "print", { ' ', '~' }, 2 },
	{ "punct", { '!', '/', ':', '@', '[', '`', '{', '~' }, 8 },
	{ "space", { '\t', '\r', ' ', ' ' }, 4 },
	{ "upper", { 'A', 'Z' }, 2 },
	{ "word", { '0', '9', 'A', 'Z', '_', '_', 'a', 'z' }, 8 },
	{ "xdigit", { '0', '9', 'A', 'F', 'a', 'f' }, 6 },
};

static int
at_perl_class(const struct rx *rx)
{
	return rx->end - rx->p >= 2 && rx->p[0] == '\\' && rx->p[1] != '\0' &&
	    strchr("dDsSwW", rx->p[1]) != NULL;
}

/* Add the \d \D \s \S \w \W at rx->p to in and step over it. */
static void
perl_class(struct rx *rx, struct inst *in)
{
	const char *p = rx->p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(perl_groups); i++) {
		if (perl_groups[i].name[0] == (p[1] | 0x20))
			break;
	}
	class_add_group(in, perl_groups[i].v, perl_groups[i].n,
	    p[1] >= 'A' && p[1] <= 'Z');
	rx->p += 2;
}

/* Go's parseEscape for a literal character: \a \f \n \r \t \v, punctuation. */
static int
parse_escape(struct rx *rx, uint32_t *out)
{
	static const char from[] = "afnrtv", to[] = "\a\f\n\r\t\v";
	const char *q;
	unsigned char c;

	if (rx->end - rx->p < 2) {
		rx->err = "trailing backslash";
		return -1;
	}
	c = (unsigned char)rx->p[1];
	if (c != '\0' && (q = strchr(from, c)) != NULL)
		*out = (unsigned char)to[q - from];
	else if (c < 0x80 && c != '\0' && !(c >= '0' && c <= '9') &&
	    !((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
		*out = c;
	else {
		rx->err = "unsupported escape in regexp";
		return -1;
	}
	rx->p += 2;
	return 0;
}

static int
class_char(struct rx *rx, uint32_t *out)
{
	size_t w;

	if (rx->p == rx->end) {
		rx->err = "missing closing ] in regexp";
		return -1;
	}
	if (*rx->p == '\\')
		return parse_escape(rx, out);
	*out = decode_rune(rx->p, (size_t)(rx->end - rx->p), &w);
	rx->p += w;
	return 0;
}

/* Go's parseClass; rx->p is just past the '['. */
static int
parse_class(struct rx *rx, struct inst *in)
{
	const char *q;
	uint32_t lo, hi;
	size_t i, n;
	int first = 1, neg;

	if (rx->p < rx->end && *rx->p == '^') {
		in->negate = 1;
		rx->p++;
	}
	while (rx->p == rx->end || *rx->p != ']' || first) {
		first = 0;
		if (rx->end - rx->p > 2 && rx->p[0] == '[' && rx->p[1] == ':' &&
		    (q = memmem(rx->p + 2, (size_t)(rx->end - rx->p - 2), ":]",
		    2)) != NULL) {
			neg = rx->p[2] == '^';
			n = (size_t)(q - rx->p) - 2 - (size_t)neg;
			for (i = 0; i < ARRAY_SIZE(posix_groups); i++) {
				if (strlen(posix_groups[i].name) == n &&
				    memcmp(posix_groups[i].name, rx->p + 2 + neg,
				    n) == 0)
					break;
			}
			if (i == ARRAY_SIZE(posix_groups)) {
				rx->err = "invalid character class in regexp";
				return -1;
			}
			class_add_group(in, posix_groups[i].v,
			    posix_groups[i].n, neg);
			rx->p = q + 2;
			continue;
		}
		if (rx->end - rx->p >= 2 && rx->p[0] == '\\' &&
		    (rx->p[1] == 'p' || rx->p[1] == 'P')) {
			rx->err = "unsupported escape in regexp";
			return -1;
		}
		if (at_perl_class(rx)) {
			perl_class(rx, in);
			continue;
		}
		if (class_char(rx, &lo) < 0)
			return -1;
		hi = lo;
		if (rx->end - rx->p >= 2 && rx->p[0] == '-' && rx->p[1] != ']') {
			rx->p++;
			if (class_char(rx, &hi) < 0)
				return -1;
			if (hi < lo) {
				rx->err = "invalid character class range";
				return -1;
			}
		}
		class_add(in, lo, hi);
	}
	rx->p++;
	return 0;
}

/* Put a quantifier around the instructions [at, pg->n). */
static void
quantify(struct prog *pg, size_t at, int q)
{
	struct inst *in;
	size_t i;

	if (q == '+') {
		in = emit(pg, I_SPLIT);
		in->x = at;
		in->y = pg->n;
		return;
	}
	emit(pg, I_MATCH);	/* room for the SPLIT */
	memmove(&pg->v[at + 1], &pg->v[at], (pg->n - 1 - at) * sizeof *pg->v);
	for (i = at + 1; i < pg->n; i++) {
		if (pg->v[i].op == I_SPLIT || pg->v[i].op == I_JMP) {
			pg->v[i].x++;
			pg->v[i].y++;
		}
	}
	memset(&pg->v[at], 0, sizeof pg->v[at]);
	pg->v[at].op = I_SPLIT;
	pg->v[at].x = at + 1;
	if (q == '*') {
		in = emit(pg, I_JMP);
		in->x = at;
	}
	pg->v[at].y = pg->n;
}

/* A sequence up to the end or an unmatched ')'. */
static int
parse_seq(struct rx *rx, struct prog *pg, int depth)
{
	size_t atom = SIZE_MAX, at, w;
	int quantified = 0;
	uint32_t c;
	struct inst *in;

	while (rx->p < rx->end) {
		c = (unsigned char)*rx->p;
		if (c == ')') {
			if (depth == 0) {
				rx->err = "unexpected ) in regexp";
				return -1;
			}
			return 0;
		}
		if (c == '*' || c == '+' || c == '?') {
			if (atom == SIZE_MAX || quantified) {
				rx->err = "bad repetition operator in regexp";
				return -1;
			}
			quantify(pg, atom, (int)c);
			quantified = 1;
			rx->p++;
			continue;
		}
		at = pg->n;
		if (c == '(') {
			rx->p++;
			if (depth >= GROUP_DEPTH_MAX) {
				rx->err = "regexp nests too deeply";
				return -1;
			}
			if (parse_seq(rx, pg, depth + 1) < 0)
				return -1;
			if (rx->p == rx->end) {
				rx->err = "missing ) in regexp";
				return -1;
			}
			rx->p++;
		} else if (c == '[') {
			rx->p++;
			if (parse_class(rx, emit(pg, I_CLASS)) < 0)
				return -1;
		} else if (c == '.') {
			emit(pg, I_ANY);
			rx->p++;
		} else if (c == '^' || c == '$') {
			emit(pg, c == '^' ? I_BOL : I_EOL);
			rx->p++;
		} else if (c == '\\' && rx->end - rx->p >= 2 &&
		    (rx->p[1] == 'A' || rx->p[1] == 'z')) {
			emit(pg, rx->p[1] == 'A' ? I_BOL : I_EOL);
			rx->p += 2;
		} else if (at_perl_class(rx)) {
			perl_class(rx, emit(pg, I_CLASS));
		} else if (c == '\\') {
			in = emit(pg, I_CHAR);
			if (parse_escape(rx, &in->c) < 0)
				return -1;
		} else {
			in = emit(pg, I_CHAR);
			in->c = decode_rune(rx->p, (size_t)(rx->end - rx->p), &w);
			rx->p += w;
		}
		atom = at;
		quantified = 0;
	}
	return 0;
}

static void
prog_free(struct prog *pg)
{
	size_t i;

	for (i = 0; i < pg->n; i++)
		free(pg->v[i].r);
	free(pg->v);
	memset(pg, 0, sizeof *pg);
}

static int
prog_compile(struct prog *pg, const char *re, const char **why)
{
	struct rx rx = { re, re + strlen(re), NULL };

	if (parse_seq(&rx, pg, 0) < 0) {
		*why = rx.err;
		prog_free(pg);
		return -1;
	}
	emit(pg, I_MATCH);
	return 0;
}

struct vm {
	const struct prog *pg;
	size_t *stack;
	unsigned *mark;
	unsigned gen;
};

/* Add pc and everything reachable from it without input to list. */
static void
vm_add(struct vm *vm, size_t *list, size_t *n, size_t pc, size_t pos,
    size_t len)
{
	const struct inst *in;
	size_t sp = 0;

#define PUSH(x) do {							\
	if (vm->mark[x] != vm->gen) {					\
		vm->mark[x] = vm->gen;					\
		vm->stack[sp++] = (x);					\
	}								\
} while (0)
	PUSH(pc);
	while (sp > 0) {
		pc = vm->stack[--sp];
		in = &vm->pg->v[pc];
		switch (in->op) {
		case I_JMP:
			PUSH(in->x);
			break;
		case I_SPLIT:
			PUSH(in->x);
			PUSH(in->y);
			break;
		case I_BOL:
			if (pos == 0)
				PUSH(pc + 1);
			break;
		case I_EOL:
			if (pos == len)
				PUSH(pc + 1);
			break;
		default:
			list[(*n)++] = pc;
			break;
		}
	}
#undef PUSH
}

static int
class_has(const struct inst *in, uint32_t c)
{
	size_t i;

	for (i = 0; i < in->nr; i++) {
		if (c >= in->r[i].lo && c <= in->r[i].hi)
			return !in->negate;
	}
	return in->negate;
}

/* Does the program match s (it starts with '^', so only at 0)? */
static int
prog_match(const struct prog *pg, const char *s, size_t len)
{
	struct vm vm = { pg, NULL, NULL, 1 };
	size_t *cur, *nxt, *tmp, ncur = 0, nnxt, pos = 0, i, w = 0;
	const struct inst *in;
	int matched = 0, ok;
	uint32_t c;

	vm.stack = xcalloc(pg->n, sizeof *vm.stack);
	vm.mark = xcalloc(pg->n, sizeof *vm.mark);
	cur = xcalloc(pg->n, sizeof *cur);
	nxt = xcalloc(pg->n, sizeof *nxt);
	vm_add(&vm, cur, &ncur, 0, 0, len);
	for (;;) {
		for (i = 0; i < ncur; i++) {
			if (pg->v[cur[i]].op == I_MATCH)
				matched = 1;
		}
		if (matched || ncur == 0 || pos == len)
			break;
		c = decode_rune(s + pos, len - pos, &w);
		vm.gen++;
		nnxt = 0;
		for (i = 0; i < ncur; i++) {
			in = &pg->v[cur[i]];
			if (in->op == I_CHAR)
				ok = in->c == c;
			else if (in->op == I_ANY)
				ok = c != '\n';
			else if (in->op == I_CLASS)
				ok = class_has(in, c);
			else
				ok = 0;
			if (ok)
				vm_add(&vm, nxt, &nnxt, cur[i] + 1, pos + w, len);
		}
		tmp = cur;
		cur = nxt;
		nxt = tmp;
		ncur = nnxt;
		pos += w;
	}
	free(vm.stack);
	free(vm.mark);
	free(cur);
	free(nxt);
	return matched;
}

/* Patterns. */

static int
pattern_match(const struct pattern *pat, const char *s, size_t len)
{
	size_t n = strlen(pat->clean);
	const char *suffix;

	switch (pat->type) {
	case M_EXACT:
		return len == n && memcmp(s, pat->clean, n) == 0;
	case M_PREFIX:
		return len >= n - 2 && memcmp(s, pat->clean, n - 2) == 0;
	case M_SUFFIX:
		suffix = pat->clean + 2;
		n -= 2;
		if (len >= n && memcmp(s + len - n, suffix, n) == 0)
			return 1;
		return suffix[0] == '/' && len == n - 1 &&
		    memcmp(s, suffix + 1, n - 1) == 0;
	default:
		return prog_match(&pat->prog, s, len);
	}
}

/* NewPatternMatcher for one pattern; where prefixes messages. */
static int
add_pattern(struct ignore *ig, const char *raw, const char *where)
{
	struct pattern pat = { NULL, NULL, 0, 0, { NULL, 0, 0 } };
	struct buf re = BUF_INIT;
	char tmp[SHOWN_MAX + 4], *trimmed, *clean;
	const char *s = raw, *why;
	size_t len = strlen(raw);
	int rc = -1;

	trim_space(&s, &len);
	if (len == 0)
		return 0;
	trimmed = xstrndup(s, len);
	clean = ignore_clean(trimmed);
	free(trimmed);
	pat.text = clean;
	pat.clean = clean;
	if (clean[0] == '!') {
		if (clean[1] == '\0') {
			error_set("%sillegal exclusion pattern \"!\"", where);
			goto done;
		}
		pat.exclusion = 1;
		pat.clean++;
	}
	if ((why = match_syntax(pat.clean)) != NULL) {
		error_set("%sbad pattern \"%s\": %s", where,
		    shown(pat.clean, tmp), why);
		goto done;
	}
	pat.type = compile_type(pat.clean, &re);
	if (pat.type == M_REGEXP && prog_compile(&pat.prog, re.buf, &why) < 0) {
		error_set("%sbad pattern \"%s\": %s", where,
		    shown(pat.clean, tmp), why);
		goto done;
	}
	ig->v = xgrow(ig->v, &ig->alloc, ig->n + 1, sizeof *ig->v);
	ig->v[ig->n++] = pat;
	ig->exclusions |= pat.exclusion;
	pat.text = NULL;
	rc = 0;
done:
	free(pat.text);
	buf_release(&re);
	return rc;
}

int
ignore_add(struct ignore *ig, const char *pattern)
{
	return add_pattern(ig, pattern, "");
}

int
ignore_from_patterns(struct ignore **out, const char *const *patterns,
    size_t n)
{
	struct ignore *ig = xcalloc(1, sizeof *ig);
	size_t i;

	*out = NULL;
	for (i = 0; i < n; i++) {
		if (add_pattern(ig, patterns[i], "") < 0) {
			ignore_free(ig);
			return -1;
		}
	}
	*out = ig;
	return 0;
}

/*
 * ReadAll over text: call fn for each pattern with its line number. The
 * line is modified in place (it is a copy).
 */
static int
read_all(const char *text, size_t len, const char *name,
    int (*fn)(void *, const char *, size_t), void *ctx)
{
	const char *p = text, *end = text + len, *nl, *s;
	struct buf pat = BUF_INIT;
	size_t n, lineno = 0;
	char *line, *clean;
	int invert, rc = -1;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl != NULL ? nl : end) - p);
		s = p;
		p = nl != NULL ? nl + 1 : end;
		lineno++;
		if (n > LINE_MAX_LEN) {
			error_set("%s:%zu: line too long", name, lineno);
			goto done;
		}
		if (memchr(s, '\0', n) != NULL) {
			error_set("%s:%zu: NUL byte in pattern", name, lineno);
			goto done;
		}
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (lineno == 1 && n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
			s += 3;
			n -= 3;
		}
		if (n > 0 && s[0] == '#')
			continue;
		trim_space(&s, &n);
		if (n == 0)
			continue;
		invert = s[0] == '!';
		if (invert) {
			s++;
			n--;
			trim_space(&s, &n);
		}
		buf_reset(&pat);
		if (invert)
			buf_addch(&pat, '!');
		if (n > 0) {
			line = xstrndup(s, n);
			clean = ignore_clean(line);
			/* "/foo" is "foo"; "/" stays */
			buf_adds(&pat, clean[0] == '/' && clean[1] != '\0' ?
			    clean + 1 : clean);
			free(line);
			free(clean);
		}
		if (fn(ctx, pat.buf, lineno) < 0)
			goto done;
	}
	rc = 0;
done:
	buf_release(&pat);
	return rc;
}

static int
collect(void *ctx, const char *pattern, size_t lineno)
{
	strv_push(ctx, pattern);
	return 0;
}

int
ignore_read_all(struct strv *out, const char *text, size_t len)
{
	return read_all(text, len, ".dockerignore", collect, out);
}

struct parse_ctx {
	struct ignore *ig;
	const char *name;
};

static int
parse_one(void *ctx, const char *pattern, size_t lineno)
{
	struct parse_ctx *pc = ctx;
	char *where = xasprintf("%s:%zu: ", pc->name, lineno);
	int rc;

	rc = add_pattern(pc->ig, pattern, where);
	free(where);
	return rc;
}

int
ignore_parse(struct ignore **out, const char *text, size_t len,
    const char *name)
{
	struct parse_ctx pc = { xcalloc(1, sizeof *pc.ig), name };

	*out = NULL;
	if (read_all(text, len, name, parse_one, &pc) < 0) {
		ignore_free(pc.ig);
		return -1;
	}
	*out = pc.ig;
	return 0;
}

void
ignore_free(struct ignore *ig)
{
	size_t i;

	if (ig == NULL)
		return;
	for (i = 0; i < ig->n; i++) {
		free(ig->v[i].text);
		prog_free(&ig->v[i].prog);
	}
	free(ig->v);
	free(ig);
}

size_t
ignore_count(const struct ignore *ig)
{
	return ig->n;
}

const char *
ignore_pattern(const struct ignore *ig, size_t i)
{
	return i < ig->n ? ig->v[i].text : NULL;
}

int
ignore_excluded(const struct ignore *ig, const char *path)
{
	char *parent = path_dir(path), *p;
	size_t i, len = strlen(path);
	int matched = 0, m;

	for (i = 0; i < ig->n; i++) {
		const struct pattern *pat = &ig->v[i];

		if (pat->exclusion != matched)
			continue;
		m = pattern_match(pat, path, len);
		if (!m && strcmp(parent, ".") != 0) {
			/* Each parent: "a", "a/b", ... (filepath.Dir split). */
			for (p = parent;; p++) {
				if (*p == '/' || *p == '\0') {
					m = pattern_match(pat, parent,
					    (size_t)(p - parent));
					if (m || *p == '\0')
						break;
				}
			}
		}
		if (m)
			matched = !pat->exclusion;
	}
	free(parent);
	return matched;
}

int
ignore_can_skip_dir(const struct ignore *ig, const char *dir)
{
	size_t i, n = strlen(dir);
	const char *c;

	if (!ig->exclusions)
		return 1;
	for (i = 0; i < ig->n; i++) {
		if (!ig->v[i].exclusion)
			continue;
		/* strings.HasPrefix(pattern + "/", dir + "/") */
		c = ig->v[i].clean;
		if (strncmp(c, dir, n) == 0 && (c[n] == '/' || c[n] == '\0'))
			return 0;
	}
	return 1;
}

int
ignore_match_one(const char *pattern, const char *path)
{
	struct ignore *ig;
	char *clean;
	int r = 0;

	if (ignore_from_patterns(&ig, &pattern, 1) < 0)
		return -1;
	clean = ignore_clean(path);
	if (strcmp(clean, ".") != 0)
		r = ignore_excluded(ig, clean);
	free(clean);
	ignore_free(ig);
	return r;
}

char *
ignore_describe(const char *pattern)
{
	static const char *const names[] = { "exact", "prefix", "suffix" };
	struct prog pg = { NULL, 0, 0 };
	struct buf re = BUF_INIT;
	char *clean = ignore_clean(pattern), *r = NULL;
	const char *why;
	int type;

	type = compile_type(clean, &re);
	if (type != M_REGEXP)
		r = xstrdup(names[type]);
	else if (prog_compile(&pg, re.buf, &why) < 0)
		error_set("bad pattern \"%s\": %s", pattern, why);
	else
		r = buf_detach(&re, NULL);
	prog_free(&pg);
	buf_release(&re);
	free(clean);
	return r;
}
