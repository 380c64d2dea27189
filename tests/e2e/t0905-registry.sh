#!/usr/bin/env bash
# Registries, against two real Debian docker-registry daemons on loopback (one
# open, one with htpasswd): an image-only service found only in a registry is
# pulled with no manual step; a wrong password or a loose password file fails
# clearly and leaves the live release serving; built images are pushed with
# their SHA tags; a rollback whose images retention removed pulls them back;
# one app may not pull another's pushed builds.
. "$(dirname "$0")/lib.sh"

command -v docker-registry >/dev/null || fail "docker-registry is not installed"
REG_PIDS=()
IMAGES_MADE=()
reg_cleanup() {
	local pid img
	for img in "${IMAGES_MADE[@]}"; do
		docker image rm "$img" >/dev/null 2>&1 || true
	done
	# Whatever slipway pulled or tagged for this run's app.
	docker image ls --format '{{.Repository}}:{{.Tag}}' | grep -F -- "$RUN" |
	    while read -r img; do docker image rm "$img" >/dev/null 2>&1 || true; done
	docker image ls --digests --format '{{.Repository}}@{{.Digest}}' |
	    grep -F -- "$RUN" | grep -v '@<none>$' |
	    while read -r img; do docker image rm "$img" >/dev/null 2>&1 || true; done
	for pid in "${REG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
}
trap 'rc=$?; set +e; (exit $rc); cleanup; reg_cleanup; exit $rc' EXIT

# start_registry NAME PORT [AUTH-YAML]
start_registry() {
	local name=$1 port=$2 n=100
	mkdir -p "$WORLD/$name"
	{
		printf 'version: 0.1\nlog:\n  level: error\n'
		printf 'storage:\n  filesystem:\n    rootdirectory: %s\n' "$WORLD/$name/data"
		printf 'http:\n  addr: 127.0.0.1:%s\n' "$port"
		printf '%s' "${3:-}"
	} >"$WORLD/$name/config.yml"
	docker-registry serve "$WORLD/$name/config.yml" >"$WORLD/$name/log" 2>&1 &
	REG_PIDS+=($!)
	while ! curl -s -o /dev/null "http://127.0.0.1:$port/v2/"; do
		n=$((n - 1))
		[ $n -gt 0 ] || { cat "$WORLD/$name/log"; fail "registry $name never answered"; }
		sleep 0.1
	done
}

open_port=$(free_port)
start_registry open "$open_port"
auth_port=$(free_port)
password="pw-$RUN-secret"
python3 -W ignore -c 'import crypt, sys
print("tester:" + crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))' \
    "$password" >"$WORLD/htpasswd"
start_registry auth "$auth_port" "auth:
  htpasswd:
    realm: slipway-test
    path: $WORLD/htpasswd
"
OPEN=127.0.0.1:$open_port
AUTH=127.0.0.1:$auth_port
code=$(curl -s -o /dev/null -w '%{http_code}' "http://$AUTH/v2/")
[ "$code" = 401 ] || fail "the auth registry answers $code without credentials"

say "a db image that exists only in the registries"
mkdir -p "$WORLD/db/www"
echo "db of $RUN" >"$WORLD/db/www/index.html"
cat >"$WORLD/db/Dockerfile" <<DF
FROM $BASE_IMAGE
COPY www /var/www
CMD ["httpd", "-f", "-p", "8081", "-h", "/var/www"]
DF
docker build -q -t "$OPEN/e2e-db-$RUN:1" "$WORLD/db" >/dev/null
docker tag "$OPEN/e2e-db-$RUN:1" "$AUTH/e2e-dbp-$RUN:1"
# A base image that only the private registry has, for a FROM.
docker tag "$OPEN/e2e-db-$RUN:1" "$AUTH/e2e-base-$RUN:1"
# What a service with build: and pull_policy always runs instead of building.
mkdir -p "$WORLD/webimg/www"
echo "webimg from the registry $RUN" >"$WORLD/webimg/www/index.html"
printf 'FROM %s\nCOPY www /var/www\nCMD ["httpd", "-f", "-p", "8080", "-h", "/var/www"]\n' \
    "$BASE_IMAGE" >"$WORLD/webimg/Dockerfile"
