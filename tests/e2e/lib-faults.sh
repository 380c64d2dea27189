# lib-faults.sh - what the fault-injection tests share: an engine proxy socket
# that can be killed and restarted, two releases to go between, and the
# verdict after each fault: which release serves, and whether the record
# (current, history, journal) says the same.

# proxy_start: a unix socket at $PROXY in front of the real engine.
PROXY=$WORLD/engine.sock
PROXY_PID=
proxy_start() {
	# Its own process group: stopping it takes every forked connection.
	setsid socat UNIX-LISTEN:"$PROXY",fork,unlink-early \
		UNIX-CONNECT:/var/run/docker.sock </dev/null >/dev/null 2>&1 &
	PROXY_PID=$!
	for _ in $(seq 1 50); do
		[ -S "$PROXY" ] && return 0
		sleep 0.05
	done
	fail "the engine proxy did not start"
}
# proxy_stop: the engine goes away, with every connection it had open.
proxy_stop() {
	[ -n "$PROXY_PID" ] || return 0
	kill -KILL -- -"$PROXY_PID" 2>/dev/null || kill -KILL "$PROXY_PID" 2>/dev/null || true
	wait "$PROXY_PID" 2>/dev/null || true
	PROXY_PID=
	rm -f "$PROXY"
}
# Route slipway through the proxy.
use_proxy() {
	sed -i "s|^docker_host = .*|docker_host = unix://$PROXY|" "$CONF"
	# At exit the proxy is gone: the cleanup's app destroy goes straight to
	# the engine, or the test's containers would be left behind.
	trap 'rc=$?; set +e; proxy_stop; sed -i "s|^docker_host = .*|docker_host = unix:///var/run/docker.sock|" "$CONF"; (exit $rc); cleanup' EXIT
	proxy_start
}

# wait_line FILE TEXT [SECONDS]: until FILE has TEXT; 1 when it never did.
wait_line() {
	local n=$(( ${3:-60} * 20 ))
	while [ $n -gt 0 ]; do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}

# verdict APP PORT NEW_SHA NEW_TEXT PREV_SHA PREV_TEXT: prints "new",
# "previous", or "BAD: why". Consistent means: no journal left, no history
# row still running, the release that serves is the one `current` names, and
# the newest history row agrees (succeeded for it, or failed).
verdict() {
	local app=$1 port=$2 nsha=$3 ntext=$4 psha=$5 ptext=$6 body="" cur st sha n
	local dir=$WORLD/state/apps/$app
	for n in $(seq 1 50); do
		body=$(curl -fsS --max-time 2 "http://127.0.0.1:$port/" 2>/dev/null || true)
		case "$body" in *"$ntext"*|*"$ptext"*) break;; esac
		sleep 0.2
	done
	cur=$(cat "$dir/current" 2>/dev/null || true)
	[ ! -e "$dir/journal" ] || { echo "BAD: the journal was left"; return; }
	slipway history "$app" -n 50 --json >"$WORLD/verdict.json" 2>/dev/null ||
		{ echo "BAD: no history"; return; }
	n=$(jq '[.[] | select(.status == "running")] | length' "$WORLD/verdict.json")
	[ "$n" = 0 ] || { echo "BAD: $n history rows still running"; return; }
	st=$(jq -r '.[0].status' "$WORLD/verdict.json")
	sha=$(jq -r '.[0].commit' "$WORLD/verdict.json")
	case "$body" in
	*"$ntext"*)
		[ "$cur" = "$nsha" ] || { echo "BAD: serves the new release, current is ${cur:0:7}"; return; }
		[ "$st" = succeeded ] && [ "$sha" = "$nsha" ] ||
			{ echo "BAD: serves the new release, newest row is $st ${sha:0:7}"; return; }
		echo new;;
	*"$ptext"*)
		[ "$cur" = "$psha" ] || { echo "BAD: serves the previous release, current is ${cur:0:7}"; return; }
		[ "$st" = failed ] || { [ "$st" = succeeded ] && [ "$sha" = "$psha" ]; } ||
			{ echo "BAD: serves the previous release, newest row is $st ${sha:0:7}"; return; }
		echo previous;;
	*)
		echo "BAD: nothing serves (${body:0:40})";;
	esac
}
