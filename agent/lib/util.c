/*
 * util.c - allocation, buffers, the last-error slot, the output sink and the
 * small file helpers shared by every module.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"

char buf_slop[1];

static void
die_oom(size_t n)
{
	fprintf(stderr, "fatal: out of memory allocating %zu bytes\n", n);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		die_oom(n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		die_oom(n * size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		die_oom(n);
	return q;
}

void *
xgrow(void *p, size_t *alloc, size_t want, size_t size)
{
	size_t n = *alloc;

	if (want <= n)
		return p;
	n = n ? n : 8;
	while (n < want) {
		if (n > SIZE_MAX / 2 / size)
			die_oom(SIZE_MAX);
		n *= 2;
	}
	*alloc = n;
	return xrealloc(p, n * size);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p;
	size_t len = strnlen(s, n);

	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		die_oom(0);
	return s;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

/* Buffers. */

void
buf_init(struct buf *b, size_t max)
{
	b->buf = buf_slop;
	b->len = 0;
	b->alloc = 0;
	b->max = max;
	b->overflow = 0;
}

static void
buf_grow(struct buf *b, size_t extra)
{
	size_t want = b->len + extra + 1;

	if (want > b->alloc)	/* alloc 0: .buf is buf_slop, not ours */
		b->buf = xgrow(b->alloc ? b->buf : NULL, &b->alloc,
		    want < 64 ? 64 : want, 1);
}

void
buf_add(struct buf *b, const void *data, size_t len)
{
	if (b->max && b->len + len > b->max) {
		b->overflow = 1;
		len = b->max > b->len ? b->max - b->len : 0;
	}
	if (len == 0 && b->alloc)
		return;
	buf_grow(b, len);
	if (len)
		memcpy(b->buf + b->len, data, len);
	b->len += len;
	b->buf[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addch(struct buf *b, int c)
{
	char ch = (char)c;

	buf_add(b, &ch, 1);
}

void
buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	char *s = xvasprintf(fmt, ap);

	buf_adds(b, s);
	free(s);
}

void
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->overflow = 0;
	if (b->alloc)
		b->buf[0] = '\0';
}

void
buf_release(struct buf *b)
{
	size_t max = b->max;

	if (b->alloc)
		free(b->buf);
	buf_init(b, max);
}

char *
buf_detach(struct buf *b, size_t *len)
{
	char *s;

	if (b->alloc == 0)
		buf_grow(b, 0), b->buf[0] = '\0';
	s = b->buf;
	if (len)
		*len = b->len;
	buf_init(b, b->max);
	return s;
}

void
buf_rtrim(struct buf *b)
{
	while (b->len > 0 && (b->buf[b->len - 1] == ' ' ||
	    b->buf[b->len - 1] == '\t' || b->buf[b->len - 1] == '\n' ||
	    b->buf[b->len - 1] == '\r'))
		b->len--;
	if (b->alloc)
		b->buf[b->len] = '\0';
}

/* The last error: each thread has its own (converge runs services in
 * threads; a worker hands its message to the caller). */

static __thread char *last_error;

int
error_set(const char *fmt, ...)
{
	va_list ap;
	char *msg, *p;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	/* One line: fold newlines the engine or a library may have sent. */
	for (p = msg; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	}
	while (p > msg && p[-1] == ' ')
		*--p = '\0';
	free(last_error);
	last_error = msg;
	return -1;
}

const char *
error_last(void)
{
	return last_error != NULL ? last_error : "unknown error";
}

void
error_clear(void)
{
	free(last_error);
	last_error = NULL;
}

char *
error_save(void)
{
	return xstrdup(error_last());
}

int
error_restore(char *saved)
{
	free(last_error);
	last_error = saved;
	return -1;
}

/* Output. */

static void
default_sink(void *ctx, int is_warning, const char *line)
{
	FILE *f = is_warning ? stderr : stdout;

	(void)ctx;
	fputs(line, f);
	fputc('\n', f);
	fflush(f);
}

static out_sink_fn sink_fn = default_sink;
static void *sink_ctx;
static struct strv secrets;
static struct strv secrets_nocase; /* hex digits: matched in any case */
static struct strv secrets_raw;    /* the values: matched %-escaped too */
/*
 * Pieces of the values' base64 (B64_WINDOW characters from a 4-character
 * group) and hex (HEX_WINDOW digits, lower case), sorted: a run of such
 * characters in a line that holds one is the value cut by a line width
 * (base64 wraps at 76, openssl at 64, xxd -p at 60), and goes whole.
 */
