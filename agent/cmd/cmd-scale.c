/*
 * cmd-scale.c - `slipway scale APP SERVICE=N...`: the replica count of
 * services, kept outside git (it beats deploy.replicas and scale: in the
 * compose file) and applied at once by redeploying the live release with it:
 * no build, health-gated, start-first for x-slipway.http services. Every
 * later deploy and rollback keeps it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd-ops.h"

struct scale_args {
	struct kvlist counts; /* service -> N */
};

static int
edit_scale(void *arg, struct kvlist *vars, struct app_ops *ops)
{
	struct scale_args *a = arg;
	size_t i;

	(void)vars;
	for (i = 0; i < a->counts.n; i++)
		kvlist_set(&ops->scale, a->counts.v[i].key, a->counts.v[i].value);
	return 0;
}

int
cmd_scale(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct scale_args a = { KVLIST_INIT };
	char **words;
	int k, nwords, rc = -1;

	words = cmd_arg_list(args, "SERVICE=N", &nwords);
	for (k = 0; k < nwords; k++) {
		char *service = NULL, *count;
		long n;

		if (app_ops_parse_scale(words[k], &service, &n) < 0 ||
		    cmd_check_services(ctx, args->app, 1, &service) < 0) {
			free(service);
			goto done;
		}
		count = xasprintf("%ld", n);
		kvlist_set(&a.counts, service, count);
		free(count);
		free(service);
	}
	rc = cmd_live_deploy(ctx, args->app, "scale", edit_scale, &a);
done:
	kvlist_clear(&a.counts);
	return rc < 0 ? cmd_fail() : 0;
}
