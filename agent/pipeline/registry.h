/*
 * registry.h - the pipeline's registries: which credentials an image
 * reference gets, the images of image-only services pulled by their
 * pull_policy, built images pushed to [registry] push, and the digests each
 * release ran, kept so that a rollback runs the same ones.
 */
#ifndef SLIPWAY_REGISTRY_H
#define SLIPWAY_REGISTRY_H

#include <time.h>

#include "engine/engine.h"
#include "lib/config.h"
#include "lib/kvlist.h"
#include "lib/util.h"

/* The registry host of ref ("docker.io" when it names none); allocated. */
char *registry_host_of(const char *ref);

/*
 * The X-Registry-Auth value for host from its [registry "HOST"] section, or
 * *auth = NULL when there is none. The password and the value are
 * registered with out_redact().
 */
MUST_CHECK int registry_auth(const struct config *cfg, const char *host,
    char **auth);

/*
 * Refuse an image reference of app's compose file that lies under a push
 * namespace ([registry] push of the server or of any app) other than app's
 * own "<push>/<app>-": one app may not run (or pull with the server's
 * credentials) what slipway pushed for another.
 */
MUST_CHECK int registry_check_ref(const struct config *cfg, const char *app,
    const char *ref);

/*
 * pull_policy of a service, checked; "build" only when buildable (the
 * service has a build section).
 */
enum pull_policy {
	PULL_MISSING,
	PULL_ALWAYS,
	PULL_NEVER,
	PULL_EVERY,	/* daily, weekly, every_<duration>: with an interval */
	PULL_BUILD,	/* build it, even when its image exists */
};
MUST_CHECK int registry_pull_policy(const char *service, const char *value,
    int buildable, enum pull_policy *policy, long long *interval_s);

/*
 * The X-Registry-Config of a build: the credentials of every [registry
 * "HOST"] section (so that a FROM a private registry can be pulled), or
 * *out = NULL when there is none; a section whose password cannot be read
 * is left out with a warning. Passwords and the value are registered with
 * out_redact().
 */
MUST_CHECK int registry_build_config(const struct config *cfg, char **out);

/*
 * Before building a service that names image, as compose does: with
 * pull_policy always (or daily/weekly/every_ when its last pull is that old)
 * pull image; 1 when pulled (*info: its inspect answer; the pull replaces
 * the build), 0 when there is nothing to pull or the pull failed (a
 * warning: the service is built), -1 on error.
 */
MUST_CHECK int registry_pull_for_build(struct engine *e,
    const struct config *cfg, const char *app, const char *app_dir,
    const char *service, enum pull_policy policy, long long interval,
    const char *image, json_t **info);

/* Pull ref (progress through out_info); *digest may be NULL. */
MUST_CHECK int registry_pull(struct engine *e, const struct config *cfg,
    const char *ref, char **digest);

/*
 * Make sure the image-only service's image ref is on the host as its
 * pull_policy says (app_dir keeps the last pull time of each image). *info
 * gets the image's inspect answer (the caller checks whose it is).
 */
MUST_CHECK int registry_ensure(struct engine *e, const struct config *cfg,
    const char *app, const char *app_dir, const char *service,
    const char *pull_policy, const char *ref, json_t **info);

/* "HOST/PREFIX/<app>-<service>" of app's push target, or NULL. */
char *registry_push_name(const struct config *cfg, const char *app,
    const char *service);

/*
 * Tag local image id as registry_push_name():tag and push it; *digest gets
 * the pushed manifest digest.
 */
MUST_CHECK int registry_push(struct engine *e, const struct config *cfg,
    const char *app, const char *service, const char *id, const char *tag,
    char **digest);

/*
 * Bring back the image of a built service that retention removed: pull
 * digest ("repository@sha256:...", the one the release ran) when given,
 * else registry_push_name():commit, and tag it local_ref; *id gets its id.
 */
MUST_CHECK int registry_restore(struct engine *e, const struct config *cfg,
    const char *app, const char *service, const char *local_ref,
    const char *commit, const char *digest, char **id);

/*
 * The digests a release ran: service -> "repository@sha256:..." in
 * <app_dir>/digests/<commit>.json.
 */
MUST_CHECK int registry_digests_save(const char *app_dir, const char *commit,
    const struct kvlist *digests);
/* Load them; a release without a record loads an empty list. */
MUST_CHECK int registry_digests_load(const char *app_dir, const char *commit,
    struct kvlist *digests);

/* The repository@digest of local image ref (from RepoDigests), or NULL. */
char *registry_repo_digest(struct engine *e, const char *ref);

/*
 * `slipway pull APP`: pull the images of the live release's image-only
 * services again (pull_policy never: skipped), without deploying.
 */
MUST_CHECK int registry_pull_app(const struct config *cfg, const char *app);

#endif