#define B64_WINDOW 8
#define HEX_WINDOW 12
static struct strv windows_b64, windows_hex;
/* Values are added while threads (parallel creates, the remover) print. */
static pthread_rwlock_t secrets_lock = PTHREAD_RWLOCK_INITIALIZER;

void
out_set_sink(out_sink_fn fn, void *ctx)
{
	sink_fn = fn != NULL ? fn : default_sink;
	sink_ctx = ctx;
}

static void
redact_one(const char *form)
{
	if (strlen(form) >= OUT_REDACT_MIN && !strv_contains(&secrets, form))
		strv_push(&secrets, form);
}

/*
 * s as Go's strconv.Quote writes it between the quotes (the engine's %q),
 * or as encoding/json does (html: <, >, & as \u003c...; the engine's JSON).
 */
static char *
escaped(const char *s, int json, int html)
{
	struct buf b = BUF_INIT;
	const unsigned char *c;

	for (c = (const unsigned char *)s; *c != '\0'; c++) {
		switch (*c) {
		case '"':
			buf_adds(&b, "\\\"");
			continue;
		case '\\':
			buf_adds(&b, "\\\\");
			continue;
		case '\n':
			buf_adds(&b, "\\n");
			continue;
		case '\r':
			buf_adds(&b, "\\r");
			continue;
		case '\t':
			buf_adds(&b, "\\t");
			continue;
		}
		if (json && html && (*c == '<' || *c == '>' || *c == '&'))
			buf_addf(&b, "\\u%04x", *c);
		else if (json && *c < 0x20)
			buf_addf(&b, "\\u%04x", *c);
		else if (!json && *c == 7)
			buf_adds(&b, "\\a");
		else if (!json && *c == 8)
			buf_adds(&b, "\\b");
		else if (!json && *c == 12)
			buf_adds(&b, "\\f");
		else if (!json && *c == 11)
			buf_adds(&b, "\\v");
		else if (!json && (*c < 0x20 || *c == 0x7f))
			buf_addf(&b, "\\x%02x", *c);
		else if (json && html && c[0] == 0xe2 && c[1] == 0x80 &&
		    (c[2] == 0xa8 || c[2] == 0xa9)) {
			buf_addf(&b, "\\u20%02x", c[2] == 0xa8 ? 0x28 : 0x29);
			c += 2;
		} else
			buf_addch(&b, (char)*c);
	}
	return buf_detach(&b, NULL);
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The pieces of form that are width long and start every step, sorted in. */
static void
add_windows(struct strv *w, const char *form, size_t width, size_t step)
{
	size_t n = strlen(form), i;

	for (i = 0; i + width <= n; i += step) {
		char *piece = xstrndup(form + i, width);

		if (strchr(piece, '=') == NULL && (w->n == 0 ||
		    bsearch(&piece, w->v, w->n, sizeof *w->v, str_cmp) == NULL)) {
			strv_push_owned(w, piece);
			strv_sort(w);
		} else
			free(piece);
	}
}

/* The value as hex: lower case, matched in any case. */
static void
redact_hex_form(const char *secret)
{
	static const char digits[] = "0123456789abcdef";
	struct buf hex = BUF_INIT;
	const unsigned char *c;

	for (c = (const unsigned char *)secret; *c != '\0'; c++) {
		buf_addch(&hex, digits[*c >> 4]);
		buf_addch(&hex, digits[*c & 15]);
	}
	if (!strv_contains(&secrets_nocase, hex.buf))
		strv_push(&secrets_nocase, hex.buf);
	add_windows(&windows_hex, hex.buf, HEX_WINDOW, 2);
	buf_release(&hex);
}

static int
hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
	    c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/*
 * How many bytes of p spell value with any of its bytes %-escaped (URL
 * encoding, in any case and any mix); 0 when p does not start with it.
 */
static size_t
match_escaped(const char *p, const char *value)
{
	const char *q = p;
	const unsigned char *v;

	for (v = (const unsigned char *)value; *v != '\0'; v++) {
		if ((unsigned char)*q == *v)
			q++;
		else if (q[0] == '%' && hexval(q[1]) >= 0 && hexval(q[2]) >= 0 &&
		    hexval(q[1]) * 16 + hexval(q[2]) == *v)
			q += 3;
		else
			return 0;
	}
	return (size_t)(q - p);
}

/*
 * The value in base64 (standard and URL-safe alphabets) wherever it sits in
 * the encoded stream: for each of the 3 offsets, the 4-character groups
 * that hold only the value's bytes, when there are at least two of them
 * (shorter runs would mask ordinary words); and the whole padded encoding
 * of the value alone.
 */
static void
redact_base64_forms(const char *secret)
{
	static const char *const alphabets[] = {
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
	};
	size_t n = strlen(secret), a, k, i;

	for (a = 0; a < ARRAY_SIZE(alphabets); a++) {
		const char *al = alphabets[a];

		for (k = 0; k < 3; k++) {
			/* k filler bytes, then the value */
			size_t len = k + n;
			unsigned char *in = xcalloc(len + 3, 1);
			struct buf out = BUF_INIT;
			size_t full, first = k > 0 ? 3 : 0;

			memcpy(in + k, secret, n);
			full = k == 0 && len % 3 != 0 ? len + (3 - len % 3) :
			    len - len % 3;
			for (i = 0; i < full; i += 3) {
				unsigned v = (unsigned)in[i] << 16 |
				    (unsigned)in[i + 1] << 8 | in[i + 2];
				size_t left = len - i;

				if (i < first)
					continue;
				buf_addch(&out, al[v >> 18 & 63]);
				buf_addch(&out, al[v >> 12 & 63]);
				buf_addch(&out, left > 1 ? al[v >> 6 & 63] : '=');
				buf_addch(&out, left > 2 ? al[v & 63] : '=');
			}
			if (k == 0)
				redact_one(out.buf ? out.buf : "");
			if (out.buf != NULL)
				add_windows(&windows_b64, out.buf, B64_WINDOW,
				    4);
			/* the groups that depend on the value alone */
			if (k == 0 && n % 3 != 0 && out.len >= 4)
				out.buf[out.len - 4] = '\0';
			if (out.buf != NULL && strlen(out.buf) >= 8)
				redact_one(out.buf);
			buf_release(&out);
			free(in);
		}
	}
}

static void redact_locked(const char *secret);

void
out_redact(const char *secret)
{
	if (secret == NULL || strlen(secret) < OUT_REDACT_MIN)
		return;
	pthread_rwlock_wrlock(&secrets_lock);
	redact_locked(secret);
	pthread_rwlock_unlock(&secrets_lock);
}

static void
redact_locked(const char *secret)
{
	char *forms[5];
	const char *line, *end;
	size_t i;

	redact_one(secret);
	forms[0] = escaped(secret, 0, 0);          /* Go %q */
	forms[1] = escaped(secret, 1, 1);          /* Go JSON */
	forms[2] = escaped(secret, 1, 0);          /* plain JSON */
	forms[3] = escaped(forms[0], 1, 1);        /* JSON of a %q */
	forms[4] = escaped(forms[0], 0, 0);        /* %q of a %q */
	for (i = 0; i < ARRAY_SIZE(forms); i++) {
		redact_one(forms[i]);
		free(forms[i]);
	}
	/* error_set() folds newlines into blanks. */
	if (strpbrk(secret, "\r\n") != NULL) {
		char *folded = xstrdup(secret), *f;

		for (f = folded; *f != '\0'; f++) {
			if (*f == '\n' || *f == '\r')
				*f = ' ';
		}
		redact_one(folded);
		free(folded);
	}
	/* Output goes out line by line: each line of the value on its own. */
	for (line = secret; strchr(line, '\n') != NULL; line = end + 1) {
		char *piece;

		end = strchr(line, '\n');
		piece = xstrndup(line, (size_t)(end - line));
		if (piece[0] != '\0' && piece[strlen(piece) - 1] == '\r')
			piece[strlen(piece) - 1] = '\0';
		redact_one(piece);
		free(piece);
	}
	if (line != secret)
		redact_one(line);
	if (!strv_contains(&secrets_raw, secret))
		strv_push(&secrets_raw, secret);
	redact_hex_form(secret);
	redact_base64_forms(secret);
}


void
out_redact_clear(void)
{
	pthread_rwlock_wrlock(&secrets_lock);
	strv_clear(&secrets);
	strv_clear(&secrets_nocase);
	strv_clear(&secrets_raw);
	strv_clear(&windows_b64);
	strv_clear(&windows_hex);
	pthread_rwlock_unlock(&secrets_lock);
}

static int
b64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '-' ||
	    c == '_' || c == '=';
}

