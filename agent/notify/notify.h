/*
 * notify.h - webhook notifications: a JSON body POSTed to each configured
 * URL with libcurl, signed with HMAC-SHA256 (OpenSSL's libcrypto, which
 * libcurl already loads) of a shared secret, so that the receiver can check
 * it came from this server. Delivery is blocking: the pipeline runs it in a
 * detached process so that a slow receiver never delays a deploy.
 */
#ifndef SLIPWAY_NOTIFY_H
#define SLIPWAY_NOTIFY_H

#include <stddef.h>

#include "lib/util.h"

#define NOTIFY_HEADER "X-Slipway-Signature"

/* "sha256=<64 hex>" of HMAC-SHA256(secret, body) (allocated). */
char *notify_signature(const char *secret, const char *body, size_t len);

/*
 * POST body to every URL in urls, with the signature header when secret is
 * set; each attempt times out after timeout_s seconds, and up to retries more
 * attempts follow a failure (1 s, 2 s, 4 s ... apart). 0 when every URL
 * answered 2xx; else -1 with error_set naming each failed URL (scheme and
 * host only: the path may hold a token) and its last error.
 */
MUST_CHECK int notify_deliver(const struct strv *urls, const char *secret,
    const char *body, long timeout_s, long retries);

#endif
