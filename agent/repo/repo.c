/*
 * repo.c - the app's bare repository through libgit2: create it and install
 * its hooks, resolve what a pusher or an operator names to a commit, and
 * write a commit's tree into a release directory.
 *
 * The checkout walks the tree itself instead of using git_checkout_tree: no
 * index, no filters or attributes, and every entry is written with *at()
 * calls below a directory descriptor, never following a symlink, so a hostile
 * tree ("..", "a/b", ".git", a name twice) cannot write outside the release.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "lib/names.h"
#include "repo/repo.h"
#include "lib/util.h"

#define HOOK_MAX (64u << 10)
#define TREE_DEPTH_MAX 128
#define SUBJECT_MAX 200

/*
 * libgit2 maps pack files in windows; by default up to 8 GiB of them stay
 * mapped (and counted in the resident set while they are read). A checkout
 * or a build context read from a 200 MB pack needs none of that at once:
 * 1 MiB windows, 4 MiB in all, keep a build's peak near 23 MiB.
 */
#define MWINDOW_SIZE (1u << 20)
#define MWINDOW_MAPPED_LIMIT (4u << 20)

static int initialised;
static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t preload_thread;
static int preloading;	/* only the caller's thread reads or sets it */

static void *
init_locked(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&init_lock);
	if (!initialised) {
		git_libgit2_init();
		/*
		 * Repositories live under repos_dir, which the operator
		 * configures; root running `slipway deploy` on a repository
		 * the git user owns is expected, not an attack.
		 */
		git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
		git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, (size_t)MWINDOW_SIZE);
		git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT,
		    (size_t)MWINDOW_MAPPED_LIMIT);
		/*
		 * Objects were checked when they were received (git's
		 * index-pack on push); hashing every blob again as it is read
		 * (SHA-1 with collision detection) is most of a build
		 * context's CPU time. git itself does not either.
		 */
		git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
		initialised = 1;
	}
	pthread_mutex_unlock(&init_lock);
	return NULL;
}

/* Initialise libgit2 on first use only: paths that open no repository
 * never pay for it (it parses the CA bundle when built on mbedTLS). */
static void
repo_init(void)
{
	if (preloading) {
		pthread_join(preload_thread, NULL);
		preloading = 0;
	}
	init_locked(NULL);
}

void
repo_preload(void)
{
	if (initialised || preloading)
		return;
	preloading = pthread_create(&preload_thread, NULL, init_locked,
	    NULL) == 0;
}

void
repo_shutdown(void)
{
	repo_unhold();
	if (preloading) {	/* a preload must finish first */
		pthread_join(preload_thread, NULL);
		preloading = 0;
	}
	if (!initialised)
		return;
	git_libgit2_shutdown();
	initialised = 0;
}

/* error_set() with libgit2's last error appended. */
static int PRINTF_LIKE(1, 2)
git_fail(const char *fmt, ...)
{
	const git_error *e = git_error_last();
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	error_set("%s: %s", msg, e != NULL && e->message != NULL ?
	    e->message : "unknown libgit2 error");
	free(msg);
	return -1;
}

/*
 * The repository this thread holds (repo_hold): opened by the first repo_*
 * call on its path, kept until repo_unhold(). Per thread: libgit2's
 * repository objects are not to be used by two threads at once.
 */
static __thread struct {
	char *path;
	int from_env;
	git_repository *git;
} held;

void
repo_hold(const char *path, int from_env)
{
	repo_unhold();
	held.path = xstrdup(path);
	held.from_env = from_env;
}

void
repo_unhold(void)
{
	git_repository_free(held.git);
	held.git = NULL;
	free(held.path);
	held.path = NULL;
}

/* Close what open_git() gave, unless it is the held repository. */
static void
close_git(git_repository *repo)
{
	if (repo != NULL && repo != held.git)
		git_repository_free(repo);
}

static int
open_git(git_repository **out, const char *path, int from_env)
{
	/*
	 * With a path, OPEN_FROM_ENV still honours GIT_OBJECT_DIRECTORY and
	 * GIT_ALTERNATE_OBJECT_DIRECTORIES (the pre-receive quarantine) but
	 * ignores GIT_DIR (libgit2 1.5 _git_repository_open_ext_from_env).
	 */
	unsigned flags = from_env ? GIT_REPOSITORY_OPEN_FROM_ENV :
	    GIT_REPOSITORY_OPEN_NO_SEARCH;
	int hold = held.path != NULL && held.from_env == from_env &&
	    strcmp(held.path, path) == 0;

	*out = NULL;
	if (hold && held.git != NULL) {
		*out = held.git;
		return 0;
	}
	repo_init();
	if (git_repository_open_ext(out, path, flags, NULL) < 0)
		return git_fail("cannot open repository \"%s\"", path);
	if (hold)
		held.git = *out;
	return 0;
}

static int
is_hex_string(const char *s, size_t min, size_t max)
{
	size_t n = strspn(s, "0123456789abcdef");

	return s[n] == '\0' && n >= min && n <= max;
}

/* Single-quote s for sh: ' becomes '\''. */
static void
shell_quote(struct buf *b, const char *s)
{
	buf_addch(b, '\'');
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			buf_adds(b, "'\\''");
		else
			buf_addch(b, *s);
	}
	buf_addch(b, '\'');
}

