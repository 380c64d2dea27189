#!/usr/bin/env bash
# e2e: alone (see run.sh): it makes the engine a Swarm manager (and leaves the Swarm again)
# target = swarm: the compose file deployed as a Swarm stack through the
# Engine API. A web service (1 replica, its port published in mode host) and
# a 2-replica worker deploy by push, with a one-shot service (restart
# none) whose task exits 0; a switch of target while the other form runs
# is refused, and so is x-slipway.release; a code change updates the worker
# start-first (each new task running before its old one stops, from the task
# list); an unhealthy release is rolled back by Swarm with the old tasks
# still running; a no-op deploy leaves every Version.Index alone; a rollback
# by push and `slipway rollback` build nothing; scale and restart reach the
# tasks; a service gone from the file is pruned; with [registry] push, the
# services run the pushed image by digest. Without a Swarm, one clear error.
# The engine is made a single-node Swarm here when it is not one, and left
# as it was found.
. "$(dirname "$0")/lib.sh"

app=e2e-swarm-$RUN
port=$(free_port)
new_app $app
src=$WORLD/src/$app
cat >>"$CONF" <<CONF
[app "$app"]
target = swarm
CONF

api() { curl -fsS --unix-socket /var/run/docker.sock "http://v1.41$1"; }
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
version_of() { api "/services/$1" | jq -r .Version.Index; }
image_id() { docker image inspect -f '{{.Id}}' "$1"; }
# running_images SERVICE: the image of each running task, sorted.
running_images() {
	api "/tasks?filters=$(enc "{\"service\":[\"$1\"],\"desired-state\":[\"running\"]}")" |
		jq -r '.[] | select(.Status.State == "running") | .Spec.ContainerSpec.Image' | sort
}

mkdir -p "$src/web/www" "$src/worker"
printf 'swarm web %s\n' "$RUN" >"$src/web/www/index.html"
cat >"$src/web/Dockerfile" <<DF
FROM $BASE_IMAGE
COPY www /var/www
CMD ["httpd", "-f", "-p", "8080", "-h", "/var/www"]
DF
cat >"$src/worker/Dockerfile" <<DF
FROM $BASE_IMAGE
COPY version /version
CMD ["sh", "-c", "echo worker \$(cat /version); grep -q good /version && touch /tmp/ok; exec sleep 100000"]
DF
echo "good 1" >"$src/worker/version"
cat >"$src/compose.yaml" <<YML
services:
  web:
    build: ./web
    init: true
    ports:
      - target: 8080
        published: $port
        mode: host
  worker:
    build: ./worker
    depends_on: [web]
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ok"]
      interval: 1s
      timeout: 1s
      retries: 2
    stop_grace_period: 1s
    deploy:
      replicas: 2
      update_config:
        order: start-first
        parallelism: 2
        monitor: 1s
  once:
    build: ./worker
    command: ["true"]
    deploy:
      restart_policy: {condition: none}
YML
commit_all $app "v1"
sha1=$(git -C "$src" rev-parse HEAD)

inited=0 reg_pid=
leave_swarm() {
	local rc=$?
	set +e
	# The app's services and networks go first (app destroy), then the Swarm.
	(exit $rc); cleanup
	[ -z "$reg_pid" ] || kill "$reg_pid" 2>/dev/null
	docker image ls --digests --format '{{.Repository}}@{{.Digest}}' |
	    grep -F -- "$RUN" | grep -v '@<none>$' |
	    while read -r img; do docker image rm "$img" >/dev/null 2>&1; done
	if [ $inited = 1 ]; then
		docker swarm leave --force >/dev/null 2>&1
		# swarm init made it, and leaving keeps it: it holds an address pool.
		[ $had_gwbridge = 1 ] || docker network rm docker_gwbridge >/dev/null 2>&1
	fi
	exit $rc
}
trap leave_swarm EXIT

if [ "$(docker info -f '{{.Swarm.LocalNodeState}}')" = inactive ]; then
	say "without a Swarm, target = swarm is one clear error"
	! push $app || fail "a push to a non-Swarm engine succeeded"
	expect_in "$WORLD/push.out" 'not part of a Swarm (state "inactive"): run `docker swarm init`'
	say "docker swarm init (left again at exit)"
	had_gwbridge=0
	docker network inspect docker_gwbridge >/dev/null 2>&1 && had_gwbridge=1
	inited=1
	docker swarm init --advertise-addr 127.0.0.1 >/dev/null
else
	say "a Swarm is already active: it is left alone"
fi

