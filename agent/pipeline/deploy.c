/*
 * deploy.c - the deploy pipeline. Under the app's lock: resolve, check out,
 * load and vet the compose file, build or reuse the images, run the release
 * command, converge, then hold the new release to its health gate and roll
 * back to the previous one when it fails. Nothing running is touched before
 * the images exist and the compose file has passed every check. Every attempt
 * is a history row with its full output.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compose/compose.h"
#include "compose/binds.h"
#include "reconcile/claims.h"
#include "reconcile/converge.h"
#include "reconcile/cutover.h"
#include "pipeline/announce.h"
#include "pipeline/certs.h"
#include "pipeline/buildctx.h"
#include "pipeline/deploy.h"
#include "engine/engine.h"
#include "history/history.h"
#include "lib/json.h"
#include "lib/names.h"
#include "compose/policy.h"
#include "proxy/proxy.h"
#include "pipeline/registry.h"
#include "repo/repo.h"
#include "reconcile/spec.h"
#include "reconcile/stack.h"
#include "reconcile/swarm.h"
#include "lib/state.h"
#include "engine/dockerfile.h"
#include "engine/tarctx.h"
#include "pipeline/journal.h"
#include "pipeline/stream.h"

#define DEPLOY_LOG_MAX (4u << 20)
#define GATE_LOG_LINES 15
#define HEARTBEAT_MS 9000	/* a line at least every 10 s (ticks come each second) */
#define STREAM_DRAIN_MS 120000	/* for a slow pusher, after the lock is gone */
#define RECORD_TRIES 3

/*
 * One release: a commit, its directory, its compose project and images. The
 * directory holds only what is read from disk (compose_need(): the compose
 * file, .env, env files, bind sources, ...), written from git's objects on
 * demand; files the previous release has unchanged are hard links to it.
 */
struct release {
	char commit[41];
	char *dir;
	char *real;                /* dir resolved, as the loader names it */
	struct compose_project *project;
	struct service_image *images;
	size_t nimages;
	struct deploy *d;
	struct repo *tree, *prev;  /* opened on the first file written */
	char *prev_dir;            /* the previous release's, or NULL */
};

struct deploy {
	const struct config *cfg;
	const struct deploy_opts *opts;
	const char *app;
	char *repo;
	char *app_dir;
	struct kvlist vars;       /* stored: what a rollback deploys with */
	struct kvlist vars_next;  /* what this release deploys with */
	struct app_ops ops, ops_next;
	char commit[41];          /* resolved, for the notification */
	int rolled_back;
	struct engine *engine;
	struct release rel;
	char *previous;           /* commit running before this deploy, or NULL */
	int classic_builder;      /* the engine has no BuildKit */
	long long t_build, t_converge, t_gate;
	struct history *h;        /* NULL when the history cannot be used */
	long long row;            /* this deploy's history row, 0 = none */
	int journaled;            /* the journal names this deploy */
	int unrecorded;           /* live, but current could not be written */
	int pending;              /* the rollback failed: the journal keeps it */
	struct listing *images_ahead; /* retention's image list, under way */
	struct strv apps;         /* every app's name, read once (apps_of) */
	int apps_read;
	long long deadline_ms;    /* [deploy] timeout's, or 0 */
	char *platform;           /* the engine's "os/arch", asked once */
	/* Build heartbeat: the last line shown, the step running. */
	long long last_line_ms, step_ms;
	char step[24];
};

/* Output: every line goes to the pusher (never blocking) and into the log. */
struct tee {
	struct buf log;
	struct stream *stream;
};

static void
tee_sink(void *ctx, int is_warning, const char *line)
{
	struct tee *t = ctx;

	buf_adds(&t->log, line);
	buf_addch(&t->log, '\n');
	stream_line(t->stream, is_warning, line);
}

static void
build_line(void *ctx, const char *line)
{
	struct deploy *d = ctx;

	if (d != NULL) {
		unsigned step, steps;

		d->last_line_ms = now_ms();
		if (sscanf(line, "Step %u/%u :", &step, &steps) == 2) {
			snprintf(d->step, sizeof d->step, "%u/%u", step, steps);
			d->step_ms = d->last_line_ms;
		}
	}
	out_info("       %s", line);
}

/* A silent build step: tell the pusher it still runs, every HEARTBEAT_MS. */
static void
build_tick(void *ctx)
{
	struct deploy *d = ctx;
	long long now = now_ms();

	if (d->last_line_ms == 0 || now - d->last_line_ms < HEARTBEAT_MS)
		return;
	d->last_line_ms = now;
	if (d->step[0] != '\0')
		out_info("       still running step %s, %lld s", d->step,
		    (now - d->step_ms) / 1000);
	else
		out_info("       still building, %lld s", (now - d->step_ms) / 1000);
}

/* The list as a JSON object, or NULL with error_set (a value not UTF-8). */
static json_t *
kv_to_json(const struct kvlist *l)
{
	json_t *obj = json_object(), *v;
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (l->v[i].value == NULL)
			continue;
		if ((v = jsonx_string(l->v[i].key, l->v[i].value)) == NULL ||
		    json_object_set_new(obj, l->v[i].key, v) < 0) {
			if (v != NULL)
				error_set("\"%s\" is not valid UTF-8", l->v[i].key);
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}

static char *
app_file(const struct deploy *d, const char *name)
{
	return path_join(d->app_dir, name);
}

/* Read a one-line state file (a commit id) of the app, or NULL. */
static char *
read_commit_file(const struct deploy *d, const char *name)
{
	char *path = app_file(d, name), *s = NULL;
	struct buf b = BUF_INIT;

	if (path_exists(path) && read_file(path, &b, 128) == 0) {
		buf_rtrim(&b);
		if (b.len == 40)
			s = buf_detach(&b, NULL);
	}
	buf_release(&b);
	free(path);
	error_clear();
	return s;
}

static MUST_CHECK int
write_commit_file(const struct deploy *d, const char *name, const char *commit)
{
	char *path = app_file(d, name), *text = xasprintf("%s\n", commit);
	int rc = write_file_atomic(path, text, strlen(text), 0644);

	if (rc < 0)
		state_no_space(d->app_dir, errno);
	free(text);
	free(path);
	return rc;
}

/*
 * "deploying" names the commit being deployed for a deploy waiting on the
 * lock (say_waiting); nothing recovers from it, so it is not synced: one
 * write and a rename, never a torn line. A full disk stops the deploy here,
 * before anything changes.
 */
static int
mark_deploying(const struct deploy *d, const char *commit)
{
	char *path = app_file(d, "deploying"), *tmp = app_file(d,
	    "deploying.tmp"), *text = xasprintf("%s\n", commit);
	int fd, ok, rc = 0;

	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0644);
	ok = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	if (fd >= 0 && close(fd) < 0)
		ok = 0;
	if (!ok || rename(tmp, path) < 0) {
		int err = errno;

		rc = error_set("cannot write \"%s\": %s", path,
		    strerror(err));
		state_no_space(d->app_dir, err);
		(void)unlink(tmp);
	}
	free(text);
	free(tmp);
	free(path);
	return rc;
}

static void
release_dispose(struct release *r)
{
	size_t i;

	for (i = 0; i < r->nimages; i++) {
		free(r->images[i].ref);
		free(r->images[i].id);
	}
	free(r->images);
	compose_free(r->project);
	repo_tree_free(r->tree);
	repo_tree_free(r->prev);
	free(r->prev_dir);
	free(r->real);
	free(r->dir);
	memset(r, 0, sizeof *r);
}

/*
 * An image another app built (labelled slipway.app=<other>) is refused: its
 * layers hold what that app baked in. info is the image's inspect answer.
 */
static int
image_owner_check(struct deploy *d, const struct compose_service *s,
    const char *ref, json_t *info)
{
	json_t *labels = json_object_get(json_object_get(info, "Config"),
	    "Labels");
	const char *owner = json_string_value(json_object_get(labels,
	    "slipway.app"));

	if (owner == NULL || strcmp(owner, d->app) == 0)
		return 0;
	return error_set("service \"%s\": image \"%s\" belongs to app \"%s\" "
	    "(refused: an app runs only its own images or ones no app built)",
	    s->name, ref, owner);
}

static int release_need(void *ctx, const char *path);
static int context_on_disk(struct release *r, const char *context);
/*
 * The build context, once what the commit holds of it is on the disk, must
 * resolve inside the release: a committed symlink (ctx -> /etc) would
 * otherwise hand the host's files to the build, or take the inline
 * Dockerfile's write out of the release.
 */
static int
context_inside(const struct release *r, const struct compose_service *s,
    const char *context)
{
	char *real = compose_path_resolve(context);
	int inside = compose_path_within(real, r->real) ||
	    compose_path_within(real, r->dir);
	size_t n = strlen(r->dir);

	free(real);
	if (inside)
		return 0;
	if (strncmp(context, r->dir, n) == 0 && context[n] == '/')
		context += n + 1;
	return error_set("build of \"%s\" failed: its build context \"%s\" "
	    "leads outside the release", s->name, context);
}

static int dockerfile_text(struct release *r,
    const struct compose_service *s, struct buf *text);

/* Whether ref is in a registry of a [registry "HOST"] section. */
static int
from_private(const struct deploy *d, const char *ref)
{
	char *host = registry_host_of(ref);
	int found = config_registry_find(d->cfg, host) != NULL;

	free(host);
	return found;
}

/* The build arg that prefixes the ids of RUN --mount=type=cache. */
#define CACHE_NS_ARG "BUILDKIT_CACHE_MOUNT_NS"

/*
 * A frontend other than Docker's Dockerfile one ("# syntax=", or the
 * BUILDKIT_SYNTAX build arg) builds LLB of its own making: it could read
 * any image on the host, past the checks below. Refused.
 */
static int
frontend_check(const struct compose_build *b, const char *text)
{
	const struct kv *arg = kvlist_find(&b->args, "BUILDKIT_SYNTAX");
	char *syntax = text != NULL ? dockerfile_syntax(text) : NULL;
	int rc = 0;

	if (kvlist_find(&b->args, CACHE_NS_ARG) != NULL)
		rc = error_set("\"build.args.%s\" is set by slipway: each app's "
		    "cache mounts are its own", CACHE_NS_ARG);
	else if (syntax != NULL && !dockerfile_frontend_trusted(syntax))
		rc = error_set("the Dockerfile's \"# syntax=%s\" would run "
		    "that image as the build's frontend, which can read any "
		    "image on the host (only docker/dockerfile is allowed)",
		    syntax);
	else if (arg != NULL && arg->value != NULL && *arg->value != '\0' &&
	    !dockerfile_frontend_trusted(arg->value))
		rc = error_set("\"build.args.BUILDKIT_SYNTAX: %s\" would run "
		    "that image as the build's frontend, which can read any "
		    "image on the host (only docker/dockerfile is allowed)",
		    arg->value);
	free(syntax);
	return rc;
}

/* Does a service of p build the image ref names? */
static int
built_here(const struct compose_project *p, const char *ref)
{
	size_t i;

	for (i = 0; i < p->nservices; i++) {
		if (p->services[i].build != NULL &&
		    spec_image_builds(p, &p->services[i], ref))
			return 1;
	}
	return 0;
}

/*
 * The images a build reads (FROM, COPY --from) must not be another app's:
 * refused before the build starts, like an image-only service's. Those of a
 * registry with credentials are pulled with them when missing.
 */