/*
 * Expand a hook template: @SLIPWAY@ is the quoted binary, @CONFIG@ the quoted
 * configuration file, @CONFIG_ARGS@ `-c <quoted file>` or nothing when there
 * is no file. Any other '@' is kept.
 */
static int
expand_hook(struct buf *out, const char *text, const char *name,
    const char *slipway, const char *config)
{
	const char *p;

	for (p = text; *p != '\0'; p++) {
		if (*p != '@')
			buf_addch(out, *p);
		else if (starts_with(p, "@SLIPWAY@")) {
			shell_quote(out, slipway);
			p += strlen("@SLIPWAY@") - 1;
		} else if (starts_with(p, "@CONFIG_ARGS@")) {
			if (config != NULL) {
				buf_adds(out, "-c ");
				shell_quote(out, config);
			}
			p += strlen("@CONFIG_ARGS@") - 1;
		} else if (starts_with(p, "@CONFIG@")) {
			if (config == NULL)
				return error_set("hook template \"%s\" needs "
				    "@CONFIG@ but there is no configuration "
				    "file", name);
			shell_quote(out, config);
			p += strlen("@CONFIG@") - 1;
		} else
			buf_addch(out, *p);
	}
	return 0;
}

int
repo_install_hooks(const char *repo, const char *hooks_dir, const char *slipway,
    const char *config, const char *unused)
{
	struct buf text = BUF_INIT, hook = BUF_INIT;
	struct dirent *de;
	struct stat st, dir_st;
	char *dst_dir = path_join(repo, "hooks"), *src = NULL, *dst = NULL;
	char *first = NULL;     /* the first hook that failed: the others go on */
	DIR *d;
	int n = 0, rc = -1, existed;

	if ((d = opendir(hooks_dir)) == NULL) {
		error_set("cannot open hook templates \"%s\": %s", hooks_dir,
		    strerror(errno));
		goto done;
	}
	if (mkdir_p(dst_dir, 0755) < 0 || stat(dst_dir, &dir_st) < 0)
		goto done;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		free(src);
		src = path_join(hooks_dir, de->d_name);
		if (stat(src, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		n++;
		if (unused != NULL && strcmp(de->d_name, unused) == 0)
			continue;
		if (read_file(src, &text, HOOK_MAX) < 0)
			goto done;
		buf_reset(&hook);
		if (expand_hook(&hook, text.buf, de->d_name, slipway,
		    config) < 0)
			goto done;
		free(dst);
		dst = path_join(dst_dir, de->d_name);
		existed = lstat(dst, &st) == 0;
		if (write_file_atomic(dst, hook.buf, hook.len, 0755) < 0) {
			if (first == NULL)
				first = error_save();
			continue;
		}
		/* a hook made now (root pushing, say) is the repository's */
		if (!existed && chown(dst, dir_st.st_uid, dir_st.st_gid) < 0)
			error_clear();
	}
	if (first != NULL) {
		error_restore(first);
		first = NULL;
		goto done;
	}
	if (n == 0) {
		error_set("no hook templates in \"%s\"", hooks_dir);
		goto done;
	}
	if (unused != NULL) {
		free(dst);
		dst = path_join(dst_dir, unused);
		if (unlink(dst) < 0 && errno != ENOENT) {
			error_set("cannot remove \"%s\": %s", dst,
			    strerror(errno));
			goto done;
		}
	}
	rc = 0;
done:
	if (d != NULL)
		closedir(d);
	free(first);
	buf_release(&text);
	buf_release(&hook);
	free(dst);
	free(src);
	free(dst_dir);
	return rc;
}

int
repo_create(const char *path, const char *hooks_dir, const char *slipway,
    const char *config, const char *branch, const char *unused_hook)
{
	git_repository_init_options opts;
	git_repository *repo = NULL;
	int created = 0, rc = -1;

	if (branch == NULL)
		branch = "main";
	if (slipway[0] != '/')
		return error_set("the slipway binary \"%s\" is not an absolute "
		    "path", slipway);
	if (config != NULL && config[0] != '/')
		return error_set("the configuration file \"%s\" is not an "
		    "absolute path", config);
	if (name_check_rev(branch) < 0)
		return -1;
	if (starts_with(branch, "refs/"))
		return error_set("invalid branch name \"%s\"", branch);
	if (path_exists(path))
		return error_set("\"%s\" already exists", path);
	repo_init();
	/* Fails only for a version this build was not compiled against. */
	ignore_status(git_repository_init_options_init(&opts,
	    GIT_REPOSITORY_INIT_OPTIONS_VERSION));
	opts.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_NO_REINIT |
	    GIT_REPOSITORY_INIT_MKPATH;
	opts.initial_head = branch;
	if (git_repository_init_ext(&repo, path, &opts) < 0) {
		git_fail("cannot create repository \"%s\"", path);
		goto done;
	}
	created = 1;
	if (repo_install_hooks(path, hooks_dir, slipway, config,
	    unused_hook) < 0)
		goto done;
	rc = 0;
done:
	git_repository_free(repo);
	if (rc < 0 && created) {
		char *saved = error_save();

		if (remove_tree(path) < 0)
			out_warn("warning: %s", error_last());
		error_restore(saved);
	}
	return rc;
}

/* Look up refname; *obj stays NULL when there is no such reference. */
static int
lookup_ref(git_object **obj, git_repository *repo, const char *refname)
{
	git_reference *ref = NULL;
	int err;

	*obj = NULL;
	err = git_reference_lookup(&ref, repo, refname);
	if (err == GIT_ENOTFOUND || err == GIT_EINVALIDSPEC)
		return 0;
	if (err < 0)
		return git_fail("cannot read \"%s\"", refname);
	err = git_reference_peel(obj, ref, GIT_OBJECT_ANY);
	git_reference_free(ref);
	if (err == GIT_ENOTFOUND) /* HEAD of an empty repository */
		return 0;
	if (err < 0)
		return git_fail("cannot resolve \"%s\"", refname);
	return 0;
}

/* What rev names, in git's order for the forms slipway accepts. */
static int
lookup_rev(git_object **obj, git_repository *repo, const char *rev)
{
	static const char *prefixes[] = { "refs/heads/", "refs/tags/" };
	git_oid oid;
	size_t i, len = strlen(rev);
	int err;

	*obj = NULL;
	if (len == GIT_OID_HEXSZ && is_hex_string(rev, len, len)) {
		ignore_status(git_oid_fromstr(&oid, rev));	/* hex: checked */
		err = git_object_lookup(obj, repo, &oid, GIT_OBJECT_ANY);
		if (err < 0 && err != GIT_ENOTFOUND)
			return git_fail("cannot read \"%s\"", rev);
		return 0;
	}
	if (starts_with(rev, "refs/") || strcmp(rev, "HEAD") == 0)
		return lookup_ref(obj, repo, rev);
	for (i = 0; i < ARRAY_SIZE(prefixes); i++) {
		char *name = xasprintf("%s%s", prefixes[i], rev);

		err = lookup_ref(obj, repo, name);
		free(name);
		if (err < 0 || *obj != NULL)
			return err;
	}
	if (is_hex_string(rev, 4, GIT_OID_HEXSZ - 1)) {
		ignore_status(git_oid_fromstrn(&oid, rev, len)); /* checked */
		err = git_object_lookup_prefix(obj, repo, &oid, len,
		    GIT_OBJECT_ANY);
		if (err == GIT_EAMBIGUOUS)
			return error_set("ambiguous revision \"%s\": use more "
			    "digits", rev);
		if (err < 0 && err != GIT_ENOTFOUND)
			return git_fail("cannot read \"%s\"", rev);
	}
	return 0;
}

int
repo_resolve(const char *path, const char *rev, int from_env,
    char oid_out[41])
{
	git_repository *repo = NULL;
	git_object *obj = NULL, *commit = NULL;
	int rc = -1;

	oid_out[0] = '\0';
	if (name_check_rev(rev) < 0)
		return -1;
	if (open_git(&repo, path, from_env) < 0)
		goto done;
	if (lookup_rev(&obj, repo, rev) < 0)
		goto done;
	if (obj == NULL) {
		error_set("unknown revision \"%s\"", rev);
		goto done;
	}
	if (git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) < 0) {
		error_set("revision \"%s\" is not a commit", rev);
		goto done;
	}
	git_oid_tostr(oid_out, GIT_OID_HEXSZ + 1, git_object_id(commit));
	rc = 0;
done:
	git_object_free(commit);
	git_object_free(obj);
	close_git(repo);
	return rc;
}