docker build -q -t "$OPEN/e2e-webimg-$RUN:1" "$WORLD/webimg" >/dev/null
docker push -q "$OPEN/e2e-db-$RUN:1" >/dev/null
docker push -q "$OPEN/e2e-webimg-$RUN:1" >/dev/null
echo "$password" | docker login -u tester --password-stdin "$AUTH" >/dev/null 2>&1 ||
    fail "docker login to the test registry"
docker push -q "$AUTH/e2e-dbp-$RUN:1" >/dev/null
docker push -q "$AUTH/e2e-base-$RUN:1" >/dev/null
docker logout "$AUTH" >/dev/null 2>&1
docker image rm "$OPEN/e2e-db-$RUN:1" "$AUTH/e2e-dbp-$RUN:1" "$AUTH/e2e-base-$RUN:1" \
    "$OPEN/e2e-webimg-$RUN:1" >/dev/null
! docker image inspect "$OPEN/e2e-db-$RUN:1" >/dev/null 2>&1 || fail "db image still local"

printf '%s\n' "$password" >"$WORLD/regpass"
chmod 600 "$WORLD/regpass"
cat >>"$CONF" <<CONF
keep_releases = 1
[registry]
push = $AUTH/slipway
[registry "$AUTH"]
username = tester
password_file = $WORLD/regpass
CONF

app=e2e-registry-$RUN
port=$(free_port)
dbport=$(free_port)
new_app $app
src=$WORLD/src/$app
# version TEXT DB-IMAGE [PULL-POLICY]
version() {
	web_app $app $port "$1"
	cat >>"$src/compose.yaml" <<YML
  db:
    image: $2
    pull_policy: ${3:-missing}
    init: true
    ports:
      - "127.0.0.1:$dbport:8081"
YML
	commit_all $app "$1"
}

say "deploy pulls the image-only service and pushes the built one"
version "version 1" "$OPEN/e2e-db-$RUN:1"
sha1=$(git -C "$src" rev-parse HEAD)
push $app || { cat "$WORLD/push.out"; fail "push v1"; }
wait_http "http://127.0.0.1:$port/" "version 1"
wait_http "http://127.0.0.1:$dbport/" "db of $RUN"
expect_in "$WORLD/push.out" "Pulling $OPEN/e2e-db-$RUN:1"
expect_in "$WORLD/push.out" "Pull complete"
expect_in "$WORLD/push.out" "Pushing $AUTH/slipway/$app-web:$sha1"
# One line per layer state, not one per byte.
[ "$(grep -c 'Downloading' "$WORLD/push.out")" -le 4 ] || fail "progress not compact"
tags=$(curl -fsS -u "tester:$password" "http://$AUTH/v2/slipway/$app-web/tags/list")
echo "$tags" | grep -qF "\"$sha1\"" || fail "tag $sha1 not in the registry: $tags"
[ -s "$WORLD/state/apps/$app/digests/$sha1.json" ] || fail "no digest record"
grep -qF "$OPEN/e2e-db-$RUN@sha256:" "$WORLD/state/apps/$app/digests/$sha1.json" ||
    fail "db digest not recorded: $(cat "$WORLD/state/apps/$app/digests/$sha1.json")"
grep -qF "$AUTH/slipway/$app-web@sha256:" "$WORLD/state/apps/$app/digests/$sha1.json" ||
    fail "pushed digest not recorded"

say "slipway pull refreshes the live release's images without deploying"
slipway pull $app >"$WORLD/pull.out" 2>&1 || { cat "$WORLD/pull.out"; fail "slipway pull"; }
expect_in "$WORLD/pull.out" "Pulling $OPEN/e2e-db-$RUN:1"
expect_in "$WORLD/pull.out" "Pulled 1 image of $app"

say "a wrong password fails clearly and leaves v1 serving"
printf 'wrong-%s\n' "$RUN" >"$WORLD/regpass"
version "version 2" "$AUTH/e2e-dbp-$RUN:1"
sha2=$(git -C "$src" rev-parse HEAD)
push $app || true
expect_in "$WORLD/push.out" "cannot pull image \"$AUTH/e2e-dbp-$RUN:1\" from registry \"$AUTH\""
wait_http "http://127.0.0.1:$port/" "version 1"
wait_http "http://127.0.0.1:$dbport/" "db of $RUN"