static int
build_sources_check(struct deploy *d, struct release *r,
    const struct compose_service *s)
{
	const struct compose_build *b = s->build;
	struct buf text = BUF_INIT;
	struct strv refs = STRV_INIT, maybe = STRV_INIT;
	size_t i;
	int rc = 0;

	/* A missing Dockerfile is the build's to report; one that cannot be
	 * read whole is refused; a dockerfile_inline is checked like a file. */
	if (dockerfile_text(r, s, &text) < 0)
		rc = -1;
	else if (text.buf != NULL)
		dockerfile_images(text.buf, &b->args, &refs, &maybe);
	if (rc == 0)
		rc = frontend_check(b, text.buf);
	/* What only another builder would read as an image: never another
	 * app's (by name, or an image of the engine that is), but words that
	 * are no reference or no image at all are fine. */
	for (i = 0; i < maybe.n && rc == 0; i++) {
		json_t *info = NULL;

		if (strchr(maybe.v[i], '$') != NULL || strspn(maybe.v[i],
		    "abcdefghijklmnopqrstuvwxyz0123456789._-/:@") !=
		    strlen(maybe.v[i]))
			continue;
		if (registry_check_ref(d->cfg, d->app, maybe.v[i]) < 0) {
			rc = -1;
			break;
		}
		if (engine_image_inspect(d->engine, maybe.v[i], &info) == 0)
			rc = image_owner_check(d, s, maybe.v[i], info);
		if (rc == 0)
			error_clear();
		json_decref(info);
	}
	for (i = 0; i < refs.n && rc == 0; i++) {
		json_t *info = NULL;
		int found;

		if (strchr(refs.v[i], '$') != NULL) {
			rc = error_set("the Dockerfile reads image \"%s\", "
			    "which cannot be worked out before the build (give "
			    "the ARG a default before the first FROM)",
			    refs.v[i]);
			break;
		}
		/* what is not a reference here may be one once the builder
		 * has split it its own way: refuse rather than guess */
		if (strspn(refs.v[i], "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/:@") !=
		    strlen(refs.v[i])) {
			rc = error_set("the Dockerfile reads \"%s\", which is "
			    "not an image reference", refs.v[i]);
			break;
		}
		if (registry_check_ref(d->cfg, d->app, refs.v[i]) < 0) {
			rc = -1;
			break;
		}
		/* build.pull: a newer base, with the credentials BuildKit has
		 * no session to ask for; not an image this release builds. */
		if (b->pull && !built_here(r->project, refs.v[i]) &&
		    registry_pull(d->engine, d->cfg, refs.v[i], NULL) < 0) {
			rc = -1;
			break;
		}
		found = engine_image_inspect(d->engine, refs.v[i], &info);
		if (found == ENGINE_MISSING && from_private(d, refs.v[i])) {
			/* BuildKit has no client session to take credentials
			 * from: the image is pulled first, with them. */
			if (registry_pull(d->engine, d->cfg, refs.v[i],
			    NULL) < 0) {
				rc = -1;
				break;
			}
			json_decref(info);
			info = NULL;
			found = engine_image_inspect(d->engine, refs.v[i], &info);
		}
		if (found == 0)
			rc = image_owner_check(d, s, refs.v[i], info);
		else if (found < 0)
			rc = -1;
		json_decref(info);
	}
	if (rc < 0)
		error_set("build of \"%s\": %s", s->name, error_last());
	strv_clear(&refs);
	strv_clear(&maybe);
	buf_release(&text);
	return rc;
}

/*
 * Tag image id as name (":latest" added when it has no tag), unless an image
 * that is not this app's holds that name: a push never retags what another
 * app or the host owns.
 */
static void
tag_as(struct deploy *d, const char *name, const char *id)
{
	char *ref, *colon, *slash;
	json_t *info = NULL;
	const char *owner;
	int found;

	if (strchr(name, '@') != NULL)
		return;
	slash = strrchr(name, '/');
	colon = strrchr(name, ':');
	ref = colon != NULL && (slash == NULL || colon > slash) ?
	    xstrdup(name) : xasprintf("%s:latest", name);
	found = engine_image_inspect(d->engine, ref, &info);
	owner = json_string_value(json_object_get(json_object_get(
	    json_object_get(info, "Config"), "Labels"), "slipway.app"));
	if (found < 0 || (found == 0 && (owner == NULL ||
	    strcmp(owner, d->app) != 0))) {
		out_warn("warning: not tagging %s: %s", ref, found < 0 ?
		    error_last() : "an image of that name is not this app's");
		goto done;
	}
	colon = strrchr(ref, ':');
	*colon = '\0';
	if (engine_image_tag(d->engine, id, ref, colon + 1) < 0)
		out_warn("warning: cannot tag %s:%s: %s", ref, colon + 1,
		    error_last());
done:
	json_decref(info);
	free(ref);
	error_clear();
}

/*
 * Tag the image s built with the names compose gives it: spec_image_name
 * (so that `FROM` in another Dockerfile finds it) and build.tags.
 */
static void
tag_image_name(struct deploy *d, const struct compose_project *p,
    const struct compose_service *s, const struct service_image *img)
{
	char *name = spec_image_name(p, s);
	size_t i;

	if (name != NULL)
		tag_as(d, name, img->id);
	free(name);
	for (i = 0; i < s->build->tags.n; i++)
		tag_as(d, s->build->tags.v[i], img->id);
}

static int check_session_mounts(struct release *r,
    const struct compose_service *s);

/* Does the engine's answer to a BuildKit build say it has none? */
static int
no_buildkit(const char *msg)
{
	return msg != NULL && (strcasestr(msg, "buildkit not supported") ||
	    strcasestr(msg, "unknown builder version") ||
	    strcasestr(msg, "builder version 2"));
}

/*
 * Build keys: what a build depends on, so that a push which cannot change an
 * image builds nothing. The key of a service is the content hash of its
 * context as sent (every path, mode and blob id left after .dockerignore,
 * read from the commit's tree), its Dockerfile, target and build args. The
 * keys of past builds are in <app>/build-keys, one "<key> <image id>
 * <commit>" a line, newest last. Not an image label: a label is a build step,
 * so a change to a file no step reads would give the image a new ID and
 * recreate its containers, where docker's cache alone keeps the image.
 */
#define BUILD_KEYS_FILE "build-keys"
#define BUILD_KEYS_MAX 200

/* The lines of the app's build-keys file (missing: none). */
static void
read_build_keys(const struct deploy *d, struct strv *lines)
{
	char *path = app_file(d, BUILD_KEYS_FILE), *p, *nl;
	struct buf b = BUF_INIT;

	if (path_exists(path) && read_file(path, &b, 64u << 10) == 0) {
		for (p = b.buf; *p != '\0'; p = nl + 1) {
			if ((nl = strchr(p, '\n')) == NULL)
				break;
			*nl = '\0';
			strv_push(lines, p);
		}
	}
	error_clear();
	buf_release(&b);
	free(path);
}

/*
 * The image built for key and the commit it was built for, from the newest
 * matching line (allocated), or 1 when there is none.
 */
static int
find_build_key(const struct strv *lines, const char *key, char **image,
    char commit[41])
{
	size_t i = lines->n, klen = strlen(key);

	while (i-- > 0) {
		const char *l = lines->v[i], *sp;

		if (strncmp(l, key, klen) != 0 || l[klen] != ' ')
			continue;
		l += klen + 1;
		if ((sp = strchr(l, ' ')) == NULL || strlen(sp + 1) != 40)
			continue;
		*image = xstrndup(l, (size_t)(sp - l));
		memcpy(commit, sp + 1, 41);
		return 0;
	}
	return 1;
}

/* Record that key built image for commit (the newest BUILD_KEYS_MAX kept). */
static void
add_build_key(const struct deploy *d, const char *key, const char *image,
    const char *commit)
{
	struct strv lines = STRV_INIT;
	struct buf text = BUF_INIT;
	char *path = app_file(d, BUILD_KEYS_FILE);
	size_t i;

	read_build_keys(d, &lines);
	strv_push_owned(&lines, xasprintf("%s %s %s", key, image, commit));
	for (i = lines.n > BUILD_KEYS_MAX ? lines.n - BUILD_KEYS_MAX : 0;
	    i < lines.n; i++)
		buf_addf(&text, "%s\n", lines.v[i]);
	if (write_file_atomic(path, text.buf, text.len, 0644) < 0)
		out_warn("warning: cannot record the build key: %s",
		    error_last());
	error_clear();
	buf_release(&text);
	strv_clear(&lines);
	free(path);
}

/*
 * When a past build had the same key and its image is still here, tag that
 * image as img->ref: 0 skipped, 1 a build is needed, -1 engine error.
 */
static int
reuse_build(struct deploy *d, const struct compose_service *s,
    const char *key, struct service_image *img)
{
	struct strv lines = STRV_INIT;
	char *image = NULL, *repo = NULL, *colon, commit[41];
	json_t *info = NULL;
	int rc = 1, found;

	read_build_keys(d, &lines);
	if (find_build_key(&lines, key, &image, commit) != 0)
		goto done;
	found = engine_image_inspect(d->engine, image, &info);
	if (found != 0) {
		rc = found < 0 ? -1 : 1;
		goto done;
	}
	repo = xstrdup(img->ref);
	if ((colon = strrchr(repo, ':')) == NULL || strchr(colon, '/') != NULL)
		goto done;
	*colon = '\0';
	if (engine_image_tag(d->engine, image, repo, colon + 1) < 0) {
		rc = -1;
		goto done;
	}
	img->id = xstrdup(json_string_value(json_object_get(info, "Id")));
	out_info("-----> Build of %s skipped: context unchanged since %.7s",
	    s->name, commit);
	rc = 0;
done:
	json_decref(info);
	strv_clear(&lines);
	free(image);
	free(repo);
	return rc;
}

/*
 * platform: and build.platforms name the engine's own platform, or the
 * deploy is refused: asked for another, the engine would pull that
 * platform's image over the tag every other build and app on the host
 * reads. The engine then pulls and builds for itself (no platform sent).
 */
static int
platform_check(struct deploy *d, const struct compose_service *s)
{
	const char *wants[] = { s->platform, s->build ? s->build->platform :
	    NULL };
	const char *keys[] = { "platform", "build.platforms" };
	const char *os, *arch, *have;
	json_t *v = NULL;
	size_t n, i;

	if (wants[0] == NULL && wants[1] == NULL)
		return 0;
	if (d->platform == NULL) {
		error_clear();
		if (engine_call(d->engine, "GET", "/version", NULL, &v) != 200 ||
		    (os = json_string_value(json_object_get(v, "Os"))) == NULL ||
		    (arch = json_string_value(json_object_get(v, "Arch"))) ==
		    NULL) {
			error_set("service \"%s\": cannot ask the engine its "
			    "platform%s%s", s->name, error_last()[0] ? ": " : "",
			    error_last());
			json_decref(v);
			return -1;
		}
		d->platform = xasprintf("%s/%s", os, arch);
		json_decref(v);
	}
	have = d->platform;
	n = strlen(have);
	for (i = 0; i < ARRAY_SIZE(wants); i++) {
		const char *w = wants[i];

		if (w != NULL && (strncmp(w, have, n) != 0 ||
		    (w[n] != '\0' && w[n] != '/')))
			return error_set("service \"%s\": \"%s\" names %s, "
			    "not the engine's platform (%s): slipway runs what "
			    "the engine it deploys on runs", s->name, keys[i], w,
			    have);
	}
	return 0;
}

/*
 * Build the image of service s as img->ref (or, unless force, reuse the
 * image of a build with the same key); store its id in img.
 */
