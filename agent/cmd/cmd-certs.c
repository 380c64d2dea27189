/*
 * cmd-certs.c - `slipway certs APP [--json]` lists an app's certificates
 * (hosts, issuer, expiry); `certs APP import HOST... < PEM` installs a
 * certificate chain and its key for hosts that cannot use ACME (claiming
 * them for APP); `certs renew [--force]` renews every ACME certificate with
 * less than 30 days left (uacme decides), then checks and reloads nginx,
 * and requests those still missing; `certs APP issue` requests the missing
 * ones of APP's live release (a deploy starts it, detached, once it is live
 * and unlocked). The next deploy of an app serves an imported certificate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd/cmd.h"
#include "lib/state.h"
#include "pipeline/certs.h"
#include "proxy/acme.h"
#include "proxy/proxy.h"

#define PEM_MAX (256u << 10)

static int
certs_list(struct cmd_ctx *ctx, const char *app, int as_json)
{
	struct acme_cert *c;
	json_t *doc = json_array();
	size_t n, i, j;
	long long now = (long long)time(NULL);

	acme_cert_list(&ctx->cfg, app, &c, &n);
	if (!as_json && n == 0)
		printf("no certificates for app \"%s\"\n", app);
	for (i = 0; i < n; i++) {
		char *issuer = NULL, when[64] = "?";
		long long not_after = 0;
		json_t *hosts = json_array(), *o;
		time_t t;
		struct tm tm;

		if (acme_cert_info(c[i].cert, &issuer, &not_after) < 0) {
			out_warn("warning: %s", error_last());
			error_clear();
		}
		t = (time_t)not_after;
		if (not_after > 0 && gmtime_r(&t, &tm) != NULL)
			strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
		for (j = 0; j < c[i].hosts.n; j++)
			json_array_append_new(hosts,
			    json_string(c[i].hosts.v[j]));
		o = json_pack("{s:o, s:s?, s:s, s:I, s:b}", "hosts", hosts,
		    "issuer", issuer, "not_after", when, "days_left",
		    (json_int_t)(not_after ? (not_after - now) / 86400 : 0),
		    "imported", c[i].imported);
		json_array_append_new(doc, o);
		if (!as_json) {
			printf("%s\n", c[i].name);
			for (j = 0; j < c[i].hosts.n; j++)
				printf("  host      %s\n", c[i].hosts.v[j]);
			printf("  issuer    %s%s\n", issuer ? issuer : "?",
			    c[i].imported ? " (imported)" : "");
			printf("  expires   %s (%lld days)\n", when,
			    not_after ? (not_after - now) / 86400 : 0);
		}
		free(issuer);
		acme_cert_dispose(&c[i]);
	}
	free(c);
	if (as_json) {
		char *s = json_dumps(doc, JSON_INDENT(2));

		printf("%s\n", s);
		free(s);
	}
	json_decref(doc);
	return 0;
}

/* Split a PEM bundle: the private key block into key, the rest into cert. */
static int
split_pem(const char *pem, struct buf *cert, struct buf *key)
{
	const char *p = pem;

	while ((p = strstr(p, "-----BEGIN ")) != NULL) {
		const char *end = strstr(p, "-----END ");
		const char *eol;

		if (end == NULL || (eol = strstr(end + 9, "-----")) == NULL)
			return error_set("stdin: unterminated PEM block");
		eol += 5;
		if (strstr(p, "PRIVATE KEY-----") != NULL &&
		    strstr(p, "PRIVATE KEY-----") < end) {
			if (key->len > 0)
				return error_set("stdin: more than one "
				    "private key");
			buf_add(key, p, (size_t)(eol - p));
			buf_addch(key, '\n');
		} else {
			buf_add(cert, p, (size_t)(eol - p));
			buf_addch(cert, '\n');
		}
		p = eol;
	}
	if (cert->len == 0 || key->len == 0)
		return error_set("stdin: expected the certificate chain and "
		    "its private key in PEM");
	return 0;
}

