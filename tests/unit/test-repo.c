/*
 * test-repo.c - the app repository: creation and hooks, resolving revisions,
 * checking commits out (modes, symlinks, hostile trees), subjects, and a real
 * pre-receive hook that sees the quarantined objects of a push.
 *
 * Commits are made with the git CLI in a work tree and pushed into a bare
 * repository made by repo_create(), whose hooks run this test binary: with
 * arguments "hook pre-receive" it acts as the hook (see hook_main).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <git2.h>

#include "unit.h"
#include "lib/names.h"
#include "repo/repo.h"
#include "lib/util.h"

static char tmp[] = "/tmp/test-repo-XXXXXX";
static char *self;     /* this binary, the hooks' "slipway" */
static char *bare;     /* tmp/app.git, made by repo_create */
static char *work;     /* tmp/work, a git work tree */
static char c1[41], c2[41], tree1[41];

/* Run git with args (NULL-terminated) in dir; stdout into out if not NULL. */
static int
git(const char *dir, struct buf *out, ...)
{
	const char *argv[32];
	va_list ap;
	int fds[2], status, n = 0;
	pid_t pid;

	argv[n++] = "git";
	va_start(ap, out);
	while ((argv[n] = va_arg(ap, const char *)) != NULL && n < 30)
		n++;
	va_end(ap);
	argv[n] = NULL;
	if (pipe(fds) < 0)
		return -1;
	if ((pid = fork()) == 0) {
		char *log = path_join(tmp, "git.log");
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		dup2(fds[1], 1);
		dup2(fd, 2);
		close(fds[0]);
		if (chdir(dir) < 0)
			_exit(127);
		execvp("git", (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	if (out != NULL)
		buf_reset(out);
	for (;;) {
		char chunk[4096];
		ssize_t r = read(fds[0], chunk, sizeof chunk);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (out != NULL)
			buf_add(out, chunk, (size_t)r);
	}
	close(fds[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	if (out != NULL)
		buf_rtrim(out);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
rev_parse(const char *rev, char out[41])
{
	struct buf b = BUF_INIT;

	assert_int_equal(git(work, &b, "rev-parse", rev, NULL), 0);
	assert_int_equal(b.len, 40);
	memcpy(out, b.buf, 41);
	buf_release(&b);
}

static void
put(const char *dir, const char *name, const void *data, size_t len,
    mode_t mode)
{
	char *path = path_join(dir, name), *slash = strrchr(path, '/');

	*slash = '\0';
	assert_int_equal(mkdir_p(path, 0755), 0);
	*slash = '/';
	assert_int_equal(write_file_atomic(path, data, len, mode), 0);
	free(path);
}

static char *
slurp(const char *path)
{
	struct buf b = BUF_INIT;

	if (read_file(path, &b, 1 << 20) < 0)
		fail_msg("%s", error_last());
	return buf_detach(&b, NULL);
}

static const char bin_data[] = "a\0b\0\xff\xfe\n";

static int
setup(void **state)
{
	if (mkdtemp(tmp) == NULL)
		return -1;
	setenv("HOME", tmp, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_AUTHOR_NAME", "Test", 1);
	setenv("GIT_AUTHOR_EMAIL", "test@example.com", 1);
	setenv("GIT_COMMITTER_NAME", "Test", 1);
	setenv("GIT_COMMITTER_EMAIL", "test@example.com", 1);
	setenv("GIT_AUTHOR_DATE", "2020-01-01T00:00:00Z", 1);
	setenv("GIT_COMMITTER_DATE", "2020-01-01T00:00:00Z", 1);
	unsetenv("GIT_DIR");
	unsetenv("GIT_OBJECT_DIRECTORY");
	unsetenv("GIT_ALTERNATE_OBJECT_DIRECTORIES");
	unsetenv("REPO_TEST_HOOK_OUT");
	git_libgit2_init();

	self = realpath("/proc/self/exe", NULL);
	bare = path_join(tmp, "app.git");
	work = path_join(tmp, "work");
	if (repo_create(bare, "../../hooks", self, NULL, "main", NULL) < 0) {
		fprintf(stderr, "repo_create: %s\n", error_last());
		return -1;
	}
	if (git(tmp, NULL, "init", "-q", "-b", "main", work, NULL) != 0)
		return -1;
	put(work, "README", "hello\n", 6, 0644);
	put(work, "run.sh", "#!/bin/sh\necho hi\n", 18, 0755);
	put(work, "sub/dir/deep.txt", "deep\n", 5, 0644);
	put(work, "empty", "", 0, 0644);
	put(work, "bin.dat", bin_data, sizeof bin_data, 0644);
	{
		char *l1 = path_join(work, "link"), *l2 = path_join(work,
		    "sublink");

		if (symlink("README", l1) < 0 || symlink("sub/dir", l2) < 0)
			return -1;
		free(l1);
		free(l2);
	}
	if (git(work, NULL, "add", "-A", NULL) != 0 ||
	    git(work, NULL, "commit", "-q", "-m", "first commit", "-m",
	    "the body", NULL) != 0 ||
	    git(work, NULL, "tag", "-a", "v1", "-m", "tag one", NULL) != 0 ||
	    git(work, NULL, "branch", "feature/x", NULL) != 0)
		return -1;
	put(work, "README", "hello again\n", 12, 0644);
	if (git(work, NULL, "commit", "-q", "-a", "-m", "second", NULL) != 0)
		return -1;
	if (git(work, NULL, "push", "-q", bare, "main", "feature/x",
	    "refs/tags/v1", NULL) != 0)
		return -1;
	rev_parse("main~1", c1);
	rev_parse("main", c2);
	rev_parse("main~1^{tree}", tree1);
	return 0;
}

static int
teardown(void **state)
{
	assert_int_equal(remove_tree(tmp), 0);
	free(self);
	free(bare);
	free(work);
	git_libgit2_shutdown();
	repo_shutdown();
	error_clear();
	return 0;
}

static void
test_create_layout(void **state)
{
	git_repository *repo;
	git_reference *head;
	struct stat st;
	char *hook = path_join(bare, "hooks/post-receive"), *text, *want;

	assert_int_equal(git_repository_open(&repo, bare), 0);
	assert_true(git_repository_is_bare(repo));
	assert_int_equal(git_reference_lookup(&head, repo, "HEAD"), 0);
	assert_string_equal(git_reference_symbolic_target(head),
	    "refs/heads/main");
	git_reference_free(head);
	git_repository_free(repo);

	/* No configuration file: no -c. */
	assert_int_equal(stat(hook, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	text = slurp(hook);
	want = xasprintf("\nslipway='%s'\n", self);
	assert_non_null(strstr(text, want));
	/* A binary that is gone since: the one on PATH. */
	assert_non_null(strstr(text, "\n[ -x \"$slipway\" ] || slipway=slipway\n"));
	assert_non_null(strstr(text, "\nexec \"$slipway\"  hook post-receive\n"));
	assert_true(starts_with(text, "#!/bin/sh\n"));
	assert_null(strstr(text, "@SLIPWAY@"));
	assert_null(strstr(text, "@CONFIG_ARGS@"));
	free(want);
	free(text);
	free(hook);
}

/* Write a fake slipway that records its arguments, one per line. */
static char *
fake_slipway(const char *dir)
{
	static const char script[] =
	    "#!/bin/sh\nprintf '%s\\n' \"$@\" >\"$ARGS_OUT\"\n";
	char *path = path_join(dir, "slipway");

	assert_int_equal(mkdir_p(dir, 0755), 0);
	assert_int_equal(write_file_atomic(path, script, strlen(script), 0755),
	    0);
	return path;
}

static void
test_create_quoting(void **state)
{
	char *dir = xasprintf("%s/we'ird $(touch pwned) `touch pwned2` ;dir",
	    tmp);
	char *slipway = fake_slipway(dir);
	char *config = xasprintf("%s/c'o nf;$HOME.conf", tmp);
	char *repo = path_join(tmp, "quoted.git");
	char *hook = path_join(repo, "hooks/pre-receive");
	char *args_out = path_join(tmp, "args.out"), *got, *want;
	git_repository *r;
	git_reference *head;
	pid_t pid;
	int status;

	assert_int_equal(repo_create(repo, "../../hooks", slipway, config,
	    "production", NULL), 0);
	assert_int_equal(git_repository_open(&r, repo), 0);
	assert_int_equal(git_reference_lookup(&head, r, "HEAD"), 0);
	assert_string_equal(git_reference_symbolic_target(head),
	    "refs/heads/production");
	git_reference_free(head);
	git_repository_free(r);

	/* Run the installed hook with sh: the paths arrive intact. */
	setenv("ARGS_OUT", args_out, 1);
	if ((pid = fork()) == 0) {
		if (chdir(tmp) < 0)
			_exit(127);
		execl(hook, hook, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	unsetenv("ARGS_OUT");
	got = slurp(args_out);
	want = xasprintf("-c\n%s\nhook\npre-receive\n", config);
	assert_string_equal(got, want);
	free(got);
	free(want);
	got = path_join(tmp, "pwned");
	assert_false(path_exists(got));
	free(got);
	got = path_join(tmp, "pwned2");
	assert_false(path_exists(got));
	free(got);

	free(args_out);
	free(hook);
	free(repo);
	free(config);
	free(slipway);
	free(dir);
}

/*
 * The binary named in the hooks is gone (a deleted checkout): the hook runs
 * slipway from PATH; repo_install_hooks() then points them at a new one.
 */
static void
test_hooks_binary_gone(void **state)
{
	char *pathdir = path_join(tmp, "onpath"), *fake = fake_slipway(pathdir);
	char *repo = path_join(tmp, "gone.git");
	char *hook = path_join(repo, "hooks/post-receive");
	char *args_out = path_join(tmp, "gone.out"), *old_path, *got, *want;
	pid_t pid;
	int status;

	(void)state;
	old_path = xstrdup(getenv("PATH"));
	assert_int_equal(repo_create(repo, "../../hooks", "/nonexistent/slipway",
	    "/c.conf", NULL, NULL), 0);
	setenv("ARGS_OUT", args_out, 1);
	got = xasprintf("%s:%s", pathdir, old_path);
	setenv("PATH", got, 1);
	free(got);
	if ((pid = fork()) == 0) {
		execl(hook, hook, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	setenv("PATH", old_path, 1);
	unsetenv("ARGS_OUT");
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	got = slurp(args_out);
	assert_string_equal(got, "-c\n/c.conf\nhook\npost-receive\n");
	free(got);

	assert_int_equal(repo_install_hooks(repo, "../../hooks", fake,
	    "/c.conf", NULL), 0);
	got = slurp(hook);
	want = xasprintf("\nslipway='%s'\n", fake);
	assert_non_null(strstr(got, want));
	assert_null(strstr(got, "/nonexistent/slipway"));
	free(want);
	free(got);
	free(old_path);
	free(args_out);
	free(hook);
	free(repo);
	free(fake);
	free(pathdir);
}

/*
 * The hook the mode does not use (post-receive in atomic mode) is neither
 * installed nor left behind; the others are, and a change of mode puts it
 * back.
 */
static void
test_hooks_unused(void **state)
{
	char *repo = path_join(tmp, "unused.git");
	char *post = path_join(repo, "hooks/post-receive");
	char *pre = path_join(repo, "hooks/pre-receive");
	char *text;

	(void)state;
	assert_int_equal(repo_create(repo, "../../hooks", "/bin/slipway",
	    "/c.conf", NULL, "post-receive"), 0);
	assert_true(path_exists(pre));
	assert_false(path_exists(post));

	/* The mode changed: post-receive is there again. */
	assert_int_equal(repo_install_hooks(repo, "../../hooks",
	    "/bin/slipway", "/c.conf", NULL), 0);
	text = slurp(post);
	assert_non_null(strstr(text, "\nexec \"$slipway\" -c '/c.conf' hook "
	    "post-receive\n"));
	free(text);

	/* And back: removed, pre-receive kept. */
	assert_int_equal(repo_install_hooks(repo, "../../hooks",
	    "/bin/slipway", "/c.conf", "post-receive"), 0);
	assert_false(path_exists(post));
	assert_true(path_exists(pre));
	/* Nothing to remove: no error. */
	assert_int_equal(repo_install_hooks(repo, "../../hooks",
	    "/bin/slipway", "/c.conf", "post-receive"), 0);

	/* One hook that cannot be written fails the call, not the others. */
	assert_int_equal(unlink(pre), 0);
	assert_int_equal(mkdir(pre, 0755), 0);
	assert_int_equal(repo_install_hooks(repo, "../../hooks",
	    "/bin/slipway", "/c.conf", NULL), -1);
	assert_non_null(strstr(error_last(), "pre-receive"));
	assert_true(path_exists(post));
	assert_int_equal(rmdir(pre), 0);
	free(pre);
	free(post);
	free(repo);
}

static void
test_create_placeholders(void **state)
{
	char *hooks = path_join(tmp, "tpl"), *repo = path_join(tmp, "tpl.git");
	char *text, *path;

	put(hooks, "custom", "@SLIPWAY@|@CONFIG@|@CONFIG_ARGS@|@OTHER@|a@b@\n",
	    46, 0644);
	put(hooks, ".hidden", "x\n", 2, 0644);
	put(hooks, "subdir/file", "x\n", 2, 0644);
	assert_int_equal(repo_create(repo, hooks, "/bin/slip'way", "/c.conf",
	    NULL, NULL), 0);
	path = path_join(repo, "hooks/custom");
	text = slurp(path);
	assert_string_equal(text, "'/bin/slip'\\''way'|'/c.conf'|-c '/c.conf'|"
	    "@OTHER@|a@b@\n");
	free(text);
	free(path);
	path = path_join(repo, "hooks/.hidden");
	assert_false(path_exists(path));
	free(path);
	path = path_join(repo, "hooks/subdir");
	assert_false(path_exists(path));
	free(path);
	free(repo);

	/* @CONFIG@ without a configuration file: refused, nothing left. */
	repo = path_join(tmp, "tpl2.git");
	assert_int_equal(repo_create(repo, hooks, "/bin/slipway", NULL, NULL,
	    NULL), -1);
	assert_string_equal(error_last(), "hook template \"custom\" needs "
	    "@CONFIG@ but there is no configuration file");
	assert_false(path_exists(repo));
	free(repo);
	free(hooks);
}

static void
test_create_errors(void **state)
{
	char *repo = path_join(tmp, "err.git"), *empty = path_join(tmp,
	    "empty-hooks"), *want;

	assert_int_equal(repo_create(bare, "../../hooks", "/x", NULL, NULL, NULL),
	    -1);
	want = xasprintf("\"%s\" already exists", bare);
	assert_string_equal(error_last(), want);
	free(want);

	assert_int_equal(repo_create(repo, "../../hooks", "slipway", NULL,
	    NULL, NULL), -1);
	assert_non_null(strstr(error_last(), "not an absolute path"));
	assert_int_equal(repo_create(repo, "../../hooks", "/x", "c.conf",
	    NULL, NULL), -1);
	assert_non_null(strstr(error_last(), "not an absolute path"));
	assert_int_equal(repo_create(repo, "../../hooks", "/x", NULL, "-x",
	    NULL), -1);
	assert_non_null(strstr(error_last(), "invalid revision \"-x\""));
	assert_int_equal(repo_create(repo, "../../hooks", "/x", NULL,
	    "refs/heads/x", NULL), -1);
	assert_false(path_exists(repo));

	assert_int_equal(repo_create(repo, "no-such-hooks", "/x", NULL, NULL,
	    NULL), -1);
	assert_non_null(strstr(error_last(), "cannot open hook templates"));
	assert_false(path_exists(repo));

	assert_int_equal(mkdir_p(empty, 0755), 0);
	assert_int_equal(repo_create(repo, empty, "/x", NULL, NULL, NULL), -1);
	assert_non_null(strstr(error_last(), "no hook templates"));
	assert_false(path_exists(repo));
	free(empty);
	free(repo);
}

static void
test_resolve(void **state)
{
	const struct {
		const char *rev;
		const char *want;
	} good[] = {
		{ "main", c2 }, { "refs/heads/main", c2 }, { "HEAD", c2 },
		{ c2, c2 }, { c1, c1 }, { "feature/x", c1 }, { "v1", c1 },
		{ "refs/tags/v1", c1 },
	};
	char oid[41], shortid[8];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		if (repo_resolve(bare, good[i].rev, 0, oid) != 0)
			fail_msg("\"%s\": %s", good[i].rev, error_last());
		assert_string_equal(oid, good[i].want);
	}
	memcpy(shortid, c1, 7);
	shortid[7] = '\0';
	assert_int_equal(repo_resolve(bare, shortid, 0, oid), 0);
	assert_string_equal(oid, c1);
	shortid[4] = '\0';
	assert_int_equal(repo_resolve(bare, shortid, 0, oid), 0);
	assert_string_equal(oid, c1);
	/* Outside a hook, opening from the environment is the same. */
	assert_int_equal(repo_resolve(bare, "main", 1, oid), 0);
	assert_string_equal(oid, c2);
}

static void
test_resolve_bad(void **state)
{
	const char *hostile[] = { "-rf", "--upload-pack=x", "../x", "a..b",
	    "HEAD@{1}", "HEAD~1", "main^", "x;rm -rf /", "main:README",
	    "refs/heads/../../x", "$(id)", "", "a b" };
	char oid[41], *want;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(hostile); i++) {
		memcpy(oid, "x", 2);
		assert_int_equal(repo_resolve(bare, hostile[i], 0, oid), -1);
		assert_true(starts_with(error_last(), "invalid revision"));
		assert_string_equal(oid, "");
	}
	assert_int_equal(repo_resolve(bare, "nope", 0, oid), -1);
	assert_string_equal(error_last(), "unknown revision \"nope\"");
	assert_int_equal(repo_resolve(bare, "refs/heads/nope", 0, oid), -1);
	assert_string_equal(error_last(), "unknown revision \"refs/heads/nope\"");
	assert_int_equal(repo_resolve(bare,
	    "0123456789abcdef0123456789abcdef01234567", 0, oid), -1);
	assert_string_equal(error_last(), "unknown revision "
	    "\"0123456789abcdef0123456789abcdef01234567\"");
	assert_int_equal(repo_resolve(bare, tree1, 0, oid), -1);
	want = xasprintf("revision \"%s\" is not a commit", tree1);
	assert_string_equal(error_last(), want);
	free(want);
	assert_int_equal(repo_resolve("/nonexistent/x.git", "main", 0, oid), -1);
	assert_true(starts_with(error_last(),
	    "cannot open repository \"/nonexistent/x.git\""));
	/* No search upwards: a directory inside the repository is not one. */
	want = path_join(bare, "refs");
	assert_int_equal(repo_resolve(want, "main", 0, oid), -1);
	free(want);
}

static void
assert_file(const char *dir, const char *name, const void *data, size_t len,
    mode_t mode)
{
	char *path = path_join(dir, name);
	struct buf b = BUF_INIT;
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, mode);
	assert_int_equal(read_file(path, &b, 1 << 20), 0);
	assert_int_equal(b.len, len);
	assert_memory_equal(b.buf, data, len);
	buf_release(&b);
	free(path);
}

static void
assert_link(const char *dir, const char *name, const char *target)
{
	char *path = path_join(dir, name), got[256];
	ssize_t n = readlink(path, got, sizeof got - 1);

	assert_true(n > 0);
	got[n] = '\0';
	assert_string_equal(got, target);
	free(path);
}

/* Nothing but name in dir (no temporary checkout left behind). */
static void
assert_only(const char *dir, const char *name)
{
	struct buf b = BUF_INIT;
	DIR *d = opendir(dir);
	struct dirent *de;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			buf_addf(&b, "%s ", de->d_name);
	}
	closedir(d);
	if (name == NULL)
		assert_string_equal(b.buf, "");
	else {
		char *want = xasprintf("%s ", name);

		assert_string_equal(b.buf, want);
		free(want);
	}
	buf_release(&b);
}

static void
test_checkout(void **state)
{
	char *releases = path_join(tmp, "state/apps/x/releases");
	char *dir = path_join(releases, c1), *readme = path_join(dir, "README");
	char *text;
	mode_t old = umask(077);

	assert_int_equal(repo_checkout(bare, c1, 0, dir), 0);
	umask(old);
	assert_file(dir, "README", "hello\n", 6, 0644);
	assert_file(dir, "run.sh", "#!/bin/sh\necho hi\n", 18, 0755);
	assert_file(dir, "sub/dir/deep.txt", "deep\n", 5, 0644);
	assert_file(dir, "empty", "", 0, 0644);
	assert_file(dir, "bin.dat", bin_data, sizeof bin_data, 0644);
	assert_link(dir, "link", "README");
	assert_link(dir, "sublink", "sub/dir");
	assert_only(releases, c1);

	/* A complete release is left alone. */
	assert_int_equal(write_file_atomic(readme, "changed", 7, 0644), 0);
	assert_int_equal(repo_checkout(bare, c1, 0, dir), 0);
	text = slurp(readme);
	assert_string_equal(text, "changed");
	free(text);
	free(readme);
	free(dir);

	/* An empty directory is filled. */
	dir = path_join(releases, c2);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(repo_checkout(bare, c2, 1, dir), 0);
	assert_file(dir, "README", "hello again\n", 12, 0644);
	free(dir);
	free(releases);
}

static void
test_checkout_bad(void **state)
{
	char *dir = path_join(tmp, "bad/release");

	assert_int_equal(repo_checkout(bare, "main", 0, dir), -1);
	assert_string_equal(error_last(), "invalid commit id \"main\"");
	assert_int_equal(repo_checkout(bare, "../../../etc", 0, dir), -1);
	assert_int_equal(repo_checkout(bare,
	    "0123456789abcdef0123456789abcdef01234567", 0, dir), -1);
	assert_string_equal(error_last(), "unknown commit "
	    "\"0123456789abcdef0123456789abcdef01234567\"");
	assert_int_equal(repo_checkout(bare, tree1, 0, dir), -1);
	assert_false(path_exists(dir));
	free(dir);
}

/* Raw tree entries: mode, name, object id. */
struct raw_entry {
	const char *mode;
	const char *name;
	const git_oid *oid;
};

static void
write_raw(git_oid *out, git_repository *repo, git_object_t type,
    const void *data, size_t len)
{
	git_odb *odb;

	assert_int_equal(git_repository_odb(&odb, repo), 0);
	assert_int_equal(git_odb_write(out, odb, data, len, type), 0);
	git_odb_free(odb);
}

static void
raw_tree(git_oid *out, git_repository *repo, const struct raw_entry *e,
    size_t n)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < n; i++) {
		buf_addf(&b, "%s %s", e[i].mode, e[i].name);
		buf_add(&b, "", 1);
		buf_add(&b, e[i].oid->id, GIT_OID_RAWSZ);
	}
	write_raw(out, repo, GIT_OBJECT_TREE, b.buf, b.len);
	buf_release(&b);
}

static void
raw_commit(char hex[41], git_repository *repo, const git_oid *tree)
{
	char tree_hex[41];
	char *text;
	git_oid oid;

	git_oid_tostr(tree_hex, sizeof tree_hex, tree);
	text = xasprintf("tree %s\nauthor A <a@a> 0 +0000\n"
	    "committer A <a@a> 0 +0000\n\nhostile\n", tree_hex);
	write_raw(&oid, repo, GIT_OBJECT_COMMIT, text, strlen(text));
	git_oid_tostr(hex, 41, &oid);
	free(text);
}

static void
test_checkout_hostile(void **state)
{
	char *outside = path_join(tmp, "outside"), *base = path_join(tmp,
	    "hostile"), *dir;
	git_repository *repo;
	git_oid blob, inner, target, dirlink, tree;
	char commit[41];
	size_t i;
	struct {
		struct raw_entry e[2];
		size_t n;
		const char *error;
	} cases[] = {
		{ { { "40000", "..", &inner } }, 1, "invalid path \"..\"" },
		{ { { "40000", ".", &inner } }, 1, "invalid path \".\"" },
		{ { { "100644", "../pwned", &blob } }, 1,
		  "invalid path \"../pwned\"" },
		{ { { "100644", "a/b", &blob } }, 1, "invalid path \"a/b\"" },
		{ { { "40000", ".git", &inner } }, 1, "invalid path \".git\"" },
		{ { { "40000", ".GiT", &inner } }, 1, "invalid path \".GiT\"" },
		{ { { "40000", "d", &inner } }, 1, "invalid path \"d/..\"" },
		/* libgit2 itself refuses an empty name. */
		{ { { "100644", "", &blob } }, 1, "cannot read the tree of" },
		{ { { "100644", "esc\x1b[0m", &blob }, { "100644", "..",
		  &blob } }, 2, "invalid path \"..\"" },
		/* A symlink to outside, then a directory of the same name. */
		{ { { "120000", "a", &target }, { "40000", "a", &inner } }, 2,
		  "cannot write \"a\": File exists" },
		/* A symlink to outside, then a file of the same name. */
		{ { { "120000", "pwned", &dirlink }, { "100644", "pwned",
		  &blob } }, 2, "cannot write \"pwned\": File exists" },
		{ { { "160000", "sub", &blob }, { "100755", "sub", &blob } },
		  2, "cannot write \"sub\": File exists" },
	};

	assert_int_equal(mkdir_p(outside, 0755), 0);
	assert_int_equal(git_repository_open(&repo, bare), 0);
	write_raw(&blob, repo, GIT_OBJECT_BLOB, "pwned\n", 6);
	{
		struct raw_entry e = { "100644", "pwned", &blob };

		raw_tree(&inner, repo, &e, 1);
	}
	{
		char *t = path_join(outside, "pwned");

		write_raw(&target, repo, GIT_OBJECT_BLOB, outside,
		    strlen(outside));
		write_raw(&dirlink, repo, GIT_OBJECT_BLOB, t, strlen(t));
		free(t);
	}
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		/* "d" holds a tree that itself holds "..". */
		if (strcmp(cases[i].e[0].name, "d") == 0) {
			struct raw_entry e = { "40000", "..", &inner };

			raw_tree(&tree, repo, &e, 1);
			cases[i].e[0].oid = &tree;
		}
		raw_tree(&tree, repo, cases[i].e, cases[i].n);
		raw_commit(commit, repo, &tree);
		dir = xasprintf("%s/%zu", base, i);
		if (repo_checkout(bare, commit, 0, dir) != -1)
			fail_msg("case %zu checked out", i);
		if (!starts_with(error_last(), cases[i].error))
			fail_msg("case %zu: got \"%s\"", i, error_last());
		assert_false(path_exists(dir));
		free(dir);
	}
	assert_only(base, NULL);
	assert_only(outside, NULL);
	git_repository_free(repo);
	free(base);
	free(outside);
}

/* Only what is asked for is written; unchanged files are linked. */
static void
test_tree_put(void **state)
{
	char *d1 = path_join(tmp, "put/c1"), *d2 = path_join(tmp, "put/c2");
	char *a, *b;
	struct repo *r1 = NULL, *r2 = NULL;
	struct stat s1, s2;

	(void)state;
	assert_int_equal(mkdir_p(d1, 0755), 0);
	assert_int_equal(mkdir_p(d2, 0755), 0);
	assert_int_equal(repo_tree_open(&r1, bare, 0, c1), 0);
	assert_int_equal(repo_tree_open(&r2, bare, 0, c2), 0);

	assert_int_equal(repo_tree_put(r1, "README", d1, NULL, NULL), 0);
	assert_only(d1, "README");
	assert_file(d1, "README", "hello\n", 6, 0644);
	/* Absent, outside, or below a file: nothing is written. */
	assert_int_equal(repo_tree_put(r1, "nope/x", d1, NULL, NULL), 0);
	assert_int_equal(repo_tree_put(r1, "../app.git", d1, NULL, NULL), 0);
	assert_int_equal(repo_tree_put(r1, "README/x", d1, NULL, NULL), 0);
	assert_only(d1, "README");
	/* Through a symlink: the link and its target's file. */
	assert_int_equal(repo_tree_put(r1, "./sublink//deep.txt", d1, NULL,
	    NULL), 0);
	assert_link(d1, "sublink", "sub/dir");
	assert_file(d1, "sub/dir/deep.txt", "deep\n", 5, 0644);
	/* A directory is filled in; what is there is kept. */
	assert_int_equal(repo_tree_put(r1, "", d1, NULL, NULL), 0);
	assert_file(d1, "run.sh", "#!/bin/sh\necho hi\n", 18, 0755);
	assert_file(d1, "bin.dat", bin_data, sizeof bin_data, 0644);
	assert_link(d1, "link", "README");

	/* The next commit: an unchanged file is the same inode, a changed
	 * one is written. */
	assert_int_equal(repo_tree_put(r2, "run.sh", d2, r1, d1), 0);
	assert_int_equal(repo_tree_put(r2, "README", d2, r1, d1), 0);
	a = path_join(d1, "run.sh");
	b = path_join(d2, "run.sh");
	assert_int_equal(stat(a, &s1), 0);
	assert_int_equal(stat(b, &s2), 0);
	assert_true(s1.st_ino == s2.st_ino);
	free(a);
	free(b);
	a = path_join(d1, "README");
	b = path_join(d2, "README");
	assert_int_equal(stat(a, &s1), 0);
	assert_int_equal(stat(b, &s2), 0);
	assert_true(s1.st_ino != s2.st_ino);
	assert_file(d2, "README", "hello again\n", 12, 0644);
	assert_file(d1, "README", "hello\n", 6, 0644);
	free(a);
	free(b);
	repo_tree_free(r1);
	repo_tree_free(r2);
	free(d1);
	free(d2);
}

static void
test_subject(void **state)
{
	struct buf msg = BUF_INIT;
	char oid[41], *s, *want;
	int i;

	s = repo_subject(bare, c1, 0);
	assert_string_equal(s, "first commit");
	free(s);
	s = repo_subject(bare, c2, 1);
	assert_string_equal(s, "second");
	free(s);
	assert_null(repo_subject(bare, "0123456789abcdef0123456789abcdef01234567",
	    0));
	assert_non_null(strstr(error_last(), "unknown commit"));
	assert_null(repo_subject(bare, "HEAD", 0));

	/* Escapes are defused; a long subject is cut on a UTF-8 boundary. */
	assert_int_equal(git(work, NULL, "checkout", "-q", "-b", "subjects",
	    NULL), 0);
	assert_int_equal(git(work, NULL, "commit", "-q", "--allow-empty", "-m",
	    "evil \x1b[31m red\ttab", NULL), 0);
	rev_parse("HEAD", oid);
	buf_adds(&msg, "a");
	for (i = 0; i < 150; i++)
		buf_adds(&msg, "\xc3\xa9");
	assert_int_equal(git(work, NULL, "commit", "-q", "--allow-empty", "-m",
	    msg.buf, NULL), 0);
	assert_int_equal(git(work, NULL, "push", "-q", bare, "subjects", NULL),
	    0);
	s = repo_subject(bare, oid, 0);
	assert_string_equal(s, "evil ?[31m red?tab");
	free(s);
	rev_parse("HEAD", oid);
	s = repo_subject(bare, oid, 0);
	buf_reset(&msg);
	buf_adds(&msg, "a");
	for (i = 0; i < 99; i++)
		buf_adds(&msg, "\xc3\xa9");
	buf_adds(&msg, "...");
	want = buf_detach(&msg, NULL);
	assert_string_equal(s, want);
	free(want);
	free(s);
	assert_int_equal(git(work, NULL, "checkout", "-q", "main", NULL), 0);
}

/*
 * The hook side of test_quarantine: this binary run as pre-receive. Resolve
 * and check out the pushed commit from the environment, record what happened
 * in $REPO_TEST_HOOK_OUT, and reject the push.
 */
static int
hook_main(const char *which)
{
	const char *out = getenv("REPO_TEST_HOOK_OUT");
	const char *release = getenv("REPO_TEST_RELEASE");
	struct hook_update u;
	struct buf b = BUF_INIT;
	char line[512], oid[41], *subject;
	FILE *f;

	if (out == NULL || strcmp(which, "pre-receive") != 0)
		return 0;
	if (fgets(line, sizeof line, stdin) == NULL ||
	    hook_parse_line(line, &u) < 0)
		return 2;
	if (repo_resolve(".", u.new_oid, 0, oid) < 0)
		buf_addf(&b, "noenv: %s\n", error_last());
	else
		buf_addf(&b, "noenv: %s\n", oid);
	if (repo_resolve(".", u.new_oid, 1, oid) < 0)
		buf_addf(&b, "env: %s\n", error_last());
	else
		buf_addf(&b, "env: %s\n", oid);
	if (repo_checkout(".", u.new_oid, 1, release) < 0)
		buf_addf(&b, "checkout: %s\n", error_last());
	else
		buf_addf(&b, "checkout: ok\n");
	subject = repo_subject(".", u.new_oid, 1);
	buf_addf(&b, "subject: %s\n", subject ? subject : error_last());
	free(subject);
	if ((f = fopen(out, "w")) != NULL) {
		fputs(b.buf, f);
		fclose(f);
	}
	buf_release(&b);
	hook_update_dispose(&u);
	repo_shutdown();
	error_clear();
	return 1;
}

static void
test_quarantine(void **state)
{
	char *out = path_join(tmp, "hook.out"), *release = path_join(tmp,
	    "qrelease"), *got, *want, oid[41], c3[41];

	put(work, "q.txt", "from quarantine\n", 16, 0644);
	assert_int_equal(git(work, NULL, "add", "q.txt", NULL), 0);
	assert_int_equal(git(work, NULL, "commit", "-q", "-m", "quarantined",
	    NULL), 0);
	rev_parse("HEAD", c3);
	setenv("REPO_TEST_HOOK_OUT", out, 1);
	setenv("REPO_TEST_RELEASE", release, 1);
	/* The hook rejects the push. */
	assert_int_not_equal(git(work, NULL, "push", "-q", bare, "main", NULL),
	    0);
	unsetenv("REPO_TEST_HOOK_OUT");
	unsetenv("REPO_TEST_RELEASE");

	got = slurp(out);
	want = xasprintf("noenv: unknown revision \"%s\"\nenv: %s\n"
	    "checkout: ok\nsubject: quarantined\n", c3, c3);
	assert_string_equal(got, want);
	free(got);
	free(want);
	assert_file(release, "q.txt", "from quarantine\n", 16, 0644);
	assert_file(release, "README", "hello again\n", 12, 0644);

	/* Rejected: the objects are gone and main did not move. */
	assert_int_equal(repo_resolve(bare, c3, 0, oid), -1);
	assert_int_equal(repo_resolve(bare, "main", 0, oid), 0);
	assert_string_equal(oid, c2);
	assert_int_equal(git(work, NULL, "reset", "-q", "--hard", "HEAD~1",
	    NULL), 0);
	free(release);
	free(out);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_layout),
		cmocka_unit_test(test_create_quoting),
		cmocka_unit_test(test_hooks_binary_gone),
		cmocka_unit_test(test_hooks_unused),
		cmocka_unit_test(test_create_placeholders),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_resolve_bad),
		cmocka_unit_test(test_checkout),
		cmocka_unit_test(test_checkout_bad),
		cmocka_unit_test(test_checkout_hostile),
		cmocka_unit_test(test_tree_put),
		cmocka_unit_test(test_subject),
		cmocka_unit_test(test_quarantine),
	};

	/* Run by the repository's hooks: "hook pre-receive". */
	if (argc == 3 && strcmp(argv[1], "hook") == 0)
		return hook_main(argv[2]);
	return cmocka_run_group_tests(tests, setup, teardown);
}