static int
build_service(struct deploy *d, struct release *r,
    const struct compose_service *s, struct service_image *img, int force)
{
	const struct compose_build *b = s->build;
	struct engine_build_opts bo = { 0 };
	const char *tags[] = { img->ref, NULL }, *dockerfile = b->dockerfile;
	char *inline_name = NULL, *inline_path = NULL, *auths = NULL;
	struct buildctx *bc = NULL;
	struct tarctx *t = NULL, *disk = NULL;
	unsigned long files = 0;
	unsigned long long bytes = 0;
	char key[41];
	int rc = -1, keyed = 1, reused, built;

	if (check_session_mounts(r, s) < 0)
		return -1;
	if (build_sources_check(d, r, s) < 0)
		goto done;
	if (b->dockerfile_inline != NULL) {
		/* The context is the release's own checkout: the inline
		 * Dockerfile is written there, under a name of its own, and
		 * the context is read from the disk (no build key). */
		if (release_need(r, b->context) < 0 ||
		    context_inside(r, s, b->context) < 0)
			goto done;
		inline_name = xasprintf(".slipway-dockerfile-inline.%s", s->name);
		inline_path = path_join(b->context, inline_name);
		if (!is_dir(b->context) ||
		    write_file_atomic(inline_path,
		    b->dockerfile_inline, strlen(b->dockerfile_inline),
		    0644) < 0) {
			error_set("build of \"%s\" failed: cannot write its "
			    "dockerfile_inline: %s", s->name, error_last());
			goto done;
		}
		dockerfile = inline_name;
	} else {
		if (context_on_disk(r, b->context) < 0 ||
		    context_inside(r, s, b->context) < 0 ||
		    buildctx_open(&bc, d->repo, d->opts->from_env, r->commit,
		    r->dir, b) < 0 || (keyed = buildctx_key(bc, key)) < 0) {
			error_set("build of \"%s\" failed: %s", s->name,
			    error_last());
			goto done;
		}
		/* no_cache and pull ask for a build every time. */
		if (keyed == 0 && !force && !b->no_cache && !b->pull &&
		    (reused = reuse_build(d, s, key, img)) <= 0) {
			if (reused == 0)
				tag_image_name(d, r->project, s, img);
			rc = reused;
			goto done;
		}
	}
	out_info("-----> Building %s (%s)", s->name, img->ref);
	if (bc != NULL)
		t = buildctx_tar(bc);
	else if (tarctx_open(&disk, b->context, dockerfile) < 0) {
		error_set("build of \"%s\" failed: %s", s->name, error_last());
		goto done;
	} else
		t = disk;
	bo.dockerfile = dockerfile;
	bo.target = b->target;
	if ((bo.buildargs = kv_to_json(&b->args)) == NULL) {
		error_set("build of \"%s\" failed: build arg %s", s->name,
		    error_last());
		goto done;
	}
	/* BuildKit's cache mounts are shared by every build on the engine,
	 * by id: each app gets its own, so that no app fills (or reads) the
	 * caches another app's build uses. */
	if (!d->classic_builder)
		json_object_set_new(bo.buildargs, CACHE_NS_ARG,
		    json_sprintf("slipway/%s", d->app));
	/* The file's build labels and slipway.app, never a per-commit one:
	 * the classic builder turns each into a step, and a label that
	 * changes with every push would give every push a new image ID (the
	 * commit is in the tag). */
	if ((bo.labels = kv_to_json(&b->labels)) == NULL) {
		error_set("build of \"%s\" failed: build label %s", s->name,
		    error_last());
		goto done;
	}
	json_object_set_new(bo.labels, "slipway.app", json_string(d->app));
	bo.tags = tags;
	bo.extra_hosts = (const char *const *)b->extra_hosts.v;
	bo.network = b->network;
	bo.shm_size = b->shm_size;
	bo.nocache = b->no_cache;
	/* A FROM a private registry: the classic builder pulls with these
	 * (BuildKit finds the image pulled before, build_sources_check). */
	if (registry_build_config(d->cfg, &auths) < 0) {
		error_set("build of \"%s\" failed: %s", s->name, error_last());
		goto done;
	}
	bo.registry_config = auths;
	bo.tick = build_tick;
	bo.tick_ctx = d;
	d->last_line_ms = d->step_ms = now_ms();
	d->step[0] = '\0';
	bo.buildkit = !d->classic_builder;
	built = engine_build(d->engine, &bo, tarctx_read, t, build_line, d,
	    &img->id);
	if (built < 0 && bo.buildkit && no_buildkit(error_last())) {
		/* Only an engine without BuildKit: the stream had not started,
		 * so the context is opened again from its start. */
		out_warn("warning: the engine has no BuildKit (%s): building "
		    "with the classic builder", error_last());
		d->classic_builder = 1;
		bo.buildkit = 0;
		json_object_del(bo.buildargs, CACHE_NS_ARG);
		buildctx_free(bc);
		bc = NULL;
		tarctx_free(disk);
		disk = NULL;
		if (b->dockerfile_inline == NULL ? buildctx_open(&bc, d->repo,
		    d->opts->from_env, r->commit, r->dir, b) < 0 :
		    tarctx_open(&disk, b->context, dockerfile) < 0) {
			error_set("build of \"%s\" failed: %s", s->name,
			    error_last());
			goto done;
		}
		t = bc != NULL ? buildctx_tar(bc) : disk;
		built = engine_build(d->engine, &bo, tarctx_read, t,
		    build_line, d, &img->id);
	}
	if (built < 0) {
		error_set("build of \"%s\" failed: %s", s->name, error_last());
		goto done;
	}
	if (img->id == NULL) {
		json_t *info = NULL;

		/* An engine may omit the aux line: ask by tag. */
		if (engine_image_inspect(d->engine, img->ref, &info) != 0) {
			json_decref(info);
			error_set("build of \"%s\" produced no image", s->name);
			goto done;
		}
		img->id = xstrdup(json_string_value(json_object_get(info, "Id")));
		json_decref(info);
	}
	if (keyed == 0)
		add_build_key(d, key, img->id, r->commit);
	tarctx_stats(t, &files, &bytes);
	out_info("-----> Built %s (%lu files, %llu KiB of context)", img->ref,
	    files, bytes / 1024);
	tag_image_name(d, r->project, s, img);
	rc = 0;
done:
	json_decref(bo.buildargs);
	json_decref(bo.labels);
	if (auths != NULL)
		explicit_bzero(auths, strlen(auths));
	free(auths);
	buildctx_free(bc);
	tarctx_free(disk);
	if (inline_path != NULL && unlink(inline_path) < 0 && errno != ENOENT)
		out_warn("warning: cannot remove \"%s\": %s", inline_path,
		    strerror(errno));
	free(inline_path);
	free(inline_name);
	return rc;
}

/* The id already found for ref among the first n images, or NULL. */
static char *
known_image_id(const struct service_image *images, size_t n, const char *ref)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (images[i].id != NULL && strcmp(images[i].ref, ref) == 0)
			return xstrdup(images[i].id);
	}
	return NULL;
}

/*
 * The Dockerfile of s (its dockerfile_inline, or the file when it is a
 * regular file inside the release) into text. text stays empty (buf NULL)
 * when there is none inside the release (the build reports a missing one;
 * one outside needs host-binds); -1 when it is there but cannot be read
 * whole (a directory, unreadable, over 1 MiB): what the builder would read
 * must be what the checks read.
 */
static int
dockerfile_text(struct release *r, const struct compose_service *s,
    struct buf *text)
{
	const struct compose_build *b = s->build;
	const char *name = b->dockerfile ? b->dockerfile : "Dockerfile";
	char *path, *real;
	struct stat st;
	int rc = 0;

	if (b->dockerfile_inline != NULL) {
		buf_adds(text, b->dockerfile_inline);
		return 0;
	}
	path = path_join(b->context, name);
	if (release_need(r, path) < 0) {
		free(path);
		return -1;
	}
	real = compose_path_resolve(path);
	if (!compose_path_within(real, r->dir) || (stat(real, &st) < 0 &&
	    errno == ENOENT))
		goto done;
	if (is_dir(real))
		rc = error_set("the Dockerfile \"%s\" is a directory", name);
	else if (read_file(real, text, 1u << 20) < 0) {
		buf_release(text);
		rc = error_set("the Dockerfile \"%s\" cannot be read whole "
		    "(at most 1 MiB)", name);
	}
done:
	free(real);
	free(path);
	return rc;
}

/*
 * RUN --mount=type=ssh or type=secret needs a BuildKit client session
 * (gRPC over a hijacked connection), which slipway does not open: refuse
 * it in one line rather than fail half-way through the build.
 */
static int
check_session_mounts(struct release *r, const struct compose_service *s)
{
	struct buf text = BUF_INIT;
	const char *kind = NULL;

	if (dockerfile_text(r, s, &text) == 0 && text.buf != NULL) {
		if (strstr(text.buf, "type=ssh") != NULL)
			kind = "ssh";
		else if (strstr(text.buf, "type=secret") != NULL)
			kind = "secret";
	}
	buf_release(&text);
	error_clear();
	if (kind == NULL)
		return 0;
	return error_set("build of \"%s\" failed: its Dockerfile mounts "
	    "type=%s, which needs a BuildKit client session: slipway does not "
	    "open one (pass what the build needs as a build arg or a file of "
	    "the repository)", s->name, kind);
}

/*
 * The images the Dockerfile of s reads (FROM, COPY --from: dockerfile.h),
 * into from; none when it cannot be read.
 */
static void
dockerfile_froms(struct release *r, const struct compose_service *s,
    struct strv *from)
{
	struct buf text = BUF_INIT;

	if (dockerfile_text(r, s, &text) == 0 && text.buf != NULL)
		dockerfile_images(text.buf, &s->build->args, from, NULL);
	error_clear();
	buf_release(&text);
}

/*
 * Build the images r lacks, a service whose Dockerfile starts FROM the image
 * another one builds after that one (compose orders builds the same way); in
 * dependency order otherwise, and as listed when FROMs form a cycle. fresh[i]
 * is set for each image built (or reused by its build key) here; force[i]
 * (pull_policy build) builds even when the build key matches.
 */
static int
build_in_order(struct deploy *d, struct release *r, const size_t *order,
    unsigned char *fresh, const unsigned char *force)
{
	const struct compose_project *p = r->project;
	struct strv *froms = xcalloc(r->nimages + 1, sizeof *froms);
	char *built = xcalloc(r->nimages + 1, 1);
	size_t i, j, k, left = 0;
	int rc = -1;

	for (i = 0; i < r->nimages; i++) {
		const struct compose_service *s = &p->services[order[i]];

		if (r->images[i].id != NULL || s->build == NULL) {
			built[i] = 1;
			continue;
		}
		dockerfile_froms(r, s, &froms[i]);
		left++;
	}
	while (left > 0) {
		size_t pick = r->nimages;

		for (i = 0; i < r->nimages && pick == r->nimages; i++) {
			int waits = 0;

			if (built[i])
				continue;
			for (j = 0; j < r->nimages && !waits; j++) {
				if (j == i || built[j])
					continue;
				for (k = 0; k < froms[i].n && !waits; k++)
					waits = spec_image_builds(p,
					    &p->services[order[j]], froms[i].v[k]);
			}
			if (!waits)
				pick = i;
		}
		for (i = 0; pick == r->nimages && i < r->nimages; i++) {
			if (!built[i])
				pick = i;
		}
		if (build_service(d, r, &p->services[order[pick]],
		    &r->images[pick], force[pick]) < 0)
			goto done;
		built[pick] = 1;
		fresh[pick] = 1;
		left--;
	}
	rc = 0;
done:
	for (i = 0; i < r->nimages; i++)
		strv_clear(&froms[i]);
	free(froms);
	free(built);
	return rc;
}

/*
 * After a build: push each built image that this release has not pushed yet
 * (its record lacks it) to [registry] push and record the digests r runs
 * (pulled and pushed) for a later rollback. A failed push fails unless
 * push_required = no. A rollback (no_build) pushes nothing: it must not
 * fail on a registry.
 */
static int
push_and_record(struct deploy *d, struct release *r, const size_t *order,
    const unsigned char *built, const unsigned char *pulled, int no_build)
{
	const struct compose_project *p = r->project;
	struct kvlist digests = KVLIST_INIT, prev = KVLIST_INIT;
	size_t i;
	int rc = -1;

	if (registry_digests_load(d->app_dir, r->commit, &prev) < 0) {
		out_warn("warning: %s", error_last());
		kvlist_clear(&prev);
	}
	for (i = 0; i < r->nimages; i++) {
		const struct compose_service *s = &p->services[order[i]];
		struct service_image *img = &r->images[i];
		char *digest = NULL, *name;

		if (s->build == NULL) {
			const struct kv *same = NULL;
			size_t j;
			char *rd;

			/* One inspect per image, however many run it. */
			for (j = 0; j < i && same == NULL; j++) {
				if (strcmp(r->images[j].ref, img->ref) == 0)
					same = kvlist_find(&digests,
					    p->services[order[j]].name);
			}
			rd = strchr(img->ref, '@') != NULL ? xstrdup(img->ref) :
			    same != NULL && same->value != NULL ?
			    xstrdup(same->value) :
			    registry_repo_digest(d->engine, img->ref);

			if (rd != NULL)
				kvlist_set(&digests, s->name, rd);
			free(rd);
			continue;
		}
		if ((name = registry_push_name(d->cfg, d->app, s->name)) == NULL) {
			/* Pulled in place of a build: its digest, for a
			 * rollback that retention left without it. */
			const struct kv *kv = kvlist_find(&prev, s->name);
			char *rd = pulled[i] ? registry_repo_digest(d->engine,
			    img->ref) : NULL;

			if (rd == NULL && !built[i] && kv != NULL &&
			    kv->value != NULL)
				rd = xstrdup(kv->value);
			if (rd != NULL)
				kvlist_set(&digests, s->name, rd);
			free(rd);
			continue;
		}
		if (!built[i]) {
			const struct kv *kv = kvlist_find(&prev, s->name);
			size_t n = strlen(name);

			if (kv != NULL && kv->value != NULL &&
			    strncmp(kv->value, name, n) == 0 &&
			    kv->value[n] == '@') {
				kvlist_set(&digests, s->name, kv->value);
				free(name);
				continue;
			}
			if (no_build) {
				free(name);
				continue;
			}
		}
		if (registry_push(d->engine, d->cfg, d->app, s->name, img->id,
		    r->commit, &digest) < 0) {
			free(name);
			if (d->cfg->push_required)
				goto done;
			out_warn("warning: %s (push_required = no: going on)",
			    error_last());
			continue;
		}
		{
			char *rd = xasprintf("%s@%s", name, digest);

			kvlist_set(&digests, s->name, rd);
			free(rd);
		}
		free(digest);
		free(name);
	}
	if (registry_digests_save(d->app_dir, r->commit, &digests) < 0)
		out_warn("warning: the digests of %.7s are not recorded: %s",
		    r->commit, error_last());
	rc = 0;
done:
	kvlist_clear(&prev);
	kvlist_clear(&digests);
	return rc;
}

/* Tag image (pulled for a service with build:) as its release's ref. */
static int
pulled_as_built(struct deploy *d, const char *image, const char *ref)
{
	char *repo = xstrdup(ref), *colon = strrchr(repo, ':');
	int rc = 0;

	if (colon != NULL && strchr(colon, '/') == NULL) {
		*colon = '\0';
		rc = engine_image_tag(d->engine, image, repo, colon + 1);
	}
	free(repo);
	return rc;
}

/*
 * Make sure every active service of r has its image: pull image-only ones as
 * their pull_policy says (a rollback runs the digests its release ran),
 * reuse what exists (a rollback by push builds nothing), build the rest
 * unless no_build, which brings them back from [registry] push instead.
 */