/* Look up the commit named by a full hex id. */
static int
lookup_commit(git_commit **out, git_repository *repo, const char *oid_hex)
{
	git_oid oid;
	int err;

	*out = NULL;
	if (!is_hex_string(oid_hex, GIT_OID_HEXSZ, GIT_OID_HEXSZ))
		return error_set("invalid commit id \"%.64s\"", oid_hex);
	ignore_status(git_oid_fromstr(&oid, oid_hex));	/* hex: checked */
	err = git_commit_lookup(out, repo, &oid);
	if (err == GIT_ENOTFOUND)
		return error_set("unknown commit \"%s\"", oid_hex);
	if (err < 0)
		return git_fail("cannot read commit \"%s\"", oid_hex);
	return 0;
}

/* A tree entry name git itself would check out (no "..", "/", ".git"). */
static int
entry_name_ok(const char *name)
{
	return name[0] != '\0' && strcmp(name, ".") != 0 &&
	    strcmp(name, "..") != 0 && strchr(name, '/') == NULL &&
	    strcasecmp(name, ".git") != 0;
}

static int
write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int checkout_tree(git_repository *, const git_tree *, int, const char *,
    int);

/* Write one entry named at, under the directory fd dirfd. */
static int
checkout_entry(git_repository *repo, const git_tree_entry *e, int dirfd,
    const char *at, int depth)
{
	const char *name = git_tree_entry_name(e);
	git_filemode_t mode = git_tree_entry_filemode(e);
	git_blob *blob = NULL;
	git_tree *tree = NULL;
	const char *data;
	char *target = NULL;
	size_t size;
	mode_t perm;
	int fd = -1, rc = -1;

	switch (mode) {
	case GIT_FILEMODE_TREE:
		if (git_tree_lookup(&tree, repo, git_tree_entry_id(e)) < 0) {
			git_fail("cannot read tree \"%s\"", at);
			goto done;
		}
		/* FALLTHROUGH */
	case GIT_FILEMODE_COMMIT: /* a submodule: an empty directory, as git */
		if (mkdirat(dirfd, name, 0755) < 0 ||
		    (fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC)) < 0)
			goto fail_errno;
		if (tree != NULL && checkout_tree(repo, tree, fd, at,
		    depth + 1) < 0)
			goto done;
		break;
	case GIT_FILEMODE_BLOB:
	case GIT_FILEMODE_BLOB_EXECUTABLE:
	case GIT_FILEMODE_LINK:
		if (git_blob_lookup(&blob, repo, git_tree_entry_id(e)) < 0) {
			git_fail("cannot read \"%s\"", at);
			goto done;
		}
		data = git_blob_rawcontent(blob);
		size = (size_t)git_blob_rawsize(blob);
		if (mode == GIT_FILEMODE_LINK) {
			target = xstrndup(data, size);
			if (size == 0 || size >= PATH_MAX ||
			    strlen(target) != size) {
				error_set("invalid symlink \"%s\" in commit", at);
				goto done;
			}
			if (symlinkat(target, dirfd, name) < 0)
				goto fail_errno;
			break;
		}
		perm = mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0755 : 0644;
		fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, perm);
		if (fd < 0 || write_all(fd, data, size) < 0 ||
		    fchmod(fd, perm) < 0)
			goto fail_errno;
		break;
	default:
		error_set("unsupported file mode %06o for \"%s\" in commit",
		    (unsigned)mode, at);
		goto done;
	}
	rc = 0;
	goto done;
