#!/usr/bin/env bash
# Convergence like `docker compose up -d`: a deploy that changes nothing
# touches nothing; a change recreates only the service it concerns; named
# volumes outlive their containers; removed services and surplus replicas go,
# by container number; dependencies start in order (service_healthy,
# service_completed_successfully); a cycle, an unknown dependency or a policy
# violation is refused before anything changes; app config values reach the
# containers and never the output.
. "$(dirname "$0")/lib.sh"

app=e2e-conv-$RUN
port=$(free_port)
# Images of the app are removed even when the test fails before destroy.
trap 'rc=$?; set +e; (exit $rc); cleanup; docker images -q --filter "label=slipway.app=$app" |
	sort -u | xargs -r docker rmi -f >/dev/null 2>&1' EXIT
new_app $app
src=$WORLD/src/$app
mkdir -p "$src/www"
echo "converge" >"$src/www/index.html"
cat >"$src/Dockerfile" <<DF
FROM $BASE_IMAGE
COPY www /var/www
DF

# The compose file, from these knobs.
web_env=one db_env=a replicas=2 web_deps="" web_more="" services_more="" worker_more=""
write_compose() {
	cat >"$src/compose.yaml" <<YML
services:
  web:
    build: .
    init: true
    command: ["httpd", "-f", "-p", "8080", "-h", "/var/www"]
    ports: ["127.0.0.1:$port:8080"]
    environment:
      GREETING: "$web_env"
$web_more
    depends_on:
      db:
        condition: service_healthy
$web_deps
  db:
    image: $BASE_IMAGE
    init: true
    # ready (healthy) 2 s after it starts
    command: ["sh", "-c", "sleep 2; touch /tmp/ready; exec sleep 3600"]
    environment:
      DB_MODE: "$db_env"
    volumes:
      - data:/data
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 1s
      timeout: 1s
      retries: 10
  worker:
    image: $BASE_IMAGE
    init: true
    command: ["sleep", "3600"]
    deploy:
      replicas: $replicas
$worker_more
$services_more
volumes:
  data:
YML
}

# ids: "name id" of every container of the app, sorted.
ids() {
	docker ps -a --filter "label=com.docker.compose.project=$app" \
		--format '{{.Names}} {{.ID}}' | sort
}
# same_ids BEFORE_FILE WHAT: the containers are exactly those of before.
same_ids() {
	ids >"$WORLD/ids.now"
	diff -u "$1" "$WORLD/ids.now" >&2 || fail "$2: the containers changed"
}
started() { docker inspect -f '{{.State.StartedAt}}' "$1"; }
# secs TIMESTAMP: seconds since the epoch, with nanoseconds.
secs() { date -d "$1" +%s.%N; }
# deploy_ok: push and expect a successful deploy.
deploy_ok() {
	push $app || { cat "$WORLD/push.out"; fail "push failed"; }
	expect_in "$WORLD/push.out" "remote: -----> Deployed $app"
}

say "first deploy: db healthy before web starts"
write_compose
commit_all $app "three services"
deploy_ok
wait_http "http://127.0.0.1:$port/" "converge"
ids >"$WORLD/ids.1"
[ "$(wc -l <"$WORLD/ids.1")" = 4 ] || { cat "$WORLD/ids.1"; fail "want web, db, 2 workers"; }
db_start=$(secs "$(started $app-db-1)")
web_start=$(secs "$(started $app-web-1)")
awk -v d="$db_start" -v w="$web_start" 'BEGIN { exit !(w >= d + 2) }' ||
	fail "web started at $web_start, before db could be healthy (started $db_start)"

say "docker-compose 1.29 sees slipway's containers as its own"
(cd "$src" && docker-compose -p $app ps) >"$WORLD/ps.out" 2>&1 || { cat "$WORLD/ps.out"; fail "docker-compose ps"; }
for c in $app-web-1 $app-db-1 $app-worker-1 $app-worker-2; do
	grep -q "^$c .*Up" "$WORLD/ps.out" || { cat "$WORLD/ps.out"; fail "docker-compose ps lacks $c"; }
done

say "deploying the same commit again changes nothing"
slipway deploy $app >"$WORLD/deploy.out" 2>&1 || { cat "$WORLD/deploy.out"; fail "deploy"; }
expect_in "$WORLD/deploy.out" "Nothing to change: 4 containers up to date"
expect_not_in "$WORLD/deploy.out" "Creating"
expect_not_in "$WORLD/deploy.out" "Recreating"
expect_not_in "$WORLD/deploy.out" "Health gate"
same_ids "$WORLD/ids.1" "a no-op deploy"