static int
prepare_images(struct deploy *d, struct release *r, int no_build)
{
	const struct compose_project *p = r->project;
	size_t *order = xcalloc(p->nservices + 1, sizeof *order);
	unsigned char *built = xcalloc(p->nservices + 1, 1);
	unsigned char *force = xcalloc(p->nservices + 1, 1);
	unsigned char *pulled = xcalloc(p->nservices + 1, 1);
	struct kvlist pinned = KVLIST_INIT;
	size_t i, missing = 0;
	int n, rc = -1;
	long long t0 = now_ms();

	if ((n = compose_order(p, order)) < 0)
		goto done;
	if (no_build && registry_digests_load(d->app_dir, r->commit,
	    &pinned) < 0)
		goto done;
	r->images = xcalloc((size_t)n + 1, sizeof *r->images);
	r->nimages = (size_t)n;
	for (i = 0; i < r->nimages; i++) {
		const struct compose_service *s = &p->services[order[i]];
		struct service_image *img = &r->images[i];
		json_t *info = NULL;
		enum pull_policy policy;
		long long interval;
		int found;

		img->service = s->name;
		img->ref = spec_image_ref(p, s, r->commit);
		if (platform_check(d, s) < 0)
			goto done;
		/* Image-only, and no service of the app builds it: pull. */
		if (s->build == NULL && spec_image_builder(p, s) == NULL) {
			const struct kv *pin = kvlist_find(&pinned, s->name);
			const char *pp = s->pull_policy;

			if (pin != NULL && pin->value != NULL &&
			    strchr(pin->value, '@') != NULL) {
				free(img->ref);
				img->ref = xstrdup(pin->value);
				pp = "missing";
			}
			if ((img->id = known_image_id(r->images, i,
			    img->ref)) != NULL)
				continue;
			if (registry_ensure(d->engine, d->cfg, d->app,
			    d->app_dir, s->name, pp, img->ref, &info) < 0 ||
			    image_owner_check(d, s, img->ref, info) < 0) {
				json_decref(info);
				goto done;
			}
			img->id = xstrdup(json_string_value(json_object_get(info,
			    "Id")));
			json_decref(info);
			continue;
		}
		if (registry_pull_policy(s->name, s->pull_policy,
		    s->build != NULL, &policy, &interval) < 0)
			goto done;
		if (!no_build && s->build != NULL && policy == PULL_BUILD) {
			/* compose: built even when its image exists. */
			force[i] = 1;
			missing++;
			continue;
		}
		if (!no_build && s->build != NULL &&
		    (found = registry_pull_for_build(d->engine,
		    d->cfg, d->app, d->app_dir, s->name, policy, interval,
		    s->image, &info)) != 0) {
			if (found < 0 ||
			    image_owner_check(d, s, s->image, info) < 0 ||
			    pulled_as_built(d, s->image, img->ref) < 0) {
				json_decref(info);
				goto done;
			}
			img->id = xstrdup(json_string_value(json_object_get(info,
			    "Id")));
			json_decref(info);
			pulled[i] = 1;
			out_info("-----> Running %s as pulled (pull_policy %s): "
			    "not built", s->image, s->pull_policy);
			continue;
		}
		if ((img->id = known_image_id(r->images, i, img->ref)) != NULL)
			continue;
		found = engine_image_inspect(d->engine, img->ref, &info);
		if (found == 0 && image_owner_check(d, s, img->ref, info) < 0) {
			json_decref(info);
			goto done;
		}
		if (found == 0)
			img->id = xstrdup(json_string_value(json_object_get(info,
			    "Id")));
		json_decref(info);
		if (found < 0)
			goto done;
		missing += found == ENGINE_MISSING;
	}
	if (missing == 0)
		out_info("-----> Reusing images of %.7s: no build needed", r->commit);
	else if (no_build) {
		/* A rollback whose images retention removed: from the registry. */
		for (i = 0; i < r->nimages; i++) {
			const struct compose_service *s = &p->services[order[i]];
			struct service_image *img = &r->images[i];

			const struct kv *pin = kvlist_find(&pinned, s->name);

			if (img->id != NULL || s->build == NULL)
				continue;
			if (registry_restore(d->engine, d->cfg, d->app, s->name,
			    img->ref, r->commit, pin != NULL ? pin->value : NULL,
			    &img->id) < 0)
				goto done;
		}
	} else if (build_in_order(d, r, order, built, force) < 0)
		goto done;
	/* The services that run what another one built. */
	for (i = 0; i < r->nimages; i++) {
		if (r->images[i].id == NULL &&
		    (r->images[i].id = known_image_id(r->images, r->nimages,
		    r->images[i].ref)) == NULL) {
			error_set("service \"%s\": image \"%s\" was not built",
			    r->images[i].service, r->images[i].ref);
			goto done;
		}
	}
	if (push_and_record(d, r, order, built, pulled, no_build) < 0)
		goto done;
	rc = 0;
done:
	d->t_build += now_ms() - t0;
	kvlist_clear(&pinned);
	free(pulled);
	free(force);
	free(built);
	free(order);
	return rc;
}

/* The operator's scale, stop and restart decisions, over the compose file's. */
static void
apply_ops(struct compose_project *p, const struct app_ops *ops)
{
	size_t i;

	for (i = 0; i < p->nservices; i++) {
		struct compose_service *s = &p->services[i];
		const struct kv *token = kvlist_find(&ops->restart, s->name);
		long n = app_ops_scale(ops, s->name);

		if (n >= 0)
			s->replicas = (int)n;
		if (app_ops_is_stopped(ops, s->name))
			s->replicas = 0;
		/* A new token changes the config hash: the containers are
		 * replaced, start-first for web services. */
		if (token != NULL)
			kvlist_set(&s->labels, "slipway.restart", token->value);
	}
}

/* What `ps` shows of the live release: commit, wanted replicas, web hosts. */
static void
save_live(struct deploy *d, const struct release *r)
{
	json_t *doc = json_object(), *services = json_object();
	size_t i, j;

	for (i = 0; i < r->project->nservices; i++) {
		const struct compose_service *s = &r->project->services[i];
		json_t *svc, *hosts;

		if (!compose_service_active(s))
			continue;
		svc = json_pack("{s:i, s:b}", "replicas", s->replicas, "stopped",
		    app_ops_is_stopped(&d->ops_next, s->name));
		if (s->http.set) {
			hosts = json_array();
			for (j = 0; j < s->http.hosts.n; j++)
				json_array_append_new(hosts,
				    json_string(s->http.hosts.v[j]));
			json_object_set_new(svc, "hosts", hosts);
		}
		json_object_set_new(services, s->name, svc);
	}
	json_object_set_new(doc, "commit", json_string(r->commit));
	json_object_set_new(doc, "services", services);
	if (app_live_save(d->cfg, d->app, doc) < 0)
		out_warn("warning: %s", error_last());
	json_decref(doc);
}

/* Is rel in the commit being loaded (binds_opts.tracked)? */
static int
release_tracked(void *ctx, const char *rel)
{
	struct release *r = ctx;

	return repo_tracked(r->d->repo, r->commit, r->d->opts->from_env, rel);
}

/*
 * Write path (absolute) into r's directory from its commit when it is
 * inside it and in the commit (compose_need_fn); see struct release.
 */
static int
release_need(void *ctx, const char *path)
{
	struct release *r = ctx;
	struct deploy *d = r->d;
	size_t n = strlen(r->real);

	if (strncmp(path, r->real, n) != 0 || (path[n] != '/' &&
	    path[n] != '\0'))
		return 0;
	if (r->tree == NULL && repo_tree_open(&r->tree, d->repo,
	    d->opts->from_env, r->commit) < 0)
		return -1;
	if (r->prev == NULL && r->prev_dir != NULL &&
	    repo_tree_open(&r->prev, d->repo, d->opts->from_env,
	    d->previous) < 0) {
		/* Only a saving lost: write the file whole. */
		free(r->prev_dir);
		r->prev_dir = NULL;
		error_clear();
	}
	return repo_tree_put(r->tree, path + n + (path[n] == '/'), r->real,
	    r->prev, r->prev_dir);
}

/*
 * A build context that is not a directory of the commit's tree (a symlink,
 * or a path through one) is read from the disk by buildctx: write it (and
 * what it points to) into the release first.
 */
static int
context_on_disk(struct release *r, const char *context)
{
	size_t n = strlen(r->real);
	unsigned mode;
	char oid[41];
	int found;

	if (strncmp(context, r->real, n) != 0 || (context[n] != '/' &&
	    context[n] != '\0'))
		return 0;
	if (r->tree == NULL && repo_tree_open(&r->tree, r->d->repo,
	    r->d->opts->from_env, r->commit) < 0)
		return -1;
	found = repo_tree_find(r->tree, context + n + (context[n] == '/'),
	    &mode, oid);
	if (found < 0)
		return -1;
	if (found == 0 && S_ISDIR(mode))
		return 0;       /* streamed from git's objects */
	return release_need(r, context);
}

/* Every app's name (state_app_names), read once per deploy. */
static const struct strv *
apps_of(struct deploy *d)
{
	if (!d->apps_read) {
		state_app_names(d->cfg, &d->apps);
		d->apps_read = 1;
	}
	return &d->apps;
}

/* Does this deploy make commit live anew (not the one already live)? */
static int
new_commit(const struct deploy *d, const char *commit)
{
	return d->previous == NULL || strcmp(d->previous, commit) != 0;
}

/* Check out commit and load and vet its compose file into r, deployed with
 * vars and ops. */
static int
load_release(struct deploy *d, const char *commit, const struct kvlist *vars,
    const struct app_ops *ops, struct release *r)
{
	char *file = NULL, *shared = NULL;
	struct binds_opts bo = { 0 };
	unsigned allow = config_app_allow(d->cfg, d->app);
	size_t i;
	int rc = -1;

	memcpy(r->commit, commit, 41);
	r->d = d;
	r->dir = state_release_dir(d->cfg, d->app, commit);
	if (d->previous != NULL && strcmp(d->previous, commit) != 0)
		r->prev_dir = state_release_dir(d->cfg, d->app, d->previous);
	if (mkdir_p(r->dir, 0755) < 0)
		goto done;
	/* The loader compares resolved paths: name the directory so. */
	if ((r->real = realpath(r->dir, NULL)) == NULL) {
		error_set("cannot resolve \"%s\": %s", r->dir, strerror(errno));
		goto done;
	}
	compose_set_need(release_need, r);
	if ((file = compose_find(r->dir)) == NULL)
		goto done;
	if (compose_load_target(&r->project, file, r->dir, d->app, vars,
	    config_app_swarm(d->cfg, d->app)) < 0)
		goto done;
	shared = path_join(d->app_dir, "shared");
	bo.shared_dir = shared;
	bo.tracked = release_tracked;
	bo.ctx = r;
	bo.adopt[0] = r->prev_dir;
	bo.adopt[1] = r->dir;
	if (binds_share_opts(r->project, &bo) < 0)
		goto done;
	if (policy_own_names(r->project, allow) < 0)
		goto done;
	for (i = 0; i < r->project->warnings.n; i++)
		out_warn("warning: %s", r->project->warnings.v[i]);
	if (policy_check(r->project, allow) < 0 ||
	    policy_check_neighbours(r->project, apps_of(d)) < 0)
		goto done;
	apply_ops(r->project, ops);
	rc = 0;
done:
	compose_set_need(NULL, NULL);
	free(shared);
	free(file);
	return rc;
}

/*
 * The target switch check (swarm_other_form), and no host port of the
 * release published by anything on the engine that is not this app's: both
 * from one list of the running containers and one of the Swarm services.
 */
static int
check_port_claims(struct deploy *d, int swarm)
{
	struct neighbours nb = NEIGHBOURS_INIT;
	int rc = -1;

	if (swarm_other_form(d->engine, d->app, swarm, &nb) < 0 ||
	    neighbours_read(d->engine, &nb, 1, 1) < 0)
		goto done;
	rc = claims_check(&nb, d->rel.project, apps_of(d));
done:
	neighbours_dispose(&nb);
	return rc;
}

/*
 * Once, on a server whose sites predate host claims: each app's installed
 * site file claims its server names first, so that no app can take a host
 * another serves by deploying before it.
 */
static void
seed_claims(struct deploy *d)
{
	char *path = path_join(d->cfg->state_dir, "hosts.json");
	const struct strv *apps;
	size_t i;

	if (!path_exists(path)) {
		apps = apps_of(d);
		for (i = 0; i < apps->n; i++) {
			struct strv hosts = STRV_INIT;

			proxy_site_hosts(d->cfg, apps->v[i], &hosts);
			if (state_claim_hosts(d->cfg, apps->v[i], &hosts,
			    0) < 0)
				out_warn("warning: %s", error_last());
			strv_clear(&hosts);
		}
	}
	free(path);
}

/*
 * Claim the http hosts of r's web services server-wide before anything
 * changes (replace once r is live): a host another app serves fails the
 * deploy naming the owner, and only [proxy] default_app may have a web
 * service without hosts (nginx's default server).
 */
