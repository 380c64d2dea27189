/*
 * swarm.h - deploy a compose project as a Swarm stack through one manager:
 * create or update (only what changed) each service, hold the changed ones
 * to a health gate, ask Swarm to roll them back, prune what the file no
 * longer has. Only objects labelled com.docker.stack.namespace=<app> are
 * ever touched.
 */
#ifndef SLIPWAY_SWARM_H
#define SLIPWAY_SWARM_H

#include "compose/compose.h"
#include "engine/engine.h"
#include "reconcile/claims.h"
#include "reconcile/container.h"
#include "lib/util.h"

/* 0 when the engine is a Swarm manager; else -1 saying how to make it one. */
MUST_CHECK int swarm_require_manager(struct engine *e);

/* One service this deploy created or updated. */
struct swarm_change {
	char *id;
	char *name;        /* <app>_<service> */
	int created;
	long long version; /* Version.Index after the change */
};

struct swarm_changes {
	struct swarm_change *v;
	size_t n, alloc;
};
void swarm_changes_dispose(struct swarm_changes *c);

/*
 * The image each service runs: repository@digest of a pushed image, or the
 * local image's ID; label is the name shown (com.docker.stack.image); auth
 * the registry's credentials, which Swarm hands to the nodes that pull.
 */
struct swarm_image {
	const char *service;
	const char *ref;
	const char *label;
	const char *auth;  /* X-Registry-Auth for the nodes' pulls, or NULL */
};

/*
 * Create the overlay networks, then create each active service or update it
 * when the spec slipway would send differs from the one it sent last time
 * (STACK_LABEL_HASH); an unchanged service is not touched. Changes are
 * appended to ch (also when this fails half-way, so they can be undone).
 */
MUST_CHECK int swarm_deploy(struct engine *e, const struct compose_project *p,
    const struct swarm_image *images, size_t nimages, const char *commit,
    struct swarm_changes *ch);

/*
 * Wait up to timeout_ms for every change: an update's UpdateStatus reaches
 * completed, and every service's tasks run (healthy, where a healthcheck
 * exists: Swarm reports running only then) as many as it wants. On failure
 * -1 with the failing task's error; *failed gets the service's ID.
 */
MUST_CHECK int swarm_gate(struct engine *e, const struct swarm_changes *ch,
    long timeout_ms, char **failed);

/*
 * Undo ch: each updated service is rolled back by Swarm (rollback=previous,
 * unless Swarm is already doing so) and waited for; each created one is
 * removed. 0 or -1.
 */
MUST_CHECK int swarm_undo(struct engine *e, const struct swarm_changes *ch,
    long timeout_ms);

/*
 * Like docker stack deploy --prune: remove the services of namespace app
 * that p does not run (inactive ones included), then its networks no
 * service uses any longer.
 */
MUST_CHECK int swarm_prune(struct engine *e, const struct compose_project *p);

/*
 * Remove every service and network of namespace app (app destroy), and
 * with volumes its named volumes on this node.
 */
MUST_CHECK int swarm_down(struct engine *e, const char *app, int volumes);

/*
 * Is app still running in the other form? For swarm (the app's target),
 * running containers of compose project app that no Swarm task owns; for
 * target engine, services of namespace app (only asked of a manager).
 * -1 with one line saying what to remove; 0 when none. With nb, the
 * engine's whole lists are read into it (for claims_check) and looked
 * through, instead of asking the engine for app's objects only.
 */
MUST_CHECK int swarm_other_form(struct engine *e, const char *app, int swarm,
    struct neighbours *nb);

/* The services of namespace app (GET /services, an array). */
MUST_CHECK int swarm_services(struct engine *e, const char *app,
    json_t **out);

/*
 * What the newest failed task of service id said ("task 2 failed: ..."),
 * or NULL.
 */
char *swarm_task_error(struct engine *e, const char *id);

/* Hand the last lines of service id's logs to line_fn. */
void swarm_service_tail(struct engine *e, const char *id, long lines,
    engine_line_fn line_fn, void *ctx);

#endif
