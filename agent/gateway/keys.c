/*
 * keys.c - SSH keys and the authorized_keys file: key names, public-key
 * validation, the line whose forced command carries a key's name and grant,
 * the parse of any authorized_keys line, and the file's reading and atomic
 * rewriting under a lock (lines slipway did not write are kept as they are).
 * Text parsed here comes from a pusher or an operator's file: messages quote
 * it only through shown().
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gateway/gateway.h"
#include "lib/util.h"

#define KEY_BLOB_MAX 8192     /* decoded bytes: a 16384-bit RSA key is ~2 KiB */
#define KEY_COMMENT_MAX 256
#define KEYS_FILE_MAX (4u << 20)

static int
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* Key names. */

int
gateway_check_key_name(const char *name)
{
	char tmp[SHOWN_MAX + 4];
	size_t i;

	if (!is_alnum((unsigned char)name[0]))
		goto bad;
	for (i = 1; name[i] != '\0'; i++) {
		if (i >= GATEWAY_KEY_NAME_MAX || !(is_alnum((unsigned char)name[i]) ||
		    strchr("._@-", name[i]) != NULL))
			goto bad;
	}
	return 0;
bad:
	return error_set("invalid key name \"%s\": use letters, digits and "
	    ". _ @ -, at most %d characters", shown(name, tmp),
	    GATEWAY_KEY_NAME_MAX);
}

/* Public keys. */

static const struct key_type {
	const char *name;
	const char *curve; /* ecdsa: the curve field */
	size_t point;      /* bytes of the public key or point; 0: RSA */
	int sk;            /* a security key: an application string follows */
} key_types[] = {
	{ "ssh-ed25519", NULL, 32, 0 },
	{ "ssh-rsa", NULL, 0, 0 },
	{ "ecdsa-sha2-nistp256", "nistp256", 65, 0 },
	{ "ecdsa-sha2-nistp384", "nistp384", 97, 0 },
	{ "ecdsa-sha2-nistp521", "nistp521", 133, 0 },
	{ "sk-ssh-ed25519@openssh.com", NULL, 32, 1 },
	{ "sk-ecdsa-sha2-nistp256@openssh.com", "nistp256", 65, 1 },
};

static const struct key_type *
key_type_find(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(key_types); i++) {
		if (strlen(key_types[i].name) == len &&
		    memcmp(key_types[i].name, s, len) == 0)
			return &key_types[i];
	}
	return NULL;
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int
gateway_base64_decode(const char *s, size_t len, struct buf *out)
{
	unsigned v = 0;
	size_t i, pad = 0;
	int bits = 0;

	if (len == 0 || len % 4 != 0)
		return error_set("invalid base64: length %zu", len);
	if (s[len - 1] == '=')
		pad = s[len - 2] == '=' ? 2 : 1;
	for (i = 0; i < len - pad; i++) {
		const char *p = s[i] != '\0' ? strchr(b64, s[i]) : NULL;

		if (p == NULL)
			return error_set("invalid base64: unexpected \"%c\"",
			    s[i] > ' ' && s[i] < 0x7f ? s[i] : '?');
		v = (v << 6) | (unsigned)(p - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addch(out, (int)((v >> bits) & 0xff));
		}
	}
	/* The bits left over must be zero: one encoding per byte string. */
	if ((v & ((1u << bits) - 1)) != 0)
		return error_set("invalid base64: non-canonical end");
	return 0;
}

void
gateway_base64_encode(struct buf *out, const unsigned char *data, size_t len)
{
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		unsigned v = (unsigned)data[i] << 16 | (unsigned)data[i + 1] << 8 |
		    data[i + 2];

		buf_addch(out, b64[v >> 18]);
		buf_addch(out, b64[(v >> 12) & 63]);
		buf_addch(out, b64[(v >> 6) & 63]);
		buf_addch(out, b64[v & 63]);
	}
	if (len - i == 1) {
		buf_addch(out, b64[data[i] >> 2]);
		buf_addch(out, b64[(data[i] & 3) << 4]);
		buf_adds(out, "==");
	} else if (len - i == 2) {
		unsigned v = (unsigned)data[i] << 8 | data[i + 1];

		buf_addch(out, b64[v >> 10]);
		buf_addch(out, b64[(v >> 4) & 63]);
		buf_addch(out, b64[(v << 2) & 63]);
		buf_addch(out, '=');
	}
}

struct reader {
	const unsigned char *p;
	size_t left;
};

