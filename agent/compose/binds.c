/*
 * binds.c - the release tree and the shared directory as bind sources (see
 * binds.h). The guarantee is by construction: release binds are read-only
 * (policy.c) and the shared directory's entries are flat, so no directory on
 * the path to any bind source is writable by a container. binds_verify()
 * checks it again at every create, for release directories left by older
 * versions and for anything that changed behind slipway's back. A bind of
 * the commit written without ":ro" is made read-only here, with a warning.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

#include "compose/binds.h"

static const char *
file_base(const struct compose_project *p)
{
	const char *b = strrchr(p->file, '/');

	return b != NULL ? b + 1 : p->file;
}

char *
binds_shared_name(const char *rel)
{
	struct buf b = BUF_INIT;
	const char *c;

	for (c = rel; *c != '\0'; c++) {
		if (*c == '%')
			buf_adds(&b, "%25");
		else if (*c == '/')
			buf_adds(&b, "%2F");
		else
			buf_addf(&b, "%c", *c);
	}
	return buf_detach(&b, NULL);
}

/* rel of path below dir ("" for dir itself); both cleaned and absolute. */
static const char *
relative(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return path + 1;
	return path[n] == '/' ? path + n + 1 : path + n;
}

static int open_beneath(int dirfd, const char *rel, int no_symlinks);

/*
 * Data an older version kept in a release directory: move the real
 * directory dir/rel (reached without symlinks) to shared/name, once. The
 * running containers' binds follow the rename (same inode).
 */
