/*
 * tarctx.c - the build context as a tar stream made on demand.
 *
 * tarctx_open walks the context once and keeps only the sorted list of paths
 * that survive .dockerignore (the walk of moby's archive.TarWithOptions, with
 * docker/cli's rule that the Dockerfile and .dockerignore are always sent).
 * tarctx_read then drives libarchive one step at a time: a header, or one
 * TARCTX_CHUNK of the current file, or the end of the archive. libarchive
 * writes unblocked into a small capped buffer that tarctx_read drains, so at
 * most one chunk plus a header is ever held in memory.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/dockerignore.h"
#include "engine/tarctx.h"
#include "lib/util.h"

#define OUT_MAX (TARCTX_CHUNK + 64 * 1024)	/* a chunk and a header */
#define IGNORE_FILE_MAX (1024 * 1024)
#define REL_PATH_MAX 4096

struct tarctx {
	char *dir;		/* NULL when the context comes from src */
	struct tarctx_source src;
	struct strv paths;	/* relative, in walk order */
	struct strv ids;	/* with src: the id of each path */
	unsigned *modes;	/* with src: the mode of each path */
	size_t modes_alloc;
	const char *mem;	/* with src: file data not yet sent */
	size_t next;		/* next path to write a header for */
	struct archive *a;
	struct buf out;		/* tar bytes not yet read */
	size_t pos;		/* how much of out has been read */
	size_t peak;
	char *chunk;
	int fd;			/* the file whose data is being sent */
	const char *cur;	/* its path */
	off_t remaining;
	int done;
	int failed;
	int freeing;		/* drop what libarchive writes from now on */
	unsigned long files;
	unsigned long long bytes;
};

static char *clean_dockerfile(const char *);
static int start_archive(struct tarctx *);

struct ent {
	char *name;
	mode_t mode;
};

static int
ent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ent *)a)->name,
	    ((const struct ent *)b)->name);
}

/*
 * The entries of directory path, sorted by name; -1 with error_set. Only the
 * context root itself may be reached through a symlink.
 */
static int
list_dir(const char *path, const char *rel, struct ent **out, size_t *n)
{
	int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
	struct ent *v = NULL;
	size_t alloc = 0, count = 0;	/* a local: the analyzers track it */
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd, rc = -1;

	*n = 0;
	if (strcmp(rel, ".") != 0)
		flags |= O_NOFOLLOW;
	fd = open(path, flags);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		error_set("cannot read directory \"%s\": %s", rel,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			error_set("cannot stat \"%s/%s\": %s", rel, de->d_name,
			    strerror(errno));
			goto done;
		}
		v = xgrow(v, &alloc, count + 1, sizeof *v);
		v[count].name = xstrdup(de->d_name);
		v[count++].mode = st.st_mode;
	}
	if (errno != 0) {
		error_set("cannot read directory \"%s\": %s", rel,
		    strerror(errno));
		goto done;
	}
	if (count > 1)
		qsort(v, count, sizeof *v, ent_cmp);
	rc = 0;
done:
	closedir(d);
	if (rc < 0) {
		while (count > 0)
			free(v[--count].name);
		free(v);
		v = NULL;
	}
	*out = v;
	*n = count;
	return rc;
}

/*
 * Collect the paths below rel ("" for the root) that are sent, depth first
 * in name order (filepath.Walk). An excluded directory is left out, and not
 * even read unless an exclusion pattern may re-include something below it.
 */
static int
walk(struct tarctx *t, const struct ignore *ig, const char *rel)
{
	struct ent *v = NULL;
	size_t n = 0, i;
	char *path, *child;
	int rc = -1, excluded;

	path = rel[0] != '\0' ? path_join(t->dir, rel) : xstrdup(t->dir);
	if (list_dir(path, rel[0] != '\0' ? rel : ".", &v, &n) < 0)
		goto done;
	for (i = 0; i < n; i++) {
		mode_t m = v[i].mode;

		if (!S_ISREG(m) && !S_ISDIR(m) && !S_ISLNK(m))
			continue;	/* sockets, fifos, devices */
		child = rel[0] != '\0' ? xasprintf("%s/%s", rel, v[i].name) :
		    xstrdup(v[i].name);
		if (strlen(child) > REL_PATH_MAX) {
			error_set("path \"%.64s...\" is too long", child);
			free(child);
			goto done;
		}
		excluded = ig != NULL && ignore_excluded(ig, child);
		if (!excluded)
			strv_push(&t->paths, child);
		if (S_ISDIR(m) && (!excluded || !ignore_can_skip_dir(ig, child)) &&
		    walk(t, ig, child) < 0) {
			free(child);
			goto done;
		}
		free(child);
	}
	rc = 0;
done:
	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
	free(path);
	return rc;
}

