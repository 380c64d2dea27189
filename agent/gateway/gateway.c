/*
 * gateway.c - the SSH gateway's pure parts: split and check the command an
 * SSH client sent, decide whether a key's grant allows it, validate public
 * keys, and read and write the authorized_keys lines that carry the grants.
 * Everything parsed here comes from a pusher or an operator's file: no shell
 * ever sees it, and messages quote it only through shown().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gateway/gateway.h"
#include "lib/names.h"
#include "lib/state.h"
#include "lib/util.h"

#define KEY_BLOB_MAX 8192     /* decoded bytes: a 16384-bit RSA key is ~2 KiB */
#define KEY_COMMENT_MAX 256
#define LOG_LINES_MAX 100000

static int
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* Characters a word may hold outside quotes: none means anything to sh. */
static int
is_bare(int c)
{
	return is_alnum(c) || (c != '\0' && strchr("_-.,/:=@+%", c) != NULL);
}

int
gateway_split(const char *s, struct strv *words)
{
	struct buf w = BUF_INIT;
	char tmp[SHOWN_MAX + 4];
	const char *p, *q;
	size_t n = 0;
	int in_word = 0, rc = -1;

	if (strlen(s) > GATEWAY_COMMAND_MAX)
		return error_set("command longer than %d bytes",
		    GATEWAY_COMMAND_MAX);
	for (p = s; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return error_set("control character in command \"%s\"",
			    shown(s, tmp));
	}
	for (p = s; *p != '\0';) {
		unsigned char c = (unsigned char)*p;

		if (c == ' ' || c == '\t') {
			if (in_word) {
				strv_push(words, w.buf);
				buf_reset(&w);
				in_word = 0;
			}
			p++;
			continue;
		}
		if (!in_word && ++n > GATEWAY_WORDS_MAX) {
			error_set("command has more than %d words",
			    GATEWAY_WORDS_MAX);
			goto done;
		}
		in_word = 1;
		if (c == '\'') {
			if ((q = strchr(p + 1, '\'')) == NULL) {
				error_set("unterminated quote in command \"%s\"",
				    shown(s, tmp));
				goto done;
			}
			buf_add(&w, p + 1, (size_t)(q - p - 1));
			p = q + 1;
		} else if (c == '\\') {
			if (p[1] < ' ' || p[1] >= 0x7f) {
				error_set("backslash before %s in command",
				    p[1] == '\0' ? "the end" : "a tab");
				goto done;
			}
			buf_addch(&w, p[1]);
			p += 2;
		} else if (is_bare(c)) {
			buf_addch(&w, c);
			p++;
		} else if (c >= 0x80) {
			error_set("non-ASCII character outside quotes in "
			    "command \"%s\"", shown(s, tmp));
			goto done;
		} else {
			error_set(c == '"' ? "unexpected '%c' in command \"%s\"" :
			    "unexpected \"%c\" in command \"%s\"", c,
			    shown(s, tmp));
			goto done;
		}
	}
	if (in_word)
		strv_push(words, w.buf);
	rc = 0;
done:
	buf_release(&w);
	return rc;
}

void
gateway_quote(struct buf *out, const char *word)
{
	const char *p;
	int bare = *word != '\0';

	for (p = word; *p != '\0' && bare; p++)
		bare = is_bare((unsigned char)*p);
	if (bare) {
		buf_adds(out, word);
		return;
	}
	buf_addch(out, '\'');
	for (p = word; *p != '\0'; p++) {
		if (*p == '\'')
			buf_adds(out, "'\\''");
		else
			buf_addch(out, *p);
	}
	buf_addch(out, '\'');
}

/* The commands. */

/* The app a git command's repository argument names, or -1. */
static int
repo_app(const char *arg, const char *repos_dir, char **app)
{
	char tmp[SHOWN_MAX + 4];
	size_t rlen = strlen(repos_dir), len;
	const char *p = arg;
	char *name;

	while (rlen > 1 && repos_dir[rlen - 1] == '/')
		rlen--;
	if (rlen > 1 && strncmp(p, repos_dir, rlen) == 0 && p[rlen] == '/')
		p += rlen + 1;
	else if (p[0] == '~' && p[1] == '/')
		p += 2;
	else if (p[0] == '/')
		p++;
	len = strlen(p);
	if (len > 4 && strcmp(p + len - 4, ".git") == 0)
		len -= 4;
	name = xstrndup(p, len);
	if (name_check_app(name) < 0) {
		free(name);
		return error_set("repository \"%s\" is not an app in repos_dir",
		    shown(arg, tmp));
	}
	*app = name;
	return 0;
}

