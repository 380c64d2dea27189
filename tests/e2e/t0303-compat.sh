#!/usr/bin/env bash
# Compose files people already have (issue 18): each scenario is a small
# compose project deployed by slipway and, where docker-compose 1.29 has the
# same semantics, by docker-compose too, comparing what the engine ends up
# with. Where 1.29 differs from compose v2 (network recreation), the v2
# behaviour is checked directly.
. "$(dirname "$0")/lib.sh"

command -v docker-compose >/dev/null || fail "docker-compose is not installed"

DC_PROJECTS=()
dc_down_all() {
	local d
	for d in "${DC_PROJECTS[@]}"; do
		(cd "$WORLD/dc-$d" && docker-compose -p "$d" down -t 1 -v \
			--rmi local >/dev/null 2>&1) || true
	done
}
rm_images() {
	local app
	for app in "${APPS_MADE[@]}"; do
		docker images -q --filter "label=slipway.app=$app" | sort -u |
			xargs -r docker rmi -f >/dev/null 2>&1 || true
	done
}
trap 'rc=$?; set +e; dc_down_all; (exit $rc); cleanup; rm_images' EXIT

# dc_up APP [ARGS]: docker-compose up -d the app's work tree as its own
# project e2e-dc-...; output in $WORLD/dc.out, the project name in $DCP.
dc_up() {
	local app=$1; shift
	DCP=dc-$app
	DC_PROJECTS+=("$DCP")
	rm -rf "$WORLD/dc-$DCP"
	git clone -q "$WORLD/src/$app" "$WORLD/dc-$DCP"
	(cd "$WORLD/dc-$DCP" && docker-compose -p "$DCP" up -d "$@") >"$WORLD/dc.out" 2>&1
}

# finish APP: remove the app and its docker-compose twin now, not at the end:
# networks take address pools, and the engine is shared.
finish() {
	local app=$1 d=dc-$1
	slipway app destroy "$app" --volumes >/dev/null 2>&1 || true
	if [ -d "$WORLD/dc-$d" ]; then
		(cd "$WORLD/dc-$d" && docker-compose -p "$d" down -t 1 -v \
			>/dev/null 2>&1) || true
	fi
}

# state_of PROJECT SERVICE: "status exitcode" of its first container.
state_of() {
	docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$(docker ps -aq \
		--filter "label=com.docker.compose.project=$1" \
		--filter "label=com.docker.compose.service=$2" | head -n1)"
}

# deploy APP: push, and the push must deploy.
deploy() {
	push "$1" || { cat "$WORLD/push.out" >&2; fail "push of $1 failed"; }
	expect_in "$WORLD/push.out" "remote: -----> Deployed $1"
}

# --- 1. a changed network is recreated, its containers reconnected ---------
say "1. network: internal: true is applied on the next push"
app=e2e-net-$RUN
new_app $app
cat >"$WORLD/src/$app/compose.yaml" <<YML
services:
  a:
    image: $BASE_IMAGE
    command: ["sleep", "600"]
    init: true
    networks:
      back:
        aliases: [alpha]
  b:
    image: $BASE_IMAGE
    command: ["sleep", "600"]
    init: true
    networks: [back]
networks:
  back: {}
