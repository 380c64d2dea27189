/*
 * test-tarctx.c - the build context tar stream: which entries a context with
 * a .dockerignore produces, read back with libarchive's reader; the same
 * bytes whatever the read size; a large file streamed with a bounded buffer;
 * and the errors (missing Dockerfile, bad .dockerignore, a file that changes
 * while it is sent).
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "engine/tarctx.h"
#include "lib/util.h"

static char root[] = "/tmp/t-hA-tarctx-XXXXXX";

static void
put(const char *rel, const char *content, mode_t mode)
{
	char *path = path_join(root, rel), *slash;
	int fd;

	slash = strrchr(path, '/');
	*slash = '\0';
	assert_int_equal(mkdir_p(path, 0755), 0);
	*slash = '/';
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)),
	    (ssize_t)strlen(content));
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
	free(path);
}

static void
mkdir_in(const char *rel, mode_t mode)
{
	char *path = path_join(root, rel);

	assert_int_equal(mkdir_p(path, mode), 0);
	assert_int_equal(chmod(path, mode), 0);
	free(path);
}

static void
link_in(const char *rel, const char *target)
{
	char *path = path_join(root, rel);

	assert_int_equal(symlink(target, path), 0);
	free(path);
}

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(root) == NULL)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	assert_int_equal(remove_tree(root), 0);
	memcpy(root + strlen(root) - 6, "XXXXXX", 6);
	return 0;
}

/* The whole stream, read len bytes at a time. */
static void
slurp(struct tarctx *t, size_t len, struct buf *out)
{
	char *chunk = xmalloc(len);
	ssize_t n;

	while ((n = tarctx_read(t, chunk, len)) > 0) {
		assert_true((size_t)n <= len);
		buf_add(out, chunk, (size_t)n);
	}
	assert_int_equal(n, 0);
	assert_int_equal(tarctx_read(t, chunk, len), 0);	/* stays at end */
	free(chunk);
}

/*
 * One line per entry: name, type (f d l), permissions, then a regular file's
 * content ('\n' as '|') or a link's target. Also checks uid/gid 0.
 */
static char *
describe(const char *data, size_t len)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	struct buf out = BUF_INIT;
	char content[256];
	la_ssize_t n;
	size_t i;
	int r;

	archive_read_support_format_tar(a);
	assert_int_equal(archive_read_open_memory(a, data, len), ARCHIVE_OK);
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		mode_t type = archive_entry_filetype(e);

		assert_int_equal(archive_entry_uid(e), 0);
		assert_int_equal(archive_entry_gid(e), 0);
		buf_addf(&out, "%s %c %03o", archive_entry_pathname(e),
		    type == AE_IFREG ? 'f' : type == AE_IFDIR ? 'd' :
		    type == AE_IFLNK ? 'l' : '?',
		    (unsigned)archive_entry_perm(e));
		if (type == AE_IFLNK)
			buf_addf(&out, " %s", archive_entry_symlink(e));
		if (type == AE_IFREG) {
			n = archive_read_data(a, content, sizeof content);
			assert_true(n >= 0);
			assert_int_equal(n, archive_entry_size(e));
			buf_addch(&out, ' ');
			for (i = 0; i < (size_t)n; i++)
				buf_addch(&out, content[i] == '\n' ? '|' :
				    content[i]);
		}
		buf_addch(&out, '\n');
	}
	assert_int_equal(r, ARCHIVE_EOF);
	archive_read_free(a);
	return buf_detach(&out, NULL);
}

static const char dockerignore[] =
    "# not sent: logs at the top, secrets, build output, modules\n"
    "*.log\n"
    "/secret/\n"
    "build\n"
    "!build/keep.txt\n"
    "node_modules\n"
    "Dockerfile\n"
    ".dockerignore\n";