/*
 * Parse the text of a .dockerignore, and make sure it and the Dockerfile
 * are never excluded (docker/cli TrimBuildFilesFromExcludes).
 */
static int
parse_ignore(struct ignore **out, const char *text, size_t len,
    const char *dockerfile)
{
	struct ignore *ig = NULL;
	char *keep;
	int rc = -1;

	*out = NULL;
	if (ignore_parse(&ig, text, len, ".dockerignore") < 0)
		goto done;
	if (ignore_excluded(ig, ".dockerignore") &&
	    ignore_add(ig, "!.dockerignore") < 0)
		goto done;
	if (ignore_excluded(ig, dockerfile)) {
		keep = xasprintf("!%s", dockerfile);
		rc = ignore_add(ig, keep);
		free(keep);
		if (rc < 0)
			goto done;
	}
	*out = ig;
	ig = NULL;
	rc = 0;
done:
	ignore_free(ig);
	return rc;
}

/*
 * Read dir/.dockerignore if there is one, and make sure it and the
 * Dockerfile are never excluded (docker/cli TrimBuildFilesFromExcludes).
 */
static int
load_ignore(struct ignore **out, const char *dir, const char *dockerfile)
{
	struct ignore *ig = NULL;
	struct buf text = BUF_INIT;
	char *path = path_join(dir, ".dockerignore");
	struct stat st;
	int rc = -1;

	*out = NULL;
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT) {
			rc = 0;
			goto done;
		}
		error_set("cannot stat \".dockerignore\": %s", strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		error_set("\".dockerignore\" is not a regular file");
		goto done;
	}
	if (read_file(path, &text, IGNORE_FILE_MAX) < 0 ||
	    parse_ignore(&ig, text.buf, text.len, dockerfile) < 0)
		goto done;
	*out = ig;
	ig = NULL;
	rc = 0;
done:
	ignore_free(ig);
	buf_release(&text);
	free(path);
	return rc;
}

/* libarchive's writer: append to the buffer tarctx_read drains. */
static la_ssize_t
write_cb(struct archive *a, void *ctx, const void *data, size_t len)
{
	struct tarctx *t = ctx;

	if (t->freeing) {
		archive_set_error(a, ECANCELED, "tar stream abandoned");
		return -1;
	}
	buf_add(&t->out, data, len);
	if (t->out.overflow) {
		archive_set_error(a, ENOBUFS, "tar buffer overflow");
		return -1;
	}
	if (t->out.len > t->peak)
		t->peak = t->out.len;
	return (la_ssize_t)len;
}

int
tarctx_open(struct tarctx **out, const char *dir, const char *dockerfile)
{
	struct tarctx *t = xcalloc(1, sizeof *t);
	struct ignore *ig = NULL;
	char *df, *path = NULL;
	struct stat st;
	int rc = -1;

	*out = NULL;
	t->fd = -1;
	t->dir = xstrdup(dir);
	buf_init(&t->out, OUT_MAX);
	if ((df = clean_dockerfile(dockerfile)) == NULL)
		goto done;
	if (!is_dir(dir)) {
		error_set("build context \"%s\" is not a directory", dir);
		goto done;
	}
	path = path_join(dir, df);
	if (lstat(path, &st) < 0 || S_ISDIR(st.st_mode)) {
		error_set("cannot find Dockerfile \"%s\" in build context", df);
		goto done;
	}
	if (load_ignore(&ig, dir, df) < 0 || walk(t, ig, "") < 0)
		goto done;

	if (start_archive(t) < 0)
		goto done;
	*out = t;
	t = NULL;
	rc = 0;
done:
	ignore_free(ig);
	free(path);
	free(df);
	tarctx_free(t);
	return rc;
}

static int
node_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tarctx_node *)a)->name,
	    ((const struct tarctx_node *)b)->name);
}

static void
nodes_free(struct tarctx_node *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].id);
	}
	free(v);
}

/* Append path with its mode and id to what is sent (a source context). */
static void
push_node(struct tarctx *t, const char *path, const struct tarctx_node *nd)
{
	t->modes = xgrow(t->modes, &t->modes_alloc, t->paths.n + 1,
	    sizeof *t->modes);
	t->modes[t->paths.n] = nd->mode;
	strv_push(&t->paths, path);
	strv_push(&t->ids, nd->id != NULL ? nd->id : "");
}