/* Does a window of w (width long) occur in the run s[0..n)? */
static int
run_holds(const struct strv *w, const char *s, size_t n, size_t width,
    int lower)
{
	char piece[16];
	size_t i, j;

	if (w->n == 0 || n < width)
		return 0;
	for (i = 0; i + width <= n; i++) {
		const char *key = piece;

		for (j = 0; j < width; j++)
			piece[j] = lower ? (char)tolower((unsigned char)s[i + j]) :
			    s[i + j];
		piece[width] = '\0';
		if (bsearch(&key, w->v, w->n, sizeof *w->v, str_cmp) != NULL)
			return 1;
	}
	return 0;
}

/* s with each run of base64 or hex characters that holds a window masked. */
static char *
mask_runs(const char *s)
{
	struct buf b = BUF_INIT;
	const char *p = s;

	while (*p != '\0') {
		size_t n = 0;

		while (b64_char(p[n]))
			n++;
		if (n >= B64_WINDOW && (run_holds(&windows_b64, p, n,
		    B64_WINDOW, 0) || run_holds(&windows_hex, p, n,
		    HEX_WINDOW, 1))) {
			buf_adds(&b, "******");
			p += n;
		} else if (n > 0) {
			buf_add(&b, p, n);
			p += n;
		} else
			buf_addch(&b, *p++);
	}
	if (b.buf == NULL)
		buf_add(&b, "", 0);
	return buf_detach(&b, NULL);
}

