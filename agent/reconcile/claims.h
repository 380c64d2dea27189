/*
 * claims.h - the host ports a release would publish, checked against those
 * everything else on the engine publishes: running containers that are not
 * the app's and other stacks' Swarm services (an ingress port takes the port
 * on every address). A port another app or anyone else serves is refused
 * before any build, so no push can capture another's traffic.
 */
#ifndef SLIPWAY_CLAIMS_H
#define SLIPWAY_CLAIMS_H

#include <jansson.h>

#include "compose/compose.h"
#include "engine/engine.h"
#include "lib/util.h"

/*
 * What runs on the engine, read once for the checks that need it (this and
 * swarm_other_form): containers is GET /containers/json (running ones),
 * services GET /services; each NULL until read, services also when the
 * engine is no Swarm manager (services_read tells).
 */
struct neighbours {
	json_t *containers;
	json_t *services;
	int services_read;
};
#define NEIGHBOURS_INIT { NULL, NULL, 0 }

/* Read what nb lacks of containers and services (flags: read them). */
MUST_CHECK int neighbours_read(struct engine *e, struct neighbours *nb,
    int containers, int services);
void neighbours_dispose(struct neighbours *nb);

/* Does p publish a fixed host port (the only ones a check is for)? */
int claims_needed(const struct compose_project *p);

/*
 * 0 when no host port of p overlaps one published by nb's containers and
 * services that are not app p->name's (labels com.docker.compose.project,
 * com.docker.stack.namespace), else -1 naming the holder: an app of apps by
 * name and container or service, anything else by its name only.
 */
MUST_CHECK int claims_check(const struct neighbours *nb,
    const struct compose_project *p, const struct strv *apps);

#endif
