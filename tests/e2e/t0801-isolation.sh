#!/usr/bin/env bash
# A pusher of app A reaches nothing outside A (issue 9). App B runs beside
# A; each attack is pushed to A and must be refused with one `error:` line
# naming the service (or network, volume) and the key, leaving A's live
# container, A's engine objects, app B and the host as they were. Then the
# bind design is attacked from inside a running container.
. "$(dirname "$0")/lib.sh"

a=e2e-iso-a-$RUN
b=e2e-iso-b-$RUN
pa=$(free_port)
pb=$(free_port)

say "app B: a web service, its network and a named volume"
new_app $b
web_app $b $pb "B's secret page"
cat >>"$WORLD/src/$b/compose.yaml" <<YML
    volumes:
      - bdata:/data
volumes:
  bdata:
YML
commit_all $b "b"
push $b || { cat "$WORLD/push.out"; fail "push of B"; }
expect_in "$WORLD/push.out" "Deployed $b"
wait_http "http://127.0.0.1:$pb/" "B's secret page"
b_sha=$(git -C "$WORLD/src/$b" rev-parse HEAD)
b_web=$(container_id $b-web-1)
b_net=${b}_default
docker network inspect "$b_net" >/dev/null || fail "B has no network $b_net"

say "app A, deployed once"
new_app $a
web_app $a $pa "A v1"
mkdir -p "$WORLD/src/$a/conf" && echo x >"$WORLD/src/$a/conf/app.conf"
commit_all $a "a"
push $a || { cat "$WORLD/push.out"; fail "push of A"; }
wait_http "http://127.0.0.1:$pa/" "A v1"
src=$WORLD/src/$a

# What must not change: A's objects, B's, the engine's networks.
snapshot() {
	{
		docker ps -aq --no-trunc --filter "label=com.docker.compose.project=$a"
		docker network ls -q --filter "label=com.docker.compose.project=$a"
		docker volume ls -q --filter "label=com.docker.compose.project=$a"
		docker ps -aq --no-trunc --filter "label=com.docker.compose.project=$b"
		docker inspect -f '{{.State.Running}} {{json .NetworkSettings.Networks}}' "$b_web"
		docker network inspect -f '{{json .Containers}}' "$b_net"
		docker ps -aq --no-trunc --filter "name=^$b-"
	} | sort
}
before=$(snapshot)

untouched() {
	[ "$(snapshot)" = "$before" ] || {
		diff <(echo "$before") <(snapshot) >&2 || true
		fail "$1: engine objects changed"
	}
	wait_http "http://127.0.0.1:$pa/" "A v1" 2
	wait_http "http://127.0.0.1:$pb/" "B's secret page" 2
}

# attack CASE EXPECTED: push the tree with compose.yaml's web service plus
# what is on stdin; one error line, containing EXPECTED; nothing changed.
attack() {
	local name=$1 want=$2
	{
		cat <<YML
services:
  web:
    build: .
    init: true
    ports:
      - "127.0.0.1:$pa:8080"
YML
		cat
	} >"$src/compose.yaml"
	commit_all $a "$name"
	if push $a -f; then :; fi
	[ "$(grep -c 'remote: error:' "$WORLD/push.out")" = 1 ] ||
		{ cat "$WORLD/push.out" >&2; fail "$name: expected exactly one error line"; }
	expect_in "$WORLD/push.out" "$want"
	untouched "$name"
	git -C "$src" reset -q --hard HEAD~1
}

say "1. binds: none leads out of the release (rw binds of it: 1b)"
ln -s /var/run "$src/run-link"
attack "symlink out" 'service "x": "volumes" bind of' <<YML
  x:
    image: $BASE_IMAGE
    volumes: ["./run-link:/r:ro"]
YML


say "2. namespace joins through service: and container names"
# A container_name of B's is A's own name: service:x joins A's x or nothing.
cat >"$src/compose.yaml" <<YML
services:
  web:
    build: .
    init: true
    ports:
      - "127.0.0.1:$pa:8080"
  x:
    image: $BASE_IMAGE
    container_name: $b-web-1
    scale: 0
  y:
    image: $BASE_IMAGE
    network_mode: service:x
