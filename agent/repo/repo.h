/*
 * repo.h - the app's bare repository through libgit2: create it with its
 * hooks, resolve revisions, and check a commit out into a release directory.
 */
#ifndef SLIPWAY_REPO_H
#define SLIPWAY_REPO_H

#include "lib/util.h"

/*
 * Create a bare repository at path whose HEAD names branch (NULL: "main") and
 * install every regular file of hooks_dir as a hook (mode 0755), replacing
 * the placeholders, each shell-quoted: @SLIPWAY@ (absolute path of the
 * binary), @CONFIG@ (absolute config path), @CONFIG_ARGS@ (`-c <config>`, or
 * nothing when config is NULL). Fails if path exists; on failure nothing is
 * left at path.
 */
MUST_CHECK int repo_create(const char *path, const char *hooks_dir, const char *slipway,
    const char *config, const char *branch, const char *unused_hook);

/*
 * (Re)write repo/hooks from every regular file of hooks_dir, expanded as
 * repo_create() does, each atomically with mode 0755 (a file already as it
 * should be is left alone). The hook named unused (a file name, or NULL for
 * none) is not installed, and removed when it is there: git runs a hook
 * process for nothing otherwise.
 */
MUST_CHECK int repo_install_hooks(const char *repo, const char *hooks_dir,
    const char *slipway, const char *config, const char *unused);

/*
 * Resolve rev (checked with name_check_rev) in the repository at path to a
 * full 40-hex commit id in oid_out (41 bytes), trying in turn: a full hex id,
 * "HEAD" or "refs/..." as is, refs/heads/<rev>, refs/tags/<rev>, an
 * abbreviated hex id (4-39 digits); tags peel to their commit. When from_env is set
 * the repository is opened honouring git's environment (quarantine objects in
 * a pre-receive hook). 0, or -1 with error_set naming rev.
 */
MUST_CHECK int repo_resolve(const char *path, const char *rev, int from_env,
    char oid_out[41]);

/*
 * Write the tree of commit oid (40 hex) into dir, creating its parents. The
 * tree is written to "<dir>.tmp-<pid>" and renamed into place, so a dir with
 * entries is always complete and is left as it is (0). Files keep their
 * executable bit, symlinks are links, submodules empty directories; a tree
 * entry git would not check out ("..", ".git", a '/') is an error. 0 or -1.
 */
MUST_CHECK int repo_checkout(const char *path, const char *oid, int from_env,
    const char *dir);

/*
 * Is rel (a relative path, "" for the top) an entry of commit oid's tree:
 * 1 yes, 2 a directory holding only placeholder files (placeholder_name:
 * .gitkeep...), 0 no, -1 with error_set.
 */
int repo_tracked(const char *path, const char *oid, int from_env,
    const char *rel);

/*
 * The commit's subject line (allocated), control characters as '?', cut
 * to about 200 bytes; or NULL with error_set.
 */
char *repo_subject(const char *path, const char *oid, int from_env);

/*
 * Reading a commit's tree without writing it anywhere (build contexts are
 * streamed from git's objects). Paths are relative to the tree's root, '/'
 * separated. Modes are those of the checkout: 040755 a directory (a
 * submodule is an empty one, with an empty oid), 0100644 or 0100755 a file,
 * 0120777 a symlink whose target is its blob.
 */
struct repo;
struct repo_entry {
	char *name;
	unsigned mode;
	char oid[41];
};

/* Open the repository at path on the tree of commit oid. 0 or -1. */
MUST_CHECK int repo_tree_open(struct repo **out, const char *path, int from_env,
    const char *oid);
void repo_tree_free(struct repo *r);
/* The commit's time (seconds since the epoch). */
long long repo_tree_time(const struct repo *r);
/* Find path ("" the root): 0 with its mode and oid, 1 absent, -1 error. */
MUST_CHECK int repo_tree_find(struct repo *r, const char *path, unsigned *mode,
    char oid[41]);
/* The entries of tree tree_oid in git's order (allocated; free with
 * repo_entries_free). A name git would not check out is an error. */
MUST_CHECK int repo_tree_list(struct repo *r, const char *tree_oid,
    struct repo_entry **out, size_t *n);
void repo_entries_free(struct repo_entry *v, size_t n);
/* The content of a blob; *data stays valid until the next call on r. */
MUST_CHECK int repo_tree_load(struct repo *r, const char *blob_oid, const void **data,
    size_t *size);

/*
 * Write path (relative to dir, cleaned lexically; one that leaves dir is
 * not in the commit) from r's commit into dir as a checkout would, when it
 * is in the commit: a file, a symlink, or a directory with everything below
 * it, creating the directories on the way. What is there already is kept:
 * files are written whole (temporary name, fsync, rename), so one that
 * exists is complete; a directory is filled in. A symlink on the way or at
 * the end is written and its target, when inside dir, written in turn. A
 * file whose blob and mode are those of the same path in prev's commit is
 * hard-linked from prev_dir instead (prev may be NULL). The directories
 * written to are fsync'd. 0 (also when path is not in the commit) or -1.
 */
MUST_CHECK int repo_tree_put(struct repo *r, const char *path, const char *dir,
    struct repo *prev, const char *prev_dir);

/* The git blob id of text (a content hash). 0 or -1. */
MUST_CHECK int repo_hash(const char *text, size_t len, char oid[41]);

/*
 * Start initialising libgit2 in a thread of its own (it parses the system's
 * CA bundle when built on mbedTLS, several milliseconds), for a caller that
 * will open a repository after other work; the first repo_* call waits for
 * it. Optional: every repo_* call initialises libgit2 itself.
 */
void repo_preload(void);

/*
 * Keep the repository at path open for this thread's repo_* calls on path
 * with the same from_env, from the first such call until repo_unhold(): a
 * deploy opens it once instead of once per call (each open reads the
 * repository's, the user's and the system's git config and lists the
 * packs). Every struct repo opened meanwhile must be freed before
 * repo_unhold(). A second repo_hold() releases the first.
 */
void repo_hold(const char *path, int from_env);
void repo_unhold(void);

/* Release libgit2 (for a clean exit under valgrind); later calls re-init. */
void repo_shutdown(void);

/*
 * The URL of the git remote named remote in the checkout around "."
 * (allocated), or NULL with error_set.
 */
char *repo_remote_url(const char *remote);

#endif