/* walk() for a source: the entries v of directory rel (consumed). */
static int
walk_src(struct tarctx *t, const struct ignore *ig, const char *rel,
    struct tarctx_node *v, size_t n, int depth)
{
	struct tarctx_node *sub;
	size_t nsub, i;
	char *child;
	int rc = -1, excluded;

	if (depth > 128) {
		error_set("\"%s\" is nested too deep", rel);
		goto done;
	}
	if (n > 1)
		qsort(v, n, sizeof *v, node_cmp);
	for (i = 0; i < n; i++) {
		unsigned m = v[i].mode;

		if (!S_ISREG(m) && !S_ISDIR(m) && !S_ISLNK(m))
			continue;
		child = rel[0] != '\0' ? xasprintf("%s/%s", rel, v[i].name) :
		    xstrdup(v[i].name);
		if (strlen(child) > REL_PATH_MAX) {
			error_set("path \"%.64s...\" is too long", child);
			free(child);
			goto done;
		}
		excluded = ig != NULL && ignore_excluded(ig, child);
		if (!excluded)
			push_node(t, child, &v[i]);
		if (S_ISDIR(m) && (!excluded || !ignore_can_skip_dir(ig, child))) {
			if (t->src.list(t->src.ctx, v[i].id, &sub, &nsub) < 0 ||
			    walk_src(t, ig, child, sub, nsub, depth + 1) < 0) {
				free(child);
				goto done;
			}
		}
		free(child);
	}
	rc = 0;
done:
	nodes_free(v, n);
	return rc;
}

/* The clean Dockerfile path, or NULL with error_set when outside. */
static char *
clean_dockerfile(const char *dockerfile)
{
	char *df = ignore_clean(dockerfile != NULL ? dockerfile : "Dockerfile");

	if (df[0] == '/' || strcmp(df, "..") == 0 || starts_with(df, "../")) {
		error_set("dockerfile \"%s\" is outside the build context",
		    dockerfile);
		free(df);
		return NULL;
	}
	return df;
}

static int
start_archive(struct tarctx *t)
{
	t->chunk = xmalloc(TARCTX_CHUNK);
	t->a = archive_write_new();
	if (archive_write_set_format_pax_restricted(t->a) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(t->a, 0) != ARCHIVE_OK ||
	    archive_write_open(t->a, t, NULL, write_cb, NULL) != ARCHIVE_OK)
		return error_set("cannot start tar stream: %s",
		    archive_error_string(t->a));
	return 0;
}

int
tarctx_open_source(struct tarctx **out, const struct tarctx_source *src,
    const char *dockerfile)
{
	struct tarctx *t = xcalloc(1, sizeof *t);
	struct ignore *ig = NULL;
	struct tarctx_node *root = NULL;
	size_t nroot = 0, i;
	const void *data;
	size_t size;
	char *df;
	int rc = -1, found = 0;

	*out = NULL;
	t->fd = -1;
	t->src = *src;
	buf_init(&t->out, OUT_MAX);
	if ((df = clean_dockerfile(dockerfile)) == NULL)
		goto done;
	if (src->list(src->ctx, NULL, &root, &nroot) < 0)
		goto done;
	for (i = 0; i < nroot; i++) {
		if (strcmp(root[i].name, ".dockerignore") != 0)
			continue;
		if (!S_ISREG(root[i].mode)) {
			error_set("\".dockerignore\" is not a regular file");
			goto done;
		}
		if (src->load(src->ctx, root[i].id, &data, &size) < 0)
			goto done;
		if (size > IGNORE_FILE_MAX) {
			error_set("\".dockerignore\" is larger than %d bytes",
			    IGNORE_FILE_MAX);
			goto done;
		}
		if (parse_ignore(&ig, data, size, df) < 0)
			goto done;
	}
	rc = walk_src(t, ig, "", root, nroot, 0);
	root = NULL;
	nroot = 0;
	if (rc < 0)
		goto done;
	rc = -1;
	for (i = 0; i < t->paths.n && !found; i++)
		found = strcmp(t->paths.v[i], df) == 0 && !S_ISDIR(t->modes[i]);
	if (!found) {
		error_set("cannot find Dockerfile \"%s\" in build context", df);
		goto done;
	}
	if (start_archive(t) < 0)
		goto done;
	*out = t;
	t = NULL;
	rc = 0;
done:
	nodes_free(root, nroot);
	ignore_free(ig);
	free(df);
	tarctx_free(t);
	return rc;
}

