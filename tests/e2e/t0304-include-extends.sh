#!/usr/bin/env bash
# Compose files split over several files (issue 18): extends.file, compared
# with docker-compose 1.29 (which resolves the extended service's relative
# paths against its own file, as compose v2 does), and include, which 1.29
# does not have: checked against what compose v2 documents. Files outside
# the release and include cycles are refused with one line, nothing changed.
# And runtime:, which the safety policy gates.
. "$(dirname "$0")/lib.sh"

command -v docker-compose >/dev/null || fail "docker-compose is not installed"

DCP=
dc_down() {
	[ -n "$DCP" ] || return 0
	(cd "$WORLD/dc" && docker-compose -p "$DCP" down -t 1 -v --rmi local \
		>/dev/null 2>&1) || true
}
rm_images() {
	local app
	for app in "${APPS_MADE[@]}"; do
		docker images -q --filter "label=slipway.app=$app" | sort -u |
			xargs -r docker rmi -f >/dev/null 2>&1 || true
	done
}
trap 'rc=$?; set +e; dc_down; (exit $rc); cleanup; rm_images' EXIT

deploy() {
	push "$1" || { cat "$WORLD/push.out" >&2; fail "push of $1 failed"; }
	expect_in "$WORLD/push.out" "remote: -----> Deployed $1"
}
# cid PROJECT SERVICE: its running container
cid() {
	docker ps -q --filter "label=com.docker.compose.project=$1" \
		--filter "label=com.docker.compose.service=$2" | head -n1
}

# --- extends.file ---------------------------------------------------------
say "extends.file: the base's build, env_file and bind resolve against its file, as docker-compose does"
app=e2e-extf-$RUN
new_app $app
src=$WORLD/src/$app
mkdir -p "$src/common/src" "$src/common/conf"
printf 'FROM %s\nCOPY marker /marker\n' "$BASE_IMAGE" >"$src/common/src/Dockerfile"
printf 'built-from-common-%s\n' "$RUN" >"$src/common/src/marker"
printf 'conf-%s\n' "$RUN" >"$src/common/conf/app.conf"
printf 'FROM_ENV_FILE=1\nSHARED=base\n' >"$src/common/app.env"
cat >"$src/common/base.yaml" <<YML
services:
  app:
    build: ./src
    image: e2e-extf-$RUN-img
    init: true
    env_file: app.env
    volumes: ["./conf:/conf:ro"]
    working_dir: /tmp
    command: ["sleep", "600"]
YML
cat >"$src/compose.yaml" <<YML
services:
  web:
    extends:
      file: common/base.yaml
      service: app
    command: ["sleep", "601"]
    environment: {SHARED: web}
YML
commit_all $app "extends.file"
deploy $app
DCP=dc-$app
git clone -q "$src" "$WORLD/dc"
(cd "$WORLD/dc" && docker-compose -p "$DCP" up -d) >"$WORLD/dc.out" 2>&1 ||
	{ cat "$WORLD/dc.out" >&2; fail "docker-compose up failed"; }
for proj in $DCP $app; do
	c=$(cid $proj web)
	[ -n "$c" ] || fail "$proj: no web container"
	{
		docker inspect "$c" | jq -S '.[0].Config | {WorkingDir, Cmd,
			Env: (.Env | map(select(startswith("FROM_") or startswith("SHARED"))) | sort)}'
		docker exec "$c" cat /marker /conf/app.conf
		docker inspect "$c" | jq -r '.[0].Mounts[] | select(.Destination == "/conf") |
			"\(.RW) \(.Source | test("/common/conf$"))"'
	} >"$WORLD/extf-$proj"
done
diff -u "$WORLD/extf-$DCP" "$WORLD/extf-$app" || fail "extends.file differs from docker-compose's"
expect_in "$WORLD/extf-$app" "built-from-common-$RUN"
dc_down
DCP=

say "extends.file outside the release (a symlink) is refused, nothing changes"
before=$(cid $app web)
ln -s /etc/hostname "$src/common/host.yaml"
sed -i 's|file: common/base.yaml|file: common/host.yaml|' "$src/compose.yaml"
commit_all $app "extends a host file"
push $app && fail "a push extending a file outside the release deployed"
expect_in "$WORLD/push.out" 'compose.yaml:4: service "web": "extends.file": "common/host.yaml" is outside the release'
[ "$(cid $app web)" = "$before" ] || fail "the refused push changed the running container"
slipway app destroy $app --volumes >/dev/null

