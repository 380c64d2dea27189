#!/usr/bin/env bash
# A failed build, a failing release command and an unhealthy release all
# leave the previous release serving, tell the pusher why, and are on record.
. "$(dirname "$0")/lib.sh"

app=e2e-gate-$RUN
port=$(free_port)
new_app $app
src=$WORLD/src/$app
web_app $app $port "release one"
cat >>"$src/compose.yaml" <<'YML'
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]
      interval: 1s
      timeout: 2s
      retries: 3
YML
commit_all $app "one"
sha1=$(git -C "$src" rev-parse HEAD)
push $app || { cat "$WORLD/push.out"; fail "first push"; }
expect_in "$WORLD/push.out" "$app-web-1 is healthy"
wait_http "http://127.0.0.1:$port/" "release one"
live=$(container_id $app-web-1)
live_image=$(docker inspect -f '{{.Image}}' $app-web-1)

history_is() { # history_is STATUS TEXT: the newest row
	slipway history $app -n 1 --json >"$WORLD/h.json"
	jq -e --arg s "$1" --arg t "$2" '.[0].status == $s and (.[0].message | contains($t))' \
		"$WORLD/h.json" >/dev/null || { cat "$WORLD/h.json"; fail "history: want $1 / $2"; }
}

say "a failed build changes nothing running"
printf 'FROM %s\nRUN echo building; exit 7\n' "$BASE_IMAGE" >"$src/Dockerfile"
commit_all $app "broken build"
push $app || true
expect_in "$WORLD/push.out" 'error: build of "web" failed'
[ "$(container_id $app-web-1)" = "$live" ] || fail "container changed after a failed build"
history_is failed 'build of "web" failed'
git -C "$src" reset -q --hard HEAD~1

say "a failing release command aborts before cutover, with its output"
cat >"$src/compose.yaml" <<YML
services:
  web:
    build: .
    init: true
    ports: ["127.0.0.1:$port:8080"]
    environment:
      MIGRATION: "42"
    x-slipway:
      release: "echo migrating to \$\$MIGRATION; exit 5"
YML
commit_all $app "bad release command"
push $app -f || true
expect_in "$WORLD/push.out" "migrating to 42"
expect_in "$WORLD/push.out" 'release command of "web" failed with exit code 5'
[ "$(container_id $app-web-1)" = "$live" ] || fail "container changed after a failed release command"
[ -z "$(docker ps -aq --filter name=$app-web-release)" ] || fail "release container left behind"
history_is failed "release command"
git -C "$src" reset -q --hard HEAD~1

say "an unhealthy release is rolled back to the previous one"
printf 'release two\n' >"$src/www/index.html"
sed -i 's|"http://127.0.0.1:8080/"|"http://127.0.0.1:8080/missing"|' "$src/compose.yaml"
commit_all $app "unhealthy"
push $app -f || true
expect_in "$WORLD/push.out" "is unhealthy"
expect_in "$WORLD/push.out" "Last lines of $app-web-1"
expect_in "$WORLD/push.out" "Rolling back to ${sha1:0:7}"
expect_in "$WORLD/push.out" "Rolled back: ${sha1:0:7} is live again"
wait_http "http://127.0.0.1:$port/" "release one"
[ "$(docker inspect -f '{{.Image}}' $app-web-1)" = "$live_image" ] || fail "not back on the old image"
[ "$(docker inspect -f '{{index .Config.Labels "slipway.commit"}}' $app-web-1)" = "$sha1" ] || fail "commit label"
history_is failed "rolled back to ${sha1:0:7}"
slipway status $app --json | jq -e --arg s "$sha1" '.commit == $s' >/dev/null || fail "status after rollback"

say "the log of the failed attempt is kept"
id=$(jq -r '.[0].id' "$WORLD/h.json")
slipway history $app --log "$id" >"$WORLD/log.txt"
expect_in "$WORLD/log.txt" "Rolling back to ${sha1:0:7}"
