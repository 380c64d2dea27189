/*
 * container.c - create one container of a service, attached to every network
 * it names (engines below API 1.44 take one network at create: the others are
 * connected before start).
 */
#include <stdlib.h>
#include <string.h>

#include "reconcile/container.h"
#include "reconcile/spec.h"

long
container_stop_timeout(const struct compose_service *s)
{
	return s != NULL && s->stop_grace_period >= 0 ?
	    (long)(s->stop_grace_period / 1000000000LL) : -1;
}

void
container_discard(struct engine *e, const char *id)
{
	char *saved = error_save();

	if (engine_container_remove(e, id, 0) < 0)
		out_warn("warning: %s", error_last());
	error_restore(saved);
}

int
container_create(struct engine *e, const struct compose_project *p,
    const struct compose_service *s, int number, const char *name,
    const struct service_image *img, const char *hash,
    const struct converge_opts *opts, char **id_out)
{
	struct strv nets = STRV_INIT;
	size_t i;
	int api = engine_version_num(e);
	json_t *body;
	char *id = NULL;
	int rc;

	body = spec_container(p, s, number, img->ref, img->id, opts->commit,
	    hash, api);
	rc = engine_container_create(e, name, body, &id);
	json_decref(body);
	if (rc < 0)
		return error_set("cannot create container \"%s\": %s", name,
		    error_last());
	if (api < 144 && s->network_mode == NULL) {
		spec_service_networks(p, s, &nets);
		for (i = 1; i < nets.n; i++) {
			json_t *ep = spec_endpoint(p, s, number, i);

			rc = engine_network_connect(e, nets.v[i], id, ep);
			json_decref(ep);
			if (rc < 0) {
				error_set("cannot connect \"%s\" to network \"%s\": %s",
				    name, nets.v[i], error_last());
				strv_clear(&nets);
				container_discard(e, id);
				free(id);
				return -1;
			}
		}
		strv_clear(&nets);
	}
	*id_out = id;
	return 0;
}
