/*
 * policy.h - what a pushed compose file may ask of the host. Push access must
 * not become root: refuse, before anything changes, privileged containers,
 * host namespaces, dangerous capabilities and security options, and binds or
 * volume driver options that reach outside the release directory, unless the
 * server's [app "NAME"] allow = ... lifts that rule.
 */
#ifndef SLIPWAY_POLICY_H
#define SLIPWAY_POLICY_H

#include "compose/compose.h"
#include "lib/util.h"

/* The capabilities cap_add may name without `allow = caps`. */
extern const char *const policy_default_caps[];

/*
 * 0 when p obeys the policy given the allow flags (ALLOW_* of config.h), else
 * -1 with an error naming the service and key:
 *   compose.yaml: service "web": "privileged" is not allowed here (an
 *   operator can set allow = privileged for this app)
 */
MUST_CHECK int policy_check(const struct compose_project *p, unsigned allow);

/*
 * The names p's services would take on the engine must not fall in another
 * app's: apps "a" and "a-b" both exist, so "a"'s service "b-web" (containers
 * "a-b-web-N", images "a-b-web:<sha>") is refused. apps lists every app.
 */
int policy_check_neighbours(const struct compose_project *p,
    const struct strv *apps);

#endif
