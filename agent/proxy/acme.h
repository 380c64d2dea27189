/*
 * acme.h - certificates for the http hosts of web services: obtained and
 * renewed with the ACME HTTP-01 challenge by uacme (run without a shell, with
 * a timeout), or imported; kept under <state_dir>/tls (keys 0600).
 *
 * Layout, uacme's own: tls/acme/private/key.pem (the account key),
 * tls/acme/NAME/cert.pem and tls/acme/private/NAME/key.pem, where NAME is the
 * first of the certificate's hosts in sorted order; slipway adds
 * tls/acme/NAME/hosts (the set, one per line), .../app (its owner) and
 * .../imported (not renewed by ACME). Challenge files: tls/challenges.
 */
#ifndef SLIPWAY_ACME_H
#define SLIPWAY_ACME_H

#include "lib/config.h"
#include "lib/util.h"

/* How often a request waiting for the server's ACME lock (tls/acme/.lock)
 * tries it, and the pause a run of several requests leaves between two of
 * them, so that another app's waiting request gets its turn. */
#define ACME_LOCK_POLL_MS 200
#define ACME_TURN_MS 500

/* What a certificate covers and where it is. */
struct acme_cert {
	char *name;        /* the directory name: the first host */
	char *app;
	struct strv hosts;
	char *cert, *key;  /* paths */
	int imported;
};

/* <state_dir>/tls/challenges, the directory nginx serves challenges from. */
char *acme_challenge_dir(const struct config *cfg);

/*
 * The certificate for hosts (wildcards left out: HTTP-01 cannot prove
 * them), when one exists and covers them all: 1 with c filled (dispose
 * it), 0 when there is none. Host names compare case-insensitively.
 */
int acme_cert_find(const struct config *cfg, const struct strv *hosts,
    struct acme_cert *c);
void acme_cert_dispose(struct acme_cert *c);

/*
 * Obtain a certificate for hosts owned by app (no-op 1 when a valid one
 * for this set exists with more than 30 days left), running uacme with
 * hook (the shipped acme-hook) under [tls] timeout. force: reissue even
 * when valid. 0 issued, 1 nothing to do, -1 with error_set naming uacme's
 * error line.
 */
MUST_CHECK int acme_issue(const struct config *cfg, const char *hook,
    const char *app, const struct strv *hosts, int force);

/* Every certificate slipway keeps (app NULL) or app's, into out[*n]. */
void acme_cert_list(const struct config *cfg, const char *app,
    struct acme_cert **out, size_t *n);

/* Are hosts domain names a certificate can be made for? 0, or -1. */
MUST_CHECK int acme_hosts_check(const struct strv *hosts);

/*
 * Install a certificate and key (PEM text) for hosts owned by app; the key
 * must match the certificate and the certificate must name every host
 * (checked with openssl). 0 or -1.
 */
MUST_CHECK int acme_import(const struct config *cfg, const char *app,
    const struct strv *hosts, const char *cert_pem, const char *key_pem);

/* Remove app's certificates. 0 or -1. */
MUST_CHECK int acme_remove_app(const struct config *cfg, const char *app);

/*
 * Issuer and expiry of a certificate file, from `openssl x509`: *issuer and
 * *not_after (Unix time) are set. 0 or -1.
 */
MUST_CHECK int acme_cert_info(const char *cert, char **issuer, long long *not_after);

#endif