/* One SSH wire-format string (uint32 length, bytes). */
static int
get_string(struct reader *r, const unsigned char **s, size_t *len)
{
	uint32_t n;

	if (r->left < 4)
		return -1;
	n = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
	    (uint32_t)r->p[2] << 8 | r->p[3];
	if (n > r->left - 4)
		return -1;
	*s = r->p + 4;
	*len = n;
	r->p += 4 + (size_t)n;
	r->left -= 4 + (size_t)n;
	return 0;
}

static int
field_is(struct reader *r, const char *want)
{
	const unsigned char *s;
	size_t n;

	return get_string(r, &s, &n) == 0 && n == strlen(want) &&
	    memcmp(s, want, n) == 0;
}

/* The decoded key holds exactly the fields its type has. */
static int
check_blob(const struct key_type *t, const unsigned char *data, size_t len)
{
	struct reader r = { data, len };
	const unsigned char *s;
	size_t n;

	if (!field_is(&r, t->name))
		return error_set("key data is not a \"%s\" key", t->name);
	if (t->point == 0) {
		/* RSA: exponent, then a modulus of at least 1024 bits. */
		if (get_string(&r, &s, &n) < 0 || n == 0 ||
		    get_string(&r, &s, &n) < 0 || n < 128)
			return error_set("invalid \"%s\" key data", t->name);
	} else {
		if (t->curve != NULL && !field_is(&r, t->curve))
			return error_set("invalid \"%s\" key data: wrong curve",
			    t->name);
		if (get_string(&r, &s, &n) < 0 || n != t->point ||
		    (t->curve != NULL && s[0] != 4))
			return error_set("invalid \"%s\" key data: bad public "
			    "key size", t->name);
	}
	if (t->sk && get_string(&r, &s, &n) < 0)
		return error_set("invalid \"%s\" key data: no application",
		    t->name);
	if (r.left != 0)
		return error_set("invalid \"%s\" key data: %zu trailing bytes",
		    t->name, r.left);
	return 0;
}

static size_t
span_word(const char *s)
{
	return strcspn(s, " \t");
}

static const char *
skip_blanks(const char *s)
{
	return s + strspn(s, " \t");
}

int
gateway_key_parse(const char *text, struct gateway_key *key)
{
	struct buf raw = BUF_INIT;
	char tmp[SHOWN_MAX + 4];
	const struct key_type *t;
	const char *p = skip_blanks(text);
	char *line = NULL, *blob, *comment, *c;
	size_t len = strlen(p), n;
	int rc = -1;

	memset(key, 0, sizeof *key);
	while (len > 0 && strchr(" \t\r\n", p[len - 1]) != NULL)
		len--;
	if (len > GATEWAY_KEY_LINE_MAX)
		return error_set("public key longer than %d bytes",
		    GATEWAY_KEY_LINE_MAX);
	line = xstrndup(p, len);
	if (strlen(line) != len || strchr(line, '\n') != NULL) {
		error_set("expected one public key on one line");
		goto done;
	}
	if (starts_with(line, "-----BEGIN")) {
		error_set("this is a private key: give the public key (the "
		    ".pub file)");
		goto done;
	}
	n = span_word(line);
	if ((t = key_type_find(line, n)) == NULL) {
		line[n] = '\0';
		error_set("unsupported key type \"%s\" (expected ssh-ed25519, "
		    "ssh-rsa, ecdsa-sha2-nistp256/384/521 or an sk- key)",
		    shown(line, tmp));
		goto done;
	}
	blob = (char *)skip_blanks(line + n);
	if ((n = span_word(blob)) == 0) {
		error_set("\"%s\" key without key data", t->name);
		goto done;
	}
	comment = (char *)skip_blanks(blob + n);
	blob[n] = '\0';
	raw.max = KEY_BLOB_MAX;
	if (gateway_base64_decode(blob, n, &raw) < 0)
		goto done;
	if (raw.overflow) {
		error_set("key data longer than %d bytes", KEY_BLOB_MAX);
		goto done;
	}
	if (check_blob(t, (const unsigned char *)raw.buf, raw.len) < 0)
		goto done;
	for (c = comment; *c != '\0'; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			error_set("control character in the key's comment");
			goto done;
		}
	}
	if (strlen(comment) > KEY_COMMENT_MAX) {
		error_set("key comment longer than %d bytes", KEY_COMMENT_MAX);
		goto done;
	}
	key->type = xstrdup(t->name);
	key->blob = xstrdup(blob);
	key->comment = *comment != '\0' ? xstrdup(comment) : NULL;
	rc = 0;
