#!/usr/bin/env bash
# A push builds through the Engine API, tags with the commit and serves; a
# second push replaces the container and serves the change.
. "$(dirname "$0")/lib.sh"

app=e2e-push-$RUN
port=$(free_port)
new_app $app
web_app $app $port "hello from v1"
printf '**/secret.txt\nwww/*.log\n!www/keep.log\n' >"$WORLD/src/$app/.dockerignore"
echo "do not ship" >"$WORLD/src/$app/www/secret.txt"
echo "debug" >"$WORLD/src/$app/www/debug.log"
echo "kept" >"$WORLD/src/$app/www/keep.log"
commit_all $app "v1"
sha1=$(git -C "$WORLD/src/$app" rev-parse HEAD)

say "first push deploys"
push $app || { cat "$WORLD/push.out"; fail "push failed"; }
expect_in "$WORLD/push.out" "remote: -----> Building web"
expect_in "$WORLD/push.out" "] FROM docker.io/library/$BASE_IMAGE"   # BuildKit's progress
expect_in "$WORLD/push.out" "remote: -----> Deployed $app ${sha1:0:7}"
wait_http "http://127.0.0.1:$port/" "hello from v1"

say "image tagged with the full commit, container named and labelled like compose"
docker image inspect "$app-web:$sha1" >/dev/null || fail "no image $app-web:$sha1"
c=$app-web-1
[ "$(docker inspect -f '{{index .Config.Labels "com.docker.compose.project"}}' $c)" = $app ] || fail "project label"
[ "$(docker inspect -f '{{index .Config.Labels "com.docker.compose.service"}}' $c)" = web ] || fail "service label"
[ "$(docker inspect -f '{{index .Config.Labels "com.docker.compose.container-number"}}' $c)" = 1 ] || fail "number label"
[ "$(docker inspect -f '{{index .Config.Labels "com.docker.compose.oneoff"}}' $c)" = False ] || fail "oneoff label"
[ "$(docker inspect -f '{{index .Config.Labels "slipway.commit"}}' $c)" = "$sha1" ] || fail "commit label"
[ "$(docker inspect -f '{{.Config.Image}}' $c)" = "$app-web:$sha1" ] || fail "container image"
docker network inspect ${app}_default >/dev/null || fail "default network missing"

say ".dockerignore kept secret.txt out of the context"
curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/secret.txt" | grep -q 404 ||
	fail "secret.txt was sent in the build context"
curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/debug.log" | grep -q 404 ||
	fail "debug.log was sent in the build context"
wait_http "http://127.0.0.1:$port/keep.log" "kept" 2

say "status --json reports the live commit"
slipway status $app --json >"$WORLD/status.json"
jq -e --arg sha "$sha1" --arg app "$app" '.app == $app and .commit == $sha and
	(.services | length == 1) and .services[0].service == "web" and
	.services[0].container == ($app + "-web-1") and .services[0].state == "running" and
	.services[0].health == "none" and .services[0].image == $app + "-web:" + $sha' \
	"$WORLD/status.json" >/dev/null || { cat "$WORLD/status.json"; fail "status --json"; }

say "a second push replaces the container and serves the change"
old_id=$(container_id $c)
printf 'hello from v2\n' >"$WORLD/src/$app/www/index.html"
commit_all $app "v2"
sha2=$(git -C "$WORLD/src/$app" rev-parse HEAD)
push $app || { cat "$WORLD/push.out"; fail "second push failed"; }
wait_http "http://127.0.0.1:$port/" "hello from v2"
[ "$(container_id $c)" != "$old_id" ] || fail "container not replaced"
[ "$(docker ps -aq --filter label=com.docker.compose.project=$app | wc -l)" = 1 ] || fail "more than one container"
slipway status $app --json | jq -e --arg sha "$sha2" '.commit == $sha' >/dev/null || fail "status commit after v2"

say "other branches are ignored with a note"
git -C "$WORLD/src/$app" push production HEAD:refs/heads/feature >"$WORLD/push.out" 2>&1
expect_in "$WORLD/push.out" "Ignoring refs/heads/feature"

say "deploy NAME REV by the same path"
slipway deploy $app "$sha1" >"$WORLD/deploy.out" 2>&1 || { cat "$WORLD/deploy.out"; fail "deploy REV"; }
wait_http "http://127.0.0.1:$port/" "hello from v1"

say "app list shows the app"
slipway app list | grep -qx $app || fail "app list"

say "app destroy removes containers, network, images and the repository"
slipway app destroy $app >"$WORLD/destroy.out" 2>&1 || { cat "$WORLD/destroy.out"; fail "destroy"; }
APPS_MADE=()
[ -z "$(docker ps -aq --filter label=com.docker.compose.project=$app)" ] || fail "containers left"
! docker network inspect ${app}_default >/dev/null 2>&1 || fail "network left"
[ -z "$(docker images -q --filter label=slipway.app=$app)" ] || fail "images left"
[ ! -e "$WORLD/repos/$app.git" ] || fail "repository left"
! slipway app list | grep -qx $app || fail "still listed"
