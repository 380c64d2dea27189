/*
 * converge.h - bring the engine to what a compose project describes: observe
 * the project's containers, compute the plan (plan.h), carry it out in
 * dependency order, waiting on service_healthy / service_completed_successfully.
 */
#ifndef SLIPWAY_CONVERGE_H
#define SLIPWAY_CONVERGE_H

#include "compose/compose.h"
#include "engine/engine.h"
#include "reconcile/container.h"
#include "reconcile/plan.h"
#include "lib/util.h"

/*
 * The project's containers as the engine reports them (oneoff excluded),
 * sorted by service and container number.
 * *out is an array of *n entries; free with observed_list_free().
 */
MUST_CHECK int converge_observe(struct engine *e, const char *project,
    struct observed **out, size_t *n);
void observed_list_free(struct observed *o, size_t n);

/*
 * Converge project p: create missing networks and volumes, then apply the
 * plan. images[] has one entry per active service. Reports each change with
 * out_info(). On failure returns -1 with error_set; what was already changed stays
 * (the caller rolls back).
 */
MUST_CHECK int converge_project(struct engine *e, const struct compose_project *p,
    const struct service_image *images, size_t nimages,
    const struct converge_opts *opts);

/*
 * Wait until every dependency of service s satisfies its depends_on
 * condition (service_healthy, service_completed_successfully), within
 * timeout_ms each. 0 or -1 with error_set naming the dependency.
 */
MUST_CHECK int converge_wait_dependencies(struct engine *e, const struct compose_project *p,
    const struct compose_service *s, long timeout_ms);

/* Create the networks and volumes p needs; check that external ones exist. */
MUST_CHECK int converge_resources(struct engine *e, const struct compose_project *p);

/*
 * Remove every container of project and its networks. how: KEEP its volumes
 * (the anonymous ones named in the output: nothing else finds them later),
 * remove them all (VOLUMES, `app destroy --volumes`), or the anonymous ones
 * the engine made for these containers only (FRESH: a failed first deploy,
 * whose named volumes are data already).
 */
enum { CONVERGE_DOWN_KEEP, CONVERGE_DOWN_VOLUMES, CONVERGE_DOWN_FRESH };
MUST_CHECK int converge_down(struct engine *e, const char *project, int how);
/* Remove every volume labelled label ("key=value"): app destroy --volumes. */
MUST_CHECK int converge_remove_volumes(struct engine *e, const char *label);

/*
 * Remove, by ID, the dangling images labelled slipway.app=app: the app's own,
 * never an engine-wide prune. An image still in use is a warning.
 */
int converge_remove_dangling(struct engine *e, const char *app);

/*
 * Where the compose file sets no restart, give the running containers named
 * in names the server's [deploy] default_restart (a deliberate difference
 * from compose: the apps of a rebooted host serve again). Containers are
 * created with compose's "no" and get the policy only here, once the health
 * gate has passed, so that a one-shot container that exited 0 is never
 * started again; a one-shot service another waits on to complete keeps "no".
 * With docker_host (may be NULL) the updates run in parallel, each on a
 * connection of its own. 0, or -1 with error_set naming the container.
 */
MUST_CHECK int converge_default_restart(struct engine *e,
    const char *docker_host, const struct compose_project *p,
    const char *policy, const struct strv *names);

#endif