static const char expected[] =
    ".dockerignore f 644 # not sent: logs at the top, secrets, build output, "
    "modules|*.log|/secret/|build|!build/keep.txt|node_modules|Dockerfile|"
    ".dockerignore|\n"
    "Dockerfile f 644 FROM scratch|\n"
    "app/ d 755\n"
    "app/abs l 777 /etc/passwd\n"
    "app/index.html f 644 hello|\n"
    "app/link l 777 index.html\n"
    "app/sub/ d 700\n"
    "app/sub/deep.txt f 600 deep\n"
    "app/trace.log f 644 two levels down\n"
    "build/keep.txt f 644 kept\n"
    "caf\xc3\xa9.txt f 644 utf-8 name\n"
    "empty.txt f 644 \n"
    "emptydir/ d 755\n"
    "exec.sh f 755 #!/bin/sh|\n"
    "linkdir l 777 app\n";

static void
make_context(void)
{
	char *fifo;

	put("Dockerfile", "FROM scratch\n", 0644);
	put(".dockerignore", dockerignore, 0644);
	put("app/index.html", "hello\n", 0644);
	put("app/sub/deep.txt", "deep", 0600);
	mkdir_in("app/sub", 0700);
	put("app/trace.log", "two levels down", 0644);
	link_in("app/link", "index.html");
	link_in("app/abs", "/etc/passwd");
	link_in("linkdir", "app");	/* not walked into */
	put("debug.log", "excluded", 0644);
	put("secret/key", "excluded", 0600);
	put("build/out.o", "excluded", 0644);
	put("build/keep.txt", "kept", 0644);
	put("node_modules/x/y.js", "excluded", 0644);
	put("empty.txt", "", 0644);
	put("exec.sh", "#!/bin/sh\n", 0755);
	put("caf\xc3\xa9.txt", "utf-8 name", 0644);
	mkdir_in("emptydir", 0755);
	fifo = path_join(root, "fifo");
	assert_int_equal(mkfifo(fifo, 0644), 0);
	free(fifo);
}

static void
test_entries(void **state)
{
	static const size_t sizes[] = { 1, 7, 512, 65536, 1 << 20 };
	struct buf first = BUF_INIT, other = BUF_INIT;
	unsigned long long bytes;
	unsigned long files;
	struct tarctx *t;
	char *d;
	size_t i;

	(void)state;
	make_context();
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct buf *b = i == 0 ? &first : &other;

		buf_reset(b);
		assert_int_equal(tarctx_open(&t, root, NULL), 0);
		slurp(t, sizes[i], b);
		tarctx_stats(t, &files, &bytes);
		assert_int_equal(files, 9);
		assert_int_equal(bytes, sizeof dockerignore - 1 + 13 + 6 + 4 +
		    15 + 4 + 10 + 0 + 10);
		assert_true(tarctx_peak_buffer(t) <= 4096);
		tarctx_free(t);
		assert_int_equal(b->len % 512, 0);
		if (i > 0) {	/* the same bytes whatever the read size */
			assert_int_equal(other.len, first.len);
			assert_memory_equal(other.buf, first.buf, first.len);
		}
	}
	d = describe(first.buf, first.len);
	assert_string_equal(d, expected);
	free(d);
	buf_release(&first);
	buf_release(&other);
}