char *
out_redacted(const char *s)
{
	struct buf b = BUF_INIT;
	size_t i;
	const char *p;
	char *masked;

	pthread_rwlock_rdlock(&secrets_lock);
	if (secrets.n == 0 && secrets_nocase.n == 0) {
		pthread_rwlock_unlock(&secrets_lock);
		return xstrdup(s);
	}
	masked = mask_runs(s);
	p = masked;
	while (*p != '\0') {
		size_t best = 0;

		for (i = 0; i < secrets.n; i++) {
			size_t len = strlen(secrets.v[i]);

			if (len > best && strncmp(p, secrets.v[i], len) == 0)
				best = len;
		}
		for (i = 0; i < secrets_nocase.n; i++) {
			size_t len = strlen(secrets_nocase.v[i]);

			if (len > best && strncasecmp(p, secrets_nocase.v[i],
			    len) == 0)
				best = len;
		}
		for (i = 0; i < secrets_raw.n; i++) {
			size_t len = *p == secrets_raw.v[i][0] || *p == '%' ?
			    match_escaped(p, secrets_raw.v[i]) : 0;

			if (len > best)
				best = len;
		}
		if (best) {
			buf_adds(&b, "******");
			p += best;
		} else
			buf_addch(&b, *p++);
	}
	pthread_rwlock_unlock(&secrets_lock);
	free(masked);
	if (b.buf == NULL)
		buf_add(&b, "", 0);
	return buf_detach(&b, NULL);
}

char *
out_printable(const char *s, int keep_newlines)
{
	struct buf b = BUF_INIT;
	const unsigned char *c;

	for (c = (const unsigned char *)s; *c != '\0'; c++) {
		/* a CRLF line's CR is only its end */
		if (*c == '\r' && (c[1] == '\0' || c[1] == '\n'))
			continue;
		if ((*c < 0x20 && *c != '\t' && !(keep_newlines && *c == '\n')) ||
		    *c == 0x7f) {
			buf_addch(&b, '^');
			buf_addch(&b, (char)(*c ^ 0x40));
		} else if (c[0] == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f) {
			buf_addch(&b, '?');
			c++;
		} else if (*c >= 0x80) {
			/* one whole UTF-8 character, or '?' for a byte that
			 * starts none (a raw 0x9b is CSI to an 8-bit terminal) */
			size_t rest = strnlen((const char *)c, 4);
			size_t n = utf8_valid_prefix((const char *)c, rest);
			size_t one = *c >= 0xf0 ? 4 : *c >= 0xe0 ? 3 : 2;

			if (n >= one) {
				buf_add(&b, (const char *)c, one);
				c += one - 1;
			} else
				buf_addch(&b, '?');
		} else
			buf_addch(&b, (char)*c);
	}
	if (b.buf == NULL)
		buf_add(&b, "", 0);
	return buf_detach(&b, NULL);
}