YML
commit_all $app "network"
deploy $app
[ "$(docker network inspect -f '{{.Internal}}' ${app}_back)" = false ] || fail "network internal from the start"
a_id=$(container_id $app-a-1)
sed -i 's/^  back: {}$/  back:\n    internal: true\n    labels: {tier: back}/' "$WORLD/src/$app/compose.yaml"
commit_all $app "network internal"
deploy $app
expect_in "$WORLD/push.out" "Recreating network ${app}_back"
expect_not_in "$WORLD/push.out" "Nothing to change"
[ "$(docker network inspect -f '{{.Internal}}' ${app}_back)" = true ] || fail "network not internal after push"
[ "$(docker network inspect -f '{{index .Labels "tier"}}' ${app}_back)" = back ] || fail "network label not applied"
[ "$(container_id $app-a-1)" = "$a_id" ] || fail "a was recreated rather than reconnected"
[ "$(docker inspect -f '{{.State.Running}}' $app-a-1)" = true ] || fail "a not running after the network was recreated"
docker exec $app-b-1 ping -c1 -W2 alpha >/dev/null || fail "b cannot reach a by its alias on the new network"
say "1. ipam is applied, and a changed subnet recreates the network"
net1=10.$((0x${RUN:0:2})).$((0x${RUN:2:2})).0/24
net2=10.$((0x${RUN:0:2})).$(( (0x${RUN:2:2} + 1) % 256 )).0/24
sed -i "s|^    labels: {tier: back}$|    labels: {tier: back}\n    ipam:\n      config: [{subnet: $net1}]|" "$WORLD/src/$app/compose.yaml"
commit_all $app "ipam"
deploy $app
[ "$(docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' ${app}_back)" = "$net1" ] || fail "ipam subnet not applied"
sed -i "s|$net1|$net2|" "$WORLD/src/$app/compose.yaml"
commit_all $app "ipam changed"
deploy $app
[ "$(docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' ${app}_back)" = "$net2" ] || fail "changed subnet not applied"
docker exec $app-b-1 ping -c1 -W2 alpha >/dev/null || fail "b cannot reach a after the subnet changed"
say "1. and an unchanged network is left alone"
git -C "$WORLD/src/$app" commit -q --allow-empty -m again
deploy $app
expect_in "$WORLD/push.out" "Nothing to change"
expect_not_in "$WORLD/push.out" "Recreating network"

# --- 2. an unset bare environment name removes the image's value -------------
say "2. environment: [EMPTY] with EMPTY unset hides the image's EMPTY, as in docker-compose"
finish $app
app=e2e-env-$RUN
new_app $app
src=$WORLD/src/$app
printf 'FROM %s\nENV EMPTY=from-image KEPT=from-image\n' "$BASE_IMAGE" >"$src/Dockerfile"
cat >"$src/compose.yaml" <<YML
services:
  web:
    build: .
    init: true
    command: ["sleep", "600"]
    environment: [EMPTY, SET=x]
YML
commit_all $app "bare environment"
deploy $app
env -u EMPTY -u SET bash -c "$(declare -f dc_up); DC_PROJECTS=(); WORLD=$WORLD; dc_up $app" ||
	{ cat "$WORLD/dc.out" >&2; fail "docker-compose up failed"; }
DCP=dc-$app; DC_PROJECTS+=("$DCP")
for proj in $DCP $app; do
	c=$(docker ps -q --filter "label=com.docker.compose.project=$proj" --filter label=com.docker.compose.service=web)
	docker exec "$c" env | grep -E '^(EMPTY|KEPT|SET)=' | sort >"$WORLD/env-$proj"
done
diff -u "$WORLD/env-$DCP" "$WORLD/env-$app" || fail "environment differs from docker-compose's"
expect_not_in "$WORLD/env-$app" "EMPTY="
expect_in "$WORLD/env-$app" "KEPT=from-image"

# --- 3. one-shot containers and the health gate ------------------------------
say "3. a one-shot job (exit 0, restart: no / on-failure) passes the gate"
finish $app
app=e2e-once-$RUN
new_app $app
cat >"$WORLD/src/$app/compose.yaml" <<YML
services:
  init:
    image: $BASE_IMAGE
    restart: "no"    # [deploy] default_restart would restart it otherwise
    command: ["sh", "-c", "echo initialised"]
  task:
    image: $BASE_IMAGE
    restart: on-failure
    command: ["true"]
  flaky:
    image: $BASE_IMAGE
    restart: on-failure
    volumes: [state:/data]
    # fails on its first two runs, then stays up: judged once it settles
    command: ["sh", "-c", "n=\$\$(cat /data/n 2>/dev/null || echo 0); echo \$\$((n+1)) >/data/n; [ \$\$n -ge 2 ] && exec sleep 600; exit 3"]
  web:
    image: $BASE_IMAGE
    init: true
    command: ["sleep", "600"]