done:
	buf_release(&raw);
	free(line);
	return rc;
}

void
gateway_key_dispose(struct gateway_key *key)
{
	free(key->type);
	free(key->blob);
	free(key->comment);
	memset(key, 0, sizeof *key);
}

/* A path that sh and sshd's command="" both take literally. */
static int
check_plain_path(const char *what, const char *path)
{
	char tmp[SHOWN_MAX + 4];
	const char *p;

	if (path[0] != '/')
		return error_set("%s \"%s\" is not an absolute path", what,
		    shown(path, tmp));
	for (p = path; *p != '\0'; p++) {
		if (!is_alnum((unsigned char)*p) && strchr("/._-+,:@=", *p) == NULL)
			return error_set("%s \"%s\" contains a character that "
			    "would need quoting in authorized_keys", what,
			    shown(path, tmp));
	}
	return 0;
}

char *
gateway_key_line(const char *slipway, const char *config, const char *name,
    const struct gateway_grant *g, const struct gateway_key *key)
{
	struct buf b = BUF_INIT;
	char *grant;

	if (check_plain_path("slipway binary", slipway) < 0 ||
	    (config != NULL && check_plain_path("configuration", config) < 0) ||
	    gateway_check_key_name(name) < 0)
		return NULL;
	grant = gateway_grant_format(g);
	buf_addf(&b, "command=\"%s%s%s ssh-command %s %s\","
	    "no-port-forwarding,no-X11-forwarding,no-agent-forwarding,no-user-rc "
	    "%s %s", slipway, config ? " -c " : "", config ? config : "", name,
	    grant, key->type, key->blob);
	if (key->comment != NULL)
		buf_addf(&b, " %s", key->comment);
	free(grant);
	return buf_detach(&b, NULL);
}

/* authorized_keys lines. */

/*
 * The value of the command="..." option in opts (sshd's unescaping: only \"
 * is special), or NULL.
 */
static char *
option_command(const char *opts)
{
	struct buf b = BUF_INIT;
	const char *p = opts;
	int in_quote = 0;

	while (*p != '\0') {
		if (!in_quote && strncasecmp(p, "command=\"", 9) == 0 &&
		    (p == opts || p[-1] == ',')) {
			for (p += 9; *p != '\0' && *p != '"'; p++) {
				if (p[0] == '\\' && p[1] == '"')
					p++;
				buf_addch(&b, *p);
			}
			if (*p != '"') {
				buf_release(&b);
				return NULL;
			}
			return buf_detach(&b, NULL);
		}
		if (*p == '"')
			in_quote = !in_quote;
		else if (in_quote && p[0] == '\\' && p[1] == '"')
			p++;
		p++;
	}
	return NULL;
}

/* NAME and grant from a forced command "... ssh-command NAME GRANT". */
static void
entry_slipway(struct gateway_entry *e, const char *command)
{
	struct strv w = STRV_INIT;
	char *copy = xstrdup(command), *word, *next;
	size_t i;

	for (word = copy; word != NULL; word = next) {
		if ((next = strchr(word, ' ')) != NULL)
			*next++ = '\0';
		if (*word != '\0')
			strv_push(&w, word);
	}
	free(copy);
	for (i = 0; i < w.n; i++) {
		if (strcmp(w.v[i], "ssh-command") == 0)
			break;
	}
	if (i + 2 < w.n && gateway_check_key_name(w.v[i + 1]) == 0 &&
	    gateway_grant_parse(&e->grant, (int)(w.n - i - 2), w.v + i + 2) == 0)
		e->name = xstrdup(w.v[i + 1]);
	strv_clear(&w);
}