void
tarctx_listing(const struct tarctx *t, struct buf *out)
{
	size_t i;

	for (i = 0; i < t->paths.n; i++)
		buf_addf(out, "%o %s %s\n", t->modes != NULL ? t->modes[i] : 0,
		    t->ids.n > i && t->ids.v[i][0] != '\0' ? t->ids.v[i] : "-",
		    t->paths.v[i]);
}

/* Write the header of the next path of a source context. */
static int
next_header_src(struct tarctx *t)
{
	size_t i = t->next++;
	const char *rel = t->paths.v[i], *id = t->ids.v[i];
	unsigned mode = t->modes[i];
	struct archive_entry *e = archive_entry_new();
	const void *data = NULL;
	size_t size = 0;
	char *name = NULL, *target = NULL;
	int rc = -1;

	if (!S_ISDIR(mode) && t->src.load(t->src.ctx, id, &data, &size) < 0)
		goto done;
	if (S_ISREG(mode)) {
		archive_entry_set_size(e, (la_int64_t)size);
		t->cur = rel;
		t->mem = data;
		t->remaining = (off_t)size;
		t->files++;
	} else if (S_ISLNK(mode)) {
		target = xstrndup(data, size);
		if (size == 0 || size >= PATH_MAX || strlen(target) != size) {
			error_set("invalid symlink \"%s\" in commit", rel);
			goto done;
		}
		archive_entry_set_symlink(e, target);
	}
	name = S_ISDIR(mode) ? xasprintf("%s/", rel) : xstrdup(rel);
	archive_entry_set_pathname(e, name);
	archive_entry_set_mode(e, mode);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_mtime(e, (time_t)t->src.mtime, 0);
	if (archive_write_header(t->a, e) < ARCHIVE_WARN) {
		error_set("cannot add \"%s\" to the tar stream: %s", rel,
		    archive_error_string(t->a));
		goto done;
	}
	rc = 0;
done:
	if (rc < 0 || t->remaining == 0)
		t->mem = NULL;
	archive_entry_free(e);
	free(target);
	free(name);
	return rc;
}

/* Send the next chunk of the current file of a source context. */
static int
next_chunk_mem(struct tarctx *t)
{
	size_t n = t->remaining < TARCTX_CHUNK ? (size_t)t->remaining :
	    TARCTX_CHUNK;

	if (archive_write_data(t->a, t->mem, n) < 0)
		return error_set("cannot add \"%s\" to the tar stream: %s",
		    t->cur, archive_error_string(t->a));
	t->mem += n;
	t->remaining -= (off_t)n;
	t->bytes += n;
	if (t->remaining == 0)
		t->mem = NULL;
	return 0;
}

/* Write the header of the next path, opening it when it is a file. */
static int
next_header(struct tarctx *t)
{
	const char *rel = t->paths.v[t->next++];
	struct archive_entry *e = archive_entry_new();
	char *path = path_join(t->dir, rel), *name = NULL;
	char target[PATH_MAX + 1];
	struct stat st;
	ssize_t n;
	int rc = -1;

	if (lstat(path, &st) < 0) {
		error_set("cannot stat \"%s\": %s", rel, strerror(errno));
		goto done;
	}
	if (S_ISREG(st.st_mode)) {
		t->fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		    O_CLOEXEC);
		if (t->fd < 0 || fstat(t->fd, &st) < 0) {
			error_set("cannot open \"%s\": %s", rel,
			    strerror(errno));
			goto done;
		}
		if (!S_ISREG(st.st_mode)) {
			error_set("\"%s\" changed while reading", rel);
			goto done;
		}
		archive_entry_set_size(e, st.st_size);
		t->cur = rel;
		t->remaining = st.st_size;
		t->files++;
	} else if (S_ISLNK(st.st_mode)) {
		n = readlink(path, target, sizeof target);
		if (n < 0 || (size_t)n >= sizeof target) {
			error_set("cannot read link \"%s\": %s", rel,
			    n < 0 ? strerror(errno) : "target too long");
			goto done;
		}
		target[n] = '\0';
		archive_entry_set_symlink(e, target);
	} else if (!S_ISDIR(st.st_mode)) {
		rc = 0;		/* became something we do not send */
		goto done;
	}
	name = S_ISDIR(st.st_mode) ? xasprintf("%s/", rel) : xstrdup(rel);
	archive_entry_set_pathname(e, name);
	archive_entry_set_mode(e, st.st_mode);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_mtime(e, st.st_mtime, 0);
	if (archive_write_header(t->a, e) < ARCHIVE_WARN) {
		error_set("cannot add \"%s\" to the tar stream: %s", rel,
		    archive_error_string(t->a));
		goto done;
	}
	rc = 0;