volumes:
  state: {}
YML
commit_all $app "one-shot jobs"
deploy $app
expect_in "$WORLD/push.out" "$app-init-1 completed"
expect_in "$WORLD/push.out" "$app-task-1 completed"
expect_in "$WORLD/push.out" "$app-flaky-1 is running (after 2 restarts)"
say "3. the same file: docker-compose 1.29 ends with the same states"
dc_up $app || { cat "$WORLD/dc.out" >&2; fail "docker-compose up failed"; }
sleep 4
for svc in init task flaky web; do
	want=$(state_of $DCP $svc)
	got=$(state_of $app $svc)
	[ "$want" = "$got" ] || fail "$svc: docker-compose left it \"$want\", slipway \"$got\""
done

say "3. a job that fails for good fails the gate, and a failing first deploy leaves no container"
finish $app
app=e2e-first-$RUN
new_app $app
cat >"$WORLD/src/$app/compose.yaml" <<YML
services:
  web:
    image: $BASE_IMAGE
    init: true
    command: ["sleep", "600"]
  job:
    image: $BASE_IMAGE
    restart: "no"
    command: ["sh", "-c", "echo broken job; exit 4"]
YML
commit_all $app "broken first deploy"
push $app || true
expect_in "$WORLD/push.out" "$app-job-1 is exited (exit code 4)"
expect_in "$WORLD/push.out" "the failed first deploy was removed"
expect_not_in "$WORLD/push.out" "rollback failed"
[ -z "$(docker ps -aq --filter label=com.docker.compose.project=$app)" ] ||
	fail "the failed first deploy left containers: $(docker ps -a --filter label=com.docker.compose.project=$app --format '{{.Names}}')"

# --- 4. built images are tagged as compose tags them, and shared -----------
say "4. image: X with build: is tagged X too; FROM X and image: X use that build"
finish $app
app=e2e-img-$RUN
new_app $app
src=$WORLD/src/$app
mkdir -p "$src/base" "$src/web"
printf 'FROM %s\nRUN echo base >/base.txt\n' "$BASE_IMAGE" >"$src/base/Dockerfile"
# web is listed first and depends on nothing: only its FROM orders the builds
printf 'FROM %s\nRUN cat /base.txt >/web.txt\n' "$app-base" >"$src/web/Dockerfile"
cat >"$src/compose.yaml" <<YML
services:
  web:
    build: ./web
    init: true
    command: ["sleep", "600"]
  base:
    build: ./base
    image: $app-base
    restart: "no"
    command: ["true"]
  worker:
    image: $app-base
    init: true
    command: ["sleep", "600"]
YML
commit_all $app "shared images"
sha=$(git -C "$src" rev-parse HEAD)
deploy $app
base_id=$(docker image inspect -f '{{.Id}}' "$app-base:$sha")
[ "$(docker image inspect -f '{{.Id}}' "$app-base:latest")" = "$base_id" ] || fail "$app-base:latest is not the build of base"
[ "$(docker image inspect -f '{{.Id}}' "$app-web:latest")" = "$(docker image inspect -f '{{.Id}}' "$app-web:$sha")" ] || fail "$app-web:latest not tagged"
[ "$(docker inspect -f '{{.Image}}' $app-worker-1)" = "$base_id" ] || fail "worker does not run base's build"
[ "$(docker exec $app-web-1 cat /web.txt)" = base ] || fail "web was not built FROM base's image"
say "4. build.tags and dockerfile_inline"
cat >"$src/compose.yaml" <<YML
services:
  web:
    build:
      context: .
      dockerfile_inline: |
        FROM $BASE_IMAGE
        RUN echo inline >/inline.txt
      tags: ["$app-extra:v1", "$app-extra2"]
    init: true
    command: ["sleep", "600"]
