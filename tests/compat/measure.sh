#!/usr/bin/env bash
# measure.sh - issue 18's figures, on compose projects nobody here wrote. On
# demand only (`make compat`, never `make test`): it takes minutes and needs
# three repositories on disk (git directories or work trees):
#   COMPOSE_REPO    docker/compose          (COMPOSE_REF, default v5.5.0:
#                   pkg/e2e/fixtures, 70 projects)
#   COMPOSE_GO_REPO compose-spec/compose-go (COMPOSE_GO_REF, default HEAD:
#                   the load-error assertions of loader/*_test.go)
#   AWESOME_REPO    docker/awesome-compose  (AWESOME_REF, default HEAD)
# Parts: `measure.sh [fixtures] [loader] [samples]` (all three by default).
#
# fixtures: each fixture project is deployed by slipway (a real push) and by
#   docker-compose 1.29 (`up -d`), one after the other, and ends "same"
#   (both deployed and every service's first container is in the same state:
#   running, or exited with the same code), "refused by both", or "differs"
#   with why. Nothing is pulled: images are rewritten to a run-unique tag of
#   the busybox-static base image (rewrite.py), so both sides run the same
#   stand-in, and names the run builds or gives containers carry the run.
# loader: every compose-go load-error case must be refused by slipway's
#   loader (and policy), through compose-check.
# samples: every awesome-compose sample is loaded (compose-check): the
#   figure counts the loader's refusals (a key or a form); the safety
#   policy's refusals (host ports below 1024, writable binds into the
#   release, names not the app's...) are listed apart.
# FIXTURES="pause resources" measures only those fixtures.
# Output: one line per project, then "# figure:" lines; the table is kept in
# $OUT (default /tmp/slipway-compat.txt).
TEST_NAME=compat-measure
. "$(dirname "$0")/../e2e/lib.sh"
set +e          # every step's result is looked at here

COMPOSE_REPO=${COMPOSE_REPO:-/work/.mirror/docker+compose/repo}
COMPOSE_REF=${COMPOSE_REF:-v5.5.0}
COMPOSE_GO_REPO=${COMPOSE_GO_REPO:-/work/.mirror/compose-spec+compose-go/repo}
COMPOSE_GO_REF=${COMPOSE_GO_REF:-HEAD}
AWESOME_REPO=${AWESOME_REPO:-/work/.mirror/docker+awesome-compose/repo}
AWESOME_REF=${AWESOME_REF:-HEAD}
COMPOSE_CHECK=${COMPOSE_CHECK:-$TOP/build/compose-check}
OUT=${OUT:-/tmp/slipway-compat.txt}
FIXTURE_TIMEOUT=${FIXTURE_TIMEOUT:-90}   # seconds a push or an up may take
HERE=$(cd "$(dirname "$0")" && pwd)
[ -x "$COMPOSE_CHECK" ] || fail "no $COMPOSE_CHECK: make build/compose-check"
command -v docker-compose >/dev/null || fail "docker-compose is not installed"
slipway app list >/dev/null || fail "slipway does not run: $(slipway app list 2>&1)"

# The stand-in for every public image, under a tag only this run uses: the
# busybox base serving HTTP on port 80 by default, as the nginx most
# fixtures name does (without a command every service would fail on both
# sides alike and the comparison would say nothing; without a server, and a
# curl, their healthchecks would). Its busybox wget crashes (SIGSEGV) when
# given a timeout (-T), and its shell runs the applet whatever PATH says, so
# a healthcheck such as `wget --spider -T1 URL` (the pause fixture) fails on
# both sides: docker-compose does not wait for health, slipway's gate does.
IMG=slipway-compat-$RUN:local
mkdir -p "$WORLD/standin"
printf '#!/bin/sh\n# curl URL... as the healthchecks use it: wget the last argument\n''for a; do u=$a; done\nexec wget -q -O /dev/null "$u"\n' >"$WORLD/standin/curl"
cat >"$WORLD/standin/Dockerfile" <<DF
FROM $BASE_IMAGE
COPY curl /bin/curl
RUN ["/bin/sh", "-c", "chmod 755 /bin/curl && echo ok >/var/www/index.html"]
CMD ["httpd", "-f", "-p", "80", "-h", "/var/www"]
DF
docker build -q -t "$IMG" "$WORLD/standin" >/dev/null 2>&1 || fail "cannot build the stand-in image"
BUILT=()
DCP=
finish_all() {
	local rc=$? i
	set +e
	[ -z "$DCP" ] || dc_down
	for i in "${BUILT[@]}"; do docker rmi -f "$i" >/dev/null 2>&1; done
	docker images -q --filter "reference=slipway-compat-$RUN-*" |
		xargs -r docker rmi -f >/dev/null 2>&1
	docker rmi "$IMG" >/dev/null 2>&1
	(exit $rc)
	cleanup
}
trap finish_all EXIT
# A deploy that does not converge should not hold the run up for long.
sed -i 's/^health_timeout = .*/health_timeout = 40/' "$CONF"