# --- include --------------------------------------------------------------
say "include: short and long form, each file's .env and paths its own"
app=e2e-inc-$RUN
new_app $app
src=$WORLD/src/$app
mkdir -p "$src/db/init" "$src/cache/work"
printf 'TAG=top-%s\n' "$RUN" >"$src/.env"
printf 'DB_MODE=from-db-env\nTAG=loses\n' >"$src/db/.env"
printf 'seed-%s\n' "$RUN" >"$src/db/init/seed"
printf 'CACHE_SIZE=64\n' >"$src/cache/vars.env"
cat >"$src/db/compose.yaml" <<YML
services:
  db:
    image: $BASE_IMAGE
    init: true
    command: ["sleep", "600"]
    environment: [DB_MODE, TAG]
    volumes: ["./init:/init:ro", "dbdata:/data"]
volumes:
  dbdata: {}
YML
cat >"$src/cache/cache.yaml" <<YML
services:
  cache:
    image: $BASE_IMAGE
    init: true
    command: ["sleep", "600"]
    environment: {SIZE: "\${CACHE_SIZE}"}
    working_dir: /w
    volumes: ["./here:/w:ro"]
YML
mkdir -p "$src/cache/work/here"
printf 'in-work\n' >"$src/cache/work/here/f"
cat >"$src/compose.yaml" <<YML
include:
  - db/compose.yaml
  - path: cache/cache.yaml
    project_directory: cache/work
    env_file: cache/vars.env
services:
  web:
    image: $BASE_IMAGE
    init: true
    command: ["sleep", "600"]
    depends_on: [db, cache]
YML
commit_all $app "include"
deploy $app
db=$(cid $app db) cache=$(cid $app cache) web=$(cid $app web)
[ -n "$db" ] && [ -n "$cache" ] && [ -n "$web" ] || fail "a service is missing"
[ "$(docker exec "$db" sh -c 'echo "$DB_MODE $TAG"')" = "from-db-env top-$RUN" ] ||
	fail "db's variables: the includer's .env must win, the included .env fill in"
[ "$(docker exec "$db" cat /init/seed)" = "seed-$RUN" ] || fail "db's ./init is not db/init"
[ "$(docker exec "$cache" sh -c 'echo $SIZE')" = 64 ] || fail "cache's env_file was not read"
[ "$(docker exec "$cache" cat /w/f)" = in-work ] || fail "cache's ./here is not cache/work/here"
docker volume inspect ${app}_dbdata >/dev/null 2>&1 || fail "the included volume is not ${app}_dbdata"
docker exec "$web" ping -c1 -W2 db >/dev/null || fail "web does not reach the included db"

say "include: a name defined twice, a cycle and a file outside the release are refused with a line"
before=$(cid $app web)
cat >>"$src/compose.yaml" <<YML
  db:
    image: $BASE_IMAGE
YML
commit_all $app "db twice"
push $app && fail "a service defined twice deployed"
expect_in "$WORLD/push.out" 'compose.yaml:2: services.db conflicts with imported resource (include "db/compose.yaml")'
git -C "$src" reset -q --hard HEAD~1
printf 'include:\n  - path: ../compose.yaml\n' >>"$src/db/compose.yaml"
commit_all $app "cycle"
push $app && fail "an include cycle deployed"
expect_in "$WORLD/push.out" 'db/compose.yaml:11: include cycle: compose.yaml -> db/compose.yaml -> compose.yaml'
git -C "$src" reset -q --hard HEAD~1
ln -s /etc/os-release "$src/cache/host.yaml"
sed -i 's|path: cache/cache.yaml|path: cache/host.yaml|' "$src/compose.yaml"
commit_all $app "include a host file"
push $app && fail "including a file outside the release deployed"
expect_in "$WORLD/push.out" 'compose.yaml:3: include "cache/host.yaml" is outside the release'
[ "$(cid $app web)" = "$before" ] || fail "a refused push changed the running container"

# --- runtime: (awesome-compose's WasmEdge samples) ---------------------------
say "runtime: another runtime needs allow = runtime; runc reaches the container"
slipway app destroy $app --volumes >/dev/null
app=e2e-rt-$RUN
new_app $app
src=$WORLD/src/$app
cat >"$src/compose.yaml" <<YML
services:
  w:
    image: $BASE_IMAGE
    init: true
    command: ["sleep", "600"]
    runtime: io.containerd.wasmedge.v1
YML
commit_all $app "wasm runtime"
push $app && fail "a push asking for another runtime deployed"
expect_in "$WORLD/push.out" '"runtime: io.containerd.wasmedge.v1" is not allowed here (an operator can set allow = runtime for this app)'
sed -i 's/runtime: .*/runtime: runc/' "$src/compose.yaml"
commit_all $app "runc"
deploy $app
[ "$(docker inspect -f '{{.HostConfig.Runtime}}' "$(cid $app w)")" = runc ] ||
	fail "runtime: runc did not reach the container"

say "all scenarios passed"
