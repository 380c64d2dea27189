#!/usr/bin/env bash
# Pushes over SSH through a real sshd and `slipway ssh-command`: a key's push
# deploys and is recorded under the key's name; a key cannot push to, fetch
# from or run commands on an app it was not given; admin keys manage apps.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-sshd.sh"

app=e2e-ssh-push-$RUN
other=e2e-ssh-other-$RUN
port=$(free_port)
new_app $app
new_app $other
new_key alice --apps $app
new_key bob --apps $other
new_key root --admin

say "key list shows the keys and their grants"
slipway key list >"$WORLD/keys.out"
expect_in "$WORLD/keys.out" "alice"
grep -E "^alice +--apps $app +ssh-ed25519 +alice@test\$" "$WORLD/keys.out" >/dev/null ||
	{ cat "$WORLD/keys.out"; fail "key list line for alice"; }
grep -E "^root +--admin " "$WORLD/keys.out" >/dev/null || fail "key list line for root"
grep -F "command=\"$SLIPWAY_BIN -c $CONF ssh-command alice --apps $app\",no-port-forwarding,no-X11-forwarding,no-agent-forwarding,no-user-rc ssh-ed25519 " \
	"$AUTH_KEYS" >/dev/null || { cat "$AUTH_KEYS"; fail "authorized_keys line"; }
[ "$(stat -c %a "$AUTH_KEYS")" = 600 ] || fail "authorized_keys mode"

say "a push over SSH deploys, as the key's user"
web_app $app $port "hello over ssh"
commit_all $app "v1 over ssh"
sha=$(git -C "$WORLD/src/$app" rev-parse HEAD)
git -C "$WORLD/src/$app" remote add ssh "$SSH_URL_BASE/$app.git"
git_as alice -C "$WORLD/src/$app" push ssh HEAD:main >"$WORLD/push.out" 2>&1 ||
	{ cat "$WORLD/push.out"; fail "push over ssh failed"; }
expect_in "$WORLD/push.out" "remote: -----> Deployed $app ${sha:0:7}"
wait_http "http://127.0.0.1:$port/" "hello over ssh"
slipway history $app --json | jq -e '.[0].user == "alice" and .[0].status == "succeeded"' >/dev/null ||
	{ slipway history $app --json; fail "history does not name alice"; }

say "the scp-like URL with ~/ and a bare name reach the same repository"
git_as alice -C "$WORLD/src/$app" ls-remote "$SSH_URL_BASE/~/$app.git" >"$WORLD/ls.out" 2>&1 ||
	{ cat "$WORLD/ls.out"; fail "ls-remote ~/app.git"; }
expect_in "$WORLD/ls.out" "$sha	refs/heads/main"
git_as alice clone -q "$SSH_URL_BASE/$app" "$WORLD/clone" 2>"$WORLD/clone.err" ||
	{ cat "$WORLD/clone.err"; fail "clone over ssh"; }
[ "$(git -C "$WORLD/clone" rev-parse HEAD)" = "$sha" ] || fail "clone has the wrong commit"

say "a key cannot push to an app it was not given"
printf 'changed\n' >"$WORLD/src/$app/www/index.html"
commit_all $app "v2 by bob"
if git_as bob -C "$WORLD/src/$app" push ssh HEAD:main >"$WORLD/push.out" 2>&1; then
	cat "$WORLD/push.out"; fail "bob pushed to $app"
fi
expect_in "$WORLD/push.out" "error: key \"bob\": no access to app \"$app\""
[ "$(git -C "$WORLD/repos/$app.git" rev-parse main)" = "$sha" ] || fail "bob moved main"
if git_as bob ls-remote "$SSH_URL_BASE/$app.git" >"$WORLD/ls.out" 2>&1; then
	fail "bob fetched from $app"
fi
expect_in "$WORLD/ls.out" "no access to app \"$app\""
if ssh_as bob $SSH_HOST "status $app" >"$WORLD/out" 2>"$WORLD/err"; then fail "bob ran status on $app"; fi
expect_in "$WORLD/err" "no access to app \"$app\""
[ ! -s "$WORLD/out" ] || fail "refused status printed on stdout"
wait_http "http://127.0.0.1:$port/" "hello over ssh" # still v1

say "the key's own commands work over SSH"
ssh_as alice $SSH_HOST "status $app --json" >"$WORLD/status.json" || fail "status over ssh"
jq -e --arg sha "$sha" '.commit == $sha' "$WORLD/status.json" >/dev/null || fail "status over ssh: commit"
ssh_as alice $SSH_HOST "history $app -n 1" >"$WORLD/out" || fail "history over ssh"
expect_in "$WORLD/out" "alice: "
ssh_as alice $SSH_HOST "config $app set 'GREETING=hello; $(echo x) | world'" >"$WORLD/out" 2>&1 ||
	{ cat "$WORLD/out"; fail "config set over ssh"; }