say "a commit that only changes a README changes nothing"
echo "docs" >"$src/README.md"
commit_all $app "readme"
deploy_ok
expect_in "$WORLD/push.out" "Nothing to change: 4 containers up to date"
same_ids "$WORLD/ids.1" "a README push"

say "a named volume's data survives its container's recreation"
docker exec $app-db-1 sh -c 'echo precious > /data/keep.txt'
db_env=b
write_compose
commit_all $app "db env"
deploy_ok
expect_in "$WORLD/push.out" "Recreating $app-db-1 (configuration changed)"
expect_not_in "$WORLD/push.out" "Recreating $app-web-1"
expect_not_in "$WORLD/push.out" "Recreating $app-worker"
ids >"$WORLD/ids.2"
[ "$(grep -v "^$app-db-1 " "$WORLD/ids.1")" = "$(grep -v "^$app-db-1 " "$WORLD/ids.2")" ] ||
	{ diff "$WORLD/ids.1" "$WORLD/ids.2" >&2; fail "a container other than db changed"; }
[ "$(grep "^$app-db-1 " "$WORLD/ids.1")" != "$(grep "^$app-db-1 " "$WORLD/ids.2")" ] ||
	fail "db was not recreated"
docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' $app-db-1 | grep -qx DB_MODE=b ||
	fail "db does not run with DB_MODE=b"
[ "$(docker exec $app-db-1 cat /data/keep.txt)" = precious ] || fail "the volume's data is gone"

say "scale 2 -> 3 creates worker-3 only"
replicas=3
write_compose
commit_all $app "three workers"
deploy_ok
expect_in "$WORLD/push.out" "Creating $app-worker-3"
ids >"$WORLD/ids.3"
[ "$(grep -c . "$WORLD/ids.3")" = 5 ] || { cat "$WORLD/ids.3"; fail "want 5 containers"; }
[ "$(grep -v worker-3 "$WORLD/ids.3")" = "$(cat "$WORLD/ids.2")" ] ||
	{ diff "$WORLD/ids.2" "$WORLD/ids.3" >&2; fail "scaling out touched other containers"; }
[ "$(docker inspect -f '{{index .Config.Labels "com.docker.compose.container-number"}}' $app-worker-3)" = 3 ] ||
	fail "worker-3's number label"

say "scale 3 -> 1 removes worker-3 and worker-2, keeps worker-1"
replicas=1
write_compose
commit_all $app "one worker"
deploy_ok
expect_in "$WORLD/push.out" "Removing $app-worker-2 (scaled in)"
expect_in "$WORLD/push.out" "Removing $app-worker-3 (scaled in)"
ids >"$WORLD/ids.4"
[ "$(cat "$WORLD/ids.4")" = "$(grep -v 'worker-[23] ' "$WORLD/ids.3")" ] ||
	{ diff "$WORLD/ids.3" "$WORLD/ids.4" >&2; fail "scaling in kept or touched the wrong containers"; }

say "a service removed from the file loses its container"
sed -i '/^  worker:$/,/^      replicas:/d' "$src/compose.yaml"
grep -q worker "$src/compose.yaml" && fail "test bug: worker still in compose.yaml"
commit_all $app "no worker"
deploy_ok
expect_in "$WORLD/push.out" "Removing $app-worker-1 (orphan)"
ids >"$WORLD/ids.5"
[ "$(cat "$WORLD/ids.5")" = "$(grep -v worker "$WORLD/ids.4")" ] ||
	{ diff "$WORLD/ids.4" "$WORLD/ids.5" >&2; fail "removing worker touched other containers"; }
write_compose   # worker (1 replica) back
commit_all $app "worker back"
deploy_ok
ids >"$WORLD/ids.6"

# refused COMMIT-MESSAGE TEXT: the push is refused with TEXT before anything
# is built or changed.
refused() {
	commit_all $app "$1"
	push $app || true
	expect_in "$WORLD/push.out" "$2"
	expect_not_in "$WORLD/push.out" "Building"
	expect_not_in "$WORLD/push.out" "Deployed"
	same_ids "$WORLD/ids.6" "$1"
}

say "a dependency cycle is refused before anything changes"
db_env=c
web_deps="      worker:
        condition: service_started"
worker_more="    depends_on: [web]"
write_compose
refused "cycle" "dependency cycle"

say "an unknown dependency is refused before anything changes"
web_deps="      nosuch:
        condition: service_started"
worker_more=""
write_compose
refused "unknown dependency" 'depends on undefined service "nosuch"'

say "privileged is refused before anything changes"
db_env=b web_deps=""
worker_more="    privileged: true"
write_compose
refused "privileged" 'allow = privileged for this app'

