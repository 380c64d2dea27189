/*
 * repo.h - the app's bare repository through libgit2: create it with its
 * hooks, resolve revisions, and check a commit out into a release directory.
 */
#ifndef SLIPWAY_REPO_H
#define SLIPWAY_REPO_H

/*
 * Create a bare repository at path and install the hooks from hooks_dir,
 * replacing the placeholders @SLIPWAY@ (absolute path of the binary) and
 * @CONFIG@ (absolute config path). Fails if path exists.
 */
int repo_create(const char *path, const char *hooks_dir, const char *slipway,
    const char *config);

/*
 * Resolve rev (a branch name, "refs/...", or a hex id) in the repository at
 * path to a full 40-hex commit id in oid_out (41 bytes). When from_env is set
 * the repository is opened honouring git's environment (quarantine objects in
 * a pre-receive hook). 0, or -1 with error_set naming rev.
 */
int repo_resolve(const char *path, const char *rev, int from_env,
    char oid_out[41]);

/*
 * Write the tree of commit oid into dir (created; must not exist or be
 * empty). Files keep their executable bit; symlinks are links. 0 or -1.
 */
int repo_checkout(const char *path, const char *oid, int from_env,
    const char *dir);

/* The commit's subject line (allocated), or NULL. */
char *repo_subject(const char *path, const char *oid, int from_env);

#endif
