#!/usr/bin/env bash
# Builds that cannot change anything are skipped: each service's build is
# keyed by its context as sent (from the commit's tree, after .dockerignore),
# Dockerfile, target and build args. A change to another service's
# directory, to an ignored file or to compose.yaml alone builds nothing and
# leaves the containers alone; a change to the context or to a build arg
# builds; a recorded image that is gone is built again. The release
# directory holds only what the compose file reads from disk, and a file
# that did not change is the previous release's (a hard link).
. "$(dirname "$0")/lib.sh"

app=e2e-skip-$RUN
rm_images() {
	docker images -q --filter "label=slipway.app=$app" | sort -u |
		xargs -r docker rmi -f >/dev/null 2>&1 || true
}
trap 'rc=$?; set +e; (exit $rc); cleanup; rm_images' EXIT

new_app $app
src=$WORLD/src/$app
port=$(free_port)
for svc in web api; do
	mkdir -p "$src/$svc/www"
	echo "$svc one" >"$src/$svc/www/index.html"
	cat >"$src/$svc/Dockerfile" <<DF
FROM $BASE_IMAGE
ARG FLAVOUR=plain
COPY www /var/www
LABEL flavour=\$FLAVOUR
CMD ["httpd", "-f", "-p", "8080", "-h", "/var/www"]
DF
done
printf '*.md\n' >"$src/web/.dockerignore"
echo "notes" >"$src/web/NOTES.md"
cat >"$src/compose.yaml" <<YML
services:
  web:
    build: ./web
    init: true
    ports: ["127.0.0.1:$port:8080"]
  api:
    build: ./api
    init: true
    volumes: ["./conf/app.conf:/etc/app.conf:ro"]
YML
mkdir -p "$src/conf"
echo "setting=1" >"$src/conf/app.conf"
commit_all $app "two services"
first=$(git -C "$src" rev-parse --short=7 HEAD)
push $app || { cat "$WORLD/push.out"; fail "first push"; }
expect_in "$WORLD/push.out" "Building web"
expect_in "$WORLD/push.out" "Building api"
wait_http "http://127.0.0.1:$port/" "web one"
web1=$(container_id $app-web-1)

say "a change to another service's directory builds that one only"
echo "api two" >"$src/api/www/index.html"
commit_all $app "api only"
push $app || { cat "$WORLD/push.out"; fail "api push"; }
expect_in "$WORLD/push.out" "Build of web skipped: context unchanged since $first"
expect_in "$WORLD/push.out" "Building api"
expect_not_in "$WORLD/push.out" "Building web"
[ "$(container_id $app-web-1)" = "$web1" ] || fail "web was recreated"

say "the release holds what the compose file reads, unchanged files linked"
rels=$WORLD/state/apps/$app/releases
second=$(git -C "$src" rev-parse HEAD)
full1=$(git -C "$src" rev-parse HEAD~1)
for f in compose.yaml conf/app.conf api/Dockerfile; do
	[ -f "$rels/$second/$f" ] || fail "release lacks $f"
done
for f in api/www/index.html web/NOTES.md; do
	[ ! -e "$rels/$second/$f" ] || fail "release holds $f, which nothing reads from disk"
done
[ "$(stat -c %i "$rels/$second/conf/app.conf")" = "$(stat -c %i "$rels/$full1/conf/app.conf")" ] ||
	fail "an unchanged bind source was written again"
[ "$(docker exec $app-api-1 cat /etc/app.conf)" = "setting=1" ] || fail "the bind is not served"

say "an ignored file, a compose-only change: nothing is built"
echo "more notes" >>"$src/web/NOTES.md"
commit_all $app "notes"
push $app || { cat "$WORLD/push.out"; fail "notes push"; }
expect_in "$WORLD/push.out" "Build of web skipped"
expect_in "$WORLD/push.out" "Build of api skipped"
expect_not_in "$WORLD/push.out" "Building"
[ "$(container_id $app-web-1)" = "$web1" ] || fail "web was recreated by an ignored file"
sed -i 's/^    init: true$/    init: true\n    environment: {MODE: two}/' "$src/compose.yaml"
commit_all $app "environment"
push $app || { cat "$WORLD/push.out"; fail "compose push"; }
expect_not_in "$WORLD/push.out" "Building"
[ "$(docker inspect -f '{{range .Config.Env}}{{.}} {{end}}' $app-web-1 | grep -c MODE=two)" = 1 ] ||
	fail "the environment change was not applied"

say "a change to the context builds, and is served"
echo "web two" >"$src/web/www/index.html"
commit_all $app "web two"
push $app || { cat "$WORLD/push.out"; fail "web push"; }
expect_in "$WORLD/push.out" "Building web"
expect_not_in "$WORLD/push.out" "Building api"
wait_http "http://127.0.0.1:$port/" "web two"

say "a build arg is part of the key"
sed -i 's|^    build: ./web$|    build: {context: ./web, args: {FLAVOUR: spicy}}|' "$src/compose.yaml"
commit_all $app "flavour"
push $app || { cat "$WORLD/push.out"; fail "args push"; }
expect_in "$WORLD/push.out" "Building web"
[ "$(docker inspect -f '{{index .Config.Labels "flavour"}}' $app-web-1)" = spicy ] ||
	fail "the build arg did not reach the image"

say "a recorded image that is gone is built again"
keys=$WORLD/state/apps/$app/build-keys
[ -f "$keys" ] || fail "no build-keys file"
sed -i 's/ sha256:[0-9a-f]* / sha256:0000000000000000000000000000000000000000000000000000000000000000 /' "$keys"
echo "api three" >"$src/api/www/index.html"
commit_all $app "api three"
push $app || { cat "$WORLD/push.out"; fail "push after loss"; }
expect_in "$WORLD/push.out" "Building web"
expect_in "$WORLD/push.out" "Building api"