static int
is_count(const char *s)
{
	long n;

	return parse_long(s, &n) == 0 && n <= LOG_LINES_MAX;
}

/* Each check gets the words, verb first, and n >= 2 (an app or a subcommand). */
static int
check_status(struct gateway_cmd *cmd, char **w, size_t n)
{
	return n == 2 || (n == 3 && strcmp(w[2], "--json") == 0) ? 0 : -1;
}

static int
check_history(struct gateway_cmd *cmd, char **w, size_t n)
{
	int json = 0, count = 0, log = 0;
	size_t i;

	for (i = 2; i < n; i++) {
		if (strcmp(w[i], "--json") == 0 && !json++)
			continue;
		if (strcmp(w[i], "-n") == 0 && !count++ && i + 1 < n &&
		    is_count(w[i + 1])) {
			i++;
			continue;
		}
		if (strcmp(w[i], "--log") == 0 && !log++ && i + 1 < n &&
		    is_count(w[i + 1])) {
			i++;
			continue;
		}
		return -1;
	}
	return 0;
}

static int
check_logs(struct gateway_cmd *cmd, char **w, size_t n)
{
	int follow = 0, count = 0, service = 0;
	size_t i;

	for (i = 2; i < n; i++) {
		if (w[i][0] != '-' && !service++) {
			if (name_check_service(w[i]) < 0)
				return -2;
			continue;
		}
		if (strcmp(w[i], "-f") == 0 && !follow++)
			continue;
		if (strcmp(w[i], "-n") == 0 && !count++ && i + 1 < n &&
		    is_count(w[i + 1])) {
			i++;
			continue;
		}
		return -1;
	}
	return 0;
}

static int
check_deploy(struct gateway_cmd *cmd, char **w, size_t n)
{
	if (n == 2)
		return 0;
	if (n == 3)
		return name_check_rev(w[2]) < 0 ? -2 : 0;
	return -1;
}

static int
check_config(struct gateway_cmd *cmd, char **w, size_t n)
{
	char tmp[SHOWN_MAX + 4];
	size_t i;
	int set;

	if (n == 3 && strcmp(w[2], "list") == 0)
		return 0;
	if (n == 4 && strcmp(w[2], "list") == 0 &&
	    strcmp(w[3], "--values") == 0) {
		cmd->admin_only = 1;
		return 0;
	}
	if (n < 4 || (strcmp(w[2], "set") != 0 && strcmp(w[2], "unset") != 0))
		return -1;
	set = strcmp(w[2], "set") == 0;
	for (i = 3; i < n; i++) {
		char *eq = strchr(w[i], '='), *key;
		int bad;

		if (set && eq == NULL) {
			error_set("expected KEY=VALUE, got \"%s\"",
			    shown(w[i], tmp));
			return -2;
		}
		key = set ? xstrndup(w[i], (size_t)(eq - w[i])) : xstrdup(w[i]);
		/* Only printable ASCII reaches appvars_check_key's message. */
		bad = strcmp(shown(key, tmp), key) != 0 ||
		    appvars_check_key(key) < 0;
		if (bad)
			error_set("invalid variable name \"%s\"", tmp);
		free(key);
		if (bad)
			return -2;
	}
	return 0;
}

static int
check_app(struct gateway_cmd *cmd, char **w, size_t n)
{
	cmd->admin_only = 1;
	if (n == 2 && strcmp(w[1], "list") == 0)
		return 0;
	if (n < 3 || n > 4)
		return -1;
	if (strcmp(w[1], "create") == 0 && n == 3)
		return 0;
	if (strcmp(w[1], "destroy") == 0 &&
	    (n == 3 || strcmp(w[3], "--volumes") == 0))
		return 0;
	return -1;
}

static int
check_key(struct gateway_cmd *cmd, char **w, size_t n)
{
	struct gateway_grant g;

	cmd->admin_only = 1;
	if (n == 2 && strcmp(w[1], "list") == 0)
		return 0;
	if (n < 3 || (strcmp(w[1], "add") != 0 && strcmp(w[1], "remove") != 0))
		return -1;
	if (gateway_check_key_name(w[2]) < 0)
		return -2;
	if (strcmp(w[1], "remove") == 0)
		return n == 3 ? 0 : -1;
	if (gateway_grant_parse(&g, (int)(n - 3), w + 3) < 0)
		return -2;
	gateway_grant_dispose(&g);
	return 0;
}

#define NO_APP ((size_t)-1)

