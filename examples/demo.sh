#!/usr/bin/env bash
# demo.sh - `make demo`: on a fresh Debian/Ubuntu machine, as root, install
# what is missing, build slipway, start a Docker engine if none answers,
# create an app "demo", push examples/demo-app to it with real git and print
# the URL that serves it. Everything lives under $DEMO_DIR (/tmp/slipway-demo).
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
DEMO_DIR=${DEMO_DIR:-/tmp/slipway-demo}
PORT=8088

need=()
for pkg in build-essential pkg-config git curl libgit2-dev libcurl4-openssl-dev \
	libyaml-dev libinih-dev libjansson-dev libarchive-dev libsqlite3-dev \
	libssh2-1-dev docker.io busybox-static; do
	dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
	echo "-----> Installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

echo "-----> Building slipway"
make -C "$TOP" -s

if ! docker info >/dev/null 2>&1; then
	echo "-----> Starting dockerd"
	setsid dockerd >/var/log/slipway-demo-dockerd.log 2>&1 </dev/null &
	for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
	docker info >/dev/null 2>&1 || { echo "dockerd did not start" >&2; exit 1; }
fi

if ! docker image inspect slipway-demo-base:busybox >/dev/null 2>&1; then
	echo "-----> Building the base image (scratch + busybox)"
	base=$(mktemp -d)
	cp /bin/busybox "$base/busybox"
	printf '%s\n' 'FROM scratch' 'COPY busybox /bin/busybox' \
		'RUN ["/bin/busybox", "--install", "-s", "/bin"]' \
		'RUN ["/bin/mkdir", "-p", "/tmp", "/var/www"]' >"$base/Dockerfile"
	docker build -q -t slipway-demo-base:busybox "$base" >/dev/null
	rm -rf "$base"
fi

mkdir -p "$DEMO_DIR"
conf=$DEMO_DIR/slipway.conf
cat >"$conf" <<CONF
[server]
repos_dir = $DEMO_DIR/repos
state_dir = $DEMO_DIR/state
[deploy]
branch = main
CONF
slipway="$TOP/build/slipway -c $conf"
[ -d "$DEMO_DIR/repos/demo.git" ] || $slipway app create demo

src=$DEMO_DIR/src
rm -rf "$src"
cp -R "$TOP/examples/demo-app" "$src"
git -C "$src" init -q -b main
git -C "$src" add -A
git -C "$src" -c user.name=demo -c user.email=demo@example.invalid \
	commit -q -m "demo $(date -u +%FT%TZ)"
git -C "$src" remote add production "$DEMO_DIR/repos/demo.git"
echo "-----> git push production main"
git -C "$src" push -f production main

for _ in $(seq 1 50); do
	curl -fsS "http://127.0.0.1:$PORT/" >/dev/null 2>&1 && break
	sleep 0.2
done
curl -fsS "http://127.0.0.1:$PORT/" | grep -q "Deployed by slipway"
echo
echo "The demo app serves http://127.0.0.1:$PORT/"
echo "Status:   $TOP/build/slipway -c $conf status demo"
echo "Clean up: $TOP/build/slipway -c $conf app destroy demo"
