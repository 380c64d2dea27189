/*
 * cutover.h - start-first replacement of web services behind nginx.
 */
#ifndef SLIPWAY_CUTOVER_H
#define SLIPWAY_CUTOVER_H

#include "compose/compose.h"
#include "engine/engine.h"
#include "reconcile/container.h"
#include "reconcile/plan.h"
#include "lib/util.h"

/*
 * Start-first replacement of http service s : start its new
 * containers beside the old ones, wait until they answer, point nginx at them,
 * drain, retire the old ones. On failure only the new ones are removed.
 */
MUST_CHECK int cutover_service(struct engine *e, const struct compose_project *p,
    const struct compose_service *s, const struct plan *plan,
    const struct service_image *img, const char *hash,
    const struct converge_opts *opts);
/*
 * Make the app's nginx site match its running http services (or remove it
 * when there are none). Reloads nginx only when the file changes.
 */
MUST_CHECK int cutover_site(struct engine *e, const struct compose_project *p,
    const struct converge_opts *opts);
/*
 * Does an http host set of p lack a certificate that TLS for its app would
 * serve? (Issuing one is never part of a deploy: pipeline/certs.h.)
 */
int cutover_certs_missing(const struct config *cfg,
    const struct compose_project *p);

#endif