/* Lines from threads reach the sink whole and one at a time. */
static pthread_mutex_t sink_lock = PTHREAD_MUTEX_INITIALIZER;

void
out_line(int is_warning, const char *line)
{
	char *redacted = out_redacted(line);
	char *safe = out_printable(redacted, 1);

	free(redacted);
	pthread_mutex_lock(&sink_lock);
	sink_fn(sink_ctx, is_warning, safe);
	pthread_mutex_unlock(&sink_lock);
	free(safe);
}

void
out_info(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	out_line(0, s);
	free(s);
}

void
out_warn(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	out_line(1, s);
	free(s);
}

/* Files. */

int
read_file(const char *path, struct buf *out, size_t max)
{
	char chunk[8192];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error_set("cannot open \"%s\": %s", path, strerror(errno));
	buf_reset(out);
	out->max = max;
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return error_set("cannot read \"%s\": %s", path,
			    strerror(errno));
		}
		buf_add(out, chunk, (size_t)n);
		if (out->overflow) {
			close(fd);
			return error_set("\"%s\" is larger than %zu bytes", path,
			    max);
		}
	}
	close(fd);
	if (out->alloc == 0)
		buf_add(out, "", 0);
	return 0;
}

/* fsync the directory holding path, so that a rename in it is durable. */
static int
fsync_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash == NULL ? xstrdup(".") :
	    slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
	int fd, rc = 0;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    fsync(fd) < 0)
		rc = error_set("cannot sync directory \"%s\": %s", dir,
		    strerror(errno));
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

/*
 * The temporary file: an unpredictable name beside path, created exclusively
 * (never through a symlink or over an existing file). Its name goes to *tmp.
 */
static int
create_temp(const char *path, char **tmp)
{
	unsigned char rnd[8];
	int attempt, fd;

	*tmp = NULL;
	for (attempt = 0; attempt < 16; attempt++) {
		free(*tmp);
		*tmp = NULL;
		if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
			return error_set("cannot create a temporary name for "
			    "\"%s\": %s", path, strerror(errno));
		*tmp = xasprintf("%s.tmp.%02x%02x%02x%02x%02x%02x%02x%02x", path,
		    rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6],
		    rnd[7]);
		fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0) {
		error_set("cannot create \"%s\": %s", *tmp, strerror(errno));
		free(*tmp);	/* not ours: never unlink it */
		*tmp = NULL;
	}
	return fd;
}

/* Does the regular file path hold exactly data, with mode, owned by us? */
static int
same_file(const char *path, const void *data, size_t len, mode_t mode)
{
	struct stat st;
	char *have;
	int fd, same = 0;
	ssize_t n;

	if (len > (64u << 10) || (fd = open(path, O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0)
		return 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (size_t)st.st_size == len && (st.st_mode & 07777) == mode &&
	    st.st_uid == geteuid() && st.st_gid == getegid()) {
		have = xmalloc(len + 1);
		n = read(fd, have, len + 1);
		same = n == (ssize_t)len && memcmp(have, data, len) == 0;
		free(have);
	}
	close(fd);
	return same;
}

int
write_file_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	char *tmp = NULL;
	const char *p = data;
	struct stat st;
	int fd, rc = -1;

	/* Nothing to change, nothing to sync (a no-op deploy writes its state
	 * files again, each an fsync of the file and one of its directory). */
	if (same_file(path, data, len, mode))
		return 0;
	if ((fd = create_temp(path, &tmp)) < 0)
		goto done;
	/* A replaced file keeps its owner; the mode is the caller's. */
	if (stat(path, &st) == 0 && (st.st_uid != geteuid() ||
	    st.st_gid != getegid()) && fchown(fd, st.st_uid, st.st_gid) < 0) {
		error_set("cannot chown \"%s\": %s", tmp, strerror(errno));
		goto done;
	}
	if (fchmod(fd, mode) < 0) {
		error_set("cannot chmod \"%s\": %s", tmp, strerror(errno));
		goto done;
	}
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error_set("cannot write \"%s\": %s", tmp, strerror(errno));
			goto done;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		error_set("cannot write \"%s\": %s", tmp, strerror(errno));
		goto done;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		error_set("cannot rename \"%s\": %s", tmp, strerror(errno));
		goto done;
	}
	free(tmp);
	tmp = NULL;
	rc = fsync_parent(path);