/*
 * The verbs. check() returns 0, -1 for a usage error, or -2 when it set a
 * more precise error itself. app_word is the word that names the app.
 */
static const struct verb {
	const char *name;
	const char *usage;
	size_t app_word;
	int (*check)(struct gateway_cmd *cmd, char **w, size_t n);
} verbs[] = {
	{ "status", "status APP [--json]", 1, check_status },
	{ "history", "history APP [-n N] [--json] [--log ID]", 1, check_history },
	{ "logs", "logs APP [SERVICE] [-n N] [-f]", 1, check_logs },
	{ "deploy", "deploy APP [REV]", 1, check_deploy },
	{ "rollback", "rollback APP [REV]", 1, check_deploy },
	{ "config", "config APP list [--values] | set KEY=VALUE... | "
	    "unset KEY...", 1, check_config },
	{ "app", "app list | app create APP | app destroy APP [--volumes]", 2,
	    check_app },
	{ "key", "key list | key add NAME --apps APP[,APP...]|--admin | "
	    "key remove NAME", NO_APP, check_key },
};

static int
parse_git(struct gateway_cmd *cmd, char **w, size_t n, const char *repos_dir)
{
	size_t rlen = strlen(repos_dir);

	if (n != 2)
		return error_set("usage: %s 'APP.git'", w[0]);
	if (repo_app(w[1], repos_dir, &cmd->app) < 0)
		return -1;
	while (rlen > 1 && repos_dir[rlen - 1] == '/')
		rlen--;
	cmd->kind = GATEWAY_GIT;
	strv_push(&cmd->argv, w[0]);
	strv_push_owned(&cmd->argv, xasprintf("%.*s/%s.git", (int)rlen,
	    repos_dir, cmd->app));
	return 0;
}

static int
parse_verb(struct gateway_cmd *cmd, const struct verb *v, char **w, size_t n)
{
	size_t i;
	int rc;

	cmd->kind = GATEWAY_VERB;
	if (n < 2)
		return error_set("usage: %s", v->usage);
	if ((rc = v->check(cmd, w, n)) == -1)
		return error_set("usage: %s", v->usage);
	if (rc < 0)
		return -1;
	if (v->app_word < n) {
		if (name_check_app(w[v->app_word]) < 0)
			return -1;
		cmd->app = xstrdup(w[v->app_word]);
	}
	for (i = 0; i < n; i++)
		strv_push(&cmd->argv, w[i]);
	return 0;
}

int
gateway_parse(const char *line, const char *repos_dir, struct gateway_cmd *cmd)
{
	struct strv w = STRV_INIT;
	char tmp[SHOWN_MAX + 4];
	size_t i;
	int rc = -1;

	memset(cmd, 0, sizeof *cmd);
	if (gateway_split(line, &w) < 0)
		goto done;
	if (w.n == 0) {
		error_set("empty command: push with git, or run one of "
		    "status, history, logs, deploy, rollback, config, app, key");
		goto done;
	}
	if (strcmp(w.v[0], "git-receive-pack") == 0 ||
	    strcmp(w.v[0], "git-upload-pack") == 0) {
		rc = parse_git(cmd, w.v, w.n, repos_dir);
		goto done;
	}
	for (i = 0; i < ARRAY_SIZE(verbs); i++) {
		if (strcmp(w.v[0], verbs[i].name) == 0) {
			rc = parse_verb(cmd, &verbs[i], w.v, w.n);
			goto done;
		}
	}
	error_set("unknown command \"%s\"", shown(w.v[0], tmp));
done:
	strv_clear(&w);
	return rc;
}

void
gateway_cmd_dispose(struct gateway_cmd *cmd)
{
	free(cmd->app);
	strv_clear(&cmd->argv);
	memset(cmd, 0, sizeof *cmd);
}

/* Grants. */

int
gateway_grant_parse(struct gateway_grant *g, int argc, char **argv)
{
	char *list, *name, *next;
	int rc = 0;

	memset(g, 0, sizeof *g);
	if (argc == 1 && strcmp(argv[0], "--admin") == 0) {
		g->admin = 1;
		return 0;
	}
	if (argc != 2 || strcmp(argv[0], "--apps") != 0)
		return error_set("expected --apps APP[,APP...] or --admin");
	list = xstrdup(argv[1]);
	for (name = list; name != NULL && rc == 0; name = next) {
		if ((next = strchr(name, ',')) != NULL)
			*next++ = '\0';
		if ((rc = name_check_app(name)) == 0 &&
		    !strv_contains(&g->apps, name))
			strv_push(&g->apps, name);
	}
	free(list);
	if (rc < 0)
		gateway_grant_dispose(g);
	return rc;
}

