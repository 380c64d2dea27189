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

# Atomic mode has no post-receive hook: git would run a process for nothing.
hooks=$WORLD/repos/$app.git/hooks
[ -x "$hooks/pre-receive" ] || fail "no pre-receive hook"
[ ! -e "$hooks/post-receive" ] || fail "a post-receive hook in atomic mode"

# The mode changes to post-receive: the next push's pre-receive installs
# post-receive before git looks for it, and that push deploys from it.
git -C "$src" reset -q --hard "$sha1"
sed -i 's/^mode = atomic$/mode = post-receive/' "$CONF"
echo "post-receive two" >"$src/www/index.html"
commit_all $app "two"
push $app || { cat "$WORLD/push.out"; fail "push two"; }
expect_in "$WORLD/push.out" "Mode post-receive"
wait_http "http://127.0.0.1:$port/" "post-receive two"
[ -x "$hooks/post-receive" ] || fail "no post-receive hook in post-receive mode"
# A post-receive hook that cannot be installed refuses the push: accepted,
# it would deploy nothing.
rm "$hooks/post-receive"
mkdir "$hooks/post-receive"
echo "post-receive lost" >"$src/www/index.html"
commit_all $app "lost"
if push $app; then fail "a push with no post-receive hook to deploy it was accepted"; fi
expect_in "$WORLD/push.out" "error: mode = post-receive, and the post-receive hook cannot be installed"
[ "$(git --git-dir="$WORLD/repos/$app.git" rev-parse main)" != "$(git -C "$src" rev-parse HEAD)" ] ||
	fail "the branch moved"
rmdir "$hooks/post-receive"
git -C "$src" reset -q --hard HEAD~1

# And back: the push deploys in pre-receive, and post-receive is gone again.
sed -i 's/^mode = post-receive$/mode = atomic/' "$CONF"
echo "atomic three" >"$src/www/index.html"
commit_all $app "three"
push $app || { cat "$WORLD/push.out"; fail "push three"; }
expect_in "$WORLD/push.out" "Mode atomic"
wait_http "http://127.0.0.1:$port/" "atomic three"
[ ! -e "$hooks/post-receive" ] || fail "post-receive left in atomic mode"