YML
commit_all $app "inline"
deploy $app
[ "$(docker exec $app-web-1 cat /inline.txt)" = inline ] || fail "dockerfile_inline not built"
web_img=$(docker inspect -f '{{.Image}}' $app-web-1)
[ "$(docker image inspect -f '{{.Id}}' "$app-extra:v1")" = "$web_img" ] || fail "build.tags $app-extra:v1 missing"
[ "$(docker image inspect -f '{{.Id}}' "$app-extra2:latest")" = "$web_img" ] || fail "build.tags $app-extra2 missing"
[ ! -e "$WORLD/state/apps/$app/releases/$(git -C "$src" rev-parse HEAD)/.slipway-dockerfile-inline.web" ] ||
	fail "the inline Dockerfile was left in the release"
git -C "$src" checkout -q HEAD~1 -- compose.yaml
say "4. a name held by an image that is not this app's is not retagged"
other=e2e-notmine-$RUN
docker tag "$BASE_IMAGE" "$other:latest"
sed -i "s|image: $app-base$|image: $other|" "$src/compose.yaml"
printf 'FROM %s\n' "$BASE_IMAGE" >"$src/web/Dockerfile"
printf 'RUN echo again >/base2.txt\n' >>"$src/base/Dockerfile"
commit_all $app "foreign name"
deploy $app
expect_in "$WORLD/push.out" "not tagging $other:latest"
[ "$(docker inspect -f '{{.Image}}' $app-worker-1)" = "$(docker image inspect -f '{{.Id}}' "$other:$(git -C "$src" rev-parse HEAD)")" ] ||
	fail "worker does not run base's new build"
[ "$(docker image inspect -f '{{.Id}}' "$other:latest")" = "$(docker image inspect -f '{{.Id}}' "$BASE_IMAGE")" ] || fail "$other:latest was retagged"
docker rmi "$other:latest" >/dev/null

# --- 6. keys compose supports, within the safety policy ---------------------
say "6. secrets, configs, links, volumes_from and friends deploy as docker-compose deploys them"
finish $app
app=e2e-keys-$RUN
new_app $app
src=$WORLD/src/$app
slipway config $app set API_TOKEN=tok-$RUN >/dev/null
printf 'db-password-%s\n' "$RUN" >"$src/db_password.txt"
cat >"$src/compose.yaml" <<YML
services:
  db:
    image: $BASE_IMAGE
    init: true
    command: ["sh", "-c", "echo shared >/data/from-db; exec sleep 600"]
    volumes: [/data]
  web:
    image: $BASE_IMAGE
    init: true
    command: ["sleep", "600"]
    secrets:
      - db_password
      - source: db_password
        target: again
    configs:
      - source: app_conf
        target: /etc/app.conf
    volumes_from: ["db:ro"]
    links: ["db:database"]
    cpu_shares: 512
    group_add: ["1234"]
    oom_score_adj: 100
    mac_address: "02:42:ac:11:00:42"
    deploy:
      restart_policy: {condition: on-failure, max_attempts: 2}
secrets:
  db_password:
    file: ./db_password.txt
configs:
  app_conf:
    file: ./db_password.txt
YML
commit_all $app "compat keys"
deploy $app
dc_up $app || { cat "$WORLD/dc.out" >&2; fail "docker-compose up failed"; }
sleep 1
# hostconfig PROJECT: the compared fields of its web container
hostconfig() {
	local c
	c=$(docker ps -q --filter "label=com.docker.compose.project=$1" --filter label=com.docker.compose.service=web)
	docker inspect "$c" | jq -S '.[0] | {MacAddress: .Config.MacAddress,
		H: (.HostConfig | {CpuShares, GroupAdd, OomScoreAdj, RestartPolicy}),
		Mounts: (.Mounts | map(select(.Type == "bind" and .Destination != "/etc/app.conf"))
		    | map({Destination, RW}) | sort_by(.Destination))}'
	docker exec "$c" sh -c 'cat /run/secrets/db_password /run/secrets/again /data/from-db; id -G; ping -c1 -W2 database >/dev/null && echo link-ok'
}
hostconfig $DCP >"$WORLD/keys-dc"
# docker-compose 1.29 maps the restart policy of deploy only in swarm: set it aside
hostconfig $app | jq -S 'if type == "object" then .H.RestartPolicy = null else . end' >"$WORLD/keys-sw" 2>/dev/null ||
	hostconfig $app >"$WORLD/keys-sw"
