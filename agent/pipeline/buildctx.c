/*
 * buildctx.c - a service's build context from the commit's tree, and its
 * build key. Joins the repo layer (trees and blobs) to the engine layer's
 * tar stream (struct tarctx_source), which neither may do itself.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compose/compose.h"
#include "engine/tarctx.h"
#include "pipeline/buildctx.h"
#include "repo/repo.h"
#include "lib/util.h"

struct buildctx {
	const struct compose_build *b;
	struct repo *repo;
	char root[41];		/* the context directory's tree */
	struct tarctx *tar;
};

static int
tree_list(void *ctx, const char *id, struct tarctx_node **out, size_t *n)
{
	struct buildctx *bc = ctx;
	struct repo_entry *v = NULL;
	struct tarctx_node *nodes;
	size_t i, count = 0;

	*out = NULL;
	*n = 0;
	if (repo_tree_list(bc->repo, id != NULL ? id : bc->root, &v,
	    &count) < 0)
		return -1;
	nodes = xcalloc(count + 1, sizeof *nodes);
	for (i = 0; i < count; i++) {
		nodes[i].name = v[i].name;
		v[i].name = NULL;
		nodes[i].mode = v[i].mode;
		nodes[i].id = xstrdup(v[i].oid);
	}
	repo_entries_free(v, count);
	*out = nodes;
	*n = count;
	return 0;
}

static int
tree_load(void *ctx, const char *id, const void **data, size_t *size)
{
	struct buildctx *bc = ctx;

	return repo_tree_load(bc->repo, id, data, size);
}

int
buildctx_open(struct buildctx **out, const char *repo, int from_env,
    const char *commit, const char *release_dir,
    const struct compose_build *b)
{
	struct buildctx *bc = xcalloc(1, sizeof *bc);
	struct tarctx_source src = { 0 };
	char *dir = compose_path_clean(release_dir);
	const char *rel = NULL;
	size_t len = strlen(dir);
	unsigned mode = 0;
	int found = 1, rc = -1;

	*out = NULL;
	bc->b = b;
	if (strcmp(b->context, dir) == 0)
		rel = "";
	else if (strncmp(b->context, dir, len) == 0 && b->context[len] == '/')
		rel = b->context + len + 1;
	if (rel != NULL) {
		if (repo_tree_open(&bc->repo, repo, from_env, commit) < 0 ||
		    (found = repo_tree_find(bc->repo, rel, &mode,
		    bc->root)) < 0)
			goto done;
	}
	if (found == 0 && S_ISDIR(mode)) {
		src.ctx = bc;
		src.list = tree_list;
		src.load = tree_load;
		src.mtime = repo_tree_time(bc->repo);
		if (tarctx_open_source(&bc->tar, &src, b->dockerfile) < 0)
			goto done;
	} else {
		repo_tree_free(bc->repo);
		bc->repo = NULL;
		if (tarctx_open(&bc->tar, b->context, b->dockerfile) < 0)
			goto done;
	}
	*out = bc;
	bc = NULL;
	rc = 0;
done:
	buildctx_free(bc);
	free(dir);
	return rc;
}

struct tarctx *
buildctx_tar(struct buildctx *bc)
{
	return bc->tar;
}

int
buildctx_from_git(const struct buildctx *bc)
{
	return bc->repo != NULL;
}


/* "TAG LEN KEY=VALUE" lines of l's set entries, sorted, into text. */
static void
add_sorted(struct buf *text, const char *tag, const struct kvlist *l)
{
	struct strv v = STRV_INIT;
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (l->v[i].value != NULL)
			strv_push_owned(&v, xasprintf("%s=%s", l->v[i].key,
			    l->v[i].value));
	}
	strv_sort(&v);
	for (i = 0; i < v.n; i++)
		buf_addf(text, "%s %zu %s\n", tag, strlen(v.v[i]), v.v[i]);
	strv_clear(&v);
}

int
buildctx_key(const struct buildctx *bc, char key[41])
{
	const struct compose_build *b = bc->b;
	struct buf text = BUF_INIT;
	size_t i;
	int rc;

	/* From the disk, a listing has no content ids: nothing to key on. */
	if (!buildctx_from_git(bc))
		return 1;
	buf_addf(&text, "slipway build key 1\ndockerfile %s\ntarget %s\n",
	    b->dockerfile != NULL ? b->dockerfile : "Dockerfile",
	    b->target != NULL ? b->target : "");
	add_sorted(&text, "arg", &b->args);
	/* What else makes another image; only when set, so that a file
	 * without them keeps the keys it had. */
	add_sorted(&text, "label", &b->labels);
	for (i = 0; i < b->extra_hosts.n; i++)
		buf_addf(&text, "host %zu %s\n", strlen(b->extra_hosts.v[i]),
		    b->extra_hosts.v[i]);
	if (b->network != NULL)
		buf_addf(&text, "network %zu %s\n", strlen(b->network),
		    b->network);
	if (b->platform != NULL)
		buf_addf(&text, "platform %zu %s\n", strlen(b->platform),
		    b->platform);
	if (b->shm_size > 0)
		buf_addf(&text, "shm_size %lld\n", b->shm_size);
	tarctx_listing(bc->tar, &text);
	rc = repo_hash(text.buf, text.len, key);
	buf_release(&text);
	return rc;
}

void
buildctx_free(struct buildctx *bc)
{
	if (bc == NULL)
		return;
	tarctx_free(bc->tar);
	repo_tree_free(bc->repo);
	free(bc);
}
