/*
 * cmd-recover.c - `slipway recover NAME|--all`: finish what interrupted
 * deploys left in their journals (record a release that had passed its gate,
 * or restore the previous one). install.sh runs `recover --all` once the
 * engine has started at boot.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "pipeline/deploy.h"
#include "lib/names.h"
#include "lib/util.h"

int
cmd_recover(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct strv apps = STRV_INIT;
	struct dirent *de;
	char *tmpl = NULL;
	size_t i, failed = 0;
	DIR *d;

	if (cmd_has(args, "--all")) {
		if ((d = opendir(ctx->cfg.repos_dir)) != NULL) {
			while ((de = readdir(d)) != NULL) {
				char *name;

				if (!ends_with(de->d_name, ".git"))
					continue;
				name = xstrndup(de->d_name, strlen(de->d_name) - 4);
				if (name_check_app(name) == 0)
					strv_push_owned(&apps, name);
				else
					free(name);
			}
			closedir(d);
		}
		error_clear();
	} else
		strv_push(&apps, args->app);
	tmpl = cmd_site_template(ctx);
	for (i = 0; i < apps.n; i++) {
		if (deploy_recover(&ctx->cfg, apps.v[i], tmpl, 1) < 0) {
			out_warn("error: %s", error_last());
			failed++;
		}
	}
	free(tmpl);
	strv_clear(&apps);
	return failed > 0 ? 1 : 0;
}