jq -S 'if type == "object" then .H.RestartPolicy = null else . end' "$WORLD/keys-dc" >"$WORLD/keys-dc2" 2>/dev/null || cp "$WORLD/keys-dc" "$WORLD/keys-dc2"
diff -u "$WORLD/keys-dc2" "$WORLD/keys-sw" || fail "secrets/configs/keys differ from docker-compose's"
expect_in "$WORLD/keys-sw" "link-ok"
# configs outside swarm are compose v2's: 1.29 ignores them
[ "$(docker exec $app-web-1 cat /etc/app.conf)" = "db-password-$RUN" ] || fail "config not mounted"
[ "$(docker inspect -f '{{range .Mounts}}{{if eq .Destination "/etc/app.conf"}}{{.RW}}{{end}}{{end}}' $app-web-1)" = false ] ||
	fail "config mounted writable"
expect_in "$WORLD/keys-sw" "db-password-$RUN"
[ "$(docker inspect -f '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}' $app-web-1)" = on-failure:2 ] ||
	fail "deploy.restart_policy not applied"

say "6. a secret from the app's config is copied in; its value appears nowhere in the output"
sed -i 's|^secrets:$|secrets:\n  api_token:\n    environment: API_TOKEN|' "$src/compose.yaml"
sed -i 's|^      - db_password$|      - db_password\n      - source: api_token\n        mode: 0400|' "$src/compose.yaml"
commit_all $app "secret from the environment"
deploy $app
expect_not_in "$WORLD/push.out" "tok-$RUN"
[ "$(docker exec $app-web-1 cat /run/secrets/api_token)" = "tok-$RUN" ] || fail "environment secret not in the container"
[ "$(docker exec $app-web-1 stat -c %a /run/secrets/api_token)" = 400 ] || fail "secret mode not applied"
say "6. a secret file outside the release is refused with one line, nothing changes"
web_id=$(container_id $app-web-1)
sed -i 's|file: ./db_password.txt|file: /etc/passwd|' "$src/compose.yaml"
commit_all $app "secret outside"
push $app || true
expect_in "$WORLD/push.out" 'secret "db_password": file "/etc/passwd" is outside the release'
[ "$(container_id $app-web-1)" = "$web_id" ] || fail "a refused push changed the container"

say "6. post_start and pre_stop hooks run in the container"
finish $app
app=e2e-hooks-$RUN
new_app $app
src=$WORLD/src/$app
cat >"$src/compose.yaml" <<YML
services:
  web:
    image: $BASE_IMAGE
    init: true
    command: ["sleep", "600"]
    volumes: [marks:/marks]
    post_start:
      - command: ["sh", "-c", "echo started-\$\$HOOK_VAR >>/marks/log"]
        environment: {HOOK_VAR: one}
    pre_stop:
      - command: sh -c 'echo stopping >>/marks/log'
volumes:
  marks: {}
YML
commit_all $app "hooks"
deploy $app
expect_in "$WORLD/push.out" "Running the post_start hook of $app-web-1"
[ "$(docker exec $app-web-1 cat /marks/log)" = "started-one" ] || fail "post_start hook did not run: $(docker exec $app-web-1 cat /marks/log)"
sed -i 's/HOOK_VAR: one/HOOK_VAR: two/' "$src/compose.yaml"
commit_all $app "hooks changed"
deploy $app
[ "$(docker exec $app-web-1 cat /marks/log | tr '\n' ' ')" = "started-one stopping started-two " ] ||
	fail "hooks on recreate: $(docker exec $app-web-1 cat /marks/log | tr '\n' ' ')"