# limited CMD...: run CMD in a process group of its own, killed whole after
# FIXTURE_TIMEOUT seconds (a push's hook and its build go with it).
limited() {
	local pid w rc
	setsid "$@" &
	pid=$!
	(sleep "$FIXTURE_TIMEOUT"; kill -KILL -- -"$pid" 2>/dev/null) &
	w=$!
	wait "$pid"
	rc=$?
	kill "$w" 2>/dev/null
	wait "$w" 2>/dev/null
	return $rc
}

# export REPO REF PATH DEST: PATH of REPO at REF into DEST
export_tree() {
	mkdir -p "$4"
	git -C "$1" archive "$2" "$3" | tar -x -C "$4"
}

# states PROJECT: "service state" per service (first container), sorted
states() {
	local c
	for c in $(docker ps -aq --filter "label=com.docker.compose.project=$1"); do
		docker inspect -f '{{index .Config.Labels "com.docker.compose.service"}} {{.State.Status}}{{if eq .State.Status "exited"}}({{.State.ExitCode}}){{end}}' "$c"
	done | sort -u -k1,1
}

dc_down() {
	(cd "$DCDIR" && timeout 120 docker-compose -p "$DCP" -f "$DCFILE" down -v -t 1 \
		--rmi local >/dev/null 2>&1)
	DCP=
}

# pick DIR: the file compose would use in DIR, else its first yaml with
# services (a fixture made for -f)
pick() {
	local f
	for f in compose.yaml compose.yml docker-compose.yaml docker-compose.yml; do
		[ -f "$1/$f" ] && { echo "$f"; return; }
	done
	for f in $(cd "$1" && ls *.yaml *.yml 2>/dev/null | sort); do
		grep -q '^services:' "$1/$f" && { echo "$f"; return; }
	done
	for f in $(cd "$1" && find . -mindepth 2 -name 'compose.yaml' | sort); do
		echo "${f#./}"; return
	done
}