YML
commit_all $a "container_name of B"
if push $a -f; then fail "container_name of B: deployed with no x to join"; fi
expect_in "$WORLD/push.out" "\"container_name: $b-web-1\" is created as \"$a-$b-web-1\""
expect_in "$WORLD/push.out" "error: service \"y\": \"network_mode: service:x\": No such container: $a-$b-web-1"
untouched "container_name of B"
git -C "$src" reset -q --hard HEAD~1
for key in network_mode pid ipc; do
	attack "$key container:" "service \"y\": \"$key: container:$b-web-1\"" <<YML
  y:
    image: $BASE_IMAGE
    $key: container:$b-web-1
YML
done

say "3. other apps' networks"
attack "network_mode B" "service \"y\": \"network_mode: $b_net\" is not allowed here (an operator can set allow = external-networks" <<YML
  y:
    image: $BASE_IMAGE
    network_mode: $b_net
YML
attack "external B" "network \"n\": the external network \"$b_net\"" <<YML
  y:
    image: $BASE_IMAGE
    networks: [n]
networks:
  n:
    external: true
    name: $b_net
YML
# The engine's bridge and a network named as B's are A's own networks instead.
cat >"$src/compose.yaml" <<YML
services:
  web:
    build: .
    init: true
    ports:
      - "127.0.0.1:$pa:8080"
  y:
    image: $BASE_IMAGE
    init: true
    command: ["sleep", "600"]
    network_mode: bridge
  z:
    image: $BASE_IMAGE
    init: true
    command: ["sleep", "600"]
    networks: [n]
networks:
  n:
    name: $b_net
YML
commit_all $a "bridge and B's network name"
push $a -f || { cat "$WORLD/push.out" >&2; fail "bridge and B's network name: push failed"; }
expect_in "$WORLD/push.out" "service \"y\": \"network_mode: bridge\" joins the app's default network instead"
expect_in "$WORLD/push.out" "network \"n\": \"name: $b_net\" is created as \"${a}_$b_net\""
[ "$(docker inspect -f '{{.HostConfig.NetworkMode}}' $a-y-1)" = "${a}_default" ] ||
	fail "network_mode: bridge: $(docker inspect -f '{{.HostConfig.NetworkMode}}' $a-y-1)"
[ "$(docker inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}' $a-z-1)" = "${a}_$b_net" ] ||
	fail "name: $b_net: z is on $(docker inspect -f '{{json .NetworkSettings.Networks}}' $a-z-1)"
git -C "$src" reset -q --hard HEAD~1
push $a -f || { cat "$WORLD/push.out" >&2; fail "push back to A v1 failed"; }
# as docker-compose up, a deploy leaves a network the file no longer names
docker network rm "${a}_$b_net" >/dev/null
untouched "bridge and B's network name"
attack "host network" 'network "n": the host network is not allowed here (an operator can set allow = host-network, external-networks' <<YML
  y:
    image: $BASE_IMAGE
    networks: [n]
networks:
  n:
    external: true
    name: host
YML
attack "macvlan" 'network "n": "driver: macvlan"' <<YML
  y:
    image: $BASE_IMAGE
    networks: [n]
networks:
  n:
    driver: macvlan
    driver_opts: {parent: eth0}
YML
say "3b. an existing network of A's name but not A's is not adopted"
docker network create "${a}_lan" >/dev/null
cat >"$src/compose.yaml" <<YML
services:
  web:
    build: .
    init: true
    ports:
      - "127.0.0.1:$pa:8080"
  y:
    image: $BASE_IMAGE
    command: ["sleep", "600"]
    networks: [lan]
networks:
  lan:
YML
commit_all $a "squat"
push $a -f || true
expect_in "$WORLD/push.out" "remote: error: network \"${a}_lan\" exists but is not this app's"
untouched "squatted network"
git -C "$src" reset -q --hard HEAD~1
[ "$(docker network inspect -f '{{json .Containers}}' "${a}_lan")" = "{}" ] ||
	fail "a container joined the squatted network"
docker network rm "${a}_lan" >/dev/null

say "5. other apps' images"
attack "B's image" "service \"y\": \"image: $b-web:$b_sha\" is in app \"$b\"'s names" <<YML
  y:
    image: $b-web:$b_sha
YML
attack "B's image by ID" "belongs to app \"$b\"" <<YML
  y:
    image: $(docker image inspect -f '{{.Id}}' $b-web:$b_sha)
YML

