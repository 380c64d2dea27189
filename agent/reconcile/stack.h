/*
 * stack.h - from a compose project to a Docker Swarm stack, the way
 * `docker stack deploy` converts one (docker/cli cli/compose/convert): one
 * ServiceSpec per service named <app>_<service>, overlay networks, all
 * labelled com.docker.stack.namespace=<app>. Pure: no engine calls.
 */
#ifndef SLIPWAY_STACK_H
#define SLIPWAY_STACK_H

#include <jansson.h>

#include "compose/compose.h"
#include "lib/util.h"

#define STACK_LABEL_NAMESPACE "com.docker.stack.namespace"
#define STACK_LABEL_IMAGE "com.docker.stack.image"
/* The hash of what slipway sent (stack_spec_hash), on the service. */
#define STACK_LABEL_HASH "slipway.spec-hash"

/* "<app>_<service>" (allocated). */
char *stack_service_name(const struct compose_project *p,
    const struct compose_service *s);

/*
 * The ServiceSpec of active service s running image (repository@digest, or
 * a local image's ID, which no node tries to pull), deployed from commit;
 * image_label is the name shown in STACK_LABEL_IMAGE (the tag). Its labels
 * carry STACK_LABEL_HASH: the hash of the spec without what changes with
 * every release (commit, image label), so that a deploy that changes
 * nothing sends nothing. A key Swarm has no use for adds one line to
 * warnings (may be NULL). New reference.
 */
json_t *stack_service_spec(const struct compose_project *p,
    const struct compose_service *s, const char *image,
    const char *image_label, const char *commit, struct strv *warnings);

/*
 * Refuse what a Swarm stack cannot run as the file says (secrets and
 * configs, published ports bound to one address, bridge networks...): one
 * error naming the file, the service and the key. 0 or -1.
 */
MUST_CHECK int stack_check(const struct compose_project *p);

/* The POST /networks/create body of network n: overlay, labelled. */
json_t *stack_network_spec(const struct compose_project *p,
    const struct compose_network *n);

#endif
