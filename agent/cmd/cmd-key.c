/*
 * cmd-key.c - `slipway key add NAME --apps a,b|--admin`, `key list` and
 * `key remove NAME`: the SSH keys that may push and run commands. Each key is
 * one line of the [ssh] authorized_keys file whose forced command carries its
 * name and grant (gateway.h); the file is rewritten atomically under a lock,
 * and lines slipway did not write are kept as they are.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "gateway/gateway.h"

#define KEYS_FILE_MAX (4u << 20)

static const char *
keys_path(const struct cmd_ctx *ctx)
{
	if (ctx->cfg.authorized_keys == NULL)
		error_set("no authorized_keys file: there is no user \"git\"; "
		    "set [ssh] authorized_keys");
	return ctx->cfg.authorized_keys;
}

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

/* Read one public key from stdin: one line, blank lines around it allowed. */
static int
read_key(struct gateway_key *key)
{
	struct buf in = BUF_INIT;
	struct strv lines = STRV_INIT;
	const char *found = NULL;
	char chunk[4096];
	size_t i;
	ssize_t n;
	int rc = -1;

	in.max = GATEWAY_KEY_LINE_MAX + 64;
	while ((n = read(STDIN_FILENO, chunk, sizeof chunk)) != 0) {
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

static int
key_add(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct gateway_grant grant = GATEWAY_GRANT_INIT;
	struct gateway_key key = { NULL, NULL, NULL };
	struct buf text = BUF_INIT;
	struct strv lines = STRV_INIT;
	const char *path;
	char *entry_line = NULL, *grant_text = NULL;
	size_t i;
	int fd = -1, rc = -1;

	if (argc < 4)
		return cmd_usage(ctx);
	if (gateway_check_key_name(argv[2]) < 0 ||
	    gateway_grant_parse(&grant, argc - 3, argv + 3) < 0 ||
	    (path = keys_path(ctx)) == NULL || read_key(&key) < 0)
		goto done;
	entry_line = gateway_key_line(ctx->self, ctx->cfg.path, argv[2], &grant,
	    &key);
	if (entry_line == NULL || (fd = keys_lock(path)) < 0 ||
	    keys_read(path, &text) < 0)
		goto done;
	split_lines(text.buf, &lines);
	for (i = 0; i < lines.n; i++) {
		struct gateway_entry e;
		int dup_name, dup_key;

		if (gateway_entry_parse(lines.v[i], &e) == 0) {
			dup_name = e.name != NULL && strcmp(e.name, argv[2]) == 0;
			dup_key = strcmp(e.key.blob, key.blob) == 0 &&
			    strcmp(e.key.type, key.type) == 0;
			if (dup_name)
				error_set("key \"%s\" already exists", argv[2]);
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
	buf_addf(&text, "%s\n", entry_line);
	if (keys_write(path, &text) < 0)
		goto done;
	grant_text = gateway_grant_format(&grant);
	out_info("added key \"%s\" (%s, %s) to %s", argv[2], key.type, grant_text,
	    path);
	rc = 0;
done:
	if (fd >= 0)
		close(fd);
	free(grant_text);
	free(entry_line);
	strv_clear(&lines);
	buf_release(&text);
	gateway_key_dispose(&key);
	gateway_grant_dispose(&grant);
	return rc < 0 ? cmd_fail() : 0;
}

static int
key_list(struct cmd_ctx *ctx)
{
	struct buf text = BUF_INIT;
	struct strv lines = STRV_INIT;
	const char *path;
	size_t i;
	int rc = -1;

	if ((path = keys_path(ctx)) == NULL || keys_read(path, &text) < 0)
		goto done;
	split_lines(text.buf, &lines);
	for (i = 0; i < lines.n; i++) {
		struct gateway_entry e;

		if (gateway_entry_parse(lines.v[i], &e) == 0 && e.name != NULL) {
			char *grant = gateway_grant_format(&e.grant);

			out_info("%-16s %-24s %-20s%s%s", e.name, grant, e.key.type,
			    e.key.comment ? "  " : "",
			    e.key.comment ? e.key.comment : "");
			free(grant);
		}
		gateway_entry_dispose(&e);
	}
	rc = 0;
done:
	strv_clear(&lines);
	buf_release(&text);
	return rc < 0 ? cmd_fail() : 0;
}

static int
key_remove(struct cmd_ctx *ctx, const char *name)
{
	struct buf text = BUF_INIT, kept = BUF_INIT;
	struct strv lines = STRV_INIT;
	const char *path;
	size_t i;
	int fd = -1, found = 0, rc = -1;

	if (gateway_check_key_name(name) < 0 || (path = keys_path(ctx)) == NULL ||
	    (fd = keys_lock(path)) < 0 || keys_read(path, &text) < 0)
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
	out_info("removed key \"%s\"", name);
	rc = 0;
done:
	if (fd >= 0)
		close(fd);
	strv_clear(&lines);
	buf_release(&kept);
	buf_release(&text);
	return rc < 0 ? cmd_fail() : 0;
}

int
cmd_key(struct cmd_ctx *ctx, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return key_add(ctx, argc, argv);
	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return key_list(ctx);
	if (argc == 3 && strcmp(argv[1], "remove") == 0)
		return key_remove(ctx, argv[2]);
	return cmd_usage(ctx);
}
