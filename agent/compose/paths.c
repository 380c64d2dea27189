/*
 * paths.c - lexical path handling for the loader: clean, containment,
 * resolution of symlinks, and paths relative to the project directory.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compose/loader.h"

char *
compose_path_clean(const char *path)
{
	struct strv parts = STRV_INIT;
	struct buf b = BUF_INIT;
	const char *p = path, *e;
	int abs = *path == '/';
	size_t i;

	while (*p != '\0') {
		while (*p == '/')
			p++;
		for (e = p; *e != '\0' && *e != '/'; e++)
			;
		if (e == p || (e - p == 1 && *p == '.')) {
			/* empty or "." */
		} else if (e - p == 2 && p[0] == '.' && p[1] == '.') {
			if (parts.n > 0 &&
			    strcmp(parts.v[parts.n - 1], "..") != 0) {
				free(parts.v[--parts.n]);
				parts.v[parts.n] = NULL;
			} else if (!abs)
				strv_push(&parts, "..");
		} else
			strv_push_owned(&parts, xstrndup(p, (size_t)(e - p)));
		p = e;
	}
	if (abs)
		buf_addch(&b, '/');
	for (i = 0; i < parts.n; i++) {
		if (i > 0)
			buf_addch(&b, '/');
		buf_adds(&b, parts.v[i]);
	}
	if (b.len == 0)
		buf_addch(&b, '.');
	strv_clear(&parts);
	return buf_detach(&b, NULL);
}

int
compose_path_within(const char *path, const char *dir)
{
	char *p = compose_path_clean(path), *d = compose_path_clean(dir);
	size_t n = strlen(d);
	int r;

	if (strcmp(d, "/") == 0)
		r = *p == '/';
	else
		r = strncmp(p, d, n) == 0 && (p[n] == '\0' || p[n] == '/');
	free(p);
	free(d);
	return r;
}

char *
compose_path_resolve(const char *path)
{
	struct buf out = BUF_INIT;      /* resolved so far; "" is "/" */
	char *todo = compose_path_clean(path), *p = todo, *r;
	int links = 0;

	while (*p != '\0') {
		char target[PATH_MAX], *cand, *next, *slash;
		struct stat st;
		size_t n;
		ssize_t tl;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.')) {
			p += n;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if ((slash = strrchr(out.buf, '/')) != NULL) {
				out.len = (size_t)(slash - out.buf);
				*slash = '\0';
			}
			p += n;
			continue;
		}
		cand = xasprintf("%s/%.*s", out.buf, (int)n, p);
		if (lstat(cand, &st) < 0) {
			buf_addf(&out, "/%s", p);       /* the missing rest */
			free(cand);
			break;
		}
		tl = S_ISLNK(st.st_mode) && links < 40 ?
		    readlink(cand, target, sizeof target - 1) : -1;
		free(cand);
		if (tl < 0) {
			buf_addf(&out, "/%.*s", (int)n, p);
			p += n;
			continue;
		}
		target[tl] = '\0';
		links++;
		if (target[0] == '/')
			buf_reset(&out);
		next = xasprintf("%s/%s", target, p + n);
		free(todo);
		p = todo = next;
	}
	r = compose_path_clean(out.len > 0 ? out.buf : "/");
	buf_release(&out);
	free(todo);
	return r;
}

/* An absolute, clean path: realpath when it exists, else lexical. */
char *
absolute_dir(const char *dir)
{
	char *r = realpath(dir, NULL), *cwd, *j;

	if (r != NULL)
		return r;
	if (*dir == '/')
		return compose_path_clean(dir);
	cwd = getcwd(NULL, 0);
	j = path_join(cwd ? cwd : "/", dir);
	r = compose_path_clean(j);
	free(cwd);
	free(j);
	return r;
}

/* p relative to dir (or absolute), cleaned. */
char *
resolve_path(const char *dir, const char *p)
{
	char *j, *r;

	if (*p == '/')
		return compose_path_clean(p);
	j = path_join(dir, p);
	r = compose_path_clean(j);
	free(j);
	return r;
}

char *
release_path(const struct loader *ld, const char *path)
{
	const char *dir = ld->root;

	if (!compose_path_within(path, dir) || strcmp(path, dir) == 0)
		return xstrdup(path);
	return xstrdup(path + strlen(dir) + (strcmp(dir, "/") != 0));
}

static compose_need_fn need_fn;
static void *need_ctx;

void
compose_set_need(compose_need_fn fn, void *ctx)
{
	need_fn = fn;
	need_ctx = ctx;
}

int
compose_need(const char *path)
{
	return need_fn != NULL ? need_fn(need_ctx, path) : 0;
}