int
gateway_entry_parse(const char *line, struct gateway_entry *e)
{
	const char *p = skip_blanks(line), *opts = NULL, *blob;
	const struct key_type *t;
	size_t n, opts_len = 0;
	int in_quote = 0;

	memset(e, 0, sizeof *e);
	if (*p == '\0' || *p == '#' || *p == '\n' || *p == '\r')
		return 1;
	n = span_word(p);
	if (key_type_find(p, n) == NULL) {
		/* Options: up to the first blank outside "quotes". */
		opts = p;
		for (; *p != '\0' && (in_quote || (*p != ' ' && *p != '\t'));
		    p++) {
			if (*p == '"')
				in_quote = !in_quote;
			else if (in_quote && p[0] == '\\' && p[1] == '"')
				p++;
		}
		opts_len = (size_t)(p - opts);
		p = skip_blanks(p);
		n = span_word(p);
	}
	if ((t = key_type_find(p, n)) == NULL)
		return 1;
	blob = skip_blanks(p + n);
	n = strcspn(blob, " \t\r\n");
	if (n == 0)
		return 1;
	e->key.type = xstrdup(t->name);
	e->key.blob = xstrndup(blob, n);
	p = skip_blanks(blob + n);
	n = strcspn(p, "\r\n");
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n > 0)
		e->key.comment = xstrndup(p, n);
	if (opts != NULL) {
		char *o = xstrndup(opts, opts_len), *command = option_command(o);

		if (command != NULL)
			entry_slipway(e, command);
		free(command);
		free(o);
	}
	return 0;
}

void
gateway_entry_dispose(struct gateway_entry *e)
{
	free(e->name);
	gateway_grant_dispose(&e->grant);
	gateway_key_dispose(&e->key);
	memset(e, 0, sizeof *e);
}

/* The authorized_keys file. */

static char *
dir_of(const char *path)
{
	char *copy = xstrdup(path), *dir = xstrdup(dirname(copy));

	free(copy);
	return dir;
}

/*
 * Lock the directory holding the file against another `key` command, creating
 * it (mode 0700) when missing; run as root, a new directory goes to the owner
 * of its parent. Returns the lock's fd or -1.
 */
static int
keys_lock(const char *path)
{
	char *dir = dir_of(path), *parent = NULL;
	struct stat st;
	int fd = -1;

	if (!is_dir(dir)) {
		if (mkdir_p(dir, 0700) < 0)
			goto done;
		parent = dir_of(dir);
		if (geteuid() == 0 && stat(parent, &st) == 0 && st.st_uid != 0 &&
		    chown(dir, st.st_uid, st.st_gid) < 0) {
			error_set("cannot give \"%s\" to uid %u: %s", dir,
			    (unsigned)st.st_uid, strerror(errno));
			goto done;
		}
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		error_set("cannot open \"%s\": %s", dir, strerror(errno));
		goto done;
	}
	if (flock(fd, LOCK_EX) < 0) {
		error_set("cannot lock \"%s\": %s", dir, strerror(errno));
		close(fd);
		fd = -1;
	}
done:
	free(parent);
	free(dir);
	return fd;
}

/* The file's text; a missing file is empty. */
static int
keys_read(const char *path, struct buf *text)
{
	if (!path_exists(path)) {
		buf_reset(text);
		buf_add(text, "", 0);
		return 0;
	}
	return read_file(path, text, KEYS_FILE_MAX);
}

/*
 * Replace the file (mode 0600). Run as root, it keeps its owner, or gets the
 * owner of its directory when new, so that sshd and the git user can use it.
 */
static int
keys_write(const char *path, const struct buf *text)
{
	char *dir = dir_of(path);
	struct stat st;
	int have, rc = -1;

	have = stat(path, &st) == 0 || stat(dir, &st) == 0;
	if (write_file_atomic(path, text->buf, text->len, 0600) < 0)
		goto done;
	if (geteuid() == 0 && have && st.st_uid != 0 &&
	    chown(path, st.st_uid, st.st_gid) < 0) {
		error_set("cannot give \"%s\" to uid %u: %s", path,
		    (unsigned)st.st_uid, strerror(errno));
		goto done;
	}
	rc = 0;
done:
	free(dir);
	return rc;
}

/* The lines of text, without their newlines. */
static void
split_lines(const char *text, struct strv *lines)
{
	const char *p = text, *nl;
	size_t len;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		strv_push_owned(lines, xstrndup(p, len));
		p += len + (nl != NULL);
	}
}