say "a target switch with the app's containers still running is refused"
docker run -d --name $app-engine --label com.docker.compose.project=$app $BASE_IMAGE sleep 600 >/dev/null
! push $app || fail "a Swarm deploy ran beside the app's target = engine container"
expect_in "$WORLD/push.out" "app \"$app\" still runs 1 container as target = engine: remove them first"
! api "/services/${app}_web" >/dev/null 2>&1 || fail "the refused deploy created a service"
docker rm -f $app-engine >/dev/null

say "x-slipway.release under target = swarm is refused before the build"
app3=e2e-swarmrel-$RUN
new_app $app3
printf '[app "%s"]\ntarget = swarm\n' $app3 >>"$CONF"
printf 'services:\n  db:\n    build: .\n    x-slipway:\n      release: ./migrate\n' >"$WORLD/src/$app3/compose.yaml"
printf 'FROM %s\n' "$BASE_IMAGE" >"$WORLD/src/$app3/Dockerfile"
commit_all $app3 "v1"
! push $app3 || fail "a Swarm deploy ran without its release command"
expect_in "$WORLD/push.out" 'compose.yaml:2: service "db": "x-slipway.release" does not run with target = swarm yet'
expect_not_in "$WORLD/push.out" "-----> Building"
! api "/services/${app3}_db" >/dev/null 2>&1 || fail "the refused deploy created a service"

say "push: web (1 replica, host-mode port), worker (2 replicas), a one-shot"
push $app || { cat "$WORLD/push.out"; fail "push v1"; }
expect_in "$WORLD/push.out" "Creating service ${app}_web"
# A task that exits 0 and is not restarted has done its job.
expect_in "$WORLD/push.out" "Creating service ${app}_once"
[ "$(api "/tasks?filters=$(enc "{\"service\":[\"${app}_once\"]}")" | jq -r '.[].Status.State')" = complete ] ||
	fail "the one-shot service's task did not complete"
expect_in "$WORLD/push.out" "Creating service ${app}_worker"
expect_in "$WORLD/push.out" '"depends_on" is ignored in a Swarm stack'
expect_in "$WORLD/push.out" "Deployed $app ${sha1:0:7}"
wait_http "http://127.0.0.1:$port/" "swarm web $RUN"
[ "$(api "/services/${app}_web" | jq -r '.Spec.Labels["com.docker.stack.namespace"]')" = "$app" ] ||
	fail "the web service lacks the stack's namespace label"
id1=$(image_id $app-worker:$sha1)
[ "$(running_images ${app}_worker)" = "$(printf '%s\n%s' $id1 $id1)" ] || fail "worker does not run 2 tasks of v1"
[ "$(api "/services/${app}_worker" | jq -r '.Spec.Labels["com.docker.stack.image"]')" = "$app-worker:$sha1" ] ||
	fail "com.docker.stack.image does not name the image"
docker stack ps $app --format '{{.Name}} {{.CurrentState}}' >"$WORLD/ps.out"
expect_in "$WORLD/ps.out" "${app}_worker.2 Running"

say "status (tasks per node), ps and logs of a Swarm app"
node=$(docker info -f '{{.Name}}')
slipway status $app >"$WORLD/status.out" 2>&1 || { cat "$WORLD/status.out"; fail "status"; }
expect_in "$WORLD/status.out" "(Swarm stack)"
grep -Eq "^  worker +replicated +2/2 +completed|^  worker +replicated +2/2 +none" "$WORLD/status.out" ||
	{ cat "$WORLD/status.out"; fail "status does not show the worker's 2/2 tasks"; }
grep -Eq "^    worker\.2 +on $node +running" "$WORLD/status.out" ||
	{ cat "$WORLD/status.out"; fail "status does not show the worker's task 2 on $node"; }
slipway status $app --json | jq -e '.target == "swarm" and ([.services[] | select(.service == "worker") | .tasks[] | select(.state == "running")] | length) == 2' >/dev/null ||
	fail "status --json"
slipway ps $app >"$WORLD/ps.out" 2>&1 || { cat "$WORLD/ps.out"; fail "ps"; }
expect_in "$WORLD/ps.out" "${app}_worker.1"
expect_in "$WORLD/ps.out" "$port->8080/tcp (host)"
slipway ps >"$WORLD/ps.out" 2>&1 || { cat "$WORLD/ps.out"; fail "ps"; }
grep -Eq "^$app +worker +${sha1:0:7} +2/2 " "$WORLD/ps.out" || { cat "$WORLD/ps.out"; fail "ps: the worker's line"; }
slipway logs $app worker -n 5 >"$WORLD/logs.out" 2>&1 || { cat "$WORLD/logs.out"; fail "logs"; }
expect_in "$WORLD/logs.out" "worker | worker good 1"