done:
	if (fd >= 0)
		close(fd);
	if (tmp != NULL && unlink(tmp) < 0 && errno != ENOENT)
		out_warn("warning: cannot remove \"%s\": %s", tmp,
		    strerror(errno));
	free(tmp);
	return rc;
}

int
mkdir_p(const char *path, mode_t mode)
{
	char *p, *s;
	int rc = 0;

	/* Mostly there already: one stat, not a mkdir per component. */
	if (is_dir(path))
		return 0;
	p = xstrdup(path);
	for (s = p[0] != '\0' ? p + 1 : p; ; s++) {	/* "": no p[1] */
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, mode) < 0 && errno != EEXIST) {
				rc = error_set("cannot create directory \"%s\": %s",
				    p, strerror(errno));
				break;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	if (rc == 0 && !is_dir(path))
		rc = error_set("\"%s\" is not a directory", path);
	free(p);
	return rc;
}

static int
remove_tree_at(int at, const char *name)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	int fd, rc = 0;

	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(at, name, 0) < 0 && errno != ENOENT ? -1 : 0;
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (remove_tree_at(dirfd(d), de->d_name) < 0)
			rc = -1;
	}
	closedir(d);
	if (unlinkat(at, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		rc = -1;
	return rc;
}

int
remove_tree(const char *path)
{
	if (remove_tree_at(AT_FDCWD, path) < 0)
		return error_set("cannot remove \"%s\": %s", path,
		    strerror(errno));
	return 0;
}

int
path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int
placeholder_name(const char *name)
{
	return strcmp(name, ".gitkeep") == 0 || strcmp(name, ".keep") == 0 ||
	    strcmp(name, ".gitignore") == 0;
}

char *
path_join(const char *a, const char *b)
{
	size_t la = strlen(a);

	while (la > 1 && a[la - 1] == '/')
		la--;
	while (*b == '/')
		b++;
	if (*b == '\0')
		return xstrndup(a, la);
	if (la == 1 && a[0] == '/')
		return xasprintf("/%s", b);
	return xasprintf("%.*s/%s", (int)la, a, b);
}

char *
path_absolute(const char *path)
{
	char *p = realpath(path, NULL);

	if (p == NULL) {
		error_set("cannot resolve \"%s\": %s", path, strerror(errno));
		return NULL;
	}
	return p;
}

/* The executable a command name runs, searched in PATH (execvp's rule). */
static char *
find_program(const char *name)
{
	const char *path = getenv("PATH"), *p, *end;

	if (strchr(name, '/') != NULL) {
		if (access(name, X_OK) < 0) {
			error_set("cannot run \"%s\": %s", name, strerror(errno));
			return NULL;
		}
		return xstrdup(name);
	}
	if (path == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; ; p = end + 1) {
		char *dir, *file;

		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		dir = end > p ? xstrndup(p, (size_t)(end - p)) : xstrdup(".");
		file = path_join(dir, name);
		free(dir);
		if (access(file, X_OK) == 0 && !is_dir(file))
			return file;
		free(file);
		if (*end == '\0')
			break;
	}
	error_set("cannot run \"%s\": not found in PATH", name);
	return NULL;
}

/*
 * The child between fork and exec: async-signal-safe calls only (everything
 * it needs was prepared before the fork). Signals start as the default with
 * none blocked, whatever the agent had set (e.g. SIGINT ignored while
 * deploying).
 */
void
signals_reset(void)
{
	struct sigaction dfl;
	sigset_t none;
	int sig;

	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);	/* EINVAL: KILL, STOP, glibc 32/33 */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static void __attribute__((noreturn))
exec_child(const char *file, char **argv, int in, int out, const char *msg)
{
	signals_reset();
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(127);
	execve(file, argv, environ);
	if (write(2, msg, strlen(msg)) < 0)
		_exit(127);
	_exit(127);
}

int
run_command(const char *cmdline, struct buf *output)
{
	struct strv argv = STRV_INIT;
	const char *p = cmdline;
	char chunk[4096], *file = NULL, *failed = NULL;
	int fds[2] = { -1, -1 }, null = -1, status, rc = -1;
	pid_t pid;
	ssize_t n;

	while (*p != '\0') {
		size_t len;

		while (*p == ' ' || *p == '\t')
			p++;
		len = strcspn(p, " \t");
		if (len > 0)
			strv_push_owned(&argv, xstrndup(p, len));
		p += len;
	}
	if (argv.n == 0) {
		error_set("empty command");
		goto done;
	}
	if ((file = find_program(argv.v[0])) == NULL)
		goto done;
	failed = xasprintf("cannot run %s: exec failed\n", file);
	if ((null = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
		error_set("cannot open \"/dev/null\": %s", strerror(errno));
		goto done;
	}
	if (pipe2(fds, O_CLOEXEC) < 0) {
		error_set("cannot run \"%s\": %s", argv.v[0], strerror(errno));
		goto done;
	}
	if ((pid = fork()) < 0) {
		error_set("cannot run \"%s\": %s", argv.v[0], strerror(errno));
		goto done;
	}
	if (pid == 0)
		exec_child(file, argv.v, null, fds[1], failed);
	close(fds[1]);
	fds[1] = -1;
	if (output->max == 0)
		output->max = 64u << 10;
	while ((n = read(fds[0], chunk, sizeof chunk)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		buf_add(output, chunk, (size_t)n);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status))
		rc = WEXITSTATUS(status);
	else
		error_set("\"%s\" died of signal %d", argv.v[0], WTERMSIG(status));
done:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	if (null >= 0)
		close(null);
	free(file);
	free(failed);
	strv_clear(&argv);
	return rc;
}

const char *
shown(const char *s, char out[SHOWN_MAX + 4])
{
	size_t i;

	for (i = 0; s[i] != '\0' && i < SHOWN_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		out[i] = c < 0x20 || c >= 0x7f ? '?' : (char)c;
	}
	if (s[i] != '\0') {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
	return out;
}

int
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int
ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

size_t
utf8_valid_prefix(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n, k;

	while (i < len) {
		unsigned c = p[i];
		unsigned lo = 0x80, hi = 0xbf;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			if (c == 0xe0)
				lo = 0xa0;	/* overlong */
			else if (c == 0xed)
				hi = 0x9f;	/* surrogates */
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			if (c == 0xf0)
				lo = 0x90;	/* overlong */
			else if (c == 0xf4)
				hi = 0x8f;	/* past U+10FFFF */
		} else
			return i;
		if (len - i <= n)
			return i;
		for (k = 1; k <= n; k++) {
			if (p[i + k] < (k == 1 ? lo : 0x80) ||
			    p[i + k] > (k == 1 ? hi : 0xbf))
				return i;
		}
		i += n + 1;
	}
	return len;
}

int
parse_long(const char *s, long *out)
{
	char *end;
	long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0)
		return -1;
	*out = v;
	return 0;
}

long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void
strv_push_owned(struct strv *s, char *str)
{
	s->v = xgrow(s->v, &s->alloc, s->n + 2, sizeof *s->v);
	s->v[s->n++] = str;
	s->v[s->n] = NULL;
}

void
strv_push(struct strv *s, const char *str)
{
	strv_push_owned(s, xstrdup(str));
}

int
strv_contains(const struct strv *s, const char *str)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (strcmp(s->v[i], str) == 0)
			return 1;
	}
	return 0;
}

void
strv_sort(struct strv *s)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof *s->v, str_cmp);
}

void
strv_remove(struct strv *s, const char *str)
{
	size_t i, j = 0;

	for (i = 0; i < s->n; i++) {
		if (strcmp(s->v[i], str) == 0)
			free(s->v[i]);
		else
			s->v[j++] = s->v[i];
	}
	s->n = j;
	if (s->v != NULL)
		s->v[j] = NULL;
}

void
strv_clear(struct strv *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = s->alloc = 0;
}
