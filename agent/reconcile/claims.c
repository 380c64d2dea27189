/*
 * claims.c - the host ports published on the engine by what is not this
 * app's, from one list of containers and one of services, turned into
 * port_claim for policy_check_port_claims(). Stopped containers hold no
 * port and are not counted.
 */
#include <stdlib.h>
#include <string.h>

#include "compose/policy.h"
#include "reconcile/claims.h"
#include "reconcile/spec.h"
#include "reconcile/stack.h"

int
neighbours_read(struct engine *e, struct neighbours *nb, int containers,
    int services)
{
	if (containers && nb->containers == NULL &&
	    engine_container_list_running(e, &nb->containers) < 0)
		return -1;
	/* 1: no Swarm manager, so no services (nb->services NULL) */
	if (services && !nb->services_read) {
		if (engine_service_list_any(e, NULL, 0, &nb->services) < 0)
			return -1;
		nb->services_read = 1;
	}
	return 0;
}

void
neighbours_dispose(struct neighbours *nb)
{
	json_decref(nb->containers);
	json_decref(nb->services);
	memset(nb, 0, sizeof *nb);
}

int
claims_needed(const struct compose_project *p)
{
	size_t i, j;

	for (i = 0; i < p->nservices; i++) {
		for (j = 0; j < p->services[i].nports; j++) {
			if (p->services[i].ports[j].published != NULL)
				return 1;
		}
	}
	return 0;
}

static const char *
label(json_t *labels, const char *key)
{
	return json_string_value(json_object_get(labels, key));
}

/*
 * Who holds a port: app "b" (container b-web-1) for an app of apps, else
 * container "x" (not this app's); NULL when it is app's own. kind is
 * "container" or "Swarm service".
 */
static char *
owner(json_t *labels, const char *name, const char *kind, const char *app,
    const struct strv *apps)
{
	const char *o = label(labels, LABEL_PROJECT);
	const char *ns = label(labels, STACK_LABEL_NAMESPACE);

	/* Its own only when every ownership label it carries names app: an
	 * image's LABEL can set the one slipway does not set at create. */
	if ((o != NULL || ns != NULL) && (o == NULL || strcmp(o, app) == 0) &&
	    (ns == NULL || strcmp(ns, app) == 0))
		return NULL;
	if (o != NULL && strcmp(o, app) == 0)
		o = NULL;
	if (ns != NULL && strcmp(ns, app) == 0)
		ns = NULL;
	if (o == NULL)
		o = ns;
	if (o != NULL && strv_contains(apps, o))
		return xasprintf("app \"%s\" (%s %s)", o, kind, name);
	return xasprintf("%s \"%s\" (not this app's)", kind, name);
}

struct claims {
	struct port_claim *v;
	size_t n, alloc;
	struct strv owners;
};

static void
claim_add(struct claims *c, const char *proto, const char *ip, json_t *port,
    const char *who)
{
	json_int_t n = json_integer_value(port);
	struct port_claim *x;

	if (n < 1 || n > 65535 || proto == NULL)
		return;
	c->v = xgrow(c->v, &c->alloc, c->n + 1, sizeof *c->v);
	x = &c->v[c->n++];
	x->protocol = proto;
	x->ip = ip;
	x->lo = x->hi = (unsigned)n;
	x->owner = who;
}

/* Every port of a service's endpoint (spec and assigned): every address. */
static void
service_claims(struct claims *c, json_t *ports, const char *who)
{
	json_t *pt;
	size_t i;

	json_array_foreach(ports, i, pt) {
		claim_add(c, json_string_value(json_object_get(pt,
		    "Protocol")), NULL, json_object_get(pt, "PublishedPort"),
		    who);
	}
}

int
claims_check(const struct neighbours *nb, const struct compose_project *p,
    const struct strv *apps)
{
	struct claims c = { NULL, 0, 0, STRV_INIT };
	json_t *x, *pt;
	size_t i, j;
	char *who;
	int rc;

	json_array_foreach(nb->containers, i, x) {
		const char *name = json_string_value(json_array_get(
		    json_object_get(x, "Names"), 0));
		json_t *ports = json_object_get(x, "Ports");

		if (json_array_size(ports) == 0)
			continue;
		if (name != NULL && *name == '/')
			name++;
		who = owner(json_object_get(x, "Labels"), name ? name : "?",
		    "container", p->name, apps);
		if (who == NULL)
			continue;
		strv_push_owned(&c.owners, who);
		json_array_foreach(ports, j, pt) {
			claim_add(&c, json_string_value(json_object_get(pt,
			    "Type")), json_string_value(json_object_get(pt,
			    "IP")), json_object_get(pt, "PublicPort"),
			    who);
		}
	}
	json_array_foreach(nb->services, i, x) {
		json_t *spec = json_object_get(x, "Spec");
		const char *name = json_string_value(json_object_get(spec,
		    "Name"));

		who = owner(json_object_get(spec, "Labels"), name ? name : "?",
		    "Swarm service", p->name, apps);
		if (who == NULL)
			continue;
		strv_push_owned(&c.owners, who);
		service_claims(&c, json_object_get(json_object_get(spec,
		    "EndpointSpec"), "Ports"), who);
		service_claims(&c, json_object_get(json_object_get(x,
		    "Endpoint"), "Ports"), who);
	}
	rc = policy_check_port_claims(p, c.v, c.n);
	free(c.v);
	strv_clear(&c.owners);
	return rc;
}