static int
claim_hosts(struct deploy *d, const struct release *r, int replace)
{
	const struct compose_project *p = r->project;
	struct strv hosts = STRV_INIT;
	size_t i, j;
	int rc = -1;

	for (i = 0; i < p->nservices; i++) {
		const struct compose_service *s = &p->services[i];

		if (!s->http.set)
			continue;
		if (s->http.hosts.n == 0 && (d->cfg->default_app == NULL ||
		    strcmp(d->cfg->default_app, d->app) != 0)) {
			error_set("service \"%s\": \"x-slipway.http\" without "
			    "hosts would make it nginx's default server, which "
			    "only the app named in [proxy] default_app may be",
			    s->name);
			goto done;
		}
		for (j = 0; j < s->http.hosts.n; j++)
			strv_push(&hosts, s->http.hosts.v[j]);
	}
	seed_claims(d);
	rc = state_claim_hosts(d->cfg, d->app, &hosts, replace);
done:
	strv_clear(&hosts);
	return rc;
}

static void
show_logs_line(void *ctx, const char *line)
{
	out_info("       %s | %s", (const char *)ctx, line);
}

/* The last lines a failed container wrote, for the pusher. */
static void
show_logs(struct deploy *d, const char *container)
{
	json_t *info = NULL;
	int tty;

	if (engine_container_inspect(d->engine, container, &info) < 0) {
		json_decref(info);
		return;
	}
	tty = json_is_true(json_object_get(json_object_get(info, "Config"), "Tty"));
	json_decref(info);
	out_info("-----> Last lines of %s:", container);
	if (engine_container_logs(d->engine, container, GATE_LOG_LINES, 0, tty,
	    show_logs_line, (void *)container) < 0)
		out_warn("warning: cannot read the logs of %s: %s", container,
		    error_last());
}

/* Would the engine start a container of this restart policy again after it
 * exited with status 0? */
static int
restarts_after_success(json_t *info)
{
	const char *policy = json_string_value(json_object_get(json_object_get(
	    json_object_get(info, "HostConfig"), "RestartPolicy"), "Name"));

	return policy != NULL && (strcmp(policy, "always") == 0 ||
	    strcmp(policy, "unless-stopped") == 0);
}

/*
 * The health gate: every changed container with a healthcheck must become
 * healthy within health_timeout; every other one must run for min_uptime
 * without restarting. A container that exited 0 has done its job when its
 * restart policy will not start it again (or a service waits for it to
 * complete); one the engine is restarting is judged once it settles: it
 * passes when it then stays up for min_uptime, fails when it exits for good
 * or is still restarting at the deadline. -1 names the failing container in
 * *failed (allocated).
 */
static int
health_gate(struct deploy *d, const struct strv *changed, char **failed)
{
	long long t0 = now_ms(), deadline = t0 + d->cfg->health_timeout * 1000;
	long long uptime = d->cfg->min_uptime * 1000;
	char *done = xcalloc(changed->n + 1, 1);
	long *seen = xcalloc(changed->n + 1, sizeof *seen);
	long long *since = xcalloc(changed->n + 1, sizeof *since);
	size_t left = changed->n, i;
	int rc = 0;

	for (i = 0; i < changed->n; i++)
		seen[i] = -1;
	if (left)
		out_info("-----> Health gate: %zu container%s (up to %lds)", left,
		    left == 1 ? "" : "s", d->cfg->health_timeout);
	while (left > 0 && rc == 0) {
		for (i = 0; i < changed->n && rc == 0; i++) {
			json_t *info = NULL, *state, *health;
			const char *name = changed->v[i], *status, *hs, *svc;
			long long now = now_ms();
			long code, restarts;

			if (done[i])
				continue;
			if (engine_container_inspect(d->engine, name, &info) < 0) {
				rc = error_set("%s: %s", name, error_last());
				*failed = xstrdup(name);
				json_decref(info);
				break;
			}
			state = json_object_get(info, "State");
			health = json_object_get(state, "Health");
			status = json_string_value(json_object_get(state, "Status"));
			hs = json_string_value(json_object_get(health, "Status"));
			code = (long)json_integer_value(json_object_get(state, "ExitCode"));
			restarts = (long)json_integer_value(json_object_get(info,
			    "RestartCount"));
			svc = json_string_value(json_object_get(json_object_get(
			    json_object_get(info, "Config"), "Labels"), LABEL_SERVICE));
			/* The restart count moved: the clock of its uptime restarts. */
			if (restarts != seen[i]) {
				seen[i] = restarts;
				since[i] = now;
			}
			if (status && strcmp(status, "exited") == 0 && code == 0 &&
			    ((svc && compose_service_awaited(d->rel.project, svc)) ||
			    !restarts_after_success(info))) {
				out_info("       %s completed", name);
				done[i] = 1, left--;
			} else if (status && strcmp(status, "restarting") == 0) {
				/* its uptime counts from when it is seen up */
				since[i] = now;
				if (now >= deadline)
					rc = error_set("%s is still restarting after %lds (%ld restart%s)",
					    name, d->cfg->health_timeout, restarts,
					    restarts == 1 ? "" : "s");
			} else if (status && strcmp(status, "running") != 0) {
				rc = error_set("%s is %s (exit code %ld)", name,
				    status, code);
			} else if (hs != NULL && strcmp(hs, "unhealthy") == 0) {
				rc = error_set("%s is unhealthy", name);
			} else if (hs != NULL && strcmp(hs, "healthy") == 0) {
				out_info("       %s is healthy", name);
				done[i] = 1, left--;
			} else if (hs == NULL && now - since[i] >= uptime &&
			    now - t0 >= uptime) {
				if (restarts > 0)
					out_info("       %s is running (after %ld restart%s)",
					    name, restarts, restarts == 1 ? "" : "s");
				else
					out_info("       %s is running", name);
				done[i] = 1, left--;
			} else if (now >= deadline) {
				if (restarts > 0)
					rc = error_set("%s kept restarting (%ld restart%s in %lds)",
					    name, restarts, restarts == 1 ? "" : "s",
					    d->cfg->health_timeout);
				else
					rc = error_set("%s did not become healthy within %lds",
					    name, d->cfg->health_timeout);
			}
			if (rc < 0)
				*failed = xstrdup(name);
			json_decref(info);
		}
		if (left > 0 && rc == 0)
			sleep_ms(250);
	}
	free(done);
	free(seen);
	free(since);
	d->t_gate = now_ms() - t0;
	return rc;
}

/*
 * The release command (x-slipway.release): a one-off container of the new
 * image with the service's environment, volumes and networks, before cutover.
 */
static int
release_command(struct deploy *d, const struct compose_service *s,
    const struct service_image *img)
{
	const struct compose_project *p = d->rel.project;
	json_t *body, *hc, *labels;
	char *name = xasprintf("%s-%s-release-%.7s", p->name, s->name,
	    d->rel.commit);
	char *id = NULL, *hash = spec_config_hash(p, s);
	long code = -1;
	int rc = -1;

	out_info("-----> Running the release command of %s: %s", s->name, s->release);
	body = spec_container(p, s, 0, img->ref, img->id, d->rel.commit, hash,
	    engine_version_num(d->engine));
	json_object_set_new(body, "Entrypoint", json_pack("[s,s]", "/bin/sh", "-c"));
	json_object_set_new(body, "Cmd", json_pack("[s]", s->release));
	json_object_del(body, "Healthcheck");
	labels = json_object_get(body, "Labels");
	json_object_set_new(labels, LABEL_ONEOFF, json_string("True"));
	hc = json_object_get(body, "HostConfig");
	json_object_del(hc, "PortBindings");
	json_object_set_new(hc, "RestartPolicy", json_pack("{s:s}", "Name", "no"));
	/* A leftover of an interrupted run goes first (none: fine). */
	if (engine_container_remove(d->engine, name, 1) < 0 ||
	    container_vet(d->engine, p, s, body) < 0 ||
	    engine_container_create(d->engine, name, body, &id) < 0 ||
	    container_copy_files(d->engine, p, s, id) < 0 ||
	    engine_container_start(d->engine, id) < 0 ||
	    engine_container_wait(d->engine, id, &code) < 0) {
		error_set("release command of \"%s\": %s", s->name, error_last());
		goto done;
	}
	if (engine_container_logs(d->engine, id, -1, 0, s->tty, build_line,
	    NULL) < 0)
		out_warn("warning: cannot read the release command's output: %s",
		    error_last());
	if (code != 0) {
		error_set("release command of \"%s\" failed with exit code %ld",
		    s->name, code);
		goto done;
	}
	rc = 0;
done:
	if (id != NULL) {
		/* Cleanup runs even when the deploy's time is up. */
		if (d->cfg->deploy_timeout > 0)
			engine_set_deadline(d->engine, now_ms() + 60000);
		container_discard(d->engine, id);
	}
	json_decref(body);
	free(hash);
	free(id);
	free(name);
	return rc;
}

/* Add the active services s depends on, transitively, to deps. */
static void
add_dependencies(const struct compose_project *p,
    const struct compose_service *s, struct strv *deps)
{
	size_t i, j;

	for (i = 0; i < s->ndepends; i++) {
		const struct compose_service *dep = compose_service(p,
		    s->depends[i].service);
		int seen = 0;

		if (dep == NULL || !compose_service_active(dep))
			continue;
		for (j = 0; j < deps->n; j++)
			seen |= strcmp(deps->v[j], dep->name) == 0;
		if (seen)
			continue;
		strv_push(deps, dep->name);
		add_dependencies(p, dep, deps);
	}
}

/*
 * Run every release command. As compose would for the service itself, the
 * services it depends on are converged first and their depends_on conditions
 * waited on, so that a migration finds its database even on the first
 * deploy. Containers so changed join *changed (the health gate's list).
 */
