#!/usr/bin/env bash
# run.sh - the no-op deploy benchmark: a 3-service project that is already up,
# deployed again by slipway (`slipway deploy NAME`, nothing changed) and by
# docker-compose 1.29 (`docker-compose -p OTHER up -d`), side by side with
# hyperfine. The goal is slipway >= 50x faster. Prints the machine first.
# Uses the e2e world (tests/e2e/lib.sh): a private config, state and engine
# objects named bench-*-RUN (unique to the run), removed at the end.
set -eu
command -v hyperfine >/dev/null || { echo "hyperfine is not installed" >&2; exit 1; }
command -v docker-compose >/dev/null || { echo "docker-compose is not installed" >&2; exit 1; }
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/row.sh"

app=bench-noop-$RUN
dc=bench-noop-dc-$RUN
app30=bench-noop30-$RUN
dc30=bench-noop30-dc-$RUN
dcdir30=$WORLD/dc30
runs=${BENCH_RUNS:-20}
dcdir=$WORLD/dc
dc_down() {
	if [ -d "$dcdir" ]; then
		(cd "$dcdir" && docker-compose -p $dc -f compose.yaml \
			down -t 1 -v --rmi local >/dev/null 2>&1) || true
	fi
	if [ -d "$dcdir30" ]; then
		(cd "$dcdir30" && docker-compose -p $dc30 -f compose.yaml \
			down -t 0 >/dev/null 2>&1) || true
	fi
}
rm_images() {
	docker images -q --filter "label=slipway.app=$app" | sort -u |
		xargs -r docker rmi -f >/dev/null 2>&1 || true
}
trap 'rc=$?; set +e; dc_down; (exit $rc); cleanup; rm_images' EXIT

echo "# machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
echo "# kernel: $(uname -r); docker $(docker version -f '{{.Server.Version}} (API {{.Server.APIVersion}})'); $(docker-compose version --short | sed 's/^/docker-compose /'); $(hyperfine --version)"

new_app $app
src=$WORLD/src/$app
mkdir -p "$src/www"
echo "bench" >"$src/www/index.html"
cat >"$src/Dockerfile" <<DF
FROM $BASE_IMAGE
COPY www /var/www
DF
# Three services: a built web server on a port, a database with a healthcheck
# and a volume, a worker on a second network.
cat >"$src/compose.yaml" <<YML
services:
  web:
    build: .
    init: true
    command: ["httpd", "-f", "-p", "8080", "-h", "/var/www"]
    ports: ["127.0.0.1:\${WEB_PORT:-18321}:8080"]
    environment:
      MODE: production
    networks: [front, back]
    depends_on:
      db:
        condition: service_healthy
  db:
    image: $BASE_IMAGE
    init: true
    command: ["sleep", "86400"]
    volumes: [data:/data]
    networks: [back]
    healthcheck:
      test: ["CMD", "true"]
      interval: 1s
  worker:
    image: $BASE_IMAGE
    init: true
    command: ["sleep", "86400"]
    networks: [back]
volumes:
  data:
networks:
  front:
  back:
YML
commit_all $app "bench"
push $app || { cat "$WORLD/push.out"; fail "push failed"; }
expect_in "$WORLD/push.out" "Deployed $app"
slipway deploy $app >"$WORLD/noop.out" 2>&1 || { cat "$WORLD/noop.out"; fail "deploy"; }
expect_in "$WORLD/noop.out" "Nothing to change: 3 containers up to date"

git clone -q "$src" "$dcdir"
export WEB_PORT=18322
(cd "$dcdir" && docker-compose -p $dc -f compose.yaml up -d) >"$WORLD/dc.out" 2>&1 ||
	{ cat "$WORLD/dc.out"; fail "docker-compose up"; }
(cd "$dcdir" && docker-compose -p $dc -f compose.yaml up -d) >"$WORLD/dc.out" 2>&1
grep -q "is up-to-date" "$WORLD/dc.out" || { cat "$WORLD/dc.out"; fail "docker-compose up is not a no-op"; }

echo "# no-op deploy of 3 services, already up ($runs runs each)"
# The third command is the floor: exec and dynamic loading, no work.
hyperfine -N -w 3 -r "$runs" --export-json "$WORLD/bench.json" \
	-n "slipway deploy" "$SLIPWAY_BIN -c $CONF deploy $app" \
	-n "docker-compose up -d" "docker-compose -p $dc -f $dcdir/compose.yaml --project-directory $dcdir up -d" \
	-n "slipway help" "$SLIPWAY_BIN help"
# Medians: the machine may be shared, and outliers are someone else's.
jq -r '.results as $r | ($r[1].median / $r[0].median) as $x |
	($r[1].mean / $r[0].mean) as $m |
	"# median: slipway \(($r[0].median * 1000) | floor) ms, docker-compose \(($r[1].median * 1000) | floor) ms: slipway is \($x * 10 | floor / 10)x faster (goal: 50x; by the means: \($m * 10 | floor / 10)x)",
	"# CPU (user+sys, means): slipway deploy \(($r[0].user + $r[0].system) * 1000 | floor) ms, docker-compose \(($r[1].user + $r[1].system) * 1000 | floor) ms, slipway help (exec and loading only) \(($r[2].user + $r[2].system) * 1000 | floor) ms in \(($r[2].median * 1000) | floor) ms"' \
	"$WORLD/bench.json"
echo "| path | slipway (median ±IQR/2) | the alternative | ratio |"
echo "|---|---|---|---|"
row "no-op deploy, 3 running services" "$WORLD/bench.json"
# Nothing may have changed while it was measured.
slipway deploy $app >"$WORLD/noop.out" 2>&1
expect_in "$WORLD/noop.out" "Nothing to change: 3 containers up to date"

# The same with 30 image-only services, without networks (an engine shared
# with other tests may have no address pool left for two more).
new_app $app30
{
	echo "services:"
	for i in $(seq 1 30); do
		printf '  s%d:\n    image: %s\n    init: true\n    network_mode: none\n    command: ["sleep", "86400"]\n' \
			"$i" "$BASE_IMAGE"
	done
} >"$WORLD/src/$app30/compose.yaml"
commit_all $app30 "thirty"
push $app30 || { cat "$WORLD/push.out"; fail "push of 30 services"; }
slipway deploy $app30 >"$WORLD/noop.out" 2>&1
expect_in "$WORLD/noop.out" "Nothing to change: 30 containers up to date"
git clone -q "$WORLD/src/$app30" "$dcdir30"
for i in 1 2; do
	(cd "$dcdir30" && docker-compose -p $dc30 -f compose.yaml up -d) >"$WORLD/dc.out" 2>&1 ||
		{ cat "$WORLD/dc.out"; fail "docker-compose up of 30 services"; }
done
grep -q "is up-to-date" "$WORLD/dc.out" || { cat "$WORLD/dc.out"; fail "docker-compose up (30) is not a no-op"; }
hyperfine -N -w 3 -r "$runs" --export-json "$WORLD/bench30.json" \
	-n "slipway deploy" "$SLIPWAY_BIN -c $CONF deploy $app30" \
	-n "docker-compose up -d" "docker-compose -p $dc30 -f $dcdir30/compose.yaml --project-directory $dcdir30 up -d" \
	>"$WORLD/bench30.out" 2>&1 || { cat "$WORLD/bench30.out"; fail "hyperfine 30"; }
row "no-op deploy, 30 running services" "$WORLD/bench30.json"
