#!/usr/bin/env bash
# `slipway remote VERB` from an app's checkout, through libssh2 to a real
# sshd: it reads the production remote's URL, checks the host key against
# ~/.ssh/known_hosts (unknown and changed keys are refused before logging
# in), logs in with ~/.ssh/id_ed25519, runs the verb for the app and relays
# its output and exit status.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-sshd.sh"

app=e2e-ssh-remote-$RUN
port=$(free_port)
new_app $app
web_app $app $port "remote v1"
commit_all $app "v1"
sha=$(git -C "$WORLD/src/$app" rev-parse HEAD)
push $app || { cat "$WORLD/push.out"; fail "push failed"; }
wait_http "http://127.0.0.1:$port/" "remote v1"

# The developer's machine: $HOME/.ssh with a key and the server's host key.
unset SSH_AUTH_SOCK
mkdir -p "$HOME/.ssh"
chmod 700 "$HOME/.ssh"
ssh-keygen -q -t ed25519 -N '' -C dev@laptop -f "$HOME/.ssh/id_ed25519"
slipway key add dev --apps $app <"$HOME/.ssh/id_ed25519.pub" >/dev/null
cp "$KNOWN_HOSTS" "$HOME/.ssh/known_hosts"
src=$WORLD/src/$app
git -C "$src" remote set-url production "$SSH_URL_BASE/$app.git"

# remote ARGS...: slipway remote in the app's checkout (no -c: a laptop).
remote() { (cd "$src" && "$SLIPWAY_BIN" remote "$@"); }
logins() { grep -c "Accepted publickey" "$SSHD_DIR/sshd.log" || true; }

say "remote status shows the live commit"
remote status >"$WORLD/out" 2>"$WORLD/err" || { cat "$WORLD/err"; fail "remote status"; }
expect_in "$WORLD/out" "app:    $app"
expect_in "$WORLD/out" "commit: $sha"
remote status --json | jq -e --arg sha "$sha" --arg app "$app" '.commit == $sha and .app == $app' >/dev/null ||
	fail "remote status --json"
(cd "$src/www" && "$SLIPWAY_BIN" remote status) | grep -q "commit: $sha" || fail "remote status from a subdirectory"

say "the remote's exit status and stderr are relayed"
rc=0; remote deploy no-such-rev >"$WORLD/out" 2>"$WORLD/err" || rc=$?
[ $rc = 1 ] || { cat "$WORLD/err"; fail "remote deploy of a bad revision exited $rc, want 1"; }
expect_in "$WORLD/err" "no-such-rev"
rc=0; remote status extra >"$WORLD/out" 2>"$WORLD/err" || rc=$?
[ $rc = 1 ] || fail "a refused command exited $rc, want 1"
expect_in "$WORLD/err" "error: key \"dev\": usage: status APP [--json]"

say "a remote deploy is recorded under the key's name"
remote deploy "$sha" >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "remote deploy"; }
slipway history $app --json | jq -e '.[0].user == "dev" and .[0].kind == "deploy"' >/dev/null ||
	{ slipway history $app --json; fail "history does not name dev"; }
remote history -n 1 >"$WORLD/out" || fail "remote history"
expect_in "$WORLD/out" "dev: "

say "-r names another remote"
git -C "$src" remote add staging "$SSH_URL_BASE/~/$app.git"
remote -r staging status | grep -q "commit: $sha" || fail "remote -r staging"
rc=0; remote -r nowhere status 2>"$WORLD/err" || rc=$?
[ $rc = 255 ] || fail "a missing remote exited $rc, want 255"
expect_in "$WORLD/err" "no remote \"nowhere\""

say "a hashed known_hosts works"
ssh-keygen -q -H -f "$HOME/.ssh/known_hosts" >/dev/null 2>&1
! grep -q 127.0.0.1 "$HOME/.ssh/known_hosts" || fail "known_hosts not hashed"
remote status | grep -q "commit: $sha" || fail "remote status with a hashed known_hosts"

say "an unknown host is refused before logging in"
before=$(logins)
: >"$HOME/.ssh/known_hosts"
rc=0; remote status >"$WORLD/out" 2>"$WORLD/err" || rc=$?
[ $rc = 255 ] || fail "unknown host: exit $rc, want 255"
expect_in "$WORLD/err" "unknown host \"[127.0.0.1]:$SSH_PORT\": no ssh-ed25519 key for it in $HOME/.ssh/known_hosts"
[ ! -s "$WORLD/out" ] || fail "unknown host: output"
rm "$HOME/.ssh/known_hosts"
rc=0; remote status 2>"$WORLD/err" || rc=$?
[ $rc = 255 ] || fail "no known_hosts: exit $rc"
expect_in "$WORLD/err" "unknown host"

say "a changed host key is refused, saying so"
ssh-keygen -q -t ed25519 -N '' -f "$WORLD/other_host_key"
echo "[127.0.0.1]:$SSH_PORT $(cat "$WORLD/other_host_key.pub")" >"$HOME/.ssh/known_hosts"
rc=0; remote status >"$WORLD/out" 2>"$WORLD/err" || rc=$?
[ $rc = 255 ] || fail "changed host key: exit $rc, want 255"
expect_in "$WORLD/err" "host key of \"[127.0.0.1]:$SSH_PORT\" has changed"
[ "$(logins)" = "$before" ] || fail "slipway remote logged in to an unverified host"

say "a revoked host key is refused"
{ echo "@revoked * $(cat "$SSHD_DIR/host_key.pub")"; cat "$KNOWN_HOSTS"; } >"$HOME/.ssh/known_hosts"
rc=0; remote status 2>"$WORLD/err" || rc=$?
[ $rc = 255 ] || fail "revoked host key: exit $rc"
expect_in "$WORLD/err" "@revoked"
cp "$KNOWN_HOSTS" "$HOME/.ssh/known_hosts"

say "without a usable key, or with a key not given the app, nothing runs"
mv "$HOME/.ssh/id_ed25519" "$WORLD/id.saved"
rc=0; remote status 2>"$WORLD/err" || rc=$?
[ $rc = 255 ] || fail "no key: exit $rc"
expect_in "$WORLD/err" "cannot log in as \"root\""
mv "$WORLD/id.saved" "$HOME/.ssh/id_ed25519"
slipway key remove dev >/dev/null
slipway key add dev --apps other-app <"$HOME/.ssh/id_ed25519.pub" >/dev/null
rc=0; remote status 2>"$WORLD/err" || rc=$?
[ $rc = 1 ] || fail "a key without the app: exit $rc, want 1"
expect_in "$WORLD/err" "no access to app \"$app\""