static int
release_commands(struct deploy *d, struct strv *changed)
{
	const struct compose_project *p = d->rel.project;
	size_t i;

	for (i = 0; i < d->rel.nimages; i++) {
		const struct compose_service *s = compose_service(p,
		    d->rel.images[i].service);
		struct converge_opts co = { 0 };
		struct strv deps = STRV_INIT;
		int rc;

		if (s->release == NULL)
			continue;
		add_dependencies(p, s, &deps);
		co.commit = d->rel.commit;
		co.wait_timeout_ms = d->cfg->health_timeout * 1000;
		co.changed = changed;
		co.cfg = d->cfg;
		co.only = &deps;
		co.site_template = d->opts->site_template;
		if (deps.n > 0) {
			struct buf names = BUF_INIT;
			size_t k;

			for (k = 0; k < deps.n; k++)
				buf_addf(&names, "%s%s", k ? ", " : "", deps.v[k]);
			out_info("-----> The release command of %s depends on %s: "
			    "bringing %s up first", s->name, names.buf,
			    deps.n == 1 ? "it" : "them");
			buf_release(&names);
		}
		rc = converge_resources(d->engine, p) < 0 ||
		    (deps.n > 0 && converge_project(d->engine, p, d->rel.images,
		    d->rel.nimages, &co) < 0) ||
		    converge_wait_dependencies(d->engine, p, s,
		    co.wait_timeout_ms) < 0 ||
		    release_command(d, s, &d->rel.images[i]) < 0 ? -1 : 0;
		strv_clear(&deps);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int stack_release(struct deploy *d, const struct release *r,
    struct swarm_changes *ch);

/*
 * A Swarm app back to the previous release (a deploy that did not end):
 * its stack deployed again, held to the gate; no release at all: removed.
 */
static int
roll_back_stack(struct deploy *d)
{
	struct release prev = { 0 };
	struct swarm_changes ch = { 0 };
	char *failed = NULL;
	int rc = -1;

	if (d->previous == NULL) {
		out_info("-----> Removing the services of the failed first deploy");
		return swarm_down(d->engine, d->app, 0);
	}
	out_info("-----> Rolling back to %.7s", d->previous);
	if (load_release(d, d->previous, &d->vars, &d->ops, &prev) < 0 ||
	    prepare_images(d, &prev, 1) < 0 ||
	    stack_release(d, &prev, &ch) < 0 ||
	    swarm_gate(d->engine, &ch, d->cfg->health_timeout * 1000,
	    &failed) < 0)
		goto done;
	/* what only the interrupted release had (a new service) goes */
	if (swarm_prune(d->engine, prev.project) < 0)
		out_warn("warning: %s", error_last());
	out_info("-----> Rolled back: %.7s is live again", d->previous);
	app_ops_dispose(&d->ops_next);
	app_ops_copy(&d->ops_next, &d->ops);
	save_live(d, &prev);
	rc = 0;
done:
	free(failed);
	swarm_changes_dispose(&ch);
	release_dispose(&prev);
	return rc;
}

/* Converge back to the previous release after a failed gate or cutover. */
static int
roll_back(struct deploy *d)
{
	struct release prev = { 0 };
	struct converge_opts co = { 0 };
	struct strv changed = STRV_INIT;
	int rc = -1;

	if (config_app_swarm(d->cfg, d->app))
		return roll_back_stack(d);
	/* A failed first deploy leaves nothing behind but its volumes. */
	if (d->previous == NULL) {
		out_info("-----> Removing the containers of the failed first deploy");
		return converge_down(d->engine, d->rel.project->name,
		    CONVERGE_DOWN_FRESH);
	}
	out_info("-----> Rolling back to %.7s", d->previous);
	if (load_release(d, d->previous, &d->vars, &d->ops, &prev) < 0 ||
	    prepare_images(d, &prev, 1) < 0)
		goto done;
	co.commit = prev.commit;
	co.wait_timeout_ms = d->cfg->health_timeout * 1000;
	co.cfg = d->cfg;
	co.site_template = d->opts->site_template;
	co.changed = &changed;
	if (converge_project(d->engine, prev.project, prev.images,
	    prev.nimages, &co) < 0)
		goto done;
	if (converge_default_restart(d->engine, d->cfg->docker_host, prev.project,
	    d->cfg->default_restart, &changed) < 0)
		out_warn("warning: %s", error_last());
	out_info("-----> Rolled back: %.7s is live again", d->previous);
	app_ops_dispose(&d->ops_next);
	app_ops_copy(&d->ops_next, &d->ops);
	save_live(d, &prev);
	rc = 0;
done:
	strv_clear(&changed);
	release_dispose(&prev);
	return rc;
}

/*
 * roll_back(), tried again for up to engine_retry when it fails (the engine
 * calls inside already wait for an unreachable engine).
 */
static int
roll_back_retrying(struct deploy *d)
{
	long long deadline = now_ms() + d->cfg->engine_retry * 1000;

	for (;;) {
		if (roll_back(d) == 0)
			return 0;
		if (d->previous == NULL || now_ms() >= deadline)
			return -1;
		out_warn("warning: the rollback failed: %s; trying again",
		    error_last());
		sleep_ms(2000);
	}
}

/* One file record_prepare stages, written by a thread of its own. */
struct stage {
	pthread_t thread;
	int started;
	struct deploy *d;
	const struct journal *j;   /* journal.live when set */
	const char *name, *commit; /* else name holding commit */
	int rc, err;
	char *error;
};

static void *
stage_main(void *arg)
{
	struct stage *s = arg;

	s->rc = s->j != NULL ? journal_stage_live(s->d->app_dir, s->j) :
	    write_commit_file(s->d, s->name, s->commit);
	s->err = errno;
	if (s->rc < 0)
		s->error = xstrdup(error_last());
	error_clear();
	return NULL;
}

/*
 * Before anything that runs is touched: the journal (converging), and, while
 * the disk has room, what going live needs (journal.live, current.next,
 * previous.next), so that recording the release is renames only. The staged
 * files are independent: they are written (and synced) at the same time,
 * which the filesystem commits together; the journal comes after them.
 */
static int
record_prepare(struct deploy *d)
{
	struct journal j = { 0 };
	struct stage st[3];
	size_t i, n = 0;
	int rc = 0, err = 0;

	if (d->previous != NULL)
		memcpy(j.previous, d->previous, 41);
	memcpy(j.target, d->rel.commit, 41);
	j.row = d->row;
	j.phase = JOURNAL_CONVERGING;
	memset(st, 0, sizeof st);
	st[n].d = d;
	st[n++].j = &j;
	st[n].d = d;
	st[n].name = "current.next";
	st[n++].commit = d->rel.commit;
	if (d->previous != NULL) {
		st[n].d = d;
		st[n].name = "previous.next";
		st[n++].commit = d->previous;
	}
	for (i = 0; i < n; i++)
		st[i].started = pthread_create(&st[i].thread, NULL, stage_main,
		    &st[i]) == 0;
	for (i = 0; i < n; i++) {
		if (st[i].started)
			pthread_join(st[i].thread, NULL);
		else
			stage_main(&st[i]);
		if (st[i].rc < 0 && rc == 0) {
			rc = error_set("%s", st[i].error);
			err = st[i].err;
		}
		free(st[i].error);
	}
	if (rc == 0 && journal_write(d->app_dir, &j) < 0) {
		rc = -1;
		err = errno;
	}
	if (rc < 0) {
		state_no_space(d->app_dir, err);
		return error_set("cannot write the deploy journal: %s; nothing "
		    "was changed", error_last());
	}
	return 0;
}

/*
 * The app's images, listed on a connection of its own while the containers
 * are replaced, for retention: the engine goes through every image it has
 * to list them (tens of milliseconds with a thousand), which the end of a
 * deploy then need not wait for. Started once the release's images exist;
 * under the app's lock nothing else adds or removes the app's images.
 */
struct listing {
	pthread_t thread;
	char *docker_host;
	const char *app;
	long long deadline_ms;
	json_t *list;		/* NULL when the listing failed */
};

/* The images app built (label slipway.app), an array. */
static int
app_images(struct engine *e, const char *app, json_t **out)
{
	char *label = xasprintf("slipway.app=%s", app);
	const char *labels[] = { label };
	int rc = engine_image_list(e, labels, 1, out);

	free(label);
	return rc;
}

static void *
listing_main(void *arg)
{
	struct listing *l = arg;
	struct engine *e = NULL;

	if (engine_open(&e, l->docker_host) == 0) {
		if (l->deadline_ms > 0)
			engine_set_deadline(e, l->deadline_ms);
		if (app_images(e, l->app, &l->list) < 0)
			l->list = NULL;
	}
	engine_free(e);
	error_clear();
	return NULL;
}

/* Start listing the app's images; nothing when no thread can be had. */
static void
images_ahead_start(struct deploy *d)
{
	struct listing *l = xcalloc(1, sizeof *l);

	l->docker_host = xstrdup(d->cfg->docker_host);
	l->app = d->app;
	l->deadline_ms = d->deadline_ms;
	if (pthread_create(&l->thread, NULL, listing_main, l) != 0) {
		free(l->docker_host);
		free(l);
		return;
	}
	d->images_ahead = l;
}

/* The list images_ahead_start asked for (the caller's), or NULL. */
static json_t *
images_ahead_take(struct deploy *d)
{
	struct listing *l = d->images_ahead;
	json_t *list;

	if (l == NULL)
		return NULL;
	pthread_join(l->thread, NULL);
	list = l->list;
	free(l->docker_host);
	free(l);
	d->images_ahead = NULL;
	return list;
}

/* converge_opts.before_change: the journal is written only when something
 * that runs is about to change (a no-op deploy records nothing). */
static int
journal_before_change(void *ctx)
{
	struct deploy *d = ctx;

	if (record_prepare(d) < 0)
		return -1;
	d->journaled = 1;
	/* What retention lists, while the containers are replaced. */
	if (d->h != NULL && d->images_ahead == NULL &&
	    new_commit(d, d->rel.commit))
		images_ahead_start(d);
	return 0;
}

/* One step of recording, tried RECORD_TRIES times a second apart. */
static int
record_try(struct deploy *d, const char *name)
{
	int i;

	for (i = 0; i < RECORD_TRIES; i++) {
		if (i > 0)
			sleep_ms(1000);
		if (journal_promote(d->app_dir, name) == 0)
			return 0;
		/* The staged file may be gone (a retry of a retry): write it. */
		if (write_commit_file(d, name, strcmp(name, "current") == 0 ?
		    d->rel.commit : d->previous) == 0)
			return 0;
	}
	return -1;
}

/*
 * The release passed its gate: journal live, then previous and current. A
 * crash between any two steps leaves the journal saying what to finish.
 * -1 (with error_set) when the record could not be written: the journal
 * keeps it for the next run.
 */
static int
record_live(struct deploy *d)
{
	if (journal_go_live(d->app_dir) < 0) {
		struct journal j = { 0 };

		/* Never leave "converging" behind a live release. */
		if (d->previous != NULL)
			memcpy(j.previous, d->previous, 41);
		memcpy(j.target, d->rel.commit, 41);
		j.row = d->row;
		j.phase = JOURNAL_LIVE;
		if (journal_write(d->app_dir, &j) < 0 &&
		    journal_clear(d->app_dir) < 0)
			return -1;
	}
	if (d->previous != NULL && strcmp(d->previous, d->rel.commit) != 0 &&
	    record_try(d, "previous") < 0)
		return -1;
	return record_try(d, "current");
}

static int
commit_kept(const struct deploy *d, char **keep, size_t nkeep,
    const char *commit)
{
	size_t i;

	if (strcmp(commit, d->rel.commit) == 0 ||
	    (d->previous && strcmp(commit, d->previous) == 0))
		return 1;
	for (i = 0; i < nkeep; i++) {
		if (strcmp(keep[i], commit) == 0)
			return 1;
	}
	return 0;
}

static void
drop_release(const char *releases, const char *commit)
{
	char *dir = path_join(releases, commit);

	if (is_dir(dir)) {
		if (remove_tree(dir) == 0)
			out_info("-----> Removed release %.7s", commit);
		else
			out_warn("warning: %s", error_last());
	}
	free(dir);
}

/*
 * Retention: keep the images and release directories of the newest
 * keep_releases succeeded commits, and always the live and previous ones.
 */
static void
retain(struct deploy *d, struct history *h)
{
	char **keep = NULL;
	char *releases = path_join(d->app_dir, "releases");
	size_t nkeep = 0, i, j;
	json_t *list = images_ahead_take(d), *img;
	struct strv remove = STRV_INIT;

	/* This deploy is not in the history as succeeded yet: it is one of N. */
	if (history_succeeded_commits(h, d->app,
	    (size_t)d->cfg->keep_releases - 1, &keep, &nkeep) < 0 ||
	    (list == NULL && app_images(d->engine, d->app, &list) < 0)) {
		out_warn("warning: old releases were kept: %s", error_last());
		goto done;
	}
	json_array_foreach(list, i, img) {
		json_t *tag;

		json_array_foreach(json_object_get(img, "RepoTags"), j, tag) {
			const char *t = json_string_value(tag);
			const char *commit = t ? strrchr(t, ':') : NULL;

			/* Only the tags slipway made end in a full commit id. */
			if (commit == NULL || strlen(++commit) != 40 ||
			    strspn(commit, "0123456789abcdef") != 40 ||
			    commit_kept(d, keep, nkeep, commit))
				continue;
			strv_push(&remove, t);
			drop_release(releases, commit);
		}
	}
	for (i = 0; i < remove.n; i++) {
		if (engine_image_remove(d->engine, remove.v[i]) == 0)
			out_info("-----> Removed image %s", remove.v[i]);
		else
			out_warn("warning: cannot remove image %s: %s", remove.v[i],
			    error_last());
	}
	if (remove.n > 0 && converge_remove_dangling(d->engine, d->app) < 0)
		out_warn("warning: cannot remove dangling images: %s",
		    error_last());
done:
	for (i = 0; i < nkeep; i++)
		free(keep[i]);
	free(keep);
	strv_clear(&remove);
	json_decref(list);
	free(releases);
	error_clear();
}

/* Store the variables and ops this release deployed with. */
static int
save_next(struct deploy *d)
{
	if (appvars_save(d->cfg, d->app, &d->vars_next) < 0 ||
	    app_ops_save(d->cfg, d->app, &d->ops_next) < 0)
		return -1;
	return 0;
}

/*
 * The error a failed deploy ends with: reason, then what became of the
 * rollback (undone: it succeeded; how: "rolled back"). A rollback that failed
 * leaves the release pending for the next run.
 */
static void
rollback_outcome(struct deploy *d, const char *reason, int undone,
    const char *how)
{
	if (undone) {
		d->rolled_back = 1;
		if (d->previous == NULL)
			error_set("%s; the failed first deploy was removed",
			    reason);
		else
			error_set("%s; %s to %.7s", reason, how, d->previous);
	} else if (d->previous == NULL)
		error_set("%s; rollback failed: %s", reason, error_last());
	else {
		d->pending = 1;
		error_set("%s; rollback failed: %s; it stays pending: the next "
		    "slipway run for %s (or `slipway recover %s`) restores %.7s",
		    reason, error_last(), d->app, d->app, d->previous);
	}
}

/*
 * Deploy release r as the app's Swarm stack: each service runs its image by
 * digest when the release pushed it to a registry, else the local image by
 * ID (which only this node has, and which no retention of tags can take
 * away from a service that did not change). Changes go to ch.
 */
static int
stack_release(struct deploy *d, const struct release *r,
    struct swarm_changes *ch)
{
	struct kvlist digests = KVLIST_INIT;
	struct swarm_image *images = xcalloc(r->nimages + 1, sizeof *images);
	char **auths = xcalloc(r->nimages + 1, sizeof *auths);
	const char *local = NULL;
	size_t i;
	int rc = -1;

	if (registry_digests_load(d->app_dir, r->commit, &digests) < 0) {
		out_warn("warning: %s", error_last());
		kvlist_clear(&digests);
	}
	for (i = 0; i < r->nimages; i++) {
		const struct kv *kv = kvlist_find(&digests,
		    r->images[i].service);
		const struct compose_service *s = compose_service(r->project,
		    r->images[i].service);

		images[i].service = r->images[i].service;
		if (kv != NULL && kv->value != NULL &&
		    strchr(kv->value, '@') != NULL) {
			char *host = registry_host_of(kv->value);

			images[i].ref = kv->value;
			images[i].label = kv->value;
			/* The nodes pull it with the server's credentials. */
			if (registry_auth(d->cfg, host, &auths[i]) < 0) {
				free(host);
				goto done;
			}
			images[i].auth = auths[i];
			free(host);
			continue;
		}
		images[i].ref = r->images[i].id;
		images[i].label = r->images[i].ref;
		if (s != NULL && s->build != NULL && local == NULL)
			local = r->images[i].ref;
	}
	if (local != NULL)
		out_warn("warning: no registry ([registry] push): the services run "
		    "local images such as %s, which only this node has; other "
		    "nodes of the Swarm could not run them", local);
	rc = swarm_deploy(d->engine, r->project, images, r->nimages,
	    r->commit, ch);
done:
	for (i = 0; i < r->nimages; i++)
		free(auths[i]);
	free(auths);
	kvlist_clear(&digests);
	free(images);
	return rc;
}

/* The last lines of a failed Swarm service, for the pusher. */
static void
show_service_logs(struct deploy *d, const char *id)
{
	out_info("-----> Last lines of the service:");
	swarm_service_tail(d->engine, id, GATE_LOG_LINES, show_logs_line,
	    (void *)"task");
}

/*
 * The Swarm part of run_deploy: deploy the stack, gate the changed
 * services, let Swarm roll them back when one fails, prune when it passes.
 * 0 live, -1 failed (rolled back when it could; d->pending when not).
 */
static int
run_stack(struct deploy *d)
{
	struct swarm_changes ch = { 0 };
	char *failed = NULL, *reason = NULL;
	long long t1 = now_ms();
	int rc = -1, undone;

	if (stack_release(d, &d->rel, &ch) < 0)
		goto failed;
	d->t_converge = now_ms() - t1;
	t1 = now_ms();
	if (swarm_gate(d->engine, &ch, d->cfg->health_timeout * 1000,
	    &failed) < 0)
		goto failed;
	d->t_gate = now_ms() - t1;
	if (swarm_prune(d->engine, d->rel.project) < 0)
		out_warn("warning: %s", error_last());
	rc = 0;
	goto done;
failed:
	reason = error_save();
	out_warn("error: %s", reason);
	if (d->cfg->deploy_timeout > 0)
		engine_set_deadline(d->engine, now_ms() +
		    (d->cfg->health_timeout + 120) * 1000);
	/* Swarm may be rolling back already: the failed task has ended. */
	if (failed != NULL) {
		char *why = swarm_task_error(d->engine, failed);

		if (why != NULL && strstr(reason, why) == NULL) {
			char *r = xasprintf("%s; %s", reason, why);

			free(reason);
			reason = r;
		}
		free(why);
		show_service_logs(d, failed);
	}
	undone = swarm_undo(d->engine, &ch, d->cfg->health_timeout * 1000 +
	    60000) == 0;
	if (undone && d->previous == NULL && swarm_down(d->engine, d->app,
	    0) < 0)
		out_warn("warning: %s", error_last());
	rollback_outcome(d, reason, undone, "Swarm rolled back");
done:
	free(reason);
	free(failed);
	swarm_changes_dispose(&ch);
	return rc;
}

/*
 * The release a rollback without a REV goes to: the newest succeeded one
 * that is not the live one, read under the lock. Refused when the record
 * of the live release is missing or disagrees with the history's newest
 * succeeded deploy: the pick would be relative to the wrong release.
 */
static int
pick_previous(struct deploy *d, char **rev)
{
	char **commits = NULL;
	size_t n = 0, i;
	int rc = -1;

	*rev = NULL;
	if (d->previous == NULL) {
		error_set("\"%s\" has no recorded live release to roll back "
		    "from: name one (slipway rollback %s REV)", d->app, d->app);
		goto done;
	}
	if (d->h == NULL || history_succeeded_commits(d->h, d->app, 50,
	    &commits, &n) < 0) {
		error_set("the history of \"%s\" cannot be read%s%s: name the "
		    "release to roll back to (slipway rollback %s REV)", d->app,
		    d->h != NULL ? ": " : "", d->h != NULL ? error_last() : "",
		    d->app);
		goto done;
	}
	if (n > 0 && strcmp(commits[0], d->previous) != 0) {
		error_set("\"%s\" is recorded as running %.7s, but its newest "
		    "succeeded deploy is %.7s: not choosing a release against "
		    "a record that disagrees; name it (slipway rollback %s REV)",
		    d->app, d->previous, commits[0], d->app);
		goto done;
	}
	for (i = 0; i < n && *rev == NULL; i++) {
		if (strcmp(commits[i], d->previous) != 0)
			*rev = xstrdup(commits[i]);
	}
	if (*rev == NULL) {
		error_set("\"%s\" has no earlier succeeded release to roll back "
		    "to", d->app);
		goto done;
	}
	rc = 0;
done:
	for (i = 0; i < n; i++)
		free(commits[i]);
	free(commits);
	return rc;
}

/* The steps after the lock; 0 deployed, -1 failed (rolled back when it could). */
static int
run_deploy(struct deploy *d, char **message)
{
	const struct config *cfg = d->cfg;
	const char *rev = d->opts->rev ? d->opts->rev : cfg->branch;
	struct converge_opts co = { 0 };
	struct strv changed = STRV_INIT;
	char commit[41], *subject = NULL, *failed = NULL, *reason = NULL;
	char *picked = NULL;
	long long t0 = now_ms(), t1;
	int rc = -1, swarm;

	free(d->previous);
	d->previous = read_commit_file(d, "current");
	if (d->opts->live && d->previous == NULL) {
		/* Nothing runs: the change waits for the first deploy. */
		if (d->opts->edit != NULL && save_next(d) == 0) {
			out_info("-----> %s has no live release: the change takes effect at its first deploy",
			    d->app);
			*message = xstrdup("stored; nothing was live");
			rc = 0;
		} else if (d->opts->edit == NULL)
			error_set("app \"%s\" has no live release", d->app);
		goto done;
	}
	if (d->opts->previous) {
		if (pick_previous(d, &picked) < 0)
			goto done;
		rev = picked;
	}
	if (d->opts->live)
		memcpy(commit, d->previous, 41);
	else if (repo_resolve(d->repo, rev, d->opts->from_env, commit) < 0) {
		if (d->opts->rev == NULL && d->previous == NULL &&
		    repo_resolve(d->repo, "HEAD", d->opts->from_env,
		    commit) < 0)
			error_set("app \"%s\" has nothing to deploy yet: its "
			    "branch \"%s\" has no commit (push to it first)",
			    d->app, rev);
		goto done;
	}
	memcpy(d->commit, commit, 41);
	if (d->h != NULL && history_set_commit(d->h, d->row, commit) < 0)
		out_warn("warning: the history will not show the commit: %s",
		    error_last());
	if (d->opts->skip_if_live && d->previous &&
	    strcmp(d->previous, commit) == 0) {
		out_info("-----> %.7s is already live", commit);
		*message = xasprintf("%.7s was already live", commit);
		rc = 0;
		goto done;
	}
	subject = repo_subject(d->repo, commit, d->opts->from_env);
	out_info("-----> Deploying %s %.7s%s%s", d->app, commit, subject ? ": " : "",
	    subject ? subject : "");
	if (mark_deploying(d, commit) < 0)
		goto done;
	if (load_release(d, commit, &d->vars_next, &d->ops_next, &d->rel) < 0)
		goto done;
	if (claim_hosts(d, &d->rel, 0) < 0)
		goto done;
	if (d->engine == NULL && engine_open_retry(&d->engine, cfg->docker_host,
	    cfg->engine_retry) < 0)
		goto done;
	/* [deploy] timeout: no engine request runs past it. */
	if (cfg->deploy_timeout > 0) {
		d->deadline_ms = t0 + cfg->deploy_timeout * 1000;
		engine_set_deadline(d->engine, d->deadline_ms);
	}
	swarm = config_app_swarm(cfg, d->app);
	if (swarm && (swarm_require_manager(d->engine) < 0 ||
	    stack_check(d->rel.project) < 0))
		goto done;
	/* A target switch: the other form would clash (ports, two copies). */
	if (claims_needed(d->rel.project)) {
		if (check_port_claims(d, swarm) < 0)
			goto done;
	} else if (swarm_other_form(d->engine, d->app, swarm, NULL) < 0)
		goto done;
	if (prepare_images(d, &d->rel, d->opts->no_build) < 0)
		goto done;
	if (swarm) {
		if (record_prepare(d) < 0)
			goto done;
		d->journaled = 1;
		if (run_stack(d) < 0)
			goto done;
		goto live;
	}
	if (release_commands(d, &changed) < 0)
		goto changed_or_done;
	co.commit = d->rel.commit;
	co.wait_timeout_ms = cfg->health_timeout * 1000;
	co.changed = &changed;
	co.cfg = cfg;
	co.site_template = d->opts->site_template;
	co.before_change = journal_before_change;
	co.before_ctx = d;
	t1 = now_ms();
	if (converge_project(d->engine, d->rel.project, d->rel.images,
	    d->rel.nimages, &co) < 0) {
		if (!d->journaled && changed.n == 0)
			goto done;      /* nothing was changed */
		goto failed;
	}
	d->t_converge = now_ms() - t1;
	/* Nothing changed, but a new commit is recorded all the same. */
	if (!d->journaled && new_commit(d, commit)) {
		if (journal_before_change(d) < 0)
			goto done;
	}
	if (health_gate(d, &changed, &failed) < 0)
		goto failed;
	/* Only now: a one-shot that exited 0 is never started again. */
	if (converge_default_restart(d->engine, cfg->docker_host, d->rel.project,
	    cfg->default_restart, &changed) < 0)
		out_warn("warning: %s", error_last());
live:
	/* Live. */
	if (d->opts->edit != NULL && save_next(d) < 0)
		goto done;
	save_live(d, &d->rel);
	if (claim_hosts(d, &d->rel, 1) < 0)
		out_warn("warning: %s", error_last());
	out_info("-----> Deployed %s %.7s in %.2fs (build %.2fs, containers %.2fs, health %.2fs)",
	    d->app, commit, (now_ms() - t0) / 1000.0, d->t_build / 1000.0,
	    d->t_converge / 1000.0, d->t_gate / 1000.0);
	if (d->journaled && record_live(d) < 0) {
		out_warn("warning: %.7s is live but not recorded: %s; the next "
		    "slipway run for %s records it", commit, error_last(), d->app);
		d->unrecorded = 1;
	}
	*message = xasprintf("deployed %.7s", commit);
	rc = 0;
	goto done;
changed_or_done:
	/* Only what the release command needed changed: put it back. */
	if (changed.n == 0 || d->previous == NULL)
		goto done;
failed:
	reason = error_save();
	out_warn("error: %s", reason);
	/* The rollback gets its own time, even when the deploy's is up. */
	if (cfg->deploy_timeout > 0)
		engine_set_deadline(d->engine, now_ms() +
		    (cfg->health_timeout + 120) * 1000);
	if (failed != NULL)
		show_logs(d, failed);
	rollback_outcome(d, reason, roll_back_retrying(d) == 0, "rolled back");
done:
	/* Without the history, what to keep is unknown: remove nothing. */
	if (rc == 0 && d->engine != NULL && d->rel.project != NULL &&
	    d->h != NULL && !d->unrecorded && new_commit(d, d->rel.commit))
		retain(d, d->h);
	json_decref(images_ahead_take(d));
	strv_clear(&changed);
	free(picked);
	free(reason);
	free(failed);
	free(subject);
	return rc;
}

/* The notification of how the deploy ended (new reference). */
static json_t *
deploy_event(const struct deploy *d, long long row, const char *status,
    const char *error, long long duration_ms)
{
	return json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:I, s:b, s:s?, s:{s:I, s:I, s:I, s:I}}",
	    "app", d->app, "event", d->opts->kind, "status", status,
	    "commit", d->commit[0] ? d->commit : NULL,
	    "user", d->opts->user, "history_id", (json_int_t)row,
	    "rolled_back", d->rolled_back, "error", error,
	    "durations_ms", "total", (json_int_t)duration_ms,
	    "build", (json_int_t)d->t_build, "containers",
	    (json_int_t)d->t_converge, "health", (json_int_t)d->t_gate);
}

