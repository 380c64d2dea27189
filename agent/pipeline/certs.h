/*
 * certs.h - certificates for the http hosts of an app's live release,
 * requested outside every deploy: a deploy goes live over plain HTTP (or
 * with the certificate it has) and frees its lock first, so a slow or
 * unreachable ACME server can neither stall nor fail it.
 */
#ifndef SLIPWAY_CERTS_H
#define SLIPWAY_CERTS_H

#include "lib/config.h"
#include "lib/util.h"

/*
 * Request a certificate for each host set of app's live release that has
 * none (uacme with hook; no lock held meanwhile), then redeploy the live
 * release (kind "certs": no build, same containers) so that its site serves
 * them. One request per app at a time: when another runs, nothing is done.
 * 0, or -1 with error_set when a request failed (each was a warning).
 */
MUST_CHECK int certs_issue_missing(const struct config *cfg, const char *app,
    const char *hook, const char *site_template);

/*
 * After a deploy, its lock released: start `slipway certs APP issue` as a
 * detached process (its output in <app>/certs.log), wait up to [tls] wait
 * for it, and show what it said; when it still runs, say so and return.
 */
void certs_request(const struct config *cfg, const char *app);

#endif