fail_errno:
	error_set("cannot write \"%s\": %s", at, strerror(errno));
done:
	if (fd >= 0)
		close(fd);
	free(target);
	git_blob_free(blob);
	git_tree_free(tree);
	return rc;
}

/* Write tree into the directory fd dirfd; prefix names it for messages. */
static int
checkout_tree(git_repository *repo, const git_tree *tree, int dirfd,
    const char *prefix, int depth)
{
	size_t i, n = git_tree_entrycount(tree);

	if (depth > TREE_DEPTH_MAX)
		return error_set("\"%s\" is nested more than %d directories "
		    "deep", prefix, TREE_DEPTH_MAX);
	for (i = 0; i < n; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		const char *name = git_tree_entry_name(e);
		char *at = *prefix ? xasprintf("%s/%s", prefix, name) :
		    xstrdup(name), *p;
		int rc;

		for (p = at; *p != '\0'; p++) {
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?'; /* for messages only */
		}

		if (!entry_name_ok(name))
			rc = error_set("invalid path \"%s\" in commit", at);
		else
			rc = checkout_entry(repo, e, dirfd, at, depth);
		free(at);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* 1 when dir exists and has an entry, 0 when absent or empty, -1 on error. */
static int
dir_has_entries(const char *dir)
{
	struct dirent *de;
	DIR *d;
	int found = 0;

	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		return error_set("cannot open \"%s\": %s", dir,
		    strerror(errno));
	}
	while (!found && (de = readdir(d)) != NULL)
		found = strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0;
	closedir(d);
	return found;
}

int
repo_checkout(const char *path, const char *oid, int from_env,
    const char *dir)
{
	git_repository *repo = NULL;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	char *tmp = NULL, *parent = NULL, *slash;
	int fd = -1, rc = -1, have;

	/* Only complete checkouts are ever renamed into place. */
	if ((have = dir_has_entries(dir)) != 0)
		return have < 0 ? -1 : 0;
	if (open_git(&repo, path, from_env) < 0 ||
	    lookup_commit(&commit, repo, oid) < 0)
		goto done;
	if (git_commit_tree(&tree, commit) < 0) {
		git_fail("cannot read the tree of \"%s\"", oid);
		goto done;
	}
	parent = xstrdup(dir);
	if ((slash = strrchr(parent, '/')) != NULL && slash != parent) {
		*slash = '\0';
		if (mkdir_p(parent, 0755) < 0)
			goto done;
	}
	tmp = xasprintf("%s.tmp-%ld", dir, (long)getpid());
	if (remove_tree(tmp) < 0)
		goto done;
	if (mkdir(tmp, 0755) < 0 || (fd = open(tmp, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) < 0) {
		error_set("cannot create \"%s\": %s", tmp, strerror(errno));
		goto done;
	}
	if (checkout_tree(repo, tree, fd, "", 0) < 0)
		goto done;
	if (syncfs(fd) < 0) {
		error_set("cannot sync \"%s\": %s", tmp, strerror(errno));
		goto done;
	}
	if (rename(tmp, dir) < 0) {
		/* Someone else finished the same checkout first: fine. */
		if ((errno != ENOTEMPTY && errno != EEXIST) ||
		    dir_has_entries(dir) != 1) {
			error_set("cannot rename \"%s\": %s", tmp,
			    strerror(errno));
			goto done;
		}
		if (remove_tree(tmp) < 0)
			out_warn("warning: %s", error_last());
	}
	rc = 0;
done:
	if (fd >= 0)
		close(fd);
	if (rc < 0 && tmp != NULL) {
		char *saved = error_save();

		if (remove_tree(tmp) < 0)
			out_warn("warning: %s", error_last());
		error_restore(saved);
	}
	git_tree_free(tree);
	git_commit_free(commit);
	close_git(repo);
	free(parent);
	free(tmp);
	return rc;
}

/* The length of s[0..len) without a trailing incomplete UTF-8 sequence. */
static size_t
utf8_cut(const char *s, size_t len)
{
	size_t i = len, need;
	unsigned char lead;

	while (i > 0 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0)
		return len;
	lead = (unsigned char)s[i - 1];
	if (lead < 0xc0)
		return len;
	need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
	return len - (i - 1) < need ? i - 1 : len;
}

char *
repo_subject(const char *path, const char *oid, int from_env)
{
	git_repository *repo = NULL;
	git_commit *commit = NULL;
	const char *summary;
	struct buf b = BUF_INIT;
	char *s = NULL;
	size_t i;

	if (open_git(&repo, path, from_env) < 0 ||
	    lookup_commit(&commit, repo, oid) < 0)
		goto done;
	if ((summary = git_commit_summary(commit)) == NULL) {
		git_fail("cannot read the message of \"%s\"", oid);
		goto done;
	}
	/* A pusher's text: no escape sequences, one short line. */
	buf_init(&b, SUBJECT_MAX);
	for (i = 0; summary[i] != '\0' && !b.overflow; i++) {
		unsigned char c = (unsigned char)summary[i];

		buf_addch(&b, c < 0x20 || c == 0x7f ? '?' : c);
	}
	if (b.overflow) {
		b.len = utf8_cut(b.buf, b.len);
		b.buf[b.len] = '\0';
		b.max = 0;
		buf_adds(&b, "...");
	}
	s = buf_detach(&b, NULL);
done:
	git_commit_free(commit);
	close_git(repo);
	return s;
}

/* Read from the configuration: git_remote_lookup leaks in libgit2 1.5. */
char *
repo_remote_url(const char *remote)
{
	git_repository *repo = NULL;
	git_config *cfg = NULL;
	git_buf value = GIT_BUF_INIT;
	char *key = xasprintf("remote.%s.url", remote), *url = NULL;

	git_libgit2_init();
	if (git_repository_open_ext(&repo, ".", 0, NULL) < 0 ||
	    git_repository_config_snapshot(&cfg, repo) < 0)
		error_set("not in a git checkout: run slipway remote in the "
		    "app's work tree");
	else if (git_config_get_string_buf(&value, cfg, key) < 0)
		error_set("no remote \"%s\" in this checkout (git remote add "
		    "%s git@HOST:APP.git)", remote, remote);
	else
		url = xstrdup(value.ptr);
	git_buf_dispose(&value);
	git_config_free(cfg);
	git_repository_free(repo);
	git_libgit2_shutdown();
	free(key);
	return url;
}

/* Is entry a directory of placeholder files only (placeholder_name)? */
static int
placeholder_dir(git_repository *repo, const git_tree_entry *entry)
{
	git_tree *t = NULL;
	size_t i, n;
	int yes = 0;

	if (git_tree_entry_type(entry) != GIT_OBJECT_TREE ||
	    git_tree_lookup(&t, repo, git_tree_entry_id(entry)) < 0) {
		git_error_clear();
		return 0;
	}
	n = git_tree_entrycount(t);
	for (i = 0; i < n; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(t, i);

		if ((git_tree_entry_filemode(e) != GIT_FILEMODE_BLOB &&
		    git_tree_entry_filemode(e) != GIT_FILEMODE_BLOB_EXECUTABLE) ||
		    !placeholder_name(git_tree_entry_name(e)))
			break;
	}
	yes = n > 0 && i == n;
	git_tree_free(t);
	return yes;
}

int
repo_tracked(const char *path, const char *oid, int from_env, const char *rel)
{
	git_repository *repo = NULL;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_tree_entry *entry = NULL;
	int rc = -1, r;

	if (*rel == '\0')
		return 1;
	if (open_git(&repo, path, from_env) < 0 ||
	    lookup_commit(&commit, repo, oid) < 0)
		goto done;
	if (git_commit_tree(&tree, commit) < 0) {
		git_fail("cannot read the tree of \"%s\"", oid);
		goto done;
	}
	r = git_tree_entry_bypath(&entry, tree, rel);
	if (r == 0)
		rc = placeholder_dir(repo, entry) ? 2 : 1;
	else if (r == GIT_ENOTFOUND) {
		git_error_clear();
		rc = 0;
	} else
		git_fail("cannot look up \"%s\" in \"%s\"", rel, oid);
done:
	git_tree_entry_free(entry);
	git_tree_free(tree);
	git_commit_free(commit);
	close_git(repo);
	return rc;
}

/* An open repository and the commit whose tree is read (repo_tree_*). */
struct repo {
	git_repository *git;
	git_tree *root;
	git_blob *blob;		/* the last one repo_tree_load handed out */
	long long when;
	int held;		/* git is the held repository: not ours */
};

int
repo_tree_open(struct repo **out, const char *path, int from_env,
    const char *oid)
{
	struct repo *r = xcalloc(1, sizeof *r);
	git_commit *commit = NULL;
	int rc = -1;

	*out = NULL;
	if (open_git(&r->git, path, from_env) < 0)
		goto done;
	r->held = r->git == held.git;
	if (lookup_commit(&commit, r->git, oid) < 0)
		goto done;
	if (git_commit_tree(&r->root, commit) < 0) {
		git_fail("cannot read the tree of \"%s\"", oid);
		goto done;
	}
	r->when = (long long)git_commit_time(commit);
	*out = r;
	r = NULL;
	rc = 0;
done:
	git_commit_free(commit);
	repo_tree_free(r);
	return rc;
}

long long
repo_tree_time(const struct repo *r)
{
	return r->when;
}

/* A git file mode as the mode of the file it checks out to. */
static unsigned
entry_mode(git_filemode_t m)
{
	switch (m) {
	case GIT_FILEMODE_TREE:
	case GIT_FILEMODE_COMMIT:
		return 040755;
	case GIT_FILEMODE_BLOB_EXECUTABLE:
		return 0100755;
	case GIT_FILEMODE_LINK:
		return 0120777;
	default:
		return 0100644;
	}
}

int
repo_tree_find(struct repo *r, const char *path, unsigned *mode,
    char oid[41])
{
	git_tree_entry *e = NULL;
	int err;

	if (path[0] == '\0') {
		git_oid_tostr(oid, 41, git_tree_id(r->root));
		*mode = 040755;
		return 0;
	}
	err = git_tree_entry_bypath(&e, r->root, path);
	if (err == GIT_ENOTFOUND)
		return 1;
	if (err < 0)
		return git_fail("cannot read \"%s\" in the commit", path);
	*mode = entry_mode(git_tree_entry_filemode(e));
	/* A submodule has no tree here: list it as empty. */
	if (git_tree_entry_filemode(e) == GIT_FILEMODE_COMMIT)
		oid[0] = '\0';
	else
		git_oid_tostr(oid, 41, git_tree_entry_id(e));
	git_tree_entry_free(e);
	return 0;
}

int
repo_tree_list(struct repo *r, const char *tree_oid,
    struct repo_entry **out, size_t *n)
{
	git_tree *tree = NULL;
	struct repo_entry *v = NULL;
	git_oid oid;
	size_t i, count;

	*out = NULL;
	*n = 0;
	if (tree_oid[0] == '\0')
		return 0;
	if (git_oid_fromstr(&oid, tree_oid) < 0 ||
	    git_tree_lookup(&tree, r->git, &oid) < 0)
		return git_fail("cannot read tree %s", tree_oid);
	count = git_tree_entrycount(tree);
	v = xcalloc(count + 1, sizeof *v);
	for (i = 0; i < count; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		git_filemode_t m = git_tree_entry_filemode(e);

		if (!entry_name_ok(git_tree_entry_name(e))) {
			error_set("invalid path \"%s\" in commit",
			    git_tree_entry_name(e));
			repo_entries_free(v, i);
			git_tree_free(tree);
			return -1;
		}
		v[i].name = xstrdup(git_tree_entry_name(e));
		v[i].mode = entry_mode(m);
		if (m == GIT_FILEMODE_COMMIT)
			v[i].oid[0] = '\0';
		else
			git_oid_tostr(v[i].oid, sizeof v[i].oid,
			    git_tree_entry_id(e));
	}
	git_tree_free(tree);
	*out = v;
	*n = count;
	return 0;
}

void
repo_entries_free(struct repo_entry *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

int
repo_tree_load(struct repo *r, const char *blob_oid, const void **data,
    size_t *size)
{
	git_oid oid;

	git_blob_free(r->blob);
	r->blob = NULL;
	if (git_oid_fromstr(&oid, blob_oid) < 0 ||
	    git_blob_lookup(&r->blob, r->git, &oid) < 0)
		return git_fail("cannot read blob %s", blob_oid);
	*data = git_blob_rawcontent(r->blob);
	*size = (size_t)git_blob_rawsize(r->blob);
	return 0;
}

void
repo_tree_free(struct repo *r)
{
	if (r == NULL)
		return;
	git_blob_free(r->blob);
	git_tree_free(r->root);
	if (!r->held)
		git_repository_free(r->git);
	free(r);
}

int
repo_hash(const char *text, size_t len, char oid[41])
{
	git_oid id;

	repo_init();
	if (git_odb_hash(&id, text, len, GIT_OBJECT_BLOB) < 0)
		return git_fail("cannot hash");
	git_oid_tostr(oid, 41, &id);
	return 0;
}

/* What repo_tree_put writes from and where (directory descriptors). */
struct put {
	struct repo *r, *prev;
	int dirfd, prevfd;      /* the release and the previous one (or -1) */
	int links;              /* symlinks followed so far */
};

#define PUT_LINKS_MAX 40

/*
 * Write the blob of entry e as name under fd (path is its place in the
 * tree): linked from the previous release when that one has the same blob
 * and mode at the same path, else written under a temporary name, fsync'd
 * and renamed. *made is set when something was added to fd.
 */
static int
put_file(struct put *pt, int fd, const char *name, const char *path,
    const git_tree_entry *e, int *made)
{
	git_filemode_t mode = git_tree_entry_filemode(e);
	mode_t perm = mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0755 : 0644;
	git_tree_entry *old = NULL;
	git_blob *blob = NULL;
	struct stat st;
	char *tmp = NULL;
	int out = -1, rc = -1;

	if (pt->prev != NULL && pt->prevfd >= 0 &&
	    git_tree_entry_bypath(&old, pt->prev->root, path) == 0 &&
	    git_tree_entry_filemode(old) == mode &&
	    git_oid_equal(git_tree_entry_id(old), git_tree_entry_id(e)) &&
	    fstatat(pt->prevfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode) && (st.st_mode & 07777) == perm &&
	    linkat(pt->prevfd, path, fd, name, 0) == 0) {
		*made = 1;
		rc = 0;
		goto done;
	}
	git_error_clear();
	if (git_blob_lookup(&blob, pt->r->git, git_tree_entry_id(e)) < 0) {
		git_fail("cannot read \"%s\"", path);
		goto done;
	}
	tmp = xasprintf(".%s.tmp-%ld", name, (long)getpid());
	(void)unlinkat(fd, tmp, 0);
	out = openat(fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, perm);
	if (out < 0 || write_all(out, git_blob_rawcontent(blob),
	    (size_t)git_blob_rawsize(blob)) < 0 || fchmod(out, perm) < 0 ||
	    fsync(out) < 0 || renameat(fd, tmp, fd, name) < 0) {
		error_set("cannot write \"%s\": %s", path, strerror(errno));
		(void)unlinkat(fd, tmp, 0);
		goto done;
	}
	*made = 1;
	rc = 0;
done:
	if (out >= 0)
		close(out);
	free(tmp);
	git_blob_free(blob);
	git_tree_entry_free(old);
	return rc;
}

/* Write the symlink of entry e as name under fd; its target into *target. */
static int
put_link(struct put *pt, int fd, const char *name, const char *path,
    const git_tree_entry *e, char **target, int *made)
{
	git_blob *blob = NULL;
	const char *data;
	size_t size;
	int rc = -1;

	if (git_blob_lookup(&blob, pt->r->git, git_tree_entry_id(e)) < 0)
		return git_fail("cannot read \"%s\"", path);
	data = git_blob_rawcontent(blob);
	size = (size_t)git_blob_rawsize(blob);
	*target = xstrndup(data, size);
	if (size == 0 || size >= PATH_MAX || strlen(*target) != size) {
		error_set("invalid symlink \"%s\" in commit", path);
		goto done;
	}
	if (symlinkat(*target, fd, name) < 0 && errno != EEXIST) {
		error_set("cannot write \"%s\": %s", path, strerror(errno));
		goto done;
	}
	*made = 1;
	rc = 0;
done:
	git_blob_free(blob);
	if (rc < 0) {
		free(*target);
		*target = NULL;
	}
	return rc;
}

/* Open (creating it when missing) the directory name under fd, never
 * through a symlink. */
static int
put_dir(int fd, const char *name, const char *path, int *made)
{
	int sub;

	if (mkdirat(fd, name, 0755) == 0)
		*made = 1;
	else if (errno != EEXIST)
		goto fail;
	if ((sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) >= 0)
		return sub;
fail:
	error_set("cannot write \"%s\": %s", path, strerror(errno));
	return -1;
}

/* Fill the directory fd with what tree holds and fd lacks. */
static int
put_tree(struct put *pt, int fd, const git_tree *tree, const char *prefix,
    int depth)
{
	size_t i, n = git_tree_entrycount(tree);
	int made = 0, rc = 0;

	if (depth > TREE_DEPTH_MAX)
		return error_set("\"%s\" is nested more than %d directories "
		    "deep", prefix, TREE_DEPTH_MAX);
	for (i = 0; i < n && rc == 0; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		const char *name = git_tree_entry_name(e);
		git_filemode_t mode = git_tree_entry_filemode(e);
		char *at = *prefix ? xasprintf("%s/%s", prefix, name) :
		    xstrdup(name), *target = NULL;
		git_tree *sub = NULL;
		struct stat st;
		int subfd;

		if (!entry_name_ok(name))
			rc = error_set("invalid path \"%s\" in commit", at);
		else if (mode == GIT_FILEMODE_TREE ||
		    mode == GIT_FILEMODE_COMMIT) {
			if ((subfd = put_dir(fd, name, at, &made)) < 0)
				rc = -1;
			else if (mode == GIT_FILEMODE_TREE) {
				if (git_tree_lookup(&sub, pt->r->git,
				    git_tree_entry_id(e)) < 0)
					rc = git_fail("cannot read tree "
					    "\"%s\"", at);
				else
					rc = put_tree(pt, subfd, sub, at,
					    depth + 1);
			}
			if (subfd >= 0)
				close(subfd);
		} else if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			;       /* written whole before */
		else if (mode == GIT_FILEMODE_LINK)
			rc = put_link(pt, fd, name, at, e, &target, &made);
		else if (mode == GIT_FILEMODE_BLOB ||
		    mode == GIT_FILEMODE_BLOB_EXECUTABLE)
			rc = put_file(pt, fd, name, at, e, &made);
		else
			rc = error_set("unsupported file mode %06o for \"%s\" "
			    "in commit", (unsigned)mode, at);
		git_tree_free(sub);
		free(target);
		free(at);
	}
	if (rc == 0 && made && fsync(fd) < 0)
		rc = error_set("cannot sync \"%s\": %s", *prefix ? prefix : ".",
		    strerror(errno));
	return rc;
}

static int repo_tree_put_clean(struct put *pt, const char *path);

/*
 * Write path (cleaned, relative to the release) as repo_tree_put says;
 * a symlink met on the way continues at its target.
 */
static int
put_path(struct put *pt, const char *path)
{
	struct buf done = BUF_INIT;     /* the tree path walked so far */
	git_tree_entry *e = NULL;
	git_tree *tree = NULL;
	char *copy = xstrdup(path), *p = copy, *target = NULL;
	int fd = -1, made = 0, rc = -1;

	if ((fd = dup(pt->dirfd)) < 0) {
		error_set("cannot open the release: %s", strerror(errno));
		goto done;
	}
	while (*p != '\0') {
		char *name = p, *rest;
		git_filemode_t mode;
		int sub, err, last;

		p += strcspn(p, "/");
		if (*p == '/')
			*p++ = '\0';
		while (*p == '/')
			p++;
		rest = p;
		last = *rest == '\0';
		if (*name == '\0' || strcmp(name, ".") == 0)
			continue;
		if (!entry_name_ok(name))
			break;          /* ".." was cleaned away: not in git */
		if (done.len > 0)
			buf_addch(&done, '/');
		buf_adds(&done, name);
		git_tree_entry_free(e);
		e = NULL;
		err = git_tree_entry_bypath(&e, pt->r->root, done.buf);
		if (err == GIT_ENOTFOUND) {
			git_error_clear();
			break;
		}
		if (err < 0) {
			git_fail("cannot read \"%s\" in the commit", done.buf);
			goto done;
		}
		mode = git_tree_entry_filemode(e);
		if (mode == GIT_FILEMODE_LINK) {
			struct stat st;
			char *slash, *next;

			if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
				target = xcalloc(1, PATH_MAX);
				if (readlinkat(fd, name, target, PATH_MAX - 1) < 0) {
					error_set("cannot read \"%s\": %s",
					    done.buf, strerror(errno));
					goto done;
				}
			} else if (put_link(pt, fd, name, done.buf, e, &target,
			    &made) < 0)
				goto done;
			/* Its target, when it stays in the release. */
			if (target[0] == '/' || ++pt->links > PUT_LINKS_MAX)
				break;
			slash = strrchr(done.buf, '/');
			next = xasprintf("%.*s%s%s%s%s",
			    slash ? (int)(slash - done.buf) : 0, done.buf,
			    slash ? "/" : "", target, *rest ? "/" : "", rest);
			if (made && fsync(fd) < 0) {
				free(next);
				error_set("cannot sync \"%s\": %s", done.buf,
				    strerror(errno));
				goto done;
			}
			made = 0;
			rc = repo_tree_put_clean(pt, next);
			free(next);
			goto done;
		}
		if (mode == GIT_FILEMODE_TREE || mode == GIT_FILEMODE_COMMIT) {
			if ((sub = put_dir(fd, name, done.buf, &made)) < 0)
				goto done;
			if (made && fsync(fd) < 0) {
				close(sub);
				error_set("cannot sync \"%s\": %s", done.buf,
				    strerror(errno));
				goto done;
			}
			made = 0;
			close(fd);
			fd = sub;
			if (last && mode == GIT_FILEMODE_TREE) {
				if (git_tree_lookup(&tree, pt->r->git,
				    git_tree_entry_id(e)) < 0) {
					git_fail("cannot read tree \"%s\"",
					    done.buf);
					goto done;
				}
				if (put_tree(pt, fd, tree, done.buf, 1) < 0)
					goto done;
			}
			continue;
		}
		if (!last)
			break;          /* a file on the way: not in git */
		{
			struct stat st;

			if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
				break;  /* written whole before */
		}
		if (put_file(pt, fd, name, done.buf, e, &made) < 0)
			goto done;
		break;
	}
	if (made && fsync(fd) < 0) {
		error_set("cannot sync \"%s\": %s", done.buf, strerror(errno));
		goto done;
	}
	rc = 0;
done:
	if (fd >= 0)
		close(fd);
	git_tree_free(tree);
	git_tree_entry_free(e);
	buf_release(&done);
	free(target);
	free(copy);
	return rc;
}

/* path cleaned lexically ("." and ".." applied), then put_path; a path
 * that leaves the release is not in the commit. */
static int
repo_tree_put_clean(struct put *pt, const char *path)
{
	struct buf b = BUF_INIT;
	char *copy = xstrdup(path), *p = copy, *slash;
	int rc = 0, out = 0;

	while (*p != '\0' && !out) {
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.')) {
			p += n;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (b.len == 0)
				out = 1;
			slash = strrchr(b.buf, '/');
			b.len = slash != NULL ? (size_t)(slash - b.buf) : 0;
			b.buf[b.len] = '\0';
			p += n;
			continue;
		}
		if (b.len > 0)
			buf_addch(&b, '/');
		buf_add(&b, p, n);
		p += n;
	}
	if (!out && b.len > 0)
		rc = put_path(pt, b.buf);
	else if (!out)
		rc = put_tree(pt, pt->dirfd, pt->r->root, "", 0);
	buf_release(&b);
	free(copy);
	return rc;
}

int
repo_tree_put(struct repo *r, const char *path, const char *dir,
    struct repo *prev, const char *prev_dir)
{
	struct put pt = { r, prev, -1, -1, 0 };
	int rc = -1;

	if ((pt.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		error_set("cannot open \"%s\": %s", dir, strerror(errno));
		goto done;
	}
	if (prev != NULL && prev_dir != NULL)
		pt.prevfd = open(prev_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	rc = repo_tree_put_clean(&pt, path);
done:
	if (pt.prevfd >= 0)
		close(pt.prevfd);
	if (pt.dirfd >= 0)
		close(pt.dirfd);
	return rc;
}