fixtures() {
	local root=$WORLD/fixtures n=0 same=0 both=0 differ=0 d name file sub app
	local dcrc sw dcs sws why
	export_tree "$COMPOSE_REPO" "$COMPOSE_REF" pkg/e2e/fixtures "$root"
	for d in "$root"/pkg/e2e/fixtures/*/; do
		name=$(basename "$d")
		case " ${FIXTURES:-$name} " in *" $name "*) ;; *) continue ;; esac
		n=$((n + 1))
		file=$(pick "$d")
		if [ -z "$file" ]; then
			differ=$((differ + 1))
			echo "fixture $name: differs: no compose file found"
			continue
		fi
		# a file in a subdirectory: that directory is the project
		sub=$(dirname "$file")
		file=$(basename "$file")
		app=cx$n-$RUN
		new_app "$app"
		cp -a "$d/$sub/." "$WORLD/src/$app/"
		mapfile -t made < <(python3 "$HERE/rewrite.py" "$WORLD/src/$app" "$IMG" \
			"slipway-compat-$RUN-$n" "$(free_port)")
		BUILT+=("${made[@]}")
		# git keeps no empty directories: compose sees the same tree
		commit_all "$app" fixture
		DCDIR=$WORLD/dc-$n DCFILE=$file DCP=cy$n-$RUN
		git clone -q "$WORLD/src/$app" "$DCDIR"
		case $file in
		compose.yaml|compose.yml|docker-compose.yaml|docker-compose.yml) ;;
		*)
			cp "$WORLD/src/$app/$file" "$WORLD/src/$app/compose.yaml"
			commit_all "$app" "the fixture's file as compose.yaml" ;;
		esac
		limited git -C "$WORLD/src/$app" push production HEAD:main \
			>"$WORLD/push.out" 2>&1
		if grep -q -- "-----> Deployed $app" "$WORLD/push.out"; then
			sw=deployed
			sleep 3         # as long as after docker-compose up below
			sws=$(states "$app")
		else
			sw=refused
			why=$(grep -m1 -o 'error: .*' "$WORLD/push.out" | sed 's/ *$//')
		fi
		slipway app destroy "$app" --volumes >/dev/null 2>&1
		(cd "$DCDIR" && limited docker-compose -p "$DCP" -f "$DCFILE" up -d) \
			>"$WORLD/dc.out" 2>&1
		dcrc=$?
		sleep 3
		dcs=$(states "$DCP")
		dc_down
		if [ $dcrc -ne 0 ] && [ $sw = refused ]; then
			both=$((both + 1))
			echo "fixture $name: refused by both (slipway $why; docker-compose 1.29: $(grep -v '^[[:space:]]*$' "$WORLD/dc.out" | tail -1))"
		elif [ $dcrc -eq 0 ] && [ $sw = deployed ] && [ "$dcs" = "$sws" ]; then
			same=$((same + 1))
			echo "fixture $name: same"
		else
			differ=$((differ + 1))
			if [ $sw = refused ]; then
				echo "fixture $name: differs: compose $([ $dcrc -eq 0 ] && echo deployed || echo refused), slipway $why"
			elif [ $dcrc -ne 0 ]; then
				echo "fixture $name: differs: slipway deployed, docker-compose 1.29: $(grep -v '^[[:space:]]*$' "$WORLD/dc.out" | tail -1)"
			else
				echo "fixture $name: differs: states: compose [$(echo $dcs)] slipway [$(echo $sws)]"
			fi
		fi
	done
	echo "# figure: compose fixtures ($COMPOSE_REF): $((same + both)) of $n end the same as compose ($same same, $both refused by both), $differ differ"
}

loader() {
	local src=$WORLD/compose-go cases=$WORLD/cases n=0 refused=0 line c
	export_tree "$COMPOSE_GO_REPO" "$COMPOSE_GO_REF" loader "$src"
	python3 "$HERE/loader-cases.py" "$src" "$cases"
	while IFS=$'\t' read -r c fn want rest; do
		[ "$c" != skip ] || continue
		n=$((n + 1))
		line=$("$COMPOSE_CHECK" "$cases/$c")
		if [ "$line" = ok ]; then
			echo "loader case $c ($fn, compose-go: $want): accepted"
		else
			refused=$((refused + 1))
			echo "loader case $c ($fn): refused: ${line#error: }"
		fi
	done <"$cases/cases.txt"
	echo "# figure: compose-go loader error cases: $refused of $n refused ($(grep -c '^skip' "$cases/cases.txt") more build the project in Go, not from YAML)"
}

samples() {
	local root=$WORLD/awesome n=0 keys=0 policy=0 d line
	export_tree "$AWESOME_REPO" "$AWESOME_REF" . "$root"
	for d in "$root"/*/; do
		case $(pick "$d") in ''|*/*) continue ;; esac
		n=$((n + 1))
		line=$("$COMPOSE_CHECK" "$d")
		case $line in
		ok) echo "sample $(basename "$d"): loads" ;;
		policy:*) policy=$((policy + 1))
			echo "sample $(basename "$d"): loads; the safety policy refuses: ${line#policy: }" ;;
		*) keys=$((keys + 1))
			echo "sample $(basename "$d"): refused: ${line#error: }" ;;
		esac
	done
	echo "# figure: awesome-compose samples: $((n - keys)) of $n load, $keys refused by the loader; the safety policy refuses $policy of those that load"
}

parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(loader samples fixtures)
for part in "${parts[@]}"; do
	"$part"
done 2>&1 | tee "$OUT"
