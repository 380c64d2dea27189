#!/usr/bin/env bash
# e2e: alone (see run.sh): it measures time or changes the machine
# A restart of the engine (a second, private dockerd in its own network
# namespace: the shared engine and the host's interfaces are never touched): containers whose compose file sets no restart come back by
# themselves ([deploy] default_restart = unless-stopped), one that says
# restart: "no" stays down as compose would have it, and a deploy cut off by
# kill -9 together with the engine restart is finished by `recover --all`,
# what the boot hook runs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-faults.sh"

command -v dockerd >/dev/null || fail "dockerd is not installed"
# Short paths: containerd's sockets live under the exec root.
D=$(mktemp -d /tmp/sdk.XXXXXX)
SOCK=$D/docker.sock
# Its own network namespace: a second dockerd in the host's deletes the
# interface docker0 of the shared engine when it restarts (moby
# removeDefaultBridgeInterface), and its networks could overlap the shared
# engine's. Its ports are then on the loopback of that namespace: curl
# (wait_http, verdict) runs there.
# nsenter switches the network namespace only (ip netns exec would also
# remount /sys, hiding the cgroups dockerd needs); its default bridge has a
# name no host interface has, so nothing it does through /sys meets one.
NS=sdk$RUN
ip netns add "$NS" || fail "cannot create a network namespace"
in_ns() { nsenter --net="/var/run/netns/$NS" "$@"; }
in_ns ip link set lo up
in_ns ip link add sdkbr0 type bridge
in_ns ip addr add 10.231.0.1/24 dev sdkbr0
in_ns ip link set sdkbr0 up
curl() { in_ns "$(type -P curl)" "$@"; }
DOCKERD_PID=
dockerd_start() {
	setsid nsenter --net="/var/run/netns/$NS" dockerd --data-root "$D/data" \
		--exec-root "$D/exec" --pidfile "$D/pid" -H "unix://$SOCK" \
		--bridge=sdkbr0 --iptables=false \
		</dev/null >>"$D/dockerd.log" 2>&1 &
	DOCKERD_PID=$!
	for _ in $(seq 1 120); do
		docker -H "unix://$SOCK" info >/dev/null 2>&1 && return 0
		sleep 0.25
	done
	tail -20 "$D/dockerd.log"
	fail "the private dockerd did not start"
}
dockerd_stop() { # the engine stops as it does on a reboot: its containers too
	[ -n "$DOCKERD_PID" ] || return 0
	kill -TERM $DOCKERD_PID 2>/dev/null || true
	for _ in $(seq 1 120); do kill -0 $DOCKERD_PID 2>/dev/null || break; sleep 0.25; done
	kill -KILL $DOCKERD_PID 2>/dev/null || true
	wait $DOCKERD_PID 2>/dev/null || true
	DOCKERD_PID=
}
pdocker() { docker -H "unix://$SOCK" "$@"; }
trap 'rc=$?; set +e; (exit $rc); cleanup; dockerd_stop; ip netns del "$NS"; rm -rf "$D"' EXIT
dockerd_start
sed -i "s|^docker_host = .*|docker_host = unix://$SOCK|" "$CONF"

# The base image, built in the private engine.
mkdir -p "$WORLD/base"
cp /bin/busybox "$WORLD/base/busybox"
printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\nRUN ["/bin/mkdir", "-p", "/tmp", "/var/www"]\n' \
	>"$WORLD/base/Dockerfile"
pdocker build -q -t "$BASE_IMAGE" "$WORLD/base" >/dev/null

app=e2e-restart-$RUN
port=$(free_port)
new_app $app
src=$WORLD/src/$app
release() {
	web_app $app $port "$1"
	cat >>"$src/compose.yaml" <<'YML'
  worker:
    image: slipway-test-base:busybox
    command: ["sleep", "100000"]
    init: true
    restart: "no"
YML
	commit_all $app "$1"
	git -C "$src" rev-parse HEAD
}
shaA=$(release "release A")
push $app || { cat "$WORLD/push.out"; fail "push A"; }
wait_http "http://127.0.0.1:$port/" "release A"
slipway status $app --json >"$WORLD/status.json"
jq -e '[.services[] | {(.service): .restart}] | add == {"web": "unless-stopped", "worker": "no"}' \
	"$WORLD/status.json" >/dev/null || { cat "$WORLD/status.json"; fail "restart policies in status"; }

say "the engine restarts: the web service serves again by itself"
t0=$(date +%s%N)
dockerd_stop
dockerd_start
wait_http "http://127.0.0.1:$port/" "release A" 60
back=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$(pdocker inspect -f '{{.State.Status}}' $app-worker-1)" = exited ] ||
	fail "the worker with restart: \"no\" came back"
say "figure: engine restart: the app served again $back ms after the engine stopped, with no slipway run"

say "kill -9 of a deploy, then the engine restarts: recover --all finishes it"
shaB=$(release "release B")
: >"$WORLD/push.out"
push $app &
pusher=$!
wait_line "$WORLD/push.out" "-----> Recreating" 120 || { cat "$WORLD/push.out"; fail "no recreate"; }
pkill -9 -f "slipway -c $CONF hook p(ost|re)-receive" || fail "no deploy to kill"
wait $pusher || true
dockerd_stop
dockerd_start
[ -e "$WORLD/state/apps/$app/journal" ] || fail "the killed deploy left no journal"
slipway recover --all >"$WORLD/recover.out" 2>&1 || { cat "$WORLD/recover.out"; fail "recover --all"; }
expect_in "$WORLD/recover.out" "Recovering $app"
v=$(verdict $app $port $shaB "release B" $shaA "release A")
case $v in new|previous) ;; *) cat "$WORLD/recover.out"; fail "after recover --all: $v";; esac
say "figure: deploy killed at Recreating + engine restart: recover --all left the $v release serving, record consistent"
