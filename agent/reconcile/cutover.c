/*
 * cutover.c - start-first replacement of web services behind nginx
 * (x-slipway.http). New containers start beside the old ones on ephemeral
 * loopback ports; only when they answer their health path does the site file
 * point nginx at them; then the old ones drain and stop. If the new ones never
 * become ready, they are removed and the old ones never stopped serving.
 */
#include <stdlib.h>
#include <string.h>

#include "proxy/acme.h"
#include "proxy/proxy.h"
#include "reconcile/cutover.h"
#include "reconcile/spec.h"

#define DRAIN_MS 1000

/* "127.0.0.1:PORT" where container id publishes its http port, or NULL. */
static char *
http_addr(struct engine *e, const char *id, unsigned port)
{
	json_t *info = NULL, *bind;
	const char *host_port;
	char *key = xasprintf("%u/tcp", port), *addr = NULL;

	if (engine_container_inspect(e, id, &info) == 0) {
		bind = json_array_get(json_object_get(json_object_get(
		    json_object_get(info, "NetworkSettings"), "Ports"), key), 0);
		host_port = json_string_value(json_object_get(bind, "HostPort"));
		if (host_port != NULL && *host_port != '\0')
			addr = xasprintf("127.0.0.1:%s", host_port);
	}
	json_decref(info);
	free(key);
	return addr;
}

/* The addresses of the running containers of s, by their canonical names. */
static void
current_addrs(struct engine *e, const struct compose_project *p,
    const struct compose_service *s, struct strv *addrs)
{
	int n;

	for (n = 1; n <= (s->container_name ? 1 : s->replicas); n++) {
		char *name = spec_container_name(p, s, n);
		char *addr = http_addr(e, name, s->http.port);

		if (addr != NULL)
			strv_push_owned(addrs, addr);
		free(name);
	}
	error_clear();
}

/*
 * Render the app's site: every active http service with its current
 * containers, except `service`, which gets `addrs`. NULL with error_set.
 */
static char *
render_site(struct engine *e, const struct compose_project *p,
    const struct converge_opts *opts, const char *service,
    const struct strv *addrs)
{
	struct proxy_backend *b = xcalloc(p->nservices + 1, sizeof *b);
	struct strv *own = xcalloc(p->nservices + 1, sizeof *own);
	struct acme_cert *certs = xcalloc(p->nservices + 1, sizeof *certs);
	int tls = config_app_tls(opts->cfg, p->name);
	char *challenges = tls ? acme_challenge_dir(opts->cfg) : NULL;
	struct proxy_site site = { opts->cfg->listen, opts->cfg->tls_listen,
	    challenges };
	struct buf tmpl = BUF_INIT;
	size_t i, n = 0;
	char *text = NULL;

	if (read_file(opts->site_template, &tmpl, 1u << 20) < 0)
		goto done;
	for (i = 0; i < p->nservices; i++) {
		const struct compose_service *s = &p->services[i];

		if (!s->http.set || !compose_service_active(s) || s->replicas == 0)
			continue;
		b[n].service = s->name;
		b[n].hosts = &s->http.hosts;
		if (service != NULL && strcmp(service, s->name) == 0) {
			b[n].addrs = addrs;
		} else {
			current_addrs(e, p, s, &own[n]);
			b[n].addrs = &own[n];
		}
		if (tls && acme_cert_find(opts->cfg, &s->http.hosts,
		    &certs[n]) == 1) {
			b[n].cert = certs[n].cert;
			b[n].key = certs[n].key;
		}
		n++;
	}
	text = proxy_render_site(tmpl.buf, p->name, &site, b, n);
done:
	for (i = 0; i < p->nservices; i++) {
		strv_clear(&own[i]);
		acme_cert_dispose(&certs[i]);
	}
	free(certs);
	free(challenges);
	free(own);
	free(b);
	buf_release(&tmpl);
	return text;
}