say "6. a failing post_start hook fails the deploy"
sed -i 's/echo started-/exit 3; echo /' "$src/compose.yaml"
commit_all $app "hook fails"
push $app || true
expect_in "$WORLD/push.out" "post_start hook of \"$app-web-1\" exited with code 3"
expect_in "$WORLD/push.out" "Rolled back"

say "6. extends within the file gives what docker-compose gives"
finish $app
app=e2e-ext-$RUN
new_app $app
src=$WORLD/src/$app
cat >"$src/compose.yaml" <<YML
services:
  base:
    image: $BASE_IMAGE
    init: true
    user: "1000"
    working_dir: /tmp
    environment: {FROM_BASE: "1", SHARED: base}
    command: ["sleep", "600"]
  web:
    extends: base
    command: ["sleep", "601"]
    labels: {role: web}
YML
commit_all $app "extends"
deploy $app
dc_up $app || { cat "$WORLD/dc.out" >&2; fail "docker-compose up failed"; }
for proj in $DCP $app; do
	c=$(docker ps -q --filter "label=com.docker.compose.project=$proj" --filter label=com.docker.compose.service=web)
	docker inspect "$c" | jq -S '.[0].Config | {User, WorkingDir, Cmd, Env: (.Env | sort), role: .Labels.role}' >"$WORLD/ext-$proj"
done
diff -u "$WORLD/ext-$DCP" "$WORLD/ext-$app" || fail "extends differs from docker-compose's"

say "6. names not the app's (container_name, name:, network_mode: bridge) go under its prefix and still resolve"
finish $app
app=e2e-names-$RUN
new_app $app
src=$WORLD/src/$app
cat >"$src/compose.yaml" <<YML
services:
  db:
    image: $BASE_IMAGE
    init: true
    container_name: es
    command: ["sh", "-c", "echo from-db >/www/index.html; exec httpd -f -p 8080 -h /www"]
    networks: [back, default]
    volumes: [data:/www]
  web:
    image: $BASE_IMAGE
    init: true
    command: ["sleep", "600"]
    networks: [back]
  old:
    image: $BASE_IMAGE
    init: true
    network_mode: bridge
    links: [db]
    command: ["sleep", "600"]
networks:
  back: {name: microservices}
volumes:
  data: {name: myVolume}
YML
commit_all $app "names"
deploy $app
expect_in "$WORLD/push.out" "\"container_name: es\" is created as \"$app-es\""
expect_in "$WORLD/push.out" "\"name: microservices\" is created as \"${app}_microservices\""
expect_in "$WORLD/push.out" "\"name: myVolume\" is created as \"${app}_myVolume\""
expect_in "$WORLD/push.out" "\"network_mode: bridge\" joins the app's default network"
docker volume inspect "${app}_myVolume" >/dev/null || fail "volume ${app}_myVolume missing"
[ "$(docker inspect -f '{{.HostConfig.NetworkMode}}' $app-old-1)" = "${app}_default" ] ||
	fail "network_mode: bridge was not moved to the app's network"
[ "$(docker inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' $app-web-1)" = "${app}_microservices " ] ||
	fail "web is not on ${app}_microservices"
for i in 1 2 3 4 5 6 7 8 9 10; do
	docker exec $app-web-1 wget -qO- http://es:8080/ >"$WORLD/names.out" 2>&1 && break
	sleep 0.3
done
expect_in "$WORLD/names.out" from-db
expect_in "$WORLD/names.out" from-db
docker exec $app-old-1 wget -qO- http://db:8080/ >"$WORLD/names.out" 2>&1 ||
	fail "the link does not resolve: $(cat "$WORLD/names.out")"
expect_in "$WORLD/names.out" from-db
git -C "$src" commit -q --allow-empty -m again
deploy $app
expect_in "$WORLD/push.out" "Nothing to change"

