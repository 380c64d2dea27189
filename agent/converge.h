/*
 * converge.h - bring the engine to what a compose project describes: observe
 * the project's containers, compute the plan (plan.h), carry it out in
 * dependency order, waiting on service_healthy / service_completed_successfully.
 */
#ifndef SLIPWAY_CONVERGE_H
#define SLIPWAY_CONVERGE_H

#include "compose.h"
#include "config.h"
#include "engine.h"
#include "plan.h"

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
	/* Web services (x-slipway.http) go through nginx when both are set. */
	const struct config *cfg;
	const char *site_template; /* path of templates/nginx-site.conf */
};

/*
 * The project's containers as the engine reports them (oneoff excluded),
 * sorted by service and container number.
 * *out is an array of *n entries; free with observed_list_free().
 */
int converge_observe(struct engine *e, const char *project,
    struct observed **out, size_t *n);
void observed_list_free(struct observed *o, size_t n);

/*
 * Converge project p: create missing networks and volumes, then apply the
 * plan. images[] has one entry per active service. Reports each change with
 * out(). On failure returns -1 with error_set; what was already changed stays
 * (the caller rolls back).
 */
int converge_project(struct engine *e, const struct compose_project *p,
    const struct service_image *images, size_t nimages,
    const struct converge_opts *opts);

/*
 * Create (not start) container `number` of s under name, attached to every
 * network of s. Its id in *id_out.
 */
int converge_create(struct engine *e, const struct compose_project *p,
    const struct compose_service *s, int number, const char *name,
    const struct service_image *img, const char *hash,
    const struct converge_opts *opts, char **id_out);

/*
 * Start-first replacement of http service s (cutover.c): start its new
 * containers beside the old ones, wait until they answer, point nginx at them,
 * drain, retire the old ones. On failure only the new ones are removed.
 */
int converge_cutover(struct engine *e, const struct compose_project *p,
    const struct compose_service *s, const struct plan *plan,
    const struct service_image *img, const char *hash,
    const struct converge_opts *opts);
/*
 * Make the app's nginx site match its running http services (or remove it
 * when there are none). Reloads nginx only when the file changes.
 */
int converge_site(struct engine *e, const struct compose_project *p,
    const struct converge_opts *opts);

/* Create the networks and volumes p needs; check that external ones exist. */
int converge_resources(struct engine *e, const struct compose_project *p);

/*
 * Remove every container of project (and its networks; named volumes only
 * when volumes is set). Used by `app destroy`.
 */
int converge_down(struct engine *e, const char *project, int volumes);

#endif