say "a password file readable by others is refused"
printf '%s\n' "$password" >"$WORLD/regpass"
chmod 644 "$WORLD/regpass"
push $app || true
cp "$WORLD/push.out" "$WORLD/deploy.out"
expect_in "$WORLD/deploy.out" "is accessible to group or others"
wait_http "http://127.0.0.1:$port/" "version 1"

say "the right password pulls from the private registry"
chmod 600 "$WORLD/regpass"
push $app || { cat "$WORLD/push.out"; fail "push v2"; }
cp "$WORLD/push.out" "$WORLD/deploy.out"
wait_http "http://127.0.0.1:$port/" "version 2"
expect_in "$WORLD/deploy.out" "Pulling $AUTH/e2e-dbp-$RUN:1"
for f in "$WORLD/push.out" "$WORLD/deploy.out"; do
	expect_not_in "$f" "$password"
done
slipway history $app --json >"$WORLD/history.json"
for id in $(grep -o '"id": *[0-9]*' "$WORLD/history.json" | grep -o '[0-9]*$'); do
	slipway history $app --log "$id" >>"$WORLD/history.log" 2>&1 || true
done
[ -s "$WORLD/history.log" ] || fail "no history logs"
expect_not_in "$WORLD/history.log" "$password"

say "an unknown image, an unreachable registry: one clear error each"
version "version u" "$OPEN/e2e-nope-$RUN:1"
push $app || true
expect_in "$WORLD/push.out" "error: cannot pull image \"$OPEN/e2e-nope-$RUN:1\" from registry \"$OPEN\""
git -C "$src" reset -q --hard HEAD~1
dead=127.0.0.1:$(free_port)
version "version d" "$dead/e2e-db-$RUN:1"
push $app -f || true
expect_in "$WORLD/push.out" "error: cannot pull image \"$dead/e2e-db-$RUN:1\" from registry \"$dead\""
git -C "$src" reset -q --hard HEAD~1
wait_http "http://127.0.0.1:$port/" "version 2"

say "another app's pushed builds are refused"
version "version x" "$AUTH/slipway/other-web:$sha1"
push $app -f || true
expect_in "$WORLD/push.out" "an app may only pull its own builds"
git -C "$src" reset -q --hard HEAD~1

say "a failed push fails the deploy before anything changes"
printf 'wrong-%s\n' "$RUN" >"$WORLD/regpass"
version "version 2b" "$OPEN/e2e-db-$RUN:1"
sha2b=$(git -C "$src" rev-parse HEAD)
push $app -f || true
expect_in "$WORLD/push.out" "error: cannot push image \"$AUTH/slipway/$app-web:"
wait_http "http://127.0.0.1:$port/" "version 2"
curl -fsS "http://127.0.0.1:$port/" | grep -qF "version 2b" && fail "v2b went live"
say "push_required = no: warn and go on"
printf '[registry]\npush_required = no\n' >>"$CONF"
push $app -f || { cat "$WORLD/push.out"; fail "push v2b"; }
cp "$WORLD/push.out" "$WORLD/deploy.out"
expect_in "$WORLD/deploy.out" "warning: cannot push image \"$AUTH/slipway/$app-web:"
wait_http "http://127.0.0.1:$port/" "version 2b"
printf '%s\n' "$password" >"$WORLD/regpass"

say "a FROM the private registry builds with the server's credentials"
version "version f" "$OPEN/e2e-db-$RUN:1"
sed -i "s|^FROM .*|FROM $AUTH/e2e-base-$RUN:1|" "$src/Dockerfile"
commit_all $app "FROM the private registry"
push $app || { cat "$WORLD/push.out"; fail "push FROM private"; }
wait_http "http://127.0.0.1:$port/" "version f"
expect_in "$WORLD/push.out" "Pulling $AUTH/e2e-base-$RUN:1"
expect_not_in "$WORLD/push.out" "$password"

say "build.pull: the base pulled again with the credentials, and built again"
sed -i "s|^    build: \.$|    build:\n      context: .\n      pull: true|" "$src/compose.yaml"
commit_all $app "build.pull"
push $app || { cat "$WORLD/push.out"; fail "push with build.pull"; }
expect_in "$WORLD/push.out" "Pulling $AUTH/e2e-base-$RUN:1"
expect_in "$WORLD/push.out" "Building web"
expect_not_in "$WORLD/push.out" "Build of web skipped"
wait_http "http://127.0.0.1:$port/" "version f"