done:
	if ((rc < 0 || t->remaining == 0) && t->fd >= 0) {
		close(t->fd);
		t->fd = -1;
	}
	archive_entry_free(e);
	free(name);
	free(path);
	return rc;
}

/* Send the next chunk of the current file. */
static int
next_chunk(struct tarctx *t)
{
	size_t want = t->remaining < TARCTX_CHUNK ? (size_t)t->remaining :
	    TARCTX_CHUNK;
	ssize_t n;

	while ((n = read(t->fd, t->chunk, want)) < 0 && errno == EINTR)
		;
	if (n < 0)
		return error_set("cannot read \"%s\": %s", t->cur,
		    strerror(errno));
	if (n == 0)
		return error_set("\"%s\" changed while reading", t->cur);
	if (archive_write_data(t->a, t->chunk, (size_t)n) < 0)
		return error_set("cannot add \"%s\" to the tar stream: %s",
		    t->cur, archive_error_string(t->a));
	t->remaining -= n;
	t->bytes += (unsigned long long)n;
	if (t->remaining == 0) {
		close(t->fd);
		t->fd = -1;
	}
	return 0;
}

/* Produce the next piece of the stream into t->out. */
static int
step(struct tarctx *t)
{
	if (t->fd >= 0)
		return next_chunk(t);
	if (t->mem != NULL)
		return next_chunk_mem(t);
	if (t->next < t->paths.n)
		return t->dir != NULL ? next_header(t) : next_header_src(t);
	if (archive_write_close(t->a) != ARCHIVE_OK)
		return error_set("cannot finish the tar stream: %s",
		    archive_error_string(t->a));
	t->done = 1;
	return 0;
}

ssize_t
tarctx_read(void *tarctx, char *buf, size_t len)
{
	struct tarctx *t = tarctx;
	size_t n;

	if (t->failed)
		return -1;
	while (t->pos == t->out.len && !t->done) {
		buf_reset(&t->out);
		t->pos = 0;
		if (step(t) < 0) {
			t->failed = 1;
			return -1;
		}
	}
	n = t->out.len - t->pos;
	if (n > len)
		n = len;
	memcpy(buf, t->out.buf + t->pos, n);
	t->pos += n;
	return (ssize_t)n;
}

void
tarctx_stats(const struct tarctx *t, unsigned long *files,
    unsigned long long *bytes)
{
	*files = t->files;
	*bytes = t->bytes;
}

size_t
tarctx_peak_buffer(const struct tarctx *t)
{
	return t->peak;
}

void
tarctx_free(struct tarctx *t)
{
	if (t == NULL)
		return;
	if (t->fd >= 0)
		close(t->fd);
	/*
	 * Not archive_write_fail(): libarchive 3.6 then leaks its client
	 * state. Its close fails at the first write instead.
	 */
	t->freeing = 1;
	if (t->a != NULL)
		archive_write_free(t->a);
	buf_release(&t->out);
	strv_clear(&t->paths);
	strv_clear(&t->ids);
	free(t->modes);
	free(t->chunk);
	free(t->dir);
	free(t);
}

static la_ssize_t
memory_write_cb(struct archive *a, void *ctx, const void *data, size_t len)
{
	buf_add(ctx, data, len);
	return (la_ssize_t)len;
}

int
tar_memory(const struct tar_member *m, size_t n, struct buf *out)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = NULL;
	size_t i;
	int rc = -1;

	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_open(a, out, NULL, memory_write_cb, NULL) !=
	    ARCHIVE_OK) {
		error_set("cannot make a tar: %s", archive_error_string(a));
		goto done;
	}
	for (i = 0; i < n; i++) {
		e = archive_entry_new();
		archive_entry_set_pathname(e, m[i].path);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, m[i].mode);
		archive_entry_set_uid(e, m[i].uid);
		archive_entry_set_gid(e, m[i].gid);
		archive_entry_set_size(e, (la_int64_t)m[i].len);
		if (archive_write_header(a, e) != ARCHIVE_OK ||
		    (m[i].len > 0 && archive_write_data(a, m[i].data,
		    m[i].len) < 0)) {
			error_set("cannot make a tar: %s",
			    archive_error_string(a));
			goto done;
		}
		archive_entry_free(e);
		e = NULL;
	}
	if (archive_write_close(a) != ARCHIVE_OK) {
		error_set("cannot make a tar: %s", archive_error_string(a));
		goto done;
	}
	rc = 0;
done:
	archive_entry_free(e);
	archive_write_free(a);
	return rc;
}
