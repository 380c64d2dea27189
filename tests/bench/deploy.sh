#!/usr/bin/env bash
# deploy.sh - three benchmarks against docker-compose 1.29 and the docker CLI:
# - first deploy of 10 services (their containers removed before each run,
#   networks kept): `slipway deploy` against `docker-compose up -d`;
# - a one-line change, push until served: `git push` of a commit changing
#   the page until curl gets the new text, against the manual workflow
#   (`docker build` + `docker-compose up -d` until curl gets it);
# - a rollback by push (both commits' images present) until served, against
#   `docker rm -f` + `docker run` of the other image until served, and the
#   engine's floor (stop + start by curl on a project network).
# "Until served": each side's commands return, then curl polls until it gets
# the new page (a push returns once its health gate has passed).
# min_uptime is 0 here: docker-compose waits for nothing after a start, and
# the health gate's settle time is a policy, not work.
# BENCH_ROWS (default "ten web rollback") names the rows to run (the
# rollback's app is the one-line change's, set up whatever is named).
set -eu
command -v hyperfine >/dev/null || { echo "hyperfine is not installed" >&2; exit 1; }
command -v docker-compose >/dev/null || { echo "docker-compose is not installed" >&2; exit 1; }
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/row.sh"

runs=${BENCH_RUNS:-10}
rows=" ${BENCH_ROWS:-ten web rollback} "
want() { case $rows in *" $1 "*) return 0 ;; esac; return 1; }
sed -i 's/^min_uptime = .*/min_uptime = 0/' "$CONF"
app=bench-ten-$RUN
dc=bench-ten-dc-$RUN
web=bench-web-$RUN
webdc=bench-web-dc-$RUN
dcdir=$WORLD/dc
webdcdir=$WORLD/webdc
dc_down() {
	local d p
	for p in "$dc:$dcdir" "$webdc:$webdcdir"; do
		d=${p#*:}
		[ -d "$d" ] || continue
		(cd "$d" && docker-compose -p "${p%%:*}" -f compose.yaml \
			down -t 0 -v --rmi local >/dev/null 2>&1) || true
	done
}
rm_images() {
	docker images -q --filter "label=slipway.app=$web" | sort -u |
		xargs -r docker rmi -f >/dev/null 2>&1 || true
	docker rm -f "$webdc-rb" >/dev/null 2>&1 || true
	docker rmi -f "$webdc-web:rA" "$webdc-web:rB" "$webdc-web:latest" >/dev/null 2>&1 || true
	docker network rm "$webdc-rbnet" >/dev/null 2>&1 || true
}
trap 'rc=$?; set +e; docker ps -aq --filter label=bench.floor=$RUN | xargs -r docker rm -f >/dev/null 2>&1; dc_down; (exit $rc); cleanup; rm_images' EXIT

# --- first deploy, 10 services
if want ten; then
new_app $app
src=$WORLD/src/$app
{
	echo "services:"
	for i in $(seq 1 10); do
		cat <<YML
  s$i:
    image: $BASE_IMAGE
    init: true
    command: ["sleep", "86400"]
YML
	done
} >"$src/compose.yaml"
commit_all $app "ten"
push $app || { cat "$WORLD/push.out"; fail "push"; }
git clone -q "$src" "$dcdir"
(cd "$dcdir" && docker-compose -p $dc -f compose.yaml up -d) >"$WORLD/dc.out" 2>&1 ||
	{ cat "$WORLD/dc.out"; fail "docker-compose up"; }
cat >"$WORLD/rm-slipway" <<SH
#!/bin/sh
docker ps -aq --filter label=com.docker.compose.project=$app | xargs -r docker rm -f >/dev/null
SH
cat >"$WORLD/rm-dc" <<SH
#!/bin/sh
docker ps -aq --filter label=com.docker.compose.project=$dc | xargs -r docker rm -f >/dev/null
SH
# The engine's floor: the same ten containers (on compose's network) created
# and started by curl on the socket, all ten at once, nothing else.
cat >"$WORLD/floor" <<SH
#!/bin/sh
for i in \$(seq 1 10); do
	(
	id=\$(curl -fsS --unix-socket /var/run/docker.sock -H 'Content-Type: application/json' \
		-d '{"Image": "$BASE_IMAGE", "Cmd": ["sleep", "86400"], "HostConfig": {"Init": true, "NetworkMode": "${dc}_default"}, "Labels": {"bench.floor": "$RUN"}}' \
		"http://engine/v1.41/containers/create?name=$dc-floor-\$i" | jq -r .Id)
	curl -fsS --unix-socket /var/run/docker.sock -X POST "http://engine/v1.41/containers/\$id/start"
	) &
done
wait
SH
cat >"$WORLD/rm-floor" <<SH
#!/bin/sh
docker ps -aq --filter label=bench.floor=$RUN | xargs -r docker rm -f >/dev/null
SH
chmod +x "$WORLD/rm-slipway" "$WORLD/rm-dc" "$WORLD/floor" "$WORLD/rm-floor"
hyperfine -N -w 1 -r "$runs" --export-json "$WORLD/ten.json" \
	--prepare "$WORLD/rm-slipway" -n "slipway deploy" "$SLIPWAY_BIN -c $CONF deploy $app" \
	--prepare "$WORLD/rm-dc" -n "docker-compose up -d" \
	"docker-compose -p $dc -f $dcdir/compose.yaml --project-directory $dcdir up -d" \
	--prepare "$WORLD/rm-floor" -n "engine floor: 10 parallel create + start (curl)" "$WORLD/floor" \
	>"$WORLD/ten.out" 2>&1 || { cat "$WORLD/ten.out"; fail "hyperfine ten"; }
"$WORLD/rm-floor"
row "first deploy, 10 services" "$WORLD/ten.json"
jq -r '.results as $r | "# engine floor (10 parallel create + start by curl): \($r[2].median * 1000 | round) ms = \($r[2].median / $r[1].median * 100 | round / 100)× docker-compose'"'"'s time; slipway \($r[0].median / $r[1].median * 100 | round / 100)× (goal 0.7×)"' "$WORLD/ten.json"
fi

# --- one-line change, push until served
port=$(free_port)
dcport=$(free_port)
new_app $web
web_app $web "$port" "version 0"
sed -i "s/127.0.0.1:$port:8080/127.0.0.1:\${WEB_PORT}:8080/" "$WORLD/src/$web/compose.yaml"
slipway config $web set WEB_PORT=$port >/dev/null
commit_all $web "web"
push $web || { cat "$WORLD/push.out"; fail "push web"; }
wait_http "http://127.0.0.1:$port/" "version 0"
git clone -q "$WORLD/src/$web" "$webdcdir"
sed -i "s|build: .|build: .\n    image: $webdc-web:latest|" "$webdcdir/compose.yaml"
(cd "$webdcdir" && WEB_PORT=$dcport docker-compose -p $webdc -f compose.yaml up -d --build) \
	>"$WORLD/dc.out" 2>&1 || { cat "$WORLD/dc.out"; fail "docker-compose up web"; }
cat >"$WORLD/until" <<'SH'
#!/bin/sh
# until URL TEXT: poll every 20 ms, at most 30 s
n=1500
while [ $n -gt 0 ]; do
	curl -fsS --max-time 1 "$1" 2>/dev/null | grep -qF -- "$2" && exit 0
	sleep 0.02
	n=$((n - 1))
done
exit 1
SH
cat >"$WORLD/edit-slipway" <<SH
#!/bin/sh
set -e
n=\$(cat "$WORLD/n" 2>/dev/null || echo 0); n=\$((n + 1)); echo \$n >"$WORLD/n"
echo "version \$n" >"$WORLD/src/$web/www/index.html"
git -C "$WORLD/src/$web" commit -qam "version \$n"
SH
cat >"$WORLD/push-slipway" <<SH
#!/bin/sh
set -e
git -C "$WORLD/src/$web" push -q production HEAD:main >/dev/null 2>&1
"$WORLD/until" http://127.0.0.1:$port/ "version \$(cat "$WORLD/n")"
SH
cat >"$WORLD/edit-dc" <<SH
#!/bin/sh
n=\$(cat "$WORLD/m" 2>/dev/null || echo 0); n=\$((n + 1)); echo \$n >"$WORLD/m"
echo "version \$n" >"$webdcdir/www/index.html"
SH
cat >"$WORLD/manual" <<SH
#!/bin/sh
set -e
cd "$webdcdir"
DOCKER_BUILDKIT=0 docker build -q -t $webdc-web:latest . >/dev/null
WEB_PORT=$dcport docker-compose -p $webdc -f compose.yaml up -d >/dev/null 2>&1
"$WORLD/until" http://127.0.0.1:$dcport/ "version \$(cat "$WORLD/m")"
SH
chmod +x "$WORLD/until" "$WORLD/edit-slipway" "$WORLD/push-slipway" "$WORLD/edit-dc" "$WORLD/manual"
if want web; then
hyperfine -N -w 1 -r "$runs" --export-json "$WORLD/web.json" \
	--prepare "$WORLD/edit-slipway" -n "git push" "$WORLD/push-slipway" \
	--prepare "$WORLD/edit-dc" -n "docker build + docker-compose up -d" "$WORLD/manual" \
	>"$WORLD/web.out" 2>&1 || { cat "$WORLD/web.out"; fail "hyperfine web"; }
row "one-line change, push until served" "$WORLD/web.json"
fi

want rollback || exit 0

# --- rollback by push, images present: two commits already deployed, pushed
# in turn (git push -f of the other one) until curl gets its text, against
# `docker rm -f` + `docker run` of the other of two images until served.
src=$WORLD/src/$web
echo "rollback A" >"$src/www/index.html"
commit_all $web "rollback A"
push $web || { cat "$WORLD/push.out"; fail "push A"; }
ra=$(git -C "$src" rev-parse HEAD)
echo "rollback B" >"$src/www/index.html"
commit_all $web "rollback B"
push $web || { cat "$WORLD/push.out"; fail "push B"; }
rb=$(git -C "$src" rev-parse HEAD)
wait_http "http://127.0.0.1:$port/" "rollback B"
for x in A B; do
	echo "rollback $x" >"$webdcdir/www/index.html"
	DOCKER_BUILDKIT=0 docker build -q -t "$webdc-web:r$x" "$webdcdir" >/dev/null
done
rbport=$(free_port)
docker run -d --name "$webdc-rb" --init -p "127.0.0.1:$rbport:8080" "$webdc-web:rB" >/dev/null
wait_http "http://127.0.0.1:$rbport/" "rollback B"
echo B >"$WORLD/rb-slipway"
echo B >"$WORLD/rb-dc"
cat >"$WORLD/rollback-slipway" <<SH
#!/bin/sh
set -e
if [ "\$(cat "$WORLD/rb-slipway")" = B ]; then x=A c=$ra; else x=B c=$rb; fi
echo \$x >"$WORLD/rb-slipway"
git -C "$src" push -q -f production \$c:main >/dev/null 2>&1
"$WORLD/until" http://127.0.0.1:$port/ "rollback \$x"
SH
cat >"$WORLD/rollback-dc" <<SH
#!/bin/sh
set -e
if [ "\$(cat "$WORLD/rb-dc")" = B ]; then x=A; else x=B; fi
echo \$x >"$WORLD/rb-dc"
docker rm -f $webdc-rb >/dev/null
docker run -d --name $webdc-rb --init -p 127.0.0.1:$rbport:8080 $webdc-web:r\$x >/dev/null
"$WORLD/until" http://127.0.0.1:$rbport/ "rollback \$x"
SH
# The engine's floor for a port-published container on a project network
# (a user-defined bridge, as compose and slipway make): the old container
# stopped and a new one, created beforehand (not timed), started by curl on
# the socket until served, nothing else.
fport=$(free_port)
docker network create --label "bench.floor=$RUN" "$webdc-rbnet" >/dev/null
docker run -d --label "bench.floor=$RUN" --init --network "$webdc-rbnet" \
	-p "127.0.0.1:$fport:8080" "$webdc-web:rB" >"$WORLD/rbf-cur"
wait_http "http://127.0.0.1:$fport/" "rollback B"
echo B >"$WORLD/rbf-x"
cat >"$WORLD/rollback-floor-prep" <<SH
#!/bin/sh
set -e
docker ps -aq --filter label=bench.floor=$RUN --filter status=exited | xargs -r docker rm -f >/dev/null
if [ "\$(cat "$WORLD/rbf-x")" = B ]; then x=A; else x=B; fi
docker create --label bench.floor=$RUN --init --network $webdc-rbnet \
	-p 127.0.0.1:$fport:8080 $webdc-web:r\$x >"$WORLD/rbf-next"
SH
cat >"$WORLD/rollback-floor" <<SH
#!/bin/sh
set -e
if [ "\$(cat "$WORLD/rbf-x")" = B ]; then x=A; else x=B; fi
echo \$x >"$WORLD/rbf-x"
curl -fsS --unix-socket /var/run/docker.sock -X POST "http://engine/v1.41/containers/\$(cat "$WORLD/rbf-cur")/stop"
curl -fsS --unix-socket /var/run/docker.sock -X POST "http://engine/v1.41/containers/\$(cat "$WORLD/rbf-next")/start"
mv "$WORLD/rbf-next" "$WORLD/rbf-cur"
"$WORLD/until" http://127.0.0.1:$fport/ "rollback \$x"
SH
chmod +x "$WORLD/rollback-slipway" "$WORLD/rollback-dc" "$WORLD/rollback-floor-prep" "$WORLD/rollback-floor"
hyperfine -N -w 1 -r "$runs" --export-json "$WORLD/rb.json" \
	--prepare true -n "git push -f" "$WORLD/rollback-slipway" \
	--prepare true -n "docker rm -f + docker run" "$WORLD/rollback-dc" \
	--prepare "$WORLD/rollback-floor-prep" -n "engine floor: stop + start (curl)" "$WORLD/rollback-floor" \
	>"$WORLD/rb.out" 2>&1 || { cat "$WORLD/rb.out"; fail "hyperfine rollback"; }
row "rollback by push (images present)" "$WORLD/rb.json"
jq -r '.results as $r | "# engine floor on a project network (stop + start of a container created beforehand, by curl): \($r[2].median * 1000 | round) ms = \($r[2].median / $r[1].median * 100 | round / 100)× the alternative'"'"'s time (on the default bridge); slipway = the floor + \(($r[0].median - $r[2].median) * 1000 | round) ms"' "$WORLD/rb.json"
