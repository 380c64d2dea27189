#!/bin/sh
# demo.sh - the README's first command: `sh examples/demo.sh`, as root, on a
# fresh Debian 12 / Ubuntu 24.04 machine (POSIX sh: no make, git or compiler
# needed yet). Installs what is missing, builds slipway, starts a Docker
# engine if none answers, creates the app demo-<id> from examples/demo-app,
# pushes it with git and prints the URL that serves it.
#
# <id> comes from this checkout's path, and everything the demo writes lives
# in build/demo/ of this checkout: demos of two checkouts on one engine never
# meet, and running it again updates the same app. The port is 8088 unless
# that is taken, then the next free one. The base image
# slipway-demo-base:busybox is shared and kept.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"

. "$TOP/tools/deps.sh"
deps_install demo

echo "-----> Building slipway"
make -j"$(nproc 2>/dev/null || echo 2)"

if ! docker info >/dev/null 2>&1; then
	echo "-----> Starting dockerd (log: /var/log/slipway-demo-dockerd.log)"
	setsid dockerd >/var/log/slipway-demo-dockerd.log 2>&1 </dev/null &
	i=0
	while [ $i -lt 60 ] && ! docker info >/dev/null 2>&1; do
		sleep 0.5; i=$((i + 1))
	done
	docker info >/dev/null 2>&1 || {
		echo "error: dockerd did not start; its last lines:" >&2
		tail -20 /var/log/slipway-demo-dockerd.log >&2; exit 1; }
fi

BASE=slipway-demo-base:busybox
if ! docker image inspect "$BASE" >/dev/null 2>&1; then
	echo "-----> Building the base image $BASE (scratch + busybox)"
	base=$(mktemp -d /tmp/slipway-demo-base.XXXXXX)
	cp /bin/busybox "$base/busybox"
	printf '%s\n' 'FROM scratch' 'COPY busybox /bin/busybox' \
		'RUN ["/bin/busybox", "--install", "-s", "/bin"]' \
		'RUN ["/bin/mkdir", "-p", "/tmp", "/var/www"]' >"$base/Dockerfile"
	docker build -q -t "$BASE" "$base" >/dev/null
	rm -rf "$base"
fi

ID=$(printf '%s' "$TOP" | md5sum | cut -c1-8)
APP=demo-$ID
WORLD=$TOP/build/demo
conf=$WORLD/slipway.conf
mkdir -p "$WORLD"
cat >"$conf" <<CONF
[server]
repos_dir = $WORLD/repos
state_dir = $WORLD/state
[deploy]
branch = main
CONF
slipway() { "$TOP/build/slipway" -c "$conf" "$@"; }

# serves PORT: the demo answers there. taken PORT: something else listens.
serves() { curl -fsS --max-time 2 "http://127.0.0.1:$1/" 2>/dev/null | grep -q "Deployed by slipway"; }
taken() { curl -s --max-time 2 -o /dev/null "http://127.0.0.1:$1/"; [ $? -ne 7 ]; }
port=
if [ -s "$WORLD/port" ] && serves "$(cat "$WORLD/port")"; then
	port=$(cat "$WORLD/port")
else
	p=8088
	while [ $p -lt 8188 ]; do
		if ! taken $p; then port=$p; break; fi
		p=$((p + 1))
	done
	[ -n "$port" ] || { echo "error: no free port in 8088-8187" >&2; exit 1; }
	[ $port = 8088 ] || echo "-----> Port 8088 is taken: the demo uses $port"
	echo $port >"$WORLD/port"
fi

[ -d "$WORLD/repos/$APP.git" ] || slipway app create "$APP"

src=$WORLD/src
rm -rf "$src"
cp -R "$TOP/examples/demo-app" "$src"
sed -i "s/127\.0\.0\.1:8088:8080/127.0.0.1:$port:8080/" "$src/compose.yaml"
git -C "$src" init -q
git -C "$src" checkout -q -b main
git -C "$src" add -A
git -C "$src" -c user.name=demo -c user.email=demo@example.invalid \
	commit -q -m "demo $(date -u +%Y-%m-%dT%H:%M:%SZ)"
git -C "$src" remote add production "$WORLD/repos/$APP.git"
echo "-----> git push production main"
git -C "$src" push -f production main

i=0
while [ $i -lt 50 ] && ! serves $port; do sleep 0.2; i=$((i + 1)); done
serves $port || { echo "error: http://127.0.0.1:$port/ does not serve the demo" >&2; exit 1; }
echo
echo "The demo app $APP serves http://127.0.0.1:$port/"
echo "Status:   $TOP/build/slipway -c $conf status $APP"
echo "Clean up: $TOP/build/slipway -c $conf app destroy $APP"