say "a no-op deploy leaves every Version.Index unchanged"
vweb=$(version_of ${app}_web); vworker=$(version_of ${app}_worker)
slipway deploy $app >"$WORLD/noop.out" 2>&1 || { cat "$WORLD/noop.out"; fail "no-op deploy"; }
expect_in "$WORLD/noop.out" "Service ${app}_worker is unchanged"
[ "$(version_of ${app}_web)" = "$vweb" ] || fail "web's Version.Index moved on a no-op deploy"
[ "$(version_of ${app}_worker)" = "$vworker" ] || fail "worker's Version.Index moved on a no-op deploy"

say "a code change updates the worker start-first"
echo "good 2" >"$src/worker/version"
commit_all $app "v2"
sha2=$(git -C "$src" rev-parse HEAD)
push $app || { cat "$WORLD/push.out"; fail "push v2"; }
expect_in "$WORLD/push.out" "Service ${app}_web is unchanged"
expect_in "$WORLD/push.out" "Updating service ${app}_worker"
expect_in "$WORLD/push.out" "Updating service ${app}_once"
[ "$(version_of ${app}_web)" = "$vweb" ] || fail "the unchanged web service was updated"
id2=$(image_id $app-worker:$sha2)
# Per slot: the new task reached running before the old one stopped.
api "/tasks?filters=$(enc "{\"service\":[\"${app}_worker\"]}")" >"$WORLD/tasks.json"
jq -e --arg new "$id2" --arg old "$id1" '
	[.[] | {slot: .Slot, image: .Spec.ContainerSpec.Image, desired: .DesiredState,
		state: .Status.State, ts: .Status.Timestamp}] as $t |
	[1, 2] | all(. as $s |
		($t | map(select(.slot == $s and .image == $new and .state == "running")) | .[0]) as $n |
		($t | map(select(.slot == $s and .image == $old and .desired == "shutdown")) | .[0]) as $o |
		$n != null and $o != null and ($n.ts < $o.ts))' "$WORLD/tasks.json" >/dev/null ||
	{ jq -c '.[] | [.Slot, .Spec.ContainerSpec.Image, .DesiredState, .Status.State, .Status.Timestamp]' "$WORLD/tasks.json" >&2
	  fail "the worker was not updated start-first"; }

say "an unhealthy release is rolled back by Swarm; the old tasks keep running"
echo "bad 3" >"$src/worker/version"
commit_all $app "v3 (never healthy)"
! push $app || { cat "$WORLD/push.out"; fail "the unhealthy release was deployed"; }
expect_in "$WORLD/push.out" "service \"${app}_worker\": update rollback_"
expect_in "$WORLD/push.out" "dockerexec: unhealthy container"
expect_in "$WORLD/push.out" "worker bad 3"
expect_in "$WORLD/push.out" "Swarm rolled back to ${sha2:0:7}"
[ "$(running_images ${app}_worker | sort -u)" = "$id2" ] ||
	{ running_images ${app}_worker >&2; fail "the worker does not run v2 after the rollback"; }
[ "$(running_images ${app}_worker | wc -l)" = 2 ] || fail "the worker lost tasks in the rollback"
git -C "$src" reset -q --hard "$sha2"

say "a rollback by push and slipway rollback build nothing"
git -C "$src" push -f production "$sha1:main" >"$WORLD/push.out" 2>&1 || { cat "$WORLD/push.out"; fail "rollback push"; }
expect_in "$WORLD/push.out" "Reusing images of ${sha1:0:7}"
expect_not_in "$WORLD/push.out" "-----> Building"
[ "$(running_images ${app}_worker | sort -u)" = "$id1" ] || fail "the worker does not run v1 again"
slipway rollback $app >"$WORLD/rb.out" 2>&1 || { cat "$WORLD/rb.out"; fail "slipway rollback"; }
expect_in "$WORLD/rb.out" "Reusing images of ${sha2:0:7}"
[ "$(running_images ${app}_worker | sort -u)" = "$id2" ] || fail "slipway rollback does not run v2 again"