say "the db tag moves in the registry; pull_policy always follows it"
echo "db2 of $RUN" >"$WORLD/db/www/index.html"
docker build -q -t "$OPEN/e2e-db-$RUN:1" "$WORLD/db" >/dev/null
docker push -q "$OPEN/e2e-db-$RUN:1" >/dev/null
docker image rm "$OPEN/e2e-db-$RUN:1" >/dev/null

say "retention removes v1's image; a rollback pulls it back"
version "version 3" "$OPEN/e2e-db-$RUN:1" always
push $app || { cat "$WORLD/push.out"; fail "push v3"; }
wait_http "http://127.0.0.1:$dbport/" "db2 of $RUN"
version "version 4" "$OPEN/e2e-db-$RUN:1"
push $app || { cat "$WORLD/push.out"; fail "push v4"; }
wait_http "http://127.0.0.1:$port/" "version 4"
! docker image inspect "$app-web:$sha1" >/dev/null 2>&1 || fail "retention kept v1's image"
say "v1's tag is pushed again with other bytes: the rollback pulls v1's digest"
mkdir -p "$WORLD/swap/www"
echo "swapped $RUN" >"$WORLD/swap/www/index.html"
printf 'FROM %s\nCOPY www /var/www\nCMD ["httpd", "-f", "-p", "8080", "-h", "/var/www"]\n' \
    "$BASE_IMAGE" >"$WORLD/swap/Dockerfile"
docker build -q -t "$AUTH/slipway/$app-web:$sha1" "$WORLD/swap" >/dev/null
echo "$password" | docker login -u tester --password-stdin "$AUTH" >/dev/null 2>&1 ||
    fail "docker login to the test registry"
docker push -q "$AUTH/slipway/$app-web:$sha1" >/dev/null
docker logout "$AUTH" >/dev/null 2>&1
docker image rm "$AUTH/slipway/$app-web:$sha1" >/dev/null
slipway rollback $app "$sha1" >"$WORLD/rb.out" 2>&1 || { cat "$WORLD/rb.out"; fail "rollback to v1"; }
expect_in "$WORLD/rb.out" "Pulling $AUTH/slipway/$app-web@sha256:"
wait_http "http://127.0.0.1:$port/" "version 1"
curl -fsS "http://127.0.0.1:$port/" | grep -qF "swapped" && fail "the rollback ran the re-pushed tag"
docker image inspect "$app-web:$sha1" >/dev/null || fail "v1's image not restored"
say "the rollback runs the db digest v1 ran, not the moved tag"
wait_http "http://127.0.0.1:$dbport/" "db of $RUN"

say "pull_policy build: a redeploy of the same commit builds again"
version "version 5" "$OPEN/e2e-db-$RUN:1"
sed -i "s|^    build: \.$|    build: .\n    pull_policy: build|" "$src/compose.yaml"
commit_all $app "pull_policy build"
push $app || { cat "$WORLD/push.out"; fail "push v5"; }
wait_http "http://127.0.0.1:$port/" "version 5"
slipway deploy $app >"$WORLD/redeploy.out" 2>&1 || { cat "$WORLD/redeploy.out"; fail "redeploy v5"; }
expect_in "$WORLD/redeploy.out" "Building web"
expect_not_in "$WORLD/redeploy.out" "Reusing images"

say "pull_policy always with build: runs the image pulled, as compose does"
version "version 6" "$OPEN/e2e-db-$RUN:1"
sed -i "s|^    build: \.$|    build: .\n    image: $OPEN/e2e-webimg-$RUN:1\n    pull_policy: always|" \
    "$src/compose.yaml"
commit_all $app "pull_policy always"
push $app || { cat "$WORLD/push.out"; fail "push v6"; }
expect_in "$WORLD/push.out" "Pulling $OPEN/e2e-webimg-$RUN:1"
wait_http "http://127.0.0.1:$port/" "webimg from the registry $RUN"

say "an unknown pull_policy on a built service is refused"
version "version 7" "$OPEN/e2e-db-$RUN:1"
sed -i "s|^    build: \.$|    build: .\n    pull_policy: sometimes|" "$src/compose.yaml"
commit_all $app "bad pull_policy"
push $app && fail "a bad pull_policy was deployed"
expect_in "$WORLD/push.out" "service \"web\": unknown pull_policy \"sometimes\""
wait_http "http://127.0.0.1:$port/" "webimg from the registry $RUN"
say "ok"