static int
certs_import(struct cmd_ctx *ctx, const char *app, char **hostv, int nh)
{
	struct buf in = BUF_INIT, cert = BUF_INIT, key = BUF_INIT;
	struct strv hosts = STRV_INIT;
	char chunk[4096];
	ssize_t r;
	int i, rc = -1;

	for (i = 0; i < nh; i++)
		strv_push(&hosts, hostv[i]);
	buf_init(&in, PEM_MAX);
	while ((r = read(0, chunk, sizeof chunk)) > 0) {
		if (in.len + (size_t)r > PEM_MAX) {
			error_set("stdin: more than %u bytes of PEM", PEM_MAX);
			goto done;
		}
		buf_add(&in, chunk, (size_t)r);
	}
	if (strlen(in.buf) != in.len) {
		error_set("stdin: contains a NUL byte");
		goto done;
	}
	if (split_pem(in.buf, &cert, &key) < 0 ||
	    acme_hosts_check(&hosts) < 0 ||
	    state_claim_hosts(&ctx->cfg, app, &hosts, 0) < 0 ||
	    acme_import(&ctx->cfg, app, &hosts, cert.buf, key.buf) < 0)
		goto done;
	printf("imported a certificate for %d host%s of app \"%s\"; the next "
	    "deploy serves it\n", nh, nh == 1 ? "" : "s", app);
	rc = 0;
done:
	buf_release(&in);
	buf_release(&cert);
	buf_release(&key);
	strv_clear(&hosts);
	return rc;
}

static int
certs_renew(struct cmd_ctx *ctx, int force)
{
	struct acme_cert *c;
	char *dir = cmd_share_path(ctx, "helpers");
	char *hook = path_join(dir, "acme-hook");
	char *tmpl = cmd_site_template(ctx);
	struct strv apps = STRV_INIT;
	size_t n, i;
	int renewed = 0, failed = 0, rc;

	acme_cert_list(&ctx->cfg, NULL, &c, &n);
	for (i = 0; i < n; i++) {
		if (!c[i].imported && config_app_tls(&ctx->cfg, c[i].app)) {
			rc = acme_issue(&ctx->cfg, hook, c[i].app, &c[i].hosts,
			    force);
			if (rc < 0) {
				out_warn("warning: certificate %s of app \"%s\" "
				    "not renewed: %s", c[i].name, c[i].app,
				    error_last());
				error_clear();
				failed++;
			} else if (rc == 0) {
				out_info("renewed certificate %s of app \"%s\"",
				    c[i].name, c[i].app);
				renewed++;
			}
		}
		acme_cert_dispose(&c[i]);
	}
	free(c);
	if (renewed > 0 && proxy_reload(&ctx->cfg) < 0) {
		free(tmpl);
		free(hook);
		free(dir);
		return -1;
	}
	/* What a deploy could not get (an ACME server down then): a host
	 * that cannot be validated stays a warning, as in the deploy. */
	state_app_names(&ctx->cfg, &apps);
	for (i = 0; i < apps.n; i++) {
		if (certs_issue_missing(&ctx->cfg, apps.v[i], hook, tmpl) < 0) {
			out_warn("warning: %s", error_last());
			error_clear();
		}
	}
	strv_clear(&apps);
	free(tmpl);
	free(hook);
	free(dir);
	out_info("%d certificate%s renewed, %d failed, %zu kept", renewed,
	    renewed == 1 ? "" : "s", failed, n - (size_t)renewed -
	    (size_t)failed);
	return failed ? error_set("%d certificate%s not renewed", failed,
	    failed == 1 ? "" : "s") : 0;
}

int
cmd_certs(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	int rc;

	if (cmd_has(args, "renew"))
		rc = certs_renew(ctx, cmd_has(args, "--force"));
	else if (cmd_has(args, "issue")) {
		char *dir = cmd_share_path(ctx, "helpers");
		char *hook = path_join(dir, "acme-hook");
		char *tmpl = cmd_site_template(ctx);

		rc = certs_issue_missing(&ctx->cfg, args->app, hook, tmpl);
		free(tmpl);
		free(hook);
		free(dir);
	}
	else if (cmd_has(args, "import")) {
		int n;
		char **v = cmd_arg_list(args, "ARG", &n);

		rc = certs_import(ctx, args->app, v, n);
	} else
		rc = certs_list(ctx, args->app, cmd_has(args, "--json"));
	return rc < 0 ? cmd_fail() : 0;
}