slipway config $app list --values >"$WORLD/out"
expect_in "$WORLD/out" 'GREETING=hello; x | world'
if ssh_as alice $SSH_HOST "config $app list --values" >"$WORLD/out" 2>"$WORLD/err"; then
	fail "config list --values without --admin"
fi
expect_in "$WORLD/err" "needs an --admin key"
ssh_as root $SSH_HOST "config $app list --values" >"$WORLD/out" || fail "admin config list --values"
expect_in "$WORLD/out" "GREETING="

say "only admin keys manage apps"
if ssh_as alice $SSH_HOST "app create e2e-ssh-new-$RUN" 2>"$WORLD/err"; then fail "alice created an app"; fi
expect_in "$WORLD/err" "\"app create\" needs an --admin key"
[ ! -e "$WORLD/repos/e2e-ssh-new-$RUN.git" ] || fail "the app exists anyway"
ssh_as root $SSH_HOST "app list" >"$WORLD/out" || fail "admin app list"
grep -qx $app "$WORLD/out" || fail "app list over ssh"
ssh_as root $SSH_HOST "app create e2e-ssh-new-$RUN" >"$WORLD/out" || fail "admin app create"
APPS_MADE+=(e2e-ssh-new-$RUN)
[ -d "$WORLD/repos/e2e-ssh-new-$RUN.git" ] || fail "admin app create made nothing"
ssh_as root $SSH_HOST "app destroy e2e-ssh-new-$RUN" >"$WORLD/out" || fail "admin app destroy"
[ ! -e "$WORLD/repos/e2e-ssh-new-$RUN.git" ] || fail "admin app destroy left the repository"

say "an admin key manages keys over SSH, other keys cannot"
ssh-keygen -q -t ed25519 -N '' -C carol@test -f "$KEYS/carol"
ssh-keygen -q -t ed25519 -N '' -C mallory@test -f "$KEYS/mallory"
cp "$AUTH_KEYS" "$WORLD/before"
if ssh_as alice $SSH_HOST "key add mallory --admin" <"$KEYS/mallory.pub" 2>"$WORLD/err"; then
	fail "alice added a key"
fi
expect_in "$WORLD/err" "\"key add\" needs an --admin key"
cmp -s "$AUTH_KEYS" "$WORLD/before" || fail "a refused key add changed authorized_keys"
ssh_as root $SSH_HOST "key add carol --apps $app" <"$KEYS/carol.pub" >"$WORLD/out" ||
	fail "admin key add over ssh"
ssh_as carol $SSH_HOST "status $app" >"$WORLD/out" || fail "carol's new key does not work"
ssh_as root $SSH_HOST "key list" | grep -q "^carol " || fail "key list over ssh"
ssh_as root $SSH_HOST "key remove carol" >/dev/null || fail "key remove over ssh"
if ssh_as carol $SSH_HOST "status $app" >/dev/null 2>&1; then fail "carol's removed key works"; fi

say "key remove takes the key out of authorized_keys"
slipway key remove bob >/dev/null
! grep -q "ssh-command bob " "$AUTH_KEYS" || fail "bob still in authorized_keys"
if ssh_as bob $SSH_HOST "status $other" >/dev/null 2>&1; then fail "a removed key still logs in"; fi
grep -q "ssh-command alice " "$AUTH_KEYS" || fail "key remove took alice too"

say "bad and duplicate keys are refused, and the file is left as it was"
cp "$AUTH_KEYS" "$WORLD/before"
if slipway key add carol --apps $app <"$KEYS/alice.pub" 2>"$WORLD/err"; then fail "duplicate key accepted"; fi
expect_in "$WORLD/err" "already in"
if slipway key add alice --apps $app <"$KEYS/root.pub" 2>"$WORLD/err"; then fail "duplicate name accepted"; fi
expect_in "$WORLD/err" "key \"alice\" already exists"
if echo "ssh-ed25519 AAAAnotbase64!" | slipway key add dave --apps $app 2>"$WORLD/err"; then fail "bad key accepted"; fi
if slipway key add dave --apps $app <"$KEYS/alice" 2>"$WORLD/err"; then fail "private key accepted"; fi
expect_in "$WORLD/err" "private key"
if cat "$KEYS/alice.pub" "$KEYS/root.pub" | slipway key add dave --apps $app 2>"$WORLD/err"; then fail "two keys accepted"; fi
if slipway key add dave <"$KEYS/alice.pub" 2>"$WORLD/err"; then fail "a key without a grant accepted"; fi
cmp -s "$AUTH_KEYS" "$WORLD/before" || fail "a refused key changed authorized_keys"
