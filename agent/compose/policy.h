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
 * Puts the engine names p asks for that are not the app's under its prefix,
 * with a warning each, so that files written for compose deploy unchanged:
 * container_name "db" becomes "<app>-db" (and "db" a network alias, so it
 * still resolves inside the app), a volume or network name: "shared"
 * becomes "<app>_shared". External ones, and names an allow flag lifts
 * (host-volumes, external-networks), are kept for policy_check to judge.
 * -1 when a name placed so would be another object's of the app.
 */
MUST_CHECK int policy_own_names(struct compose_project *p, unsigned allow);

/*
 * The names p's services would take on the engine must not fall in another
 * app's: apps "a" and "a-b" both exist, so "a"'s service "b-web" (containers
 * "a-b-web-N", images "a-b-web:<sha>") is refused. apps lists every app.
 */
int policy_check_neighbours(const struct compose_project *p,
    const struct strv *apps);

/*
 * A host port published on the engine by something that is not this app's:
 * protocol, host address (NULL, "", 0.0.0.0 or :: = every address, as a
 * Swarm ingress port), ports lo..hi, and who holds it for the message
 * ("app \"b\" (container b-web-1)").
 */
struct port_claim {
	const char *protocol;
	const char *ip;
	unsigned lo, hi;
	const char *owner;
};

/* Do a and b overlap: same protocol, ports in common, addresses that meet? */
int policy_claims_overlap(const struct port_claim *a,
    const struct port_claim *b);

/*
 * 0 when no host port p publishes overlaps one of the n claims, else -1:
 *   compose.yaml:2: service "web": "ports: 127.0.0.1:8080:80": host port
 *   8080/tcp is already published by app "b" (container b-web-1)
 */
int policy_check_port_claims(const struct compose_project *p,
    const struct port_claim *claims, size_t n);

#endif