static void
say_waiting(void *ctx)
{
	struct deploy *d = ctx;
	char *commit = read_commit_file(d, "deploying");

	out_info("-----> Waiting for the deploy of %.7s to finish", commit ? commit :
	    "another commit");
	free(commit);
}

/* The commit label of the app's newest running container, or NULL. */
static char *
newest_commit(struct deploy *d)
{
	char *label = xasprintf(LABEL_PROJECT "=%s", d->app);
	const char *labels[] = { label, LABEL_ONEOFF "=False" };
	json_t *list = NULL, *c;
	const char *commit = NULL;
	json_int_t newest = -1;
	size_t i;

	if (engine_container_list(d->engine, labels, 2, &list) == 0) {
		json_array_foreach(list, i, c) {
			const char *state = json_string_value(json_object_get(c,
			    "State"));
			json_int_t created = json_integer_value(json_object_get(c,
			    "Created"));

			if (state == NULL || strcmp(state, "running") != 0 ||
			    created <= newest)
				continue;
			newest = created;
			commit = json_string_value(json_object_get(json_object_get(
			    c, "Labels"), LABEL_COMMIT));
		}
	}
	commit = commit != NULL ? xstrdup(commit) : NULL;
	json_decref(list);
	free(label);
	error_clear();
	return (char *)commit;
}