/* Install text as the app's site unless it is already what nginx has. */
static int
install_site(const struct compose_project *p, const struct converge_opts *opts,
    const char *text)
{
	char *path = proxy_site_path(opts->cfg, p->name);
	struct buf cur = BUF_INIT;
	int same, rc = 0;

	same = path_exists(path) && read_file(path, &cur, 1u << 20) == 0 &&
	    strcmp(cur.buf, text) == 0;
	error_clear();
	if (!same) {
		out_info("-----> Routing %s through nginx", p->name);
		rc = proxy_install(opts->cfg, p->name, text);
	}
	buf_release(&cur);
	free(path);
	return rc;
}

int
cutover_certs_missing(const struct config *cfg, const struct compose_project *p)
{
	size_t i;

	if (cfg == NULL || !config_app_tls(cfg, p->name))
		return 0;
	for (i = 0; i < p->nservices; i++) {
		const struct compose_service *s = &p->services[i];
		struct acme_cert c;

		if (!s->http.set || !compose_service_active(s) ||
		    s->http.hosts.n == 0)
			continue;
		if (acme_cert_find(cfg, &s->http.hosts, &c) != 1)
			return 1;
		acme_cert_dispose(&c);
	}
	return 0;
}

int
cutover_site(struct engine *e, const struct compose_project *p,
    const struct converge_opts *opts)
{
	char *text;
	size_t i;
	int any = 0, rc;

	if (opts->cfg == NULL || opts->site_template == NULL)
		return 0;
	for (i = 0; i < p->nservices; i++)
		any |= p->services[i].http.set &&
		    compose_service_active(&p->services[i]) &&
		    p->services[i].replicas > 0; /* a stopped one is not served */
	if (!any)
		return proxy_remove(opts->cfg, p->name); /* none: nothing run */
	if ((text = render_site(e, p, opts, NULL, NULL)) == NULL)
		return -1;
	rc = install_site(p, opts, text);
	free(text);
	return rc;
}

/* Wait until the container answers its health path (and its healthcheck). */
static int
wait_ready(struct engine *e, const struct compose_service *s, const char *id,
    const char *name, const char *addr, long long deadline)
{
	const char *path = s->http.healthcheck ? s->http.healthcheck : "/";

	for (;;) {
		json_t *info = NULL, *state;
		const char *status, *health;
		int ok_http, bad = 0;

		if (engine_container_inspect(e, id, &info) < 0)
			return -1;
		state = json_object_get(info, "State");
		status = json_string_value(json_object_get(state, "Status"));
		health = json_string_value(json_object_get(json_object_get(state,
		    "Health"), "Status"));
		if (status == NULL || strcmp(status, "running") != 0)
			bad = error_set("%s is %s", name, status ? status : "gone");
		else if (health != NULL && strcmp(health, "unhealthy") == 0)
			bad = error_set("%s is unhealthy", name);
		json_decref(info);
		if (bad < 0)
			return -1;
		ok_http = proxy_http_ready(addr, path, 2000) == 1;
		if (ok_http && (health == NULL || strcmp(health, "healthy") == 0)) {
			out_info("       %s answers %s on %s", name, path, addr);
			return 0;
		}
		if (now_ms() > deadline)
			return error_set("%s did not answer %s with 2xx/3xx in time",
			    name, path);
		sleep_ms(200);
	}
}

struct fresh {
	const struct plan_step *st;
	char *id;
	char *name;     /* its name now (temporary for a recreate) */
	char *final;    /* its canonical name */
	char *addr;
};