say "a bind mount outside the release is refused, and deployed once allowed"
outside=$WORLD/outside
mkdir -p "$outside"
echo "from the host" >"$outside/note.txt"
# (and a long-syntax bind of a directory git cannot carry, which compose v2
# creates through the Bind API)
worker_more="    volumes:
      - $outside:/outside:ro
      - type: bind
        source: ./uploads
        target: /uploads"
write_compose
refused "host bind" 'allow = host-binds for this app'
cat >>"$CONF" <<CONF
[app "$app"]
allow = host-binds
CONF
# (the refused push did not move the branch: atomic mode)
push $app || { cat "$WORLD/push.out"; fail "push with allow = host-binds"; }
[ "$(docker exec $app-worker-1 cat /outside/note.txt)" = "from the host" ] ||
	fail "the allowed bind mount is not there"
docker exec $app-worker-1 test -d /uploads || fail "the missing bind source was not created"

say "service_completed_successfully: the one-shot exits 0 before web starts"
web_env=two
web_deps="      migrate:
        condition: service_completed_successfully"
services_more="  migrate:
    image: $BASE_IMAGE
    command: [\"sh\", \"-c\", \"sleep 1; echo migrated >> /data/migrations\"]
    volumes:
      - data:/data"
write_compose
commit_all $app "migrate first"
deploy_ok
expect_in "$WORLD/push.out" "Waiting for $app-migrate-1 (completed)"
[ "$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' $app-migrate-1)" = "exited 0" ] ||
	fail "migrate did not exit 0"
mig_end=$(secs "$(docker inspect -f '{{.State.FinishedAt}}' $app-migrate-1)")
web_start=$(secs "$(started $app-web-1)")
awk -v m="$mig_end" -v w="$web_start" 'BEGIN { exit !(w > m) }' ||
	fail "web started at $web_start, before migrate finished at $mig_end"
[ "$(docker exec $app-db-1 cat /data/migrations)" = migrated ] || fail "migrate did not write the volume"

say "config values reach the container at the next deploy, never the output"
secret="s3cr3t-$RANDOM-value"
slipway config $app set API_TOKEN="$secret" OTHER=visible >"$WORLD/config.out" 2>&1 ||
	{ cat "$WORLD/config.out"; fail "config set"; }
expect_not_in "$WORLD/config.out" "$secret"
expect_in "$WORLD/config.out" "set API_TOKEN"
[ "$(stat -c %a "$WORLD/state/apps/$app/env.json")" = 600 ] || fail "env.json is not 0600"
[ "$(slipway config $app list)" = "$(printf 'API_TOKEN\nOTHER')" ] || fail "config list: $(slipway config $app list)"
slipway config $app list --values | grep -qxF "API_TOKEN=$secret" || fail "config list --values"
web_more="      API_TOKEN:
      FROM_CONFIG: \"\${OTHER}\"
    x-slipway:
      release: \"echo token is \$\$API_TOKEN\""
write_compose
commit_all $app "token"
deploy_ok
expect_in "$WORLD/push.out" "token is ******"
expect_not_in "$WORLD/push.out" "$secret"
docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' $app-web-1 >"$WORLD/env"
grep -qxF "API_TOKEN=$secret" "$WORLD/env" || { cat "$WORLD/env"; fail "API_TOKEN did not reach web"; }
grep -qxF "FROM_CONFIG=visible" "$WORLD/env" || { cat "$WORLD/env"; fail "\${OTHER} was not interpolated from the config"; }
slipway history $app -n 1 --json >"$WORLD/h.json"
slipway history $app --log "$(jq -r '.[0].id' "$WORLD/h.json")" >"$WORLD/log.txt"
expect_in "$WORLD/log.txt" "token is ******"
expect_not_in "$WORLD/log.txt" "$secret"
expect_not_in "$WORLD/h.json" "$secret"
slipway config $app unset OTHER >"$WORLD/config.out" 2>&1 || fail "config unset"
[ "$(slipway config $app list)" = API_TOKEN ] || fail "config list after unset"

say "app destroy keeps named volumes; --volumes removes them"
vol=$(docker volume ls -q --filter label=com.docker.compose.project=$app | head -1)
[ -n "$vol" ] || fail "no named volume to check"
slipway app destroy $app >"$WORLD/destroy.out" 2>&1 || { cat "$WORLD/destroy.out"; fail "destroy"; }
docker volume inspect "$vol" >/dev/null || fail "destroy removed volume $vol"
slipway app create $app >/dev/null
push $app -f || { cat "$WORLD/push.out"; fail "push after destroy"; }
[ "$(docker exec $app-db-1 cat /data/keep.txt)" = precious ] || fail "the kept volume's data is gone"
slipway app destroy $app --volumes >/dev/null || fail "destroy --volumes"
APPS_MADE=()
! docker volume inspect "$vol" >/dev/null 2>&1 || fail "destroy --volumes kept $vol"