/* Headers keep the mtime from disk; long paths survive (pax). */
static void
test_headers(void **state)
{
	char name[101], *path, *full;
	struct buf b = BUF_INIT;
	struct archive *a;
	struct archive_entry *e;
	struct tarctx *t;
	struct stat st;
	int seen = 0;

	(void)state;
	put("Dockerfile", "FROM scratch\n", 0644);
	memset(name, 'n', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	path = xasprintf("d/%s/%s/%s", name, name, name);
	put(path, "long", 0644);
	full = path_join(root, "Dockerfile");
	assert_int_equal(lstat(full, &st), 0);
	assert_int_equal(tarctx_open(&t, root, NULL), 0);
	slurp(t, 4096, &b);
	tarctx_free(t);

	a = archive_read_new();
	archive_read_support_format_tar(a);
	assert_int_equal(archive_read_open_memory(a, b.buf, b.len), ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		if (strcmp(archive_entry_pathname(e), "Dockerfile") == 0) {
			assert_int_equal(archive_entry_mtime(e), st.st_mtime);
			seen |= 1;
		}
		if (strcmp(archive_entry_pathname(e), path) == 0)
			seen |= 2;
	}
	assert_int_equal(seen, 3);
	archive_read_free(a);
	buf_release(&b);
	free(path);
	free(full);
}

/* A Dockerfile elsewhere, in a directory .dockerignore excludes. */
static void
test_dockerfile_in_excluded_dir(void **state)
{
	struct buf b = BUF_INIT;
	struct tarctx *t;
	char *d;

	(void)state;
	put(".dockerignore", "docker\n", 0644);
	put("docker/prod.Dockerfile", "FROM x", 0644);
	put("docker/other", "excluded", 0644);
	put("main.c", "int main;", 0644);
	assert_int_equal(tarctx_open(&t, root, "./docker//prod.Dockerfile"), 0);
	slurp(t, 100, &b);
	tarctx_free(t);
	d = describe(b.buf, b.len);
	assert_string_equal(d, ".dockerignore f 644 docker|\n"
	    "docker/prod.Dockerfile f 644 FROM x\n"
	    "main.c f 644 int main;\n");
	free(d);
	buf_release(&b);
}

struct pull {
	struct tarctx *t;
	char buf[TARCTX_CHUNK];
};

static la_ssize_t
pull_cb(struct archive *a, void *ctx, const void **data)
{
	struct pull *p = ctx;

	*data = p->buf;
	return tarctx_read(p->t, p->buf, sizeof p->buf);
}

/*
 * A 24 MiB sparse file goes through tarctx and straight into libarchive's
 * reader: the stream is never held, and tarctx never buffers more than a
 * chunk and a header.
 */
static void
test_large_file(void **state)
{
	static const off_t size = 24 << 20, marks[] = { 0, 3 << 20, (24 << 20) - 1 };
	struct pull *p = xmalloc(sizeof *p);
	unsigned long long total = 0, bytes;
	unsigned long files;
	struct archive *a;
	struct archive_entry *e;
	char *path, buf[8192];
	la_ssize_t n;
	int fd, found = 0;
	size_t i;
	off_t off;

	(void)state;
	put("Dockerfile", "FROM scratch\n", 0644);
	path = path_join(root, "big.bin");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, size), 0);
	for (i = 0; i < ARRAY_SIZE(marks); i++)
		assert_int_equal(pwrite(fd, "M", 1, marks[i]), 1);
	close(fd);
	free(path);

	assert_int_equal(tarctx_open(&p->t, root, NULL), 0);
	a = archive_read_new();
	archive_read_support_format_tar(a);
	assert_int_equal(archive_read_open(a, p, NULL, pull_cb, NULL),
	    ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		if (strcmp(archive_entry_pathname(e), "big.bin") != 0)
			continue;
		found = 1;
		assert_int_equal(archive_entry_size(e), size);
		for (off = 0; (n = archive_read_data(a, buf, sizeof buf)) > 0;
		    off += n) {
			for (i = 0; i < (size_t)n; i++) {
				int mark = off + (off_t)i == marks[0] ||
				    off + (off_t)i == marks[1] ||
				    off + (off_t)i == marks[2];

				if (buf[i] != (mark ? 'M' : '\0'))
					fail_msg("byte %lld", (long long)(off +
					    (off_t)i));
			}
			total += (unsigned long long)n;
		}
		assert_int_equal(n, 0);
	}
	archive_read_free(a);
	assert_true(found);
	assert_int_equal(total, size);
	tarctx_stats(p->t, &files, &bytes);
	assert_int_equal(files, 2);
	assert_int_equal(bytes, size + 13);
	/* at least one full chunk went through, never much more */
	assert_true(tarctx_peak_buffer(p->t) >= TARCTX_CHUNK);
	assert_true(tarctx_peak_buffer(p->t) <= TARCTX_CHUNK + 1024);
	tarctx_free(p->t);
	free(p);
}