int
gateway_key_read(int fd, struct gateway_key *key)
{
	struct buf in = BUF_INIT;
	struct strv lines = STRV_INIT;
	const char *found = NULL;
	char chunk[4096];
	size_t i;
	ssize_t n;
	int rc = -1;

	in.max = GATEWAY_KEY_LINE_MAX + 64;
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error_set("cannot read the key from stdin: %s",
			    strerror(errno));
			goto done;
		}
		buf_add(&in, chunk, (size_t)n);
		if (in.overflow) {
			error_set("more than %d bytes on stdin: expected one "
			    "public key", GATEWAY_KEY_LINE_MAX);
			goto done;
		}
	}
	if (strlen(in.buf) != in.len) {
		error_set("a NUL byte on stdin: expected one public key");
		goto done;
	}
	split_lines(in.buf, &lines);
	for (i = 0; i < lines.n; i++) {
		if (lines.v[i][strspn(lines.v[i], " \t\r")] == '\0')
			continue;
		if (found != NULL) {
			/* A private key is several lines: say what it is. */
			if (gateway_key_parse(found, key) == 0) {
				gateway_key_dispose(key);
				error_set("more than one line on stdin: expected "
				    "one public key");
			}
			goto done;
		}
		found = lines.v[i];
	}
	if (found == NULL) {
		error_set("no public key on stdin");
		goto done;
	}
	rc = gateway_key_parse(found, key);
done:
	strv_clear(&lines);
	buf_release(&in);
	return rc;
}

int
gateway_keys_add(const char *path, const char *name,
    const struct gateway_key *key, const char *line)
{
	struct buf text = BUF_INIT;
	struct strv lines = STRV_INIT;
	size_t i;
	int fd = -1, rc = -1;

	if ((fd = keys_lock(path)) < 0 || keys_read(path, &text) < 0)
		goto done;
	split_lines(text.buf, &lines);
	for (i = 0; i < lines.n; i++) {
		struct gateway_entry e;
		int dup_name, dup_key;

		if (gateway_entry_parse(lines.v[i], &e) == 0) {
			dup_name = e.name != NULL && strcmp(e.name, name) == 0;
			dup_key = strcmp(e.key.blob, key->blob) == 0 &&
			    strcmp(e.key.type, key->type) == 0;
			if (dup_name)
				error_set("key \"%s\" already exists", name);
			else if (dup_key)
				error_set("this key is already in \"%s\"%s%s%s",
				    path, e.name ? " as \"" : "",
				    e.name ? e.name : "", e.name ? "\"" : "");
			gateway_entry_dispose(&e);
			if (dup_name || dup_key)
				goto done;
		}
	}
	if (text.len > 0 && text.buf[text.len - 1] != '\n')
		buf_addch(&text, '\n');
	buf_addf(&text, "%s\n", line);
	if (keys_write(path, &text) < 0)
		goto done;
	rc = 0;
done:
	if (fd >= 0)
		close(fd);
	strv_clear(&lines);
	buf_release(&text);
	return rc;
}

int
gateway_keys_list(const char *path, struct gateway_entry **entries, size_t *n)
{
	struct buf text = BUF_INIT;
	struct strv lines = STRV_INIT;
	size_t i;

	*entries = NULL;
	*n = 0;
	if (keys_read(path, &text) < 0)
		return -1;
	split_lines(text.buf, &lines);
	*entries = xcalloc(lines.n + 1, sizeof **entries);
	for (i = 0; i < lines.n; i++) {
		struct gateway_entry *e = &(*entries)[*n];

		if (gateway_entry_parse(lines.v[i], e) == 0 && e->name != NULL)
			(*n)++;
		else
			gateway_entry_dispose(e);
	}
	strv_clear(&lines);
	buf_release(&text);
	return 0;
}

void
gateway_entries_free(struct gateway_entry *entries, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		gateway_entry_dispose(&entries[i]);
	free(entries);
}

int
gateway_keys_remove(const char *path, const char *name)
{
	struct buf text = BUF_INIT, kept = BUF_INIT;
	struct strv lines = STRV_INIT;
	size_t i;
	int fd = -1, found = 0, rc = -1;

	if ((fd = keys_lock(path)) < 0 || keys_read(path, &text) < 0)
		goto done;
	buf_add(&kept, "", 0);
	split_lines(text.buf, &lines);
	for (i = 0; i < lines.n; i++) {
		struct gateway_entry e;
		int match = gateway_entry_parse(lines.v[i], &e) == 0 &&
		    e.name != NULL && strcmp(e.name, name) == 0;

		gateway_entry_dispose(&e);
		if (match)
			found = 1;
		else
			buf_addf(&kept, "%s\n", lines.v[i]);
	}
	if (!found) {
		error_set("no key \"%s\" in \"%s\"", name, path);
		goto done;
	}
	if (keys_write(path, &kept) < 0)
		goto done;
	rc = 0;
done:
	if (fd >= 0)
		close(fd);
	strv_clear(&lines);
	buf_release(&kept);
	buf_release(&text);
	return rc;
}