say "5a. a Dockerfile reading B's image (FROM, COPY --from) is refused before the build"
cp "$src/Dockerfile" "$WORLD/Dockerfile.a"
printf 'FROM %s\nCMD ["true"]\n' "$b-web:$b_sha" >"$src/Dockerfile"
attack "FROM B" "build of \"web\": service \"web\": image \"$b-web:$b_sha\" belongs to app \"$b\"" </dev/null
printf 'ARG BASE=%s\nFROM %s\nCOPY --from=${BASE} /var/www /stolen\n' "$b-web:$b_sha" "$BASE_IMAGE" >"$src/Dockerfile"
attack "COPY --from B" "belongs to app \"$b\"" </dev/null
cp "$WORLD/Dockerfile.a" "$src/Dockerfile"

say "5b. names in a neighbour app's namespace, host ports of the server"
slipway app create $a-x >/dev/null
APPS_MADE+=("$a-x")
attack "neighbour names" "service \"x-web\": its containers and images would be named \"$a-x-web-...\", like those of app \"$a-x\"" <<YML
  x-web:
    image: $BASE_IMAGE
YML
slipway app destroy $a-x >/dev/null
attack "low port" 'service "y": "ports: 80:8080" (a host port below 1024) is not allowed here (an operator can set allow = low-ports' <<YML
  y:
    image: $BASE_IMAGE
    ports: ["127.0.0.1:80:8080"]
YML

say "9. settings only a kernel would have stopped"
attack "sysctl" 'service "y": "sysctls: kernel.core_pattern" is not allowed here (an operator can set allow = sysctls' <<YML
  y:
    image: $BASE_IMAGE
    sysctls: {kernel.core_pattern: "|/tmp/x"}
YML
attack "ulimit" 'service "y": "ulimits: nofile"' <<YML
  y:
    image: $BASE_IMAGE
    ulimits: {nofile: 2147483647}
YML
attack "syslog" 'service "y": "logging.driver: syslog" is not allowed here (an operator can set allow = logging' <<YML
  y:
    image: $BASE_IMAGE
    logging: {driver: syslog, options: {syslog-address: "unix:///dev/log"}}
YML
attack "gelf" 'service "y": "logging.driver: gelf"' <<YML
  y:
    image: $BASE_IMAGE
    logging: {driver: gelf, options: {gelf-address: "udp://192.0.2.1:12201"}}
YML
attack "blank security_opt" 'service "y": "security_opt:  seccomp=unconfined"' <<YML
  y:
    image: $BASE_IMAGE
    security_opt: [" seccomp=unconfined"]
YML
attack "reserved label" 'service "y": "labels: com.docker.compose.project": the label is reserved' <<YML
  y:
    image: $BASE_IMAGE
    labels: {com.docker.compose.project: $b}
YML
attack "volume of B" "volume \"v\": the volume name \"${b}_bdata\" (not this app's)" <<YML
  y:
    image: $BASE_IMAGE
    volumes: ["v:/v"]
volumes:
  v:
    external: true
    name: ${b}_bdata
YML

say "8. a deeply nested compose file is refused at once"
{
	printf 'services:\n  web:\n    build: .\nx-deep: '
	head -c 400000 /dev/zero | tr '\0' '['
	head -c 400000 /dev/zero | tr '\0' ']'
	echo
} >"$src/compose.yaml"
commit_all $a "deep"
t0=$(date +%s)
push $a -f || true
[ $(( $(date +%s) - t0 )) -lt 20 ] || fail "the deep file took $(( $(date +%s) - t0 ))s"
expect_in "$WORLD/push.out" "remote: error: compose.yaml:4: nested deeper than 64 levels"
untouched "deep"
git -C "$src" reset -q --hard HEAD~1

say "7. a config value quoted by the engine (%q, JSON, newlines) stays hidden"
slipway config $a set "S7=pa\"ss\\wd-$RUN" "S8=$(printf 'line-one-%s\nline-two-%s' $RUN $RUN)" >/dev/null ||
	fail "config set of the secrets"
cat >"$src/compose.yaml" <<YML
services:
  web:
    build: .
    init: true
    ports:
      - "127.0.0.1:$pa:8080"
  y:
    image: $BASE_IMAGE
    command: ["sleep", "600"]
    extra_hosts: ["h:\${S7}"]
  z:
    image: $BASE_IMAGE
    command: ["sleep", "600"]
    extra_hosts: ["h:\${S8}"]