static void
test_errors(void **state)
{
	struct tarctx *t = NULL;
	char *path;

	(void)state;
	assert_int_equal(tarctx_open(&t, root, NULL), -1);
	assert_null(t);
	assert_string_equal(error_last(),
	    "cannot find Dockerfile \"Dockerfile\" in build context");
	mkdir_in("sub.Dockerfile", 0755);
	assert_int_equal(tarctx_open(&t, root, "sub.Dockerfile"), -1);
	assert_string_equal(error_last(),
	    "cannot find Dockerfile \"sub.Dockerfile\" in build context");
	assert_int_equal(tarctx_open(&t, root, "../Dockerfile"), -1);
	assert_string_equal(error_last(),
	    "dockerfile \"../Dockerfile\" is outside the build context");
	assert_int_equal(tarctx_open(&t, "/nonexistent-t-hA", NULL), -1);
	assert_string_equal(error_last(),
	    "build context \"/nonexistent-t-hA\" is not a directory");

	put("Dockerfile", "FROM scratch\n", 0644);
	put(".dockerignore", "ok\n!\n", 0644);
	assert_int_equal(tarctx_open(&t, root, NULL), -1);
	assert_string_equal(error_last(),
	    ".dockerignore:2: illegal exclusion pattern \"!\"");

	/* a symlinked .dockerignore is refused, not followed */
	path = path_join(root, ".dockerignore");
	unlink(path);
	link_in(".dockerignore", "/etc/passwd");
	assert_int_equal(tarctx_open(&t, root, NULL), -1);
	assert_string_equal(error_last(),
	    "\".dockerignore\" is not a regular file");
	unlink(path);
	free(path);
	assert_null(t);
}

/* A file that vanishes or shrinks after the walk fails the stream. */
static void
test_changed_while_reading(void **state)
{
	char buf[4096], *gone, *path;
	unsigned long long bytes = 0;
	unsigned long files;
	struct tarctx *t;
	ssize_t n;

	(void)state;
	put("Dockerfile", "FROM scratch\n", 0644);
	put("gone.txt", "x", 0644);
	put("shrink.bin", "", 0644);
	path = path_join(root, "shrink.bin");
	assert_int_equal(truncate(path, 200000), 0);

	assert_int_equal(tarctx_open(&t, root, NULL), 0);
	gone = path_join(root, "gone.txt");
	assert_int_equal(unlink(gone), 0);
	free(gone);
	while ((n = tarctx_read(t, buf, sizeof buf)) > 0)
		;
	assert_int_equal(n, -1);
	assert_string_equal(error_last(),
	    "cannot stat \"gone.txt\": No such file or directory");
	assert_int_equal(tarctx_read(t, buf, sizeof buf), -1);
	tarctx_free(t);

	assert_int_equal(tarctx_open(&t, root, NULL), 0);
	while (bytes <= 13) {
		assert_true(tarctx_read(t, buf, 100) > 0);
		tarctx_stats(t, &files, &bytes);
	}
	assert_int_equal(truncate(path, 10), 0);
	while ((n = tarctx_read(t, buf, sizeof buf)) > 0)
		;
	assert_int_equal(n, -1);
	assert_string_equal(error_last(),
	    "\"shrink.bin\" changed while reading");
	tarctx_free(t);	/* mid-file: no trailer, no leak */
	free(path);
}

/* The context directory itself may be a symlink (and only it). */
static void
test_context_through_symlink(void **state)
{
	char *link = xasprintf("%s-link", root);
	struct buf b = BUF_INIT;
	struct tarctx *t;
	char *d;

	(void)state;
	put("Dockerfile", "FROM scratch\n", 0644);
	assert_int_equal(symlink(root, link), 0);
	assert_int_equal(tarctx_open(&t, link, NULL), 0);
	slurp(t, 512, &b);
	tarctx_free(t);
	d = describe(b.buf, b.len);
	assert_string_equal(d, "Dockerfile f 644 FROM scratch|\n");
	free(d);
	buf_release(&b);
	unlink(link);
	free(link);
}

/* Freeing a stream that was never read, or read halfway, is clean. */
static void
test_free_early(void **state)
{
	char buf[10];
	struct tarctx *t;

	(void)state;
	put("Dockerfile", "FROM scratch\n", 0644);
	assert_int_equal(tarctx_open(&t, root, NULL), 0);
	tarctx_free(t);
	assert_int_equal(tarctx_open(&t, root, NULL), 0);
	assert_int_equal(tarctx_read(t, buf, sizeof buf), (ssize_t)sizeof buf);
	tarctx_free(t);
	tarctx_free(NULL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_entries),
		T(test_headers),
		T(test_dockerfile_in_excluded_dir),
		T(test_large_file),
		T(test_errors),
		T(test_changed_while_reading),
		T(test_context_through_symlink),
		T(test_free_early),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