# --- 7. a file of volumes and networks only -----------------------------------
say "7. a file with no services deploys its volumes and networks (compose up --all-resources)"
finish $app
app=e2e-res-$RUN
new_app $app
src=$WORLD/src/$app
cat >"$src/compose.yaml" <<YML
volumes:
  my_vol: {}
networks:
  my_net: {}
YML
commit_all $app "resources only"
deploy $app
docker volume inspect ${app}_my_vol >/dev/null || fail "volume my_vol not created"
docker network inspect ${app}_my_net >/dev/null || fail "network my_net not created"
dc_up $app || { cat "$WORLD/dc.out" >&2; fail "docker-compose up failed"; }
docker volume inspect ${DCP}_my_vol >/dev/null || fail "docker-compose did not create my_vol"
slipway history $app --json >"$WORLD/h.json"
[ "$(jq length "$WORLD/h.json")" = 1 ] || { cat "$WORLD/h.json" >&2; fail "the release is not recorded"; }
printf 'version: "3"\n' >"$src/compose.yaml"
commit_all $app "nothing at all"
push $app && fail "a file with nothing to deploy was accepted"
expect_in "$WORLD/push.out" "compose.yaml:1: no services defined"
docker volume inspect ${app}_my_vol >/dev/null || fail "a refused push removed my_vol"

say "7. env_file format: raw takes its values as they are (compose's dotenv fixture)"
finish $app
app=e2e-raw-$RUN
new_app $app
src=$WORLD/src/$app
printf '%s\n' "TEST_VAR='{\"key\": \"value\"}'" 'REF=${HOME}' >"$src/.env.raw"
cat >"$src/compose.yaml" <<YML
services:
  test:
    image: $BASE_IMAGE
    init: true
    command: ["sleep", "600"]
    env_file:
      - path: .env.raw
        format: raw
YML
commit_all $app "raw env_file"
deploy $app
docker exec $app-test-1 env >"$WORLD/raw-env"
expect_in "$WORLD/raw-env" "TEST_VAR='{\"key\": \"value\"}'"
expect_in "$WORLD/raw-env" 'REF=${HOME}'

# --- 5. BuildKit --------------------------------------------------------------
say "5. Dockerfiles that need BuildKit build (RUN --mount=type=cache, COPY --chmod)"
finish $app
app=e2e-bk-$RUN
new_app $app
src=$WORLD/src/$app
printf 'hello\n' >"$src/hello.txt"
cat >"$src/Dockerfile" <<DF
FROM $BASE_IMAGE
COPY --chmod=0640 hello.txt /hello.txt
RUN --mount=type=cache,target=/cache echo cached-run >/cache/x && cp /cache/x /ran.txt && echo output-of-run
DF
cat >"$src/compose.yaml" <<YML
services:
  web:
    build: .
    init: true
    command: ["sleep", "600"]
YML
commit_all $app "buildkit"
deploy $app
expect_in "$WORLD/push.out" "RUN --mount=type=cache"
expect_in "$WORLD/push.out" "output-of-run"
[ "$(docker exec $app-web-1 stat -c %a /hello.txt)" = 640 ] || fail "COPY --chmod not applied"
[ "$(docker exec $app-web-1 cat /ran.txt)" = cached-run ] || fail "RUN --mount did not run"
say "5. a failing step names itself; a secret mount is refused in one line"
printf 'RUN echo about to fail; exit 9\n' >>"$src/Dockerfile"
commit_all $app "failing step"
push $app || true
expect_in "$WORLD/push.out" "about to fail"
expect_in "$WORLD/push.out" 'error: build of "web" failed'
expect_in "$WORLD/push.out" "exit code: 9"
sed -i '$d' "$src/Dockerfile"
printf 'RUN --mount=type=secret,id=npm cat /run/secrets/npm\n' >>"$src/Dockerfile"
commit_all $app "secret mount"
push $app || true
expect_in "$WORLD/push.out" 'error: build of "web" failed: its Dockerfile mounts type=secret, which needs a BuildKit client session'

finish $app
say "all scenarios passed"
