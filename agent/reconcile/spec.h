/*
 * spec.h - from a compose service to the Engine API's container create body,
 * the way docker compose v2 (pkg/compose/create.go) maps each field, with
 * compose's labels and slipway's canonical config hash.
 */
#ifndef SLIPWAY_SPEC_H
#define SLIPWAY_SPEC_H

#include <jansson.h>

#include "compose/compose.h"

#define LABEL_PROJECT "com.docker.compose.project"
#define LABEL_SERVICE "com.docker.compose.service"
#define LABEL_NUMBER "com.docker.compose.container-number"
#define LABEL_ONEOFF "com.docker.compose.oneoff"
#define LABEL_HASH "com.docker.compose.config-hash"
#define LABEL_WORKDIR "com.docker.compose.project.working_dir"
#define LABEL_FILES "com.docker.compose.project.config_files"
#define LABEL_VERSION "com.docker.compose.version"
#define LABEL_IMAGE "com.docker.compose.image"
#define LABEL_DEPENDS "com.docker.compose.depends_on"
#define LABEL_NETWORK "com.docker.compose.network"
#define LABEL_VOLUME "com.docker.compose.volume"
#define LABEL_COMMIT "slipway.commit"
/* The compose version slipway claims in its labels. */
#define SPEC_COMPOSE_VERSION "2.40.3"

/*
 * The canonical hash of the service's effective configuration: everything
 * that ends up in the container, except what varies per container (name,
 * number) or per release when nothing changed (commit label, working dir).
 * image_ref is the image the container runs (its tag carries the commit, so
 * the image *ID* is compared separately by the planner). Returns 40 hex chars
 * (allocated).
 */
char *spec_config_hash(const struct compose_project *p,
    const struct compose_service *s);

/* The hash of a JSON document, its keys sorted: 40 hex chars (allocated). */
char *spec_hash_json(json_t *body);

/* The container name: container_name, or <project>-<service>-<number>. */
char *spec_container_name(const struct compose_project *p,
    const struct compose_service *s, int number);

/* The image reference a service runs for commit: see the README. */
char *spec_image_ref(const struct compose_project *p,
    const struct compose_service *s, const char *commit);

/*
 * The name compose gives the image service s builds, which slipway tags as
 * well as the commit tag: its image: (":latest" added when it names no tag),
 * or <project>-<service>:latest. NULL when s builds nothing. Allocated.
 */
char *spec_image_name(const struct compose_project *p,
    const struct compose_service *s);
/* Does the image reference ref name what builder builds? */
int spec_image_builds(const struct compose_project *p,
    const struct compose_service *builder, const char *ref);
/*
 * The active service that builds the image s only names (image: X without
 * build:, where another service has build: and image: X), or NULL: s then
 * runs that service's image of the same commit.
 */
const struct compose_service *spec_image_builder(
    const struct compose_project *p, const struct compose_service *s);

/*
 * The body of POST /containers/create for container `number` of service s,
 * running image_ref (whose ID is image_id) deployed from commit, with the
 * config hash `hash`. api is the negotiated API version as a number (141):
 * below 144 only the first network goes into NetworkingConfig, the others are
 * returned by spec_extra_networks() to connect before start. New reference.
 */
json_t *spec_container(const struct compose_project *p,
    const struct compose_service *s, int number, const char *image_ref,
    const char *image_id, const char *commit, const char *hash, int api);

/* The exec create body of a post_start / pre_stop hook. New reference. */
json_t *spec_hook(const struct compose_hook *h);
/*
 * Into a container config (or a Swarm ContainerSpec): "Healthcheck" from h
 * (StartInterval only from API 1.44, api as engine_version_num), and "Env"
 * as "K=V" ("K" when unset) sorted by key, so the same file gives the same
 * JSON.
 */
void spec_add_healthcheck(const struct compose_healthcheck *h, int api,
    json_t *config);
void spec_add_env(const struct kvlist *env, json_t *config);

/* A secret or config value copied into the container before it starts. */
struct spec_copy {
	const char *target;   /* absolute path in the container */
	const char *content;
	const char *uid, *gid; /* NULL = 0 */
	long mode;            /* -1 = 0444 */
};
/* The values s gets copied in, at most max of them. */
size_t spec_copies(const struct compose_project *p,
    const struct compose_service *s, struct spec_copy *out, size_t max);

/*
 * The engine network name of each network the service joins, first first,
 * into out (cleared first; it grows, nothing is left out). Returns out->n.
 */
size_t spec_service_networks(const struct compose_project *p,
    const struct compose_service *s, struct strv *out);

/*
 * The EndpointSettings (aliases, ipv4) for the service's i-th network, for
 * POST /networks/{id}/connect. New reference.
 */
json_t *spec_endpoint(const struct compose_project *p,
    const struct compose_service *s, int number, size_t i);

/* The named volumes (engine names) the service mounts, once each, into out
 * (cleared first). Returns out->n. */
size_t spec_service_volumes(const struct compose_project *p,
    const struct compose_service *s, struct strv *out);

/*
 * POST /networks/create and /volumes/create bodies, with compose's labels; a
 * network carries its config hash (spec_network_hash) in LABEL_HASH, which
 * tells a changed network from an unchanged one on the next deploy.
 */
char *spec_network_hash(const struct compose_project *p,
    const struct compose_network *n);
json_t *spec_network(const struct compose_project *p,
    const struct compose_network *n);
json_t *spec_volume(const struct compose_project *p,
    const struct compose_volume *v);

#endif