static void
adopt(const char *dir, const char *rel, const char *shared, const char *name)
{
	char *from = path_join(dir, rel), *to = path_join(shared, name);
	struct stat st;
	int dfd, fd;

	if (lstat(to, &st) == 0 || (dfd = open(dir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0)
		goto done;
	fd = open_beneath(dfd, rel, 1);
	close(dfd);
	if (fd < 0)
		goto done;
	close(fd);
	if (lstat(from, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    mkdir_p(shared, 0755) < 0) {
		error_clear();
		goto done;
	}
	if (rename(from, to) == 0)
		out_info("-----> Moved ./%s of %s into the shared directory", rel,
		    dir);
done:
	free(from);
	free(to);
}

/* On disk: a directory holding only placeholder files (repo_tracked's 2). */
static int
placeholder_dir(const char *path)
{
	DIR *d = opendir(path);
	const struct dirent *e;
	struct stat st;
	int n = 0, other = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL && !other) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		n++;
		other = !placeholder_name(e->d_name);
		if (!other && e->d_type == DT_UNKNOWN)
			other = fstatat(dirfd(d), e->d_name, &st,
			    AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode);
		else if (!other)
			other = e->d_type != DT_REG;
	}
	closedir(d);
	return n > 0 && !other;
}

/*
 * A writable bind of a path in the commit: compose files mount ./static or
 * ./script.sh without ":ro" as a matter of course. Containers never write
 * the release tree (a write would land in one release and vanish with the
 * next), so it is mounted read-only and the pusher is told once; a path not
 * in the commit is the way to writable data.
 */
static void
read_only(struct compose_project *p, const struct compose_service *s,
    struct compose_mount *m)
{
	m->read_only = 1;
	strv_push_owned(&p->warnings, xasprintf("%s: service \"%s\": "
	    "\"volumes\" bind of \"%s\" is mounted read-only: it is in the "
	    "commit, and containers do not write the release (add \":ro\" to "
	    "say so; a path not in the commit is a persistent writable "
	    "directory)", file_base(p), s->name, m->rel));
}

int
binds_share_opts(struct compose_project *p, const struct binds_opts *o)
{
	char *realdir = realpath(p->dir, NULL);
	size_t i, j, k;
	int rc = 0;

	free(p->shared_dir);
	p->shared_dir = compose_path_clean(o->shared_dir);
	if (realdir == NULL)
		realdir = compose_path_clean(p->dir);
	for (i = 0; i < p->nservices && rc == 0; i++) {
		struct compose_service *s = &p->services[i];

		for (j = 0; j < s->nmounts && rc == 0; j++) {
			struct compose_mount *m = &s->mounts[j];
			struct stat st;
			const char *rel;
			char *resolved, *name;
			int stays, tracked;

			if (m->type != MOUNT_BIND || m->shared ||
			    !compose_path_within(m->source, p->dir))
				continue;
			if (compose_need(m->source) < 0) {
				rc = -1;
				continue;
			}
			rel = relative(m->source, p->dir);
			free(m->rel);
			m->rel = *rel == '\0' ? xstrdup(".") :
			    xasprintf("./%s", rel);
			resolved = compose_path_resolve(m->source);
			stays = compose_path_within(resolved, realdir);
			/* The policy refuses it, saying where it leads. */
			if (!stays) {
				free(resolved);
				continue;
			}
			if (o->tracked != NULL) {
				tracked = o->tracked(o->ctx,
				    relative(resolved, realdir));
				free(resolved);
				if (tracked < 0) {
					rc = -1;
					continue;
				}
			} else if (placeholder_dir(resolved)) {
				free(resolved);
				tracked = 2;
			} else {
				free(resolved);
				tracked = lstat(m->source, &st) == 0;
				if (!tracked && errno != ENOENT &&
				    errno != ENOTDIR) {
					rc = error_set("%s: service \"%s\": "
					    "\"volumes\" bind of \"%s\": %s",
					    file_base(p), s->name, m->rel,
					    strerror(errno));
					continue;
				}
			}
			/* a directory the commit keeps with a .gitkeep only */
			if (tracked == 1) {
				if (stat(m->source, &st) < 0)
					rc = error_set("%s: service \"%s\": "
					    "\"volumes\" bind of \"%s\" is a "
					    "symlink to nothing", file_base(p),
					    s->name, m->rel);
				else if (!m->read_only)
					read_only(p, s, m);
				continue;
			}
			name = binds_shared_name(rel);
			/*
			 * A placeholder directory's entry starts empty:
			 * the release's files are the commit's (and may be
			 * hard links to an older release's).
			 */
			for (k = 0; k < ARRAY_SIZE(o->adopt) && tracked == 0;
			    k++) {
				if (o->adopt[k] != NULL)
					adopt(o->adopt[k], rel, p->shared_dir,
					    name);
			}
			free(m->source);
			m->source = path_join(p->shared_dir, name);
			m->shared = 1;
			free(name);
		}
	}
	free(realdir);
	return rc;
}

int
binds_share(struct compose_project *p, const char *shared_dir)
{
	struct binds_opts o = { shared_dir, NULL, NULL, { NULL, NULL } };

	return binds_share_opts(p, &o);
}

/* Open rel beneath dirfd without leaving it (nor any symlink); -1, errno. */
static int
open_beneath(int dirfd, const char *rel, int no_symlinks)
{
#ifdef SYS_openat2
	struct open_how how;
	long fd;

	memset(&how, 0, sizeof how);
	how.flags = O_PATH | O_CLOEXEC;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS |
	    (no_symlinks ? RESOLVE_NO_SYMLINKS : 0);
	fd = syscall(SYS_openat2, dirfd, *rel ? rel : ".", &how, sizeof how);
	if (fd >= 0 || errno != ENOSYS)
		return (int)fd;
#endif
	(void)dirfd;
	(void)rel;
	(void)no_symlinks;
	errno = ENOSYS;
	return -1;
}

static int
verify_shared(const struct compose_project *p, const struct compose_service *s,
    const struct compose_mount *m)
{
	const char *name = strrchr(m->source, '/') + 1;
	int dfd, fd;
	int rc = 0;

	if (mkdir_p(p->shared_dir, 0755) < 0)
		return -1;
	dfd = open(p->shared_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return error_set("cannot open \"%s\": %s", p->shared_dir,
		    strerror(errno));
	if (mkdirat(dfd, name, 0755) < 0 && errno != EEXIST)
		rc = error_set("cannot create \"%s\": %s", m->source,
		    strerror(errno));
	else if ((fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0)
		rc = error_set("%s: service \"%s\": \"volumes\" bind of \"%s\": "
		    "\"%s\" is not a directory (%s)", file_base(p), s->name,
		    m->rel ? m->rel : m->source, m->source, strerror(errno));
	else
		close(fd);
	close(dfd);
	return rc;
}

/*
 * Make rel (a mount point: a directory, or a file when is_file) beneath the
 * directory dfd, never through a symlink; what stands in the way (a symlink,
 * a file) is left for the engine to refuse.
 */
static void
make_beneath(int dfd, const char *rel, int is_file)
{
	char *copy = xstrdup(rel), *comp, *next;
	int fd = dup(dfd), sub;

	for (comp = copy; fd >= 0 && comp != NULL; comp = next) {
		if ((next = strchr(comp, '/')) != NULL)
			*next++ = '\0';
		if (*comp == '\0' || strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0)
			break;
		if (next == NULL && is_file) {
			sub = openat(fd, comp, O_WRONLY | O_CREAT | O_EXCL |
			    O_NOFOLLOW | O_CLOEXEC, 0644);
			if (sub >= 0)
				close(sub);
			break;
		}
		(void)mkdirat(fd, comp, 0755);
		sub = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		close(fd);
		fd = sub;
	}
	if (fd >= 0)
		close(fd);
	free(copy);
}

/*
 * The release is bound read-only, so the engine cannot make the mount
 * points of the service's other mounts that lie inside it (`.:/app` with
 * `/app/node_modules`, or `./data:/app/data` where data is not in the
 * commit), as it would in compose's writable bind: they are made here, in
 * the release directory dfd that m binds, before the create.
 */
static void
make_mountpoints(int dfd, const struct compose_service *s,
    const struct compose_mount *m)
{
	char *top = compose_path_clean(m->target);
	size_t n = strlen(top), i;
	struct stat st;

	for (i = 0; i < s->nmounts; i++) {
		const struct compose_mount *o = &s->mounts[i];
		char *t;

		if (o == m || o->target == NULL)
			continue;
		t = compose_path_clean(o->target);
		if (n > 1 && strncmp(t, top, n) == 0 && t[n] == '/' &&
		    t[n + 1] != '\0')
			make_beneath(dfd, t + n + 1, o->type == MOUNT_BIND &&
			    stat(o->source, &st) == 0 && !S_ISDIR(st.st_mode));
		free(t);
	}
	free(top);
}

static int
verify_release(const struct compose_project *p, const struct compose_service *s,
    const struct compose_mount *m)
{
	const char *rel = relative(m->source, p->dir);
	char *resolved, *realdir;
	int dfd, fd, ok;

	dfd = open(p->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return error_set("cannot open \"%s\": %s", p->dir,
		    strerror(errno));
	fd = open_beneath(dfd, rel, 0);
	close(dfd);
	if (fd >= 0) {
		struct stat st;

		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
			make_mountpoints(fd, s, m);
		close(fd);
		return 0;
	}
	if (errno == ENOSYS) {
		/* No openat2: resolve the same way the policy does. */
		resolved = compose_path_resolve(m->source);
		realdir = realpath(p->dir, NULL);
		ok = realdir != NULL && compose_path_within(resolved, realdir) &&
		    path_exists(resolved);
		free(resolved);
		free(realdir);
		if (ok)
			return 0;
		errno = EXDEV;
	}
	return error_set("%s: service \"%s\": \"volumes\" bind of \"%s\" no "
	    "longer resolves inside the release (%s)", file_base(p), s->name,
	    m->rel ? m->rel : m->source, errno == EXDEV ?
	    "a symlink leads out" : strerror(errno));
}

int
binds_verify(const struct compose_project *p, const struct compose_service *s)
{
	size_t i;

	for (i = 0; i < s->nmounts; i++) {
		const struct compose_mount *m = &s->mounts[i];

		if (m->type != MOUNT_BIND)
			continue;
		if (m->shared && p->shared_dir != NULL) {
			if (verify_shared(p, s, m) < 0)
				return -1;
		} else if (compose_path_within(m->source, p->dir)) {
			if (verify_release(p, s, m) < 0)
				return -1;
		}
	}
	return 0;
}
