#!/usr/bin/env bash
# mode = atomic deploys in pre-receive: a broken push is rejected and the
# branch does not move; a good one deploys from git's quarantine.
. "$(dirname "$0")/lib.sh"

sed -i 's/^branch = main$/branch = main\nmode = atomic/' "$CONF"
app=e2e-atomic-$RUN
port=$(free_port)
new_app $app
src=$WORLD/src/$app
web_app $app $port "atomic one"
commit_all $app "one"
sha1=$(git -C "$src" rev-parse HEAD)
push $app || { cat "$WORLD/push.out"; fail "push one"; }
wait_http "http://127.0.0.1:$port/" "atomic one"

printf 'FROM %s\nRUN exit 1\n' "$BASE_IMAGE" >"$src/Dockerfile"
commit_all $app "broken"
push $app && fail "a broken push was accepted in atomic mode"
expect_in "$WORLD/push.out" "pre-receive hook declined"
expect_in "$WORLD/push.out" 'build of "web" failed'
[ "$(git --git-dir="$WORLD/repos/$app.git" rev-parse main)" = "$sha1" ] || fail "the branch moved"
wait_http "http://127.0.0.1:$port/" "atomic one" 2