say "scale and restart reach the service's tasks"
slipway scale $app worker=3 >"$WORLD/scale.out" 2>&1 || { cat "$WORLD/scale.out"; fail "scale"; }
[ "$(running_images ${app}_worker | wc -l)" = 3 ] || fail "scale worker=3 does not run 3 tasks"
before=$(api "/tasks?filters=$(enc "{\"service\":[\"${app}_worker\"],\"desired-state\":[\"running\"]}")" | jq -r '[.[].ID] | sort | join(",")')
slipway restart $app worker >"$WORLD/restart.out" 2>&1 || { cat "$WORLD/restart.out"; fail "restart"; }
after=$(api "/tasks?filters=$(enc "{\"service\":[\"${app}_worker\"],\"desired-state\":[\"running\"]}")" | jq -r '[.[].ID] | sort | join(",")')
[ "$(running_images ${app}_worker | wc -l)" = 3 ] || fail "restart lost tasks"
[ "$before" != "$after" ] && ! echo "$after" | grep -q "${before%%,*}" || fail "restart did not replace the tasks"

say "a service gone from the file is removed (prune)"
git -C "$src" reset -q --hard "$sha1"
python3 - "$src/compose.yaml" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
open(p, "w").write(s.replace("    depends_on: [web]\n", "").split("  worker:")[0].replace("services:\n  web:", "services:\n  web:") )
PY
commit_all $app "v4: web only"
push $app || { cat "$WORLD/push.out"; fail "push v4"; }
expect_in "$WORLD/push.out" "Removing service ${app}_worker"
! api "/services/${app}_worker" >/dev/null 2>&1 || fail "the worker service was not pruned"
wait_http "http://127.0.0.1:$port/" "swarm web $RUN"

say "switching back to target = engine with the stack running is refused"
sed -i "/^\[app \"$app\"\]/,/^target/ s/^target = swarm/target = engine/" "$CONF"
! slipway deploy $app >"$WORLD/switch.out" 2>&1 || fail "an engine deploy ran beside the app's Swarm services"
expect_in "$WORLD/switch.out" "app \"$app\" still runs 1 Swarm service as target = swarm: remove them first (docker stack rm $app)"
[ -z "$(docker ps -q --filter label=com.docker.compose.project=$app)" ] || fail "the refused deploy started containers"
sed -i "/^\[app \"$app\"\]/,/^target/ s/^target = engine/target = swarm/" "$CONF"

say "with [registry] push, the service runs the pushed image by digest"
command -v docker-registry >/dev/null || fail "docker-registry is not installed"
rport=$(free_port)
mkdir -p "$WORLD/reg"
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
    "$WORLD/reg/data" "$rport" >"$WORLD/reg/config.yml"
docker-registry serve "$WORLD/reg/config.yml" >"$WORLD/reg/log" 2>&1 &
reg_pid=$!
n=100
while ! curl -s -o /dev/null "http://127.0.0.1:$rport/v2/"; do
	n=$((n - 1)); [ $n -gt 0 ] || fail "the registry never answered"; sleep 0.1
done
app2=e2e-swarmreg-$RUN
new_app $app2
cat >>"$CONF" <<CONF
[app "$app2"]
target = swarm
push = 127.0.0.1:$rport/swarm-$RUN
CONF
mkdir -p "$WORLD/src/$app2/worker"
cp "$src/worker/Dockerfile" "$WORLD/src/$app2/worker/"
echo "good reg" >"$WORLD/src/$app2/worker/version"
printf 'services:\n  worker:\n    build: ./worker\n    stop_grace_period: 1s\n    volumes: [data:/data]\nvolumes:\n  data: {}\n' \
    >"$WORLD/src/$app2/compose.yaml"
commit_all $app2 "v1"
push $app2 || { cat "$WORLD/push.out"; fail "push to a registry-backed stack"; }
expect_not_in "$WORLD/push.out" "no registry"
image=$(api "/services/${app2}_worker" | jq -r .Spec.TaskTemplate.ContainerSpec.Image)
case $image in
127.0.0.1:$rport/swarm-$RUN/$app2-worker@sha256:*) ;;
*) fail "the service runs \"$image\", not the pushed image by digest" ;;
esac
[ "$(running_images ${app2}_worker)" = "$image" ] || fail "no task runs the pushed image"
[ "$(docker volume inspect -f '{{index .Labels "com.docker.stack.namespace"}}' ${app2}_data)" = "$app2" ] ||
	fail "the stack's named volume ${app2}_data is missing or unlabelled"

say "app destroy --volumes removes the stack: services, networks, images, volumes"
slipway app destroy $app2 --volumes >"$WORLD/destroy.out" 2>&1 || { cat "$WORLD/destroy.out"; fail "app destroy"; }
! api "/services/${app2}_worker" >/dev/null 2>&1 || fail "app destroy left the service"
! docker network inspect ${app2}_default >/dev/null 2>&1 || fail "app destroy left the network"
[ -z "$(docker image ls -q "$app2-worker")" ] || { cat "$WORLD/destroy.out"; fail "app destroy left images"; }
! docker volume inspect ${app2}_data >/dev/null 2>&1 || fail "app destroy --volumes left the volume"
slipway app destroy $app --volumes >"$WORLD/destroy.out" 2>&1 || { cat "$WORLD/destroy.out"; fail "app destroy $app"; }
[ -z "$(docker image ls -q "$app-web")$(docker image ls -q "$app-worker")" ] ||
	{ cat "$WORLD/destroy.out"; docker image ls | grep -F "$app" >&2; fail "app destroy left images of $app"; }