YML
commit_all $a "secret in an engine error"
push $a -f || true
expect_in "$WORLD/push.out" "invalid IP address in add-host"
expect_in "$WORLD/push.out" "******"
id=$(slipway history $a -n 1 | awk '$1 ~ /^[0-9]+$/ { print $1; exit }')
slipway history $a --log "$id" >"$WORLD/log.out" 2>&1 || fail "history --log $id"
for f in "$WORLD/push.out" "$WORLD/log.out"; do
	for leak in "wd-$RUN" "line-one-$RUN" "line-two-$RUN"; do
		expect_not_in "$f" "$leak"
	done
done
git -C "$src" reset -q --hard HEAD~1
slipway config $a unset S7 S8 >/dev/null
push $a -f >/dev/null 2>&1 || true
wait_http "http://127.0.0.1:$pa/" "A v1" 10

say "10. config values: UTF-8, long enough, under the lock"
if slipway config $a set "K=$(printf 'a\xffbcd')" >"$WORLD/out" 2>&1; then fail "non-UTF-8 value stored"; fi
expect_in "$WORLD/out" 'error: value of "K" is not valid UTF-8'
if slipway config $a set "K=ab" >"$WORLD/out" 2>&1; then fail "short value stored"; fi
expect_in "$WORLD/out" 'error: value of "K" is shorter than 4 characters'
[ -z "$(slipway config $a list)" ] || fail "a refused config set stored something"
for i in $(seq 1 12); do slipway config $a set "K$i=value-$i" >/dev/null & done
wait
[ "$(slipway config $a list | wc -l)" = 12 ] || fail "parallel config sets lost updates: $(slipway config $a list | tr '\n' ' ')"

say "6. destroy removes only the app's own images, never an engine-wide prune"
# The engine is shared: another test's prune could remove any dangling
# image at any time, so what is checked is what slipway asks the engine,
# through a logging proxy of its socket.
command -v socat >/dev/null || fail "socat is not installed"
c=e2e-iso-c-$RUN
new_app $c
web_app $c "$(free_port)" "C"
commit_all $c "c"
push $c || { cat "$WORLD/push.out"; fail "push of C"; }
expect_in "$WORLD/push.out" "Deployed $c"
# a second tag of C's image, which destroy removes too
docker tag "$(docker image inspect -f '{{.Id}}' "$c-web:$(git -C "$WORLD/src/$c" rev-parse HEAD)")" "$c-web:old-$RUN"
socat -v UNIX-LISTEN:"$WORLD/engine.sock",fork UNIX-CONNECT:/var/run/docker.sock 2>"$WORLD/engine.log" &
socat_pid=$!
for _ in $(seq 50); do [ -S "$WORLD/engine.sock" ] && break; sleep 0.1; done
sed "s|^docker_host = .*|docker_host = unix://$WORLD/engine.sock|" "$CONF" >"$WORLD/proxied.conf"
"$SLIPWAY_BIN" -c "$WORLD/proxied.conf" app destroy $c >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "destroy of C"; }
kill $socat_pid; wait $socat_pid 2>/dev/null || true
expect_not_in "$WORLD/engine.log" "/images/""prune"  # engine-wide removal
expect_in "$WORLD/engine.log" "GET /v1.41/images/json?filters=%7B%22dangling%22%3A%5B%22true%22%5D%2C%22label%22%3A%5B%22slipway.app%3D$c%22%5D%7D"
grep -E "DELETE /v1.41/images/" "$WORLD/engine.log" | grep -vE "images/($c-web%3A|sha256%3A)" &&
	fail "destroy removed an image not named as C's"
[ -z "$(docker images -q --filter "label=slipway.app=$c")" ] || fail "C's images are left"
docker image rm "$c-web:old-$RUN" >/dev/null 2>&1 || true

say "1b. untracked bind sources: shared, flat, kept; no container redirects one"
cat >"$src/compose.yaml" <<YML
services:
  web:
    build: .
    init: true
    ports:
      - "127.0.0.1:$pa:8080"
  writer:
    image: $BASE_IMAGE
    init: true
    command: ["sleep", "600"]
    volumes: ["./store:/store", "./uploads:/uploads"]
  reader:
    image: $BASE_IMAGE
    init: true
    restart: always
    command: ["sleep", "600"]
    volumes: ["./store/sub:/sub"]
  coder:
    image: $BASE_IMAGE
    init: true
    command: ["sleep", "600"]
    volumes:
      - .:/code
      - ./conf:/conf
      - {type: bind, source: ./conf/app.conf, target: /etc/app.conf}
      - /code/node_modules
      - ./store:/code/store