int
cutover_service(struct engine *e, const struct compose_project *p,
    const struct compose_service *s, const struct plan *plan,
    const struct service_image *img, const char *hash,
    const struct converge_opts *opts)
{
	struct fresh *f = xcalloc(plan->nsteps + 1, sizeof *f);
	struct strv addrs = STRV_INIT;
	long long t0 = now_ms(), deadline = t0 + opts->wait_timeout_ms;
	size_t i, n = 0, retire = 0;
	char *text = NULL;
	int rc = -1;

	/* 1. Start the new containers beside the old ones. */
	for (i = 0; i < plan->nsteps; i++) {
		const struct plan_step *st = &plan->steps[i];
		struct fresh *x;

		if (st->service == NULL || strcmp(st->service, s->name) != 0)
			continue;
		if (st->action == PLAN_KEEP || st->action == PLAN_START) {
			if (st->action == PLAN_START &&
			    (engine_container_start(e, st->old->id) < 0 ||
			    container_hooks(e, s, st->old->id, st->old->name,
			    1) < 0))
				goto fail;
			continue;
		}
		if (st->action == PLAN_REMOVE) {
			retire++;
			continue;
		}
		x = &f[n++];
		x->st = st;
		x->final = spec_container_name(p, s, st->number);
		x->name = st->old ? xasprintf("%.12s_%s", st->old->id, x->final) :
		    xstrdup(x->final);
		out_info("-----> Starting %s beside the live release", x->final);
		if (container_create(e, p, s, st->number, x->name, img, hash, opts,
		    st->old, &x->id) < 0 || engine_container_start(e, x->id) < 0 ||
		    container_hooks(e, s, x->id, x->final, 1) < 0)
			goto fail;
		if ((x->addr = http_addr(e, x->id, s->http.port)) == NULL) {
			error_set("%s publishes no port for %u", x->final,
			    s->http.port);
			goto fail;
		}
		if (opts->changed != NULL)
			strv_push(opts->changed, x->final);
	}
	if (n == 0 && retire == 0) {
		rc = 0;
		goto done;
	}
	/* 2. Wait until every new one answers. */
	for (i = 0; i < n; i++) {
		if (wait_ready(e, s, f[i].id, f[i].final, f[i].addr, deadline) < 0)
			goto fail;
	}
	/* 3. Point nginx at them (and at the kept ones). */
	for (i = 0; i < plan->nsteps; i++) {
		const struct plan_step *st = &plan->steps[i];
		char *addr;

		if (st->service && strcmp(st->service, s->name) == 0 &&
		    (st->action == PLAN_KEEP || st->action == PLAN_START) &&
		    (addr = http_addr(e, st->old->id, s->http.port)) != NULL)
			strv_push_owned(&addrs, addr);
	}
	for (i = 0; i < n; i++)
		strv_push(&addrs, f[i].addr);
	if ((text = render_site(e, p, opts, s->name, &addrs)) == NULL ||
	    install_site(p, opts, text) < 0)
		goto fail;
	out_info("-----> %s cut over in %.2fs", s->name, (now_ms() - t0) / 1000.0);
	/* 4. Let the old workers drain, then retire the old containers. */
	sleep_ms(DRAIN_MS);
	for (i = 0; i < n; i++) {
		const struct observed *old = f[i].st->old;

		if (old == NULL)
			continue;
		container_pre_stop(e, s, old->id, old->name, old->state);
		if (container_stop(e, s, old->id, old->name) < 0 ||
		    engine_container_remove(e, old->id, 0) < 0 ||
		    engine_container_rename(e, f[i].id, f[i].final) < 0) {
			error_set("cannot retire \"%s\": %s", old->name,
			    error_last());
			goto done;
		}
	}
	for (i = 0; i < plan->nsteps; i++) {
		const struct plan_step *st = &plan->steps[i];

		if (st->action != PLAN_REMOVE || st->service == NULL ||
		    strcmp(st->service, s->name) != 0)
			continue;
		out_info("-----> Removing %s (%s)", st->old->name, st->reason);
		container_pre_stop(e, s, st->old->id, st->old->name,
		    st->old->state);
		if (container_stop(e, s, st->old->id, st->old->name) < 0 ||
		    engine_container_remove(e, st->old->id, 0) < 0) {
			error_set("cannot remove \"%s\": %s", st->old->name,
			    error_last());
			goto done;
		}
	}
	rc = 0;
	goto done;
fail:
	/* The old containers never stopped: remove only the new ones. */
	{
		char *why = error_save();

		for (i = 0; i < n; i++) {
			if (f[i].id != NULL)
				container_discard(e, f[i].id);
			if (opts->changed != NULL)
				strv_remove(opts->changed, f[i].final);
		}
		error_set("%s; the live release kept serving", why);
		free(why);
	}
done:
	for (i = 0; i < n; i++) {
		free(f[i].id);
		free(f[i].name);
		free(f[i].final);
		free(f[i].addr);
	}
	free(f);
	free(text);
	strv_clear(&addrs);
	return rc;
}