char *
gateway_grant_format(const struct gateway_grant *g)
{
	struct buf b = BUF_INIT;
	size_t i;

	if (g->admin)
		return xstrdup("--admin");
	buf_adds(&b, "--apps ");
	for (i = 0; i < g->apps.n; i++)
		buf_addf(&b, "%s%s", i ? "," : "", g->apps.v[i]);
	return buf_detach(&b, NULL);
}

void
gateway_grant_dispose(struct gateway_grant *g)
{
	strv_clear(&g->apps);
	g->admin = 0;
}

int
gateway_permit(const struct gateway_grant *g, const struct gateway_cmd *cmd)
{
	if (g->admin)
		return 0;
	if (cmd->admin_only)
		return error_set("\"%s %s\" needs an --admin key",
		    cmd->argv.v[0], strcmp(cmd->argv.v[0], "config") == 0 ?
		    "list --values" : cmd->argv.v[1]);
	if (cmd->app != NULL && strv_contains(&g->apps, cmd->app))
		return 0;
	return error_set("no access to app \"%s\"", cmd->app ? cmd->app : "");
}

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
	    "no-port-forwarding,no-X11-forwarding,no-agent-forwarding,no-pty "
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

/* Remote URLs. */

int
gateway_url_parse(const char *url, struct gateway_url *u)
{
	char tmp[SHOWN_MAX + 4];
	const char *p = url, *at, *host, *host_end, *path, *slash;
	char *last = NULL;
	long port = 22;
	size_t len;
	int scp = 0;

	memset(u, 0, sizeof *u);
	if (starts_with(p, "ssh://"))
		p += 6;
	else if (starts_with(p, "git+ssh://") || starts_with(p, "ssh+git://"))
		p += 10;
	else if (strstr(p, "://") == NULL && strchr(p, ':') != NULL &&
	    (strchr(p, '/') == NULL || strchr(p, ':') < strchr(p, '/')))
		scp = 1;
	else
		goto bad;
	for (path = p; *path != '\0'; path++) {
		if ((unsigned char)*path <= ' ' || *path == 0x7f)
			goto bad;
	}
	/* [user@]host */
	at = strchr(p, '@');
	slash = strchr(p, '/');
	if (at != NULL && (slash == NULL || at < slash) &&
	    (!scp || at < strchr(p, ':'))) {
		if (at == p)
			goto bad;
		u->user = xstrndup(p, (size_t)(at - p));
		p = at + 1;
	}
	if (*p == '[') {
		host = p + 1;
		if ((host_end = strchr(host, ']')) == NULL || host_end == host)
			goto bad;
		p = host_end + 1;
	} else {
		host = p;
		host_end = p + strcspn(p, scp ? ":" : ":/");
		p = host_end;
	}
	if (host_end == host)
		goto bad;
	u->host = xstrndup(host, (size_t)(host_end - host));
	if (strspn(u->host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789.-:_") != strlen(u->host))
		goto bad;
	if (scp) {
		if (*p != ':')
			goto bad;
		path = p + 1;
	} else {
		if (*p == ':') {
			char *digits = xstrndup(p + 1, strcspn(p + 1, "/"));
			int ok = parse_long(digits, &port) == 0 && port >= 1 &&
			    port <= 65535;

			free(digits);
			if (!ok)
				goto bad;
			p += 1 + strcspn(p + 1, "/");
		}
		if (*p != '/')
			goto bad;
		path = p;
	}
	u->port = (int)port;
	/* The last path component, less "/" and ".git" at the end. */
	len = strlen(path);
	while (len > 0 && path[len - 1] == '/')
		len--;
	for (p = path + len; p > path && p[-1] != '/'; p--)
		;
	last = xstrndup(p, (size_t)(path + len - p));
	if (ends_with(last, ".git"))
		last[strlen(last) - 4] = '\0';
	if (name_check_app(last) < 0) {
		error_set("remote URL \"%s\" does not name an app: %s",
		    shown(url, tmp), error_last());
		free(last);
		gateway_url_dispose(u);
		return -1;
	}
	u->app = last;
	return 0;
bad:
	gateway_url_dispose(u);
	return error_set("\"%s\" is not an SSH URL (ssh://user@host[:port]/"
	    "app.git or user@host:app.git)", shown(url, tmp));
}

void
gateway_url_dispose(struct gateway_url *u)
{
	free(u->user);
	free(u->host);
	free(u->app);
	memset(u, 0, sizeof *u);
}