YML
mkdir -p "$src/uploads"
: >"$src/uploads/.gitkeep"
commit_all $a "binds"
push $a -f || { cat "$WORLD/push.out"; fail "push with shared binds"; }
# A directory the commit keeps with a .gitkeep only is data: writable, shared.
expect_not_in "$WORLD/push.out" "bind of \"./uploads\" is mounted read-only"
docker exec $a-writer-1 sh -c 'echo up >/uploads/u' || fail "the .gitkeep directory is not writable"
[ "$(cat "$WORLD/state/apps/$a/shared/uploads/u")" = up ] || fail "the .gitkeep directory is not the shared one"
# Binds of the commit written without ":ro" are mounted read-only, said once each.
for r in . ./conf ./conf/app.conf; do
	expect_in "$WORLD/push.out" "service \"coder\": \"volumes\" bind of \"$r\" is mounted read-only"
done
[ "$(docker inspect -f '{{range .Mounts}}{{if eq .Type "bind"}}{{.Destination}}={{.RW}} {{end}}{{end}}' $a-coder-1 |
	tr ' ' '\n' | LC_ALL=C sort | tr '\n' ' ')" = " /code/store=true /code=false /conf=false /etc/app.conf=false " ] ||
	fail "release binds not read-only: $(docker inspect -f '{{json .Mounts}}' $a-coder-1)"
# Mounts inside the read-only release: their mount points were made for them.
docker exec $a-coder-1 sh -c 'echo m >/code/node_modules/m && echo s >/code/store/s' ||
	fail "mounts inside the release bind are not writable"
[ "$(cat "$WORLD/state/apps/$a/shared/store/s")" = s ] || fail "/code/store is not the shared store"
for f in /code/x /conf/x /etc/app.conf; do
	if docker exec $a-coder-1 sh -c "echo x >$f" 2>/dev/null; then
		fail "a container wrote $f into the release"
	fi
done
[ "$(docker exec $a-coder-1 cat /etc/app.conf)" = x ] || fail "release bind does not show the commit"
# A one-off container gets the same binds: shared stays writable, release not.
slipway run $a writer sh -c 'echo from-run >/store/run' </dev/null >"$WORLD/out" 2>&1 ||
	{ cat "$WORLD/out"; fail "run with a shared bind"; }
[ "$(cat "$WORLD/state/apps/$a/shared/store/run")" = from-run ] || fail "run did not write the shared directory"
if slipway run $a coder sh -c 'echo x >/code/x' </dev/null >"$WORLD/out" 2>&1; then
	fail "a one-off container wrote into the release"
fi
shared=$WORLD/state/apps/$a/shared
[ -d "$shared/store" ] && [ -d "$shared/store%2Fsub" ] || fail "shared entries missing: $(ls "$shared")"
docker exec $a-writer-1 sh -c 'echo kept >/store/data; rm -rf /store/sub; ln -s /var/run /store/sub'
docker restart $a-reader-1 >/dev/null
if docker exec $a-reader-1 ls /sub 2>/dev/null | grep -q docker.sock; then
	fail "a container redirected another's bind to the host"
fi
[ ! -L "$shared/store%2Fsub" ] || fail "the shared entry became a symlink"
echo "v2" >>"$src/www/index.html"
commit_all $a "v2"
push $a -f || { cat "$WORLD/push.out"; fail "push v2"; }
[ "$(docker exec $a-writer-1 cat /store/data)" = kept ] || fail "shared data lost across a deploy"
[ "$(docker exec $a-writer-1 cat /uploads/u)" = up ] || fail "the .gitkeep directory lost its data across a deploy"
slipway rollback $a >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "rollback"; }
[ "$(docker exec $a-writer-1 cat /store/data)" = kept ] || fail "shared data lost across a rollback"
slipway app destroy $a >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "destroy A"; }
[ -f "$shared/store/data" ] || fail "app destroy without --volumes removed shared data"
slipway app create $a >/dev/null
slipway app destroy $a --volumes >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "destroy A --volumes"; }
[ ! -e "$shared" ] || fail "app destroy --volumes kept the shared directory"

say "B is untouched at the end"
[ "$(container_id $b-web-1)" = "$b_web" ] || fail "B's container changed"
wait_http "http://127.0.0.1:$pb/" "B's secret page"
