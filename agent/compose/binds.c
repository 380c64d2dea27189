/*
 * binds.c - the release tree and the shared directory as bind sources (see
 * binds.h). The guarantee is by construction: release binds are read-only
 * (policy.c) and the shared directory's entries are flat, so no directory on
 * the path to any bind source is writable by a container. binds_verify()
 * checks it again at every create, for release directories left by older
 * versions and for anything that changed behind slipway's back.
 */
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

int
binds_share(struct compose_project *p, const char *shared_dir)
{
	char *realdir = realpath(p->dir, NULL);
	size_t i, j;
	int rc = 0;

	free(p->shared_dir);
	p->shared_dir = compose_path_clean(shared_dir);
	if (realdir == NULL)
		realdir = compose_path_clean(p->dir);
	for (i = 0; i < p->nservices && rc == 0; i++) {
		struct compose_service *s = &p->services[i];

		for (j = 0; j < s->nmounts && rc == 0; j++) {
			struct compose_mount *m = &s->mounts[j];
			struct stat st;
			const char *rel;
			char *resolved, *name;
			int stays;

			if (m->type != MOUNT_BIND || m->shared ||
			    !compose_path_within(m->source, p->dir))
				continue;
			rel = relative(m->source, p->dir);
			free(m->rel);
			m->rel = *rel == '\0' ? xstrdup(".") :
			    xasprintf("./%s", rel);
			resolved = compose_path_resolve(m->source);
			stays = compose_path_within(resolved, realdir);
			free(resolved);
			/* The policy refuses it, saying where it leads. */
			if (!stays)
				continue;
			if (lstat(m->source, &st) == 0) {
				if (stat(m->source, &st) < 0)
					rc = error_set("%s: service \"%s\": "
					    "\"volumes\" bind of \"%s\" is a "
					    "symlink to nothing", file_base(p),
					    s->name, m->rel);
				continue;
			}
			if (errno != ENOENT && errno != ENOTDIR) {
				rc = error_set("%s: service \"%s\": \"volumes\" "
				    "bind of \"%s\": %s", file_base(p), s->name,
				    m->rel, strerror(errno));
				continue;
			}
			name = binds_shared_name(rel);
			free(m->source);
			m->source = path_join(p->shared_dir, name);
			m->shared = 1;
			free(name);
		}
	}
	free(realdir);
	return rc;
}

/* Open rel beneath dirfd without leaving it; -1 with errno. */
static int
open_beneath(int dirfd, const char *rel)
{
#ifdef SYS_openat2
	struct open_how how;
	long fd;

	memset(&how, 0, sizeof how);
	how.flags = O_PATH | O_CLOEXEC;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	fd = syscall(SYS_openat2, dirfd, *rel ? rel : ".", &how, sizeof how);
	if (fd >= 0 || errno != ENOSYS)
		return (int)fd;
#endif
	(void)dirfd;
	(void)rel;
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
	fd = open_beneath(dfd, rel);
	close(dfd);
	if (fd >= 0) {
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