/*
 * No journal, but a deploy that did not end (its history row still
 * running) whose commit the newest running container carries: it went live
 * without being recorded (a journal that could not be written). The
 * containers' labels are the truth: record it. Never fails the caller.
 */
static void
repair_from_labels(struct deploy *d)
{
	struct strv running = STRV_INIT;
	char *live = NULL, *current = NULL;

	if (d->h == NULL || history_running_commits(d->h, d->app,
	    &running) < 0 || running.n == 0)
		goto done;
	if (d->engine == NULL && engine_open_retry(&d->engine,
	    d->cfg->docker_host, d->cfg->engine_retry) < 0)
		goto done;
	live = newest_commit(d);
	current = read_commit_file(d, "current");
	if (live == NULL || !strv_contains(&running, live) ||
	    (current != NULL && strcmp(current, live) == 0))
		goto done;
	out_warn("warning: %s's record said %.7s, but its newest containers run "
	    "%.7s, whose deploy did not end: recording %.7s as live", d->app,
	    current != NULL ? current : "nothing", live, live);
	if ((current != NULL && write_commit_file(d, "previous", current) < 0) ||
	    write_commit_file(d, "current", live) < 0 ||
	    history_reap(d->h, d->app, live) < 0)
		out_warn("warning: %s", error_last());
done:
	error_clear();
	strv_clear(&running);
	free(current);
	free(live);
}

/*
 * A deploy journal left by a run that did not end: finish recording a
 * release that had passed its gate, or restore the previous one. Without a
 * journal, a deploy that went live unrecorded is recorded from the
 * containers' labels. Under the app's lock. 0 when nothing is left pending,
 * -1 when the restore failed (the journal stays for the next run).
 */
static int
recover_locked(struct deploy *d)
{
	struct journal j;
	char *msg = NULL;
	int r = journal_read(d->app_dir, &j), rc = -1;

	if (r == 1) {
		repair_from_labels(d);
		return 0;
	}
	if (r < 0) {
		out_warn("warning: %s: removed", error_last());
		return journal_clear(d->app_dir);
	}
	if (j.phase == JOURNAL_LIVE) {
		out_info("-----> Recovering %s: %.7s had passed its health gate "
		    "when slipway stopped; recording it as live", d->app, j.target);
		if ((j.previous[0] != '\0' &&
		    write_commit_file(d, "previous", j.previous) < 0) ||
		    write_commit_file(d, "current", j.target) < 0)
			return error_set("cannot record %.7s of \"%s\": %s", j.target,
			    d->app, error_last());
		msg = xstrdup("deployed; recorded by the next run (slipway "
		    "stopped before it could)");
		if (d->h != NULL && j.row > 0 &&
		    history_mark(d->h, j.row, "succeeded", msg) < 0)
			out_warn("warning: %s", error_last());
		rc = journal_clear(d->app_dir);
		goto done;
	}
	if (j.previous[0] == '\0') {
		out_warn("warning: the first deploy of %s (%.7s) did not end, and "
		    "there is no earlier release to restore", d->app, j.target);
		msg = xstrdup("interrupted: slipway stopped before the deploy ended");
	} else {
		out_info("-----> Recovering %s: the deploy of %.7s did not end; "
		    "restoring %.7s", d->app, j.target, j.previous);
		free(d->previous);
		d->previous = xstrdup(j.previous);
		if (d->engine == NULL && engine_open_retry(&d->engine,
		    d->cfg->docker_host, d->cfg->engine_retry) < 0)
			goto fail;
		if (roll_back_retrying(d) < 0)
			goto fail;
		if (write_commit_file(d, "current", j.previous) < 0)
			out_warn("warning: %s", error_last());
		msg = xasprintf("interrupted: slipway stopped before the deploy "
		    "ended; %.7s was restored", j.previous);
	}
	if (d->h != NULL && j.row > 0 &&
	    history_mark(d->h, j.row, "failed", msg) < 0)
		out_warn("warning: %s", error_last());
	rc = journal_clear(d->app_dir);
	goto done;
fail:
	error_set("cannot restore %.7s of \"%s\": %s; the deploy journal keeps "
	    "it pending", j.previous, d->app, error_last());
done:
	free(msg);
	return rc;
}

/* Open the history for d, or go on without it after one warning line. */
static void
open_history(struct deploy *d)
{
	if (history_open(&d->h, d->cfg->state_dir) < 0) {
		out_warn("warning: %s; going on without the history", error_last());
		d->h = NULL;
	}
}

/* Load the app's config variables for interpolation; mark them secret. */
static int
load_vars(struct deploy *d)
{
	size_t i;

	if (appvars_load(d->cfg, d->app, &d->vars) < 0)
		return -1;
	for (i = 0; i < d->vars.n; i++)
		out_redact(d->vars.v[i].value);
	return 0;
}

static void
deploy_dispose(struct deploy *d)
{
	json_decref(images_ahead_take(d));
	strv_clear(&d->apps);
	free(d->platform);
	history_close(d->h);
	release_dispose(&d->rel);
	engine_free(d->engine);
	kvlist_clear(&d->vars);
	kvlist_clear(&d->vars_next);
	app_ops_dispose(&d->ops);
	app_ops_dispose(&d->ops_next);
	free(d->previous);
	free(d->app_dir);
	free(d->repo);
}

int
deploy_recover(const struct config *cfg, const char *app,
    const char *site_template, int wait)
{
	struct deploy d = { 0 };
	struct deploy_opts opts = { 0 };
	int lock = -1, rc = -1;

	if (name_check_app(app) < 0)
		return -1;
	opts.kind = "recover";
	opts.site_template = site_template;
	d.cfg = cfg;
	d.opts = &opts;
	d.app = app;
	d.repo = state_repo_path(cfg, app);
	d.app_dir = state_app_dir(cfg, app);
	if (!is_dir(d.repo)) {
		error_set("app \"%s\" does not exist", app);
		goto done;
	}
	lock = wait ? state_lock(cfg, app, NULL, NULL) : state_trylock(cfg, app);
	if (lock == -2) {
		rc = 0; /* a deploy runs: the journal is its own */
		goto done;
	}
	if (lock < 0)
		goto done;
	open_history(&d);
	if (load_vars(&d) < 0)
		goto done;
	rc = recover_locked(&d);
	if (rc == 0 && d.h != NULL)
		rc = history_reap(d.h, app, NULL);
done:
	if (lock >= 0)
		close(lock);
	deploy_dispose(&d);
	return rc;
}

int
deploy_app(const struct config *cfg, const char *app,
    const struct deploy_opts *opts)
{
	struct deploy d = { 0 };
	struct tee tee = { BUF_INIT, NULL };
	struct sigaction ign, old_int, old_hup;
	json_t *event = NULL;
	char *message = NULL, *deploying = NULL, *log = NULL, *msg = NULL;
	long long t0 = now_ms();
	int lock = -1, rc = -1, i, finished = 0;
	size_t k;

	d.cfg = cfg;
	d.opts = opts;
	d.app = app;
	if (name_check_app(app) < 0)
		return -1;
	d.repo = state_repo_path(cfg, app);
	d.app_dir = state_app_dir(cfg, app);
	if (!is_dir(d.repo)) {
		error_set("app \"%s\" does not exist", app);
		goto out;
	}
	/* libgit2's start-up (a thread: it parses the CA bundle) overlaps
	 * the lock's and the history's; libcurl's comes first, as both
	 * initialise libssh2, which is not safe from two threads at once
	 * (main() has done both already for a command that deploys). */
	engine_preload();
	repo_preload();
	/* One open of the repository for the whole deploy. */
	repo_hold(d.repo, opts->from_env);
	/* A pusher who goes away (Ctrl-C, hang-up) must not stop a deploy
	 * half-way: it finishes or rolls back. */
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGHUP, &ign, &old_hup);
	if ((lock = state_lock(cfg, app, say_waiting, &d)) < 0)
		goto restore;
	tee.log.max = DEPLOY_LOG_MAX;
	tee.stream = stream_start(STREAM_QUEUE_MAX);
	out_set_sink(tee_sink, &tee);
	open_history(&d);
	if (load_vars(&d) < 0 || recover_locked(&d) < 0)
		goto unsink;
	if (d.h != NULL && (history_reap(d.h, app, NULL) < 0 ||
	    history_begin(d.h, app, opts->kind, opts->rev ? opts->rev :
	    cfg->branch, opts->user, &d.row) < 0)) {
		out_warn("warning: %s; this deploy is not recorded in the history",
		    error_last());
		history_close(d.h);
		d.h = NULL;
	}
	if (app_ops_load(cfg, app, &d.ops) < 0)
		goto unsink;
	for (k = 0; k < d.vars.n; k++)
		kvlist_set(&d.vars_next, d.vars.v[k].key, d.vars.v[k].value);
	app_ops_copy(&d.ops_next, &d.ops);
	if (opts->edit == NULL ||
	    opts->edit(opts->edit_ctx, &d.vars_next, &d.ops_next) == 0) {
		for (k = 0; k < d.vars_next.n; k++)
			out_redact(d.vars_next.v[k].value);
		rc = run_deploy(&d, &message);
	}
	if (rc < 0) {
		char *orig = xstrdup(error_last());

		/* Whatever failed to write, a full state_dir is the cause. */
		if (state_no_space(cfg->state_dir, 0)) {
			char *space = xstrdup(error_last());

			error_set("%s; %s", space, orig);
			free(space);
		} else
			error_set("%s", orig);
		free(orig);
		msg = out_redacted(error_last());
	}
	log = out_redacted(tee.log.buf);
	/* The history row, then the journal: a crash between leaves the
	 * journal to say how the deploy ended. */
	for (i = 0; d.h != NULL && i < RECORD_TRIES && !finished; i++) {
		if (i > 0)
			sleep_ms(1000);
		finished = history_finish(d.h, d.row, rc < 0 ? "failed" :
		    "succeeded", rc < 0 ? msg : message, log,
		    now_ms() - t0) == 0;
	}
	if (d.h != NULL && !finished && rc == 0)
		out_warn("warning: %.7s is live but not recorded in the history: "
		    "%s; the next slipway run for %s records it", d.rel.commit,
		    error_last(), app);
	else if (d.h != NULL && !finished)
		out_warn("warning: this deploy is not recorded in the history: %s",
		    error_last());
	if (d.journaled && !d.pending && !d.unrecorded &&
	    (finished || rc < 0 || d.h == NULL) && journal_clear(d.app_dir) < 0)
		out_warn("warning: %s", error_last());
	if (rc < 0 && msg != NULL) {
		char *first = xstrndup(msg, strcspn(msg, "\n"));

		event = deploy_event(&d, d.row, "failed", first, now_ms() - t0);
		free(first);
		error_set("%s", msg);
	} else if (rc == 0)
		event = deploy_event(&d, d.row, "succeeded", NULL, now_ms() - t0);
	deploying = app_file(&d, "deploying");
	if (unlink(deploying) < 0 && errno != ENOENT)
		out_warn("warning: cannot remove \"%s\": %s", deploying,
		    strerror(errno));
unsink:
	out_set_sink(NULL, NULL);
restore:
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
out:
	if (lock >= 0)
		close(lock);
	/* The lock is free: a slow pusher now holds nothing but this process. */
	stream_finish(tee.stream, STREAM_DRAIN_MS);
	/* Live, unlocked: a certificate is asked for beside the deploy. */
	if (rc == 0 && d.rel.project != NULL && opts->site_template != NULL &&
	    (opts->kind == NULL || strcmp(opts->kind, "certs") != 0) &&
	    !config_app_swarm(cfg, app) && /* nginx does not serve those */
	    cutover_certs_missing(cfg, d.rel.project))
		certs_request(cfg, app);
	/* After the lock and the history are closed: the sender outlives us. */
	history_close(d.h);
	d.h = NULL;
	if (event != NULL)
		announce(cfg, app, d.row, event);
	json_decref(event);
	buf_release(&tee.log);
	deploy_dispose(&d);
	repo_unhold();		/* after the release's trees, in deploy_dispose */
	free(deploying);
	free(message);
	free(msg);
	free(log);
	return rc;
}
