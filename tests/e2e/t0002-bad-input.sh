#!/usr/bin/env bash
# Every kind of bad input gets one clear error in the push output, and the
# running release keeps serving: same container, same page.
. "$(dirname "$0")/lib.sh"

app=e2e-bad-$RUN
port=$(free_port)
new_app $app
web_app $app $port "good release"
commit_all $app "good"
push $app || { cat "$WORLD/push.out"; fail "first push failed"; }
wait_http "http://127.0.0.1:$port/" "good release"
live=$(container_id $app-web-1)
src=$WORLD/src/$app

unchanged() {
	[ "$(container_id $app-web-1)" = "$live" ] || fail "$1: the running container changed"
	wait_http "http://127.0.0.1:$port/" "good release" 2
}

# try_push CASE EXPECTED: commit what is in the tree, push, expect the error.
try_push() {
	commit_all $app "$1"
	push $app -f || true
	expect_in "$WORLD/push.out" "$2"
	unchanged "$1"
	git -C "$src" reset -q --hard HEAD~1
}

say "no compose file"
git -C "$src" rm -q compose.yaml
try_push "no compose" "remote: error: no compose file"

say "YAML syntax error names file and line"
printf 'services:\n  web:\n    build: .\n   ports: [\n' >"$src/compose.yaml"
try_push "yaml" "remote: error: compose.yaml:4"

say "a service with neither image nor build"
printf 'services:\n  web:\n    command: ["true"]\n' >"$src/compose.yaml"
try_push "no image" 'service "web" has neither an image nor a build context'

say "an unknown key names file, line and key"
printf 'services:\n  web:\n    build: .\n    prots: ["1:1"]\n' >"$src/compose.yaml"
try_push "unknown key" 'remote: error: compose.yaml:4: service "web": unknown key "prots"'

say "a Dockerfile that fails to build"
printf 'FROM %s\nRUN exit 3\n' "$BASE_IMAGE" >"$src/Dockerfile"
try_push "bad Dockerfile" 'remote: error: build of "web" failed: '
# the engine's own words, in the one error line (BuildKit's: "... exit code: 3")
grep -qE 'remote: error: build of "web" failed: .*exit code: 3' "$WORLD/push.out" ||
	{ cat "$WORLD/push.out" >&2; fail "the build error does not carry the engine's message"; }

say "an unknown instruction"
printf 'FROM %s\nFROBNICATE now\n' "$BASE_IMAGE" >"$src/Dockerfile"
try_push "bad instruction" 'remote: error: build of "web" failed:'

say "invalid app names and revisions are refused"
for bad in "Bad" "-x" "a_b" "a/b" "../etc" "" "$(printf 'a%.0s' $(seq 64))"; do
	if slipway app create "$bad" >"$WORLD/out" 2>&1; then fail "app name \"$bad\" accepted"; fi
	expect_in "$WORLD/out" "invalid app name"
done
for bad in "--upload-pack=x" "a..b" 'HEAD@{1}' "x;rm" "refs/heads/../x"; do
	if slipway deploy $app "$bad" >"$WORLD/out" 2>&1; then fail "rev \"$bad\" accepted"; fi
	expect_in "$WORLD/out" "error:"
done
if slipway deploy $app 0123456789abcdef0123456789abcdef01234567 >"$WORLD/out" 2>&1; then
	fail "unknown commit accepted"
fi
expect_in "$WORLD/out" "unknown revision"
unchanged "bad revs"

say "\$SLIPWAY_CONFIG names the configuration when -c does not"
SLIPWAY_CONFIG=$CONF "$SLIPWAY_BIN" app list >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "SLIPWAY_CONFIG not read"; }
grep -qx "$app" "$WORLD/out" || { cat "$WORLD/out"; fail "SLIPWAY_CONFIG: app not listed"; }
if SLIPWAY_CONFIG=$WORLD/missing.conf "$SLIPWAY_BIN" app list >"$WORLD/out" 2>&1; then fail "a missing SLIPWAY_CONFIG accepted"; fi
expect_in "$WORLD/out" "missing.conf"
SLIPWAY_CONFIG=$WORLD/missing.conf "$SLIPWAY_BIN" -c "$CONF" app list >/dev/null 2>&1 || fail "-c does not beat SLIPWAY_CONFIG"

say "the engine down: the error names docker_host"
cp "$CONF" "$WORLD/conf.good"
sed -i "s|^docker_host = .*|docker_host = unix://$WORLD/no-such.sock|" "$CONF"
echo "again" >>"$src/www/index.html"
commit_all $app "engine down"
push $app -f || true
cp "$WORLD/conf.good" "$CONF"
expect_in "$WORLD/push.out" "remote: error: cannot reach the docker engine at \"unix://$WORLD/no-such.sock\" (docker_host)"
unchanged "engine down"
