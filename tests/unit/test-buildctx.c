/*
 * test-buildctx.c - build contexts read from git's objects: the tar stream
 * has the same entries, modes, contents and link targets as the stream of
 * the checked-out commit (the old way), .dockerignore and the always-sent
 * Dockerfile included, for the root and for a subdirectory; and the build
 * key changes exactly when what the engine would get changes.
 */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"
#include "compose/compose.h"
#include "engine/tarctx.h"
#include "pipeline/buildctx.h"
#include "repo/repo.h"
#include "lib/util.h"

static char root[] = "/tmp/t-hA-buildctx-XXXXXX";
static char *work;

static void
run_git(const char *a1, const char *a2, const char *a3, const char *a4)
{
	const char *argv[] = { "git", "-C", work, a1, a2, a3, a4, NULL };
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		execvp("git", (char *const *)argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void
put(const char *rel, const char *content, mode_t mode)
{
	char *path = path_join(work, rel), *slash;
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
link_in(const char *rel, const char *target)
{
	char *path = path_join(work, rel);

	unlink(path);
	assert_int_equal(symlink(target, path), 0);
	free(path);
}

/* Commit everything in the work tree; the new commit's id into oid. */
static void
commit(const char *message, char oid[41])
{
	char *path = path_join(root, "repo");

	run_git("add", "-A", NULL, NULL);
	run_git("commit", "-q", "-m", message);
	assert_int_equal(repo_resolve(path, "HEAD", 0, oid), 0);
	free(path);
}

static int
setup(void **state)
{
	char *env;

	(void)state;
	umask(022);
	if (mkdtemp(root) == NULL)
		return -1;
	work = path_join(root, "repo");
	env = path_join(root, "home");
	setenv("HOME", env, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_AUTHOR_NAME", "t", 1);
	setenv("GIT_AUTHOR_EMAIL", "t@example.invalid", 1);
	setenv("GIT_COMMITTER_NAME", "t", 1);
	setenv("GIT_COMMITTER_EMAIL", "t@example.invalid", 1);
	free(env);
	if (mkdir_p(work, 0755) < 0)
		return -1;
	run_git("init", "-q", NULL, NULL);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	assert_int_equal(remove_tree(root), 0);
	memcpy(root + strlen(root) - 6, "XXXXXX", 6);
	free(work);
	return 0;
}

static void
slurp(struct tarctx *t, struct buf *out)
{
	char chunk[3000];
	ssize_t n;

	while ((n = tarctx_read(t, chunk, sizeof chunk)) > 0)
		buf_add(out, chunk, (size_t)n);
	assert_int_equal(n, 0);
}

static int
line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The entries of a tar stream, one line each, sorted (the walk orders of a
 * directory and of a git tree differ): name, type, permissions, uid/gid, a
 * file's size and content, a link's target.
 */
static char *
describe(const char *data, size_t len)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	struct strv lines = STRV_INIT;
	struct buf line = BUF_INIT, out = BUF_INIT;
	char content[256];
	la_ssize_t n;
	size_t i;
	int r;

	archive_read_support_format_tar(a);
	assert_int_equal(archive_read_open_memory(a, data, len), ARCHIVE_OK);
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		mode_t type = archive_entry_filetype(e);

		buf_reset(&line);
		buf_addf(&line, "%s %c %03o %d:%d", archive_entry_pathname(e),
		    type == AE_IFREG ? 'f' : type == AE_IFDIR ? 'd' :
		    type == AE_IFLNK ? 'l' : '?',
		    (unsigned)archive_entry_perm(e),
		    (int)archive_entry_uid(e), (int)archive_entry_gid(e));
		if (type == AE_IFLNK)
			buf_addf(&line, " -> %s", archive_entry_symlink(e));
		if (type == AE_IFREG) {
			n = archive_read_data(a, content, sizeof content);
			assert_true(n >= 0);
			assert_int_equal(n, archive_entry_size(e));
			buf_addf(&line, " %lld ", (long long)n);
			for (i = 0; i < (size_t)n; i++)
				buf_addch(&line, content[i] == '\n' ? '|' :
				    content[i]);
		}
		strv_push(&lines, line.buf);
	}
	assert_int_equal(r, ARCHIVE_EOF);
	archive_read_free(a);
	qsort(lines.v, lines.n, sizeof *lines.v, line_cmp);
	for (i = 0; i < lines.n; i++)
		buf_addf(&out, "%s\n", lines.v[i]);
	strv_clear(&lines);
	buf_release(&line);
	return buf_detach(&out, NULL);
}

/* The context of b in commit oid, from git (which must be the source). */
static char *
from_git(const char *oid, const char *release, struct compose_build *b,
    char key[41])
{
	char *repo = path_join(root, "repo");
	struct buildctx *bc = NULL;
	struct buf tar = BUF_INIT;
	char *d;

	assert_int_equal(buildctx_open(&bc, repo, 0, oid, release, b), 0);
	assert_int_equal(buildctx_from_git(bc), 1);
	if (key != NULL)
		assert_int_equal(buildctx_key(bc, key), 0);
	slurp(buildctx_tar(bc), &tar);
	d = describe(tar.buf, tar.len);
	buildctx_free(bc);
	buf_release(&tar);
	free(repo);
	return d;
}

/* The context at dir on disk, as before contexts came from git. */
static char *
from_disk(const char *dir, const char *dockerfile)
{
	struct tarctx *t = NULL;
	struct buf tar = BUF_INIT;
	char *d;

	assert_int_equal(tarctx_open(&t, dir, dockerfile), 0);
	slurp(t, &tar);
	d = describe(tar.buf, tar.len);
	tarctx_free(t);
	buf_release(&tar);
	return d;
}

static void
make_tree(void)
{
	put("Dockerfile", "FROM scratch\n", 0644);
	put(".dockerignore", "*.log\n/secret/\nbuild\n!build/keep.txt\n"
	    "Dockerfile\n.dockerignore\nsvc/*.md\n", 0644);
	put("app/index.html", "hello\n", 0644);
	put("app/sub/deep.txt", "deep", 0644);
	put("app/trace.log", "two levels down", 0644);
	link_in("app/link", "index.html");
	link_in("app/abs", "/etc/passwd");
	link_in("linkdir", "app");
	put("debug.log", "excluded", 0644);
	put("secret/key", "excluded", 0644);
	put("build/out.o", "excluded", 0644);
	put("build/keep.txt", "kept", 0644);
	put("empty.txt", "", 0644);
	put("exec.sh", "#!/bin/sh\n", 0755);
	put("caf\xc3\xa9.txt", "utf-8 name", 0644);
	put("svc/Dockerfile.web", "FROM scratch\n", 0644);
	put("svc/.dockerignore", "*.md\nDockerfile.web\n", 0644);
	put("svc/README.md", "ignored below", 0644);
	put("svc/main.c", "int main;\n", 0644);
}

/* The same entries as the tar of the checkout, at the root and below. */
static void
test_same_as_checkout(void **state)
{
	struct compose_build b = { 0 };
	char oid[41], *release, *repo, *g, *d;

	(void)state;
	make_tree();
	commit("one", oid);
	repo = path_join(root, "repo");
	release = path_join(root, "release");
	assert_int_equal(repo_checkout(repo, oid, 0, release), 0);

	b.context = xstrdup(release);
	g = from_git(oid, release, &b, NULL);
	d = from_disk(release, NULL);
	assert_string_equal(g, d);
	/* What the root .dockerignore leaves, and the always-sent files. */
	assert_non_null(strstr(g, "Dockerfile f 644 0:0 13 FROM scratch|\n"));
	assert_non_null(strstr(g, ".dockerignore f 644"));
	assert_non_null(strstr(g, "app/link l 777 0:0 -> index.html\n"));
	assert_non_null(strstr(g, "app/abs l 777 0:0 -> /etc/passwd\n"));
	assert_non_null(strstr(g, "linkdir l 777 0:0 -> app\n"));
	assert_non_null(strstr(g, "exec.sh f 755"));
	assert_non_null(strstr(g, "build/keep.txt f 644"));
	assert_null(strstr(g, "debug.log"));
	assert_non_null(strstr(g, "app/trace.log"));	/* *.log: top only */
	assert_null(strstr(g, "secret/key"));
	assert_null(strstr(g, "build/out.o"));
	free(g);
	free(d);

	/* A subdirectory with its own .dockerignore and Dockerfile name. */
	free(b.context);
	b.context = path_join(release, "svc");
	b.dockerfile = xstrdup("Dockerfile.web");
	g = from_git(oid, release, &b, NULL);
	d = from_disk(b.context, "Dockerfile.web");
	assert_string_equal(g, d);
	assert_non_null(strstr(g, "Dockerfile.web f 644"));
	assert_non_null(strstr(g, "main.c f 644"));
	assert_null(strstr(g, "README.md"));
	free(g);
	free(d);
	free(b.dockerfile);
	free(b.context);
	free(release);
	free(repo);
}

/* A context that is a symlink in the commit comes from the disk. */
static void
test_symlinked_context(void **state)
{
	struct compose_build b = { 0 };
	struct buildctx *bc = NULL;
	char oid[41], *release, *repo, key[41];

	(void)state;
	make_tree();
	link_in("svclink", "svc");
	commit("link", oid);
	repo = path_join(root, "repo");
	release = path_join(root, "release");
	assert_int_equal(repo_checkout(repo, oid, 0, release), 0);
	b.context = path_join(release, "svclink");
	b.dockerfile = xstrdup("Dockerfile.web");
	assert_int_equal(buildctx_open(&bc, repo, 0, oid, release, &b), 0);
	assert_int_equal(buildctx_from_git(bc), 0);
	assert_int_equal(buildctx_key(bc, key), 1);	/* never skipped */
	buildctx_free(bc);
	/* A missing Dockerfile is an error from git as from disk. */
	free(b.dockerfile);
	b.dockerfile = xstrdup("Nope");
	free(b.context);
	b.context = path_join(release, "svc");
	assert_int_equal(buildctx_open(&bc, repo, 0, oid, release, &b), -1);
	free(b.dockerfile);
	free(b.context);
	free(release);
	free(repo);
}

/* The key follows what is sent: not other directories nor ignored files. */
static void
test_key(void **state)
{
	struct compose_build b = { 0 };
	char oid[41], k1[41], k2[41], *release, *g, *main_c;

	(void)state;
	make_tree();
	put("other/file", "one", 0644);
	commit("one", oid);
	release = path_join(root, "release");	/* never written: from git */
	b.context = path_join(release, "svc");
	b.dockerfile = xstrdup("Dockerfile.web");
	g = from_git(oid, release, &b, k1);
	free(g);

	put("other/file", "two", 0644);		/* another directory */
	put("svc/README.md", "changed", 0644);	/* ignored */
	commit("two", oid);
	free(from_git(oid, release, &b, k2));
	assert_string_equal(k1, k2);

	put("svc/main.c", "int main(void);\n", 0644);	/* the context */
	commit("three", oid);
	free(from_git(oid, release, &b, k2));
	assert_string_not_equal(k1, k2);
	memcpy(k1, k2, sizeof k1);

	main_c = path_join(work, "svc/main.c");
	assert_int_equal(chmod(main_c, 0755), 0);
	free(main_c);
	commit("four", oid);				/* a mode */
	free(from_git(oid, release, &b, k2));
	assert_string_not_equal(k1, k2);
	memcpy(k1, k2, sizeof k1);

	kvlist_set(&b.args, "FLAVOUR", "spicy");	/* an arg */
	free(from_git(oid, release, &b, k2));
	assert_string_not_equal(k1, k2);
	memcpy(k1, k2, sizeof k1);
	b.target = xstrdup("prod");			/* a target */
	free(from_git(oid, release, &b, k2));
	assert_string_not_equal(k1, k2);
	memcpy(k1, k2, sizeof k1);
	free(from_git(oid, release, &b, k2));		/* and stable */
	assert_string_equal(k1, k2);

	/* What else makes another image: each changes the key. */
	kvlist_set(&b.labels, "team", "web");
	free(from_git(oid, release, &b, k2));
	assert_string_not_equal(k1, k2);
	memcpy(k1, k2, sizeof k1);
	strv_push(&b.extra_hosts, "db:10.0.0.2");
	free(from_git(oid, release, &b, k2));
	assert_string_not_equal(k1, k2);
	memcpy(k1, k2, sizeof k1);
	b.network = xstrdup("none");
	free(from_git(oid, release, &b, k2));
	assert_string_not_equal(k1, k2);
	memcpy(k1, k2, sizeof k1);
	b.platform = xstrdup("linux/amd64");
	free(from_git(oid, release, &b, k2));
	assert_string_not_equal(k1, k2);
	memcpy(k1, k2, sizeof k1);
	b.shm_size = 1 << 20;
	free(from_git(oid, release, &b, k2));
	assert_string_not_equal(k1, k2);
	assert_false(path_exists(release));
	kvlist_clear(&b.labels);
	strv_clear(&b.extra_hosts);
	free(b.network);
	free(b.platform);
	kvlist_clear(&b.args);
	free(b.target);
	free(b.dockerfile);
	free(b.context);
	free(release);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_same_as_checkout),
		T(test_symlinked_context),
		T(test_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
