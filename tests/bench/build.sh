#!/usr/bin/env bash
# build.sh - the build benchmark: a 200 MB, 10,000-file context, built by
# slipway (`slipway deploy` of a new commit that changes one file: checkout,
# context from git's objects, build) and by the docker CLI (`docker build`
# of the same files), with no .dockerignore and with one excluding 90% of
# the files. The Dockerfile copies nothing that changes, so both sides get
# cache hits and measure the context's way to the engine. Then one run of
# each under /usr/bin/time for the client's CPU time and peak memory.
set -eu
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/row.sh"

runs=${BENCH_BUILD_RUNS:-3}
files=${BENCH_FILES:-10000}
size=${BENCH_FILE_SIZE:-20480}
export DOCKER_BUILDKIT=0
rm_images() {
	local a
	for a in bench-build-$RUN bench-build-ig-$RUN; do
		docker images -q --filter "label=slipway.app=$a" | sort -u |
			xargs -r docker rmi -f >/dev/null 2>&1 || true
	done
	docker rmi -f bench-build-dc-$RUN:latest >/dev/null 2>&1 || true
}
trap 'rc=$?; set +e; (exit $rc); cleanup; rm_images' EXIT

# make_context DIR IGNORE: the files, a Dockerfile, and a .dockerignore
# excluding data/0* … data/8* when IGNORE is 1.
make_context() {
	mkdir -p "$1/data"
	python3 - "$1/data" "$files" "$size" <<'PY'
import os, sys
d, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(n):
    with open(os.path.join(d, "%d%04d" % (i * 10 // n, i)), "wb") as f:
        f.write(os.urandom(size))
PY
	cat >"$1/Dockerfile" <<DF
FROM $BASE_IMAGE
COPY Dockerfile /Dockerfile
CMD ["sleep", "86400"]
DF
	if [ "$2" = 1 ]; then
		printf 'data/[0-8]*\n' >"$1/.dockerignore"
	fi
	cat >"$1/compose.yaml" <<YML
services:
  app:
    build: .
    init: true
YML
}

bench_one() { # bench_one APP IGNORE LABEL
	local app=$1 src=$WORLD/src/$1 dcdir=$WORLD/dc-$1 bare=$WORLD/repos/$1.git
	new_app "$app"
	make_context "$src" "$2"
	commit_all "$app" "context"
	push "$app" || { cat "$WORLD/push.out"; fail "first push of $app"; }
	mkdir -p "$dcdir"
	git -C "$src" archive HEAD | tar -x -C "$dcdir"
	docker build -q -t bench-build-dc-$RUN:latest "$dcdir" >/dev/null
	# A new commit changing a file that is sent, fetched into the app's
	# repository without its hooks; the same change for the CLI.
	cat >"$WORLD/next-$app" <<SH
#!/bin/sh
set -e
od -An -N8 -tx1 /dev/urandom >"$src/data/9$(printf %04d $((files - 1)))"
git -C "$src" commit -qam next
git -C "$bare" fetch -q "$src" +HEAD:refs/heads/main
SH
	cat >"$WORLD/next-dc-$app" <<SH
#!/bin/sh
od -An -N8 -tx1 /dev/urandom >"$dcdir/data/9$(printf %04d $((files - 1)))"
SH
	chmod +x "$WORLD/next-$app" "$WORLD/next-dc-$app"
	hyperfine -N -w 1 -r "$runs" --export-json "$WORLD/$app.json" \
		--prepare "$WORLD/next-$app" -n "slipway deploy" \
		"$SLIPWAY_BIN -c $CONF deploy $app" \
		--prepare "$WORLD/next-dc-$app" -n "docker build" \
		"docker build -q -t bench-build-dc-$RUN:latest $dcdir" >"$WORLD/$app.out" 2>&1 ||
		{ cat "$WORLD/$app.out"; fail "hyperfine $app"; }
	row "$3" "$WORLD/$app.json"
	"$WORLD/next-$app"
	/usr/bin/time -f '%U %S %M' -o "$WORLD/time-s" \
		"$SLIPWAY_BIN" -c "$CONF" deploy "$app" >"$WORLD/deploy.out" 2>&1 ||
		{ cat "$WORLD/deploy.out"; fail "deploy $app"; }
	expect_in "$WORLD/deploy.out" "Building app"
	[ -z "${BENCH_VERBOSE:-}" ] || cat "$WORLD/deploy.out"
	"$WORLD/next-dc-$app"
	/usr/bin/time -f '%U %S %M' -o "$WORLD/time-d" \
		docker build -q -t bench-build-dc-$RUN:latest "$dcdir" >/dev/null
	read -r su ss sm <"$WORLD/time-s"
	read -r du ds dm <"$WORLD/time-d"
	awk -v l="$3" -v su="$su" -v ss="$ss" -v sm="$sm" -v du="$du" -v ds="$ds" -v dm="$dm" 'BEGIN {
		printf "| %s: client CPU | %.2f s | docker build %.2f s | %.2f× |\n", l, su + ss, du + ds, (du + ds) / (su + ss > 0 ? su + ss : 0.01)
		printf "| %s: peak memory | %.1f MiB | docker build %.1f MiB | %.2f× |\n", l, sm / 1024, dm / 1024, dm / sm }'
}

mb=$((files * size / 1048576))
bench_one bench-build-$RUN 0 "build, $mb MB / $files-file context"
bench_one bench-build-ig-$RUN 1 "same with a .dockerignore excluding 90%"
