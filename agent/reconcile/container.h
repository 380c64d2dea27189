/*
 * container.h - the container primitives both converge and cutover use:
 * create one container of a service (attached to all its networks), and the
 * stop timeout a service asks for. Neither decides what to change.
 */
#ifndef SLIPWAY_CONTAINER_H
#define SLIPWAY_CONTAINER_H

#include "compose/compose.h"
#include "engine/engine.h"
#include "lib/config.h"
#include "lib/util.h"
#include "reconcile/plan.h"

/* The image each active service runs in this release. */
struct service_image {
	const char *service;
	char *ref;     /* "app-web:<sha>" or the service's image */
	char *id;      /* sha256:... */
};

struct converge_opts {
	const char *commit;       /* slipway.commit label */
	long wait_timeout_ms;     /* for dependency conditions */
	int dry_run;              /* compute and report the plan only */
	struct strv *changed;     /* out: names of containers created or started */
	/* Converge only these services (no removals, no site): NULL = all. */
	const struct strv *only;
	/* Web services (x-slipway.http) go through nginx when both are set. */
	const struct config *cfg;
	const char *site_template; /* path of templates/nginx-site.conf */
	/* Called once, before the first change to anything that runs (its
	 * failure changes nothing); never when nothing is to change. */
	int (*before_change)(void *ctx);
	void *before_ctx;
};

/*
 * Create (not start) container `number` of s under name, attached to every
 * network of s. Its id in *id_out. old: the container it replaces (or NULL),
 * whose anonymous volumes it takes over (container_inherit_volumes).
 */
MUST_CHECK int container_create(struct engine *e, const struct compose_project *p,
    const struct compose_service *s, int number, const char *name,
    const struct service_image *img, const char *hash,
    const struct converge_opts *opts, const struct observed *old,
    char **id_out);

/* Is name the engine's name for an anonymous volume (64 hex digits)? */
int container_anonymous_volume(const char *name);

/*
 * Into a container create body, the anonymous volumes of the container it
 * replaces, as compose does (create.go buildContainerMountOptions): the data
 * of `volumes: [/data]` and of the image's VOLUME lives on across deploys.
 * Each of old's anonymous volumes becomes the source of the body's anonymous
 * volume at the same target or, when the body mounts nothing there and the
 * image (image_volumes: its Config.Volumes, may be NULL) declares the target,
 * a volume mount of its own. Returns how many it took over.
 */
size_t container_inherit_volumes(json_t *body, const struct observed *old,
    json_t *image_volumes);

/*
 * Remove a container a failed step leaves behind, with the anonymous volumes
 * the engine made for it (not those it took over from the container it was
 * to replace), keeping the error that step set; a removal that fails too is
 * reported with out_warn().
 */
void container_discard(struct engine *e, const char *id);

/*
 * Right before a create: check the binds of s again (binds_verify) and name
 * the containers of network_mode/pid/ipc "service:x" by ID, after checking
 * their labels say they are x's of this project. 0 or -1 with error_set.
 */
MUST_CHECK int container_vet(struct engine *e, const struct compose_project *p,
    const struct compose_service *s, json_t *body);

/* Copy the secret and config values of s into container id (not started). */
MUST_CHECK int container_copy_files(struct engine *e, const struct compose_project *p,
    const struct compose_service *s, const char *id);

/*
 * Run the post_start (post_start 1) or pre_stop hooks of s in container id,
 * named name in messages; each must exit 0 within a minute.
 */
MUST_CHECK int container_hooks(struct engine *e, const struct compose_service *s,
    const char *id, const char *name, int post_start);
/*
 * The pre_stop hooks of s in container id when state is "running" (s NULL:
 * an orphan, none); a failing hook is a warning: the container stops
 * anyway, as in compose.
 */
void container_pre_stop(struct engine *e, const struct compose_service *s,
    const char *id, const char *name, const char *state);

/* The stop timeout of s in seconds, or -1 for the engine's default. */
long container_stop_timeout(const struct compose_service *s);

/*
 * Stop container id (called name in messages) of service s (NULL: unknown)
 * within its grace period. When it ignored SIGTERM and had to be killed,
 * says so with out_warn() and what to change. 0 or -1 with error_set.
 */
MUST_CHECK int container_stop(struct engine *e, const struct compose_service *s,
    const char *id, const char *name);

#endif
